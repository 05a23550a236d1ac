"""Streams read the end of the response after ``[DONE]`` so the connection is reused.

A minimal HTTP/1.1 server on loopback (in its own thread, so sync streams can be tested too)
counts connections and can hold a response open after ``[DONE]``, which must cost at most
the short drain bound, never the read timeout.
"""

from __future__ import annotations

import asyncio
import json
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

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


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hold_after_done: float, content_length: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hold_after_done = hold_after_done
        self.content_length = content_length  # frame the SSE body by length, not chunks
        self.connections = 0


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.connections += 1
        while True:
            head = b""
            while not head.endswith(b"\r\n\r\n"):
                line = self.rfile.readline()
                if not line:
                    return
                head += line
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.lower().split(b"\r\n")
                if line.startswith(b"content-length:")
            )
            self.rfile.read(length)
            if self.server.content_length:
                body = _body() + b"data: [DONE]\n\n"
                head = _HEAD.replace(
                    b"transfer-encoding: chunked", b"content-length: %d" % len(body)
                )
                self.wfile.write(head + body)
                continue
            try:
                self.wfile.write(_HEAD + _chunk(_body()) + _chunk(b"data: [DONE]\n\n"))
                time.sleep(self.server.hold_after_done)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                return


@contextmanager
def _serve(
    hold_after_done: float = 0.0, content_length: bool = False
) -> Iterator[tuple[_Server, str]]:
    server = _Server(hold_after_done, content_length)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


async def _text(model: ChatCompatModel, mode: str) -> str:
    if mode == "sync":
        return await asyncio.to_thread(lambda: "".join(c.text for c in model.stream("hi")))
    return "".join([c.text async for c in model.astream("hi")])


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_consecutive_streams_share_one_connection(mode: str) -> None:
    with _serve() as (server, url):
        model = ChatCompatModel(model="m", base_url=url, max_retries=0)
        assert [await _text(model, mode) for _ in range(3)] == ["ab"] * 3
    assert server.connections == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_response_held_open_after_done_does_not_hold_the_stream(mode: str) -> None:
    with _serve(hold_after_done=5.0) as (server, url):
        model = ChatCompatModel(model="m", base_url=url, max_retries=0, timeout=30)
        started = time.perf_counter()
        assert await _text(model, mode) == "ab"
        assert time.perf_counter() - started < 2.0
        assert await _text(model, mode) == "ab"  # the held connection was dropped, not reused
    assert server.connections == 2


def test_a_length_framed_stream_is_reused_without_waiting_for_the_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ``Content-Length`` body has no terminator: once its last byte is in, the drain must
    not wait for the socket to turn readable (it never would; each stream paid the whole
    drain bound, 0.1 s, in make bench's tool scenario) and the connection is still reused."""
    import langchain_compat_chat._http.events as transport

    waits: list[object] = []
    real_select = transport.select.select

    def counting_select(*args: object) -> object:
        waits.append(args[-1])
        return real_select(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(transport.select, "select", counting_select)
    with _serve(content_length=True) as (server, url):
        model = ChatCompatModel(model="m", base_url=url, max_retries=0)
        assert ["".join(c.text for c in model.stream("hi")) for _ in range(3)] == ["ab"] * 3
    assert server.connections == 1
    assert waits == []
