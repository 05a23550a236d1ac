"""The reference server: a real HTTP/1.1 Chat Completions server on 127.0.0.1.

It runs an asyncio event loop in a daemon thread, so a synchronous test (or a script)
can start it, talk to it over real sockets with any client, and stop it. One loop handles
thousands of concurrent keep-alive connections; JSON answers carry ``Content-Length`` and
streams use chunked transfer encoding with one HTTP chunk per SSE event, so per-event
delays, stalls and disconnects happen exactly where a real server would produce them.

Routes: ``POST /v1/chat/completions``, ``GET /v1/models``, ``GET /v1/models/{id}``,
``GET /health``, and OpenAI's Batch API (``/v1/files``, ``/v1/batches``: ``_batches.py``).
The ``/v1`` prefix is optional unless ``strict_paths`` is set (then only ``/health``
answers without it, as on OpenAI). Anything else is a 404 JSON error.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from langchain_compat_chat.testing._batch_config import BatchConfig
from langchain_compat_chat.testing._batches import BatchApi, CompleteLine
from langchain_compat_chat.testing._chat import (
    plan_completion,
    prompt_prefix_tokens,
    render_chunks,
    render_completion,
)
from langchain_compat_chat.testing._config import (
    DIALECT_HEADER,
    FAULT_HEADER,
    Dialect,
    Fault,
    ScriptedResponse,
    SseEvent,
    build_scripted,
    dumps,
    parse_dialect,
    parse_fault,
    scripted_from_sample,
)
from langchain_compat_chat.testing._http import (
    MAX_HEAD,
    HttpError,
    Request,
    corrupt_utf8,
    fault_error,
    phrase,
    read_request,
    request_headers,
    retry_after_value,
    write_json_with_fault,
    write_response,
    write_sse,
)
from langchain_compat_chat.testing._thinking import check_thinking_rules
from langchain_compat_chat.testing._validate import (
    REASONING_EFFORTS,
    ApiError,
    parse_body,
    validate_chat_request,
)

DEFAULT_MODEL = "compat-reference"
_PREFIX_CACHE_SIZE = 4096


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received, for assertions in tests.

    Attributes:
        method: HTTP method, e.g. ``"POST"``.
        path: Request path without the query string.
        query: The raw query string (``""`` when absent).
        headers: Header names lower-cased; repeated headers joined with ``", "``.
        body: The raw body bytes.
        json: The parsed JSON body, or ``None`` when it was absent or not JSON.
        received_at: ``time.time()`` when the body was read.

    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    json: Any
    received_at: float


@dataclass
class _State:
    """Mutable server state, shared by the loop thread and the test thread (locked)."""

    dialect: Dialect
    fault: Fault | None
    fault_remaining: int | None
    queue: collections.deque[ScriptedResponse | Fault] = field(default_factory=collections.deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    prefix_cache: collections.OrderedDict[str, None] = field(
        default_factory=collections.OrderedDict
    )
    batch_config: BatchConfig = field(default_factory=BatchConfig)


class ReferenceServer:
    """A faithful OpenAI-compatible Chat Completions server for offline tests.

    Start it with ``start()`` or as a context manager; point any client at
    :attr:`base_url`. Content is generated deterministically from the request (never from
    the prompt's meaning), tool arguments and structured output from the JSON schema sent.
    Exact responses can be queued, provider dialects switched on and faults injected,
    server-wide or per request.

    Examples:
        >>> with ReferenceServer() as srv:  # doctest: +SKIP
        ...     client = ChatCompatModel(base_url=srv.base_url, model="m")

    Args:
        port: TCP port on 127.0.0.1; ``0`` picks a free one.
        api_key: When set, requests need ``Authorization: Bearer <api_key>`` (else 401).
        host: Interface to bind. Loopback by default; tests should not change it.
        models: Model ids listed by ``GET /v1/models`` (any model name is accepted in
            chat requests unless ``strict_models`` is set).
        strict_models: Answer 404 ``model_not_found`` for models not in ``models``.
        strict_paths: Answer 404 on API paths without the ``/v1`` prefix, as OpenAI does,
            so that a client configured with ``base_url`` missing ``/v1`` fails in tests
            the way it would in production.
        dialect: Server-wide :class:`Dialect`, or a preset/header string such as
            ``"deepseek-thinking"`` (per request: ``x-compat-dialect`` header).
        fault: Server-wide :class:`Fault` (per request: ``x-compat-fault`` header).
        context_window: Prompts longer than this many tokens get a 400
            ``context_length_exceeded`` error; ``GET /v1/models`` reports it as each
            model's ``max_model_len`` (vLLM's field).
        system_fingerprint: Value of ``system_fingerprint`` in answers.
        max_recorded: How many requests :attr:`requests` keeps (oldest dropped first).
        batch: How batches run (:class:`BatchConfig`: timing, per-line errors, expiry).

    """

    def __init__(
        self,
        port: int = 0,
        api_key: str | None = None,
        *,
        host: str = "127.0.0.1",
        models: Sequence[str] = (DEFAULT_MODEL,),
        strict_models: bool = False,
        strict_paths: bool = False,
        dialect: Dialect | str | None = None,
        fault: Fault | None = None,
        context_window: int = 128_000,
        system_fingerprint: str = "fp_compat_ref",
        max_recorded: int = 10_000,
        batch: BatchConfig | None = None,
    ) -> None:
        self.host = host
        self.api_key = api_key
        self.models = tuple(models)
        self.strict_models = strict_models
        self.strict_paths = strict_paths
        self.context_window = context_window
        self.system_fingerprint = system_fingerprint
        self.max_recorded = max_recorded
        self._requested_port = port
        self._port: int | None = None
        if isinstance(dialect, str):
            dialect = parse_dialect(dialect)
        self._defaults = (dialect or Dialect(), fault)
        self._batch_default = batch or BatchConfig()
        self._lock = threading.Lock()
        self._state = self._fresh_state()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._created = int(time.time())
        self._batch_api = BatchApi(self._line_completer, self._batch_purposes, self._batch_config)

    # ----------------------------------------------------------------------------------
    # lifecycle
    # ----------------------------------------------------------------------------------
    def start(self) -> ReferenceServer:
        """Start serving in a daemon thread; returns once the socket is listening.

        Raises:
            RuntimeError: if the server is already running.
            OSError: if the port cannot be bound.

        """
        if self._thread is not None:
            raise RuntimeError("ReferenceServer is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        thread = threading.Thread(
            target=self._run, args=(ready, failure), name="compat-reference-server", daemon=True
        )
        self._thread = thread
        thread.start()
        ready.wait()
        if failure:
            thread.join()
            self._thread = None
            raise failure[0]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every connection and the listening socket, then join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            with contextlib.suppress(Exception):
                fut.result(timeout)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None
        self._loop = None
        self._port = None

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._port is not None

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now, seen from the server's side.

        For leak tests: once clients have finished, closed or abandoned their requests, this
        falls to the number of idle keep-alive connections their pools hold.
        """
        return len(self._writers)

    @property
    def port(self) -> int:
        """The bound TCP port (only while running)."""
        if self._port is None:
            raise RuntimeError("ReferenceServer is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """OpenAI-style base URL to give clients: ``http://127.0.0.1:PORT/v1``."""
        return self.url + "/v1"

    # ----------------------------------------------------------------------------------
    # scripting API (thread-safe)
    # ----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget requests, queued responses, the prompt cache, files and batches.

        The server-wide dialect, fault and batch configuration go back to their defaults.
        """
        with self._lock:
            self._state = self._fresh_state()
        loop = self._loop
        if loop is not None and loop.is_running():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._close_batches(), loop).result(5.0)

    def set_batch_config(self, config: BatchConfig | None) -> None:
        """Set how batches created from now on run (``None``: the defaults)."""
        with self._lock:
            self._state.batch_config = config or BatchConfig()

    @property
    def batch_config(self) -> BatchConfig:
        """The :class:`BatchConfig` new batches get."""
        with self._lock:
            return self._state.batch_config

    def set_dialect(self, dialect: Dialect | str | None) -> None:
        """Set the server-wide dialect (a :class:`Dialect`, a preset/header string, or default)."""
        if isinstance(dialect, str):
            dialect = parse_dialect(dialect)
        with self._lock:
            self._state.dialect = dialect or Dialect()

    @property
    def dialect(self) -> Dialect:
        """The server-wide dialect."""
        with self._lock:
            return self._state.dialect

    def set_fault(self, fault: Fault | str | None) -> None:
        """Set (or clear with ``None``) the server-wide fault; ``Fault.times`` limits it."""
        if isinstance(fault, str):
            fault = parse_fault(fault)
        with self._lock:
            self._state.fault = fault
            self._state.fault_remaining = fault.times if fault is not None else None

    @property
    def fault(self) -> Fault | None:
        """The server-wide fault, or ``None`` once cleared or used up."""
        with self._lock:
            return self._active_fault_locked(consume=False)

    def enqueue(
        self,
        json_body: Any = None,
        *,
        sse: Iterable[SseEvent] | None = None,
        raw: bytes | str | None = None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        done: bool = True,
        close: bool = False,
    ) -> None:
        """Queue an exact response for the next chat request (FIFO).

        Give exactly one of ``json_body`` (serialised compactly), ``sse`` (chunk dicts are
        sent as ``data: <json>`` events, strings and bytes verbatim; ``data: [DONE]`` is
        appended unless ``done=False``) or ``raw`` (exact body bytes). Valid requests
        consume the queue; requests rejected by auth or validation do not.
        """
        item = build_scripted(
            json_body=json_body,
            sse=sse,
            raw=raw,
            status=status,
            headers=headers,
            content_type=content_type,
            done=done,
            close=close,
        )
        with self._lock:
            self._state.queue.append(item)

    def enqueue_sample(self, sample: Mapping[str, Any]) -> None:
        """Queue a recorded wire sample (``{"response": {"status", "sse"|"json"|"raw"}}``)."""
        item = scripted_from_sample(sample)
        with self._lock:
            self._state.queue.append(item)

    def enqueue_fault(self, fault: Fault | str) -> None:
        """Queue a fault for the next chat request(s) (``fault.times`` requests, default 1).

        The fault applies to a normally generated answer; it takes precedence over the
        header and server-wide faults.
        """
        if isinstance(fault, str):
            fault = parse_fault(fault)
        with self._lock:
            self._state.queue.extend([fault] * max(1, fault.times or 1))

    @property
    def pending(self) -> int:
        """How many queued responses/faults are still waiting for a request."""
        with self._lock:
            return len(self._state.queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received since start or the last ``reset()``."""
        with self._lock:
            return list(self._state.requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the ``POST .../chat/completions`` requests."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def last_request(self) -> RecordedRequest | None:
        """The most recent request, or ``None``."""
        with self._lock:
            return self._state.requests[-1] if self._state.requests else None

    # ----------------------------------------------------------------------------------
    # internals: state
    # ----------------------------------------------------------------------------------
    def _fresh_state(self) -> _State:
        dialect, fault = self._defaults
        return _State(
            dialect=dialect,
            fault=fault,
            fault_remaining=fault.times if fault is not None else None,
            batch_config=self._batch_default,
        )

    def _active_fault_locked(self, *, consume: bool) -> Fault | None:
        st = self._state
        if st.fault is None:
            return None
        if st.fault_remaining is None:
            return st.fault
        if st.fault_remaining <= 0:
            return None
        if consume:
            st.fault_remaining -= 1
        return st.fault

    def _record(self, req: Request) -> None:
        parsed: Any = None
        if req.body:
            try:
                parsed = parse_body(req.body)
            except ApiError:
                parsed = None
        rec = RecordedRequest(
            method=req.method,
            path=req.path,
            query=req.query,
            headers=dict(req.headers),
            body=req.body,
            json=parsed,
            received_at=time.time(),
        )
        with self._lock:
            self._state.requests.append(rec)
            overflow = len(self._state.requests) - self.max_recorded
            if overflow > 0:
                del self._state.requests[:overflow]

    def _cached_tokens(self, body: Mapping[str, Any]) -> tuple[int, int]:
        """Prompt tokens and how many of them a prefix cache would have served."""
        keys, totals = prompt_prefix_tokens(body)
        prompt = totals[-1] if totals else 3
        cached = 0
        with self._lock:
            cache = self._state.prefix_cache
            # The last message is new input; earlier prefixes may have been seen before.
            for key, total in zip(keys[:-1], totals[:-1], strict=True):
                if key in cache:
                    cached = total
            for key in keys:
                cache[key] = None
                cache.move_to_end(key)
            while len(cache) > _PREFIX_CACHE_SIZE:
                cache.popitem(last=False)
        return prompt, cached

    # ----------------------------------------------------------------------------------
    # internals: event loop
    # ----------------------------------------------------------------------------------
    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                asyncio.start_server(
                    self._handle_connection,
                    self.host,
                    self._requested_port,
                    backlog=4096,
                    limit=MAX_HEAD,
                    reuse_address=True,
                )
            )
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            loop.close()
            return
        self._server = server
        self._port = int(server.sockets[0].getsockname()[1])
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _close_batches(self) -> None:
        self._batch_api.close()

    async def _shutdown(self) -> None:
        self._batch_api.close()
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            self._server = None

    async def _handle_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    req = await read_request(reader, writer, BatchApi.spools)
                except HttpError as exc:
                    err = ApiError(exc.status, exc.message)
                    await write_response(writer, exc.status, err.body(), keep_alive=False)
                    break
                if req is None:
                    break
                keep = await self._dispatch(req, writer)
                if not keep or not req.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _dispatch(self, req: Request, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; returns whether the connection may be reused."""
        self._record(req)
        path = req.path.rstrip("/") or "/"
        route = path.removeprefix("/v1") or "/"
        try:
            if self.strict_paths and route == path and route != "/health":
                raise ApiError(
                    404,
                    f"Invalid URL ({req.method} {req.path}); this server's API is under /v1 "
                    "(is base_url missing /v1?)",
                    "invalid_request_error",
                )
            if route == "/health" and req.method == "GET":
                await write_response(writer, 200, b'{"status":"ok"}', keep_alive=req.keep_alive)
                return True
            if route == "/chat/completions" and req.method == "POST":
                self._check_auth(req)
                return await self._chat(req, writer)
            if route == "/models" and req.method == "GET":
                self._check_auth(req)
                await write_response(
                    writer, 200, dumps(self._models_payload()), keep_alive=req.keep_alive
                )
                return True
            if route.startswith("/models/") and req.method == "GET":
                self._check_auth(req)
                model_id = route.removeprefix("/models/")
                if model_id not in self.models:
                    raise _model_not_found(model_id)
                await write_response(
                    writer, 200, dumps(self._model_object(model_id)), keep_alive=req.keep_alive
                )
                return True
            batch_route = self._batch_api.match(req.method, route)
            if batch_route is not None:
                self._check_auth(req)
                handler, params = batch_route
                return bool(await handler(req, writer, params))
            raise ApiError(404, f"Invalid URL ({req.method} {req.path})")
        except ApiError as err:
            await write_response(
                writer, err.status, err.body(), keep_alive=req.keep_alive, headers=err.headers
            )
            return True

    def _check_auth(self, req: Request) -> None:
        if self.api_key is None:
            return
        auth = req.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if not auth:
            raise ApiError(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "authentication_error",
                None,
                "missing_api_key",
            )
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            token.strip().encode(), self.api_key.encode()
        ):
            shown = token.strip()
            redacted = shown[:3] + "*" * max(0, len(shown) - 7) + shown[-4:] if shown else ""
            raise ApiError(
                401,
                f"Incorrect API key provided: {redacted}.",
                "authentication_error",
                None,
                "invalid_api_key",
            )

    def _models_payload(self) -> dict[str, Any]:
        return {"object": "list", "data": [self._model_object(m) for m in self.models]}

    def _model_object(self, model_id: str) -> dict[str, Any]:
        # vLLM's field for the served context (prompt + answer); clients such as
        # ChatCompatModel.fetch_profile() read it, so it mirrors context_window.
        return {
            "id": model_id,
            "object": "model",
            "created": self._created,
            "owned_by": "compat",
            "max_model_len": self.context_window,
        }

    # ----------------------------------------------------------------------------------
    # chat completions
    # ----------------------------------------------------------------------------------
    def _request_dialect(self, req: Request) -> Dialect:
        with self._lock:
            base = self._state.dialect
        header = req.headers.get(DIALECT_HEADER)
        if header is None:
            return base
        try:
            return parse_dialect(header, base)
        except ValueError as exc:
            raise ApiError(400, f"Invalid {DIALECT_HEADER} header: {exc}") from None

    def _next_item(self, req: Request) -> tuple[ScriptedResponse | None, Fault | None]:
        header = req.headers.get(FAULT_HEADER)
        header_fault: Fault | None = None
        if header is not None:
            try:
                header_fault = parse_fault(header)
            except ValueError as exc:
                raise ApiError(400, f"Invalid {FAULT_HEADER} header: {exc}") from None
        with self._lock:
            queued = self._state.queue.popleft() if self._state.queue else None
            if isinstance(queued, Fault):
                return None, queued
            server_fault = self._active_fault_locked(consume=header_fault is None)
        return queued, header_fault or server_fault

    def _batch_config(self) -> BatchConfig:
        with self._lock:
            return self._state.batch_config

    def _batch_purposes(self, req: Request) -> tuple[str, ...]:
        return self._request_dialect(req).batch_file_purposes

    def _line_completer(self, req: Request) -> CompleteLine:
        """Answers a batch's lines in the dialect of the request that created it."""
        dialect = self._request_dialect(req)

        def complete(body: dict[str, Any]) -> dict[str, Any]:
            prompt_tokens, cached = self._check_chat(body, dialect)
            plan = plan_completion(
                body,
                dialect,
                prompt_tokens=prompt_tokens,
                cached_tokens=cached,
                system_fingerprint=self.system_fingerprint,
            )
            return render_completion(plan, dialect)

        return complete

    def _check_chat(self, body: dict[str, Any], dialect: Dialect) -> tuple[int, int]:
        """Every check of a chat body; returns its prompt tokens and the cached part."""
        validate_chat_request(
            body,
            reject_unknown=dialect.reject_unknown_params,
            accept_video=dialect.accept_video,
            reasoning_efforts=dialect.reasoning_efforts or REASONING_EFFORTS,
        )
        check_thinking_rules(body, dialect)
        if self.strict_models and body["model"] not in self.models:
            raise _model_not_found(str(body["model"]))
        prompt_tokens, cached = self._cached_tokens(body)
        if prompt_tokens > self.context_window:
            raise ApiError(
                400,
                f"This model's maximum context length is {self.context_window} tokens. "
                f"However, your messages resulted in {prompt_tokens} tokens. Please reduce "
                "the length of the messages.",
                "invalid_request_error",
                "messages",
                "context_length_exceeded",
            )
        return prompt_tokens, cached

    async def _chat(self, req: Request, writer: asyncio.StreamWriter) -> bool:
        dialect = self._request_dialect(req)
        body = parse_body(req.body)
        prompt_tokens, cached = self._check_chat(body, dialect)
        scripted, fault = self._next_item(req)
        fault = fault or Fault()
        if scripted is not None:
            return await self._send_scripted(scripted, fault, req, writer)
        await asyncio.sleep(fault.latency_s + (0 if body.get("stream") else fault.ttft_s))
        in_stream_error = bool(body.get("stream")) and fault.stream_error_after_chunks is not None
        if (fault.status is not None or fault.error_with_200) and not in_stream_error:
            await self._send_fault_status(fault, req, writer)
            return req.keep_alive
        plan = plan_completion(
            body,
            dialect,
            prompt_tokens=prompt_tokens,
            cached_tokens=cached,
            system_fingerprint=self.system_fingerprint,
        )
        if not body.get("stream"):
            completion = render_completion(plan, dialect)
            if fault.oversize_bytes:
                completion["padding"] = "x" * fault.oversize_bytes
            payload = dumps(completion)
            if fault.malformed_json:
                payload = payload[: max(1, len(payload) // 2)]
            if fault.invalid_utf8:
                payload = corrupt_utf8(payload)
            return await write_json_with_fault(writer, payload, fault, req.keep_alive)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = render_chunks(plan, dialect, include_usage=include_usage)
        if fault.oversize_bytes:
            chunks[0]["padding"] = "x" * fault.oversize_bytes
        events = [b"data: " + dumps(c) + b"\n\n" for c in chunks]
        second = min(1, len(events) - 1)
        if fault.malformed_json:
            events[second] = b'data: {"id":"' + plan.id.encode() + b'","choi\n\n'
        if fault.invalid_utf8:
            events[second] = corrupt_utf8(events[second])
        events.append(b"data: [DONE]\n\n")
        return await write_sse(writer, events, fault, headers=request_headers())

    async def _send_fault_status(
        self, fault: Fault, req: Request, writer: asyncio.StreamWriter
    ) -> None:
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

    async def _send_scripted(
        self,
        item: ScriptedResponse,
        fault: Fault,
        req: Request,
        writer: asyncio.StreamWriter,
    ) -> bool:
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


def _model_not_found(model: str) -> ApiError:
    return ApiError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        "invalid_request_error",
        None,
        "model_not_found",
    )


def serve(
    port: int = 0,
    api_key: str | None = None,
    *,
    ready: Callable[[ReferenceServer], None] | None = None,
    **kwargs: Any,
) -> None:
    """Run a reference server in the foreground until Ctrl-C (or SIGTERM).

    Prints the base URL (first line of output) unless ``ready`` is given, in which case
    ``ready(server)`` is called once the socket is listening.
    """
    import signal

    srv = ReferenceServer(port, api_key, **kwargs).start()
    stop = threading.Event()
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if ready is not None:
            ready(srv)
        else:
            print(srv.base_url, flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
