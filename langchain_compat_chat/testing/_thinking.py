"""Strict thinking mode of the reference server: each provider's thinking rules, as data.

Thinking models reject requests that a lenient fake would take: a forced ``tool_choice``
while thinking, a tool-call turn whose reasoning was not passed back (or was passed back in
a field the server does not read), two toggles sent together, reasoning keys on input
messages of a strictly validating API. A client tested only against a lenient server
breaks on the *next* request of an agent loop. This module answers those requests the way
the selected :class:`Dialect` says the provider does, with that provider's message and
error body shape.

The rules never read the prompt. What the server checks on an echo is what it produced
itself: the tool-call ids of a thinking turn end in ``_th`` plus a short hash of the
reasoning text sent with them, ``reasoning_details`` blocks carry a signature that is a
keyed hash of their text, and Gemini-style thought signatures are a keyed hash of the tool
call's id and name. So an echo of the wrong text, a block split per streamed fragment, or
a lost signature is caught without the server keeping any state between requests.

Messages that start with ``Strict mode:`` are this server's words, used where the real
server has no such error (it degrades silently, e.g. vLLM dropping ``reasoning_content``)
or where its wording could not be confirmed; the others are the provider's own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._config import Dialect, dumps
from langchain_compat_chat.testing._errors import ApiError

_KEY = b"compat-reference-thinking-v1"
_TAG_RE = re.compile(r"_th([0-9a-f]{8})$")

# --------------------------------------------------------------------------------------
# Signatures: keyed hashes of what the server itself produced
# --------------------------------------------------------------------------------------


def _digest(*parts: str) -> bytes:
    return hmac.new(_KEY, "\x1f".join(parts).encode(), hashlib.sha256).digest()


def reasoning_tag(text: str) -> str:
    """Eight hex digits naming one reasoning text (appended to tool-call ids)."""
    return _digest("tag", text).hex()[:8]


def tag_call_id(call_id: str, reasoning: str) -> str:
    """The id of a tool call made while thinking: ``<id>_th<tag of the reasoning>``."""
    return f"{call_id}_th{reasoning_tag(reasoning)}"


def call_id_tag(call_id: str) -> str | None:
    """The reasoning tag carried by a tool-call id, or ``None`` for an untagged id."""
    found = _TAG_RE.search(call_id)
    return found.group(1) if found else None


def block_signature(text: str) -> str:
    """The ``signature`` of one ``reasoning_details`` block (base64 of a keyed hash)."""
    return base64.b64encode(_digest("block", text)).decode()


def thought_signature(call_id: str, name: str) -> str:
    """Gemini-style ``thought_signature`` for the first tool call of a thinking step."""
    return base64.b64encode(_digest("thought", call_id, name)).decode()


def seal_reasoning(text: str) -> str:
    """A Responses ``encrypted_content``: the reasoning text with a keyed hash, opaque.

    The client cannot read it (base64 of hash + text is opaque enough for a test server)
    and must give it back unchanged; :func:`open_reasoning` recovers the text statelessly.
    """
    raw = text.encode()
    return base64.urlsafe_b64encode(_digest("sealed", text)[:16] + raw).decode()


def open_reasoning(sealed: str) -> str | None:
    """The reasoning text sealed by :func:`seal_reasoning`, or ``None`` if it was altered."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        text = raw[16:].decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text if hmac.compare_digest(raw[:16], _digest("sealed", text)[:16]) else None


# --------------------------------------------------------------------------------------
# Is the request thinking?
# --------------------------------------------------------------------------------------


def thinking_requested(body: Mapping[str, Any], dialect: Dialect) -> bool:
    """Whether the model thinks on this request, by the switches the dialect reads.

    Only ``dialect.thinking_toggles`` count (a real server ignores the others); an explicit
    "off" wins, an explicit "on" turns thinking on, and otherwise ``always_reason`` (the
    thinking default) decides. ``reasoning_effort`` and OpenRouter's ``reasoning`` object
    switch thinking off with ``"none"`` (or ``enabled: false``) and on with any other
    value.
    """
    votes: list[bool] = []
    toggles = dialect.thinking_toggles
    if "reasoning_effort" in toggles and body.get("reasoning_effort") is not None:
        votes.append(body["reasoning_effort"] != "none")
    reasoning = body.get("reasoning")
    if "reasoning" in toggles and isinstance(reasoning, Mapping):
        votes.append(reasoning.get("effort") != "none" and reasoning.get("enabled") is not False)
    thinking = body.get("thinking")
    if "thinking" in toggles and isinstance(thinking, Mapping) and "type" in thinking:
        votes.append(thinking.get("type") in ("enabled", "adaptive"))
    if "enable_thinking" in toggles and isinstance(body.get("enable_thinking"), bool):
        votes.append(body["enable_thinking"])
    kwargs = body.get("chat_template_kwargs")
    if "chat_template_kwargs" in toggles and isinstance(kwargs, Mapping):
        for key in ("enable_thinking", "thinking"):
            if isinstance(kwargs.get(key), bool):
                votes.append(kwargs[key])
    if False in votes:
        return False
    return True in votes or dialect.always_reason


def forced_tool(body: Mapping[str, Any]) -> str | None:
    """``"required"`` or ``"specified"`` (a named function) when the request forces a tool."""
    choice = body.get("tool_choice")
    if choice == "required":
        return "required"
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            return "specified"
        allowed = choice.get("allowed_tools")
        if choice.get("type") == "allowed_tools" and isinstance(allowed, Mapping):
            return "required" if allowed.get("mode") == "required" else None
    return None


def thinking_active(body: Mapping[str, Any], dialect: Dialect) -> bool:
    """Whether the answer is produced while thinking.

    Like :func:`thinking_requested`, except that a ``"disable"`` forced-tool rule answers
    a forced request without thinking (OpenRouter drops ``reasoning`` silently there).
    """
    if not thinking_requested(body, dialect):
        return False
    return not (dialect.forced_tool_while_thinking == "disable" and forced_tool(body))


# --------------------------------------------------------------------------------------
# Errors, in each provider's words and body shape
# --------------------------------------------------------------------------------------

_DEFAULT_WORDS: dict[str, str] = {
    "forced_tool": "Strict mode: tool_choice '{kind}' is not supported while thinking is enabled.",
    "echo_missing": (
        "Strict mode: messages[{index}] is an assistant tool-call turn of a thinking model "
        "without its reasoning in '{wanted}'."
    ),
    "echo_wrong_field": (
        "Strict mode: messages[{index}] carries its reasoning in '{other}', which this server "
        "does not read; send it in '{wanted}'."
    ),
    "echo_mismatch": (
        "Strict mode: the '{wanted}' of messages[{index}] is not the reasoning this server "
        "sent with those tool calls."
    ),
    "echo_param": (
        "Strict mode: messages[{index}] is a tool-call turn of a thinking model; its "
        "reasoning reaches the model only with '{param}': true."
    ),
    "rejected_field": "Strict mode: messages[{index}].{field} is not accepted by this provider.",
    "exclusive": "cannot specify both '{param}' and '{other}'",
    "rejected_param": "Strict mode: '{param}' is not supported by this model.",
    "rejected_thinking": "Strict mode: thinking.type '{type}' is not supported by this model.",
}
_FALLBACK_RULE = {"forced_tool_always": "forced_tool"}
"""Where a provider has no words of its own for a rule, the rule whose words it uses."""

_ANTHROPIC_NO_THINKING = (
    "messages.{index}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
    "`tool_use`. When `thinking` is enabled, a final `assistant` message must start with a "
    "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We "
    "recommend you include thinking blocks from previous turns. To avoid this requirement, "
    "disable `thinking`."
)
_DEEPSEEK_ECHO = "The `reasoning_content` in the thinking mode must be passed back to the API."
_ANTHROPIC_BAD_SIGNATURE = "messages.{index}.content.0: Invalid `signature` in `thinking` block"

WORDS: dict[str, dict[str, str]] = {
    "deepseek": {
        "forced_tool": "Thinking mode does not support this tool_choice",
        "echo_missing": _DEEPSEEK_ECHO,
        "echo_wrong_field": _DEEPSEEK_ECHO,
    },
    "moonshot": {
        "forced_tool": "tool_choice '{kind}' is incompatible with thinking enabled",
        "echo_missing": (
            "thinking is enabled but reasoning_content is missing in assistant tool call "
            "message at index {index}"
        ),
        "echo_wrong_field": (
            "thinking is enabled but reasoning_content is missing in assistant tool call "
            "message at index {index}"
        ),
        "rejected_param": (
            "Strict mode: '{param}' is not supported by this model; use reasoning_effort."
        ),
    },
    "dashscope": {
        "forced_tool": (
            "<400> InternalError.Algo.InvalidParameter: The tool_choice parameter does not "
            "support being set to required or object in thinking mode"
        ),
    },
    "vllm": {
        "echo_wrong_field": (
            "Strict mode: messages[{index}] carries its reasoning in '{other}', which vLLM "
            "ignores on input (vllm-project/vllm#38488); send it in '{wanted}'."
        ),
    },
    "groq": {
        "rejected_field": (
            "'messages.{index}' : for 'role:assistant' the following must be "
            "satisfied[('messages.{index}' : property '{field}' is unsupported)]"
        ),
    },
    "openrouter": {
        "echo_missing": _ANTHROPIC_NO_THINKING,
        "echo_wrong_field": _ANTHROPIC_NO_THINKING,
        "echo_mismatch": _ANTHROPIC_BAD_SIGNATURE,
    },
    "anthropic": {
        "forced_tool": "Thinking may not be enabled when tool_choice forces tool use.",
        # Claude Opus 5.5, Sonnet 5.5, Fable 5.1 (their "what's new" pages)
        "forced_tool_always": (
            'tool_choice: type "tool" and "any" are not supported for this model.'
        ),
        "rejected_thinking": (
            '"thinking.type.{type}" is not supported for this model. Use "thinking.type.adaptive" '
            'and "output_config.effort" to control thinking behavior.'
        ),
        # Opus 4.7+, Fable 5 (The-PR-Agent/pr-agent#2456); top_p's wording is not confirmed.
        "rejected_param": "`{param}` is deprecated for this model.",
    },
    "zhipu": {"forced_tool": "Tool choice must be auto"},
    "gemini": {
        "echo_missing": (
            "Function call is missing a thought_signature in functionCall parts. This is "
            "required for tools to work correctly, and missing thought_signature may lead to "
            "degraded model performance. Additional data, function call "
            "`default_api:{name}` , position {position}. please refer to "
            "https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
        ),
    },
}
"""Provider wording per error kind; kinds not listed use ``_DEFAULT_WORDS``."""


class ThinkingError(ApiError):
    """A strict-thinking rejection whose body is shaped like the provider's own."""

    def __init__(
        self, status: int, message: str, body: dict[str, Any], listed: bool = False
    ) -> None:
        super().__init__(status, message)
        self._body = body
        self._listed = listed

    def payload(self) -> dict[str, Any]:
        """The provider-shaped error object."""
        return self._body

    def body(self) -> bytes:
        """The serialised body; Gemini's OpenAI endpoint wraps the error object in a list."""
        return dumps([self._body] if self._listed else self._body)


def _error_body(style: str, message: str) -> dict[str, Any]:
    """Wrap a message in the error body the provider sends (HTTP 400)."""
    if style == "deepseek":
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_request_error",
            }
        }
    if style in ("moonshot", "groq"):
        return {"error": {"message": message, "type": "invalid_request_error"}}
    if style == "dashscope":
        rid = secrets.token_hex(16)
        return {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_parameter_error",
            },
            "id": f"chatcmpl-{rid}",
            "request_id": rid,
        }
    if style == "openrouter":
        raw = {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
        return {
            "error": {
                "message": "Provider returned error",
                "code": 400,
                "metadata": {"raw": json.dumps(raw), "provider_name": "Anthropic"},
            }
        }
    if style == "anthropic":
        return {"type": "error", "error": {"type": "invalid_request_error", "message": message}}
    if style == "gemini":
        return {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    }


def _reject(dialect: Dialect, rule: str, **fields: Any) -> ThinkingError:
    style = dialect.error_style
    words = WORDS.get(style, {})
    fallback = _FALLBACK_RULE.get(rule, rule)
    template = words.get(rule) or words.get(fallback) or _DEFAULT_WORDS[fallback]
    message = template.format(**fields)
    return ThinkingError(400, message, _error_body(style, message), listed=style == "gemini")


_MISTRAL_FIELDS: dict[str, frozenset[str]] = {
    "system": frozenset({"role", "content"}),
    "developer": frozenset({"role", "content"}),
    "user": frozenset({"role", "content"}),
    "assistant": frozenset({"role", "content", "tool_calls", "prefix"}),
    "tool": frozenset({"role", "content", "tool_call_id", "name"}),
}
"""Message keys Mistral's request schema defines (anything else is ``extra_forbidden``)."""


def _mistral_extras(messages: Sequence[Any]) -> ThinkingError | None:
    detail: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        if not isinstance(msg, Mapping):
            continue
        role = str(msg.get("role"))
        allowed = _MISTRAL_FIELDS.get(role, frozenset({"role", "content"}))
        for key in msg:
            if key not in allowed:
                detail.append(
                    {
                        "type": "extra_forbidden",
                        "loc": ["body", "messages", i, role, key],
                        "msg": "Extra inputs are not permitted",
                        "input": msg[key],
                    }
                )
    if not detail:
        return None
    body = {
        "object": "error",
        "message": {"detail": detail},
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    return ThinkingError(422, "Extra inputs are not permitted", body)


# --------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------


def check_thinking_rules(body: Mapping[str, Any], dialect: Dialect) -> None:
    """Reject a (base-validated) request that breaks the dialect's thinking rules.

    Checked in order: rejected top-level keys and ``thinking.type`` values, mutually
    exclusive keys, message keys the provider refuses, a forced ``tool_choice`` while
    thinking, then the reasoning echo of every assistant tool-call turn in scope.

    Raises:
        ThinkingError: the provider's error status, message and body shape.

    """
    for param in dialect.rejected_params:
        if param in body:
            raise _reject(dialect, "rejected_param", param=param)
    thinking = body.get("thinking")
    thinking_type = thinking.get("type") if isinstance(thinking, Mapping) else None
    if thinking_type in dialect.rejected_thinking_types:
        raise _reject(dialect, "rejected_thinking", type=thinking_type)
    present = [p for p in dialect.exclusive_params if body.get(p) is not None]
    if len(present) > 1:
        raise _reject(dialect, "exclusive", param=present[0], other=present[1])
    messages = [m for m in body.get("messages") or () if isinstance(m, Mapping)]
    if dialect.forbid_extra_message_fields:
        extra = _mistral_extras(messages)
        if extra is not None:
            raise extra
    for i, msg in enumerate(messages):
        if msg.get("role") != "assistant":
            continue
        for field in dialect.rejected_message_fields:
            if field in msg:
                raise _reject(dialect, "rejected_field", index=i, field=field)
    kind = forced_tool(body)
    rule = dialect.forced_tool_while_thinking
    if kind and rule == "reject_always":
        raise _reject(dialect, "forced_tool_always", kind=kind)
    if not thinking_requested(body, dialect):
        return
    if kind and (rule == "reject" or (rule == "reject_named" and kind == "specified")):
        raise _reject(dialect, "forced_tool", kind=kind)
    if dialect.reasoning_echo is not None and thinking_active(body, dialect):
        _check_echoes(messages, dialect, body)


def _in_scope(messages: Sequence[Mapping[str, Any]], scope: str) -> list[int]:
    """Indexes of the assistant tool-call turns the echo rule checks."""
    start = 0
    if scope == "current_turn":
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        start = users[-1] + 1 if users else 0
    return [
        i
        for i, m in enumerate(messages)
        if i >= start and m.get("role") == "assistant" and m.get("tool_calls")
    ]


_STRING_FIELDS = ("reasoning_content", "reasoning")


def _check_echoes(
    messages: Sequence[Mapping[str, Any]], dialect: Dialect, body: Mapping[str, Any]
) -> None:
    wanted = str(dialect.reasoning_echo)
    for i in _in_scope(messages, dialect.echo_scope):
        msg = messages[i]
        calls = [c for c in msg.get("tool_calls") or () if isinstance(c, Mapping)]
        if wanted == "thought_signature":
            _check_thought_signature(i, calls, dialect)
            continue
        param = dialect.echo_requires_param
        if param and body.get(param) is not True:
            raise _reject(dialect, "echo_param", index=i, param=param)
        tags = {t for t in (call_id_tag(str(c.get("id", ""))) for c in calls) if t}
        if wanted == "reasoning_details":
            text = _merged_details(i, msg, dialect)
        else:
            value = msg.get(wanted)
            if not isinstance(value, str):
                others = [k for k in (*_STRING_FIELDS, "reasoning_details") if k in msg]
                if others:
                    raise _reject(
                        dialect, "echo_wrong_field", index=i, other=others[0], wanted=wanted
                    )
                raise _reject(dialect, "echo_missing", index=i, wanted=wanted)
            text = value
        if tags and reasoning_tag(text) not in tags:
            raise _reject(dialect, "echo_mismatch", index=i, wanted=wanted)


def _merged_details(i: int, msg: Mapping[str, Any], dialect: Dialect) -> str:
    """Check an echoed ``reasoning_details`` list and return its text, joined by index."""
    details = msg.get("reasoning_details")
    if not isinstance(details, list) or not details:
        others = [k for k in _STRING_FIELDS if isinstance(msg.get(k), str)]
        if others:
            raise _reject(
                dialect, "echo_wrong_field", index=i, other=others[0], wanted="reasoning_details"
            )
        raise _reject(dialect, "echo_missing", index=i, wanted="reasoning_details")
    by_index: dict[int, Mapping[str, Any]] = {}
    for entry in details:
        if not isinstance(entry, Mapping) or entry.get("type") != "reasoning.text":
            continue
        index = entry.get("index", 0)
        index = index if isinstance(index, int) else 0
        text = entry.get("text")
        signature = entry.get("signature")
        bad_signature = dialect.sign_reasoning and (
            not isinstance(text, str) or signature != block_signature(text)
        )
        if index in by_index or not isinstance(text, str) or bad_signature:
            # a fragment list, a block without its text, or a lost/foreign signature
            raise _reject(dialect, "echo_mismatch", index=i, wanted="reasoning_details")
        by_index[index] = entry
    if not by_index:
        raise _reject(dialect, "echo_missing", index=i, wanted="reasoning_details")
    calls = msg.get("tool_calls") or ()
    tagged = any(isinstance(c, Mapping) and call_id_tag(str(c.get("id", ""))) for c in calls)
    if tagged and sorted(by_index) != list(range(dialect.reasoning_blocks)):
        raise _reject(dialect, "echo_mismatch", index=i, wanted="reasoning_details")
    return "".join(str(by_index[k]["text"]) for k in sorted(by_index))


def _check_thought_signature(i: int, calls: Sequence[Mapping[str, Any]], dialect: Dialect) -> None:
    if not calls:
        return
    first = calls[0]
    extra = first.get("extra_content")
    google = extra.get("google") if isinstance(extra, Mapping) else None
    signature = google.get("thought_signature") if isinstance(google, Mapping) else None
    name = str((first.get("function") or {}).get("name", ""))
    if not isinstance(signature, str) or not signature:
        raise _reject(dialect, "echo_missing", index=i, name=name, position=1, wanted="")
    if signature != thought_signature(str(first.get("id", "")), name):
        raise _reject(dialect, "echo_mismatch", index=i, wanted="thought_signature")


# --------------------------------------------------------------------------------------
# Rendering helpers used by _chat
# --------------------------------------------------------------------------------------


def split_blocks(tokens: Sequence[str], blocks: int) -> list[list[str]]:
    """Split reasoning tokens into ``blocks`` contiguous, non-empty groups (fewer if short)."""
    if not tokens:
        return []
    count = max(1, min(blocks, len(tokens)))
    size, extra = divmod(len(tokens), count)
    out: list[list[str]] = []
    start = 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        out.append(list(tokens[start:end]))
        start = end
    return out


def detail_entries(tokens: Sequence[str], dialect: Dialect) -> list[dict[str, Any]]:
    """Non-streamed ``reasoning_details``: one merged entry per block, signed if asked."""
    entries: list[dict[str, Any]] = []
    for k, block in enumerate(split_blocks(tokens, dialect.reasoning_blocks)):
        text = "".join(block)
        entry: dict[str, Any] = {
            "type": "reasoning.text",
            "text": text,
            "format": dialect.reasoning_format,
            "index": k,
        }
        if dialect.sign_reasoning:
            entry["signature"] = block_signature(text)
        entries.append(entry)
    return entries


def detail_deltas(
    tokens: Sequence[str], dialect: Dialect
) -> list[tuple[list[dict[str, Any]], int]]:
    """Streamed ``reasoning_details``: ``(delta list, tokens)`` per SSE delta.

    Every token is one delta of its block's ``index``; with ``sign_reasoning`` the block
    ends with a delta that carries only its ``signature``, as Anthropic models do behind
    OpenRouter, so a client must merge per index to send the block back.
    """
    out: list[tuple[list[dict[str, Any]], int]] = []
    for k, block in enumerate(split_blocks(tokens, dialect.reasoning_blocks)):
        for tok in block:
            part = {
                "type": "reasoning.text",
                "text": tok,
                "format": dialect.reasoning_format,
                "index": k,
            }
            out.append(([part], 1))
        if dialect.sign_reasoning:
            sig = {
                "type": "reasoning.text",
                "signature": block_signature("".join(block)),
                "format": dialect.reasoning_format,
                "index": k,
            }
            out.append(([sig], 0))
    return out


def tool_call_extra(
    call_id: str, name: str, position: int, dialect: Dialect, thinking: bool
) -> dict[str, Any] | None:
    """Gemini's ``extra_content`` for the first tool call of a thinking step, else ``None``."""
    if not thinking or position != 0 or dialect.reasoning_echo != "thought_signature":
        return None
    return {"google": {"thought_signature": thought_signature(call_id, name)}}


def tags_call_ids(dialect: Dialect) -> bool:
    """Whether tool calls made while thinking get reasoning-tagged ids in this dialect."""
    return dialect.reasoning_echo in ("reasoning_content", "reasoning", "reasoning_details")
