"""The API key and URL credentials never show: repr, dumps, errors, DEBUG logs, traces.

The key is deliberately shaped unlike any provider's (no ``sk-`` prefix), so the pattern-based
masking cannot be what hides it: the exact credentials the transport sends must be. The
server is made to echo every secret back (in error messages, bodies, stream events), as real
servers and header-reflecting proxies do.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import pickle
import socket
import traceback
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.schemas import Run

from langchain_compat_chat import (
    APIConnectionError,
    AuthenticationError,
    ChatCompatModel,
    CompatChatError,
    HttpCapture,
    MalformedResponseError,
)
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.reliability._support import API_KEY, TALLY

USER, PASSWORD = "alice", "pw-Sesame-91b7c2e4"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (API_KEY, PASSWORD, BASIC)
ECHO = (
    f"Invalid key {API_KEY}; headers seen: authorization: Bearer {API_KEY}, "
    f"Basic {BASIC}, url http://{USER}:{PASSWORD}@gateway/v1"
)


def _assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret {secret[:6]}... leaked in: {text[:300]}"


def _creds_model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    base = f"http://{USER}:{PASSWORD}@127.0.0.1:{srv.port}/v1"
    return ChatCompatModel(model="ref-model", base_url=base, api_key=API_KEY, **kw)


def _everything_shown(err: BaseException) -> str:
    parts = [str(err), repr(err), "".join(traceback.format_exception(err))]
    if isinstance(err, CompatChatError):
        parts += [err.message, err.body or "", str(pickle.loads(pickle.dumps(err)).__dict__)]
    return "\n".join(parts)


# -- the model object ----------------------------------------------------------------------------


def test_model_shows_no_secret(compat_server: ReferenceServer) -> None:
    model = _creds_model(compat_server, temperature=0.1)
    shown = [
        repr(model),
        str(model),
        dumps(model),
        json.dumps(dumpd(model)),
        model.model_dump_json(),
        json.dumps(model._identifying_params),
        json.dumps(model._get_ls_params()),
        str(model.base_url),
    ]
    for text in shown:
        _assert_clean(text)
    assert model.base_url == f"http://127.0.0.1:{compat_server.port}/v1"


def test_url_credentials_are_sent_as_basic_auth(compat_server: ReferenceServer) -> None:
    base = f"http://{USER}:{PASSWORD}@127.0.0.1:{compat_server.port}/v1"
    assert ChatCompatModel(model="m", base_url=base).invoke("hi").text
    last = compat_server.last_request
    assert last is not None and last.headers["authorization"] == f"Basic {BASIC}"
    # An explicit key wins over URL credentials.
    assert _creds_model(compat_server).invoke("hi").text
    last = compat_server.last_request
    assert last is not None and last.headers["authorization"] == f"Bearer {API_KEY}"


def test_key_read_from_a_file_with_a_newline_works(
    compat_server_factory: Any,
) -> None:
    srv: ReferenceServer = compat_server_factory(api_key=API_KEY)
    model = ChatCompatModel(model="m", base_url=srv.base_url, api_key=API_KEY + "\n")
    assert model.invoke("hi").text


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["invoke", "stream"])
def test_errors_echoing_secrets_are_masked(compat_server: ReferenceServer, mode: str) -> None:
    compat_server.enqueue(json_body={"error": {"message": ECHO, "type": "auth"}}, status=401)
    model = _creds_model(compat_server, max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        list(model.stream("hi")) if mode == "stream" else model.invoke("hi")
    TALLY["faults"] += 1
    _assert_clean(_everything_shown(info.value))
    assert "Invalid key ***" in info.value.message  # masked, not dropped


def test_error_event_and_200_error_body_echoing_secrets(compat_server: ReferenceServer) -> None:
    model = _creds_model(compat_server, max_retries=0)
    compat_server.enqueue(sse=[{"error": {"message": ECHO}}])
    with pytest.raises(CompatChatError) as streamed:
        list(model.stream("hi"))
    compat_server.enqueue(json_body={"error": {"message": ECHO}})
    with pytest.raises(CompatChatError) as invoked:
        model.invoke("hi")
    compat_server.enqueue(raw=f"<html>{ECHO}</html>", content_type="text/html")
    with pytest.raises(MalformedResponseError) as garbled:
        model.invoke("hi")
    TALLY["faults"] += 3
    for err in (streamed.value, invoked.value, garbled.value):
        _assert_clean(_everything_shown(err))


def test_connection_error_for_a_url_with_credentials() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/v1"
    model = ChatCompatModel(model="m", base_url=base, api_key=API_KEY, max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        model.invoke("hi")
    _assert_clean(_everything_shown(info.value))
    with pytest.raises(ValueError) as bad:
        ChatCompatModel(model="m", base_url=f"ftp://{USER}:{PASSWORD}@host/v1")
    _assert_clean(str(bad.value))


# -- logs ----------------------------------------------------------------------------------------


def test_debug_logs_of_every_library_show_no_secret(
    compat_server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # root: ours, httpx, httpcore, asyncio, langchain
    for name in ("httpx", "httpcore", "langchain_compat_chat"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    model = _creds_model(compat_server, max_retries=2)
    transport = model._get_session()
    transport.retry = dataclasses.replace(transport.retry, initial_delay=0.01)
    compat_server.set_fault(Fault(status=503, times=1, error_message=ECHO))
    assert model.invoke("hi").text
    assert "".join(c.text for c in model.stream("hi"))
    assert asyncio.run(model.ainvoke("hi")).text
    compat_server.enqueue(json_body={"error": {"message": ECHO}}, status=400)
    with pytest.raises(CompatChatError):
        model.invoke("hi")
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    assert "HTTP Request: POST" in logged and "send_request_headers" in logged  # captured
    assert "Retrying POST" in logged
    _assert_clean(logged)


# -- traces ----------------------------------------------------------------------------------------


class _Recorder(BaseCallbackHandler):
    """Keeps every callback payload, as a tracing backend would receive it."""

    def __init__(self) -> None:
        self.payloads: list[str] = []

    def _keep(self, *args: Any, **kwargs: Any) -> None:
        self.payloads.append(json.dumps([args, kwargs], default=repr))

    on_chat_model_start = on_llm_new_token = on_llm_end = on_llm_error = _keep  # type: ignore[assignment]
    on_chain_start = on_chain_end = on_chain_error = _keep  # type: ignore[assignment]


class _Tracer(BaseTracer):
    """A tracer that keeps finished runs (what LangSmith would upload)."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []

    def _persist_run(self, run: Run) -> None:
        self.runs.append(run.model_dump_json())

    def _end_trace(self, run: Run) -> None:
        super()._end_trace(run)
        self.runs.append(run.model_dump_json())


async def test_traces_and_callbacks_show_no_secret(compat_server: ReferenceServer) -> None:
    model = _creds_model(compat_server, max_retries=0)
    recorder, tracer = _Recorder(), _Tracer()
    config: Any = {"callbacks": [recorder, tracer], "metadata": {"app": "x"}}
    events = [e async for e in model.astream_events("hi", version="v2", config=config)]
    await model.ainvoke("hi", config=config)
    compat_server.enqueue(json_body={"error": {"message": ECHO}}, status=401)
    with pytest.raises(AuthenticationError):
        await model.ainvoke("hi", config=config)
    assert events and recorder.payloads and tracer.runs
    _assert_clean(json.dumps(events, default=repr))
    _assert_clean("\n".join(recorder.payloads))
    _assert_clean("\n".join(tracer.runs))
    assert any("Invalid key ***" in run for run in tracer.runs)  # the error was traced


# -- debug captures ------------------------------------------------------------------------------


def test_debug_capture_shows_no_secret(compat_server: ReferenceServer) -> None:
    capture = HttpCapture()
    model = _creds_model(compat_server, max_retries=1, debug_capture=capture)
    transport = model._get_session()
    transport.retry = dataclasses.replace(transport.retry, initial_delay=0.01)
    compat_server.set_fault(Fault(status=503, times=1, error_message=ECHO))
    assert model.invoke(f"my key is {API_KEY}").text
    assert "".join(c.text for c in model.stream("hi"))
    compat_server.enqueue(sse=[{"error": {"message": ECHO}}])
    with pytest.raises(CompatChatError):
        list(model.stream("hi"))
    records = capture.records
    assert [r["stream"] for r in records] == [False, False, True, True]
    assert records[0]["response"]["status"] == 503
    _assert_clean(json.dumps(records))
