"""Usage statistics: token counts per call, and running totals with ``UsageStats``.

Shows the ``usage_metadata`` every answer carries, for ``invoke`` and for streams alike
(``ChatCompatModel`` asks streaming servers for their usage chunk): input, output and
total tokens, prompt tokens served from the provider's cache
(``input_token_details.cache_read``) and reasoning tokens
(``output_token_details.reasoning``). A ``UsageStats`` callback handler attached to the
models keeps totals per model across every call, batches included: requests, errors,
tokens, latency and time to first token, printed as a table and read field by field.

Run: ``python examples/usage_stats.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

import time

from _endpoint import endpoint
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from langchain_compat_chat import RateLimitError, UsageStats
from langchain_compat_chat.testing import FAULT_HEADER

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
    stats = UsageStats()
    with endpoint() as ep:
        model = ep.chat_model(max_tokens=60, callbacks=[stats])

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

        thinker = ep.chat_model(max_tokens=200, thinking=True, callbacks=[stats])
        started = time.perf_counter()
        thought = thinker.invoke("Plan a 3-day bike tour.")
        describe("invoke (thinking)", thought, time.perf_counter() - started)

        started = time.perf_counter()
        replies = model.batch(["Hi!", "Opening hours?", "Do you sell helmets?"])
        print(f"batch of {len(replies)} in {time.perf_counter() - started:.2f} s:")
        for number, reply in enumerate(replies, 1):
            describe(f"  batch #{number}", reply, None)

        if ep.bundled:  # ask the reference server for a 429, to show errors are counted too
            limited = ep.chat_model(
                max_retries=0, callbacks=[stats], default_headers={FAULT_HEADER: "429"}
            )
            try:
                limited.invoke("One more?")
            except RateLimitError as exc:
                print(f"rate limited: {exc.message}")

    print("\nUsageStats totals:")
    print(stats.summary())
    totals = stats.total()
    mean_ttft = totals.ttft_mean_s
    print(
        f"\n{totals.requests} requests, {totals.errors} failed; "
        f"{totals.cache_read_tokens} cached and {totals.reasoning_tokens} reasoning tokens; "
        f"mean time to first token (streams): "
        f"{'n/a' if mean_ttft is None else f'{mean_ttft * 1000:.0f} ms'}"
    )


if __name__ == "__main__":
    main()
