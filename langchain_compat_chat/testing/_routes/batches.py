"""``/v1/batches``: create, retrieve, list and cancel, answered by the server's Batch API.

The life cycle, validation and runner are in ``_batches.py``; the lines are answered by
the chat route's own checks and generation (``chat.line_completer``).
"""

from __future__ import annotations

from langchain_compat_chat.testing._routes.exchange import Exchange


async def create_batch(ex: Exchange) -> bool:
    """``POST /v1/batches``."""
    return await ex.server.batch_api.create(ex.req, ex.writer, ex.params)


async def list_batches(ex: Exchange) -> bool:
    """``GET /v1/batches``."""
    return await ex.server.batch_api.list_batches(ex.req, ex.writer, ex.params)


async def retrieve_batch(ex: Exchange) -> bool:
    """``GET /v1/batches/{id}``."""
    return await ex.server.batch_api.retrieve(ex.req, ex.writer, ex.params)


async def cancel_batch(ex: Exchange) -> bool:
    """``POST /v1/batches/{id}/cancel``."""
    return await ex.server.batch_api.cancel(ex.req, ex.writer, ex.params)
