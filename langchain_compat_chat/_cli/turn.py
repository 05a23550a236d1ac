"""One chat turn: stream the answer, time it, and close the connection whatever happens.

The command line renders a turn two ways (live text for people, one JSON object for
scripts); both are fed by :func:`stream_turn`, which owns the stream's lifetime so that an
error or Ctrl-C in the middle of an answer still closes the HTTP response.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.utils import message_chunk_to_message
from langchain_core.runnables import Runnable

__all__ = ["Turn", "TurnSink", "stream_turn"]


class TurnSink(Protocol):
    """Receives a turn as it streams in."""

    def first_token(self) -> None:
        """Something visible arrived (text, reasoning or a tool call)."""

    def reasoning(self, text: str) -> None:
        """A piece of reasoning text."""

    def content(self, text: str) -> None:
        """A piece of the answer."""


@dataclass(frozen=True)
class Turn:
    """A finished turn: the merged message and how long it took.

    Attributes:
        message: The answer, as a non-streaming call would have returned it.
        ttft_s: Seconds from sending the request to the first visible token, ``None`` if
            nothing visible came back.
        total_s: Seconds from sending the request to the end of the stream.

    """

    message: AIMessage
    ttft_s: float | None
    total_s: float

    @property
    def reasoning(self) -> str | None:
        """The reasoning text, if the server sent any."""
        value = self.message.additional_kwargs.get("reasoning_content")
        return value if isinstance(value, str) and value else None

    def as_json(self) -> dict[str, Any]:
        """The machine-readable shape printed by ``--json``."""
        msg = self.message
        meta = msg.response_metadata
        return {
            "model": meta.get("model_name"),
            "content": msg.text,
            "reasoning": self.reasoning,
            "tool_calls": [
                {"id": c["id"], "name": c["name"], "args": c["args"]} for c in msg.tool_calls
            ],
            "invalid_tool_calls": [
                {"id": c["id"], "name": c["name"], "args": c["args"], "error": c["error"]}
                for c in msg.invalid_tool_calls
            ],
            "finish_reason": meta.get("finish_reason"),
            "normalized_finish_reason": meta.get("normalized_finish_reason"),
            "usage": dict(msg.usage_metadata) if msg.usage_metadata else None,
            "latency": {
                "ttft_ms": _ms(self.ttft_s),
                "total_ms": _ms(self.total_s),
            },
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def stream_turn(
    runnable: Runnable[LanguageModelInput, AIMessage],
    messages: Sequence[BaseMessage],
    sink: TurnSink,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Turn:
    """Stream one answer into ``sink`` and return it merged, with its timings.

    The stream is closed in ``finally``: on an exception (including ``KeyboardInterrupt``
    raised while blocked in a read or inside ``sink``) the generator is closed at once,
    which exits the transport's ``with`` block and closes the connection instead of
    leaving it to the garbage collector.
    """
    started = clock()
    first: float | None = None
    merged: AIMessageChunk | None = None
    stream = cast(Iterator[AIMessageChunk], runnable.stream(list(messages)))
    try:
        for chunk in stream:
            merged = chunk if merged is None else merged + chunk
            reasoning = chunk.additional_kwargs.get("reasoning_content")
            text = chunk.text
            if first is None and (text or reasoning or chunk.tool_call_chunks):
                first = clock()
                sink.first_token()
            if isinstance(reasoning, str) and reasoning:
                sink.reasoning(reasoning)
            if text:
                sink.content(text)
    finally:
        if isinstance(stream, Generator):
            stream.close()
    done = clock()
    message = message_chunk_to_message(merged or AIMessageChunk(content=""))
    return Turn(
        message=cast(AIMessage, message),
        ttft_s=None if first is None else first - started,
        total_s=done - started,
    )
