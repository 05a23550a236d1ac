"""Errors and input checks a newcomer can act on (issue 17): each names what to change."""

from __future__ import annotations

import datetime
import json
import math
import pickle
import socket
from typing import Any

import httpx
import pytest
import respx

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._secrets import redact, register_secret
from langchain_compat_chat.errors import (
    APIConnectionError,
    AuthenticationError,
    RequestEncodingError,
)

BASE = "http://compat.test/v1"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- a closed port names the URL ------------------------------------------------------------------
def test_connection_refused_names_the_url_with_credentials_masked() -> None:
    port = _closed_port()
    llm = ChatCompatModel(
        model="m", base_url=f"http://bob:pw-Secret-0042@127.0.0.1:{port}/v1", max_retries=0
    )
    with pytest.raises(APIConnectionError) as info:
        llm.invoke("hi")
    text = str(info.value)
    assert f"http://127.0.0.1:{port}/v1/chat/completions" in text
    assert "pw-Secret-0042" not in text and "bob" not in text


async def test_connection_refused_names_the_url_async() -> None:
    port = _closed_port()
    llm = ChatCompatModel(model="m", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    with pytest.raises(APIConnectionError, match=rf"127\.0\.0\.1:{port}/v1/chat/completions"):
        await llm.ainvoke("hi")


# -- a 401 says how to pass a key -----------------------------------------------------------------
_UNAUTHORIZED = {"error": {"message": "Invalid API key", "type": "authentication_error"}}


@respx.mock
def test_401_names_api_key_and_the_presets_env_vars() -> None:
    respx.post("https://api.deepseek.com/v1/chat/completions").mock(
        return_value=httpx.Response(401, json=_UNAUTHORIZED)
    )
    llm = ChatCompatModel(model="deepseek-chat", provider="deepseek", api_key="sk-wrong-0123456789")
    with pytest.raises(AuthenticationError) as info:
        llm.invoke("hi")
    text = str(info.value)
    assert info.value.message == "Invalid API key"  # the server's own words, untouched
    assert info.value.hint is not None and info.value.hint in text
    assert "api_key=" in text and "DEEPSEEK_API_KEY" in text and "COMPAT_API_KEY" in text
    assert "sk-wrong-0123456789" not in text
    assert pickle.loads(pickle.dumps(info.value)).hint == info.value.hint


@respx.mock
def test_401_without_a_key_says_none_was_sent() -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(401, json=_UNAUTHORIZED)
    )
    with pytest.raises(AuthenticationError, match=r"No API key was sent: pass api_key="):
        ChatCompatModel(model="m", base_url=BASE).invoke("hi")


# -- numeric limits are checked at construction ---------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"request_timeout": 0},
        {"timeout": (0, 5)},
        {"timeout": (5, -1)},
        {"timeout": httpx.Timeout(5, read=0)},
        {"connect_timeout": math.nan},
        {"connect_timeout": math.inf},
        {"stream_idle_timeout": math.inf},
        {"total_timeout": math.inf},
    ],
)
def test_bad_timeouts_fail_at_construction(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"timeout|finite|greater than"):
        ChatCompatModel(model="m", base_url=BASE, **kwargs)


def test_timeout_error_names_the_argument_and_the_fix() -> None:
    with pytest.raises(ValueError) as info:
        ChatCompatModel(model="m", base_url=BASE, timeout=-1)
    text = str(info.value)
    assert "timeout must be a positive, finite number of seconds, got -1" in text
    assert "timeout=None" in text


@pytest.mark.parametrize("value", [30, 0.5, (2, 30), None, httpx.Timeout(None, connect=3)])
def test_good_timeouts_still_accepted(value: Any) -> None:
    ChatCompatModel(model="m", base_url=BASE, timeout=value)


# -- a tool schema that is not JSON fails in bind_tools -------------------------------------------
def test_bind_tools_names_the_tool_and_field_that_cannot_be_sent() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "book",
            "parameters": {
                "type": "object",
                "properties": {"when": {"type": "string", "default": datetime.date(2026, 1, 1)}},
            },
        },
    }
    llm = ChatCompatModel(model="m", base_url=BASE)
    with pytest.raises(RequestEncodingError) as info:
        llm.bind_tools([tool])
    text = str(info.value)
    assert "Tool 'book'" in text
    assert '["properties"]["when"]["default"]' in text and "datetime.date" in text


def test_bind_tools_rejects_nan_in_a_schema() -> None:
    tool = {"type": "function", "function": {"name": "t", "parameters": {"maximum": math.nan}}}
    with pytest.raises(RequestEncodingError, match=r"Tool 't'.*maximum.*NaN"):
        ChatCompatModel(model="m", base_url=BASE).bind_tools([tool])


def test_bind_tools_accepts_ordinary_tools() -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    bound = ChatCompatModel(model="m", base_url=BASE).bind_tools([add])
    assert json.dumps(bound.kwargs["tools"])  # type: ignore[attr-defined]


# -- did you mean ---------------------------------------------------------------------------------
def test_unknown_parameter_suggests_the_close_name() -> None:
    with pytest.raises(ValueError, match=r"temprature \(did you mean temperature\?\)"):
        ChatCompatModel(model="m", base_url=BASE, temprature=0.2)


def test_unknown_parameter_without_a_close_name_has_no_suggestion() -> None:
    with pytest.raises(ValueError) as info:
        ChatCompatModel(model="m", base_url=BASE, zzqqxx=1)
    assert "did you mean" not in str(info.value)


# -- redaction keeps the server's prose -----------------------------------------------------------
@pytest.mark.parametrize(
    "prose",
    [
        "Authorization: Bearer YOUR_KEY",
        "use Authorization: Bearer <token>",
        "send Bearer $OPENAI_API_KEY",
        "Bearer your-api-key-here",
        "api_key=YOUR_API_KEY_HERE",
    ],
)
def test_redaction_leaves_placeholders_in_server_messages(prose: str) -> None:
    assert redact(prose) == prose


@pytest.mark.parametrize(
    "secret",
    [
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "Bearer 0123456789abcdef0123",
        "api_key=AbCdEfGhIjKlMnOpQr",
        "Bearer sk-proj-abcdefghijklmnop",
    ],
)
def test_redaction_still_masks_real_looking_tokens(secret: str) -> None:
    assert "***" in redact(secret)


def test_registered_secret_is_masked_whatever_its_shape() -> None:
    register_secret("plainlowercasesecretwords")
    assert redact("Bearer plainlowercasesecretwords") == "Bearer ***"
