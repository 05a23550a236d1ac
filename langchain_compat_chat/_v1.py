"""``output_version="v1"``: standard content blocks built here, not by langchain-core (pure).

langchain-core would fill ``content`` from ``content_blocks``, which first asks a translator
registered for ``response_metadata["model_provider"]``. Two of our preset names are taken by
translators written for other clients: ``"openai"`` drops ``reasoning_content`` and
``"groq"`` turns every streamed argument fragment into a separate ``tool_call`` (its
aggregate has ``args={}``). And in streams core numbers reasoning/text blocks by position
while a tool-call chunk block keeps the tool call's own ``index``, so the first tool call
merges into the reasoning block. Building the blocks here, with one index sequence for the
whole stream, gives every preset the same result; a message whose ``content`` is already a
list marked ``output_version="v1"`` is passed through by core unchanged.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

__all__ = ["V1StreamBlocks", "to_v1"]


def to_v1(message: AIMessage) -> None:
    """Replace a whole message's content with reasoning, text and tool-call blocks."""
    blocks: list[dict[str, Any]] = []
    reasoning = message.additional_kwargs.get("reasoning_content")
    if reasoning:
        blocks.append({"type": "reasoning", "reasoning": reasoning})
    if message.content:  # the parser always gives a string
        blocks.append({"type": "text", "text": message.text})
    blocks.extend(
        {"type": "tool_call", "id": call["id"], "name": call["name"], "args": call["args"]}
        for call in message.tool_calls
    )
    blocks.extend(
        {
            "type": "invalid_tool_call",
            "id": call["id"],
            "name": call["name"],
            "args": call["args"],
            "error": call["error"],
        }
        for call in message.invalid_tool_calls
    )
    message.content = blocks  # type: ignore[assignment]
    message.response_metadata["output_version"] = "v1"


class V1StreamBlocks:
    """Turns one stream's chunks into v1 block chunks that ``+`` merges correctly.

    Block indexes are given out in order of first appearance: a run of reasoning (or text)
    deltas shares one index, and each tool call keeps its own, so summing the chunks yields
    one block per reasoning run, text run and tool call. The closing chunk
    (``chunk_position="last"``) lets core turn the merged tool-call chunks into
    ``tool_call`` blocks.
    """

    __slots__ = ("_calls", "_last", "_next")

    def __init__(self) -> None:
        self._next = 0
        self._last: tuple[str, int] | None = None  # kind and index of the latest block
        self._calls: dict[Any, int] = {}

    def _index(self, kind: str) -> int:
        if self._last is not None and self._last[0] == kind:
            return self._last[1]
        index = self._next
        self._next += 1
        self._last = (kind, index)
        return index

    def convert(self, chunk: AIMessageChunk) -> None:
        """Replace the chunk's content with its blocks, in place."""
        blocks: list[dict[str, Any]] = []
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if reasoning:
            blocks.append(
                {"type": "reasoning", "reasoning": reasoning, "index": self._index("reasoning")}
            )
        if isinstance(chunk.content, str) and chunk.content:
            blocks.append({"type": "text", "text": chunk.content, "index": self._index("text")})
        for call in chunk.tool_call_chunks:
            key = call.get("index")
            if key not in self._calls:
                self._calls[key] = self._next
                self._next += 1
            self._last = ("tool_call_chunk", self._calls[key])
            blocks.append(
                {
                    "type": "tool_call_chunk",
                    "id": call.get("id"),
                    "name": call.get("name"),
                    "args": call.get("args"),
                    "index": self._calls[key],
                }
            )
        chunk.content = blocks  # type: ignore[assignment]
        chunk.response_metadata["output_version"] = "v1"
