"""pytest fixtures for the reference server (registered through the ``pytest11`` entry point).

* ``compat_server``: a running :class:`ReferenceServer`, shared by the whole session and
  ``reset()`` before each test, so tests stay independent and the socket is bound once.
* ``compat_server_factory``: call it with ``ReferenceServer`` arguments (``api_key=``,
  ``dialect=``...) to get a dedicated server, stopped when the test ends.

Nothing is imported from the server until a fixture is used, to keep pytest start-up fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from langchain_compat_chat.testing._server import ReferenceServer


@pytest.fixture(scope="session")
def compat_server_session() -> Iterator[ReferenceServer]:
    """The session-wide server behind ``compat_server`` (not reset between tests)."""
    from langchain_compat_chat.testing._server import ReferenceServer

    with ReferenceServer() as srv:
        yield srv


@pytest.fixture
def compat_server(compat_server_session: ReferenceServer) -> Iterator[ReferenceServer]:
    """A running reference server, reset (queue, faults, dialect, log) for this test."""
    compat_server_session.reset()
    yield compat_server_session
    compat_server_session.reset()


@pytest.fixture
def compat_server_factory() -> Iterator[Callable[..., ReferenceServer]]:
    """A factory of dedicated, started servers; all are stopped after the test."""
    from langchain_compat_chat.testing._server import ReferenceServer

    started: list[ReferenceServer] = []

    def make(**kwargs: Any) -> ReferenceServer:
        srv = ReferenceServer(**kwargs).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()
