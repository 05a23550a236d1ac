"""Wire JSON -> ChatResult (``_response``): content, reasoning, usage, tool calls, metadata."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.token_usage import usage_to_metadata
from langchain_compat_chat.errors import (
    AuthenticationError,
    CompatChatError,
    ContextOverflowError,
    MalformedResponseError,
    ProviderError,
    RateLimitError,
)

BASE = "http://test.local/v1"


def completion(message: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    msg = {"role": "assistant", "content": "hi", **(message or {})}
    data: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "m-1",
        "system_fingerprint": "fp_1",
        "choices": [{"index": 0, "message": msg, "finish_reason": "stop"}],
    }
    data.update(top)
    return data


def parse(data: Any, provider: str = "compat") -> AIMessage:
    msg = to_chat_result(data, provider).generations[0].message
    assert isinstance(msg, AIMessage)
    return msg


# -- content ------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [None, ""])
def test_empty_content(content: Any) -> None:
    assert parse(completion({"content": content})).content == ""


def test_content_list_with_thinking_parts() -> None:
    content = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "step 1. "}]},
        {"type": "thinking", "thinking": "step 2."},
        {"type": "text", "text": "Answer"},
        " done",
    ]
    msg = parse(completion({"content": content}))
    assert msg.content == "Answer done"
    assert msg.additional_kwargs["reasoning_content"] == "step 1. step 2."


def test_content_of_wrong_type_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        parse(completion({"content": 42}))


# -- reasoning ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
def test_reasoning_fields(key: str) -> None:
    msg = parse(completion({key: "because"}))
    assert msg.additional_kwargs["reasoning_content"] == "because"
    blocks = msg.content_blocks
    assert blocks[0]["type"] == "reasoning"
    assert blocks[0].get("reasoning") == "because"
    assert blocks[-1] == {"type": "text", "text": "hi"} or blocks[-1].get("text") == "hi"


def test_reasoning_content_wins_over_reasoning() -> None:
    msg = parse(completion({"reasoning_content": "a", "reasoning": "b"}))
    assert msg.additional_kwargs["reasoning_content"] == "a"


def test_reasoning_details_text_and_round_trip_kept() -> None:
    details = [
        {"type": "reasoning.text", "text": "one "},
        {"type": "reasoning.summary", "summary": "two"},
        {"type": "reasoning.encrypted", "data": "xxx"},
    ]
    msg = parse(completion({"reasoning_details": details}))
    assert msg.additional_kwargs["reasoning_content"] == "one two"
    assert msg.additional_kwargs["reasoning_details"] == details


def test_no_reasoning_no_key() -> None:
    assert "reasoning_content" not in parse(completion({"reasoning": None})).additional_kwargs


# -- usage --------------------------------------------------------------------------------------
def test_usage_basic_and_cached_and_reasoning() -> None:
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 50,
        "total_tokens": 150,
        "prompt_tokens_details": {"cached_tokens": 80, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 20},
    }
    msg = parse(completion(usage=usage))
    assert msg.usage_metadata == {
        "input_tokens": 100,
        "output_tokens": 50,
        "total_tokens": 150,
        "input_token_details": {"cache_read": 80},
        "output_token_details": {"reasoning": 20},
    }
    assert msg.response_metadata["token_usage"] == usage


def test_usage_deepseek_prompt_cache_hit_tokens() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "total_tokens": 12,
        "prompt_cache_hit_tokens": 8,
        "prompt_cache_miss_tokens": 2,
    }
    meta = usage_to_metadata(usage)
    assert meta.get("input_token_details") == {"cache_read": 8}


def test_usage_xai_reasoning_outside_completion_is_added_back() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "total_tokens": 45,
        "completion_tokens_details": {"reasoning_tokens": 30},
    }
    meta = usage_to_metadata(usage)
    assert meta["output_tokens"] == 35 and meta["total_tokens"] == 45
    assert meta["input_tokens"] + meta["output_tokens"] == meta["total_tokens"]


def test_usage_reasoning_inside_completion_not_double_counted() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 35,
        "total_tokens": 45,
        "completion_tokens_details": {"reasoning_tokens": 30},
    }
    assert usage_to_metadata(usage)["output_tokens"] == 35


def test_usage_nulls_and_missing_total() -> None:
    usage = {
        "prompt_tokens": 3,
        "completion_tokens": None,
        "prompt_tokens_details": None,
        "completion_tokens_details": None,
    }
    assert usage_to_metadata(usage) == {"input_tokens": 3, "output_tokens": 0, "total_tokens": 3}


def test_usage_in_x_groq() -> None:
    data = completion(x_groq={"id": "req_1", "usage": {"prompt_tokens": 4, "completion_tokens": 1}})
    msg = parse(data)
    assert msg.usage_metadata is not None and msg.usage_metadata["total_tokens"] == 5
    assert msg.response_metadata["x_groq"]["id"] == "req_1"


def test_usage_inside_choice() -> None:
    data = completion()
    data["choices"][0]["usage"] = {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    msg = parse(data)
    assert msg.usage_metadata is not None and msg.usage_metadata["total_tokens"] == 4
    assert "usage" not in msg.response_metadata


def test_no_usage() -> None:
    assert parse(completion()).usage_metadata is None


# -- metadata -----------------------------------------------------------------------------------
def test_response_metadata_and_unknown_fields_preserved() -> None:
    data = completion({"annotations": [{"type": "url_citation"}], "audio": None})
    data["choices"][0]["logprobs"] = {"content": [{"token": "hi", "logprob": -0.1}]}
    data["choices"][0]["stop_reason"] = "eos"
    data["citations"] = ["https://a"]
    data["service_tier"] = "default"
    msg = parse(data, "deepseek")
    meta = msg.response_metadata
    assert meta["model_provider"] == "deepseek"
    assert meta["model_name"] == "m-1"
    assert meta["finish_reason"] == "stop"
    assert meta["id"] == "chatcmpl-1"
    assert meta["system_fingerprint"] == "fp_1"
    assert meta["logprobs"] == data["choices"][0]["logprobs"]
    assert meta["citations"] == ["https://a"]
    assert meta["stop_reason"] == "eos"
    assert meta["service_tier"] == "default"
    assert meta["created"] == 1700000000
    assert msg.additional_kwargs["annotations"] == [{"type": "url_citation"}]
    assert "audio" not in msg.additional_kwargs  # null unknown fields are noise
    assert msg.id == "chatcmpl-1"


def test_refusal() -> None:
    msg = parse(completion({"content": None, "refusal": "I can't help with that."}))
    assert msg.additional_kwargs["refusal"] == "I can't help with that."


# -- tool calls ---------------------------------------------------------------------------------
def _call(arguments: Any, **kw: Any) -> dict[str, Any]:
    return {
        "id": "call_1",
        "type": "function",
        "function": {"name": "f", "arguments": arguments},
        **kw,
    }


def test_tool_call_arguments_string_and_object() -> None:
    for args in ('{"a": 1, "b": "ü"}', {"a": 1, "b": "ü"}):
        msg = parse(completion({"content": None, "tool_calls": [_call(args)]}))
        assert msg.tool_calls == [
            {"name": "f", "args": {"a": 1, "b": "ü"}, "id": "call_1", "type": "tool_call"}
        ]
        assert not msg.invalid_tool_calls


@pytest.mark.parametrize("args", ["", None])
def test_tool_call_empty_arguments(args: Any) -> None:
    msg = parse(completion({"tool_calls": [_call(args)]}))
    assert msg.tool_calls[0]["args"] == {}


@pytest.mark.parametrize("args", ['{"a": 1', "[1, 2]", "null", "not json"])
def test_bad_tool_call_json_goes_to_invalid(args: str) -> None:
    msg = parse(completion({"tool_calls": [_call(args), _call('{"ok": true}', id="call_2")]}))
    assert [tc["id"] for tc in msg.tool_calls] == ["call_2"]
    (bad,) = msg.invalid_tool_calls
    assert bad["args"] == args and bad["name"] == "f" and bad["id"] == "call_1"
    assert bad["error"]


def test_missing_tool_call_id_is_generated_and_stable() -> None:
    data = completion({"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}] * 2})
    first = parse(copy.deepcopy(data))
    again = parse(copy.deepcopy(data))
    ids = [tc["id"] for tc in first.tool_calls]
    assert all(ids) and ids[0] != ids[1]
    assert ids == [tc["id"] for tc in again.tool_calls]


def test_legacy_function_call() -> None:
    fc = {"name": "f", "arguments": '{"a": 1}'}
    msg = parse(completion({"content": None, "function_call": fc}))
    assert msg.additional_kwargs["function_call"] == fc


def test_llamacpp_flat_tool_call_shape() -> None:
    msg = parse(completion({"tool_calls": [{"id": "c", "name": "f", "arguments": {"x": 2}}]}))
    assert msg.tool_calls[0]["name"] == "f" and msg.tool_calls[0]["args"] == {"x": 2}
    assert "tool_call_extras" not in msg.additional_kwargs


# -- several choices ----------------------------------------------------------------------------
def test_n_greater_than_one() -> None:
    data = completion()
    data["choices"] = [
        {"index": 1, "message": {"role": "assistant", "content": "B"}, "finish_reason": "length"},
        {"index": 0, "message": {"role": "assistant", "content": "A"}, "finish_reason": "stop"},
    ]
    result = to_chat_result(data, "compat")
    assert [g.message.content for g in result.generations] == ["A", "B"]
    assert [g.generation_info for g in result.generations] == [
        {"finish_reason": "stop"},
        {"finish_reason": "length"},
    ]


def test_choices_with_null_index() -> None:
    data = completion()
    data["choices"] = [
        {"index": None, "message": {"role": "assistant", "content": "A"}},
        {"index": 1, "message": {"role": "assistant", "content": "B"}},
    ]
    assert [g.message.content for g in to_chat_result(data, "c").generations] == ["A", "B"]


# -- errors and malformed bodies ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        ({"error": {"message": "boom", "type": "server_error"}}, ProviderError),
        ({"error": {"message": "slow down", "code": 429}}, RateLimitError),
        ({"error": {"message": "bad key", "code": "401"}}, AuthenticationError),
        ({"error": {"message": "maximum context length is 8192 tokens"}}, ContextOverflowError),
        ({"error": "plain string"}, ProviderError),
        ([{"error": {"message": "gemini list", "code": 429}}], RateLimitError),
    ],
)
def test_error_body_with_http_200(payload: Any, cls: type[CompatChatError]) -> None:
    with pytest.raises(cls) as info:
        to_chat_result(payload, "compat")
    assert info.value.status_code is None
    assert info.value.body


@pytest.mark.parametrize("payload", [[1, 2], "text", 3, None])
def test_non_object_body_is_malformed(payload: Any) -> None:
    with pytest.raises(MalformedResponseError):
        to_chat_result(payload, "compat")


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "x"},
        {"choices": []},
        {"choices": ["x"]},
        {"choices": [{"index": 0}]},
        {"choices": [{"index": 0, "message": "hi"}]},
    ],
)
def test_wrong_shape_is_malformed(payload: Any) -> None:
    with pytest.raises(MalformedResponseError):
        to_chat_result(payload, "compat")


def _serve(response: httpx.Response) -> Any:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(return_value=response)
        return model.invoke("hi")


def test_non_json_body_through_model() -> None:
    with pytest.raises(MalformedResponseError) as info:
        _serve(httpx.Response(200, text="<html>gateway</html>", headers={"x-request-id": "rq"}))
    assert info.value.request_id == "rq"
    assert "<html>" in (info.value.body or "")


def test_error_in_200_through_model_keeps_request_id() -> None:
    with pytest.raises(RateLimitError) as info:
        _serve(
            httpx.Response(
                200,
                json={"error": {"message": "busy", "code": "429"}},
                headers={"x-request-id": "rq2"},
            )
        )
    assert info.value.request_id == "rq2"


def test_invoke_full_message_through_model() -> None:
    data = completion(
        {"content": "4", "reasoning_content": "2+2"},
        usage={"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6},
    )
    msg = _serve(httpx.Response(200, json=data))
    assert msg.content == "4"
    assert msg.additional_kwargs["reasoning_content"] == "2+2"
    assert msg.usage_metadata["total_tokens"] == 6
    assert msg.response_metadata["model_provider"] == "compat"
