"""The reference server: a real HTTP/1.1 OpenAI-compatible server on 127.0.0.1.

:class:`ReferenceServer` is the public face: its settings, start and stop, and the
thread-safe scripting API tests use. The parts live next to it, one concern each: the
event-loop thread and its connections in ``_loop``, the locked state in ``_state``, the
route table and the endpoint handlers in ``_routes``. JSON answers carry
``Content-Length`` and streams use chunked transfer encoding with one HTTP chunk per SSE
event, so per-event delays, stalls and disconnects happen exactly where a real server
would produce them.

Routes (``_routes.ROUTES``): ``POST /v1/chat/completions``, ``POST /v1/responses``
(OpenAI's Responses API, the same answers in its shapes), ``GET /v1/models``,
``GET /v1/models/{id}``, ``GET /health``, and OpenAI's Batch API (``/v1/files``,
``/v1/batches``; the files and batches themselves live in ``_batches.BatchApi``). The
``/v1`` prefix is optional unless ``strict_paths`` is set (then only ``/health`` answers
without it, as on OpenAI). Anything else is a 404 JSON error.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any

from langchain_compat_chat.testing._batch_config import BatchConfig
from langchain_compat_chat.testing._batches import BatchApi
from langchain_compat_chat.testing._config import (
    Dialect,
    Fault,
    SseEvent,
    build_scripted,
    parse_dialect,
    parse_fault,
    scripted_from_sample,
)
from langchain_compat_chat.testing._http import Request
from langchain_compat_chat.testing._loop import LoopThread
from langchain_compat_chat.testing._routes import dispatch
from langchain_compat_chat.testing._routes.chat import line_completer
from langchain_compat_chat.testing._state import RecordedRequest, ServerState

__all__ = ["DEFAULT_MODEL", "RecordedRequest", "ReferenceServer", "serve"]

DEFAULT_MODEL = "compat-reference"


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
        self.created = int(time.time())
        """``created`` of the model objects ``/v1/models`` lists: when the server was made."""
        self._requested_port = port
        if isinstance(dialect, str):
            dialect = parse_dialect(dialect)
        self._state = ServerState(dialect or Dialect(), fault, lambda: self.max_recorded)
        self.batch_api = BatchApi(
            lambda req: line_completer(self, self._state, self._state.request_dialect(req)),
            lambda req: self._state.request_dialect(req).batch_file_purposes,
            batch,
        )
        """The Batch API's files and batches (used by the ``/v1/files`` and ``/v1/batches``
        routes); configure it with :meth:`set_batch_config`."""
        self._thread = LoopThread(self._dispatch, BatchApi.spools)

    # ----------------------------------------------------------------------------------
    # lifecycle
    # ----------------------------------------------------------------------------------
    def start(self) -> ReferenceServer:
        """Start serving in a daemon thread; returns once the socket is listening.

        Raises:
            RuntimeError: if the server is already running.
            OSError: if the port cannot be bound.

        """
        self._thread.start(self.host, self._requested_port)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every connection and the listening socket, then join the thread.

        Running batches stop and every file (uploads and batch outputs) is deleted.
        """
        self._thread.stop(timeout)
        self.batch_api.close()

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
        return self._thread.running

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now, seen from the server's side.

        For leak tests: once clients have finished, closed or abandoned their requests, this
        falls to the number of idle keep-alive connections their pools hold.
        """
        return self._thread.open_connections

    @property
    def port(self) -> int:
        """The bound TCP port (only while running)."""
        port = self._thread.port
        if port is None:
            raise RuntimeError("ReferenceServer is not running; call start() first")
        return port

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
        self._state.reset()
        self.batch_api.reset()

    def set_batch_config(self, config: BatchConfig | None) -> None:
        """Set how batches created from now on run (``None``: the server's default)."""
        self.batch_api.config = config

    @property
    def batch_config(self) -> BatchConfig:
        """The :class:`BatchConfig` new batches get."""
        return self.batch_api.config

    def set_dialect(self, dialect: Dialect | str | None) -> None:
        """Set the server-wide dialect (a :class:`Dialect`, a preset/header string, or default)."""
        if isinstance(dialect, str):
            dialect = parse_dialect(dialect)
        self._state.dialect = dialect or Dialect()

    @property
    def dialect(self) -> Dialect:
        """The server-wide dialect."""
        return self._state.dialect

    def set_fault(self, fault: Fault | str | None) -> None:
        """Set (or clear with ``None``) the server-wide fault; ``Fault.times`` limits it."""
        if isinstance(fault, str):
            fault = parse_fault(fault)
        self._state.fault = fault

    @property
    def fault(self) -> Fault | None:
        """The server-wide fault, or ``None`` once cleared or used up."""
        return self._state.fault

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
        self._state.enqueue(item)

    def enqueue_sample(self, sample: Mapping[str, Any]) -> None:
        """Queue a recorded wire sample (``{"response": {"status", "sse"|"json"|"raw"}}``)."""
        item = scripted_from_sample(sample)
        self._state.enqueue(item)

    def enqueue_fault(self, fault: Fault | str) -> None:
        """Queue a fault for the next chat request(s) (``fault.times`` requests, default 1).

        The fault applies to a normally generated answer; it takes precedence over the
        header and server-wide faults.
        """
        if isinstance(fault, str):
            fault = parse_fault(fault)
        self._state.enqueue(*[fault] * max(1, fault.times or 1))

    @property
    def pending(self) -> int:
        """How many queued responses/faults are still waiting for a request."""
        return self._state.pending

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received since start or the last ``reset()``."""
        return self._state.requests

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the ``POST .../chat/completions`` requests."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def responses_requests(self) -> list[RecordedRequest]:
        """Only the ``POST .../responses`` requests (the Responses API)."""
        return [r for r in self.requests if r.path.endswith("/responses")]

    @property
    def last_request(self) -> RecordedRequest | None:
        """The most recent request, or ``None``."""
        return self._state.last_request

    async def _dispatch(self, req: Request, writer: asyncio.StreamWriter) -> bool:
        return await dispatch(self, self._state, req, writer)


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
