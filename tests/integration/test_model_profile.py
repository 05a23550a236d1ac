"""``fetch_profile`` against the reference server, and what it unlocks in ``create_agent``.

``SummarizationMiddleware(trigger=("fraction", 0.8))`` needs ``profile["max_input_tokens"]``;
without a profile it refuses to be built. The reference server reports its context window as
vLLM's ``max_model_len``, so a model that fetched its profile can summarise over real sockets.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain_core.messages import AIMessage, HumanMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import ReferenceServer
from langchain_compat_chat.testing._generate import count_tokens

CONTEXT = 2000


def _history(turns: int) -> list[HumanMessage | AIMessage]:
    messages: list[HumanMessage | AIMessage] = []
    for i in range(turns):
        messages.append(HumanMessage(f"Question {i}: " + "tell me about the harbour " * 8))
        messages.append(AIMessage(f"Answer {i}: " + "the harbour is calm today " * 8))
    return messages


def test_fetch_profile_reads_the_servers_context(
    compat_server_factory: Callable[..., ReferenceServer],
) -> None:
    srv = compat_server_factory(context_window=CONTEXT, models=("ref",))
    llm = ChatCompatModel(model="ref", base_url=srv.base_url, provider="vllm")
    assert llm.profile is None
    assert llm.fetch_profile() == {"max_input_tokens": CONTEXT}
    assert llm.profile == {"max_input_tokens": CONTEXT}
    assert [r.path for r in srv.requests] == ["/v1/models"]


async def test_afetch_profile_reads_the_servers_context(
    compat_server_factory: Callable[..., ReferenceServer],
) -> None:
    srv = compat_server_factory(context_window=CONTEXT, models=("ref",))
    llm = ChatCompatModel(model="ref", base_url=srv.base_url)
    assert await llm.afetch_profile() == {"max_input_tokens": CONTEXT}


def test_fractional_summarization_needs_and_gets_the_profile(
    compat_server_factory: Callable[..., ReferenceServer],
) -> None:
    srv = compat_server_factory(context_window=CONTEXT, models=("ref",))
    llm = ChatCompatModel(model="ref", base_url=srv.base_url)
    # Before: the middleware cannot turn 0.8 into a token count.
    with pytest.raises(ValueError, match="Model profile information is required"):
        SummarizationMiddleware(model=llm, trigger=("fraction", 0.8), keep=("messages", 2))

    llm.fetch_profile()
    middleware = SummarizationMiddleware(model=llm, trigger=("fraction", 0.8), keep=("messages", 2))
    agent = create_agent(llm, [], middleware=[middleware])
    history = _history(16)  # ~1,800 estimated tokens: over 0.8 * 2,000
    result = agent.invoke({"messages": [*history, HumanMessage("And now?")]})

    messages = result["messages"]
    summaries = [
        m
        for m in messages
        if isinstance(m, HumanMessage) and m.additional_kwargs.get("lc_source") == "summarization"
    ]
    assert len(summaries) == 1
    assert len(messages) < len(history)  # the old turns were replaced by the summary
    assert isinstance(messages[-1], AIMessage) and messages[-1].text
    chats = [r for r in srv.requests if r.path == "/v1/chat/completions"]
    # The whole history overflows the server's window in the first summary request; the
    # server's 400 arrives as langchain-core's ContextOverflowError, which the middleware
    # catches and answers with a shorter prompt cut to 40% of the fetched max_input_tokens.
    # Then the agent's own call sees the summary instead of the old turns.
    first, retry, answer = (count_tokens(str(r.json["messages"])) for r in chats)
    assert first > CONTEXT >= retry
    assert answer < retry
    answered = str(chats[-1].json["messages"])
    assert "Here is a summary of the conversation to date" in answered
    assert "Question 0" not in answered
