"""Real sockets against the bundled reference server: streaming, pools, event loops.

These are the paths respx cannot exercise faithfully: chunked SSE over a live connection,
pooled keep-alive connections and event loops that come and go. Failure handling (retries,
timeouts, faults, cancellation, secrets) has its own suite in ``tests/reliability``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import ReferenceServer


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


def test_async_client_per_event_loop(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    first = asyncio.run(model.ainvoke("one"))
    second = asyncio.run(model.ainvoke("two"))  # a new loop: must not reuse the old pool
    assert first.text and second.text


def test_sync_pool_is_reused(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    client = model._get_session().client()
    pool = client._transport._pool  # type: ignore[attr-defined]
    before = {id(c) for c in pool.connections}  # the client is shared with earlier tests
    for _ in range(5):
        model.invoke("hi")
    assert model._get_session().client() is client
    assert len({id(c) for c in pool.connections} - before) <= 1


def test_n_choices_are_not_merged(compat_server: ReferenceServer) -> None:
    model = _model(compat_server, n=2)
    result = model.generate([[HumanMessage("hi")]])
    assert len(result.generations[0]) == 2
    chunks = list(_model(compat_server).stream("hi", n=2))
    total = _sum(chunks)
    extra = total.response_metadata["extra_choices"]
    assert len(extra) == 1 and extra[0]["index"] == 1 and extra[0]["content"]
