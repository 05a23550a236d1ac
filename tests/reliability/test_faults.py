"""The fault matrix: every broken answer ends in our typed error, carrying what the server said.

Each fault is tried through every call style it applies to (``invoke``, ``ainvoke``, ``stream``,
``astream``). A fault passes when the call raises the expected type from our taxonomy (so
``except CompatChatError`` and LangChain's own ``ModelError`` classes both catch it), the error
shows the server's words or bytes (truncated), the request id comes with it, and it is raised
well within the timeout instead of hanging.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.exceptions import ModelError

from langchain_compat_chat import (
    APIConnectionError,
    APIError,
    CompatChatError,
    EmptyStreamError,
    MalformedResponseError,
    ProviderError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import MODES, TALLY, make_model, run

STREAMS = ("stream", "astream")
JSON = ("invoke", "ainvoke")


@dataclass(frozen=True)
class Case:
    """One fault and what each call style must turn it into.

    Attributes:
        fault: Injected into the next answer (or ``script`` is queued instead).
        expect: Error type per call style; styles not listed are not applicable.
        said: Text of the server's answer that the error must show (message or body).
        script: An exact answer to queue instead of a fault.

    """

    fault: Fault | None
    expect: dict[str, type[CompatChatError]]
    said: str
    script: dict[str, Any] = field(default_factory=dict)


def _all(kind: type[CompatChatError]) -> dict[str, type[CompatChatError]]:
    return dict.fromkeys(MODES, kind)


CASES: dict[str, Case] = {
    "dropped connection mid-answer": Case(
        Fault(disconnect_after_chunks=3),
        {
            **dict.fromkeys(STREAMS, StreamInterruptedError),
            **dict.fromkeys(JSON, APIConnectionError),
        },
        said="chatcmpl-",  # the first bytes that did arrive
    ),
    "truncated JSON line": Case(
        Fault(malformed_json=True), _all(MalformedResponseError), said='"choi'
    ),
    "error event in the stream": Case(
        Fault(stream_error_after_chunks=2, status=500, error_message="Model overloaded now"),
        {**dict.fromkeys(STREAMS, ProviderError), **dict.fromkeys(JSON, APIError)},
        said="Model overloaded now",
    ),
    "HTML error page": Case(
        Fault(status=502, html_error=True), _all(APIError), said="<center>nginx</center>"
    ),
    "HTTP 200 with an error body": Case(
        Fault(status=503, error_with_200=True, error_message="upstream exploded"),
        _all(ProviderError),
        said="upstream exploded",
    ),
    "invalid UTF-8": Case(Fault(invalid_utf8=True), _all(MalformedResponseError), said="\ufffd("),
    # A JSON answer declares its Content-Length and is refused on it, before a byte of the
    # body is read (issue 15): the message, not a body head, is what it can show.
    "body over the size limit": Case(
        Fault(oversize_bytes=400_000),
        _all(ResponseTooLargeError),
        said="max_response_bytes=200,000",
    ),
    "stream cut at a clean end of body": Case(
        None,
        dict.fromkeys(STREAMS, StreamInterruptedError),
        said="partial",
        script={
            "sse": [{"id": "c1", "choices": [{"index": 0, "delta": {"content": "partial"}}]}],
            "done": False,
        },
    ),
    "unfinished last event": Case(
        None,
        dict.fromkeys(STREAMS, StreamInterruptedError),
        said="c2",
        script={
            "sse": [
                {"id": "c2", "choices": [{"index": 0, "delta": {"content": "a"}}]},
                'data: {"id":"c2","choices":[{"index":0,"delta":{"content":"b',
            ],
            "done": False,
        },
    ),
    "empty 200 body": Case(
        None,
        {
            **dict.fromkeys(JSON, MalformedResponseError),
            # The server's answer, not a broken connection: final (issue 15, defect 8).
            **dict.fromkeys(STREAMS, EmptyStreamError),
        },
        said="",
        script={"raw": b""},
    ),
    "plain-text 200 body": Case(
        None,
        _all(MalformedResponseError),
        said="Internal failure",
        script={"raw": "Internal failure, try later", "content_type": "text/plain"},
    ),
    "JSON that is not a completion": Case(
        None,
        {
            **dict.fromkeys(JSON, MalformedResponseError),
            **dict.fromkeys(STREAMS, MalformedResponseError),
        },
        said="[1, 2, 3]",
        script={"raw": "[1, 2, 3]"},
    ),
    "choices of the wrong shape": Case(
        None,
        _all(MalformedResponseError),
        said="not-a-list",
        script={"json_body": {"id": "x", "choices": {"0": "not-a-list"}}},
    ),
}

MATRIX = [
    pytest.param(name, mode, id=f"{name}-{mode}")
    for name, case in CASES.items()
    for mode in MODES
    if mode in case.expect
]


@pytest.mark.parametrize(("name", "mode"), MATRIX)
def test_fault_ends_in_a_typed_error(compat_server: ReferenceServer, name: str, mode: str) -> None:
    case = CASES[name]
    if case.fault is not None:
        compat_server.set_fault(case.fault)
    else:
        compat_server.enqueue(**case.script)
    model = make_model(compat_server, max_retries=0, timeout=5, max_response_bytes=200_000)
    started = time.monotonic()
    with pytest.raises(CompatChatError) as info:
        run(mode, model)
    elapsed = time.monotonic() - started
    TALLY["faults"] += 1
    err = info.value
    assert type(err) is case.expect[mode], f"{type(err).__name__}: {err}"
    assert isinstance(err, ModelError)  # LangChain's taxonomy catches it too
    assert elapsed < 4.0
    shown = f"{err.message}\n{err.body or ''}"
    assert case.said in shown, shown
    assert len(err.body or "") <= 2000 + len("...[truncated]")
    assert err.request_id, "the server's request id is lost"


@pytest.mark.parametrize("mode", MODES)
def test_size_limit_allows_answers_below_it(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.set_fault(Fault(oversize_bytes=100_000))
    assert run(mode, make_model(compat_server, max_response_bytes=200_000)).text


def test_huge_error_page_is_cut_not_refused(compat_server: ReferenceServer) -> None:
    page = "<html>" + "x" * 3_000_000 + "</html>"
    compat_server.enqueue(raw=page, status=503, content_type="text/html")
    with pytest.raises(APIError) as info:
        make_model(compat_server, max_retries=0, max_response_bytes=1_000).invoke("hi")
    assert type(info.value) is APIError and info.value.status_code == 503
    assert (info.value.body or "").startswith("<html>xxx")
