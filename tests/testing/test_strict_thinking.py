"""Strict thinking mode: every preset's rules, proved with raw HTTP (JSON and SSE).

Each rule is shown both ways: the request that breaks it gets that provider's error (status,
words and body shape), and the request that follows it gets a 200. The first turn of each
echo test is a real answer of the server, so the echo checks run on what a client would
actually have to send back.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from _helpers import TIME_TOOL, WEATHER_TOOL, parse_sse

from langchain_compat_chat.testing import (
    DIALECT_HEADER,
    DIALECT_PRESETS,
    THINKING_PRESETS,
    Dialect,
    header_value,
    parse_dialect,
)

TOOLS = [WEATHER_TOOL, TIME_TOOL]
USER = {"role": "user", "content": "What is the weather in Paris?"}
NAMED = {"type": "function", "function": {"name": "get_weather"}}
EXPECTED_PRESETS = [
    "deepseek-thinking",
    "kimi-thinking",
    "kimi-k3",
    "qwen-thinking",
    "vllm-thinking",
    "sglang-thinking",
    "glm-thinking",
    "minimax-thinking",
    "openrouter-thinking",
    "groq-thinking",
    "mistral-thinking",
    "claude-thinking",
    "gemini-thinking",
    "gpt-oss-thinking",
]
# What turns thinking on where it is off by default.
THINK_ON: dict[str, dict[str, Any]] = {
    "qwen-thinking": {"enable_thinking": True},
    "openrouter-thinking": {"reasoning": {"enabled": True}},
    "claude-thinking": {"thinking": {"type": "enabled", "budget_tokens": 2048}},
}
# And off, for presets that can be switched.
THINK_OFF: dict[str, dict[str, Any]] = {
    "deepseek-thinking": {"thinking": {"type": "disabled"}},
    "kimi-thinking": {"thinking": {"type": "disabled"}},
    "qwen-thinking": {"enable_thinking": False},
    "claude-thinking": {},
    "vllm-thinking": {"chat_template_kwargs": {"enable_thinking": False}},
}


def post(
    client: httpx.Client, dialect: str, *, stream: bool = False, **body: Any
) -> httpx.Response:
    body.setdefault("model", "m")
    body.setdefault("messages", [USER])
    if stream:
        body["stream"] = True
    return client.post("/chat/completions", json=body, headers={DIALECT_HEADER: dialect})


def message_of(resp: httpx.Response, stream: bool) -> dict[str, Any]:
    """The assistant message of a 200 answer; a stream is merged the way a client must."""
    assert resp.status_code == 200, resp.text
    if not stream:
        message: dict[str, Any] = resp.json()["choices"][0]["message"]
        return message
    out: dict[str, Any] = {"role": "assistant", "content": None}
    details: dict[int, dict[str, Any]] = {}
    calls: dict[int, dict[str, Any]] = {}
    items = parse_sse(resp.text)
    assert items[-1] == "[DONE]"
    for chunk in items[:-1]:
        for choice in chunk.get("choices", []):
            delta = choice["delta"]
            if isinstance(delta.get("content"), str) and delta["content"]:
                out["content"] = (out["content"] or "") + delta["content"]
            for key in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(key), str):
                    out[key] = out.get(key, "") + delta[key]
            for part in delta.get("reasoning_details") or ():
                block = details.setdefault(part["index"], {**part, "text": ""})
                block["text"] += part.get("text") or ""
                if part.get("signature"):
                    block["signature"] = part["signature"]
            for part in delta.get("tool_calls") or ():
                # vLLM leaves out ``index``: a delta with an id starts the next call
                index = part.get("index")
                if index is None:
                    index = len(calls) if part.get("id") else len(calls) - 1
                call = calls.setdefault(
                    index,
                    {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                )
                call["id"] = part.get("id") or call["id"]
                fn = part.get("function") or {}
                call["function"]["name"] += fn.get("name") or ""
                call["function"]["arguments"] += fn.get("arguments") or ""
                if "extra_content" in part:
                    call["extra_content"] = part["extra_content"]
    if details:
        out["reasoning_details"] = [details[k] for k in sorted(details)]
    if calls:
        out["tool_calls"] = [calls[k] for k in sorted(calls)]
    return out


def first_turn(
    client: httpx.Client, dialect: str, stream: bool, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A thinking tool-call turn from the server: (assistant message, body used)."""
    body: dict[str, Any] = {"tools": TOOLS, "seed": 7, **THINK_ON.get(dialect, {}), **extra}
    message = message_of(post(client, dialect, stream=stream, **copy.deepcopy(body)), stream)
    assert message.get("tool_calls"), message
    return message, body


def echo_of(message: dict[str, Any], field: str) -> dict[str, Any]:
    """The assistant history entry a round-tripping client sends for ``message``."""
    sent: dict[str, Any] = {
        "role": "assistant",
        "content": message.get("content"),
        "tool_calls": [
            {k: v for k, v in c.items() if k in ("id", "type", "function", "extra_content")}
            for c in message["tool_calls"]
        ],
    }
    if field in ("reasoning_content", "reasoning", "reasoning_details"):
        sent[field] = message[field]
    return sent


def next_body(first: dict[str, Any], assistant: dict[str, Any], **extra: Any) -> dict[str, Any]:
    tool_results = [
        {"role": "tool", "tool_call_id": c["id"], "content": "sunny"}
        for c in assistant["tool_calls"]
    ]
    return {**first, "messages": [USER, assistant, *tool_results], **extra}


def error_message(resp: httpx.Response) -> str:
    """The error message wherever the provider puts it."""
    body = resp.json()
    if isinstance(body, list):  # Gemini's OpenAI endpoint sends a list of errors
        (body,) = body
    err = body.get("error", body)
    if isinstance(err.get("metadata"), dict):  # OpenRouter wraps the upstream error
        return str(json.loads(err["metadata"]["raw"])["error"]["message"])
    if isinstance(err.get("message"), dict):  # Mistral's pydantic detail
        return str(err["message"]["detail"][0]["msg"])
    return str(err["message"])


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
    resp = post(client, "kimi-k3", thinking={"type": "enabled"})
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


# -- reasoning echo on tool-call turns ----------------------------------------------------------
ECHO_MISSING = {
    "deepseek-thinking": (
        "The `reasoning_content` in the thinking mode must be passed back to the API."
    ),
    "kimi-thinking": (
        "thinking is enabled but reasoning_content is missing in assistant tool call message "
        "at index 1"
    ),
    "kimi-k3": (
        "thinking is enabled but reasoning_content is missing in assistant tool call message "
        "at index 1"
    ),
    "qwen-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "vllm-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "sglang-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "glm-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "minimax-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "gpt-oss-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "openrouter-thinking": "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`",
    "gemini-thinking": "Function call is missing a thought_signature in functionCall parts.",
}
EXTRA_ON_ECHO = {"qwen-thinking": {"preserve_thinking": True}}


@pytest.mark.parametrize("dialect", sorted(ECHO_MISSING))
@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_turn_without_its_reasoning_is_the_providers_400(
    client: httpx.Client, dialect: str, stream: bool
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, stream)
    extra = EXTRA_ON_ECHO.get(dialect, {})
    echoed = echo_of(message, field)
    ok = post(client, dialect, stream=stream, **next_body(first, echoed, **extra))
    assert message_of(ok, stream).get("content")  # the loop ends with an answer
    dropped = copy.deepcopy(echoed)
    dropped.pop(field, None)
    for call in dropped["tool_calls"]:
        call.pop("extra_content", None)
    resp = post(client, dialect, stream=stream, **next_body(first, dropped, **extra))
    assert resp.status_code == 400, resp.text
    assert error_message(resp).startswith(ECHO_MISSING[dialect])


@pytest.mark.parametrize(
    "dialect",
    ["deepseek-thinking", "kimi-thinking", "vllm-thinking", "minimax-thinking", "gpt-oss-thinking"],
)
def test_an_echo_of_other_text_is_rejected(client: httpx.Client, dialect: str) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, True)
    echoed = echo_of(message, field)
    if field == "reasoning_details":
        echoed[field][0]["text"] += " and more"
    else:
        echoed[field] = echoed[field].strip() + " and more"
    resp = post(client, dialect, **next_body(first, echoed))
    assert resp.status_code == 400, resp.text
    assert "not the reasoning this server sent" in error_message(resp)


def test_untagged_history_needs_only_the_field(client: httpx.Client) -> None:
    # A turn this server did not produce while thinking (foreign id): the field must be there,
    # as on DeepSeek, whatever its text.
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_foreign",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    }
    body = next_body({"tools": TOOLS}, assistant)
    assert post(client, "deepseek-thinking", **body).status_code == 400
    assistant["reasoning_content"] = ""
    assert post(client, "deepseek-thinking", **body).status_code == 200
    off = next_body({"tools": TOOLS, "thinking": {"type": "disabled"}}, dict(assistant))
    del off["messages"][1]["reasoning_content"]
    assert post(client, "deepseek-thinking", **off).status_code == 200  # not thinking: no rule


@pytest.mark.parametrize(
    ("dialect", "wrong", "words"),
    [
        ("vllm-thinking", "reasoning_content", "which vLLM ignores on input"),
        ("gpt-oss-thinking", "reasoning_content", "which vLLM ignores on input"),
        ("deepseek-thinking", "reasoning", "The `reasoning_content` in the thinking mode"),
        ("kimi-thinking", "reasoning", "reasoning_content is missing"),
    ],
)
def test_reasoning_in_the_wrong_field_is_rejected(
    client: httpx.Client, dialect: str, wrong: str, words: str
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, False)
    echoed = echo_of(message, field)
    echoed[wrong] = echoed.pop(field)
    resp = post(client, dialect, **next_body(first, echoed))
    assert resp.status_code == 400
    assert words in error_message(resp)


def test_qwen_echo_counts_only_with_preserve_thinking(client: httpx.Client) -> None:
    message, first = first_turn(client, "qwen-thinking", False)
    echoed = echo_of(message, "reasoning_content")
    resp = post(client, "qwen-thinking", **next_body(first, echoed))
    assert resp.status_code == 400
    assert "'preserve_thinking': true" in error_message(resp)
    body = next_body(first, echoed, preserve_thinking=True)
    assert post(client, "qwen-thinking", **body).status_code == 200


@pytest.mark.parametrize("dialect", ["vllm-thinking", "gemini-thinking", "openrouter-thinking"])
def test_current_turn_scope_ignores_turns_before_the_last_user_message(
    client: httpx.Client, dialect: str
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, False)
    dropped = echo_of(message, field)
    dropped.pop(field, None)
    for call in dropped["tool_calls"]:
        call.pop("extra_content", None)
    body = next_body(first, dropped)
    body["messages"] += [{"role": "assistant", "content": "Done."}, dict(USER)]
    assert post(client, dialect, **body).status_code == 200


# -- OpenRouter reasoning_details: fragments, signatures, merging -------------------------------
def test_openrouter_streams_fragments_with_the_signature_last(client: httpx.Client) -> None:
    body = {"reasoning": {"enabled": True}, "seed": 11}
    resp = post(client, "openrouter-thinking", stream=True, **body)
    parts = [
        p
        for c in parse_sse(resp.text)[:-1]
        for ch in c["choices"]
        for p in ch["delta"].get("reasoning_details") or ()
    ]
    indexes = sorted({p["index"] for p in parts})
    assert indexes == [0, 1]
    for k in indexes:
        mine = [p for p in parts if p["index"] == k]
        assert len(mine) > 2 and all(p["format"] == "anthropic-claude-v1" for p in mine)
        assert [bool(p.get("signature")) for p in mine] == [False] * (len(mine) - 1) + [True]
    merged = message_of(resp, True)["reasoning_details"]
    whole = message_of(post(client, "openrouter-thinking", **body), False)["reasoning_details"]
    assert merged == whole  # merging the stream per index gives the non-streamed entries


def test_openrouter_rejects_fragment_lists_and_lost_signatures(client: httpx.Client) -> None:
    resp = post(
        client, "openrouter-thinking", stream=True, tools=TOOLS, **THINK_ON["openrouter-thinking"]
    )
    fragments = [
        p
        for c in parse_sse(resp.text)[:-1]
        for ch in c["choices"]
        for p in ch["delta"].get("reasoning_details") or ()
    ]
    message, first = first_turn(client, "openrouter-thinking", True)
    bad_signature = "messages.1.content.0: Invalid `signature` in `thinking` block"
    as_streamed = echo_of(message, "reasoning_details")
    as_streamed["reasoning_details"] = fragments
    resp = post(client, "openrouter-thinking", **next_body(first, as_streamed))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    unsigned = echo_of(message, "reasoning_details")
    for entry in unsigned["reasoning_details"]:
        del entry["signature"]
    resp = post(client, "openrouter-thinking", **next_body(first, unsigned))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    one_block = echo_of(message, "reasoning_details")
    one_block["reasoning_details"] = one_block["reasoning_details"][:1]
    resp = post(client, "openrouter-thinking", **next_body(first, one_block))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    body = resp.json()["error"]
    assert body["message"] == "Provider returned error"
    assert body["metadata"]["provider_name"] == "Anthropic"


# -- Gemini thought signatures ------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_gemini_signs_the_first_tool_call_of_a_step(client: httpx.Client, stream: bool) -> None:
    body = {"tools": TOOLS, "tool_choice": "required", "seed": 3}
    message = message_of(post(client, "gemini-thinking", stream=stream, **body), stream)
    first, *rest = message["tool_calls"]
    assert first["extra_content"]["google"]["thought_signature"]
    assert rest and all("extra_content" not in c for c in rest)
    assert "reasoning_content" not in message  # thoughts stay hidden


def test_gemini_names_the_call_missing_its_signature(client: httpx.Client) -> None:
    message, first = first_turn(client, "gemini-thinking", False)
    echoed = echo_of(message, "thought_signature")
    name = echoed["tool_calls"][0]["function"]["name"]
    del echoed["tool_calls"][0]["extra_content"]
    resp = post(client, "gemini-thinking", **next_body(first, echoed))
    assert resp.status_code == 400
    assert f"function call `default_api:{name}` , position 1" in error_message(resp)
    (body,) = resp.json()
    assert body["error"]["status"] == "INVALID_ARGUMENT" and body["error"]["code"] == 400
    forged = echo_of(message, "thought_signature")
    forged["tool_calls"][0]["extra_content"]["google"]["thought_signature"] = "c2lnbmF0dXJl"
    assert post(client, "gemini-thinking", **next_body(first, forged)).status_code == 400


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


def test_mistral_rejects_unknown_message_keys_with_422(client: httpx.Client) -> None:
    message, first = first_turn(client, "mistral-thinking", False)
    assistant = echo_of(message, "none")
    assistant["content"] = "Looking it up."
    assert post(client, "mistral-thinking", **next_body(first, assistant)).status_code == 200
    assistant["reasoning_content"] = "x"
    resp = post(client, "mistral-thinking", **next_body(first, assistant))
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


def test_max_effort_is_accepted_where_the_provider_takes_it(client: httpx.Client) -> None:
    for dialect in ("deepseek-thinking", "kimi-k3"):
        assert post(client, dialect, reasoning_effort="max").status_code == 200
    resp = post(client, "deepseek", reasoning_effort="max")
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "reasoning_effort"


def test_a_server_takes_a_preset_name(compat_server_factory: Any) -> None:
    server = compat_server_factory(dialect="kimi-thinking")
    assert server.dialect == DIALECT_PRESETS["kimi-thinking"]
    with httpx.Client(base_url=server.base_url) as http:
        body = {"model": "m", "messages": [USER], "tools": TOOLS, "tool_choice": "required"}
        resp = http.post("/chat/completions", json=body)
    assert resp.status_code == 400
    assert error_message(resp) == "tool_choice 'required' is incompatible with thinking enabled"
