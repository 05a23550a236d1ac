"""Minimal HTTP/1.1 plumbing for the reference server (stdlib asyncio streams only).

Request parsing (``Content-Length`` and chunked bodies, ``Expect: 100-continue``),
response heads, JSON answers with ``Content-Length``, and SSE answers with chunked transfer
encoding where each SSE event is one HTTP chunk. Faults that break the transport
(disconnects, stalls, per-chunk delays, an error event inside the stream) are applied
here, at the byte level where real servers and proxies produce them.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import math
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import IO

from langchain_compat_chat.testing._config import Fault
from langchain_compat_chat.testing._errors import ApiError

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
MAX_UPLOAD = 512 * 1024 * 1024
"""Largest spooled upload: OpenAI's per-file limit (platform.openai.com/docs/api-reference)."""
_SPOOL_IN_MEMORY = 1024 * 1024
_READ_CHUNK = 256 * 1024

DEFAULT_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request.", "invalid_request_error", None),
    401: ("Invalid API key.", "authentication_error", "invalid_api_key"),
    403: ("You are not allowed to use this model.", "permission_error", None),
    404: ("Not found.", "not_found_error", None),
    408: ("Request timed out.", "timeout_error", None),
    409: ("Conflict: the request was interrupted by another one.", "conflict_error", None),
    413: ("Request too large.", "invalid_request_error", "request_too_large"),
    422: ("Unprocessable entity.", "invalid_request_error", None),
    429: (
        "Rate limit reached for requests. Please try again later.",
        "rate_limit_exceeded",
        "rate_limit_exceeded",
    ),
    500: ("The server had an error while processing your request.", "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    504: ("Gateway timeout.", "server_error", None),
}


@dataclass
class Request:
    method: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    body: bytes
    upload: IO[bytes] | None = None
    """A large body spooled to a temporary file instead of ``body`` (see ``read_request``)."""

    @property
    def keep_alive(self) -> bool:
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_ids = itertools.count(1)


def request_headers() -> dict[str, str]:
    return {"x-request-id": f"req_{next(_ids):012d}", "openai-processing-ms": "1"}


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def retry_after_value(seconds: float, as_date: bool) -> str:
    """A ``Retry-After`` value: delay seconds, or the HTTP-date that many seconds from now.

    The date is rounded up to the next whole second (its resolution), so a client that
    honours it never waits less than ``seconds``.
    """
    if not as_date:
        return f"{seconds:g}"
    return email.utils.formatdate(math.ceil(time.time() + seconds), usegmt=True)


def corrupt_utf8(data: bytes) -> bytes:
    """Insert a byte sequence that is not UTF-8 into the first JSON string value of ``data``.

    Placed inside the answer's text when there is one (``"content":"``), so a client that
    decodes leniently would silently show replacement characters to its user.
    """
    at = data.find(b'"content":"')
    at = at + len(b'"content":"') if at >= 0 else data.find(b'"') + 1
    return data[:at] + b"\xc3\x28" + data[at:]


def fault_error(fault: Fault, status: int) -> ApiError:
    message, etype, code = DEFAULT_ERRORS.get(
        status,
        ("Injected error.", "server_error" if status >= 500 else "invalid_request_error", None),
    )
    return ApiError(
        status,
        fault.error_message or message,
        fault.error_type or etype,
        None,
        fault.error_code if fault.error_code is not None else code,
    )


SpoolRule = Callable[[str, str], bool]
"""``(method, path) -> bool``: whether a request's body is spooled to disk, not kept in memory."""


async def read_request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    spool: SpoolRule | None = None,
) -> Request | None:
    """Read one HTTP/1.1 request; ``None`` on a clean EOF between requests.

    When ``spool(method, path)`` is true the body goes to a temporary file (memory for the
    first megabyte, disk after it) in ``Request.upload``, up to ``MAX_UPLOAD`` bytes, so
    that a file upload of hundreds of megabytes never sits in memory.
    """
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise HttpError(400, "Incomplete request head.") from None
        return None
    except asyncio.LimitOverrunError:
        raise HttpError(431, "Request header fields too large.") from None
    lines = head[:-4].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise HttpError(400, "Malformed request line.")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(400, "Malformed header line.")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    path, _, query = target.partition("?")
    method = method.upper()
    if spool is not None and spool(method, path):
        sink: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
        try:
            await _read_body(reader, headers, sink, MAX_UPLOAD)
        except BaseException:
            sink.close()
            raise
        sink.seek(0)
        return Request(method, path, query, version, headers, b"", sink)
    buffer = _Buffer()
    await _read_body(reader, headers, buffer, MAX_BODY)
    return Request(method, path, query, version, headers, bytes(buffer.data))


class _Buffer:
    """An in-memory sink with the one method ``_read_body`` writes through."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)


async def _read_body(
    reader: asyncio.StreamReader,
    headers: Mapping[str, str],
    sink: IO[bytes] | _Buffer,
    limit: int,
) -> None:
    """Copy a ``Content-Length`` or chunked body into ``sink``, at most ``limit`` bytes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        await _read_chunked(reader, sink, limit)
        return
    try:
        length = int(headers.get("content-length", "0") or 0)
    except ValueError:
        raise HttpError(400, "Invalid Content-Length.") from None
    if length < 0 or length > limit:
        raise HttpError(413, "Request body too large.")
    while length > 0:
        chunk = await reader.readexactly(min(length, _READ_CHUNK))
        sink.write(chunk)
        length -= len(chunk)


async def _read_chunked(
    reader: asyncio.StreamReader, sink: IO[bytes] | _Buffer, limit: int
) -> None:
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HttpError(400, "Invalid chunk size.") from None
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return
        total += size
        if total > limit:
            raise HttpError(413, "Request body too large.")
        while size > 0:
            chunk = await reader.readexactly(min(size, _READ_CHUNK))
            sink.write(chunk)
            size -= len(chunk)
        await reader.readexactly(2)


def response_head(
    status: int,
    headers: Mapping[str, str],
    *,
    content_type: str,
    keep_alive: bool,
    length: int | None,
) -> bytes:
    lines = [f"HTTP/1.1 {status} {phrase(status)}", f"content-type: {content_type}"]
    if length is None:
        lines.append("transfer-encoding: chunked")
    else:
        lines.append(f"content-length: {length}")
    lines.append("server: compat-reference")
    lines.append(f"date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}")
    if not keep_alive:
        lines.append("connection: close")
    for key, value in headers.items():
        if key.lower() in ("content-type", "content-length", "transfer-encoding"):
            continue
        lines.append(f"{key}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def write_response(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    *,
    keep_alive: bool,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    hdrs = dict(headers or {})
    ctype = next((v for k, v in hdrs.items() if k.lower() == "content-type"), content_type)
    head = response_head(status, hdrs, content_type=ctype, keep_alive=keep_alive, length=len(body))
    writer.write(head + body)
    await writer.drain()


async def write_file(
    writer: asyncio.StreamWriter,
    source: IO[bytes],
    length: int,
    *,
    keep_alive: bool,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/octet-stream",
) -> None:
    """Send ``length`` bytes of an open file with ``Content-Length``, a block at a time.

    A download of a large batch output file then costs one block of memory, not the file.
    """
    head = response_head(
        200, dict(headers or {}), content_type=content_type, keep_alive=keep_alive, length=length
    )
    writer.write(head)
    left = length
    while left > 0:
        block = source.read(min(left, _READ_CHUNK))
        if not block:
            raise ConnectionError("file shorter than its recorded size")
        writer.write(block)
        left -= len(block)
        await writer.drain()
    await writer.drain()


async def write_json_with_fault(
    writer: asyncio.StreamWriter, payload: bytes, fault: Fault, keep_alive: bool
) -> bool:
    """Send a JSON completion; a disconnect or stall fault breaks it after the headers."""
    head = response_head(
        200,
        request_headers(),
        content_type="application/json",
        keep_alive=keep_alive,
        length=len(payload),
    )
    if fault.disconnect_after_chunks is not None:
        writer.write(head + payload[: len(payload) // 2])
        await writer.drain()
        writer.close()
        return False
    if fault.stall_after_chunks is not None:
        writer.write(head)
        await writer.drain()
        await asyncio.sleep(fault.stall_s)
    else:
        writer.write(head)
    writer.write(payload)
    await writer.drain()
    return True


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


async def write_sse(
    writer: asyncio.StreamWriter,
    events: Sequence[bytes],
    fault: Fault,
    *,
    headers: Mapping[str, str],
    status: int = 200,
    content_type: str = "text/event-stream; charset=utf-8",
) -> bool:
    """Stream SSE events, one HTTP chunk each, applying the fault's timing and breakage.

    Without timing faults the whole body goes out in one write (fast under load); with
    them, bytes are flushed before every pause so the client sees exactly the events
    sent so far. Returns whether the connection is still usable (``False`` after a
    disconnect).
    """
    hdrs = {"cache-control": "no-cache", "x-accel-buffering": "no", **headers}
    out = [response_head(status, hdrs, content_type=content_type, keep_alive=True, length=None)]

    async def flush() -> None:
        writer.write(b"".join(out))
        out.clear()
        await writer.drain()

    if fault.ttft_s:
        await flush()
        await asyncio.sleep(fault.ttft_s)
    for i, event in enumerate(events):
        if fault.disconnect_after_chunks is not None and i >= fault.disconnect_after_chunks:
            await flush()
            writer.close()
            return False
        if fault.stream_error_after_chunks is not None and i >= fault.stream_error_after_chunks:
            err = fault_error(fault, int(fault.status or 500))
            out.append(_http_chunk(b"data: " + err.body() + b"\n\n"))
            break
        if fault.stall_after_chunks is not None and i == fault.stall_after_chunks:
            await flush()
            await asyncio.sleep(fault.stall_s)
        if fault.chunk_delay_s and i > 0:
            await flush()
            await asyncio.sleep(fault.chunk_delay_s)
        out.append(_http_chunk(event))
    out.append(b"0\r\n\r\n")
    await flush()
    return True
