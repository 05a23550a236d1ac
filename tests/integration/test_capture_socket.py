"""HttpCapture over real sockets: every driver, retries, errors, cut streams, redaction."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from langchain_compat_chat import (
    APIConnectionError,
    AuthenticationError,
    ChatCompatModel,
    HttpCapture,
    InvalidRequestError,
    StreamInterruptedError,
)
from langchain_compat_chat._http.capture import CAPTURE_ENV
from langchain_compat_chat._http.session import Session as Transport
from langchain_compat_chat.testing import Fault, ReferenceServer

KEY = "sk-test-Zq8v3NmSECRETkey0123456789"
WRONG_KEY = "sk-wrong-Pp4KxWRONGkey98765"


def _model(srv: ReferenceServer, capture: Any, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="ref-model", base_url=srv.base_url, debug_capture=capture, **kw)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_invoke_records_the_exact_exchange(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    reply = _model(compat_server, capture, api_key=KEY).invoke("Hello")
    [record] = capture.records
    sent = compat_server.last_request
    assert sent is not None
    assert record["seq"] == 1 and record["stream"] is False and record["error"] is None
    request = record["request"]
    assert request["method"] == "POST"
    assert request["url"] == f"{compat_server.base_url}/chat/completions"
    assert request["body"] == sent.body.decode() and request["body_bytes"] == len(sent.body)
    assert request["headers"]["authorization"] == "[REDACTED]"
    assert request["headers"]["content-type"] == "application/json"
    response = record["response"]
    assert response["status"] == 200 and response["complete"] is True
    assert json.loads(response["body"])["choices"][0]["message"]["content"] == reply.text
    assert response["headers"]["content-type"].startswith("application/json")
    assert record["duration_s"] > 0 and record["time"].endswith("+00:00")


def test_stream_records_the_raw_sse_text(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    chunks = list(_model(compat_server, capture).stream("Hello"))
    [record] = capture.records
    response = record["response"]
    assert record["stream"] is True and response["complete"] is True
    assert response["headers"]["content-type"].startswith("text/event-stream")
    events = [e for e in response["body"].split("\n\n") if e]
    assert events[-1] == "data: [DONE]"
    content = "".join(
        (json.loads(e[6:])["choices"] or [{}])[0].get("delta", {}).get("content") or ""
        for e in events[:-1]
    )
    assert content == "".join(str(c.content) for c in chunks)
    assert response["body_bytes"] == len(response["body"].encode())


async def test_async_drivers_record_too(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    model = _model(compat_server, capture)
    await model.ainvoke("one")
    [c async for c in model.astream("two")]
    first, second = capture.records
    assert (first["stream"], second["stream"]) == (False, True)
    assert first["response"]["status"] == second["response"]["status"] == 200
    assert second["response"]["body"].endswith("data: [DONE]\n\n")
    assert json.loads(second["request"]["body"])["stream"] is True


@pytest.mark.parametrize("stream", [False, True])
def test_429_then_200_gives_two_records(compat_server: ReferenceServer, stream: bool) -> None:
    capture = HttpCapture()
    compat_server.enqueue_fault(Fault(status=429, retry_after_s=0, error_message="Slow down"))
    model = _model(compat_server, capture, max_retries=1)
    if stream:
        list(model.stream("x"))
    else:
        model.invoke("x")
    failed, retried = capture.records
    assert failed["seq"] + 1 == retried["seq"]
    assert failed["response"]["status"] == 429 and failed["response"]["complete"] is True
    assert json.loads(failed["response"]["body"])["error"]["message"] == "Slow down"
    assert failed["response"]["headers"]["retry-after"] == "0"
    assert retried["response"]["status"] == 200
    assert failed["request"]["body"] == retried["request"]["body"]


def test_error_response_is_recorded(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    model = _model(compat_server, capture, max_retries=0)
    with pytest.raises(InvalidRequestError):
        model.invoke("x", temperature=9.0)  # the server validates like the real API
    [record] = capture.records
    assert record["response"]["status"] == 400 and record["error"] is None
    assert "temperature" in json.loads(record["response"]["body"])["error"]["message"]


def test_abandoned_stream_keeps_what_arrived(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    compat_server.enqueue_fault(Fault(chunk_delay_s=0.2))
    stream = _model(compat_server, capture).stream("a long answer")
    for chunk in stream:
        if chunk.content:
            break
    stream.close()
    [record] = capture.records
    response = record["response"]
    assert response["complete"] is False and record["error"] is None
    assert response["body"].startswith("data: {") and "[DONE]" not in response["body"]
    assert str(chunk.content) in response["body"]


async def test_abandoned_async_stream(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    compat_server.enqueue_fault(Fault(chunk_delay_s=0.2))
    stream = _model(compat_server, capture).astream("a long answer")
    async for chunk in stream:
        if chunk.content:
            break
    await stream.aclose()
    # LangChain leaves the model's inner generator to the event loop's finaliser, so the
    # response (and with it the record) closes a few loop turns later.
    for _ in range(200):
        if capture.records:
            break
        await asyncio.sleep(0.01)
    [record] = capture.records
    assert record["response"]["complete"] is False
    assert "[DONE]" not in record["response"]["body"]


def test_stream_cut_by_the_server(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    compat_server.enqueue_fault(Fault(disconnect_after_chunks=3))
    with pytest.raises(StreamInterruptedError):
        list(_model(compat_server, capture, max_retries=0).stream("x"))
    [record] = capture.records
    assert record["response"]["status"] == 200 and record["response"]["complete"] is False
    assert record["error"] and "RemoteProtocolError" in record["error"]
    assert record["response"]["body"].count("data: ") == 3


def test_connection_refused_has_no_response(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    capture = HttpCapture(tmp_path / "c.jsonl")
    model = ChatCompatModel(
        model="m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, debug_capture=capture
    )
    with pytest.raises(APIConnectionError):
        model.invoke("x")
    records = _lines(tmp_path / "c.jsonl")
    assert len(records) == 2  # the attempt and its retry
    assert all(r["response"] is None and "ConnectError" in r["error"] for r in records)
    assert capture.records == []  # a file capture keeps nothing in memory by default


def test_gzip_stream_is_recorded_decoded(compat_server: ReferenceServer) -> None:
    text = (
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
        '"choices":[{"index":0,"delta":{"role":"assistant","content":"zipped"},'
        '"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    packed = gzip.compress(text.encode())
    compat_server.enqueue(
        raw=packed,
        content_type="text/event-stream",
        headers={"content-encoding": "gzip"},
    )
    capture = HttpCapture()
    chunks = list(_model(compat_server, capture).stream("x"))
    assert "".join(str(c.content) for c in chunks) == "zipped"
    response = capture.records[0]["response"]
    assert response["body"] == text and response["body_bytes"] == len(packed)


def test_body_cap(compat_server: ReferenceServer) -> None:
    capture = HttpCapture(max_body_bytes=64)
    list(_model(compat_server, capture).stream("x" * 500))
    [record] = capture.records
    for part in (record["request"], record["response"]):
        assert part["body_truncated"] is True
        assert len(part["body"].encode()) <= 64 < part["body_bytes"]


def test_redaction_across_a_whole_jsonl_file(
    compat_server_factory: Callable[..., ReferenceServer], tmp_path: Path
) -> None:
    path = tmp_path / "wire.jsonl"
    guarded = compat_server_factory(api_key=KEY)
    # The provider echoes the key back in the answer and sets a cookie.
    guarded.enqueue(
        json_body={
            "id": "c1",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": f"your key is {KEY}"},
                    "finish_reason": "stop",
                }
            ],
        },
        headers={"set-cookie": "session=cookie-secret-42; HttpOnly"},
    )
    model = ChatCompatModel(
        model="m",
        base_url=guarded.base_url,
        api_key=KEY,
        default_headers={"x-api-key": KEY, "cookie": "session=cookie-secret-42"},
        default_query={"key": KEY},
        debug_capture=path,
    )
    assert KEY in model.invoke(f"my key is {KEY}").text
    list(model.stream("again"))
    wrong = model.model_copy(update={"api_key": SecretStr(WRONG_KEY)})
    wrong._session = None
    with pytest.raises(AuthenticationError):
        wrong.invoke("x")  # 401 from the server, recorded too
    # base_url credentials go into a Basic auth header; both are hidden.
    open_server = compat_server_factory()
    port = open_server.port
    userinfo = ChatCompatModel(
        model="m", base_url=f"http://bob:pass-secret-7@127.0.0.1:{port}/v1", debug_capture=path
    )
    userinfo.invoke("hi")

    text = path.read_text(encoding="utf-8")
    records = _lines(path)
    assert len(records) == 4
    for secret in (KEY, WRONG_KEY, "Bearer", "Basic", "cookie-secret-42", "pass-secret-7"):
        assert secret not in text, secret
    assert text.count("[REDACTED]") >= 10
    first = records[0]
    assert first["request"]["headers"]["x-api-key"] == "[REDACTED]"
    assert first["request"]["headers"]["cookie"] == "[REDACTED]"
    assert first["response"]["headers"]["set-cookie"] == "[REDACTED]"
    assert first["request"]["url"].endswith("/chat/completions?key=[REDACTED]")
    assert "your key is [REDACTED]" in first["response"]["body"]
    assert "my key is [REDACTED]" in first["request"]["body"]
    # The model keeps URL credentials out of base_url: the URL sent has none to hide.
    assert records[3]["request"]["url"].startswith(f"http://127.0.0.1:{port}/")
    assert records[3]["request"]["headers"]["authorization"] == "[REDACTED]"


def test_env_var_captures_models_without_their_own(
    compat_server: ReferenceServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.jsonl"
    monkeypatch.setenv(CAPTURE_ENV, str(path))
    model = ChatCompatModel(model="m", base_url=compat_server.base_url)
    model.invoke("x")
    assert [r["response"]["status"] for r in _lines(path)] == [200]
    own = HttpCapture()
    _model(compat_server, own).invoke("x")  # its own capture wins over the env var
    assert len(own.records) == 1 and len(_lines(path)) == 1


def test_without_capture_the_plain_transport_is_used(compat_server: ReferenceServer) -> None:
    model = ChatCompatModel(model="m", base_url=compat_server.base_url)
    assert type(model._get_session()) is Transport


def test_concurrent_writers_share_one_file(compat_server: ReferenceServer, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    # Two captures on the same file, as two models configured separately would have.
    first = _model(compat_server, HttpCapture(path))
    second = _model(compat_server, str(path))

    def work(i: int) -> None:
        model = first if i % 2 else second
        for _ in range(5):
            if i % 3:
                model.invoke("x" * 200)
            else:
                list(model.stream("y" * 200))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(6)))

    async def gathered() -> None:
        await asyncio.gather(*(first.ainvoke("z") for _ in range(10)))

    asyncio.run(gathered())
    records = _lines(path)  # every line parses: no interleaved writes
    assert len(records) == 40
    assert all(r["response"]["status"] == 200 and r["response"]["complete"] for r in records)


async def test_model_listing_is_captured(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    model = _model(compat_server, capture)
    listed = model.list_models()
    await model.alist_models()
    first, second = capture.records
    for record in (first, second):
        assert record["request"]["method"] == "GET" and record["request"]["body"] == ""
        assert record["request"]["url"] == f"{compat_server.base_url}/models"
        assert record["response"]["status"] == 200
    ids = [m["id"] for m in json.loads(first["response"]["body"])["data"]]
    assert ids == [m.id for m in listed]
