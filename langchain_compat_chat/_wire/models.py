"""``GET /models`` replies -> :class:`ModelInfo` records (pure).

Servers agree on OpenAI's ``{"object": "list", "data": [{"id": ...}]}`` only roughly: llama.cpp
adds an Ollama-style ``models`` list next to ``data``, some gateways answer with a bare list,
and every server adds its own per-model fields (context length, pricing, capabilities). The
parser keeps the id and the three OpenAI fields typed and everything else, untouched, in
``metadata`` so that nothing the server said is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_compat_chat.errors import MalformedResponseError, preview

__all__ = ["ModelInfo", "parse_model_list"]


@dataclass(frozen=True)
class ModelInfo:
    """One model a server offers.

    Attributes:
        id: The name to pass as ``model=``.
        owned_by: Owner reported by the server, if any.
        created: Unix timestamp reported by the server, if any.
        metadata: Every other field of the server's record (context length, pricing...).

    """

    id: str
    owned_by: str | None = None
    created: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _record(item: Any) -> ModelInfo | None:
    if isinstance(item, str):  # a few gateways list bare ids
        return ModelInfo(id=item)
    if not isinstance(item, dict):
        return None
    model_id = item.get("id") or item.get("model") or item.get("name")
    if not isinstance(model_id, str) or not model_id:
        return None
    owned_by = item.get("owned_by")
    created = item.get("created")
    return ModelInfo(
        id=model_id,
        owned_by=owned_by if isinstance(owned_by, str) else None,
        created=created if isinstance(created, int) and not isinstance(created, bool) else None,
        metadata={k: v for k, v in item.items() if k not in ("id", "owned_by", "created")},
    )


def parse_model_list(data: Any) -> list[ModelInfo]:
    """Read a ``GET /models`` reply; raise if it lists no recognisable models at all.

    ``data`` is preferred over ``models`` when both exist (llama.cpp sends both, and only
    ``data`` carries the OpenAI-shaped ids). Entries without an id are skipped rather than
    failing the whole listing, but a reply in which *no* entry has one is an error: it is
    not a model list.
    """
    items: Any = data
    if isinstance(data, dict):
        items = data.get("data")
        if items is None:
            items = data.get("models")
    if not isinstance(items, list):
        msg = "The server's /models reply has no 'data' list"
        raise MalformedResponseError(msg, body=preview(data))
    models = [m for m in map(_record, items) if m is not None]
    if items and not models:
        msg = "The server's /models reply lists no entry with a model id"
        raise MalformedResponseError(msg, body=preview(data))
    return models
