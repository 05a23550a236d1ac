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

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.content import KNOWN_BLOCK_TYPES

__all__ = ["V1StreamBlocks", "citations", "to_v1"]

# langchain-core 1.7.5 added a standard ``refusal`` block (OpenAI's ``message.refusal``);
# on older cores the refusal stays in ``additional_kwargs`` only.
REFUSAL_BLOCKS = "refusal" in KNOWN_BLOCK_TYPES


def citations(additional: Mapping[str, Any], metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The sources a search-grounded answer cites, as LangChain ``citation`` annotations.

    The raw fields stay where the parsers keep them (``response_metadata`` for top-level
    fields, ``additional_kwargs`` for message fields); with ``output_version="v1"`` they
    also become the text block's ``annotations``, as langchain-core's ``Citation`` type
    describes, so code that reads standard content finds them whatever the provider:

    * Perplexity: top-level ``search_results`` (``title``, ``url``, ``date``) and the
      older ``citations`` list of URLs (https://docs.perplexity.ai/api-reference/
      chat-completions-post); a URL in both is cited once, with its title.
    * xAI: top-level ``citations``, a list of URLs (https://docs.x.ai/docs/guides/
      live-search).
    * OpenRouter: ``message.annotations`` of type ``url_citation`` with ``url``,
      ``title``, ``content`` and the cited span (https://openrouter.ai/docs/features/
      web-search), the shape OpenAI's search models use.
    """
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    results = metadata.get("search_results")
    for result in results if isinstance(results, list) else ():
        if isinstance(result, Mapping) and isinstance(result.get("url"), str):
            block: dict[str, Any] = {"type": "citation", "url": result["url"]}
            if isinstance(result.get("title"), str):
                block["title"] = result["title"]
            extras = {k: result[k] for k in ("date", "last_updated", "snippet") if k in result}
            if extras:
                block["extras"] = extras
            found.append(block)
            seen.add(result["url"])
    urls = metadata.get("citations")
    for url in urls if isinstance(urls, list) else ():
        if isinstance(url, str) and url not in seen:
            found.append({"type": "citation", "url": url})
            seen.add(url)
    annotations = additional.get("annotations")
    for note in annotations if isinstance(annotations, list) else ():
        if not (isinstance(note, Mapping) and note.get("type") == "url_citation"):
            continue
        inner = note.get("url_citation")
        source = inner if isinstance(inner, Mapping) else note  # flat variants exist
        if not isinstance(source.get("url"), str):
            continue
        block = {"type": "citation", "url": source["url"]}
        if isinstance(source.get("title"), str):
            block["title"] = source["title"]
        for key in ("start_index", "end_index"):
            if isinstance(source.get(key), int) and not isinstance(source.get(key), bool):
                block[key] = source[key]
        if isinstance(source.get("content"), str):
            block["cited_text"] = source["content"]
        found.append(block)
    return found


def to_v1(message: AIMessage) -> None:
    """Replace a whole message's content with reasoning, text and tool-call blocks."""
    blocks: list[dict[str, Any]] = []
    reasoning = message.additional_kwargs.get("reasoning_content")
    if reasoning:
        blocks.append({"type": "reasoning", "reasoning": reasoning})
    refusal = message.additional_kwargs.get("refusal")
    if REFUSAL_BLOCKS and isinstance(refusal, str) and refusal:
        blocks.append({"type": "refusal", "refusal": refusal})
    cited = citations(message.additional_kwargs, message.response_metadata)
    if message.content or cited:  # the parser always gives a string
        text: dict[str, Any] = {"type": "text", "text": message.text}
        if cited:
            text["annotations"] = cited
        blocks.append(text)
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

    __slots__ = ("_calls", "_last", "_next", "_text")

    def __init__(self) -> None:
        self._next = 0
        self._text: int | None = None  # index of the first text block (citations join it)
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
        refusal = chunk.additional_kwargs.get("refusal")
        if REFUSAL_BLOCKS and isinstance(refusal, str) and refusal:
            blocks.append({"type": "refusal", "refusal": refusal, "index": self._index("refusal")})
        # Sources arrive with the closing chunk (top-level fields and message extras are
        # gathered until then), and join the stream's first text block.
        cited = (
            citations(chunk.additional_kwargs, chunk.response_metadata)
            if chunk.chunk_position == "last"
            else None
        )
        if isinstance(chunk.content, str) and (chunk.content or cited):
            if chunk.content or self._text is None:
                index = self._index("text")
                if self._text is None:
                    self._text = index
            else:
                index = self._text
            text: dict[str, Any] = {"type": "text", "text": chunk.content, "index": index}
            if cited:
                text["annotations"] = cited
            blocks.append(text)
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
