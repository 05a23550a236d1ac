"""Load (1,000 concurrent requests), the command line and the pytest fixtures."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import Any

import httpx
from _helpers import USER, WEATHER_TOOL

from langchain_compat_chat.testing import Fault, ReferenceServer


async def _raw_request(port: int, body: dict[str, Any]) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    payload = json.dumps(body).encode()
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
    )
    data = await reader.read()
    writer.close()
    return data


async def test_thousand_concurrent_connections(compat_server: ReferenceServer) -> None:
    # Every answer waits 0.5 s server-side; 1,000 of them finishing in a few seconds proves
    # they were served concurrently, on 1,000 simultaneous connections.
    compat_server.set_fault(Fault(latency_s=0.5))

    def body(i: int) -> dict[str, Any]:
        out: dict[str, Any] = {"model": "m", "messages": USER, "seed": i, "stream": i % 2 == 0}
        if i % 3 == 0:
            out["tools"] = [WEATHER_TOOL]
        return out

    start = time.monotonic()
    results = await asyncio.gather(
        *(_raw_request(compat_server.port, body(i)) for i in range(1000))
    )
    elapsed = time.monotonic() - start
    assert all(r.startswith(b"HTTP/1.1 200 OK\r\n") for r in results)
    for i, raw in enumerate(results):
        if i % 2 == 0:
            assert raw.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")
        else:
            _, _, payload = raw.partition(b"\r\n\r\n")
            assert json.loads(payload)["object"] == "chat.completion"
    assert len(compat_server.chat_requests) == 1000
    assert elapsed < 30  # serially it would take 500 s


async def test_concurrent_httpx_keep_alive(compat_server: ReferenceServer) -> None:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(
        base_url=compat_server.base_url, limits=limits, timeout=httpx.Timeout(60)
    ) as client:

        async def one(i: int) -> int:
            body = {"model": "m", "messages": USER, "seed": i, "stream": i % 2 == 0}
            resp = await client.post("/chat/completions", json=body)
            return resp.status_code

        results = await asyncio.gather(*(one(i) for i in range(500)))
    assert results == [200] * 500


def test_cli_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "langchain_compat_chat.testing", "--port", "0", "--api-key", "k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        resp = httpx.post(
            base_url + "/chat/completions",
            json={"model": "m", "messages": USER},
            headers={"Authorization": "Bearer k"},
        )
        assert resp.status_code == 200
        assert httpx.get(base_url + "/models").status_code == 401
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


def test_cli_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "langchain_compat_chat.testing", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for flag in ("--port", "--api-key", "--latency-ms", "--dialect"):
        assert flag in out


def test_fixture_is_reset_between_tests_part1(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(status=500))
    compat_server.enqueue({"x": 1})
    httpx.get(compat_server.url + "/health")


def test_fixture_is_reset_between_tests_part2(compat_server: ReferenceServer) -> None:
    assert compat_server.fault is None
    assert compat_server.pending == 0
    assert compat_server.requests == []


def test_factory_servers_are_independent(compat_server_factory, compat_server) -> None:  # type: ignore[no-untyped-def]
    other = compat_server_factory(dialect=None)
    assert other.port != compat_server.port
    other.enqueue({"from": "other"})
    assert compat_server.pending == 0
