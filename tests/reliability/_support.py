"""Helpers of the reliability suite: model factory, socket counting, the run's tallies."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._http.clients import LIMITS as _LIMITS
from langchain_compat_chat.testing import ReferenceServer

API_KEY = "zz-live-Key-4f8a1c9e77d2"  # shaped unlike any provider's key: patterns miss it
KEEPALIVE_POOL = _LIMITS.max_keepalive_connections  # idle connections our clients keep

TALLY: collections.Counter[str] = collections.Counter()
"""Run totals printed at the end: faults, fuzzed, leaked, abandoned."""


def make_model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    """A model for ``srv`` with the suite's key; backoff shortened so retries take milliseconds.

    Retry *policy* (which errors, how many times, Retry-After) is what the suite checks;
    the production backoff of 0.5 s, 1 s, ... would only make it slow.
    """
    backoff = kw.pop("backoff", 0.02)
    model = ChatCompatModel(model="ref-model", base_url=srv.base_url, api_key=API_KEY, **kw)
    transport = model._get_session()
    transport.retry = dataclasses.replace(transport.retry, initial_delay=backoff)
    return model


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until true (sockets close asynchronously on the server's side)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def client_sockets(port: int) -> int:
    """Open sockets of this process connected *to* ``port`` (Linux ``/proc``; no psutil).

    The server runs in this process too, so its accepted sockets are told apart by the
    remote port: a client socket's peer is the server's listening port.
    """
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[9] in inodes:
                count += 1
    return count


needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/self/net/tcp"), reason="socket counting reads Linux /proc"
)


MODES = ("invoke", "ainvoke", "stream", "astream")
"""The four ways to call a model; every fault is tried through each that it applies to."""


def run(mode: str, model: ChatCompatModel, prompt: str = "hi", **kw: Any) -> BaseMessage:
    """Call ``model`` one way and return the whole message (stream chunks summed).

    Async modes run in a fresh event loop, as a service calling from a worker would.
    """
    if mode == "invoke":
        return model.invoke(prompt, **kw)
    if mode == "stream":
        return _sum(list(model.stream(prompt, **kw)))
    if mode == "ainvoke":
        return asyncio.run(model.ainvoke(prompt, **kw))

    async def consume() -> list[AIMessageChunk]:
        return [chunk async for chunk in model.astream(prompt, **kw)]

    return _sum(asyncio.run(consume()))


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def run_json_process(*args: str, timeout: float = 100) -> Any:
    """Run ``python *args`` in a process of its own; return its last stdout line as JSON.

    Scenarios that fork, send signals or leak on purpose run apart from the suite, and
    report their figures as one JSON line, which the test then asserts on.
    """
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
