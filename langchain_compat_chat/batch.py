"""Provider Batch API jobs: many chat requests run by the provider's batch engine, resumable.

``model.submit_batch(inputs, **call_kwargs)`` builds every input's body with the model's own
builder (``ChatCompatModel._request``: the bytes ``invoke`` would send), writes them as JSONL
lines whose ``custom_id`` is the input's index, uploads the file and creates the batch; a job
larger than the provider's per-batch limits (``_wire/batch_facts.py``) becomes several
batches, one :class:`BatchJob` over them. Results come back through the same response parser
as ``invoke``, in input order, failures as the same typed errors.

The job logic is written once, as generators of steps (:class:`Send` a request,
:class:`Sleep`, :class:`Download` a file into a sink). Two thin drivers run them, one with
the sync session, one with ``await``; there is no second copy of any rule.

Memory stays bounded: the file is built while it is uploaded (a first pass only measures
each line, 4 bytes per input), and result files are read line by line; what grows with the
job is the list of answers returned.

Resuming: the job's id is its first batch's id. Each batch's ``metadata`` carries its place
(``lcc_part``, ``lcc_offset``, ``lcc_count``) and the next batch's id (``lcc_next``; the
batches are created last to first so each can name its successor), so
``model.get_batch(id)`` rebuilds the whole job in any process from the provider alone.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from langchain_core.messages import AIMessage

from langchain_compat_chat._batch_steps import Download, Part, Send, Sleep, Steps, adrive, drive
from langchain_compat_chat._batch_submit import Submission, resume_steps, session_for
from langchain_compat_chat._http.call import Request
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._wire.batch_facts import BatchApi, batch_api_for
from langchain_compat_chat._wire.batch_lines import (
    BatchInfo,
    LineSplitter,
    PartMeta,
    ResultLine,
    custom_id,
    parse_batch,
    parse_result_line,
)
from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.v1 import to_v1
from langchain_compat_chat.errors import (
    APITimeoutError,
    BatchCancelledError,
    BatchExpiredError,
    BatchFailedError,
    BatchPendingError,
    CompatChatError,
    MalformedResponseError,
    preview,
)

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput

    from langchain_compat_chat.chat_models import ChatCompatModel

__all__ = ["BatchCounts", "BatchJob", "BatchStatus"]

_log = logging.getLogger("langchain_compat_chat")
T = TypeVar("T")

BatchStatus = Literal[
    "validating",
    "in_progress",
    "finalizing",
    "completed",
    "failed",
    "expired",
    "cancelling",
    "cancelled",
]
"""A job's state (OpenAI's batch statuses); a provider's unknown one is passed through."""

# Of a job's batches in different states, the one it reports: a finished job is
# "completed" only when every batch completed; a running one reports its least advanced.
_RUNNING_ORDER = ("cancelling", "validating", "in_progress", "finalizing")
_FINISHED_ORDER = ("failed", "expired", "cancelled", "completed")
_MAX_POLL = 60.0
"""Longest wait between polls unless ``wait(max_poll=)`` says otherwise."""


# -- the job -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchCounts:
    """Request counts over all of a job's batches (``None`` where a provider sends none)."""

    total: int | None
    completed: int | None
    failed: int | None


class BatchJob:
    """One provider Batch API job: one or more batches over the inputs, in order.

    Made by ``model.submit_batch`` or ``model.get_batch(id)``; ``id`` is what to keep to
    resume it in another process. The properties show the state of the last
    :meth:`refresh` (or :meth:`wait`); nothing is fetched by reading them.
    Async twins: :meth:`arefresh`, :meth:`await_`, :meth:`aresults`, :meth:`acancel`.
    """

    def __init__(
        self,
        model: ChatCompatModel,
        api: BatchApi,
        parts: list[Part],
        plan: ForcedToolPlan | None,
    ) -> None:
        self._model = model
        self._api = api
        self._parts = parts
        self._plan = plan
        self._session = session_for(model, api)

    # -- state -----------------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The job's id (its first batch's): pass it to ``model.get_batch`` to resume."""
        return self._parts[0].info.id

    @property
    def batch_ids(self) -> tuple[str, ...]:
        """The provider's batch ids, in input order."""
        return tuple(p.info.id for p in self._parts)

    @property
    def batches(self) -> tuple[BatchInfo, ...]:
        """Each batch as the provider last described it (unknown fields in ``extra``)."""
        return tuple(p.info for p in self._parts)

    @property
    def status(self) -> BatchStatus | str:
        """The job's state: see :data:`BatchStatus`; terminal once :attr:`done`."""
        statuses = [p.info.status for p in self._parts]
        if not self.done:
            running = [s for s in statuses if s not in _FINISHED_ORDER]
            return next((s for s in _RUNNING_ORDER if s in running), running[0])
        return next((s for s in _FINISHED_ORDER if s in statuses), statuses[0])

    @property
    def done(self) -> bool:
        """Whether every batch has finished (completed, failed, expired or cancelled)."""
        return all(p.info.terminal for p in self._parts)

    @property
    def counts(self) -> BatchCounts:
        """Requests in total, completed and failed (provider counts, summed)."""

        def total(name: str) -> int | None:
            values = [getattr(p.info, name) for p in self._parts]
            return None if None in values else sum(values)

        return BatchCounts(total("total"), total("completed"), total("failed"))

    def __len__(self) -> int:
        return sum(p.meta.count for p in self._parts)

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"BatchJob(id={self.id!r}, status={self.status!r}, inputs={len(self)}, "
            f"batches={len(self._parts)}, completed={c.completed}, failed={c.failed})"
        )

    # -- operations --------------------------------------------------------------------------
    def refresh(self) -> BatchJob:
        """Fetch every unfinished batch's state; returns the job."""
        drive(self._refresh_steps(), self._session)
        return self

    async def arefresh(self) -> BatchJob:
        """Async :meth:`refresh`."""
        await adrive(self._refresh_steps(), self._session)
        return self

    def wait(
        self,
        timeout: float | None = None,
        *,
        poll: float = 2.0,
        max_poll: float = _MAX_POLL,
        on_progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchStatus | str:
        """Poll until the job finishes; returns its final :attr:`status`.

        Polls every ``poll`` seconds at first, 1.5 times longer after each poll, up to
        ``max_poll``. Each change of status or counts calls ``on_progress(job)``, or, without
        one, logs one INFO line on the ``langchain_compat_chat`` logger.

        Args:
            timeout: Longest wait in seconds; ``None`` waits as long as the provider runs
                the job (up to its completion window, after which it expires).
            poll: First interval between polls, in seconds.
            max_poll: Longest interval between polls.
            on_progress: Called with the job whenever its status or counts change.

        Raises:
            APITimeoutError: ``timeout`` passed first; the job keeps running at the provider.

        """
        return drive(self._wait_steps(timeout, poll, max_poll, on_progress), self._session)

    async def await_(
        self,
        timeout: float | None = None,
        *,
        poll: float = 2.0,
        max_poll: float = _MAX_POLL,
        on_progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchStatus | str:
        """Async :meth:`wait` (``await`` is a keyword, hence the underscore)."""
        steps = self._wait_steps(timeout, poll, max_poll, on_progress)
        return await adrive(steps, self._session)

    def cancel(self) -> BatchJob:
        """Ask the provider to cancel every unfinished batch; lines already run keep answers."""
        drive(self._cancel_steps(), self._session)
        return self

    async def acancel(self) -> BatchJob:
        """Async :meth:`cancel`."""
        await adrive(self._cancel_steps(), self._session)
        return self

    def results(self, return_exceptions: bool = False) -> list[Any]:
        """The answers as ``AIMessage``s, in input order, read from the result files.

        Each answer went through the same parser as ``invoke``; its
        ``response_metadata["batch"]`` holds the line's ``custom_id``, ``request_id`` and
        any field the provider added. A failed line is the typed error an interactive call
        would have raised (``RateLimitError``, ``ContextOverflowError``...); a line that
        never ran is a ``BatchExpiredError`` or ``BatchCancelledError``; every line of a
        batch the provider refused is its ``BatchFailedError``.

        Args:
            return_exceptions: Put each failure in its place instead of raising the first
                one (as ``batch()`` does).

        Raises:
            BatchPendingError: The job has not finished (``wait()`` first).
            CompatChatError: The first failed line, unless ``return_exceptions``.

        """
        return drive(self._results_steps(return_exceptions), self._session)

    async def aresults(self, return_exceptions: bool = False) -> list[Any]:
        """Async :meth:`results`."""
        return await adrive(self._results_steps(return_exceptions), self._session)

    # -- steps (shared by both drivers) ----------------------------------------------------
    def _batch_path(self, batch_id: str, action: str = "") -> str:
        return f"{self._api.batches_path}/{batch_id}{action}"

    def _refresh_steps(self) -> Steps[None]:
        for part in self._parts:
            if not part.info.terminal:
                reply = yield Send(Request("GET", self._batch_path(part.info.id)))
                part.info = parse_batch(reply, self._api.envelope)

    def _cancel_steps(self) -> Steps[None]:
        for part in self._parts:
            if not part.info.terminal:
                request = Request("POST", self._batch_path(part.info.id, "/cancel"), b"{}")
                reply = yield Send(request)
                part.info = parse_batch(reply, self._api.envelope)

    def _wait_steps(
        self,
        timeout: float | None,
        poll: float,
        max_poll: float,
        on_progress: Callable[[BatchJob], None] | None,
    ) -> Steps[BatchStatus | str]:
        start = time.monotonic()
        delay = poll
        seen: tuple[Any, ...] | None = None
        while True:
            yield from self._refresh_steps()
            state = (self.status, self.counts)
            if state != seen:
                seen = state
                self._report(on_progress)
            if self.done:
                return self.status
            pause = delay
            if timeout is not None:
                left = timeout - (time.monotonic() - start)
                if left <= 0:
                    raise APITimeoutError(
                        f"Batch job {self.id!r} is still {self.status} after {timeout:g}s "
                        f"({self._progress()}); it keeps running at the provider: wait() "
                        f"again, or resume it anywhere with model.get_batch({self.id!r})"
                    )
                pause = min(pause, left)
            yield Sleep(pause)
            delay = min(delay * 1.5, max_poll)

    def _progress(self) -> str:
        c = self.counts
        total = "?" if c.total is None else f"{c.total:,}"
        done = "?" if c.completed is None else f"{c.completed:,}"
        failed = "?" if c.failed is None else f"{c.failed:,}"
        return f"{done} of {total} done, {failed} failed"

    def _report(self, on_progress: Callable[[BatchJob], None] | None) -> None:
        if on_progress is not None:
            on_progress(self)
        else:
            _log.info("Batch job %s: %s, %s", self.id, self.status, self._progress())

    def _results_steps(self, return_exceptions: bool) -> Steps[list[Any]]:
        if not self.done:
            raise BatchPendingError(
                f"Batch job {self.id!r} is still {self.status} ({self._progress()}); "
                "call wait() before results()"
            )
        answers: list[Any] = [None] * (self._parts[-1].meta.offset + self._parts[-1].meta.count)
        for part in self._parts:
            info = part.info
            for file_id in (info.output_file_id, info.error_file_id):
                if file_id is not None:
                    sink = _ResultSink(self, part, answers)
                    path = f"{self._api.files_path}/{file_id}/content"
                    yield Download(Request("GET", path), sink.feed)
                    sink.close()
            self._fill_missing(part, answers)
        if not return_exceptions:
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
        return answers

    def _fill_missing(self, part: Part, answers: list[Any]) -> None:
        """Give every line no file answered the error that says why."""
        info, meta = part.info, part.meta
        for index in range(meta.offset, meta.offset + meta.count):
            if answers[index] is not None:
                continue
            where = f"input {index} (custom_id {custom_id(index)!r}) of batch {info.id!r}"
            error: CompatChatError
            if info.status == "failed":
                reasons = "; ".join(info.errors) or "no reason given"
                error = BatchFailedError(f"The provider refused batch {info.id!r}: {reasons}")
            elif info.status == "expired":
                error = BatchExpiredError(f"{where} had not run when the batch expired")
            elif info.status == "cancelled":
                error = BatchCancelledError(f"{where} had not run when the batch was cancelled")
            else:
                error = MalformedResponseError(
                    f"The result files of a {info.status} batch have no line for {where}"
                )
            answers[index] = error

    def _message(self, line: ResultLine) -> AIMessage | CompatChatError:
        """A successful line's body through ``invoke``'s parser (and its forced-tool check)."""
        model = self._model
        request_id = line.meta.get("request_id")
        try:
            result = to_chat_result(line.body, model._provider_name, model._think_tags)
            message = cast(AIMessage, result.generations[0].message)
            if model.output_version == "v1":
                to_v1(message)
            if self._plan is not None:
                has_call = bool(message.tool_calls or message.invalid_tool_calls)
                self._plan.check(has_call, model.model)
        except CompatChatError as exc:
            exc.request_id = exc.request_id or request_id
            return exc
        message.response_metadata["batch"] = dict(line.meta)
        return message


class _ResultSink:
    """One result file, fed chunk by chunk: each line parsed and put in its input's place."""

    def __init__(self, job: BatchJob, part: Part, answers: list[Any]) -> None:
        self._job = job
        self._part = part
        self._answers = answers
        self._lines = LineSplitter(job._model.max_response_bytes)

    def feed(self, chunk: bytes) -> None:
        for line in self._lines.feed(chunk):
            self._place(parse_result_line(line))

    def close(self) -> None:
        for line in self._lines.close():
            self._place(parse_result_line(line))

    def _place(self, line: ResultLine) -> None:
        meta = self._part.meta
        index = line.index
        if index is None or not meta.offset <= index < meta.offset + meta.count:
            raise MalformedResponseError(
                f"Batch {self._part.info.id!r} answered custom_id {line.custom_id!r}, which "
                f"names none of its inputs ({meta.offset} to {meta.offset + meta.count - 1})",
                body=preview(json.dumps(dict(line.meta), default=repr)),
            )
        answer: AIMessage | CompatChatError
        if line.body is not None:
            answer = self._job._message(line)
        else:
            answer = cast(CompatChatError, line.error)
        current = self._answers[index]
        if current is None or isinstance(current, BaseException):
            self._answers[index] = answer  # an answer wins over an error for the same line


def _as_sequence(inputs: Iterable[LanguageModelInput]) -> Sequence[LanguageModelInput]:
    return inputs if isinstance(inputs, Sequence) else list(inputs)


def _tool_plan(model: ChatCompatModel, meta: PartMeta) -> ForcedToolPlan | None:
    if meta.tool_check is None:
        return None
    tool = None if meta.tool_check == "*" else meta.tool_check
    return ForcedToolPlan("auto_and_check", tool, model._wire_dialect.name)


# -- entry points (ChatCompatModel's methods delegate here) -------------------------------
_OPTIONS = ("completion_window", "metadata", "max_lines", "max_bytes")


def _submission(
    model: ChatCompatModel, inputs: Iterable[LanguageModelInput], kwargs: dict[str, Any]
) -> Submission:
    options = {name: kwargs.pop(name, None) for name in _OPTIONS}
    return Submission(model, _as_sequence(inputs), kwargs, **options)


def _submitted(submission: Submission) -> Steps[BatchJob]:
    parts = yield from submission.steps()
    return BatchJob(submission.model, submission.api, parts, submission.plan)


def _answer(value: T) -> Steps[T]:
    """Steps that send nothing and give ``value``."""
    yield from ()
    return value


# The model's methods (``_batch_methods.py``) run these plans, each the steps of one
# operation and the session they run on, with ``drive`` or ``adrive``: nothing else
# differs between the sync and the async method.
Plan = tuple[Steps[T], Session]


def submit_plan(
    model: ChatCompatModel, inputs: Iterable[LanguageModelInput], kwargs: dict[str, Any]
) -> Plan[BatchJob]:
    """``model.submit_batch``: build, upload, create; gives the job."""
    submission = _submission(model, inputs, kwargs)
    return _submitted(submission), submission.session


def resume_plan(model: ChatCompatModel, batch_id: str) -> Plan[BatchJob]:
    """``model.get_batch``: the job whose first batch is ``batch_id``, at its current state."""
    api = batch_api_for(model.provider_profile.name)

    def steps() -> Steps[BatchJob]:
        parts = yield from resume_steps(api, batch_id)
        return BatchJob(model, api, parts, _tool_plan(model, parts[0].meta))

    return steps(), session_for(model, api)


def run_plan(
    model: ChatCompatModel,
    inputs: Iterable[LanguageModelInput],
    return_exceptions: bool,
    kwargs: dict[str, Any],
) -> Plan[list[Any]]:
    """``model.batch(inputs, use_batch_api=True)``: submit, wait, give the answers."""
    inputs = _as_sequence(inputs)
    if not inputs:  # nothing to send: not even the preset's batch support is asked
        return _answer([]), model._get_session()
    poll = kwargs.pop("poll", 2.0)
    submission = _submission(model, inputs, kwargs)

    def steps() -> Steps[list[Any]]:
        job = yield from _submitted(submission)
        yield from job._wait_steps(None, poll, _MAX_POLL, None)
        return (yield from job._results_steps(return_exceptions))

    return steps(), submission.session
