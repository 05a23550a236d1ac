"""Opt-in debug capture of every HTTP exchange, with secrets redacted.

Provider quirks are easiest to diagnose from what actually crossed the wire: the exact
request body, the status and headers, and for streams the raw SSE text as it arrived.
:class:`HttpCapture` records one entry per HTTP *attempt* (so a 429 followed by a successful
retry gives two), including failed attempts, connection errors and streams that were cut
off or abandoned, in memory or appended to a JSONL file.

Nothing secret is written: credential headers (``_secrets.is_secret_header`` decides, e.g.
``authorization``, ``api-key``, ``cookie`` and any ``*-key`` / ``*-token`` header) are
replaced by ``[REDACTED]``; their values (and the token after ``Bearer``, the
password inside ``Basic``), the password of ``user:password@`` in the base URL and the values
of key-like query parameters are also scrubbed from URLs, bodies, headers and error texts,
and the URL never shows ``user:password@``.

How it hooks in: a model with a capture gets a :class:`CapturingSession`, whose
``client()`` / ``async_client()`` hand the four drivers of :class:`~.session.Session`
(``send``, ``open_stream``, ``asend``, ``aopen_stream``) a thin stand-in for the httpx client
whose ``send`` records the attempt. A streamed response's byte stream is wrapped so the
record fills as the caller reads and is written when the response closes. A model without a
capture gets the plain ``Session``: not even a flag is checked on its path.
"""

from __future__ import annotations

import json
import os
import threading
import time
import warnings
import zlib
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx

from langchain_compat_chat._http.session import Session
from langchain_compat_chat._secrets import is_secret_header, redact_url, request_secrets

__all__ = ["CAPTURE_ENV", "CapturingSession", "HttpCapture", "capture_from"]

CAPTURE_ENV = "COMPAT_DEBUG_CAPTURE"
"""Env var naming a JSONL file that every model without its own ``debug_capture`` writes to."""

REDACTED = "[REDACTED]"
# One lock for every capture file: writes are rare (debugging only) and two captures may
# name the same file, so a per-instance lock would not be enough.
_file_lock = threading.Lock()

ClientT = TypeVar("ClientT", httpx.Client, httpx.AsyncClient)


class HttpCapture:
    r"""Records HTTP exchanges for debugging, with API keys and auth headers redacted.

    Pass one to a model (``debug_capture=``), or a file path to get a JSONL file, or set
    ``COMPAT_DEBUG_CAPTURE=/path/to/file.jsonl`` to capture every model that has none.
    One capture may be shared by several models and used from many threads and event loops.

    Example:
        ```python
        from langchain_compat_chat import ChatCompatModel, HttpCapture

        capture = HttpCapture()  # in memory; HttpCapture("wire.jsonl") for a file
        llm = ChatCompatModel(model="qwen3", base_url=..., debug_capture=capture)
        llm.invoke("Hello")
        record = capture.records[-1]
        print(record["request"]["body"])  # the exact JSON sent
        print(record["response"]["status"], record["response"]["body"])

        # or straight to a file (appended, one JSON object per line):
        llm = ChatCompatModel(model="qwen3", base_url=..., debug_capture="wire.jsonl")
        ```

    Each record is a dict (one JSONL line):

    ```text
    {"seq": 1, "time": "2025-01-01T12:00:00.000000+00:00", "duration_s": 0.42,
     "stream": true,
     "request": {"method": "POST", "url": "...", "headers": {...},
                 "body": "...", "body_bytes": 812, "body_truncated": false},
     "response": {"status": 200, "headers": {...}, "body": "data: {...}\n\n...",
                  "body_bytes": 5120, "body_truncated": false, "complete": true},
     "error": null}
    ```

    ``response`` is ``null`` when no response arrived (connection refused, timeout before
    the headers); ``error`` is the exception text when the attempt failed in the transport
    (an HTTP error status is a response, not an ``error``). For streams, ``body`` is the raw
    SSE text as received (gzip/deflate undone, ``max_body_bytes`` applying to the decoded
    text; ``body_bytes`` is then the wire size and ``body_decoded_bytes`` the decoded one)
    and ``complete`` is false when the stream was abandoned or broke before its end
    (``[DONE]`` or the end of the body): the record then holds exactly what had arrived. A
    record is written when its response is closed, so records appear in completion order;
    ``seq`` gives the order in which requests were sent.

    Args:
        path: Append records to this JSONL file (created if missing; its directory must
            exist). ``None`` keeps them in memory only.
        max_body_bytes: Keep at most this many bytes of each request and response body;
            ``body_bytes`` still tells the full size.
        max_records: How many records :attr:`records` keeps in memory (oldest dropped).
        keep_in_memory: Keep records in :attr:`records`; defaults to true without a ``path``
            and false with one, so a long-running capture to a file does not grow memory.
        redact: More strings to scrub from every record (e.g. a key you put in
            ``default_query`` under an unusual name).

    Raises:
        OSError: the file cannot be opened for appending (checked at once, not at the
            first request).

    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        max_body_bytes: int = 1_000_000,
        max_records: int = 1000,
        keep_in_memory: bool | None = None,
        redact: Iterable[str] = (),
    ) -> None:
        if max_body_bytes < 0 or max_records < 0:
            msg = "max_body_bytes and max_records must not be negative"
            raise ValueError(msg)
        self.path = Path(path) if path is not None else None
        self.max_body_bytes = max_body_bytes
        self.keep_in_memory = self.path is None if keep_in_memory is None else keep_in_memory
        self._redact = tuple(s for s in redact if s)
        self._records: deque[dict[str, Any]] = deque(maxlen=max_records)
        self._lock = threading.Lock()
        self._seq = 0
        self._warned = False
        if self.path is not None:
            with self.path.open("a", encoding="utf-8"):
                pass

    @property
    def records(self) -> list[dict[str, Any]]:
        """A copy of the records kept in memory, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget the in-memory records (a JSONL file is left as it is)."""
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        """Number of records kept in memory."""
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        """Where records go and how many are held."""
        target = f"path={str(self.path)!r}, " if self.path is not None else ""
        return f"HttpCapture({target}records={len(self)})"

    def __copy__(self) -> HttpCapture:
        """A capture is a sink: copies of a model keep writing to the same one."""
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> HttpCapture:
        """See :meth:`__copy__`."""
        return self

    # -- recording ---------------------------------------------------------------------------
    def _begin(self, request: httpx.Request, stream: bool) -> _Exchange:
        with self._lock:
            self._seq += 1
            seq = self._seq
        return _Exchange(self, seq, request, stream)

    def _emit(self, record: dict[str, Any]) -> None:
        if self.keep_in_memory:
            with self._lock:
                self._records.append(record)
        if self.path is None:
            return
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            with _file_lock, self.path.open("a", encoding="utf-8") as file:
                file.write(line)
        except OSError as exc:  # a debugging aid must never fail the request it watches
            if not self._warned:
                self._warned = True
                warnings.warn(f"HTTP capture to {self.path} failed: {exc}", stacklevel=2)


def capture_from(value: HttpCapture | str | os.PathLike[str] | None) -> HttpCapture | None:
    """The capture a model asked for: its own, a JSONL path, else ``COMPAT_DEBUG_CAPTURE``."""
    if isinstance(value, HttpCapture):
        return value
    if value is None:
        value = os.environ.get(CAPTURE_ENV) or None
        if value is None:
            return None
    return HttpCapture(value)


class CapturingSession(Session):
    """A :class:`~.session.Session` whose every attempt is recorded into a capture.

    The drivers get their client from :meth:`client` / :meth:`async_client` and call only
    ``build_request`` and ``send`` on it, so handing them a recording stand-in covers every
    attempt (retries included) without a line of capture code in the drivers.

    Args:
        capture: Where the records go.
        kwargs: The :class:`~.session.Session` settings.

    """

    def __init__(self, capture: HttpCapture, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.capture = capture

    def client(self) -> httpx.Client:
        """The sync client behind a recording stand-in."""
        return _capturing(super().client(), self.capture)

    def async_client(self) -> httpx.AsyncClient:
        """The running loop's async client behind a recording stand-in."""
        return _capturing(super().async_client(), self.capture)


def _capturing(client: ClientT, capture: HttpCapture) -> ClientT:
    if isinstance(client, httpx.AsyncClient):
        return cast(ClientT, _AsyncCapturingClient(client, capture))
    return cast(ClientT, _CapturingClient(client, capture))


class _CapturingClient:
    __slots__ = ("_capture", "_client")

    def __init__(self, client: Any, capture: HttpCapture) -> None:
        self._client = client
        self._capture = capture

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
        return cast(httpx.Request, self._client.build_request(*args, **kwargs))

    def send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        exchange = self._capture._begin(request, stream)
        try:
            response = self._client.send(request, stream=stream)
        except BaseException as exc:
            exchange.fail(exc)
            raise
        return exchange.receive(response)


class _AsyncCapturingClient(_CapturingClient):
    __slots__ = ()

    async def send(  # type: ignore[override]
        self, request: httpx.Request, *, stream: bool = False
    ) -> httpx.Response:
        exchange = self._capture._begin(request, stream)
        try:
            response = await self._client.send(request, stream=stream)
        except BaseException as exc:
            exchange.fail(exc)
            raise
        return exchange.receive(response)


class _Exchange:
    """One attempt being recorded: the request now, the response as it arrives."""

    __slots__ = (
        "_capture",
        "_done",
        "_error",
        "_kept",
        "_request",
        "_response",
        "_secrets",
        "_seq",
        "_start",
        "_stream",
        "_time",
        "complete",
    )

    def __init__(
        self, capture: HttpCapture, seq: int, request: httpx.Request, stream: bool
    ) -> None:
        self._capture = capture
        self._seq = seq
        self._request = request
        self._stream = stream
        self._time = datetime.now(timezone.utc).isoformat()
        self._start = time.perf_counter()
        self._secrets: tuple[str, ...] = ()  # found when the record is built, see _record
        self._response: httpx.Response | None = None
        self._kept = _Kept(capture.max_body_bytes)  # the response body, as far as kept
        self._error: str | None = None
        self._done = False
        self.complete = False

    # -- events ------------------------------------------------------------------------------
    def receive(self, response: httpx.Response) -> httpx.Response:
        """Record a response: at once if its body was read, else as its stream is read."""
        self._response = response
        # The transport reads every body as a stream; one already read (mock transports
        # build responses from bytes) will never be iterated or closed again.
        if self._stream and not response.is_closed:
            # The raw bytes, before httpx undoes their content encoding.
            self._kept.decode(response.headers.get("content-encoding", ""))
            response.stream = _Tee(response.stream, self)
        else:
            self.complete = True
            self.feed(response.content)
            self.finish()
        return response

    def fail(self, exc: BaseException) -> None:
        """Record a transport failure (no response, or its body could not be read)."""
        self._error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self.finish()

    def feed(self, data: bytes) -> None:
        """Keep the bytes that arrived (decoded, for a compressed stream), up to the body cap."""
        self._kept.add(data)

    def finish(self) -> None:
        """Build the record once (closing a response twice must not write it twice)."""
        if self._done:
            return
        self._done = True
        self._capture._emit(self._record())

    # -- the record --------------------------------------------------------------------------
    def _record(self) -> dict[str, Any]:
        request = self._request
        # Only now: httpx adds auth headers (client ``auth=``, URL credentials) while sending.
        self._secrets = _secrets_of(request, self._capture._redact)
        try:
            body = request.content
        except httpx.RequestNotRead:  # a streaming upload: not ours to consume
            body = b""
        return {
            "seq": self._seq,
            "time": self._time,
            "duration_s": round(time.perf_counter() - self._start, 6),
            # What was asked for, not how the body was read (the transport streams them all).
            "stream": "text/event-stream" in request.headers.get("accept", ""),
            "request": {
                "method": request.method,
                "url": self._scrub(redact_url(str(request.url))),
                "headers": self._headers(request.headers),
                **self._body(body[: self._capture.max_body_bytes], len(body)),
            },
            "response": self._response_part(),
            "error": self._scrub(self._error) if self._error is not None else None,
        }

    def _response_part(self) -> dict[str, Any] | None:
        response = self._response
        if response is None:
            return None
        kept = self._kept
        complete = self.complete
        if self._stream:
            # Clients stop reading at [DONE] and close, leaving only the end of the chunked
            # body unread: that stream is complete too.
            complete = complete or kept.tail.rstrip().endswith(b"[DONE]")
        part = {
            "status": response.status_code,
            "headers": self._headers(response.headers),
            **self._body(kept.body(), kept.received, truncated=kept.truncated),
            "complete": complete,
        }
        if kept.decoded is not None:
            part["body_decoded_bytes"] = kept.decoded
        return part

    def _body(self, data: bytes, size: int, *, truncated: bool | None = None) -> dict[str, Any]:
        if truncated is None:
            truncated = size > self._capture.max_body_bytes
        return {
            "body": self._scrub(data.decode("utf-8", errors="replace")),
            "body_bytes": size,
            "body_truncated": truncated,
        }

    def _headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {
            name: REDACTED if is_secret_header(name) else self._scrub(value)
            for name, value in headers.items()
        }

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


class _Tee(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response byte stream that also feeds what it yields into an :class:`_Exchange`."""

    def __init__(self, inner: Any, exchange: _Exchange) -> None:
        self._inner = inner
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                self._exchange.feed(chunk)
                yield chunk
        except Exception as exc:
            self._exchange.fail(exc)
            raise
        self._exchange.complete = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                self._exchange.feed(chunk)
                yield chunk
        except Exception as exc:
            self._exchange.fail(exc)
            raise
        self._exchange.complete = True

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._exchange.finish()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._exchange.finish()


def _secrets_of(request: httpx.Request, extra: tuple[str, ...]) -> tuple[str, ...]:
    """Every secret this request carries (``_secrets.request_secrets``), longest first.

    The registry is included: it holds what never reaches the wire, e.g. the password of
    URL credentials that an explicit api_key overrode.
    """
    userinfo = urlsplit(str(request.url)).netloc.rpartition("@")[0]
    return request_secrets(
        request.headers.items(), userinfo, request.url.params.multi_items(), extra
    )


# Decoded output is produced this much at a time, so a small compressed read that inflates
# to gigabytes (a "gzip bomb") never exists in memory whole.
_INFLATE_STEP = 64 * 1024


class _Kept:
    """A response body as the capture keeps it: at most ``cap`` bytes, decoded if compressed.

    For a gzip/deflate stream the cap applies to the *decoded* text, the part a person
    reads: capping the compressed bytes and decoding them afterwards let 1 MB of wire
    become a 31.7 MB record (a bomb: far more), marked "not truncated". Decoding runs as
    the bytes arrive, ``_INFLATE_STEP`` at a time; past the cap only the size and the last
    bytes (for ``[DONE]``) are kept. The app's own reads decode the same bytes anyway.
    Other encodings (br, zstd) are kept as they came and shown as a note, not as noise.
    """

    __slots__ = ("_chunks", "_encoding", "_inflater", "_size", "cap", "decoded", "received", "tail")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.received = 0  # bytes that arrived on the wire
        self.decoded: int | None = None  # decoded bytes, for a compressed body
        self.tail = b""  # the last (decoded) bytes, even past the cap
        self._chunks: list[bytes] = []
        self._size = 0  # bytes held in _chunks
        self._encoding = ""
        self._inflater: Any = None

    def decode(self, encoding: str) -> None:
        """The body is ``Content-Encoding: encoding``; gzip and deflate are undone."""
        self._encoding = encoding.strip().lower()
        if self._encoding in ("gzip", "deflate"):
            self.decoded = 0

    def add(self, data: bytes) -> None:
        self.received += len(data)
        if not data:
            return
        if self.decoded is None:
            self._keep(data)
            return
        for piece in self._inflate(data):
            self.decoded += len(piece)
            self._keep(piece)

    def _inflate(self, data: bytes) -> Iterator[bytes]:
        try:
            if self._inflater is None:
                self._inflater = _inflater_for(data)
            inflater = self._inflater
            if inflater is False:
                return
            yield inflater.decompress(data, _INFLATE_STEP)
            while inflater.unconsumed_tail:
                yield inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP)
        except zlib.error:
            self._inflater = False  # corrupt from here on: keep what was decoded

    def _keep(self, data: bytes) -> None:
        self.tail = (self.tail + data[-16:])[-16:]
        room = self.cap - self._size
        if room > 0:
            kept = data[:room]
            self._chunks.append(kept)
            self._size += len(kept)

    @property
    def truncated(self) -> bool:
        """Whether bytes were left out (decoded bytes, for a compressed body)."""
        total = self.received if self.decoded is None else self.decoded
        return total > self._size

    def body(self) -> bytes:
        data = b"".join(self._chunks)
        if self.decoded is None and data and self._encoding not in ("", "identity"):
            return f"[{self.received} bytes of {self._encoding}-encoded data, not decoded]".encode()
        return data


def _inflater_for(data: bytes) -> Any:
    """A decompressor for a body starting with ``data``, or ``False`` if none reads it.

    wbits 47 auto-detects a gzip or a zlib header; -15 is raw deflate, which some servers
    send as ``deflate``. Each is probed on a throwaway object, one output byte at most.
    """
    for wbits in (47, -15):
        try:
            zlib.decompressobj(wbits).decompress(data, 1)
        except zlib.error:
            continue
        return zlib.decompressobj(wbits)
    return False


def _decoded(body: bytes, encoding: str, cap: int = 1 << 62) -> bytes:
    """``body`` decoded as a capture keeps it (at most ``cap`` bytes); for tests and tools."""
    kept = _Kept(cap)
    kept.decode(encoding)
    kept.add(body)
    return kept.body()
