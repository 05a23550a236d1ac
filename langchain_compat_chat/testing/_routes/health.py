"""``GET /health``: the liveness probe, open without a key and without ``/v1``."""

from __future__ import annotations

from langchain_compat_chat.testing._http import write_response
from langchain_compat_chat.testing._routes.exchange import Exchange


async def health(ex: Exchange) -> bool:
    """Answer ``{"status":"ok"}``, as vLLM's and llama.cpp's probes do."""
    await write_response(ex.writer, 200, b'{"status":"ok"}', keep_alive=ex.req.keep_alive)
    return True
