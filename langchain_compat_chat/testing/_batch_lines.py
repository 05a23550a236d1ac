"""Pure rules for the lines of a batch: input validation, injected errors, output lines.

No I/O and no server state: :func:`check_line` looks at one input line, the
:class:`Validation` that calls it keeps only the ``custom_id`` set, the model and a capped
error list (what a 10,000-line file needs, not the lines), and the ``*_line`` functions
build the JSON of one output or error file line.

Evidence for the shapes and words:

* Validation failures put the batch in ``failed`` with ``errors.data`` entries
  ``{code, message, param, line}`` (``openai-python`` ``types/batch_error.py``); the codes
  ``invalid_json_line`` ("This line is not parseable as valid JSON."),
  ``duplicate_custom_id``, ``url_mismatch``, ``model_mismatch``, ``empty_file`` and
  ``too_many_tasks`` are OpenAI's (stdapi-ai/stdapi.ai#240); a missing field is
  ``missing_required_parameter`` as in OpenAI's 400s (BerriAI/litellm#37146).
  ``invalid_method`` and ``streaming_unsupported`` follow llama-stack's reference
  implementation (ogx-ai/ogx ``providers/inline/batches/reference/batches.py``); OpenAI's
  own words for those two are not confirmed.
* A line the endpoint rejected is ``{"response": {"status_code": 4xx, "body": {"error":
  ...}}, "error": null}`` in the error file (openai/openai-openapi#302).
* A line the window did not reach is ``{"response": null, "error": {"code":
  "batch_expired", ...}}`` (platform.openai.com/docs/guides/batch, "Batch expiration").
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from langchain_compat_chat.testing._batch_config import BatchConfig, LineFault
from langchain_compat_chat.testing._http import DEFAULT_ERRORS

__all__ = [
    "Validation",
    "check_line",
    "expired_line",
    "fault_for",
    "fault_payload",
    "response_line",
]

EXPIRED_MESSAGE = "This request could not be executed before the completion window expired."
_REQUIRED = (("custom_id", str, "a string"), ("method", str, "a string"))
_REQUIRED_TAIL = (("url", str, "a string"), ("body", dict, "an object"))


def _error(code: str, message: str, line: int | None, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


def _type_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names.update({list: "an array", dict: "an object", type(None): "null"})
    return names.get(type(value), "a value")


def check_line(
    number: int, raw: bytes, endpoint: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Validate one input line on its own; returns the parsed line and its errors.

    Checks that need the other lines (duplicate ids, one model) are :class:`Validation`'s.
    """
    try:
        line = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        line = None
    if not isinstance(line, dict):
        return None, [
            _error("invalid_json_line", "This line is not parseable as valid JSON.", number)
        ]
    errors: list[dict[str, Any]] = []
    for name, kind, shown in (*_REQUIRED, *_REQUIRED_TAIL):
        if name not in line or line[name] is None:
            errors.append(
                _error(
                    "missing_required_parameter",
                    f"Missing required parameter: '{name}'.",
                    number,
                    name,
                )
            )
        elif not isinstance(line[name], kind):
            errors.append(
                _error(
                    "invalid_type",
                    f"Invalid type for '{name}': expected {shown}, but got "
                    f"{_type_name(line[name])} instead.",
                    number,
                    name,
                )
            )
    method = line.get("method")
    if isinstance(method, str) and method.upper() != "POST":
        errors.append(
            _error(
                "invalid_method",
                f"The method '{method}' is not supported for batch requests. Only POST "
                "requests are supported.",
                number,
                "method",
            )
        )
    url = line.get("url")
    if isinstance(url, str) and url != endpoint:
        errors.append(
            _error(
                "url_mismatch",
                f"The URL '{url}' of this request does not match the batch endpoint '{endpoint}'.",
                number,
                "url",
            )
        )
    body = line.get("body")
    if isinstance(body, dict) and body.get("stream"):
        errors.append(
            _error(
                "streaming_unsupported",
                "Streaming is not supported in batch requests.",
                number,
                "body.stream",
            )
        )
    return line, errors


@dataclass
class Validation:
    """The validating pass over a batch input file, fed one line at a time.

    Attributes:
        endpoint: The batch's endpoint; every line's ``url`` must equal it.
        config: Limits (lines, error count).
        lines: Lines seen so far.
        model: The model of the first line with one (every line must use it).
        errors: Up to ``config.max_errors`` errors, in line order.

    """

    endpoint: str
    config: BatchConfig
    lines: int = 0
    model: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def feed(self, number: int, raw: bytes) -> None:
        """Check the next non-blank line; ``number`` counts from 1 with blank lines."""
        self.lines += 1
        if self.lines == self.config.max_lines + 1:
            self._add(
                _error(
                    "too_many_tasks",
                    f"The batch input file has more than {self.config.max_lines} requests, "
                    "the most one batch may hold.",
                    None,
                )
            )
        line, errors = check_line(number, raw, self.endpoint)
        for err in errors:
            self._add(err)
        if line is None:
            return
        custom_id = line.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in self._ids:
                self._add(
                    _error(
                        "duplicate_custom_id",
                        f"The custom_id '{custom_id}' is a duplicate of another request's. "
                        "The custom_id must be unique for each request in a batch.",
                        number,
                        "custom_id",
                    )
                )
            self._ids.add(custom_id)
        body = line.get("body")
        model = body.get("model") if isinstance(body, dict) else None
        if isinstance(model, str):
            if self.model is None:
                self.model = model
            elif model != self.model:
                self._add(
                    _error(
                        "model_mismatch",
                        f"The model '{model}' of this request does not match the model "
                        f"'{self.model}' of the other requests in the batch. A batch may "
                        "only use one model.",
                        number,
                        "body.model",
                    )
                )

    def finish(self, size: int) -> list[dict[str, Any]]:
        """The errors once every line is in (``size``: the file's bytes)."""
        if self.lines == 0:
            self._add(_error("empty_file", "The batch input file is empty.", None))
        if size > self.config.max_input_bytes:
            self._add(
                _error(
                    "file_too_large",
                    f"The batch input file is {size} bytes, more than the "
                    f"{self.config.max_input_bytes} bytes one batch may read.",
                    None,
                )
            )
        return self.errors

    def _add(self, err: dict[str, Any]) -> None:
        if len(self.errors) < self.config.max_errors:
            self.errors.append(err)


def fault_for(custom_id: str, config: BatchConfig) -> LineFault | None:
    """The injected error of a line, if it gets one (deterministic per ``custom_id``)."""
    named = config.fail_ids.get(custom_id)
    if named is not None:
        return named
    if config.fail_fraction <= 0.0:
        return None
    digest = hashlib.sha256(f"{config.seed}:{custom_id}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return config.fail_with if draw < config.fail_fraction else None


def fault_payload(fault: LineFault) -> dict[str, Any]:
    """The ``response.body`` of an injected error: the exact body, or OpenAI's error object."""
    if fault.body is not None:
        return dict(fault.body)
    message, etype, code = DEFAULT_ERRORS.get(
        fault.status,
        (
            "Injected error.",
            "server_error" if fault.status >= 500 else "invalid_request_error",
            None,
        ),
    )
    return {
        "error": {
            "message": fault.message or message,
            "type": fault.type or etype,
            "param": None,
            "code": fault.code if fault.code is not None else code,
        }
    }


def _line_id() -> str:
    return "batch_req_" + secrets.token_hex(16)


def response_line(custom_id: str, status: int, body: Any) -> dict[str, Any]:
    """An output (2xx) or error file (other status) line for an answered request."""
    return {
        "id": _line_id(),
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": secrets.token_hex(16), "body": body},
        "error": None,
    }


def expired_line(custom_id: str) -> dict[str, Any]:
    """The error file line of a request the completion window did not reach."""
    return {
        "id": _line_id(),
        "custom_id": custom_id,
        "response": None,
        "error": {"code": "batch_expired", "message": EXPIRED_MESSAGE},
    }
