"""Profiles of open-weight models as their hosts serve them (data, not code).

A host may serve a shorter context, or a smaller output cap, than the model supports, and it
decides which request features reach the model; so here the host's own page is the evidence,
not the model card. Facts of the model itself that no host changes (what it reads, whether it
thinks) come from the model's page and are shared. :mod:`._profile_table` adds these presets
to ``MODEL_TABLE``; the conventions (lower readings of "128K", a context window becomes
``max_input_tokens``, a fact left out rather than guessed) are the same as there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from langchain_core.language_models.model_profile import ModelProfile

__all__ = ["HOST_TABLE"]

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

_SAMBANOVA_TEXT: ModelProfile = {
    # https://docs.sambanova.ai/docs/en/models/sambacloud-models : the production models'
    # "Supported modalities" column says Text for each of them. The page states no output cap
    # and no function calling, so both are left out (fetch_profile() reads the listing's
    # max_completion_tokens).
    "text_inputs": True,
    "image_inputs": False,
}

HOST_TABLE: Mapping[str, Mapping[str, ModelProfile]] = {
    "groq": {"openai/gpt-oss-120b": _GROQ_GPT_OSS_120B},
    "cerebras": {"gpt-oss-120b": _CEREBRAS_GPT_OSS_120B},
    "fireworks": {"accounts/fireworks/models/gpt-oss-120b": _FIREWORKS_GPT_OSS_120B},
    "together": {"openai/gpt-oss-120b": _TOGETHER_GPT_OSS_120B},
    "nvidia": {"openai/gpt-oss-120b": _NVIDIA_GPT_OSS_120B},
    # The same page, production models, "Context length": 128k for gpt-oss-120b,
    # DeepSeek-V3.1 and Meta-Llama-3.3-70B-Instruct, 192k for MiniMax-M2.7 (read as 128,000
    # and 192,000). Keys are lower case: the lookup is case-insensitive, SambaNova's ids are
    # not.
    "sambanova": {
        "gpt-oss-120b": {**_GPT_OSS_TEXT, **_SAMBANOVA_TEXT, "max_input_tokens": 128_000},
        "deepseek-v3.1": {**_SAMBANOVA_TEXT, "max_input_tokens": 128_000},
        "meta-llama-3.3-70b-instruct": {**_SAMBANOVA_TEXT, "max_input_tokens": 128_000},
        "minimax-m2.7": {**_SAMBANOVA_TEXT, "max_input_tokens": 192_000},
    },
}
