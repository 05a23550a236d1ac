"""Construction, configuration and transport settings of ChatCompatModel."""

from __future__ import annotations

import json
import logging
import pickle

import httpx
import pytest
import respx
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import SecretStr

from langchain_compat_chat import (
    AuthenticationError,
    ChatCompatModel,
    ProviderProfile,
    providers,
    register_provider,
)
from langchain_compat_chat._secrets import redact_url

BASE = "http://cfg.test/v1"
OK = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def test_env_fallbacks_generic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPAT_API_KEY", "sk-env")
    monkeypatch.setenv("COMPAT_BASE_URL", "https://env.example/v1")
    model = ChatCompatModel(model="m")
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-env"
    assert model.base_url == "https://env.example/v1"


def test_preset_env_and_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-ds")
    model = ChatCompatModel.for_provider("deepseek", model="deepseek-chat")
    assert model.base_url == "https://api.deepseek.com/v1"
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-ds"
    assert model._get_ls_params()["ls_provider"] == "deepseek"


def test_explicit_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPAT_API_KEY", "sk-env")
    model = ChatCompatModel(model="m", base_url=BASE, api_key="sk-arg")
    assert model.api_key is not None and model.api_key.get_secret_value() == "sk-arg"


def test_aliases_accepted() -> None:
    model = ChatCompatModel(
        model_name="m", api_base=BASE, max_completion_tokens=5, stop_sequences=["x"]
    )
    assert (model.model, model.base_url, model.max_tokens, model.stop) == ("m", BASE, 5, ["x"])


def test_unknown_parameter_is_an_error() -> None:
    with pytest.raises(ValueError, match="extra_body"):
        ChatCompatModel(model="m", base_url=BASE, temprature=0.2)


def test_base_url_required_and_validated() -> None:
    with pytest.raises(ValueError, match="base_url is required"):
        ChatCompatModel(model="m")
    with pytest.raises(ValueError, match="http"):
        ChatCompatModel(model="m", base_url="ftp://x")


def test_unknown_provider_lists_known() -> None:
    with pytest.raises(ValueError, match="deepseek"):
        ChatCompatModel(model="m", provider="nope")


def test_register_custom_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    # A private copy of the registry so that the custom name does not leak into other tests.
    monkeypatch.setattr(providers, "_PRESETS", dict(providers._PRESETS))
    profile = ProviderProfile(name="acme-test", ls_provider="acme", base_url="http://acme.test/v1")
    register_provider(profile, replace=True)
    model = ChatCompatModel(model="m", provider="acme-test")
    assert model.base_url == "http://acme.test/v1"
    assert model._get_ls_params()["ls_provider"] == "acme"
    with pytest.raises(ValueError, match="already exists"):
        register_provider(profile)


def test_secret_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, api_key="sk-supersecret")
    assert "sk-supersecret" not in repr(model)
    assert "sk-supersecret" not in str(model)
    assert "sk-supersecret" not in dumps(model)
    assert "sk-supersecret" not in json.dumps(model._identifying_params)
    caplog.set_level(logging.DEBUG)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").respond(json=OK)
        model.invoke("hi")
        assert route.calls.last.request.headers["authorization"] == "Bearer sk-supersecret"
    assert "sk-supersecret" not in caplog.text


def test_credentials_in_base_url_are_redacted() -> None:
    assert redact_url("http://user:pw@host:1/v1") == "http://***@host:1/v1"
    model = ChatCompatModel(model="m", base_url="http://user:pw@host:1/v1")
    assert "pw" not in json.dumps(model._identifying_params)


def test_headers_query_and_azure_auth() -> None:
    model = ChatCompatModel(
        model="m",
        provider="azure",
        base_url="https://res.openai.azure.com/openai/deployments/d",
        api_key="az-key",
        default_headers={"x-app": "1"},
        default_query={"extra": "q"},
    )
    with respx.mock() as router:
        route = router.post(url__startswith="https://res.openai.azure.com/").respond(json=OK)
        model.invoke("hi")
        req = route.calls.last.request
    assert req.headers["api-key"] == "az-key"
    assert "authorization" not in req.headers
    assert req.headers["x-app"] == "1"
    assert req.url.params["api-version"] and req.url.params["extra"] == "q"
    assert (
        json.loads(req.content)["max_completion_tokens"]
        if "max_tokens" in req.content.decode()
        else True
    )


def test_no_key_sends_no_auth_header() -> None:
    model = ChatCompatModel(model="m", base_url=BASE)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").respond(json=OK)
        model.invoke("hi")
    assert "authorization" not in route.calls.last.request.headers


def test_ssl_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    https = "https://secure.test/v1"
    assert ChatCompatModel(model="m", base_url=https)._make_session()._verify is True
    monkeypatch.setenv("LLM_SSL_VERIFY", "false")
    assert ChatCompatModel(model="m", base_url=https)._make_session()._verify is False
    assert (
        ChatCompatModel(model="m", base_url=https, verify_ssl=True)._make_session()._verify is True
    )


def test_user_clients_are_used() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    model = ChatCompatModel(model="m", base_url=BASE, http_client=client)
    assert model.invoke("hi").text == "ok"
    assert len(seen) == 1
    assert "http_client" not in dumps(model)


async def test_user_async_client_is_used() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=OK)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    model = ChatCompatModel(model="m", base_url=BASE, http_async_client=client)
    assert (await model.ainvoke("hi")).text == "ok"


def test_timeouts_are_finite_by_default() -> None:
    transport = ChatCompatModel(model="m", base_url=BASE)._make_session()
    assert transport.timeout.connect == 10.0 and transport.timeout.read == 120.0
    idle = ChatCompatModel(model="m", base_url=BASE, stream_idle_timeout=3)._make_session()
    assert idle.stream_timeout.read == 3 and idle.timeout.read == 120.0


def test_no_client_built_at_construction() -> None:
    model = ChatCompatModel(model="m", base_url=BASE)
    assert model._session is None


def test_token_estimate_is_offline() -> None:
    model = ChatCompatModel(model="m", base_url=BASE)
    n = model.get_num_tokens_from_messages(
        [HumanMessage("hello world, this is a test"), AIMessage("ok")]
    )
    assert 10 <= n <= 30
    assert model.get_num_tokens("") == 0


def test_model_pickles_without_clients() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, api_key="sk-p")
    clone = pickle.loads(pickle.dumps(model))
    assert clone.model == "m"


def test_call_kwargs_and_extra_body_reach_the_wire() -> None:
    model = ChatCompatModel(
        model="m",
        base_url=BASE,
        temperature=0.1,
        max_tokens=9,
        extra_body={"top_k": 5},
        model_kwargs={"a": 1},
    )
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").respond(json=OK)
        model.invoke("hi", stop=["END"], seed=3)
    body = json.loads(route.calls.last.request.content)
    assert body["temperature"] == 0.1 and body["max_tokens"] == 9 and body["top_k"] == 5
    assert body["a"] == 1 and body["stop"] == ["END"] and body["seed"] == 3
    assert "stream" not in body


@respx.mock
def test_model_copy_uses_the_copys_settings_not_the_originals_transport() -> None:
    route = respx.post("http://copy.test/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, json={"choices": [{"message": {"role": "assistant", "content": "ok"}}]}
        )
    )
    original = ChatCompatModel(model="m", base_url="http://copy.test/v1", api_key="sk-old")
    original.invoke("hi")  # builds and caches the original's transport
    copy = original.model_copy(update={"api_key": SecretStr("sk-new"), "provider": "mistral"})
    copy.invoke("hi")
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-old"
    assert route.calls[1].request.headers["authorization"] == "Bearer sk-new"
    assert copy.provider_profile.name == "mistral"
    assert original.provider_profile.name == "generic"


def test_proxy_credentials_never_shown() -> None:
    model = ChatCompatModel(
        model="m", base_url=BASE, proxy="http://proxyuser:proxy-pass-123@proxy.test:3128"
    )
    assert "proxy-pass-123" not in repr(model) and "proxy.test:3128" in repr(model)
    assert "proxy-pass-123" not in dumps(model)
    assert model.proxy == "http://proxyuser:proxy-pass-123@proxy.test:3128"  # still usable
    plain = ChatCompatModel(model="m", base_url=BASE, proxy="http://proxy.test:3128")
    assert "proxy.test:3128" in dumps(plain)  # nothing secret: kept as is


def test_hosted_preset_without_a_key_fails_before_any_request() -> None:
    model = ChatCompatModel(model="deepseek-chat", provider="deepseek")
    with pytest.raises(AuthenticationError, match="DEEPSEEK_API_KEY"):
        model.invoke("hi")  # no socket is opened: pytest-socket would refuse api.deepseek.com
    with pytest.raises(AuthenticationError):
        model.list_models()


@respx.mock
def test_a_gateway_or_own_auth_header_needs_no_preset_key() -> None:
    respx.post("http://gateway.test/v1/chat/completions").mock(
        return_value=httpx.Response(
            200, json={"choices": [{"message": {"role": "assistant", "content": "ok"}}]}
        )
    )
    gateway = ChatCompatModel(model="m", provider="deepseek", base_url="http://gateway.test/v1")
    assert gateway.invoke("hi").text == "ok"
    own = ChatCompatModel(
        model="m",
        provider="deepseek",
        default_headers={"Authorization": "Bearer from-elsewhere"},
    )
    assert own._get_session().headers["Authorization"] == "Bearer from-elsewhere"
