"""Timeouts over real sockets: the idle-chunk timeout of streams and the total-call deadline.

The idle timeout bounds each silence; the total timeout bounds the whole call, retries and
the whole stream included, even while the server keeps sending (a slow drip defeats every
per-read timeout) or goes silent just before the deadline (the pending read is broken at the
deadline instead of running its own course).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from langchain_compat_chat import APIError, APITimeoutError, ChatCompatModel, RateLimitError
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import MODES, TALLY, make_model, run

STREAMS = ("stream", "astream")


def _timed(mode: str, model: ChatCompatModel) -> tuple[float, APITimeoutError]:
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        run(mode, model)
    TALLY["faults"] += 1
    return time.monotonic() - started, info.value


@pytest.mark.parametrize("mode", STREAMS)
def test_idle_chunk_timeout_mid_stream(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.set_fault(Fault(stall_after_chunks=2, stall_s=30))
    model = make_model(compat_server, stream_idle_timeout=0.4, max_retries=2)
    elapsed, err = _timed(mode, model)
    assert 0.4 <= elapsed < 2.5
    assert "silent" in err.message and err.request_id and err.attempts == 1
    assert len(compat_server.chat_requests) == 1  # content had arrived: not retried


@pytest.mark.parametrize("mode", STREAMS)
def test_idle_chunk_timeout_before_the_first_chunk(
    compat_server: ReferenceServer, mode: str
) -> None:
    compat_server.set_fault(Fault(ttft_s=30))
    elapsed, _ = _timed(mode, make_model(compat_server, stream_idle_timeout=0.4, max_retries=0))
    assert 0.4 <= elapsed < 2.5


def test_idle_timeout_leaves_steady_streams_alone(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(chunk_delay_s=0.05))
    model = make_model(compat_server, stream_idle_timeout=0.5, seed=3)
    started = time.monotonic()
    assert run("stream", model).text
    assert time.monotonic() - started > 0.5  # longer in total than the idle timeout


@pytest.mark.parametrize("mode", MODES)
def test_total_timeout_bounds_a_slow_server(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.set_fault(Fault(latency_s=30))
    elapsed, err = _timed(mode, make_model(compat_server, total_timeout=0.5, max_retries=3))
    assert 0.5 <= elapsed < 2.0
    assert "total_timeout=0.5s" in err.message


@pytest.mark.parametrize("mode", STREAMS)
def test_total_timeout_bounds_a_stream_that_keeps_sending(
    compat_server: ReferenceServer, mode: str
) -> None:
    # Each chunk comes well within the idle timeout; only the whole-call deadline can stop it.
    compat_server.set_fault(Fault(chunk_delay_s=0.05))
    model = make_model(compat_server, total_timeout=0.6, stream_idle_timeout=5, max_tokens=200)
    elapsed, err = _timed(mode, model)
    assert 0.6 <= elapsed < 1.5
    assert "total_timeout=0.6s" in err.message and err.request_id


@pytest.mark.parametrize("mode", STREAMS)
def test_total_timeout_breaks_a_read_already_waiting(
    compat_server: ReferenceServer, mode: str
) -> None:
    # The stream flows for ~0.5 s, then stalls. A per-read timeout capped when the call began
    # (1.2 s) would fire at ~1.7 s; the deadline must end the call at 1.2 s.
    compat_server.set_fault(Fault(chunk_delay_s=0.1, stall_after_chunks=5, stall_s=30))
    model = make_model(compat_server, total_timeout=1.2, stream_idle_timeout=10)
    elapsed, _ = _timed(mode, model)
    assert 1.2 <= elapsed < 1.6


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_total_timeout_spans_retries_and_keeps_the_last_error(
    compat_server: ReferenceServer, mode: str
) -> None:
    # Every attempt takes 0.35 s to fail with a 503; the third is cut by the 1 s deadline.
    compat_server.set_fault(Fault(status=503, latency_s=0.35, error_message="still busy"))
    model = make_model(compat_server, total_timeout=1.0, max_retries=10, backoff=0.01)
    elapsed, err = _timed(mode, model)
    assert 1.0 <= elapsed < 1.5
    assert err.attempts == len(compat_server.chat_requests) == 3
    assert isinstance(err.last_error, APIError) and err.last_error.message == "still busy"
    assert "still busy" in err.message  # what the server said, in the timeout's own text


def test_a_retry_that_cannot_start_in_time_raises_the_server_error(
    compat_server: ReferenceServer,
) -> None:
    compat_server.set_fault(Fault(status=429, retry_after_s=5))
    model = make_model(compat_server, total_timeout=2, max_retries=3, max_retry_wait=30)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        model.invoke("hi")
    assert time.monotonic() - started < 1.0  # no pointless 5 s sleep into the deadline
    assert info.value.retry_after == 5 and info.value.attempts == 1


def test_deadline_watchdog_never_touches_finished_calls(server: ReferenceServer) -> None:
    # Calls end long before their deadline; when the deadlines pass, the pooled connections
    # they used (now serving other calls) must not be shut down.
    # The deadline leaves room for one call on a loaded CI machine (0.3 s did not); the calls
    # go on for longer than it, so earlier calls' deadlines pass while their sockets serve the
    # later calls.
    model = make_model(server, total_timeout=1.0, max_retries=0)
    until = time.monotonic() + 2.5
    calls = 0
    while calls < 40 or time.monotonic() < until:
        assert model.invoke("hi").text
        assert "".join(c.text for c in model.stream("hi"))
        calls += 1
    time.sleep(1.1)
    plain = make_model(server, max_retries=0)
    for _ in range(40):
        assert plain.invoke("hi").text


async def test_async_deadlines_never_touch_finished_calls(server: ReferenceServer) -> None:
    # The deadline leaves room for opening 40 connections on a loaded CI machine (0.3 s did
    # not); what matters is that it passes after the calls ended, while their sockets serve
    # the next calls.
    model = make_model(server, total_timeout=1.5, max_retries=0)
    await asyncio.gather(*(model.ainvoke("hi") for _ in range(40)))
    await asyncio.sleep(1.6)
    plain = make_model(server, max_retries=0)
    results = await asyncio.gather(*(plain.ainvoke("hi") for _ in range(40)))
    assert all(r.text for r in results)
