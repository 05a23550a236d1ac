"""What a fault or the queue does to any endpoint's answer, in one place for every route.

A test may queue an exact response or inject a fault for the next request, on whichever
endpoint it lands. :func:`send_queued` answers the request when the queue or the fault
decides the answer (a scripted reply, a fault status); otherwise the route generates it
and sends it through :func:`send_json` or :func:`send_events`, which apply the fault's
damage to the bytes (oversize, malformed JSON, invalid UTF-8). A new endpoint's handler
gets every fault by calling these, not by writing them again; the transport faults
(delays, stalls, disconnects) are applied below, in ``_http``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from langchain_compat_chat.testing._config import Fault, ScriptedResponse, dumps
from langchain_compat_chat.testing._http import (
    Request,
    corrupt_utf8,
    fault_error,
    phrase,
    request_headers,
    retry_after_value,
    write_json_with_fault,
    write_response,
    write_sse,
)


async def send_queued(
    queued: tuple[ScriptedResponse | None, Fault | None],
    req: Request,
    writer: asyncio.StreamWriter,
    *,
    stream: bool,
) -> tuple[Fault, bool | None]:
    """Answer from the queue's next item when it decides the answer, after its delays.

    Args:
        queued: What ``ServerState.next_item`` gave for this request.
        req: The request (for keep-alive).
        writer: Where an answer goes.
        stream: Whether the request asked for a stream (a fault's time to first token is
            then waited in the stream, and an in-stream error fault waits for it).

    Returns:
        The fault for the generated answer (an empty one when none applies) and, when
        the answer was sent here, whether the connection may be reused; ``None`` means
        the route generates the answer.

    """
    scripted, fault = queued
    fault = fault or Fault()
    if scripted is not None:
        return fault, await send_scripted(scripted, fault, req, writer)
    await asyncio.sleep(fault.latency_s + (0 if stream else fault.ttft_s))
    in_stream_error = stream and fault.stream_error_after_chunks is not None
    if (fault.status is not None or fault.error_with_200) and not in_stream_error:
        await send_fault_status(fault, req, writer)
        return fault, req.keep_alive
    return fault, None


async def send_json(
    answer: Mapping[str, Any], fault: Fault, req: Request, writer: asyncio.StreamWriter
) -> bool:
    """Send a generated JSON answer with the fault's damage; returns keep-alive.

    ``oversize_bytes`` pads the object, ``malformed_json`` cuts the bytes in half and
    ``invalid_utf8`` breaks the first string, as a failing upstream or proxy would.
    """
    shown = dict(answer)
    if fault.oversize_bytes:
        shown["padding"] = "x" * fault.oversize_bytes
    payload = dumps(shown)
    if fault.malformed_json:
        payload = payload[: max(1, len(payload) // 2)]
    if fault.invalid_utf8:
        payload = corrupt_utf8(payload)
    return await write_json_with_fault(writer, payload, fault, req.keep_alive)


async def send_events(
    events: list[bytes],
    fault: Fault,
    writer: asyncio.StreamWriter,
    *,
    malformed: bytes,
    done: bytes = b"",
) -> bool:
    """Stream generated SSE events with the fault's damage to the second one.

    Args:
        events: The encoded events (padding for ``oversize_bytes`` already in the first).
        fault: The fault in force.
        writer: Where the stream goes.
        malformed: The broken event that replaces the second under ``malformed_json``
            (each API's own framing).
        done: A closing event sent after the damage is chosen (Chat's ``[DONE]``).

    """
    second = min(1, len(events) - 1)
    if fault.malformed_json:
        events[second] = malformed
    if fault.invalid_utf8:
        events[second] = corrupt_utf8(events[second])
    if done:
        events.append(done)
    return await write_sse(writer, events, fault, headers=request_headers())


async def send_fault_status(fault: Fault, req: Request, writer: asyncio.StreamWriter) -> None:
    """Send the fault's error status: OpenAI-shaped JSON, an nginx HTML page, or a 200.

    ``Retry-After`` (seconds or an HTTP date) and ``retry-after-ms`` come with it when the
    fault asks for them; ``error_with_200`` sends the error body with status 200, as some
    gateways do.
    """
    status = int(fault.status or 500)
    headers = request_headers()
    if fault.retry_after_s is not None:
        headers["retry-after"] = retry_after_value(fault.retry_after_s, fault.retry_after_date)
    if fault.retry_after_ms is not None:
        headers["retry-after-ms"] = str(fault.retry_after_ms)
    if fault.html_error:
        reason = phrase(status)
        html = (
            f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n"
        ).encode()
        await write_response(
            writer,
            status,
            html,
            keep_alive=req.keep_alive,
            headers=headers,
            content_type="text/html",
        )
        return
    err = fault_error(fault, status)
    wire_status = 200 if fault.error_with_200 else status
    await write_response(
        writer, wire_status, err.body(), keep_alive=req.keep_alive, headers=headers
    )


async def send_scripted(
    item: ScriptedResponse, fault: Fault, req: Request, writer: asyncio.StreamWriter
) -> bool:
    """Send a queued response exactly, under the fault's delays; returns keep-alive.

    The fault's latency (and time to first token, for a JSON body) is waited first; an SSE
    body goes through the same writer as generated streams, so per-event delays, stalls
    and disconnects apply to scripted streams too.
    """
    await asyncio.sleep(fault.latency_s + (0 if item.events is not None else fault.ttft_s))
    headers = request_headers()
    headers.update({k.lower(): v for k, v in item.headers.items()})
    if item.events is None:
        keep = req.keep_alive and not item.close
        await write_response(
            writer,
            item.status,
            item.body,
            keep_alive=keep,
            headers=headers,
            content_type=item.content_type,
        )
        return keep
    keep = await write_sse(
        writer,
        list(item.events),
        fault,
        headers=headers,
        status=item.status,
        content_type=item.content_type,
    )
    return keep and not item.close
