"""LangChain messages and parameters -> the Chat Completions JSON body (pure).

Nothing here does I/O, so the sync and async paths build byte-identical requests, and tests
can assert on the body without a server. Provider and model differences come only from the
:class:`~langchain_compat_chat.dialects.Dialect` passed in (a bare
:class:`~langchain_compat_chat.providers.ProviderProfile` still works: old code passes one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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

from langchain_compat_chat._wire.content import content_to_wire, text_of
from langchain_compat_chat._wire.encode import dumps_strict, encoding_error
from langchain_compat_chat.dialects import Dialect
from langchain_compat_chat.errors import ForcedToolCallError
from langchain_compat_chat.providers import ProviderProfile

__all__ = [
    "ForcedToolPlan",
    "build_body",
    "build_body_and_plan",
    "message_to_wire",
    "plan_forced_tool",
    "thinking_params",
]

# Where the reasoning of an answer came in, recorded by the parsers as
# ``additional_kwargs["reasoning_field"]``; only the two text fields can be echoed as text.
_TEXT_FIELDS = ("reasoning_content", "reasoning")
_DEFAULT_BUDGET = 2048  # thinking=True where the switch needs a token budget (Anthropic)


def as_dialect(wire: ProviderProfile | Dialect) -> Dialect:
    """The dialect to build with; a bare profile keeps its old meaning (no round trip)."""
    return wire if isinstance(wire, Dialect) else Dialect.from_profile(wire, round_trip=False)


_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _mistral_id(call_id: str) -> str:
    """Map any tool-call id to the 9 alphanumerics Mistral insists on, stably."""
    if len(call_id) == 9 and call_id.isalnum():
        return call_id
    digest = hashlib.sha256(call_id.encode()).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:9])


def _call_id(call_id: str | None, profile: Dialect) -> str | None:
    if call_id and profile.tool_call_id_style == "mistral9":
        return _mistral_id(call_id)
    return call_id


def _dumps(value: Any, what: str) -> str:
    """JSON text sent inside a string field (tool arguments, structured tool results)."""
    try:
        return dumps_strict(value)
    except (ValueError, TypeError, RecursionError) as exc:
        raise encoding_error({what: value}, {}) from exc


def _assistant(msg: AIMessage, profile: Dialect) -> dict[str, Any]:
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
    _echo(msg.additional_kwargs, out, profile, bool(calls))
    return out


def _echo(kwargs: Mapping[str, Any], out: dict[str, Any], dialect: Dialect, calls: bool) -> None:
    """Send an earlier turn's reasoning back where the dialect says (see ``Dialect``).

    ``as_received`` puts the text in the field the server sent it in, as recorded in
    ``reasoning_field``; a message without the record (built by hand, or stored by an older
    version) goes back as ``reasoning_content``, the field most servers use. Reasoning that
    came inside the content (``<think>`` tags, thinking parts) has no field to go back in.
    """
    turns = dialect.echo_turns
    on_turn = turns == "all" or (turns == "tool_calls" and calls)
    if dialect.echo_reasoning != "off" and on_turn:
        text = kwargs.get("reasoning_content")
        if isinstance(text, str) and text:
            target: str | None = dialect.echo_reasoning
            if target == "as_received":
                recorded = kwargs.get("reasoning_field")
                if recorded is None:
                    target = "reasoning_content"
                elif recorded not in _TEXT_FIELDS:
                    target = None
                else:
                    target = recorded
            if target is not None:
                out[target] = text
    details = kwargs.get("reasoning_details")
    if details and (
        dialect.echo_reasoning_details or (dialect.echo_reasoning == "as_received" and on_turn)
    ):
        # OpenRouter and MiniMax continue reasoning across tool calls from these, verbatim
        # (one entry per index with its signature: the stream parser merges the fragments).
        out["reasoning_details"] = details


def _pad_echoes(wire: list[dict[str, Any]], dialect: Dialect) -> None:
    """Give every tool-call turn the echo field, with a placeholder where it has no text.

    A turn made with thinking off (a forced tool) or one whose reasoning came back empty has
    nothing to echo, yet DeepSeek and Kimi in thinking mode reject the whole request when a
    tool-call turn lacks the field. The placeholder goes in the field the other turns use
    (``reasoning_content`` when none has one yet).
    """
    if dialect.echo_placeholder is None or dialect.echo_reasoning == "off":
        return
    fields = [f for m in wire for f in _TEXT_FIELDS if m.get("role") == "assistant" and f in m]
    target: str = dialect.echo_reasoning
    if target not in _TEXT_FIELDS:
        target = fields[0] if fields else "reasoning_content"
    for message in wire:
        if (
            message.get("role") == "assistant"
            and message.get("tool_calls")
            and not any(message.get(f) for f in _TEXT_FIELDS)
        ):
            message[target] = dialect.echo_placeholder


def _tool(msg: ToolMessage, profile: Dialect) -> dict[str, Any]:
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


def message_to_wire(msg: BaseMessage, wire: ProviderProfile | Dialect) -> dict[str, Any]:
    """Convert one LangChain message to its wire dict.

    Raises:
        ValueError: The message type, role or content cannot be expressed on the wire.

    """
    profile = as_dialect(wire)
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


def thinking_params(
    thinking: bool | int | None, profile: ProviderProfile | Dialect
) -> dict[str, Any]:
    """Translate the portable ``thinking=`` knob into this dialect's one switch.

    ``True``/``False`` switch reasoning on or off; an ``int`` is a token budget (where the
    provider has one, otherwise it just means "on").

    Raises:
        ValueError: The dialect has no switch for this (e.g. a model on vLLM whose chat
            template key is unknown, or ``False`` for a Claude that always thinks).

    """
    if thinking is None:
        return {}
    dialect = as_dialect(profile)
    on = thinking is not False and thinking != 0
    budget = thinking if isinstance(thinking, int) and not isinstance(thinking, bool) else None
    style = dialect.thinking_style
    if style == "enable_thinking":
        params: dict[str, Any] = {"enable_thinking": on}
        if on and budget:
            params["thinking_budget"] = budget
        return params
    if style == "chat_template_kwargs":
        key = dialect.template_thinking_key
        if key is None:
            msg = (
                f"{dialect.name!r} has no switch for thinking that is known for this model: the "
                "chat template decides (Qwen3 and GLM use 'enable_thinking', DeepSeek V3.1 and "
                "Kimi 'thinking'). Pass dialect={'template_thinking_key': ...} or put "
                "chat_template_kwargs in extra_body."
            )
            raise ValueError(msg)
        return {"chat_template_kwargs": {key: on}}
    if style == "reasoning_object":
        if not on:
            return {"reasoning": {"enabled": False}}
        return {"reasoning": {"max_tokens": budget} if budget else {"enabled": True}}
    if style == "thinking_object":
        return {"thinking": {"type": "enabled" if on else "disabled"}}
    if style == "thinking_budget":
        # Anthropic needs a budget (at least 1024 tokens) with extended thinking switched on.
        if not on:
            return {"thinking": {"type": "disabled"}}
        return {"thinking": {"type": "enabled", "budget_tokens": budget or _DEFAULT_BUDGET}}
    if style == "thinking_adaptive":
        # Claude Opus 4.7+ decides its own budget and answers 400 to type "enabled"; a
        # token budget only means "on" there. "Off" is the dialect's type, if it has one.
        if on:
            return {"thinking": {"type": "adaptive"}}
        if dialect.thinking_off_type is None:
            msg = (
                f"{dialect.name!r}: this model thinks on every request and answers 400 to "
                "thinking switched off; leave thinking=None (or True)."
            )
            raise ValueError(msg)
        return {"thinking": {"type": dialect.thinking_off_type}}
    if style == "reasoning_effort":
        return _effort(on, budget, dialect)
    if on:
        msg = f"Provider {dialect.name!r} has no switch for thinking; leave thinking=None."
        raise ValueError(msg)
    return {}


def _effort(on: bool, budget: int | None, profile: Dialect) -> dict[str, Any]:
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


@dataclass(frozen=True)
class ForcedToolPlan:
    """What the body builder did with a forced ``tool_choice`` the dialect forbids while thinking.

    Attributes:
        rule: ``"disable_thinking"`` (thinking switched off for this call) or
            ``"auto_and_check"`` (sent as ``"auto"``; the answer must call a tool).
        reason: The dialect's ``forced_tool`` fact that led here.
        tool: The tool a named choice asked for (then only that tool was bound).
        dialect: The dialect's name, for the error message.

    """

    rule: str
    tool: str | None
    dialect: str
    reason: str = "auto_and_check"

    @property
    def needs_check(self) -> bool:
        """Whether the answer must be checked for a tool call (``"auto"`` was sent)."""
        return self.rule == "auto_and_check"

    def check(self, has_tool_call: bool, model: str) -> None:
        """Raise when ``"auto"`` was sent instead of a forced choice and no tool was called.

        Raises:
            ForcedToolCallError: No tool call came back.

        """
        if not self.needs_check or has_tool_call:
            return
        wanted = f"tool {self.tool!r}" if self.tool else "a tool"
        hint = (
            "The model takes no forced tool_choice at all: say in the prompt when to call it."
            if self.reason == "never"
            else "Switch thinking off (thinking=False) where the model allows it, or use "
            "with_structured_output(method='json_mode')."
        )
        msg = (
            f"Model {model!r} answered without calling {wanted}. Dialect {self.dialect!r} "
            f"does not accept a forced tool_choice here (forced_tool={self.reason!r}), so "
            f"tool_choice='auto' was sent. {hint}"
        )
        raise ForcedToolCallError(msg)


def _thinking_on(params: Mapping[str, Any], dialect: Dialect) -> bool:
    """Whether this call may think: the explicit knob, else the effort, else the default."""
    thinking = params.get("thinking")
    if thinking is not None:
        return thinking is not False and thinking != 0
    effort = params.get("reasoning_effort")
    if effort is not None:
        return effort not in ("none", dialect.effort_off)
    return dialect.thinking_default is not False


def _can_switch_off(dialect: Dialect) -> bool:
    try:
        return bool(thinking_params(False, dialect))
    except ValueError:
        return False


def plan_forced_tool(
    params: Mapping[str, Any], wire: ProviderProfile | Dialect
) -> ForcedToolPlan | None:
    """Decide how a forced ``tool_choice`` goes out on this dialect (``None``: unchanged).

    A forced choice is ``"required"``, ``"any"`` or a named function. Where the dialect
    says forcing is rejected while the model thinks and this call may think,
    ``disable_thinking`` switches thinking off for the call when the dialect has a switch
    for that, and otherwise (or for ``auto_and_check``) ``"auto"`` is sent instead.
    """
    dialect = as_dialect(wire)
    choice = params.get("tool_choice")
    forced = choice in ("any", "required") or isinstance(choice, Mapping)
    if not forced or dialect.forced_tool == "allowed":
        return None
    if dialect.forced_tool != "never" and not _thinking_on(params, dialect):
        return None
    name = (choice.get("function") or {}).get("name") if isinstance(choice, Mapping) else None
    if dialect.forced_tool == "disable_thinking" and _can_switch_off(dialect):
        return ForcedToolPlan("disable_thinking", name, dialect.name, dialect.forced_tool)
    return ForcedToolPlan("auto_and_check", name, dialect.name, dialect.forced_tool)


def _only_tool(body: dict[str, Any], name: str | None) -> None:
    if name and isinstance(body.get("tools"), list):
        body["tools"] = [t for t in body["tools"] if (t.get("function") or {}).get("name") == name]


def _mark_last_part(wire: list[dict[str, Any]], marker: Any) -> None:
    """Put a top-level ``cache_control`` on the last content part of the last message.

    That is where automatic caching puts the breakpoint (Anthropic: "the last cacheable
    block", https://docs.claude.com/en/docs/build-with-claude/prompt-caching), and where
    servers that read only explicit markers (DashScope, Z.ai, MiniMax behind gateways)
    look for one; a server without caching ignores the field, as it would have the
    top-level one. String content becomes one text part to carry it.
    """
    for message in reversed(wire):
        content = message.get("content")
        if isinstance(content, str) and content:
            message["content"] = [{"type": "text", "text": content, "cache_control": marker}]
            return
        if isinstance(content, list) and content:
            content[-1] = {**content[-1], "cache_control": marker}
            return


def build_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    profile: ProviderProfile | Dialect,
    *,
    stream: bool,
    stream_usage: bool,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble the request body (see :func:`build_body_and_plan`)."""
    return build_body_and_plan(
        messages, params, profile, stream=stream, stream_usage=stream_usage, extra_body=extra_body
    )[0]


def build_body_and_plan(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    profile: ProviderProfile | Dialect,
    *,
    stream: bool,
    stream_usage: bool,
    extra_body: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], ForcedToolPlan | None]:
    """Assemble the request body, and say what was done with a forced tool choice.

    Args:
        messages: The conversation.
        params: Model fields and call kwargs already merged, ``None`` values dropped.
        profile: The model's dialect (or a bare provider profile).
        stream: Whether to ask for SSE.
        stream_usage: Whether to ask for a usage chunk (if the provider accepts the option).
        extra_body: Fields merged last at the top level, for anything we do not model.

    Returns:
        The body, and the plan the caller checks the answer against (``None`` when the
        tool choice went out as asked).

    """
    dialect = as_dialect(profile)
    body: dict[str, Any] = dict(params)
    wire = [message_to_wire(m, dialect) for m in messages]
    _pad_echoes(wire, dialect)
    body["messages"] = _relocate_tool_media(wire) if dialect.tool_media == "user_message" else wire
    if "max_tokens" in body and dialect.max_tokens_param != "max_tokens":
        body[dialect.max_tokens_param] = body.pop("max_tokens")
    plan = plan_forced_tool(body, dialect)
    if plan is not None and plan.rule == "disable_thinking":
        body["thinking"] = False
        body.pop("reasoning_effort", None)  # an effort would switch it back on (DeepSeek, Kimi)
    elif plan is not None:
        body["tool_choice"] = "auto"
        _only_tool(body, plan.tool)
    thinking = body.pop("thinking", None)
    if thinking is not None:
        body.update(thinking_params(thinking, dialect))
    choice = body.get("tool_choice")
    if choice in ("any", "required"):
        body["tool_choice"] = dialect.tool_choice_any
    elif isinstance(choice, Mapping) and not dialect.supports_tool_choice_object:
        # Servers that ignore or reject a named choice still honour "must call a tool";
        # with the bound tools narrowed to the named one, the effect is the same.
        name = (choice.get("function") or {}).get("name")
        body["tool_choice"] = dialect.tool_choice_any
        _only_tool(body, name)
    if (
        dialect.preserve_thinking
        and "preserve_thinking" not in body
        and any(m.get("role") == "assistant" and m.get("reasoning_content") for m in wire)
    ):
        body["preserve_thinking"] = True  # DashScope folds the echoed reasoning in only then
    if stream:
        body["stream"] = True
        if stream_usage and dialect.stream_usage and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    for name in dialect.drop_params:
        body.pop(name, None)
    for name, wire_name in dialect.rename_params.items():
        if name in body:
            body[wire_name] = body.pop(name)
    marker = body.get("cache_control")
    if marker is not None and not dialect.cache_control_top_level:
        del body["cache_control"]
        _mark_last_part(body["messages"], marker)
    if extra_body:
        body.update(extra_body)  # the user's explicit word beats a preset's drop list
    for keep, drop in dialect.exclusive_params:
        if keep in body and drop in body:
            del body[drop]  # the server rejects the two together (Kimi, Groq)
    return body, plan
