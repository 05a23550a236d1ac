"""Real sockets against the bundled reference server: streaming, retries, timeouts, cancellation.

These are the paths respx cannot exercise faithfully: chunked SSE over a live connection,
a server that stalls or drops the socket, ``Retry-After`` waits, pooled keep-alive
connections and event loops that come and go.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from langchain_compat_chat import (
    APITimeoutError,
    ChatCompatModel,
    InvalidRequestError,
    MalformedResponseError,
    ProviderError,
    RateLimitError,
    StreamInterruptedError,
)
from langchain_compat_chat.testing import Fault, ReferenceServer


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="ref-model", base_url=srv.base_url, api_key="sk-live-secret", **kw)


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    return total


def test_invoke_stream_and_batch(compat_server: ReferenceServer) -> None:
    model = _model(compat_server, seed=7)
    msg = model.invoke("Say something")
    assert msg.text and msg.usage_metadata and msg.usage_metadata["total_tokens"] > 0
    assert msg.response_metadata["finish_reason"] == "stop"
    chunks = list(model.stream([HumanMessage("Say something")]))
    assert len(chunks) > 2
    total = _sum(chunks)
    assert total.text == msg.text  # the server is deterministic for the same request
    assert total.usage_metadata == msg.usage_metadata
    assert [m.text for m in model.batch(["a", "b", "c"])] and len(model.batch(["a", "b"])) == 2
    body = compat_server.last_request
    assert body is not None


async def test_async_paths_and_events(compat_server: ReferenceServer) -> None:
    model = _model(compat_server, seed=7)
    msg = await model.ainvoke([{"role": "user", "content": "hello"}])
    chunks = [c async for c in model.astream("hello")]
    assert _sum(chunks).text == msg.text
    assert len(await model.abatch(["x", "y", "z"])) == 3
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | model
    kinds = [e["event"] async for e in chain.astream_events({"q": "hello"}, version="v2")]
    assert "on_chat_model_stream" in kinds and kinds[-1] == "on_chain_end"


def test_stream_requests_usage(compat_server: ReferenceServer) -> None:
    list(_model(compat_server).stream("hi"))
    req = compat_server.last_request
    assert req is not None and req.json["stream_options"] == {"include_usage": True}
    list(_model(compat_server, stream_usage=False).stream("hi"))
    req = compat_server.last_request
    assert req is not None and "stream_options" not in req.json


def test_retry_after_is_honoured(compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0.3, times=1))
    started = time.monotonic()
    msg = _model(compat_server, max_retries=2).invoke("hi")
    assert msg.text
    assert time.monotonic() - started >= 0.3
    assert len(compat_server.chat_requests) == 2


def test_rate_limit_without_retries_carries_details(compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=7, times=1))
    with pytest.raises(RateLimitError) as info:
        _model(compat_server, max_retries=0).invoke("hi")
    assert info.value.status_code == 429
    assert info.value.retry_after == 7
    assert info.value.attempts == 1
    assert "sk-live-secret" not in str(info.value)


async def test_server_errors_are_retried_then_raised(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(status=503))
    model = _model(compat_server, max_retries=2)
    with pytest.raises(Exception) as info:
        await model.ainvoke("hi")
    assert info.value.status_code == 503  # type: ignore[attr-defined]
    assert info.value.attempts == 3  # type: ignore[attr-defined]
    assert len(compat_server.chat_requests) == 3


def test_bad_request_is_not_retried(compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=400, times=1))
    with pytest.raises(InvalidRequestError):
        _model(compat_server, max_retries=3).invoke("hi")
    assert len(compat_server.chat_requests) == 1


def test_stalled_stream_times_out_sync(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(stall_after_chunks=2, stall_s=10))
    model = _model(compat_server, stream_idle_timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        list(model.stream("hi"))
    assert time.monotonic() - started < 5


async def test_stalled_stream_times_out_async(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(stall_after_chunks=2, stall_s=10))
    model = _model(compat_server, stream_idle_timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        _ = [c async for c in model.astream("hi")]
    assert time.monotonic() - started < 5


def test_disconnect_mid_stream(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(disconnect_after_chunks=3))
    with pytest.raises(StreamInterruptedError):
        list(_model(compat_server, max_retries=3).stream("hi"))
    assert len(compat_server.chat_requests) == 1  # never retried once content reached us


def test_error_event_in_stream(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(stream_error_after_chunks=2))
    with pytest.raises(ProviderError) as info:
        list(_model(compat_server).stream("hi"))
    assert info.value.message


async def test_malformed_json_body(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(malformed_json=True))
    with pytest.raises(MalformedResponseError) as info:
        await _model(compat_server).ainvoke("hi")
    assert info.value.body


def test_html_error_page(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(status=502, html_error=True))
    with pytest.raises(Exception) as info:
        _model(compat_server, max_retries=0).invoke("hi")
    assert info.value.status_code == 502  # type: ignore[attr-defined]
    assert "<" in (info.value.body or "")  # type: ignore[attr-defined]


def test_abandoned_streams_release_connections(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    for _ in range(30):
        for _chunk in model.stream("hi"):
            break
    pool = model._get_transport().client()._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) <= 30
    assert all(c.is_idle() or c.is_closed() for c in pool.connections)
    assert model.invoke("still works").text


async def test_abandoned_async_stream_releases_connection(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    for _ in range(10):
        agen = model.astream("hi")
        async for _chunk in agen:
            break
        await agen.aclose()
    pool = model._get_transport().async_client()._transport._pool  # type: ignore[attr-defined]
    assert all(c.is_idle() or c.is_closed() for c in pool.connections)


def test_async_client_per_event_loop(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    first = asyncio.run(model.ainvoke("one"))
    second = asyncio.run(model.ainvoke("two"))  # a new loop: must not reuse the old pool
    assert first.text and second.text


def test_sync_pool_is_reused(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    client = model._get_transport().client()
    for _ in range(5):
        model.invoke("hi")
    assert model._get_transport().client() is client
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) == 1


def test_n_choices_are_not_merged(compat_server: ReferenceServer) -> None:
    model = _model(compat_server, n=2)
    result = model.generate([[HumanMessage("hi")]])
    assert len(result.generations[0]) == 2
    chunks = list(_model(compat_server).stream("hi", n=2))
    total = _sum(chunks)
    extra = total.response_metadata["extra_choices"]
    assert len(extra) == 1 and extra[0]["index"] == 1 and extra[0]["content"]
