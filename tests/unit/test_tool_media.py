"""Images and files returned by tools reach Chat Completions servers that allow only text there."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_compat_chat._wire.request import build_body
from langchain_compat_chat.providers import get_provider

IMG = {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"}


def _history(*tool_messages: ToolMessage) -> list:
    calls = [{"name": "shot", "args": {}, "id": m.tool_call_id} for m in tool_messages]
    return [
        HumanMessage("look"),
        AIMessage("", tool_calls=calls),
        *tool_messages,
        HumanMessage("and?"),
    ]


def test_media_move_after_the_run_of_tool_results() -> None:
    history = _history(
        ToolMessage([{"type": "text", "text": "screen 1"}, IMG], tool_call_id="a"),
        ToolMessage("plain", tool_call_id="b"),
    )
    body = build_body(
        history, {"model": "m"}, get_provider("openai"), stream=False, stream_usage=True
    )
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["user", "assistant", "tool", "tool", "user", "user"]
    assert body["messages"][2]["content"] == "screen 1"
    attached = body["messages"][4]["content"]
    assert attached[0]["text"].endswith("tool call a:")
    assert attached[1]["type"] == "image_url"
    assert attached[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_media_only_result_gets_a_text_stub_and_trailing_user_message() -> None:
    history = _history(ToolMessage([IMG], tool_call_id="a"))[:-1]
    body = build_body(
        history, {"model": "m"}, get_provider("generic"), stream=False, stream_usage=True
    )
    assert body["messages"][-2]["content"] == "The result is attached below."
    assert body["messages"][-1]["role"] == "user"


def test_inline_profile_keeps_media_in_the_tool_message() -> None:
    profile = get_provider("vllm").replace(tool_media="inline")
    body = build_body(
        _history(ToolMessage([IMG], tool_call_id="a")),
        {"model": "m"},
        profile,
        stream=False,
        stream_usage=True,
    )
    tool = body["messages"][2]
    assert tool["role"] == "tool" and tool["content"][0]["type"] == "image_url"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "tool", "user"]


def test_named_tool_choice_on_servers_without_object_choice() -> None:
    tools = [
        {"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}},
        {"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}},
    ]
    params = {
        "model": "m",
        "tools": tools,
        "tool_choice": {"type": "function", "function": {"name": "b"}},
    }
    body = build_body(
        [HumanMessage("x")], params, get_provider("llamacpp"), stream=False, stream_usage=True
    )
    assert body["tool_choice"] == "required"
    assert [t["function"]["name"] for t in body["tools"]] == ["b"]
    kept = build_body(
        [HumanMessage("x")], params, get_provider("openai"), stream=False, stream_usage=True
    )
    assert kept["tool_choice"] == params["tool_choice"] and len(kept["tools"]) == 2
