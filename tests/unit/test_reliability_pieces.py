"""Pure pieces behind the reliability guarantees (the socket-level proof: tests/reliability)."""

from __future__ import annotations

import email.utils
import pickle
import time

import httpx
import pytest

from langchain_compat_chat._http.call import Body as _Body
from langchain_compat_chat._http.deadline import Deadline
from langchain_compat_chat._http.retry import parse_retry_after
from langchain_compat_chat._http.sse import SSEDecoder
from langchain_compat_chat._secrets import basic_auth_header, split_credentials
from langchain_compat_chat._wire.boundary import parse_boundary
from langchain_compat_chat.errors import (
    APIError,
    APITimeoutError,
    MalformedResponseError,
    ResponseTooLargeError,
    redact,
    register_secret,
)


def test_split_credentials_decodes_and_strips() -> None:
    assert split_credentials("https://u%40corp:p%3Aw@host:8443/v1?x=1") == (
        "https://host:8443/v1?x=1",
        "u@corp:p:w",
    )
    assert split_credentials("http://host/v1") == ("http://host/v1", None)
    assert basic_auth_header("u:p") == "Basic dTpw"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": "-3"}, None),  # not a wait: backoff instead (issue 15)
        ({"retry-after": "NaN"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after-ms": "-1", "retry-after": "2"}, 2.0),
        ({"retry-after": email.utils.formatdate(1_000_030, usegmt=True)}, 30.0),
        ({"retry-after": email.utils.formatdate(999_000, usegmt=True)}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "x"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=1_000_000) == expected


def test_deadline_caps_every_phase() -> None:
    capped = Deadline(2.0).cap(httpx.Timeout(30.0, connect=1.0, pool=None))
    assert capped.connect == 1.0
    assert 1.9 < capped.read <= 2.0 and 1.9 < capped.write <= 2.0  # type: ignore[operator]
    assert capped.pool is not None and capped.pool <= 2.0
    late = Deadline(0.0)
    time.sleep(0.001)
    assert late.remaining() < 0 and late.cap(httpx.Timeout(5.0)).read == 0.001


def _response(status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "http://h/"))


def test_body_limit_refuses_a_success_and_keeps_its_head() -> None:
    body = _Body(_response(**{"x-request-id": "r1"}), 10, keep=True)
    assert body.add(b"0123456789")
    with pytest.raises(ResponseTooLargeError) as info:
        body.add(b"x")
    assert info.value.body == "0123456789x" and info.value.request_id == "r1"
    assert not info.value.is_retryable


def test_declared_oversize_is_refused_on_the_header() -> None:
    # Before a byte is read: a slow server cannot hold the call while it trickles a head.
    with pytest.raises(ResponseTooLargeError) as info:
        _Body(_response(**{"content-length": "10000000"}), 5_000_000, keep=True)
    assert "Content-Length: 10,000,000" in info.value.message and info.value.body is None


def test_error_body_is_cut_not_refused() -> None:
    body = _Body(_response(503), 10, keep=True)
    assert body.add(b"x" * 60_000)
    assert not body.add(b"y" * 10_000)  # stop reading: enough to say what the server said
    assert len(body.content()) == 64 * 1024


def test_sse_decoder_reports_invalid_utf8_with_the_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a": "ok"}\n\ndata: {"a": "\xff') == [("", '{"a": "ok"}')]
    with pytest.raises(MalformedResponseError) as info:
        decoder.feed(b'"}\n\n')
    assert "not UTF-8" in info.value.message and info.value.body == 'data: {"a": "\ufffd"}'


def test_last_error_is_self_unless_set_and_survives_pickling() -> None:
    cause = APIError("upstream busy", status_code=503)
    assert cause.last_error is cause
    timeout = APITimeoutError("deadline", attempts=3, last_error=cause)
    copy = pickle.loads(pickle.dumps(timeout))
    assert copy.attempts == 3 and copy.last_error.message == "upstream busy"
    cause.last_error = cause  # setting itself stores nothing: no reference cycle
    assert cause.__dict__["_last_error"] is None


def test_registered_secrets_are_masked_short_placeholders_are_not() -> None:
    register_secret("plain-Secret-value-42")
    register_secret("EMPTY")
    assert redact("key plain-Secret-value-42 and EMPTY") == "key *** and EMPTY"
    assert redact("see https://bob:hunter2@proxy:3128/x") == "see https://***@proxy:3128/x"
    assert APIError("echo plain-Secret-value-42").message == "echo ***"


def test_parse_boundary_turns_shape_errors_into_typed_ones() -> None:
    @parse_boundary
    def parse(data: object) -> int:
        return data["choices"][0]  # type: ignore[index,no-any-return]

    with pytest.raises(MalformedResponseError) as info:
        parse([1, 2])
    assert "TypeError" in info.value.message and info.value.body == "[1, 2]"
    assert isinstance(info.value.__cause__, TypeError)
    assert parse({"choices": [7]}) == 7
