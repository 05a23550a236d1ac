"""A server's raw ``finish_reason`` -> LangChain's normalised finish reason (pure, declared).

langchain-core 1.8.4 reads three keys of ``response_metadata`` and leaves the mapping to the
integration: ``finish_reason`` (the server's raw value, which we keep untouched),
``normalized_finish_reason`` and, for Anthropic's native API only, ``finish_state``
(``langchain_core/language_models/_finish_reason.py``). The vocabulary is the one
langchainjs core 1.5.0 introduced for the same fields (langchain-ai/langchainjs#12252,
https://github.com/langchain-ai/langchainjs/releases/tag/@langchain%2Fcore@1.5.0): ``stop``,
``length``, ``tool_call``, ``content_filter``, ``refusal``, ``context_exceeded``, ``error``
and ``other``. ``finish_state`` is never set here: Anthropic's OpenAI-compatible endpoint
answers in OpenAI's vocabulary ("choices[].finish_reason: fully supported",
https://docs.anthropic.com/en/api/openai-sdk), so ``pause_turn`` never reaches us.

The keys are plain metadata, so they are set whatever core is installed: 1.8.4 reads them
into its ``message-finish`` event, older cores keep them on the message. Core 1.8.4 also
corrects two cases on the assembled message (a refusal block -> ``refusal``, ``stop`` with
tool calls -> ``tool_call``); :func:`normalize_finish_reason` applies the same two here, so
``invoke`` and ``stream`` already answer right on cores that do not correct (1.7.x-1.8.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

__all__ = ["FINISH_REASONS", "NORMALIZED_KEY", "NormalizedFinishReason", "normalize_finish_reason"]

NormalizedFinishReason = Literal[
    "stop", "length", "tool_call", "content_filter", "refusal", "context_exceeded", "error", "other"
]
"""The normalised values (langchainjs core 1.5.0's, which langchain-core 1.8.4 reads)."""

NORMALIZED_KEY = "normalized_finish_reason"
"""The ``response_metadata`` key langchain-core 1.8.4 reads (``_FINISH_KEYS``)."""

FINISH_REASONS: Mapping[str, NormalizedFinishReason] = MappingProxyType(
    {
        # OpenAI Chat Completions, the vocabulary nearly every compatible server uses
        # (https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices).
        # The recorded replies of DashScope, Groq, Kimi, MiniMax, llama.cpp, Ollama, vLLM,
        # Gemini's and Anthropic's OpenAI endpoints and the others send only these
        # (tests/unit/fixtures/preset_responses/, tests/fixtures/wire_samples/).
        "stop": "stop",
        "length": "length",
        "tool_calls": "tool_call",
        "function_call": "tool_call",  # the deprecated spelling, for ``functions=``
        "content_filter": "content_filter",
        # DeepSeek: the answer was cut short because the inference system ran out of
        # resources (https://api-docs.deepseek.com/api/create-chat-completion).
        "insufficient_system_resource": "error",
        # Zhipu GLM: "sensitive" means the safety review blocked the content, and an answer
        # that fails mid-inference reports it here instead of as an error code
        # (https://docs.z.ai/api-reference/llm/chat-completion,
        # https://docs.bigmodel.cn/cn/api/api-code). The context one is also Anthropic's
        # stop reason, which langchainjs maps the same way.
        "sensitive": "content_filter",
        "network_error": "error",
        "model_context_window_exceeded": "context_exceeded",
        # Mistral: ``model_length`` is the model's own limit, ``error`` a failed generation
        # (mistralai/client-python docs/models/finishreason.md; langchainjs maps them to
        # length and error). OpenRouter sends ``error`` too (its ChatFinishReasonEnum,
        # https://openrouter.ai/docs/client-sdks/python/api-reference/components/chatfinishreasonenum.md),
        # and so does vLLM for an internal failure (vllm-project/vllm#55399).
        "model_length": "length",
        "error": "error",
        # vLLM: ``abort`` is a request the engine stopped for a reason other than a stop or
        # a limit, so the answer is incomplete (vllm/v1/engine/__init__.py, FinishReason).
        "abort": "error",
        # Gemini's own FinishReason enum (https://ai.google.dev/api/generate-content#FinishReason),
        # which its OpenAI endpoint passes through, upper case, where OpenAI has no word
        # (HKUDS/Vibe-Trading#308). Lookups are case-insensitive for it. SAFETY,
        # PROHIBITED_CONTENT and BLOCKLIST are refusals and MALFORMED_FUNCTION_CALL an
        # error, as langchainjs' google integration maps them; the other "flagged" stops
        # are content filters.
        "max_tokens": "length",
        "safety": "refusal",
        "prohibited_content": "refusal",
        "blocklist": "refusal",
        "recitation": "content_filter",
        "spii": "content_filter",
        "image_safety": "content_filter",
        "malformed_function_call": "error",
    }
)
"""Raw finish reason (lower case) -> normalised value; anything else is ``"other"``."""


def normalize_finish_reason(
    raw: Any, *, has_tool_calls: bool = False, has_refusal: bool = False
) -> NormalizedFinishReason | None:
    """The normalised finish reason of one answer, with core 1.8.4's two corrections.

    Args:
        raw: The server's ``finish_reason`` (our Responses parser's, for that API).
        has_tool_calls: The answer called a tool (valid or not). A forced tool call ends
            in ``stop`` on OpenAI (``tool_choice`` naming a function), yet the answer is a
            tool call.
        has_refusal: The answer carries a refusal (``message.refusal`` or a Responses
            ``refusal`` part), which OpenAI ends with a plain ``stop``.

    Returns:
        ``None`` when the server sent no finish reason (nothing is claimed about why an
        answer stopped); otherwise one of :data:`NormalizedFinishReason`, ``"other"`` for a
        value no table row names (the raw value stays in ``finish_reason``).

    """
    if raw is None or raw == "":
        return None
    if has_refusal:
        return "refusal"
    normalized = FINISH_REASONS.get(raw.lower(), "other") if isinstance(raw, str) else "other"
    if normalized == "stop" and has_tool_calls:
        return "tool_call"
    return normalized
