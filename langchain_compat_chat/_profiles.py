"""Model profiles (``model.profile``): a declared table, the dialect's facts, and server replies.

langchain-core reads ``BaseChatModel.profile`` (a ``ModelProfile`` TypedDict) for context
limits and capabilities: ``SummarizationMiddleware`` needs ``max_input_tokens`` for fractional
limits, ``create_agent`` picks its structured-output strategy from ``structured_output``.
Three sources fill it, merged in this order (a later one wins key by key):

1. :data:`MODEL_TABLE` (declared in :mod:`._profile_table`, data, not code): the flagship
   models of the hosted presets, with facts taken from the providers' own model pages (each
   entry names its page). A fact the page does not state is left out rather than guessed.
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

from langchain_compat_chat._profile_table import MODEL_TABLE

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


# -- 1. the declared table (its entries are in _profile_table.py) --------------------------------
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
      ``"required"`` though not a named choice (``supports_tool_choice_object``). A model the
      table says refuses a forced call (``tool_choice: False``, e.g. Claude Opus 5.5) keeps
      that fact: the wire can send the choice, the model answers it with an error.
    * ``video_inputs``: a preset that cannot send video parts (``supports_video=False``)
      drops them, whatever the model could read.
    * ``image_tool_message``: images returned by a tool reach the model (moved into a user
      message where the dialect needs it, see ``tool_media``) when it takes images.
    """
    out: ModelProfile = {}
    if known.get("tool_calling"):
        out["tool_call_streaming"] = True
        out["tool_choice"] = known.get("tool_choice", True)
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
    * Cerebras ``GET /public/v1/models/{model}``: ``limits`` (``max_context_length``,
      ``max_completion_tokens``) and ``capabilities``, which the keyed ``/v1/models`` listing
      lacks; the public endpoint needs no key and answers one model as an ``object: model``
      (https://inference-docs.cerebras.ai/api-reference/models/public-models).
    """
    if preset == "llamacpp":
        return ("GET", "/props", None)
    if preset == "ollama":
        return ("POST", "/api/show", json.dumps({"model": model}).encode())
    if preset == "lmstudio":
        return ("GET", f"/api/v0/models/{model}", None)
    if preset == "cerebras":
        return ("GET", f"/public/v1/models/{model}", None)
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


_CAPABILITY_FLAGS: Mapping[str, str] = {
    # A ``capabilities`` object of booleans, key -> profile key. Mistral's /v1/models cards
    # carry completion_chat, function_calling and vision (https://docs.mistral.ai/api/#tag/models,
    # ModelCapabilities); Cerebras' public models carry tools, tool_choice,
    # structured_outputs, reasoning and vision
    # (https://inference-docs.cerebras.ai/api-reference/models/public-models).
    "function_calling": "tool_calling",
    "tools": "tool_calling",
    "tool_choice": "tool_choice",
    "structured_outputs": "structured_output",
    "vision": "image_inputs",
    "reasoning": "reasoning_output",
}


def _capability_flags(*sources: Mapping[str, Any]) -> ModelProfile:
    """Profile keys from ``capabilities`` objects; a key is true when any flag for it is.

    Lists (Ollama's ``capabilities``, LM Studio's) are not this shape and are skipped here.
    """
    out: dict[str, bool] = {}
    for source in sources:
        capabilities = source.get("capabilities")
        if not isinstance(capabilities, Mapping):
            continue
        for flag, key in _CAPABILITY_FLAGS.items():
            value = capabilities.get(flag)
            if isinstance(value, bool):
                out[key] = out.get(key, False) or value
    return cast(ModelProfile, out)


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
    * Cerebras: the public model's ``limits.max_context_length`` and
      ``limits.max_completion_tokens`` and its ``capabilities`` object.
    * Mistral: ``max_context_length`` and the ``capabilities`` object.
    * SambaNova: ``context_length`` and ``max_completion_tokens``
      (https://docs.sambanova.ai/docs/api-reference/models/get-environments-available-model-list-metadata).
    * Together (a bare list): ``context_length`` (https://docs.together.ai/reference/models).
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
    limits = _dict(detail.get("limits")) or _dict(entry.get("limits"))  # Cerebras
    context = _first_int(
        settings.get("n_ctx"),
        detail.get("max_context_length"),
        limits.get("max_context_length"),
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
    output = _first_int(
        limits.get("max_completion_tokens"),
        top.get("max_completion_tokens"),
        entry.get("max_completion_tokens"),
        entry.get("max_output_tokens"),
    )
    if output is not None:
        out["max_output_tokens"] = output
    out.update(_capability_flags(entry, detail))

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
