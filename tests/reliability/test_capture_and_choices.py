"""Debug captures stay bounded when decoded; n>1 usage stays with its choice (issue 15, 7 and 9).

Defect 7: the capture capped the *compressed* bytes and then decompressed them without a
limit, so 1 MB of gzip became a 31.7 MB record marked "not truncated" (a gzip bomb: more).
Defect 9: llama-server sends one usage chunk per choice of an ``n>1`` stream, and the last
one (choice 1's) was reported next to choice 0's text. Both over real loopback sockets; the
second replays llama-server's own bytes (``tests/fixtures/real_server_captures``).
"""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from langchain_compat_chat import ChatCompatModel, HttpCapture
from langchain_compat_chat.testing import ReferenceServer
from tests.reliability._support import TALLY

FIXTURES = Path(__file__).parent.parent / "fixtures" / "real_server_captures"
_EVENTS = [
    {"id": "c1", "choices": [{"index": 0, "delta": {"content": "hello"}}]},
    {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
]


def _sse(padding: int) -> bytes:
    """An SSE answer led by a ``padding``-byte comment: compresses about 1000 to 1."""
    body = b":" + b" " * padding + b"\n\n"
    body += b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in _EVENTS)
    return body + b"data: [DONE]\n\n"


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_gzip_capture_is_capped_after_decoding(compat_server: ReferenceServer, mode: str) -> None:
    cap = 256 * 1024
    plain = _sse(32 * 1024 * 1024)  # 32 MB decoded
    wire = gzip.compress(plain)
    assert len(wire) < cap  # the compressed bytes fit the cap: the old check never fired
    compat_server.enqueue(
        raw=wire, content_type="text/event-stream", headers={"content-encoding": "gzip"}
    )
    capture = HttpCapture(max_body_bytes=cap)
    model = ChatCompatModel(
        model="m", base_url=compat_server.base_url, max_retries=0, debug_capture=capture
    )

    async def consume() -> str:
        return "".join([c.text async for c in model.astream("hi")])

    text = (
        "".join(c.text for c in model.stream("hi")) if mode == "stream" else asyncio.run(consume())
    )
    assert text == "hello"
    TALLY["faults"] += 1
    response = capture.records[-1]["response"]
    # Before: a 32 MB body, body_truncated false.
    assert len(response["body"].encode()) <= cap
    assert response["body_truncated"] is True
    assert response["body_bytes"] == len(wire) and response["body_decoded_bytes"] == len(plain)
    assert response["body"].startswith(":   ") and response["complete"] is True


def test_small_gzip_capture_is_whole_and_not_truncated(compat_server: ReferenceServer) -> None:
    plain = _sse(100)
    compat_server.enqueue(
        raw=gzip.compress(plain),
        content_type="text/event-stream",
        headers={"content-encoding": "gzip"},
    )
    capture = HttpCapture()
    model = ChatCompatModel(
        model="m", base_url=compat_server.base_url, max_retries=0, debug_capture=capture
    )
    assert "".join(c.text for c in model.stream("hi")) == "hello"
    response = capture.records[-1]["response"]
    assert response["body"] == plain.decode() and response["body_truncated"] is False


# -- n>1 usage ----------------------------------------------------------------------------------


def _capture_events(name: str) -> list[bytes]:
    raw = (FIXTURES / name).read_bytes().replace(b"\r\n", b"\n")
    body = raw.split(b"\n\n", 1)[1]
    return [block + b"\n\n" for block in body.split(b"\n\n") if block.strip()]


def _stream_n2(srv: ReferenceServer, events: list[Any]) -> Any:
    srv.enqueue(sse=events, done=False)
    model = ChatCompatModel(model="m", base_url=srv.base_url, max_retries=0)
    total = None
    for chunk in model.stream("Hello!", n=2):
        total = chunk if total is None else total + chunk
    return total


def test_llama_server_n2_usage_is_kept_per_choice(compat_server: ReferenceServer) -> None:
    # 14_stream_n2.http: choice 0 ends first ("stop", 1 token) and its usage chunk follows;
    # then choice 1 ("length", 4 tokens) and its own usage chunk.
    message = _stream_n2(compat_server, _capture_events("14_stream_n2.http"))
    TALLY["faults"] += 1
    assert message.text == ""
    usage = message.usage_metadata
    assert usage is not None
    assert usage["output_tokens"] == 1 and usage["input_tokens"] == 31  # before: 4 (choice 1's)
    (other,) = message.response_metadata["extra_choices"]
    assert other["index"] == 1 and other["content"] == '" part value its'
    assert other["usage_metadata"]["output_tokens"] == 4
    assert other["token_usage"]["completion_tokens"] == 4
    assert message.response_metadata["token_usage"]["completion_tokens"] == 1


def test_one_usage_for_the_whole_response_stays_on_the_message(
    compat_server: ReferenceServer,
) -> None:
    # OpenAI's shape: both choices end, then one usage chunk counting both.
    events = [
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "a"}}]},
        {"id": "c", "choices": [{"index": 1, "delta": {"content": "b"}}]},
        {"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"id": "c", "choices": [{"index": 1, "delta": {}, "finish_reason": "stop"}]},
        {"id": "c", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}},
        "data: [DONE]\n\n",
    ]
    message = _stream_n2(compat_server, events)
    assert message.text == "a"
    assert message.usage_metadata["output_tokens"] == 2
    (other,) = message.response_metadata["extra_choices"]
    assert other["content"] == "b" and "usage_metadata" not in other


def test_usage_on_each_closing_chunk_is_kept_per_choice(compat_server: ReferenceServer) -> None:
    # Older llama-server builds put each choice's usage on its closing chunk.
    events = [
        {"id": "c", "choices": [{"index": 1, "delta": {"content": "b"}}]},
        {
            "id": "c",
            "choices": [{"index": 1, "delta": {}, "finish_reason": "length"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7},
        },
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "a"}}]},
        {
            "id": "c",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3},
        },
        "data: [DONE]\n\n",
    ]
    message = _stream_n2(compat_server, events)
    assert message.usage_metadata["output_tokens"] == 3
    assert message.response_metadata["extra_choices"][0]["usage_metadata"]["output_tokens"] == 7


def test_running_usage_on_every_chunk_is_not_split(compat_server: ReferenceServer) -> None:
    # A server repeating a running total on every chunk: latest wins, on the message.
    events = [
        {
            "id": "c",
            "choices": [{"index": 0, "delta": {"content": "a"}}],
            "usage": {"completion_tokens": 1},
        },
        {
            "id": "c",
            "choices": [{"index": 1, "delta": {"content": "b"}}],
            "usage": {"completion_tokens": 2},
        },
        {
            "id": "c",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"completion_tokens": 2},
        },
        {
            "id": "c",
            "choices": [{"index": 1, "delta": {}, "finish_reason": "stop"}],
            "usage": {"completion_tokens": 3},
        },
        "data: [DONE]\n\n",
    ]
    message = _stream_n2(compat_server, events)
    assert message.usage_metadata["output_tokens"] == 3
    assert "usage_metadata" not in message.response_metadata["extra_choices"][0]
