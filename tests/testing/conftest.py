from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from langchain_compat_chat.testing import ReferenceServer


@pytest.fixture
def client(compat_server: ReferenceServer) -> Iterator[httpx.Client]:
    """An httpx client bound to the (reset) session server."""
    with httpx.Client(base_url=compat_server.base_url, timeout=10) as c:
        yield c
