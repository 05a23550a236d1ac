"""Claude 5.x on Anthropic's OpenAI-compatible endpoint: the request each model accepts (respx).

Anthropic's model pages (cited in ``_claude_rules.py``): Opus 5.5, Sonnet 5.5 and Fable 5.1
answer 400 to a forced ``tool_choice`` whatever the thinking, so it goes out as ``"auto"``
with only the named tool and the answer is checked for the call; Opus 5.5 and Fable cannot
switch thinking off, Sonnet 5.5 goes lowest with ``between_tools``; Opus 5, Sonnet 5,
Haiku 5.5 and Fable 5 take a forced tool as it is; every Claude 5 model refuses a manual
budget and ``temperature``/``top_p``. Older Claude models keep what they had.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel, ForcedToolCallError
from langchain_compat_chat.dialects import resolve_dialect
from langchain_compat_chat.providers import get_provider
from tests.unit.test_stream import ev

BASE = "http://claude5.test/v1"
URL = f"{BASE}/chat/completions"
NO_FORCING = ["claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1", "claude-mythos-5-1"]
FORCING_OK = ["claude-opus-5", "claude-sonnet-5", "claude-haiku-5-5", "claude-fable-5"]


class Weather(BaseModel):
    """A weather report."""

    city: str


@tool
def get_time(zone: str) -> str:
    """Time in a zone."""
    return "noon"


def llm(model: str, provider: str | None = "anthropic", **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model=model, provider=provider, base_url=BASE, api_key="sk-x-000000", max_retries=0, **kw
    )


CALL = {
    "id": "toolu_1",
    "type": "function",
    "function": {"name": "Weather", "arguments": '{"city":"Oslo"}'},
}


def reply(message: dict[str, Any]) -> httpx.Response:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    choice = {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
    return httpx.Response(200, json={"id": "r", "model": "m", "choices": [choice]})


def sse(events: list[dict[str, Any]]) -> httpx.Response:
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})


TOOL_CALL = reply({"content": None, "tool_calls": [CALL]})
TEXT = reply({"content": "It is sunny in Oslo."})


def sent(runnable: Any, answer: httpx.Response = TEXT) -> tuple[Any, dict[str, Any]]:
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=answer)
        out = runnable.invoke("Weather in Oslo?")
    body: dict[str, Any] = json.loads(route.calls.last.request.content)
    return out, body


# -- resolution: which model gets which rule ------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "forced", "off", "default"),
    [
        ("claude-opus-5-5", "never", None, True),
        ("claude-sonnet-5-5", "never", "between_tools", True),
        ("claude-fable-5-1", "never", None, True),
        ("claude-mythos-5-1", "never", None, True),
        ("claude-opus-5", "allowed", "disabled", True),
        ("claude-sonnet-5", "allowed", "disabled", True),
        ("claude-haiku-5-5", "allowed", "disabled", True),
        ("claude-fable-5", "allowed", None, True),
        # older models keep what they had
        ("claude-opus-4-8", "disable_thinking", "disabled", False),
        ("claude-opus-4-7", "disable_thinking", "disabled", False),
    ],
)
def test_each_claude_model_gets_its_rules(
    model: str, forced: str, off: str | None, default: bool
) -> None:
    d = resolve_dialect(get_provider("anthropic"), model)
    assert (d.forced_tool, d.thinking_off_type, d.thinking_default) == (forced, off, default)
    assert d.thinking_style == "thinking_adaptive"
    assert d.drop_params == {"temperature", "top_p"}


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "claude-haiku-4-5-20251001"])
def test_claude_4_5_keeps_budgets_sampling_and_forced_tools_without_thinking(model: str) -> None:
    d = resolve_dialect(get_provider("anthropic"), model)
    assert (d.thinking_style, d.forced_tool, d.drop_params) == (
        "thinking_budget",
        "disable_thinking",
        frozenset(),
    )
    _, body = sent(llm(model, temperature=0.3).bind_tools([Weather], tool_choice="any"), TOOL_CALL)
    assert body["tool_choice"] == "required" and body["temperature"] == 0.3


@pytest.mark.parametrize(
    ("provider", "model"),
    [("openrouter", "anthropic/claude-opus-5.5"), (None, "claude-sonnet-5-5")],
)
def test_forced_tools_are_refused_behind_gateways_too(provider: str | None, model: str) -> None:
    # OpenRouter's migration page: tool_choice any or a named tool returns a 400 there too.
    assert resolve_dialect(get_provider(provider or "generic"), model).forced_tool == "never"


# -- Opus 5.5, Sonnet 5.5, Fable 5.1: "auto" with the named tool, the answer checked --------------
@pytest.mark.parametrize("model", NO_FORCING)
@pytest.mark.parametrize("thinking", [None, True])
def test_structured_output_sends_auto_without_disabled_thinking(
    model: str, thinking: bool | None
) -> None:
    structured = llm(model, thinking=thinking, temperature=0.2, top_p=0.9)
    out, body = sent(structured.with_structured_output(Weather), TOOL_CALL)
    assert out == Weather(city="Oslo")
    assert body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == ["Weather"]
    assert body.get("thinking") == ({"type": "adaptive"} if thinking else None)
    assert "temperature" not in body and "top_p" not in body


@pytest.mark.parametrize("model", NO_FORCING)
def test_bind_tools_any_and_named_go_out_as_auto(model: str) -> None:
    tools = [Weather, get_time]
    _, body = sent(llm(model).bind_tools(tools, tool_choice="any"), TOOL_CALL)
    assert body["tool_choice"] == "auto" and len(body["tools"]) == 2  # any tool will do
    _, body = sent(llm(model).bind_tools(tools, tool_choice="Weather"), TOOL_CALL)
    assert body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == ["Weather"]


async def test_an_answer_without_the_call_is_a_typed_error_in_every_mode() -> None:
    model = llm("claude-opus-5-5").with_structured_output(Weather)
    text_stream = sse([ev({"content": "It is sunny."}, finish="stop")])
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=TEXT)
        with pytest.raises(ForcedToolCallError, match="say in the prompt") as caught:
            model.invoke("x")
        assert "forced_tool='never'" in str(caught.value)
        with pytest.raises(ForcedToolCallError):
            await model.ainvoke("x")
        route.mock(return_value=text_stream)
        with pytest.raises(ForcedToolCallError):
            list(model.stream("x"))
        with pytest.raises(ForcedToolCallError):
            async for _ in model.astream("x"):
                pass
        streamed_body = json.loads(route.calls.last.request.content)
        assert streamed_body["stream"] is True and streamed_body["tool_choice"] == "auto"
        route.mock(return_value=sse([ev({"tool_calls": [{"index": 0, **CALL}]}, "tool_calls")]))
        assert list(model.stream("x"))[-1] == Weather(city="Oslo")


def test_bind_tools_stream_checks_the_call_too() -> None:
    bound = llm("claude-sonnet-5-5", streaming=True).bind_tools([Weather], tool_choice="any")
    with respx.mock() as router:
        router.post(URL).mock(return_value=sse([ev({"content": "no"}, finish="stop")]))
        with pytest.raises(ForcedToolCallError):
            bound.invoke("x")


# -- switching thinking off -----------------------------------------------------------------------
def test_sonnet_5_5_switches_up_front_thinking_off_with_between_tools() -> None:
    _, body = sent(llm("claude-sonnet-5-5", thinking=False))
    assert body["thinking"] == {"type": "between_tools"}


@pytest.mark.parametrize("model", ["claude-opus-5-5", "claude-fable-5-1", "claude-fable-5"])
def test_thinking_false_raises_before_sending_where_it_cannot_be_off(model: str) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.post(URL).mock(return_value=TEXT)
        with pytest.raises(ValueError, match="thinks on every request"):
            llm(model, thinking=False).invoke("x")
    assert not route.called


# -- Opus 5, Sonnet 5, Haiku 5.5, Fable 5: the forced tool goes out as asked --------------------
@pytest.mark.parametrize("model", FORCING_OK)
def test_forced_tool_goes_out_as_asked_with_adaptive_thinking(model: str) -> None:
    out, body = sent(llm(model, thinking=True).with_structured_output(Weather), TOOL_CALL)
    assert out == Weather(city="Oslo")
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    assert body["thinking"] == {"type": "adaptive"}  # never "disabled" (400 on Fable 5)
    _, body = sent(llm(model).bind_tools([Weather, get_time], tool_choice="any"), TOOL_CALL)
    assert body["tool_choice"] == "required" and "thinking" not in body


@pytest.mark.parametrize("model", [*FORCING_OK, *NO_FORCING])
def test_every_claude_5_model_refuses_budgets_and_sampling(model: str) -> None:
    _, body = sent(llm(model, thinking=4096, temperature=0.0, top_p=0.5))
    assert body["thinking"] == {"type": "adaptive"}
    assert "temperature" not in body and "top_p" not in body
