"""Forked children calling a model the parent warmed up (run by ``test_fork.py``).

``python -m tests.reliability._fork_driver CHILDREN CALLS`` starts an echo server (another
process), warms a model up in this process with concurrent sync and async calls, so that
its pools hold keep-alive connections, then forks CHILDREN children that each make CALLS
calls (sync invoke, sync stream, async invoke and async stream in turn) while the parent
keeps calling too. Every call sends a marker of its own and the echo server answers with
it, so an answer that belongs to another request is seen. It prints one JSON line:
``{"calls": N, "wrong": N, "errors": N, "samples": [...]}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from typing import Any

from langchain_compat_chat import ChatCompatModel
from tests.reliability._echo_server import echo_server


def _text(message: Any) -> str:
    return str(message.content)


def _call(model: ChatCompatModel, marker: str, way: int) -> str:
    if way == 0:
        return _text(model.invoke(marker))
    if way == 1:
        return "".join(_text(c) for c in model.stream(marker))

    async def run() -> str:
        if way == 2:
            return _text(await model.ainvoke(marker))
        return "".join([_text(c) async for c in model.astream(marker)])

    return asyncio.run(run())


def _calls(model: ChatCompatModel, who: str, count: int) -> dict[str, Any]:
    tally: dict[str, Any] = {"calls": 0, "wrong": 0, "errors": 0, "samples": []}
    for i in range(count):
        marker = f"{who}-call-{i}"
        try:
            answer = _call(model, marker, i % 4)
        except Exception as exc:
            tally["errors"] += 1
            answer = f"{type(exc).__name__}: {exc}"
        else:
            tally["wrong"] += answer != marker
        tally["calls"] += 1
        if answer != marker and len(tally["samples"]) < 5:
            tally["samples"].append(f"{marker} -> {answer[:120]}")
    return tally


def _warm_up(model: ChatCompatModel) -> None:
    """Fill the sync pool with several idle connections, and make one async call."""
    threads = [threading.Thread(target=model.invoke, args=(f"warm-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    asyncio.run(model.ainvoke("warm-async"))


def main(children: int, calls: int) -> dict[str, Any]:
    with echo_server(delay=0.005) as url:
        model = ChatCompatModel(
            model="echo", base_url=url, api_key="k", max_retries=0, timeout=5, total_timeout=10
        )
        _warm_up(model)
        pipes = []
        for c in range(children):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: report through the pipe, never return into the caller
                os.close(read_end)
                code = 0
                try:
                    result = _calls(model, f"child{c}", calls)
                    os.write(write_end, json.dumps(result).encode())
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            os.close(write_end)
            pipes.append((pid, read_end))
        total = _calls(model, "parent", calls)
        for pid, read_end in pipes:
            with os.fdopen(read_end, "rb") as f:
                raw = f.read()
            os.waitpid(pid, 0)
            result = json.loads(raw) if raw else {"calls": 0, "wrong": 0, "errors": 1}
            for key in ("calls", "wrong", "errors"):
                total[key] += result[key]
            total["samples"] += result.get("samples", [])[:2]
        return total


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
