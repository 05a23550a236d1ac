"""A model's connection settings, and the sync and async drivers that send with them.

:class:`Session` sits above the httpx client (httpx's *transport* is the layer below it):
it holds the base URL, headers, query, timeouts, retry policy and limits of one model, and
its four drivers (``send``, ``open_stream``, ``asend``, ``aopen_stream``) loop over the
attempts of one call. What to do after each attempt is ``call.CallState``'s, shared by
both drivers, so the async ones differ only in ``await``.

Every request is sent with ``stream=True``, even for JSON answers, so that the body is read
chunk by chunk under the size limit and the total deadline instead of all at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

import httpx

from langchain_compat_chat._http import clients
from langchain_compat_chat._http.call import CallState, Request, raise_chained
from langchain_compat_chat._http.events import EventStream
from langchain_compat_chat._http.retry import RetryPolicy, parse_retry_after
from langchain_compat_chat._secrets import is_secret_header, register_header
from langchain_compat_chat._version import __version__
from langchain_compat_chat.errors import (
    AuthenticationError,
    CompatChatError,
    error_from_response,
)

__all__ = ["Request", "Session", "server_root"]

_USER_AGENT = f"langchain-compat-chat/{__version__}"


def server_root(base_url: str) -> str:
    """``base_url`` without a trailing ``/v1``: where a server's native endpoints live.

    ``http://localhost:11434/v1`` -> ``http://localhost:11434``; a URL without ``/v1`` (a
    llama.cpp server given as its root) is its own root.
    """
    base = base_url.rstrip("/")
    return base.removesuffix("/v1")


class Session:
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
        self._generation = clients.fork_generation()  # a user's client used after a fork
        self._key: clients.ClientKey = (verify, proxy, self.base_url.startswith("https:"))
        # Parsed once: httpx otherwise re-parses the URL and re-encodes every header per call.
        self._urls: dict[str, httpx.URL] = {}
        self._headers = httpx.Headers(self.headers)
        self._stream_headers = httpx.Headers({**self.headers, "accept": "text/event-stream"})

    # -- clients ---------------------------------------------------------------------------
    def client(self) -> httpx.Client:
        """The sync client: the user's, or a pooled one shared by equal settings."""
        if self._http_client is not None:
            if clients.check_user_client(self._generation):
                self._generation = clients.fork_generation()
            return self._http_client
        return clients.sync_client(self._key)

    def async_client(self) -> httpx.AsyncClient:
        """The async client for the running loop (one per loop, see ``clients``)."""
        if self._http_async_client is not None:
            if clients.check_user_client(self._generation):
                self._generation = clients.fork_generation()
            return self._http_async_client
        return clients.async_client(self._key)

    # -- shared steps ----------------------------------------------------------------------
    def build(
        self, client: httpx.Client | httpx.AsyncClient, request: Request, timeout: httpx.Timeout
    ) -> httpx.Request:
        """The httpx request for one attempt (its timeouts chosen by ``CallState.build``)."""
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
        call = CallState(self, request)
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
        call = CallState(self, request)
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
    def _read(call: CallState, response: httpx.Response) -> None:
        body = call.body(response)
        with call.watch(response):
            try:
                for chunk in response.iter_bytes():
                    if not body.add(chunk):
                        break
            except httpx.HTTPError as exc:
                raise_chained(call.error(exc, streaming=False, response=response, body=body), exc)
        call.accept_body(response, body)

    # -- async driver ------------------------------------------------------------------------
    async def asend(self, request: Request) -> httpx.Response:
        """Async twin of :meth:`send`."""
        call = CallState(self, request)
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
        call = CallState(self, request)
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
    async def _aread(call: CallState, response: httpx.Response) -> None:
        body = call.body(response)
        with call.watch(response, asyncio.get_running_loop()):
            try:
                async for chunk in response.aiter_bytes():
                    if not body.add(chunk):
                        break
            except httpx.HTTPError as exc:
                raise_chained(call.error(exc, streaming=False, response=response, body=body), exc)
        call.accept_body(response, body)
