"""The Responses API body: items, renamed fields, refusals before sending, chaining."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.errors import InvalidRequestError

BASE = "http://responses.test/v1"
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


class GetWeather(BaseModel):
    """Weather for a city."""

    city: str


OTHER = {**TOOL, "function": {**TOOL["function"], "name": "get_time"}}
REPLY = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "m",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "content": [{"type": "output_text", "text": '{"name": "x"}', "annotations": []}],
        }
    ],
    "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
}


def _model(provider: str = "openai", **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model="m", base_url=BASE, api_key="k", provider=provider, api="responses", **kw
    )


def _body(model: Any, messages: Any = "hi", **kw: Any) -> dict[str, Any]:
    with respx.mock() as router:
        route = router.post(f"{BASE}/responses").mock(return_value=httpx.Response(200, json=REPLY))
        model.invoke(messages, **kw)
        return json.loads(route.calls.last.request.content)  # type: ignore[no-any-return]


def test_a_plain_call_is_stateless_and_asks_for_encrypted_reasoning() -> None:
    body = _body(_model(max_tokens=20, reasoning_effort="low", temperature=0.5))
    assert body == {
        "model": "m",
        "temperature": 0.5,
        "max_output_tokens": 20,
        "reasoning": {"effort": "low"},
        "input": [{"type": "message", "role": "user", "content": "hi"}],
        "store": False,
        "include": ["reasoning.encrypted_content"],
    }


def test_no_encrypted_include_where_the_dialect_does_not_take_it() -> None:
    assert "include" not in _body(_model("ollama"))


def test_the_history_becomes_items_with_reasoning_back_verbatim() -> None:
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAA"}
    answer = AIMessage(
        content="Let me look.",
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}],
        additional_kwargs={"reasoning_items": [reasoning], "function_call_ids": {"call_1": "fc_1"}},
        response_metadata={"id": "resp_0"},
    )
    history = [
        SystemMessage("Be brief."),
        HumanMessage(
            [
                {"type": "text", "text": "Weather?"},
                {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
            ]
        ),
        answer,
        ToolMessage("sunny", tool_call_id="call_1"),
    ]
    body = _body(_model(), history)
    assert body["input"] == [
        {"type": "message", "role": "system", "content": "Be brief."},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Weather?"},
                {"type": "input_image", "image_url": "https://x/a.png", "detail": "auto"},
            ],
        },
        reasoning,
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Let me look.", "annotations": []}],
        },
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
            "id": "fc_1",
        },
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
    ]
    assert "previous_response_id" not in body and body["store"] is False


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("any", "required"),
        (True, "required"),
        ("GetWeather", {"type": "function", "name": "GetWeather"}),
    ],
)
def test_tools_are_flattened_and_tool_choice_mapped(choice: Any, sent: Any) -> None:
    body = _body(_model().bind_tools([GetWeather, OTHER], tool_choice=choice, strict=True))
    first = body["tools"][0]
    assert first.keys() == {"type", "name", "description", "parameters", "strict"}
    assert (first["type"], first["name"], first["strict"]) == ("function", "GetWeather", True)
    assert first["parameters"]["properties"]["city"]["type"] == "string"
    assert body["tool_choice"] == sent


def test_a_named_choice_where_objects_are_ignored_becomes_required_with_one_tool() -> None:
    body = _body(_model("llamacpp").bind_tools([TOOL, OTHER], tool_choice="get_time"))
    assert body["tool_choice"] == "required"
    assert [t["name"] for t in body["tools"]] == ["get_time"]


class Person(BaseModel):
    name: str


def test_json_schema_goes_in_text_format() -> None:
    model = _model()
    with respx.mock() as router:
        route = router.post(f"{BASE}/responses").mock(return_value=httpx.Response(200, json=REPLY))
        parsed = model.with_structured_output(Person, method="json_schema", strict=True).invoke("x")
    body = json.loads(route.calls.last.request.content)
    assert parsed == Person(name="x")
    assert body["text"]["format"]["type"] == "json_schema"
    assert body["text"]["format"]["name"] == "Person"
    assert body["text"]["format"]["strict"] is True
    assert "response_format" not in body


def test_json_mode_and_llamacpp_keep_response_format() -> None:
    body = _body(_model().bind(response_format={"type": "json_object"}))
    assert body["text"] == {"format": {"type": "json_object"}}
    body = _body(_model("llamacpp").bind(response_format={"type": "json_object"}))
    assert body["response_format"] == {"type": "json_object"} and "text" not in body


@pytest.mark.parametrize(
    ("field", "value"),
    [("stop", ["\n"]), ("seed", 1), ("logit_bias", {"1": 1.0}), ("frequency_penalty", 0.1)],
)
def test_chat_only_fields_are_refused_before_sending(field: str, value: Any) -> None:
    model = _model(**{field: value})
    with respx.mock(assert_all_called=False) as router:
        route = router.post(f"{BASE}/responses")
        with pytest.raises(InvalidRequestError, match=f"{field}= cannot be sent"):
            model.invoke("hi")
        assert not route.called


def test_n_above_one_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="n=2"):
        _body(_model(n=2))


def test_a_dialect_that_takes_stop_sends_it() -> None:
    assert _body(_model("vllm", stop=["END"]))["stop"] == ["END"]
    assert _body(_model(dialect={"responses_params": ["seed"]}, seed=3))["seed"] == 3


def test_chaining_sends_only_the_new_turns_where_the_preset_allows_it() -> None:
    earlier = AIMessage("Hello", response_metadata={"id": "resp_0"})
    history = [HumanMessage("hi"), earlier, HumanMessage("and now?")]
    body = _body(_model(use_previous_response_id=True), history)
    assert body["previous_response_id"] == "resp_0"
    assert body["store"] is True and "include" not in body
    assert body["input"] == [{"type": "message", "role": "user", "content": "and now?"}]


def test_chaining_is_refused_on_a_stateless_preset() -> None:
    with pytest.raises(ValueError, match="use_previous_response_id"):
        _model("ollama", use_previous_response_id=True)
    with pytest.raises(InvalidRequestError, match="previous_response_id"):
        _body(_model("ollama"), "hi", previous_response_id="resp_0")


def test_a_preset_without_a_responses_api_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="api='responses'"):
        _model("mistral")
    assert _model("mistral", dialect={"responses_api": True}).api == "responses"


def test_audio_input_has_no_responses_form() -> None:
    audio = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
    with pytest.raises(ValueError, match="no Responses API form"):
        _body(_model(), [HumanMessage([audio])])


def test_every_preset_keeps_chat_as_its_default() -> None:
    from langchain_compat_chat import known_providers

    for name in known_providers():
        assert ChatCompatModel(model="m", base_url=BASE, provider=name).api == "chat"
