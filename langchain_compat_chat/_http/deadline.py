"""A deadline for a whole call, and the watchdog that enforces it on a blocked read.

httpx timeouts bound each network operation (connect, one read, one write), not a call:
a server that sends one byte every few seconds, or a stream that never ends, defeats them,
and retries multiply them. A :class:`Deadline` caps every attempt's timeouts at the time
left, but a read already waiting cannot be shortened, and a blocking ``recv`` in a sync
call cannot be interrupted from the calling thread. So while a response is being read,
its socket is armed: at the deadline it is shut down, the pending read fails at once, and
the transport reports the failure as the total timeout. Sync calls share one watchdog
thread (a heap of deadlines, not a thread per call); async calls use their event loop's
timer. Responses that expose no socket (custom or mock transports) are only checked
between reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Protocol

import httpx

__all__ = ["Deadline", "arm", "socket_of"]


class Deadline:
    """The moment by which a call must be over, on the monotonic clock."""

    __slots__ = ("at", "total")

    def __init__(self, total: float) -> None:
        self.total = total
        self.at = time.monotonic() + total

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()

    def cap(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """``timeout`` with every phase shortened to the time left (never below a millisecond)."""
        left = max(self.remaining(), 0.001)

        def capped(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=capped(timeout.connect),
            read=capped(timeout.read),
            write=capped(timeout.write),
            pool=capped(timeout.pool),
        )


class _Shutdownable(Protocol):
    """A socket, or asyncio's ``TransportSocket`` wrapper of one (what async streams expose)."""

    def shutdown(self, how: int, /) -> None: ...


def socket_of(response: httpx.Response) -> _Shutdownable | None:
    """The socket under ``response`` (or asyncio's wrapper of it), if it exposes one."""
    stream = response.extensions.get("network_stream")
    get_info = getattr(stream, "get_extra_info", None)
    if get_info is None:
        return None
    sock = get_info("socket")
    return sock if callable(getattr(sock, "shutdown", None)) else None


class _Timer:
    """One armed socket; ``cancel`` and ``fire`` exclude each other.

    The lock matters: once a call is over its connection may go back to the pool and be
    handed to another request, so a shutdown racing with the end of the call must either
    happen before ``cancel`` returns or not at all.
    """

    __slots__ = ("_lock", "_sock", "at")

    def __init__(self, at: float, sock: _Shutdownable) -> None:
        self.at = at
        self._sock: _Shutdownable | None = sock
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._sock = None

    @property
    def cancelled(self) -> bool:
        return self._sock is None

    def fire(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed by its owner
                    sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """A daemon thread that fires sync timers when they are due (started on first use).

    Cancelled timers stay in the heap until they come due, so it holds at most one entry per
    response read within the last ``total_timeout`` seconds. A forked child (batch jobs on
    ``multiprocessing``) starts with no watchdog thread, so the state is reset there.
    """

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._heap: list[tuple[float, int, _Timer]] = []
        self._order = itertools.count()
        # A plain lock, taken with its own (C-level) ``with``: a Condition's Python-level
        # ``__enter__`` can be cut short by a signal's KeyboardInterrupt in the calling
        # thread and leave its lock held, which stops every later sync call that arms.
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def add(self, timer: _Timer) -> None:
        with self._lock:
            heapq.heappush(self._heap, (timer.at, next(self._order), timer))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="compat-chat-deadlines", daemon=True
                )
                self._thread.start()
            if self._heap[0][2] is timer:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)  # cancelled timers are dropped lazily
                if not self._heap:
                    self._wake.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                timer = heapq.heappop(self._heap)[2]
            timer.fire()


_watchdog = _Watchdog()


class _DisarmOnClose(httpx.SyncByteStream):
    """``response.stream`` made to cancel its timer before the response releases its socket.

    httpx closes a response by itself once its body has been read to the end, and closing
    hands the connection back to the pool, where another request may take it at once.
    A timer still armed then could shut a socket that is no longer this call's ("Server
    disconnected without sending a response" for the next request). Cancelling first, under
    the timer's lock, means a shutdown either happened before the release (the pool then
    sees the socket as closed and discards it) or never happens.
    """

    def __init__(self, stream: httpx.SyncByteStream, timer: _Timer) -> None:
        self._stream = stream
        self._timer = timer

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def close(self) -> None:
        self._timer.cancel()
        self._stream.close()


class _DisarmOnAclose(httpx.AsyncByteStream):
    """Async twin of :class:`_DisarmOnClose` (the loop's timer may run at any ``await``)."""

    def __init__(self, stream: httpx.AsyncByteStream, timer: _Timer) -> None:
        self._stream = stream
        self._timer = timer

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        self._timer.cancel()
        await self._stream.aclose()


def _noop() -> None:
    return None


def arm(
    deadline: Deadline | None,
    response: httpx.Response,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Callable[[], None]:
    """Shut ``response``'s socket down at ``deadline``; returns the function that disarms it.

    Async drivers pass their running ``loop`` (its timer fires the shutdown); sync drivers
    pass none and get the watchdog thread, even when called from inside a running loop,
    whose timers could not fire while the sync call blocks it. Closing the response also
    disarms it, first (see :class:`_DisarmOnClose`), since httpx closes a response itself
    once its body has been read.
    """
    if deadline is None:
        return _noop
    sock = socket_of(response)
    if sock is None:
        return _noop
    timer = _Timer(deadline.at, sock)
    stream = response.stream
    if isinstance(stream, httpx.SyncByteStream):
        response.stream = _DisarmOnClose(stream, timer)
    elif isinstance(stream, httpx.AsyncByteStream):
        response.stream = _DisarmOnAclose(stream, timer)
    if loop is None:
        _watchdog.add(timer)
        return timer.cancel
    handle = loop.call_later(max(deadline.remaining(), 0.0), timer.fire)

    def disarm() -> None:
        handle.cancel()
        timer.cancel()

    return disarm
