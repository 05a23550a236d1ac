"""The byte-level SSE decoder agrees with httpx-sse on every input and every way of splitting it."""

from __future__ import annotations

import httpx
import pytest
from httpx_sse import EventSource
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_compat_chat._http.events import EventStream
from langchain_compat_chat._http.sse import SSEDecoder


def _reference(body: bytes) -> list[tuple[str, str]]:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)
    # httpx-sse names an untyped event "message"; we leave it "" (both mean: not "error").
    events = EventSource(response).iter_sse()
    return [("" if e.event == "message" else e.event, e.data) for e in events if e.data]


def _ours(body: bytes, cuts: list[int]) -> list[tuple[str, str]]:
    decoder = SSEDecoder()
    out: list[tuple[str, str]] = []
    start = 0
    for cut in [*sorted(c % (len(body) + 1) for c in cuts), len(body)]:
        out.extend(decoder.feed(body[start:cut]))
        start = max(start, cut)
    return [(e, d) for e, d in out if d]


_line = st.one_of(
    st.builds(lambda v: b"data: " + v, st.sampled_from([b"{}", b'{"a": 1}', b"[DONE]", b"x y"])),
    st.builds(lambda v: b"data:" + v, st.sampled_from([b"", b"no-space", b"  two"])),
    st.just(b"data"),
    st.builds(lambda v: b"event: " + v, st.sampled_from([b"error", b"ping", b""])),
    st.just(b": keep-alive"),
    st.just(b"id: 7"),
    st.just(b"retry: 10"),
    st.just(b"unknown: field"),
    st.just("data: naïve 東京".encode()),
    st.just(b""),
)
_eol = st.sampled_from([b"\n", b"\r\n", b"\r"])


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(st.tuples(_line, _eol), max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
)
def test_matches_httpx_sse(lines: list[tuple[bytes, bytes]], cuts: list[int]) -> None:
    body = b"".join(line + eol for line, eol in lines)
    assert _ours(body, cuts) == _reference(body)


def test_crlf_split_between_reads() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == [("", "a")]  # CR ends the blank line at once
    assert decoder.feed(b"\ndata: b\r\r") == [("", "b")]  # that LF was the CR's pair


def test_multibyte_character_split_between_reads() -> None:
    raw = "data: 東京\n\n".encode()
    decoder = SSEDecoder()
    assert decoder.feed(raw[:8]) == []
    assert decoder.feed(raw[8:]) == [("", "東京")]


def test_bom_is_skipped_even_when_split() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef") == []
    assert decoder.feed(b"\xbb\xbfdata: x\n\n") == [("", "x")]


def test_one_batch_per_read_and_partial_tail_dropped() -> None:
    class Chunks(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b"data: 1\n\ndata: 2\n\nda"
            yield b"ta: 3\n\n"
            yield b"data: partial"

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunks())
    assert list(EventStream(response)) == [[("", "1"), ("", "2")], [("", "3")]]


@pytest.mark.parametrize("ctype", ["application/json", ""])
def test_non_sse_body_is_one_event(ctype: str) -> None:
    response = httpx.Response(200, headers={"content-type": ctype}, content=b'{"id": "x"}')
    assert list(EventStream(response)) == [[("", '{"id": "x"}')]]
