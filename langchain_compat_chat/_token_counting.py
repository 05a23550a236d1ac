"""``get_num_tokens_from_messages``: the offline estimate, and the request for a server's count.

The estimate never downloads a tokenizer or sends a request. A server's exact count (where
:mod:`._wire.token_count` knows the preset's server can count) is asked with the very body
a chat call would send, so that templates and tools are counted as the server sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_compat_chat._http.call import Request, json_body
from langchain_compat_chat._wire.content import text_of
from langchain_compat_chat._wire.token_count import (
    COUNTERS,
    TokenCounter,
    TokenCounting,
    count_body,
    read_count,
)
from langchain_compat_chat.errors import CompatChatError

if TYPE_CHECKING:
    from langchain_compat_chat._http.session import Session
    from langchain_compat_chat._wire.request import ForcedToolPlan
    from langchain_compat_chat.providers import ProviderProfile

__all__ = ["CountsTokens", "no_counter"]


class CountsTokens:
    """``ChatCompatModel``'s token counting methods (a mixin: one concern, one module).

    They need only what the model declares below: its ``token_counting`` switch, its
    preset, the request it would send and its session.
    """

    if TYPE_CHECKING:
        token_counting: TokenCounting
        _profile: ProviderProfile

        def _get_session(self) -> Session: ...

        def _request(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None,
            stream: bool,
            kwargs: dict[str, Any],
        ) -> tuple[Request, ForcedToolPlan | None]: ...

    def get_num_tokens(self, text: str) -> int:
        """Estimate tokens offline: about one token per four characters (never downloads).

        Servers count with their own tokenizers; use ``usage_metadata`` for exact numbers.
        """
        return max(1, (len(text) + 3) // 4) if text else 0

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[Any] | None = None,
    ) -> int:
        """Count prompt tokens: offline by default, by the server if ``token_counting`` says so.

        The offline estimate is text/4 per message plus 4 per message and 3 per reply (the
        per-message overhead follows OpenAI's published chat format accounting); tool schemas
        are counted by their JSON text. Nothing is downloaded.

        Raises:
            ValueError: ``token_counting="server"`` on a preset with no counting endpoint.
            CompatChatError: ``token_counting="server"`` and the counting request failed.

        """
        if self.token_counting != "estimate":
            counted = self._server_token_count(messages, tools)
            if counted is not None:
                return counted
        return _estimate_tokens(messages, tools, self.get_num_tokens)

    def _server_token_count(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None
    ) -> int | None:
        """The server's exact count, or ``None`` where ``server_or_estimate`` falls back."""
        counter = COUNTERS.get(self._profile.name)
        if counter is None:
            if self.token_counting == "server":  # a copy changed provider or the switch
                raise no_counter(self._profile.name)
            return None
        chat, _plan = self._request(messages, None, False, _tool_fields(tools))
        try:
            reply = self._get_session().send(_count_request(counter, chat))
            return read_count(counter, json_body(reply))
        except CompatChatError:
            if self.token_counting == "server":
                raise
            return None


def _estimate_tokens(
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


def _tool_fields(tools: Sequence[Any] | None) -> dict[str, Any]:
    """The ``tools`` request field for a count, as ``bind_tools`` would send them."""
    return {"tools": [convert_to_openai_tool(t) for t in tools]} if tools else {}


def _count_request(counter: TokenCounter, chat: Request) -> Request:
    """The counting request for the chat request ``chat`` would be."""
    body = json.loads(cast(bytes, chat.body) or b"{}")
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
