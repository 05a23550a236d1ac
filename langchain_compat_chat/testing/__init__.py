"""An OpenAI-compatible reference server for testing chat clients offline.

``ReferenceServer`` is a real HTTP/1.1 server on 127.0.0.1 that speaks Chat Completions
faithfully (JSON and SSE, usage, tools and every ``tool_choice``, ``response_format``,
``stop``, ``max_tokens``, ``n``, ``seed``, ``logprobs``, strict validation) and OpenAI's
Responses API (``POST /v1/responses``: response objects and typed events, tools,
``text.format``, reasoning items, ``previous_response_id``), generates
deterministic content from the request's schemas (never from the prompt's meaning), and
can be scripted: exact queued responses, provider :class:`Dialect` switches and
:class:`Fault` injection. It also runs OpenAI's Batch API (``/v1/files``,
``/v1/batches``), configured by :class:`BatchConfig`. The ``*-thinking`` presets
(:data:`THINKING_PRESETS`) are its strict thinking mode: each provider's 400 for a forced
tool while thinking, a tool-call turn without its reasoning echo, conflicting toggles and
refused input fields. It is stdlib-only, so it runs anywhere.

Examples:
    >>> from langchain_compat_chat.testing import Fault, ReferenceServer
    >>> with ReferenceServer() as srv:  # doctest: +SKIP
    ...     srv.enqueue_fault(Fault(status=429, retry_after_s=1))
    ...     ...  # point a client at srv.base_url

The pytest plugin (auto-registered) provides the ``compat_server`` and
``compat_server_factory`` fixtures. :func:`env_or_reference_endpoint` runs code against the
server named by ``COMPAT_BASE_URL``/``COMPAT_MODEL``, else against a reference server it
starts. ``python -m langchain_compat_chat.testing --port N`` serves from the command line.

The server classes are imported lazily so that importing this package stays cheap.

"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_compat_chat.testing._batch_config import BatchConfig, LineFault
from langchain_compat_chat.testing._config import (
    DIALECT_HEADER,
    DIALECT_PRESETS,
    FAULT_HEADER,
    THINKING_PRESETS,
    Dialect,
    Fault,
    ScriptedResponse,
    header_value,
    parse_dialect,
    parse_fault,
)
from langchain_compat_chat.testing._endpoint import Endpoint, env_or_reference_endpoint

if TYPE_CHECKING:
    from langchain_compat_chat.testing._server import (
        DEFAULT_MODEL,
        RecordedRequest,
        ReferenceServer,
        serve,
    )

__all__ = [
    "DEFAULT_MODEL",
    "DIALECT_HEADER",
    "DIALECT_PRESETS",
    "FAULT_HEADER",
    "THINKING_PRESETS",
    "BatchConfig",
    "Dialect",
    "Endpoint",
    "Fault",
    "LineFault",
    "RecordedRequest",
    "ReferenceServer",
    "ScriptedResponse",
    "env_or_reference_endpoint",
    "header_value",
    "parse_dialect",
    "parse_fault",
    "serve",
]

_LAZY = {"DEFAULT_MODEL", "RecordedRequest", "ReferenceServer", "serve"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from langchain_compat_chat.testing import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
