"""The declared dialect facts: model families and the rules, each with its public evidence.

Pure data read by :func:`langchain_compat_chat.dialects.resolve_dialect` (see its module
docstring for the order). A rule's ``set`` holds ``Dialect`` field values; a new provider
fact is one more :class:`DialectRule` here, never code in the body builder. Claude's rules,
which differ model by model, are :mod:`._claude_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FAMILIES", "RULES", "DialectRule"]


@dataclass(frozen=True)
class DialectRule:
    """One declared fact: fields ``set`` for a family and/or endpoint, with its evidence.

    Attributes:
        name: Short label shown in ``Dialect.rules`` and error messages.
        set: The fields this rule sets.
        family: The model family it applies to (``None``: any model on ``endpoints``).
        endpoints: Presets it applies to (``None``: every endpoint).
        model: A regex the (lower-cased) model name must also match.
        evidence: Public URLs the rule rests on.
        pin: An endpoint fact that holds whatever the model family says, so it is applied
            after the family rules (a self-hosted server's own validation, not the vendor's).

    """

    name: str
    set: Mapping[str, Any]
    family: str | None = None
    endpoints: frozenset[str] | None = None
    model: str | None = None
    evidence: tuple[str, ...] = ()
    pin: bool = False

    def matches(self, endpoint: str, family: str | None, model: str) -> bool:
        """Whether the rule applies to this model on this endpoint."""
        if self.family is not None and self.family != family:
            return False
        if self.endpoints is not None and endpoint not in self.endpoints:
            return False
        return self.model is None or re.search(self.model, model) is not None


# Model families, recognised by the first pattern found in the lower-cased model name.
# Order matters: "DeepSeek-R1-Distill-Qwen" thinks like DeepSeek R1, "gpt-oss" is not GPT-4.

FAMILIES: tuple[tuple[str, str], ...] = (
    ("gpt-oss", r"gpt-oss"),
    ("deepseek", r"deepseek"),
    ("kimi", r"kimi|moonshot"),
    ("qwen", r"qwen|qwq"),
    ("glm", r"glm|zai-org|chatglm"),
    ("minimax", r"minimax"),
    ("gemini", r"gemini"),
    ("claude", r"claude"),
    ("grok", r"grok"),
    ("mistral", r"mistral|magistral|devstral|codestral|ministral|mixtral"),
    ("llama", r"llama"),
)

_DEEPSEEK_DOCS = "https://api-docs.deepseek.com/guides/thinking_mode"
_KIMI_DOCS = "https://platform.kimi.ai/docs/guide/use-thinking-models"
_VLLM_ECHO = "https://github.com/vllm-project/vllm/issues/38488"


def _on(*names: str) -> frozenset[str]:
    return frozenset(names)


# Endpoint-wide rules (family=None) first, then family rules; resolve_dialect applies the
# endpoint-wide ones, then family rules valid everywhere, then family rules for this endpoint.
RULES: tuple[DialectRule, ...] = (
    # -- endpoints ---------------------------------------------------------------------------
    DialectRule(
        "vllm-echo-as-reasoning",
        {"echo_reasoning": "reasoning", "reasoning_out": "reasoning"},
        endpoints=_on("vllm"),
        # vLLM >= 0.16 reads only `reasoning` on input and silently drops `reasoning_content`,
        # whichever field an older version answered in.
        evidence=(_VLLM_ECHO, "https://docs.vllm.ai/en/latest/features/reasoning_outputs.html"),
    ),
    DialectRule(
        "template-key-per-family",
        {"template_thinking_key": None},
        endpoints=_on("vllm", "sglang"),
        # The chat_template_kwargs key belongs to the model's template (Qwen3 enable_thinking,
        # DeepSeek V3.1 `thinking`), so none until the family says which: a Qwen3 toggle used
        # to go to every model.
        evidence=("https://docs.sglang.ai/advanced_features/separate_reasoning.html",),
    ),
    DialectRule(
        "sglang-echo-as-reasoning-content",
        {"echo_reasoning": "reasoning_content"},
        endpoints=_on("sglang"),
        # SGLang's input message model has a `reasoning_content` field (handed to the chat
        # template) and no `reasoning`, which pydantic drops: whatever field the answer
        # came in, it goes back in reasoning_content.
        evidence=(
            "https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/entrypoints/openai/protocol.py",
            "https://docs.sglang.ai/advanced_features/separate_reasoning.html",
        ),
    ),
    DialectRule(
        "groq-no-echo",
        {"echo_reasoning": "off", "echo_turns": "none", "reasoning_out": "reasoning"},
        endpoints=_on("groq"),
        # "property 'reasoning' is unsupported" / "property 'reasoning_content' is unsupported"
        evidence=(
            "https://github.com/karthink/gptel/issues/774",
            "https://github.com/janhq/jan/issues/8136",
        ),
        # Groq: include_reasoning and reasoning_format are mutually exclusive.
    ),
    DialectRule(
        "groq-one-reasoning-switch",
        {"exclusive_params": (("include_reasoning", "reasoning_format"),)},
        endpoints=_on("groq"),
        evidence=("https://console.groq.com/docs/reasoning",),
    ),
    DialectRule(
        "mistral-no-echo",
        {"echo_reasoning": "off", "echo_turns": "none", "reasoning_out": "thinking parts"},
        endpoints=_on("mistral"),
        # Mistral answers 422 to unknown message fields (extra_forbidden).
        evidence=("https://docs.mistral.ai/api/#tag/chat",),
    ),
    DialectRule(
        "openrouter-details-only",
        {
            "echo_reasoning": "off",
            "echo_reasoning_details": True,
            "reasoning_out": "reasoning + reasoning_details",
        },
        endpoints=_on("openrouter"),
        evidence=("https://openrouter.ai/docs/use-cases/reasoning-tokens",),
    ),
    DialectRule(
        "openrouter-top-level-cache-control",
        {"cache_control_top_level": True},
        endpoints=_on("openrouter"),
        # "When set at the top level, the system automatically applies cache breakpoints to
        # the last cacheable block in the request" (OpenRouter's cache_control directive);
        # the same field as Anthropic's automatic caching.
        evidence=(
            "https://openrouter.ai/docs/features/prompt-caching",
            "https://openrouter.ai/docs/client-sdks/python/components/anthropiccachecontroldirective",
            "https://docs.claude.com/en/docs/build-with-claude/prompt-caching",
        ),
    ),
    DialectRule(
        "no-reasoning-fields",
        {"echo_reasoning": "off", "echo_turns": "none"},
        endpoints=_on("openai", "azure", "gemini"),
        # OpenAI's Chat Completions never returns reasoning text; Gemini round-trips its thought
        # signatures in tool-call extra_content, which always goes back.
        evidence=("https://ai.google.dev/gemini-api/docs/openai#thinking",),
    ),
    DialectRule(
        "vendor-reasoning-content",
        {"reasoning_out": "reasoning_content"},
        endpoints=_on("deepseek", "moonshot", "zhipu", "sglang", "xai"),
        evidence=(
            _DEEPSEEK_DOCS,
            _KIMI_DOCS,
            "https://docs.sglang.ai/advanced_features/separate_reasoning.html",
            "https://docs.x.ai/docs/guides/reasoning",
        ),
    ),
    DialectRule(
        "ollama-reasoning",
        {"reasoning_out": "reasoning", "echo_reasoning": "reasoning"},
        endpoints=_on("ollama"),
        # /v1 reads an input assistant message's reasoning only from `reasoning` (into the
        # native `thinking`); an unknown `reasoning_content` is dropped by the JSON decoder.
        evidence=(
            "https://docs.ollama.com/api/openai-compatibility",
            "https://github.com/ollama/ollama/blob/main/openai/openai.go",
        ),
    ),
    DialectRule(
        "gemini-signatures",
        {"reasoning_out": "not sent (thought signatures in tool-call extra_content)"},
        endpoints=_on("gemini"),
        evidence=("https://ai.google.dev/gemini-api/docs/thought-signatures",),
    ),
    DialectRule(
        "anthropic-no-thinking-text",
        {"echo_reasoning": "off", "echo_turns": "none", "reasoning_out": "not returned"},
        endpoints=_on("anthropic"),
        # The compatibility layer does not return thinking text, so there is nothing to echo.
        evidence=("https://docs.anthropic.com/en/api/openai-sdk",),
    ),
    DialectRule(
        "cerebras-no-echo",
        {"echo_reasoning": "off", "echo_turns": "none", "reasoning_out": "reasoning"},
        endpoints=_on("cerebras"),
        # Cerebras validates input messages strictly: "messages.2.assistant.reasoning_content:
        # property '...' is unsupported" (400, wrong_api_format) on the second turn of
        # gpt-oss-120b and zai-glm. Some clients replay `reasoning` there instead, but no
        # Cerebras page we could read says it is accepted on input, and nothing fails without
        # it, so no reasoning key goes back (the conservative choice).
        evidence=(
            "https://inference-docs.cerebras.ai/capabilities/reasoning",
            "https://github.com/Kilo-Org/kilocode/issues/10375",
            "https://github.com/NousResearch/hermes-agent/issues/34716",
        ),
    ),
    DialectRule(
        "sambanova-no-echo",
        {"echo_reasoning": "off", "echo_turns": "none"},
        endpoints=_on("sambanova"),
        # SambaNova validates input messages strictly like Mistral, Cerebras and Groq and
        # answers 400/422 to a reasoning_content key on them, even an empty one; nothing
        # there needs the echo.
        evidence=(
            "https://github.com/NousResearch/hermes-agent/blob/main/agent/message_sanitization.py",
            "https://github.com/NousResearch/hermes-agent/issues/45655",
        ),
    ),
    DialectRule(
        "hf-strict-backend-no-echo",
        {"echo_reasoning": "off", "echo_turns": "none"},
        endpoints=_on("huggingface"),
        model=r":(groq|cerebras|sambanova)$",
        # The router forwards to the provider named after the colon; Groq, Cerebras and
        # SambaNova answer 400 to reasoning keys on input messages (see their rules).
        evidence=(
            "https://huggingface.co/docs/inference-providers/index",
            "https://github.com/karthink/gptel/issues/774",
            "https://github.com/Kilo-Org/kilocode/issues/10375",
        ),
        pin=True,
    ),
    DialectRule(
        "minimax-think-in-content",
        {"reasoning_out": "<think> in content (reasoning_details with reasoning_split)"},
        endpoints=_on("minimax"),
        evidence=("https://platform.minimax.io/docs/guides/text-m2-function-call",),
    ),
    DialectRule(
        "reasoning-content-out",
        {"reasoning_out": "reasoning_content"},
        endpoints=_on("siliconflow", "volcengine"),
        evidence=(
            "https://docs.siliconflow.cn/cn/userguide/capabilities/reasoning",
            "https://www.volcengine.com/docs/82379/1449737",
        ),
    ),
    DialectRule(
        "no-echo-needed",
        {"echo_reasoning": "off", "echo_turns": "none"},
        endpoints=_on("xai", "perplexity"),
        # Neither asks for earlier reasoning back: xAI's reasoning_content is read-only output,
        # Perplexity's reasoning models put <think> in the content.
        evidence=(
            "https://docs.x.ai/docs/guides/reasoning",
            "https://docs.perplexity.ai/guides/reasoning",
        ),
    ),
    DialectRule(
        "dashscope-echo",
        {"echo_reasoning": "reasoning_content", "reasoning_out": "reasoning_content"},
        endpoints=_on("dashscope"),
        evidence=(
            "https://www.alibabacloud.com/help/en/model-studio/deep-thinking",
            "https://github.com/QwenLM/qwen-code/issues/7659",
        ),
    ),
    DialectRule(
        "self-hosted-forced-tool",
        {"forced_tool": "allowed", "echo_placeholder": None},
        endpoints=_on("vllm", "sglang", "llamacpp", "ollama", "lmstudio"),
        # The 400 for a forced tool while thinking is the vendors' API validation (DeepSeek,
        # Moonshot, DashScope); an inference server forces the tool with guided decoding after
        # the reasoning, whatever the model. Nor does it insist on an echo on every turn, so
        # no placeholder reasoning goes into its chat template.
        evidence=(
            "https://docs.vllm.ai/en/latest/features/tool_calling.html",
            "https://docs.vllm.ai/en/latest/features/reasoning_outputs.html",
        ),
        pin=True,
    ),
    # -- families, any endpoint --------------------------------------------------------------
    DialectRule(
        "deepseek-thinking",
        {
            "echo_turns": "all",
            "thinking_default": True,
            "forced_tool": "disable_thinking",
            "template_thinking_key": "thinking",
            "echo_placeholder": " ",
        },
        family="deepseek",
        # V4 thinks by default; thinking mode rejects a forced tool_choice ("Thinking mode
        # does not support this tool_choice") and works with thinking disabled; tool-call
        # turns need their reasoning_content back, every one of them once one has it (a
        # turn without reasoning gets a placeholder; V4 Pro refuses an empty string).
        evidence=(
            _DEEPSEEK_DOCS,
            "https://github.com/deepseek-ai/DeepSeek-V3/issues/1376",
            "https://github.com/langchain-ai/langchain/issues/40769",
            "https://github.com/langchain-ai/langchain/issues/39370",
            "https://github.com/earendil-works/pi/issues/3835",
            "https://github.com/NousResearch/hermes-agent/blob/main/agent/message_sanitization.py",
        ),
    ),
    DialectRule(
        "deepseek-always-thinks",
        {"forced_tool": "auto_and_check", "template_thinking_key": None},
        family="deepseek",
        model=r"reasoner|(?<![a-z])r1",
        evidence=(_DEEPSEEK_DOCS,),
    ),
    DialectRule(
        "kimi-thinking",
        {
            "echo_turns": "all",
            "thinking_default": True,
            "forced_tool": "disable_thinking",
            "template_thinking_key": "thinking",
            "exclusive_params": (("thinking", "reasoning_effort"),),
            "echo_placeholder": " ",
        },
        family="kimi",
        # Moonshot: "cannot specify both 'thinking' and 'reasoning_effort'"; thinking mode
        # accepts tool_choice auto/none only; reasoning_content must come back with tools,
        # on every tool-call turn ("reasoning_content is missing in assistant tool call
        # message at index N"), so one without reasoning gets a placeholder.
        evidence=(
            _KIMI_DOCS,
            "https://github.com/HKUDS/nanobot/pull/3940",
            "https://github.com/MoonshotAI/kimi-cli/pull/2499",
        ),
    ),
    DialectRule(
        "kimi-thinking-only",
        {"forced_tool": "auto_and_check", "template_thinking_key": None},
        family="kimi",
        model=r"thinking",
        evidence=(_KIMI_DOCS,),
    ),
    DialectRule(
        "kimi-instruct-no-thinking",
        {
            "thinking_default": False,
            "forced_tool": "allowed",
            "template_thinking_key": None,
            "echo_turns": "tool_calls",
            "echo_placeholder": None,
        },
        family="kimi",
        model=r"instruct|k2-0711|k2-0905|k2-turbo|moonshot-v1",
        # Kimi-K2-Instruct (0711/0905, the -preview and -turbo API names) and moonshot-v1 are
        # not reasoning models: no thinking to switch off, so a forced tool goes out as is
        # (Groq serves moonshotai/kimi-k2-instruct-0905 and takes tool_choice "required").
        evidence=(
            "https://huggingface.co/moonshotai/Kimi-K2-Instruct-0905",
            "https://console.groq.com/docs/model/moonshotai/kimi-k2-instruct-0905",
        ),
    ),
    DialectRule(
        "kimi-k3-effort-only",
        {
            "thinking_style": "reasoning_effort",
            "effort_levels": ("low", "high", "max"),
            "effort_off": None,
            "forced_tool": "auto_and_check",
        },
        family="kimi",
        model=r"k3",
        endpoints=_on("moonshot", "generic"),
        # K3 always reasons and takes only top-level reasoning_effort (low/high/max).
        evidence=(
            "https://platform.kimi.ai/docs/guide/use-reasoning-effort",
            "https://github.com/HKUDS/nanobot/issues/3939",
        ),
    ),
    DialectRule(
        "qwen3-thinking",
        {"forced_tool": "disable_thinking", "template_thinking_key": "enable_thinking"},
        family="qwen",
        # DashScope: thinking mode takes tool_choice auto/none only; langchain-qwq switches
        # thinking off for structured output.
        evidence=(
            "https://github.com/QwenLM/qwen-code/issues/7659",
            "https://qwen.readthedocs.io/en/latest/deployment/vllm.html",
        ),
    ),
    DialectRule(
        "qwen-thinking-only",
        {"forced_tool": "auto_and_check", "template_thinking_key": None, "thinking_default": True},
        family="qwen",
        model=r"qwq|thinking",
        evidence=("https://huggingface.co/Qwen/Qwen3-235B-A22B-Thinking-2507",),
    ),
    DialectRule(
        "glm-thinking",
        {
            "echo_turns": "all",
            "thinking_default": True,
            "forced_tool": "disable_thinking",
            "template_thinking_key": "enable_thinking",
        },
        family="glm",
        evidence=(
            "https://docs.z.ai/guides/capabilities/thinking-mode",
            "https://docs.vllm.ai/projects/recipes/en/latest/GLM/GLM-4.5.html",
        ),
    ),
    DialectRule(
        "minimax-interleaved",
        {"echo_turns": "all", "thinking_default": True, "reasoning_out": "reasoning_details"},
        family="minimax",
        # M2 needs its earlier thinking back for interleaved thinking across tool calls.
        evidence=("https://platform.minimax.io/docs/guides/text-m2-function-call",),
    ),
    DialectRule(
        "gpt-oss-tool-reasoning",
        {"echo_turns": "tool_calls", "thinking_default": True, "template_thinking_key": None},
        family="gpt-oss",
        evidence=("https://cookbook.openai.com/articles/gpt-oss/handle-raw-cot",),
    ),
    DialectRule(
        "no-reasoning-echo",
        {"echo_turns": "none"},
        family="gemini",
        evidence=("https://ai.google.dev/gemini-api/docs/thought-signatures",),
    ),
    DialectRule("grok-no-echo", {"echo_turns": "none"}, family="grok"),
    DialectRule("mistral-family-no-echo", {"echo_turns": "none"}, family="mistral"),
    DialectRule(
        "llama-no-thinking", {"echo_turns": "none", "thinking_default": False}, family="llama"
    ),
    # -- families on one endpoint (win over the rules above) ---------------------------------
    DialectRule(
        "gateway-vendor-switch",
        {"thinking_style": "thinking_object"},
        family="deepseek",
        endpoints=_on("generic"),
        # A generic base URL serving DeepSeek is usually a gateway in front of DeepSeek's API.
        evidence=(_DEEPSEEK_DOCS,),
    ),
    DialectRule(
        "gateway-vendor-switch",
        {"thinking_style": "thinking_object"},
        family="kimi",
        model=r"^(?!.*k3)",
        endpoints=_on("generic"),
        evidence=(_KIMI_DOCS,),
    ),
    DialectRule(
        "gateway-vendor-switch",
        {"thinking_style": "thinking_object"},
        family="glm",
        endpoints=_on("generic"),
        evidence=("https://docs.z.ai/guides/capabilities/thinking-mode",),
    ),
    DialectRule(
        "gpt-oss-effort",
        {"thinking_style": "reasoning_effort"},
        family="gpt-oss",
        endpoints=_on("vllm", "sglang"),
        evidence=("https://docs.vllm.ai/projects/recipes/en/latest/OpenAI/GPT-OSS.html",),
    ),
    DialectRule(
        "groq-qwen3-effort",
        {"effort_levels": ("default",), "effort_off": "none"},
        family="qwen",
        endpoints=_on("groq"),
        evidence=("https://console.groq.com/docs/reasoning",),
    ),
    DialectRule(
        "dashscope-preserve-thinking",
        {"preserve_thinking": True, "echo_turns": "all"},
        family="qwen",
        model=r"qwen3\.[6-9]",
        endpoints=_on("dashscope"),
        evidence=(
            "https://github.com/QwenLM/qwen-code/pull/5637",
            "https://www.alibabacloud.com/help/en/model-studio/deep-thinking",
        ),
    ),
    DialectRule(
        "kimi-fixed-sampling",
        {
            "drop_params": frozenset(
                {"temperature", "top_p", "presence_penalty", "frequency_penalty"}
            )
        },
        family="kimi",
        model=r"^kimi-k(2\.[5-9]|3)|thinking",
        endpoints=_on("moonshot"),
        # Kimi K2.5+ pins the sampling parameters (1.0 thinking, 0.6 not) and answers 400
        # "invalid temperature: only 1 is allowed for this model" to any other value; left
        # out, the server uses its own.
        evidence=(
            "https://platform.kimi.ai/docs/guide/use-thinking-effort",
            "https://github.com/UKGovernmentBEIS/inspect_ai/pull/5152",
        ),
    ),
    DialectRule(
        "grok-no-effort-param",
        {"thinking_style": "none"},
        family="grok",
        model=r"^grok-(3(?!-mini)|4(-0709|-latest)?$|4-(1-)?fast|4\.20|code-fast)",
        endpoints=_on("xai"),
        # grok-4 and its fast variants reason by model choice and answer 400 "Model does not
        # support parameter reasoningEffort"; grok-3 does not reason. Only grok-3-mini and
        # grok-4.3+ take reasoning_effort.
        evidence=(
            "https://docs.x.ai/docs/guides/reasoning",
            "https://github.com/vercel/ai/releases/tag/@ai-sdk%2Fxai@4.0.8",
            "https://github.com/acedergren/opencode-oci-provider/releases/tag/v0.2.3",
        ),
    ),
    DialectRule(
        "grok-4.3-effort",
        {"effort_levels": ("low", "medium", "high")},
        family="grok",
        model=r"^grok-4\.([3-9]|\d\d)",
        endpoints=_on("xai"),
        # grok-4.3 takes none/low/medium/high (none: no reasoning), grok-4.5 low/medium/high.
        evidence=(
            "https://newreleases.io/project/github/vercel/ai/release/@ai-sdk%2Fxai@4.0.0-canary.61",
            "https://github.com/anomalyco/opencode/issues/39448",
        ),
    ),
    DialectRule(
        "cerebras-glm-effort-off",
        {"effort_off": "none"},
        family="glm",
        endpoints=_on("cerebras"),
        # zai-glm takes top-level reasoning_effort with "none" as the no-thinking value (the
        # older disable_reasoning is deprecated), so a forced tool goes out with thinking
        # off instead of as "auto". gpt-oss there refuses "none" (wrong_api_format).
        evidence=(
            "https://inference-docs.cerebras.ai/capabilities/reasoning",
            "https://docs.rs/crate/harn-vm/0.8.78/source/src/llm/capability_sources/20-providers/80-cerebras.toml",
        ),
    ),
    DialectRule(
        "zhipu-auto-only",
        {"forced_tool": "never"},
        family="glm",
        endpoints=_on("zhipu"),
        # Zhipu's tool_choice accepts only "auto" ("Tool choice must be auto"), thinking or not.
        evidence=(
            "https://docs.bigmodel.cn/api-reference",
            "https://github.com/vectorize-io/hindsight/issues/4246",
        ),
    ),
)
