"""A tiny, fast OpenAI-compatible Chat Completions server for the benchmark (stdlib only).

It runs in its own process (``python bench/mock_server.py``) so that its CPU time is not
charged to the client being measured. The ``model`` field of a request configures the answer:
``bench/n=1000`` streams 1000 content chunks, ``bench/tool=500`` streams one tool call whose
JSON arguments arrive in 500 fragments, ``bench/d=50`` holds the request 50 ms before
answering; ``POST /responses`` answers in the Responses API's shape (``bench/n=1000``: 1000
``response.output_text.delta`` events). Streams are written in one go (one ``write``), the
way a fast server or a proxy that buffers delivers them. ``GET /stats`` reports the connections accepted and the most
requests held at once since ``POST /stats/reset`` (for the pool burst, ``pool_burst.py``).
"""

from __future__ import annotations

import asyncio
import json
import sys

MSG_ID = "chatcmpl-bench000000000000000000000000"
TOOL_NAME = "record_items"
CALL_ID = "call_bench000000000000000000"


def tokens(n: int) -> list[str]:
    """The content chunks of an answer with ``n`` chunks."""
    return [f" w{i}" for i in range(n)]


def tool_fragments(n: int) -> list[str]:
    """JSON arguments (escapes, non-ASCII) cut into ``n`` fragments."""
    args = {
        "title": 'Inventory "Q3" - naïve \\ 東京',
        "items": [{"sku": f"SKU-{i:05d}", "qty": i % 17, "note": "ü ö ä"} for i in range(120)],
    }
    text = json.dumps(args, ensure_ascii=False)
    size = -(-len(text) // n)
    return [text[i * size : (i + 1) * size] for i in range(n)]


def _config(model: str) -> dict[str, int]:
    cfg = {"n": 20, "tool": 0, "d": 0}
    for part in model.split("/")[1:]:
        key, _, value = part.partition("=")
        if key in cfg:
            cfg[key] = int(value)
    return cfg


def _chunk(model: str, delta: dict, finish: str | None = None) -> bytes:
    body = {
        "id": MSG_ID,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "system_fingerprint": "fp_bench",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"


def _usage(model: str, n: int) -> bytes:
    body = {
        "id": MSG_ID,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [],
        "usage": {"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n},
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def answer(request: dict) -> tuple[bytes, bool]:
    """The response body for one request, and whether it is an SSE stream."""
    model = request.get("model", "bench")
    cfg = _config(model)
    n = cfg["n"]
    if not request.get("stream"):
        body = {
            "id": MSG_ID,
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(tokens(n))},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n},
        }
        return json.dumps(body).encode(), False
    parts = [_chunk(model, {"role": "assistant", "content": ""})]
    if cfg["tool"]:
        head = {"index": 0, "id": CALL_ID, "type": "function"}
        head["function"] = {"name": TOOL_NAME, "arguments": ""}
        parts.append(_chunk(model, {"tool_calls": [head]}))
        for frag in tool_fragments(cfg["tool"]):
            call = {"index": 0, "function": {"arguments": frag}}
            parts.append(_chunk(model, {"tool_calls": [call]}))
        parts.append(_chunk(model, {}, "tool_calls"))
    else:
        parts.extend(_chunk(model, {"content": tok}) for tok in tokens(n))
        parts.append(_chunk(model, {}, "stop"))
    if (request.get("stream_options") or {}).get("include_usage"):
        parts.append(_usage(model, n))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts), True


RESP_ID = "resp_bench0000000000000000000000"


def _event(payload: dict) -> bytes:
    kind = payload["type"].encode()
    return b"event: " + kind + b"\ndata: " + json.dumps(payload).encode() + b"\n\n"


def answer_responses(request: dict) -> tuple[bytes, bool]:
    """A Responses API reply (``POST /responses``): the JSON object, or its typed events."""
    model = request.get("model", "bench")
    n = _config(model)["n"]
    text = "".join(tokens(n))
    message = {
        "type": "message",
        "id": MSG_ID,
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    usage = {"input_tokens": 12, "output_tokens": n, "total_tokens": 12 + n}
    final = {
        "id": RESP_ID,
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "model": model,
        "output": [message],
        "usage": usage,
    }
    if not request.get("stream"):
        return json.dumps(final).encode(), False
    start = {**final, "status": "in_progress", "output": [], "usage": None}
    head = {**message, "status": "in_progress", "content": []}
    parts = [
        _event({"type": "response.created", "sequence_number": 0, "response": start}),
        _event({"type": "response.output_item.added", "output_index": 0, "item": head}),
    ]
    for i, tok in enumerate(tokens(n)):
        delta = {
            "type": "response.output_text.delta",
            "sequence_number": i + 2,
            "item_id": MSG_ID,
            "output_index": 0,
            "content_index": 0,
            "delta": tok,
        }
        parts.append(_event(delta))
    parts.append(_event({"type": "response.output_item.done", "output_index": 0, "item": message}))
    parts.append(_event({"type": "response.completed", "response": final}))
    return b"".join(parts), True


STATS = {"connections": 0, "in_flight": 0, "peak_in_flight": 0}


def _stats(method: bytes) -> bytes:
    if method == b"POST":
        STATS.update(connections=0, peak_in_flight=STATS["in_flight"])
    return json.dumps(STATS).encode()


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    STATS["connections"] += 1
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            raw = await reader.readexactly(length) if length else b"{}"
            method, path = head.split(b" ", 2)[:2]
            if path == b"/stats":
                body, sse = _stats(method), False
            else:
                request = json.loads(raw)
                delay = _config(request.get("model", "bench"))["d"]
                if delay:
                    STATS["in_flight"] += 1
                    STATS["peak_in_flight"] = max(STATS["peak_in_flight"], STATS["in_flight"])
                    await asyncio.sleep(delay / 1000)
                    STATS["in_flight"] -= 1
                body, sse = (
                    answer_responses(request) if path.endswith(b"/responses") else answer(request)
                )
            ctype = b"text/event-stream" if sse else b"application/json"
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: "
                + ctype
                + b"\r\ncontent-length: "
                + str(len(body)).encode()
                + b"\r\nconnection: keep-alive\r\n\r\n"
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _main() -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(_main())
    except KeyboardInterrupt:
        sys.exit(0)
