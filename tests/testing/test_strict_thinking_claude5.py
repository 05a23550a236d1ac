"""Strict thinking mode for Claude 5.x: what Anthropic's pages say each model refuses, over HTTP.

``claude-5.5-thinking`` (Opus 5.5, Sonnet 5.5, Fable 5.1) refuses a forced ``tool_choice``
thinking or not and a ``thinking`` switched off or given a budget; ``claude-5-thinking``
(Opus 5, Sonnet 5, Haiku 5.5) takes the forced tool and answers it without thinking, and
refuses only the budget. Both refuse ``temperature`` and ``top_p``. Each refusal is shown
with the request that works instead, in JSON and SSE.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _thinking_helpers import NAMED, TOOLS, error_message, message_of, post

from langchain_compat_chat.testing import DIALECT_PRESETS, parse_dialect

NO_FORCING = 'tool_choice: type "tool" and "any" are not supported for this model.'


def _not_supported(kind: str) -> str:
    return (
        f'"thinking.type.{kind}" is not supported for this model. Use "thinking.type.adaptive" '
        'and "output_config.effort" to control thinking behavior.'
    )


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("choice", ["required", NAMED])
@pytest.mark.parametrize("thinking", [None, {"type": "adaptive"}, {"type": "between_tools"}])
def test_claude_5_5_refuses_a_forced_tool_thinking_or_not(
    client: httpx.Client, stream: bool, choice: Any, thinking: dict[str, Any] | None
) -> None:
    extra = {} if thinking is None else {"thinking": thinking}
    resp = post(
        client, "claude-5.5-thinking", stream=stream, tools=TOOLS, tool_choice=choice, **extra
    )
    assert resp.status_code == 400, resp.text
    assert error_message(resp) == NO_FORCING
    assert resp.json()["type"] == "error"  # Anthropic's body shape
    auto = post(client, "claude-5.5-thinking", stream=stream, tools=TOOLS, **extra)
    assert message_of(auto, stream)["tool_calls"]


@pytest.mark.parametrize("kind", ["enabled", "disabled"])
def test_claude_5_5_thinking_cannot_be_switched_off_or_budgeted(
    client: httpx.Client, kind: str
) -> None:
    for stream in (False, True):
        resp = post(client, "claude-5.5-thinking", stream=stream, thinking={"type": kind})
        assert resp.status_code == 400 and error_message(resp) == _not_supported(kind)
    # no field, adaptive, or Sonnet 5.5's between_tools work
    for ok in ({}, {"thinking": {"type": "adaptive"}}, {"thinking": {"type": "between_tools"}}):
        assert message_of(post(client, "claude-5.5-thinking", **ok), False)["content"]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("choice", ["required", NAMED])
def test_claude_5_takes_a_forced_tool_while_thinking(
    client: httpx.Client, stream: bool, choice: Any
) -> None:
    for thinking in ({}, {"thinking": {"type": "adaptive"}}, {"thinking": {"type": "disabled"}}):
        resp = post(
            client, "claude-5-thinking", stream=stream, tools=TOOLS, tool_choice=choice, **thinking
        )
        calls = message_of(resp, stream)["tool_calls"]
        if choice is NAMED:
            assert {c["function"]["name"] for c in calls} == {"get_weather"}
    budget = {"thinking": {"type": "enabled", "budget_tokens": 2048}}
    resp = post(client, "claude-5-thinking", stream=stream, **budget)
    assert resp.status_code == 400 and error_message(resp) == _not_supported("enabled")


@pytest.mark.parametrize("dialect", ["claude-5-thinking", "claude-5.5-thinking"])
@pytest.mark.parametrize("param", ["temperature", "top_p"])
def test_claude_5_refuses_sampling_parameters(
    client: httpx.Client, dialect: str, param: str
) -> None:
    resp = post(client, dialect, **{param: 0.5})
    assert resp.status_code == 400
    assert error_message(resp) == f"`{param}` is deprecated for this model."
    assert message_of(post(client, dialect), False)["content"]


def test_rejected_thinking_types_parse_from_a_header() -> None:
    assert DIALECT_PRESETS["claude-thinking"].rejected_thinking_types == ()
    custom = parse_dialect("claude-thinking,rejected_thinking_types=enabled+disabled")
    assert custom.rejected_thinking_types == ("enabled", "disabled")


def test_glm_reject_always_keeps_zhipus_words(client: httpx.Client) -> None:
    # The words of "reject_always" fall back to each provider's forced-tool words.
    resp = post(client, "glm-thinking", tools=TOOLS, tool_choice="required")
    assert resp.status_code == 400 and error_message(resp) == "Tool choice must be auto"
