"""The Batch API job's steps and their two drivers: the job logic is written once.

Every job operation (submit, resume, refresh, wait, cancel, read results) is a generator
of steps: :class:`Send` a request (answered with its JSON), :class:`Sleep`, :class:`Download`
a file into a sink. :func:`drive` runs them with the sync session, :func:`adrive` with
``await``; a step's typed error is thrown back into the generator, so the rules stay in one
place and only these two loops are twins.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

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


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Download:
    """Read a response's body into ``sink`` chunk by chunk."""

    request: Request
    sink: Callable[[bytes], None]


Op = Send | Sleep | Download
Steps = Generator[Op, Any, T]


def drive(steps: Steps[T], session: Session) -> T:
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
            if isinstance(op, Send):
                reply = json_body(session.send(op.request))
            elif isinstance(op, Sleep):
                time.sleep(op.seconds)
            else:
                with session.open_stream(op.request) as events:
                    for chunk in body_chunks(events):
                        op.sink(chunk)
        except CompatChatError as exc:
            error = exc


async def adrive(steps: Steps[T], session: Session) -> T:
    """Async :func:`drive`."""
    reply: Any = None
    error: CompatChatError | None = None
    while True:
        try:
            op = steps.throw(error) if error is not None else steps.send(reply)
        except StopIteration as stop:
            return cast(T, stop.value)
        reply, error = None, None
        try:
            if isinstance(op, Send):
                reply = json_body(await session.asend(op.request))
            elif isinstance(op, Sleep):
                await asyncio.sleep(op.seconds)
            else:
                async with session.aopen_stream(op.request) as events:
                    async for chunk in abody_chunks(events):
                        op.sink(chunk)
        except CompatChatError as exc:
            error = exc


@dataclass
class Part:
    """One batch of a job: its place among the inputs and its last known state."""

    meta: PartMeta
    info: BatchInfo
