"""``POST /v1/chat/completions``: validate, then a scripted, faulted or generated answer.

The order is the real API's: the dialect header, strict validation and the thinking
rules (400s), the model (404 with ``strict_models``) and the context window (400
``context_length_exceeded``); only then does the request consume a queued response or
fault. A generated answer is planned once and rendered as JSON or as SSE chunks, with the
fault's byte-level damage (oversize, malformed JSON, invalid UTF-8) applied here and its
transport damage in ``_http``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from langchain_compat_chat.testing._batches import CompleteLine
from langchain_compat_chat.testing._chat import (
    CompletionPlan,
    plan_completion,
    render_chunks,
    render_completion,
)
from langchain_compat_chat.testing._config import Dialect, dumps
from langchain_compat_chat.testing._errors import ApiError, model_not_found
from langchain_compat_chat.testing._replies import send_events, send_json, send_queued
from langchain_compat_chat.testing._routes.exchange import Exchange
from langchain_compat_chat.testing._state import ServerState
from langchain_compat_chat.testing._thinking import check_thinking_rules
from langchain_compat_chat.testing._validate import (
    REASONING_EFFORTS,
    parse_body,
    validate_chat_request,
)

if TYPE_CHECKING:
    from langchain_compat_chat.testing._server import ReferenceServer


def check_chat(
    server: ReferenceServer, state: ServerState, body: dict[str, Any], dialect: Dialect
) -> tuple[int, int]:
    """Every check of a chat body (400/404s); returns its prompt tokens and the cached part.

    Shared by this route and the batch lines (``_batches.py``), so that a line fails
    exactly as the interactive call would.
    """
    validate_chat_request(
        body,
        reject_unknown=dialect.reject_unknown_params,
        accept_video=dialect.accept_video,
        reasoning_efforts=dialect.reasoning_efforts or REASONING_EFFORTS,
    )
    check_thinking_rules(body, dialect)
    if server.strict_models and body["model"] not in server.models:
        raise model_not_found(str(body["model"]))
    prompt_tokens, cached = state.cached_tokens(body)
    if prompt_tokens > server.context_window:
        raise ApiError(
            400,
            f"This model's maximum context length is {server.context_window} tokens. "
            f"However, your messages resulted in {prompt_tokens} tokens. Please reduce "
            "the length of the messages.",
            "invalid_request_error",
            "messages",
            "context_length_exceeded",
        )
    return prompt_tokens, cached


def plan_for(
    server: ReferenceServer, body: Mapping[str, Any], dialect: Dialect, counted: tuple[int, int]
) -> CompletionPlan:
    """Plan the answer to a checked chat body under this server's settings.

    ``counted`` is what :func:`check_chat` returned (prompt tokens, the cached part).
    Shared by this route, the batch lines and the Responses route (which plans from the
    chat body its conversation becomes).
    """
    prompt_tokens, cached = counted
    return plan_completion(
        body,
        dialect,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached,
        system_fingerprint=server.system_fingerprint,
    )


def line_completer(server: ReferenceServer, state: ServerState, dialect: Dialect) -> CompleteLine:
    """Answers batch lines as this route answers a request without scripting or faults."""

    def complete(body: dict[str, Any]) -> dict[str, Any]:
        counted = check_chat(server, state, body, dialect)
        return render_completion(plan_for(server, body, dialect, counted), dialect)

    return complete


async def chat_completions(ex: Exchange) -> bool:
    """Answer one Chat Completions request; returns whether the connection may be reused."""
    req, writer = ex.req, ex.writer
    dialect = ex.state.request_dialect(req)
    body = parse_body(req.body)
    counted = check_chat(ex.server, ex.state, body, dialect)
    stream = bool(body.get("stream"))
    fault, sent = await send_queued(ex.state.next_item(req), req, writer, stream=stream)
    if sent is not None:
        return sent
    plan = plan_for(ex.server, body, dialect, counted)
    if not stream:
        return await send_json(render_completion(plan, dialect), fault, req, writer)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    chunks = render_chunks(plan, dialect, include_usage=include_usage)
    if fault.oversize_bytes:
        chunks[0]["padding"] = "x" * fault.oversize_bytes
    return await send_events(
        [b"data: " + dumps(c) + b"\n\n" for c in chunks],
        fault,
        writer,
        malformed=b'data: {"id":"' + plan.id.encode() + b'","choi\n\n',
        done=b"data: [DONE]\n\n",
    )
