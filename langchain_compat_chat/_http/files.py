"""File uploads and downloads as streams, for provider Batch API jobs.

A batch input file can be 200 MB and its output larger; neither is ever held whole. An
upload is a :class:`StreamBody`: its length, known in advance (so the request carries a
``Content-Length``, which every files endpoint accepts, rather than chunked encoding), and a
function that produces its bytes afresh, so that a retried attempt sends them again from the
start. A download is the raw body of an open response, chunk by chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx

from langchain_compat_chat._http.call import map_httpx_error
from langchain_compat_chat._http.events import EventStream

__all__ = ["StreamBody", "abody_chunks", "body_chunks"]


@dataclass(frozen=True)
class StreamBody:
    """A request body produced while it is sent.

    Attributes:
        length: Its exact size in bytes (sent as ``Content-Length``).
        chunks: Produces the bytes from the start; called once per attempt.

    """

    length: int
    chunks: Callable[[], Iterator[bytes]]

    def stream(self) -> _Upload:
        """A fresh byte stream for one attempt, readable by the sync or the async client."""
        return _Upload(self)


class _Upload(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One attempt's upload; the async side hands the loop back between chunks."""

    def __init__(self, body: StreamBody) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body.chunks()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._body.chunks():
            yield chunk
            await asyncio.sleep(0)  # building lines is CPU work: let other tasks run


def body_chunks(events: EventStream) -> Iterator[bytes]:
    """The raw body of an open response, as it arrives (nothing kept).

    Raises:
        CompatChatError: The connection broke or timed out (typed, with the request id).

    """
    try:
        yield from events.response.iter_bytes()
    except httpx.HTTPError as exc:
        raise events.annotate(map_httpx_error(exc, streaming=True)) from exc


async def abody_chunks(events: EventStream) -> AsyncIterator[bytes]:
    """Async :func:`body_chunks`."""
    try:
        async for chunk in events.response.aiter_bytes():
            yield chunk
    except httpx.HTTPError as exc:
        raise events.annotate(map_httpx_error(exc, streaming=True)) from exc
