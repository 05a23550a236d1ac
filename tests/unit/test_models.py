"""``list_models`` / ``alist_models``: parsing every listing shape, errors, and real sockets."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import respx

from langchain_compat_chat import (
    AuthenticationError,
    ChatCompatModel,
    MalformedResponseError,
    ModelInfo,
)
from langchain_compat_chat._wire.models import parse_model_list
from langchain_compat_chat.testing import ReferenceServer
from tests.conftest import REAL_SERVER_CAPTURES

BASE = "http://models.test/v1"
LLAMACPP_CAPTURE = REAL_SERVER_CAPTURES / "02_models.http"


def _http_body(path: Path) -> object:
    """The JSON body of a raw ``HTTP/1.1`` capture (headers, blank line, body)."""
    raw = path.read_text(encoding="utf-8")
    return json.loads(raw.split("\n\n", 1)[1].replace("\r\n", "\n"))


def test_openai_listing_keeps_every_field() -> None:
    data = {
        "object": "list",
        "data": [
            {"id": "gpt-x", "object": "model", "created": 1700000000, "owned_by": "system"},
            {"id": "or/model", "context_length": 131072, "pricing": {"prompt": "0.1"}},
        ],
    }
    first, second = parse_model_list(data)
    assert first == ModelInfo(
        id="gpt-x", owned_by="system", created=1700000000, metadata={"object": "model"}
    )
    assert second.id == "or/model" and second.owned_by is None and second.created is None
    assert second.metadata == {"context_length": 131072, "pricing": {"prompt": "0.1"}}


def test_llamacpp_capture_prefers_data_over_ollama_models() -> None:
    (info,) = parse_model_list(_http_body(LLAMACPP_CAPTURE))
    assert info.id == "tiny-qwen2.5" and info.owned_by == "llamacpp"
    assert info.metadata["meta"]["n_ctx"] == 4096


@pytest.mark.parametrize(
    ("data", "ids"),
    [
        ({"models": [{"name": "llama3:8b", "size": 1}]}, ["llama3:8b"]),  # Ollama-style only
        (["a", "b"], ["a", "b"]),  # bare list of ids
        ({"data": []}, []),  # a server with nothing loaded
        ({"data": [{"id": "ok"}, {"object": "model"}, 3]}, ["ok"]),  # id-less entries skipped
    ],
)
def test_other_shapes(data: object, ids: list[str]) -> None:
    assert [m.id for m in parse_model_list(data)] == ids


@pytest.mark.parametrize(
    "data", [{"object": "list"}, {"data": {"id": "x"}}, "models", {"data": [{"x": 1}, 2]}]
)
def test_not_a_listing_is_an_error(data: object) -> None:
    with pytest.raises(MalformedResponseError):
        parse_model_list(data)


@respx.mock
def test_request_uses_key_query_and_headers_of_the_preset() -> None:
    route = respx.get("https://az.example/openai/deployments/d/models").mock(
        return_value=httpx.Response(200, json={"data": [{"id": "d"}]})
    )
    model = ChatCompatModel(
        model="d",
        provider="azure",
        base_url="https://az.example/openai/deployments/d",
        api_key="az-secret",
    )
    assert [m.id for m in model.list_models()] == ["d"]
    sent = route.calls.last.request
    assert sent.headers["api-key"] == "az-secret"
    assert "api-version" in sent.url.params and "authorization" not in sent.headers


@respx.mock
def test_errors_are_typed_and_carry_the_request_id() -> None:
    respx.get(f"{BASE}/models").mock(
        side_effect=[
            httpx.Response(401, json={"error": {"message": "bad key"}}),
            httpx.Response(200, text="<html>oops</html>", headers={"x-request-id": "req-9"}),
        ]
    )
    model = ChatCompatModel(model="m", base_url=BASE, api_key="sk-bad")
    with pytest.raises(AuthenticationError, match="bad key"):
        model.list_models()
    with pytest.raises(MalformedResponseError) as info:
        model.list_models()
    assert info.value.request_id == "req-9"


def test_real_socket_sync_and_async() -> None:
    with ReferenceServer(api_key="sk-ref", models=("alpha", "beta")) as srv:
        model = ChatCompatModel(model="alpha", base_url=srv.base_url, api_key="sk-ref")
        assert [m.id for m in model.list_models()] == ["alpha", "beta"]
        assert all(m.owned_by == "compat" and m.created for m in model.list_models())

        async def listing() -> list[str]:
            return [m.id for m in await model.alist_models()]

        assert asyncio.run(listing()) == ["alpha", "beta"]
        with pytest.raises(AuthenticationError):
            ChatCompatModel(model="alpha", base_url=srv.base_url, api_key="nope").list_models()
