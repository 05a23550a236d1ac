"""A tiny Chat Completions server, run as a process of its own, that echoes each request.

The answer's content is the last message's content, so a test that sends a marker of its
own can tell an answer meant for another request (the failure mode of a shared socket)
from its own. It is cheap (no generation, one write per response) so that tests making
thousands of calls spend their time in the client, and running in another process keeps
the client's timings and socket counts free of the server's.

Run ``python -m tests.reliability._echo_server [--delay S] [--end-gap S]``: it prints its
port on the first line of stdout and serves until stdin closes. ``--delay`` waits before
each response (so calls overlap); ``--end-gap`` sends a stream's final empty chunk that
long after ``[DONE]`` (so a client's drain has to wait for it). ``/stats`` answers with the
number of connections accepted so far.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class _Options:
    delay: float
    end_gap: float
    connections: int = 0


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _completion(marker: str) -> dict[str, object]:
    return {
        "id": "echo",
        "object": "chat.completion",
        "model": "echo",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": marker},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _events(marker: str) -> bytes:
    chunks = [
        {"id": "echo", "choices": [{"index": 0, "delta": {"content": marker}}]},
        {"id": "echo", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)


async def _respond(writer: asyncio.StreamWriter, body: dict[str, object], opts: _Options) -> None:
    messages = body.get("messages") or [{}]
    marker = str(messages[-1].get("content", "")) if isinstance(messages, list) else ""
    if opts.delay:
        await asyncio.sleep(opts.delay)
    if not body.get("stream"):
        payload = json.dumps(_completion(marker)).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(payload), payload)
        )
        return
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    events = _chunk(_events(marker) + b"data: [DONE]\n\n")
    if opts.end_gap:
        writer.write(head + events)
        await writer.drain()
        await asyncio.sleep(opts.end_gap)
        writer.write(b"0\r\n\r\n")
    else:
        writer.write(head + events + b"0\r\n\r\n")


async def _serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, opts: _Options
) -> None:
    opts.connections += 1
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            raw = await reader.readexactly(length) if length else b""
            if lines[0].split(" ")[1].endswith("/stats"):
                payload = json.dumps({"connections": opts.connections}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(payload), payload)
                )
            else:
                await _respond(writer, json.loads(raw or b"{}"), opts)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    except asyncio.CancelledError:  # the server is shutting down
        pass
    finally:
        writer.close()


async def _main(opts: _Options) -> None:
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(r, w, opts), "127.0.0.1", 0, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin


@contextmanager
def echo_server(delay: float = 0.0, end_gap: float = 0.0) -> Iterator[str]:
    """Start the server in a child process; yields its base URL (``http://127.0.0.1:N/v1``)."""
    args = [sys.executable, "-m", "tests.reliability._echo_server"]
    args += ["--delay", str(delay), "--end-gap", str(end_gap)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--end-gap", type=float, default=0.0)
    ns = parser.parse_args()
    asyncio.run(_main(_Options(delay=ns.delay, end_gap=ns.end_gap)))
