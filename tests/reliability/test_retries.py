"""Retries over real sockets: which failures are retried, how long we wait, what the error says.

Waits are measured on the server's side (when each attempt arrived), so they show what the
client really did, not what it meant to do.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time

import pytest

from langchain_compat_chat import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ChatCompatModel,
    CompatChatError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    StreamInterruptedError,
)
from langchain_compat_chat._http.retry import RetryPolicy
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import API_KEY, MODES, TALLY, make_model, run


def _gaps(srv: ReferenceServer) -> list[float]:
    times = [r.received_at for r in srv.chat_requests]
    return [b - a for a, b in itertools.pairwise(times)]


# -- Retry-After -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_retry_after_seconds_is_honoured(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0.4))
    assert run(mode, make_model(compat_server, max_retries=1)).text
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 2
    assert 0.4 <= _gaps(compat_server)[0] < 2.0


@pytest.mark.parametrize("mode", ["invoke", "astream"])
def test_retry_after_ms_is_honoured_and_wins(compat_server: ReferenceServer, mode: str) -> None:
    # retry-after-ms is the precise value (OpenAI sends both); the seconds would be 5.
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=5, retry_after_ms=300))
    assert run(mode, make_model(compat_server, max_retries=1)).text
    TALLY["faults"] += 1
    assert 0.3 <= _gaps(compat_server)[0] < 2.0


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_retry_after_http_date_is_honoured(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.enqueue_fault(Fault(status=503, retry_after_s=1, retry_after_date=True))
    assert run(mode, make_model(compat_server, max_retries=1)).text
    TALLY["faults"] += 1
    # The date has one-second resolution and was rounded up by the server.
    assert 0.9 <= _gaps(compat_server)[0] < 3.0


@pytest.mark.parametrize("as_date", [False, True])
@pytest.mark.parametrize("mode", ["invoke", "astream"])
def test_retry_after_beyond_the_cap_is_raised_at_once(
    compat_server: ReferenceServer, mode: str, as_date: bool
) -> None:
    compat_server.set_fault(Fault(status=429, retry_after_s=120, retry_after_date=as_date))
    model = make_model(compat_server, max_retries=5, max_retry_wait=10)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        run(mode, model)
    TALLY["faults"] += 1
    assert time.monotonic() - started < 2.0  # did not sleep: the caller can reschedule
    assert info.value.retry_after is not None and 118 <= info.value.retry_after <= 121
    assert info.value.attempts == 1 and len(compat_server.chat_requests) == 1
    assert "Rate limit reached" in info.value.message


def test_retry_after_within_the_cap_is_slept(compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0.3))
    with pytest.raises(RateLimitError):
        make_model(compat_server, max_retries=1, max_retry_wait=0.2).invoke("hi")
    compat_server.reset()
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0.3))
    assert make_model(compat_server, max_retries=1, max_retry_wait=0.3).invoke("hi").text


# -- what is retried ---------------------------------------------------------------------------

RETRIED = [(408, APITimeoutError), (409, RateLimitError), (429, RateLimitError)] + [
    (status, APIError) for status in (500, 502, 503, 504)
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "kind"), RETRIED)
def test_transient_statuses_are_retried_until_success(
    compat_server: ReferenceServer, status: int, kind: type[Exception], mode: str
) -> None:
    compat_server.set_fault(Fault(status=status, times=2))
    assert run(mode, make_model(compat_server, max_retries=2)).text
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "kind"), RETRIED)
def test_give_up_reports_attempts_and_last_error(
    compat_server: ReferenceServer, status: int, kind: type[Exception], mode: str
) -> None:
    compat_server.set_fault(Fault(status=status, error_message=f"busy-{status}"))
    with pytest.raises(kind) as info:
        run(mode, make_model(compat_server, max_retries=2))
    TALLY["faults"] += 1
    err = info.value
    assert isinstance(err, CompatChatError)
    assert err.attempts == 3 and len(compat_server.chat_requests) == 3
    assert err.last_error is err  # the final attempt's own error, nothing hidden
    assert err.status_code == status and err.message == f"busy-{status}"
    assert err.request_id and "attempts=3" in str(err)


NEVER_RETRIED = [
    (400, InvalidRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (422, InvalidRequestError),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "kind"), NEVER_RETRIED)
def test_client_errors_are_never_retried(
    compat_server: ReferenceServer, status: int, kind: type[Exception], mode: str
) -> None:
    compat_server.set_fault(Fault(status=status, error_message=f"no-{status}"))
    with pytest.raises(kind) as info:
        run(mode, make_model(compat_server, max_retries=5))
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 1
    assert info.value.attempts == 1 and info.value.status_code == status  # type: ignore[attr-defined]
    assert info.value.message == f"no-{status}"  # type: ignore[attr-defined]


def test_backoff_is_exponential_with_jitter(compat_server: ReferenceServer) -> None:
    first_gaps = []
    for _ in range(3):
        compat_server.reset()
        compat_server.set_fault(Fault(status=503))
        with pytest.raises(APIError):
            make_model(compat_server, max_retries=2, backoff=0.2).invoke("hi")
        gaps = _gaps(compat_server)
        # Jitter keeps each wait in [50%, 100%] of 0.2 s, then 0.4 s (plus loopback time).
        assert 0.1 <= gaps[0] < 0.2 + 0.15
        assert 0.2 <= gaps[1] < 0.4 + 0.15
        first_gaps.append(gaps[0])
    TALLY["faults"] += 3
    assert len({round(g, 3) for g in first_gaps}) > 1  # not the same wait every time


def test_jitter_spreads_waits_over_half_to_full_backoff() -> None:
    policy = RetryPolicy(max_retries=5, initial_delay=1.0, max_delay=4.0)
    error = APIError("x", status_code=503)
    for attempt, nominal in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 4.0)]:
        waits = [policy.delay(attempt, error) for _ in range(400)]
        assert all(w is not None and nominal / 2 <= w <= nominal for w in waits)
        assert max(waits) - min(waits) > nominal / 4  # type: ignore[operator]
    assert policy.delay(6, error) is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_is_retried_then_raised(mode: str) -> None:
    model = ChatCompatModel(
        model="m", base_url=f"http://127.0.0.1:{_closed_port()}/v1", api_key=API_KEY, max_retries=2
    )
    transport = model._get_session()
    transport.retry = RetryPolicy(max_retries=2, initial_delay=0.05)
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as info:
        run(mode, model)
    TALLY["faults"] += 1
    assert info.value.attempts == 3
    assert time.monotonic() - started >= 0.05 * 0.5 + 0.1 * 0.5  # it did back off
    assert "Could not reach the server" in info.value.message


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_dropped_connection_before_the_answer_is_retried(
    compat_server: ReferenceServer, mode: str
) -> None:
    compat_server.set_fault(Fault(disconnect_after_chunks=0, times=1))
    assert run(mode, make_model(compat_server, max_retries=1)).text
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 2


# -- streams -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_no_retry_once_stream_content_reached_the_caller(
    compat_server: ReferenceServer, mode: str
) -> None:
    compat_server.set_fault(Fault(disconnect_after_chunks=3))
    model = make_model(compat_server, max_retries=3)
    received: list[str] = []

    async def consume() -> None:
        async for chunk in model.astream("hi"):
            received.append(chunk.text)

    with pytest.raises(StreamInterruptedError) as info:
        if mode == "stream":
            for chunk in model.stream("hi"):
                received.append(chunk.text)
        else:
            asyncio.run(consume())
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 1
    assert len(received) >= 2 and "".join(received)  # content did reach the caller
    assert info.value.attempts == 1 and info.value.request_id


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_stream_opening_is_retried(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.set_fault(Fault(status=502, times=1))
    assert run(mode, make_model(compat_server, max_retries=1)).text
    TALLY["faults"] += 1
    assert len(compat_server.chat_requests) == 2


# -- logging -----------------------------------------------------------------------------------


def test_one_debug_line_per_retry_without_secrets(
    compat_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="langchain_compat_chat")
    compat_server.set_fault(Fault(status=503, times=2, error_message=f"echo {API_KEY}"))
    assert make_model(compat_server, max_retries=2).invoke("hi").text
    lines = [r.getMessage() for r in caplog.records if r.name == "langchain_compat_chat"]
    assert len(lines) == 2
    assert "attempt 2 of 3" in lines[0] and "attempt 3 of 3" in lines[1]
    assert all("APIError" in line and "/chat/completions" in line for line in lines)
    assert API_KEY not in caplog.text and "echo ***" in lines[0]
