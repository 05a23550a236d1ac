"""The reference server's ``/v1/files`` and ``/v1/batches`` routes and the batch runner.

A batch is an asyncio task on the server's loop that walks OpenAI's life cycle
(``validating`` -> ``in_progress`` -> ``finalizing`` -> ``completed``, or ``failed``,
``expired``, ``cancelling`` -> ``cancelled``) with the timestamps, ``request_counts``,
``usage`` and ``errors`` of ``openai-python`` ``src/openai/types/batch.py``. Every line is
answered by the server's own Chat Completions logic (the ``complete`` callable: the same
validation, thinking rules and generation as ``POST /v1/chat/completions``), so a line with
a bad tool schema fails exactly as the interactive call would.

The routes (``_routes/files.py``, ``_routes/batches.py``) hand each request to the
:class:`BatchApi` of their server. The input file is read twice from disk, line by line
(validating, then running); output lines go to disk through a small shuffling window.
Memory per batch is the ``custom_id``
set and one window of lines, whatever the file's size.

Create-time errors are 400/404 answers (a missing or invalid parameter: BerriAI/litellm#37146;
an unknown file: OpenAI's ``No such File object``; a file whose purpose is not ``batch``:
llm-d/llm-d-batch-gateway#150). Problems inside the file fail the batch with ``errors``
(``_batch_lines.py``). Cancelling keeps the finished lines in the output file and writes
no line for the others, as OpenAI documents ("partial results (if any) available in the
output file", platform.openai.com/docs/api-reference/batch/cancel).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import parse_qs

from langchain_compat_chat.testing._batch_config import BatchConfig
from langchain_compat_chat.testing._batch_lines import (
    Validation,
    expired_line,
    fault_for,
    fault_payload,
    response_line,
)
from langchain_compat_chat.testing._files import (
    BATCH_OUTPUT_PURPOSE,
    FileStore,
    StoredFile,
    read_upload,
)
from langchain_compat_chat.testing._http import Request, write_file, write_response
from langchain_compat_chat.testing._scripted import dumps
from langchain_compat_chat.testing._validate import ApiError, parse_body

__all__ = ["BatchApi", "CompleteLine"]

CompleteLine = Callable[[dict[str, Any]], dict[str, Any]]
"""Answers one chat body like ``POST /v1/chat/completions`` (raises ``ApiError``)."""

ENDPOINTS = (
    "/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
    "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos",
)  # fmt: skip
"""The endpoints OpenAI's batches take (``openai-python`` ``batch_create_params.py``)."""

SERVED_ENDPOINTS = ("/v1/chat/completions",)
"""The endpoints this server runs batches for (it serves no other generation route)."""

_WINDOW = 256
_YIELD_EVERY = 32
_COMPLETION_WINDOW_S = 24 * 3600


@dataclass
class _Batch:
    """One batch: the OpenAI batch object's fields and what its runner needs."""

    id: str
    endpoint: str
    input_file_id: str
    metadata: dict[str, str] | None
    created_at: int
    config: BatchConfig
    complete: CompleteLine
    status: str = "validating"
    times: dict[str, int] = field(default_factory=dict)
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    model: str | None = None
    usage: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("input", "cached", "output", "reasoning"), 0)
    )
    created: float = field(default_factory=time.time)
    """The exact creation time (``created_at`` is whole seconds): the expiry clock's start."""
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def expires_at(self) -> int:
        window = self.config.expire_after_s
        return self.created_at + (_COMPLETION_WINDOW_S if window is None else math.ceil(window))

    def set_status(self, status: str) -> None:
        self.status = status
        self.times[status] = int(time.time())

    def to_json(self) -> dict[str, Any]:
        at = self.times.get
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.model,
            "errors": None if self.errors is None else {"object": "list", "data": self.errors},
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "in_progress_at": at("in_progress"),
            "expires_at": self.expires_at,
            "finalizing_at": at("finalizing"),
            "completed_at": at("completed"),
            "failed_at": at("failed"),
            "expired_at": at("expired"),
            "cancelling_at": at("cancelling"),
            "cancelled_at": at("cancelled"),
            "request_counts": {
                "total": self.total,
                "completed": self.completed,
                "failed": self.failed,
            },
            "usage": {
                "input_tokens": self.usage["input"],
                "input_tokens_details": {"cached_tokens": self.usage["cached"]},
                "output_tokens": self.usage["output"],
                "output_tokens_details": {"reasoning_tokens": self.usage["reasoning"]},
                "total_tokens": self.usage["input"] + self.usage["output"],
            },
            "metadata": self.metadata,
        }


class _ShuffledFile:
    """A JSONL output file written through a window that is shuffled before each flush."""

    def __init__(self, store: FileStore, rng: random.Random, shuffle: bool) -> None:
        self.store = store
        self.rng = rng
        self.shuffle = shuffle
        self.window: list[bytes] = []
        self.handle: IO[bytes] | None = None
        self.file_id = ""
        self.lines = 0

    def add(self, line: Mapping[str, Any]) -> None:
        self.window.append(dumps(line) + b"\n")
        self.lines += 1
        if len(self.window) >= _WINDOW:
            self.flush()

    def flush(self) -> None:
        if not self.window:
            return
        if self.handle is None:
            self.file_id, path = self.store.new_path()
            self.handle = path.open("wb")
        if self.shuffle:
            self.rng.shuffle(self.window)
        self.handle.writelines(self.window)
        self.window.clear()

    def publish(self, filename: str) -> str | None:
        """Close the file and register it; ``None`` when no line was written."""
        self.flush()
        if self.handle is None:
            return None
        self.handle.close()
        path = self.store.directory / self.file_id
        return self.store.add(self.file_id, path, filename, BATCH_OUTPUT_PURPOSE).id


def _bad(message: str, param: str | None, code: str = "invalid_value") -> ApiError:
    return ApiError(400, message, "invalid_request_error", param, code)


def _check_create(body: Mapping[str, Any]) -> None:
    for name in ("input_file_id", "endpoint", "completion_window"):
        if body.get(name) is None:
            raise _bad(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        if not isinstance(body[name], str):
            raise _bad(f"Invalid type for '{name}': expected a string.", name, "invalid_type")
    endpoint = body["endpoint"]
    if endpoint not in ENDPOINTS:
        raise _bad(
            f"Invalid value for 'endpoint': '{endpoint}'. Supported values are: "
            + ", ".join(f"'{e}'" for e in ENDPOINTS)
            + ".",
            "endpoint",
        )
    if endpoint not in SERVED_ENDPOINTS:
        raise _bad(
            f"The reference server runs batches for {', '.join(SERVED_ENDPOINTS)} only, "
            f"not '{endpoint}'.",
            "endpoint",
        )
    if body["completion_window"] != "24h":
        raise _bad(
            f"Invalid value for 'completion_window': '{body['completion_window']}'. "
            "Supported values are: '24h'.",
            "completion_window",
        )
    _check_metadata(body.get("metadata"))


def _check_metadata(metadata: Any) -> None:
    """OpenAI's metadata rules: at most 16 pairs, keys <= 64 and values <= 512 characters."""
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise _bad("Invalid type for 'metadata': expected an object.", "metadata", "invalid_type")
    if len(metadata) > 16:
        raise _bad("Invalid 'metadata': too many properties (at most 16).", "metadata")
    for key, value in metadata.items():
        if len(key) > 64:
            raise _bad(f"Invalid 'metadata': key '{key[:64]}...' is too long.", "metadata")
        if not isinstance(value, str) or len(value) > 512:
            raise _bad(
                f"Invalid 'metadata.{key}': expected a string of at most 512 characters.",
                f"metadata.{key}",
            )


def _query(req: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(req.query, keep_blank_values=True).items()}


def _limit(query: Mapping[str, str], default: int, top: int) -> int:
    text = query.get("limit")
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= top:
        raise _bad(f"Invalid 'limit': expected an integer between 1 and {top}.", "limit")
    return value


class BatchApi:
    """The files and batches routes of one server, and the batches it runs.

    All methods run on the server's event-loop thread.

    Args:
        complete_for: Given the request that created a batch, the callable that answers its
            lines (bound to that request's dialect).
        purposes_for: The file purposes a batch input may have for a request's dialect.
        config: The current :class:`BatchConfig` (read when a batch is created).

    """

    def __init__(
        self,
        complete_for: Callable[[Request], CompleteLine],
        purposes_for: Callable[[Request], tuple[str, ...]],
        config: BatchConfig | None = None,
    ) -> None:
        self.files = FileStore()
        self._complete_for = complete_for
        self._purposes_for = purposes_for
        self._default = config or BatchConfig()
        self._config = self._default
        self._lock = threading.Lock()
        self._batches: dict[str, _Batch] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def config(self) -> BatchConfig:
        """The configuration batches created from now on get (thread-safe)."""
        with self._lock:
            return self._config

    @config.setter
    def config(self, config: BatchConfig | None) -> None:
        with self._lock:
            self._config = config or self._default

    @staticmethod
    def spools(method: str, path: str) -> bool:
        """Whether a request's body is an upload to stream to disk (``read_request``)."""
        return method == "POST" and path.rstrip("/").removeprefix("/v1") == "/files"

    def reset(self) -> None:
        """From any thread: stop every batch, delete every file, restore the configuration."""
        self.config = None
        loop = self._loop
        if loop is not None and loop.is_running():
            with contextlib.suppress(RuntimeError, TimeoutError):
                asyncio.run_coroutine_threadsafe(self._aclose(), loop).result(5.0)
        else:
            self.close()

    async def _aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """On the loop thread, or once it stopped: stop every batch and delete every file."""
        for batch in self._batches.values():
            if batch.task is not None:
                batch.task.cancel()
        self._batches.clear()
        self.files.close()

    # ------------------------------------------------------------------------------------
    # routes
    # ------------------------------------------------------------------------------------
    async def _reply(self, req: Request, writer: asyncio.StreamWriter, payload: Any) -> bool:
        await write_response(writer, 200, dumps(payload), keep_alive=req.keep_alive)
        return True

    async def upload(
        self, req: Request, writer: asyncio.StreamWriter, _: Mapping[str, str]
    ) -> bool:
        if req.upload is None:
            raise ApiError(400, "Missing required parameter: 'file'.", param="file")
        with req.upload:
            stored = read_upload(
                self.files,
                req.upload,
                req.headers.get("content-type", ""),
                self._purposes_for(req),
            )
        return await self._reply(req, writer, stored.to_json())

    async def list_files(
        self, req: Request, writer: asyncio.StreamWriter, _: Mapping[str, str]
    ) -> bool:
        query = _query(req)
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise _bad(f"Invalid value for 'order': '{order}'.", "order")
        page = self.files.listing(
            purpose=query.get("purpose"),
            limit=_limit(query, 10_000, 10_000),
            after=query.get("after"),
            order=order,
        )
        return await self._reply(req, writer, page)

    async def get_file(
        self, req: Request, writer: asyncio.StreamWriter, m: Mapping[str, str]
    ) -> bool:
        return await self._reply(req, writer, self.files.get(m["id"]).to_json())

    async def delete_file(
        self, req: Request, writer: asyncio.StreamWriter, m: Mapping[str, str]
    ) -> bool:
        return await self._reply(req, writer, self.files.delete(m["id"]))

    async def file_content(
        self, req: Request, writer: asyncio.StreamWriter, m: Mapping[str, str]
    ) -> bool:
        stored = self.files.get(m["id"])
        with stored.path.open("rb") as source:
            await write_file(writer, source, stored.bytes, keep_alive=req.keep_alive)
        return True

    async def create(
        self, req: Request, writer: asyncio.StreamWriter, _: Mapping[str, str]
    ) -> bool:
        body = parse_body(req.body)
        _check_create(body)
        stored = self.files.get(body["input_file_id"], "input_file_id")
        purposes = self._purposes_for(req)
        if stored.purpose not in purposes:
            raise _bad(
                f"The input file {stored.id} has purpose '{stored.purpose}'; a batch input "
                f"file must be uploaded with purpose '{purposes[0]}'.",
                "input_file_id",
            )
        batch = _Batch(
            id="batch_" + secrets.token_hex(16),
            endpoint=body["endpoint"],
            input_file_id=stored.id,
            metadata=body.get("metadata"),
            created_at=int(time.time()),
            config=self.config,
            complete=self._complete_for(req),
        )
        self._batches[batch.id] = batch
        self._loop = asyncio.get_running_loop()
        batch.task = self._loop.create_task(self._run(batch, stored))
        return await self._reply(req, writer, batch.to_json())

    def _batch(self, batch_id: str) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise ApiError(404, f"No batch found with id '{batch_id}'.", param="batch_id")
        return batch

    async def retrieve(
        self, req: Request, writer: asyncio.StreamWriter, m: Mapping[str, str]
    ) -> bool:
        return await self._reply(req, writer, self._batch(m["id"]).to_json())

    async def list_batches(
        self, req: Request, writer: asyncio.StreamWriter, _: Mapping[str, str]
    ) -> bool:
        query = _query(req)
        limit = _limit(query, 20, 100)
        batches = list(reversed(self._batches.values()))
        after = query.get("after")
        if after is not None:
            ids = [b.id for b in batches]
            batches = batches[ids.index(after) + 1 :] if after in ids else []
        page = batches[:limit]
        return await self._reply(
            req,
            writer,
            {
                "object": "list",
                "data": [b.to_json() for b in page],
                "first_id": page[0].id if page else None,
                "last_id": page[-1].id if page else None,
                "has_more": len(batches) > limit,
            },
        )

    async def cancel(
        self, req: Request, writer: asyncio.StreamWriter, m: Mapping[str, str]
    ) -> bool:
        batch = self._batch(m["id"])
        if batch.status in ("completed", "failed", "expired"):
            # A 400, not a 409: clients retry 409s as conflicts, and this never succeeds.
            raise _bad(
                f"Cannot cancel a batch with status '{batch.status}'.", None, "invalid_request"
            )
        if batch.status not in ("cancelling", "cancelled"):
            batch.set_status("cancelling")
            batch.cancel.set()
        return await self._reply(req, writer, batch.to_json())

    # ------------------------------------------------------------------------------------
    # the runner
    # ------------------------------------------------------------------------------------
    async def _pause(self, batch: _Batch, seconds: float) -> None:
        """Sleep, but wake at once when the batch is cancelled."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(batch.cancel.wait(), seconds)

    async def _run(self, batch: _Batch, stored: StoredFile) -> None:
        try:
            with stored.path.open("rb") as source:
                await self._pause(batch, batch.config.validating_s)
                if not batch.cancel.is_set():
                    errors = self._validate(batch, source, stored.bytes)
                    if errors:
                        batch.errors = errors
                        batch.set_status("failed")
                        return
                    batch.set_status("in_progress")
                    source.seek(0)
                    await self._process(batch, source)
                    return
            await self._finish_cancel(batch, None, None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the server's own bug: fail the batch, never hang it
            batch.errors = [
                {"code": "internal_error", "message": repr(exc), "param": None, "line": None}
            ]
            batch.set_status("failed")

    def _validate(self, batch: _Batch, source: IO[bytes], size: int) -> list[dict[str, Any]]:
        check = Validation(batch.endpoint, batch.config)
        for number, raw in _lines(source):
            check.feed(number, raw)
        batch.total = check.lines
        batch.model = check.model
        return check.finish(size)

    async def _process(self, batch: _Batch, source: IO[bytes]) -> None:
        config = batch.config
        rng = random.Random(f"{config.seed}:{batch.id}")
        output = _ShuffledFile(self.files, rng, config.shuffle)
        errors = _ShuffledFile(self.files, rng, config.shuffle)
        pace = config.processing_s * _YIELD_EVERY / max(1, batch.total)
        window = config.expire_after_s
        deadline = None if window is None else batch.created + window
        lines = _lines(source)
        for done, (_, raw) in enumerate(lines):
            if batch.cancel.is_set():
                break
            line = json.loads(raw)
            if deadline is not None and time.time() >= deadline:
                errors.add(expired_line(line["custom_id"]))
                for _, rest in lines:
                    errors.add(expired_line(json.loads(rest)["custom_id"]))
                batch.failed = batch.total - batch.completed
                self._publish(batch, output, errors)
                batch.set_status("expired")
                return
            self._answer(batch, line, output, errors)
            if (done + 1) % _YIELD_EVERY == 0:
                await self._pause(batch, pace)
        if batch.cancel.is_set():
            await self._finish_cancel(batch, output, errors)
            return
        batch.set_status("finalizing")
        await self._pause(batch, config.finalizing_s)
        self._publish(batch, output, errors)
        if batch.cancel.is_set():
            batch.set_status("cancelled")
            return
        batch.set_status("completed")

    def _answer(
        self, batch: _Batch, line: Mapping[str, Any], output: _ShuffledFile, errors: _ShuffledFile
    ) -> None:
        custom_id = line["custom_id"]
        fault = fault_for(custom_id, batch.config)
        if fault is not None:
            errors.add(response_line(custom_id, fault.status, fault_payload(fault)))
            batch.failed += 1
            return
        try:
            completion = batch.complete(dict(line["body"]))
        except ApiError as err:
            errors.add(response_line(custom_id, err.status, err.payload()))
            batch.failed += 1
            return
        output.add(response_line(custom_id, 200, completion))
        batch.completed += 1
        usage = completion.get("usage") or {}
        batch.usage["input"] += int(usage.get("prompt_tokens") or 0)
        batch.usage["output"] += int(usage.get("completion_tokens") or 0)
        prompt_details = usage.get("prompt_tokens_details") or {}
        batch.usage["cached"] += int(prompt_details.get("cached_tokens") or 0)
        output_details = usage.get("completion_tokens_details") or {}
        batch.usage["reasoning"] += int(output_details.get("reasoning_tokens") or 0)

    async def _finish_cancel(
        self, batch: _Batch, output: _ShuffledFile | None, errors: _ShuffledFile | None
    ) -> None:
        await asyncio.sleep(batch.config.cancelling_s)
        if output is not None and errors is not None:
            self._publish(batch, output, errors)
        batch.set_status("cancelled")

    def _publish(self, batch: _Batch, output: _ShuffledFile, errors: _ShuffledFile) -> None:
        batch.output_file_id = output.publish(f"{batch.id}_output.jsonl")
        batch.error_file_id = errors.publish(f"{batch.id}_error.jsonl")


def _lines(source: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """The numbered (from 1) lines of a JSONL file without line ends; blank lines skipped."""
    for number, raw in enumerate(source, 1):
        if raw.strip():
            yield number, raw.rstrip(b"\r\n")
