"""Async streams read the end of the response after ``[DONE]`` so the connection is reused.

A minimal HTTP/1.1 server on loopback counts connections and can hold a response open after
``[DONE]``, which must cost at most the short drain bound, never the read timeout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langchain_compat_chat import ChatCompatModel

_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
    b"transfer-encoding: chunked\r\nx-request-id: rq\r\n\r\n"
)


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _body() -> bytes:
    events = [
        {"id": "r", "choices": [{"index": 0, "delta": {"content": word}}]} for word in ("a", "b")
    ]
    events.append({"id": "r", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


class _Server:
    def __init__(self, hold_after_done: float) -> None:
        self.hold_after_done = hold_after_done
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                await reader.readexactly(length)
                writer.write(_HEAD + _chunk(_body()) + _chunk(b"data: [DONE]\n\n"))
                await writer.drain()
                await asyncio.sleep(self.hold_after_done)
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def _serve(hold_after_done: float = 0.0) -> AsyncIterator[tuple[_Server, str]]:
    state = _Server(hold_after_done)
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield state, f"http://127.0.0.1:{port}/v1"
    finally:
        server.close()


async def _text(model: ChatCompatModel) -> str:
    return "".join([c.text async for c in model.astream("hi")])


async def test_consecutive_astreams_share_one_connection() -> None:
    async with _serve() as (server, url):
        model = ChatCompatModel(model="m", base_url=url, max_retries=0)
        assert [await _text(model) for _ in range(3)] == ["ab"] * 3
    assert server.connections == 1


async def test_a_response_held_open_after_done_does_not_hold_the_stream() -> None:
    async with _serve(hold_after_done=5.0) as (server, url):
        model = ChatCompatModel(model="m", base_url=url, max_retries=0, timeout=30)
        started = time.perf_counter()
        assert await _text(model) == "ab"
        assert time.perf_counter() - started < 2.0
        assert await _text(model) == "ab"  # the held connection was dropped, not reused
    assert server.connections == 2
