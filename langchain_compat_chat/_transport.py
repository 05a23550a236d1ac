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
from httpx_sse import EventSource

from langchain_compat_chat._version import __version__
from langchain_compat_chat.errors import (
    APIConnectionError,
    APITimeoutError,
    CompatChatError,
    MalformedResponseError,
    StreamInterruptedError,
    error_from_response,
)

__all__ = ["RetryPolicy", "Transport", "parse_retry_after", "redact_url"]

_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30.0)
_USER_AGENT = f"langchain-compat-chat/{__version__}"


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
        headers = {**self.headers, **request.headers} if request.headers else self.headers
        if request.stream:
            headers = {**headers, "accept": "text/event-stream"}
        return client.build_request(
            request.method,
            self.base_url + request.path,
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


def iter_events(response: httpx.Response) -> Iterator[tuple[str, str]]:
    """Yield ``(event, data)`` of an SSE response; a non-SSE body comes as one ``("", body)``.

    Some servers ignore ``stream: true`` and answer with plain JSON; the chunk builder accepts
    a whole completion, so such replies still work.
    """
    try:
        if not _is_sse(response):
            yield "", response.read().decode("utf-8", errors="replace")
            return
        for sse in EventSource(response).iter_sse():
            yield sse.event, sse.data
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc, streaming=True) from exc


async def aiter_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """Async twin of :func:`iter_events`."""
    try:
        if not _is_sse(response):
            yield "", (await response.aread()).decode("utf-8", errors="replace")
            return
        async for sse in EventSource(response).aiter_sse():
            yield sse.event, sse.data
    except httpx.HTTPError as exc:
        raise map_httpx_error(exc, streaming=True) from exc
