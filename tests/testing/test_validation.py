"""Strict request validation: every rejection is a 400 with an OpenAI-shaped error body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _helpers import USER, WEATHER_TOOL, error_of

from langchain_compat_chat.testing import DIALECT_HEADER, ReferenceServer

CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}


def body(**kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"model": "m", "messages": USER}
    out.update(kw)
    return {k: v for k, v in out.items() if v is not ...}


CASES: list[tuple[str, dict[str, Any], str | None, str | None, str]] = [
    # (id, body, param, code, message fragment)
    ("missing model", body(model=...), None, None, "you must provide a model parameter"),
    ("model not string", body(model=3), "model", "invalid_type", "expected a string"),
    ("empty model", body(model=""), None, None, "model parameter"),
    (
        "missing messages",
        body(messages=...),
        "messages",
        "missing_required_parameter",
        "'messages'",
    ),
    ("messages not array", body(messages="hi"), "messages", "invalid_type", "expected an array"),
    ("empty messages", body(messages=[]), "messages", "empty_array", "empty array"),
    ("message not object", body(messages=["hi"]), "messages[0]", "invalid_type", "an object"),
    (
        "missing role",
        body(messages=[{"content": "x"}]),
        "messages[0].role",
        "missing_required_parameter",
        "role",
    ),
    (
        "bad role",
        body(messages=[{"role": "wizard", "content": "x"}]),
        "messages[0].role",
        "invalid_value",
        "'wizard'",
    ),
    (
        "user content missing",
        body(messages=[{"role": "user"}]),
        "messages[0].content",
        "missing_required_parameter",
        "content",
    ),
    (
        "user content null",
        body(messages=[{"role": "user", "content": None}]),
        "messages[0].content",
        "invalid_type",
        "got null",
    ),
    (
        "content wrong type",
        body(messages=[{"role": "user", "content": 5}]),
        "messages[0].content",
        "invalid_type",
        "an integer",
    ),
    (
        "part bad type",
        body(messages=[{"role": "user", "content": [{"type": "video"}]}]),
        "messages[0].content[0].type",
        "invalid_value",
        "'video'",
    ),
    (
        "text part without text",
        body(messages=[{"role": "user", "content": [{"type": "text"}]}]),
        "messages[0].content[0].text",
        "missing_required_parameter",
        "text",
    ),
    (
        "image in system",
        body(
            messages=[
                {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
                *USER,
            ]
        ),
        "messages[0].content[0].type",
        "invalid_value",
        "role 'system'",
    ),
    (
        "image without url",
        body(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]),
        "messages[0].content[0].image_url.url",
        "missing_required_parameter",
        "url",
    ),
    (
        "tool msg without call",
        body(messages=[*USER, {"role": "tool", "tool_call_id": "call_x", "content": "r"}]),
        "messages[1].role",
        None,
        "preceeding message with 'tool_calls'",
    ),
    (
        "tool msg wrong id",
        body(
            messages=[
                *USER,
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "tool", "tool_call_id": "call_2", "content": "r"},
            ]
        ),
        "messages[2].tool_call_id",
        None,
        "call_2",
    ),
    (
        "tool msg missing id",
        body(
            messages=[
                *USER,
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "tool", "content": "r"},
            ]
        ),
        "messages[2].tool_call_id",
        "missing_required_parameter",
        "tool_call_id",
    ),
    (
        "unanswered tool call",
        body(
            messages=[
                *USER,
                {"role": "assistant", "tool_calls": [CALL]},
                {"role": "user", "content": "and?"},
            ]
        ),
        "messages.[1].role",
        None,
        "call_1",
    ),
    (
        "tool call without arguments",
        body(
            messages=[
                *USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}],
                },
            ]
        ),
        "messages[1].tool_calls[0].function.arguments",
        "missing_required_parameter",
        "arguments",
    ),
    (
        "assistant without content or calls",
        body(messages=[*USER, {"role": "assistant"}]),
        "messages[1].content",
        "missing_required_parameter",
        "content",
    ),
    ("tools not array", body(tools={}), "tools", "invalid_type", "expected an array"),
    ("tools empty", body(tools=[]), "tools", "empty_array", "empty array"),
    (
        "tool bad name",
        body(tools=[{"type": "function", "function": {"name": "get weather"}}]),
        "tools[0].function.name",
        "invalid_value",
        "pattern",
    ),
    (
        "tool duplicate name",
        body(tools=[WEATHER_TOOL, WEATHER_TOOL]),
        "tools",
        "invalid_value",
        "duplicate",
    ),
    (
        "tool params not object schema",
        body(
            tools=[
                {"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}
            ]
        ),
        "tools[0].function.parameters",
        "invalid_function_parameters",
        "object",
    ),
    (
        "tool_choice unknown string",
        body(tools=[WEATHER_TOOL], tool_choice="sometimes"),
        "tool_choice",
        "invalid_value",
        "'sometimes'",
    ),
    (
        "tool_choice names missing tool",
        body(tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "nope"}}),
        "tool_choice",
        "invalid_value",
        "'nope'",
    ),
    (
        "tool_choice without tools",
        body(tool_choice="auto"),
        "tool_choice",
        None,
        "only allowed when 'tools' are specified",
    ),
    (
        "parallel_tool_calls without tools",
        body(parallel_tool_calls=True),
        "parallel_tool_calls",
        None,
        "only allowed when 'tools'",
    ),
    ("n zero", body(n=0), "n", "integer_below_min_value", ">= 1"),
    ("n too big", body(n=129), "n", "integer_above_max_value", "<= 128"),
    ("n string", body(n="2"), "n", "invalid_type", "an integer"),
    ("max_tokens zero", body(max_tokens=0), "max_tokens", "integer_below_min_value", ">= 1"),
    ("max_tokens string", body(max_tokens="lots"), "max_tokens", "invalid_type", "a string"),
    (
        "max_completion_tokens negative",
        body(max_completion_tokens=-1),
        "max_completion_tokens",
        "integer_below_min_value",
        ">= 1",
    ),
    ("temperature high", body(temperature=3), "temperature", "decimal_above_max_value", "<= 2"),
    (
        "temperature negative",
        body(temperature=-0.5),
        "temperature",
        "decimal_below_min_value",
        ">= 0",
    ),
    ("top_p high", body(top_p=1.5), "top_p", "decimal_above_max_value", "<= 1"),
    (
        "presence_penalty",
        body(presence_penalty=-3),
        "presence_penalty",
        "decimal_below_min_value",
        ">= -2",
    ),
    (
        "top_logprobs without logprobs",
        body(top_logprobs=2),
        "top_logprobs",
        None,
        "'logprobs' must be set",
    ),
    (
        "top_logprobs too many",
        body(logprobs=True, top_logprobs=21),
        "top_logprobs",
        "integer_above_max_value",
        "<= 20",
    ),
    ("stream not bool", body(stream="yes"), "stream", "invalid_type", "a boolean"),
    (
        "stream_options without stream",
        body(stream_options={"include_usage": True}),
        "stream_options",
        None,
        "only allowed when 'stream'",
    ),
    (
        "stop too many",
        body(stop=["a", "b", "c", "d", "e"]),
        "stop",
        "array_above_max_length",
        "maximum length 4",
    ),
    ("stop wrong type", body(stop=5), "stop", "invalid_type", "string or array"),
    ("seed float", body(seed=1.5), "seed", "invalid_type", "an integer"),
    (
        "reasoning_effort bad",
        body(reasoning_effort="extreme"),
        "reasoning_effort",
        "invalid_value",
        "'extreme'",
    ),
    (
        "response_format unknown type",
        body(response_format={"type": "yaml"}),
        "response_format.type",
        "invalid_value",
        "'yaml'",
    ),
    (
        "response_format missing type",
        body(response_format={}),
        "response_format.type",
        "missing_required_parameter",
        "type",
    ),
    (
        "json_schema missing",
        body(response_format={"type": "json_schema"}),
        "response_format.json_schema",
        "missing_required_parameter",
        "json_schema",
    ),
    (
        "json_schema missing name",
        body(response_format={"type": "json_schema", "json_schema": {"schema": {}}}),
        "response_format.json_schema.name",
        "missing_required_parameter",
        "name",
    ),
    (
        "json_object without the word json",
        body(response_format={"type": "json_object"}),
        "messages",
        None,
        "must contain the word 'json'",
    ),
]


@pytest.mark.parametrize(
    ("case", "payload", "param", "code", "fragment"), CASES, ids=[c[0] for c in CASES]
)
def test_invalid_request_is_400(
    client: httpx.Client,
    case: str,
    payload: dict[str, Any],
    param: str | None,
    code: str | None,
    fragment: str,
) -> None:
    resp = client.post("/chat/completions", json=payload)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == "application/json"
    err = error_of(resp)
    assert err["type"] == "invalid_request_error"
    assert err["param"] == param
    assert err["code"] == code
    assert fragment in err["message"]


@pytest.mark.parametrize("raw", [b'{"model": "m", "messages": [', b"not json", b"\xff\xfe", b""])
def test_malformed_json_body(client: httpx.Client, raw: bytes) -> None:
    resp = client.post(
        "/chat/completions", content=raw, headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    assert "could not parse the JSON body" in error_of(resp)["message"]


def test_body_must_be_object(client: httpx.Client) -> None:
    resp = client.post("/chat/completions", json=[1, 2])
    assert resp.status_code == 400
    assert error_of(resp)["code"] == "invalid_type"


def test_unknown_params_ignored_by_default_rejected_in_openai_dialect(
    client: httpx.Client,
) -> None:
    extra = body(chat_template_kwargs={"enable_thinking": False}, top_k=5)
    assert client.post("/chat/completions", json=extra).status_code == 200
    resp = client.post("/chat/completions", json=extra, headers={DIALECT_HEADER: "openai"})
    assert resp.status_code == 400
    assert error_of(resp)["message"].startswith("Unrecognized request argument supplied")


def test_valid_rich_request_is_accepted(client: httpx.Client) -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Really brief."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"},
                },
                {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
                {
                    "type": "file",
                    "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,AA"},
                },
            ],
            "name": "alice",
        },
        {"role": "assistant", "content": "", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "ok"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "done"}]},
        {"role": "user", "content": "again"},
    ]
    payload = body(
        messages=messages,
        tools=[WEATHER_TOOL],
        tool_choice="auto",
        parallel_tool_calls=False,
        temperature=0,
        top_p=1,
        n=1,
        stop="\n\n",
        seed=3,
        max_completion_tokens=64,
        logprobs=False,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        logit_bias={"50256": -100},
        user="u1",
        reasoning_effort="low",
    )
    resp = client.post("/chat/completions", json=payload)
    assert resp.status_code == 200, resp.text


def test_invalid_requests_do_not_consume_the_queue(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.enqueue({"scripted": True})
    assert client.post("/chat/completions", json={"model": "m"}).status_code == 400
    assert compat_server.pending == 1
    assert client.post("/chat/completions", json=body()).json() == {"scripted": True}
