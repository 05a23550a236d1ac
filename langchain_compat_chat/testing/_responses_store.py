"""Stored responses of the reference server, for ``previous_response_id`` chaining.

The server is stateless by default, like Ollama and OpenRouter: a response is kept only
when its request said ``store: true``. A stored response remembers the whole conversation
it ended (every input item, with ``instructions`` left out as the real API does, and its
own output items with their reasoning text), so that a request naming it as
``previous_response_id`` continues from there, and its items can be given back by id or
by ``item_reference``. The store is bounded, oldest first out, and emptied by
``ReferenceServer.reset()``.

Evidence for the chaining rules: https://platform.openai.com/docs/guides/conversation-state
("instructions" are not carried over: the ``instructions`` field of
openai-python ``src/openai/types/responses/response.py``); an unknown id is the 400
``Previous response with id 'resp_…' not found.`` with code
``previous_response_not_found`` (maximhq/bifrost#2441, bigduu/Bamboo-agent#513).
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ResponseStore", "StoredResponse"]


@dataclass(frozen=True)
class StoredResponse:
    """One stored response.

    Attributes:
        response: The response object as it was sent.
        items: The conversation it ended: the earlier items, this request's input and
            the output items, in order.

    """

    response: Mapping[str, Any]
    items: tuple[Mapping[str, Any], ...]


class ResponseStore:
    """A bounded, locked map from response id to :class:`StoredResponse`.

    Args:
        limit: How many responses it keeps; the oldest goes first.

    """

    def __init__(self, limit: int = 1000) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._responses: collections.OrderedDict[str, StoredResponse] = collections.OrderedDict()
        self._items: dict[str, Mapping[str, Any]] = {}

    def put(self, response: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> None:
        """Keep a response and index the items that carry an id."""
        stored = StoredResponse(response=response, items=tuple(items))
        with self._lock:
            self._responses[str(response["id"])] = stored
            for item in items:
                if isinstance(item.get("id"), str):
                    self._items[item["id"]] = item
            while len(self._responses) > self._limit:
                _, dropped = self._responses.popitem(last=False)
                for item in dropped.items:
                    self._items.pop(str(item.get("id")), None)

    def get(self, response_id: str) -> StoredResponse | None:
        """The stored response with this id, or ``None``."""
        with self._lock:
            return self._responses.get(response_id)

    def item(self, item_id: str) -> Mapping[str, Any] | None:
        """A stored item (message, function call, reasoning) by its id, or ``None``."""
        with self._lock:
            return self._items.get(item_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._responses)
