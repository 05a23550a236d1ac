"""``token_counting``: the offline estimate by default, the server's exact count when asked."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.token_count import COUNTERS, count_body, read_count
from langchain_compat_chat.errors import MalformedResponseError, NotFoundError

MESSAGES = [SystemMessage("Be brief."), HumanMessage("How many tokens is this?")]


@tool
def lookup(city: str) -> str:
    """Look a city up."""
    return city


def _estimate(**kw: object) -> int:
    return ChatCompatModel(
        model="m", base_url="http://est.test/v1", **kw
    ).get_num_tokens_from_messages(  # type: ignore[arg-type]
        MESSAGES
    )


@respx.mock(assert_all_mocked=True)
def test_default_is_the_offline_estimate_without_any_request() -> None:
    llm = ChatCompatModel(model="m", provider="llamacpp", base_url="http://llama.test/v1")
    assert llm.token_counting == "estimate"
    assert llm.get_num_tokens_from_messages(MESSAGES) == _estimate()
    assert respx.calls.call_count == 0


@respx.mock
def test_llamacpp_counts_with_input_tokens_and_the_chat_body() -> None:
    route = respx.post("http://llama.test/v1/chat/completions/input_tokens").mock(
        return_value=httpx.Response(200, json={"input_tokens": 41})
    )
    llm = ChatCompatModel(
        model="tiny", provider="llamacpp", base_url="http://llama.test/v1", token_counting="server"
    )
    assert llm.get_num_tokens_from_messages(MESSAGES, tools=[lookup]) == 41
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "tiny"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["tools"][0]["function"]["name"] == "lookup"
    assert "stream" not in sent


@respx.mock
def test_vllm_counts_with_tokenize_at_the_server_root() -> None:
    route = respx.post("http://vllm.test/tokenize").mock(
        return_value=httpx.Response(200, json={"count": 23, "max_model_len": 32768, "tokens": []})
    )
    llm = ChatCompatModel(
        model="Qwen/Qwen3-8B",
        provider="vllm",
        base_url="http://vllm.test/v1",
        token_counting="server",
    )
    assert llm.get_num_tokens_from_messages(MESSAGES) == 23
    sent = json.loads(route.calls.last.request.content)
    assert set(sent) == {"model", "messages", "add_generation_prompt"}
    assert sent["add_generation_prompt"] is True


@respx.mock
def test_server_mode_raises_the_typed_error() -> None:
    respx.post("http://llama.test/v1/chat/completions/input_tokens").mock(
        return_value=httpx.Response(404, json={"error": {"message": "File Not Found"}})
    )
    llm = ChatCompatModel(
        model="m",
        provider="llamacpp",
        base_url="http://llama.test/v1",
        token_counting="server",
        max_retries=0,
    )
    with pytest.raises(NotFoundError):
        llm.get_num_tokens_from_messages(MESSAGES)


@respx.mock
def test_server_or_estimate_falls_back_when_the_server_cannot_count() -> None:
    respx.post("http://llama.test/v1/chat/completions/input_tokens").mock(
        return_value=httpx.Response(404, json={"error": {"message": "File Not Found"}})
    )
    llm = ChatCompatModel(
        model="m",
        provider="llamacpp",
        base_url="http://llama.test/v1",
        token_counting="server_or_estimate",
        max_retries=0,
    )
    assert llm.get_num_tokens_from_messages(MESSAGES) == _estimate()


@respx.mock(assert_all_mocked=True)
def test_server_or_estimate_on_a_preset_without_a_counter_estimates_offline() -> None:
    llm = ChatCompatModel(
        model="deepseek-chat", provider="deepseek", api_key="k", token_counting="server_or_estimate"
    )
    assert llm.get_num_tokens_from_messages(MESSAGES) == _estimate()
    assert respx.calls.call_count == 0


def test_server_mode_on_a_preset_without_a_counter_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="no counting endpoint"):
        ChatCompatModel(model="m", provider="deepseek", api_key="k", token_counting="server")


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="token_counting"):
        ChatCompatModel(model="m", base_url="http://x.test/v1", token_counting="exact")  # type: ignore[arg-type]


@pytest.mark.parametrize("reply", [{}, {"count": -1}, {"count": True}, {"count": "3"}, []])
def test_bad_count_replies_are_malformed(reply: object) -> None:
    with pytest.raises(MalformedResponseError):
        read_count(COUNTERS["vllm"], reply)


def test_count_body_drops_stream_for_the_chat_shape() -> None:
    body = json.loads(
        count_body(COUNTERS["llamacpp"], {"model": "m", "messages": [], "stream": True})
    )
    assert body == {"model": "m", "messages": []}
