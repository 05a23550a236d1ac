"""Search citations as standard ``citation`` annotations with output_version="v1" (issue 17)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from tests.conftest import WIRE_SAMPLES

BASE = "http://cite.test/v1"
_PERPLEXITY = json.loads(
    (
        WIRE_SAMPLES / "perplexity__cumulative_usage_every_chunk_done_object_no_done_marker.json"
    ).read_text()
)
_PERPLEXITY_URLS = [
    "https://www.modernchristmastrees.com/innovative-approaches-holiday-decor-modern-interior-design/",
    "https://camillestyles.com/design/modern-christmas-decorating-ideas/",
    "https://www.elledecor.com/design-decorate/interior-designers/advice/g2833/christmas-decorating-ideas/",
    "https://www.youtube.com/watch?v=GVxMMHAwzIU",
    "https://www.jjonesdesignco.com/blogs/modern-industrial-christmas-decor-joshuas-must-have-holiday-picks",
]
# OpenRouter web search (https://openrouter.ai/docs/features/web-search): url_citation
# annotations on the message, as OpenAI's search models send them.
_OPENROUTER_NOTE = {
    "type": "url_citation",
    "url_citation": {
        "url": "https://example.org/a",
        "title": "Example A",
        "content": "quoted text",
        "start_index": 0,
        "end_index": 5,
    },
}
_OPENROUTER_CITATION = {
    "type": "citation",
    "url": "https://example.org/a",
    "title": "Example A",
    "start_index": 0,
    "end_index": 5,
    "cited_text": "quoted text",
}


def _completion(message: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        **top,
    }


def _sse(events: list[dict[str, Any]]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )


def _v1(**kwargs: Any) -> ChatCompatModel:
    return ChatCompatModel(model="m", base_url=BASE, output_version="v1", max_retries=0, **kwargs)


def _text_block(message: AIMessage) -> dict[str, Any]:
    blocks = [b for b in message.content if isinstance(b, dict) and b.get("type") == "text"]
    assert len(blocks) == 1, message.content
    return blocks[0]


def _summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


@respx.mock
def test_perplexity_stream_citations_become_annotations() -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200,
            content=_PERPLEXITY["response"]["sse"].encode(),
            headers={"content-type": "text/event-stream"},
        )
    )
    message = _summed(list(_v1().stream("hi")))
    text = _text_block(message)
    assert text["text"] == _PERPLEXITY["expect"]["content"]
    assert [a["url"] for a in text["annotations"]] == _PERPLEXITY_URLS
    assert all(a["type"] == "citation" for a in text["annotations"])
    assert message.response_metadata["citations"] == _PERPLEXITY_URLS  # raw kept


@respx.mock
async def test_perplexity_search_results_give_titles_invoke_and_astream() -> None:
    results = [
        {"title": "Decor A", "url": _PERPLEXITY_URLS[0], "date": "2025-11-02"},
        {"title": "Decor B", "url": _PERPLEXITY_URLS[1]},
    ]
    top = {"citations": _PERPLEXITY_URLS[:2], "search_results": results}
    events = [
        {
            "id": "c1",
            "model": "sonar",
            **top,
            "choices": [{"index": 0, "delta": {"content": "Hi"}}],
        },
        {
            "id": "c1",
            "model": "sonar",
            **top,
            "choices": [{"index": 0, "delta": {"content": "[1]"}, "finish_reason": "stop"}],
        },
    ]
    respx.post(f"{BASE}/chat/completions").mock(
        side_effect=lambda request: (
            httpx.Response(200, content=_sse(events), headers={"content-type": "text/event-stream"})
            if json.loads(request.content).get("stream")
            else httpx.Response(
                200, json=_completion({"role": "assistant", "content": "Hi[1]"}, **top)
            )
        )
    )
    expected = [
        {
            "type": "citation",
            "url": _PERPLEXITY_URLS[0],
            "title": "Decor A",
            "extras": {"date": "2025-11-02"},
        },
        {"type": "citation", "url": _PERPLEXITY_URLS[1], "title": "Decor B"},
    ]
    llm = _v1()
    invoked = await llm.ainvoke("hi")
    assert _text_block(invoked) == {"type": "text", "text": "Hi[1]", "annotations": expected}
    streamed = _summed([c async for c in llm.astream("hi")])
    text = _text_block(streamed)
    assert text["text"] == "Hi[1]" and text["annotations"] == expected


@respx.mock
def test_openrouter_url_citations_invoke_and_stream() -> None:
    message = {"role": "assistant", "content": "Hello", "annotations": [_OPENROUTER_NOTE]}
    events = [
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": "Hello"}}]},
        {
            "id": "c1",
            "model": "m",
            "choices": [
                {"index": 0, "delta": {"annotations": [_OPENROUTER_NOTE]}, "finish_reason": "stop"}
            ],
        },
    ]
    respx.post(f"{BASE}/chat/completions").mock(
        side_effect=lambda request: (
            httpx.Response(200, content=_sse(events), headers={"content-type": "text/event-stream"})
            if json.loads(request.content).get("stream")
            else httpx.Response(200, json=_completion(message))
        )
    )
    llm = _v1()
    invoked = llm.invoke("hi")
    assert _text_block(invoked)["annotations"] == [_OPENROUTER_CITATION]
    assert invoked.additional_kwargs["annotations"] == [_OPENROUTER_NOTE]  # raw kept
    streamed = _summed(list(llm.stream("hi")))
    text = _text_block(streamed)
    assert text == {
        "type": "text",
        "text": "Hello",
        "annotations": [_OPENROUTER_CITATION],
        "index": 0,
    }


@respx.mock
def test_xai_citations_on_invoke() -> None:
    urls = ["https://x.com/i/status/1", "https://news.example/2"]
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200, json=_completion({"role": "assistant", "content": "News."}, citations=urls)
        )
    )
    text = _text_block(_v1().invoke("hi"))
    assert text["annotations"] == [{"type": "citation", "url": u} for u in urls]


@pytest.mark.parametrize("version", ["v0", "v1"])
@respx.mock
def test_no_citations_no_annotations(version: str) -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(200, json=_completion({"role": "assistant", "content": "ok"}))
    )
    llm = ChatCompatModel(model="m", base_url=BASE, output_version=version)
    message = llm.invoke("hi")
    if version == "v0":
        assert message.content == "ok"
    else:
        assert message.content == [{"type": "text", "text": "ok"}]


@respx.mock
def test_content_blocks_of_a_v1_answer_carry_the_citations() -> None:
    respx.post(f"{BASE}/chat/completions").mock(
        return_value=httpx.Response(
            200,
            json=_completion(
                {"role": "assistant", "content": "News."}, citations=["https://a.example/"]
            ),
        )
    )
    blocks = _v1().invoke("hi").content_blocks
    assert blocks == [
        {
            "type": "text",
            "text": "News.",
            "annotations": [{"type": "citation", "url": "https://a.example/"}],
        }
    ]
