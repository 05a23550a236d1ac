"""One call across its attempts: what to send, its state, its body reader, its errors.

Everything that decides *what* to do after a send (which timeouts the next attempt gets,
whether and how long to wait after a failure, when the deadline has passed, how much body
to accept, what an httpx failure becomes) is here, in plain code both drivers of
``session.Session`` call: the drivers only differ in ``await``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import httpx

from langchain_compat_chat._http.deadline import Deadline, arm
from langchain_compat_chat._secrets import mask_url, redact, redact_url
from langchain_compat_chat.errors import (
    PREVIEW_LIMIT,
    APIConnectionError,
    APITimeoutError,
    CompatChatError,
    MalformedResponseError,
    ResponseTooLargeError,
    StreamInterruptedError,
    stamp,
)

if TYPE_CHECKING:
    from langchain_compat_chat._http.session import Session

__all__ = ["Body", "CallState", "Request", "json_body", "map_httpx_error", "raise_chained"]

_log = logging.getLogger("langchain_compat_chat")

# An error body is read only to say what the server said; past this it is cut, not refused.
_ERROR_BODY_CAP = 64 * 1024
# Failures that prove no byte of the request left: no connection was made (or none was free
# in the pool), so the server cannot have acted on it. Every other transport failure may
# come after the server read the request (a read timeout, a connection dropped before the
# answer): httpx's exception hierarchy, https://www.python-httpx.org/exceptions/.
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)
# A read that fails this close to the deadline failed because of it (socket timeouts and
# the watchdog both fire on the deadline, give or take the clocks' rounding).
_DEADLINE_SLACK = 0.01


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
    retry: bool = True
    """Whether the session may send it again after a retryable failure. ``False`` for a
    request that acts each time it arrives (``POST /batches`` creates one more batch): a
    failed attempt is raised at once, and its caller, which can ask the server what the
    attempt did, decides whether to send again (see ``CompatChatError.request_sent``)."""


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
        timeout = APITimeoutError(f"The request timed out ({detail})")
        timeout.request_sent = not isinstance(exc, _NEVER_SENT)
        return timeout
    if streaming and isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return StreamInterruptedError(
            f"The connection broke in the middle of the stream ({detail})"
        )
    if isinstance(exc, httpx.DecodingError):
        return MalformedResponseError(f"The response could not be decoded ({detail})")
    where = f" at {url}" if url else ""
    error = APIConnectionError(f"Could not reach the server{where} ({detail})")
    error.request_sent = not isinstance(exc, _NEVER_SENT)
    return error


def raise_chained(error: CompatChatError, cause: BaseException) -> NoReturn:
    """Raise ``error`` chained to ``cause``, unless the cause's text shows a credential.

    (An httpx error about an illegal header value quotes the value; tracebacks print causes.)
    """
    if error is cause:
        raise error
    text = str(cause)
    raise error from (None if redact(text) != text else cause)


class Body:
    """A response body being read: counted against the size limit, kept or cut.

    A successful body past the limit is refused with ``ResponseTooLargeError``; when
    ``Content-Length`` already says it is too large, it is refused on that header, before a
    byte of it is read: reading even its first bytes would let a slow server hold the call
    for as long as it takes to trickle them (2,000 bytes at 5 ms each: 10 s). An error body
    is read only to report what the server said, so it is cut at ``_ERROR_BODY_CAP``
    instead: a gateway's 5 MB HTML page must still come out as the HTTP error it is. The
    first ``PREVIEW_LIMIT`` bytes are kept as ``head``, for the error of a failed read.

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
        if len(self.head) < PREVIEW_LIMIT:
            self.head += chunk[: PREVIEW_LIMIT - len(self.head)]
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
        """Every kept byte (empty for a body read with ``keep=False``)."""
        return b"".join(self._parts or ())

    def _too_large(self, size: int, *, declared: bool = False) -> ResponseTooLargeError:
        amount = f"Content-Length: {size:,}" if declared else f"{size:,} bytes or more"
        error = ResponseTooLargeError(
            f"The response is larger than max_response_bytes={self.limit:,} ({amount}); "
            "raise the limit if this server really sends that much",
            status_code=self.response.status_code,
        )
        stamp(error, self.response.headers, self.head)
        return error


def json_body(response: httpx.Response) -> Any:
    """The JSON of a successful response's (already read) body.

    Raises:
        MalformedResponseError: The body is not JSON, or nested too deep to parse; it
            carries the status, the request id and the body's first bytes.

    """
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        error = MalformedResponseError(
            f"The server's reply is not JSON ({exc})", status_code=response.status_code
        )
        raise stamp(error, response.headers, response.content) from None


class CallState:
    """One call's state across its attempts: the deadline, the count, the last failure.

    Both drivers ask it what to do (which timeouts the next attempt gets, whether and how
    long to wait after a failure, what error a broken stream becomes), so retry, deadline
    and error policy exist once.
    """

    __slots__ = ("attempt", "deadline", "last_error", "request", "session")

    def __init__(self, session: Session, request: Request) -> None:
        self.session = session
        self.request = request
        self.attempt = 0
        self.last_error: CompatChatError | None = None
        total = session.total_timeout
        self.deadline = Deadline(total) if total is not None else None

    def build(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The httpx request for the next attempt, its timeouts capped by the deadline."""
        self.attempt += 1
        request = self.request
        timeout = self.session.stream_timeout if request.stream else self.session.timeout
        if self.deadline is not None:
            if self.deadline.remaining() <= 0:
                raise self._expired()
            timeout = self.deadline.cap(timeout)
        return self.session.build(client, request, timeout)

    def body(self, response: httpx.Response, *, keep: bool = True) -> Body:
        """A reader of ``response``'s body under this call's size limit."""
        return Body(response, self.session.max_response_bytes, keep=keep)

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

    def accept_body(self, response: httpx.Response, body: Body) -> None:
        """Store the body read on ``response``; raise the typed error of a failure status."""
        response._content = body.content()  # what httpx's own read() stores
        if not response.is_success:
            raise self.session.failure(response)

    def retry_wait(self, exc: Exception) -> float:
        """Seconds to wait before the next attempt; raises the typed error to give up.

        A retry that could not start before the deadline is not attempted: the caller gets
        the server's own error (with its ``retry_after``) at once instead of a sleep that
        ends in a timeout.
        """
        error = self.error(exc, streaming=False)
        policy = self.session.retry
        wait = policy.delay(self.attempt, error) if self.request.retry else None
        if wait is not None and self.deadline is not None and wait >= self.deadline.remaining():
            wait = None
        if wait is None:
            raise_chained(error, exc)
        self.last_error = error
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "Retrying %s %s in %.2fs (attempt %d of %d) after %s: %s",
                self.request.method,
                redact_url(self.session.base_url) + self.request.path,
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
        body: Body | None = None,
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
            url = mask_url(redact_url(self.session.base_url) + self.request.path)
            error = map_httpx_error(exc, streaming=streaming, url=url)
        error.attempts = self.attempt
        if response is not None:
            stamp(error, response.headers, body.head if body is not None else None)
        return error

    def _expired(self) -> APITimeoutError:
        total = self.deadline.total if self.deadline is not None else 0.0
        message = f"The call did not finish within total_timeout={total:g}s"
        previous = self.last_error
        if previous is not None:
            message += f"; the last failed attempt ended with {type(previous).__name__}: "
            message += str(previous)
        return APITimeoutError(message, attempts=self.attempt, last_error=previous)
