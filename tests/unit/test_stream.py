"""SSE payloads -> AIMessageChunks (``_stream.ChunkBuilder`` / ``ToolCallAssembler``)."""

from __future__ import annotations

import json
import operator
from collections.abc import AsyncIterator, Iterator
from functools import reduce
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.stream import ChunkBuilder
from langchain_compat_chat.errors import (
    ContextOverflowError,
    MalformedResponseError,
    ProviderError,
    RateLimitError,
)

BASE = "http://test.local/v1"
_ = object()  # "leave this key out"


def ev(delta: Any = _, finish: Any = None, index: Any = 0, **top: Any) -> dict[str, Any]:
    choice: dict[str, Any] = {"finish_reason": finish}
    if index is not _:
        choice["index"] = index
    if delta is not _:
        choice["delta"] = delta
    return {
        "id": "chatcmpl-s",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [choice],
        **top,
    }


def tc(index: Any = _, id: Any = _, name: Any = _, args: Any = _, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = dict(kw)
    if index is not _:
        out["index"] = index
    if id is not _:
        out["id"] = id
        out["type"] = "function"
    function = {}
    if name is not _:
        function["name"] = name
    if args is not _:
        function["arguments"] = args
    if function:
        out["function"] = function
    return out


def tools(*calls: dict[str, Any]) -> dict[str, Any]:
    return ev({"tool_calls": list(calls)})


def run(events: list[Any], provider: str = "compat") -> tuple[AIMessageChunk, ChunkBuilder]:
    builder = ChunkBuilder(provider)
    chunks: list[AIMessageChunk] = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        chunks.extend(g.message for g in builder.feed_data(data))  # type: ignore[misc]
    chunks.append(builder.finish().message)  # type: ignore[arg-type]
    return reduce(operator.add, chunks), builder


def calls(msg: AIMessageChunk) -> list[tuple[str, dict[str, Any], str | None]]:
    assert not msg.invalid_tool_calls, msg.invalid_tool_calls
    return [(c["name"], c["args"], c["id"]) for c in msg.tool_calls]


# -- framing ------------------------------------------------------------------------------------
def test_done_marker_and_blank_data() -> None:
    builder = ChunkBuilder("compat")
    assert builder.feed_data("") == []
    assert builder.feed_data("   ") == []
    assert not builder.done
    assert builder.feed_data("[DONE]") == []
    assert builder.done
    padded = ChunkBuilder("compat")
    assert padded.feed_data(" [DONE] \r\n") == []
    assert padded.done


def test_text_stream_with_usage_only_final_chunk() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    msg, builder = run(
        [
            ev({"role": "assistant", "content": ""}),
            ev({"content": "Hel"}),
            ev({"content": "lo"}),
            ev({}, finish="stop"),
            {"id": "chatcmpl-s", "model": "m", "choices": [], "usage": usage},
            "[DONE]",
        ]
    )
    assert msg.content == "Hello"
    assert msg.usage_metadata == {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    assert msg.response_metadata["finish_reason"] == "stop"
    assert msg.response_metadata["model_name"] == "m"
    assert msg.response_metadata["model_provider"] == "compat"
    assert msg.response_metadata["token_usage"] == usage
    assert msg.id == "chatcmpl-s"
    assert builder.done and builder.finished


def test_empty_choices_and_null_or_absent_delta() -> None:
    msg, _b = run(
        [
            {"id": "chatcmpl-s", "choices": [], "prompt_filter_results": [{"x": 1}]},
            ev(None),
            ev(),
            ev({"content": "ok"}),
            ev(None, finish="stop"),
        ]
    )
    assert msg.content == "ok"
    assert msg.response_metadata["prompt_filter_results"] == [{"x": 1}]
    assert msg.response_metadata["finish_reason"] == "stop"


def test_cumulative_usage_counted_once() -> None:
    events = [
        ev({"content": "a"}, usage={"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}),
        ev({"content": "b"}, usage={"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}),
        ev(
            {}, finish="stop", usage={"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        ),
    ]
    msg, _b = run(events)
    assert msg.usage_metadata == {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}


def test_usage_in_x_groq_stream() -> None:
    events = [
        ev({"content": "a"}),
        ev(
            {},
            finish="stop",
            x_groq={"id": "g", "usage": {"prompt_tokens": 1, "completion_tokens": 1}},
        ),
    ]
    msg, _b = run(events)
    assert msg.usage_metadata is not None and msg.usage_metadata["total_tokens"] == 2


@pytest.mark.parametrize(
    ("data", "event", "cls"),
    [
        ('{"error": {"message": "slow down", "code": 429}}', "", RateLimitError),
        ('{"error": {"message": "maximum context length exceeded"}}', "", ContextOverflowError),
        ('{"message": "boom"}', "error", ProviderError),
        ('{"error": "overloaded"}', "", ProviderError),
    ],
)
def test_error_events_raise_typed_errors(data: str, event: str, cls: type[Exception]) -> None:
    builder = ChunkBuilder("compat")
    builder.feed_data(json.dumps(ev({"content": "partial"})))
    with pytest.raises(cls):
        builder.feed_data(data, event)


@pytest.mark.parametrize("data", ["{not json", "data: {}", '{"a": 1'])
def test_non_json_is_malformed(data: str) -> None:
    with pytest.raises(MalformedResponseError):
        ChunkBuilder("compat").feed_data(data)


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "3"])
def test_non_object_json_is_malformed(data: str) -> None:
    with pytest.raises(MalformedResponseError):
        ChunkBuilder("compat").feed_data(data)


# -- reasoning, refusal, unknown fields ---------------------------------------------------------
@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
def test_reasoning_deltas(key: str) -> None:
    msg, _b = run([ev({key: "think "}), ev({key: "more"}), ev({"content": "A"}, finish="stop")])
    assert msg.additional_kwargs["reasoning_content"] == "think more"
    assert msg.content == "A"
    assert msg.content_blocks[0]["type"] == "reasoning"


def test_content_list_thinking_deltas() -> None:
    events = [
        ev({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}]}),
        ev({"content": [{"type": "text", "text": "Yes"}]}, finish="stop"),
    ]
    msg, _b = run(events)
    assert msg.content == "Yes" and msg.additional_kwargs["reasoning_content"] == "hm"


def test_refusal_and_unknown_delta_fields() -> None:
    events = [
        ev({"refusal": "I can"}),
        ev({"refusal": "not.", "annotations": [{"a": 1}], "odd": None}),
        ev({"annotations": [{"b": 2}]}, finish="stop"),
    ]
    msg, _b = run(events)
    assert msg.additional_kwargs["refusal"] == "I cannot."
    assert msg.additional_kwargs["annotations"] == [{"a": 1}, {"b": 2}]
    assert "odd" not in msg.additional_kwargs


# -- n > 1 ---------------------------------------------------------------------------------------
def test_n_greater_than_one_never_merges() -> None:
    events = [
        ev({"content": "A1"}, index=0),
        ev({"content": "B1"}, index=1),
        ev({"content": "A2"}, index=0),
        ev({"tool_calls": [tc(index=0, id="cb", name="g", args='{"z":1}')]}, index=1),
        ev({"content": "B2"}, index=1, finish="tool_calls"),
        ev({}, index=0, finish="stop"),
    ]
    msg, _b = run(events)
    assert msg.content == "A1A2"
    assert msg.tool_calls == []
    (other,) = msg.response_metadata["extra_choices"]
    assert other["index"] == 1
    assert other["content"] == "B1B2"
    assert other["finish_reason"] == "tool_calls"
    assert [(c["name"], c["args"], c["id"]) for c in other["tool_calls"]] == [("g", {"z": 1}, "cb")]
    assert msg.response_metadata["finish_reason"] == "stop"


# -- tool-call dialects -------------------------------------------------------------------------
ARGS = '{"city": "Zürich", "days": [1, 2]}'
PARSED = {"city": "Zürich", "days": [1, 2]}


def test_standard_openai_tool_stream() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, id="call_1", name="weather", args="")),
            tools(tc(index=0, args='{"city": ')),
            tools(tc(index=0, args='"Zürich", "days": [1, 2]}')),
            ev({}, finish="tool_calls"),
        ]
    )
    assert calls(msg) == [("weather", PARSED, "call_1")]
    assert msg.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("index", [None, _], ids=["null_index", "missing_index"])
def test_null_or_missing_index_follows_the_id_then_the_last_call(index: Any) -> None:
    msg, _b = run(
        [
            tools(tc(index=index, id="a", name="f", args='{"x": ')),
            tools(tc(index=index, args="1}")),
            tools(tc(index=index, id="b", name="g", args="")),
            tools(tc(index=index, args='{"y": 2}')),
        ]
    )
    assert calls(msg) == [("f", {"x": 1}, "a"), ("g", {"y": 2}, "b")]


def test_index_starting_at_one() -> None:
    msg, _b = run(
        [
            tools(tc(index=1, id="a", name="f", args="")),
            tools(tc(index=1, args="{}")),
            tools(tc(index=2, id="b", name="g", args='{"k":')),
            tools(tc(index=2, args="true}")),
        ]
    )
    assert calls(msg) == [("f", {}, "a"), ("g", {"k": True}, "b")]
    assert [c["index"] for c in msg.tool_call_chunks] == [0, 1]


def test_name_and_id_repeated_on_every_delta() -> None:
    pieces = ['{"city"', ': "Zürich", ', '"days": [1, 2]}']
    msg, _b = run([tools(tc(index=0, id="call_1", name="weather", args=p)) for p in pieces])
    assert calls(msg) == [("weather", PARSED, "call_1")]


def test_id_on_every_delta_without_index() -> None:
    pieces = ['{"city"', ': "Zürich", ', '"days": [1, 2]}']
    events = [tools(tc(id="call_1", name="weather", args=pieces[0]))]
    events += [tools(tc(id="call_1", args=p)) for p in pieces[1:]]
    msg, _b = run(events)
    assert calls(msg) == [("weather", PARSED, "call_1")]


def test_empty_string_id_continuations() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, id="call_1", name="weather", args="")),
            tools(tc(index=0, id="", name="", args='{"city": "Zürich", ')),
            tools(tc(index=0, id="", args='"days": [1, 2]}')),
        ]
    )
    assert calls(msg) == [("weather", PARSED, "call_1")]


def test_cumulative_re_sends() -> None:
    prefixes = [ARGS[:5], ARGS[:17], ARGS]
    events = [tools(tc(index=0, id="c", name="weather", args=prefixes[0]))]
    events += [tools(tc(index=0, args=p)) for p in prefixes[1:]]
    msg, _b = run(events)
    assert calls(msg) == [("weather", PARSED, "c")]


def test_final_chunk_repeats_whole_arguments() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, id="c", name="weather", args=ARGS[:10])),
            tools(tc(index=0, args=ARGS[10:])),
            tools(tc(index=0, id="c", name="weather", args=ARGS)),
            ev({}, finish="tool_calls"),
        ]
    )
    assert calls(msg) == [("weather", PARSED, "c")]


def test_two_interleaved_calls() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, id="a", name="f", args=""), tc(index=1, id="b", name="g", args="")),
            tools(tc(index=1, args='{"y":')),
            tools(tc(index=0, args='{"x":')),
            tools(tc(index=0, args="1}"), tc(index=1, args="2}")),
        ]
    )
    assert calls(msg) == [("f", {"x": 1}, "a"), ("g", {"y": 2}, "b")]


def test_two_calls_reusing_index_zero_with_new_ids() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, id="a", name="f", args='{"x":1}')),
            tools(tc(index=0, id="b", name="g", args='{"y":2}')),
        ]
    )
    assert calls(msg) == [("f", {"x": 1}, "a"), ("g", {"y": 2}, "b")]


def test_arguments_before_name() -> None:
    msg, _b = run(
        [
            tools(tc(index=0, args='{"x": ')),
            tools(tc(index=0, id="a", name="f", args="1")),
            tools(tc(index=0, args="}")),
        ]
    )
    assert calls(msg) == [("f", {"x": 1}, "a")]


def test_call_that_never_gets_a_name_is_not_lost() -> None:
    msg, _b = run([tools(tc(index=0, args='{"x": 1}'))])
    assert [c["args"] for c in msg.tool_calls] == [{"x": 1}]
    assert msg.tool_calls[0]["id"]


def test_arguments_as_object_in_stream() -> None:
    msg, _b = run([tools(tc(index=0, id="a", name="f", args={"x": 1}))])
    assert calls(msg) == [("f", {"x": 1}, "a")]


def test_missing_id_is_stable_and_matches_non_stream() -> None:
    msg, _b = run([tools(tc(index=0, name="f", args="{}")), ev({}, finish="tool_calls")])
    data = {
        "id": "chatcmpl-s",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}],
                },
            }
        ],
    }
    full = to_chat_result(data, "compat").generations[0].message
    assert isinstance(full, AIMessage)
    assert msg.tool_calls[0]["id"] == full.tool_calls[0]["id"]


def test_tool_call_extras_collected_for_round_trip() -> None:
    extra = {"google": {"thought_signature": "sig"}}
    msg, _b = run([tools(tc(index=0, id="a", name="f", args="{}", extra_content=extra))])
    assert msg.additional_kwargs["tool_call_extras"] == {"a": {"extra_content": extra}}


@pytest.mark.parametrize(
    ("first", "second", "want"),
    [
        ('{"', '{": 1}', {"{": 1}),  # incremental, though the 2nd piece starts with the 1st
        ('{"a":1,"b":', '{"a":1,"b":2}}', {"a": 1, "b": {"a": 1, "b": 2}}),
    ],
)
def test_incremental_piece_that_starts_with_everything_so_far(
    first: str, second: str, want: dict[str, Any]
) -> None:
    msg, _b = run(
        [tools(tc(index=0, id="a", name="f", args=first)), tools(tc(index=0, args=second))]
    )
    assert calls(msg) == [("f", want, "a")]


def test_cumulative_piece_that_could_also_be_incremental() -> None:
    full = '{"a":1,"b":{"a":1,"b":2}}'
    first, second = '{"a":1,"b":', '{"a":1,"b":{"a":1,"b":'
    assert second.startswith(first)
    events = [tools(tc(index=0, id="a", name="f", args=first))]
    events += [tools(tc(index=0, args=p)) for p in (second, full)]
    msg, _b = run(events)
    assert calls(msg) == [("f", json.loads(full), "a")]


# -- parity with the non-streaming message ------------------------------------------------------
def _sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


def test_aggregated_stream_equals_invoke() -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 7,
        "total_tokens": 16,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 3},
    }
    full = {
        "id": "chatcmpl-s",
        "object": "chat.completion",
        "model": "m",
        "system_fingerprint": "fp",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "Checking.",
                    "reasoning_content": "Need weather.",
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "weather", "arguments": ARGS},
                        },
                        {"type": "function", "function": {"name": "time", "arguments": "{}"}},
                    ],
                },
            }
        ],
        "usage": usage,
    }
    fp = {"system_fingerprint": "fp"}
    events = [
        ev({"role": "assistant", "reasoning_content": "Need "}, **fp),
        ev({"reasoning_content": "weather."}, **fp),
        ev({"content": "Check"}, **fp),
        ev({"content": "ing."}, **fp),
        tools(tc(index=None, id="a", name="weather", args=ARGS[:7])) | fp,
        tools(tc(index=None, args=ARGS[7:])) | fp,
        tools(tc(index=1, name="time", args="{}")) | fp,
        ev({}, finish="tool_calls", **fp),
        {"id": "chatcmpl-s", "model": "m", "choices": [], "usage": usage, **fp},
    ]
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions")
        route.mock(return_value=httpx.Response(200, json=full))
        invoked = model.invoke("hi")
        route.mock(
            return_value=httpx.Response(
                200, content=_sse(events), headers={"content-type": "text/event-stream"}
            )
        )
        streamed = reduce(operator.add, model.stream("hi"))
    assert isinstance(streamed, AIMessageChunk)
    assert streamed.content == invoked.content
    assert streamed.additional_kwargs == invoked.additional_kwargs
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.invalid_tool_calls == invoked.invalid_tool_calls == []
    assert streamed.usage_metadata == invoked.usage_metadata
    assert streamed.id == invoked.id
    for key in (
        "model_provider",
        "model_name",
        "finish_reason",
        "id",
        "system_fingerprint",
        "token_usage",
    ):
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key


def test_non_sse_reply_to_a_stream_request() -> None:
    builder = ChunkBuilder("compat")
    full = {
        "id": "x",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": "whole"},
            }
        ],
    }
    chunks = [g.message for g in builder.feed(full)]
    msg = reduce(operator.add, [*chunks, builder.finish().message])
    assert msg.content == "whole" and msg.response_metadata["finish_reason"] == "stop"


def test_other_choice_keeps_unnamed_call_arguments() -> None:
    events = [
        ev({"content": "A"}, index=0, finish="stop"),
        ev({"tool_calls": [tc(index=0, args='{"q": 1}')]}, index=1, finish="tool_calls"),
    ]
    msg, _b = run(events)
    (other,) = msg.response_metadata["extra_choices"]
    assert [c["args"] for c in other["tool_calls"]] == [{"q": 1}]


Body = bytes | Iterator[bytes] | AsyncIterator[bytes]


def _mock(router: respx.MockRouter, body: Body, content_type: str = "text/event-stream") -> None:
    router.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200, content=body, headers={"content-type": content_type, "x-request-id": "rq-s"}
        )
    )


async def test_astream_comment_lines_crlf_and_missing_done() -> None:
    body = (
        b": keep-alive\r\n\r\n"
        b'data: {"id":"s","choices":[{"index":0,"delta":{"content":"a"}}]}\r\n\r\n'
        b": ping\r\n\r\n"
        b'data: {"id":"s","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}'
        b"\r\n\r\n"
    )
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        _mock(router, body)
        chunks = [c async for c in model.astream("hi")]
    msg = reduce(operator.add, chunks)
    assert msg.content == "ab" and msg.response_metadata["finish_reason"] == "stop"


_ARGS = '{"city": "Paris", "days": [1, 2]}'
_BEFORE_ERROR = [
    ev({"role": "assistant", "content": "par"}),
    ev({"tool_calls": [tc(index=0, id="call_1", name="weather", args="")]}),
    *(ev({"tool_calls": [tc(index=0, args=_ARGS[i : i + 5])]}) for i in range(0, len(_ARGS), 5)),
]
_MID_STREAM_ERRORS = {
    "error event": (
        b'data: {"error":{"message":"Rate limit reached","code":"429"}}',
        RateLimitError,
    ),
    "not JSON": (b"data: {oops", MalformedResponseError),
    "not an object": (b"data: [1, 2]", MalformedResponseError),
    "choices not an array": (b'data: {"id":"s","choices":{"index":0}}', MalformedResponseError),
}


async def _reads(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize("reads", ["one read", "read per event"])
@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("case", list(_MID_STREAM_ERRORS))
async def test_mid_stream_error_carries_request_id(case: str, mode: str, reads: str) -> None:
    """Every error found in a 200 stream gets the response's request id and attempt count.

    Text and the tool-call fragments before the error still reach the caller first, also
    when one read holds them all (``feed_batch`` merges the fragments, then raises).
    """
    line, error_type = _MID_STREAM_ERRORS[case]
    parts = [f"data: {json.dumps(e)}\n\n".encode() for e in _BEFORE_ERROR] + [line + b"\n\n"]
    body: Body = b"".join(parts)
    if reads == "read per event":
        body = iter(parts) if mode == "stream" else _reads(parts)
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    got: list[AIMessageChunk] = []
    with respx.mock() as router:
        _mock(router, body)
        with pytest.raises(error_type) as info:
            if mode == "stream":
                got.extend(model.stream("hi"))
            else:
                async for chunk in model.astream("hi"):
                    got.append(chunk)
    assert info.value.request_id == "rq-s" and info.value.attempts == 1
    assert "".join(c.text for c in got) == "par"
    assert "".join(t["args"] or "" for c in got for t in c.tool_call_chunks) == _ARGS
