"""Answers that any endpoint can be scripted to give: queued responses and fault statuses.

A test may queue an exact response or inject a fault status for the next request, on
whichever endpoint it lands. The two writers here put them on the wire, so a new
endpoint's handler gets both by calling them, not by writing them again.
"""

from __future__ import annotations

import asyncio

from langchain_compat_chat.testing._config import Fault, ScriptedResponse
from langchain_compat_chat.testing._http import (
    Request,
    fault_error,
    phrase,
    request_headers,
    retry_after_value,
    write_response,
    write_sse,
)


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
