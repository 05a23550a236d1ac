"""Prompt caching markers on the wire, cache writes in usage and the provider's cost (issue 17)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.response import COST_KEY

OPENROUTER = "https://openrouter.ai/api/v1"
BASE = "http://cache.test/v1"
MARK = {"type": "ephemeral"}
MARK_1H = {"type": "ephemeral", "ttl": "1h"}

# OpenRouter's usage with cache writes and cost (https://openrouter.ai/docs/features/prompt-caching,
# https://openrouter.ai/docs/use-cases/usage-accounting).
_OPENROUTER_USAGE = {
    "prompt_tokens": 2100,
    "completion_tokens": 12,
    "total_tokens": 2112,
    "cost": 0.00843,
    "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 2048},
}
# Anthropic-shaped usage, as MiniMax / Z.ai / Claude gateways report it.
_ANTHROPIC_USAGE = {
    "prompt_tokens": 3000,
    "completion_tokens": 5,
    "total_tokens": 3005,
    "cache_creation_input_tokens": 1024,
    "cache_read_input_tokens": 1900,
}
# DashScope's explicit cache on its first (cache-creating) call: the write count is
# ``prompt_tokens_details.cache_creation_input_tokens`` (1605 in the page's example output),
# next to a per-TTL breakdown and the cache type
# (https://www.alibabacloud.com/help/en/model-studio/context-cache).
_DASHSCOPE_USAGE = {
    "prompt_tokens": 1620,
    "completion_tokens": 30,
    "total_tokens": 1650,
    "prompt_tokens_details": {
        "cached_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 1605},
        "cache_creation_input_tokens": 1605,
        "cache_type": "ephemeral",
    },
}
# xAI's usage with the billed cost in ticks, 1 USD = 1e10 ticks; the page's example
# ``"cost_in_usd_ticks": 37756000`` cost $0.0038 (https://docs.x.ai/developers/cost-tracking).
_XAI_USAGE = {
    "prompt_tokens": 1200,
    "completion_tokens": 80,
    "total_tokens": 1280,
    "prompt_tokens_details": {"cached_tokens": 1024, "text_tokens": 1200},
    "completion_tokens_details": {"reasoning_tokens": 0},
    "cost_in_usd_ticks": 37756000,
}


def _completion(usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-c",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": usage,
    }


def _sse(usage: dict[str, Any]) -> bytes:
    events = [
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "ok"}}]},
        {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"id": "c", "model": "m", "choices": [], "usage": usage},
    ]
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )


def _sent(route: respx.Route) -> dict[str, Any]:
    return json.loads(route.calls.last.request.content)  # type: ignore[no-any-return]


def _model(**kwargs: Any) -> ChatCompatModel:
    kwargs.setdefault("model", "m")
    kwargs.setdefault("base_url", BASE)
    return ChatCompatModel(max_retries=0, **kwargs)


# -- markers on content parts ---------------------------------------------------------------------
@respx.mock
def test_cache_control_on_system_and_user_parts_reaches_the_wire() -> None:
    route = respx.post(f"{OPENROUTER}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    llm = _model(
        model="anthropic/claude-sonnet-4.5", provider="openrouter", api_key="k" * 20, base_url=None
    )
    llm.invoke(
        [
            SystemMessage([{"type": "text", "text": "a long manual", "cache_control": MARK_1H}]),
            HumanMessage(
                [
                    {"type": "text", "text": "big document", "cache_control": MARK},
                    {"type": "text", "text": "question"},
                ]
            ),
        ]
    )
    system, user = _sent(route)["messages"]
    assert system["content"] == [
        {"type": "text", "text": "a long manual", "cache_control": MARK_1H}
    ]
    assert user["content"][0] == {"type": "text", "text": "big document", "cache_control": MARK}
    assert user["content"][1] == {"type": "text", "text": "question"}


@respx.mock
def test_cache_control_in_a_standard_blocks_extras_and_on_tool_results() -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    _model().invoke(
        [
            HumanMessage([{"type": "text", "text": "doc", "extras": {"cache_control": MARK}}]),
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "call_1"}]),
            ToolMessage(
                [{"type": "text", "text": "result", "cache_control": MARK}], tool_call_id="call_1"
            ),
        ]
    )
    user, _, tool = _sent(route)["messages"]
    assert user["content"] == [{"type": "text", "text": "doc", "cache_control": MARK}]
    assert tool["content"] == [{"type": "text", "text": "result", "cache_control": MARK}]


@respx.mock
def test_text_without_markers_is_still_flattened() -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    _model().invoke([SystemMessage([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])])
    assert _sent(route)["messages"][0]["content"] == "ab"


# -- a top-level marker ---------------------------------------------------------------------------
@respx.mock
def test_top_level_cache_control_goes_as_is_to_openrouter() -> None:
    route = respx.post(f"{OPENROUTER}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    llm = ChatCompatModel(
        model="anthropic/claude-sonnet-4.5", provider="openrouter", api_key="k" * 20
    )
    llm.invoke("hello", cache_control=MARK)
    body = _sent(route)
    assert body["cache_control"] == MARK
    assert body["messages"][-1]["content"] == "hello"


@respx.mock
def test_top_level_cache_control_moves_to_the_last_part_elsewhere() -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    _model().bind(cache_control=MARK).invoke([SystemMessage("rules"), HumanMessage("hello")])
    body = _sent(route)
    assert "cache_control" not in body
    assert body["messages"][0]["content"] == "rules"
    assert body["messages"][1]["content"] == [
        {"type": "text", "text": "hello", "cache_control": MARK}
    ]


@respx.mock
def test_top_level_cache_control_in_extra_body_is_sent_as_given() -> None:
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({}))
    )
    _model(extra_body={"cache_control": MARK}).invoke("hello")
    assert _sent(route)["cache_control"] == MARK


# -- cache writes and cost in usage ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("usage", "details"),
    [
        (_OPENROUTER_USAGE, {"cache_read": 0, "cache_creation": 2048}),
        (_ANTHROPIC_USAGE, {"cache_read": 1900, "cache_creation": 1024}),
        (_DASHSCOPE_USAGE, {"cache_read": 0, "cache_creation": 1605}),
    ],
    ids=["openrouter", "anthropic-shaped", "dashscope-explicit"],
)
@respx.mock
def test_cache_writes_in_invoke_and_stream(usage: dict[str, Any], details: dict[str, int]) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        side_effect=lambda request: (
            httpx.Response(200, content=_sse(usage), headers={"content-type": "text/event-stream"})
            if json.loads(request.content).get("stream")
            else httpx.Response(200, json=_completion(usage))
        )
    )
    llm = _model()
    invoked = llm.invoke("hi")
    streamed = None
    for chunk in llm.stream("hi"):
        streamed = chunk if streamed is None else streamed + chunk
    for message in (invoked, streamed):
        assert message is not None and message.usage_metadata is not None
        assert message.usage_metadata["input_token_details"] == details


@pytest.mark.parametrize(
    ("usage", "dollars"),
    [(_OPENROUTER_USAGE, 0.00843), (_XAI_USAGE, 0.0037756)],
    ids=["openrouter-cost", "xai-ticks"],
)
@respx.mock
async def test_provider_cost_in_response_metadata_in_every_mode(
    usage: dict[str, Any], dollars: float
) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        side_effect=lambda request: (
            httpx.Response(200, content=_sse(usage), headers={"content-type": "text/event-stream"})
            if json.loads(request.content).get("stream")
            else httpx.Response(200, json=_completion(usage))
        )
    )
    llm = _model()
    streamed = None
    for chunk in llm.stream("hi"):
        streamed = chunk if streamed is None else streamed + chunk
    astreamed = None
    async for chunk in llm.astream("hi"):
        astreamed = chunk if astreamed is None else astreamed + chunk
    for message in (llm.invoke("hi"), await llm.ainvoke("hi"), streamed, astreamed):
        assert message is not None
        assert message.response_metadata[COST_KEY] == pytest.approx(dollars, rel=1e-12)
        # the raw usage is kept whole, so exact integer ticks can still be summed
        assert message.response_metadata["token_usage"] == usage
    assert COST_KEY == "cost"


def test_cost_fields_that_are_not_numbers_are_not_a_cost() -> None:
    from langchain_compat_chat._wire.response import usage_cost

    assert usage_cost({"cost_in_usd_ticks": "37756000"}) is None
    assert usage_cost({"cost_in_usd_ticks": True}) is None
    assert usage_cost({"cost": None, "cost_in_usd_ticks": 20_000_000_000}) == 2.0
    # a provider that sends both: the dollar amount is taken as is, never added twice
    assert usage_cost({"cost": 0.5, "cost_in_usd_ticks": 5_000_000_000}) == 0.5


@respx.mock
def test_no_cost_key_when_the_provider_reports_none() -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion(_ANTHROPIC_USAGE))
    )
    assert COST_KEY not in _model().invoke("hi").response_metadata


@pytest.mark.parametrize("field", ["cache_creation_input_tokens", "cache_read_input_tokens"])
def test_an_infinite_token_count_is_a_malformed_response(field: str) -> None:
    from langchain_compat_chat._wire.response import to_chat_result
    from langchain_compat_chat.errors import MalformedResponseError

    usage = {"prompt_tokens": 1, "completion_tokens": 1, field: float("inf")}
    with pytest.raises(MalformedResponseError):
        to_chat_result(_completion(usage), "compat")
