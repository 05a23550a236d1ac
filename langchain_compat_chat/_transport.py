"""HTTP: pooled clients, timeouts, retries, and the sync and async drivers.

Everything that decides *what* to do (URL, headers, which errors to retry, how long to wait,
how to map an httpx failure) is plain code shared by both drivers; the drivers only differ in
``await``. Clients are created on first use, shared between model instances with the same
TLS/proxy settings, and for async, per event loop, so that no pooled connection ever crosses
into a loop that did not create it (pytest-asyncio's per-test loops would otherwise see
"Event loop is closed").
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import ssl
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from langchain_compat_chat._version import __version__
from langchain_compat_chat.errors import (
    APIConnectionError,
    APITimeoutError,
    CompatChatError,
    MalformedResponseError,
    StreamInterruptedError,
    error_from_response,
)

__all__ = [
    "RetryPolicy",
    "SSEDecoder",
    "Transport",
    "adrain",
    "aiter_event_batches",
    "iter_event_batches",
    "parse_retry_after",
    "redact_url",
]

# Many connections may be open at once (500 concurrent calls get 500 connections), but only a
# few are kept idle: httpcore 1.0.x scans every pooled connection for every queued request, so
# a warm pool of 100 idle connections makes a burst of 500 calls collapse to ~80 req/s with
# ~30 in flight, while 10 idle ones keep it at the cold-pool rate (docs/performance.md).
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=10, keepalive_expiry=30.0)
_USER_AGENT = f"langchain-compat-chat/{__version__}"
_DRAIN_SECONDS = 0.1  # longest wait for the end of a response after [DONE] (see adrain)


def redact_url(url: str) -> str:
    """Hide ``user:password@`` in a URL before it is shown anywhere."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or a date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again and how long to wait.

    Attributes:
        max_retries: Extra attempts after the first (0 disables retries).
        initial_delay: Backoff before the first retry, doubled each time, with jitter.
        max_delay: Cap of the computed backoff.
        max_retry_after: Longest server-requested wait we honour; a longer one is raised
            at once so a batch job can reschedule instead of sleeping.

    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, error: CompatChatError) -> float | None:
        """Seconds to sleep before attempt ``attempt + 1``, or ``None`` to give up."""
        if attempt > self.max_retries or not error.is_retryable:
            return None
        if error.retry_after is not None:
            wait: float = error.retry_after
            return wait if wait <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * 2.0 ** (attempt - 1))
        return backoff * (0.5 + random.random() / 2)


def map_httpx_error(exc: Exception, *, streaming: bool = False) -> CompatChatError:
    """Translate an httpx exception into our taxonomy."""
    if isinstance(exc, CompatChatError):
        return exc
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        if streaming and isinstance(exc, httpx.ReadTimeout):
            return APITimeoutError(
                f"The stream went silent longer than the idle timeout ({detail})"
            )
        return APITimeoutError(f"The request timed out ({detail})")
    if streaming and isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return StreamInterruptedError(
            f"The connection broke in the middle of the stream ({detail})"
        )
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponseError(f"The response could not be decoded ({detail})")
    return APIConnectionError(f"Could not reach the server ({detail})")


@dataclass(frozen=True)
class Request:
    """What to send; built once, sent by either driver, possibly several times."""

    method: str
    path: str
    body: bytes | None = None
    stream: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


_sync_clients: dict[tuple[Any, ...], httpx.Client] = {}
_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]
] = weakref.WeakKeyDictionary()
_clients_lock = threading.Lock()


def _verify_for(url: str, verify: bool) -> ssl.SSLContext | bool:
    if not verify:
        return False
    if not url.startswith("https:"):
        # Plain-HTTP clients never do TLS; a bare context avoids loading the CA bundle (tens
        # of milliseconds) for local servers. It verifies nothing it was not given, so it
        # fails closed if an https URL ever reached it.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


class Transport:
    """Connection settings of one model plus the two drivers.

    Args:
        base_url: Endpoint root, e.g. ``https://api.deepseek.com/v1``.
        headers: Headers for every request (auth included; never logged).
        query: Query parameters for every request.
        timeout: Timeouts for ordinary requests.
        stream_timeout: Timeouts for streams; ``read`` is the idle-chunk timeout.
        retry: Retry policy.
        verify: Verify TLS certificates.
        proxy: Proxy URL.
        http_client: A user's sync client, used as is.
        http_async_client: A user's async client, used as is.

    """

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        timeout: httpx.Timeout,
        stream_timeout: httpx.Timeout,
        retry: RetryPolicy,
        verify: bool,
        proxy: str | None,
        http_client: httpx.Client | None,
        http_async_client: httpx.AsyncClient | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"user-agent": _USER_AGENT, "content-type": "application/json", **headers}
        self.query = dict(query)
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.retry = retry
        self._verify = verify
        self._proxy = proxy
        self._http_client = http_client
        self._http_async_client = http_async_client
        self._key = (verify, proxy, self.base_url.startswith("https:"))
        # Parsed once: httpx otherwise re-parses the URL and re-encodes every header per call.
        self._urls: dict[str, httpx.URL] = {}
        self._headers = httpx.Headers(self.headers)
        self._stream_headers = httpx.Headers({**self.headers, "accept": "text/event-stream"})

    # -- clients ---------------------------------------------------------------------------
    def _client_kwargs(self) -> dict[str, Any]:
        return {
            "verify": _verify_for(self.base_url, self._verify),
            "proxy": self._proxy,
            "limits": _LIMITS,
            "trust_env": self._proxy is None,
            "follow_redirects": False,
        }

    def client(self) -> httpx.Client:
        """The sync client: the user's, or a pooled one shared by equal settings."""
        if self._http_client is not None:
            return self._http_client
        client = _sync_clients.get(self._key)
        if client is None or client.is_closed:
            with _clients_lock:
                client = _sync_clients.get(self._key)
                if client is None or client.is_closed:
                    client = _sync_clients[self._key] = httpx.Client(**self._client_kwargs())
        return client

    def async_client(self) -> httpx.AsyncClient:
        """The async client for the running loop (one per loop, see module docstring)."""
        if self._http_async_client is not None:
            return self._http_async_client
        loop = asyncio.get_running_loop()
        per_loop = _async_clients.get(loop)
        if per_loop is None:
            per_loop = _async_clients.setdefault(loop, {})
        client = per_loop.get(self._key)
        if client is None or client.is_closed:
            client = per_loop[self._key] = httpx.AsyncClient(**self._client_kwargs())
        return client

    # -- shared steps ----------------------------------------------------------------------
    def build(self, client: httpx.Client | httpx.AsyncClient, request: Request) -> httpx.Request:
        """The httpx request for one attempt."""
        headers: Mapping[str, str]
        if request.headers:
            headers = {**self.headers, **request.headers}
            if request.stream:
                headers["accept"] = "text/event-stream"
        else:
            headers = self._stream_headers if request.stream else self._headers
        url = self._urls.get(request.path)
        if url is None:
            url = self._urls[request.path] = httpx.URL(self.base_url + request.path)
        return client.build_request(
            request.method,
            url,
            content=request.body,
            headers=headers,
            params=self.query or None,
            timeout=self.stream_timeout if request.stream else self.timeout,
        )

    def _failure(self, response: httpx.Response) -> CompatChatError:
        return error_from_response(
            response.status_code,
            response.content,
            response.headers,
            retry_after=parse_retry_after(response.headers),
        )

    def _give_up_or_wait(self, attempt: int, exc: Exception) -> float:
        error = map_httpx_error(exc, streaming=False)
        wait = self.retry.delay(attempt, error)
        if wait is None:
            error.attempts = attempt
            if error is exc:
                raise error
            raise error from exc
        return wait

    # -- sync driver -------------------------------------------------------------------------
    def send(self, request: Request) -> httpx.Response:
        """Send with retries; return a successful response whose body has been read."""
        client = self.client()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = client.send(self.build(client, request))
                if response.is_success:
                    return response
                raise self._failure(response)
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = self._give_up_or_wait(attempt, exc)
            time.sleep(wait)

    @contextmanager
    def open_stream(self, request: Request) -> Iterator[httpx.Response]:
        """Open a streaming response (retrying until the first byte), close it on exit."""
        client = self.client()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = client.send(self.build(client, request), stream=True)
                if not response.is_success:
                    try:
                        response.read()
                    finally:
                        response.close()
                    raise self._failure(response)
                break
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = self._give_up_or_wait(attempt, exc)
            time.sleep(wait)
        try:
            yield response
        finally:
            response.close()

    # -- async driver ------------------------------------------------------------------------
    async def asend(self, request: Request) -> httpx.Response:
        """Async twin of :meth:`send`."""
        client = self.async_client()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await client.send(self.build(client, request))
                if response.is_success:
                    return response
                raise self._failure(response)
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = self._give_up_or_wait(attempt, exc)
            await asyncio.sleep(wait)

    @asynccontextmanager
    async def aopen_stream(self, request: Request) -> AsyncIterator[httpx.Response]:
        """Async twin of :meth:`open_stream`."""
        client = self.async_client()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await client.send(self.build(client, request), stream=True)
                if not response.is_success:
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                    raise self._failure(response)
                break
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = self._give_up_or_wait(attempt, exc)
            await asyncio.sleep(wait)
        try:
            yield response
        finally:
            await response.aclose()


def _is_sse(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


Event = tuple[str, str]
"""One server-sent event as ``(event type, data)``; the type is ``""`` for plain ``data:``."""

_BOM = b"\xef\xbb\xbf"


def _event_of(block: bytes) -> Event | None:
    """Parse one event block (the lines between two blank lines); ``None`` if it has no data."""
    if block[:6] == b"data: " and b"\n" not in block:  # the shape nearly every server sends
        return "", block[6:].decode("utf-8", "replace")
    event = ""
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line[:1] == b":":  # blank (leading) line or comment
            continue
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            event = value.decode("utf-8", "replace")
        # id and retry are not used by Chat Completions; unknown fields are ignored (spec).
    if not data:
        return None
    return event, b"\n".join(data).decode("utf-8", "replace")


class SSEDecoder:
    """Incremental server-sent-events parser working on raw bytes.

    ``feed`` takes whatever one network read returned and gives back every event completed
    by it, in order, so a caller can handle all events of one read together (and, for
    example, merge tool-call fragments) without waiting for anything that has not arrived.
    It follows the WHATWG rules httpx-sse follows (CRLF, CR or LF line ends, comments,
    multi-line ``data``, ``event``, one optional space after the colon, a partial event at
    the end of the stream is dropped) at a fraction of its per-event cost: the common
    single ``data:`` line event is sliced out of the buffer without any per-line work.
    """

    __slots__ = ("_buffer", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._buffer = b""  # the unfinished event, line ends already normalised to LF
        self._skip_lf = False  # the last read ended in CR: an LF starting the next is its pair
        self._started = False

    def feed(self, chunk: bytes) -> list[Event]:
        """Events completed by ``chunk``."""
        if not chunk:
            return []
        if not self._started:
            chunk = self._buffer + chunk
            self._buffer = b""
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self._buffer = chunk
                return []
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        buffer = self._buffer + chunk if self._buffer else chunk
        blocks = buffer.split(b"\n\n")
        self._buffer = blocks.pop()
        events: list[Event] = []
        for block in blocks:
            event = _event_of(block)
            if event is not None:
                events.append(event)
        return events


def iter_event_batches(response: httpx.Response) -> Iterator[list[Event]]:
    """Yield the events of an SSE response, one list per network read.

    A non-SSE body comes as one ``[("", body)]``: some servers ignore ``stream: true`` and
    answer with plain JSON, and the chunk builder accepts a whole completion.
    """
    try:
        if not _is_sse(response):
            yield [("", response.read().decode("utf-8", errors="replace"))]
            return
        decoder = SSEDecoder()
        for chunk in response.iter_bytes():
            events = decoder.feed(chunk)
            if events:
                yield events
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc, streaming=True) from exc


async def aiter_event_batches(response: httpx.Response) -> AsyncIterator[list[Event]]:
    """Async twin of :func:`iter_event_batches`."""
    try:
        if not _is_sse(response):
            yield [("", (await response.aread()).decode("utf-8", errors="replace"))]
            return
        decoder = SSEDecoder()
        async for chunk in response.aiter_bytes():
            events = decoder.feed(chunk)
            if events:
                yield events
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc, streaming=True) from exc


async def adrain(response: httpx.Response, batches: AsyncIterator[list[Event]]) -> None:
    """After ``[DONE]``, read the rest of an HTTP/1.1 response so its connection is reused.

    HTTP/1.1 can only pool a connection whose response was read to the end, and the end
    (the last, empty chunk) normally follows ``[DONE]`` at once, often in the same read:
    without this, every stream would pay a new TCP and TLS handshake. A server that keeps
    the response open costs at most ``_DRAIN_SECONDS``; the connection is then closed, as
    it would have been without draining. The sync driver cannot bound a blocking read and
    does not drain (neither does the openai SDK's).
    """
    if response.http_version != "HTTP/1.1" or response.is_closed:
        return

    async def rest() -> None:
        async for _ in batches:
            pass

    # On a timeout or a broken connection, what was delivered stays delivered; the
    # connection is just not reused.
    with contextlib.suppress(asyncio.TimeoutError, CompatChatError):
        await asyncio.wait_for(rest(), _DRAIN_SECONDS)
