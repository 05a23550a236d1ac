"""HTTP: pooled clients, timeouts, retries, size limits, and the sync and async drivers.

Everything that decides *what* to do (URL, headers, which errors to retry, how long to wait,
when the call's deadline has passed, how much body to accept, how to map an httpx failure)
lives in plain code shared by both drivers: :class:`_Call` holds one call's state across its
attempts, :class:`_Body` counts a body against the size limit, :class:`EventStream` turns
reads into SSE events. The drivers only differ in ``await``. Clients are created on first
use, shared between model instances with the same TLS/proxy settings, and for async, per
event loop, so that no pooled connection ever crosses into a loop that did not create it
(pytest-asyncio's per-test loops would otherwise see "Event loop is closed").

Every request is sent with ``stream=True``, even for JSON answers, so that the body is read
chunk by chunk under the size limit and the total deadline instead of all at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import math
import os
import random
import select
import ssl
import threading
import time
import warnings
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol, TypeVar

import httpx

from langchain_compat_chat._http.deadline import Deadline, arm, socket_of
from langchain_compat_chat._http.pool import body_complete, buffered_bytes, reserve_connections
from langchain_compat_chat._secrets import (
    basic_auth_header,
    is_secret_header,
    mask_url,
    redact_url,
    register_header,
    split_credentials,
)
from langchain_compat_chat._version import __version__
from langchain_compat_chat.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CompatChatError,
    MalformedResponseError,
    ResponseTooLargeError,
    StreamInterruptedError,
    error_from_response,
    redact,
    request_id_from,
)

__all__ = [
    "EventStream",
    "RetryPolicy",
    "SSEDecoder",
    "StreamProtocol",
    "Transport",
    "adrain",
    "basic_auth_header",
    "drain",
    "parse_retry_after",
    "redact_url",
    "split_credentials",
]

_log = logging.getLogger("langchain_compat_chat")

# Up to 1000 connections and 100 idle ones, the openai SDK's numbers. httpcore 1.0.x's own
# assignment step collapses a burst on such a warm pool (~80 req/s for 500 calls); the pools
# of our clients use ``_pool``'s instead (docs/performance.md has the measurements).
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30.0)
_USER_AGENT = f"langchain-compat-chat/{__version__}"
# An error body is read only to say what the server said; past this it is cut, not refused.
_ERROR_BODY_CAP = 64 * 1024
_HEAD_SIZE = 2000  # bytes of a body kept for error reports
# A read that fails this close to the deadline failed because of it (socket timeouts and
# the watchdog both fire on the deadline, give or take the clocks' rounding).
_DEADLINE_SLACK = 0.01
_DRAIN_SECONDS = 0.1  # longest wait for the end of a response after [DONE] (see adrain)
_DRAIN_BACKSTOP = 1.0  # a sync drain's read, once data is there (see drain)


def server_root(base_url: str) -> str:
    """``base_url`` without a trailing ``/v1``: where a server's native endpoints live.

    ``http://localhost:11434/v1`` -> ``http://localhost:11434``; a URL without ``/v1`` (a
    llama.cpp server given as its root) is its own root.
    """
    base = base_url.rstrip("/")
    return base.removesuffix("/v1")


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or a date).

    A value that is not a wait (negative, NaN, infinite: RFC 9110 §10.2.3 allows only a
    non-negative integer or a date) gives ``None``, so the retry falls back to backoff:
    read as zero it meant every retry at once, hammering a server that asked for patience.
    A date already past means "now", as the RFC says.
    """
    value = headers.get("retry-after-ms")
    if value:
        wait = _seconds(value)
        if wait is not None:
            return wait / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        float(value)
    except ValueError:
        pass
    else:
        return _seconds(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _seconds(value: str) -> float | None:
    """A header's number of seconds (or ms), ``None`` unless it is finite and not negative."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


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


def map_httpx_error(
    exc: Exception, *, streaming: bool = False, url: str | None = None
) -> CompatChatError:
    """Translate an httpx exception into our taxonomy.

    ``url`` (credentials already masked) is named in a connection failure: a refused port
    or an unknown host is nearly always a wrong ``base_url``, so the message shows it.
    """
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
    where = f" at {url}" if url else ""
    return APIConnectionError(f"Could not reach the server{where} ({detail})")


def _raise(error: CompatChatError, cause: BaseException) -> NoReturn:
    """Raise ``error`` chained to ``cause``, unless the cause's text shows a credential.

    (An httpx error about an illegal header value quotes the value; tracebacks print causes.)
    """
    if error is cause:
        raise error
    text = str(cause)
    raise error from (None if redact(text) != text else cause)


class BodySource(Protocol):
    """A body produced while it is sent (``_http.files.StreamBody``: batch file uploads)."""

    @property
    def length(self) -> int:
        """Its exact size, sent as ``Content-Length``."""
        ...

    def stream(self) -> httpx.SyncByteStream | httpx.AsyncByteStream:
        """Its bytes from the start, for one attempt."""
        ...


@dataclass(frozen=True)
class Request:
    """What to send; built once, sent by either driver, possibly several times."""

    method: str
    path: str
    body: bytes | BodySource | None = None
    stream: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    from_root: bool = False
    """``path`` is from the server root (``base_url`` without its ``/v1``): the native
    endpoints of llama.cpp (``/props``), Ollama (``/api/show``) and LM Studio live there."""


class _Body:
    """A response body being read: counted against the size limit, kept or cut.

    A successful body past the limit is refused with ``ResponseTooLargeError``; when
    ``Content-Length`` already says it is too large, it is refused on that header, before a
    byte of it is read: reading even its first bytes would let a slow server hold the call
    for as long as it takes to trickle them (2,000 bytes at 5 ms each: 10 s). An error body
    is read only to report what the server said, so it is cut at ``_ERROR_BODY_CAP``
    instead: a gateway's 5 MB HTML page must still come out as the HTTP error it is.

    Raises:
        ResponseTooLargeError: ``Content-Length`` of a successful response is over the limit.

    """

    __slots__ = (
        "_declared",
        "_parts",
        "_status_error",
        "_stop",
        "head",
        "limit",
        "response",
        "size",
    )

    def __init__(self, response: httpx.Response, limit: int | None, *, keep: bool) -> None:
        self.response = response
        self._status_error = not response.is_success
        self.limit = _ERROR_BODY_CAP if self._status_error else limit
        self.size = 0
        self.head = b""
        self._parts: list[bytes] | None = [] if keep else None
        declared = response.headers.get("content-length", "")
        self._declared = int(declared) if declared.isdigit() else 0
        self._stop = self.limit  # reading past this refuses (success) or cuts (error) the body
        if self.limit is not None and not self._status_error and self._declared > self.limit:
            raise self._too_large(self._declared, declared=True)

    def add(self, chunk: bytes) -> bool:
        """Count (and keep) ``chunk``; ``False`` once an error body is long enough."""
        if len(self.head) < _HEAD_SIZE:
            self.head += chunk[: _HEAD_SIZE - len(self.head)]
        size = self.size + len(chunk)
        if self._stop is not None and size > self._stop:
            if not self._status_error:
                raise self._too_large(max(size, self._declared))
            chunk = chunk[: self._stop - self.size]
            size = self._stop
        self.size = size
        if self._parts is not None:
            self._parts.append(chunk)
        return size != self._stop or not self._status_error

    def content(self) -> bytes:
        return b"".join(self._parts or ())

    def _too_large(self, size: int, *, declared: bool = False) -> ResponseTooLargeError:
        amount = f"Content-Length: {size:,}" if declared else f"{size:,} bytes or more"
        return ResponseTooLargeError(
            f"The response is larger than max_response_bytes={self.limit:,} ({amount}); "
            "raise the limit if this server really sends that much",
            status_code=self.response.status_code,
            request_id=request_id_from(self.response.headers),
            body=self.head.decode("utf-8", errors="replace") or None,
        )


def _annotate(error: CompatChatError, response: httpx.Response, body: _Body | None) -> None:
    """Fill in what the response can tell about an error raised while reading it."""
    if error.request_id is None:
        error.request_id = request_id_from(response.headers)
    if error.body is None and body is not None and body.head:
        error.body = redact(body.head.decode("utf-8", errors="replace"))


class _Call:
    """One call's state across its attempts: the deadline, the count, the last failure.

    Both drivers ask it what to do (which timeouts the next attempt gets, whether and how
    long to wait after a failure, what error a broken stream becomes), so retry, deadline
    and error policy exist once.
    """

    __slots__ = ("attempt", "deadline", "last_error", "request", "transport")

    def __init__(self, transport: Transport, request: Request) -> None:
        self.transport = transport
        self.request = request
        self.attempt = 0
        self.last_error: CompatChatError | None = None
        total = transport.total_timeout
        self.deadline = Deadline(total) if total is not None else None

    def build(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The httpx request for the next attempt, its timeouts capped by the deadline."""
        self.attempt += 1
        request = self.request
        timeout = self.transport.stream_timeout if request.stream else self.transport.timeout
        if self.deadline is not None:
            if self.deadline.remaining() <= 0:
                raise self._expired()
            timeout = self.deadline.cap(timeout)
        return self.transport.build(client, request, timeout)

    def body(self, response: httpx.Response) -> _Body:
        """A size-limited reader for a whole (JSON or error) body of ``response``."""
        return _Body(response, self.transport.max_response_bytes, keep=True)

    @contextmanager
    def watch(
        self, response: httpx.Response, loop: asyncio.AbstractEventLoop | None = None
    ) -> Iterator[None]:
        """Enforce the deadline on reads of ``response`` (exit before closing it)."""
        disarm = arm(self.deadline, response, loop)
        try:
            yield
        finally:
            disarm()

    def check_deadline(self) -> None:
        """Between reads: fail once the deadline has passed (for sockets the watchdog misses)."""
        if self.deadline is not None and self.deadline.remaining() <= 0:
            raise self._expired()

    def settle(self, response: httpx.Response, body: _Body) -> None:
        """Attach the body read; raise the typed error of a failure status."""
        response._content = body.content()  # what httpx's own read() stores
        if not response.is_success:
            raise self.transport.failure(response)

    def retry_wait(self, exc: Exception) -> float:
        """Seconds to wait before the next attempt; raises the typed error to give up.

        A retry that could not start before the deadline is not attempted: the caller gets
        the server's own error (with its ``retry_after``) at once instead of a sleep that
        ends in a timeout.
        """
        error = self.error(exc, streaming=False)
        policy = self.transport.retry
        wait = policy.delay(self.attempt, error)
        if wait is not None and self.deadline is not None and wait >= self.deadline.remaining():
            wait = None
        if wait is None:
            _raise(error, exc)
        self.last_error = error
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "Retrying %s %s in %.2fs (attempt %d of %d) after %s: %s",
                self.request.method,
                redact_url(self.transport.base_url) + self.request.path,
                wait,
                self.attempt + 1,
                policy.max_retries + 1,
                type(error).__name__,
                error,
            )
        return wait

    def error(
        self,
        exc: Exception,
        *,
        streaming: bool,
        response: httpx.Response | None = None,
        body: _Body | None = None,
    ) -> CompatChatError:
        """The typed error for a failed attempt or read, with the attempt count and request id.

        Given the ``response`` and the ``body`` read so far, the error also carries the
        request id and the body's first bytes: what the server said before it failed.

        A network failure at the deadline (a capped timeout, or a read broken by the
        watchdog) is reported as the total timeout, not as what it looks like on the wire.
        """
        if (
            not isinstance(exc, CompatChatError)
            and self.deadline is not None
            and self.deadline.remaining() <= _DEADLINE_SLACK
        ):
            error: CompatChatError = self._expired()
        else:
            url = mask_url(redact_url(self.transport.base_url) + self.request.path)
            error = map_httpx_error(exc, streaming=streaming, url=url)
        error.attempts = self.attempt
        if response is not None:
            _annotate(error, response, body)
        return error

    def _expired(self) -> APITimeoutError:
        total = self.deadline.total if self.deadline is not None else 0.0
        message = f"The call did not finish within total_timeout={total:g}s"
        previous = self.last_error
        if previous is not None:
            message += f"; the last failed attempt ended with {type(previous).__name__}: "
            message += str(previous)
        return APITimeoutError(message, attempts=self.attempt, last_error=previous)


_sync_clients: dict[tuple[Any, ...], httpx.Client] = {}
# Per-loop clients, for loops that take no attribute (see ``_loop_clients``) only.
_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]
] = weakref.WeakKeyDictionary()
_clients_lock = threading.Lock()
_LOOP_ATTR = "_langchain_compat_chat_clients"


_fork_generation = 0  # how many forks this process descends from (see _after_fork)


def _after_fork() -> None:
    """In a forked child, forget every client the parent created; never close them.

    A child inherits the parent's pooled keep-alive sockets: every process would then send
    on the same connections and read one another's answers (51 of 200 calls from forked
    children got another caller's answer, 13 were garbled, with no error). So the child
    starts with no client at all and builds its own on first use. The inherited clients
    are only dropped, not closed: nothing is sent on them, and the file descriptors the
    garbage collector then closes are the child's copies; the parent's sockets stay open
    (closing a copy never affects them; only ``shutdown()`` would, and it is not called).
    Async clients are per loop and keyed by the loop, so a loop object carried over the
    fork gets a new client too. The lock is replaced: another thread may have held it.
    Clients the user passed in are the user's (see :meth:`Transport.client`).
    """
    global _sync_clients, _async_clients, _clients_lock, _fork_generation
    _sync_clients = {}
    _async_clients = weakref.WeakKeyDictionary()
    _clients_lock = threading.Lock()
    _fork_generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class _LoopClients(dict[tuple[Any, ...], httpx.AsyncClient]):
    """One loop's clients, and the generator that closes them when the loop shuts down.

    Kept on the loop object itself, not in a module-level map: a client's connections
    refer to their loop, so any global that held the clients would keep every loop, its
    sockets and its client alive for ever (300 loops closed by hand: +300 fds, +300
    established connections, 300 loops never freed). Held by the loop alone, loop, clients
    and closer form a cycle the garbage collector frees once the caller drops the loop.
    """

    __slots__ = ("closer", "generation")

    def __init__(self) -> None:
        super().__init__()
        self.generation = _fork_generation  # the clients of a loop carried over a fork are
        self.closer: AsyncIterator[None] | None = None  # the parent's: never reused


def _loop_clients(loop: asyncio.AbstractEventLoop) -> _LoopClients:
    """The clients of ``loop``, created (with their closer) on first use."""
    clients: _LoopClients | None = getattr(loop, _LOOP_ATTR, None)
    if clients is None:
        clients = _async_clients.get(loop)  # type: ignore[assignment]
    if clients is not None and clients.generation == _fork_generation:
        return clients
    clients = _LoopClients()
    try:
        setattr(loop, _LOOP_ATTR, clients)
    except AttributeError:  # a loop class without a __dict__ (uvloop): the global map
        _async_clients[loop] = clients
    _close_with_loop(loop, clients)
    return clients


def _close_with_loop(loop: asyncio.AbstractEventLoop, clients: _LoopClients) -> None:
    """Close ``clients`` when ``loop`` shuts down, or let them be collected with it.

    asyncio has no loop-close hook, but ``asyncio.run`` (and pytest-asyncio, anyio...)
    close every started async generator of the loop before closing it: this generator waits
    at its ``yield`` until then, and its ``finally`` closes the clients with the loop still
    running. A loop closed without that step (``new_event_loop()`` ... ``close()``) cannot
    run it any more; the generator is held by ``clients`` only (the loop's own set of
    generators is weak), so once the caller drops the loop, the collector frees the loop,
    clients and generator together, and asyncio closes the sockets of the transports it
    collects.
    """

    async def closer() -> AsyncIterator[None]:
        try:
            yield
        finally:
            if getattr(loop, _LOOP_ATTR, None) is clients:
                delattr(loop, _LOOP_ATTR)
            if _async_clients.get(loop) is clients:
                del _async_clients[loop]
            for client in list(clients.values()):
                await client.aclose()
            clients.clear()
            clients.closer = None

    async def start() -> None:
        await generator.__anext__()

    generator = closer()
    clients.closer = generator
    loop.create_task(start())


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
        headers: Headers for every request (auth included; never logged, and credential
            values are registered so that no error can show them).
        query: Query parameters for every request.
        timeout: Timeouts for ordinary requests.
        stream_timeout: Timeouts for streams; ``read`` is the idle-chunk timeout.
        retry: Retry policy.
        verify: Verify TLS certificates.
        proxy: Proxy URL.
        http_client: A user's sync client, used as is.
        http_async_client: A user's async client, used as is.
        max_response_bytes: Largest body accepted (a stream's total); ``None``: no limit.
        total_timeout: Deadline for a whole call, retries and the whole stream included.

    """

    auth_hint: str = ""
    """How to pass a key, appended to a 401's message (set by the model, which knows the
    preset's env var names)."""

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
        max_response_bytes: int | None = None,
        total_timeout: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"user-agent": _USER_AGENT, "content-type": "application/json", **headers}
        for name, value in headers.items():
            if is_secret_header(name):  # credentials: masked in every error from now on
                register_header(value)
        self.query = dict(query)
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.retry = retry
        self.max_response_bytes = max_response_bytes
        self.total_timeout = total_timeout
        self._verify = verify
        self._proxy = proxy
        self._http_client = http_client
        self._http_async_client = http_async_client
        self._generation = _fork_generation  # a user's client used after a fork is warned of
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

    def _check_user_client(self) -> None:
        """Warn once when a user's client is used in a process forked after it was given.

        Its pool may hold the parent's connections, which only its owner can drop (e.g. a
        new client per worker, made in gunicorn's ``post_fork`` or Celery's
        ``worker_process_init``); the package's own clients are replaced by itself.
        """
        if self._generation != _fork_generation:
            self._generation = _fork_generation
            warnings.warn(
                "The http_client / http_async_client given to ChatCompatModel was created "
                "before os.fork(); its pooled connections are shared with the parent "
                "process. Create the client in each worker process instead.",
                RuntimeWarning,
                stacklevel=4,
            )

    def client(self) -> httpx.Client:
        """The sync client: the user's, or a pooled one shared by equal settings."""
        if self._http_client is not None:
            self._check_user_client()
            return self._http_client
        client = _sync_clients.get(self._key)
        if client is None or client.is_closed:
            with _clients_lock:
                client = _sync_clients.get(self._key)
                if client is None or client.is_closed:
                    client = httpx.Client(**self._client_kwargs())
                    reserve_connections(client)
                    _sync_clients[self._key] = client
        return client

    def async_client(self) -> httpx.AsyncClient:
        """The async client for the running loop (one per loop, see module docstring)."""
        if self._http_async_client is not None:
            self._check_user_client()
            return self._http_async_client
        per_loop = _loop_clients(asyncio.get_running_loop())
        client = per_loop.get(self._key)
        if client is None or client.is_closed:
            client = per_loop[self._key] = httpx.AsyncClient(**self._client_kwargs())
            reserve_connections(client)
        return client

    # -- shared steps ----------------------------------------------------------------------
    def build(
        self, client: httpx.Client | httpx.AsyncClient, request: Request, timeout: httpx.Timeout
    ) -> httpx.Request:
        """The httpx request for one attempt (its timeouts chosen by the call, see ``_Call``)."""
        headers: Mapping[str, str]
        if request.headers:
            headers = {**self.headers, **request.headers}
            if request.stream:
                headers["accept"] = "text/event-stream"
        else:
            headers = self._stream_headers if request.stream else self._headers
        key = ("/" if request.from_root else "") + request.path
        url = self._urls.get(key)
        if url is None:
            base = server_root(self.base_url) if request.from_root else self.base_url
            url = self._urls[key] = httpx.URL(base + request.path)
        body = request.body
        built = client.build_request(
            request.method,
            url,
            content=body if isinstance(body, bytes) else None,
            headers=headers,
            params=self.query or None,
            timeout=timeout,
        )
        if body is not None and not isinstance(body, bytes):  # a fresh stream per attempt
            built.stream = body.stream()
            built.headers["content-length"] = str(body.length)
        return built

    def failure(self, response: httpx.Response) -> CompatChatError:
        """The typed error of a response with a failure status (its body already read)."""
        error = error_from_response(
            response.status_code,
            response.content,
            response.headers,
            retry_after=parse_retry_after(response.headers),
        )
        if isinstance(error, AuthenticationError) and self.auth_hint:
            error.add_hint(self.auth_hint)
        return error

    # -- sync driver -------------------------------------------------------------------------
    def send(self, request: Request) -> httpx.Response:
        """Send with retries; return a successful response whose body has been read."""
        call = _Call(self, request)
        client = self.client()
        while True:
            try:
                response = client.send(call.build(client), stream=True)
                try:
                    self._read(call, response)
                finally:
                    response.close()
                return response
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = call.retry_wait(exc)
            time.sleep(wait)

    @contextmanager
    def open_stream(self, request: Request) -> Iterator[EventStream]:
        """Open a stream (retrying until the first byte arrives); close it on exit."""
        call = _Call(self, request)
        client = self.client()
        while True:
            try:
                response = client.send(call.build(client), stream=True)
                if response.is_success:
                    break
                try:
                    self._read(call, response)  # raises the status error
                finally:
                    response.close()
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = call.retry_wait(exc)
            time.sleep(wait)
        try:
            with call.watch(response):
                yield EventStream(response, call)
        finally:
            response.close()

    @staticmethod
    def _read(call: _Call, response: httpx.Response) -> None:
        body = call.body(response)
        with call.watch(response):
            try:
                for chunk in response.iter_bytes():
                    if not body.add(chunk):
                        break
            except httpx.HTTPError as exc:
                _raise(call.error(exc, streaming=False, response=response, body=body), exc)
        call.settle(response, body)

    # -- async driver ------------------------------------------------------------------------
    async def asend(self, request: Request) -> httpx.Response:
        """Async twin of :meth:`send`."""
        call = _Call(self, request)
        client = self.async_client()
        while True:
            try:
                response = await client.send(call.build(client), stream=True)
                try:
                    await self._aread(call, response)
                finally:
                    await response.aclose()
                return response
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = call.retry_wait(exc)
            await asyncio.sleep(wait)

    @asynccontextmanager
    async def aopen_stream(self, request: Request) -> AsyncIterator[EventStream]:
        """Async twin of :meth:`open_stream`."""
        call = _Call(self, request)
        client = self.async_client()
        while True:
            try:
                response = await client.send(call.build(client), stream=True)
                if response.is_success:
                    break
                try:
                    await self._aread(call, response)  # raises the status error
                finally:
                    await response.aclose()
            except (httpx.HTTPError, CompatChatError) as exc:
                wait = call.retry_wait(exc)
            await asyncio.sleep(wait)
        try:
            with call.watch(response, asyncio.get_running_loop()):
                yield EventStream(response, call)
        finally:
            await response.aclose()

    @staticmethod
    async def _aread(call: _Call, response: httpx.Response) -> None:
        body = call.body(response)
        with call.watch(response, asyncio.get_running_loop()):
            try:
                async for chunk in response.aiter_bytes():
                    if not body.add(chunk):
                        break
            except httpx.HTTPError as exc:
                _raise(call.error(exc, streaming=False, response=response, body=body), exc)
        call.settle(response, body)


def _is_sse(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


Event = tuple[str, str]
"""One server-sent event as ``(event type, data)``; the type is ``""`` for plain ``data:``."""

_BOM = b"\xef\xbb\xbf"


def _event_of(block: bytes) -> Event | None:
    """Parse one event block (the lines between two blank lines); ``None`` if it has no data.

    Raises:
        UnicodeDecodeError: The block is not UTF-8 (the caller reports it).

    """
    if block[:6] == b"data: " and b"\n" not in block:  # the shape nearly every server sends
        return "", block[6:].decode("utf-8")
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
            event = value.decode("utf-8")
        # id and retry are not used by Chat Completions; unknown fields are ignored (spec).
    if not data:
        return None
    return event, b"\n".join(data).decode("utf-8")


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> MalformedResponseError:
    return MalformedResponseError(
        f"The server sent bytes that are not UTF-8 ({exc.reason} at byte {exc.start})",
        body=raw[:_HEAD_SIZE].decode("utf-8", errors="replace"),
    )


class SSEDecoder:
    """Incremental server-sent-events parser working on raw bytes.

    ``feed`` takes whatever one network read returned and gives back every event completed
    by it, in order, so a caller can handle all events of one read together (and, for
    example, merge tool-call fragments) without waiting for anything that has not arrived.
    It follows the WHATWG rules httpx-sse follows (CRLF, CR or LF line ends, comments,
    multi-line ``data``, ``event``, one optional space after the colon, a partial event at
    the end of the stream is dropped) at a fraction of its per-event cost: the common
    single ``data:`` line event is sliced out of the buffer without any per-line work.

    Two departures, both about hostile input: bytes that are not UTF-8 raise
    ``MalformedResponseError`` instead of being replaced (text would be silently changed),
    and the pieces of an unfinished event are kept in a list and joined once the event is
    complete, so an event split over many reads costs linear, not quadratic, time.
    """

    __slots__ = ("_pending", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # the unfinished event, line ends normalised to LF
        self._skip_lf = False  # the last read ended in CR: an LF starting the next is its pair
        self._started = False

    def feed(self, chunk: bytes) -> list[Event]:
        """Events completed by ``chunk``.

        Raises:
            MalformedResponseError: A completed event is not valid UTF-8.

        """
        if not chunk:
            return []
        pending = self._pending
        if not self._started:
            if pending:
                chunk = pending.pop() + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                pending.append(chunk)
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
        if pending:
            # Only the new bytes, or the seam between them and the old, can end an event.
            if b"\n\n" not in chunk and not (chunk[:1] == b"\n" and pending[-1][-1:] == b"\n"):
                if chunk:
                    pending.append(chunk)
                return []
            chunk = b"".join(pending) + chunk
            pending.clear()
        blocks = chunk.split(b"\n\n")
        tail = blocks.pop()
        if tail:
            pending.append(tail)
        events: list[Event] = []
        for block in blocks:
            try:
                event = _event_of(block)
            except UnicodeDecodeError as exc:
                raise _not_utf8(block, exc) from None
            if event is not None:
                events.append(event)
        return events


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class StreamProtocol(Protocol[T_co]):
    """What :meth:`EventStream.chunks` drives: the wire layer's parser of one stream.

    The HTTP layer knows no chunk type; the wire layer's ``ChatStream`` (Chat Completions)
    fits this shape, and so does any other stream dialect.
    """

    @property
    def done(self) -> bool:
        """Whether the stream's end marker came (the rest is only drained)."""
        ...

    def feed(self, batch: list[Event]) -> Iterable[T_co]:
        """The chunks of one read's events."""
        ...

    def close(self) -> T_co:
        """The last chunk, or the typed error of a stream that ended wrong."""
        ...


class EventStream:
    """The events of one open response, one list per network read; iterate it sync or async.

    Reads are counted against the size limit and, through the call, run under its deadline;
    any failure comes out as our typed error with the attempt count and request id. A body
    that is not SSE (a server ignoring ``stream: true``, or a gateway's JSON error with
    status 200) comes as one event holding the whole body, which the chunk builder accepts.

    Args:
        response: The open streaming response.
        call: The call it belongs to (deadline, limit, attempts); ``None`` for neither.

    """

    __slots__ = ("_body", "_call", "_decoder", "response")

    def __init__(self, response: httpx.Response, call: _Call | None = None) -> None:
        self.response = response
        self._call = call
        sse = _is_sse(response)
        limit = call.transport.max_response_bytes if call is not None else None
        self._body = _Body(response, limit, keep=not sse)
        self._decoder = SSEDecoder() if sse else None

    def _feed(self, chunk: bytes) -> list[Event]:
        self._body.add(chunk)
        if self._call is not None:
            self._call.check_deadline()
        return self._decoder.feed(chunk) if self._decoder is not None else []

    def _end(self) -> list[Event]:
        if self._decoder is not None:
            return []
        raw = self._body.content()
        try:
            return [("", raw.decode("utf-8"))]
        except UnicodeDecodeError as exc:
            raise _not_utf8(raw, exc) from None

    def annotate(self, error: CompatChatError) -> CompatChatError:
        """Give an error found in this stream its request id, attempt count and first bytes."""
        if self._call is not None:
            error.attempts = self._call.attempt
        _annotate(error, self.response, self._body)
        return error

    def _fail(self, exc: Exception) -> NoReturn:
        if self._call is not None:
            error = self._call.error(exc, streaming=True, response=self.response, body=self._body)
        else:
            error = self.annotate(map_httpx_error(exc, streaming=True))
        _raise(error, exc)

    def __iter__(self) -> Iterator[list[Event]]:
        try:
            for chunk in self.response.iter_bytes():
                events = self._feed(chunk)
                if events:
                    yield events
            events = self._end()
        except (httpx.HTTPError, CompatChatError) as exc:
            self._fail(exc)
        if events:
            yield events

    async def __aiter__(self) -> AsyncIterator[list[Event]]:
        try:
            async for chunk in self.response.aiter_bytes():
                events = self._feed(chunk)
                if events:
                    yield events
            events = self._end()
        except (httpx.HTTPError, CompatChatError) as exc:
            self._fail(exc)
        if events:
            yield events

    def chunks(self, protocol: StreamProtocol[T]) -> Iterator[T]:
        """Run one stream's protocol over this response: feed, drain after the end, close.

        Each read's events go to ``protocol.feed`` and its chunks out at once; once
        ``protocol.done`` (``[DONE]`` came) the rest of the response is drained so that its
        connection is reused, and ``protocol.close()`` gives the last chunk. Any typed error
        of the protocol gets this stream's request id and attempt count.
        """
        batches = iter(self)
        try:
            for batch in batches:
                yield from protocol.feed(batch)
                if protocol.done:
                    drain(self.response, batches)
                    break
            last = protocol.close()
        except CompatChatError as exc:
            self.annotate(exc)
            raise
        yield last

    async def achunks(self, protocol: StreamProtocol[T]) -> AsyncIterator[T]:
        """Async :meth:`chunks`."""
        batches = aiter(self)
        try:
            async for batch in batches:
                for chunk in protocol.feed(batch):
                    yield chunk
                if protocol.done:
                    await adrain(self.response, batches)
                    break
            last = protocol.close()
        except CompatChatError as exc:
            self.annotate(exc)
            raise
        yield last


def _drainable(response: httpx.Response) -> bool:
    return response.http_version == "HTTP/1.1" and not response.is_closed


def drain(response: httpx.Response, batches: Iterator[list[Event]]) -> None:
    """Sync :func:`adrain`: read the end only once it has arrived, never on a timer's bet.

    A blocking read cannot be bounded from its own thread, and bounding it with the
    watchdog (shut the socket at 0.1 s) failed under load: with 64 threads the timer won
    the race in about half the streams, costing each a new connection, and could fire
    after the connection had gone back to the pool. So the end is read only when it is
    already buffered (it usually comes with ``[DONE]``) or the socket turns readable within
    ``_DRAIN_SECONDS``, waited for with ``select`` in this thread, which owns the socket;
    otherwise the response is closed and its connection dropped, as without draining. A
    readable socket gives its bytes at once, so the watchdog is only a backstop (a server
    that sends half the end and stalls), at ``_DRAIN_BACKSTOP``, and it can no longer touch
    a socket once the response closes (see ``_deadline``). A response that exposes no
    socket (a custom transport) is not drained.
    """
    if not _drainable(response):
        return
    sock = socket_of(response)
    if sock is None or not _end_arrives(response, sock):
        return
    disarm = arm(Deadline(_DRAIN_BACKSTOP), response)
    try:
        with contextlib.suppress(CompatChatError):
            for _ in batches:
                pass
    finally:
        disarm()


def _end_arrives(response: httpx.Response, sock: Any) -> bool:
    """Whether the rest of ``response`` is buffered or arrives within ``_DRAIN_SECONDS``."""
    if body_complete(response) or buffered_bytes(response):  # h11 has the end already
        return True
    if getattr(sock, "pending", lambda: 0)():  # TLS has decrypted bytes waiting
        return True
    try:
        readable, _, _ = select.select([sock], [], [], _DRAIN_SECONDS)
    except (OSError, ValueError):  # closed meanwhile
        return False
    return bool(readable)


async def adrain(response: httpx.Response, batches: AsyncIterator[list[Event]]) -> None:
    """After ``[DONE]``, read the rest of an HTTP/1.1 response so its connection is reused.

    HTTP/1.1 can only pool a connection whose response was read to the end, and the end
    (the last, empty chunk) normally follows ``[DONE]`` at once, often in the same read:
    without this, every stream would pay a new TCP and TLS handshake. A server that keeps
    the response open costs at most ``_DRAIN_SECONDS``; the connection is then closed, as
    it would have been without draining.
    """
    if not _drainable(response):
        return

    async def rest() -> None:
        async for _ in batches:
            pass

    # On a timeout or a broken connection, what was delivered stays delivered; the
    # connection is just not reused.
    with contextlib.suppress(asyncio.TimeoutError, CompatChatError):
        await asyncio.wait_for(rest(), _DRAIN_SECONDS)
