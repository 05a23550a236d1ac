"""Faults that break the wire format: HTTP-date Retry-After, errors with status 200, bytes that
are not UTF-8, oversized answers; and the server's count of open connections."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable

import httpx
import pytest
from _helpers import USER, chat, error_of, parse_sse

from langchain_compat_chat.testing import Fault, ReferenceServer, header_value, parse_fault


def test_retry_after_as_http_date(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=3, retry_after_date=True))
    before = time.time()
    resp = chat(client)
    assert resp.status_code == 429
    when = email.utils.parsedate_to_datetime(resp.headers["retry-after"]).timestamp()
    assert before + 3 <= when <= time.time() + 4  # rounded up to whole seconds, never down
    assert "retry-after-ms" not in resp.headers


def test_new_fault_fields_round_trip_through_the_header() -> None:
    fault = Fault(
        status=503,
        retry_after_s=2,
        retry_after_date=True,
        error_with_200=True,
        invalid_utf8=True,
        oversize_bytes=1234,
    )
    assert parse_fault(header_value(fault)) == fault


@pytest.mark.parametrize("stream", [False, True])
def test_error_with_status_200(
    client: httpx.Client, compat_server: ReferenceServer, stream: bool
) -> None:
    compat_server.enqueue_fault(Fault(status=503, error_with_200=True, error_message="upstream"))
    resp = chat(client, stream=stream)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    err = error_of(resp)
    assert err["message"] == "upstream" and err["type"] == "server_error"


def test_error_with_status_200_defaults_to_a_server_error(client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER},
        headers={"x-compat-fault": "error_with_200"},
    )
    assert resp.status_code == 200 and error_of(resp)["type"] == "server_error"


def test_invalid_utf8_in_json_answer(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(invalid_utf8=True))
    resp = chat(client)
    assert resp.status_code == 200
    with pytest.raises(UnicodeDecodeError):
        resp.content.decode("utf-8")
    # Only the text is damaged: decoded leniently, the answer is still a completion.
    body = json.loads(resp.content.decode("utf-8", errors="replace"))
    assert body["choices"][0]["message"]["content"].startswith("\ufffd(")


def test_invalid_utf8_in_second_stream_event(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    compat_server.enqueue_fault(Fault(invalid_utf8=True))
    resp = chat(client, stream=True)
    events = resp.content.split(b"\n\n")
    events[0].decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        events[1].decode("utf-8")
    for event in events[2:]:
        event.decode("utf-8")


def test_oversize_json_answer(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(oversize_bytes=300_000))
    resp = chat(client)
    assert len(resp.content) > 300_000
    body = resp.json()
    assert len(body["padding"]) == 300_000 and body["choices"][0]["message"]["content"]


def test_oversize_first_stream_event(client: httpx.Client, compat_server: ReferenceServer) -> None:
    compat_server.enqueue_fault(Fault(oversize_bytes=200_000))
    items = parse_sse(chat(client, stream=True).text)
    assert len(items[0]["padding"]) == 200_000
    assert "padding" not in items[1] and items[-1] == "[DONE]"


def _wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_open_connections_counts_live_sockets(
    compat_server_factory: Callable[..., ReferenceServer],
) -> None:
    srv = compat_server_factory()
    assert srv.open_connections == 0
    clients = [httpx.Client(base_url=srv.base_url) for _ in range(3)]
    for c in clients:
        assert c.get("/health").status_code == 200  # kept alive by each client's pool
    assert srv.open_connections == 3
    for c in clients:
        c.close()
    assert _wait_for(lambda: srv.open_connections == 0)


def test_malformed_stream_breaks_the_second_chunk_and_keeps_done(
    client: httpx.Client, compat_server: ReferenceServer
) -> None:
    clean = chat(client, stream=True).content.split(b"\n\n")
    compat_server.enqueue_fault(Fault(malformed_json=True))
    events = chat(client, stream=True).content.split(b"\n\n")
    assert len(events) == len(clean)
    chunk_id = json.loads(events[0].removeprefix(b"data: "))["id"]
    assert events[1] == b'data: {"id":"' + chunk_id.encode() + b'","choi'
    assert events[-2:] == [b"data: [DONE]", b""]
