"""Shorthands for the Batch API tests: JSONL lines, upload, create and wait."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from tests.testing._helpers import USER, WEATHER_TOOL

ENDPOINT = "/v1/chat/completions"
TERMINAL = ("completed", "failed", "expired", "cancelled")


def chat_body(i: int = 0, **extra: Any) -> dict[str, Any]:
    """A chat body with a per-line prompt."""
    return {"model": "m", "messages": [{"role": "user", "content": f"line {i}"}], **extra}


def line(cid: str, body: Mapping[str, Any] | None = None, /, **over: Any) -> dict[str, Any]:
    """One input line; ``over`` replaces or (with ``None``) removes its fields."""
    out: dict[str, Any] = {
        "custom_id": cid,
        "method": "POST",
        "url": ENDPOINT,
        "body": dict(body) if body is not None else chat_body(),
    }
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def tool_line(i: int) -> dict[str, Any]:
    """A line whose answer must be a call of the weather tool."""
    return line(f"t{i}", {**chat_body(i), "messages": USER, "tools": [WEATHER_TOOL],
                          "tool_choice": "required"})  # fmt: skip


def jsonl(lines: Iterable[Mapping[str, Any] | str]) -> bytes:
    """JSONL bytes; a ``str`` item goes in verbatim (for broken lines)."""
    return b"".join(
        (item if isinstance(item, str) else json.dumps(item)).encode() + b"\n" for item in lines
    )


def upload(
    client: httpx.Client,
    data: bytes,
    *,
    purpose: str = "batch",
    filename: str = "input.jsonl",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """``POST /files`` as multipart/form-data, the way the SDKs send it."""
    return client.post(
        "/files",
        data={"purpose": purpose},
        files={"file": (filename, io.BytesIO(data), "application/jsonl")},
        headers=dict(headers or {}),
    )


def create(
    client: httpx.Client, file_id: str, headers: Mapping[str, str] | None = None, **over: Any
) -> httpx.Response:
    body = {"input_file_id": file_id, "endpoint": ENDPOINT, "completion_window": "24h", **over}
    return client.post("/batches", json=body, headers=dict(headers or {}))


def submit(client: httpx.Client, lines: Iterable[Mapping[str, Any] | str]) -> dict[str, Any]:
    """Upload the lines and create a batch of them; returns the batch object."""
    resp = upload(client, jsonl(lines))
    assert resp.status_code == 200, resp.text
    batch = create(client, resp.json()["id"])
    assert batch.status_code == 200, batch.text
    return dict(batch.json())


def wait(client: httpx.Client, batch_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll until the batch reaches a terminal status; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        batch = client.get(f"/batches/{batch_id}").json()
        if batch["status"] in TERMINAL:
            return dict(batch)
        assert time.monotonic() < deadline, f"batch still {batch['status']}"
        time.sleep(0.01)


def content(client: httpx.Client, file_id: str | None) -> list[dict[str, Any]]:
    """The JSONL lines of a file (``[]`` for ``None``)."""
    if file_id is None:
        return []
    resp = client.get(f"/files/{file_id}/content")
    assert resp.status_code == 200, resp.text
    return [json.loads(x) for x in resp.content.splitlines() if x.strip()]
