"""The bundled model-profile table: preset -> model id -> ``ModelProfile`` facts (data, not code).

Each entry holds what the provider's own model page states, and the page is named in a comment
next to the facts it gives. A fact the page does not state is left out rather than guessed, so
``fetch_profile()`` or the user's ``profile=`` can fill it. Limits written "128K" or "1M" are read
as the lower, decimal number (128,000, 1,000,000): a bound read too high would let a prompt
through that the server then refuses. A context window becomes ``max_input_tokens`` unless the
page states a separate input limit.

Only presets whose API serves one provider's own models are declared here; hosts that publish
their own limits for the open-weight models they serve are in :mod:`._profile_hosts` and join
the table at the end. Gateways that route one id to many hosts (``openrouter``,
``huggingface``) and local servers serve whatever was deployed, so ``fetch_profile()`` asks
them instead. ``_profiles`` merges this table with the dialect's facts.

Where the vendor's page itself could not be read, an entry may rest on the page as quoted,
figure for figure, by several independent public records that cite it (the comment says so and
names the page); a figure on which those records disagree is left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_compat_chat._profile_hosts import HOST_TABLE

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

_DEEPSEEK_V4: ModelProfile = {
    # https://api-docs.deepseek.com/zh-cn/quick_start/pricing : deepseek-flash (served by
    # DeepSeek-V4.1-Flash) and deepseek-v4-pro: context length "1M" (read as 1,000,000),
    # output "max 384K" (384,000), thinking and non-thinking modes with thinking the default,
    # Tool Calls supported, JSON Output supported (json_object, no json_schema: see _DEEPSEEK).
    "max_input_tokens": 1_000_000,
    "max_output_tokens": 384_000,
    "text_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": False,
}
# The same page, "image understanding": supported on deepseek-flash, not on deepseek-v4-pro.
# It also says the old names deepseek-v4-flash and deepseek-v4-flash-vision-exp still answer,
# served by DeepSeek-V4.1-Flash, so they get deepseek-flash's facts.
_DEEPSEEK_FLASH: ModelProfile = {**_DEEPSEEK_V4, "image_inputs": True}
_DEEPSEEK_V4_PRO: ModelProfile = {**_DEEPSEEK_V4, "image_inputs": False}

_QWEN_MAX_1M: ModelProfile = {
    # https://www.alibabacloud.com/help/en/model-studio/qwen3-7-max and
    # https://help.aliyun.com/zh/model-studio/qwen3-8-max (read as quoted by public notes that
    # cite them): context window 1,000,000, max input 991,808 without
    # thinking and 983,616 with it, max output 131,072; thinking and non-thinking modes;
    # function calling and structured outputs in the capability table. DashScope's own 400,
    # "Range of input length should be [1, 983616]", shows the thinking-mode bound on a
    # recorded qwen3.8-max probe. The lower input bound is kept: it holds in both modes.
    "max_input_tokens": 983_616,
    "max_output_tokens": 131_072,
    "text_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}
# qwen3.7-max is "functionally equivalent" to its text-only qwen3.7-max-2026-05-20 snapshot
# (the 2026-06-08 snapshot adds vision, so it is not keyed); Qwen3.8-Max reads images.
_QWEN37_MAX: ModelProfile = {**_QWEN_MAX_1M, "image_inputs": False}
_QWEN38_MAX: ModelProfile = {**_QWEN_MAX_1M, "image_inputs": True}

_KIMI_K3: ModelProfile = {
    # Moonshot's model card (https://github.com/MoonshotAI/Kimi-K3 README, as mirrored):
    # "Context Length 1048576", "Modality Text, Image", thinking always on and returned as
    # reasoning_content, tool calls; it points to
    # https://platform.kimi.ai/docs/guide/kimi-k3-quickstart for structured output (json_schema,
    # as that page is quoted). No output cap is stated on the card.
    "max_input_tokens": 1_048_576,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}

_GLM_5_TEXT: ModelProfile = {
    # https://docs.bigmodel.cn/cn/guide/models/text/glm-5 (and glm-5.1, glm-5.2, glm-5.3; read
    # as quoted by public notes that cite them): text models with deep
    # thinking and tool use, maximum output 128K (128,000). response_format is text or
    # json_object only (the chat-completion reference cited at _GLM_46).
    "max_output_tokens": 128_000,
    "text_inputs": True,
    "image_inputs": False,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": False,
}
# Context: 200K for GLM-5 and GLM-5.1, 1M for GLM-5.2 and GLM-5.3 (read as 200,000 and
# 1,000,000), on the same pages.
_GLM_5: ModelProfile = {**_GLM_5_TEXT, "max_input_tokens": 200_000}
_GLM_5_1M: ModelProfile = {**_GLM_5_TEXT, "max_input_tokens": 1_000_000}

_GROK_45_PLUS: ModelProfile = {
    # https://docs.x.ai/developers/models/grok-4.5, .../grok-4.6 and .../grok-4.7 (read as
    # cited in anomalyco/models.dev#3110, gptme/gptme#3572 and dust-tt/dust#33000): 500K
    # context (500,000), text and image input, function calling, structured outputs,
    # reasoning that cannot be disabled. The output cap is left out: the records differ.
    "max_input_tokens": 500_000,
    "text_inputs": True,
    "image_inputs": True,
    "reasoning_output": True,
    "tool_calling": True,
    "structured_output": True,
}

_GEMINI_3: ModelProfile = {
    # https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/guides/gemini-3-8-flash
    # compares Gemini 3.8 Flash, 3.7 Flash and 3.1 Pro: input text, image, audio, video; context
    # window 1,048,576; maximum output 65,536; thinking levels LOW/MEDIUM/HIGH.
    "max_input_tokens": 1_048_576,
    "max_output_tokens": 65_536,
    "text_inputs": True,
    "image_inputs": True,
    "audio_inputs": True,
    "video_inputs": True,
    "reasoning_output": True,
}
_GEMINI_3_PAGE: ModelProfile = {
    **_GEMINI_3,
    # The Gemini API model pages, https://ai.google.dev/gemini-api/docs/models/gemini-3.8-flash
    # (as quoted on its release), .../gemini-3.5-flash and .../gemini-3-pro-preview: the same
    # limits, PDF input too, function calling, structured outputs and thinking supported.
    "pdf_inputs": True,
    "tool_calling": True,
    "structured_output": True,
}
_GEMINI_31_PRO: ModelProfile = {
    **_GEMINI_3,
    # https://ai.google.dev/gemini-api/docs/models/gemini-3.1-pro-preview : PDF input and
    # function calling; structured output is not in the part of the page read, so left out.
    "pdf_inputs": True,
    "tool_calling": True,
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
        "deepseek-flash": _DEEPSEEK_FLASH,
        "deepseek-v4-flash": _DEEPSEEK_FLASH,
        "deepseek-v4-flash-vision-exp": _DEEPSEEK_FLASH,
        "deepseek-v4-pro": _DEEPSEEK_V4_PRO,
    },
    "dashscope": {"qwen3.7-max": _QWEN37_MAX, "qwen3.8-max": _QWEN38_MAX},
    "gemini": {
        "gemini-2.5-pro": _GEMINI_25_PRO,
        "gemini-2.5-flash": _GEMINI_25_FLASH,
        "gemini-3.8-flash": _GEMINI_3_PAGE,
        "gemini-3.7-flash": _GEMINI_3,
        "gemini-3.5-flash": _GEMINI_3_PAGE,
        "gemini-3.1-pro-preview": _GEMINI_31_PRO,
        "gemini-3-pro-preview": _GEMINI_3_PAGE,
    },
    "zhipu": {
        "glm-4.6": _GLM_46,
        "glm-5": _GLM_5,
        "glm-5.1": _GLM_5,
        "glm-5.2": _GLM_5_1M,
        "glm-5.3": _GLM_5_1M,
    },
    "moonshot": {
        "kimi-k3": _KIMI_K3,
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
    }
    | {name: _GROK_45_PLUS for name in ("grok-4.5", "grok-4.6", "grok-4.7")},
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
    **HOST_TABLE,
}
