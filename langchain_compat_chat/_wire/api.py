"""Which wire API a call speaks: Chat Completions or the Responses API (pure dispatch).

The model holds one ``api`` field; these three functions pick the body builder, the reply
parser and the stream protocol for it, so that the model's hooks stay the same for both and
nothing else needs to know which API is in use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from langchain_compat_chat._wire.chat_stream import ChatStream
from langchain_compat_chat._wire.request import ForcedToolPlan, build_body_and_plan
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.responses_request import build_responses_body
from langchain_compat_chat._wire.responses_response import to_responses_result
from langchain_compat_chat._wire.responses_stream import ResponsesStream
from langchain_compat_chat._wire.think import ThinkTags
from langchain_compat_chat.dialects import Dialect

__all__ = ["Api", "build", "parse", "stream_protocol"]

Api = Literal["chat", "responses"]
_PATHS = {"chat": "/chat/completions", "responses": "/responses"}


def build(
    api: Api,
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    dialect: Dialect,
    *,
    stream: bool,
    stream_usage: bool,
    chain: bool,
    extra_body: Mapping[str, Any],
) -> tuple[str, dict[str, Any], ForcedToolPlan | None]:
    """The request path, the body and the forced-tool plan of one call."""
    if api == "responses":
        body, plan = build_responses_body(
            messages, params, dialect, stream=stream, chain=chain, extra_body=extra_body
        )
    else:
        body, plan = build_body_and_plan(
            messages,
            params,
            dialect,
            stream=stream,
            stream_usage=stream_usage,
            extra_body=extra_body,
        )
    return _PATHS[api], body, plan


def parse(api: Api, data: Any, provider: str, think_tags: ThinkTags) -> ChatResult:
    """A JSON reply as a ``ChatResult``."""
    if api == "responses":
        return to_responses_result(data, provider)
    return to_chat_result(data, provider, think_tags)


def stream_protocol(
    api: Api,
    provider: str,
    think_tags: ThinkTags,
    *,
    v1: bool,
    plan: ForcedToolPlan | None,
    model: str,
) -> ChatStream | ResponsesStream:
    """One call's stream protocol for ``EventStream.chunks``."""
    if api == "responses":
        return ResponsesStream(provider, v1=v1, plan=plan, model=model)
    return ChatStream(provider, think_tags, v1=v1, plan=plan, model=model)
