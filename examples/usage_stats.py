"""Usage statistics: token counts per call and totals across calls.

Shows the ``usage_metadata`` every answer carries, for ``invoke`` and for streams alike
(``ChatCompatModel`` asks streaming servers for their usage chunk): input, output and
total tokens, prompt tokens served from the provider's cache
(``input_token_details.cache_read``) and reasoning tokens
(``output_token_details.reasoning``). Totals per model are collected by langchain-core's
``get_usage_metadata_callback``, which sees every model call made inside its ``with``
block, batches and chains included.

Run: ``python examples/usage_stats.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

import time

from _endpoint import endpoint
from langchain_core.callbacks import get_usage_metadata_callback
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

# A long, fixed prefix: servers with prompt caching bill its second use as cached tokens.
HANDBOOK = SystemMessage(
    "You are a support assistant for a bicycle shop. " + "Policies: be polite, be brief. " * 40
)


def describe(label: str, message: AIMessage | AIMessageChunk, seconds: float | None) -> None:
    """One line per answer; ``seconds`` is left out for answers timed as a group."""
    took = "" if seconds is None else f", {seconds:.2f} s"
    usage = message.usage_metadata
    if usage is None:
        print(f"{label:<22} the server reported no usage{took}")
        return
    cached = usage.get("input_token_details", {}).get("cache_read", 0)
    reasoning = usage.get("output_token_details", {}).get("reasoning", 0)
    print(
        f"{label:<22} {usage['input_tokens']:>4} in ({cached} cached), "
        f"{usage['output_tokens']:>3} out ({reasoning} reasoning), "
        f"{usage['total_tokens']:>4} total{took}"
    )


def main() -> None:
    """Make several kinds of calls, then print per-call usage and the totals."""
    with endpoint() as ep, get_usage_metadata_callback() as totals:
        model = ep.chat_model(max_tokens=60)

        for attempt in ("first", "second"):
            started = time.perf_counter()
            reply = model.invoke([HANDBOOK, HumanMessage("Do you repair e-bikes?")])
            describe(f"invoke ({attempt})", reply, time.perf_counter() - started)

        started = time.perf_counter()
        merged: AIMessageChunk | None = None
        for chunk in model.stream("List three bike maintenance tips."):
            merged = chunk if merged is None else merged + chunk
        assert merged is not None
        describe("stream", merged, time.perf_counter() - started)

        started = time.perf_counter()
        thought = ep.chat_model(max_tokens=200, thinking=True).invoke("Plan a 3-day bike tour.")
        describe("invoke (thinking)", thought, time.perf_counter() - started)

        started = time.perf_counter()
        replies = model.batch(["Hi!", "Opening hours?", "Do you sell helmets?"])
        print(f"batch of {len(replies)} in {time.perf_counter() - started:.2f} s:")
        for number, reply in enumerate(replies, 1):
            describe(f"  batch #{number}", reply, None)

        print("totals per model:")
        for name, usage in totals.usage_metadata.items():
            print(
                f"  {name}: {usage['input_tokens']} in, {usage['output_tokens']} out, "
                f"{usage['total_tokens']} total, details "
                f"{usage.get('input_token_details')} / {usage.get('output_token_details')}"
            )


if __name__ == "__main__":
    main()
