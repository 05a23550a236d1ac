"""The events of one open streaming response, the protocol that consumes them, the drain.

:class:`EventStream` turns network reads into batches of SSE events under the call's size
limit and deadline; :meth:`EventStream.chunks` runs a wire-layer :class:`StreamProtocol`
over them (feed each batch, drain after the end marker, close, annotate errors), so the
model hands a stream over once. :func:`drain` / :func:`adrain` read the end of an HTTP/1.1
response after ``[DONE]`` so that its connection goes back to the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, NoReturn, Protocol, TypeVar

import httpx

from langchain_compat_chat._http.call import Body, CallState, map_httpx_error, raise_chained
from langchain_compat_chat._http.deadline import Deadline, arm, socket_of
from langchain_compat_chat._http.pool import body_complete, buffered_bytes
from langchain_compat_chat._http.sse import Event, SSEDecoder, not_utf8
from langchain_compat_chat.errors import CompatChatError, stamp

__all__ = ["EventStream", "StreamProtocol", "adrain", "drain"]

_DRAIN_SECONDS = 0.1  # longest wait for the end of a response after [DONE] (see adrain)
_DRAIN_BACKSTOP = 1.0  # a sync drain's read, once data is there (see drain)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class StreamProtocol(Protocol[T_co]):
    """What :meth:`EventStream.chunks` drives: the wire layer's parser of one stream.

    The HTTP layer knows no chunk type; the wire layer's ``ChatStream`` (Chat Completions)
    fits this shape, and so does any other stream dialect.
    """

    @property
    def done(self) -> bool:
        """Whether the stream's end marker came (the rest is only drained)."""
        ...

    def feed(self, batch: list[Event]) -> Iterable[T_co]:
        """The chunks of one read's events."""
        ...

    def close(self) -> T_co:
        """The last chunk, or the typed error of a stream that ended wrong."""
        ...


def _is_sse(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


class EventStream:
    """The events of one open response, one list per network read; iterate it sync or async.

    Reads are counted against the size limit and, through the call, run under its deadline;
    any failure comes out as our typed error with the attempt count and request id. A body
    that is not SSE (a server ignoring ``stream: true``, or a gateway's JSON error with
    status 200) comes as one event holding the whole body, which the chunk builder accepts.

    Args:
        response: The open streaming response.
        call: The call it belongs to (deadline, limit, attempts); ``None`` for neither.

    """

    __slots__ = ("_body", "_call", "_decoder", "response")

    def __init__(self, response: httpx.Response, call: CallState | None = None) -> None:
        self.response = response
        self._call = call
        sse = _is_sse(response)
        if call is not None:
            self._body = call.body(response, keep=not sse)
        else:
            self._body = Body(response, None, keep=not sse)
        self._decoder = SSEDecoder() if sse else None

    def _feed(self, chunk: bytes) -> list[Event]:
        self._body.add(chunk)
        if self._call is not None:
            self._call.check_deadline()
        return self._decoder.feed(chunk) if self._decoder is not None else []

    def _end(self) -> list[Event]:
        if self._decoder is not None:
            return []
        raw = self._body.content()
        try:
            return [("", raw.decode("utf-8"))]
        except UnicodeDecodeError as exc:
            raise not_utf8(raw, exc) from None

    def annotate(self, error: CompatChatError) -> CompatChatError:
        """Give an error found in this stream its request id, attempt count and first bytes."""
        if self._call is not None:
            error.attempts = self._call.attempt
        return stamp(error, self.response.headers, self._body.head)

    def _fail(self, exc: Exception) -> NoReturn:
        if self._call is not None:
            error = self._call.error(exc, streaming=True, response=self.response, body=self._body)
        else:
            error = self.annotate(map_httpx_error(exc, streaming=True))
        raise_chained(error, exc)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Around the reads: any failure comes out typed, with attempts and request id."""
        try:
            yield
        except (httpx.HTTPError, CompatChatError) as exc:
            self._fail(exc)

    @contextlib.contextmanager
    def _annotating(self) -> Iterator[None]:
        """Around a protocol's work: its typed errors get this stream's request id."""
        try:
            yield
        except CompatChatError as exc:
            self.annotate(exc)
            raise

    # The four loops below are the I/O only (``for`` or ``async for``, and the drain);
    # what each read means is in ``_feed``/``_end``, ``_reading``, ``_annotating``.
    def __iter__(self) -> Iterator[list[Event]]:
        with self._reading():
            for chunk in self.response.iter_bytes():
                if events := self._feed(chunk):
                    yield events
            events = self._end()
        if events:
            yield events

    async def __aiter__(self) -> AsyncIterator[list[Event]]:
        with self._reading():
            async for chunk in self.response.aiter_bytes():
                if events := self._feed(chunk):
                    yield events
            events = self._end()
        if events:
            yield events

    def chunks(self, protocol: StreamProtocol[T]) -> Iterator[T]:
        """Run one stream's protocol over this response: feed, drain after the end, close.

        Each read's events go to ``protocol.feed`` and its chunks out at once; once
        ``protocol.done`` (``[DONE]`` came) the rest of the response is drained so that its
        connection is reused, and ``protocol.close()`` gives the last chunk. Any typed error
        of the protocol gets this stream's request id and attempt count.
        """
        batches = iter(self)
        with self._annotating():
            for batch in batches:
                yield from protocol.feed(batch)
                if protocol.done:
                    drain(self.response, batches)
                    break
            last = protocol.close()
        yield last

    async def achunks(self, protocol: StreamProtocol[T]) -> AsyncIterator[T]:
        """Async :meth:`chunks`."""
        batches = aiter(self)
        with self._annotating():
            async for batch in batches:
                for chunk in protocol.feed(batch):
                    yield chunk
                if protocol.done:
                    await adrain(self.response, batches)
                    break
            last = protocol.close()
        yield last


def _drainable(response: httpx.Response) -> bool:
    return response.http_version == "HTTP/1.1" and not response.is_closed


def drain(response: httpx.Response, batches: Iterator[list[Event]]) -> None:
    """Sync :func:`adrain`: read the end only once it has arrived, never on a timer's bet.

    A blocking read cannot be bounded from its own thread, and bounding it with the
    watchdog (shut the socket at 0.1 s) failed under load: with 64 threads the timer won
    the race in about half the streams, costing each a new connection, and could fire
    after the connection had gone back to the pool. So the end is read only when it is
    already buffered (it usually comes with ``[DONE]``) or the socket turns readable within
    ``_DRAIN_SECONDS``, waited for with ``select`` in this thread, which owns the socket;
    otherwise the response is closed and its connection dropped, as without draining. A
    readable socket gives its bytes at once, so the watchdog is only a backstop (a server
    that sends half the end and stalls), at ``_DRAIN_BACKSTOP``, and it can no longer touch
    a socket once the response closes (see ``deadline``). A response that exposes no
    socket (a custom transport) is not drained.
    """
    if not _drainable(response):
        return
    sock = socket_of(response)
    if sock is None or not _end_arrives(response, sock):
        return
    disarm = arm(Deadline(_DRAIN_BACKSTOP), response)
    try:
        with contextlib.suppress(CompatChatError):
            for _ in batches:
                pass
    finally:
        disarm()


def _end_arrives(response: httpx.Response, sock: Any) -> bool:
    """Whether the rest of ``response`` is buffered or arrives within ``_DRAIN_SECONDS``."""
    if body_complete(response) or buffered_bytes(response):  # h11 has the end already
        return True
    if getattr(sock, "pending", lambda: 0)():  # TLS has decrypted bytes waiting
        return True
    try:
        readable, _, _ = select.select([sock], [], [], _DRAIN_SECONDS)
    except (OSError, ValueError):  # closed meanwhile
        return False
    return bool(readable)


async def adrain(response: httpx.Response, batches: AsyncIterator[list[Event]]) -> None:
    """After ``[DONE]``, read the rest of an HTTP/1.1 response so its connection is reused.

    HTTP/1.1 can only pool a connection whose response was read to the end, and the end
    (the last, empty chunk) normally follows ``[DONE]`` at once, often in the same read:
    without this, every stream would pay a new TCP and TLS handshake. A server that keeps
    the response open costs at most ``_DRAIN_SECONDS``; the connection is then closed, as
    it would have been without draining.
    """
    if not _drainable(response):
        return

    async def rest() -> None:
        async for _ in batches:
            pass

    # On a timeout or a broken connection, what was delivered stays delivered; the
    # connection is just not reused.
    with contextlib.suppress(asyncio.TimeoutError, CompatChatError):
        await asyncio.wait_for(rest(), _DRAIN_SECONDS)
