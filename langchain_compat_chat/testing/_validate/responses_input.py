"""The shapes of a Responses API ``input``: messages, function calls, outputs, reasoning.

Each item is checked on its own here, in the real API's words: its ``type`` and the keys
it may carry (an unknown key is ``Unknown parameter: 'input[3].status'.``), the content
parts each role takes (``output_text`` for an assistant, ``input_text`` for the others),
and the id prefix the real API checks on items given back (``Invalid 'input[1].id':
'call_abc'. Expected an ID that begins with 'fc'.``, an answer quoted in many agent
projects' issues). What links items together is checked when the conversation is built.

Item fields: openai-python ``src/openai/types/responses/response_input_item.py``,
``easy_input_message.py``, ``response_reasoning_item.py`` and
``response_function_tool_call.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_compat_chat.testing._errors import (
    bad,
    invalid_type,
    invalid_value,
    missing,
    optional,
    typed_item,
)

__all__ = ["ITEM_TYPES", "validate_input"]

_ITEM_KEYS: Mapping[str, frozenset[str]] = {
    "message": frozenset({"type", "role", "content", "id", "status", "phase"}),
    "function_call": frozenset(
        {"type", "id", "call_id", "name", "arguments", "status", "namespace", "caller"}
    ),
    "function_call_output": frozenset(
        {"type", "id", "call_id", "output", "status", "name", "namespace", "caller"}
    ),
    "reasoning": frozenset({"type", "id", "summary", "content", "encrypted_content", "status"}),
    "item_reference": frozenset({"type", "id"}),
}
"""The item types this server takes, and each one's keys."""

ITEM_TYPES = tuple(_ITEM_KEYS)

_HOSTED_ITEM_TYPES = (
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "web_search_call",
    "image_generation_call",
    "code_interpreter_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "custom_tool_call",
    "custom_tool_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "compaction",
)
"""Items of hosted tools, which this server never produces and so cannot take back."""

_ID_PREFIX = {"function_call": "fc", "reasoning": "rs", "message": "msg"}
_ROLES = ("user", "assistant", "system", "developer")
_INPUT_PARTS = ("input_text", "input_image", "input_file")
_ASSISTANT_PARTS = ("output_text", "refusal")
_STATUSES = ("in_progress", "completed", "incomplete")
_DETAILS = ("low", "high", "auto", "original")


def validate_input(value: Any) -> None:
    """Check ``input``: a string, or a list of items each valid on its own.

    Raises:
        ApiError: 400 naming the first bad item by its ``input[i]`` path.

    """
    if isinstance(value, str):
        return
    if not isinstance(value, list):
        raise invalid_type("input", "one of a string or array of input items", value)
    for i, item in enumerate(value):
        _validate_item(item, f"input[{i}]")


def _validate_item(item: Any, where: str) -> None:
    if not isinstance(item, dict):
        raise invalid_type(where, "an object", item)
    kind = item.get("type", "message" if "role" in item else None)
    if kind is None:
        raise missing(f"{where}.type")
    if kind in _HOSTED_ITEM_TYPES:
        raise bad(
            f"Strict mode: '{kind}' items belong to hosted tools, which this reference server "
            "does not run.",
            f"{where}.type",
            "invalid_value",
        )
    if not isinstance(kind, str) or kind not in _ITEM_KEYS:  # a list or object is unhashable
        raise invalid_value(f"{where}.type", kind, ITEM_TYPES)
    for key in item:
        if key not in _ITEM_KEYS[kind]:
            raise bad(f"Unknown parameter: '{where}.{key}'.", f"{where}.{key}", "unknown_parameter")
    status = item.get("status")
    if status is not None and status not in _STATUSES:
        raise invalid_value(f"{where}.status", status, _STATUSES)
    item_id = optional(item, "id", "a string", f"{where}.id")
    if item_id is not None:
        prefix = _ID_PREFIX.get(kind)
        checked = prefix and not (kind == "message" and item.get("role") != "assistant")
        if checked and not item_id.startswith(str(prefix)):
            raise bad(
                f"Invalid '{where}.id': '{item_id}'. Expected an ID that begins with '{prefix}'.",
                f"{where}.id",
                "invalid_value",
            )
    if kind == "message":
        _validate_message(item, where)
    elif kind == "function_call":
        for key in ("call_id", "name", "arguments"):
            if key not in item:
                raise missing(f"{where}.{key}")
            if not isinstance(item[key], str):
                raise invalid_type(f"{where}.{key}", "a string", item[key])
    elif kind == "function_call_output":
        if "call_id" not in item:
            raise missing(f"{where}.call_id")
        if not isinstance(item["call_id"], str):
            raise invalid_type(f"{where}.call_id", "a string", item["call_id"])
        if "output" not in item:
            raise missing(f"{where}.output")
        output = item["output"]
        if isinstance(output, list):
            for j, part in enumerate(output):
                _validate_part(part, f"{where}.output[{j}]", _INPUT_PARTS)
        elif not isinstance(output, str):
            raise invalid_type(f"{where}.output", "one of a string or array of objects", output)
    elif kind == "reasoning":
        _validate_reasoning(item, where)
    elif kind == "item_reference" and not isinstance(item_id, str):
        raise missing(f"{where}.id")


def _validate_message(item: Mapping[str, Any], where: str) -> None:
    role = item.get("role")
    if role is None:
        raise missing(f"{where}.role")
    if role not in _ROLES:
        raise invalid_value(f"{where}.role", role, _ROLES)
    if "content" not in item:
        raise missing(f"{where}.content")
    content = item["content"]
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise invalid_type(f"{where}.content", "one of a string or array of objects", content)
    allowed = _ASSISTANT_PARTS if role == "assistant" else _INPUT_PARTS
    for j, part in enumerate(content):
        _validate_part(part, f"{where}.content[{j}]", allowed)


def _validate_part(part: Any, where: str, allowed: tuple[str, ...]) -> None:
    part, kind = typed_item(part, where)
    if kind not in allowed:
        # OpenAI's answer for an assistant turn sent with "input_text" parts.
        listed = " and ".join(f"'{a}'" for a in allowed) if len(allowed) == 2 else None
        if listed is None:
            quoted = [f"'{a}'" for a in allowed]
            listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
        raise bad(
            f"Invalid value: '{kind}'. Supported values are: {listed}.", where, "invalid_value"
        )
    if kind in ("input_text", "output_text"):
        if "text" not in part:
            raise missing(f"{where}.text")
        if not isinstance(part["text"], str):
            raise invalid_type(f"{where}.text", "a string", part["text"])
    elif kind == "refusal":
        if not isinstance(part.get("refusal"), str):
            raise missing(f"{where}.refusal")
    elif kind == "input_image":
        if not any(isinstance(part.get(k), str) for k in ("image_url", "file_id")):
            raise bad(
                f"Invalid '{where}': expected one of 'image_url' or 'file_id'.",
                where,
                "invalid_value",
            )
        detail = part.get("detail")
        if detail is not None and detail not in _DETAILS:
            raise invalid_value(f"{where}.detail", detail, _DETAILS)
    elif kind == "input_file" and not any(
        isinstance(part.get(k), str) for k in ("file_data", "file_id", "file_url")
    ):
        raise bad(
            f"Invalid '{where}': expected one of 'file_data', 'file_id' or 'file_url'.",
            where,
            "invalid_value",
        )


def _validate_reasoning(item: Mapping[str, Any], where: str) -> None:
    if "summary" not in item:
        raise missing(f"{where}.summary")
    summary = item["summary"]
    if not isinstance(summary, list):
        raise invalid_type(f"{where}.summary", "an array", summary)
    _validate_texts(summary, f"{where}.summary", "summary_text")
    content = optional(item, "content", "an array", f"{where}.content")
    if content is not None:
        _validate_texts(content, f"{where}.content", "reasoning_text")
    optional(item, "encrypted_content", "a string", f"{where}.encrypted_content")


def _validate_texts(parts: list[Any], where: str, kind: str) -> None:
    """A reasoning item's ``summary`` or ``content``: ``{"type": kind, "text": ...}`` parts."""
    for j, part in enumerate(parts):
        if not isinstance(part, dict) or part.get("type") != kind:
            found = part.get("type") if isinstance(part, dict) else part
            raise invalid_value(f"{where}[{j}].type", found, (kind,))
        if not isinstance(part.get("text"), str):
            raise missing(f"{where}[{j}].text")
