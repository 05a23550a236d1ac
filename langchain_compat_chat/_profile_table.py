"""The bundled model-profile table: preset -> model id -> ``ModelProfile`` facts (data, not code).

Each entry holds what the provider's own model page states, and the page is named in a comment
next to the facts it gives. A fact the page does not state is left out rather than guessed, so
``fetch_profile()`` or the user's ``profile=`` can fill it. Limits written "128K" or "1M" are read
as the lower, decimal number (128,000, 1,000,000): a bound read too high would let a prompt
through that the server then refuses. A context window becomes ``max_input_tokens`` unless the
page states a separate input limit.

Only presets whose API serves one provider's own models, or whose host publishes its own limits
for the open-weight model it serves, are here. The host's page is the evidence there, because a
host may serve a shorter context than the model supports. Gateways that route one id to many
hosts (``openrouter``, ``huggingface``) and local servers serve whatever was deployed, so
``fetch_profile()`` asks them instead. ``_profiles`` merges this table with the dialect's facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from langchain_core.language_models.model_profile import ModelProfile

__all__ = ["MODEL_TABLE"]

# Keys are exactly ModelProfile's (identical in langchain-core 1.7.0 and 1.8).
_GPT_41: ModelProfile = {
    # https://platform.openai.com/docs/models/gpt-4.1 : 1,047,576-token context window,
    # 32,768 max output tokens, text and image input, function calling, structured outputs.
    "max_input_tokens": 1_047_576,
    "max_output_tokens": 32_768,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": False,
    "tool_calling": True,
    "structured_output": True,
}
_GPT_5: ModelProfile = {
    # https://platform.openai.com/docs/models/gpt-5 : 400,000-token context window of which
    # 128,000 are max output tokens (so 272,000 for the prompt), text and image input,
    # reasoning, function calling, structured outputs.
    "max_input_tokens": 272_000,
    "max_output_tokens": 128_000,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}
_DEEPSEEK: ModelProfile = {
    # https://api-docs.deepseek.com/quick_start/pricing : context length "128K" for both
    # aliases (read as 128,000, the lower reading). Text only.
    # https://api-docs.deepseek.com/guides/function_calling : tool calls.
    # https://api-docs.deepseek.com/guides/json_mode : JSON Output is response_format
    # json_object only (no json_schema), so there is no native structured output.
    "max_input_tokens": 128_000,
    "text_inputs": True,
    "image_inputs": False,
    "tool_calling": True,
    "structured_output": False,
}
_GEMINI_25_PRO: ModelProfile = {
    # https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/gemini/2-5-pro :
    # max input tokens 1,048,576, max output tokens 65,535; inputs text, code, images, audio,
    # video (and documents); Google's "most advanced reasoning" model.
    # https://ai.google.dev/gemini-api/docs/function-calling : function calling.
    # https://ai.google.dev/gemini-api/docs/structured-output : structured output.
    "max_input_tokens": 1_048_576,
    "max_output_tokens": 65_535,
    "text_inputs": True,
    "image_inputs": True,
    "audio_inputs": True,
    "video_inputs": True,
    "pdf_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}
_GEMINI_25_FLASH: ModelProfile = {
    # https://ai.google.dev/gemini-api/docs/models#gemini-2.5-flash : 1,048,576 input token
    # limit; audio, images, video and text in; "thinking" model; function calling and
    # structured outputs (pages above). The output limit is left out: not confirmed.
    "max_input_tokens": 1_048_576,
    "text_inputs": True,
    "image_inputs": True,
    "audio_inputs": True,
    "video_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}
_GROK_420: ModelProfile = {
    # https://docs.x.ai/developers/models/grok-4.20-0309 : text and image in, 1,000,000-token
    # context window, function calling, structured outputs, reasoning. No separate output cap
    # is stated, so max_output_tokens is left out.
    "max_input_tokens": 1_000_000,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}

_GLM_46: ModelProfile = {
    # https://docs.z.ai/guides/llm/glm-4.6 : input modalities text, context length 200K (read
    # as 200,000, the lower reading), maximum output tokens 128K (128,000).
    # https://docs.z.ai/guides/overview/migrate-to-glm-4.6 : deep thinking (on by default),
    # tool calls, streamed tool calls.
    # https://docs.z.ai/api-reference/llm/chat-completion : response_format is text or
    # json_object only (no json_schema), so there is no native structured output.
    "max_input_tokens": 200_000,
    "max_output_tokens": 128_000,
    "text_inputs": True,
    "image_inputs": False,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": False,
}
_KIMI_256K = 256_000
"""https://platform.kimi.ai/docs/guide/kimi-k2-5-quickstart : kimi-k2.5, kimi-k2-0905-preview,
kimi-k2-turbo-preview, kimi-k2-thinking and kimi-k2-thinking-turbo "all provide a 256K context
window" (read as 256,000, the lower reading). No output cap is stated."""
_KIMI_K25: ModelProfile = {
    # The same page: native multimodal, visual and text input (image and video examples),
    # thinking and non-thinking modes, multi-step tool invocation. The preset cannot send
    # video parts, so the dialect turns video_inputs off again.
    "max_input_tokens": _KIMI_256K,
    "text_inputs": True,
    "image_inputs": True,
    "video_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
}
_KIMI_K2_THINKING: ModelProfile = {
    # The 256K line above; Moonshot's thinking models, which return reasoning_content
    # (https://platform.kimi.ai/docs/guide/use-thinking-models, as in _dialect_rules.py).
    # Tool calls: the K2 line's page, https://platform.kimi.ai/docs/guide/kimi-k2-quickstart.
    "max_input_tokens": _KIMI_256K,
    "text_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
}
_KIMI_K2: ModelProfile = {
    # The 256K line above; https://platform.kimi.ai/docs/guide/kimi-k2-quickstart : tool calls.
    "max_input_tokens": _KIMI_256K,
    "text_inputs": True,
    "tool_calling": True,
}
_MISTRAL_LARGE_3: ModelProfile = {
    # Mistral's own model card,
    # https://huggingface.co/mistralai/Mistral-Large-3-675B-Instruct-2512 : vision (image and
    # text in), native function calling and JSON output, 256k context window (read as
    # 256,000). Keyed by the dated API id only: which model "-latest" points at changes.
    # "JSON outputting" is not a schema guarantee, so structured_output is left out.
    "max_input_tokens": 256_000,
    "text_inputs": True,
    "image_inputs": True,
    "tool_calling": True,
}
_SONAR_PRO: ModelProfile = {
    # https://docs.perplexity.ai/guides/models/sonar-pro : "Model Type: Non-reasoning",
    # context length 200k (200,000), "sonar-pro has a max output token limit of 8k" (8,000).
    # Function calling is not stated, so tool_calling is left out.
    "max_input_tokens": 200_000,
    "max_output_tokens": 8_000,
    "text_inputs": True,
    "reasoning_output": False,
}

_GPT_6_LIMITS: ModelProfile = {
    # https://developers.openai.com/api/docs/models/gpt-6-astra,
    # https://developers.openai.com/api/docs/models/gpt-6.1-sol and
    # https://developers.openai.com/api/docs/models/gpt-6-sol : 1,050,000-token context window,
    # maximum input tokens 922,000, 128,000 max output tokens; input text and image, output
    # text; reasoning token support.
    "max_input_tokens": 922_000,
    "max_output_tokens": 128_000,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": True,
}
_GPT_6_SOL: ModelProfile = {
    **_GPT_6_LIMITS,
    # The gpt-6-sol page lists structured outputs as supported. Function calling is listed
    # too, but "Chat Completions supports function calling only with reasoning_effort set to
    # none", so tool_calling depends on the call and is left out.
    "structured_output": True,
}
# gpt-6.1-sol: "Use the Responses API for tool calling. Chat Completions is supported without
# tool calling." The Astra page states no tool or structured-output facts. Both are therefore
# keyed with the limits alone: which tools work depends on api="chat" or api="responses".

_CLAUDE_OPENAI_COMPAT: ModelProfile = {
    # https://platform.claude.com/docs/en/api/openai-sdk : on this compatibility endpoint
    # response_format is ignored (so no native structured output) and "the OpenAI SDK won't
    # return Claude's detailed thought process" (so no reasoning output reaches the caller,
    # whatever the model thinks). https://platform.claude.com/docs/en/models/overview : all
    # current models take text and image input and support tool use.
    "text_inputs": True,
    "image_inputs": True,
    "tool_calling": True,
    "structured_output": False,
    "reasoning_output": False,
}
_CLAUDE_1M: ModelProfile = {
    **_CLAUDE_OPENAI_COMPAT,
    # Context window 1M tokens, max output 128K tokens, input "Text and images -> text":
    # https://platform.claude.com/docs/en/models/fable-5-1/overview,
    # https://platform.claude.com/docs/en/models/opus-5-5/overview,
    # https://platform.claude.com/docs/en/models/sonnet-5-5/overview,
    # https://platform.claude.com/docs/en/models/haiku-5-5/overview,
    # https://platform.claude.com/docs/en/models/opus-5/overview,
    # https://platform.claude.com/docs/en/models/sonnet-5/overview.
    "max_input_tokens": 1_000_000,
    "max_output_tokens": 128_000,
}
_CLAUDE_NO_FORCED_TOOL: ModelProfile = {
    **_CLAUDE_1M,
    # "Forced tool use returns an error" on Claude Opus 5.5 and Claude Sonnet 5.5 (their
    # overview pages above); the Opus 5.5 page says the same change "also applies on Claude
    # Fable 5.1". A forced tool_choice is therefore not a capability of these three.
    "tool_choice": False,
}
_CLAUDE_HAIKU_45: ModelProfile = {
    **_CLAUDE_OPENAI_COMPAT,
    # The comparison table on https://platform.claude.com/docs/en/models/opus-5-5/overview :
    # Claude Haiku 4.5, 200K context, 64K max output.
    "max_input_tokens": 200_000,
    "max_output_tokens": 64_000,
}

_GPT_OSS_TEXT: ModelProfile = {
    # https://developers.openai.com/api/docs/models/gpt-oss-120b : input modalities text,
    # reasoning token support. What a host caps (context, output) is on the host's page below.
    "text_inputs": True,
    "image_inputs": False,
    "reasoning_output": True,
}
_GROQ_GPT_OSS_120B: ModelProfile = {
    **_GPT_OSS_TEXT,
    # https://console.groq.com/docs/model/openai/gpt-oss-120b : context window 131,072, max
    # output tokens 65,536; input text; capabilities tool use, JSON object mode, JSON schema
    # mode, reasoning.
    "max_input_tokens": 131_072,
    "max_output_tokens": 65_536,
    "tool_calling": True,
    "structured_output": True,
}
_CEREBRAS_GPT_OSS_120B: ModelProfile = {
    **_GPT_OSS_TEXT,
    # https://inference-docs.cerebras.ai/api-reference/models/public-models : gpt-oss-120b
    # limits max_context_length 131072, max_completion_tokens 40960; capabilities tools,
    # tool_choice, structured_outputs and reasoning true, vision false. The model page
    # (https://inference-docs.cerebras.ai/models/openai-oss) gives these for paid tiers; the
    # free tier is capped lower (65k context, 32k output): pass profile= there.
    "max_input_tokens": 131_072,
    "max_output_tokens": 40_960,
    "tool_calling": True,
    "structured_output": True,
}
_FIREWORKS_GPT_OSS_120B: ModelProfile = {
    **_GPT_OSS_TEXT,
    # https://fireworks.ai/models/fireworks/gpt-oss-120b : maximum context length 128K tokens,
    # "the full 128K context is supported on Fireworks AI"; optimised for agentic workflows
    # with function calling. No output cap is stated.
    "max_input_tokens": 128_000,
    "tool_calling": True,
}
_NVIDIA_GPT_OSS_120B: ModelProfile = {
    **_GPT_OSS_TEXT,
    # https://docs.api.nvidia.com/nim/reference/openai-gpt-oss-120b : "text-only for both
    # input and output modalities", a reasoning model "supporting ... tool use". The page
    # states no context or output limit, so fetch_profile() or profile= supplies them.
    "tool_calling": True,
}
_TOGETHER_GPT_OSS_120B: ModelProfile = {
    **_GPT_OSS_TEXT,
    # https://docs.together.ai/docs/gpt-oss : openai/gpt-oss-120b, context length 128k
    # tokens. The page states neither an output cap nor function calling, so both are left
    # out.
    "max_input_tokens": 128_000,
}

MODEL_TABLE: Mapping[str, Mapping[str, ModelProfile]] = {
    "openai": {
        "gpt-4.1": _GPT_41,
        "gpt-5": _GPT_5,
        "gpt-6-astra": _GPT_6_LIMITS,
        "gpt-6.1-sol": _GPT_6_LIMITS,
        "gpt-6-sol": _GPT_6_SOL,
    },
    # Azure deployments carry the customer's own names; a deployment named after the model
    # (the portal's default) gets the model's facts.
    "azure": {"gpt-4.1": _GPT_41, "gpt-5": _GPT_5},
    "deepseek": {
        "deepseek-chat": {**_DEEPSEEK, "reasoning_output": False},
        "deepseek-reasoner": {**_DEEPSEEK, "reasoning_output": True},
    },
    "gemini": {"gemini-2.5-pro": _GEMINI_25_PRO, "gemini-2.5-flash": _GEMINI_25_FLASH},
    "zhipu": {"glm-4.6": _GLM_46},
    "moonshot": {
        "kimi-k2.5": _KIMI_K25,
        "kimi-k2-thinking": _KIMI_K2_THINKING,
        "kimi-k2-thinking-turbo": _KIMI_K2_THINKING,
        "kimi-k2-0905-preview": _KIMI_K2,
        "kimi-k2-turbo-preview": _KIMI_K2,
    },
    "mistral": {"mistral-large-2512": _MISTRAL_LARGE_3},
    "perplexity": {"sonar-pro": _SONAR_PRO},
    "xai": {
        # the aliases are listed on the same docs.x.ai page
        name: _GROK_420
        for name in (
            "grok-4.20",
            "grok-4.20-0309",
            "grok-4.20-0309-reasoning",
            "grok-4.20-reasoning",
            "grok-4.20-reasoning-latest",
        )
    },
    "anthropic": {
        "claude-fable-5-1": _CLAUDE_NO_FORCED_TOOL,
        "claude-opus-5-5": _CLAUDE_NO_FORCED_TOOL,
        "claude-sonnet-5-5": _CLAUDE_NO_FORCED_TOOL,
        "claude-haiku-5-5": _CLAUDE_1M,
        "claude-opus-5": _CLAUDE_1M,
        "claude-sonnet-5": _CLAUDE_1M,
        # the dated id and its alias: "Claude API ID" and "Claude API alias" in
        # https://platform.claude.com/docs/en/about-claude/models/overview
        "claude-haiku-4-5": _CLAUDE_HAIKU_45,
        "claude-haiku-4-5-20251001": _CLAUDE_HAIKU_45,
    },
    "groq": {"openai/gpt-oss-120b": _GROQ_GPT_OSS_120B},
    "cerebras": {"gpt-oss-120b": _CEREBRAS_GPT_OSS_120B},
    "fireworks": {"accounts/fireworks/models/gpt-oss-120b": _FIREWORKS_GPT_OSS_120B},
    "together": {"openai/gpt-oss-120b": _TOGETHER_GPT_OSS_120B},
    "nvidia": {"openai/gpt-oss-120b": _NVIDIA_GPT_OSS_120B},
}
