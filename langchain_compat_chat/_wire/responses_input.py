"""LangChain messages -> Responses API ``input`` items (pure).

The content of every message is first normalised by :mod:`.content` (the same four
spellings as for Chat Completions), then each Chat Completions part is renamed to its
Responses form: ``text`` -> ``input_text``, ``image_url`` -> ``input_image``, ``file`` ->
``input_file`` (https://platform.openai.com/docs/api-reference/responses/create, "input").

An assistant turn becomes the items the server produced, in order: its reasoning items
verbatim (id, summary, content and ``encrypted_content``, kept by the parser in
``additional_kwargs["reasoning_items"]``), a ``message`` item with ``output_text`` (the
shape llama.cpp requires: it refuses an assistant ``{"role", "content": str}``), then one
``function_call`` item per tool call. A :class:`ToolMessage` is a ``function_call_output``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_compat_chat._wire.content import content_to_wire, text_of
from langchain_compat_chat._wire.encode import dumps_strict, encoding_error
from langchain_compat_chat.dialects import Dialect

__all__ = ["FUNCTION_CALL_IDS", "REASONING_ITEMS", "SERVER_ITEMS", "messages_to_input"]

REASONING_ITEMS = "reasoning_items"
"""``additional_kwargs`` key of an answer's raw reasoning items, sent back verbatim."""
FUNCTION_CALL_IDS = "function_call_ids"
"""``additional_kwargs`` key mapping each tool call's ``call_id`` to its item id (``fc_...``)."""
SERVER_ITEMS = "server_items"
"""``additional_kwargs`` key of output items that are neither text, reasoning nor a function
call (web search, MCP, code interpreter...), kept whole and sent back as they came."""

_ROLES = frozenset({"system", "developer", "user", "assistant"})


def _part(part: Mapping[str, Any]) -> dict[str, Any]:
    """One Chat Completions content part in its Responses spelling."""
    kind = part.get("type")
    if kind == "text":
        out: dict[str, Any] = {"type": "input_text", "text": part.get("text", "")}
    elif kind == "image_url":
        image = part.get("image_url") or {}
        out = {"type": "input_image", "image_url": image.get("url")}
        out["detail"] = image.get("detail") or "auto"
    elif kind == "file":
        inner = dict(part.get("file") or {})
        out = {"type": "input_file", **inner}
    else:
        msg = (
            f"Content part {kind!r} has no Responses API form (input_text, input_image and "
            "input_file are accepted); use api='chat' for audio or video input."
        )
        raise ValueError(msg)
    if "cache_control" in part:
        out["cache_control"] = part["cache_control"]
    return out


def _content(content: str | Sequence[Any], dialect: Dialect) -> str | list[dict[str, Any]]:
    wire = content_to_wire(content, supports_video=dialect.supports_video, flatten=False)
    if isinstance(wire, str):
        return wire
    return [_part(p) for p in wire]


def _dumps(value: Any, what: str) -> str:
    try:
        return dumps_strict(value)
    except (ValueError, TypeError, RecursionError) as exc:
        raise encoding_error({what: value}, {}) from exc


def _assistant(msg: AIMessage) -> list[dict[str, Any]]:
    kwargs = msg.additional_kwargs
    items: list[dict[str, Any]] = [
        dict(item) for item in kwargs.get(REASONING_ITEMS) or () if isinstance(item, Mapping)
    ]
    items.extend(dict(i) for i in kwargs.get(SERVER_ITEMS) or () if isinstance(i, Mapping))
    text = text_of(msg.content)
    if text:
        part = {"type": "output_text", "text": text, "annotations": []}
        items.append({"type": "message", "role": "assistant", "content": [part]})
    ids: Mapping[str, Any] = kwargs.get(FUNCTION_CALL_IDS) or {}
    calls = [
        (c.get("id"), c["name"], _dumps(c["args"], f"tool call {c['name']!r} args"))
        for c in msg.tool_calls
    ]
    calls += [
        (c.get("id"), c.get("name") or "", c.get("args") or "") for c in msg.invalid_tool_calls
    ]
    for call_id, name, arguments in calls:
        item: dict[str, Any] = {
            "type": "function_call",
            "call_id": call_id or "",
            "name": name,
            "arguments": arguments,
        }
        item_id = ids.get(call_id or "")
        if isinstance(item_id, str) and item_id:
            item["id"] = item_id
        items.append(item)
    return items


def _tool(msg: ToolMessage) -> dict[str, Any]:
    content = msg.content
    output = content if isinstance(content, str) else text_of(content)
    if not isinstance(content, str) and not output:
        output = _dumps(content, "tool result content")
    return {"type": "function_call_output", "call_id": msg.tool_call_id, "output": output}


def message_to_items(msg: BaseMessage, dialect: Dialect) -> list[dict[str, Any]]:
    """The input items of one message.

    Raises:
        ValueError: The message type, role or a content part has no Responses form.

    """
    if isinstance(msg, HumanMessage):
        return [{"type": "message", "role": "user", "content": _content(msg.content, dialect)}]
    if isinstance(msg, AIMessage):
        return _assistant(msg)
    if isinstance(msg, SystemMessage):
        role = msg.additional_kwargs.get("__openai_role__") or dialect.system_role
        return [{"type": "message", "role": role, "content": _content(msg.content, dialect)}]
    if isinstance(msg, ToolMessage):
        return [_tool(msg)]
    if isinstance(msg, ChatMessage):
        if msg.role not in _ROLES:
            text = f"Unsupported chat message role {msg.role!r} for the Responses API; "
            raise ValueError(text + f"expected one of {sorted(_ROLES)}.")
        if msg.role == "assistant":
            return _assistant(AIMessage(content=msg.content))
        return [{"type": "message", "role": msg.role, "content": _content(msg.content, dialect)}]
    text = (
        f"Unsupported message type {type(msg).__name__} for the Responses API; use "
        "System, Human, AI and Tool messages."
    )
    raise ValueError(text)


def messages_to_input(messages: Sequence[BaseMessage], dialect: Dialect) -> list[dict[str, Any]]:
    """The whole conversation as one ``input`` list, every turn in order."""
    items: list[dict[str, Any]] = []
    for message in messages:
        items.extend(message_to_items(message, dialect))
    return items
