"""Responses API replies recorded or rebuilt from public sources, in every mode.

Each file under ``tests/fixtures/responses`` holds a provider's JSON reply and the SSE
stream of the same answer (``source`` says where each comes from, ``fidelity`` how
faithfully), plus ``expect``. We serve them with respx and check invoke and ainvoke on the
JSON, stream and astream on the SSE, and that the assembled stream is the invoke message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_compat_chat import ChatCompatModel, CompatChatError
from langchain_compat_chat._wire.v1 import citations

BASE = "http://responses.test/v1"
FIXTURES = sorted((Path(__file__).parents[1] / "fixtures" / "responses").glob("*.json"))
PROVIDERS = {"openai", "vllm", "ollama", "openrouter", "xai"}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _model(fx: dict[str, Any], **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model="m", base_url=BASE, api_key="k", provider=fx["dialect"], api="responses", **kw
    )


def _serve(fx: dict[str, Any], stream: bool) -> respx.MockRouter:
    router = respx.mock(assert_all_called=True)
    if stream:
        reply = httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=fx["sse"].encode()
        )
    else:
        reply = httpx.Response(200, json=fx["json"])
    router.post(f"{BASE}/responses").mock(return_value=reply)
    return router


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


async def _run(fx: dict[str, Any], mode: str) -> BaseMessage:
    model = _model(fx)
    with _serve(fx, mode in ("stream", "astream")):
        if mode == "invoke":
            return model.invoke("hi")
        if mode == "ainvoke":
            return await model.ainvoke("hi")
        if mode == "stream":
            return _sum(list(model.stream("hi")))
        return _sum([c async for c in model.astream("hi")])


def _check(message: BaseMessage, expect: dict[str, Any]) -> None:
    assert isinstance(message, AIMessage)
    assert message.text == expect["content"]
    calls = [(c["name"], c["args"]) for c in message.tool_calls]
    assert calls == [(c["name"], c["args"]) for c in expect["tool_calls"]]
    for got, want in zip(message.tool_calls, expect["tool_calls"], strict=True):
        if want["id"] is not None:
            assert got["id"] == want["id"]
    assert not message.invalid_tool_calls
    if "reasoning" in expect:
        assert message.additional_kwargs["reasoning_content"] == expect["reasoning"]
        blocks = [b for b in message.content_blocks if b["type"] == "reasoning"]
        assert blocks and blocks[0].get("reasoning") == expect["reasoning"]
    assert message.response_metadata["finish_reason"] == expect["finish_reason"]
    usage = message.usage_metadata
    assert usage is not None
    for key, value in expect["usage_metadata"].items():
        assert usage[key] == value, key  # type: ignore[literal-required]
    if "reasoning_item" in expect:
        items = message.additional_kwargs["reasoning_items"]
        assert items[0]["id"] == expect["reasoning_item"]["id"]
        assert items[0]["encrypted_content"] == expect["reasoning_item"]["encrypted_content"]
    if "citations" in expect:
        cited = citations(message.additional_kwargs, message.response_metadata)
        assert [c["url"] for c in cited] == expect["citations"]
    if "server_items" in expect:
        kinds = [i["type"] for i in message.additional_kwargs["server_items"]]
        assert kinds == expect["server_items"]
    if "cost" in expect:
        assert message.response_metadata["cost"] == expect["cost"]


def test_the_fixtures_cover_the_providers_the_issue_names() -> None:
    assert {_load(p)["provider"] for p in FIXTURES} >= PROVIDERS
    for path in FIXTURES:
        fx = _load(path)
        assert fx["source"] and fx["fidelity"] and "json" in fx and "sse" in fx, path.name


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
async def test_fixture(path: Path, mode: str) -> None:
    fx = _load(path)
    expect = fx["expect"]
    if "error" in expect:
        with pytest.raises(CompatChatError, match=expect["error_message_contains"]):
            await _run(fx, mode)
        return
    _check(await _run(fx, mode), expect)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
async def test_stream_adds_up_to_invoke(path: Path) -> None:
    """Same answer, same message: text, reasoning, calls, usage, kept items, metadata."""
    fx = _load(path)
    if "error" in fx["expect"]:
        pytest.skip("an error has no message")
    invoked = await _run(fx, "invoke")
    streamed = await _run(fx, "stream")
    assert streamed.text == invoked.text
    two_calls = fx["fidelity"] == "verbatim"  # llama.cpp: recorded from two calls
    usage_keys = ("input_tokens", "output_tokens", "total_tokens")
    assert streamed.usage_metadata is not None and invoked.usage_metadata is not None
    if two_calls:  # same answer, new ids and a warmer prompt cache
        assert [c["args"] for c in streamed.tool_calls] == [c["args"] for c in invoked.tool_calls]
        for key in usage_keys:
            assert streamed.usage_metadata[key] == invoked.usage_metadata[key]  # type: ignore[literal-required]
    else:
        assert streamed.tool_calls == invoked.tool_calls
        assert streamed.usage_metadata == invoked.usage_metadata
    for key in ("reasoning_content", "reasoning_items", "server_items", "annotations"):
        assert streamed.additional_kwargs.get(key) == invoked.additional_kwargs.get(key), key
    skip = {"token_usage", "id", "timings", "created_at", "completed_at"}  # two llama.cpp calls
    same = {k: v for k, v in invoked.response_metadata.items() if k not in skip}
    assert {k: streamed.response_metadata.get(k) for k in same} == same


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_v1_stream_equals_v1_invoke(path: Path) -> None:
    fx = _load(path)
    if "error" in fx["expect"]:
        pytest.skip("an error has no message")
    model = _model(fx, output_version="v1")
    with _serve(fx, False):
        invoked = model.invoke("hi")
    with _serve(fx, True):
        streamed = _sum(list(model.stream("hi")))
    kinds = [b["type"] for b in invoked.content_blocks]
    assert [b["type"] for b in streamed.content_blocks] == kinds
    if fx["expect"].get("citations"):
        text = next(b for b in streamed.content_blocks if b["type"] == "text")
        assert [a["url"] for a in text.get("annotations", [])] == fx["expect"]["citations"]


async def test_astream_events_sees_every_token_and_the_end() -> None:
    fx = _load(FIXTURES[[p.stem for p in FIXTURES].index("vllm__gpt_oss_reasoning_text")])
    model = _model(fx)
    with _serve(fx, True):
        events = [e async for e in model.astream_events("hi", version="v2")]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "on_chat_model_start" and kinds[-1] == "on_chat_model_end"
    streamed = "".join(
        e["data"]["chunk"].text for e in events if e["event"] == "on_chat_model_stream"
    )
    assert streamed == fx["expect"]["content"]
    output = events[-1]["data"]["output"]
    assert output.additional_kwargs["reasoning_content"] == fx["expect"]["reasoning"]
