"""``POST /v1/responses``: OpenAI's Responses API, with the strictness of the Chat endpoint.

The order follows the Chat Completions route: the dialect header, strict validation
(400s in the Responses API's words), the model (404 with ``strict_models``), the chained
history (400 ``previous_response_not_found``), the conversation's own rules and the
dialect's forced-tool rule while thinking, the context window; only then does the request
consume a queued response or fault. The answer is planned by the same planner as a chat
completion and rendered as a ``response`` object or as typed SSE events; a ``store:
true`` answer is kept for ``previous_response_id``.

A fault that breaks a stream midway (``stream_error_after_chunks``) sends the Responses
API's ``error`` and ``response.failed`` events instead of a Chat-style error chunk; the
other faults (status, delays, stalls, disconnects, malformed or oversized bytes) are the
same as on the Chat endpoint.
"""

from __future__ import annotations

import dataclasses

from langchain_compat_chat.testing._config import Dialect
from langchain_compat_chat.testing._errors import ApiError, model_not_found
from langchain_compat_chat.testing._http import fault_error
from langchain_compat_chat.testing._replies import send_events, send_json, send_queued
from langchain_compat_chat.testing._responses import build_conversation, previous_items
from langchain_compat_chat.testing._responses_render import render_response
from langchain_compat_chat.testing._responses_stream import (
    encode_event,
    failure_events,
    render_events,
)
from langchain_compat_chat.testing._routes.chat import plan_for
from langchain_compat_chat.testing._routes.exchange import Exchange
from langchain_compat_chat.testing._thinking import check_thinking_rules
from langchain_compat_chat.testing._validate import REASONING_EFFORTS, parse_body
from langchain_compat_chat.testing._validate.responses import validate_responses_request

__all__ = ["create_response"]


def _forced_tool_rules(dialect: Dialect) -> Dialect:
    """The dialect's thinking rules that mean the same on both endpoints.

    Only the forced-``tool_choice`` rule carries over: the echo rules of Chat messages
    are replaced by the reasoning-item check of ``_responses``, and the Chat field and
    parameter rules name fields the Responses API does not have.
    """
    return dataclasses.replace(
        dialect,
        reasoning_echo=None,
        rejected_params=(),
        exclusive_params=(),
        rejected_message_fields=(),
        forbid_extra_message_fields=False,
    )


async def create_response(ex: Exchange) -> bool:
    """Answer one Responses API request; returns whether the connection may be reused."""
    server, req, writer = ex.server, ex.req, ex.writer
    dialect = ex.state.request_dialect(req)
    body = parse_body(req.body)
    validate_responses_request(
        body,
        reject_unknown=dialect.reject_unknown_params,
        reasoning_efforts=dialect.reasoning_efforts or REASONING_EFFORTS,
    )
    if server.strict_models and body["model"] not in server.models:
        raise model_not_found(str(body["model"]))
    store = ex.state.responses
    conv = build_conversation(body, previous_items(body, store), store, dialect)
    check_thinking_rules(conv.chat, _forced_tool_rules(dialect))
    counted = ex.state.cached_tokens(conv.chat)
    if counted[0] > server.context_window:
        raise ApiError(
            400,
            "Your input exceeds the context window of this model. Please adjust your input "
            "and try again.",
            "invalid_request_error",
            "input",
            "context_length_exceeded",
        )
    stream = bool(body.get("stream"))
    fault, sent = await send_queued(ex.state.next_item(req), req, writer, stream=stream)
    if sent is not None:
        return sent
    plan = plan_for(server, conv.chat, dialect, counted)
    response = render_response(plan, body)
    if body.get("store"):
        store.put(response, [*conv.items, *response["output"]])
    if not stream:
        return await send_json(response, fault, req, writer)
    events = render_events(response, plan.choices[0])
    if fault.oversize_bytes:
        events[0]["padding"] = "x" * fault.oversize_bytes
    if fault.stream_error_after_chunks is not None:
        cut = min(int(fault.stream_error_after_chunks), len(events))
        err = fault_error(fault, int(fault.status or 500))
        events = [*events[:cut], *failure_events(response, err, cut)]
        fault = fault.replace(stream_error_after_chunks=None)
    return await send_events(
        [encode_event(e) for e in events],
        fault,
        writer,
        malformed=b'event: response.in_progress\ndata: {"type":"response.in_pro\n\n',
    )
