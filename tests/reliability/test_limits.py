"""Limits that bound time, and answers that must not be retried (issue 15, defect 8).

Over real loopback sockets: a declared ``Content-Length`` over the limit is refused on the
header (not after a trickled head), a ``Retry-After`` that is no wait falls back to backoff,
a redirect is final, an empty 200 stream is the server's answer (not a broken connection),
and ``stream_idle_timeout`` is what its description says: a read timeout that any bytes
reset, keep-alive comments included.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import socket
import time

import pytest
from langchain_core.exceptions import ModelConnectionError

from langchain_compat_chat import (
    APITimeoutError,
    ChatCompatModel,
    EmptyStreamError,
    RedirectError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from langchain_compat_chat.chat_models import ChatCompatModel as _Model
from langchain_compat_chat.testing import ReferenceServer
from tests.reliability._raw_http import chunk, raw_server, sse_head
from tests.reliability._support import API_KEY, MODES, TALLY, make_model, run

# -- Content-Length over the limit ------------------------------------------------------------


def _trickle(conn: socket.socket) -> None:
    """Declare 10 MB, then send one byte every 5 ms for as long as the client reads."""
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
    conn.sendall(b"content-length: 10000000\r\n\r\n")
    for _ in range(4000):  # 20 s at most
        conn.sendall(b" ")
        time.sleep(0.005)


@pytest.mark.parametrize("mode", MODES)
def test_declared_oversize_is_refused_before_the_body(mode: str) -> None:
    # Before: the first 2,000 bytes were read first, 10.5 s at this pace.
    with raw_server(_trickle) as base:
        model = ChatCompatModel(
            model="m", base_url=base, api_key=API_KEY, max_retries=2, max_response_bytes=1_000_000
        )
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError) as info:
            run(mode, model)
        elapsed = time.monotonic() - started
    TALLY["faults"] += 1
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert "Content-Length: 10,000,000" in info.value.message
    assert info.value.attempts == 1  # never retried


# -- Retry-After that is no wait ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "NaN", "-Infinity"])
@pytest.mark.parametrize("mode", ["invoke", "astream"])
def test_invalid_retry_after_falls_back_to_backoff(
    compat_server: ReferenceServer, value: str, mode: str
) -> None:
    for _ in range(2):
        compat_server.enqueue(
            json_body={"error": {"message": "slow down", "type": "rate_limit"}},
            status=429,
            headers={"retry-after": value},
        )
    # Backoff 0.2 s, doubled, times a jitter of 0.5-1: waits of at least 0.1 s and 0.2 s.
    assert run(mode, make_model(compat_server, max_retries=2, backoff=0.2)).text
    TALLY["faults"] += 1
    times = [r.received_at for r in compat_server.chat_requests]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) == 2
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19, gaps  # before: both about 0 (immediate)


def test_retry_after_zero_is_still_honoured(compat_server: ReferenceServer) -> None:
    compat_server.enqueue(
        json_body={"error": {"message": "x"}}, status=429, headers={"retry-after": "0"}
    )
    started = time.monotonic()
    assert make_model(compat_server, max_retries=1, backoff=5.0).invoke("hi").text
    assert time.monotonic() - started < 2.0  # 0 is a wait ("now"), not a fallback


# -- redirects ---------------------------------------------------------------------------------

LOCATION_SECRET = "locsig-Secret-7781aa90"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("mode", MODES)
def test_redirects_are_final_and_say_where(
    compat_server: ReferenceServer, status: int, mode: str
) -> None:
    location = (
        f"https://u:{LOCATION_SECRET}@api.example.com/v1/chat/completions?sig={LOCATION_SECRET}"
    )
    compat_server.enqueue(raw=b"", status=status, headers={"location": location})
    with pytest.raises(RedirectError) as info:
        run(mode, make_model(compat_server, max_retries=3))
    TALLY["faults"] += 1
    err = info.value
    assert len(compat_server.chat_requests) == 1  # before: 4 attempts
    assert err.attempts == 1 and not err.is_retryable and err.status_code == status
    assert "api.example.com/v1/chat/completions" in err.message and "base_url" in err.message
    assert err.location is not None and "api.example.com" in err.location
    for text in (str(err), repr(err), err.location):
        assert LOCATION_SECRET not in text


# -- an empty 200 stream -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_empty_200_stream_is_a_final_typed_error(compat_server: ReferenceServer, mode: str) -> None:
    # llama-cpp-python on a prompt over n_ctx: 200 headers, then an empty body.
    compat_server.enqueue(sse=[], done=False)
    compat_server.enqueue(sse=[], done=False)
    with pytest.raises(EmptyStreamError) as info:
        run(mode, make_model(compat_server, max_retries=2))
    TALLY["faults"] += 1
    err = info.value
    assert not isinstance(err, (StreamInterruptedError, ModelConnectionError))  # before: both
    assert not err.is_retryable
    assert "context window" in err.message and "n_ctx" in err.message
    assert len(compat_server.chat_requests) == 1


def test_a_stream_cut_after_an_event_is_still_interrupted(compat_server: ReferenceServer) -> None:
    event = {"choices": [{"index": 0, "delta": {"content": "par"}}]}
    compat_server.enqueue(sse=[event], done=False)
    with pytest.raises(StreamInterruptedError):
        list(make_model(compat_server, max_retries=0).stream("hi"))


# -- stream_idle_timeout: what resets it ---------------------------------------------------------

_DELTA = b'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":null}]}\n\n'
_STOP = b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'


def _keepalives_then_answer(conn: socket.socket) -> None:
    """1.5 s of keep-alive comments (one every 0.25 s) before the first event."""
    conn.sendall(sse_head())
    for _ in range(6):
        conn.sendall(chunk(b": keep-alive\n\n"))
        time.sleep(0.25)
    conn.sendall(chunk(_DELTA) + chunk(_STOP) + chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")


def _silence(conn: socket.socket) -> None:
    conn.sendall(sse_head() + chunk(_DELTA))
    time.sleep(3.0)


def test_stream_idle_timeout_is_reset_by_any_bytes_keepalives_included() -> None:
    # Measured: with stream_idle_timeout=0.6, keep-alives every 0.25 s keep a stream alive
    # for 1.5 s without an event; 0.6 s of silence ends it after about 0.6 s.
    with raw_server(_keepalives_then_answer) as base:
        model = ChatCompatModel(model="m", base_url=base, stream_idle_timeout=0.6, max_retries=0)
        started = time.monotonic()
        assert "".join(c.text for c in model.stream("hi")) == "ok"
        assert time.monotonic() - started >= 1.4
    with raw_server(_silence) as base:
        model = ChatCompatModel(model="m", base_url=base, stream_idle_timeout=0.6, max_retries=0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            list(model.stream("hi"))
        assert 0.5 <= time.monotonic() - started < 2.0


def _field_doc(cls: type, name: str) -> str:
    """The attribute docstring under a field (what the API docs show as its description)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    for node, after in itertools.pairwise(body):
        target = getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == name:
            assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            return str(after.value.value)
    raise AssertionError(name)


def test_stream_idle_timeout_description_matches_the_behaviour() -> None:
    doc = " ".join(_field_doc(_Model, "stream_idle_timeout").split())
    assert "between two stream events" not in doc  # before: what it said, and not what it does
    assert "keep-alive" in doc and "any bytes reset it" in doc
