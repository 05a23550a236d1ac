"""``/v1/files``: upload, list, retrieve, content and delete, answered by the Batch API store.

The handlers only hand the request to the server's :class:`~langchain_compat_chat.testing.
_batches.BatchApi`, which owns the files (``_files.py``).
"""

from __future__ import annotations

from langchain_compat_chat.testing._routes.exchange import Exchange


async def upload_file(ex: Exchange) -> bool:
    """``POST /v1/files`` (multipart; the body arrives spooled to disk)."""
    return await ex.server.batch_api.upload(ex.req, ex.writer, ex.params)


async def list_files(ex: Exchange) -> bool:
    """``GET /v1/files``."""
    return await ex.server.batch_api.list_files(ex.req, ex.writer, ex.params)


async def retrieve_file(ex: Exchange) -> bool:
    """``GET /v1/files/{id}``."""
    return await ex.server.batch_api.get_file(ex.req, ex.writer, ex.params)


async def delete_file(ex: Exchange) -> bool:
    """``DELETE /v1/files/{id}``."""
    return await ex.server.batch_api.delete_file(ex.req, ex.writer, ex.params)


async def file_content(ex: Exchange) -> bool:
    """``GET /v1/files/{id}/content``."""
    return await ex.server.batch_api.file_content(ex.req, ex.writer, ex.params)
