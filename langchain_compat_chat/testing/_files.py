"""The reference server's ``/v1/files``: uploads streamed to disk, metadata, content, delete.

Files live in a temporary directory of the server (removed when it stops); only their
metadata is in memory, so a 200 MB batch input file costs a few hundred bytes of memory
and one block of it while it is uploaded or downloaded. The file object and the errors
follow OpenAI's API reference (``openai-python`` ``src/openai/types/file_object.py``,
``file_deleted.py``, ``file_list_params.py``).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from langchain_compat_chat.testing._validate import ApiError

__all__ = ["FileStore", "StoredFile", "parse_multipart"]

UPLOAD_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
"""The purposes ``POST /v1/files`` takes on OpenAI (``file_create_params.py``)."""

BATCH_OUTPUT_PURPOSE = "batch_output"
"""The purpose of the output and error files a batch writes."""

_BATCH_FILE_TTL_S = 30 * 24 * 3600
"""Batch files expire after 30 days by default (``file_create_params.py``, ``expires_after``)."""

_MAX_FIELD = 64 * 1024
_MAX_PART_HEAD = 16 * 1024
_BLOCK = 256 * 1024
_BOUNDARY_RE = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_DISPOSITION_RE = re.compile(r'(\w+)\*?=(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')


@dataclass
class StoredFile:
    """One file's metadata; its bytes are at :attr:`path`.

    Attributes:
        id: ``file-`` and 24 letters and digits, as OpenAI's ids look.
        filename: The name the upload gave (or the batch chose for its output).
        purpose: ``batch``, ``batch_output``, ``batch-api`` (Together) or another purpose.
        bytes: Size in bytes.
        created_at: Unix seconds.
        expires_at: Unix seconds, or ``None`` for files kept until deleted.
        path: Where the bytes are on disk.

    """

    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    expires_at: int | None
    path: Path

    def to_json(self) -> dict[str, Any]:
        """The OpenAI file object (``status`` is deprecated upstream but still sent)."""
        return {
            "id": self.id,
            "object": "file",
            "bytes": self.bytes,
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": self.expires_at,
            "status_details": None,
        }


def no_such_file(file_id: str, param: str = "id") -> ApiError:
    """OpenAI's 404 for an unknown file id (seen in openai/openai-dotnet's tests)."""
    return ApiError(404, f"No such File object: {file_id}", "invalid_request_error", param)


class FileStore:
    """The server's files: metadata in a dict, bytes in a private temporary directory.

    Used only from the server's event-loop thread, so it needs no lock.
    """

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._files: dict[str, StoredFile] = {}

    @property
    def directory(self) -> Path:
        """The directory the bytes are in, created on first use."""
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="compat-reference-files-"))
        return self._dir

    def close(self) -> None:
        """Forget every file and remove the directory."""
        self._files.clear()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def new_path(self) -> tuple[str, Path]:
        """A fresh file id and the path its bytes go to."""
        file_id = "file-" + secrets.token_urlsafe(18).replace("-", "A").replace("_", "b")[:24]
        return file_id, self.directory / file_id

    def add(self, file_id: str, path: Path, filename: str, purpose: str) -> StoredFile:
        """Register bytes already written at ``path`` under ``file_id``."""
        now = int(time.time())
        expires = now + _BATCH_FILE_TTL_S if purpose in ("batch", BATCH_OUTPUT_PURPOSE) else None
        stored = StoredFile(file_id, filename, purpose, path.stat().st_size, now, expires, path)
        self._files[file_id] = stored
        return stored

    def get(self, file_id: str, param: str = "id") -> StoredFile:
        """The file, or OpenAI's 404."""
        stored = self._files.get(file_id)
        if stored is None:
            raise no_such_file(file_id, param)
        return stored

    def delete(self, file_id: str) -> dict[str, Any]:
        """Remove a file; a batch reading it keeps its open handle (POSIX semantics)."""
        stored = self.get(file_id)
        del self._files[file_id]
        stored.path.unlink(missing_ok=True)
        return {"id": file_id, "object": "file", "deleted": True}

    def listing(
        self, *, purpose: str | None, limit: int, after: str | None, order: str
    ) -> dict[str, Any]:
        """``GET /v1/files``: a cursor page, newest first unless ``order=asc``."""
        files = [f for f in self._files.values() if purpose is None or f.purpose == purpose]
        if order == "desc":
            files.reverse()
        if after is not None:
            ids = [f.id for f in files]
            files = files[ids.index(after) + 1 :] if after in ids else []
        page = files[:limit]
        return {
            "object": "list",
            "data": [f.to_json() for f in page],
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
            "has_more": len(files) > limit,
        }


# ----------------------------------------------------------------------------------------
# multipart/form-data, read from a spooled body without holding the file part in memory
# ----------------------------------------------------------------------------------------
@dataclass
class FormPart:
    """One part of a form: its field name, file name (for file parts) and headers."""

    name: str
    filename: str | None
    headers: dict[str, str]


PartSink = Callable[[FormPart], Callable[[bytes], None]]
"""Given a part's head, returns the function that receives its bytes, block by block."""


def boundary_of(content_type: str) -> bytes:
    """The multipart boundary of a ``Content-Type``, or a 400 worded like OpenAI's."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise ApiError(
            400,
            f"Invalid Content-Type header ({content_type or 'none'}), expected "
            "multipart/form-data.",
        )
    match = _BOUNDARY_RE.search(content_type)
    if match is None:
        raise ApiError(400, "Invalid multipart/form-data body: no boundary.")
    return (match.group(1) or match.group(2)).encode("latin-1")


class _Blocks:
    """A read buffer over a file that never holds more than about two blocks."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.buf = b""
        self.eof = False

    def fill(self, want: int) -> None:
        while len(self.buf) < want and not self.eof:
            block = self.source.read(_BLOCK)
            if block:
                self.buf += block
            else:
                self.eof = True


def parse_multipart(source: IO[bytes], boundary: bytes, sink: PartSink) -> None:
    """Stream every part of a multipart body to the sink ``sink`` chooses for it.

    Raises:
        ApiError: 400 for a body that is not well-formed multipart.

    """
    reader = _Blocks(source)
    opening = b"--" + boundary
    delimiter = b"\r\n--" + boundary
    reader.fill(len(opening) + 2)
    start = reader.buf.find(opening)
    while start < 0 and not reader.eof:
        reader.buf = reader.buf[-len(opening) :]
        reader.fill(len(reader.buf) + _BLOCK)
        start = reader.buf.find(opening)
    if start < 0:
        raise ApiError(400, "Invalid multipart/form-data body: boundary not found.")
    reader.buf = reader.buf[start + len(opening) :]
    while True:
        reader.fill(2)
        if reader.buf.startswith(b"--"):
            return
        if not reader.buf.startswith(b"\r\n"):
            raise ApiError(400, "Invalid multipart/form-data body.")
        reader.buf = reader.buf[2:]
        part = _read_part_head(reader)
        write = sink(part)
        for block in _part_blocks(reader, delimiter):
            write(block)


def _read_part_head(reader: _Blocks) -> FormPart:
    reader.fill(_MAX_PART_HEAD)
    end = reader.buf.find(b"\r\n\r\n")
    if end < 0:
        raise ApiError(400, "Invalid multipart/form-data body: part header not terminated.")
    lines = reader.buf[:end].decode("utf-8", "replace").split("\r\n")
    reader.buf = reader.buf[end + 4 :]
    headers: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _DISPOSITION_RE.finditer(headers.get("content-disposition", ""))
    }
    if "name" not in params:
        raise ApiError(400, "Invalid multipart/form-data body: a part has no name.")
    return FormPart(params["name"], params.get("filename"), headers)


def _part_blocks(reader: _Blocks, delimiter: bytes) -> Iterator[bytes]:
    keep = len(delimiter) - 1
    while True:
        reader.fill(len(delimiter) + _BLOCK)
        at = reader.buf.find(delimiter)
        if at >= 0:
            if at:
                yield reader.buf[:at]
            reader.buf = reader.buf[at + len(delimiter) :]
            return
        if reader.eof:
            raise ApiError(400, "Invalid multipart/form-data body: missing closing boundary.")
        if len(reader.buf) > keep:
            yield reader.buf[:-keep]
            reader.buf = reader.buf[-keep:]


def read_upload(
    store: FileStore, body: IO[bytes], content_type: str, purposes: tuple[str, ...]
) -> StoredFile:
    """``POST /v1/files``: stream the ``file`` part to disk, check it, register it.

    ``purposes`` are the batch purposes this dialect takes (``batch``; Together's
    ``batch-api``); the other OpenAI purposes are stored as they are.

    Raises:
        ApiError: 400 for a missing field, an unknown purpose, or a batch file that is not
            ``.jsonl`` ("Invalid file format for Batch API. Must be .jsonl", OpenAI's
            answer quoted in BerriAI/litellm#37527).

    """
    file_id, path = store.new_path()
    fields: dict[str, bytearray] = {}
    filename: list[str] = []
    out: list[IO[bytes]] = []

    def sink(part: FormPart) -> Callable[[bytes], None]:
        if part.name == "file" and part.filename is not None and not out:
            filename.append(os.path.basename(part.filename) or "upload")
            handle = path.open("wb")
            out.append(handle)

            def write(block: bytes) -> None:
                handle.write(block)

            return write
        value = fields.setdefault(part.name, bytearray())

        def add(block: bytes) -> None:
            value.extend(block)
            if len(value) > _MAX_FIELD:
                raise ApiError(400, f"Form field '{part.name}' is too long.")

        return add

    try:
        parse_multipart(body, boundary_of(content_type), sink)
        if not out:
            raise ApiError(
                400, "Missing required parameter: 'file'.", param="file",
                code="missing_required_parameter",
            )  # fmt: skip
        out[0].close()
        purpose = fields.get("purpose", bytearray()).decode("utf-8", "replace").strip()
        _check_purpose(purpose, purposes, filename[0])
    except BaseException:
        for handle in out:
            handle.close()
        path.unlink(missing_ok=True)
        raise
    return store.add(file_id, path, filename[0], purpose)


def _check_purpose(purpose: str, batch_purposes: tuple[str, ...], filename: str) -> None:
    if not purpose:
        raise ApiError(
            400, "Missing required parameter: 'purpose'.", param="purpose",
            code="missing_required_parameter",
        )  # fmt: skip
    allowed = (*batch_purposes, *(p for p in UPLOAD_PURPOSES if p != "batch"))
    if purpose not in allowed:
        raise ApiError(
            400,
            f"Invalid value for 'purpose': '{purpose}'. Supported values are: "
            + ", ".join(f"'{p}'" for p in allowed)
            + ".",
            param="purpose",
            code="invalid_value",
        )
    if purpose in batch_purposes and not filename.lower().endswith(".jsonl"):
        raise ApiError(400, "Invalid file format for Batch API. Must be .jsonl", param="file")
