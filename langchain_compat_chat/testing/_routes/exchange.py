"""What a route handler is given, and how a route's path template matches.

A handler is ``async def handler(ex: Exchange) -> bool``: it reads the request and the
server from ``ex``, writes its answer to ``ex.writer`` and returns whether the connection
may be reused. It raises :class:`~langchain_compat_chat.testing._errors.ApiError` for any
error answer; the dispatcher writes it. The Batch API's routes are its methods, turned
into handlers by :func:`batch_api_handler`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from langchain_compat_chat.testing._http import Request
from langchain_compat_chat.testing._state import ServerState

if TYPE_CHECKING:
    from langchain_compat_chat.testing._batches import BatchApi
    from langchain_compat_chat.testing._server import ReferenceServer


@dataclass(frozen=True)
class Exchange:
    """One request being answered.

    Attributes:
        server: The server, for its settings (``models``, ``context_window``, ...).
        state: The server's locked state (dialect, queue, faults, prompt cache).
        req: The parsed request.
        writer: Where the answer goes.
        params: The path template's captured values, e.g. ``{"model_id": "m"}``.

    """

    server: ReferenceServer
    state: ServerState
    req: Request
    writer: asyncio.StreamWriter
    params: Mapping[str, str]


Handler = Callable[[Exchange], Awaitable[bool]]


def batch_api_handler(
    method: Callable[[BatchApi, Request, asyncio.StreamWriter, Mapping[str, str]], Awaitable[bool]],
) -> Handler:
    """The handler that hands an exchange to ``method`` of the server's ``batch_api``.

    The ``/v1/files`` and ``/v1/batches`` routes are :class:`BatchApi` methods (it owns
    the files and the running batches); this is their one way in.
    """

    async def handler(ex: Exchange) -> bool:
        return await method(ex.server.batch_api, ex.req, ex.writer, ex.params)

    return handler


_PARAM = re.compile(r"\{(\w+)(:path)?\}")


@dataclass(frozen=True)
class Route:
    """One declared endpoint: a method, a path template under ``/v1`` and its handler.

    Args:
        method: The HTTP method it answers.
        path: The path after ``/v1``; ``{name}`` captures one segment, ``{name:path}``
            the rest of the path (slashes included, as model ids such as ``org/model``).
        handler: The coroutine that answers.
        auth: Whether the server's ``api_key`` is required.
        unprefixed: Whether it answers without ``/v1`` even with ``strict_paths`` (as
            ``/health`` does on OpenAI-compatible servers).

    """

    method: str
    path: str
    handler: Handler
    auth: bool = True
    unprefixed: bool = False
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts, at = [], 0
        for m in _PARAM.finditer(self.path):
            parts.append(re.escape(self.path[at : m.start()]))
            parts.append(f"(?P<{m[1]}>.+)" if m[2] else f"(?P<{m[1]}>[^/]+)")
            at = m.end()
        parts.append(re.escape(self.path[at:]))
        object.__setattr__(self, "_pattern", re.compile("".join(parts)))

    def match(self, method: str | None, route: str) -> dict[str, str] | None:
        """The captured parameters if this route answers ``method route``, else ``None``.

        ``method=None`` matches the path alone.
        """
        if method is not None and method != self.method:
            return None
        m = self._pattern.fullmatch(route)
        return m.groupdict() if m else None
