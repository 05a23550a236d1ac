"""Every reasoning and usage dialect of the reference server, over real sockets, in four modes.

For each dialect the same seeded request is answered once in plain OpenAI wording (read with
raw httpx: the ground truth) and then through ``ChatCompatModel`` with ``invoke``,
``ainvoke``, ``stream`` and ``astream``. Reasoning must land in
``additional_kwargs["reasoning_content"]`` and lead ``content_blocks``; usage must be counted
once (a stream that repeats or relocates it aggregates to the same numbers), with
``output_tokens`` including reasoning and cache hits in ``input_token_details``.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import DIALECT_HEADER, ReferenceServer

MODES = ["invoke", "ainvoke", "stream", "astream"]
SEED = 11
# A system prompt long enough that the server's prefix cache has something to report.
MESSAGES: list[BaseMessage] = [
    SystemMessage("Answer in one sentence. " * 12),
    HumanMessage("Describe the weather."),
]
WIRE_MESSAGES = [
    {"role": "system", "content": MESSAGES[0].text},
    {"role": "user", "content": MESSAGES[1].text},
]


def model_for(srv: ReferenceServer, dialect: str, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model="ref-model",
        base_url=srv.base_url,
        api_key="sk-dialects",
        seed=SEED,
        reasoning_effort="high",
        default_headers={DIALECT_HEADER: dialect},
        max_retries=0,
        **kw,
    )


def ground_truth(srv: ReferenceServer, dialect: str = "") -> dict[str, Any]:
    """The answer as raw JSON: reasoning, content and OpenAI-worded usage."""
    body = {
        "model": "ref-model",
        "messages": WIRE_MESSAGES,
        "seed": SEED,
        "reasoning_effort": "high",
    }
    headers = {DIALECT_HEADER: dialect} if dialect else {}
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        client.post("/chat/completions", json=body, headers=headers)  # warm the prefix cache
        data: dict[str, Any] = client.post("/chat/completions", json=body, headers=headers).json()
    return data


async def call(model: ChatCompatModel, mode: str) -> AIMessage:
    if mode == "invoke":
        return model.invoke(MESSAGES)
    if mode == "ainvoke":
        return await model.ainvoke(MESSAGES)
    if mode == "stream":
        chunks = list(model.stream(MESSAGES))
    else:
        chunks = [c async for c in model.astream(MESSAGES)]
    total = reduce(operator.add, chunks)
    assert sum(1 for c in chunks if c.usage_metadata) <= 1  # usage reported once
    return AIMessage(
        content=total.content,
        additional_kwargs=total.additional_kwargs,
        response_metadata=total.response_metadata,
        usage_metadata=total.usage_metadata,
        tool_calls=total.tool_calls,
    )


def expected_usage(usage: dict[str, Any]) -> dict[str, Any]:
    """LangChain's view of an OpenAI-worded usage object (written out, not via our parser)."""
    return {
        "input_tokens": usage["prompt_tokens"],
        "output_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
        "input_token_details": {"cache_read": usage["prompt_tokens_details"]["cached_tokens"]},
        "output_token_details": {
            "reasoning": usage["completion_tokens_details"]["reasoning_tokens"]
        },
    }


def assert_reasoning(msg: AIMessage, reasoning: str, content: str) -> None:
    assert msg.text == content
    assert msg.additional_kwargs["reasoning_content"] == reasoning
    assert msg.content_blocks[0] == {"type": "reasoning", "reasoning": reasoning}
    assert msg.content_blocks[1] == {"type": "text", "text": content}


# -- reasoning dialects -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "dialect",
    [
        "reasoning_field=reasoning_content",
        "reasoning_field=reasoning",
        "reasoning_field=reasoning_details",
        "reasoning_field=thinking_parts",
    ],
)
async def test_reasoning_fields(compat_server: ReferenceServer, dialect: str, mode: str) -> None:
    truth = ground_truth(compat_server)["choices"][0]["message"]
    msg = await call(model_for(compat_server, dialect), mode)
    assert_reasoning(msg, truth["reasoning_content"], truth["content"])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("dialect", "think_tags"),
    [("think-tags", True), ("think-tags,think_open_in_prompt", "starts_inside")],
)
async def test_think_tags_split(
    compat_server: ReferenceServer, dialect: str, think_tags: Any, mode: str
) -> None:
    raw = ground_truth(compat_server, dialect)["choices"][0]["message"]["content"]
    head, _, answer = raw.partition("</think>")
    reasoning = head.removeprefix("<think>").strip()
    msg = await call(model_for(compat_server, dialect, think_tags=think_tags), mode)
    assert_reasoning(msg, reasoning, answer.strip())
    untouched = await call(model_for(compat_server, dialect), mode)
    assert untouched.text == raw and "reasoning_content" not in untouched.additional_kwargs


# -- usage dialects -----------------------------------------------------------------------------
USAGE_DIALECTS = [
    "cumulative_usage",  # Perplexity, vLLM continuous_usage_stats: running totals every chunk
    "usage_in_choice",  # Moonshot
    "usage_in_x_groq",  # Groq without stream_options
    "completion_excludes_reasoning",  # xAI
    "cached_tokens_field=prompt_cache_hit_tokens",  # DeepSeek's own field
    "cached_tokens_field=cached_tokens",  # Moonshot
    "moonshot",  # usage in choices[0] *and* a top-level cached_tokens
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dialect", USAGE_DIALECTS)
async def test_usage_dialects(compat_server: ReferenceServer, dialect: str, mode: str) -> None:
    truth = ground_truth(compat_server)
    want = expected_usage(truth["usage"])
    assert want["input_token_details"]["cache_read"] > 0
    assert want["output_token_details"]["reasoning"] > 0
    msg = await call(model_for(compat_server, dialect), mode)
    if dialect == "usage_in_x_groq" and mode in ("stream", "astream"):
        # A stream's x_groq usage has no details: only the three totals come through.
        want = {k: want[k] for k in ("input_tokens", "output_tokens", "total_tokens")}
    assert msg.usage_metadata == want
    assert msg.response_metadata["finish_reason"] == "stop"
    message = truth["choices"][0]["message"]
    assert_reasoning(msg, message["reasoning_content"], message["content"])
