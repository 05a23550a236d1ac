"""Provider Batch API jobs: many chat requests run by the provider's batch engine, resumable.

``model.submit_batch(inputs, **call_kwargs)`` builds every input's body with the model's own
builder (``ChatCompatModel._request``: the bytes ``invoke`` would send), writes them as JSONL
lines whose ``custom_id`` is the input's index, uploads the file and creates the batch; a job
larger than the provider's per-batch limits (``_wire/batch_facts.py``) becomes several
batches, one :class:`BatchJob` over them. Results come back through the same response parser
as ``invoke``, in input order, failures as the same typed errors.

The job logic is written once, as generators of steps (:class:`_Send` a request,
:class:`_Sleep`, :class:`_Download` a file into a sink). Two thin drivers run them, one with
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

import array
import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import httpx
from langchain_core.messages import AIMessage

from langchain_compat_chat._http.call import Request
from langchain_compat_chat._http.files import StreamBody, abody_chunks, body_chunks
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._wire.batch_facts import BatchApi, batch_api_for, batch_base_url
from langchain_compat_chat._wire.batch_lines import (
    BatchInfo,
    LineSplitter,
    PartMeta,
    ResultLine,
    custom_id,
    multipart_frame,
    parse_batch,
    parse_result_line,
    part_metadata,
    read_part_meta,
    request_line,
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
    InvalidRequestError,
    MalformedResponseError,
    request_id_from,
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
_CHUNK = 64 * 1024  # upload write size: lines are gathered into chunks of about this much
_JSON = {"content-type": "application/json"}


# -- steps and drivers ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Send:
    """Send a request; the driver answers with its JSON."""

    request: Request


@dataclass(frozen=True)
class _Sleep:
    seconds: float


@dataclass(frozen=True)
class _Download:
    """Read a response's body into ``sink`` chunk by chunk."""

    request: Request
    sink: Callable[[bytes], None]


_Op = _Send | _Sleep | _Download
_Steps = Generator[_Op, Any, T]


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:
        raise MalformedResponseError(
            f"The server's reply is not JSON ({exc})",
            status_code=response.status_code,
            request_id=request_id_from(response.headers),
            body=response.content[:2000].decode("utf-8", errors="replace"),
        ) from None


def _drive(steps: _Steps[T], session: Session) -> T:
    """Run ``steps`` with the sync session; a step's typed error is raised inside them."""
    reply: Any = None
    error: CompatChatError | None = None
    while True:
        try:
            op = steps.throw(error) if error is not None else steps.send(reply)
        except StopIteration as stop:
            return cast(T, stop.value)
        reply, error = None, None
        try:
            if isinstance(op, _Send):
                reply = _json(session.send(op.request))
            elif isinstance(op, _Sleep):
                time.sleep(op.seconds)
            else:
                with session.open_stream(op.request) as events:
                    for chunk in body_chunks(events):
                        op.sink(chunk)
        except CompatChatError as exc:
            error = exc


async def _adrive(steps: _Steps[T], session: Session) -> T:
    """Async :func:`_drive`."""
    reply: Any = None
    error: CompatChatError | None = None
    while True:
        try:
            op = steps.throw(error) if error is not None else steps.send(reply)
        except StopIteration as stop:
            return cast(T, stop.value)
        reply, error = None, None
        try:
            if isinstance(op, _Send):
                reply = _json(await session.asend(op.request))
            elif isinstance(op, _Sleep):
                await asyncio.sleep(op.seconds)
            else:
                async with session.aopen_stream(op.request) as events:
                    async for chunk in abody_chunks(events):
                        op.sink(chunk)
        except CompatChatError as exc:
            error = exc


# -- the job -------------------------------------------------------------------------------
@dataclass(frozen=True)
class BatchCounts:
    """Request counts over all of a job's batches (``None`` where a provider sends none)."""

    total: int | None
    completed: int | None
    failed: int | None


@dataclass
class _Part:
    meta: PartMeta
    info: BatchInfo


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
        parts: list[_Part],
        plan: ForcedToolPlan | None,
    ) -> None:
        self._model = model
        self._api = api
        self._parts = parts
        self._plan = plan
        self._session = _session_for(model, api)

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
        _drive(self._refresh_steps(), self._session)
        return self

    async def arefresh(self) -> BatchJob:
        """Async :meth:`refresh`."""
        await _adrive(self._refresh_steps(), self._session)
        return self

    def wait(
        self,
        timeout: float | None = None,
        *,
        poll: float = 2.0,
        max_poll: float = 60.0,
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
        return _drive(self._wait_steps(timeout, poll, max_poll, on_progress), self._session)

    async def await_(
        self,
        timeout: float | None = None,
        *,
        poll: float = 2.0,
        max_poll: float = 60.0,
        on_progress: Callable[[BatchJob], None] | None = None,
    ) -> BatchStatus | str:
        """Async :meth:`wait` (``await`` is a keyword, hence the underscore)."""
        steps = self._wait_steps(timeout, poll, max_poll, on_progress)
        return await _adrive(steps, self._session)

    def cancel(self) -> BatchJob:
        """Ask the provider to cancel every unfinished batch; lines already run keep answers."""
        _drive(self._cancel_steps(), self._session)
        return self

    async def acancel(self) -> BatchJob:
        """Async :meth:`cancel`."""
        await _adrive(self._cancel_steps(), self._session)
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
        return _drive(self._results_steps(return_exceptions), self._session)

    async def aresults(self, return_exceptions: bool = False) -> list[Any]:
        """Async :meth:`results`."""
        return await _adrive(self._results_steps(return_exceptions), self._session)

    # -- steps (shared by both drivers) ----------------------------------------------------
    def _batch_path(self, batch_id: str, action: str = "") -> str:
        return f"{self._api.batches_path}/{batch_id}{action}"

    def _refresh_steps(self) -> _Steps[None]:
        for part in self._parts:
            if not part.info.terminal:
                reply = yield _Send(Request("GET", self._batch_path(part.info.id)))
                part.info = parse_batch(reply, self._api.envelope)

    def _cancel_steps(self) -> _Steps[None]:
        for part in self._parts:
            if not part.info.terminal:
                request = Request("POST", self._batch_path(part.info.id, "/cancel"), b"{}")
                reply = yield _Send(request)
                part.info = parse_batch(reply, self._api.envelope)

    def _wait_steps(
        self,
        timeout: float | None,
        poll: float,
        max_poll: float,
        on_progress: Callable[[BatchJob], None] | None,
    ) -> _Steps[BatchStatus | str]:
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
            yield _Sleep(pause)
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

    def _results_steps(self, return_exceptions: bool) -> _Steps[list[Any]]:
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
                    yield _Download(Request("GET", path), sink.feed)
                    sink.close()
            self._fill_missing(part, answers)
        if not return_exceptions:
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
        return answers

    def _fill_missing(self, part: _Part, answers: list[Any]) -> None:
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

    def __init__(self, job: BatchJob, part: _Part, answers: list[Any]) -> None:
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
                body=json.dumps(dict(line.meta), default=repr)[:2000],
            )
        answer: AIMessage | CompatChatError
        if line.body is not None:
            answer = self._job._message(line)
        else:
            answer = cast(CompatChatError, line.error)
        current = self._answers[index]
        if current is None or isinstance(current, BaseException):
            self._answers[index] = answer  # an answer wins over an error for the same line


def _session_for(model: ChatCompatModel, api: BatchApi) -> Session:
    """The model's session, or one at the URL files and batches live under (Azure)."""
    base = cast(str, model.base_url)
    batch_base = batch_base_url(api, base)
    if batch_base == base.rstrip("/"):
        return model._get_session()
    return model.model_copy(update={"base_url": batch_base})._get_session()


# -- submitting ----------------------------------------------------------------------------
class _Submission:
    """Inputs measured and split into batches; builds each file while it is uploaded.

    The first pass builds every line once to measure it (and so raises any input that
    cannot be sent before anything is uploaded); the upload builds them again, checking
    each comes out the same size, so the ``Content-Length`` announced holds.
    """

    def __init__(
        self,
        model: ChatCompatModel,
        inputs: Sequence[LanguageModelInput],
        kwargs: dict[str, Any],
        *,
        completion_window: str | None,
        metadata: dict[str, str] | None,
        max_lines: int | None,
        max_bytes: int | None,
    ) -> None:
        self.api = api = batch_api_for(model.provider_profile.name)
        if not inputs:
            raise InvalidRequestError("submit_batch needs at least one input")
        self.model = model
        self.inputs = inputs
        self.stop = kwargs.pop("stop", None)
        kwargs.pop("ls_structured_output_format", None)  # tracing only, never sent
        self.kwargs = kwargs
        self.window = completion_window or api.completion_window
        self.metadata = metadata
        self.plan: ForcedToolPlan | None = None
        self.lengths = array.array("L")
        for index in range(len(inputs)):
            line, plan = self._line(index)
            self.lengths.append(len(line))
            if index == 0:
                self.plan = plan if plan is not None and plan.needs_check else None
        self.slices = _split(
            self.lengths, _lower(max_lines, api.max_lines), _lower(max_bytes, api.max_bytes)
        )

    def _line(self, index: int) -> tuple[bytes, ForcedToolPlan | None]:
        messages = self.model._convert_input(self.inputs[index]).to_messages()
        request, plan = self.model._request(messages, self.stop, False, dict(self.kwargs))
        return request_line(custom_id(index), self.api.endpoint, cast(bytes, request.body)), plan

    def _file(self, head: bytes, tail: bytes, offset: int, count: int) -> Iterator[bytes]:
        yield head
        buffer: list[bytes] = []
        size = 0
        for index in range(offset, offset + count):
            line, _plan = self._line(index)
            if len(line) != self.lengths[index]:
                raise InvalidRequestError(
                    f"Input {index} built a different request the second time "
                    f"({len(line)} bytes, first {self.lengths[index]}); the batch file "
                    "cannot be uploaded. Pass inputs that do not change while submitting."
                )
            buffer.append(line)
            size += len(line)
            if size >= _CHUNK:
                yield b"".join(buffer)
                buffer.clear()
                size = 0
        if buffer:
            yield b"".join(buffer)
        yield tail

    def _upload(self, part: int, group: str, offset: int, count: int, size: int) -> Request:
        head, tail, content_type = multipart_frame(
            self.api.purpose, f"batch-{group}-{part}.jsonl", uuid.uuid4().hex
        )
        body = StreamBody(
            len(head) + size + len(tail), lambda: self._file(head, tail, offset, count)
        )
        return Request("POST", self.api.files_path, body, headers={"content-type": content_type})

    def steps(self) -> _Steps[list[_Part]]:
        """Upload and create the batches, last first; cancel those made if one fails."""
        group = uuid.uuid4().hex[:16]
        tool = None if self.plan is None else (self.plan.tool or "*")
        created: list[_Part] = []
        next_id: str | None = None
        try:
            for part in reversed(range(len(self.slices))):
                offset, count, size = self.slices[part]
                file_reply = yield _Send(self._upload(part, group, offset, count, size))
                file_id = file_reply.get("id") if isinstance(file_reply, dict) else None
                if not isinstance(file_id, str):
                    raise MalformedResponseError(
                        "The upload's answer has no file 'id'",
                        body=json.dumps(file_reply, default=repr)[:2000],
                    )
                meta = PartMeta(part, len(self.slices), offset, count, next_id, group, tool)
                create = {
                    "input_file_id": file_id,
                    "endpoint": self.api.endpoint,
                    "completion_window": self.window,
                    "metadata": part_metadata(meta, self.metadata),
                }
                body = json.dumps(create, ensure_ascii=False).encode()
                reply = yield _Send(Request("POST", self.api.batches_path, body, headers=_JSON))
                info = parse_batch(reply, self.api.envelope)
                created.append(_Part(meta, info))
                next_id = info.id
        except CompatChatError:
            for made in created:  # best effort: a half-made job must not run unseen
                try:
                    path = f"{self.api.batches_path}/{made.info.id}/cancel"
                    yield _Send(Request("POST", path, b"{}"))
                except CompatChatError:
                    _log.warning("Could not cancel batch %s of a failed submit", made.info.id)
            raise
        created.reverse()
        return created


def _lower(user: int | None, provider: int | None) -> int | None:
    values = [v for v in (user, provider) if v is not None]
    return min(values) if values else None


def _split(
    lengths: Sequence[int], max_lines: int | None, max_bytes: int | None
) -> list[tuple[int, int, int]]:
    """Consecutive ``(offset, count, bytes)`` slices within both limits, greedily."""
    slices: list[tuple[int, int, int]] = []
    offset = count = size = 0
    for index, length in enumerate(lengths):
        if max_bytes is not None and length > max_bytes:
            raise InvalidRequestError(
                f"Input {index}'s request line is {length:,} bytes, more than the "
                f"{max_bytes:,} a batch file may hold; send it with invoke() instead"
            )
        full = (max_lines is not None and count >= max_lines) or (
            max_bytes is not None and size + length > max_bytes
        )
        if count and full:
            slices.append((offset, count, size))
            offset, count, size = index, 0, 0
        count += 1
        size += length
    slices.append((offset, count, size))
    return slices


def _as_sequence(inputs: Iterable[LanguageModelInput]) -> Sequence[LanguageModelInput]:
    return inputs if isinstance(inputs, Sequence) else list(inputs)


def _tool_plan(model: ChatCompatModel, meta: PartMeta) -> ForcedToolPlan | None:
    if meta.tool_check is None:
        return None
    tool = None if meta.tool_check == "*" else meta.tool_check
    return ForcedToolPlan("auto_and_check", tool, model._wire_dialect.name)


def _resume_steps(api: BatchApi, batch_id: str) -> _Steps[list[_Part]]:
    """Rebuild a job from its first batch: follow each batch's ``lcc_next`` to the last."""
    parts: list[_Part] = []
    next_id: str | None = batch_id
    while next_id is not None:
        if any(p.info.id == next_id for p in parts):
            raise MalformedResponseError(f"Batch {next_id!r}'s metadata chain loops")
        reply = yield _Send(Request("GET", f"{api.batches_path}/{next_id}"))
        info = parse_batch(reply, api.envelope)
        meta = read_part_meta(info.metadata)
        if meta is None:
            raise InvalidRequestError(
                f"Batch {info.id!r} was not made by submit_batch (its metadata has no "
                "lcc_* grouping), so its lines cannot be mapped back to inputs"
            )
        expected = parts[-1].meta.offset + parts[-1].meta.count if parts else 0
        if meta.offset != expected or meta.part != len(parts):
            raise InvalidRequestError(
                f"Batch {info.id!r} is part {meta.part} of its job, not its first; "
                "resume with the job's id (its first batch's)"
            )
        parts.append(_Part(meta, info))
        next_id = meta.next_id
    return parts


# -- entry points (ChatCompatModel's methods delegate here) -------------------------------
_OPTIONS = ("completion_window", "metadata", "max_lines", "max_bytes")


def _submission(
    model: ChatCompatModel, inputs: Iterable[LanguageModelInput], kwargs: dict[str, Any]
) -> _Submission:
    options = {name: kwargs.pop(name, None) for name in _OPTIONS}
    return _Submission(model, _as_sequence(inputs), kwargs, **options)


def submit(
    model: ChatCompatModel, inputs: Iterable[LanguageModelInput], kwargs: dict[str, Any]
) -> BatchJob:
    """``model.submit_batch``: build, upload, create; returns the job."""
    submission = _submission(model, inputs, kwargs)
    parts = _drive(submission.steps(), _session_for(model, submission.api))
    return BatchJob(model, submission.api, parts, submission.plan)


async def asubmit(
    model: ChatCompatModel, inputs: Iterable[LanguageModelInput], kwargs: dict[str, Any]
) -> BatchJob:
    """Async :func:`submit`."""
    submission = _submission(model, inputs, kwargs)
    parts = await _adrive(submission.steps(), _session_for(model, submission.api))
    return BatchJob(model, submission.api, parts, submission.plan)


def resume(model: ChatCompatModel, batch_id: str) -> BatchJob:
    """``model.get_batch``: the job whose first batch is ``batch_id``, at its current state."""
    api = batch_api_for(model.provider_profile.name)
    parts = _drive(_resume_steps(api, batch_id), _session_for(model, api))
    return BatchJob(model, api, parts, _tool_plan(model, parts[0].meta))


async def aresume(model: ChatCompatModel, batch_id: str) -> BatchJob:
    """Async :func:`resume`."""
    api = batch_api_for(model.provider_profile.name)
    parts = await _adrive(_resume_steps(api, batch_id), _session_for(model, api))
    return BatchJob(model, api, parts, _tool_plan(model, parts[0].meta))


def run(
    model: ChatCompatModel,
    inputs: Iterable[LanguageModelInput],
    return_exceptions: bool,
    kwargs: dict[str, Any],
) -> list[Any]:
    """``model.batch(inputs, use_batch_api=True)``: submit, wait, return the answers."""
    inputs = _as_sequence(inputs)
    if not inputs:
        return []
    poll = kwargs.pop("poll", 2.0)
    job = submit(model, inputs, kwargs)
    job.wait(poll=poll)
    return job.results(return_exceptions=return_exceptions)


async def arun(
    model: ChatCompatModel,
    inputs: Iterable[LanguageModelInput],
    return_exceptions: bool,
    kwargs: dict[str, Any],
) -> list[Any]:
    """Async :func:`run`."""
    inputs = _as_sequence(inputs)
    if not inputs:
        return []
    poll = kwargs.pop("poll", 2.0)
    job = await asubmit(model, inputs, kwargs)
    await job.await_(poll=poll)
    return await job.aresults(return_exceptions=return_exceptions)
