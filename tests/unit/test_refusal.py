"""A refusal reaches langchain-core's types where the installed core has them (issue 17).

langchain-core 1.7.5 added the ``refusal`` content block and ``ModelRefusalError``; the
lowest supported core (1.7.0) has neither, and there the refusal stays in
``additional_kwargs``. On every core the raw ``finish_reason`` is kept and the normalised one
says ``refusal`` (see ``test_finish_reason.py``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core import exceptions as lc_exceptions
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.content import KNOWN_BLOCK_TYPES
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel

BASE = "http://refuse.test/v1"
REFUSAL = "I'm sorry, I cannot help with that."
HAS_REFUSAL = hasattr(lc_exceptions, "ModelRefusalError") and "refusal" in KNOWN_BLOCK_TYPES


class Answer(BaseModel):
    value: str


def _completion() -> dict[str, Any]:
    message = {"role": "assistant", "content": None, "refusal": REFUSAL}
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }


def _sse() -> bytes:
    pieces = ["I'm sorry, ", "I cannot help with that."]
    events = [
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"refusal": p}}]}
        for p in pieces
    ]
    events.append(
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    )
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )


def _mock() -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        side_effect=lambda request: (
            httpx.Response(200, content=_sse(), headers={"content-type": "text/event-stream"})
            if json.loads(request.content).get("stream")
            else httpx.Response(200, json=_completion())
        )
    )


@pytest.mark.skipif(not HAS_REFUSAL, reason="langchain-core < 1.7.5 has no refusal types")
@respx.mock
def test_structured_output_refusal_raises_model_refusal_error() -> None:
    _mock()
    llm = ChatCompatModel(model="m", base_url=BASE)
    structured = llm.with_structured_output(Answer, method="json_schema")
    with pytest.raises(lc_exceptions.ModelRefusalError, match="cannot help") as info:  # type: ignore[attr-defined]
        structured.invoke("hi")
    assert info.value.raw_message.additional_kwargs["refusal"] == REFUSAL
    raw = llm.with_structured_output(Answer, method="json_schema", include_raw=True).invoke("hi")
    assert isinstance(raw, dict)
    assert isinstance(raw["parsing_error"], lc_exceptions.ModelRefusalError)  # type: ignore[attr-defined]
    assert raw["parsed"] is None


@pytest.mark.skipif(not HAS_REFUSAL, reason="langchain-core < 1.7.5 has no refusal block")
@respx.mock
def test_v1_refusal_block_invoke_and_stream() -> None:
    _mock()
    llm = ChatCompatModel(model="m", base_url=BASE, output_version="v1")
    invoked = llm.invoke("hi")
    assert invoked.content == [{"type": "refusal", "refusal": REFUSAL}]
    assert invoked.response_metadata["finish_reason"] == "stop"  # the raw reason is kept
    total: AIMessageChunk | None = None
    for chunk in llm.stream("hi"):
        total = chunk if total is None else total + chunk
    assert total is not None
    assert [b for b in total.content if isinstance(b, dict) and b["type"] == "refusal"] == [
        {"type": "refusal", "refusal": REFUSAL, "index": 0}
    ]
    assert total.response_metadata["finish_reason"] == "stop"


@respx.mock
def test_refusal_kept_raw_on_every_core() -> None:
    _mock()
    message = ChatCompatModel(model="m", base_url=BASE).invoke("hi")
    assert message.additional_kwargs["refusal"] == REFUSAL
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["normalized_finish_reason"] == "refusal"
