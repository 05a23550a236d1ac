"""OpenAI-shaped error answers and the real API's wording for invalid input.

Every endpoint of the reference server rejects bad input the way api.openai.com does: an
HTTP status and ``{"error": {"message", "type", "param", "code"}}``, with messages in the
real API's words, so a client's error handling meets what production sends. The helpers
below are that wording, shared by the request validators and the route handlers, and the
field checks both APIs' validators are made of (:func:`optional`, :func:`required`,
:func:`non_empty_array`, :func:`typed_item`), so that a rule such as "null counts as
missing" is written once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_compat_chat.testing._scripted import dumps


class ApiError(Exception):
    """An HTTP error answer with an OpenAI-shaped body.

    Attributes:
        status: HTTP status code.
        message: Human-readable message (``error.message``).
        type: ``error.type``, e.g. ``invalid_request_error``.
        param: The offending parameter path, or ``None``.
        code: Machine-readable code, e.g. ``invalid_type``, or ``None``.
        headers: Extra response headers (e.g. ``Retry-After``).

    """

    def __init__(
        self,
        status: int,
        message: str,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def payload(self) -> dict[str, Any]:
        """The JSON error object as sent on the wire."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def body(self) -> bytes:
        """The serialised error body."""
        return dumps(self.payload())


def bad(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", param, code)


JsonType = Literal[
    "null", "a boolean", "an integer", "a decimal", "a string", "an array", "an object"
]
"""How the real API names a JSON value's type in its ``invalid_type`` messages."""

_JSON_TYPES: tuple[tuple[type, JsonType], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),  # before int: True is an int to isinstance
    (int, "an integer"),
    (float, "a decimal"),
    (str, "a string"),
    (list, "an array"),
    (dict, "an object"),
)


def type_name(value: Any) -> str:
    """The real API's name for ``value``'s JSON type (the ``got ...`` of its messages)."""
    for kind, name in _JSON_TYPES:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return bad(
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param,
        "invalid_type",
    )


def invalid_value(param: str, value: Any, supported: Sequence[str]) -> ApiError:
    quoted = [f"'{s}'" for s in supported]
    listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    return bad(f"Invalid value: '{value}'. Supported values are: {listed}.", param, "invalid_value")


def missing(param: str) -> ApiError:
    return bad(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def empty_array(param: str) -> ApiError:
    """The 400 for an array that must hold at least one item (``messages``, ``tools``)."""
    return bad(
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got "
        "an empty array instead.",
        param,
        "empty_array",
    )


def optional(obj: Mapping[str, Any], key: str, expected: JsonType, param: str | None = None) -> Any:
    """``obj[key]`` when given, ``None`` when absent or null; a 400 when of another type.

    Most optional fields of both APIs are checked this way, so the check and its wording
    live once. ``param`` is the path the error names (``key`` by default), for a field
    under a parent (``text.format.strict``).
    """
    value = obj.get(key)
    if value is not None and type_name(value) != expected:
        raise invalid_type(param or key, expected, value)
    return value


def required(obj: Mapping[str, Any], key: str, expected: JsonType, param: str | None = None) -> Any:
    """``obj[key]``, which must be given (absent or null: ``missing_required_parameter``).

    Used where the real API answers a null as a missing field; where it reports a null
    as ``got null`` instead (``"key" in obj`` checks), the validators keep their own test.
    """
    value = optional(obj, key, expected, param)
    if value is None:
        raise missing(param or key)
    return value


def non_empty_array(value: Any, param: str) -> list[Any]:
    """``value`` as an array of at least one item, as ``messages`` and ``tools`` must be."""
    if not isinstance(value, list):
        raise invalid_type(param, "an array", value)
    if not value:
        raise empty_array(param)
    return value


def typed_item(value: Any, where: str) -> tuple[dict[str, Any], Any]:
    """An array item that must be an object with a ``type``: the item and its type.

    Content parts, tools and input items all start so: ``where`` not an object is
    ``invalid_type``, its ``type`` absent or null is ``missing_required_parameter``.
    The type's value is the caller's to check (each list takes its own types).
    """
    if not isinstance(value, dict):
        raise invalid_type(where, "an object", value)
    kind = value.get("type")
    if kind is None:
        raise missing(f"{where}.type")
    return value, kind


def model_not_found(model: str) -> ApiError:
    """The 404 for a model the server does not serve (``strict_models``, ``/models/{id}``)."""
    return ApiError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        "invalid_request_error",
        None,
        "model_not_found",
    )
