"""Faults of the reference server, and the header syntax shared with dialects.

A :class:`Fault` makes a chat answer slow or broken (status, latency, stalls, disconnects,
malformed bytes); ``x-compat-fault`` spells one in a request header. ``_config`` re-exports
every name, so existing imports keep working.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fault:
    """A failure (or slowness) to inject into chat-completion responses.

    Fields combine: ``Fault(latency_s=0.2, status=503)`` waits, then fails. A fault can be
    set server-wide (``srv.set_fault``), queued for the next request(s)
    (``srv.enqueue_fault``) or sent per request in the ``x-compat-fault`` header.

    Attributes:
        latency_s: Delay before the status line is sent (connect-to-headers latency).
        ttft_s: Extra delay between the headers and the first token (time to first token).
        chunk_delay_s: Delay before every stream chunk after the first.
        status: Answer with this HTTP status and an OpenAI-shaped error body instead of a
            completion (429, 500, 503, 408, ...).
        retry_after_s: Value of a ``Retry-After`` header (seconds) on the error response.
        retry_after_ms: Value of a ``retry-after-ms`` header on the error response.
        retry_after_date: Send ``Retry-After`` as an HTTP-date ``retry_after_s`` seconds
            from now (RFC 9110 allows both forms; proxies and CDNs often send the date).
        error_message: Message of the injected error (a sensible default per status).
        error_type: ``error.type`` of the injected error (default per status).
        error_code: ``error.code`` of the injected error (default per status).
        html_error: Send the error status with an HTML page instead of JSON (proxies,
            gateways and load balancers do this).
        error_with_200: Send the error body of ``status`` (500 if unset) with HTTP 200
            instead, as a JSON body even for streaming requests (gateways that wrap an
            upstream failure in a "successful" reply do this).
        malformed_json: Answer 200 with a truncated, unparseable JSON body; in a stream,
            the second event is a truncated JSON line.
        invalid_utf8: Put bytes that are not UTF-8 into the answer's text (in a stream,
            into the second event).
        oversize_bytes: Pad the answer with this many bytes of filler in an extra
            top-level ``padding`` field (in a stream, of the first event): a runaway
            server, or a misrouted download, for testing response size limits.
        disconnect_after_chunks: Close the socket after this many SSE events, without
            ending the chunked body or sending ``[DONE]``.
        stall_after_chunks: Stop sending after this many SSE events ...
        stall_s: ... for this many seconds, then continue normally.
        stream_error_after_chunks: After this many SSE events, send
            ``data: {"error": {...}}`` inside the 200 stream and end it.
        times: Apply the fault to this many chat requests only, then behave normally
            ("fail the first K requests" for retry tests). ``None`` means every request.
            Counted for server-wide and queued faults; a header fault applies to its own
            request only, so ``times`` is ignored there (a retried request resends the
            header, so use ``set_fault``/``enqueue_fault`` for retry tests).

    """

    latency_s: float = 0.0
    ttft_s: float = 0.0
    chunk_delay_s: float = 0.0
    status: int | None = None
    retry_after_s: float | None = None
    retry_after_ms: int | None = None
    retry_after_date: bool = False
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    html_error: bool = False
    error_with_200: bool = False
    malformed_json: bool = False
    invalid_utf8: bool = False
    oversize_bytes: int | None = None
    disconnect_after_chunks: int | None = None
    stall_after_chunks: int | None = None
    stall_s: float = 0.0
    stream_error_after_chunks: int | None = None
    times: int | None = None

    def replace(self, **changes: Any) -> Fault:
        """Return a copy with some fields changed (``dataclasses.replace`` shorthand)."""
        return dataclasses.replace(self, **changes)


def _coerce(value: str, annotation: Any) -> Any:
    """Convert a header value to the type a dataclass field declares."""
    text = value.strip()
    if text.lower() in ("none", "null") and "None" in str(annotation):
        return None
    kind = str(annotation)
    if "bool" in kind:
        if text.lower() in ("1", "true", "yes", "on", ""):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    if "int" in kind and "float" not in kind:
        return int(text)
    if "float" in kind:
        return float(text)
    return text


def _parse_pairs(text: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, val = part.partition("=")
        pairs.append((key.strip().replace("-", "_"), val if sep else None))
    return pairs


_FAULT_FIELDS = {f.name: f for f in dataclasses.fields(Fault)}


def parse_fault(text: str) -> Fault:
    """Parse an ``x-compat-fault`` header value into a :class:`Fault`.

    The value is a comma-separated list of ``key=value`` pairs naming :class:`Fault`
    fields, e.g. ``status=429,retry_after_s=1`` or ``disconnect_after_chunks=3``. A bare
    number is shorthand for ``status=<number>``.

    Raises:
        ValueError: for an unknown field or a value of the wrong type.

    """
    changes: dict[str, Any] = {}
    for key, val in _parse_pairs(text):
        if val is None and key.isdigit():
            changes["status"] = int(key)
            continue
        if key not in _FAULT_FIELDS:
            raise ValueError(f"unknown fault field: {key!r}")
        changes[key] = _coerce(val if val is not None else "true", _FAULT_FIELDS[key].type)
    return Fault(**changes)
