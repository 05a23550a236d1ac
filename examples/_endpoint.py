"""Where the examples send their requests: your server, or the bundled reference server.

Set ``COMPAT_BASE_URL`` and ``COMPAT_MODEL`` (plus ``COMPAT_API_KEY`` if the server needs
one) to run an example against a real OpenAI-compatible server. Leave them unset and the
example starts :class:`langchain_compat_chat.testing.ReferenceServer` on 127.0.0.1, so it
runs offline. The reference server speaks the protocol faithfully but writes filler text:
expect well-formed answers, tool calls and JSON, not meaningful ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langchain_compat_chat import ChatCompatModel


@dataclass(frozen=True)
class Endpoint:
    """A server to talk to, and whether it is the bundled reference server."""

    base_url: str
    model_name: str
    bundled: bool

    def chat_model(self, **kwargs: Any) -> ChatCompatModel:
        """A ``ChatCompatModel`` for this endpoint (``COMPAT_API_KEY`` is read by the model)."""
        return ChatCompatModel(model=self.model_name, base_url=self.base_url, **kwargs)


@contextmanager
def endpoint(**server_kwargs: Any) -> Iterator[Endpoint]:
    """Your server from the environment, else a reference server for the ``with`` block.

    ``server_kwargs`` go to ``ReferenceServer`` (e.g. ``dialect=``) and are ignored for a
    real server.
    """
    base_url = os.environ.get("COMPAT_BASE_URL")
    if base_url:
        model_name = os.environ.get("COMPAT_MODEL")
        if not model_name:
            sys.exit("COMPAT_BASE_URL is set: set COMPAT_MODEL to the model to use as well.")
        yield Endpoint(base_url, model_name, bundled=False)
        return
    from langchain_compat_chat.testing import ReferenceServer

    with ReferenceServer(**server_kwargs) as server:
        print(f"(COMPAT_BASE_URL unset: using the bundled reference server at {server.base_url})")
        yield Endpoint(server.base_url, "reference-model", bundled=True)
