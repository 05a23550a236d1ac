"""Connection assignment for httpcore 1.0.x pools that holds up under bursts.

httpcore 1.0.x (the pool under httpx 0.28) decides which request gets which connection in one
step that runs whenever a request arrives or a response is closed. That step has two flaws
which show up when many calls start at once:

* An idle connection stays "available" until a request has actually *started* on it, so the
  same idle connection is handed to every request of a burst. All but one then fail with
  ``ConnectionNotAvailable`` and go round again; each round re-scans every connection for
  every waiting request. With many idle connections this is the known collapse (~80 req/s
  for 500 calls on a warm pool of 100) and with few it still staggers the sends.
* Its keep-alive cap counts *all* connections, not idle ones, so any connection that turns
  idle while more than ``max_keepalive_connections`` are open is closed: a busy pool keeps
  reconnecting.

:func:`reserve_connections` replaces that step, on the pools of the clients this package
creates, by :func:`_assign`: a connection handed to a request is taken until that request is
done, each waiting request gets its own connection, the keep-alive cap counts idle
connections, and a connection whose request was cancelled before it connected is dropped.
It is the assignment rule httpcore's successor (httpcore2, used by the openai SDK) applies;
see docs/performance.md for the measurements. The step is a private method, so the
replacement is only installed on the httpcore line it was written for (1.0.x, whose last
release is 1.0.9), on HTTP/1.1-only pools (HTTP/2 connections are meant to be shared), and
clients the user passes in are never touched.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["reserve_connections"]


def reserve_connections(client: httpx.Client | httpx.AsyncClient) -> None:
    """Install :func:`_assign` on every connection pool of ``client`` it applies to."""
    import httpcore  # here: httpx, too, imports it only when it builds a transport

    if not httpcore.__version__.startswith("1.0."):
        return
    # The default transport and the proxy mounts (from the environment or ``proxy=``).
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        pools = (httpcore.ConnectionPool, httpcore.AsyncConnectionPool)
        if isinstance(pool, pools) and not pool._http2:
            pool._assign_requests_to_connections = types.MethodType(_assign, pool)  # type: ignore[method-assign]


def _assign(pool: Any) -> list[Any]:
    """Assign waiting requests to connections; return the connections to close.

    Runs under the pool's lock, like the step it replaces, and works on the same state
    (``_requests``, ``_connections``), so the sync and async pools share it.
    """
    closing: list[Any] = []
    # Connections a request holds: in use, connecting, or handed out and about to be used.
    taken = {id(r.connection) for r in pool._requests if r.connection is not None}
    kept: list[Any] = []
    free: list[Any] = []
    for connection in pool._connections:
        if connection.is_closed():
            continue
        if id(connection) in taken:
            kept.append(connection)
        elif connection.is_available():
            kept.append(connection)
            free.append(connection)
        elif getattr(connection, "_connection", True) is not None:
            kept.append(connection)
        # Otherwise it never connected and no request holds it any more (cancelled between
        # assignment and connect): there is no socket to close, so it is just dropped.

    for request in pool._requests:
        if request.connection is not None:
            continue
        connection = _reusable(request.request.url.origin, free, kept, closing)
        if connection is None:
            if len(kept) >= pool._max_connections:
                if not free:
                    continue  # stays queued until a response is closed
                # Full, but an idle connection to another origin can make room.
                victim = free.pop(0)
                kept.remove(victim)
                closing.append(victim)
            connection = pool.create_connection(request.request.url.origin)
            kept.append(connection)
        request.assign_to_connection(connection)

    # Keep-alive cap, counted over idle connections nobody has been given.
    for victim in free[: max(0, len(free) - pool._max_keepalive_connections)]:
        kept.remove(victim)
        closing.append(victim)
    pool._connections = kept
    return closing


def _reusable(origin: Any, free: list[Any], kept: list[Any], closing: list[Any]) -> Any:
    """Take the first idle connection to ``origin`` that is still good, or None.

    Whether an idle connection has outlived its keep-alive or been closed by the server is
    checked here, when it is about to be used, rather than for every idle connection on every
    step as httpcore does: that check polls the socket, and a warm pool of 100 idle
    connections made it the largest cost of a burst.
    """
    for connection in [c for c in free if c.can_handle_request(origin)]:
        free.remove(connection)
        if not connection.has_expired():
            return connection
        kept.remove(connection)
        closing.append(connection)
    return None
