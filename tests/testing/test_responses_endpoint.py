"""``POST /v1/responses`` of the reference server, over raw HTTP.

Each test checks one rule of OpenAI's Responses API that a client depends on: the shapes
of the response object and of the typed stream events, tools and ``text.format``, the
token budget, reasoning items (given back sealed or stored), ``previous_response_id``
chaining, faults, and the 400s worded like the real API.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _helpers import WEATHER_TOOL, error_of, schema_errors

from langchain_compat_chat.testing import Fault, ReferenceServer

TOOL = {"type": "function", **WEATHER_TOOL["function"]}
TIME = {
    "type": "function",
    "name": "get_time",
    "parameters": {
        "type": "object",
        "properties": {"tz": {"type": "string"}},
        "required": ["tz"],
        "additionalProperties": False,
    },
}
SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def post(client: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("model", "m")
    return client.post("/responses", json=body)


def ok(client: httpx.Client, **body: Any) -> dict[str, Any]:
    resp = post(client, **body)
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


def events(client: httpx.Client, **body: Any) -> list[dict[str, Any]]:
    """The stream's events, checking that every ``event:`` line names its data's type."""
    body.setdefault("model", "m")
    with client.stream("POST", "/responses", json={**body, "stream": True}) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        text = resp.read().decode()
    out: list[dict[str, Any]] = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        data = json.loads(lines["data"])
        assert lines["event"] == data["type"]
        out.append(data)
    return out


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return [i["type"] for i in items]


def text_of(response: dict[str, Any]) -> str:
    return "".join(
        part["text"]
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
    )


# -- the response object -------------------------------------------------------------------


def test_json_response_shape(client: httpx.Client) -> None:
    r = ok(client, input="Hello", instructions="Be brief.")
    assert r["object"] == "response" and r["id"].startswith("resp_")
    assert r["status"] == "completed" and r["error"] is None and r["incomplete_details"] is None
    assert r["instructions"] == "Be brief." and r["model"] == "m"
    assert kinds(r["output"]) == ["message"]
    msg = r["output"][0]
    assert msg["id"].startswith("msg_") and msg["role"] == "assistant"
    assert msg["status"] == "completed"
    assert kinds(msg["content"]) == ["output_text"] and msg["content"][0]["annotations"] == []
    usage = r["usage"]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"] == {"cached_tokens": 0}
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0}
    assert r["text"] == {"format": {"type": "text"}, "verbosity": "medium"}
    assert r["store"] is False and r["tool_choice"] == "auto"


def test_stream_events_in_order_and_numbered(client: httpx.Client) -> None:
    evs = events(client, input="Hello")
    assert [e["sequence_number"] for e in evs] == list(range(len(evs)))
    names = [e["type"] for e in evs]
    assert names[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert names[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert evs[0]["response"]["status"] == "in_progress" and evs[0]["response"]["output"] == []
    final = evs[-1]["response"]
    deltas = [e["delta"] for e in evs if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == text_of(final) == evs[-4]["text"]
    assert all(e["item_id"] == final["output"][0]["id"] for e in evs if "item_id" in e)
    # The same request answers the same, streamed or not.
    assert text_of(ok(client, input="Hello")) == text_of(final)


def test_prefix_cache_reports_cached_tokens(client: httpx.Client) -> None:
    first = [{"role": "user", "content": "one two three four five six"}]
    ok(client, input=first)
    later = [*first, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "more"}]
    usage = ok(client, input=later)["usage"]
    assert 0 < usage["input_tokens_details"]["cached_tokens"] < usage["input_tokens"]


# -- tools ---------------------------------------------------------------------------------


def test_required_tool_choice_calls_tools_with_schema_arguments(client: httpx.Client) -> None:
    r = ok(client, input="weather and time?", tools=[TOOL, TIME], tool_choice="required")
    calls = [i for i in r["output"] if i["type"] == "function_call"]
    assert len(calls) == 2 and {c["name"] for c in calls} == {"get_weather", "get_time"}
    for call in calls:
        assert call["id"].startswith("fc_") and call["call_id"].startswith("call_")
        schema = TOOL if call["name"] == "get_weather" else TIME
        assert schema_errors(json.loads(call["arguments"]), schema["parameters"]) == []
    one = ok(
        client, input="x", tools=[TOOL, TIME], tool_choice="required", parallel_tool_calls=False
    )
    assert kinds(one["output"]) == ["function_call"]


def test_named_none_and_auto_tool_choice(client: httpx.Client) -> None:
    named = ok(
        client, input="x", tools=[TOOL, TIME], tool_choice={"type": "function", "name": "get_time"}
    )
    assert [i["name"] for i in named["output"]] == ["get_time"]
    assert kinds(ok(client, input="x", tools=[TOOL], tool_choice="none")["output"]) == ["message"]
    call = ok(client, input="weather?", tools=[TOOL])["output"][0]
    assert call["type"] == "function_call"
    follow = [
        {"role": "user", "content": "weather?"},
        {k: call[k] for k in ("type", "id", "call_id", "name", "arguments")},
        {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"},
    ]
    # After the tool's output the model answers in text, so agent loops end.
    assert kinds(ok(client, input=follow, tools=[TOOL])["output"]) == ["message"]


def test_streamed_arguments_join_to_the_call(client: httpx.Client) -> None:
    evs = events(client, input="x", tools=[TOOL], tool_choice="required")
    done = [e["item"] for e in evs if e["type"] == "response.output_item.done"]
    assert kinds(done) == ["function_call"]
    args = "".join(e["delta"] for e in evs if e["type"] == "response.function_call_arguments.delta")
    assert args == done[0]["arguments"]
    added = next(e for e in evs if e["type"] == "response.output_item.added")["item"]
    assert added["arguments"] == "" and added["call_id"] == done[0]["call_id"]
    assert (
        ok(client, input="x", tools=[TOOL], tool_choice="required")["output"][0]["arguments"]
        == args
    )


# -- text.format and the budget ------------------------------------------------------------


def test_json_schema_output_follows_the_schema(client: httpx.Client) -> None:
    fmt = {"type": "json_schema", "name": "person", "schema": SCHEMA, "strict": True}
    r = ok(client, input="who?", text={"format": fmt})
    assert schema_errors(json.loads(text_of(r)), SCHEMA) == []
    assert r["text"]["format"] == fmt


def test_json_object_needs_the_word_json(client: httpx.Client) -> None:
    assert isinstance(
        json.loads(
            text_of(ok(client, input="answer in JSON", text={"format": {"type": "json_object"}}))
        ),
        dict,
    )
    err = error_of(post(client, input="hi", text={"format": {"type": "json_object"}}))
    assert "must contain the word 'json'" in err["message"] and err["param"] == "input"


def test_max_output_tokens_makes_an_incomplete_response(client: httpx.Client) -> None:
    r = ok(client, input="x", max_output_tokens=16, reasoning={"effort": "high"})
    assert r["status"] == "incomplete" and r["incomplete_details"] == {
        "reason": "max_output_tokens"
    }
    assert r["usage"]["output_tokens"] == 16
    evs = events(client, input="x", max_output_tokens=16, reasoning={"effort": "high"})
    assert evs[-1]["type"] == "response.incomplete"
    err = error_of(post(client, input="x", max_output_tokens=5))
    assert err["code"] == "integer_below_min_value" and "Expected a value >= 16" in err["message"]


# -- reasoning items -----------------------------------------------------------------------


def test_reasoning_item_with_summary_and_sealed_content(client: httpx.Client) -> None:
    r = ok(
        client,
        input="think",
        reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"],
    )
    assert kinds(r["output"]) == ["reasoning", "message"]
    item = r["output"][0]
    assert item["id"].startswith("rs_") and kinds(item["content"]) == ["reasoning_text"]
    assert kinds(item["summary"]) == ["summary_text"] and item["encrypted_content"]
    assert item["content"][0]["text"] not in item["encrypted_content"]
    assert r["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    evs = events(client, input="think", reasoning={"effort": "low", "summary": "auto"})
    names = [e["type"] for e in evs]
    for name in (
        "response.reasoning_text.delta",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
    ):
        assert name in names
    text = "".join(e["delta"] for e in evs if e["type"] == "response.reasoning_text.delta")
    assert text == evs[-1]["response"]["output"][0]["content"][0]["text"]
    assert ok(client, input="plain")["output"][0]["type"] == "message"


def _tool_turn(
    client: httpx.Client, dialect: str | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    headers = {"x-compat-dialect": dialect} if dialect else {}
    body = {
        "model": "m",
        "input": "weather?",
        "tools": [TOOL],
        "reasoning": {"effort": "low"},
        "include": ["reasoning.encrypted_content"],
    }
    resp = client.post("/responses", json=body, headers=headers)
    assert resp.status_code == 200, resp.text
    output = resp.json()["output"]
    assert kinds(output) == ["reasoning", "function_call"]
    return output, body


def test_sealed_reasoning_goes_back_and_is_verified(client: httpx.Client) -> None:
    output, body = _tool_turn(client)
    reasoning, call = output
    sealed = {k: reasoning[k] for k in ("type", "id", "summary", "encrypted_content")}
    answer = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    turn2 = [{"role": "user", "content": "weather?"}, sealed, call, answer]
    assert ok(client, **{**body, "input": turn2})["status"] == "completed"
    altered = {**sealed, "encrypted_content": "A" + sealed["encrypted_content"][1:]}
    err = error_of(post(client, **{**body, "input": [turn2[0], altered, call, answer]}))
    assert err["code"] == "invalid_encrypted_content"
    bare = {k: reasoning[k] for k in ("type", "id", "summary")}
    err = error_of(post(client, **{**body, "input": [turn2[0], bare, call, answer]}))
    assert "Items are not persisted when `store` is set to false" in err["message"]
    err = error_of(post(client, **{**body, "input": [turn2[0], sealed]}))
    assert "was provided without its required following item" in err["message"]


def test_strict_thinking_needs_the_reasoning_item_back(client: httpx.Client) -> None:
    output, body = _tool_turn(client, "deepseek-thinking")
    reasoning, call = output
    answer = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    headers = {"x-compat-dialect": "deepseek-thinking"}
    without = {**body, "input": [{"role": "user", "content": "weather?"}, call, answer]}
    resp = client.post("/responses", json=without, headers=headers)
    assert resp.status_code == 400 and "made while thinking" in error_of(resp)["message"]
    given = {**body, "input": [{"role": "user", "content": "weather?"}, reasoning, call, answer]}
    assert client.post("/responses", json=given, headers=headers).status_code == 200
    forced = {**body, "tool_choice": "required"}
    resp = client.post("/responses", json=forced, headers=headers)
    assert resp.status_code == 400  # DeepSeek refuses a forced tool while thinking


def test_thinking_default_of_a_preset_gives_reasoning_items(client: httpx.Client) -> None:
    resp = client.post(
        "/responses",
        json={"model": "m", "input": "x"},
        headers={"x-compat-dialect": "deepseek-reasoner"},
    )
    assert kinds(resp.json()["output"]) == ["reasoning", "message"]


# -- store and previous_response_id --------------------------------------------------------


def test_stored_response_chains_and_unknown_id_is_refused(client: httpx.Client) -> None:
    first = ok(client, input="weather?", tools=[TOOL], tool_choice="required", store=True)
    call = first["output"][0]
    answer = {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"}
    second = ok(client, previous_response_id=first["id"], input=[answer], tools=[TOOL], store=True)
    assert second["previous_response_id"] == first["id"] and kinds(second["output"]) == ["message"]
    assert second["usage"]["input_tokens"] > first["usage"]["input_tokens"]
    third = ok(client, input=[{"type": "item_reference", "id": call["id"]}, answer], tools=[TOOL])
    assert third["status"] == "completed"
    stateless = ok(client, input="x")
    err = error_of(post(client, previous_response_id=stateless["id"], input="more"))
    assert err["code"] == "previous_response_not_found" and err["param"] == "previous_response_id"
    assert err["message"] == f"Previous response with id '{stateless['id']}' not found."


def test_reset_forgets_stored_responses(
    compat_server: ReferenceServer, client: httpx.Client
) -> None:
    stored = ok(client, input="x", store=True)
    compat_server.reset()
    assert post(client, previous_response_id=stored["id"], input="y").status_code == 400


# -- validation ----------------------------------------------------------------------------

CHAT_TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
LOOSE = {"type": "object", "properties": {"a": {"type": "string"}}}


@pytest.mark.parametrize(
    ("body", "message", "param", "code"),
    [
        (
            {"input": "x", "messages": []},
            "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved "
            "to 'input'.",
            None,
            "unsupported_parameter",
        ),
        (
            {"input": "x", "response_format": {"type": "json_object"}},
            "has moved to 'text.format'",
            None,
            "unsupported_parameter",
        ),
        (
            {"input": "x", "max_tokens": 20},
            "has moved to 'max_output_tokens'",
            None,
            "unsupported_parameter",
        ),
        ({"input": "x", "n": 2}, "Unknown parameter: 'n'.", "n", "unknown_parameter"),
        ({"input": "x", "stop": ["a"]}, "Unknown parameter: 'stop'.", "stop", "unknown_parameter"),
        ({}, "Missing required parameter: 'input'.", "input", "missing_required_parameter"),
        ({"input": 3}, "Invalid type for 'input'", "input", "invalid_type"),
        (
            {"input": "x", "temperature": "hot"},
            "Invalid type for 'temperature'",
            "temperature",
            "invalid_type",
        ),
        (
            {"input": "x", "tools": [CHAT_TOOL]},
            "Missing required parameter: 'tools[0].name'.",
            "tools[0].name",
            "missing_required_parameter",
        ),
        (
            {
                "input": "x",
                "tools": [TOOL],
                "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            },
            "Missing required parameter: 'tool_choice.name'.",
            "tool_choice.name",
            "missing_required_parameter",
        ),
        (
            {"input": "x", "tools": [TOOL], "tool_choice": {"type": "function", "name": "nope"}},
            "Tool choice 'nope' not found in 'tools' parameter.",
            "tool_choice",
            None,
        ),
        (
            {"input": "x", "tools": [{**TOOL, "name": "g", "strict": True, "parameters": LOOSE}]},
            "Invalid schema for function 'g': In context=(), 'additionalProperties' is required "
            "to be supplied and to be false.",
            "tools[0].parameters",
            "invalid_function_parameters",
        ),
        (
            {
                "input": "x",
                "text": {
                    "format": {
                        "type": "json_schema",
                        "name": "s",
                        "strict": True,
                        "schema": {**LOOSE, "additionalProperties": False},
                    }
                },
            },
            "'required' is required to be supplied and to be an array including every key in "
            "properties. Missing 'a'.",
            "text.format.schema",
            "invalid_json_schema",
        ),
        (
            {
                "input": "x",
                "text": {
                    "format": {"type": "json_schema", "json_schema": {"name": "s", "schema": LOOSE}}
                },
            },
            "Missing required parameter: 'text.format.name'.",
            "text.format.name",
            "missing_required_parameter",
        ),
        (
            {"input": "x", "include": ["everything"]},
            "Invalid value: 'everything'.",
            "include[0]",
            "invalid_value",
        ),
        (
            {"input": "x", "reasoning": {"effort": "extreme"}},
            "Invalid value: 'extreme'.",
            "reasoning.effort",
            "invalid_value",
        ),
        (
            {"input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]},
            "No tool call found for function call output with call_id call_x.",
            "input",
            None,
        ),
        (
            {
                "input": [
                    {"role": "user", "content": "q"},
                    {"type": "function_call", "call_id": "call_x", "name": "f", "arguments": "{}"},
                ]
            },
            "No tool output found for function call call_x.",
            "input",
            None,
        ),
        (
            {
                "input": [
                    {
                        "type": "function_call",
                        "id": "call_x",
                        "call_id": "call_x",
                        "name": "f",
                        "arguments": "{}",
                    }
                ]
            },
            "Invalid 'input[0].id': 'call_x'. Expected an ID that begins with 'fc'.",
            "input[0].id",
            "invalid_value",
        ),
        (
            {"input": [{"role": "assistant", "content": [{"type": "input_text", "text": "hi"}]}]},
            "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.",
            "input[0].content[0]",
            "invalid_value",
        ),
        (
            {"input": [{"role": "user", "content": "q", "name": "bob"}]},
            "Unknown parameter: 'input[0].name'.",
            "input[0].name",
            "unknown_parameter",
        ),
        (
            {"input": [{"type": "reasoning", "id": "rs_1"}]},
            "Missing required parameter: 'input[0].summary'.",
            "input[0].summary",
            "missing_required_parameter",
        ),
        (
            {"input": "x", "tools": [{"type": "web_search"}]},
            "hosted tool",
            "tools[0].type",
            "invalid_value",
        ),
    ],
)
def test_validation_is_worded_like_openai(
    client: httpx.Client, body: dict[str, Any], message: str, param: str | None, code: str | None
) -> None:
    resp = post(client, **body)
    assert resp.status_code == 400, resp.text
    err = error_of(resp)
    assert message in err["message"]
    assert err["type"] == "invalid_request_error"
    assert err["param"] == param and err["code"] == code


def test_unknown_parameters_follow_the_dialect(client: httpx.Client) -> None:
    body = {"model": "m", "input": "x", "chat_template_kwargs": {"enable_thinking": False}}
    assert client.post("/responses", json=body).status_code == 200
    resp = client.post("/responses", json=body, headers={"x-compat-dialect": "openai"})
    assert error_of(resp)["message"] == "Unknown parameter: 'chat_template_kwargs'."


def test_strict_models_and_context_window(compat_server_factory: Any) -> None:
    srv = compat_server_factory(models=("a",), strict_models=True, context_window=50)
    with httpx.Client(base_url=srv.base_url) as c:
        err = error_of(c.post("/responses", json={"model": "b", "input": "x"}))
        assert err["code"] == "model_not_found"
        resp = c.post("/responses", json={"model": "a", "input": "word " * 100})
        assert resp.status_code == 400 and error_of(resp)["code"] == "context_length_exceeded"
        assert error_of(resp)["param"] == "input"


# -- faults --------------------------------------------------------------------------------


def test_status_fault_and_auth(compat_server_factory: Any) -> None:
    srv = compat_server_factory(api_key="sk-test-1234567890")
    with httpx.Client(base_url=srv.base_url) as c:
        assert c.post("/responses", json={"model": "m", "input": "x"}).status_code == 401
        auth = {"authorization": "Bearer sk-test-1234567890"}
        srv.enqueue_fault(Fault(status=429, retry_after_s=2))
        resp = c.post("/responses", json={"model": "m", "input": "x"}, headers=auth)
        assert resp.status_code == 429 and resp.headers["retry-after"] == "2"
        assert (
            c.post("/responses", json={"model": "m", "input": "x"}, headers=auth).status_code == 200
        )


def test_mid_stream_failure_sends_error_and_response_failed(client: httpx.Client) -> None:
    headers = {"x-compat-fault": "stream_error_after_chunks=4,status=500"}
    with client.stream(
        "POST", "/responses", json={"model": "m", "input": "x", "stream": True}, headers=headers
    ) as resp:
        text = resp.read().decode()
    datas = [json.loads(line[6:]) for line in text.split("\n") if line.startswith("data: ")]
    assert [d["type"] for d in datas[-2:]] == ["error", "response.failed"]
    assert len(datas) == 6 and datas[-2]["code"] == "server_error"
    failed = datas[-1]["response"]
    assert failed["status"] == "failed" and failed["error"]["code"] == "server_error"
    assert [d["sequence_number"] for d in datas] == list(range(6))


def test_disconnect_mid_stream(client: httpx.Client) -> None:
    headers = {"x-compat-fault": "disconnect_after_chunks=3"}
    body = {"model": "m", "input": "x", "stream": True}
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("POST", "/responses", json=body, headers=headers) as resp,
    ):
        resp.read()


def test_scripted_response_is_served_as_queued(
    compat_server: ReferenceServer, client: httpx.Client
) -> None:
    compat_server.enqueue({"id": "resp_fixed", "object": "response", "output": []})
    assert ok(client, input="x")["id"] == "resp_fixed"


@pytest.mark.parametrize("fault", [Fault(malformed_json=True), Fault(invalid_utf8=True)])
def test_json_faults_damage_the_response_object(
    compat_server: ReferenceServer, client: httpx.Client, fault: Fault
) -> None:
    compat_server.enqueue_fault(fault)
    resp = post(client, input="x")
    assert resp.status_code == 200
    if fault.malformed_json:
        assert resp.content.startswith(b'{"id":"resp_')
        with pytest.raises(json.JSONDecodeError):
            json.loads(resp.content)
    else:
        # No `"content":"` in a response object: the bad bytes land in its first string.
        with pytest.raises(UnicodeDecodeError):
            resp.content.decode("utf-8")
        assert json.loads(resp.content.decode("utf-8", errors="replace"))["object"] == "response"
    assert ok(client, input="x")["object"] == "response"


def test_oversize_fault_pads_the_response_object(
    compat_server: ReferenceServer, client: httpx.Client
) -> None:
    compat_server.enqueue_fault(Fault(oversize_bytes=100_000))
    body = ok(client, input="x")
    assert len(body["padding"]) == 100_000 and body["output"]


def _wire_events(client: httpx.Client) -> list[bytes]:
    body = {"model": "m", "input": "x", "stream": True}
    with client.stream("POST", "/responses", json=body) as resp:
        return resp.read().split(b"\n\n")[:-1]


@pytest.mark.parametrize("fault", [Fault(malformed_json=True), Fault(invalid_utf8=True)])
def test_stream_faults_break_the_second_event_only(
    compat_server: ReferenceServer, client: httpx.Client, fault: Fault
) -> None:
    clean = _wire_events(client)
    compat_server.enqueue_fault(fault)
    damaged = _wire_events(client)
    assert len(damaged) == len(clean)
    if fault.malformed_json:
        assert damaged[1] == b'event: response.in_progress\ndata: {"type":"response.in_pro'
    else:
        assert b"\xc3\x28" in damaged[1]
    for event in [damaged[0], *damaged[2:]]:
        event.decode("utf-8")
        json.loads(event.split(b"data: ", 1)[1])


def test_oversize_fault_pads_the_first_stream_event(
    compat_server: ReferenceServer, client: httpx.Client
) -> None:
    compat_server.enqueue_fault(Fault(oversize_bytes=50_000))
    datas = [json.loads(e.split(b"data: ", 1)[1]) for e in _wire_events(client)]
    assert len(datas[0]["padding"]) == 50_000
    assert all("padding" not in d for d in datas[1:])
    assert datas[-1]["type"] == "response.completed"
