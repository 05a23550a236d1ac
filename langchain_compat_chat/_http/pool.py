"""Connection assignment for httpcore 1.0.x pools that holds up under bursts.

httpcore 1.0.x (the pool under httpx 0.28) decides which request gets which connection in one
step that runs whenever a request arrives or a response is closed. That step has two flaws
which show up when many calls start at once:

* An idle connection stays "available" until a request has actually *started* on it, so the
  same idle connection is handed to every request of a burst. All but one then fail with
  ``ConnectionNotAvailable`` and go round again; each round re-scans every connection for
  every waiting request. With many idle connections this is the known collapse (~80 req/s
  for 500 calls on a warm pool of 100) and with few it still staggers the sends.
* Its keep-alive cap counts *all* connections, not idle ones, so any connection that turns
  idle while more than ``max_keepalive_connections`` are open is closed: a busy pool keeps
  reconnecting.

:func:`reserve_connections` replaces that step, on the pools of the clients this package
creates, by :func:`_assign`: a connection handed to a request is taken until that request is
done, each waiting request gets its own connection, the keep-alive cap counts idle
connections, and a connection whose request was cancelled before it connected is dropped.
It is the assignment rule httpcore's successor (httpcore2, used by the openai SDK) applies;
see docs/performance.md for the measurements. The step is a private method, so the
replacement is only installed on the httpcore line it was written for (1.0.x, whose last
release is 1.0.9), on HTTP/1.1-only pools (HTTP/2 connections are meant to be shared), and
clients the user passes in are never touched.

The same pools get a second repair, for interrupted calls. httpcore 1.0.x releases a
request's connection in a cleanup that itself awaits (a lock, under an anyio shield that
does not stop asyncio's native ``task.cancel()``): a cancellation landing there, which any
``asyncio.wait_for`` timeout can do, leaves the request in the pool holding its connection
for ever (about 2.4 % of random cancellations; 10 % under a busy loop), and one landing
while a fresh connection takes its first request leaves that connection unusable. A
``KeyboardInterrupt`` raised by a signal in a sync call does the same at any bytecode.
So every response stream is wrapped (:class:`_Guard`, :class:`_AsyncGuard`) to finish the
release when httpcore's was cut short; a failed or interrupted send drops its request
(:func:`_forget`); :func:`_assign` closes connections no request holds that are not idle;
and a response dropped without being closed (or whose repair was itself interrupted)
releases its request when it is garbage-collected (:func:`_reap`). Issue 15 measured
httpcore2 (the successor line, behind the same ``httpx`` API as ``httpx2``) as not
leaking on cancellation.
"""

from __future__ import annotations

import asyncio
import threading
import types
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["body_complete", "buffered_bytes", "reserve_connections"]


def reserve_connections(client: httpx.Client | httpx.AsyncClient) -> None:
    """Install :func:`_assign` on every connection pool of ``client`` it applies to."""
    import httpcore  # here: httpx, too, imports it only when it builds a transport

    if not httpcore.__version__.startswith("1.0."):
        return
    # The default transport and the proxy mounts (from the environment or ``proxy=``).
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        pools = (httpcore.ConnectionPool, httpcore.AsyncConnectionPool)
        if isinstance(pool, pools) and not pool._http2:
            _install(pool, isinstance(pool, httpcore.AsyncConnectionPool))


def _install(pool: Any, is_async: bool) -> None:
    pool._compat_stale = []  # requests whose response was dropped unclosed (_reap)
    # httpcore's lock wrapper acquires in a Python-level ``__enter__``: a signal landing
    # before it returns leaves the lock held and the pool deadlocked. A plain lock's
    # C-level ``with`` has no such gap.
    pool._optional_thread_lock = threading.Lock()
    pool._assign_requests_to_connections = types.MethodType(_assign, pool)
    # The class's method is looked up on every call, not bound once: a mock that patches
    # the class (respx) must see its patch come and go as on any other pool.
    cls = type(pool)
    if is_async:
        pool.handle_async_request = _async_handler(
            pool, lambda request: cls.handle_async_request(pool, request)
        )
    else:
        pool.handle_request = _sync_handler(pool, lambda request: cls.handle_request(pool, request))


# -- releasing the connection of an interrupted call ---------------------------------------
_closing_tasks: set[asyncio.Task[None]] = set()  # shielded closes still running (see _aclose)


def _release(pool: Any, entry: Any) -> list[Any]:
    """Take ``entry`` (a pool request) out of ``pool`` if still there; connections to close.

    Synchronous and short, so that it completes even when the call that needed it was
    interrupted: once the entry is gone, :func:`_assign` sees its connection as held by
    nobody and closes it unless it went back to idle.
    """
    with pool._optional_thread_lock:
        if entry in pool._requests:
            pool._requests.remove(entry)
        return pool._assign_requests_to_connections()  # type: ignore[no-any-return]


def _forget(pool: Any, request: Any) -> list[Any]:
    """Drop every entry of ``request`` a failed or interrupted send left queued in ``pool``.

    httpcore's own cleanup removes it, unless the interruption came before that cleanup
    was reached (a signal between queueing and ``try``) or inside it.
    """
    with pool._optional_thread_lock:
        for entry in [e for e in pool._requests if e.request is request]:
            pool._requests.remove(entry)
        return pool._assign_requests_to_connections()  # type: ignore[no-any-return]


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` can have struck between any two bytecodes (a signal's exception).

    Such an exception can stop h11 half-way through a state change and leave a connection
    that looks idle but would send garbage, so its connection is closed, never reused.
    Cancellation (and ``GeneratorExit``) only ever lands at an ``await`` or a ``yield``,
    where the protocol state is whole, and ordinary errors are raised by the code itself.
    """
    return not isinstance(exc, (Exception, asyncio.CancelledError, GeneratorExit))


def _discard(pool: Any, connection: Any) -> list[Any]:
    """Take ``connection`` out of ``pool``; it is returned, to be closed by the caller."""
    if connection is None:
        return []
    with pool._optional_thread_lock:
        if connection in pool._connections:
            pool._connections.remove(connection)
    return [connection]


def _reap(pool: Any) -> None:
    """Drop the entries of responses garbage-collected without being closed (under the lock).

    The guard's finalizer only appends to ``_compat_stale`` (atomic, lock-free: it may run
    in any thread, even one holding the pool's lock), and the removal happens here.
    """
    stale = getattr(pool, "_compat_stale", None)  # absent on pools built without _install
    while stale:
        entry = stale.pop()
        if entry in pool._requests:
            pool._requests.remove(entry)


async def _aclose(pool: Any, closing: list[Any]) -> None:
    """Close ``closing`` even if this task is cancelled again meanwhile.

    anyio's shield (what httpcore uses) does not hold back asyncio's native cancellation,
    so on asyncio the close runs as a task of its own that a second cancellation of the
    caller cannot interrupt. Elsewhere (trio) the shield works and httpcore's close is used.
    """
    if not closing:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        await pool._close_connections(closing)
        return
    task = loop.create_task(pool._close_connections(closing))
    _closing_tasks.add(task)
    task.add_done_callback(_closing_tasks.discard)
    await asyncio.shield(task)


class _GuardState:
    """What both guards hold: the wrapped stream, its pool entry and a GC fallback.

    If the response is dropped without being closed, the finalizer hands the entry to the
    pool's stale list, which the next assignment pass releases.
    """

    __slots__ = ("__weakref__", "_done", "_entry", "_finalizer", "_pool", "_stream")

    def __init__(self, stream: Any, pool: Any) -> None:
        self._stream = stream
        self._pool = pool
        self._entry = stream._pool_request
        self._done = False
        self._finalizer = weakref.finalize(self, pool._compat_stale.append, self._entry)


class _Guard(_GuardState):
    """A sync response stream that releases its connection however its close ends.

    Args:
        stream: httpcore's pool stream (``PoolByteStream``), which holds the pool entry.
        pool: The pool the entry is in.

    """

    __slots__ = ()

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except BaseException as exc:
            if _interrupted(exc):
                self._pool._close_connections(_discard(self._pool, self._entry.connection))
            raise

    def close(self) -> None:
        if self._done:
            return
        self._done = True
        # Already closed: by its own iterator when a read failed; that close may have
        # been cut short (a signal), so the release is checked once more.
        cut_short = self._stream._closed
        try:
            self._stream.close()
        except BaseException as exc:
            closing = _discard(self._pool, self._entry.connection) if _interrupted(exc) else []
            self._pool._close_connections(closing + _release(self._pool, self._entry))
            raise
        if cut_short:
            self._pool._close_connections(_release(self._pool, self._entry))
        self._finalizer.detach()


class _AsyncGuard(_GuardState):
    """Async twin of :class:`_Guard` (the release after a cut-short close is shielded)."""

    __slots__ = ()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        if self._done:
            return
        self._done = True
        cut_short = self._stream._closed
        try:
            await self._stream.aclose()
        except BaseException as exc:
            closing = _discard(self._pool, self._entry.connection) if _interrupted(exc) else []
            await _aclose(self._pool, closing + _release(self._pool, self._entry))
            raise
        if cut_short:
            await _aclose(self._pool, _release(self._pool, self._entry))
        self._finalizer.detach()


def _sync_handler(pool: Any, send: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def handle_request(request: Any) -> Any:
        try:
            response = send(request)
        except BaseException as exc:
            closing = _forget(pool, request)
            if _interrupted(exc):
                closing += _discard(pool, getattr(request, "_compat_connection", None))
            pool._close_connections(closing)
            raise
        if hasattr(response.stream, "_pool_request"):  # not a mock's (respx) stream
            response.stream = _Guard(response.stream, pool)
        return response

    return handle_request


def _async_handler(pool: Any, send: Callable[[Any], Any]) -> Callable[[Any], Any]:
    async def handle_async_request(request: Any) -> Any:
        try:
            response = await send(request)
        except BaseException as exc:
            closing = _forget(pool, request)
            if _interrupted(exc):
                closing += _discard(pool, getattr(request, "_compat_connection", None))
            await _aclose(pool, closing)
            raise
        if hasattr(response.stream, "_pool_request"):  # not a mock's (respx) stream
            response.stream = _AsyncGuard(response.stream, pool)
        return response

    return handle_async_request


def _assign(pool: Any) -> list[Any]:
    """Assign waiting requests to connections; return the connections to close.

    Runs under the pool's lock, like the step it replaces, and works on the same state
    (``_requests``, ``_connections``), so the sync and async pools share it.
    """
    closing: list[Any] = []
    _reap(pool)
    # Connections a request holds: in use, connecting, or handed out and about to be used.
    taken = {id(r.connection) for r in pool._requests if r.connection is not None}
    kept: list[Any] = []
    free: list[Any] = []
    for connection in pool._connections:
        if connection.is_closed():
            continue
        if id(connection) in taken:
            kept.append(connection)
        elif connection.is_available():
            kept.append(connection)
            free.append(connection)
        elif getattr(connection, "_connection", True) is not None:
            # Neither idle nor held by any request: an orphan. Its request was cancelled or
            # interrupted between connecting and starting (state NEW) or while its
            # response was being closed (state ACTIVE). Nobody will ever use or close it.
            closing.append(connection)
        # Otherwise it never connected and no request holds it any more (cancelled between
        # assignment and connect): there is no socket to close, so it is just dropped.

    for request in pool._requests:
        if request.connection is not None:
            continue
        connection = _reusable(request.request.url.origin, free, kept, closing)
        if connection is None:
            if len(kept) >= pool._max_connections:
                if not free:
                    continue  # stays queued until a response is closed
                # Full, but an idle connection to another origin can make room.
                victim = free.pop(0)
                kept.remove(victim)
                closing.append(victim)
            connection = pool.create_connection(request.request.url.origin)
            kept.append(connection)
        request.assign_to_connection(connection)
        request.request._compat_connection = connection  # what to discard if interrupted

    # Keep-alive cap, counted over idle connections nobody has been given.
    for victim in free[: max(0, len(free) - pool._max_keepalive_connections)]:
        kept.remove(victim)
        closing.append(victim)
    pool._connections = kept
    return closing


def _reusable(origin: Any, free: list[Any], kept: list[Any], closing: list[Any]) -> Any:
    """Take the first idle connection to ``origin`` that is still good, or None.

    Whether an idle connection has outlived its keep-alive or been closed by the server is
    checked here, when it is about to be used, rather than for every idle connection on every
    step as httpcore does: that check polls the socket, and a warm pool of 100 idle
    connections made it the largest cost of a burst.
    """
    for connection in [c for c in free if c.can_handle_request(origin)]:
        free.remove(connection)
        if not connection.has_expired():
            return connection
        kept.remove(connection)
        closing.append(connection)
    return None


def _h11_state(response: Any) -> Any:
    """The h11 connection state under ``response``, or ``None`` for any other shape.

    Walks httpx's and httpcore 1.0.x's private stream chain (deadline wrappers,
    BoundSyncStream, ResponseStream, _Guard, PoolByteStream, the connection's stream).
    """
    stream = getattr(response, "stream", None)
    for _ in range(8):
        if stream is None or hasattr(stream, "_connection"):
            break
        inner = getattr(stream, "_stream", None)
        stream = inner if inner is not None else getattr(stream, "_httpcore_stream", None)
    return getattr(getattr(stream, "_connection", None), "_h11_state", None)


def buffered_bytes(response: Any) -> int | None:
    """Bytes of ``response`` already received but not yet read (h11's buffer), if known.

    Lets a drain tell that a response's end already arrived with its last event (the
    usual case) without touching the socket; ``None`` for any other shape (a mock,
    another httpcore).
    """
    receive_buffer = getattr(_h11_state(response), "_receive_buffer", None)
    return None if receive_buffer is None else len(receive_buffer)


def body_complete(response: Any) -> bool:
    """Whether a ``Content-Length`` body has been received whole (its end needs no I/O).

    A body framed by ``Content-Length`` has no terminator to wait for: once its last byte
    is in, h11 produces the end of the message without reading the socket again, so a
    drain that waited for the socket to turn readable would wait for nothing.
    """
    reader = getattr(_h11_state(response), "_reader", None)
    return getattr(reader, "_remaining", None) == 0
