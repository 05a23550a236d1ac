"""The knobs of the reference server's Batch API: timing, per-line errors, expiry, limits.

A :class:`BatchConfig` is a frozen value like :class:`~langchain_compat_chat.testing.Dialect`
and :class:`~langchain_compat_chat.testing.Fault`: a test builds one, hands it to
``ReferenceServer(batch=...)`` or ``set_batch_config`` and every batch created afterwards
runs by it (a batch keeps the configuration it was created with, as a real job keeps its
completion window).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchConfig", "LineFault"]


@dataclass(frozen=True)
class LineFault:
    """The error answer one batch line gets instead of its completion.

    It lands in the batch's error file as ``{"response": {"status_code": status, "body":
    {"error": ...}}, "error": null}``, the shape the real API uses for a request that the
    endpoint rejected (openai/openai-openapi#302).

    Attributes:
        status: The line's ``response.status_code``.
        message: ``error.message``; a stock message for the status when ``None``.
        type: ``error.type``; from the status when ``None``.
        code: ``error.code``; from the status when ``None``.
        body: An exact ``response.body`` to send instead of the OpenAI error object.

    """

    status: int = 500
    message: str | None = None
    type: str | None = None
    code: str | None = None
    body: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class BatchConfig:
    """How batches run on the reference server.

    The defaults finish a small batch within a few tens of milliseconds, passing through
    every state a client can observe (``validating``, ``in_progress``, ``finalizing``,
    ``completed``), so a client's polling loop is exercised without slowing a test down.

    Attributes:
        validating_s: Time a batch spends in ``validating`` before its lines are checked.
        processing_s: Time the ``in_progress`` phase takes in all, spread over the lines,
            so that ``request_counts`` grow while a client polls.
        finalizing_s: Time spent in ``finalizing`` before the output files appear.
        cancelling_s: Time spent in ``cancelling`` after ``POST /batches/{id}/cancel``.
        expire_after_s: Seconds after creation at which an unfinished batch expires:
            status ``expired``, its unfinished lines ``batch_expired`` errors in the error
            file, its finished lines kept. ``None``: never (the real window is 24 h).
        fail_ids: Lines that fail, by ``custom_id``, each with its :class:`LineFault`.
        fail_fraction: The share of the other lines that fail with ``fail_with``; which
            ones is a deterministic function of ``custom_id`` and ``seed``.
        fail_with: The error of the ``fail_fraction`` lines.
        seed: Seeds the choice of failing lines and the output order.
        shuffle: Write output lines in an order that differs from the input order, as the
            real API may ("the output line order may not match the input line order",
            platform.openai.com/docs/guides/batch); window by window, so memory stays
            bounded.
        max_lines: Lines one batch may hold (OpenAI: 50,000 requests per batch).
        max_input_bytes: Size of a batch input file (OpenAI: 200 MB).
        max_errors: How many validation errors ``errors.data`` lists at most.

    """

    validating_s: float = 0.01
    processing_s: float = 0.0
    finalizing_s: float = 0.01
    cancelling_s: float = 0.01
    expire_after_s: float | None = None
    fail_ids: Mapping[str, LineFault] = field(default_factory=dict)
    fail_fraction: float = 0.0
    fail_with: LineFault = LineFault()
    seed: int = 0
    shuffle: bool = True
    max_lines: int = 50_000
    max_input_bytes: int = 200 * 1024 * 1024
    max_errors: int = 100

    def __post_init__(self) -> None:
        for name in ("validating_s", "processing_s", "finalizing_s", "cancelling_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"BatchConfig.{name} must be >= 0")
        if not 0.0 <= self.fail_fraction <= 1.0:
            raise ValueError("BatchConfig.fail_fraction must be between 0 and 1")
        if self.expire_after_s is not None and self.expire_after_s < 0:
            raise ValueError("BatchConfig.expire_after_s must be >= 0 or None")
        if self.max_lines < 1 or self.max_input_bytes < 1 or self.max_errors < 1:
            raise ValueError("BatchConfig limits must be positive")
        # A frozen value must not change under the server thread: copy the mapping.
        object.__setattr__(self, "fail_ids", dict(self.fail_ids))

    def replace(self, **changes: Any) -> BatchConfig:
        """Return a copy with some fields changed (``dataclasses.replace`` shorthand)."""
        return dataclasses.replace(self, **changes)
