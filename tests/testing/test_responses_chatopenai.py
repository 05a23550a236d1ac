"""The Responses endpoint through an independent client: ``ChatOpenAI(use_responses_api=True)``.

langchain-openai drives the openai SDK, which parses every response object and stream
event into its typed models and raises on an ``error`` or ``response.failed`` event. A
shape this server got wrong shows up here as a parse failure or a lost field, without
our own client in the loop.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from langchain_compat_chat.testing import Fault, ReferenceServer


class Person(BaseModel):
    """A person."""

    name: str = Field(description="Full name")
    age: int = Field(ge=0, le=150)


def get_weather(city: str) -> str:
    """Get the weather of a city."""
    return f"sunny in {city}"


def make(srv: ReferenceServer, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(
        use_responses_api=True,
        base_url=srv.base_url,
        api_key="x",  # type: ignore[arg-type]
        model="m",
        max_retries=0,
        **kwargs,
    )


@pytest.fixture
def llm(compat_server: ReferenceServer) -> Iterator[ChatOpenAI]:
    yield make(compat_server)


def joined(chunks: Iterator[AIMessageChunk]) -> AIMessageChunk:
    full: AIMessageChunk | None = None
    for chunk in chunks:
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


def test_invoke_and_stream_agree(llm: ChatOpenAI, compat_server: ReferenceServer) -> None:
    msg = llm.invoke("Hello")
    assert isinstance(msg, AIMessage) and msg.text
    assert msg.response_metadata["status"] == "completed"
    assert msg.usage_metadata is not None and msg.usage_metadata["input_tokens"] > 0
    full = joined(llm.stream("Hello"))
    assert full.text == msg.text
    assert full.usage_metadata == msg.usage_metadata
    assert len(compat_server.responses_requests) == len(compat_server.requests) == 2
    assert compat_server.chat_requests == []


async def test_async_invoke_and_stream(llm: ChatOpenAI) -> None:
    msg = await llm.ainvoke("Hello")
    chunks = [c async for c in llm.astream("Hello")]
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total.text == msg.text and len(chunks) > 2


def test_forced_tool_call_streamed_equals_invoked(llm: ChatOpenAI) -> None:
    bound = llm.bind_tools([get_weather], tool_choice="get_weather")
    msg = bound.invoke("weather in Paris?")
    assert [c["name"] for c in msg.tool_calls] == ["get_weather"]
    assert isinstance(msg.tool_calls[0]["args"]["city"], str)
    full = joined(bound.stream("weather in Paris?"))
    assert full.tool_calls == msg.tool_calls


def test_two_turn_tool_loop(llm: ChatOpenAI) -> None:
    bound = llm.bind_tools([get_weather])
    first = bound.invoke("weather in Paris?")
    assert first.tool_calls
    call = first.tool_calls[0]
    history = [
        HumanMessage("weather in Paris?"),
        first,
        ToolMessage(get_weather(**call["args"]), tool_call_id=call["id"]),
    ]
    second = bound.invoke(history)
    assert second.text and not second.tool_calls


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output(llm: ChatOpenAI, method: str) -> None:
    prompt = "Describe a person as JSON." if method == "json_mode" else "Describe a person."
    schema: Any = Person if method != "json_mode" else None
    if method == "json_mode":
        out = llm.with_structured_output(method="json_mode").invoke(prompt)
        assert isinstance(out, dict)
        return
    out = llm.with_structured_output(schema, method=method).invoke(prompt)
    assert isinstance(out, Person) and 0 <= out.age <= 150
    streamed = list(llm.with_structured_output(schema, method=method).stream(prompt))
    assert isinstance(streamed[-1], Person)


def test_multi_turn_with_sealed_reasoning_items(compat_server: ReferenceServer) -> None:
    llm = make(
        compat_server,
        reasoning={"effort": "low", "summary": "auto"},
        include=["reasoning.encrypted_content"],
        store=False,
    )
    bound = llm.bind_tools([get_weather], tool_choice="required")
    first = bound.invoke("weather in Paris?")
    kinds = [b["type"] for b in first.content if isinstance(b, dict)]
    assert kinds[0] == "reasoning" and "function_call" in kinds
    call = first.tool_calls[0]
    second = llm.bind_tools([get_weather]).invoke(
        [
            HumanMessage("weather in Paris?"),
            first,
            ToolMessage("sunny", tool_call_id=call["id"]),
        ]
    )
    assert second.text
    sent = compat_server.requests[-1].json
    reasoning = [i for i in sent["input"] if i.get("type") == "reasoning"]
    assert reasoning and reasoning[0]["encrypted_content"]


def test_previous_response_id_chaining(compat_server: ReferenceServer) -> None:
    llm = make(compat_server, store=True)
    first = llm.invoke("Hello")
    second = llm.invoke("And then?", previous_response_id=first.response_metadata["id"])
    assert second.text
    assert compat_server.requests[-1].json["previous_response_id"] == first.response_metadata["id"]
    with pytest.raises(openai.BadRequestError) as info:
        llm.invoke("x", previous_response_id="resp_unknown")
    assert info.value.code == "previous_response_not_found"


def test_errors_are_the_sdk_errors(compat_server_factory: Any) -> None:
    srv = compat_server_factory(api_key="sk-right-key-123456", context_window=40)
    with pytest.raises(openai.AuthenticationError):
        make(srv).invoke("x")
    good = ChatOpenAI(
        use_responses_api=True, base_url=srv.base_url, api_key="sk-right-key-123456", model="m",
        max_retries=0,
    )  # fmt: skip
    with pytest.raises(openai.BadRequestError) as info:
        good.invoke("word " * 100)
    assert info.value.code == "context_length_exceeded"
    srv.enqueue_fault(Fault(stream_error_after_chunks=3, status=500))
    with pytest.raises(ValueError, match="server_error"):
        list(good.stream("x"))
    srv.enqueue_fault(Fault(status=503))
    with pytest.raises(openai.InternalServerError):
        good.invoke("x")


def test_streamed_events_parse_in_the_sdk(compat_server: ReferenceServer) -> None:
    client = openai.OpenAI(base_url=compat_server.base_url, api_key="x", max_retries=0)
    seen: list[str] = []
    with client.responses.stream(
        model="m",
        input="think",
        reasoning={"effort": "low", "summary": "auto"},
        tools=[
            {"type": "function", "name": "f", "parameters": {"type": "object", "properties": {}}}
        ],
        tool_choice="required",
    ) as stream:
        for event in stream:
            seen.append(event.type)
        final = stream.get_final_response()
    assert "response.reasoning_summary_text.delta" in seen
    assert "response.function_call_arguments.done" in seen
    assert [o.type for o in final.output] == ["reasoning", "function_call"]
    assert json.loads(final.output[1].arguments) == {}  # type: ignore[union-attr]


def test_scripted_responses_stream_replays(llm: ChatOpenAI, compat_server: ReferenceServer) -> None:
    with httpx.Client(base_url=compat_server.base_url) as c:
        body = {"model": "m", "input": "Hello", "stream": True}
        raw = c.post("/responses", json=body).text
    blocks = [b + "\n\n" for b in raw.strip().split("\n\n")]
    compat_server.enqueue(sse=blocks, done=False)
    replayed = joined(llm.stream("anything"))
    assert replayed.text == llm.invoke("Hello").text
