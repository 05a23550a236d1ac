"""Protocol behaviour of the reference server over real loopback sockets."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from _helpers import (
    TIME_TOOL,
    USER,
    WEATHER_TOOL,
    assemble,
    chat,
    error_of,
    parse_sse,
    schema_errors,
    stream_chunks,
)

from langchain_compat_chat.testing import ReferenceServer
from langchain_compat_chat.testing._generate import VOCABULARY, split_tokens

# ------------------------------------------------------------------------------------
# JSON completions
# ------------------------------------------------------------------------------------


def test_json_completion_shape(client: httpx.Client) -> None:
    resp = chat(client, model="my-model", seed=1)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert resp.headers["x-request-id"].startswith("req_")
    body = resp.json()
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int)
    assert body["model"] == "my-model"
    assert body["system_fingerprint"]
    (choice,) = body["choices"]
    assert choice["index"] == 0
    assert choice["finish_reason"] == "stop"
    assert choice["logprobs"] is None
    msg = choice["message"]
    assert msg["role"] == "assistant"
    assert isinstance(msg["content"], str) and msg["content"]
    assert msg["refusal"] is None
    assert "tool_calls" not in msg


def test_usage_counts_what_was_sent_and_generated(client: httpx.Client) -> None:
    short = chat(client, seed=3).json()
    usage = short["usage"]
    content = short["choices"][0]["message"]["content"]
    assert usage["completion_tokens"] == len(split_tokens(content))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0
    longer = chat(
        client, seed=3, messages=[{"role": "user", "content": "one two three " * 20}]
    ).json()
    assert longer["usage"]["prompt_tokens"] > usage["prompt_tokens"] + 50


def test_prompt_prefix_cache_reports_cached_tokens(client: httpx.Client) -> None:
    history: list[dict[str, Any]] = [
        {"role": "system", "content": "You are terse. " * 30},
        {"role": "user", "content": "first question"},
    ]
    first = chat(client, messages=history).json()
    assert first["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    history += [
        {"role": "assistant", "content": first["choices"][0]["message"]["content"]},
        {"role": "user", "content": "second question"},
    ]
    second = chat(client, messages=history).json()
    cached = second["usage"]["prompt_tokens_details"]["cached_tokens"]
    assert 0 < cached < second["usage"]["prompt_tokens"]


def test_content_is_from_vocabulary_not_from_prompt(client: httpx.Client) -> None:
    a = chat(client, seed=5, messages=[{"role": "user", "content": "Name the capital Paris"}])
    b = chat(client, seed=5, messages=[{"role": "user", "content": "Return the number 42"}])
    text_a = a.json()["choices"][0]["message"]["content"]
    assert text_a == b.json()["choices"][0]["message"]["content"]
    words = {w.strip(".,").lower() for w in text_a.split()}
    assert words <= set(VOCABULARY)
    assert "paris" not in text_a.lower()


def test_seed_determinism(client: httpx.Client) -> None:
    def text(**kw: Any) -> str:
        return str(chat(client, **kw).json()["choices"][0]["message"]["content"])

    assert text(seed=11) == text(seed=11)
    assert text(seed=11) != text(seed=12)
    assert text() == text()  # no seed: the request hash decides


def test_model_echo_any_name(client: httpx.Client) -> None:
    for model in ("gpt-4o-mini", "deepseek-chat", "qwen/qwen3:8b"):
        assert chat(client, model=model).json()["model"] == model


# ------------------------------------------------------------------------------------
# Streaming
# ------------------------------------------------------------------------------------


def test_stream_shape_and_text_matches_json(client: httpx.Client) -> None:
    resp = chat(client, seed=7, stream=True)
    assert resp.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in resp.headers
    items = parse_sse(resp.text)
    assert items[-1] == "[DONE]"
    chunks = items[:-1]
    assert len({c["id"] for c in chunks}) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert all("usage" not in c for c in chunks)
    last = chunks[-1]["choices"][0]
    assert last["delta"] == {} and last["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    expected = chat(client, seed=7).json()["choices"][0]["message"]["content"]
    assert assemble(chunks)[0]["content"] == expected
    # one token per content delta
    assert len(chunks) == len(split_tokens(expected)) + 2


def test_stream_include_usage(client: httpx.Client) -> None:
    items = stream_chunks(client, seed=7, stream_options={"include_usage": True})
    assert items[-1] == "[DONE]"
    usage_chunk = items[-2]
    assert usage_chunk["choices"] == []
    usage = usage_chunk["usage"]
    assert usage["completion_tokens"] == len(split_tokens(assemble(items)[0]["content"]))
    assert all(c["usage"] is None for c in items[:-2])


def test_stream_options_false_sends_no_usage(client: httpx.Client) -> None:
    items = stream_chunks(client, stream_options={"include_usage": False})
    assert all("usage" not in c for c in items[:-1])


def test_stream_n2_interleaves_choices(client: httpx.Client) -> None:
    items = stream_chunks(client, seed=4, n=2, stream_options={"include_usage": True})
    indexes = [c["choices"][0]["index"] for c in items[:-2]]
    assert indexes[:4] == [0, 1, 0, 1]
    joined = assemble(items)
    plain = chat(client, seed=4, n=2).json()
    for choice in plain["choices"]:
        assert joined[choice["index"]]["content"] == choice["message"]["content"]
        assert joined[choice["index"]]["finish_reason"] == choice["finish_reason"]
    assert items[-2]["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"]


# ------------------------------------------------------------------------------------
# Parameters: n, stop, max_tokens, logprobs, response_format
# ------------------------------------------------------------------------------------


def test_n_choices(client: httpx.Client) -> None:
    body = chat(client, n=3, seed=2).json()
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    texts = {c["message"]["content"] for c in body["choices"]}
    assert len(texts) == 3
    total = sum(len(split_tokens(t)) for t in texts)
    assert body["usage"]["completion_tokens"] == total


def test_stop_truncates(client: httpx.Client) -> None:
    full = chat(client, seed=9).json()["choices"][0]["message"]["content"]
    words = full.split()
    stop = " " + words[len(words) // 2]
    prefix = full[: full.index(stop)]
    body = chat(client, seed=9, stop=[stop, "zzz-never"]).json()
    assert body["choices"][0]["message"]["content"] == prefix
    assert body["choices"][0]["finish_reason"] == "stop"
    streamed = assemble(stream_chunks(client, seed=9, stop=stop))[0]
    assert streamed["content"] == prefix


@pytest.mark.parametrize("param", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_gives_length(client: httpx.Client, param: str) -> None:
    body = chat(client, seed=1, **{param: 3}).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert len(split_tokens(choice["message"]["content"])) == 3
    assert body["usage"]["completion_tokens"] == 3
    streamed = assemble(stream_chunks(client, seed=1, **{param: 3}))[0]
    assert streamed["finish_reason"] == "length"
    assert streamed["content"] == choice["message"]["content"]


def test_max_completion_tokens_wins_over_max_tokens(client: httpx.Client) -> None:
    body = chat(client, seed=1, max_tokens=2, max_completion_tokens=5).json()
    assert body["usage"]["completion_tokens"] == 5


def test_logprobs(client: httpx.Client) -> None:
    body = chat(client, seed=1, logprobs=True, top_logprobs=3, max_tokens=6).json()
    lp = body["choices"][0]["logprobs"]
    assert lp["refusal"] is None
    tokens = split_tokens(body["choices"][0]["message"]["content"])
    assert [e["token"] for e in lp["content"]] == tokens
    for entry in lp["content"]:
        assert entry["logprob"] <= 0
        assert entry["bytes"] == list(entry["token"].encode())
        assert len(entry["top_logprobs"]) == 3
        assert entry["top_logprobs"][0]["token"] == entry["token"]
        probs = [t["logprob"] for t in entry["top_logprobs"]]
        assert probs == sorted(probs, reverse=True)
    items = stream_chunks(client, seed=1, logprobs=True, top_logprobs=1, max_tokens=6)
    streamed = [c["choices"][0]["logprobs"] for c in items[1:-2]]
    assert all(s is not None and len(s["content"]) == 1 for s in streamed)


def test_response_format_json_object(client: httpx.Client) -> None:
    msgs = [{"role": "user", "content": "Reply in JSON."}]
    body = chat(client, messages=msgs, response_format={"type": "json_object"}).json()
    assert isinstance(json.loads(body["choices"][0]["message"]["content"]), dict)


SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "population": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
        "capital": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4},
        "kind": {"type": "string", "enum": ["city", "town"]},
    },
    "required": ["name", "population", "capital", "tags", "kind"],
    "additionalProperties": False,
}


def test_response_format_json_schema(client: httpx.Client) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "city", "strict": True, "schema": SCHEMA}}
    for seed in range(10):
        body = chat(client, seed=seed, response_format=fmt).json()
        value = json.loads(body["choices"][0]["message"]["content"])
        assert schema_errors(value, SCHEMA) == []
    streamed = assemble(stream_chunks(client, seed=1, response_format=fmt))[0]
    assert schema_errors(json.loads(streamed["content"]), SCHEMA) == []


def test_response_format_text_accepted(client: httpx.Client) -> None:
    assert chat(client, response_format={"type": "text"}).status_code == 200


# ------------------------------------------------------------------------------------
# Tools
# ------------------------------------------------------------------------------------


def _calls(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["choices"][0]["message"].get("tool_calls") or [])


def test_tool_auto_calls_tool_with_schema_valid_args(client: httpx.Client) -> None:
    for seed in range(8):
        body = chat(client, seed=seed, tools=[WEATHER_TOOL]).json()
        choice = body["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        assert choice["message"]["content"] is None
        (call,) = _calls(body)
        assert call["type"] == "function"
        assert call["id"].startswith("call_")
        assert call["function"]["name"] == "get_weather"
        args = json.loads(call["function"]["arguments"])
        assert schema_errors(args, WEATHER_TOOL["function"]["parameters"]) == []
        assert args["city"] != "Paris"


def test_tool_auto_answers_in_text_after_tool_result(client: httpx.Client) -> None:
    first = chat(client, tools=[WEATHER_TOOL]).json()
    call = _calls(first)[0]
    history = [
        *USER,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": '{"temperature": 21}'},
    ]
    body = chat(client, messages=history, tools=[WEATHER_TOOL]).json()
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["choices"][0]["message"]["content"]
    assert _calls(body) == []


def test_tool_choice_none(client: httpx.Client) -> None:
    body = chat(client, tools=[WEATHER_TOOL], tool_choice="none").json()
    assert _calls(body) == [] and body["choices"][0]["finish_reason"] == "stop"


def test_tool_choice_required_even_after_tool_result(client: httpx.Client) -> None:
    history = [
        *USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    body = chat(client, messages=history, tools=[WEATHER_TOOL], tool_choice="required").json()
    assert len(_calls(body)) == 1
    assert body["choices"][0]["finish_reason"] == "tool_calls"


def test_tool_choice_named_function(client: httpx.Client) -> None:
    for seed in range(5):
        choice = {"type": "function", "function": {"name": "get_time"}}
        body = chat(client, seed=seed, tools=[WEATHER_TOOL, TIME_TOOL], tool_choice=choice).json()
        (call,) = _calls(body)
        assert call["function"]["name"] == "get_time"
        args = json.loads(call["function"]["arguments"])
        assert schema_errors(args, TIME_TOOL["function"]["parameters"]) == []


def test_tool_choice_allowed_tools(client: httpx.Client) -> None:
    choice = {
        "type": "allowed_tools",
        "allowed_tools": {
            "mode": "required",
            "tools": [{"type": "function", "function": {"name": "get_time"}}],
        },
    }
    body = chat(client, tools=[WEATHER_TOOL, TIME_TOOL], tool_choice=choice).json()
    assert [c["function"]["name"] for c in _calls(body)] == ["get_time"]


def test_parallel_tool_calls(client: httpx.Client) -> None:
    tools = [WEATHER_TOOL, TIME_TOOL]
    body = chat(client, tools=tools, tool_choice="required").json()
    calls = _calls(body)
    assert sorted(c["function"]["name"] for c in calls) == ["get_time", "get_weather"]
    assert len({c["id"] for c in calls}) == 2
    single = chat(client, tools=tools, tool_choice="required", parallel_tool_calls=False).json()
    assert len(_calls(single)) == 1


def test_stream_tool_call_deltas(client: httpx.Client) -> None:
    items = stream_chunks(
        client, seed=3, tools=[WEATHER_TOOL], stream_options={"include_usage": True}
    )
    deltas = [c["choices"][0]["delta"] for c in items[:-2]]
    assert deltas[0] == {"role": "assistant", "content": "", "refusal": None}
    first = deltas[1]["tool_calls"][0]
    assert set(first) == {"index", "id", "type", "function"}
    assert first["index"] == 0 and first["function"] == {"name": "get_weather", "arguments": ""}
    for delta in deltas[2:-1]:
        (part,) = delta["tool_calls"]
        assert set(part) == {"index", "function"} and set(part["function"]) == {"arguments"}
    assert items[-3]["choices"][0]["finish_reason"] == "tool_calls"
    call = assemble(items)[0]["tool_calls"][0]
    plain = _calls(chat(client, seed=3, tools=[WEATHER_TOOL]).json())[0]
    assert call["arguments"] == plain["function"]["arguments"]
    assert call["id"] == plain["id"]


def test_stream_parallel_tool_calls_have_distinct_indexes(client: httpx.Client) -> None:
    items = stream_chunks(client, tools=[WEATHER_TOOL, TIME_TOOL], tool_choice="required")
    calls = assemble(items)[0]["tool_calls"]
    assert sorted(calls) == [0, 1]
    for call in calls.values():
        tool = WEATHER_TOOL if call["name"] == "get_weather" else TIME_TOOL
        params = tool["function"]["parameters"]  # type: ignore[index]
        assert schema_errors(json.loads(call["arguments"]), params) == []


def test_tool_call_truncated_by_max_tokens(client: httpx.Client) -> None:
    body = chat(client, tools=[WEATHER_TOOL], max_tokens=3).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3


def test_tool_args_do_not_depend_on_prompt(client: httpx.Client) -> None:
    a = chat(client, seed=1, tools=[WEATHER_TOOL], messages=[{"role": "user", "content": "Rome"}])
    b = chat(client, seed=1, tools=[WEATHER_TOOL], messages=[{"role": "user", "content": "Oslo"}])
    args_a = _calls(a.json())[0]["function"]["arguments"]
    assert args_a == _calls(b.json())[0]["function"]["arguments"]
    assert "Rome" not in args_a


# ------------------------------------------------------------------------------------
# Other routes, auth, HTTP details
# ------------------------------------------------------------------------------------


def test_models_list(client: httpx.Client) -> None:
    body = client.get("/models").json()
    assert body["object"] == "list"
    (model,) = body["data"]
    assert set(model) == {"id", "object", "created", "owned_by", "max_model_len"}
    assert model["object"] == "model"
    assert model["max_model_len"] == 128_000  # the default context_window, as vLLM reports it
    assert client.get(f"/models/{model['id']}").json()["id"] == model["id"]
    err = error_of(client.get("/models/nope"))
    assert err["code"] == "model_not_found"


def test_health(compat_server: ReferenceServer) -> None:
    resp = httpx.get(compat_server.url + "/health")
    assert resp.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/nope"), ("GET", "/v1/chat/completions"), ("POST", "/x")]
)
def test_unknown_route_is_404(compat_server: ReferenceServer, method: str, path: str) -> None:
    resp = httpx.request(method, compat_server.url + path)
    assert resp.status_code == 404
    assert error_of(resp)["message"] == f"Invalid URL ({method} {path})"


def test_api_key(compat_server_factory: Any) -> None:
    srv = compat_server_factory(api_key="sk-secret")
    with httpx.Client(base_url=srv.base_url) as c:
        missing = chat(c)
        assert missing.status_code == 401
        assert error_of(missing)["type"] == "authentication_error"
        wrong = c.post(
            "/chat/completions",
            json={"model": "m", "messages": USER},
            headers={"Authorization": "Bearer sk-wrong-key"},
        )
        assert wrong.status_code == 401
        assert error_of(wrong)["code"] == "invalid_api_key"
        assert "sk-wrong-key" not in wrong.text
        assert c.get("/models").status_code == 401
        assert c.get(srv.url + "/health").status_code == 200
        auth = {"Authorization": "Bearer sk-secret"}
        ok = c.post("/chat/completions", json={"model": "m", "messages": USER}, headers=auth)
        assert ok.status_code == 200
        assert c.get("/models", headers=auth).status_code == 200


def test_strict_models(compat_server_factory: Any) -> None:
    srv = compat_server_factory(models=["a", "b"], strict_models=True)
    with httpx.Client(base_url=srv.base_url) as c:
        assert chat(c, model="a").status_code == 200
        resp = chat(c, model="c")
        assert resp.status_code == 404 and error_of(resp)["code"] == "model_not_found"


def test_context_window(compat_server_factory: Any) -> None:
    srv = compat_server_factory(context_window=50)
    with httpx.Client(base_url=srv.base_url) as c:
        resp = chat(c, messages=[{"role": "user", "content": "word " * 100}], stream=True)
        assert resp.status_code == 400
        assert error_of(resp)["code"] == "context_length_exceeded"


def _raw_exchange(port: int, payload: bytes, reads: int) -> list[bytes]:
    """Send raw bytes on one socket and read ``reads`` complete JSON responses."""
    responses: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        buf = b""
        while len(responses) < reads:
            data = sock.recv(65536)
            assert data, "server closed the connection early"
            buf += data
            while b"\r\n\r\n" in buf:
                head, rest = buf.split(b"\r\n\r\n", 1)
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                if len(rest) < length:
                    break
                responses.append(head + b"\r\n\r\n" + rest[:length])
                buf = rest[length:]
    return responses


def test_keep_alive_and_pipelining(compat_server: ReferenceServer) -> None:
    body = json.dumps({"model": "m", "messages": USER}).encode()
    req = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    responses = _raw_exchange(compat_server.port, req * 3, 3)
    assert all(r.startswith(b"HTTP/1.1 200 OK") for r in responses)


def test_chunked_request_body(compat_server: ReferenceServer) -> None:
    body = json.dumps({"model": "m", "messages": USER}).encode()
    half = len(body) // 2
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (
        half,
        body[:half],
        len(body) - half,
        body[half:],
    )
    req = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    (resp,) = _raw_exchange(compat_server.port, req + chunks, 1)
    assert resp.startswith(b"HTTP/1.1 200 OK")
    assert compat_server.last_request is not None
    assert compat_server.last_request.json["model"] == "m"


def test_requests_log_and_reset(client: httpx.Client, compat_server: ReferenceServer) -> None:
    chat(client, model="logged", seed=1)
    client.get("/models")
    reqs = compat_server.requests
    assert [r.path for r in reqs] == ["/v1/chat/completions", "/v1/models"]
    first = reqs[0]
    assert first.method == "POST" and first.json["model"] == "logged"
    assert first.headers["content-type"] == "application/json"
    assert json.loads(first.body) == first.json
    assert [r.path for r in compat_server.chat_requests] == ["/v1/chat/completions"]
    compat_server.reset()
    assert compat_server.requests == []


def test_context_manager_and_restart() -> None:
    srv = ReferenceServer()
    with srv:
        port = srv.port
        assert srv.running
        assert srv.base_url == f"http://127.0.0.1:{port}/v1"
        assert httpx.get(srv.url + "/health").status_code == 200
    assert not srv.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health")
    with pytest.raises(RuntimeError):
        _ = srv.port
    srv.start()
    try:
        assert httpx.get(srv.url + "/health").status_code == 200
    finally:
        srv.stop()


def test_strict_paths_refuse_api_paths_without_v1(compat_server_factory: Any) -> None:
    srv = compat_server_factory(strict_paths=True)
    with httpx.Client(base_url=srv.url) as c:
        resp = chat(c)  # POST /chat/completions, no /v1
        assert resp.status_code == 404 and "/v1" in error_of(resp)["message"]
        assert c.get("/models").status_code == 404
        assert c.get("/health").status_code == 200
    with httpx.Client(base_url=srv.base_url) as c:
        assert chat(c).status_code == 200 and c.get("/models").status_code == 200


def test_paths_without_v1_answer_by_default(compat_server_factory: Any) -> None:
    srv = compat_server_factory()
    with httpx.Client(base_url=srv.url) as c:
        assert chat(c).status_code == 200


def test_strict_models_and_paths_catch_a_model_misconfigured(compat_server_factory: Any) -> None:
    from langchain_compat_chat import ChatCompatModel
    from langchain_compat_chat.errors import NotFoundError

    srv = compat_server_factory(models=["good"], strict_models=True, strict_paths=True)
    with pytest.raises(NotFoundError) as info:
        ChatCompatModel(model="good model", base_url=srv.base_url).invoke("hi")
    assert info.value.code == "model_not_found"
    assert "The model `good model` does not exist" in str(info.value)
    with pytest.raises(NotFoundError, match="missing /v1"):
        ChatCompatModel(model="good", base_url=srv.url).invoke("hi")
    assert ChatCompatModel(model="good", base_url=srv.base_url).invoke("hi").text
