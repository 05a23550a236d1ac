"""When to try a failed attempt again, and how long to wait first.

Pure policy, shared by both drivers through ``call.CallState``: the server's
``Retry-After`` / ``retry-after-ms`` wait when it sent one, else exponential backoff with
jitter, and a cap past which a requested wait is raised at once instead of slept.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

from langchain_compat_chat.errors import CompatChatError

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or a date).

    A value that is not a wait (negative, NaN, infinite: RFC 9110 §10.2.3 allows only a
    non-negative integer or a date) gives ``None``, so the retry falls back to backoff:
    read as zero it meant every retry at once, hammering a server that asked for patience.
    A date already past means "now", as the RFC says.
    """
    value = headers.get("retry-after-ms")
    if value:
        wait = _seconds(value)
        if wait is not None:
            return wait / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        float(value)
    except ValueError:
        pass
    else:
        return _seconds(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _seconds(value: str) -> float | None:
    """A header's number of seconds (or ms), ``None`` unless it is finite and not negative."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again and how long to wait.

    Attributes:
        max_retries: Extra attempts after the first (0 disables retries).
        initial_delay: Backoff before the first retry, doubled each time, with jitter.
        max_delay: Cap of the computed backoff.
        max_retry_after: Longest server-requested wait we honour; a longer one is raised
            at once so a batch job can reschedule instead of sleeping.

    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, error: CompatChatError) -> float | None:
        """Seconds to sleep before attempt ``attempt + 1``, or ``None`` to give up."""
        if attempt > self.max_retries or not error.is_retryable:
            return None
        if error.retry_after is not None:
            wait: float = error.retry_after
            return wait if wait <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * 2.0 ** (attempt - 1))
        return backoff * (0.5 + random.random() / 2)
