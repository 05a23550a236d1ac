"""Chat Completions JSON -> LangChain ``ChatResult`` (pure).

The helpers here (usage, reasoning, content lists, metadata) are shared with ``_stream`` so a
streamed answer aggregates to the same message as the non-streamed one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_compat_chat._wire.think import ThinkTags, split_think
from langchain_compat_chat.errors import MalformedResponseError, error_from_payload, parse_boundary

__all__ = [
    "COST_KEY",
    "KNOWN_CHOICE_KEYS",
    "KNOWN_MESSAGE_KEYS",
    "KNOWN_TOP_KEYS",
    "fallback_call_id",
    "find_usage",
    "parse_tool_call",
    "reasoning_source",
    "split_content",
    "to_chat_result",
    "usage_cost",
    "usage_to_metadata",
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


def usage_to_metadata(usage: Mapping[str, Any]) -> UsageMetadata:
    """Translate a wire ``usage`` object into LangChain's ``UsageMetadata``.

    Cache hits come from ``prompt_tokens_details.cached_tokens``, DeepSeek's
    ``prompt_cache_hit_tokens`` or Moonshot's top-level ``cached_tokens``. Where the provider
    counts reasoning outside ``completion_tokens`` (xAI: total = prompt + completion +
    reasoning) the reasoning tokens are added back, because LangChain's ``output_tokens``
    includes them.
    """
    prompt = int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
    completion = int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
    pdetails = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    cdetails = usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    reasoning = cdetails.get("reasoning_tokens")
    total = usage.get("total_tokens")
    if reasoning and total is not None and total == prompt + completion + reasoning:
        completion += int(reasoning)
    result = UsageMetadata(
        input_tokens=prompt,
        output_tokens=completion,
        total_tokens=int(total) if total is not None else prompt + completion,
    )
    cache_read = pdetails.get("cached_tokens")
    # DeepSeek; Moonshot; Anthropic-shaped usage (MiniMax, Z.ai, gateways in front of Claude).
    for key in ("prompt_cache_hit_tokens", "cached_tokens", "cache_read_input_tokens"):
        if cache_read is None:
            cache_read = usage.get(key)
    # Tokens written to the cache (billed above the input rate): OpenRouter's
    # ``prompt_tokens_details.cache_write_tokens``
    # (https://openrouter.ai/docs/features/prompt-caching), Anthropic's
    # ``cache_creation_input_tokens`` (https://docs.claude.com/en/docs/build-with-claude/
    # prompt-caching), as Anthropic-compatible servers report it, and DashScope's explicit
    # cache, which puts that name inside ``prompt_tokens_details``
    # (https://www.alibabacloud.com/help/en/model-studio/context-cache, "Billing").
    cache_write = pdetails.get("cache_write_tokens")
    if cache_write is None:
        cache_write = pdetails.get("cache_creation_input_tokens")
    if cache_write is None:
        cache_write = usage.get("cache_creation_input_tokens")
    input_details = InputTokenDetails()
    if cache_read is not None:
        input_details["cache_read"] = int(cache_read)
    if cache_write is not None:
        input_details["cache_creation"] = int(cache_write)
    if pdetails.get("audio_tokens"):
        input_details["audio"] = int(pdetails["audio_tokens"])
    if input_details:
        result["input_token_details"] = input_details
    output_details = OutputTokenDetails()
    if reasoning is not None:
        output_details["reasoning"] = int(reasoning)
    if cdetails.get("audio_tokens"):
        output_details["audio"] = int(cdetails["audio_tokens"])
    if output_details:
        result["output_token_details"] = output_details
    return result


COST_KEY = "cost"
"""The ``response_metadata`` key of the cost the provider reported for the call, as a float
in US dollars (OpenRouter's credits are dollars; xAI's ticks are converted). Absent when the
provider reports none; the usage object stays whole under ``token_usage``."""

_XAI_TICKS_PER_USD = 10_000_000_000
"""xAI bills in ticks, 1 USD = 10,000,000,000 ticks
(https://docs.x.ai/developers/cost-tracking)."""


def usage_cost(usage: Mapping[str, Any] | None) -> float | None:
    """The cost a provider reported in ``usage``, in US dollars, if any.

    OpenRouter returns ``usage.cost`` in credits, i.e. dollars
    (https://openrouter.ai/docs/use-cases/usage-accounting); xAI returns the amount billed,
    discounts applied, as an integer ``usage.cost_in_usd_ticks``
    (https://docs.x.ai/developers/cost-tracking). Tracing tools read costs from one place and
    in one unit, so either is lifted out of the raw usage into :data:`COST_KEY`; the raw
    integer ticks stay in ``token_usage`` for exact sums.
    """
    if not usage:
        return None
    cost = usage.get("cost")
    if not isinstance(cost, bool) and isinstance(cost, (int, float)):
        return float(cost)
    ticks = usage.get("cost_in_usd_ticks")
    if not isinstance(ticks, bool) and isinstance(ticks, (int, float)):
        return ticks / _XAI_TICKS_PER_USD
    return None


def find_usage(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Find the usage object wherever this provider put it.

    Top level is standard; Groq (without ``stream_options``) uses ``x_groq.usage``;
    Moonshot puts it inside ``choices[0]``.
    """
    usage = data.get("usage")
    if isinstance(usage, Mapping) and usage:
        return usage
    x_groq = data.get("x_groq")
    if isinstance(x_groq, Mapping) and isinstance(x_groq.get("usage"), Mapping):
        return x_groq["usage"]  # type: ignore[no-any-return]
    choices = data.get("choices")
    if choices and isinstance(choices[0], Mapping):
        inner = choices[0].get("usage")
        if isinstance(inner, Mapping) and inner:
            return inner
    return None


def split_content(content: Any) -> tuple[str, str]:
    """Return (text, reasoning) from a content value that may be a list of parts.

    Mistral's Magistral sends ``[{"type": "thinking", "thinking": [...]}, {"type": "text"}]``;
    every other server sends a string. Both become plain text plus reasoning text.
    """
    if content is None:
        return "", ""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        raise MalformedResponseError(f"Unexpected content type {type(content).__name__}")
    text, reasoning = [], []
    for part in content:
        if isinstance(part, str):
            text.append(part)
            continue
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            text.append(str(part.get("text") or ""))
        elif kind in ("thinking", "reasoning"):
            inner = part.get("thinking", part.get("reasoning", part.get("text")))
            if isinstance(inner, str):
                reasoning.append(inner)
            elif isinstance(inner, list):
                reasoning.extend(str(p.get("text") or "") for p in inner if isinstance(p, Mapping))
    return "".join(text), "".join(reasoning)


def reasoning_of(message: Mapping[str, Any]) -> str:
    """Reasoning text from whichever field this provider uses (first non-empty wins)."""
    return reasoning_source(message)[0]


def reasoning_source(message: Mapping[str, Any]) -> tuple[str, str | None]:
    """Reasoning text and the wire field it came in (``None`` when there is none).

    The field is recorded on the message as ``additional_kwargs["reasoning_field"]`` so
    that the round trip sends the reasoning back where this server sent it (vLLM reads
    only ``reasoning`` on input, DeepSeek only ``reasoning_content``).
    """
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value, key
    details = message.get("reasoning_details")
    if isinstance(details, list):
        text = "".join(
            str(d.get("text") or d.get("summary") or "")
            for d in details
            if isinstance(d, Mapping) and d.get("type") in ("reasoning.text", "reasoning.summary")
        )
        return text, "reasoning_details" if text or details else None
    return "", None


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
        raise MalformedResponseError(
            "A choice has no message object", body=json.dumps(choice)[:2000]
        )
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

    ``think_tags`` splits ``<think>`` blocks out of content (see :mod:`._think`).

    Raises:
        ProviderError: The body is an error object (some servers send those with HTTP 200).
        MalformedResponseError: The body is not a chat completion.

    """
    if isinstance(data, list) and data and isinstance(data[0], Mapping) and "error" in data[0]:
        # Gemini reports errors as a list of error objects.
        raise error_from_payload(data, body=json.dumps(data)[:2000])
    if not isinstance(data, Mapping):
        raise MalformedResponseError(
            f"Expected a JSON object, got {type(data).__name__}", body=json.dumps(data)[:2000]
        )
    if data.get("error") is not None:
        raise error_from_payload(data, body=json.dumps(data)[:2000])
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise MalformedResponseError("The response has no choices", body=json.dumps(data)[:2000])
    extras = top_level_extras(data)
    generations = []
    # ``or 0``: some servers send ``"index": null`` with a single choice.
    for choice in sorted(
        choices, key=lambda c: (c.get("index") or 0) if isinstance(c, Mapping) else 0
    ):
        if not isinstance(choice, Mapping):
            raise MalformedResponseError("A choice is not an object", body=json.dumps(data)[:2000])
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
