"""Batch API shapes, pure: request lines, upload frame, batch objects, result lines.

JSONL request lines, the multipart upload frame, batch objects, the grouping metadata and
the output and error file lines.

No I/O here: ``batch.py`` builds the lines from the model's own body builder and hands the
bytes to the HTTP layer; what comes back is read here, line by line, into the chat
completion body (parsed by the same ``to_chat_result`` as ``invoke``) or the typed error
``error_from_payload`` gives for the same failure of an interactive call.

Shapes follow OpenAI's API reference: the input line
``{"custom_id", "method", "url", "body"}`` (https://platform.openai.com/docs/api-reference/
batch/request-input), the output line ``{"id", "custom_id", "response": {"status_code",
"request_id", "body"}, "error"}`` (.../batch/request-output) and the batch object
(.../batch/object).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_compat_chat.errors import (
    BatchCancelledError,
    BatchExpiredError,
    CompatChatError,
    MalformedResponseError,
    ResponseTooLargeError,
    error_from_payload,
    preview,
)

__all__ = [
    "LIST_LIMIT",
    "LIST_PAGES",
    "TERMINAL",
    "BatchInfo",
    "LineSplitter",
    "PartMeta",
    "ResultLine",
    "custom_id",
    "index_of",
    "is_part_batch",
    "is_part_file",
    "list_page",
    "multipart_frame",
    "parse_batch",
    "parse_result_line",
    "part_filename",
    "part_metadata",
    "read_part_meta",
    "request_line",
]

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""Statuses after which a batch never changes (OpenAI's batch object ``status``)."""

_ID_PREFIX = "lc-"
# Metadata keys of the job's grouping; OpenAI allows 16 keys of at most 64 characters and
# values of at most 512 (https://platform.openai.com/docs/api-reference/batch/create).
_META = "lcc_"
_META_KEYS = ("part", "parts", "offset", "count", "next", "group", "tool_check")
# Error codes of lines that never ran (OpenAI writes them to the error file):
# https://platform.openai.com/docs/guides/batch#batch-expiration
_NEVER_RAN: Mapping[str, type[CompatChatError]] = {
    "batch_expired": BatchExpiredError,
    "batch_cancelled": BatchCancelledError,
}
_KNOWN_LINE_FIELDS = frozenset({"id", "custom_id", "response", "error"})
_KNOWN_BATCH_FIELDS = frozenset(
    {"id", "status", "request_counts", "output_file_id", "error_file_id", "metadata", "errors"}
)


def custom_id(index: int) -> str:
    """The ``custom_id`` of input ``index``: stable, so a resumed job maps lines back."""
    return f"{_ID_PREFIX}{index}"


def index_of(value: Any) -> int | None:
    """The input index a ``custom_id`` names, or ``None`` for an id this package did not make."""
    if not isinstance(value, str) or not value.startswith(_ID_PREFIX):
        return None
    digits = value[len(_ID_PREFIX) :]
    return int(digits) if digits.isdigit() else None


def request_line(cid: str, url: str, body: bytes) -> bytes:
    """One JSONL input line around ``body``, the exact bytes ``invoke`` would send."""
    head = json.dumps({"custom_id": cid, "method": "POST", "url": url})
    return head[:-1].encode() + b', "body": ' + body + b"}\n"


def multipart_frame(purpose: str, filename: str, boundary: str) -> tuple[bytes, bytes, str]:
    """What goes before and after the JSONL in a ``POST /files`` body, and its content type.

    The file is the last part, so the JSONL streams between the two without being held.
    """
    dash = f"--{boundary}\r\n"
    head = (
        f'{dash}Content-Disposition: form-data; name="purpose"\r\n\r\n{purpose}\r\n'
        f'{dash}Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/jsonl\r\n\r\n"
    )
    tail = f"\r\n--{boundary}--\r\n"
    return head.encode(), tail.encode(), f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class PartMeta:
    """Where one batch sits in a job split over several: recovered from its metadata.

    Attributes:
        part: Its place among the job's batches, from 0.
        parts: How many batches the job has.
        offset: Index of its first input.
        count: How many inputs it carries.
        next_id: The next batch's id (``None`` for the last).
        group: The job's random group id, the same on every batch of it.
        tool_check: A forced tool that went out as ``"auto"`` (``"*"``: any tool), whose
            call every answer must carry (``ForcedToolPlan``); ``None`` when none.

    """

    part: int
    parts: int
    offset: int
    count: int
    next_id: str | None
    group: str
    tool_check: str | None = None


def part_metadata(meta: PartMeta, user: Mapping[str, str] | None = None) -> dict[str, str]:
    """The batch's ``metadata``: the caller's own, plus the grouping as strings."""
    values = {
        "part": str(meta.part),
        "parts": str(meta.parts),
        "offset": str(meta.offset),
        "count": str(meta.count),
        "next": meta.next_id,
        "group": meta.group,
        "tool_check": meta.tool_check,
    }
    ours = {_META + k: v for k, v in values.items() if v is not None}
    return {**(user or {}), **ours}


def read_part_meta(metadata: Any) -> PartMeta | None:
    """The grouping a batch's metadata carries; ``None`` for a batch this package did not make."""
    if not isinstance(metadata, Mapping):
        return None
    values = {k: metadata.get(_META + k) for k in _META_KEYS}
    numbers = [values[k] for k in ("part", "parts", "offset", "count")]
    if not all(isinstance(n, str) and n.isdigit() for n in numbers):
        return None
    next_id, group, tool = values["next"], values["group"], values["tool_check"]
    return PartMeta(
        part=int(values["part"] or 0),
        parts=int(values["parts"] or 0),
        offset=int(values["offset"] or 0),
        count=int(values["count"] or 0),
        next_id=next_id if isinstance(next_id, str) and next_id else None,
        group=group if isinstance(group, str) else "",
        tool_check=tool if isinstance(tool, str) and tool else None,
    )


@dataclass(frozen=True)
class BatchInfo:
    """One batch object as the provider last described it.

    Attributes:
        id: The batch id.
        status: Lower-cased (Together sends ``IN_PROGRESS``); unknown ones are kept.
        total: ``request_counts.total`` (``None`` when the provider sends no counts).
        completed: ``request_counts.completed``.
        failed: ``request_counts.failed``.
        output_file_id: The answers' file, once there is one.
        error_file_id: The failed and never-run lines' file, once there is one.
        metadata: The batch's metadata.
        errors: The provider's reasons for a ``failed`` batch, as text.
        extra: Every other field the provider sent, kept as is.

    """

    id: str
    status: str
    total: int | None = None
    completed: int | None = None
    failed: int | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        """Whether the batch has finished, one way or another."""
        return self.status in TERMINAL


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_batch(payload: Any, envelope: str | None = None) -> BatchInfo:
    """A batch object (or Together's ``{"job": {...}}``) as a :class:`BatchInfo`.

    Raises:
        MalformedResponseError: No batch object with a string ``id`` and ``status``.

    """
    obj = payload
    if envelope is not None and isinstance(obj, Mapping) and isinstance(obj.get(envelope), Mapping):
        obj = obj[envelope]
    if not (
        isinstance(obj, Mapping)
        and isinstance(obj.get("id"), str)
        and isinstance(obj.get("status"), str)
    ):
        raise MalformedResponseError(
            "The server's answer is not a batch object (no string 'id' and 'status')",
            body=preview(payload),
        )
    counts = obj.get("request_counts")
    counts = counts if isinstance(counts, Mapping) else {}
    errors = obj.get("errors")
    data = errors.get("data") if isinstance(errors, Mapping) else errors
    reasons = tuple(
        f"{e.get('code') or 'error'}: {e.get('message') or ''}"
        + (f" (line {e['line']})" if e.get("line") is not None else "")
        for e in (data if isinstance(data, list) else [])
        if isinstance(e, Mapping)
    )
    if not reasons and isinstance(obj.get("error"), str) and obj["error"]:
        reasons = (obj["error"],)  # Together's job object: one "error" string
    metadata = obj.get("metadata")
    return BatchInfo(
        id=obj["id"],
        status=obj["status"].lower(),
        total=_count(counts.get("total")),
        completed=_count(counts.get("completed")),
        failed=_count(counts.get("failed")),
        output_file_id=_text_id(obj.get("output_file_id")),
        error_file_id=_text_id(obj.get("error_file_id")),
        metadata=dict(metadata) if isinstance(metadata, Mapping) else {},
        errors=reasons,
        extra={k: v for k, v in obj.items() if k not in _KNOWN_BATCH_FIELDS},
    )


# -- finding what a failed create made -------------------------------------------------------
LIST_LIMIT = 100
"""Objects asked for per list page: OpenAI's most for ``GET /batches`` ("Limit can range
between 1 and 100", https://platform.openai.com/docs/api-reference/batch/list); ``GET
/files`` allows up to 10,000 (https://platform.openai.com/docs/api-reference/files/list)."""
LIST_PAGES = 3
"""Pages read at most when looking for what a failed create made: it was made seconds
ago, so it is among the newest, and a bounded look never turns into a crawl of a long
history."""


def part_filename(group: str, part: int) -> str:
    """The uploaded file's name: the job's group and the part, so a listing shows it as ours."""
    return f"batch-{group}-{part}.jsonl"


def list_page(payload: Any) -> tuple[list[Any], str | None]:
    """A list answer's objects and the cursor of the next page (``None`` on the last).

    OpenAI's shape is ``{"data": [...], "has_more", "last_id"}`` (the ``after`` cursor is
    the last id, https://platform.openai.com/docs/api-reference/batch/list); Together's
    ``GET /batches`` answers a bare array of jobs, one page in all
    (https://docs.together.ai/reference/batch-list).

    Raises:
        MalformedResponseError: The answer is neither shape.

    """
    if isinstance(payload, list):
        return payload, None
    data = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(data, list):
        raise MalformedResponseError(
            "The server's list answer has no 'data' array",
            body=preview(payload),
        )
    after: Any = None
    if payload.get("has_more") is True and data:
        after = payload.get("last_id") or (
            data[-1].get("id") if isinstance(data[-1], Mapping) else None
        )
    return data, after if isinstance(after, str) and after else None


def is_part_batch(obj: Any, input_file_id: str, group: str, part: int) -> bool:
    """Whether a listed batch is the one this job's part ``part`` asked for.

    Its input file is the one uploaded for the part (every provider's batch object names it,
    Together's job included), or its metadata carries the job's random group id and the
    part (a provider that keeps metadata); either holds only for a batch this submit made.
    """
    if not isinstance(obj, Mapping):
        return False
    if obj.get("input_file_id") == input_file_id:
        return True
    meta = read_part_meta(obj.get("metadata"))
    return meta is not None and meta.group == group and meta.part == part


def is_part_file(obj: Any, filename: str, size: int) -> bool:
    """Whether a listed file is a whole copy of this part's upload: its name and size.

    The name carries the job's random group id (:func:`part_filename`); ``bytes`` is the
    file's size (https://platform.openai.com/docs/api-reference/files/object), so a file
    the server kept whole has exactly the size we sent.
    """
    return isinstance(obj, Mapping) and obj.get("filename") == filename and obj.get("bytes") == size


class LineSplitter:
    """Bytes of a JSONL file, as they arrive, into whole lines; each line's size is capped.

    Only the unfinished line is held, so a file of any size is read in bounded memory.

    Args:
        limit: Longest line accepted, in bytes (``None``: no limit).

    """

    __slots__ = ("_limit", "_pending", "_size")

    def __init__(self, limit: int | None) -> None:
        self._limit = limit
        self._pending: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines ``chunk`` completes (blank lines dropped).

        Raises:
            ResponseTooLargeError: A line grew past the limit.

        """
        if b"\n" not in chunk:
            self._hold(chunk)
            return []
        pieces = chunk.split(b"\n")
        tail = pieces.pop()
        if self._pending:
            self._hold(pieces[0])
            pieces[0] = b"".join(self._pending)
            self._pending.clear()
            self._size = 0
        self._hold(tail)
        lines = [p for p in pieces if p.strip()]
        if self._limit is not None:
            for line in lines:
                self._check(len(line))
        return lines

    def close(self) -> list[bytes]:
        """The last line, when the file does not end in a newline."""
        line = b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        return [line] if line.strip() else []

    def _hold(self, piece: bytes) -> None:
        if piece:
            self._pending.append(piece)
            self._size += len(piece)
            self._check(self._size)

    def _check(self, size: int) -> None:
        if self._limit is not None and size > self._limit:
            raise ResponseTooLargeError(
                f"A line of the batch's result file is larger than max_response_bytes="
                f"{self._limit:,}; raise the limit if the answers really are that long"
            )


@dataclass(frozen=True)
class ResultLine:
    """One line of an output or error file.

    Attributes:
        index: The input it answers (``None`` for a ``custom_id`` this package did not make).
        custom_id: As the provider sent it.
        body: The chat completion body, when the line succeeded.
        error: The typed error, when it did not.
        meta: The line's ``id``, ``request_id`` and any unknown fields, for metadata.

    """

    index: int | None
    custom_id: Any
    body: Mapping[str, Any] | None
    error: CompatChatError | None
    meta: Mapping[str, Any]


def parse_result_line(line: bytes) -> ResultLine:
    """Read one output/error line; a failure becomes the error an interactive call would give.

    Raises:
        MalformedResponseError: The line is not a JSON object.

    """
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise MalformedResponseError(
            f"A line of the batch's result file is not JSON ({exc})",
            body=preview(line),
        ) from None
    if not isinstance(obj, Mapping):
        raise MalformedResponseError(
            "A line of the batch's result file is not a JSON object",
            body=preview(line),
        )
    cid = obj.get("custom_id")
    response = obj.get("response")
    response = response if isinstance(response, Mapping) else None
    request_id = _text_id(response.get("request_id")) if response else None
    meta: dict[str, Any] = {"custom_id": cid, "batch_request_id": obj.get("id")}
    if request_id is not None:
        meta["request_id"] = request_id
    meta.update({k: v for k, v in obj.items() if k not in _KNOWN_LINE_FIELDS})
    status = response.get("status_code") if response else None
    body: Any = response.get("body") if response else None
    if isinstance(body, str):  # a provider that sends the body as JSON text
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    error = obj.get("error")
    index = index_of(cid)
    if response is not None and status in (200, None) and isinstance(body, Mapping) and not error:
        return ResultLine(index, cid, body, None, meta)
    return ResultLine(index, cid, None, _line_error(obj, status, body, request_id), meta)


def _line_error(
    obj: Mapping[str, Any], status: Any, body: Any, request_id: str | None
) -> CompatChatError:
    """The typed error of a failed line: the HTTP answer it got, or why it never ran."""
    error = obj.get("error")
    code = error.get("code") if isinstance(error, Mapping) else None
    message = error.get("message") if isinstance(error, Mapping) else None
    never_ran = _NEVER_RAN.get(code) if isinstance(code, str) else None
    text = json.dumps(obj, default=repr)
    if never_ran is not None:
        return never_ran(
            f"The request was not run: {message or code}",
            code=code,
            request_id=request_id,
            body=text,
        )
    code_status = status if isinstance(status, int) and not isinstance(status, bool) else None
    payload = body if body is not None and code_status not in (None, 200) else error
    return error_from_payload(
        payload if payload is not None else {"message": "The line has neither answer nor error"},
        status_code=code_status if code_status != 200 else None,
        request_id=request_id,
        body=text,
        default_message="The batch line failed",
    )
