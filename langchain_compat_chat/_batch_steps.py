"""The Batch API job's steps and their two drivers: the job logic is written once.

Every job operation (submit, resume, refresh, wait, cancel, read results) is a generator
of steps: :class:`Send` a request (answered with its JSON), :class:`Sleep`, :class:`Download`
a file into a sink. Each step performs itself with the sync session (``run``) or with
``await`` (``arun``), a line or three of I/O; :class:`_Run` owns the stepping (send the
answer in, throw a step's typed error in, catch the generator's return), so :func:`drive`
and :func:`adrive` are the same loop and differ only in ``await``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from langchain_compat_chat._http.call import Request, json_body
from langchain_compat_chat._http.files import abody_chunks, body_chunks
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._wire.batch_lines import BatchInfo, PartMeta
from langchain_compat_chat.errors import CompatChatError

__all__ = ["Download", "Part", "Send", "Sleep", "Steps", "adrive", "drive"]

T = TypeVar("T")


@dataclass(frozen=True)
class Send:
    """Send a request; the driver answers with its JSON."""

    request: Request

    def run(self, session: Session) -> Any:
        return json_body(session.send(self.request))

    async def arun(self, session: Session) -> Any:
        return json_body(await session.asend(self.request))


@dataclass(frozen=True)
class Sleep:
    seconds: float

    def run(self, session: Session) -> None:
        time.sleep(self.seconds)

    async def arun(self, session: Session) -> None:
        await asyncio.sleep(self.seconds)


@dataclass(frozen=True)
class Download:
    """Read a response's body into ``sink`` chunk by chunk."""

    request: Request
    sink: Callable[[bytes], None]

    def run(self, session: Session) -> None:
        with session.open_stream(self.request) as events:
            for chunk in body_chunks(events):
                self.sink(chunk)

    async def arun(self, session: Session) -> None:
        async with session.aopen_stream(self.request) as events:
            async for chunk in abody_chunks(events):
                self.sink(chunk)


Op = Send | Sleep | Download
Steps = Generator[Op, Any, T]


class _Run(Generic[T]):
    """One step generator being driven: iterate it for its steps, answer each, read ``value``.

    What a step gave (``reply``) or failed with (``error``, set by :meth:`answering`) goes
    back into the generator when the next step is asked for, the error thrown at the
    ``yield`` that asked, so the job's own ``try`` blocks see it.
    """

    __slots__ = ("_steps", "error", "reply", "value")

    def __init__(self, steps: Steps[T]) -> None:
        self._steps = steps
        self.reply: Any = None
        self.error: CompatChatError | None = None
        self.value: T

    def __iter__(self) -> Iterator[Op]:
        steps = self._steps
        while True:
            try:
                op = steps.throw(self.error) if self.error is not None else steps.send(self.reply)
            except StopIteration as stop:
                self.value = cast(T, stop.value)
                return
            self.reply, self.error = None, None
            yield op

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around one step's I/O: its typed error is kept for the generator, not raised."""
        try:
            yield
        except CompatChatError as exc:
            self.error = exc


def drive(steps: Steps[T], session: Session) -> T:
    """Run ``steps`` with the sync session; a step's typed error is raised inside them."""
    run = _Run(steps)
    for op in run:
        with run.answering():
            run.reply = op.run(session)
    return run.value


async def adrive(steps: Steps[T], session: Session) -> T:
    """Async :func:`drive`."""
    run = _Run(steps)
    for op in run:
        with run.answering():
            run.reply = await op.arun(session)
    return run.value


@dataclass
class Part:
    """One batch of a job: its place among the inputs and its last known state."""

    meta: PartMeta
    info: BatchInfo
