"""``get_num_tokens_from_messages``: the offline estimate, and the request for a server's count.

The estimate never downloads a tokenizer or sends a request. A server's exact count (where
:mod:`._wire.token_count` knows the preset's server can count) is asked with the very body
a chat call would send, so that templates and tools are counted as the server sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_compat_chat._http.transport import Request
from langchain_compat_chat._wire.content import text_of
from langchain_compat_chat._wire.token_count import COUNTERS, TokenCounter, count_body

__all__ = ["count_request", "estimate_tokens", "no_counter", "tool_fields"]


def estimate_tokens(
    messages: list[BaseMessage], tools: Sequence[Any] | None, count: Callable[[str], int]
) -> int:
    """Text tokens per message (by ``count``) plus 4 per message and 3 per reply.

    The per-message overhead follows OpenAI's published chat format accounting; tool calls
    and tool schemas are counted by their JSON text.
    """
    total = 3
    for message in messages:
        total += 4 + count(text_of(message.content))
        if isinstance(message, AIMessage) and message.tool_calls:
            total += count(json.dumps([tc["args"] for tc in message.tool_calls]))
    if tools:
        total += count(json.dumps([convert_to_openai_tool(t) for t in tools]))
    return total


def tool_fields(tools: Sequence[Any] | None) -> dict[str, Any]:
    """The ``tools`` request field for a count, as ``bind_tools`` would send them."""
    return {"tools": [convert_to_openai_tool(t) for t in tools]} if tools else {}


def count_request(counter: TokenCounter, chat: Request) -> Request:
    """The counting request for the chat request ``chat`` would be."""
    body = json.loads(chat.body or b"{}")
    return Request(
        "POST",
        counter.path,
        count_body(counter, body),
        headers={"content-type": "application/json"},
        from_root=counter.from_root,
    )


def no_counter(preset: str) -> ValueError:
    """``token_counting="server"`` on a preset whose server cannot count tokens."""
    return ValueError(
        f"token_counting='server' needs a server that counts tokens; the {preset!r} preset "
        f"has no counting endpoint (presets that have one: {', '.join(COUNTERS)}). "
        "Use 'server_or_estimate' to fall back to the estimate."
    )
