"""A reply's ``usage`` object, wherever and however the provider wrote it -> ``UsageMetadata``.

This is the parsing of one answer's token counts (cache reads and writes, reasoning, audio,
a reported cost), shared by the JSON and the streamed path. Totals across calls are the
public :mod:`langchain_compat_chat.usage` callback handler's business, which reads only the
standard ``usage_metadata`` made here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata

__all__ = ["COST_KEY", "find_usage", "usage_cost", "usage_to_metadata"]


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
