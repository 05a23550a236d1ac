"""Reasoning and usage dialects of the reference server: every wording a client must read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _helpers import USER, chat, parse_sse

from langchain_compat_chat.testing import (
    DIALECT_HEADER,
    DIALECT_PRESETS,
    Dialect,
    ReferenceServer,
    header_value,
    parse_dialect,
)

THINK = {"reasoning_effort": "high", "seed": 3}


def _post(client: httpx.Client, dialect: str, **body: Any) -> httpx.Response:
    body.setdefault("model", "m")
    body.setdefault("messages", USER)
    resp = client.post("/chat/completions", json=body, headers={DIALECT_HEADER: dialect})
    assert resp.status_code == 200, resp.text
    return resp


def _reference(client: httpx.Client, **body: Any) -> dict[str, Any]:
    """The same answer in the default dialect (reasoning_content): what every wording encodes."""
    message: dict[str, Any] = chat(client, **body).json()["choices"][0]["message"]
    assert message["reasoning_content"] and message["content"]
    return message


def _deltas(client: httpx.Client, dialect: str, **body: Any) -> list[dict[str, Any]]:
    items = parse_sse(_post(client, dialect, stream=True, **body).text)
    assert items[-1] == "[DONE]"
    return [c["choices"][0]["delta"] for c in items[:-1] if c.get("choices")]


# -- reasoning ---------------------------------------------------------------------------------
def test_reasoning_details_text_parts(client: httpx.Client) -> None:
    want = _reference(client, **THINK)
    message = _post(client, "reasoning_field=reasoning_details", **THINK).json()["choices"][0][
        "message"
    ]
    assert "reasoning_content" not in message and "reasoning" not in message
    (part,) = message["reasoning_details"]
    assert part["type"] == "reasoning.text" and part["text"] == want["reasoning_content"]
    assert message["content"] == want["content"]
    deltas = _deltas(client, "reasoning_field=reasoning_details", **THINK)
    parts = [p for d in deltas for p in d.get("reasoning_details") or ()]
    assert len(parts) > 1 and all(p["type"] == "reasoning.text" for p in parts)
    assert "".join(p["text"] for p in parts) == want["reasoning_content"]


def test_mistral_thinking_parts(client: httpx.Client) -> None:
    want = _reference(client, **THINK)
    message = _post(client, "mistral", **THINK).json()["choices"][0]["message"]
    thinking, text = message["content"]
    assert thinking == {
        "type": "thinking",
        "thinking": [{"type": "text", "text": want["reasoning_content"]}],
    }
    assert text == {"type": "text", "text": want["content"]}
    deltas = _deltas(client, "mistral", **THINK)
    lists = [d["content"] for d in deltas if isinstance(d.get("content"), list)]
    strings = [d["content"] for d in deltas if isinstance(d.get("content"), str)]
    assert len(lists) > 1
    assert (
        "".join(p["thinking"][0]["text"] for parts in lists for p in parts)
        == (want["reasoning_content"])
    )
    assert "".join(strings) == want["content"]


def test_mistral_tool_call_keeps_thinking_parts_without_text(client: httpx.Client) -> None:
    tool = {
        "type": "function",
        "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
    }
    message = _post(client, "mistral", tools=[tool], tool_choice="required", **THINK).json()[
        "choices"
    ][0]["message"]
    assert [p["type"] for p in message["content"]] == ["thinking"]
    assert message["tool_calls"][0]["function"]["name"] == "f"


@pytest.mark.parametrize("opened", [False, True])
def test_think_tags_with_and_without_the_opening_tag(client: httpx.Client, opened: bool) -> None:
    dialect = "think-tags" + ("" if opened else ",think_open_in_prompt")
    content = _post(client, dialect, seed=3).json()["choices"][0]["message"]["content"]
    assert content.startswith("<think>\n") is opened
    head, sep, answer = content.partition("\n</think>\n\n")
    assert sep and answer and head.strip()
    streamed = "".join(d.get("content") or "" for d in _deltas(client, dialect, seed=3))
    assert streamed == content


# -- usage -------------------------------------------------------------------------------------
def test_completion_tokens_exclude_reasoning(client: httpx.Client) -> None:
    plain = chat(client, **THINK).json()["usage"]
    usage = _post(client, "xai", **THINK).json()["usage"]
    reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
    assert reasoning == plain["completion_tokens_details"]["reasoning_tokens"] > 0
    assert usage["completion_tokens"] == plain["completion_tokens"] - reasoning
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] + reasoning
    items = parse_sse(
        _post(client, "xai", stream=True, stream_options={"include_usage": True}, **THINK).text
    )
    assert items[-2]["usage"] == usage


@pytest.mark.parametrize(
    ("where", "keys"),
    [
        ("prompt_tokens_details", {"prompt_tokens_details"}),
        ("prompt_cache_hit_tokens", {"prompt_cache_hit_tokens", "prompt_cache_miss_tokens"}),
        ("cached_tokens", {"cached_tokens"}),
    ],
)
def test_cached_tokens_field(
    client: httpx.Client, compat_server: ReferenceServer, where: str, keys: set[str]
) -> None:
    compat_server.set_dialect(Dialect(cached_tokens_field=where))  # type: ignore[arg-type]
    messages = [{"role": "system", "content": "You answer briefly. " * 20}, *USER]
    first = chat(client, messages=messages).json()["usage"]
    second = chat(client, messages=messages).json()["usage"]
    cache_keys = {"prompt_tokens_details", "prompt_cache_hit_tokens", "prompt_cache_miss_tokens"}
    assert set(second) & (cache_keys | {"cached_tokens"}) == keys
    hits = {
        "prompt_tokens_details": lambda u: u["prompt_tokens_details"]["cached_tokens"],
        "prompt_cache_hit_tokens": lambda u: u["prompt_cache_hit_tokens"],
        "cached_tokens": lambda u: u["cached_tokens"],
    }[where]
    assert hits(first) == 0 < hits(second) < second["prompt_tokens"]
    if where == "prompt_cache_hit_tokens":
        assert second["prompt_cache_miss_tokens"] == second["prompt_tokens"] - hits(second)


def test_moonshot_preset_words_usage_its_way(client: httpx.Client) -> None:
    items = parse_sse(_post(client, "moonshot", stream=True).text)
    usage = items[-2]["choices"][0]["usage"]
    assert "cached_tokens" in usage and "prompt_tokens_details" not in usage


# -- configuration -----------------------------------------------------------------------------
def test_new_switches_parse_and_round_trip() -> None:
    dialect = Dialect(
        reasoning_field="thinking_parts",
        think_open_in_prompt=True,
        completion_excludes_reasoning=True,
        cached_tokens_field="prompt_cache_hit_tokens",
    )
    assert parse_dialect(header_value(dialect)) == dialect
    assert parse_dialect("reasoning_field=reasoning_details").reasoning_field == (
        "reasoning_details"
    )
    assert DIALECT_PRESETS["xai"].completion_excludes_reasoning
    with pytest.raises(ValueError, match="cached_tokens_field"):
        parse_dialect("cached_tokens_field=somewhere")


def test_bad_cached_tokens_field_header_is_400(client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions",
        json={"model": "m", "messages": USER},
        headers={DIALECT_HEADER: "cached_tokens_field=nowhere"},
    )
    assert resp.status_code == 400


def test_mistral_random_seed_is_a_seed(client: httpx.Client) -> None:
    by_seed = chat(client, seed=9).json()["choices"][0]["message"]["content"]
    by_random_seed = chat(client, random_seed=9).json()["choices"][0]["message"]["content"]
    other = chat(client, random_seed=10).json()["choices"][0]["message"]["content"]
    assert by_seed == by_random_seed != other
