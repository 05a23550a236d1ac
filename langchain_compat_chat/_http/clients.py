"""The pooled httpx clients: shared by equal settings, one async client per event loop.

Clients are created on first use and shared between sessions with the same TLS and proxy
settings; for async, per event loop, so that no pooled connection ever crosses into a loop
that did not create it (pytest-asyncio's per-test loops would otherwise see "Event loop is
closed"). A forked child forgets the parent's clients (:func:`_after_fork`). Clients a user
passes in are never pooled, patched or replaced; :func:`check_user_client` only warns when
one is used after a fork.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
import warnings
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx

from langchain_compat_chat._http.pool import reserve_connections

__all__ = [
    "LIMITS",
    "ClientKey",
    "async_client",
    "check_user_client",
    "fork_generation",
    "sync_client",
]

# Up to 1000 connections and 100 idle ones, the openai SDK's numbers. httpcore 1.0.x's own
# assignment step collapses a burst on such a warm pool (~80 req/s for 500 calls); the pools
# of our clients use ``pool``'s instead (docs/performance.md has the measurements).
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=30.0)

ClientKey = tuple[bool, str | None, bool]
"""What makes two sessions' clients interchangeable: verify, proxy, and whether it is https."""

_sync_clients: dict[ClientKey, httpx.Client] = {}
# Per-loop clients, for loops that take no attribute (see ``_loop_clients``) only.
_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[ClientKey, httpx.AsyncClient]
] = weakref.WeakKeyDictionary()
_clients_lock = threading.Lock()
_LOOP_ATTR = "_langchain_compat_chat_clients"


_fork_generation = 0  # how many forks this process descends from (see _after_fork)


def fork_generation() -> int:
    """How many forks this process descends from; a session compares it for a user's client."""
    return _fork_generation


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
    Clients the user passed in are the user's (see :func:`check_user_client`).
    """
    global _sync_clients, _async_clients, _clients_lock, _fork_generation
    _sync_clients = {}
    _async_clients = weakref.WeakKeyDictionary()
    _clients_lock = threading.Lock()
    _fork_generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _new_client(cls: type[Any], key: ClientKey) -> Any:
    """A client of ``cls`` for ``key``, with the package's limits and pool repairs."""
    verify, proxy, https = key
    client = cls(
        verify=_verify_for(https, verify),
        proxy=proxy,
        limits=LIMITS,
        trust_env=proxy is None,
        follow_redirects=False,
    )
    reserve_connections(client)
    return client


def _verify_for(https: bool, verify: bool) -> ssl.SSLContext | bool:
    if not verify:
        return False
    if not https:
        # Plain-HTTP clients never do TLS; a bare context avoids loading the CA bundle (tens
        # of milliseconds) for local servers. It verifies nothing it was not given, so it
        # fails closed if an https URL ever reached it.
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return True


def sync_client(key: ClientKey) -> httpx.Client:
    """The process's sync client for ``key``, created on first use (or after it closed)."""
    client = _sync_clients.get(key)
    if client is None or client.is_closed:
        with _clients_lock:
            client = _sync_clients.get(key)
            if client is None or client.is_closed:
                client = _sync_clients[key] = _new_client(httpx.Client, key)
    return client


def async_client(key: ClientKey) -> httpx.AsyncClient:
    """The running event loop's async client for ``key``, created on first use."""
    per_loop = _loop_clients(asyncio.get_running_loop())
    client = per_loop.get(key)
    if client is None or client.is_closed:
        client = per_loop[key] = _new_client(httpx.AsyncClient, key)
    return client


def check_user_client(generation: int) -> bool:
    """Warn once when a user's client is used in a process forked after it was given.

    Its pool may hold the parent's connections, which only its owner can drop (e.g. a
    new client per worker, made in gunicorn's ``post_fork`` or Celery's
    ``worker_process_init``); the package's own clients are replaced by itself.

    Args:
        generation: The fork generation the session last saw the client in.

    Returns:
        Whether this call warned (the session then records the current generation).

    """
    if generation == _fork_generation:
        return False
    warnings.warn(
        "The http_client / http_async_client given to ChatCompatModel was created "
        "before os.fork(); its pooled connections are shared with the parent "
        "process. Create the client in each worker process instead.",
        RuntimeWarning,
        stacklevel=4,
    )
    return True


class _LoopClients(dict[ClientKey, httpx.AsyncClient]):
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
