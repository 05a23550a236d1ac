"""Model profiles (``model.profile``): a declared table, the dialect's facts, and server replies.

langchain-core reads ``BaseChatModel.profile`` (a ``ModelProfile`` TypedDict) for context
limits and capabilities: ``SummarizationMiddleware`` needs ``max_input_tokens`` for fractional
limits, ``create_agent`` picks its structured-output strategy from ``structured_output``.
Three sources fill it, merged in this order (a later one wins key by key):

1. :data:`MODEL_TABLE`: the flagship models of the hosted presets, with facts taken from the
   providers' own model pages (each entry names its page). A fact the page does not state is
   left out rather than guessed; the table is data, not code.
2. :func:`dialect_profile`: what this client knows about the preset's wire dialect (whether a
   tool call can be forced, whether video parts can be sent at all).
3. :func:`server_profile`: what a server says about the model it serves, read by
   ``fetch_profile()`` from ``GET /models`` and the server's own detail endpoint.

The user's ``profile=`` wins over all three. Everything here is pure; the I/O is in
``ChatCompatModel.fetch_profile`` / ``afetch_profile``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

from langchain_core.language_models.model_profile import ModelProfile

if TYPE_CHECKING:
    from langchain_compat_chat.providers import ProviderProfile

__all__ = [
    "MODEL_TABLE",
    "SINGLE_MODEL_SERVERS",
    "DetailEndpoint",
    "detail_endpoint",
    "dialect_profile",
    "merge_profiles",
    "preset_for_url",
    "server_profile",
    "table_profile",
]

# -- 1. the declared table ----------------------------------------------------------------------
# preset name -> model id (and aliases) -> facts. Keys are exactly ModelProfile's (identical in
# langchain-core 1.7.0 and 1.8). Only presets whose API serves one provider's own models are
# here; gateways and local servers serve whatever was deployed, so fetch_profile() asks them.
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

MODEL_TABLE: Mapping[str, Mapping[str, ModelProfile]] = {
    "openai": {"gpt-4.1": _GPT_41, "gpt-5": _GPT_5},
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
}


def table_profile(preset: str, model: str) -> ModelProfile | None:
    """The declared facts for ``model`` on ``preset``'s API, or ``None`` when not in the table.

    ``models/`` (Gemini's native prefix, accepted by its OpenAI endpoint) is ignored, and a
    lookup is case-insensitive because providers treat ids that way.
    """
    models = MODEL_TABLE.get(preset)
    if not models:
        return None
    key = model.strip().lower().removeprefix("models/")
    found = models.get(key)
    return dict(found) if found is not None else None  # type: ignore[return-value]


def preset_for_url(
    base_url: str | None, presets: Iterable[ProviderProfile]
) -> ProviderProfile | None:
    """The hosted preset whose default URL has the same host as ``base_url``, if any.

    A model built with ``base_url="https://api.deepseek.com/v1"`` and no ``provider=`` talks
    to DeepSeek all the same; the table applies to it. Local presets are skipped: a
    ``localhost`` URL says nothing about which server (or model) listens there.
    """
    if not base_url:
        return None
    host = (urlsplit(base_url).hostname or "").lower()
    if not host or host in ("localhost", "127.0.0.1", "::1"):
        return None
    for preset in presets:
        if (
            preset.base_url
            and preset.requires_api_key
            and (urlsplit(preset.base_url).hostname or "").lower() == host
        ):
            return preset
    return None


# -- 2. what the dialect knows ------------------------------------------------------------------
def dialect_profile(preset: ProviderProfile, known: ModelProfile) -> ModelProfile:
    """Facts this client adds for a model whose other facts are ``known``.

    * ``tool_call_streaming``: the stream parser assembles ``tool_call_chunks`` for every
      dialect (index-less, id-less and whole-call-per-chunk variants alike), so streaming tool
      calls works wherever tool calling does.
    * ``tool_choice``: every preset can force a call (``tool_choice_any``); llama.cpp honours
      ``"required"`` though not a named choice (``supports_tool_choice_object``).
    * ``video_inputs``: a preset that cannot send video parts (``supports_video=False``)
      drops them, whatever the model could read.
    * ``image_tool_message``: images returned by a tool reach the model (moved into a user
      message where the dialect needs it, see ``tool_media``) when it takes images.
    """
    out: ModelProfile = {}
    if known.get("tool_calling"):
        out["tool_call_streaming"] = True
        out["tool_choice"] = True
    if not preset.supports_video and "video_inputs" in known:
        out["video_inputs"] = False
    if known.get("image_inputs"):
        out["image_tool_message"] = True
    return out


# -- 3. what the server says --------------------------------------------------------------------
DetailEndpoint = tuple[Literal["GET", "POST"], str, bytes | None]


def detail_endpoint(preset: str, model: str) -> DetailEndpoint | None:
    """The server's own per-model endpoint (path from the server root), or ``None``.

    * llama.cpp ``GET /props``: ``default_generation_settings.n_ctx`` is the context each slot
      really has (https://github.com/ggml-org/llama.cpp/tree/master/tools/server#get-props).
    * Ollama ``POST /api/show``: ``model_info["<arch>.context_length"]`` and ``capabilities``
      (https://docs.ollama.com/api-reference/show-model-details); its ``/v1/models`` lists ids.
    * LM Studio ``GET /api/v0/models/{model}``: ``max_context_length`` and ``type`` ("vlm")
      (https://lmstudio.ai/docs/developer/rest/endpoints); its ``/v1/models`` lists ids.
    """
    if preset == "llamacpp":
        return ("GET", "/props", None)
    if preset == "ollama":
        return ("POST", "/api/show", json.dumps({"model": model}).encode())
    if preset == "lmstudio":
        return ("GET", f"/api/v0/models/{model}", None)
    return None


SINGLE_MODEL_SERVERS = frozenset({"llamacpp"})
"""Presets whose server serves one model under whatever ``model=`` says: llama-server
answers ``"model": "gpt-4o-does-not-exist"`` with its loaded model (recorded in the team's
real-server captures, 44_edge_unknown_model.http), so its one listing entry describes the
model in use."""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first_int(*values: Any) -> int | None:
    for value in values:
        number = _int(value)
        if number is not None:
            return number
    return None


def _ollama_context(detail: Mapping[str, Any]) -> int | None:
    """``num_ctx`` from the Modelfile parameters (what is served), else the model's own."""
    for line in str(detail.get("parameters") or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "num_ctx":
            return _int(parts[1])
    info = _dict(detail.get("model_info"))
    arch = info.get("general.architecture")
    if isinstance(arch, str):
        return _int(info.get(f"{arch}.context_length"))
    return _first_int(*(v for k, v in info.items() if k.endswith(".context_length")))


def server_profile(
    entry: Mapping[str, Any] | None, detail: Mapping[str, Any] | None
) -> ModelProfile:
    """Profile keys from a ``/models`` entry and the server's detail reply (either may be absent).

    Read, by server:

    * vLLM / SGLang: ``max_model_len`` (prompt + output share it).
    * OpenRouter: ``context_length`` (or ``top_provider.context_length``),
      ``top_provider.max_completion_tokens``, ``architecture.input_modalities`` and
      ``supported_parameters`` (``tools``, ``tool_choice``, ``structured_outputs``,
      ``reasoning``) (https://openrouter.ai/docs/models).
    * LM Studio: ``max_context_length``, ``type == "vlm"``.
    * llama.cpp: ``/props`` ``default_generation_settings.n_ctx`` and ``modalities``, else the
      ``/models`` entry's ``meta.n_ctx``, else ``meta.n_ctx_train``.
    * Ollama: ``/api/show`` ``num_ctx`` / ``<arch>.context_length`` and ``capabilities``.
    * Others: a ``context_length`` / ``context_window`` / ``max_context_length`` field.

    A context length the server reports is the whole window, prompt and answer together; it
    becomes ``max_input_tokens`` (the bound a prompt can never exceed), and a separate output
    cap, where one is reported, ``max_output_tokens``.
    """
    entry = entry or {}
    detail = detail or {}
    out: ModelProfile = {}
    meta = _dict(entry.get("meta"))
    top = _dict(entry.get("top_provider"))
    settings = _dict(detail.get("default_generation_settings"))
    context = _first_int(
        settings.get("n_ctx"),
        detail.get("max_context_length"),
        _ollama_context(detail) if "model_info" in detail or "parameters" in detail else None,
        entry.get("max_model_len"),
        entry.get("context_length"),
        top.get("context_length"),
        entry.get("max_context_length"),
        entry.get("context_window"),
        meta.get("n_ctx"),
        meta.get("n_ctx_train"),
    )
    if context is not None:
        out["max_input_tokens"] = context
    output = _first_int(top.get("max_completion_tokens"), entry.get("max_output_tokens"))
    if output is not None:
        out["max_output_tokens"] = output

    modalities = _dict(entry.get("architecture")).get("input_modalities")
    if isinstance(modalities, list):
        out["text_inputs"] = "text" in modalities
        out["image_inputs"] = "image" in modalities
        out["audio_inputs"] = "audio" in modalities
        out["video_inputs"] = "video" in modalities
        out["pdf_inputs"] = "file" in modalities
    supported = entry.get("supported_parameters")
    if isinstance(supported, list):
        out["tool_calling"] = "tools" in supported
        out["tool_choice"] = "tool_choice" in supported
        out["structured_output"] = "structured_outputs" in supported
        out["reasoning_output"] = "reasoning" in supported or "include_reasoning" in supported

    lm_type = detail.get("type", entry.get("type"))
    if lm_type in ("llm", "vlm"):
        out["image_inputs"] = lm_type == "vlm"
    capabilities = detail.get("capabilities")
    if isinstance(capabilities, list) and ("model_info" in detail or "template" in detail):
        out["tool_calling"] = "tools" in capabilities
        out["image_inputs"] = "vision" in capabilities
        out["reasoning_output"] = "thinking" in capabilities
    props_modalities = _dict(detail.get("modalities"))  # llama.cpp /props
    if "vision" in props_modalities:
        out["image_inputs"] = bool(props_modalities["vision"])
    if "audio" in props_modalities:
        out["audio_inputs"] = bool(props_modalities["audio"])
    return out


def merge_profiles(*profiles: ModelProfile | None) -> ModelProfile:
    """Later profiles win key by key; ``None`` entries are skipped."""
    out: dict[str, Any] = {}
    for profile in profiles:
        if profile:
            out.update(profile)
    return cast(ModelProfile, out)
