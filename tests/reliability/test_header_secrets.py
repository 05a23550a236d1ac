"""Credentials in headers, query, proxy and bad keys never show (issue 15, defect 5).

``docs/providers/azure.md`` recommends a bearer token in ``default_headers``; gateways take
keys in ``default_query``. These used to be printed by repr, str, ``model_dump``, ``dumps``
and every tracer's ``Run.serialized``; the proxy password by ``model_dump``; the key by a
pydantic error's ``input_value``; a key with a line break by httpcore's DEBUG log. The
values are shaped unlike any provider key, so pattern masking cannot be what hides them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.schemas import Run
from pydantic import SecretStr, ValidationError

from langchain_compat_chat import ChatCompatModel, HttpCapture
from langchain_compat_chat._secrets import is_secret_header, is_secret_param
from langchain_compat_chat.testing import ReferenceServer
from tests.reliability._support import API_KEY

TOKEN = "hdr-Tok-51c0ffee9a7b"
QUERY_KEY = "qry-Key-8d2e44b1c3a9"
SUB_KEY = "sub-Key-0be7f4a1d2c6"
PROXY_PW = "prx-Pw-7a1b2c3d4e5f"
BASE = "http://127.0.0.1:9/v1"
SECRETS = (TOKEN, QUERY_KEY, SUB_KEY, PROXY_PW, API_KEY)


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret[:8]}... leaked in: {text[:400]}"


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model="ref-model",
        base_url=srv.base_url,
        default_headers={
            "Authorization": f"Bearer {TOKEN}",  # as docs/providers/azure.md shows
            "Ocp-Apim-Subscription-Key": SUB_KEY,
            "X-Trace-Id": "visible-1",
        },
        default_query={"api-version": "2024-10-21", "key": QUERY_KEY},
        max_retries=0,
        **kw,
    )


class _Tracer(BaseTracer):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []

    def _persist_run(self, run: Run) -> None:
        self.runs.append(run.model_dump_json())

    def _end_trace(self, run: Run) -> None:
        super()._end_trace(run)
        self.runs.append(json.dumps(run.serialized) + run.model_dump_json())


def test_header_and_query_credentials_are_masked_everywhere_shown(
    compat_server: ReferenceServer,
) -> None:
    model = _model(compat_server, proxy=f"http://bob:{PROXY_PW}@127.0.0.1:9")
    shown = {
        "repr": repr(model),
        "str": str(model),
        "model_dump": json.dumps(model.model_dump(), default=str),
        "model_dump_json": model.model_dump_json(),
        "dumps": dumps(model),
        "dumpd": json.dumps(dumpd(model)),
        "invocation_params": json.dumps(model._get_invocation_params(), default=str),
    }
    for where, text in shown.items():
        if where != "invocation_params":  # that one lists request parameters only
            assert "visible-1" in text and "2024-10-21" in text, where  # masked, not dropped
        try:
            _assert_clean(text)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from None
    # The model itself keeps the real values (it must send them).
    assert model.default_headers is not None and TOKEN in model.default_headers["Authorization"]


def test_traced_runs_show_no_header_secret(compat_server: ReferenceServer) -> None:
    model = _model(compat_server)
    tracer = _Tracer()
    assert model.invoke("hi", config={"callbacks": [tracer]}).text
    assert "".join(c.text for c in model.stream("hi", config={"callbacks": [tracer]}))
    assert tracer.runs
    _assert_clean("\n".join(tracer.runs))
    # ... and the credentials did reach the server.
    last = compat_server.chat_requests[-1]
    assert last.headers["authorization"] == f"Bearer {TOKEN}"


def test_debug_capture_masks_the_same_names(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    assert _model(compat_server, debug_capture=capture).invoke("hi").text
    _assert_clean(json.dumps(capture.records))


def test_one_rule_for_secret_names() -> None:
    # The transport and the capture used to disagree (x-goog-api-key vs cookie).
    for name in ("x-goog-api-key", "Cookie", "Authorization", "api-key", "X-Auth-Token"):
        assert is_secret_header(name), name
    for name in ("key", "api_key", "sig", "access_token", "code"):
        assert is_secret_param(name), name
    assert not is_secret_param("api-version") and not is_secret_header("x-request-id")


def test_validation_errors_never_show_the_key() -> None:
    for bad in (
        {"temperature": "hot"},
        {"unknown_field": 1},
        {"base_url": f"ftp://bob:{PROXY_PW}@nowhere"},
        {"proxy": f"http://bob:{PROXY_PW}@127.0.0.1:9", "max_retries": -1},
        {"default_headers": {"Authorization": f"Bearer {TOKEN}"}, "timeout": "slow"},
        {"n": 2, "streaming": True},
    ):
        with pytest.raises(ValidationError) as info:
            ChatCompatModel(**{"model": "m", "base_url": BASE, "api_key": API_KEY, **bad})
        text = str(info.value) + repr(info.value) + json.dumps(info.value.errors(), default=str)
        _assert_clean(text)  # before: 'api_key': '<the key>' in input_value


def test_key_with_an_inner_line_break_is_refused_without_showing_it(
    compat_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    broken = API_KEY[:8] + "\n" + API_KEY[8:]
    with pytest.raises(ValidationError) as info:
        ChatCompatModel(model="m", base_url=compat_server.base_url, api_key=broken)
    assert "api_key contains a line break" in str(info.value)
    for part in (API_KEY[:8], API_KEY[8:]):
        assert part not in str(info.value)
    # A copy skips validation: the transport checks again before the key is a header.
    model = ChatCompatModel(model="m", base_url=compat_server.base_url, max_retries=0)
    with pytest.raises(ValueError, match="api_key contains a line break"):
        model.model_copy(update={"api_key": SecretStr(broken)}).invoke("hi")
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    for part in (API_KEY[:8], API_KEY[8:]):
        assert part not in logged  # before: httpcore logged LocalProtocolError with the key
    assert not compat_server.chat_requests
