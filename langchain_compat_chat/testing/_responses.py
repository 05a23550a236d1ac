"""A Responses API request as one conversation, and the Chat Completions body it plans from.

The Responses endpoint answers with the same "model" as the Chat Completions endpoint:
the same generated text, tool decision, schema-driven arguments, reasoning, token budget
and prompt accounting (``_chat.plan_completion``). So a validated Responses request is
turned into the equivalent Chat Completions body here: ``instructions`` become the system
message, ``input`` items become messages (``function_call`` items an assistant turn's
``tool_calls``, ``function_call_output`` items ``tool`` messages, a given-back reasoning
item the ``reasoning_content`` of the turn it precedes), tools and ``text.format`` their
Chat spellings. Only the wire shapes differ between the two endpoints, never the answer.

What needs the whole conversation is checked while it is built, in OpenAI's words: a
``function_call_output`` whose ``call_id`` matches no call (``No tool call found for
function call output with call_id …``, param ``input``: continuedev/continue#10092), a
call left without output (``No tool output found for function call …``:
tjardoo/openai-client#124), a reasoning item with nothing after it (``Item 'rs_…' of type
'reasoning' was provided without its required following item.``, quoted in
openai-agents-python's docs on ``reasoning_item_id_policy``), a reasoning item that is
neither stored nor carries its text (``Item with id 'rs_…' not found. Items are not
persisted when `store` is set to false. …``), and sealed reasoning that was altered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_compat_chat.testing._config import Dialect
from langchain_compat_chat.testing._errors import ApiError, bad
from langchain_compat_chat.testing._responses_store import ResponseStore
from langchain_compat_chat.testing._thinking import (
    call_id_tag,
    open_reasoning,
    reasoning_tag,
    thinking_active,
)
from langchain_compat_chat.testing._validate.responses import KNOWN_RESPONSES_PARAMS

__all__ = ["Conversation", "build_conversation", "previous_items"]

_PASSED_ON = ("temperature", "top_p", "parallel_tool_calls", "user", "metadata")
"""Fields that mean the same on both endpoints."""


@dataclass
class Conversation:
    """One request's whole conversation, in both spellings.

    Attributes:
        items: Every item of the conversation, the stored ones first (as the Responses
            API sees it; what a ``store: true`` answer keeps).
        chat: The equivalent Chat Completions body, for the planner.

    """

    items: list[dict[str, Any]] = field(default_factory=list)
    chat: dict[str, Any] = field(default_factory=dict)


def previous_items(body: Mapping[str, Any], store: ResponseStore) -> list[dict[str, Any]]:
    """The items of the response named by ``previous_response_id`` (none without one).

    Raises:
        ApiError: 400 ``previous_response_not_found`` for an id this server did not store.

    """
    prev = body.get("previous_response_id")
    if prev is None:
        return []
    stored = store.get(str(prev))
    if stored is None:
        raise ApiError(
            400,
            f"Previous response with id '{prev}' not found.",
            "invalid_request_error",
            "previous_response_id",
            "previous_response_not_found",
        )
    return [dict(item) for item in stored.items]


def build_conversation(
    body: Mapping[str, Any],
    history: Sequence[dict[str, Any]],
    store: ResponseStore,
    dialect: Dialect,
) -> Conversation:
    """Turn a validated request (and the chained history) into a :class:`Conversation`.

    Raises:
        ApiError: 400 for a conversation the real API refuses (see the module docstring).

    """
    conv = Conversation(items=[*history, *_own_items(body, store)])
    chat = _chat_head(body)
    thinking = dialect.reasoning_echo is not None and thinking_active(chat, dialect)
    messages: list[dict[str, Any]] = []
    if isinstance(body.get("instructions"), str):
        messages.append({"role": "system", "content": body["instructions"]})
    _walk(conv.items, messages, store, thinking)
    chat["messages"] = messages
    fmt = (chat.get("response_format") or {}).get("type")
    if fmt == "json_object" and not any("json" in _text_of(m).lower() for m in messages):
        raise bad(
            "Response input messages must contain the word 'json' in some form to use "
            "'text.format' of type 'json_object'.",
            "input",
        )
    conv.chat = chat
    return conv


def _own_items(body: Mapping[str, Any], store: ResponseStore) -> list[dict[str, Any]]:
    """The request's own input as items: a string is one user message; references resolved."""
    value = body.get("input")
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    items: list[dict[str, Any]] = []
    for item in value:
        kind = item.get("type", "message")
        if kind == "item_reference":
            found = store.item(str(item["id"]))
            if found is None:
                raise bad(f"Item with id '{item['id']}' not found.", "input")
            items.append(dict(found))
        else:
            items.append({**item, "type": kind})
    return items


def _chat_head(body: Mapping[str, Any]) -> dict[str, Any]:
    """Everything of the Chat body but the messages.

    Provider extensions (keys the Responses API does not define, such as
    ``chat_template_kwargs``) pass on unchanged, so thinking toggles work on both
    endpoints. ``stream`` is left out: the same request gives the same answer streamed
    or not.
    """
    chat: dict[str, Any] = {"model": body["model"]}
    chat.update({k: body[k] for k in _PASSED_ON if body.get(k) is not None})
    chat.update({k: v for k, v in body.items() if k not in KNOWN_RESPONSES_PARAMS})
    if body.get("max_output_tokens") is not None:
        chat["max_completion_tokens"] = body["max_output_tokens"]
    reasoning = body.get("reasoning")
    if isinstance(reasoning, Mapping):
        chat["reasoning"] = dict(reasoning)
        if reasoning.get("effort") is not None:
            chat["reasoning_effort"] = reasoning["effort"]
    if "message.output_text.logprobs" in (body.get("include") or ()):
        chat["logprobs"] = True
        chat["top_logprobs"] = int(body.get("top_logprobs") or 0)
    tools = [t for t in body.get("tools") or () if t.get("type") == "function"]
    if tools:
        chat["tools"] = [
            {
                "type": "function",
                "function": {
                    k: t[k] for k in ("name", "description", "parameters", "strict") if k in t
                },
            }
            for t in tools
        ]
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        chat["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    elif isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        chat["tool_choice"] = {
            "type": "allowed_tools",
            "allowed_tools": {
                "mode": choice["mode"],
                "tools": [
                    {"type": "function", "function": {"name": t["name"]}} for t in choice["tools"]
                ],
            },
        }
    elif choice is not None:
        chat["tool_choice"] = choice
    fmt = (body.get("text") or {}).get("format")
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    return chat


def _walk(
    items: Sequence[Mapping[str, Any]],
    messages: list[dict[str, Any]],
    store: ResponseStore,
    thinking: bool,
) -> None:
    """Append the Chat messages of ``items``, checking how the items link up."""
    calls: dict[str, int] = {}
    answered: set[str] = set()
    reasoning: str | None = None
    for i, item in enumerate(items):
        kind = item["type"]
        if kind == "reasoning":
            follower = items[i + 1] if i + 1 < len(items) else None
            if follower is None or not _assistant_side(follower):
                raise bad(
                    f"Item '{item.get('id')}' of type 'reasoning' was provided without its "
                    "required following item.",
                    "input",
                )
            reasoning = _reasoning_text(item, store)
        elif kind == "message" and item["role"] == "assistant":
            message = {"role": "assistant", "content": _text_of(item)}
            if reasoning is not None:
                message["reasoning_content"] = reasoning
                reasoning = None
            messages.append(message)
        elif kind == "message":
            messages.append({"role": item["role"], "content": _chat_content(item["content"])})
        elif kind == "function_call":
            turn = messages[-1] if messages else None
            if turn is None or turn["role"] != "assistant" or reasoning is not None:
                turn = {"role": "assistant", "content": None}
                if reasoning is not None:
                    turn["reasoning_content"] = reasoning
                    reasoning = None
                messages.append(turn)
            if thinking:
                _check_echo(i, item, turn)
            turn.setdefault("tool_calls", []).append(
                {
                    "id": item["call_id"],
                    "type": "function",
                    "function": {"name": item["name"], "arguments": item["arguments"]},
                }
            )
            calls[item["call_id"]] = i
        elif kind == "function_call_output":
            call_id = item["call_id"]
            if call_id not in calls or call_id in answered:
                raise bad(
                    f"No tool call found for function call output with call_id {call_id}.",
                    "input",
                )
            answered.add(call_id)
            messages.append(
                {"role": "tool", "tool_call_id": call_id, "content": _output_text(item["output"])}
            )
    for call_id in calls:
        if call_id not in answered:
            raise bad(f"No tool output found for function call {call_id}.", "input")


def _assistant_side(item: Mapping[str, Any]) -> bool:
    kind = item.get("type")
    return kind == "function_call" or (kind == "message" and item.get("role") == "assistant")


def _reasoning_text(item: Mapping[str, Any], store: ResponseStore) -> str:
    """The text of a given-back reasoning item, from where the item carries it.

    Sealed ``encrypted_content`` first (altered -> 400), then ``reasoning_text`` content
    parts (open servers take them), then the stored item of that id; an id the server
    cannot resolve is OpenAI's "not persisted" 400; an item with neither id nor text
    contributes its summary.
    """
    item_id = item.get("id")
    sealed = item.get("encrypted_content")
    if isinstance(sealed, str):
        text = open_reasoning(sealed)
        if text is None:
            raise ApiError(
                400,
                f"The encrypted content for item {item_id} could not be verified.",
                "invalid_request_error",
                None,
                "invalid_encrypted_content",
            )
        return text
    parts = item.get("content")
    if parts:
        return "".join(str(p.get("text", "")) for p in parts)
    if isinstance(item_id, str):
        stored = store.item(item_id)
        if stored is not None and stored.get("content"):
            return "".join(str(p.get("text", "")) for p in stored["content"])
        raise bad(
            f"Item with id '{item_id}' not found. Items are not persisted when `store` is set "
            "to false. Try again with `store` set to true, or remove this item from your "
            "input.",
            "input",
        )
    return "".join(str(p.get("text", "")) for p in item.get("summary") or ())


def _check_echo(index: int, item: Mapping[str, Any], turn: Mapping[str, Any]) -> None:
    """Strict thinking: a call made while thinking needs its reasoning item given back.

    The call ids of a thinking turn carry a tag of the reasoning text sent with them
    (``_thinking.tag_call_id``), so the check needs no server state.
    """
    tag = call_id_tag(str(item["call_id"]))
    if tag is None:
        return
    text = turn.get("reasoning_content")
    if not isinstance(text, str) or reasoning_tag(text) != tag:
        raise bad(
            f"Strict mode: input[{index}] is a function_call made while thinking; give back "
            "the reasoning item this server sent before it (with its encrypted_content when "
            "store is false).",
            "input",
        )


def _text_of(message: Mapping[str, Any]) -> str:
    """The plain text of a message or an item's content (for "json" and assistant turns)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for part in content or ():
        if isinstance(part, Mapping):
            value = part.get("text", part.get("refusal"))
            if isinstance(value, str):
                texts.append(value)
    return "".join(texts)


def _chat_content(content: Any) -> Any:
    """Input parts in their Chat spelling (prompt accounting counts media by kind)."""
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part["type"]
        if kind == "input_text":
            parts.append({"type": "text", "text": part["text"]})
        elif kind == "input_image":
            url = part.get("image_url") or part.get("file_id")
            parts.append({"type": "image_url", "image_url": {"url": url}})
        else:
            keys = ("file_data", "file_id", "file_url", "filename")
            parts.append({"type": "file", "file": {k: part[k] for k in keys if k in part}})
    return parts


def _output_text(output: Any) -> Any:
    return output if isinstance(output, str) else _chat_content(output)
