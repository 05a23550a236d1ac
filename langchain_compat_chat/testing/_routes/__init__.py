"""The reference server's route table and the dispatcher that reads it.

Every endpoint is one :class:`Route` in :data:`ROUTES`, and its handler lives in a module
of this package named after it. To add an endpoint, write ``async def handler(ex:
Exchange) -> bool`` in a new module here and add its ``Route`` (method, path after
``/v1``, handler, whether it needs the key) to the table; nothing else changes. The
dispatcher applies what every route shares: recording, the ``/v1`` prefix rule of
``strict_paths``, the key check, the 404 for an unknown path and writing ``ApiError``s.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from langchain_compat_chat.testing._auth import check_bearer
from langchain_compat_chat.testing._errors import ApiError
from langchain_compat_chat.testing._http import Request, write_response
from langchain_compat_chat.testing._routes.batches import (
    cancel_batch,
    create_batch,
    list_batches,
    retrieve_batch,
)
from langchain_compat_chat.testing._routes.chat import chat_completions
from langchain_compat_chat.testing._routes.exchange import Exchange, Handler, Route
from langchain_compat_chat.testing._routes.files import (
    delete_file,
    file_content,
    list_files,
    retrieve_file,
    upload_file,
)
from langchain_compat_chat.testing._routes.health import health
from langchain_compat_chat.testing._routes.models import list_models, retrieve_model
from langchain_compat_chat.testing._routes.responses import create_response
from langchain_compat_chat.testing._state import ServerState

if TYPE_CHECKING:
    from langchain_compat_chat.testing._server import ReferenceServer

__all__ = ["ROUTES", "Exchange", "Handler", "Route", "dispatch"]

ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", health, auth=False, unprefixed=True),
    Route("POST", "/chat/completions", chat_completions),
    Route("POST", "/responses", create_response),
    Route("GET", "/models", list_models),
    Route("GET", "/models/{model_id:path}", retrieve_model),
    # OpenAI's Batch API (openai-python src/openai/resources/files.py, batches.py)
    Route("POST", "/files", upload_file),
    Route("GET", "/files", list_files),
    Route("GET", "/files/{id}", retrieve_file),
    Route("DELETE", "/files/{id}", delete_file),
    Route("GET", "/files/{id}/content", file_content),
    Route("POST", "/batches", create_batch),
    Route("GET", "/batches", list_batches),
    Route("GET", "/batches/{id}", retrieve_batch),
    Route("POST", "/batches/{id}/cancel", cancel_batch),
)
"""Every endpoint the server answers, first match wins."""


async def dispatch(
    server: ReferenceServer, state: ServerState, req: Request, writer: asyncio.StreamWriter
) -> bool:
    """Answer one request from :data:`ROUTES`; returns whether the connection may be reused."""
    state.record(req)
    path = req.path.rstrip("/") or "/"
    route = path.removeprefix("/v1") or "/"
    try:
        if server.strict_paths and route == path and not _unprefixed(route):
            raise ApiError(
                404,
                f"Invalid URL ({req.method} {req.path}); this server's API is under /v1 "
                "(is base_url missing /v1?)",
                "invalid_request_error",
            )
        found = _find(req.method, route)
        if found is None:
            raise ApiError(404, f"Invalid URL ({req.method} {req.path})")
        entry, params = found
        if entry.auth:
            check_bearer(req, server.api_key)
        return await entry.handler(Exchange(server, state, req, writer, params))
    except ApiError as err:
        await write_response(
            writer, err.status, err.body(), keep_alive=req.keep_alive, headers=err.headers
        )
        return True


def _find(method: str, route: str) -> tuple[Route, dict[str, str]] | None:
    for entry in ROUTES:
        params = entry.match(method, route)
        if params is not None:
            return entry, params
    return None


def _unprefixed(route: str) -> bool:
    return any(e.unprefixed and e.match(None, route) is not None for e in ROUTES)
