"""500 concurrent ``ainvoke`` calls against a server that holds each one 50 ms: the pool choice.

The shared harness calls a pool SERIALIZED when a burst never gets half of its calls in flight
at once, and COLLAPSED when a burst on a warm pool is less than half as fast as a cold one.
This script measures, for each connection-pool setting, what lies behind those labels: calls
per second, median latency, client CPU per call, the most calls the server held at once, new
connections per burst, and how often httpcore 1.0.x had to take back a connection it had
handed out (``ConnectionNotAvailable``, counted by wrapping ``AsyncPoolRequest``).

Variants (``ChatCompatModel`` each time, a fresh event loop and client per variant; always
1000 connections at most, 30 s keep-alive):

* ``httpcore's assignment``: httpcore 1.0.x's own assignment step, with 10 and with 100 idle
  connections (100 is what the openai SDK and most httpx-based clients use);
* ``no keep-alive``: 0 idle connections;
* ``our assignment``: ``langchain_compat_chat._http.pool``'s step, which the package installs, with
  10 and 100 (shipped, ``_clients.LIMITS``) idle connections.

Usage: ``python bench/pool_burst.py [--calls 500] [--delay-ms 50] [--bursts 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(var, None)
os.environ["LANGSMITH_TRACING"] = "false"

import httpcore._async.connection_pool as pool_module  # noqa: E402
import httpx  # noqa: E402
from langchain_core.messages import HumanMessage  # noqa: E402
from run import _start_server  # noqa: E402

from langchain_compat_chat import ChatCompatModel  # noqa: E402
from langchain_compat_chat._http import clients as _clients  # noqa: E402

RETRIES = [0]
_clear = pool_module.AsyncPoolRequest.clear_connection


def _counting_clear(self: Any) -> None:
    RETRIES[0] += 1
    _clear(self)


pool_module.AsyncPoolRequest.clear_connection = _counting_clear  # type: ignore[method-assign]


@contextmanager
def _variant(keepalive: int, reserving: bool) -> Iterator[None]:
    """Run with ``keepalive`` idle connections, and with our assignment step or httpcore's."""
    limits, install = _clients.LIMITS, _clients.reserve_connections
    _clients.LIMITS = httpx.Limits(
        max_connections=1000, max_keepalive_connections=keepalive, keepalive_expiry=30.0
    )
    if not reserving:
        _clients.reserve_connections = lambda client: None  # type: ignore[assignment]
    try:
        yield
    finally:
        _clients.LIMITS, _clients.reserve_connections = limits, install


def _server(base: str, method: str = "GET") -> dict[str, int]:
    root = base.rsplit("/v1", 1)[0]
    request = urllib.request.Request(root + "/stats", data=b"{}", method=method)
    with urllib.request.urlopen(request) as reply:
        return json.loads(reply.read())  # type: ignore[no-any-return]


def _bursts(base: str, calls: int, delay_ms: int, bursts: int) -> list[dict[str, float]]:
    model = ChatCompatModel(model=f"bench/d={delay_ms}", base_url=base, api_key="sk")
    messages = [HumanMessage("hi")]
    out = []
    loop = asyncio.new_event_loop()  # one loop per variant: a fresh pooled client
    try:

        async def warm() -> None:
            for _ in range(5):
                await model.ainvoke(messages)

        async def burst() -> list[float]:
            t0 = time.perf_counter()

            async def one() -> float:
                await model.ainvoke(messages)
                return time.perf_counter() - t0

            return list(await asyncio.gather(*(one() for _ in range(calls))))

        loop.run_until_complete(warm())
        for _ in range(bursts):
            _server(base, "POST")
            RETRIES[0] = 0
            cpu, t0 = time.process_time(), time.perf_counter()
            done = loop.run_until_complete(burst())
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu
            stats = _server(base)
            out.append(
                {
                    "rps": calls / wall,
                    "p50_ms": statistics.median(done) * 1e3,
                    "cpu_ms_per_call": cpu / calls * 1e3,
                    "peak_in_flight": stats["peak_in_flight"],
                    "new_connections": stats["connections"] - 1,  # minus the /stats request
                    "retries": RETRIES[0],
                }
            )
    finally:
        loop.close()
    return out


def main() -> None:
    """Run every variant and print one Markdown table of medians over the bursts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=500)
    ap.add_argument("--delay-ms", type=int, default=50)
    ap.add_argument("--bursts", type=int, default=4, help="back-to-back bursts per variant")
    args = ap.parse_args()
    variants: list[tuple[str, Callable[[], Any]]] = [
        ("httpcore's assignment, 10 idle", lambda: _variant(10, False)),
        ("httpcore's assignment, 100 idle", lambda: _variant(100, False)),
        ("no keep-alive", lambda: _variant(0, False)),
        ("our assignment, 10 idle", lambda: _variant(10, True)),
        ("our assignment, 100 idle (shipped)", lambda: _variant(100, True)),
    ]
    proc, base = _start_server()
    rows = []
    try:
        for label, variant in variants:
            with variant():
                runs = _bursts(base, args.calls, args.delay_ms, args.bursts)
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append((label, med))
            print(
                f"[{label}: {json.dumps({k: round(v, 1) for k, v in med.items()})}]",
                file=sys.stderr,
            )
    finally:
        proc.terminate()
        proc.wait(5)
    print(
        f"\n{args.calls} concurrent ainvoke, server holds each {args.delay_ms} ms; "
        f"medians of {args.bursts} back-to-back bursts after 5 warm-up calls\n"
    )
    print(
        "| pool | req/s | p50 latency (ms) | client CPU per call (ms) | peak in flight | "
        "new connections per burst | ConnectionNotAvailable retries |"
    )
    print("|---|---|---|---|---|---|---|")
    for label, m in rows:
        print(
            f"| {label} | {m['rps']:.0f} | {m['p50_ms']:.0f} | {m['cpu_ms_per_call']:.2f} | "
            f"{m['peak_in_flight']:.0f} | {m['new_connections']:.0f} | {m['retries']:.0f} |"
        )
    load = os.getloadavg()[0]
    print(f"\npython {sys.version.split()[0]}, httpx {httpx.__version__}, load {load:.1f}")


if __name__ == "__main__":
    main()
