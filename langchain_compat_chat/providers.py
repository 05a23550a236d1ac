"""Provider presets: the few facts in which OpenAI-compatible servers differ.

A :class:`ProviderProfile` is plain data. The request builder and the response parser read its
switches; nothing else in the package knows a provider by name. Users add their own with
:func:`register_provider`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_compat_chat._wire.think import ThinkTags

__all__ = ["ProviderProfile", "get_provider", "known_providers", "register_provider"]

ThinkingStyle = Literal[
    "none",  # the server has no switch; reasoning models just reason
    "reasoning_effort",  # top-level "reasoning_effort", one of effort_levels (OpenAI, Groq...)
    "enable_thinking",  # top-level "enable_thinking" (+ "thinking_budget"): DashScope
    "chat_template_kwargs",  # "chat_template_kwargs": {"enable_thinking": ...}: vLLM, SGLang
    "reasoning_object",  # "reasoning": {"effort"|"max_tokens"|"enabled"}: OpenRouter
    "thinking_object",  # "thinking": {"type": "enabled"|"disabled"}: DeepSeek, Zhipu, Moonshot
    "thinking_budget",  # "thinking": {"type": "enabled", "budget_tokens": n}: Anthropic
    "thinking_adaptive",  # "thinking": {"type": "adaptive"|"disabled"}: Claude Opus 4.7+
]


@dataclass(frozen=True)
class ProviderProfile:
    """How one provider's Chat Completions dialect differs from OpenAI's.

    Attributes:
        name: Preset name users pass as ``provider=``.
        ls_provider: Provider name reported to LangSmith (``ls_provider``).
        model_provider: ``response_metadata["model_provider"]`` when it must differ from
            ``name``. langchain-core picks a ``content_blocks`` translator by this string,
            and its ``"openai"`` one (written for ``ChatOpenAI``) drops
            ``reasoning_content``, so the openai preset reports ``"openai-compat"``.
        base_url: Default base URL, used when neither the argument nor an env var gives one.
        api_key_env: Env vars read, in order, for the key when none is passed.
        base_url_env: Env vars read, in order, for the base URL when none is passed.
        requires_api_key: Whether a request without a key is pointless (hosted APIs).
        auth_header: ``"authorization"`` sends ``Bearer <key>``; ``"api-key"`` is Azure's way.
        default_query: Query parameters every request needs (Azure's ``api-version``).
        default_headers: Headers every request needs (OpenRouter's app attribution).
        max_tokens_param: The name under which ``max_tokens`` goes on the wire.
        stream_usage: Whether the server accepts ``stream_options.include_usage``.
        tool_choice_any: What ``tool_choice="any"``/``"required"`` is sent as.
        supports_tool_choice_object: Whether a ``{"type": "function", ...}`` choice is accepted.
        drop_params: Top-level request fields removed before sending (the server rejects them).
        rename_params: Top-level request fields sent under another name (Mistral's
            ``random_seed`` for ``seed``).
        allow_message_name: Whether ``messages[].name`` may be sent (Mistral answers 422).
        echo_reasoning: Send earlier assistant turns' reasoning back as ``reasoning_content``
            (DeepSeek and Kimi thinking mode with tools answer 400 without it; GLM uses it
            for "preserved thinking").
        echo_reasoning_details: Send earlier turns' ``reasoning_details`` back verbatim
            (OpenRouter continues reasoning across tool calls from them; strict servers such
            as Mistral answer 422 to the unknown field, so it is off elsewhere).
        system_role: Role used for system messages (``"developer"`` for OpenAI o-series).
        tool_content: ``"auto"`` sends a tool result as text when it is all text, else as a list;
            ``"string"`` always flattens to text for servers that reject lists.
        tool_media: ``"user_message"`` moves images/files a tool returned into a user message
            right after the tool results (Chat Completions allows only text in tool
            messages); ``"inline"`` leaves them in the tool message for servers that take it.
        thinking_style: How the ``thinking=`` knob is switched on for this server.
        effort_levels: The ``reasoning_effort`` values the server accepts, weakest first
            (xAI takes only ``low``/``high``, Mistral only ``high``).
        effort_off: The ``reasoning_effort`` that switches reasoning off (Mistral ``"none"``);
            ``None`` sends nothing for ``thinking=False``.
        tool_call_id_style: ``"mistral9"`` rewrites outgoing tool-call ids to 9 alphanumerics.
        supports_video: Whether ``video_url`` / frame-list content is accepted (Qwen-VL).
        think_tags: Default for the model's ``think_tags``: split ``<think>...</think>`` out
            of content. Off in every preset: servers that know the model parse reasoning
            themselves (vLLM/SGLang ``--reasoning-parser``, llama.cpp's default
            ``--reasoning-format``, Ollama, LM Studio), and splitting an answer that merely
            mentions the tag would corrupt it. Switch it on per deployment.

    """

    name: str
    ls_provider: str
    model_provider: str | None = None
    base_url: str | None = None
    api_key_env: tuple[str, ...] = ()
    base_url_env: tuple[str, ...] = ()
    requires_api_key: bool = False
    auth_header: Literal["authorization", "api-key"] = "authorization"
    default_query: Mapping[str, str] = field(default_factory=dict)
    default_headers: Mapping[str, str] = field(default_factory=dict)
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    stream_usage: bool = True
    tool_choice_any: str = "required"
    supports_tool_choice_object: bool = True
    drop_params: frozenset[str] = frozenset()
    rename_params: Mapping[str, str] = field(default_factory=dict)
    allow_message_name: bool = True
    echo_reasoning: bool = False
    echo_reasoning_details: bool = False
    system_role: Literal["system", "developer"] = "system"
    tool_content: Literal["auto", "string"] = "auto"
    tool_media: Literal["inline", "user_message"] = "user_message"
    thinking_style: ThinkingStyle = "reasoning_effort"
    effort_levels: tuple[str, ...] = ("low", "medium", "high")
    effort_off: str | None = None
    tool_call_id_style: Literal["any", "mistral9"] = "any"
    supports_video: bool = False
    think_tags: ThinkTags = False

    def replace(self, **changes: Any) -> ProviderProfile:
        """Return a copy with some switches changed, e.g. for a self-hosted variant."""
        return dataclasses.replace(self, **changes)


_GENERIC_ENV = ("COMPAT_API_KEY",)
_GENERIC_URL_ENV = ("COMPAT_BASE_URL",)


def _hosted(name: str, base_url: str | None, key_env: str, **kw: Any) -> ProviderProfile:
    return ProviderProfile(
        name=name,
        ls_provider=kw.pop("ls_provider", name),
        base_url=base_url,
        api_key_env=(key_env, *_GENERIC_ENV),
        base_url_env=kw.pop(
            "base_url_env", (f"{key_env.rsplit('_API_KEY', 1)[0]}_BASE_URL", *_GENERIC_URL_ENV)
        ),
        requires_api_key=True,
        **kw,
    )


def _local(name: str, base_url: str, env_prefix: str, **kw: Any) -> ProviderProfile:
    return ProviderProfile(
        name=name,
        ls_provider=kw.pop("ls_provider", name),
        base_url=base_url,
        api_key_env=(f"{env_prefix}_API_KEY", *_GENERIC_ENV),
        base_url_env=(f"{env_prefix}_BASE_URL", *_GENERIC_URL_ENV),
        **kw,
    )


_PRESETS: dict[str, ProviderProfile] = {
    p.name: p
    for p in (
        ProviderProfile(
            name="generic",
            ls_provider="openai-compatible",
            model_provider="compat",
            api_key_env=_GENERIC_ENV,
            base_url_env=_GENERIC_URL_ENV,
        ),
        _hosted(
            "openai",
            "https://api.openai.com/v1",
            "OPENAI_API_KEY",
            model_provider="openai-compat",
            max_tokens_param="max_completion_tokens",
        ),
        _hosted(
            "azure",
            None,
            "AZURE_OPENAI_API_KEY",
            auth_header="api-key",
            default_query={"api-version": "2024-10-21"},
            max_tokens_param="max_completion_tokens",
            base_url_env=("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_BASE_URL", *_GENERIC_URL_ENV),
        ),
        _hosted(
            "deepseek",
            "https://api.deepseek.com/v1",
            "DEEPSEEK_API_KEY",
            echo_reasoning=True,
            thinking_style="thinking_object",
        ),
        _hosted(
            "dashscope",
            "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY",
            thinking_style="enable_thinking",
            supports_video=True,
            tool_content="string",
        ),
        _local(
            "vllm",
            "http://localhost:8000/v1",
            "VLLM",
            thinking_style="chat_template_kwargs",
            supports_video=True,
        ),
        _local(
            "sglang", "http://localhost:30000/v1", "SGLANG", thinking_style="chat_template_kwargs"
        ),
        # Ollama's /v1 takes reasoning_effort ("none" switches thinking off); its top-level
        # "think" flag belongs to the native /api/chat and is ignored here.
        _local("ollama", "http://localhost:11434/v1", "OLLAMA", effort_off="none"),
        _local(
            "llamacpp",
            "http://localhost:8080/v1",
            "LLAMACPP",
            thinking_style="chat_template_kwargs",
            supports_tool_choice_object=False,  # llama.cpp treats an object choice as "auto"
        ),
        _local("lmstudio", "http://localhost:1234/v1", "LMSTUDIO", thinking_style="none"),
        _hosted(
            "openrouter",
            "https://openrouter.ai/api/v1",
            "OPENROUTER_API_KEY",
            default_headers={"X-Title": "langchain-compat-chat"},
            echo_reasoning_details=True,
            thinking_style="reasoning_object",
        ),
        _hosted(
            "gemini",
            "https://generativelanguage.googleapis.com/v1beta/openai",
            "GEMINI_API_KEY",
            ls_provider="google",
            drop_params=frozenset({"frequency_penalty", "presence_penalty", "logit_bias"}),
        ),
        _hosted(
            "mistral",
            "https://api.mistral.ai/v1",
            "MISTRAL_API_KEY",
            allow_message_name=False,
            tool_choice_any="any",
            tool_call_id_style="mistral9",
            drop_params=frozenset({"logit_bias", "logprobs", "top_logprobs", "stream_options"}),
            rename_params={"seed": "random_seed"},
            stream_usage=False,
            effort_levels=("high",),
            effort_off="none",
        ),
        _hosted(
            "groq",
            "https://api.groq.com/openai/v1",
            "GROQ_API_KEY",
            drop_params=frozenset({"logit_bias", "top_logprobs"}),
        ),
        _hosted("together", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
        _hosted("fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
        _hosted(
            "moonshot",
            "https://api.moonshot.ai/v1",
            "MOONSHOT_API_KEY",
            echo_reasoning=True,
            thinking_style="thinking_object",
        ),
        _hosted(
            "zhipu",
            "https://open.bigmodel.cn/api/paas/v4",
            "ZHIPUAI_API_KEY",
            echo_reasoning=True,
            thinking_style="thinking_object",
        ),
        _hosted("xai", "https://api.x.ai/v1", "XAI_API_KEY", effort_levels=("low", "high")),
        _hosted(
            "perplexity",
            "https://api.perplexity.ai",
            "PERPLEXITY_API_KEY",
            thinking_style="none",
        ),
        # Anthropic's OpenAI SDK compatibility layer: https://docs.anthropic.com/en/api/openai-sdk
        _hosted(
            "anthropic",
            "https://api.anthropic.com/v1",
            "ANTHROPIC_API_KEY",
            # langchain-core's "anthropic" content-blocks translator drops reasoning_content
            model_provider="anthropic-compat",
            thinking_style="thinking_budget",
        ),
        # https://platform.minimax.io/docs/api-reference/text-openai-api (always thinks)
        _hosted("minimax", "https://api.minimax.io/v1", "MINIMAX_API_KEY", thinking_style="none"),
        # https://inference-docs.cerebras.ai/resources/openai
        _hosted("cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
        # https://docs.sambanova.ai/cloud/docs/get-started/overview
        _hosted("sambanova", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY"),
        # https://deepinfra.com/docs/openai_api
        _hosted("deepinfra", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY"),
        # https://docs.nebius.com/studio/inference/api
        _hosted("nebius", "https://api.studio.nebius.com/v1", "NEBIUS_API_KEY"),
        # https://docs.api.nvidia.com/nim/reference/llm-apis
        _hosted("nvidia", "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY"),
        # https://docs.siliconflow.cn/cn/api-reference/chat-completions/chat-completions
        _hosted(
            "siliconflow",
            "https://api.siliconflow.cn/v1",
            "SILICONFLOW_API_KEY",
            thinking_style="enable_thinking",
        ),
        # https://www.volcengine.com/docs/82379/1494384 (Ark Chat API)
        _hosted(
            "volcengine",
            "https://ark.cn-beijing.volces.com/api/v3",
            "ARK_API_KEY",
            thinking_style="thinking_object",
        ),
        # https://huggingface.co/docs/inference-providers/index
        _hosted(
            "huggingface",
            "https://router.huggingface.co/v1",
            "HF_TOKEN",
            base_url_env=("HF_BASE_URL", *_GENERIC_URL_ENV),
        ),
    )
}
_LOCK = threading.Lock()


def known_providers() -> list[str]:
    """Names accepted by ``provider=``, sorted."""
    return sorted(_PRESETS)


def get_provider(name: str | ProviderProfile | None) -> ProviderProfile:
    """Resolve a preset name (or pass a profile through).

    Raises:
        ValueError: The name is unknown; the message lists the known ones.

    """
    if isinstance(name, ProviderProfile):
        return name
    raw = (name or "generic").lower()
    key = raw.replace("-", "").replace("_", "").replace(".", "")
    aliases = {
        "qwen": "dashscope",
        "google": "gemini",
        "grok": "xai",
        "azureopenai": "azure",
        "claude": "anthropic",
        "hf": "huggingface",
        "ark": "volcengine",
        "doubao": "volcengine",
        "nim": "nvidia",
    }
    for candidate in (raw, key, aliases.get(key, key)):
        if candidate in _PRESETS:
            return _PRESETS[candidate]
    msg = f"Unknown provider {name!r}. Known providers: {', '.join(known_providers())}."
    raise ValueError(msg)


def register_provider(profile: ProviderProfile, *, replace: bool = False) -> None:
    """Make a custom profile available by name to ``provider=`` and ``for_provider``.

    Raises:
        ValueError: A preset of that name exists and ``replace`` is false.

    """
    with _LOCK:
        if profile.name in _PRESETS and not replace:
            msg = f"Provider {profile.name!r} already exists; pass replace=True to override it."
            raise ValueError(msg)
        _PRESETS[profile.name] = profile
