"""Configuration types of the reference server: dialects, faults and scripted responses.

Everything here is a small frozen dataclass so that a test can build one value, hand it to
the server (server-wide, queued for one request, or spelled out in a request header) and
read it back unchanged. Frozen values are safe to share between the test thread and the
server's event-loop thread without locks.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, get_args

from langchain_compat_chat.testing._fault import Fault, _coerce, _parse_pairs, parse_fault
from langchain_compat_chat.testing._scripted import (
    ScriptedResponse,
    SseEvent,
    build_scripted,
    dumps,
    scripted_from_sample,
    sse_event_bytes,
)

__all__ = [
    "DIALECT_HEADER",
    "DIALECT_PRESETS",
    "FAULT_HEADER",
    "THINKING_PRESETS",
    "Dialect",
    "Fault",
    "ScriptedResponse",
    "SseEvent",
    "build_scripted",
    "dumps",
    "header_value",
    "parse_dialect",
    "parse_fault",
    "scripted_from_sample",
    "sse_event_bytes",
]

ReasoningField = Literal[
    "reasoning_content", "reasoning", "reasoning_details", "thinking_parts", "think_tags"
]
"""Where reasoning text goes: a message/delta field, content parts, or ``<think>`` tags."""

CachedTokensField = Literal["prompt_tokens_details", "prompt_cache_hit_tokens", "cached_tokens"]
"""Where usage reports prompt-cache hits."""

ThinkingToggle = Literal[
    "thinking", "enable_thinking", "chat_template_kwargs", "reasoning_effort", "reasoning"
]
"""A request switch that turns thinking on or off (see ``Dialect.thinking_toggles``)."""

ALL_TOGGLES: tuple[ThinkingToggle, ...] = get_args(ThinkingToggle)
"""Every switch: the lenient default, where any of them turns thinking on or off."""

ForcedToolRule = Literal["allow", "reject", "reject_named", "reject_always", "disable"]
"""What a forced ``tool_choice`` does while thinking (``Dialect.forced_tool_while_thinking``)."""

EchoField = Literal["reasoning_content", "reasoning", "reasoning_details", "thought_signature"]
"""Where the reasoning of a thinking tool-call turn must come back (``Dialect.reasoning_echo``)."""

EchoScope = Literal["all", "current_turn"]
"""Which assistant tool-call turns the echo rule checks (``Dialect.echo_scope``)."""

ErrorStyle = Literal[
    "openai", "deepseek", "moonshot", "dashscope", "zhipu", "minimax", "openrouter", "groq",
    "mistral", "anthropic", "gemini", "vllm", "sglang",
]  # fmt: skip
"""Whose words and error body shape the strict thinking rules use (``Dialect.error_style``)."""

DIALECT_HEADER = "x-compat-dialect"
"""Request header that selects a dialect for one request (see :func:`parse_dialect`)."""

FAULT_HEADER = "x-compat-fault"
"""Request header that injects a fault into one request (see :func:`parse_fault`)."""


@dataclass(frozen=True)
class Dialect:
    """How the server words its answers, to imitate one provider's wire quirks.

    The default dialect is plain OpenAI Chat Completions with DeepSeek-style
    ``reasoning_content`` when reasoning is requested. Each switch reproduces one quirk
    that real OpenAI-compatible servers have in the wild, so a client can be tested
    against all of them without a network.

    The fields from ``thinking_toggles`` on make up the *strict thinking mode* (the
    ``*-thinking`` presets): each provider's thinking rules, answered with its own 400.
    Their defaults keep the lenient behaviour; ``always_reason`` is the thinking default.
    The rules live in ``_thinking.py`` and never read the prompt.

    Attributes:
        reasoning_field: Where reasoning text is written when reasoning is on:
            ``"reasoning_content"`` (DeepSeek, Qwen, xAI), ``"reasoning"`` (Groq,
            OpenRouter, Ollama ``/v1``, current vLLM), ``"reasoning_details"`` (OpenRouter's
            ``[{"type": "reasoning.text", ...}]`` parts only), ``"thinking_parts"``
            (Mistral Magistral: ``content`` becomes a list with ``thinking`` parts),
            ``"think_tags"`` (``<think>...</think>`` at the start of ``content``, servers
            that do not parse it) or ``None`` (never emit reasoning, like api.openai.com).
        think_open_in_prompt: With ``think_tags``, leave out the opening ``<think>``: chat
            templates that put it in the prompt make the model generate only the rest.
        always_reason: Think (and emit reasoning) when the request does not switch thinking
            off: the *thinking default* of ``deepseek-reasoner``, DeepSeek V4, Kimi K2.x.
        null_tool_call_index: Streamed tool-call deltas carry ``"index": null``.
        omit_tool_call_index: Streamed tool-call deltas have no ``index`` key at all.
        repeat_tool_name: Every streamed tool-call delta repeats ``id``, ``type`` and
            ``function.name`` (naive clients concatenate them into ``"ff"``).
        usage_in_x_groq: Stream usage is sent only under ``x_groq.usage`` of the finish
            chunk (pre-2025 Groq), with no usage chunk.
        cumulative_usage: Every stream chunk carries ``usage`` with running totals
            (Perplexity, vLLM continuous usage stats) and there is no usage-only chunk.
        usage_in_choice: Stream usage is sent inside ``choices[0].usage`` of the finish
            chunk (Moonshot), with no usage chunk.
        completion_excludes_reasoning: ``completion_tokens`` leaves out the reasoning
            tokens, which only ``total_tokens`` and ``reasoning_tokens`` count (xAI).
        cached_tokens_field: Where prompt-cache hits are reported:
            ``prompt_tokens_details.cached_tokens`` (OpenAI), top-level
            ``prompt_cache_hit_tokens``/``prompt_cache_miss_tokens`` (DeepSeek's own field)
            or a top-level ``cached_tokens`` (Moonshot).
        reject_unknown_params: Answer 400 ``Unrecognized request argument`` for body keys
            that api.openai.com does not know (compatible servers usually ignore them).
        accept_video: Take Qwen-VL video parts in user messages (``video_url`` objects and
            ``video`` frame lists), as DashScope and vLLM do; otherwise they are a 400.
        thinking_toggles: The request switches this provider reads to turn thinking on or
            off; the others are ignored, as the real server ignores them. ``()`` means
            thinking cannot be switched (MiniMax M2, gpt-oss, kimi-k3 always think).
        forced_tool_while_thinking: ``"allow"``; ``"reject"`` a forced ``tool_choice``
            (``"required"`` or a named function) with the provider's 400;
            ``"reject_named"`` rejects only a named function (kimi-k3); ``"reject_always"``
            rejects it thinking or not (Z.AI GLM); ``"disable"`` silently answers that
            request without thinking (OpenRouter ``anthropic/``).
        reasoning_echo: On a thinking request, every assistant turn with ``tool_calls`` (in
            ``echo_scope``) must carry its reasoning back in this field, else the
            provider's 400. The server tags the tool-call ids of its thinking turns with a
            hash of the reasoning it sent, so an echo of the wrong text is caught too.
            ``"thought_signature"`` is Gemini's ``extra_content.google.thought_signature``
            on the first tool call of each step.
        echo_scope: ``"all"`` tool-call turns, or only those after the last user message.
        echo_requires_param: A top-level body switch that must be ``true`` whenever the echo
            rule applies (DashScope ``preserve_thinking``).
        rejected_message_fields: Keys that are a 400 on input assistant messages (Groq
            rejects ``reasoning`` and ``reasoning_content``).
        forbid_extra_message_fields: Any message key the provider does not define is a 422
            ``extra_forbidden`` (Mistral).
        exclusive_params: Top-level keys that may not be sent together (Kimi: ``thinking``
            and ``reasoning_effort``).
        rejected_params: Top-level keys this model rejects (kimi-k3: ``thinking``; Claude
            Opus 4.7+ and Claude 5: ``temperature`` and ``top_p``).
        rejected_thinking_types: ``thinking.type`` values this model answers 400 to (Claude
            5: ``enabled``, a manual budget; Opus 5.5, Sonnet 5.5, Fable: ``disabled`` too).
        reasoning_blocks: With ``reasoning_details``, how many blocks (``index`` values)
            the reasoning is split into.
        sign_reasoning: Give every ``reasoning_details`` block a ``signature`` (the last
            streamed delta of the block carries it) and check it on the echo.
        reasoning_format: ``format`` of the ``reasoning_details`` entries.
        reasoning_text_too: With ``reasoning_details``, also send the plain text in
            ``reasoning`` (OpenRouter sends both; a client must not show it twice).
        error_style: Whose error messages and body shape the thinking rules use.
        reasoning_efforts: The ``reasoning_effort`` values this provider accepts, ``()``
            for OpenAI's (DeepSeek and kimi-k3 take ``"max"``, Groq ``"default"``).
        batch_file_purposes: The ``purpose`` a Batch API input file is uploaded with
            (``POST /v1/files``); the first is the one error messages name. OpenAI's is
            ``batch``, Together's ``batch-api``.

    """

    reasoning_field: ReasoningField | None = "reasoning_content"
    think_open_in_prompt: bool = False
    always_reason: bool = False
    null_tool_call_index: bool = False
    omit_tool_call_index: bool = False
    repeat_tool_name: bool = False
    usage_in_x_groq: bool = False
    cumulative_usage: bool = False
    usage_in_choice: bool = False
    completion_excludes_reasoning: bool = False
    cached_tokens_field: CachedTokensField = "prompt_tokens_details"
    reject_unknown_params: bool = False
    accept_video: bool = False
    thinking_toggles: tuple[ThinkingToggle, ...] = ALL_TOGGLES
    forced_tool_while_thinking: ForcedToolRule = "allow"
    reasoning_echo: EchoField | None = None
    echo_scope: EchoScope = "all"
    echo_requires_param: str | None = None
    rejected_message_fields: tuple[str, ...] = ()
    forbid_extra_message_fields: bool = False
    exclusive_params: tuple[str, ...] = ()
    rejected_params: tuple[str, ...] = ()
    rejected_thinking_types: tuple[str, ...] = ()
    reasoning_blocks: int = 1
    sign_reasoning: bool = False
    reasoning_format: str = "unknown"
    reasoning_text_too: bool = False
    error_style: ErrorStyle = "openai"
    reasoning_efforts: tuple[str, ...] = ()
    batch_file_purposes: tuple[str, ...] = ("batch",)

    def replace(self, **changes: Any) -> Dialect:
        """Return a copy with some fields changed (``dataclasses.replace`` shorthand)."""
        return dataclasses.replace(self, **changes)


# Claude Opus 5, Sonnet 5, Haiku 5.5 on Anthropic's OpenAI SDK endpoint: adaptive thinking on
# by default (openai-sdk page: "on Claude 5 models it is on by default"); a manual budget is a
# 400 (platform.claude.com/docs/en/models/sonnet-5/migration-guide), and so is a non-default
# temperature or top_p (models/haiku-5-5/migration-guide#remove-sampling-parameters;
# "`temperature` is deprecated for this model", The-PR-Agent/pr-agent#2456). A forced
# tool_choice is accepted and answered without thinking (Haiku 5.5 migration guide).
# "claude-5.5-thinking" is Opus 5.5, Sonnet 5.5, Fable 5.1: forced tool use is a 400 thinking
# or not ('tool_choice: type "tool" and "any" are not supported for this model.') and thinking
# cannot be disabled ('"thinking.type.disabled" is not supported for this model'; Sonnet 5.5
# goes lowest with {"type": "between_tools"}): models/opus-5-5/whats-new-opus-5-5,
# sonnet-5-5/whats-new-sonnet-5-5, fable-5-1/whats-new-fable-5-1.
_CLAUDE_5 = Dialect(
    reasoning_field=None,
    always_reason=True,
    thinking_toggles=("thinking",),
    forced_tool_while_thinking="disable",
    rejected_params=("temperature", "top_p"),
    rejected_thinking_types=("enabled",),
    error_style="anthropic",
)

DIALECT_PRESETS: dict[str, Dialect] = {
    "openai": Dialect(reasoning_field=None, reject_unknown_params=True),
    "deepseek": Dialect(reasoning_field="reasoning_content"),
    "deepseek-reasoner": Dialect(reasoning_field="reasoning_content", always_reason=True),
    "groq": Dialect(reasoning_field="reasoning", usage_in_x_groq=True),
    "openrouter": Dialect(reasoning_field="reasoning"),
    "ollama": Dialect(reasoning_field="reasoning", null_tool_call_index=True),
    "vllm": Dialect(
        reasoning_field="reasoning_content", omit_tool_call_index=True, accept_video=True
    ),
    "dashscope": Dialect(reasoning_field="reasoning_content", accept_video=True),
    "perplexity": Dialect(reasoning_field=None, cumulative_usage=True),
    "moonshot": Dialect(
        reasoning_field="reasoning_content",
        usage_in_choice=True,
        cached_tokens_field="cached_tokens",
    ),
    "xai": Dialect(reasoning_field="reasoning_content", completion_excludes_reasoning=True),
    "mistral": Dialect(reasoning_field="thinking_parts"),
    # Together's Batch API takes input files uploaded with purpose "batch-api"
    # (docs.together.ai/docs/batch-inference); only that fact is declared here.
    "together": Dialect(batch_file_purposes=("batch-api",)),
    "think-tags": Dialect(reasoning_field="think_tags", always_reason=True),
    # -- strict thinking mode: one preset per provider behaviour (rules in _thinking.py) --
    # DeepSeek V4: thinks by default, toggled by `thinking` only (reasoning_effort sets the
    # effort), https://api-docs.deepseek.com/guides/thinking_mode ; forced tool_choice 400
    # "Thinking mode does not support this tool_choice" (deepseek-ai/DeepSeek-V3#1376,
    # BerriAI/litellm#37470); reasoning_content of every tool-call turn must come back
    # (same docs page; langchain-ai/langchain#39370, #37713).
    "deepseek-thinking": Dialect(
        always_reason=True,
        thinking_toggles=("thinking",),
        forced_tool_while_thinking="reject",
        reasoning_echo="reasoning_content",
        error_style="deepseek",
        reasoning_efforts=("minimal", "low", "medium", "high", "xhigh", "max", "ultra"),
    ),
    # Kimi K2.5/K2.6: thinks by default, `thinking` toggle; "cannot specify both 'thinking'
    # and 'reasoning_effort'" (HKUDS/nanobot#3939); "tool_choice 'required'|'specified' is
    # incompatible with thinking enabled" (UKGovernmentBEIS/inspect_ai#5152,
    # can1357/oh-my-pi#1077); "thinking is enabled but reasoning_content is missing in
    # assistant tool call message at index N" (HKUDS/nanobot#2579, continuedev/continue#11600).
    "kimi-thinking": Dialect(
        always_reason=True,
        usage_in_choice=True,
        cached_tokens_field="cached_tokens",
        thinking_toggles=("thinking",),
        forced_tool_while_thinking="reject",
        reasoning_echo="reasoning_content",
        exclusive_params=("thinking", "reasoning_effort"),
        error_style="moonshot",
    ),
    # kimi-k3: always thinks, takes reasoning_effort (low/high/max) and rejects `thinking`
    # (mnfst/modelparams.dev#168, HKUDS/nanobot#4966); "required" works, a named function
    # does not (inspect_ai#5152). The wording of the `thinking` rejection is not confirmed.
    "kimi-k3": Dialect(
        always_reason=True,
        usage_in_choice=True,
        cached_tokens_field="cached_tokens",
        thinking_toggles=(),
        forced_tool_while_thinking="reject_named",
        reasoning_echo="reasoning_content",
        rejected_params=("thinking",),
        error_style="moonshot",
        reasoning_efforts=("low", "high", "max"),  # anomalyco/models.dev#4721
    ),
    # DashScope Qwen3.x: `enable_thinking` (off unless sent: not confirmed for every model);
    # "<400> InternalError.Algo.InvalidParameter: The tool_choice parameter does not support
    # being set to required or object in thinking mode" (cloudwego/eino#994,
    # QwenLM/qwen-code#7659). The history's reasoning_content reaches qwen3.6+ only with
    # `preserve_thinking: true`, else DashScope drops it silently (QwenLM/qwen-code#5637,
    # vercel/ai#20871); strict mode answers 400 instead.
    "qwen-thinking": Dialect(
        accept_video=True,
        thinking_toggles=("enable_thinking",),
        forced_tool_while_thinking="reject",
        reasoning_echo="reasoning_content",
        echo_requires_param="preserve_thinking",
        error_style="dashscope",
    ),
    # vLLM >= 0.16 serving Qwen3: `chat_template_kwargs.enable_thinking` (template default
    # on), output and input field `reasoning`; `reasoning_content` on input is dropped
    # silently (vllm-project/vllm#38488) -- strict mode answers 400 there. Forced tools work
    # (guided decoding).
    "vllm-thinking": Dialect(
        reasoning_field="reasoning",
        omit_tool_call_index=True,
        accept_video=True,
        always_reason=True,
        thinking_toggles=("chat_template_kwargs",),
        reasoning_echo="reasoning",
        echo_scope="current_turn",
        error_style="vllm",
    ),
    # SGLang --reasoning-parser: `chat_template_kwargs`, `reasoning_content` out; that it reads
    # it back into the template is not confirmed (strict mode asks for it).
    "sglang-thinking": Dialect(
        always_reason=True,
        thinking_toggles=("chat_template_kwargs",),
        reasoning_echo="reasoning_content",
        echo_scope="current_turn",
        error_style="sglang",
    ),
    # Z.AI GLM-4.7/5: `thinking: {type}` defaults to enabled (anomalyco/models.dev#2353),
    # reasoning_content out and back with clear_thinking=false (docs.rs/zai-rs ThinkingType);
    # any tool_choice but "auto" is a 400 "Tool choice must be auto", thinking or not
    # (vectorize-io/hindsight#4246). Z.AI carries on without the echo; strict mode 400s.
    "glm-thinking": Dialect(
        always_reason=True,
        thinking_toggles=("thinking",),
        forced_tool_while_thinking="reject_always",
        reasoning_echo="reasoning_content",
        error_style="zhipu",
    ),
    # MiniMax M2.x: always thinks; reasoning_details (reasoning_split) must be passed back
    # between turns (openrouter.ai/minimax model notes; vllm#38488 on M2 templates). MiniMax
    # degrades silently without it; strict mode answers 400.
    "minimax-thinking": Dialect(
        reasoning_field="reasoning_details",
        reasoning_format="MiniMax-response-v1",
        always_reason=True,
        thinking_toggles=(),
        reasoning_echo="reasoning_details",
        error_style="minimax",
    ),
    # OpenRouter (anthropic/ models): `reasoning` object; the text comes in `reasoning` and,
    # signed, in reasoning_details (openrouter.ai/docs/use-cases/reasoning-tokens), streamed
    # as fragments with the signature on the last delta, to be sent back merged per index
    # ("Invalid `signature` in `thinking` block": OpenRouterTeam/ai-sdk-provider#423,
    # open-webui/open-webui#26404); a forced tool_choice silently drops reasoning
    # (pydantic/pydantic-ai#6957).
    "openrouter-thinking": Dialect(
        reasoning_field="reasoning_details",
        reasoning_format="anthropic-claude-v1",
        reasoning_text_too=True,
        reasoning_blocks=2,
        sign_reasoning=True,
        thinking_toggles=("reasoning",),
        forced_tool_while_thinking="disable",
        reasoning_echo="reasoning_details",
        echo_scope="current_turn",
        error_style="openrouter",
    ),
    # Groq reasoning models (qwen3, gpt-oss): `reasoning` out; strict validation rejects
    # `reasoning`/`reasoning_content` on input assistant messages with "property '...' is
    # unsupported" (karthink/gptel#774, janhq/jan#8136, musistudio/llms#64).
    "groq-thinking": Dialect(
        reasoning_field="reasoning",
        usage_in_x_groq=True,
        always_reason=True,
        thinking_toggles=("reasoning_effort",),
        rejected_message_fields=("reasoning", "reasoning_content"),
        error_style="groq",
        # "reasoning_effort must be one of none or default" (earendil-works/pi#1745, #3764)
        reasoning_efforts=("none", "default", "low", "medium", "high"),
    ),
    # Mistral Magistral: thinking content parts; unknown message keys are a 422
    # extra_forbidden (charmbracelet/crush#1590, BerriAI/litellm#30835).
    "mistral-thinking": Dialect(
        reasoning_field="thinking_parts",
        always_reason=True,
        thinking_toggles=(),
        forbid_extra_message_fields=True,
        error_style="mistral",
    ),
    # Anthropic's OpenAI SDK endpoint: `thinking` enables extended thinking but the thinking
    # text is not returned (docs.anthropic.com/en/api/openai-sdk). The forced-tool rejection
    # is Anthropic's native rule ("Thinking may not be enabled when tool_choice forces tool
    # use", strands-agents/harness-sdk#1495); that the compat endpoint keeps it is not confirmed.
    "claude-thinking": Dialect(
        reasoning_field=None,
        thinking_toggles=("thinking",),
        forced_tool_while_thinking="reject",
        error_style="anthropic",
    ),
    "claude-5-thinking": _CLAUDE_5,
    "claude-5.5-thinking": _CLAUDE_5.replace(
        forced_tool_while_thinking="reject_always",
        rejected_thinking_types=("enabled", "disabled"),
    ),
    # Gemini 3 (OpenAI compat): always thinks, thoughts hidden; the first tool call of a step
    # carries extra_content.google.thought_signature, strictly required back on the current
    # turn, else 400 "Function call is missing a thought_signature in functionCall parts" in
    # a JSON *list* body (discuss.ai.google.dev/t/109823; ai.google.dev/gemini-api/docs/
    # thought-signatures; spring-projects/spring-ai#4977).
    "gemini-thinking": Dialect(
        reasoning_field=None,
        always_reason=True,
        thinking_toggles=(),
        reasoning_echo="thought_signature",
        echo_scope="current_turn",
        error_style="gemini",
    ),
    # gpt-oss (vLLM /v1, Groq, OpenRouter): always reasons, reasoning_effort sets the effort
    # only; `reasoning` out and back on tool-call turns of the current turn (harmony format).
    # Servers degrade silently without the echo; strict mode answers 400.
    "gpt-oss-thinking": Dialect(
        reasoning_field="reasoning",
        always_reason=True,
        thinking_toggles=(),
        reasoning_echo="reasoning",
        echo_scope="current_turn",
        error_style="vllm",
    ),
}
"""Named dialects, usable as ``x-compat-dialect: groq`` or ``Dialect`` values.

The ``*-thinking`` presets and ``kimi-k3`` are the strict thinking mode (docs/guides/testing.md).
"""

THINKING_PRESETS: tuple[str, ...] = tuple(
    name for name in DIALECT_PRESETS if name.endswith("-thinking") or name == "kimi-k3"
)
"""Names of the strict thinking presets, in declaration order (for parametrized tests)."""


_DIALECT_FIELDS = {f.name: f for f in dataclasses.fields(Dialect)}
_CHOICES: dict[str, set[Any]] = {
    "reasoning_field": {*get_args(ReasoningField), None},
    "cached_tokens_field": set(get_args(CachedTokensField)),
    "forced_tool_while_thinking": set(get_args(ForcedToolRule)),
    "reasoning_echo": {*get_args(EchoField), None},
    "echo_scope": set(get_args(EchoScope)),
    "error_style": set(get_args(ErrorStyle)),
}
"""Dialect fields that take one of a fixed set of values."""

_TUPLE_CHOICES: dict[str, set[str] | None] = {
    "thinking_toggles": set(ALL_TOGGLES),
    "rejected_message_fields": None,
    "exclusive_params": None,
    "rejected_params": None,
    "rejected_thinking_types": None,
    "reasoning_efforts": None,
    "batch_file_purposes": None,
}
"""Dialect fields holding a tuple, written ``a+b`` in a header (``none`` for empty)."""


def _dialect_value(key: str, val: str | None) -> Any:
    """Convert one ``key=value`` of a dialect header to the field's type."""
    if key in _CHOICES:
        text = (val or "").strip()
        value: Any = None if text.lower() in ("none", "null", "") else text
        if value not in _CHOICES[key]:
            raise ValueError(f"unknown {key}: {text!r}")
        return value
    if key in _TUPLE_CHOICES:
        text = (val or "").strip()
        items = () if text.lower() in ("none", "") else tuple(p.strip() for p in text.split("+"))
        allowed = _TUPLE_CHOICES[key]
        for item in items:
            if not item or (allowed is not None and item not in allowed):
                raise ValueError(f"unknown {key} item: {item!r}")
        return items
    return _coerce(val if val is not None else "true", _DIALECT_FIELDS[key].type)


def parse_dialect(text: str, base: Dialect | None = None) -> Dialect:
    """Parse an ``x-compat-dialect`` header value into a :class:`Dialect`.

    The value is a comma-separated list of preset names (``groq``), bare switch names
    (``null_tool_call_index``, meaning true) and ``key=value`` pairs
    (``reasoning_field=reasoning``, ``thinking_toggles=thinking+reasoning_effort``),
    applied left to right over ``base``.

    Raises:
        ValueError: for an unknown preset, field or value.

    """
    dialect = base or Dialect()
    changes: dict[str, Any] = {}
    for key, val in _parse_pairs(text):
        if val is None and key.replace("_", "-") in DIALECT_PRESETS:
            dialect = dataclasses.replace(DIALECT_PRESETS[key.replace("_", "-")], **changes)
            changes = {}
            continue
        if key not in _DIALECT_FIELDS:
            raise ValueError(f"unknown dialect switch or preset: {key!r}")
        changes[key] = _dialect_value(key, val)
    return dataclasses.replace(dialect, **changes)


def header_value(dialect_or_fault: Dialect | Fault) -> str:
    """Render a dialect or fault as a header value that parses back to the same value.

    Useful with clients that can only add headers, e.g.
    ``default_headers={"x-compat-fault": header_value(Fault(status=503))}``.
    """
    defaults = type(dialect_or_fault)()
    parts: list[str] = []
    for f in dataclasses.fields(dialect_or_fault):
        val = getattr(dialect_or_fault, f.name)
        if val == getattr(defaults, f.name):
            continue
        if val is None or val == ():
            shown = "none"
        elif isinstance(val, tuple):
            shown = "+".join(val)
        elif isinstance(val, bool):
            shown = str(val).lower()
        else:
            shown = str(val)
        parts.append(f"{f.name}={shown}")
    return ",".join(parts)
