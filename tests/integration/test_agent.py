"""A LangChain ``create_agent`` loop with two tools, run to completion over real sockets."""

from __future__ import annotations

import json
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import ReferenceServer

CALLS: list[str] = []


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    CALLS.append(f"weather:{city}")
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    CALLS.append(f"time:{city}")
    return f"09:00 in {city}"


def _tool_call_reply(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{call_id}",
        "object": "chat.completion",
        "created": 1,
        "model": "ref",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": json.dumps(args)},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def _tool_call_stream(call_id: str, name: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    text = json.dumps(args)
    head = {
        "index": 0,
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": ""},
    }
    base = {
        "id": f"chatcmpl-{call_id}",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "ref",
    }
    chunks = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [head]}}]}
    ]
    for i in range(0, len(text), 3):  # arguments in small fragments, no index after the first
        piece = {"function": {"arguments": text[i : i + 3]}}
        chunks.append({**base, "choices": [{"index": 0, "delta": {"tool_calls": [piece]}}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    return chunks


def test_create_agent_two_tools(compat_server: ReferenceServer) -> None:
    CALLS.clear()
    compat_server.enqueue(json_body=_tool_call_reply("call_w", "get_weather", {"city": "Lisbon"}))
    compat_server.enqueue(json_body=_tool_call_reply("call_t", "get_time", {"city": "Lisbon"}))
    model = ChatCompatModel(model="ref", base_url=compat_server.base_url)
    agent = create_agent(model, [get_weather, get_time], system_prompt="Use the tools.")
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "Weather and time in Lisbon?"}]}
    )
    messages = result["messages"]
    assert CALLS == ["weather:Lisbon", "time:Lisbon"]
    tool_results = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.tool_call_id for m in tool_results] == ["call_w", "call_t"]
    final = messages[-1]
    assert isinstance(final, AIMessage) and final.text and not final.tool_calls
    # The server saw each tool result answer its own call id, in order.
    last = compat_server.last_request
    assert last is not None
    wire = last.json["messages"]
    assert [m.get("tool_call_id") for m in wire if m["role"] == "tool"] == ["call_w", "call_t"]
    assert wire[-1]["role"] == "tool" and wire[-1]["content"] == "09:00 in Lisbon"
    assert {t["function"]["name"] for t in last.json["tools"]} == {"get_weather", "get_time"}


async def test_create_agent_streaming_async(compat_server: ReferenceServer) -> None:
    CALLS.clear()
    compat_server.enqueue(sse=_tool_call_stream("call_w", "get_weather", {"city": "Oslo"}))
    compat_server.enqueue(sse=_tool_call_stream("call_t", "get_time", {"city": "Oslo"}))
    model = ChatCompatModel(model="ref", base_url=compat_server.base_url, streaming=True)
    agent = create_agent(model, [get_weather, get_time])
    result = await agent.ainvoke(
        {"messages": [{"role": "user", "content": "Weather and time in Oslo?"}]}
    )
    assert CALLS == ["weather:Oslo", "time:Oslo"]
    assert result["messages"][-1].text


class Person(BaseModel):
    name: str
    age: int


def test_structured_output_streams_partial_dicts(compat_server: ReferenceServer) -> None:
    model = ChatCompatModel(model="ref", base_url=compat_server.base_url)
    schema = Person.model_json_schema()
    parts = list(model.with_structured_output(schema).stream("Describe someone"))
    assert parts and isinstance(parts[-1], dict)
    assert set(parts[-1]) == {"name", "age"} and isinstance(parts[-1]["age"], int)
    whole = model.with_structured_output(Person, method="json_schema", include_raw=True).invoke(
        "Someone, as json"
    )
    assert whole["parsing_error"] is None and isinstance(whole["parsed"], Person)
