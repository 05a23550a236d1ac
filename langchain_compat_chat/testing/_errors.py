"""OpenAI-shaped error answers and the real API's wording for invalid input.

Every endpoint of the reference server rejects bad input the way api.openai.com does: an
HTTP status and ``{"error": {"message", "type", "param", "code"}}``, with messages in the
real API's words, so a client's error handling meets what production sends. The helpers
below are that wording, shared by the request validators and the route handlers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
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


def model_not_found(model: str) -> ApiError:
    """The 404 for a model the server does not serve (``strict_models``, ``/models/{id}``)."""
    return ApiError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        "invalid_request_error",
        None,
        "model_not_found",
    )
