"""UsageStats with ChatCompatModel over real sockets: real timings, faults, concurrency, agents."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_compat_chat import (
    APIError,
    ChatCompatModel,
    StreamInterruptedError,
    UsageStats,
)
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.integration.test_agent import (
    _tool_call_reply,
    _tool_call_stream,
    get_time,
    get_weather,
)


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="ref-model", base_url=srv.base_url, **kw)


def _usage_sum(messages: list[BaseMessage]) -> dict[str, int]:
    total = {"input": 0, "output": 0, "total": 0, "cache_read": 0, "reasoning": 0}
    for m in messages:
        assert isinstance(m, AIMessage) and m.usage_metadata
        u = m.usage_metadata
        total["input"] += u["input_tokens"]
        total["output"] += u["output_tokens"]
        total["total"] += u["total_tokens"]
        total["cache_read"] += u.get("input_token_details", {}).get("cache_read", 0)
        total["reasoning"] += u.get("output_token_details", {}).get("reasoning", 0)
    return total


def test_tokens_match_what_the_messages_report(compat_server: ReferenceServer) -> None:
    compat_server.set_dialect("deepseek-reasoner")  # reasoning tokens on every answer
    stats = UsageStats()
    model = _model(compat_server).with_config(callbacks=[stats])
    history: list[BaseMessage] = [SystemMessage("Be brief."), HumanMessage("One?")]
    first = model.invoke(history)
    # The same prefix again: the server's prefix cache reports cached prompt tokens.
    second = model.invoke([*history, first, HumanMessage("Two?")])
    chunks = list(model.stream([*history, first, HumanMessage("Three?")]))
    third = chunks[0]
    for c in chunks[1:]:
        third = third + c
    expected = _usage_sum([first, second, AIMessage(**third.model_dump(exclude={"type"}))])
    assert expected["cache_read"] > 0 and expected["reasoning"] > 0
    got = stats["ref-model"]
    assert got.requests == 3 and got.errors == 0
    assert {
        "input": got.input_tokens,
        "output": got.output_tokens,
        "total": got.total_tokens,
        "cache_read": got.cache_read_tokens,
        "reasoning": got.reasoning_tokens,
    } == expected
    assert got.ttft_count == 1  # only the streamed call


def test_latency_and_ttft_follow_the_server(compat_server: ReferenceServer) -> None:
    model = _model(compat_server, max_retries=0)
    slow_headers, slow_token = UsageStats(), UsageStats()
    compat_server.enqueue_fault(Fault(latency_s=0.3))
    model.invoke("slow headers", config={"callbacks": [slow_headers]})
    compat_server.enqueue_fault(Fault(ttft_s=0.25, chunk_delay_s=0.02))
    list(model.stream("slow first token", config={"callbacks": [slow_token]}))
    invoked, streamed = slow_headers["ref-model"], slow_token["ref-model"]
    assert invoked.latency_mean_s is not None and 0.3 <= invoked.latency_mean_s < 2
    assert invoked.ttft_count == 0
    assert streamed.ttft_mean_s is not None and 0.25 <= streamed.ttft_mean_s < 1.5
    # Later chunks come 20 ms apart, so the run lasted well beyond its first token.
    assert streamed.latency_mean_s is not None
    assert streamed.latency_mean_s >= streamed.ttft_mean_s + 0.02


async def test_async_stream_ttft(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    model = _model(compat_server).with_config(callbacks=[stats])
    compat_server.enqueue_fault(Fault(ttft_s=0.2))
    chunks = [c async for c in model.astream("hello")]
    assert chunks
    got = stats["ref-model"]
    assert got.ttft_mean_s is not None and got.ttft_mean_s >= 0.2
    assert got.latency_mean_s is not None and got.latency_mean_s >= got.ttft_mean_s
    assert got.total_tokens > 0


def test_errors_retries_and_broken_streams(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    cfg: Any = {"callbacks": [stats]}
    compat_server.enqueue_fault(Fault(status=500))
    with pytest.raises(APIError):
        _model(compat_server, max_retries=0).invoke("x", config=cfg)
    # A 429 that succeeds on retry is one successful run, not an error.
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0))
    _model(compat_server, max_retries=1).invoke("x", config=cfg)
    compat_server.enqueue_fault(Fault(disconnect_after_chunks=3))
    with pytest.raises(StreamInterruptedError):
        list(_model(compat_server, max_retries=0).stream("x", config=cfg))
    got = stats["ref-model"]
    assert (got.requests, got.errors, got.succeeded) == (3, 2, 1)
    assert got.last_error_type == "StreamInterruptedError"
    assert got.ttft_count == 1  # the broken stream had started
    assert stats.in_flight == 0


def test_stream_abandoned_early(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    compat_server.enqueue_fault(Fault(chunk_delay_s=0.05))
    stream = _model(compat_server).stream("a long answer please", config={"callbacks": [stats]})
    for chunk in stream:
        if chunk.content:
            break
    assert stats.in_flight == 1
    stream.close()
    got = stats["ref-model"]
    assert (got.requests, got.cancelled, got.errors, got.ttft_count) == (1, 1, 0, 1)
    assert stats.in_flight == 0


async def test_async_stream_abandoned_and_task_cancelled(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    model = _model(compat_server).with_config(callbacks=[stats])
    compat_server.set_fault(Fault(chunk_delay_s=0.05))
    stream = model.astream("long")
    async for chunk in stream:
        if chunk.content:
            break
    await stream.aclose()

    async def consume() -> None:
        async for _ in model.astream("long"):
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    got = stats["ref-model"]
    assert (got.requests, got.cancelled, got.errors) == (2, 2, 0)
    assert stats.in_flight == 0


def test_batch_and_thread_pool(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    model = _model(compat_server).with_config(callbacks=[stats])
    results = model.batch([f"q{i}" for i in range(6)], config={"max_concurrency": 3})
    with ThreadPoolExecutor(max_workers=6) as pool:
        results += list(pool.map(model.invoke, [f"t{i}" for i in range(24)]))
    got = stats["ref-model"]
    assert got.requests == 30 and got.errors == 0
    assert got.total_tokens == _usage_sum(list(results))["total"]


async def test_gather_many_concurrent_runs(compat_server: ReferenceServer) -> None:
    stats = UsageStats()
    model = _model(compat_server).with_config(callbacks=[stats])
    invoked = await asyncio.gather(*(model.ainvoke(f"q{i}") for i in range(40)))

    async def streamed(i: int) -> None:
        async for _ in model.astream(f"s{i}"):
            pass

    await asyncio.gather(*(streamed(i) for i in range(20)))
    got = stats["ref-model"]
    assert got.requests == 60 and got.ttft_count == 20
    assert got.input_tokens >= _usage_sum(list(invoked))["input"] + 20
    assert stats.in_flight == 0


def test_create_agent_counts_every_model_turn(compat_server: ReferenceServer) -> None:
    compat_server.enqueue(json_body=_tool_call_reply("call_w", "get_weather", {"city": "Rome"}))
    compat_server.enqueue(json_body=_tool_call_reply("call_t", "get_time", {"city": "Rome"}))
    stats = UsageStats()
    agent = create_agent(_model(compat_server), [get_weather, get_time])
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "Weather and time in Rome?"}]},
        config={"callbacks": [stats]},
    )
    answers = [m for m in result["messages"] if isinstance(m, AIMessage)]
    assert len(answers) == 3  # two tool turns and the final answer
    got = stats["ref-model"]
    assert got.requests == 3 and got.succeeded == 3
    assert got.total_tokens == _usage_sum(list(answers))["total"]


async def test_streaming_agent_async(compat_server: ReferenceServer) -> None:
    compat_server.enqueue(sse=_tool_call_stream("call_w", "get_weather", {"city": "Oslo"}))
    stats = UsageStats()
    # create_agent calls bind_tools, which drops a with_config binding; the model's own
    # callbacks field survives it.
    model = _model(compat_server, streaming=True, callbacks=[stats])
    agent = create_agent(model, [get_weather])
    await agent.ainvoke({"messages": [{"role": "user", "content": "Weather in Oslo?"}]})
    got = stats["ref-model"]
    assert got.requests == 2 and got.ttft_count == 2  # tool-call fragments count as tokens
