"""Abandoning a call releases its connection: break, task cancellation, closing the generator.

Connections are counted twice, independently: by the server (its open sockets) and by this
process's own file descriptors (``/proc``), so neither a pooled-but-broken connection nor a
socket the pool forgot can hide. The server sends slowly (``chunk_delay_s``) so that every
stream is abandoned while the server is still sending.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

import pytest

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import (
    KEEPALIVE_POOL,
    TALLY,
    client_sockets,
    make_model,
    needs_proc,
    wait_until,
)

pytestmark = needs_proc

SLOW = Fault(chunk_delay_s=0.05)
# Two events at once (the role, then the first text), then silence: the caller has its first
# chunk at once and abandons a stream the server is still in the middle of.
STALLING = Fault(stall_after_chunks=2, stall_s=1.0)


async def _await(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Like ``wait_until`` but yielding to the event loop (finalizers run there)."""
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return False


def _released(srv: ReferenceServer) -> bool:
    return srv.open_connections == 0 and client_sockets(srv.port) == 0


async def _cancel_while_streaming(model: ChatCompatModel) -> None:
    """Cancel the task that consumes an astream once the first chunk has arrived."""
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in model.astream("hi"):
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_break_out_of_stream(server: ReferenceServer) -> None:
    server.set_fault(SLOW)
    model = make_model(server)
    for chunk in model.stream("hi"):
        assert chunk is not None
        break
    assert wait_until(lambda: _released(server))


def test_close_the_stream_generator(server: ReferenceServer) -> None:
    server.set_fault(SLOW)
    stream = make_model(server).stream("hi")
    next(stream)
    assert client_sockets(server.port) == 1
    stream.close()
    assert client_sockets(server.port) == 0  # at once, not eventually
    assert wait_until(lambda: server.open_connections == 0)


def test_exception_in_the_consumer_releases(server: ReferenceServer) -> None:
    server.set_fault(SLOW)
    model = make_model(server)
    with pytest.raises(KeyError):
        for _ in model.stream("hi"):
            raise KeyError("consumer failed")
    gc.collect()
    assert wait_until(lambda: _released(server))


async def test_break_out_of_astream(server: ReferenceServer) -> None:
    server.set_fault(SLOW)
    model = make_model(server)
    async for chunk in model.astream("hi"):
        assert chunk is not None
        break
    # The abandoned async generator is closed by the event loop's finalizer hook.
    assert await _await(lambda: _released(server))


async def test_aclose_the_astream_generator(server: ReferenceServer) -> None:
    # An earlier test's socket may still be closing on a loaded machine; count from zero.
    assert await _await(lambda: _released(server))
    server.set_fault(SLOW)
    stream = make_model(server).astream("hi")
    await stream.__anext__()
    assert client_sockets(server.port) == 1
    await stream.aclose()
    # langchain-core's astream leaves our inner generator to the loop's finalizer hook,
    # which closes it on the loop's next turns.
    assert await _await(lambda: _released(server), timeout=0.5)


async def test_cancel_the_streaming_task(server: ReferenceServer) -> None:
    server.set_fault(SLOW)
    model = make_model(server)
    await _cancel_while_streaming(model)
    assert await _await(lambda: _released(server))


@pytest.mark.parametrize("stream", [False, True])
async def test_cancel_while_waiting_for_the_answer(server: ReferenceServer, stream: bool) -> None:
    server.set_fault(Fault(latency_s=30))
    model = make_model(server, max_retries=0)

    async def call() -> None:
        if stream:
            async for _ in model.astream("hi"):
                pass
        else:
            await model.ainvoke("hi")

    task = asyncio.create_task(call())
    assert await _await(lambda: client_sockets(server.port) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # (The server notices only when its 30 s delay ends; the client's side is what counts.)
    assert await _await(lambda: client_sockets(server.port) == 0)


def _tally(srv: ReferenceServer, abandoned: int) -> int:
    """Client sockets still open after waiting for closes to settle; recorded in the tally."""
    wait_until(lambda: client_sockets(srv.port) == 0, timeout=3.0)
    leaked = client_sockets(srv.port)
    TALLY["abandoned"] += abandoned
    TALLY["leaked"] += leaked
    return leaked


def test_thousand_abandoned_streams_sync(server: ReferenceServer) -> None:
    server.set_fault(STALLING)
    model = make_model(server, max_retries=0)
    for i in range(1000):
        stream = model.stream("hi")
        next(stream)
        if i % 2:
            stream.close()
        else:
            del stream  # dropped without closing: the generator is finalized
    assert _tally(server, 1000) <= KEEPALIVE_POOL
    assert wait_until(lambda: server.open_connections <= KEEPALIVE_POOL)
    server.set_fault(None)
    assert model.invoke("the pool still works").text


async def test_thousand_abandoned_streams_async(server: ReferenceServer) -> None:
    server.set_fault(STALLING)
    model = make_model(server, max_retries=0)

    async def abandon(i: int) -> None:
        if i % 3 == 0:
            async for _ in model.astream("hi"):
                break
        elif i % 3 == 1:
            stream = model.astream("hi")
            await stream.__anext__()
            await stream.aclose()
        else:
            await _cancel_while_streaming(model)

    for batch in range(10):
        await asyncio.gather(*(abandon(batch * 100 + i) for i in range(100)))
    await _await(lambda: client_sockets(server.port) == 0)
    assert _tally(server, 1000) <= KEEPALIVE_POOL
    assert await _await(lambda: server.open_connections <= KEEPALIVE_POOL)
    server.set_fault(None)
    assert (await model.ainvoke("the pool still works")).text


def test_an_event_loop_per_call_leaks_nothing(server: ReferenceServer) -> None:
    # Sync code calling the async API through asyncio.run: each loop gets its own pooled
    # client, which must be closed with the loop rather than kept (with its sockets) forever.
    model = make_model(server, max_retries=0)

    async def stream() -> str:
        return "".join([c.text async for c in model.astream("hi")])

    for i in range(100):
        assert asyncio.run(model.ainvoke("hi")).text if i % 2 else asyncio.run(stream())
    leaked = client_sockets(server.port)
    TALLY["leaked"] += leaked
    assert leaked == 0  # without a gc.collect(): closed when each loop shut down
    assert wait_until(lambda: server.open_connections == 0)
