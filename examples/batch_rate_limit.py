"""Batch with rate limiting: many prompts, bounded concurrency, a requests-per-second cap.

Shows ``batch`` with ``max_concurrency`` together with langchain-core's
``InMemoryRateLimiter`` passed as ``rate_limiter=``, which makes every request wait for a
token so that the batch stays under the provider's request rate however many workers
run; ``batch_as_completed`` to handle answers as they finish; and
``return_exceptions=True`` so that one failed prompt does not lose the others' answers.
The printed start times show the cap at work.

Run: ``python examples/batch_rate_limit.py`` (offline), or with ``COMPAT_BASE_URL`` and
``COMPAT_MODEL`` set to use your own server.
"""

from __future__ import annotations

import time

from _endpoint import endpoint
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.runnables import RunnableConfig

REQUESTS_PER_SECOND = 8.0
PROMPTS = [f"Give me a fun fact about the number {n}." for n in range(1, 9)]


def main() -> None:
    """Batch the prompts under the rate cap, then again as they complete."""
    limiter = InMemoryRateLimiter(
        requests_per_second=REQUESTS_PER_SECOND,
        check_every_n_seconds=0.01,  # how often a waiting request looks for a free token
        max_bucket_size=1,  # no bursts: at most one request per 1/8 s
    )
    with endpoint() as ep:
        model = ep.chat_model(max_tokens=40, rate_limiter=limiter)
        config = RunnableConfig(max_concurrency=4)

        started = time.perf_counter()
        answers = model.batch(PROMPTS, config=config, return_exceptions=True)
        elapsed = time.perf_counter() - started
        for number, answer in enumerate(answers, 1):
            text = f"error: {answer}" if isinstance(answer, Exception) else answer.text
            print(f"#{number}: {text}")
        floor = (len(PROMPTS) - 1) / REQUESTS_PER_SECOND
        print(
            f"{len(PROMPTS)} requests in {elapsed:.2f} s "
            f"(the {REQUESTS_PER_SECOND:g}/s cap allows no less than {floor:.2f} s)"
        )

        print("as completed:")
        started = time.perf_counter()
        for index, answer in model.batch_as_completed(PROMPTS[:4], config=config):
            print(f"  #{index + 1} after {time.perf_counter() - started:.2f} s: {answer.text[:40]}")


if __name__ == "__main__":
    main()
