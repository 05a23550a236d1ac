"""One network read's events fed together (``ChunkBuilder.feed_batch``) vs one at a time.

``feed_batch`` merges the tool-call fragments that arrive in one read. Whatever the batching,
the aggregated message must be the one the events give one by one, text and reasoning chunks
must go out unchanged and in order, and the stream's first chunk is never merged.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterable
from functools import reduce
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.stream import _PIECE_CHARS, ChunkBuilder
from langchain_compat_chat.errors import MalformedResponseError
from tests.unit.test_stream_properties import INTERLEAVABLE, _interleave, tool_streams

BASE = "http://test.local/v1"
Batch = list[tuple[str, str]]


def _event(delta: dict[str, Any], **choice: Any) -> str:
    return json.dumps({"id": "chatcmpl-b", "choices": [{"index": 0, "delta": delta, **choice}]})


def _one_by_one(datas: list[str]) -> list[AIMessageChunk]:
    builder = ChunkBuilder("compat")
    out: list[AIMessageChunk] = []
    for data in datas:
        out.extend(g.message for g in builder.feed_data(data))  # type: ignore[misc]
        if builder.done:
            break
    return [*out, builder.finish().message]  # type: ignore[list-item]


def _batched(batches: Iterable[Batch]) -> list[AIMessageChunk]:
    builder = ChunkBuilder("compat")
    out = [g.message for batch in batches for g in builder.feed_batch(batch)]
    return [*out, builder.finish().message]  # type: ignore[list-item]


@st.composite
def batchings(draw: st.DrawFn, datas: list[str]) -> list[Batch]:
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(datas) - 1)), max_size=len(datas))))
    bounds = [0, *(c for c in cuts if c < len(datas)), len(datas)]
    return [[("", d) for d in datas[a:b]] for a, b in itertools.pairwise(bounds)]


def _pieces_per_index(chunk: AIMessageChunk) -> list[Any]:
    return [c["index"] for c in chunk.tool_call_chunks]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=tool_streams(), data=st.data())
def test_any_batching_gives_the_same_message(
    stream: tuple[str, list[dict[str, Any]], list[list[dict[str, Any]]]], data: st.DataObject
) -> None:
    dialect, _originals, per_call = stream
    if dialect in INTERLEAVABLE and len(per_call) > 1 and data.draw(st.booleans()):
        deltas = _interleave(data, per_call)
    else:
        deltas = [d for call in per_call for d in call]
    datas = [_event({"tool_calls": [d]}) for d in deltas]
    # Text and reasoning anywhere in the stream (servers mostly send them first).
    for text in data.draw(st.lists(st.sampled_from(["Let me ", "check", "}", " é"]), max_size=4)):
        key = data.draw(st.sampled_from(["content", "reasoning_content"]))
        datas.insert(data.draw(st.integers(0, len(datas))), _event({key: text}))
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    datas += [
        _event({}, finish_reason="tool_calls"),
        json.dumps({"id": "chatcmpl-b", "choices": [], "usage": usage}),
        "[DONE]",
        _event({"content": "after the end"}),  # ignored, batched or not
    ]

    expected = _one_by_one(datas)
    got = _batched(data.draw(batchings(datas)))

    assert reduce(operator.add, got) == reduce(operator.add, expected)
    assert len(got) <= len(expected)
    assert got[0] == expected[0]  # the first chunk is never held back or merged
    plain = [(c.content, c.additional_kwargs) for c in expected if not c.tool_call_chunks]
    assert [(c.content, c.additional_kwargs) for c in got if not c.tool_call_chunks] == plain
    for chunk in got:
        indexes = _pieces_per_index(chunk)
        assert len(indexes) == len(set(indexes)), chunk.tool_call_chunks


def _fragments(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _tool_stream(args: str, size: int) -> list[str]:
    head = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
    datas = [_event({"role": "assistant", "tool_calls": [head]})]
    datas += [
        _event({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        for piece in _fragments(args, size)
    ]
    return [*datas, _event({}, finish_reason="tool_calls"), "[DONE]"]


@pytest.mark.parametrize(
    "args",
    [
        # Structured arguments: closing brackets come often.
        json.dumps(
            {"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(60)]}
        ),
        # One long string: no closing bracket until the very end.
        json.dumps({"content": "lorem ipsum dolor sit amet, " * 200}),
    ],
    ids=["structured", "prose"],
)
def test_merged_pieces_stay_cheap_to_parse(args: str) -> None:
    """Every merged piece is short or starts with a closing bracket.

    langchain-core's ``parse_partial_json`` is quadratic in a piece's length unless the piece
    has an unmatched closing bracket early; these are the two shapes that keep it linear.
    """
    datas = _tool_stream(args, 16)
    chunks = _batched([[("", d) for d in datas]])
    pieces = [c["args"] for chunk in chunks[1:-1] for c in chunk.tool_call_chunks]
    assert "".join(pieces) == args
    assert all(len(p) <= _PIECE_CHARS or p[0] in "}]" for p in pieces)
    assert len(chunks) < len(datas) // 4
    (call,) = reduce(operator.add, chunks).tool_calls
    assert call["args"] == json.loads(args) and call["name"] == "f" and call["id"] == "call_1"


def _sse(datas: list[str]) -> bytes:
    return "".join(f"data: {d}\n\n" for d in datas).encode()


def _mock(router: respx.MockRouter, body: bytes) -> None:
    router.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream", "x-request-id": "rq"}
        )
    )


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.chunks: list[Any] = []

    def on_llm_new_token(self, token: str, *, chunk: Any = None, **kwargs: Any) -> None:
        self.chunks.append(chunk)


async def test_astream_events_and_callbacks_see_the_merged_chunks() -> None:
    args = json.dumps({"rows": [[i, str(i)] for i in range(100)]})
    datas = _tool_stream(args, 8)
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0, streaming=True)
    tokens = _Tokens()
    with respx.mock() as router:
        _mock(router, _sse(datas))
        events = [
            e
            async for e in model.astream_events("hi", version="v2", config={"callbacks": [tokens]})
        ]
        invoked = await model.ainvoke("hi")
    streamed = [e["data"]["chunk"] for e in events if e["event"] == "on_chat_model_stream"]
    (end,) = [e["data"]["output"] for e in events if e["event"] == "on_chat_model_end"]
    assert 2 <= len(streamed) < len(datas) // 10
    assert len(tokens.chunks) == len(streamed)
    assert reduce(operator.add, streamed).tool_calls == end.tool_calls == invoked.tool_calls
    assert end.tool_calls[0]["args"] == json.loads(args)


@pytest.mark.parametrize("output_version", ["v0", "v1"])
def test_one_read_or_one_read_per_event_streams_the_same_message(output_version: str) -> None:
    """End to end: two parallel calls and text, the body in one read or event by event."""
    first, second = json.dumps({"rows": [[i, str(i)] for i in range(30)]}), '{"q": "a b c"}'
    datas = [_event({"role": "assistant", "content": "Hi "})]
    for index, (call_id, name) in enumerate((("c1", "f"), ("c2", "g"))):
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name}}
        datas.append(_event({"tool_calls": [head]}))
    for i in range(0, len(first), 7):
        for index, args in enumerate((first, second)):
            if args[i : i + 7]:
                piece = {"index": index, "function": {"arguments": args[i : i + 7]}}
                datas.append(_event({"tool_calls": [piece]}))
    datas += [_event({}, finish_reason="tool_calls"), "[DONE]"]
    events = [f"data: {d}\n\n".encode() for d in datas]
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0, output_version=output_version)
    results = []
    for body in (b"".join(events), iter(events)):
        with respx.mock() as router:
            router.post(f"{BASE}/chat/completions").mock(
                return_value=httpx.Response(
                    200, content=body, headers={"content-type": "text/event-stream"}
                )
            )
            results.append(list(model.stream("hi")))
    merged, separate = results
    assert len(merged) < 10 < len(separate)
    assert reduce(operator.add, merged) == reduce(operator.add, separate)
    calls = reduce(operator.add, merged).tool_calls
    assert [(c["name"], c["args"]) for c in calls] == [
        ("f", json.loads(first)),
        ("g", json.loads(second)),
    ]


def test_absurdly_nested_event_is_malformed_not_a_recursion_error() -> None:
    deep = '{"a":' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(MalformedResponseError, match="nested too deeply"):
        list(ChunkBuilder("compat").feed_batch([("", deep)]))
