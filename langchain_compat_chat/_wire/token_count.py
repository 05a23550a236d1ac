"""Exact prompt token counts from servers that can count (pure: request and reply shapes).

``get_num_tokens_from_messages`` estimates offline by default (characters / 4, never a
download). Some servers count with the model's own tokenizer and chat template; with
``token_counting="server"`` (or ``"server_or_estimate"``) the model asks them instead. Which
preset can count, and how, is data here: the endpoint, whether it sits at the server root, and
the reply field holding the count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from langchain_compat_chat.errors import MalformedResponseError, preview

__all__ = ["COUNTERS", "TokenCounter", "TokenCounting", "count_body", "read_count"]

TokenCounting = Literal["estimate", "server", "server_or_estimate"]


@dataclass(frozen=True)
class TokenCounter:
    """How one server counts a chat request's prompt tokens.

    Attributes:
        path: Endpoint path, after ``base_url`` or (``from_root``) after the server root.
        from_root: The endpoint is at the server root, not under ``/v1``.
        body: ``"chat"`` sends the chat completion body itself; ``"tokenize_chat"`` sends
            ``model``/``messages``/``tools`` with ``add_generation_prompt`` (vLLM's
            ``TokenizeChatRequest``).
        field: Reply field holding the count.

    """

    path: str
    from_root: bool
    body: Literal["chat", "tokenize_chat"]
    field: str


COUNTERS: Mapping[str, TokenCounter] = {
    # llama.cpp llama-server: POST /v1/chat/completions/input_tokens takes the chat body and
    # answers {"input_tokens": N} (recent builds want "model" in the body too; the chat body
    # has it). https://github.com/ggml-org/llama.cpp/tree/master/tools/server
    "llamacpp": TokenCounter("/chat/completions/input_tokens", False, "chat", "input_tokens"),
    # vLLM: POST /tokenize (server root) with messages applies the chat template and answers
    # {"count": N, "max_model_len": ..., "tokens": [...]}.
    # https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html#tokenizer-api
    "vllm": TokenCounter("/tokenize", True, "tokenize_chat", "count"),
}


def count_body(counter: TokenCounter, chat_body: Mapping[str, Any]) -> bytes:
    """The counting request's body, derived from the chat request's (so both agree)."""
    if counter.body == "chat":
        body: dict[str, Any] = {k: v for k, v in chat_body.items() if k != "stream"}
    else:
        body = {"model": chat_body.get("model"), "messages": chat_body.get("messages", [])}
        if chat_body.get("tools"):
            body["tools"] = chat_body["tools"]
        body["add_generation_prompt"] = True
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def read_count(counter: TokenCounter, reply: Any) -> int:
    """The count in a counting reply.

    Raises:
        MalformedResponseError: The reply has no non-negative integer under ``field``.

    """
    value = reply.get(counter.field) if isinstance(reply, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"The server's token count reply has no integer {counter.field!r}"
        raise MalformedResponseError(msg, body=preview(reply))
    return value
