"""Reasoning display: the model's reasoning streamed apart from its answer.

Shows ``thinking=True`` (mapped to each provider's own switch), reasoning text arriving
in each chunk's ``additional_kwargs["reasoning_content"]`` while the answer arrives in
``.text``, the standard ``content_blocks`` view of the merged message (a ``reasoning``
block before the ``text`` block), and the reasoning token count in ``usage_metadata``.
Reasoning is printed dimmed on a colour terminal (not when ``NO_COLOR`` is set or output
is piped).

Against the bundled reference server, the same question is asked in four provider
dialects, selected per request with the server's ``x-compat-dialect`` header: DeepSeek's
``reasoning_content`` field, OpenRouter's ``reasoning`` field, a thinking model that
reasons without being asked, and a server that leaves ``<think>...</think>`` inside the
content, which ``think_tags=True`` splits out. The client reads them all the same way.

Run: ``python examples/reasoning_display.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to a reasoning model on your own server.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from _endpoint import endpoint
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import DIALECT_HEADER

QUESTION = "Is 391 a prime number?"
COLOUR = sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def dim(text: str) -> str:
    """Reasoning is secondary: faint on a colour terminal, plain elsewhere."""
    return f"\x1b[2m{text}\x1b[0m" if COLOUR else text


def show(model: ChatCompatModel) -> None:
    """Stream one answer, printing reasoning and answer as separate sections."""
    merged: AIMessageChunk | None = None
    section = None
    for chunk in model.stream(QUESTION):
        merged = chunk if merged is None else merged + chunk
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if reasoning:
            if section != "reasoning":
                section = "reasoning"
                print("  reasoning: ", end="")
            print(dim(reasoning), end="", flush=True)
        if chunk.text:
            if section != "answer":
                print("\n  answer:    " if section == "reasoning" else "  answer:    ", end="")
                section = "answer"
            print(chunk.text, end="", flush=True)
    print()
    assert merged is not None
    usage = merged.usage_metadata or {}
    reasoning_tokens = usage.get("output_token_details", {}).get("reasoning", 0)
    blocks = [block["type"] for block in merged.content_blocks]
    print(f"  content blocks: {blocks}; reasoning tokens: {reasoning_tokens}")


def main() -> None:
    """Ask once on a real server, or once per dialect on the reference server."""
    with endpoint() as ep:
        if not ep.bundled:
            show(ep.chat_model(thinking=True))
            return
        dialects: list[tuple[str, str, dict[str, Any]]] = [
            ("deepseek", "reasoning_content field", {"thinking": True}),
            ("openrouter", "reasoning field", {"thinking": True}),
            ("deepseek-reasoner", "always reasons, not asked", {}),
            ("think-tags", "<think> inside the content", {"think_tags": True}),
        ]
        for dialect, what, options in dialects:
            print(f"{dialect} ({what}):")
            show(ep.chat_model(default_headers={DIALECT_HEADER: dialect}, **options))


if __name__ == "__main__":
    main()
