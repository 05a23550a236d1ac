"""``env_or_reference_endpoint``: the configured server, else a reference server for the block."""

from __future__ import annotations

import httpx
import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import (
    DEFAULT_MODEL,
    Dialect,
    Endpoint,
    ReferenceServer,
    env_or_reference_endpoint,
)


@pytest.fixture(autouse=True)
def _no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPAT_MODEL", raising=False)  # *_BASE_URL/*_API_KEY: tests/conftest


def test_unconfigured_starts_a_reference_server_for_the_block() -> None:
    with env_or_reference_endpoint() as endpoint:
        assert endpoint.bundled and endpoint.server is not None
        assert endpoint.base_url == endpoint.server.base_url
        assert endpoint.model == DEFAULT_MODEL
        assert endpoint.label == f"the bundled reference server at {endpoint.base_url}"
        assert endpoint.chat_model(max_tokens=5).invoke("hi").text
        sent = endpoint.server.last_request
        assert sent.json["model"] == DEFAULT_MODEL and sent.json["max_tokens"] == 5
    with pytest.raises(httpx.ConnectError):  # stopped when the block ended
        httpx.get(f"{endpoint.base_url}/models", timeout=2)


def test_server_kwargs_reach_the_reference_server() -> None:
    dialect = Dialect(reasoning_field="reasoning", always_reason=True)
    with env_or_reference_endpoint(api_key="sk-local", models=("m1", "m2"), dialect=dialect) as ep:
        assert ep.model == "m1"
        assert ep.model_kwargs() == {
            "model": "m1",
            "base_url": ep.base_url,
            "api_key": SecretStr("sk-local"),
        }
        message = ep.chat_model().invoke("hi")  # the server refuses any other key
        assert message.additional_kwargs["reasoning_content"]


def test_bundled_server_never_gets_a_key_exported_for_a_real_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPAT_API_KEY", "sk-real-provider-key")
    with env_or_reference_endpoint() as endpoint:
        assert endpoint.server is not None
        endpoint.chat_model().invoke("hi")
        auth = endpoint.server.last_request.headers["authorization"]
    assert "sk-real-provider-key" not in auth and auth.startswith("Bearer ")


def test_model_kwargs_build_chat_openai_too() -> None:
    with env_or_reference_endpoint() as endpoint:
        assert ChatOpenAI(**endpoint.model_kwargs(), max_retries=0).invoke("hi").content


def test_configured_server_is_used_and_nothing_is_started(
    compat_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPAT_BASE_URL", compat_server.base_url)
    monkeypatch.setenv("COMPAT_MODEL", "my-model")
    monkeypatch.setenv("COMPAT_API_KEY", "sk-configured")
    with env_or_reference_endpoint(dialect=Dialect(always_reason=True)) as endpoint:
        assert endpoint == Endpoint(compat_server.base_url, "my-model")
        assert not endpoint.bundled and endpoint.label == compat_server.base_url
        assert endpoint.model_kwargs() == {"model": "my-model", "base_url": compat_server.base_url}
        model = endpoint.chat_model(temperature=0)
        assert isinstance(model, ChatCompatModel)
        assert "reasoning_content" not in model.invoke("hi").additional_kwargs
    (sent,) = compat_server.chat_requests
    assert sent.json["model"] == "my-model" and sent.json["temperature"] == 0
    assert sent.headers["authorization"] == "Bearer sk-configured"  # read by the model


def test_configured_url_without_a_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPAT_BASE_URL", "http://127.0.0.1:9/v1")
    with (
        pytest.raises(ValueError, match="COMPAT_BASE_URL is set: set COMPAT_MODEL"),
        env_or_reference_endpoint(),
    ):
        pass


def test_label_masks_credentials_in_the_configured_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPAT_BASE_URL", "https://user:s3cret@gateway.example/v1")
    monkeypatch.setenv("COMPAT_MODEL", "m")
    with env_or_reference_endpoint() as endpoint:
        assert endpoint.label == "https://***@gateway.example/v1"
