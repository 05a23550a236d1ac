"""UsageStats against langchain-core's own fake chat model: no network, any model class."""

from __future__ import annotations

import asyncio
import itertools
import json
import types
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult, LLMResult

from langchain_compat_chat import ModelUsage, RateLimitError, UsageStats
from langchain_compat_chat import usage as usage_module

USAGE = {"input_tokens": 11, "output_tokens": 7, "total_tokens": 18}


def _reply(**extra: Any) -> AIMessage:
    return AIMessage(
        "the quick brown fox",
        usage_metadata={
            **USAGE,
            "input_token_details": {"cache_read": 4},
            "output_token_details": {"reasoning": 3},
        },
        response_metadata={"model_name": "fake-1"},
        **extra,
    )


def _fake() -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.repeat(_reply()))


class _Failing(GenericFakeChatModel):
    """A fake that fails like a rate-limited provider."""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        raise RateLimitError("slow down", status_code=429)


class _FakeClock:
    """Stands in for the ``time`` module so latencies are exact."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _FakeClock:
    fake = _FakeClock()
    monkeypatch.setattr(usage_module, "time", types.SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


def test_invoke_counts_tokens_under_the_response_model_name() -> None:
    stats = UsageStats()
    _fake().invoke("hi", config={"callbacks": [stats]})
    # GenericFakeChatModel names no model in its request, so the response's name is used.
    assert list(stats.models) == ["fake-1"]
    got = stats["fake-1"]
    assert (got.requests, got.errors, got.cancelled, got.succeeded) == (1, 0, 0, 1)
    assert (got.input_tokens, got.output_tokens, got.total_tokens) == (11, 7, 18)
    assert (got.cache_read_tokens, got.reasoning_tokens) == (4, 3)
    assert got.latency_mean_s is not None and got.latency_mean_s > 0
    assert got.latency_max_s == got.latency_total_s
    assert got.ttft_count == 0 and got.ttft_mean_s is None  # not streamed
    assert stats.in_flight == 0


def test_requested_model_name_wins_over_the_response() -> None:
    stats = UsageStats()
    config: Any = {"callbacks": [stats], "metadata": {"ls_model_name": "asked-for"}}
    _fake().invoke("hi", config=config)
    assert list(stats.models) == ["asked-for"]


def test_stream_measures_time_to_first_token_and_falls_back_to_class_name() -> None:
    stats = UsageStats()
    chunks = list(_fake().with_config(callbacks=[stats]).stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "the quick brown fox"
    # The fake's stream drops usage and model name: the class name is what is left.
    got = stats["GenericFakeChatModel"]
    assert got.requests == 1 and got.ttft_count == 1
    assert got.ttft_mean_s is not None and got.latency_mean_s is not None
    assert 0 < got.ttft_mean_s <= got.latency_mean_s


def test_error_is_counted_with_its_type_and_no_latency() -> None:
    stats = UsageStats()
    with pytest.raises(RateLimitError):
        _Failing(messages=iter([])).invoke("hi", config={"callbacks": [stats]})
    got = stats["_Failing"]
    assert (got.requests, got.errors, got.succeeded) == (1, 1, 0)
    assert got.last_error_type == "RateLimitError"
    assert got.latency_mean_s is None and got.latency_total_s == 0
    assert stats.total().last_error_type == "RateLimitError"
    assert "last error: RateLimitError" in stats.summary()


def test_abandoned_stream_counts_as_cancelled_not_error() -> None:
    stats = UsageStats()
    stream = _fake().stream("hi", config={"callbacks": [stats]})
    assert next(stream).content == "the"
    assert stats.in_flight == 1
    stream.close()
    got = stats["GenericFakeChatModel"]
    assert (got.requests, got.errors, got.cancelled) == (1, 0, 1)
    assert got.ttft_count == 1  # the first token did arrive
    assert got.latency_total_s == 0  # an abandoned run has no meaningful latency
    assert stats.in_flight == 0


async def test_abandoned_async_stream_counts_as_cancelled() -> None:
    stats = UsageStats()
    stream = _fake().astream("hi", config={"callbacks": [stats]})
    await stream.__anext__()
    await stream.aclose()
    got = stats["GenericFakeChatModel"]
    assert (got.requests, got.cancelled, got.errors) == (1, 1, 0)
    assert stats.in_flight == 0


def test_batch_counts_every_element() -> None:
    stats = UsageStats()
    _fake().batch(["a", "b", "c", "d", "e"], config={"callbacks": [stats]})
    got = stats["fake-1"]
    assert got.requests == 5 and got.total_tokens == 5 * 18 and got.cache_read_tokens == 20


def test_thread_pool_totals_are_exact() -> None:
    stats = UsageStats()
    model = _fake().with_config(callbacks=[stats])

    def work(i: int) -> None:
        for _ in range(20):
            if i % 2:
                model.invoke("x")
            else:
                list(model.stream("x"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))
    assert stats["fake-1"].requests == 80 and stats["fake-1"].input_tokens == 80 * 11
    assert stats["GenericFakeChatModel"].requests == 80
    assert stats["GenericFakeChatModel"].ttft_count == 80
    assert stats.total().requests == 160 and stats.in_flight == 0


async def test_gather_totals_are_exact() -> None:
    stats = UsageStats()
    model = _fake().with_config(callbacks=[stats])
    await asyncio.gather(*(model.ainvoke(f"q{i}") for i in range(100)))
    assert stats["fake-1"].requests == 100 and stats["fake-1"].output_tokens == 700
    assert stats.in_flight == 0


# -- the handler's rules, driven event by event -------------------------------------------------
def _start(stats: UsageStats, run_id: uuid.UUID, **kwargs: Any) -> None:
    stats.on_chat_model_start({"name": "SomeChat"}, [[]], run_id=run_id, **kwargs)


def test_time_to_first_token_skips_chunks_without_content(clock: _FakeClock) -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    _start(stats, run, invocation_params={"model": "m"})
    clock.now += 0.5
    stats.on_llm_new_token("", chunk=ChatGenerationChunk(message=AIMessageChunk("")), run_id=run)
    clock.now += 0.25
    reasoning = AIMessageChunk("", additional_kwargs={"reasoning_content": "Hmm"})
    stats.on_llm_new_token("", chunk=ChatGenerationChunk(message=reasoning), run_id=run)
    clock.now += 1.0
    stats.on_llm_new_token("text", run_id=run)
    stats.on_llm_end(LLMResult(generations=[[]]), run_id=run)
    got = stats["m"]
    assert got.ttft_total_s == pytest.approx(0.75)
    assert got.latency_total_s == pytest.approx(1.75)


def test_tool_call_fragment_is_a_first_token(clock: _FakeClock) -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    _start(stats, run, metadata={"ls_model_name": "m"})
    clock.now += 0.2
    tool = AIMessageChunk("", tool_call_chunks=[{"name": "f", "args": "{", "id": "1", "index": 0}])
    stats.on_llm_new_token("", chunk=ChatGenerationChunk(message=tool), run_id=run)
    stats.on_llm_end(LLMResult(generations=[[]]), run_id=run)
    assert stats["m"].ttft_total_s == pytest.approx(0.2)


def test_latency_mean_and_max_over_successful_runs(clock: _FakeClock) -> None:
    stats = UsageStats()
    for seconds in (1.0, 3.0):
        run = uuid.uuid4()
        _start(stats, run, invocation_params={"model_name": "m"})
        clock.now += seconds
        stats.on_llm_end(LLMResult(generations=[[]]), run_id=run)
    run = uuid.uuid4()
    _start(stats, run, invocation_params={"model_name": "m"})
    clock.now += 60.0
    stats.on_llm_error(TimeoutError("late"), run_id=run)
    got = stats["m"]
    assert (got.latency_mean_s, got.latency_max_s, got.errors) == (2.0, 3.0, 1)
    assert got.last_error_type == "TimeoutError"


def test_usage_counted_once_when_every_choice_carries_it() -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    _start(stats, run, invocation_params={"model": "m"})
    choices: list[ChatGeneration] = [ChatGeneration(message=_reply()) for _ in range(3)]
    stats.on_llm_end(LLMResult(generations=[choices]), run_id=run)
    assert stats["m"].total_tokens == 18


def test_legacy_token_usage_in_llm_output() -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    _start(stats, run)
    output = {
        "model_name": "legacy-1",
        "token_usage": {
            "prompt_tokens": 5,
            "completion_tokens": 2,
            "prompt_tokens_details": {"cached_tokens": 1},
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
    }
    stats.on_llm_end(
        LLMResult(generations=[[ChatGeneration(message=AIMessage("x"))]], llm_output=output),
        run_id=run,
    )
    got = stats["legacy-1"]  # the model name comes from llm_output too
    assert (got.input_tokens, got.output_tokens, got.total_tokens) == (5, 2, 7)
    assert (got.cache_read_tokens, got.reasoning_tokens) == (1, 1)


def test_partial_usage_of_a_failed_run_is_kept() -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    _start(stats, run, invocation_params={"model": "m"})
    partial = ChatGenerationChunk(message=AIMessageChunk("par", usage_metadata=USAGE))  # type: ignore[arg-type]
    stats.on_llm_error(
        ConnectionError("cut"), run_id=run, response=LLMResult(generations=[[partial], []])
    )
    got = stats["m"]
    assert (got.errors, got.total_tokens) == (1, 18)


def test_completion_llm_start_and_unknown_names() -> None:
    stats = UsageStats()
    run = uuid.uuid4()
    stats.on_llm_start({}, ["prompt"], run_id=run)
    stats.on_llm_end(LLMResult(generations=[[]]), run_id=run)
    assert list(stats.models) == ["unknown"]


def test_end_without_start_is_ignored() -> None:
    stats = UsageStats()
    stats.on_llm_new_token("x", run_id=uuid.uuid4())
    stats.on_llm_end(LLMResult(generations=[[]]), run_id=uuid.uuid4())
    assert stats.models == {} and stats.total() == ModelUsage()


def test_summary_as_dict_reset() -> None:
    stats = UsageStats()
    model = _fake()
    model.invoke("a", config={"callbacks": [stats]})
    list(model.stream("b", config={"callbacks": [stats]}))
    lines = stats.summary().splitlines()
    assert lines[0].split()[:3] == ["model", "requests", "errors"]
    assert lines[1].split()[:2] == ["fake-1", "1"]
    assert lines[2].split()[:2] == ["GenericFakeChatModel", "1"]
    assert lines[3].split()[:6] == ["TOTAL", "2", "0", "0", "11", "7"]
    assert str(stats) == stats.summary()
    assert repr(stats) == "UsageStats(models=2, requests=2, errors=0, total_tokens=18)"
    data = json.loads(json.dumps(stats.as_dict()))
    assert data["total"]["requests"] == 2 and data["in_flight"] == 0
    assert data["models"]["fake-1"]["cache_read_tokens"] == 4
    assert data["models"]["GenericFakeChatModel"]["ttft_count"] == 1
    assert data["models"]["fake-1"]["latency_mean_s"] > 0

    stream: Iterator[Any] = model.stream("c", config={"callbacks": [stats]})
    next(stream)  # in flight across the reset: counted afterwards
    stats.reset()
    assert stats.models == {} and stats.total().requests == 0
    stream.close()
    assert stats.total().requests == 1 and stats.total().cancelled == 1


def test_snapshots_do_not_change_afterwards() -> None:
    stats = UsageStats()
    model = _fake()
    model.invoke("a", config={"callbacks": [stats]})
    before = stats["fake-1"]
    model.invoke("a", config={"callbacks": [stats]})
    assert before.requests == 1 and stats["fake-1"].requests == 2
