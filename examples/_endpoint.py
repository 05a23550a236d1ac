"""Where the examples send their requests: your server, or the bundled reference server.

Set ``COMPAT_BASE_URL`` and ``COMPAT_MODEL`` (plus ``COMPAT_API_KEY`` if the server needs
one) to run an example against a real OpenAI-compatible server. Leave them unset and the
example starts :class:`langchain_compat_chat.testing.ReferenceServer` on 127.0.0.1, so it
runs offline. The reference server speaks the protocol faithfully but writes filler text:
expect well-formed answers, tool calls and JSON, not meaningful ones.

The choice itself is :func:`langchain_compat_chat.testing.env_or_reference_endpoint`; this
file only says which server is used and turns a missing ``COMPAT_MODEL`` into a clean exit.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from langchain_compat_chat.testing import Endpoint, env_or_reference_endpoint


@contextmanager
def endpoint(**server_kwargs: Any) -> Iterator[Endpoint]:
    """Your server from the environment, else a reference server for the ``with`` block.

    ``server_kwargs`` go to ``ReferenceServer`` (e.g. ``dialect=``) and are ignored for a
    real server.
    """
    with ExitStack() as stack:
        try:
            found = stack.enter_context(env_or_reference_endpoint(**server_kwargs))
        except ValueError as exc:  # only the configuration; the example's own errors pass
            sys.exit(str(exc))
        if found.bundled:
            print(f"(COMPAT_BASE_URL unset: using {found.label})")
        yield found
