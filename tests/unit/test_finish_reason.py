"""The normalised finish reason beside the raw one (issue 17, "Citations and finish reasons").

langchain-core 1.8.4 reads ``response_metadata["normalized_finish_reason"]`` and leaves the
mapping to the integration; the raw ``finish_reason`` stays the server's own word. These
tests drive each raw value through ``invoke``, ``stream`` (summed as LangChain sums it),
``astream``, the Responses API and core's v3 stream bridge.
"""

from __future__ import annotations

import json
import typing
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.finish_reason import (
    FINISH_REASONS,
    NormalizedFinishReason,
    normalize_finish_reason,
)

BASE = "http://finish.test/v1"
KEY = "normalized_finish_reason"

# (provider, raw finish_reason, normalised): what each server sends, per its docs or source.
ROWS = [
    ("openai", "stop", "stop"),
    ("openai", "length", "length"),
    ("openai", "tool_calls", "tool_call"),
    ("openai", "function_call", "tool_call"),
    ("openai", "content_filter", "content_filter"),
    ("deepseek", "insufficient_system_resource", "error"),
    ("zhipu", "sensitive", "content_filter"),
    ("zhipu", "network_error", "error"),
    ("zhipu", "model_context_window_exceeded", "context_exceeded"),
    ("mistral", "model_length", "length"),
    ("mistral", "error", "error"),
    ("openrouter", "error", "error"),
    ("vllm", "abort", "error"),
    ("gemini", "STOP", "stop"),
    ("gemini", "MAX_TOKENS", "length"),
    ("gemini", "SAFETY", "refusal"),
    ("gemini", "PROHIBITED_CONTENT", "refusal"),
    ("gemini", "BLOCKLIST", "refusal"),
    ("gemini", "RECITATION", "content_filter"),
    ("gemini", "SPII", "content_filter"),
    ("gemini", "MALFORMED_FUNCTION_CALL", "error"),
    ("gemini", "OTHER", "other"),
    ("unknown", "something_new", "other"),
]
IDS = [f"{provider}-{raw}" for provider, raw, _ in ROWS]


@pytest.mark.parametrize(("provider", "raw", "expected"), ROWS, ids=IDS)
def test_table_maps_each_providers_raw_value(provider: str, raw: str, expected: str) -> None:
    assert normalize_finish_reason(raw) == expected


def test_every_table_value_is_in_the_vocabulary() -> None:
    vocabulary = set(typing.get_args(NormalizedFinishReason))
    assert vocabulary == {
        "stop",
        "length",
        "tool_call",
        "content_filter",
        "refusal",
        "context_exceeded",
        "error",
        "other",
    }
    assert set(FINISH_REASONS.values()) <= vocabulary
    assert all(key == key.lower() for key in FINISH_REASONS)  # looked up lower-cased


@pytest.mark.parametrize("raw", [None, ""])
def test_no_finish_reason_claims_nothing(raw: str | None) -> None:
    assert normalize_finish_reason(raw) is None
    assert normalize_finish_reason(raw, has_refusal=True, has_tool_calls=True) is None


def test_a_value_of_another_type_is_other() -> None:
    assert normalize_finish_reason(3) == "other"


def test_corrections_match_core_184() -> None:
    assert normalize_finish_reason("stop", has_tool_calls=True) == "tool_call"
    assert normalize_finish_reason("length", has_tool_calls=True) == "length"
    assert normalize_finish_reason("stop", has_refusal=True) == "refusal"
    assert normalize_finish_reason("content_filter", has_refusal=True) == "refusal"
    core = pytest.importorskip(
        "langchain_core.language_models._finish_reason",
        reason="langchain-core 1.8.4 added _finish_reason (1.8.3 and older have none)",
    )
    for raw, calls, refused in [("stop", True, False), ("stop", False, True), ("length", 1, 0)]:
        ours = normalize_finish_reason(raw, has_tool_calls=bool(calls), has_refusal=bool(refused))
        theirs = core._finish_fields(
            {"finish_reason": raw, KEY: normalize_finish_reason(raw)},
            has_tool_calls=bool(calls),
            has_refusal=bool(refused),
        )
        assert theirs[KEY] == ours


# -- through the model ---------------------------------------------------------------------------
def _message(tool: bool, refusal: bool) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None if tool or refusal else "Hi"}
    if tool:
        message["tool_calls"] = [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ]
    if refusal:
        message["refusal"] = "I can't help with that."
    return message


def _completion(raw: Any, *, tool: bool = False, refusal: bool = False) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": _message(tool, refusal), "finish_reason": raw}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def _sse(raw: Any, *, tool: bool = False, refusal: bool = False) -> bytes:
    head = {"id": "c1", "object": "chat.completion.chunk", "model": "m"}
    deltas: list[dict[str, Any]] = [{"role": "assistant"}]
    if tool:
        call = {"index": 0, "id": "call_1", "type": "function"}
        deltas.append({"tool_calls": [{**call, "function": {"name": "f", "arguments": ""}}]})
        deltas.append({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]})
    elif refusal:
        deltas += [{"refusal": "I can't "}, {"refusal": "help with that."}]
    else:
        deltas += [{"content": "H"}, {"content": "i"}]
    events = [
        {**head, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
    ]
    events.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": raw}]})
    events.append({**head, "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}})
    lines = [b"data: " + json.dumps(e).encode() + b"\n\n" for e in events]
    return b"".join(lines) + b"data: [DONE]\n\n"


def _serve(router: respx.MockRouter, raw: Any, **shape: bool) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            body = _sse(raw, **shape)
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_completion(raw, **shape))

    router.post(f"{BASE}/chat/completions").mock(side_effect=answer)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def _llm(**kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="m", base_url=BASE, api_key="k", max_retries=0, **kw)


def _summed(chunks: Iterator[Any]) -> tuple[AIMessageChunk, int]:
    total: AIMessageChunk | None = None
    carrying = 0
    for chunk in chunks:
        carrying += KEY in chunk.response_metadata
        total = chunk if total is None else total + chunk
    assert total is not None
    return total, carrying


@pytest.mark.parametrize(("provider", "raw", "expected"), ROWS, ids=IDS)
def test_invoke_and_stream_keep_the_raw_value_and_add_the_normalised_one(
    router: respx.MockRouter, provider: str, raw: str, expected: str
) -> None:
    _serve(router, raw)
    llm = _llm()
    invoked = llm.invoke("hi")
    assert invoked.response_metadata["finish_reason"] == raw
    assert invoked.response_metadata[KEY] == expected
    total, carrying = _summed(llm.stream("hi"))
    assert total.response_metadata["finish_reason"] == raw
    assert total.response_metadata[KEY] == expected  # one value, not one per chunk added up
    assert carrying == 1  # only the closing chunk carries it


async def test_astream_and_astream_events_aggregate_to_one_value(router: respx.MockRouter) -> None:
    _serve(router, "length")
    llm = _llm()
    total: AIMessageChunk | None = None
    async for chunk in llm.astream("hi"):
        total = chunk if total is None else total + chunk
    assert total is not None and total.response_metadata[KEY] == "length"
    ends = [
        e async for e in llm.astream_events("hi", version="v2") if e["event"] == "on_chat_model_end"
    ]
    assert ends[0]["data"]["output"].response_metadata[KEY] == "length"


@pytest.mark.parametrize("output_version", ["v0", "v1"])
@pytest.mark.parametrize(
    ("shape", "expected"),
    [({"tool": True}, "tool_call"), ({"refusal": True}, "refusal")],
    ids=["forced-tool-call", "refusal"],
)
def test_an_answer_ending_in_stop_is_corrected(
    router: respx.MockRouter, output_version: str, shape: dict[str, bool], expected: str
) -> None:
    """A forced tool call and a refusal both end in "stop" on OpenAI; they are not stops."""
    _serve(router, "stop", **shape)
    llm = _llm(output_version=output_version)
    invoked = llm.invoke("hi")
    total, _ = _summed(llm.stream("hi"))
    for message in (invoked, total):
        assert bool(message.tool_calls) == bool(shape.get("tool"))
        assert message.response_metadata["finish_reason"] == "stop"
        assert message.response_metadata[KEY] == expected


def test_a_stream_without_finish_reason_claims_none(router: respx.MockRouter) -> None:
    _serve(router, None)
    total, carrying = _summed(_llm().stream("hi"))
    assert total.response_metadata["finish_reason"] is None
    assert KEY not in total.response_metadata and carrying == 0


def test_other_choices_of_a_stream_get_theirs(router: respx.MockRouter) -> None:
    head = {"id": "c1", "object": "chat.completion.chunk", "model": "m"}
    events = [
        {**head, "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}]},
        {**head, "choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": "length"}]},
    ]
    body = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )
    router.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream"}
        )
    )
    total, _ = _summed(_llm(n=2).stream("hi"))
    assert total.response_metadata[KEY] == "stop"
    assert [c[KEY] for c in total.response_metadata["extra_choices"]] == ["length"]


# -- the Responses API ---------------------------------------------------------------------------
def _response(
    status: str, output: list[dict[str, Any]], reason: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "resp_1",
        "object": "response",
        "status": status,
        "model": "m",
        "output": output,
        "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
    }
    if reason is not None:
        body["incomplete_details"] = {"reason": reason}
    return body


TEXT = {"type": "message", "id": "msg_1", "role": "assistant"}
CALL = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}"}
RESPONSES = [
    ("completed", [{**TEXT, "content": [{"type": "output_text", "text": "Hi"}]}], None, "stop"),
    ("completed", [CALL], None, "tool_call"),
    ("incomplete", [], "max_output_tokens", "length"),
    ("incomplete", [], "content_filter", "content_filter"),
    ("completed", [{**TEXT, "content": [{"type": "refusal", "refusal": "No."}]}], None, "refusal"),
]


def _typed_sse(body: dict[str, Any]) -> bytes:
    events: list[dict[str, Any]] = [{"type": "response.created", "response": {"id": body["id"]}}]
    for item in body["output"]:
        if item["type"] == "function_call":
            events.append({"type": "response.output_item.added", "item": {**item, "arguments": ""}})
            events.append(
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "delta": "{}",
                }
            )
        for part in item.get("content", []):
            kind = "output_text" if part["type"] == "output_text" else "refusal"
            text = part.get("text") or part.get("refusal")
            events.append({"type": f"response.{kind}.delta", "item_id": item["id"], "delta": text})
    end = "response.completed" if body["status"] == "completed" else "response.incomplete"
    events.append({"type": end, "response": body})
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


@pytest.mark.parametrize(("status", "output", "reason", "expected"), RESPONSES)
def test_responses_invoke_and_stream(
    router: respx.MockRouter,
    status: str,
    output: list[dict[str, Any]],
    reason: str | None,
    expected: str,
) -> None:
    body = _response(status, output, reason)

    def answer(request: httpx.Request) -> httpx.Response:
        if json.loads(request.content).get("stream"):
            sse = _typed_sse(body)
            return httpx.Response(200, content=sse, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=body)

    router.post(f"{BASE}/responses").mock(side_effect=answer)
    llm = _llm(api="responses")
    invoked = llm.invoke("hi")
    assert invoked.response_metadata[KEY] == expected
    total, carrying = _summed(llm.stream("hi"))
    assert total.response_metadata[KEY] == expected
    assert total.response_metadata["finish_reason"] == invoked.response_metadata["finish_reason"]
    assert carrying == 1


# -- core's v3 stream bridge -------------------------------------------------------------------
def test_v3_stream_events_carry_it_to_the_finish_event_and_the_message(
    router: respx.MockRouter,
) -> None:
    bridge = pytest.importorskip(
        "langchain_core.language_models._compat_bridge",
        reason="the v3 stream bridge is in langchain-core 1.8 and later",
    )
    _serve(router, "stop", tool=True)
    llm = _llm()
    messages = llm._convert_input("hi").to_messages()
    events = list(bridge.chunks_to_events(llm._stream(messages)))
    finish = events[-1]
    assert finish["event"] == "message-finish"
    assert finish["metadata"]["finish_reason"] == "stop"  # 1.8.3: the fields ride in metadata
    assert finish["metadata"][KEY] == "tool_call"
    if hasattr(bridge, "_finish_fields"):  # langchain-core 1.8.4 lifts them onto the event
        assert finish[KEY] == "tool_call"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LangChainBetaWarning: v3 is in beta
        output = llm.stream_events("hi", version="v3").output
    assert output.response_metadata["finish_reason"] == "stop"
    assert output.response_metadata[KEY] == "tool_call"
