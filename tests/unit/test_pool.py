"""The connection-assignment step ``_pool`` installs on httpcore 1.0.x pools.

Two layers: the step itself on stand-in connections (every rule, deterministic), and real
httpcore pools over httpcore's in-memory network backend, run once with httpcore's own step
and once with ours, so that the tests show the burst behaviour the replacement exists for.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpcore
import httpx
import pytest

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._http.pool import _assign, reserve_connections

ORIGIN = httpcore.URL("http://a.test/").origin
OTHER = httpcore.URL("http://b.test/").origin


class Conn:
    """A stand-in for an httpcore HTTP/1.1 connection in one state."""

    def __init__(self, state: str = "idle", origin: Any = ORIGIN, *, expired: bool = False) -> None:
        self.state, self.origin, self.expired = state, origin, expired
        # httpcore's connection object holds the protocol object once connected.
        self._connection = None if state == "new" else object()

    def is_closed(self) -> bool:
        return self.state == "closed"

    def is_idle(self) -> bool:
        return self.state == "idle"

    def is_available(self) -> bool:
        return self.state == "idle"

    def has_expired(self) -> bool:
        return self.expired

    def can_handle_request(self, origin: Any) -> bool:
        return bool(origin == self.origin)


class Req:
    def __init__(self, origin: Any = ORIGIN, connection: Conn | None = None) -> None:
        self.request = httpcore.Request("GET", f"http://{origin.host.decode()}/")
        self.connection = connection

    def assign_to_connection(self, connection: Conn) -> None:
        self.connection = connection


class Pool:
    def __init__(
        self, connections: list[Conn], requests: list[Req], *, limit: int = 10, idle: int = 5
    ) -> None:
        self._connections, self._requests = connections, requests
        self._max_connections, self._max_keepalive_connections = limit, idle
        self.created: list[Conn] = []

    def create_connection(self, origin: Any) -> Conn:
        conn = Conn("new", origin)
        self.created.append(conn)
        return conn


def test_an_idle_connection_handed_out_is_not_offered_again() -> None:
    idle = Conn()
    first = Req(connection=idle)  # handed out, has not started on it yet: still idle
    second = Req()
    pool = Pool([idle], [first, second])
    assert _assign(pool) == []
    assert second.connection is not idle
    assert second.connection is pool.created[0]


def test_each_waiting_request_gets_its_own_connection() -> None:
    idles = [Conn(), Conn()]
    waiting = [Req() for _ in range(4)]
    pool = Pool(list(idles), waiting)
    _assign(pool)
    held = [r.connection for r in waiting]
    assert len({id(c) for c in held}) == 4
    assert held[:2] == idles and held[2:] == pool.created
    assert pool._connections == [*idles, *pool.created]


def test_an_expired_idle_connection_is_closed_when_picked_and_the_next_one_used() -> None:
    stale, fresh = Conn(expired=True), Conn()
    request = Req()
    pool = Pool([stale, fresh], [request])
    assert _assign(pool) == [stale]
    assert request.connection is fresh
    assert pool._connections == [fresh]


def test_the_keepalive_cap_counts_idle_connections_only() -> None:
    busy = [Conn("active") for _ in range(8)]
    requests = [Req(connection=c) for c in busy]
    idles = [Conn() for _ in range(3)]
    pool = Pool([*busy, *idles], requests, limit=20, idle=2)
    # httpcore 1.0.x compares the number of *all* connections with the cap and would close
    # all three idle ones here; only the one over the cap goes.
    assert _assign(pool) == [idles[0]]
    assert pool._connections == [*busy, *idles[1:]]


def test_a_full_pool_keeps_the_request_waiting() -> None:
    busy = [Conn("active"), Conn("active")]
    waiting = Req()
    pool = Pool(list(busy), [Req(connection=busy[0]), Req(connection=busy[1]), waiting], limit=2)
    assert _assign(pool) == []
    assert waiting.connection is None
    assert pool.created == []


def test_a_full_pool_closes_an_idle_connection_to_another_origin_to_make_room() -> None:
    busy, other = Conn("active"), Conn(origin=OTHER)
    waiting = Req()
    pool = Pool([busy, other], [Req(connection=busy), waiting], limit=2)
    assert _assign(pool) == [other]
    assert waiting.connection is pool.created[0]
    assert pool._connections == [busy, pool.created[0]]


def test_closed_and_orphaned_connections_are_dropped() -> None:
    closed = Conn("closed")
    orphan = Conn("new")  # its request was cancelled before it connected
    connecting = Conn("new")
    request = Req(connection=connecting)
    pool = Pool([closed, orphan, connecting], [request])
    assert _assign(pool) == []
    assert pool._connections == [connecting]


# -- real httpcore pools over the in-memory backend -------------------------------------------

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


async def _burst(ours: bool, calls: int) -> tuple[int, int]:
    """``calls`` concurrent requests on a pool that holds one idle connection.

    Returns how often httpcore took back a connection it had handed out, and how many
    connections the pool holds afterwards.
    """
    backend = httpcore.AsyncMockBackend([RESPONSE] * 25)
    pool = httpcore.AsyncConnectionPool(
        max_connections=100, max_keepalive_connections=100, network_backend=backend
    )
    if ours:
        pool._assign_requests_to_connections = _assign.__get__(pool)  # type: ignore[method-assign]
    await pool.request("GET", "http://a.test/")
    retries = 0
    clear = httpcore._async.connection_pool.AsyncPoolRequest.clear_connection

    def counting_clear(request: Any) -> None:
        nonlocal retries
        retries += 1
        clear(request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            httpcore._async.connection_pool.AsyncPoolRequest, "clear_connection", counting_clear
        )
        answers = await asyncio.gather(
            *(pool.request("GET", "http://a.test/") for _ in range(calls))
        )
    assert [a.content for a in answers] == [b"ok"] * calls
    held = len(pool.connections)
    await pool.aclose()
    return retries, held


async def test_httpcores_own_step_hands_one_idle_connection_to_the_whole_burst() -> None:
    retries, _ = await _burst(ours=False, calls=20)
    assert retries >= 19  # the baseline the replacement is for


async def test_our_step_gives_every_call_of_a_burst_a_connection_at_once() -> None:
    retries, held = await _burst(ours=True, calls=20)
    assert retries == 0
    assert held == 20  # the idle one reused, 19 new, all kept (cap 100)


# -- where it is installed --------------------------------------------------------------------


def _assign_of(client: httpx.Client | httpx.AsyncClient) -> Any:
    return client._transport._pool._assign_requests_to_connections  # type: ignore[attr-defined]


def test_installed_on_the_sync_client_the_model_creates() -> None:
    model = ChatCompatModel(model="m", base_url="http://127.0.0.1:9/v1", api_key="sk-x")
    assert _assign_of(model._get_session().client()).__func__ is _assign


async def test_installed_on_the_async_client_the_model_creates() -> None:
    model = ChatCompatModel(model="m", base_url="http://127.0.0.1:9/v1", api_key="sk-x")
    assert _assign_of(model._get_session().async_client()).__func__ is _assign


def test_installed_on_proxy_pools_too() -> None:
    client = httpx.Client(proxy="http://127.0.0.1:9")
    reserve_connections(client)
    pools = [t._pool for t in client._mounts.values() if t is not None]  # type: ignore[attr-defined]
    assert pools and all(p._assign_requests_to_connections.__func__ is _assign for p in pools)


def test_user_clients_are_left_alone() -> None:
    own = httpx.Client()
    model = ChatCompatModel(
        model="m", base_url="http://127.0.0.1:9/v1", api_key="sk-x", http_client=own
    )
    assert model._get_session().client() is own
    assert getattr(_assign_of(own), "__func__", None) is not _assign


def test_http2_pools_are_left_alone() -> None:
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(http2=True)  # httpx would need h2 installed
    client = httpx.Client(transport=transport)
    reserve_connections(client)
    assert getattr(_assign_of(client), "__func__", None) is not _assign


def test_not_installed_on_other_httpcore_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpcore, "__version__", "2.0.0")
    client = httpx.Client()
    reserve_connections(client)
    assert getattr(_assign_of(client), "__func__", None) is not _assign


def test_a_connected_connection_no_request_holds_is_closed() -> None:
    """Its request was cancelled after connecting (NEW) or while closing (ACTIVE)."""
    started, closing_cut_short = Conn("new"), Conn("active")
    started._connection = object()  # connected, never got its first request
    idle = Conn()
    pool = Pool([started, closing_cut_short, idle], [])
    assert _assign(pool) == [started, closing_cut_short]
    assert pool._connections == [idle]
