"""Wire dialects: every switch that shapes a request body or reads a reply, per model.

A preset (:mod:`.providers`) says where and how to connect; which fields a reasoning model's
thinking comes in and must go back in, whether it thinks by default, how that is switched
and whether a forced ``tool_choice`` is accepted while it thinks are facts of the *model*
as served by that endpoint. :func:`resolve_dialect` builds one :class:`Dialect` from, in
order:

1. the endpoint: the preset's own switches (``ProviderProfile``) plus the endpoint-wide
   rules (what the server accepts, whatever the model);
2. the model family recognised from the model name (:data:`FAMILIES`), first the rules that
   hold on any endpoint, then those for this endpoint only (more specific, so they win);
3. the user's overrides (``ChatCompatModel(dialect={...})``), field by field.

An endpoint rule marked ``pin`` (a fact of the server software whatever the model, such as
vLLM forcing a tool after the reasoning) is applied after the family rules, before the user's.

The facts are data in :mod:`._dialect_rules` and :mod:`._claude_rules`: ``RULES`` is the
tuple of their ``DialectRule`` entries, each with the public evidence it rests on, and the docs
tables are generated from it.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_compat_chat._claude_rules import CLAUDE_RULES
from langchain_compat_chat._dialect_rules import FAMILIES, DialectRule
from langchain_compat_chat._dialect_rules import RULES as _RULES
from langchain_compat_chat._responses_rules import RESPONSES_RULES
from langchain_compat_chat._wire.think import ThinkTags
from langchain_compat_chat.providers import ProviderProfile, ThinkingStyle

__all__ = [
    "FAMILIES",
    "RULES",
    "Dialect",
    "DialectRule",
    "EchoField",
    "EchoTurns",
    "ForcedToolRule",
    "model_family",
    "resolve_dialect",
]

RULES: tuple[DialectRule, ...] = (*_RULES, *CLAUDE_RULES)
"""Every Chat Completions rule: endpoints and families, then Claude's per-model facts."""

EchoField = Literal["off", "as_received", "reasoning_content", "reasoning"]
"""Where earlier reasoning text goes back: nowhere, the field it came in, or a fixed field."""
EchoTurns = Literal["none", "tool_calls", "all"]
"""Which earlier assistant turns carry their reasoning back."""
ForcedToolRule = Literal["allowed", "disable_thinking", "auto_and_check", "never"]
"""What a forced ``tool_choice`` (``"required"``/``"any"``/named) does while the model thinks:
sent as is; sent with thinking switched off for that call; or sent as ``"auto"`` (with only
the named tool bound) and the answer checked for a tool call. ``"never"``: like
``auto_and_check`` whether the model thinks or not (the server takes only ``"auto"``)."""


@dataclass(frozen=True)
class Dialect:
    """The wire facts for one model on one endpoint (see the module docstring).

    Attributes:
        name: How it was resolved, e.g. ``"vllm+qwen"`` (endpoint, family, ``+user``).
        family: The model family recognised from the model name, if any.
        max_tokens_param: The name under which ``max_tokens`` goes on the wire.
        stream_usage: Whether the server accepts ``stream_options.include_usage``.
        tool_choice_any: What ``tool_choice="any"``/``"required"`` is sent as.
        supports_tool_choice_object: Whether a ``{"type": "function", ...}`` choice is accepted.
        drop_params: Top-level request fields removed before sending.
        rename_params: Top-level request fields sent under another name.
        allow_message_name: Whether ``messages[].name`` may be sent.
        system_role: Role used for system messages.
        tool_content: ``"string"`` always flattens tool results to text.
        tool_media: Where images and files returned by tools go.
        thinking_style: How the ``thinking=`` knob is switched.
        thinking_off_type: With ``thinking_style="thinking_adaptive"``, the
            ``thinking.type`` that ``thinking=False`` sends: ``"disabled"``, Sonnet 5.5's
            ``"between_tools"``, or ``None`` where thinking cannot be switched off (Claude
            Opus 5.5 and Fable answer 400 to ``"disabled"``), so ``thinking=False`` raises.
        template_thinking_key: The ``chat_template_kwargs`` key for ``thinking_style=
            "chat_template_kwargs"``: it belongs to the model's chat template (Qwen3
            ``enable_thinking``, DeepSeek V3.1 and Kimi ``thinking``), so ``None`` on an
            endpoint that serves any model until the family says which.
        effort_levels: The ``reasoning_effort`` values accepted, weakest first.
        effort_off: The ``reasoning_effort`` that switches reasoning off, if any.
        tool_call_id_style: ``"mistral9"`` rewrites tool-call ids to 9 alphanumerics.
        supports_video: Whether video input is accepted.
        think_tags: Default for splitting ``<think>`` out of content.
        echo_reasoning: Where the reasoning text of earlier assistant turns goes back.
            ``"as_received"`` uses the field it came in (recorded as
            ``additional_kwargs["reasoning_field"]``); ``"off"`` never sends it (servers
            that reject the unknown field: Groq, Mistral).
        echo_turns: Which earlier assistant turns carry it (``"tool_calls"``: those that
            called tools, where DeepSeek, Kimi and Qwen need it).
        echo_reasoning_details: Send ``reasoning_details`` back on every assistant turn
            (OpenRouter); with ``echo_reasoning="as_received"`` they go back on the
            ``echo_turns`` turns anyway.
        preserve_thinking: Send DashScope's ``preserve_thinking: true`` when reasoning is
            echoed (only the models that take it).
        echo_placeholder: Text sent in the echo field of a tool-call turn that has no
            reasoning of its own (DeepSeek and Kimi answer 400 in thinking mode when a
            tool-call turn lacks the field; DeepSeek V4 also when it is empty). ``None``:
            such turns go without it.
        thinking_default: Whether the model thinks when nothing is sent (``None``: unknown,
            treated as "it may").
        forced_tool: See :data:`ForcedToolRule`.
        exclusive_params: ``(keep, drop)`` pairs the server rejects together: when both
            would be sent, ``drop`` is left out (Kimi: ``thinking`` and
            ``reasoning_effort``).
        reasoning_out: Where the server sends reasoning, for the docs tables (the parsers
            read every field whatever this says).
        cache_control_top_level: Whether a top-level ``cache_control`` (automatic prompt
            caching: the server puts the breakpoint on the last cacheable block) is sent as
            is; elsewhere it is moved onto the last content part of the last message, the
            place explicit breakpoints go, which every caching server reads.
        responses_api: Whether the endpoint serves the Responses API (``api="responses"``).
        responses_chaining: Whether it accepts ``previous_response_id`` (it stores responses).
        responses_encrypted_reasoning: Whether it accepts
            ``include: ["reasoning.encrypted_content"]``.
        responses_params: Chat Completions fields its Responses API also takes.
        responses_format: Where structured output goes in a Responses body (see
            :mod:`._responses_rules`).
        rules: Names of the rules that shaped this dialect, for ``model.dialect``.

    """

    name: str = "generic"
    family: str | None = None
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    stream_usage: bool = True
    tool_choice_any: str = "required"
    supports_tool_choice_object: bool = True
    drop_params: frozenset[str] = frozenset()
    rename_params: Mapping[str, str] = field(default_factory=dict)
    allow_message_name: bool = True
    system_role: Literal["system", "developer"] = "system"
    tool_content: Literal["auto", "string"] = "auto"
    tool_media: Literal["inline", "user_message"] = "user_message"
    thinking_style: ThinkingStyle = "reasoning_effort"
    thinking_off_type: str | None = "disabled"
    template_thinking_key: str | None = "enable_thinking"
    effort_levels: tuple[str, ...] = ("low", "medium", "high")
    effort_off: str | None = None
    tool_call_id_style: Literal["any", "mistral9"] = "any"
    supports_video: bool = False
    think_tags: ThinkTags = False
    echo_reasoning: EchoField = "as_received"
    echo_turns: EchoTurns = "tool_calls"
    echo_reasoning_details: bool = False
    preserve_thinking: bool = False
    echo_placeholder: str | None = None
    thinking_default: bool | None = None
    forced_tool: ForcedToolRule = "allowed"
    exclusive_params: tuple[tuple[str, str], ...] = ()
    reasoning_out: str = "any field"
    cache_control_top_level: bool = False
    responses_api: bool = False
    responses_chaining: bool = False
    responses_encrypted_reasoning: bool = False
    responses_params: frozenset[str] = frozenset()
    responses_format: Literal["text", "response_format"] = "text"
    rules: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> Dialect:
        """A copy with some fields changed (validated like user overrides).

        Raises:
            ValueError: An unknown field or a value outside the field's choices.

        """
        return dataclasses.replace(self, **_checked(changes))

    @classmethod
    def from_profile(cls, profile: ProviderProfile, *, round_trip: bool = True) -> Dialect:
        """The endpoint's own switches, read from a (possibly user-made) ``ProviderProfile``.

        ``echo_reasoning=True`` on a profile means "send ``reasoning_content`` back on every
        assistant turn". ``False`` means the round-trip default (what came in goes back in
        its own field on tool-call turns; endpoint rules switch it off where the server
        rejects it), or, with ``round_trip=False``, no echo at all: the behaviour of a bare
        profile handed to the low-level ``build_body``/``message_to_wire``, kept for old code.
        """
        echo: EchoField = "as_received" if round_trip else "off"
        return cls(
            name=profile.name,
            max_tokens_param=profile.max_tokens_param,
            stream_usage=profile.stream_usage,
            tool_choice_any=profile.tool_choice_any,
            supports_tool_choice_object=profile.supports_tool_choice_object,
            drop_params=profile.drop_params,
            rename_params=profile.rename_params,
            allow_message_name=profile.allow_message_name,
            system_role=profile.system_role,
            tool_content=profile.tool_content,
            tool_media=profile.tool_media,
            thinking_style=profile.thinking_style,
            effort_levels=profile.effort_levels,
            effort_off=profile.effort_off,
            tool_call_id_style=profile.tool_call_id_style,
            supports_video=profile.supports_video,
            think_tags=profile.think_tags,
            echo_reasoning="reasoning_content" if profile.echo_reasoning else echo,
            echo_turns="all" if profile.echo_reasoning else "tool_calls",
            echo_reasoning_details=profile.echo_reasoning_details,
        )


def model_family(model: str) -> str | None:
    """The family recognised from a model name (``"Qwen/Qwen3-8B"`` -> ``"qwen"``), if any."""
    name = model.lower()
    for family, pattern in FAMILIES:
        if re.search(pattern, name):
            return family
    return None


def resolve_dialect(
    profile: ProviderProfile,
    model: str,
    overrides: Dialect | Mapping[str, Any] | None = None,
) -> Dialect:
    """Endpoint, then model family, then the user's overrides (see the module docstring).

    A :class:`Dialect` passed as ``overrides`` is used as is (the user spelled out every
    field); a mapping changes only the fields it names.

    Raises:
        ValueError: An override names an unknown field or a value outside its choices.

    """
    if isinstance(overrides, Dialect):
        return overrides
    endpoint = profile.name
    name = model.lower()
    family = model_family(model)
    values: dict[str, Any] = {}
    applied: list[str] = []
    tiers = (
        [r for r in (*RULES, *RESPONSES_RULES) if r.family is None and not r.pin],
        [r for r in RULES if r.family is not None and r.endpoints is None],
        [r for r in RULES if r.family is not None and r.endpoints is not None],
        [r for r in RULES if r.pin],
    )
    for tier in tiers:
        for rule in tier:
            if rule.matches(endpoint, family, name):
                values.update(rule.set)
                applied.append(rule.name)
    label = endpoint if family is None else f"{endpoint}+{family}"
    if overrides:
        values.update(_checked(dict(overrides)))
        applied.append("user")
        label += "+user"
    base = Dialect.from_profile(profile)
    return dataclasses.replace(base, name=label, family=family, rules=tuple(applied), **values)


_FIELDS = {f.name: f for f in dataclasses.fields(Dialect)}
_HINTS = typing.get_type_hints(Dialect)


def _checked(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Reject unknown fields and values outside a ``Literal`` field's choices."""
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        msg = (
            f"Unknown dialect field(s): {', '.join(unknown)}. Known: {', '.join(sorted(_FIELDS))}."
        )
        raise ValueError(msg)
    out = dict(changes)
    for key, value in changes.items():
        choices = _literal_choices(_HINTS[key])
        if choices is not None and value not in choices:
            msg = f"dialect {key}={value!r} is not one of {list(choices)}."
            raise ValueError(msg)
        if key in ("drop_params", "responses_params") and not isinstance(value, frozenset):
            out[key] = frozenset(value)
        elif key in ("effort_levels",) and isinstance(value, list):
            out[key] = tuple(value)
        elif key == "exclusive_params":
            out[key] = tuple(tuple(pair) for pair in value)
    return out


def _literal_choices(hint: Any) -> tuple[Any, ...] | None:
    """The allowed values of a ``Literal`` (or ``Literal | None``) type, else ``None``."""
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)
    args = typing.get_args(hint)
    if args and all(typing.get_origin(a) is Literal or a is type(None) for a in args):
        values: list[Any] = []
        for a in args:
            values.extend(typing.get_args(a) if a is not type(None) else (None,))
        return tuple(values)
    return None
