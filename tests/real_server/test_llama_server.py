"""Checks against llama.cpp's real ``llama-server`` (``../shared/real-server``), opt in.

They run only when ``COMPAT_REAL_SERVER_URL`` names a running server, e.g. after
``bash ../shared/real-server/setup.sh`` (a ~15 minute C++ build, outside CI's 15-minute
budget) and ``bash ../shared/real-server/start.sh``::

    COMPAT_REAL_SERVER_URL=http://127.0.0.1:8089/v1 .venv/bin/python -m pytest tests/real_server

What they prove is what our reference server cannot: that the exact-count endpoint and the
context size we read are the real server's, and agree with what it reports on a real call.
"""

from __future__ import annotations

import os

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_compat_chat import ChatCompatModel

URL = os.environ.get("COMPAT_REAL_SERVER_URL")

pytestmark = pytest.mark.skipif(
    not URL,
    reason="needs llama.cpp's llama-server from ../shared/real-server: set COMPAT_REAL_SERVER_URL",
)

# One token per "a " under Qwen2's BPE, half the chars/4 estimate: a count that came from
# the estimate instead of the server would be off by about a hundred.
MESSAGES = [
    SystemMessage("You are terse."),
    HumanMessage("Count these: " + "a " * 200),
]


def _model(**kwargs: object) -> ChatCompatModel:
    return ChatCompatModel(
        provider="llamacpp", base_url=URL, model="tiny-qwen2.5", max_tokens=4, **kwargs
    )


def test_server_count_equals_the_prompt_tokens_of_a_real_call() -> None:
    """The count asked of /chat/completions/input_tokens is the call's own prompt_tokens."""
    model = _model(token_counting="server")
    counted = model.get_num_tokens_from_messages(MESSAGES)
    usage = model.invoke(MESSAGES).usage_metadata
    assert usage is not None
    assert counted == usage["input_tokens"]
    assert counted != _model().get_num_tokens_from_messages(MESSAGES)  # not the estimate


def test_server_count_includes_the_tools() -> None:
    model = _model(token_counting="server")
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    plain = model.get_num_tokens_from_messages(MESSAGES)
    with_tools = model.get_num_tokens_from_messages(MESSAGES, tools=[tool])
    assert with_tools > plain


async def test_fetch_profile_reads_the_servers_context_size() -> None:
    model = _model()
    profile = await model.afetch_profile()
    assert profile == model.profile
    assert isinstance(profile.get("max_input_tokens"), int)
    assert profile["max_input_tokens"] > 0
    assert model.fetch_profile()["max_input_tokens"] == profile["max_input_tokens"]
