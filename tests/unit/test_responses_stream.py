"""``ResponsesStream``: the guarantees of Chat Completions streams, for typed events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.responses_stream import ResponsesStream
from langchain_compat_chat.errors import (
    ContextOverflowError,
    EmptyStreamError,
    ForcedToolCallError,
    ProviderError,
    StreamInterruptedError,
)

DONE = {
    "type": "response.completed",
    "response": {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": [],
        "usage": {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12},
    },
}


def _ev(payload: dict[str, Any]) -> tuple[str, str]:
    return payload.get("type", ""), json.dumps(payload)


def _run(events: list[dict[str, Any]], **kw: Any) -> list[AIMessageChunk]:
    stream = ResponsesStream("compat", **kw)
    chunks = [c.message for c in stream.feed([_ev(e) for e in events])]
    chunks.append(stream.close().message)
    return chunks  # type: ignore[return-value]


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _call(item_id: str, call_id: str, name: str) -> dict[str, Any]:
    item = {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": "",
    }
    return {"type": "response.output_item.added", "item": item}


def _args(item_id: str, delta: str) -> dict[str, Any]:
    return {"type": "response.function_call_arguments.delta", "item_id": item_id, "delta": delta}


def test_interleaved_parallel_calls_keep_stable_indexes_names_and_ids_once() -> None:
    events = [
        _call("fc_a", "call_a", "one"),
        _call("fc_b", "call_b", "two"),
        _args("fc_a", '{"x"'),
        _args("fc_b", '{"y": 2}'),
        _args("fc_a", ": 1}"),
        DONE,
    ]
    chunks = _run(events)
    pieces = [p for c in chunks for p in c.tool_call_chunks]
    assert [p["index"] for p in pieces] == [0, 1, 0, 1, 0]
    assert [p["name"] for p in pieces if p["name"]] == ["one", "two"]
    assert [p["id"] for p in pieces if p["id"]] == ["call_a", "call_b"]
    total = _sum(chunks)
    assert [(c["name"], c["args"], c["id"]) for c in total.tool_calls] == [
        ("one", {"x": 1}, "call_a"),
        ("two", {"y": 2}, "call_b"),
    ]
    assert total.response_metadata["finish_reason"] == "tool_calls"


def test_argument_deltas_of_one_read_are_merged_per_call() -> None:
    events = [_call("fc_a", "call_a", "one"), *(_args("fc_a", c) for c in '{"x": 12}'), DONE]
    chunks = _run(events)
    assert len([c for c in chunks if c.tool_call_chunks]) == 2  # the head, then one merged


def test_usage_comes_once_and_unknown_fields_are_kept() -> None:
    done = {**DONE, "timings": {"prompt_n": 3}, "response": {**DONE["response"], "x_new": 1}}
    events = [{"type": "response.output_text.delta", "item_id": "m", "delta": "hi"}, done]
    events.insert(0, {"type": "response.brand_new_event", "thing": 1})
    chunks = _run(events)
    assert [c.usage_metadata for c in chunks if c.usage_metadata] == [
        {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}
    ]
    meta = _sum(chunks).response_metadata
    assert meta["x_new"] == 1 and meta["timings"] == {"prompt_n": 3}
    assert meta["unknown_events"] == ["response.brand_new_event"]


def test_summary_parts_are_separated_like_invoke() -> None:
    events = [
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs",
            "summary_index": 0,
            "delta": "a",
        },
        {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs",
            "summary_index": 1,
            "delta": "b",
        },
        DONE,
    ]
    assert _sum(_run(events)).additional_kwargs["reasoning_content"] == "a\n\nb"


def test_an_item_sent_only_when_done_is_not_lost() -> None:
    reasoning = {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [],
        "content": [{"type": "reasoning_text", "text": "think"}],
    }
    final = {**DONE["response"], "output": [reasoning]}
    chunks = _run(
        [{"type": "response.output_item.done", "item": reasoning}, {**DONE, "response": final}]
    )
    total = _sum(chunks)
    assert total.additional_kwargs["reasoning_content"] == "think"
    assert total.additional_kwargs["reasoning_items"] == [reasoning]


def test_error_event_raises_the_typed_error() -> None:
    error = {
        "type": "error",
        "code": "context_length_exceeded",
        "message": "Your input exceeds the context window",
    }
    with pytest.raises(ContextOverflowError):
        _run([error])


def test_response_failed_raises() -> None:
    failed = {
        "type": "response.failed",
        "response": {
            **DONE["response"],
            "status": "failed",
            "error": {"code": "server_error", "message": "boom"},
        },
    }
    with pytest.raises(ProviderError, match="boom"):
        _run([failed])


def test_a_stream_without_its_end_is_interrupted_and_one_without_events_empty() -> None:
    with pytest.raises(StreamInterruptedError):
        _run([{"type": "response.output_text.delta", "delta": "hi"}])
    with pytest.raises(EmptyStreamError):
        _run([])


def test_the_forced_tool_plan_is_checked_at_the_end() -> None:
    plan = ForcedToolPlan("auto_and_check", "one", "d")
    with pytest.raises(ForcedToolCallError):
        _run([DONE], plan=plan, model="m")
    _run([_call("fc_a", "call_a", "one"), DONE], plan=plan, model="m")


def test_v1_chunks_add_up_to_blocks() -> None:
    events = [
        {"type": "response.reasoning_text.delta", "item_id": "rs", "delta": "r"},
        {"type": "response.output_text.delta", "item_id": "m", "delta": "t"},
        _call("fc_a", "call_a", "one"),
        _args("fc_a", "{}"),
        DONE,
    ]
    blocks = _sum(_run(events, v1=True)).content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text", "tool_call"]
