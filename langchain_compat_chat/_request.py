"""LangChain messages and parameters -> the Chat Completions JSON body (pure).

Nothing here does I/O, so the sync and async paths build byte-identical requests, and tests
can assert on the body without a server. Provider differences come only from the
:class:`~langchain_compat_chat.providers.ProviderProfile` passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_compat_chat._content import content_to_wire, text_of
from langchain_compat_chat._encode import dumps_strict, encoding_error
from langchain_compat_chat.providers import ProviderProfile

__all__ = ["build_body", "message_to_wire", "thinking_params"]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _mistral_id(call_id: str) -> str:
    """Map any tool-call id to the 9 alphanumerics Mistral insists on, stably."""
    if len(call_id) == 9 and call_id.isalnum():
        return call_id
    digest = hashlib.sha256(call_id.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:9])


def _call_id(call_id: str | None, profile: ProviderProfile) -> str | None:
    if call_id and profile.tool_call_id_style == "mistral9":
        return _mistral_id(call_id)
    return call_id


def _dumps(value: Any, what: str) -> str:
    """JSON text sent inside a string field (tool arguments, structured tool results)."""
    try:
        return dumps_strict(value)
    except (ValueError, TypeError, RecursionError) as exc:
        raise encoding_error({what: value}, {}) from exc


def _assistant(msg: AIMessage, profile: ProviderProfile) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    content = content_to_wire(msg.content, supports_video=False, flatten=True)
    extras: Mapping[str, Any] = msg.additional_kwargs.get("tool_call_extras") or {}
    calls = []
    for tc in msg.tool_calls:
        arguments = _dumps(tc["args"], f"tool call {tc['name']!r} args")
        wire = {
            "id": _call_id(tc.get("id"), profile),
            "type": "function",
            "function": {"name": tc["name"], "arguments": arguments},
        }
        extra = extras.get(tc.get("id") or "")
        if extra:
            wire.update(extra)  # e.g. Gemini's extra_content thought signatures
        calls.append(wire)
    for itc in msg.invalid_tool_calls:
        # Echo what the model produced so the conversation stays consistent, even if it was
        # not valid JSON; the server will see its own output.
        calls.append(
            {
                "id": _call_id(itc.get("id"), profile),
                "type": "function",
                "function": {"name": itc.get("name") or "", "arguments": itc.get("args") or ""},
            }
        )
    if calls:
        out["tool_calls"] = calls
        out["content"] = content or None
    else:
        out["content"] = content
    if "function_call" in msg.additional_kwargs and not calls:
        out["function_call"] = msg.additional_kwargs["function_call"]
    if profile.echo_reasoning:
        reasoning = msg.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            out["reasoning_content"] = reasoning
    if profile.echo_reasoning_details and msg.additional_kwargs.get("reasoning_details"):
        # OpenRouter asks for these back verbatim to continue reasoning across tool calls.
        out["reasoning_details"] = msg.additional_kwargs["reasoning_details"]
    return out


def _tool(msg: ToolMessage, profile: ProviderProfile) -> dict[str, Any]:
    flatten = profile.tool_content == "string"
    content = msg.content
    if not isinstance(content, str) and not flatten:
        try:
            wire: str | list[dict[str, Any]] = content_to_wire(
                content, supports_video=profile.supports_video, flatten=True
            )
        except ValueError:
            wire = _dumps(content, "tool result content")
    elif not isinstance(content, str):
        wire = text_of(content) or _dumps(content, "tool result content")
    else:
        wire = content
    return {"role": "tool", "tool_call_id": _call_id(msg.tool_call_id, profile), "content": wire}


def message_to_wire(msg: BaseMessage, profile: ProviderProfile) -> dict[str, Any]:
    """Convert one LangChain message to its wire dict.

    Raises:
        ValueError: The message type, role or content cannot be expressed on the wire.

    """
    if isinstance(msg, HumanMessage):
        out: dict[str, Any] = {
            "role": "user",
            "content": content_to_wire(
                msg.content, supports_video=profile.supports_video, flatten=False
            ),
        }
    elif isinstance(msg, AIMessage):
        out = _assistant(msg, profile)
    elif isinstance(msg, SystemMessage):
        role = msg.additional_kwargs.get("__openai_role__") or profile.system_role
        out = {
            "role": role,
            "content": content_to_wire(msg.content, supports_video=False, flatten=True),
        }
    elif isinstance(msg, ToolMessage):
        out = _tool(msg, profile)
    elif isinstance(msg, ChatMessage):
        if msg.role not in _ROLES:
            msg_text = (
                f"Unsupported chat message role {msg.role!r}; expected one of {sorted(_ROLES)}."
            )
            raise ValueError(msg_text)
        out = {
            "role": msg.role,
            "content": content_to_wire(
                msg.content, supports_video=profile.supports_video, flatten=False
            ),
        }
    elif isinstance(msg, FunctionMessage):
        out = {"role": "function", "name": msg.name, "content": text_of(msg.content)}
    else:
        text = f"Unsupported message type {type(msg).__name__}; use LangChain chat messages."
        raise ValueError(text)
    if msg.name and profile.allow_message_name and "name" not in out:
        out["name"] = msg.name
    return out


def _relocate_tool_media(wire: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move images and files out of ``tool`` messages into a user message after them.

    Chat Completions (OpenAI and most compatible servers) accept only text parts in a tool
    message, yet tools such as screenshots or PDF readers return media. The tool message
    keeps its text and the media follow as the next user turn, placed after the whole run
    of tool results because those must directly follow the assistant's ``tool_calls``.
    """
    out: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for message in wire:
        if message["role"] != "tool" and pending:
            out.append({"role": "user", "content": pending})
            pending = []
        content = message.get("content")
        if message["role"] == "tool" and isinstance(content, list):
            media = [p for p in content if p.get("type") != "text"]
            if media:
                text = "".join(p.get("text", "") for p in content if p.get("type") == "text")
                message = {**message, "content": text or "The result is attached below."}
                note = f"Attachments returned by tool call {message.get('tool_call_id')}:"
                pending.extend([{"type": "text", "text": note}, *media])
        out.append(message)
    if pending:
        out.append({"role": "user", "content": pending})
    return out


def thinking_params(thinking: bool | int | None, profile: ProviderProfile) -> dict[str, Any]:
    """Translate the portable ``thinking=`` knob into this provider's switch.

    ``True``/``False`` switch reasoning on or off; an ``int`` is a token budget (where the
    provider has one, otherwise it just means "on").
    """
    if thinking is None:
        return {}
    on = thinking is not False and thinking != 0
    budget = thinking if isinstance(thinking, int) and not isinstance(thinking, bool) else None
    style = profile.thinking_style
    if style == "enable_thinking":
        params: dict[str, Any] = {"enable_thinking": on}
        if on and budget:
            params["thinking_budget"] = budget
        return params
    if style == "chat_template_kwargs":
        return {"chat_template_kwargs": {"enable_thinking": on}}
    if style == "reasoning_object":
        if not on:
            return {"reasoning": {"enabled": False}}
        return {"reasoning": {"max_tokens": budget} if budget else {"enabled": True}}
    if style == "thinking_object":
        return {"thinking": {"type": "enabled" if on else "disabled"}}
    if style == "reasoning_effort":
        return _effort(on, budget, profile)
    if on:
        msg = f"Provider {profile.name!r} has no switch for thinking; leave thinking=None."
        raise ValueError(msg)
    return {}


def _effort(on: bool, budget: int | None, profile: ProviderProfile) -> dict[str, Any]:
    """Pick one of the provider's accepted ``reasoning_effort`` values.

    No budget means "medium" where that exists, else the strongest level; a budget maps to
    the weakest level up to 2048 tokens, the strongest above 8192, the middle one between.
    """
    levels = profile.effort_levels
    if not on:
        return {"reasoning_effort": profile.effort_off} if profile.effort_off else {}
    if budget is None:
        level = "medium" if "medium" in levels else levels[-1]
    elif budget <= 2048:
        level = levels[0]
    elif budget > 8192:
        level = levels[-1]
    else:
        level = levels[len(levels) // 2]
    return {"reasoning_effort": level}


def build_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    profile: ProviderProfile,
    *,
    stream: bool,
    stream_usage: bool,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the request body.

    Args:
        messages: The conversation.
        params: Model fields and call kwargs already merged, ``None`` values dropped.
        profile: The provider's dialect.
        stream: Whether to ask for SSE.
        stream_usage: Whether to ask for a usage chunk (if the provider accepts the option).
        extra_body: Fields merged last at the top level, for anything we do not model.

    """
    body: dict[str, Any] = dict(params)
    wire = [message_to_wire(m, profile) for m in messages]
    body["messages"] = _relocate_tool_media(wire) if profile.tool_media == "user_message" else wire
    if "max_tokens" in body and profile.max_tokens_param != "max_tokens":
        body[profile.max_tokens_param] = body.pop("max_tokens")
    thinking = body.pop("thinking", None)
    if thinking is not None:
        body.update(thinking_params(thinking, profile))
    choice = body.get("tool_choice")
    if choice in ("any", "required"):
        body["tool_choice"] = profile.tool_choice_any
    elif isinstance(choice, Mapping) and not profile.supports_tool_choice_object:
        # Servers that ignore or reject a named choice still honour "must call a tool";
        # with the bound tools narrowed to the named one, the effect is the same.
        name = (choice.get("function") or {}).get("name")
        body["tool_choice"] = profile.tool_choice_any
        if name and isinstance(body.get("tools"), list):
            body["tools"] = [
                t for t in body["tools"] if (t.get("function") or {}).get("name") == name
            ]
    if stream:
        body["stream"] = True
        if stream_usage and profile.stream_usage and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    for name in profile.drop_params:
        body.pop(name, None)
    for name, wire_name in profile.rename_params.items():
        if name in body:
            body[wire_name] = body.pop(name)
    if extra_body:
        body.update(extra_body)  # the user's explicit word beats a preset's drop list
    return body
