"""Batch API jobs end to end against the reference server's /v1/files and /v1/batches.

The server runs every line through its own chat logic (tool calls generated from the
schema), injects per-line errors, expires and cancels; nothing is mocked here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.errors import (
    APIError,
    BatchCancelledError,
    BatchExpiredError,
    ContextOverflowError,
    RateLimitError,
)
from langchain_compat_chat.testing import BatchConfig, LineFault, ReferenceServer
from tests.conftest import REPO

Factory = Callable[..., ReferenceServer]


class Weather(BaseModel):
    """Weather for a city."""

    city: str


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="compat-ref", base_url=srv.base_url, api_key="k", **kw)


# The documented bound (docs/guides/batch.md): submitting holds a few MB whatever the job's
# size; reading results holds the returned messages plus about one line. Measured with
# tracemalloc over the whole process, the in-process server's allocations included.
SUBMIT_PEAK_BYTES = 8 * 1024 * 1024
RESULTS_OVERHEAD_BYTES = 4 * 1024 * 1024


def test_ten_thousand_inputs_with_tools_come_back_in_order(compat_server_factory: Factory) -> None:
    n = 10_000
    rate_limited = set(range(0, n, 997))
    too_long = {13, 5_000, 9_999}
    faults = {f"lc-{i}": LineFault(status=429) for i in rate_limited}
    faults.update(
        {f"lc-{i}": LineFault(status=400, code="context_length_exceeded") for i in too_long}
    )
    srv = compat_server_factory(batch=BatchConfig(fail_ids=faults))
    model = _model(srv)
    tools = model.bind_tools([Weather], tool_choice="Weather").kwargs
    inputs = [f"weather question {i}" for i in range(n)]

    tracemalloc.start()
    try:
        job = model.submit_batch(inputs, max_lines=4_000, **tools)
        _, submit_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(job.batch_ids) == 3
        assert job.wait(timeout=100, poll=0.05) == "completed"
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        answers = job.results(return_exceptions=True)
        after, results_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert submit_peak < SUBMIT_PEAK_BYTES, f"submit peak {submit_peak:,} bytes"
    overhead = results_peak - after
    assert overhead < RESULTS_OVERHEAD_BYTES, f"results overhead {overhead:,} bytes"
    assert after - before > 0  # the answers themselves are what is kept

    assert len(answers) == n
    for index, answer in enumerate(answers):
        if index in too_long:
            assert isinstance(answer, ContextOverflowError), index
        elif index in rate_limited:
            assert isinstance(answer, RateLimitError), index
            assert answer.status_code == 429
        else:
            assert isinstance(answer, AIMessage), index
            assert answer.tool_calls[0]["name"] == "Weather"
            assert answer.response_metadata["batch"]["custom_id"] == f"lc-{index}"
    counts = job.counts
    assert (counts.total, counts.failed) == (n, len(rate_limited | too_long))


def test_a_job_submitted_by_one_process_is_read_by_another(
    compat_server_factory: Factory,
) -> None:
    srv = compat_server_factory(
        batch=BatchConfig(fail_ids={"lc-4": LineFault(status=429)}, processing_s=0.2)
    )
    code = textwrap.dedent(
        f"""
        from pydantic import BaseModel
        from langchain_compat_chat import ChatCompatModel

        class Weather(BaseModel):
            '''Weather for a city.'''
            city: str

        model = ChatCompatModel(model="compat-ref", base_url={srv.base_url!r}, api_key="k")
        tools = model.bind_tools([Weather], tool_choice="Weather").kwargs
        job = model.submit_batch([f"q{{i}}" for i in range(25)], max_lines=10, **tools)
        print(job.id)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    job_id = done.stdout.strip().splitlines()[-1]
    job = _model(srv).get_batch(job_id)  # this process never saw the submission
    assert len(job) == 25 and len(job.batch_ids) == 3
    job.wait(timeout=30, poll=0.05)
    answers = job.results(return_exceptions=True)
    assert isinstance(answers[4], RateLimitError)
    assert all(
        isinstance(a, AIMessage) and a.tool_calls[0]["name"] == "Weather"
        for i, a in enumerate(answers)
        if i != 4
    )
    # and the other way round: what this process submitted, a new process reads
    mine = _model(srv).submit_batch(["a", "b", "c"])
    read = textwrap.dedent(
        f"""
        import json
        from langchain_compat_chat import ChatCompatModel
        model = ChatCompatModel(model="compat-ref", base_url={srv.base_url!r}, api_key="k")
        job = model.get_batch({mine.id!r})
        job.wait(timeout=30, poll=0.05)
        print(json.dumps([type(a).__name__ for a in job.results(return_exceptions=True)]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", read],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["AIMessage"] * 3


def test_cancellation_is_a_typed_state(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(processing_s=3.0))
    job = _model(srv).submit_batch([f"q{i}" for i in range(50)])
    deadline = time.monotonic() + 10
    while job.refresh().status != "in_progress" and time.monotonic() < deadline:
        time.sleep(0.02)
    job.cancel()
    assert job.wait(timeout=30, poll=0.05) == "cancelled"
    answers = job.results(return_exceptions=True)
    cancelled = [a for a in answers if isinstance(a, BatchCancelledError)]
    assert cancelled, "a job cancelled mid-way has lines that never ran"
    assert all(isinstance(a, (AIMessage, BatchCancelledError)) for a in answers)
    with pytest.raises(BatchCancelledError):
        job.results()


def test_expiry_is_a_typed_state(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(processing_s=1.5, expire_after_s=0.3))
    job = _model(srv).submit_batch([f"q{i}" for i in range(40)])
    assert job.wait(timeout=30, poll=0.05) == "expired"
    answers = job.results(return_exceptions=True)
    assert any(isinstance(a, BatchExpiredError) for a in answers)
    assert all(isinstance(a, (AIMessage, BatchExpiredError)) for a in answers)


async def test_async_job_and_batch_convenience(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(fail_ids={"lc-1": LineFault(status=500)}))
    model = _model(srv)
    answers = await model.abatch(
        ["a", "b", "c"], use_batch_api=True, return_exceptions=True, poll=0.02
    )
    assert [type(a).__name__ for a in answers] == ["AIMessage", "APIError", "AIMessage"]
    with pytest.raises(APIError, match="server had an error"):  # the first failure, raised
        model.batch(["a", "b"], use_batch_api=True, poll=0.02)
