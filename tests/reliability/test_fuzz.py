"""Property-based fuzzing of everything that reads server bytes: only our typed errors, no hangs.

Inputs are real answers of the reference server (every dialect, tools, reasoning, ``n=2``),
captured once over a socket, then corrupted at random (flipped, dropped, inserted and
duplicated bytes, truncation) and cut at random read boundaries; plus arbitrary JSON in the
shapes a chat completion has. Whatever comes in, the SSE decoder, the chunk builder and the
response parser either succeed or raise a :class:`CompatChatError`, and cutting the bytes
differently never changes the outcome. Example counts are bounded to keep the suite fast;
``pytest-timeout`` turns a hang into a failure, and the linear-time tests below catch the
slow kind of hang (quadratic buffering) that small random inputs cannot show.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langchain_compat_chat import CompatChatError, MalformedResponseError
from langchain_compat_chat._http.sse import SSEDecoder
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.stream import ChunkBuilder
from langchain_compat_chat.testing import DIALECT_HEADER, ReferenceServer
from tests.reliability._support import TALLY, make_model

FUZZ = settings(
    max_examples=250,
    deadline=None,  # timing is checked by the linear-time tests, not per example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
REQUESTS: list[tuple[dict[str, Any], str]] = [
    ({}, ""),
    ({"tools": [TOOL], "tool_choice": "required"}, "ollama"),
    ({"tools": [TOOL], "tool_choice": "required"}, "vllm,repeat_tool_name"),
    ({"reasoning_effort": "high"}, "groq"),
    ({"n": 2}, "deepseek-reasoner"),
    ({"response_format": {"type": "json_object"}}, "perplexity"),
    ({}, "moonshot,think_tags"),
]


@functools.cache
def _captured() -> tuple[list[bytes], list[bytes]]:
    """Raw stream and JSON answers of every request in ``REQUESTS`` (captured on first use)."""
    streams, bodies = [], []
    with ReferenceServer() as srv, httpx.Client(base_url=srv.base_url) as client:
        for extra, dialect in REQUESTS:
            headers = {DIALECT_HEADER: dialect} if dialect else {}
            for stream in (True, False):
                body = {
                    "model": "m",
                    "messages": [{"role": "user", "content": "answer in json"}],
                    "max_tokens": 40,
                    "stream": stream,
                    **({"stream_options": {"include_usage": True}} if stream else {}),
                    **extra,
                }
                reply = client.post("/chat/completions", json=body, headers=headers)
                assert reply.status_code == 200, reply.text
                (streams if stream else bodies).append(reply.content)
    return streams, bodies


STREAMS = st.deferred(lambda: st.sampled_from(_captured()[0]))
BODIES = st.deferred(lambda: st.sampled_from(_captured()[1]))
CHUNKS = st.deferred(
    lambda: st.sampled_from(
        [e[6:] for s in _captured()[0] for e in s.split(b"\n\n") if e.startswith(b"data: {")]
    )
)

_NOISE = st.sampled_from(
    [b"\n", b"\r", b"\r\n", b"\n\n", b"data: ", b"data:", b": ping\n", b"event: error\n", b"{",
     b"}", b"[", b'"', b"\\", b",", b"null", b"[DONE]", b"\xff", b"\xc3", b"\xe2\x82", b"\x00",
     b'"index":null', b'"choices":{}', b'"delta":[]', b'"tool_calls":"x"', b"1e999"]
)  # fmt: skip


@st.composite
def corrupted(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    """A captured answer with a few random edits."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "drop", "insert", "truncate", "repeat"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "drop":
            del data[at : at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(_NOISE | st.binary(min_size=1, max_size=8))
        elif op == "truncate":
            del data[at:]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


def _pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    bounds = [0, *sorted({c % (len(data) + 1) for c in cuts}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


def _outcome(pieces: list[bytes]) -> tuple[str, int]:
    """Run bytes through decoder and builder as a stream would: ``(how it ended, chunks)``."""
    decoder, builder = SSEDecoder(), ChunkBuilder("compat")
    produced = 0
    try:
        for piece in pieces:
            for event, data in decoder.feed(piece):
                produced += len(builder.feed_data(data, event))
                if builder.done:
                    break
            if builder.done:
                break
        if not (builder.done or builder.finished):
            return "incomplete", produced
        builder.finish()
    except CompatChatError as exc:
        return type(exc).__name__, produced
    return "complete", produced


@FUZZ
@given(data=corrupted(STREAMS), cuts=st.lists(st.integers(0, 100_000), max_size=20))
def test_corrupted_streams_end_in_typed_errors(data: bytes, cuts: list[int]) -> None:
    TALLY["fuzzed"] += 1
    whole = _outcome([data])
    split = _outcome(_pieces(data, cuts))
    assert split[0] == whole[0]  # read boundaries never change how it ends


@FUZZ
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(0, 1000), max_size=30))
def test_sse_decoder_on_arbitrary_bytes(data: bytes, cuts: list[int]) -> None:
    TALLY["fuzzed"] += 1

    def events(pieces: list[bytes]) -> list[tuple[str, str]] | str:
        decoder = SSEDecoder()
        out: list[tuple[str, str]] = []
        try:
            for piece in pieces:
                out += decoder.feed(piece)
        except MalformedResponseError:
            return "not utf-8"
        return out

    assert events(_pieces(data, cuts)) == events([data])


_KEYS = st.sampled_from(
    ["id", "model", "choices", "index", "delta", "message", "content", "role", "tool_calls",
     "function", "name", "arguments", "type", "finish_reason", "usage", "prompt_tokens",
     "completion_tokens", "total_tokens", "prompt_tokens_details", "cached_tokens",
     "completion_tokens_details", "reasoning_tokens", "reasoning_content", "reasoning",
     "reasoning_details", "text", "thinking", "refusal", "logprobs", "error", "code",
     "message", "x_groq", "system_fingerprint", "created", "extra_content", "function_call"]
)  # fmt: skip
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=6)
    | st.sampled_from(["", "assistant", "tool_calls", "stop", "{", '{"a":', "[DONE]"])
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_KEYS | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


@st.composite
def completion_like(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> Any:
    """A captured completion or chunk with one entry, at any depth, replaced by arbitrary JSON."""
    doc = json.loads(draw(seeds))
    node = doc
    for _ in range(draw(st.integers(0, 5))):
        values = node.values() if isinstance(node, dict) else node
        containers = [v for v in values if isinstance(v, (dict, list)) and v]
        if not containers:
            break
        node = draw(st.sampled_from(containers))
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    if not keys:
        return draw(JSON_VALUES)
    node[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
    return doc


@FUZZ
@given(payloads=st.lists(completion_like(CHUNKS) | JSON_VALUES, max_size=6))
def test_chunk_builder_on_arbitrary_json(payloads: list[Any]) -> None:
    TALLY["fuzzed"] += 1
    builder = ChunkBuilder("compat")
    try:
        for payload in payloads:
            builder.feed_data(json.dumps(payload), "")
        builder.finish()
    except CompatChatError:
        pass


@FUZZ
@given(texts=st.lists(st.text(max_size=40), max_size=5), event=st.sampled_from(["", "error"]))
def test_chunk_builder_on_arbitrary_text(texts: list[str], event: str) -> None:
    TALLY["fuzzed"] += 1
    builder = ChunkBuilder("compat")
    try:
        for text in texts:
            builder.feed_data(text, event)
    except CompatChatError:
        pass


@FUZZ
@given(data=completion_like(BODIES) | JSON_VALUES)
def test_response_parser_on_arbitrary_json(data: Any) -> None:
    TALLY["fuzzed"] += 1
    try:
        result = to_chat_result(data, "compat")
    except CompatChatError:
        return
    assert result.generations


def test_deeply_nested_json_is_a_typed_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(MalformedResponseError):
        ChunkBuilder("compat").feed_data(deep)


# -- over the socket ------------------------------------------------------------------------------

SOCKET = settings(FUZZ, max_examples=40, suppress_health_check=list(HealthCheck))


@SOCKET
@given(data=corrupted(STREAMS), cuts=st.lists(st.integers(0, 100_000), max_size=8))
def test_corrupted_streams_over_the_socket(
    compat_server_session: ReferenceServer, data: bytes, cuts: list[int]
) -> None:
    TALLY["fuzzed"] += 1
    srv = compat_server_session
    srv.reset()
    srv.enqueue(sse=[p for p in _pieces(data, cuts) if p], done=False)
    model = make_model(srv, max_retries=0, timeout=5)
    started = time.monotonic()
    try:
        chunks = list(model.stream("hi"))
    except CompatChatError:
        pass
    else:
        assert chunks
    assert time.monotonic() - started < 5


@SOCKET
@given(data=corrupted(BODIES))
async def test_corrupted_json_over_the_socket(
    compat_server_session: ReferenceServer, data: bytes
) -> None:
    TALLY["fuzzed"] += 1
    srv = compat_server_session
    srv.reset()
    srv.enqueue(raw=data)
    with contextlib.suppress(CompatChatError):
        assert (await make_model(srv, max_retries=0, timeout=5).ainvoke("hi")) is not None


# -- no slow hangs ------------------------------------------------------------------------------


@pytest.mark.parametrize("read_size", [1, 7, 4096])
def test_one_huge_event_in_small_reads_takes_linear_time(read_size: int) -> None:
    size = 400_000 if read_size == 1 else 4_000_000
    body = b"data: " + b"x" * size + b"\n\n"
    decoder = SSEDecoder()
    started = time.monotonic()
    events = []
    for at in range(0, len(body), read_size):
        events += decoder.feed(body[at : at + read_size])
    assert events == [("", "x" * size)]
    assert time.monotonic() - started < 3.0  # quadratic buffering takes minutes here
