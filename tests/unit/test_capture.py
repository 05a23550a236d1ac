"""HttpCapture without sockets: serialization, redaction rules, limits, file handling."""

from __future__ import annotations

import copy
import gzip
import json
import warnings
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd

from langchain_compat_chat import APIConnectionError, APIError, ChatCompatModel, HttpCapture
from langchain_compat_chat._http.capture import _decoded
from langchain_compat_chat._secrets import is_secret_header as _is_secret_header
from langchain_compat_chat._secrets import is_secret_param as _is_secret_param

KEY = "sk-unit-Qm7RzSECRET000111"
BASE = "http://127.0.0.1:9/v1"


def _reply(request: httpx.Request) -> httpx.Response:
    body = {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
    }
    return httpx.Response(200, json=body)


def _model(capture: Any, handler: Any = _reply, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model="m",
        base_url=BASE,
        api_key=KEY,
        debug_capture=capture,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        **kw,
    )


def test_dumpd_leaves_the_capture_out(tmp_path: Path) -> None:
    plain = ChatCompatModel(model="m", base_url=BASE)
    for capture in (HttpCapture(), str(tmp_path / "x.jsonl"), tmp_path / "y.jsonl"):
        captured = ChatCompatModel(model="m", base_url=BASE, debug_capture=capture)
        assert dumpd(captured) == dumpd(plain)
        assert "debug_capture" not in captured.model_dump()


def test_paths_and_the_env_var_become_captures_at_construction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, debug_capture=str(tmp_path / "a.jsonl"))
    assert isinstance(model.debug_capture, HttpCapture)
    assert model.debug_capture.path == tmp_path / "a.jsonl"
    assert ChatCompatModel(model="m", base_url=BASE).debug_capture is None
    monkeypatch.setenv("COMPAT_DEBUG_CAPTURE", str(tmp_path / "env.jsonl"))
    from_env = ChatCompatModel(model="m", base_url=BASE)
    assert isinstance(from_env.debug_capture, HttpCapture)
    assert from_env.debug_capture.path == tmp_path / "env.jsonl"


def test_copies_of_a_model_share_its_capture() -> None:
    capture = HttpCapture()
    model = ChatCompatModel(model="m", base_url=BASE, debug_capture=capture)
    assert model.model_copy(deep=True).debug_capture is capture
    assert copy.deepcopy(capture) is capture and copy.copy(capture) is capture


def test_users_own_client_is_captured_and_error_text_is_scrubbed() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url} with key {KEY}")

    capture = HttpCapture()
    model = _model(capture, refuse, max_retries=0, default_query={"api_key": KEY})
    with pytest.raises(APIConnectionError):
        model.invoke("x")
    [record] = capture.records
    assert record["response"] is None
    assert record["error"].startswith("ConnectError: cannot reach http://127.0.0.1:9/v1/")
    assert KEY not in json.dumps(record) and "[REDACTED]" in record["error"]
    assert record["request"]["url"].endswith("?api_key=[REDACTED]")


def test_extra_redactions_and_memory_limits() -> None:
    capture = HttpCapture(max_records=2, redact=["project-x"])
    model = _model(capture)
    for _ in range(3):
        model.invoke("about project-x")
    assert len(capture) == 2 and [r["seq"] for r in capture.records] == [2, 3]
    assert "project-x" not in json.dumps(capture.records)
    assert repr(capture) == "HttpCapture(records=2)"
    capture.clear()
    assert capture.records == [] and len(capture) == 0


def test_file_capture_can_also_keep_records(tmp_path: Path) -> None:
    path = tmp_path / "both.jsonl"
    capture = HttpCapture(path, keep_in_memory=True)
    _model(capture).invoke("x")
    line = json.loads(path.read_text(encoding="utf-8"))
    assert capture.records == [line]
    assert repr(capture) == f"HttpCapture(path={str(path)!r}, records=1)"


def test_unusable_path_fails_at_once(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        HttpCapture(tmp_path / "missing-dir" / "x.jsonl")
    with pytest.raises(OSError):
        ChatCompatModel(model="m", base_url=BASE, debug_capture=tmp_path / "no" / "x.jsonl")
    with pytest.raises(ValueError):
        HttpCapture(max_body_bytes=-1)


def test_write_failure_warns_once_and_never_fails_the_request(tmp_path: Path) -> None:
    path = tmp_path / "gone.jsonl"
    capture = HttpCapture(path)
    path.unlink()
    path.mkdir()  # now a directory: appending fails
    model = _model(capture)
    with pytest.warns(UserWarning, match="HTTP capture"):
        assert model.invoke("x").text == "ok"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.invoke("x").text == "ok"


def test_secret_header_and_param_names() -> None:
    for name in (
        "Authorization",
        "proxy-authorization",
        "api-key",
        "X-API-Key",
        "cookie",
        "Set-Cookie",
        "x-goog-api-key",
        "x-auth-token",
        "apikey",
        "x-client-secret",
    ):
        assert _is_secret_header(name), name
    for name in (
        "content-type",
        "x-ratelimit-remaining-tokens",
        "x-request-id",
        "keep-alive",
        "openai-processing-ms",
    ):
        assert not _is_secret_header(name), name
    for name in ("key", "api_key", "api-key", "access_token", "sig", "client_secret"):
        assert _is_secret_param(name), name
    for name in ("api-version", "model", "monkey"):
        assert not _is_secret_param(name), name


def test_decoding_of_captured_streams() -> None:
    text = b"data: {}\n\ndata: [DONE]\n\n"
    assert _decoded(gzip.compress(text), "gzip") == text
    assert _decoded(zlib.compress(text), "deflate") == text
    raw = zlib.compressobj(wbits=-15)
    assert _decoded(raw.compress(text) + raw.flush(), "deflate") == text
    assert _decoded(gzip.compress(text)[:-8], "gzip") == text  # cut before the trailer
    assert _decoded(text, "") == text and _decoded(text, "identity") == text
    assert _decoded(b"\x01\x02", "br") == b"[2 bytes of br-encoded data, not decoded]"


def test_auth_added_by_the_users_client_is_scrubbed_too() -> None:
    token = "client-auth-token-XYZ987"

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text=f'{{"error": "bad {token}"}}')

    capture = HttpCapture()
    client = httpx.Client(transport=httpx.MockTransport(echo), auth=httpx.BasicAuth("u", token))
    model = ChatCompatModel(
        model="m", base_url=BASE, http_client=client, max_retries=0, debug_capture=capture
    )
    with pytest.raises(APIError):
        model.invoke("x")
    [record] = capture.records
    assert record["request"]["headers"]["authorization"] == "[REDACTED]"
    assert token not in json.dumps(record)
    # The user name is no secret and is left alone (else every "u" would be blotted out).
    assert record["request"]["url"] == f"{BASE}/chat/completions"
