"""Validation of ``response_format``: its type, the JSON schema spec, the "json" rule.

``json_object`` is refused unless a message mentions JSON, as on api.openai.com.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import (
    bad,
    invalid_value,
    missing,
    optional,
    required,
)


def validate_response_format(body: Mapping[str, Any]) -> None:
    fmt = optional(body, "response_format", "an object")
    if fmt is None:
        return
    if "type" not in fmt:
        raise missing("response_format.type")
    kind = fmt["type"]
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid_value("response_format.type", kind, ("json_object", "json_schema", "text"))
    if kind == "json_schema":
        spec = required(fmt, "json_schema", "an object", "response_format.json_schema")
        if not isinstance(spec.get("name"), str):
            raise missing("response_format.json_schema.name")
        optional(spec, "schema", "an object", "response_format.json_schema.schema")
    if kind == "json_object" and not _mentions_json(body.get("messages") or []):
        raise bad(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of "
            "type 'json_object'.",
            "messages",
        )


def _mentions_json(messages: Sequence[Any]) -> bool:
    """Whether any message text says "json" (the real API's json_object precondition)."""
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        content = msg.get("content")
        if isinstance(content, str) and "json" in content.lower():
            return True
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and "json" in str(part.get("text", "")).lower():
                    return True
    return False
