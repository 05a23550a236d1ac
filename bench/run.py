"""``make bench``: ChatCompatModel side by side with ChatOpenAI and the floors, in one run.

Participants (all against the same loopback mock server, ``bench/mock_server.py``, which runs in
its own process):

* ``compat``      langchain_compat_chat.ChatCompatModel
* ``openai``      langchain_openai.ChatOpenAI (skipped if not installed)
* ``floor_http``  raw httpx + httpx-sse + json: the transport's physical limit, no LangChain
* ``floor_fw``    a langchain-core BaseChatModel doing GenericFakeChatModel's per-chunk work
                  (same chunk counts, native async), no network: the framework's own cost
* ``floor_sum``   floor_http + floor_fw of the same round: the realistic lower bound

Each round runs every participant once, in a shuffled order; ratios are medians of per-round
ratios (paired), which stay meaningful on a busy machine. Usage: ``python bench/run.py
[--quick] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from mock_server import CALL_ID, MSG_ID, TOOL_NAME, tokens, tool_fragments  # noqa: E402

os.environ.pop("OPENAI_BASE_URL", None)
os.environ["LANGSMITH_TRACING"] = "false"
os.environ["LANGCHAIN_TRACING_V2"] = "false"
for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
    os.environ.pop(var, None)

import httpx  # noqa: E402
from httpx_sse import aconnect_sse, connect_sse  # noqa: E402
from langchain_core.callbacks import (  # noqa: E402
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import (  # noqa: E402
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult  # noqa: E402

pc = time.perf_counter
TOOL = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Record inventory items.",
        "parameters": {"type": "object", "properties": {"title": {"type": "string"}}},
    },
}
MSGS = [SystemMessage("You are terse."), HumanMessage("Say something.")]
DICT_MSGS = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say something."},
]


# -- floors ------------------------------------------------------------------------------------
class HttpFloor:
    """Raw httpx + httpx-sse + json: what any client over httpx must at least spend."""

    def __init__(self, model: str, base_url: str) -> None:
        self.model, self.url = model, base_url + "/chat/completions"
        self.headers = {"authorization": "Bearer sk-bench", "content-type": "application/json"}
        self.client = httpx.Client(timeout=60, trust_env=False)
        self.aclient: httpx.AsyncClient | None = None

    def _body(self, stream: bool, tools: bool = False) -> bytes:
        body: dict[str, Any] = {"model": self.model, "messages": DICT_MSGS}
        if stream:
            body["stream"], body["stream_options"] = True, {"include_usage": True}
        if tools:
            body["tools"] = [TOOL]
        return json.dumps(body).encode()

    def invoke(self) -> str:
        r = self.client.post(self.url, content=self._body(False), headers=self.headers)
        return str(json.loads(r.content)["choices"][0]["message"]["content"])

    async def ainvoke(self) -> str:
        if self.aclient is None:
            self.aclient = httpx.AsyncClient(timeout=60, trust_env=False)
        r = await self.aclient.post(self.url, content=self._body(False), headers=self.headers)
        return str(json.loads(r.content)["choices"][0]["message"]["content"])

    def stream(self, tools: bool = False) -> Iterator[dict[str, Any]]:
        content = self._body(True, tools)
        with connect_sse(
            self.client, "POST", self.url, content=content, headers=self.headers
        ) as es:
            for sse in es.iter_sse():
                if sse.data == "[DONE]":
                    break
                choices = json.loads(sse.data).get("choices")
                if choices:
                    yield choices[0]["delta"]

    async def astream(self) -> AsyncIterator[dict[str, Any]]:
        if self.aclient is None:
            self.aclient = httpx.AsyncClient(timeout=60, trust_env=False)
        body = self._body(True)
        async with aconnect_sse(
            self.aclient, "POST", self.url, content=body, headers=self.headers
        ) as es:
            async for sse in es.aiter_sse():
                if sse.data == "[DONE]":
                    break
                choices = json.loads(sse.data).get("choices")
                if choices:
                    yield choices[0]["delta"]


    def responses_stream(self) -> Iterator[str]:
        """The Responses API's typed events: text deltas until ``response.completed``."""
        body = json.dumps({"model": self.model, "input": DICT_MSGS, "stream": True}).encode()
        url = self.url.replace("/chat/completions", "/responses")
        with connect_sse(self.client, "POST", url, content=body, headers=self.headers) as es:
            for sse in es.iter_sse():
                event = json.loads(sse.data)
                if event["type"] == "response.output_text.delta":
                    yield event["delta"]
                elif event["type"] == "response.completed":
                    break


class FwFloor(BaseChatModel):
    """GenericFakeChatModel's per-chunk work with exact chunk counts and native async."""

    tokens: list[str] = []
    fragments: list[str] | None = None

    @property
    def _llm_type(self) -> str:
        return "bench-floor"

    def _chunks(self) -> Iterator[ChatGenerationChunk]:
        if self.fragments is not None:
            head = {"name": TOOL_NAME, "args": "", "id": CALL_ID, "index": 0}
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", id=MSG_ID, tool_call_chunks=[head])
            )
            for frag in self.fragments:
                part = {"name": None, "args": frag, "id": None, "index": 0}
                msg = AIMessageChunk(content="", id=MSG_ID, tool_call_chunks=[part])
                yield ChatGenerationChunk(message=msg)
            return
        for tok in self.tokens:
            yield ChatGenerationChunk(message=AIMessageChunk(content=tok, id=MSG_ID))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        usage = {"input_tokens": 12, "output_tokens": 20, "total_tokens": 32}
        message = AIMessage(content="".join(self.tokens), id=MSG_ID, usage_metadata=usage)
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks():
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks():
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


# -- participants --------------------------------------------------------------------------------
def _models(base_url: str, model: str) -> dict[str, Any]:
    from langchain_compat_chat import ChatCompatModel

    out: dict[str, Any] = {"compat": ChatCompatModel(model=model, base_url=base_url, api_key="sk")}
    try:
        from langchain_openai import ChatOpenAI

        out["openai"] = ChatOpenAI(model=model, base_url=base_url, api_key="sk")  # type: ignore[arg-type]
    except ImportError:
        pass
    return out


def _timed_stream(items: Iterator[Any]) -> tuple[float, float, int]:
    """(time to first item, time from first to last item, count)."""
    t0 = pc()
    first = last = t0
    n = 0
    for _ in items:
        last = pc()
        if n == 0:
            first = last
        n += 1
    return first - t0, last - first, n


async def _atimed_stream(items: AsyncIterator[Any]) -> tuple[float, float, int]:
    t0 = pc()
    first = last = t0
    n = 0
    async for _ in items:
        last = pc()
        if n == 0:
            first = last
        n += 1
    return first - t0, last - first, n


def _content_only(chunks: Iterator[Any]) -> Iterator[Any]:
    """Content chunks only: the time per chunk is measured between the first and last text."""
    return (c for c in chunks if (c.get("content") if isinstance(c, dict) else c.content))


async def _acontent_only(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for c in chunks:
        if c.get("content") if isinstance(c, dict) else c.content:
            yield c


# -- scenarios -----------------------------------------------------------------------------------
def scenario_invoke(base: str, rounds: int, calls: int, loop: asyncio.AbstractEventLoop) -> dict:
    model = "bench/n=20"
    subjects = _models(base, model)
    floors = {"floor_http": HttpFloor(model, base), "floor_fw": FwFloor(tokens=tokens(20))}
    sync: dict[str, Callable[[], Any]] = {
        k: (lambda m=m: m.invoke(MSGS)) for k, m in subjects.items()
    }
    sync["floor_http"] = floors["floor_http"].invoke
    sync["floor_fw"] = lambda: floors["floor_fw"].invoke(MSGS)
    asyn: dict[str, Callable[[], Any]] = {
        k: (lambda m=m: m.ainvoke(MSGS)) for k, m in subjects.items()
    }
    asyn["floor_http"] = floors["floor_http"].ainvoke
    asyn["floor_fw"] = lambda: floors["floor_fw"].ainvoke(MSGS)

    def run_sync(fn: Callable[[], Any]) -> float:
        times = []
        for _ in range(calls):
            t = pc()
            fn()
            times.append(pc() - t)
        return statistics.median(times) * 1e6

    async def _arun(fn: Callable[[], Any]) -> float:
        times = []
        for _ in range(calls):
            t = pc()
            await fn()
            times.append(pc() - t)
        return statistics.median(times) * 1e6

    out = {
        "invoke_us": _rounds(sync, rounds, run_sync),
        "ainvoke_us": _rounds(asyn, rounds, lambda fn: loop.run_until_complete(_arun(fn))),
    }
    return out


def scenario_stream(base: str, rounds: int, loop: asyncio.AbstractEventLoop) -> dict:
    n = 1000
    model = f"bench/n={n}"
    subjects = _models(base, model)
    http, fw = HttpFloor(model, base), FwFloor(tokens=tokens(n))
    sync = {k: (lambda m=m: m.stream(MSGS)) for k, m in subjects.items()}
    sync["floor_http"] = http.stream
    sync["floor_fw"] = lambda: fw.stream(MSGS)
    asyn = {k: (lambda m=m: m.astream(MSGS)) for k, m in subjects.items()}
    asyn["floor_http"] = http.astream
    asyn["floor_fw"] = lambda: fw.astream(MSGS)
    ttfc: dict[str, list[float]] = {}

    def run_sync(label: str, fn: Callable[[], Any]) -> float:
        first, span, count = _timed_stream(_content_only(fn()))
        assert count == n, (label, count)
        ttfc.setdefault(label, []).append(first * 1e3)
        return span / (count - 1) * 1e6

    def run_async(label: str, fn: Callable[[], Any]) -> float:
        _, span, count = loop.run_until_complete(_atimed_stream(_acontent_only(fn())))
        assert count == n, (label, count)
        return span / (count - 1) * 1e6

    out = {
        "stream_us_per_chunk": _rounds(sync, rounds, run_sync, labelled=True),
        "astream_us_per_chunk": _rounds(asyn, rounds, run_async, labelled=True),
    }
    out["ttfc_ms"] = ttfc
    return out


def scenario_responses(base: str, rounds: int) -> dict:
    """The stream scenario in ``api="responses"`` mode: per text event, vs the floors."""
    n = 1000
    model = f"bench/n={n}"
    from langchain_compat_chat import ChatCompatModel

    subjects: dict[str, Any] = {
        "compat": ChatCompatModel(model=model, base_url=base, api_key="sk", api="responses")
    }
    try:
        from langchain_openai import ChatOpenAI

        subjects["openai"] = ChatOpenAI(
            model=model,
            base_url=base,
            api_key="sk",  # type: ignore[arg-type]
            use_responses_api=True,
        )
    except ImportError:
        pass
    http, fw = HttpFloor(model, base), FwFloor(tokens=tokens(n))
    runs: dict[str, Callable[[], Any]] = {
        k: (lambda m=m: m.stream(MSGS)) for k, m in subjects.items()
    }
    runs["floor_http"] = http.responses_stream
    runs["floor_fw"] = lambda: fw.stream(MSGS)

    def run(label: str, fn: Callable[[], Any]) -> float:
        items = fn() if label == "floor_http" else _content_only(fn())
        _, span, count = _timed_stream(items)
        if label != "openai":  # ChatOpenAI's v1 chunks are counted as they come
            assert count == n, (label, count)
        return span / (count - 1) * 1e6

    return {"responses_us_per_event": _rounds(runs, rounds, run, labelled=True)}


def scenario_tool(base: str, rounds: int) -> dict:
    frags = 500
    model = f"bench/tool={frags}"
    expected = json.loads("".join(tool_fragments(frags)))
    subjects = {k: m.bind_tools([TOOL]) for k, m in _models(base, model).items()}
    http, fw = HttpFloor(model, base), FwFloor(fragments=tool_fragments(frags))
    runs: dict[str, Callable[[], Any]] = {
        k: (lambda b=b: b.stream(MSGS)) for k, b in subjects.items()
    }
    runs["floor_http"] = lambda: http.stream(tools=True)
    runs["floor_fw"] = lambda: fw.stream(MSGS)

    def run(label: str, fn: Callable[[], Any]) -> float:
        t = pc()
        chunks = list(fn())
        elapsed = pc() - t
        if label in subjects or label == "floor_fw":
            full = chunks[0]
            for c in chunks[1:]:
                full = full + c
            assert full.tool_calls and full.tool_calls[0]["args"] == expected, label
        return elapsed / frags * 1e6

    return {"tool_us_per_fragment": _rounds(runs, rounds, run, labelled=True)}


def scenario_import(runs: int) -> dict:
    targets = {
        "compat": "import langchain_compat_chat",
        "openai": "import langchain_openai",
        "floor_http": "import json, httpx, httpx_sse",
        "floor_fw": (
            "from langchain_core.language_models.chat_models import BaseChatModel; "
            "from langchain_core.messages import AIMessageChunk; "
            "from langchain_core.outputs import ChatGenerationChunk"
        ),
        "bare": "pass",
    }
    try:
        import langchain_openai  # noqa: F401
    except ImportError:
        del targets["openai"]
    fns = {k: (lambda code=code: code) for k, code in targets.items()}

    def run(code_fn: Callable[[], str]) -> float:
        t = pc()
        subprocess.run([sys.executable, "-c", code_fn()], check=True)
        return (pc() - t) * 1e3

    values = _rounds(fns, runs, run)
    bare = values.pop("bare")
    # Both floors pay the interpreter start once: count it once in their sum.
    values["floor_sum"] = [
        h + f - b for h, f, b in zip(values["floor_http"], values["floor_fw"], bare, strict=True)
    ]
    return {"import_ms": values}


def _rounds(
    fns: dict[str, Any], rounds: int, run: Callable[..., float], labelled: bool = False
) -> dict[str, list[float]]:
    """Run every participant once per round in a shuffled order (after one warm-up round)."""
    values: dict[str, list[float]] = {k: [] for k in fns}
    for r in range(rounds + 1):
        order = list(fns)
        random.shuffle(order)
        for label in order:
            value = run(label, fns[label]) if labelled else run(fns[label])
            if r:  # round 0 warms up pools, caches and lazy imports
                values[label].append(value)
    if "floor_http" in values and "floor_fw" in values and "floor_sum" not in values:
        values["floor_sum"] = [
            a + b for a, b in zip(values["floor_http"], values["floor_fw"], strict=True)
        ]
    return values


# -- report --------------------------------------------------------------------------------------
def _paired(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True) if y)


def report(results: dict[str, dict[str, list[float]]]) -> str:
    """Markdown table: medians and paired ratios."""
    labels = {
        "import_ms": "import (ms)",
        "invoke_us": "invoke latency (us)",
        "ainvoke_us": "ainvoke latency (us)",
        "stream_us_per_chunk": "stream (us/chunk)",
        "astream_us_per_chunk": "astream (us/chunk)",
        "ttfc_ms": "stream time to first chunk (ms)",
        "tool_us_per_fragment": "tool call (us/fragment)",
        "responses_us_per_event": "responses stream (us/event)",
    }
    has_openai = any("openai" in v for v in results.values())
    head = "| metric | compat | " + ("ChatOpenAI | " if has_openai else "")
    head += "floor_sum | floor_http | floor_fw | compat / floor_sum | "
    head += "compat / ChatOpenAI |" if has_openai else ""
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for key, label in labels.items():
        v = results.get(key)
        if not v:
            continue
        med = {k: statistics.median(x) for k, x in v.items() if x}
        cells = [label, f"{med['compat']:,.1f}"]
        if has_openai:
            cells.append(f"{med.get('openai', float('nan')):,.1f}")
        cells += [f"{med[k]:,.1f}" for k in ("floor_sum", "floor_http", "floor_fw")]
        cells.append(f"{_paired(v['compat'], v['floor_sum']):.2f}x")
        if has_openai:
            cells.append(f"{_paired(v['compat'], v['openai']):.2f}x" if "openai" in v else "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "mock_server.py")], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("LISTENING"):
        proc.kill()
        raise RuntimeError(f"mock server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/v1"


def main() -> None:
    """Run the scenarios and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9, help="measured rounds per scenario")
    ap.add_argument("--calls", type=int, default=100, help="invoke calls per round")
    ap.add_argument("--quick", action="store_true", help="3 rounds (smoke test)")
    ap.add_argument("--json", help="also write the raw per-round values here")
    args = ap.parse_args()
    rounds = 3 if args.quick else args.rounds
    random.seed(1)
    proc, base = _start_server()
    loop = asyncio.new_event_loop()
    results: dict[str, dict[str, list[float]]] = {}
    t0 = pc()
    try:
        for name, fn in (
            ("import", lambda: scenario_import(max(5, rounds))),
            ("invoke", lambda: scenario_invoke(base, rounds, args.calls, loop)),
            ("stream", lambda: scenario_stream(base, rounds, loop)),
            ("tool", lambda: scenario_tool(base, rounds)),
            ("responses", lambda: scenario_responses(base, rounds)),
        ):
            t = pc()
            results.update(fn())
            print(f"[{name}: {pc() - t:.0f} s]", file=sys.stderr, flush=True)
    finally:
        loop.close()
        proc.terminate()
        proc.wait(5)
    if "ttfc_ms" in results:
        ttfc = results["ttfc_ms"]
        ttfc["floor_sum"] = [
            a + b for a, b in zip(ttfc["floor_http"], ttfc["floor_fw"], strict=True)
        ]
    print(f"\n{report(results)}\n")
    print(
        f"paired per-round median ratios; {rounds} rounds; {pc() - t0:.0f} s; "
        f"python {sys.version.split()[0]}, httpx {httpx.__version__}"
    )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
