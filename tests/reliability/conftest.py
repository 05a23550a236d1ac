"""Fixtures of the reliability suite, and the end-of-run line with its tallies.

Every test here talks to a real :class:`ReferenceServer` over loopback sockets. Tests that
count connections get a server of their own (``server``), so nothing another test left in a
pool can be mistaken for a leak. The suite prints three totals at the end of the run (fault
runs, fuzzed inputs, leaked connections), because those are the numbers it exists to prove.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_compat_chat.testing import ReferenceServer
from tests.reliability._support import TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY:
        terminalreporter.write_line(
            f"reliability: {TALLY['faults']} fault runs, {TALLY['fuzzed']} fuzzed inputs, "
            f"{TALLY['leaked']} leaked connections (of {TALLY['abandoned']} abandoned streams)"
        )


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    """A server of this test's own (its connection count starts at zero)."""
    with ReferenceServer() as srv:
        yield srv
