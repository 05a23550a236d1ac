"""The protocol of one Chat Completions stream: feed its events, know its end, close it.

:class:`ChatStream` is what the HTTP layer's ``EventStream.chunks`` drives: it hands over
each network read's events and asks ``done`` after each (to drain the response once
``[DONE]`` came), then ``close`` for the last chunk. Everything about the protocol itself
lives here, once for both drivers: the ``output_version="v1"`` conversion, the errors of a
stream that ended too early or empty, and the check that a forced tool was called.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.stream import ChunkBuilder
from langchain_compat_chat._wire.think import ThinkTags
from langchain_compat_chat._wire.v1 import V1StreamBlocks
from langchain_compat_chat.errors import EmptyStreamError, StreamInterruptedError

__all__ = ["ChatStream", "has_call"]

_EMPTY = (
    "The server answered 200 but ended the stream without sending any event. "
    "llama-cpp-python (and LM Studio) do this when the prompt does not fit the model's "
    "context window: shorten the prompt or load the model with a larger context (n_ctx)."
)
_INTERRUPTED = "The stream ended before the answer was complete (no finish_reason, no [DONE])"


def has_call(chunk: ChatGenerationChunk) -> bool:
    """Whether a streamed chunk carries part of a tool call (v0 or v1 output)."""
    message = cast(AIMessageChunk, chunk.message)
    return bool(message.tool_call_chunks or message.tool_calls or message.invalid_tool_calls)


class ChatStream:
    """One stream's chunks, from its events to the closing chunk.

    Args:
        provider: Our ``model_provider`` string for every chunk.
        think_tags: Split ``<think>`` blocks out of content (see :mod:`.think`).
        v1: Convert every chunk to standard content blocks (``output_version="v1"``).
        plan: The body builder's forced-tool plan, checked when the stream closes.
        model: The model name the forced-tool error names.

    """

    __slots__ = ("_builder", "_model", "_plan", "_v1")

    def __init__(
        self,
        provider: str,
        think_tags: ThinkTags = False,
        *,
        v1: bool = False,
        plan: ForcedToolPlan | None = None,
        model: str = "",
    ) -> None:
        self._builder = ChunkBuilder(provider, think_tags)
        self._v1 = V1StreamBlocks() if v1 else None
        self._plan = plan
        self._model = model

    @property
    def done(self) -> bool:
        """Whether ``[DONE]`` arrived: the rest of the response is only drained."""
        return self._builder.done

    def feed(self, batch: Iterable[tuple[str, str]]) -> Iterator[ChatGenerationChunk]:
        """The chunks of one network read's events, each yielded once built."""
        if self._v1 is None:
            return self._builder.feed_batch(batch)
        return self._converted(self._builder.feed_batch(batch), self._v1)

    @staticmethod
    def _converted(
        chunks: Iterator[ChatGenerationChunk], v1: V1StreamBlocks
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in chunks:
            v1.convert(cast(AIMessageChunk, chunk.message))
            yield chunk

    def close(self) -> ChatGenerationChunk:
        """The last chunk: the stream must have reached ``[DONE]`` or a finish reason.

        A stream that ended cleanly without a single event is the server's answer, not a
        broken connection (httpx reports those): llama-cpp-python's server sends its 200
        headers, then fails on a prompt over its context window and closes the body
        (abetlen/llama-cpp-python#1759; LM Studio's GGUF path does the same,
        lmstudio-ai/lmstudio-bug-tracker#2339). Retrying gets the same nothing, so it is
        the non-retryable ``EmptyStreamError`` naming that cause.

        Raises:
            EmptyStreamError: No event at all came.
            StreamInterruptedError: The stream stopped before its end.
            ForcedToolCallError: ``"auto"`` replaced a forced choice and no tool was called.

        """
        builder = self._builder
        if not (builder.done or builder.finished):
            if builder.events == 0:
                raise EmptyStreamError(_EMPTY)
            raise StreamInterruptedError(_INTERRUPTED)
        last = builder.finish()
        if self._v1 is not None:
            self._v1.convert(cast(AIMessageChunk, last.message))
        if self._plan is not None:
            self._plan.check(builder.called_tool or has_call(last), self._model)
        return last
