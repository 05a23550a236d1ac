"""The declared Claude facts: how each generation thinks, takes a forced tool and samples.

Pure data, read by :func:`langchain_compat_chat.dialects.resolve_dialect` with the rules of
:mod:`._dialect_rules` (the same :class:`DialectRule` shape, each with its public evidence).
Claude's rules change model by model rather than family-wide, so they live apart:

* forcing a tool: Claude 4.x refuses it while extended thinking is on (thinking is switched
  off for the call); Opus 5, Sonnet 5, Haiku 5.5 and Fable 5 accept it and skip thinking;
  Opus 5.5, Sonnet 5.5 and Fable 5.1 refuse it whatever the thinking (only ``"auto"``);
* switching thinking: Opus 4.7 and every Claude 5 model take only adaptive thinking, Claude 5
  thinks when nothing is sent, and Opus 5.5 and Fable cannot switch it off at all (Sonnet 5.5
  goes lowest with ``between_tools``);
* sampling: the same models answer 400 to ``temperature`` and ``top_p``.

Model ids are Anthropic's (``claude-opus-5-5``, fixed ids without a date or an alias); the
forced-tool rules hold on any endpoint that serves the model, so they also read the dotted
spelling of gateways (``anthropic/claude-opus-5.5``). The Claude 5 pages were read in the
vendor docs at the URLs cited (and in verbatim copies of them in public repositories).
"""

from __future__ import annotations

from langchain_compat_chat._dialect_rules import DialectRule

__all__ = ["CLAUDE_RULES"]

_DOCS = "https://platform.claude.com/docs/en"
_OPUS_55 = f"{_DOCS}/models/opus-5-5/whats-new-opus-5-5"
_SONNET_55 = f"{_DOCS}/models/sonnet-5-5/whats-new-sonnet-5-5"
_FABLE_51 = f"{_DOCS}/models/fable-5-1/whats-new-fable-5-1"
_HAIKU_55 = f"{_DOCS}/models/haiku-5-5/migration-guide"
_FABLE_5 = f"{_DOCS}/models/fable-5/migration-guide"

# A Claude 5 generation model (Opus, Sonnet, Haiku, Fable, Mythos 5 and later), never 4.x:
# "claude-sonnet-4-5" and "claude-3-5-haiku-20241022" have a 4 or a date after the name.
_CLAUDE_5 = r"(opus|sonnet|haiku|fable|mythos)-[5-9]"
_ON_ANTHROPIC = frozenset({"anthropic"})

# Earlier rules are overridden by later ones of the same tier (any endpoint, then this one).
CLAUDE_RULES: tuple[DialectRule, ...] = (
    # -- any endpoint -------------------------------------------------------------------------
    DialectRule(
        "claude-no-forced-tool-while-thinking",
        {"echo_turns": "none", "thinking_default": False, "forced_tool": "disable_thinking"},
        family="claude",
        # Claude 4.x: "Thinking may not be enabled when tool_choice forces tool use".
        evidence=(
            "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking",
            "https://docs.anthropic.com/en/api/openai-sdk",
        ),
    ),
    DialectRule(
        "claude-forced-tool-skips-thinking",
        {"forced_tool": "allowed"},
        family="claude",
        model=r"(opus|sonnet|fable|mythos)-5(?![-.]?\d)|haiku-5[-.]5(?!\d)",
        # Haiku 5.5 "accepts a forced tool_choice (any or a named tool), but the response
        # starts with the tool call and has no thinking block". Opus 5 accepts a named
        # tool_choice with its default (adaptive) thinking on, and forcing is a breaking
        # change only from Sonnet 5 to 5.5 and from Fable 5 to 5.1. Fable 5 cannot switch
        # thinking off (400), so the Claude 4 way out would fail there.
        evidence=(
            _HAIKU_55,
            f"{_DOCS}/models/opus-5-5/migration-guide",
            _SONNET_55,
            _FABLE_51,
            _FABLE_5,
        ),
    ),
    DialectRule(
        "claude-no-forced-tool",
        {"forced_tool": "never"},
        family="claude",
        model=r"(opus|sonnet)-5[-.]5(?!\d)|(fable|mythos)-5[-.]1(?!\d)",
        # 400 'tool_choice: type "tool" and "any" are not supported for this model.' whether
        # the model thinks or not; "auto" and "none" work. Said of Opus 5.5, Sonnet 5.5,
        # Fable 5.1 and Mythos 5.1, and of OpenRouter's routes to them.
        evidence=(
            f"{_OPUS_55}#forced-tool-use-is-not-supported",
            f"{_SONNET_55}#forced-tool-use-is-not-supported",
            f"{_FABLE_51}#forced-tool-use-is-not-supported",
            "https://openrouter.ai/docs/cookbook/evaluate-and-optimize/model-migrations/opus-5-5",
        ),
    ),
    # -- Anthropic's OpenAI-compatible endpoint ----------------------------------------------
    DialectRule(
        "claude-adaptive-thinking-only",
        {"thinking_style": "thinking_adaptive", "drop_params": frozenset({"temperature", "top_p"})},
        family="claude",
        model=rf"opus-4-([7-9]|\d\d)|{_CLAUDE_5}",
        endpoints=_ON_ANTHROPIC,
        # Opus 4.7+ and every Claude 5 model: '"thinking.type.enabled" is not supported for
        # this model. Use "thinking.type.adaptive"' (400). The same models answer 400 to a
        # non-default temperature or top_p ("`temperature` is deprecated for this model").
        evidence=(
            "https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking",
            "https://platform.claude.com/docs/en/about-claude/models/migration-guide",
            f"{_DOCS}/models/sonnet-5/migration-guide",
            f"{_HAIKU_55}#remove-sampling-parameters",
            _FABLE_5,
            f"{_DOCS}/models/opus-5-5/migration-guide#request-requirements",
            "https://github.com/docker/docker-agent/issues/3093",
            "https://github.com/QuantumNous/new-api/pull/4293",
            "https://github.com/The-PR-Agent/pr-agent/issues/2456",
        ),
    ),
    DialectRule(
        "claude-5-thinks-by-default",
        {"thinking_default": True},
        family="claude",
        model=_CLAUDE_5,
        endpoints=_ON_ANTHROPIC,
        # "on Claude 5 models it is on by default" (the compatibility page's thinking
        # section); Opus 4.7 and 4.8 think only when asked.
        evidence=(
            f"{_DOCS}/cli-sdks-libraries/libraries/openai-sdk",
            f"{_DOCS}/models/opus-5/migration-guide",
        ),
    ),
    DialectRule(
        "claude-thinking-always-on",
        {"thinking_off_type": None},
        family="claude",
        model=r"opus-5-5(?!\d)|(fable|mythos)-[5-9]",
        endpoints=_ON_ANTHROPIC,
        # Opus 5.5, Fable 5/5.1, Mythos 5/5.1: '"thinking.type.disabled" is not supported for
        # this model' (400); only no thinking field or {"type": "adaptive"} is accepted.
        evidence=(f"{_OPUS_55}#thinking-cant-be-disabled", _FABLE_51, _FABLE_5),
    ),
    DialectRule(
        "claude-sonnet-5.5-between-tools",
        {"thinking_off_type": "between_tools"},
        family="claude",
        model=r"sonnet-5-5(?!\d)",
        endpoints=_ON_ANTHROPIC,
        # Sonnet 5.5 answers 400 to "disabled" and turns up-front thinking off with
        # {"type": "between_tools"}, its lowest setting (without tools: text only).
        evidence=(f"{_SONNET_55}#turn-off-up-front-thinking",),
    ),
)
