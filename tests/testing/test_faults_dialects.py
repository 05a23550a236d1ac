"""Fault injection, provider dialects and scripted responses."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from _helpers import USER, WEATHER_TOOL, assemble, chat, error_of, parse_sse, stream_chunks

from langchain_compat_chat.testing import (
    DIALECT_HEADER,
    FAULT_HEADER,
    Dialect,
    Fault,
    ReferenceServer,
    header_value,
    parse_dialect,
    parse_fault,
)

# ------------------------------------------------------------------------------------
# Faults
# ------------------------------------------------------------------------------------


def test_latency_before_headers(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(latency_s=0.3))
    start = time.monotonic()
    assert chat(client).status_code == 200
    assert time.monotonic() - start >= 0.3


def test_ttft_and_chunk_delay_in_stream(client: httpx.Client) -> None:
    headers = {FAULT_HEADER: "ttft_s=0.6,chunk_delay_s=0.02"}
    start = time.monotonic()
    with client.stream(
        "POST",
        "/chat/completions",
        json={"model": "m", "messages": USER, "stream": True, "max_tokens": 5},
        headers=headers,
    ) as resp:
        headers_at = time.monotonic() - start
        lines = [line for line in resp.iter_lines() if line.startswith("data:")]
        total = time.monotonic() - start
    assert headers_at < 0.5
    assert total >= 0.6 + 0.02 * 5
    assert lines[-1] == "data: [DONE]"


@pytest.mark.parametrize(
    ("fault", "status", "etype"),
    [
        (Fault(status=500), 500, "server_error"),
        (Fault(status=503), 503, "server_error"),
        (Fault(status=408), 408, "timeout_error"),
        (Fault(status=429), 429, "rate_limit_exceeded"),
        (
            Fault(status=402, error_type="insufficient_quota", error_code="x"),
            402,
            "insufficient_quota",
        ),
    ],
)
def test_error_status_faults(
    client: httpx.Client, compat_server: ReferenceServer, fault: Fault, status: int, etype: str
) -> None:
    compat_server.enqueue_fault(fault)
    resp = chat(client)
    assert resp.status_code == status
    assert error_of(resp)["type"] == etype
    assert chat(client).status_code == 200  # one-shot


def test_retry_after_headers(client: httpx.Client) -> None:
    # a streaming request fails before any SSE, with a JSON error
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER, "stream": True},
        headers={FAULT_HEADER: "status=429,retry_after_s=2,retry_after_ms=1500"},
    )
    assert resp.status_code == 429
    assert resp.headers["retry-after"] == "2"
    assert resp.headers["retry-after-ms"] == "1500"
    assert resp.headers["content-type"] == "application/json"
    assert error_of(resp)["code"] == "rate_limit_exceeded"


def test_fail_first_k_then_succeed(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(status=503, times=2))
    assert [chat(client).status_code for _ in range(4)] == [503, 503, 200, 200]
    assert compat_server.fault is None


def test_queued_fault_times(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=500, times=3))
    assert compat_server.pending == 3
    assert [chat(client).status_code for _ in range(4)] == [500, 500, 500, 200]


def test_html_error_page(client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER},
        headers={FAULT_HEADER: "status=502,html_error=true"},
    )
    assert resp.status_code == 502
    assert resp.headers["content-type"] == "text/html"
    assert resp.text.startswith("<html>")


def test_malformed_json_body(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(malformed_json=True))
    resp = chat(client)
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)


def test_malformed_json_in_stream(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(malformed_json=True))
    resp = chat(client, stream=True)
    with pytest.raises(json.JSONDecodeError):
        parse_sse(resp.text)


def test_disconnect_mid_stream(compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(disconnect_after_chunks=3))
    received: list[str] = []
    body = {"model": "m", "messages": USER, "stream": True}
    with (
        httpx.Client(base_url=compat_server.base_url) as c,
        pytest.raises(httpx.RemoteProtocolError),
        c.stream("POST", "/chat/completions", json=body) as resp,
    ):
        assert resp.status_code == 200
        for line in resp.iter_lines():
            if line.startswith("data:"):
                received.append(line)
    assert len(received) == 3
    assert "data: [DONE]" not in received


def test_disconnect_non_stream(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(disconnect_after_chunks=0))
    with pytest.raises(httpx.RemoteProtocolError):
        chat(client)
    assert chat(client).status_code == 200


def test_stall_mid_stream(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(stall_after_chunks=2, stall_s=0.5))
    body = {"model": "m", "messages": USER, "stream": True}
    with (
        httpx.Client(base_url=compat_server.base_url, timeout=httpx.Timeout(5, read=0.2)) as c,
        pytest.raises(httpx.ReadTimeout),
        c.stream("POST", "/chat/completions", json=body) as resp,
    ):
        for _ in resp.iter_lines():
            pass
    with httpx.Client(base_url=compat_server.base_url, timeout=5) as c:
        start = time.monotonic()
        items = stream_chunks(c)
        assert time.monotonic() - start >= 0.5
        assert items[-1] == "[DONE]"


def test_error_event_inside_stream(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(
        Fault(stream_error_after_chunks=2, status=500, error_message="Model overloaded")
    )
    resp = chat(client, stream=True)
    assert resp.status_code == 200
    items = parse_sse(resp.text)
    assert len(items) == 3
    assert items[-1] == {
        "error": {
            "message": "Model overloaded",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }


def test_header_fault_overrides_server_fault_and_queue_overrides_header(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.set_fault(Fault(status=500))
    hdr = {FAULT_HEADER: "429"}
    assert (
        client.post(
            "/chat/completions", json={"model": "m", "messages": USER}, headers=hdr
        ).status_code
        == 429
    )
    compat_server.enqueue_fault(Fault(status=503))
    assert (
        client.post(
            "/chat/completions", json={"model": "m", "messages": USER}, headers=hdr
        ).status_code
        == 503
    )
    compat_server.set_fault(None)
    assert chat(client).status_code == 200


def test_bad_fault_header_is_400(client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions", json={"model": "m", "messages": USER}, headers={FAULT_HEADER: "nope=1"}
    )
    assert resp.status_code == 400
    assert FAULT_HEADER in error_of(resp)["message"]


def test_fault_header_roundtrip() -> None:
    fault = Fault(status=429, retry_after_s=1.5, disconnect_after_chunks=4, html_error=True)
    assert parse_fault(header_value(fault)) == fault
    dialect = Dialect(reasoning_field=None, null_tool_call_index=True)
    assert parse_dialect(header_value(dialect)) == dialect


# ------------------------------------------------------------------------------------
# Reasoning dialects
# ------------------------------------------------------------------------------------


def test_reasoning_content_when_requested(client: httpx.Client) -> None:
    plain = chat(client, seed=1).json()
    assert "reasoning_content" not in plain["choices"][0]["message"]
    body = chat(client, seed=1, reasoning_effort="high").json()
    msg = body["choices"][0]["message"]
    assert msg["reasoning_content"]
    details = body["usage"]["completion_tokens_details"]
    assert details["reasoning_tokens"] > 0
    assert body["usage"]["completion_tokens"] > details["reasoning_tokens"]
    items = stream_chunks(client, seed=1, reasoning_effort="high")
    joined = assemble(items)[0]
    assert joined["reasoning"] == msg["reasoning_content"]
    assert joined["content"] == msg["content"]
    first_reasoning = items[1]["choices"][0]["delta"]
    assert first_reasoning["content"] is None and first_reasoning["reasoning_content"]


@pytest.mark.parametrize(
    "switch",
    [
        {"reasoning": {"effort": "low"}},
        {"thinking": {"type": "enabled"}},
        {"enable_thinking": True},
        {"chat_template_kwargs": {"enable_thinking": True}},
    ],
)
def test_provider_thinking_switches(client: httpx.Client, switch: dict[str, Any]) -> None:
    body = chat(client, **switch).json()
    assert body["choices"][0]["message"].get("reasoning_content")


def test_reasoning_field_dialect(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.set_dialect(Dialect(reasoning_field="reasoning"))
    msg = chat(client, reasoning_effort="low").json()["choices"][0]["message"]
    assert msg["reasoning"] and "reasoning_content" not in msg
    items = stream_chunks(client, reasoning_effort="low")
    assert "reasoning" in items[1]["choices"][0]["delta"]
    assert "content" not in items[1]["choices"][0]["delta"]


def test_think_tags_dialect(client: httpx.Client) -> None:
    hdr = {DIALECT_HEADER: "reasoning_field=think_tags"}
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER, "reasoning_effort": "low"},
        headers=hdr,
    )
    content = resp.json()["choices"][0]["message"]["content"]
    assert content.startswith("<think>\n") and "\n</think>\n\n" in content


def test_openai_dialect_never_reasons(client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER, "reasoning_effort": "high"},
        headers={DIALECT_HEADER: "openai"},
    )
    msg = resp.json()["choices"][0]["message"]
    assert "reasoning_content" not in msg and "reasoning" not in msg


def test_always_reason_and_explicit_off(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.set_dialect("deepseek-reasoner")
    assert chat(client).json()["choices"][0]["message"]["reasoning_content"]
    off = chat(client, chat_template_kwargs={"enable_thinking": False}).json()
    assert "reasoning_content" not in off["choices"][0]["message"]


def test_reasoning_consumes_token_budget(client: httpx.Client) -> None:
    body = chat(client, reasoning_effort="high", max_tokens=3).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == ""
    assert body["usage"]["completion_tokens_details"]["reasoning_tokens"] == 3


# ------------------------------------------------------------------------------------
# Tool-call and usage dialects
# ------------------------------------------------------------------------------------


def _tool_deltas(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for c in items:
        if isinstance(c, dict) and c.get("choices"):
            out += c["choices"][0]["delta"].get("tool_calls") or []
    return out


def _dialect_stream(client: httpx.Client, dialect: str, **kw: Any) -> list[Any]:
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER, "stream": True, "tools": [WEATHER_TOOL], **kw},
        headers={DIALECT_HEADER: dialect},
    )
    assert resp.status_code == 200, resp.text
    return parse_sse(resp.text)


def test_null_tool_call_index(client: httpx.Client) -> None:
    parts = _tool_deltas(_dialect_stream(client, "null_tool_call_index"))
    assert len(parts) > 2 and all(p["index"] is None for p in parts)


def test_missing_tool_call_index(client: httpx.Client) -> None:
    parts = _tool_deltas(_dialect_stream(client, "omit_tool_call_index=true"))
    assert len(parts) > 2 and all("index" not in p for p in parts)


def test_repeat_tool_name(client: httpx.Client) -> None:
    parts = _tool_deltas(_dialect_stream(client, "repeat_tool_name"))
    assert all(p["function"]["name"] == "get_weather" and p["id"] == parts[0]["id"] for p in parts)


def test_usage_in_x_groq(client: httpx.Client) -> None:
    items = _dialect_stream(client, "groq", stream_options={"include_usage": True})
    chunks = items[:-1]
    assert all(c["choices"] for c in chunks)  # no usage-only chunk
    assert all("usage" not in c for c in chunks)
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "tool_calls"
    usage = final["x_groq"]["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_cumulative_usage(client: httpx.Client) -> None:
    items = _dialect_stream(client, "cumulative_usage", tool_choice="none", seed=4)
    chunks = items[:-1]
    totals = [c["usage"]["completion_tokens"] for c in chunks]
    assert totals == sorted(totals) and totals[0] == 0
    plain = chat(client, tools=[WEATHER_TOOL], tool_choice="none", seed=4).json()
    assert totals[-1] == plain["usage"]["completion_tokens"]


def test_usage_in_choice(client: httpx.Client) -> None:
    items = _dialect_stream(client, "moonshot", tool_choice="none")
    final = items[-2]["choices"][0]
    assert final["finish_reason"] == "stop"
    assert final["usage"]["total_tokens"] > 0
    assert all("usage" not in c for c in items[:-1])


def test_server_wide_dialect_and_header_override(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.set_dialect(Dialect(null_tool_call_index=True))
    assert all(
        p["index"] is None for p in _tool_deltas(stream_chunks(client, tools=[WEATHER_TOOL]))
    )
    parts = _tool_deltas(_dialect_stream(client, "null_tool_call_index=false"))
    assert all(p["index"] == 0 for p in parts)
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER},
        headers={DIALECT_HEADER: "bogus"},
    )
    assert resp.status_code == 400


# ------------------------------------------------------------------------------------
# Scripted responses
# ------------------------------------------------------------------------------------


def test_enqueue_json_fifo(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue({"n": 1})
    compat_server.enqueue(
        {"error": {"message": "slow down"}}, status=429, headers={"Retry-After": "7"}
    )
    first = chat(client)
    assert first.json() == {"n": 1} and first.content == b'{"n":1}'
    second = chat(client)
    assert second.status_code == 429 and second.headers["retry-after"] == "7"
    assert chat(client).json()["object"] == "chat.completion"


def test_enqueue_sse(client: httpx.Client, compat_server: ReferenceServer) -> None:
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "hi"}}],
    }
    compat_server.enqueue(sse=[": keep-alive\n\n", chunk, 'data:{"raw":true}\r\n\r\n'])
    resp = chat(client, stream=True)
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.text == (
        ': keep-alive\n\ndata: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,'
        '"delta":{"content":"hi"}}]}\n\ndata:{"raw":true}\r\n\r\ndata: [DONE]\n\n'
    )
    compat_server.enqueue(sse=[chunk], done=False)
    assert "[DONE]" not in chat(client, stream=True).text


def test_enqueue_raw_and_scripted_with_delay(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.enqueue(raw=b'\n\n{"partial": ', content_type="application/json")
    assert chat(client).content == b'\n\n{"partial": '
    compat_server.set_fault(Fault(latency_s=0.2))
    compat_server.enqueue({"ok": True})
    start = time.monotonic()
    assert chat(client).json() == {"ok": True}
    assert time.monotonic() - start >= 0.2


def test_enqueue_wire_sample(client: httpx.Client, compat_server: ReferenceServer) -> None:
    sample = {
        "response": {
            "status": 200,
            "headers": {"content-type": "text/event-stream"},
            "sse": (
                'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
                ": ping\n\ndata: [DONE]\n\n"
            ),
        }
    }
    compat_server.enqueue_sample(sample)
    resp = chat(client, stream=True)
    assert resp.text == sample["response"]["sse"]
    compat_server.enqueue_sample(
        {"response": {"status": 401, "json": {"error": {"message": "no"}}}}
    )
    assert chat(client).status_code == 401
