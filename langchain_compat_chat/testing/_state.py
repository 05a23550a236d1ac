"""The reference server's mutable state: what it recorded, queued and configured.

The loop thread (answering requests) and the test thread (scripting and asserting) share
one :class:`ServerState`; every read and write goes through its lock, so a test may queue
a response or read the recorded requests while requests are in flight.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_compat_chat.testing._chat import prompt_prefix_tokens
from langchain_compat_chat.testing._config import (
    DIALECT_HEADER,
    FAULT_HEADER,
    Dialect,
    Fault,
    ScriptedResponse,
    parse_dialect,
    parse_fault,
)
from langchain_compat_chat.testing._errors import ApiError
from langchain_compat_chat.testing._http import Request
from langchain_compat_chat.testing._responses_store import ResponseStore
from langchain_compat_chat.testing._validate import parse_body

_PREFIX_CACHE_SIZE = 4096
_T = TypeVar("_T")


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
class _Fields:
    """The state proper, replaced as a whole by ``reset()``."""

    dialect: Dialect
    fault: Fault | None
    fault_remaining: int | None
    queue: collections.deque[ScriptedResponse | Fault] = field(default_factory=collections.deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    prefix_cache: collections.OrderedDict[str, None] = field(
        default_factory=collections.OrderedDict
    )
    responses: ResponseStore = field(default_factory=ResponseStore)


class ServerState:
    """Locked state shared by the loop thread and the test thread.

    Args:
        dialect: The server-wide dialect that ``reset()`` restores.
        fault: The server-wide fault that ``reset()`` restores.
        max_recorded: Reads the server's ``max_recorded`` at each request, so that a
            change to the attribute takes effect at once.

    """

    def __init__(
        self, dialect: Dialect, fault: Fault | None, max_recorded: Callable[[], int]
    ) -> None:
        self._defaults = (dialect, fault)
        self._max_recorded = max_recorded
        self._lock = threading.Lock()
        self._fields = self._fresh()

    def _fresh(self) -> _Fields:
        dialect, fault = self._defaults
        return _Fields(
            dialect=dialect,
            fault=fault,
            fault_remaining=fault.times if fault is not None else None,
        )

    # -- scripting (test thread) ----------------------------------------------------------
    def reset(self) -> None:
        """Forget requests, queued and stored responses and the prompt cache; restore defaults."""
        with self._lock:
            self._fields = self._fresh()

    @property
    def dialect(self) -> Dialect:
        """The server-wide dialect."""
        with self._lock:
            return self._fields.dialect

    @dialect.setter
    def dialect(self, dialect: Dialect) -> None:
        with self._lock:
            self._fields.dialect = dialect

    @property
    def fault(self) -> Fault | None:
        """The server-wide fault, or ``None`` once cleared or used up."""
        with self._lock:
            return self._active_fault_locked(consume=False)

    @fault.setter
    def fault(self, fault: Fault | None) -> None:
        with self._lock:
            self._fields.fault = fault
            self._fields.fault_remaining = fault.times if fault is not None else None

    def enqueue(self, *items: ScriptedResponse | Fault) -> None:
        """Queue scripted responses or faults for the next requests (FIFO)."""
        with self._lock:
            self._fields.queue.extend(items)

    @property
    def pending(self) -> int:
        """How many queued responses/faults are still waiting for a request."""
        with self._lock:
            return len(self._fields.queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request recorded since the last reset."""
        with self._lock:
            return list(self._fields.requests)

    @property
    def last_request(self) -> RecordedRequest | None:
        """The most recent request, or ``None``."""
        with self._lock:
            return self._fields.requests[-1] if self._fields.requests else None

    @property
    def responses(self) -> ResponseStore:
        """The stored Responses API answers (``store: true``), emptied by ``reset()``."""
        with self._lock:
            return self._fields.responses

    # -- serving (loop thread) ------------------------------------------------------------
    def record(self, req: Request) -> None:
        """Keep the request for assertions, dropping the oldest past ``max_recorded``."""
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
            self._fields.requests.append(rec)
            overflow = len(self._fields.requests) - self._max_recorded()
            if overflow > 0:
                del self._fields.requests[:overflow]

    def request_dialect(self, req: Request) -> Dialect:
        """The server-wide dialect with the request's ``x-compat-dialect`` header applied.

        Raises:
            ApiError: 400 for a header that does not parse.

        """
        base = self.dialect
        return _from_header(req, DIALECT_HEADER, lambda text: parse_dialect(text, base), base)

    def next_item(self, req: Request) -> tuple[ScriptedResponse | None, Fault | None]:
        """The queued response or fault this request consumes, and the fault that applies.

        A queued fault wins over the ``x-compat-fault`` header, which wins over the
        server-wide fault (whose ``times`` count only requests it actually applied to).

        Raises:
            ApiError: 400 for an ``x-compat-fault`` header that does not parse.

        """
        header_fault = _from_header(req, FAULT_HEADER, parse_fault, None)
        with self._lock:
            queued = self._fields.queue.popleft() if self._fields.queue else None
            if isinstance(queued, Fault):
                return None, queued
            server_fault = self._active_fault_locked(consume=header_fault is None)
        return queued, header_fault or server_fault

    def cached_tokens(self, body: Mapping[str, Any]) -> tuple[int, int]:
        """Prompt tokens and how many of them a prefix cache would have served."""
        keys, totals = prompt_prefix_tokens(body)
        prompt = totals[-1] if totals else 3
        cached = 0
        with self._lock:
            cache = self._fields.prefix_cache
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

    def _active_fault_locked(self, *, consume: bool) -> Fault | None:
        st = self._fields
        if st.fault is None:
            return None
        if st.fault_remaining is None:
            return st.fault
        if st.fault_remaining <= 0:
            return None
        if consume:
            st.fault_remaining -= 1
        return st.fault


def _from_header(req: Request, name: str, parse: Callable[[str], _T], default: _T) -> _T:
    """Parse a scripting header; a malformed one is the client's 400, never ignored."""
    header = req.headers.get(name)
    if header is None:
        return default
    try:
        return parse(header)
    except ValueError as exc:
        raise ApiError(400, f"Invalid {name} header: {exc}") from None
