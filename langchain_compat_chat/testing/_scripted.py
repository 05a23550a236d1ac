"""Scripted responses of the reference server: exact bytes to send instead of a generated answer.

A test queues one of these (``srv.enqueue``/``srv.enqueue_sample``) to reproduce a recorded
wire sample byte for byte. Kept apart from the dialect and fault types so that each module
stays small; ``_config`` re-exports every name for existing imports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, Union

from langchain_compat_chat.testing._generate import dumps_compact

SseEvent: TypeAlias = Union[Mapping[str, Any], str, bytes]  # noqa: UP007
"""One scripted SSE item: a chunk dict (sent as ``data: <json>``) or verbatim text/bytes."""


@dataclass(frozen=True)
class ScriptedResponse:
    """An exact response to send for one chat request, instead of generating one.

    Attributes:
        status: HTTP status code.
        headers: Extra response headers (they override the defaults).
        body: The exact body bytes for a non-streaming response.
        content_type: ``Content-Type`` of ``body``.
        events: For a streaming response: the exact bytes of each SSE event, each sent as
            one HTTP chunk (so per-chunk faults and delays apply).
        close: Close the connection after the response.

    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "application/json"
    events: tuple[bytes, ...] | None = None
    close: bool = False


def sse_event_bytes(item: SseEvent) -> bytes:
    r"""Render one scripted SSE item as wire bytes.

    A mapping becomes ``data: <compact json>\\n\\n``; text or bytes are sent verbatim,
    so a test can script comment lines, CRLF framing or a missing blank line.
    """
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode()
    return b"data: " + dumps(item) + b"\n\n"


def dumps(obj: Any) -> bytes:
    """Serialise JSON the way the server sends it: compact, UTF-8, non-ASCII kept.

    The same spelling as generated JSON content (``dumps_compact``), so that tool
    arguments inside an answer and the answer itself are written one way.
    """
    return dumps_compact(obj).encode()


def build_scripted(
    *,
    json_body: Any = None,
    sse: Iterable[SseEvent] | None = None,
    raw: bytes | str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    content_type: str | None = None,
    done: bool = True,
    close: bool = False,
) -> ScriptedResponse:
    """Build a :class:`ScriptedResponse` from the friendly ``enqueue`` arguments.

    Exactly one of ``json_body``, ``sse`` or ``raw`` must be given. With ``sse`` a final
    ``data: [DONE]`` event is appended unless ``done=False``.
    """
    given = [x is not None for x in (json_body, sse, raw)]
    if sum(given) != 1:
        raise ValueError("give exactly one of json_body=, sse= or raw=")
    hdrs = dict(headers or {})
    if sse is not None:
        events = [sse_event_bytes(item) for item in sse]
        if done:
            events.append(b"data: [DONE]\n\n")
        return ScriptedResponse(
            status=status,
            headers=hdrs,
            events=tuple(events),
            content_type=content_type or "text/event-stream; charset=utf-8",
            close=close,
        )
    body = dumps(json_body) if raw is None else raw
    return ScriptedResponse(
        status=status,
        headers=hdrs,
        body=body.encode() if isinstance(body, str) else body,
        content_type=content_type or "application/json",
        close=close,
    )


def scripted_from_sample(sample: Mapping[str, Any]) -> ScriptedResponse:
    """Build a scripted response from a wire-sample fixture (or its ``response`` part).

    The fixture format is ``{"status", "headers", "sse" | "json" | "raw"}``; an SSE text is
    split into events on blank lines so that it is sent event by event.
    """
    resp = sample.get("response", sample)
    status = int(resp.get("status", 200))
    headers = {str(k): str(v) for k, v in dict(resp.get("headers") or {}).items()}
    ctype = headers.pop("content-type", None) or headers.pop("Content-Type", None)
    if "sse" in resp:
        text = str(resp["sse"])
        return ScriptedResponse(
            status=status,
            headers=headers,
            events=tuple(_split_events(text)),
            content_type=ctype or "text/event-stream",
        )
    body = json.dumps(resp["json"]) if "json" in resp else str(resp.get("raw", ""))
    return ScriptedResponse(
        status=status, headers=headers, body=body.encode(), content_type=ctype or "application/json"
    )


def _split_events(text: str) -> list[bytes]:
    """Split SSE text after each blank line, keeping every byte (CRLF included)."""
    out: list[bytes] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        for sep in ("\r\n\r\n", "\n\n", "\r\r"):
            if text.startswith(sep, i):
                out.append(text[start : i + len(sep)].encode())
                i += len(sep)
                start = i
                break
        else:
            i += 1
    if start < n:
        out.append(text[start:].encode())
    return out
