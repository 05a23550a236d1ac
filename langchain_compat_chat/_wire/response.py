"""Chat Completions JSON -> LangChain ``ChatResult`` (pure).

The known keys and tool-call helpers here, usage parsing (``token_usage``) and reasoning
extraction (``reasoning``) are shared with ``stream`` so that a streamed answer aggregates to
the same message as the non-streamed one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_compat_chat._wire.boundary import parse_boundary
from langchain_compat_chat._wire.finish_reason import NORMALIZED_KEY, normalize_finish_reason
from langchain_compat_chat._wire.reasoning import reasoning_source, split_content
from langchain_compat_chat._wire.think import ThinkTags, split_think
from langchain_compat_chat._wire.token_usage import (
    COST_KEY,
    find_usage,
    usage_cost,
    usage_to_metadata,
)
from langchain_compat_chat.errors import (
    MalformedResponseError,
    error_from_payload,
    preview,
)

__all__ = [
    "KNOWN_CHOICE_KEYS",
    "KNOWN_MESSAGE_KEYS",
    "KNOWN_TOP_KEYS",
    "fallback_call_id",
    "parse_tool_call",
    "to_chat_result",
]

KNOWN_TOP_KEYS = frozenset(
    {"id", "object", "created", "model", "choices", "usage", "system_fingerprint", "service_tier"}
)
KNOWN_CHOICE_KEYS = frozenset({"index", "message", "delta", "finish_reason", "logprobs"})
KNOWN_MESSAGE_KEYS = frozenset(
    {
        "role",
        "content",
        "tool_calls",
        "function_call",
        "reasoning_content",
        "reasoning",
        "refusal",
        "name",
    }
)

_CALL_KEYS = frozenset({"id", "type", "function", "index", "name", "arguments"})


def fallback_call_id(response_id: str | None, choice: int, position: int) -> str:
    """A tool-call id for servers that send none, stable for one response.

    Derived from the response id, the choice and the call's position, so a streamed answer
    and the same answer fetched without streaming get the same id (random only when the
    server sent no response id either).
    """
    if not response_id:
        return f"call_{uuid.uuid4().hex[:24]}"
    digest = hashlib.sha1(f"{response_id}:{choice}:{position}".encode()).hexdigest()
    return f"call_{digest[:24]}"


def _args_text(arguments: Any) -> str:
    if arguments is None:
        return ""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)  # llama.cpp and Ollama send an object


def parse_tool_call(
    raw: Mapping[str, Any],
    position: int,
    *,
    response_id: str | None = None,
    choice: int = 0,
) -> tuple[ToolCall | InvalidToolCall, dict[str, Any]]:
    """Parse one wire tool call; bad JSON becomes an ``InvalidToolCall``, never an exception.

    Args:
        raw: The wire tool call.
        position: Its place in the message's ``tool_calls``.
        response_id: The completion id, to derive a stable id when the call has none.
        choice: The choice index, for the same purpose.

    Returns:
        The call and the unknown keys to round-trip (Gemini's ``extra_content``).

    """
    function = raw.get("function") or {}
    name = function.get("name") or raw.get("name") or ""
    call_id = raw.get("id") or fallback_call_id(response_id, choice, position)
    text = _args_text(function.get("arguments", raw.get("arguments")))
    # ``name``/``arguments`` at the top level are llama.cpp's flat shape, already read above:
    # round-tripping them as extras would send every call back with its arguments twice.
    extras = {k: v for k, v in raw.items() if k not in _CALL_KEYS}
    try:
        args = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        return InvalidToolCall(
            type="invalid_tool_call", name=name, args=text, id=call_id, error=f"Invalid JSON: {exc}"
        ), extras
    if not isinstance(args, dict):
        return InvalidToolCall(
            type="invalid_tool_call",
            name=name,
            args=text,
            id=call_id,
            error=f"Arguments are a JSON {type(args).__name__}, not an object",
        ), extras
    return ToolCall(type="tool_call", name=name, args=args, id=call_id), extras


def _message(
    choice: Mapping[str, Any],
    data: Mapping[str, Any],
    provider: str,
    extra_meta: dict[str, Any],
    think_tags: ThinkTags,
) -> AIMessage:
    message = choice.get("message")
    if not isinstance(message, Mapping):
        raise MalformedResponseError("A choice has no message object", body=preview(choice))
    text, list_reasoning = split_content(message.get("content"))
    additional: dict[str, Any] = {}
    reasoning, field = reasoning_source(message)
    if not reasoning and list_reasoning:
        reasoning, field = list_reasoning, "content"
    if think_tags:
        text, tagged = split_think(text, starts_inside=think_tags == "starts_inside")
        if tagged and field is None:
            field = "content"
        reasoning += tagged
    if reasoning:
        additional["reasoning_content"] = reasoning
    if field is not None:
        additional["reasoning_field"] = field
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    call_extras: dict[str, Any] = {}
    for i, raw in enumerate(message.get("tool_calls") or ()):
        call, extras = parse_tool_call(
            raw, i, response_id=data.get("id"), choice=choice.get("index") or 0
        )
        (tool_calls if call["type"] == "tool_call" else invalid).append(call)  # type: ignore[arg-type]
        if extras:
            call_extras[call["id"] or ""] = extras
    if call_extras:
        additional["tool_call_extras"] = call_extras
    if message.get("function_call"):
        additional["function_call"] = dict(message["function_call"])
    if message.get("refusal"):
        additional["refusal"] = message["refusal"]
    for key, value in message.items():
        if key not in KNOWN_MESSAGE_KEYS and value is not None:
            additional[key] = value
    metadata: dict[str, Any] = {
        "model_provider": provider,
        "model_name": data.get("model"),
        "finish_reason": choice.get("finish_reason"),
        "id": data.get("id"),
        "system_fingerprint": data.get("system_fingerprint"),
    }
    if choice.get("logprobs") is not None:
        metadata["logprobs"] = choice["logprobs"]
    metadata.update(extra_meta)
    normalized = normalize_finish_reason(
        choice.get("finish_reason"),
        has_tool_calls=bool(tool_calls or invalid),
        has_refusal=bool(additional.get("refusal")),
    )
    if normalized is not None:
        metadata[NORMALIZED_KEY] = normalized
    for key, value in choice.items():
        if key not in KNOWN_CHOICE_KEYS and key != "usage":
            metadata.setdefault(key, value)
    usage = find_usage(data)
    return AIMessage(
        content=text,
        additional_kwargs=additional,
        response_metadata=metadata,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_to_metadata(usage) if usage else None,
        id=data.get("id") or None,
    )


def top_level_extras(data: Mapping[str, Any]) -> dict[str, Any]:
    """Fields the server sent that we do not model, kept so nothing is lost."""
    extras = {k: v for k, v in data.items() if k not in KNOWN_TOP_KEYS}
    if data.get("service_tier") is not None:
        extras["service_tier"] = data["service_tier"]
    if data.get("created") is not None:
        extras["created"] = data["created"]
    return extras


@parse_boundary
def to_chat_result(data: Any, provider: str, think_tags: ThinkTags = False) -> ChatResult:
    """Convert a parsed non-streaming response into a ``ChatResult``.

    ``think_tags`` splits ``<think>`` blocks out of content (see :mod:`.think`).

    Raises:
        ProviderError: The body is an error object (some servers send those with HTTP 200).
        MalformedResponseError: The body is not a chat completion.

    """
    if isinstance(data, list) and data and isinstance(data[0], Mapping) and "error" in data[0]:
        # Gemini reports errors as a list of error objects.
        raise error_from_payload(data, body=preview(data))
    if not isinstance(data, Mapping):
        raise MalformedResponseError(
            f"Expected a JSON object, got {type(data).__name__}", body=preview(data)
        )
    if data.get("error") is not None:
        raise error_from_payload(data, body=preview(data))
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise MalformedResponseError("The response has no choices", body=preview(data))
    extras = top_level_extras(data)
    generations = []
    # ``or 0``: some servers send ``"index": null`` with a single choice.
    for choice in sorted(
        choices, key=lambda c: (c.get("index") or 0) if isinstance(c, Mapping) else 0
    ):
        if not isinstance(choice, Mapping):
            raise MalformedResponseError("A choice is not an object", body=preview(data))
        message = _message(choice, data, provider, extras, think_tags)
        info = {"finish_reason": choice.get("finish_reason")}
        if choice.get("logprobs") is not None:
            info["logprobs"] = choice["logprobs"]
        generations.append(ChatGeneration(message=message, generation_info=info))
    usage = find_usage(data)
    llm_output = {
        "token_usage": dict(usage) if usage else {},
        "model_name": data.get("model"),
        "system_fingerprint": data.get("system_fingerprint"),
        "id": data.get("id"),
    }
    if usage:
        cost = usage_cost(usage)
        for gen in generations:
            gen.message.response_metadata["token_usage"] = dict(usage)
            if cost is not None:
                gen.message.response_metadata[COST_KEY] = cost
    return ChatResult(generations=generations, llm_output=llm_output)
