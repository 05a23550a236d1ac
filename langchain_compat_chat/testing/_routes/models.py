"""``GET /v1/models`` and ``GET /v1/models/{id}``: the served models, OpenAI-shaped.

Each model object carries ``max_model_len`` (vLLM's field for the served context, prompt
plus answer), which clients such as ``ChatCompatModel.fetch_profile()`` read, so it
mirrors the server's ``context_window``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_compat_chat.testing._config import dumps
from langchain_compat_chat.testing._errors import model_not_found
from langchain_compat_chat.testing._http import write_response
from langchain_compat_chat.testing._routes.exchange import Exchange

if TYPE_CHECKING:
    from langchain_compat_chat.testing._server import ReferenceServer


async def list_models(ex: Exchange) -> bool:
    """Answer the list of every model in the server's ``models``."""
    payload = {"object": "list", "data": [model_object(ex.server, m) for m in ex.server.models]}
    await write_response(ex.writer, 200, dumps(payload), keep_alive=ex.req.keep_alive)
    return True


async def retrieve_model(ex: Exchange) -> bool:
    """Answer one model, or the real API's 404 for a model not served."""
    model_id = ex.params["model_id"]
    if model_id not in ex.server.models:
        raise model_not_found(model_id)
    payload = model_object(ex.server, model_id)
    await write_response(ex.writer, 200, dumps(payload), keep_alive=ex.req.keep_alive)
    return True


def model_object(server: ReferenceServer, model_id: str) -> dict[str, Any]:
    """One ``"object": "model"`` entry as the list and the detail route send it."""
    return {
        "id": model_id,
        "object": "model",
        "created": server.created,
        "owned_by": "compat",
        "max_model_len": server.context_window,
    }
