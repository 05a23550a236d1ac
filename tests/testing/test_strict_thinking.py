"""Strict thinking mode: presets, toggles, forced tools and refused input fields, over raw HTTP.

Each rule is shown both ways: the request that breaks it gets that provider's error (status,
words and body shape), and the request that follows it gets a 200 (JSON and SSE). The echo
rules are in ``test_strict_thinking_echo.py``.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _thinking_helpers import (
    EXPECTED_PRESETS,
    NAMED,
    THINK_OFF,
    THINK_ON,
    TOOLS,
    USER,
    echo_of,
    error_message,
    first_turn,
    message_of,
    next_body,
    post,
)

from langchain_compat_chat.testing import (
    DIALECT_HEADER,
    DIALECT_PRESETS,
    THINKING_PRESETS,
    Dialect,
    header_value,
    parse_dialect,
)


# -- the presets --------------------------------------------------------------------------------
def test_every_thinking_preset_exists_and_round_trips_as_a_header() -> None:
    assert sorted(THINKING_PRESETS) == sorted(EXPECTED_PRESETS)
    for name in THINKING_PRESETS:
        preset = DIALECT_PRESETS[name]
        assert parse_dialect(name) == preset
        assert parse_dialect(header_value(preset)) == preset, name


def test_header_switches_parse_tuples_and_choices() -> None:
    d = parse_dialect("deepseek-thinking,thinking_toggles=thinking+reasoning_effort")
    assert d.thinking_toggles == ("thinking", "reasoning_effort")
    assert parse_dialect("thinking_toggles=none").thinking_toggles == ()
    assert parse_dialect("reasoning_echo=reasoning,echo_scope=current_turn").echo_scope == (
        "current_turn"
    )
    for bad in ("thinking_toggles=thinking+bogus", "forced_tool_while_thinking=maybe"):
        with pytest.raises(ValueError):
            parse_dialect(bad)


def test_default_dialect_stays_lenient(client: httpx.Client) -> None:
    body = {"tools": TOOLS, "tool_choice": "required", "reasoning_effort": "high"}
    message = message_of(post(client, "deepseek", **body), False)
    assert message["tool_calls"] and message["reasoning_content"]
    assert "_th" not in message["tool_calls"][0]["id"]  # ids are tagged in strict mode only


# -- thinking toggles ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dialect", "ignored", "off"),
    [
        ("deepseek-thinking", {"enable_thinking": False}, {"thinking": {"type": "disabled"}}),
        ("kimi-thinking", {"reasoning_effort": "none"}, {"thinking": {"type": "disabled"}}),
        ("glm-thinking", {"enable_thinking": False}, {"thinking": {"type": "disabled"}}),
        (
            "vllm-thinking",
            {"thinking": {"type": "disabled"}},
            {"chat_template_kwargs": {"enable_thinking": False}},
        ),
        ("groq-thinking", {"enable_thinking": False}, {"reasoning_effort": "none"}),
        (
            "sglang-thinking",
            {"enable_thinking": False},
            {"chat_template_kwargs": {"thinking": False}},
        ),
    ],
)
def test_thinking_is_on_by_default_and_only_the_dialects_toggle_turns_it_off(
    client: httpx.Client, dialect: str, ignored: dict[str, Any], off: dict[str, Any]
) -> None:
    field = DIALECT_PRESETS[dialect].reasoning_field
    assert field is not None
    for stream in (False, True):
        assert message_of(post(client, dialect, stream=stream), stream).get(field)
        assert message_of(post(client, dialect, stream=stream, **ignored), stream).get(field)
        assert not message_of(post(client, dialect, stream=stream, **off), stream).get(field)


def test_qwen_thinks_only_with_enable_thinking(client: httpx.Client) -> None:
    assert "reasoning_content" not in message_of(post(client, "qwen-thinking"), False)
    ignored = {"thinking": {"type": "enabled"}}
    assert "reasoning_content" not in message_of(post(client, "qwen-thinking", **ignored), False)
    on = message_of(post(client, "qwen-thinking", enable_thinking=True), False)
    assert on["reasoning_content"]


@pytest.mark.parametrize("dialect", ["minimax-thinking", "gpt-oss-thinking", "kimi-k3"])
def test_always_thinking_models_cannot_be_switched_off(client: httpx.Client, dialect: str) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_field)
    for off in ({"reasoning_effort": "low"}, {"chat_template_kwargs": {"enable_thinking": False}}):
        assert message_of(post(client, dialect, **off), False)[field]


def test_kimi_rejects_thinking_and_reasoning_effort_together(client: httpx.Client) -> None:
    both = {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}
    for stream in (False, True):
        resp = post(client, "kimi-thinking", stream=stream, **both)
        assert resp.status_code == 400
        assert resp.json() == {
            "error": {
                "message": "cannot specify both 'thinking' and 'reasoning_effort'",
                "type": "invalid_request_error",
            }
        }
    assert post(client, "kimi-thinking", thinking={"type": "enabled"}).status_code == 200
    assert post(client, "kimi-thinking", reasoning_effort="high").status_code == 200


def test_kimi_k3_takes_reasoning_effort_and_rejects_thinking(client: httpx.Client) -> None:
    for stream in (False, True):
        resp = post(client, "kimi-k3", stream=stream, thinking={"type": "enabled"})
        assert resp.status_code == 400 and "'thinking'" in error_message(resp)
    assert message_of(post(client, "kimi-k3", reasoning_effort="high"), False)["reasoning_content"]


# -- forced tool_choice while thinking ----------------------------------------------------------
FORCED_REJECTED = {
    "deepseek-thinking": "Thinking mode does not support this tool_choice",
    "kimi-thinking": "tool_choice '{kind}' is incompatible with thinking enabled",
    "qwen-thinking": (
        "<400> InternalError.Algo.InvalidParameter: The tool_choice parameter does not support "
        "being set to required or object in thinking mode"
    ),
    "claude-thinking": "Thinking may not be enabled when tool_choice forces tool use.",
}


@pytest.mark.parametrize("dialect", sorted(FORCED_REJECTED))
@pytest.mark.parametrize(("choice", "kind"), [("required", "required"), (NAMED, "specified")])
@pytest.mark.parametrize("stream", [False, True])
def test_forced_tool_while_thinking_is_the_providers_400(
    client: httpx.Client, dialect: str, choice: Any, kind: str, stream: bool
) -> None:
    body = {"tools": TOOLS, "tool_choice": choice}
    resp = post(client, dialect, stream=stream, **body, **THINK_ON.get(dialect, {}))
    assert resp.status_code == 400, resp.text
    assert error_message(resp) == FORCED_REJECTED[dialect].format(kind=kind)
    # the same forced call with thinking switched off is answered with the forced tool
    message = message_of(post(client, dialect, stream=stream, **body, **THINK_OFF[dialect]), stream)
    assert message["tool_calls"]
    assert not message.get("reasoning_content")
    if choice is NAMED:
        assert {c["function"]["name"] for c in message["tool_calls"]} == {"get_weather"}


def test_error_bodies_have_each_providers_shape(client: httpx.Client) -> None:
    forced = {"tools": TOOLS, "tool_choice": "required"}
    deepseek = post(client, "deepseek-thinking", **forced).json()["error"]
    assert deepseek["code"] == "invalid_request_error" and deepseek["param"] is None
    qwen = post(client, "qwen-thinking", enable_thinking=True, **forced).json()
    assert qwen["error"]["code"] == "invalid_parameter_error" and qwen["request_id"]
    claude = post(client, "claude-thinking", thinking={"type": "enabled"}, **forced).json()
    assert claude["type"] == "error" and claude["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("off", [{}, {"thinking": {"type": "disabled"}}])
def test_glm_takes_no_forced_tool_thinking_or_not(
    client: httpx.Client, off: dict[str, Any]
) -> None:
    for choice in ("required", NAMED):
        resp = post(client, "glm-thinking", tools=TOOLS, tool_choice=choice, **off)
        assert resp.status_code == 400
        assert error_message(resp) == "Tool choice must be auto"
    assert message_of(post(client, "glm-thinking", tools=TOOLS, **off), False)["tool_calls"]


def test_kimi_k3_allows_required_but_not_a_named_tool(client: httpx.Client) -> None:
    message = message_of(post(client, "kimi-k3", tools=TOOLS, tool_choice="required"), False)
    assert message["tool_calls"] and message["reasoning_content"]
    resp = post(client, "kimi-k3", tools=TOOLS, tool_choice=NAMED)
    assert resp.status_code == 400
    assert error_message(resp) == "tool_choice 'specified' is incompatible with thinking enabled"


@pytest.mark.parametrize("stream", [False, True])
def test_openrouter_forced_tool_silently_drops_reasoning(
    client: httpx.Client, stream: bool
) -> None:
    on = {"tools": TOOLS, "reasoning": {"enabled": True}}
    auto = message_of(post(client, "openrouter-thinking", stream=stream, **on), stream)
    assert auto["reasoning_details"]
    forced = post(client, "openrouter-thinking", stream=stream, tool_choice="required", **on)
    message = message_of(forced, stream)
    assert message["tool_calls"] and "reasoning_details" not in message


@pytest.mark.parametrize("dialect", ["vllm-thinking", "gemini-thinking", "minimax-thinking"])
def test_forced_tool_is_allowed_where_the_provider_allows_it(
    client: httpx.Client, dialect: str
) -> None:
    message = message_of(post(client, dialect, tools=TOOLS, tool_choice=NAMED), False)
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["get_weather"]


# -- input fields a strict API refuses ----------------------------------------------------------
@pytest.mark.parametrize("field", ["reasoning", "reasoning_content"])
def test_groq_rejects_reasoning_keys_on_input_messages(client: httpx.Client, field: str) -> None:
    message, first = first_turn(client, "groq-thinking", False)
    assistant = echo_of(message, "none")
    assert post(client, "groq-thinking", **next_body(first, assistant)).status_code == 200
    assistant[field] = message["reasoning"]
    resp = post(client, "groq-thinking", stream=True, **next_body(first, assistant))
    assert resp.status_code == 400
    assert resp.json() == {
        "error": {
            "message": (
                "'messages.1' : for 'role:assistant' the following must be satisfied"
                f"[('messages.1' : property '{field}' is unsupported)]"
            ),
            "type": "invalid_request_error",
        }
    }


@pytest.mark.parametrize("stream", [False, True])
def test_mistral_rejects_unknown_message_keys_with_422(client: httpx.Client, stream: bool) -> None:
    message, first = first_turn(client, "mistral-thinking", stream)
    assistant = echo_of(message, "none")
    assistant["content"] = "Looking it up."
    ok = post(client, "mistral-thinking", stream=stream, **next_body(first, assistant))
    assert message_of(ok, stream)
    assistant["reasoning_content"] = "x"
    resp = post(client, "mistral-thinking", stream=stream, **next_body(first, assistant))
    assert resp.status_code == 422
    body = resp.json()
    assert body["object"] == "error" and body["type"] == "invalid_request_error"
    (detail,) = body["message"]["detail"]
    assert detail == {
        "type": "extra_forbidden",
        "loc": ["body", "messages", 1, "assistant", "reasoning_content"],
        "msg": "Extra inputs are not permitted",
        "input": "x",
    }


def test_a_dialect_built_by_hand_enforces_the_same_rules(client: httpx.Client) -> None:
    mine = Dialect(
        always_reason=True,
        thinking_toggles=("thinking",),
        forced_tool_while_thinking="reject",
        error_style="moonshot",
    )
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": [USER], "tools": TOOLS, "tool_choice": "required"},
        headers={DIALECT_HEADER: header_value(mine)},
    )
    assert resp.status_code == 400
    assert error_message(resp) == "tool_choice 'required' is incompatible with thinking enabled"


@pytest.mark.parametrize(
    ("dialect", "taken", "refused"),
    [
        ("deepseek-thinking", "max", "none"),
        ("kimi-k3", "max", "medium"),
        ("groq-thinking", "default", "xhigh"),
        ("deepseek", "xhigh", "max"),  # the lenient dialect takes OpenAI's values
    ],
)
def test_reasoning_effort_values_are_the_providers(
    client: httpx.Client, dialect: str, taken: str, refused: str
) -> None:
    assert post(client, dialect, reasoning_effort=taken).status_code == 200
    resp = post(client, dialect, reasoning_effort=refused)
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "reasoning_effort"


def test_a_server_takes_a_preset_name(compat_server_factory: Any) -> None:
    server = compat_server_factory(dialect="kimi-thinking")
    assert server.dialect == DIALECT_PRESETS["kimi-thinking"]
    with httpx.Client(base_url=server.base_url) as http:
        body = {"model": "m", "messages": [USER], "tools": TOOLS, "tool_choice": "required"}
        resp = http.post("/chat/completions", json=body)
    assert resp.status_code == 400
    assert error_message(resp) == "tool_choice 'required' is incompatible with thinking enabled"
