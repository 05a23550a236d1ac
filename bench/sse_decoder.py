"""Per-event cost of SSE decoding: the package's ``SSEDecoder`` against httpx-sse.

Why the runtime decoder is in-house is a speed claim (docs/performance.md, "SSE parsing");
this script is how to check it on your machine. Both decoders get the same bytes: 1000
``chat.completion.chunk`` events of an ordinary text stream, handed over as one event per
network read (the usual shape: servers flush each event) and as 16 KiB reads (a burst).
httpx-sse reads them the way it reads a live response (``EventSource(response).iter_sse()``
over an ``httpx.Response`` streaming those reads); ours is ``SSEDecoder.feed`` per read.
JSON parsing is not timed: both would pay it alike. The two run alternately, ``--repeats``
rounds; the times are medians and the ratio is the median of the per-round ratios (paired,
as in ``bench/run.py``), which stays meaningful on a busy machine.

Usage: ``.venv/bin/python bench/sse_decoder.py [--events N] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from importlib import metadata

import httpx
from httpx_sse import EventSource

from langchain_compat_chat._http.sse import SSEDecoder

_HTTPX_SSE = metadata.version("httpx-sse")


def _body(events: int) -> bytes:
    chunks = []
    for i in range(events):
        payload = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "bench-model",
            "choices": [{"index": 0, "delta": {"content": f" token{i}"}, "finish_reason": None}],
        }
        chunks.append(b"data: " + json.dumps(payload).encode() + b"\n\n")
    chunks.append(b"data: [DONE]\n\n")
    return b"".join(chunks)


def _reads(body: bytes, size: int | None) -> list[bytes]:
    if size is None:  # one event per read
        return [part + b"\n\n" for part in body.split(b"\n\n") if part]
    return [body[i : i + size] for i in range(0, len(body), size)]


def _httpx_sse(reads: list[bytes]) -> int:
    def stream() -> Iterator[bytes]:
        yield from reads

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=stream())
    return sum(1 for _ in EventSource(response).iter_sse())


def _ours(reads: list[bytes]) -> int:
    decoder = SSEDecoder()
    return sum(len(decoder.feed(read)) for read in reads)


def _time(fn: Callable[[list[bytes]], int], reads: list[bytes], events: int) -> float:
    started = time.perf_counter()
    count = fn(reads)
    elapsed = time.perf_counter() - started
    if count != events + 1:  # + [DONE]
        msg = f"{fn.__name__} decoded {count} events, expected {events + 1}"
        raise SystemExit(msg)
    return elapsed / count * 1e6


def main() -> int:
    """Print the per-event time of both decoders for each read pattern."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=101)
    args = parser.parse_args()
    body = _body(args.events)
    print("| reads | httpx-sse (us/event) | SSEDecoder (us/event) | ratio |")
    print("|---|---|---|---|")
    for label, size in (("one event per read", None), ("16 KiB reads", 16384)):
        reads = _reads(body, size)
        theirs: list[float] = []
        ours: list[float] = []
        for _ in range(args.repeats):  # interleaved, so load changes hit both alike
            theirs.append(_time(_httpx_sse, reads, args.events))
            ours.append(_time(_ours, reads, args.events))
        a, b = statistics.median(theirs), statistics.median(ours)
        ratio = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
        print(f"| {label} | {a:.2f} | {b:.2f} | {ratio:.2f}x |")
    print(
        f"\n{args.events} events, {args.repeats} paired rounds; "
        f"python {sys.version.split()[0]}, httpx {httpx.__version__}, httpx-sse {_HTTPX_SSE}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
