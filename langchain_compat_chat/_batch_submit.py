"""Submitting a Batch API job: inputs measured, split over the limits, uploaded as built.

The counterpart of resuming (:func:`resume_steps`), which rebuilds the same parts from the
provider's batch metadata alone.
"""

from __future__ import annotations

import array
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from langchain_compat_chat._batch_create import find_listed, send_once
from langchain_compat_chat._batch_steps import Part, Send, Steps
from langchain_compat_chat._http.call import Request
from langchain_compat_chat._http.files import StreamBody
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._wire.batch_facts import BatchApi, batch_api_for, batch_base_url
from langchain_compat_chat._wire.batch_lines import (
    BatchInfo,
    PartMeta,
    custom_id,
    is_part_batch,
    is_part_file,
    multipart_frame,
    parse_batch,
    part_filename,
    part_metadata,
    read_part_meta,
    request_line,
)
from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat.errors import (
    CompatChatError,
    InvalidRequestError,
    MalformedResponseError,
    preview,
)

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput

    from langchain_compat_chat.chat_models import ChatCompatModel

__all__ = ["JSON_HEADERS", "Submission", "resume_steps", "session_for", "split"]

_log = logging.getLogger("langchain_compat_chat")
_CHUNK = 64 * 1024  # upload write size: lines are gathered into chunks of about this much
JSON_HEADERS = {"content-type": "application/json"}


def session_for(model: ChatCompatModel, api: BatchApi) -> Session:
    """The model's session, or one at the URL files and batches live under (Azure)."""
    base = cast(str, model.base_url)
    batch_base = batch_base_url(api, base)
    if batch_base == base.rstrip("/"):
        return model._get_session()
    return model.model_copy(update={"base_url": batch_base})._get_session()


class Submission:
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
        self.session = session_for(model, api)
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
        self.slices = split(
            self.lengths, lower(max_lines, api.max_lines), lower(max_bytes, api.max_bytes)
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

    def _upload(self, part: int, group: str, offset: int, count: int, size: int) -> Steps[str]:
        """Upload one part's file; after an ambiguous failure, a whole copy found is used."""
        name = part_filename(group, part)
        head, tail, content_type = multipart_frame(self.api.purpose, name, uuid.uuid4().hex)
        body = StreamBody(
            len(head) + size + len(tail), lambda: self._file(head, tail, offset, count)
        )
        request = Request("POST", self.api.files_path, body, headers={"content-type": content_type})
        reply = yield from send_once(
            request, self.session.retry, lambda: self._find_file(name, size)
        )
        file_id = reply.get("id") if isinstance(reply, dict) else None
        if not isinstance(file_id, str):
            raise MalformedResponseError(
                "The upload's answer has no file 'id'",
                body=preview(json.dumps(reply, default=repr)),
            )
        return file_id

    def _find_file(self, name: str, size: int) -> Steps[Any]:
        """A whole copy of an upload that failed after sending, or ``None`` to upload again.

        A copy the listing does not show (or a listing that fails) costs only storage, not
        a billed run, so the upload goes on; a warning names the file that may be left.
        """
        try:
            found = yield from find_listed(
                self.api.files_path,
                {"purpose": self.api.purpose},
                lambda obj: is_part_file(obj, name, size),
            )
        except CompatChatError as exc:
            found, why = None, f"the file list failed ({type(exc).__name__}: {exc})"
        else:
            why = "the file list does not show it"
        if found is None:
            _log.warning(
                "The upload of %s failed after it was sent and %s: a copy may be left at "
                "the provider (DELETE %s/{id} removes it)",
                name,
                why,
                self.api.files_path,
            )
        return found

    def _create(self, file_id: str, meta: PartMeta) -> Steps[BatchInfo]:
        """Create one part's batch, never twice (see ``_batch_create``)."""
        create = {
            "input_file_id": file_id,
            "endpoint": self.api.endpoint,
            "completion_window": self.window,
            "metadata": part_metadata(meta, self.metadata),
        }
        body = json.dumps(create, ensure_ascii=False).encode()
        request = Request("POST", self.api.batches_path, body, headers=JSON_HEADERS)
        reply = yield from send_once(
            request, self.session.retry, lambda: self._find_batch(file_id, meta)
        )
        return parse_batch(reply, self.api.envelope)

    def _find_batch(self, file_id: str, meta: PartMeta) -> Steps[Any]:
        """The batch a failed create made, or ``None``; a failed look is raised, not guessed.

        Creating again without knowing would risk a second billed batch, so a listing that
        fails ends the submit, with a warning that names what to look for.
        """
        try:
            return (
                yield from find_listed(
                    self.api.batches_path,
                    {},
                    lambda obj: is_part_batch(obj, file_id, meta.group, meta.part),
                )
            )
        except CompatChatError:
            _log.warning(
                "Creating part %d of a batch job failed, and the server could not be asked "
                "whether it made the batch anyway: look for input_file_id %s "
                "(metadata lcc_group=%s) in GET %s and cancel it if it is there",
                meta.part,
                file_id,
                meta.group,
                self.api.batches_path,
            )
            raise

    def steps(self) -> Steps[list[Part]]:
        """Upload and create the batches, last first; cancel those made if one fails."""
        group = uuid.uuid4().hex[:16]
        tool = None if self.plan is None else (self.plan.tool or "*")
        created: list[Part] = []
        next_id: str | None = None
        try:
            for part in reversed(range(len(self.slices))):
                offset, count, size = self.slices[part]
                file_id = yield from self._upload(part, group, offset, count, size)
                meta = PartMeta(part, len(self.slices), offset, count, next_id, group, tool)
                info = yield from self._create(file_id, meta)
                created.append(Part(meta, info))
                next_id = info.id
        except CompatChatError:
            # Best effort: a half-made job must not run unseen. Cancelling is idempotent
            # (a batch already cancelling answers its state, https://platform.openai.com/
            # docs/api-reference/batch/cancel), so the session's own retries stay on here.
            for made in created:
                try:
                    path = f"{self.api.batches_path}/{made.info.id}/cancel"
                    yield Send(Request("POST", path, b"{}"))
                except CompatChatError:
                    _log.warning("Could not cancel batch %s of a failed submit", made.info.id)
            raise
        created.reverse()
        return created


def lower(user: int | None, provider: int | None) -> int | None:
    values = [v for v in (user, provider) if v is not None]
    return min(values) if values else None


def split(
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


def resume_steps(api: BatchApi, batch_id: str) -> Steps[list[Part]]:
    """Rebuild a job from its first batch: follow each batch's ``lcc_next`` to the last."""
    parts: list[Part] = []
    next_id: str | None = batch_id
    while next_id is not None:
        if any(p.info.id == next_id for p in parts):
            raise MalformedResponseError(f"Batch {next_id!r}'s metadata chain loops")
        reply = yield Send(Request("GET", f"{api.batches_path}/{next_id}"))
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
        parts.append(Part(meta, info))
        next_id = meta.next_id
    return parts
