"""Tracing a chain with ``astream_events``: every step's start, tokens and end, async.

Shows what an observability or UI layer sees from a chain built on ``ChatCompatModel``:
the chain and model start events with their inputs, each streamed token as an
``on_chat_model_stream`` event, and the model's end event carrying the complete message
with its ``usage_metadata`` and ``response_metadata`` (model name, finish reason).

Run: ``python examples/stream_events.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from _endpoint import endpoint
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable


async def trace(chain: Runnable[dict[str, str], str]) -> None:
    """Print the events a tracer would record, and how many of each kind."""
    counts: Counter[str] = Counter()
    async for event in chain.astream_events({"city": "Lisbon"}, version="v2"):
        kind, name = event["event"], event["name"]
        counts[kind] += 1
        if kind == "on_chat_model_start":
            print(f"[{name}] start, {len(event['data']['input']['messages'][0])} message(s)")
        elif kind == "on_chat_model_stream":
            print(event["data"]["chunk"].text, end="", flush=True)
        elif kind == "on_chat_model_end":
            message = event["data"]["output"]
            meta = message.response_metadata
            print(
                f"\n[{name}] end: finish_reason={meta.get('finish_reason')}, "
                f"model={meta.get('model_name')}, usage={message.usage_metadata}"
            )
        elif kind == "on_chain_end" and not event["parent_ids"]:
            print(f"[{name}] chain output: {event['data']['output']!r}")
    print("event counts:", dict(counts))


def main() -> None:
    """Build a prompt | model | parser chain and trace one run of it."""
    with endpoint() as ep:
        prompt = ChatPromptTemplate.from_template("Describe {city} in two sentences.")
        chain = prompt | ep.chat_model(max_tokens=80) | StrOutputParser()
        asyncio.run(trace(chain))


if __name__ == "__main__":
    main()
