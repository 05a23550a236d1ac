"""Server-sent events: the incremental decoder of a stream's raw bytes.

Kept apart from the response reading (``events.py``) because it is pure: bytes in, events
out, no socket, no limit, no deadline, so it is tested and benchmarked on its own
(``bench/sse_decoder.py``, ``tests/unit/test_sse_decoder.py``).
"""

from __future__ import annotations

from langchain_compat_chat.errors import MalformedResponseError, preview

__all__ = ["Event", "SSEDecoder", "not_utf8"]

Event = tuple[str, str]
"""One server-sent event as ``(event type, data)``; the type is ``""`` for plain ``data:``."""

_BOM = b"\xef\xbb\xbf"


def _event_of(block: bytes) -> Event | None:
    """Parse one event block (the lines between two blank lines); ``None`` if it has no data.

    Raises:
        UnicodeDecodeError: The block is not UTF-8 (the caller reports it).

    """
    if block[:6] == b"data: " and b"\n" not in block:  # the shape nearly every server sends
        return "", block[6:].decode("utf-8")
    event = ""
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line[:1] == b":":  # blank (leading) line or comment
            continue
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            event = value.decode("utf-8")
        # id and retry are not used by Chat Completions; unknown fields are ignored (spec).
    if not data:
        return None
    return event, b"\n".join(data).decode("utf-8")


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> MalformedResponseError:
    """The error of a body or event that is not UTF-8, with its first bytes as the body."""
    return MalformedResponseError(
        f"The server sent bytes that are not UTF-8 ({exc.reason} at byte {exc.start})",
        body=preview(raw),
    )


class SSEDecoder:
    """Incremental server-sent-events parser working on raw bytes.

    ``feed`` takes whatever one network read returned and gives back every event completed
    by it, in order, so a caller can handle all events of one read together (and, for
    example, merge tool-call fragments) without waiting for anything that has not arrived.
    It follows the WHATWG rules httpx-sse follows (CRLF, CR or LF line ends, comments,
    multi-line ``data``, ``event``, one optional space after the colon, a partial event at
    the end of the stream is dropped) at a fraction of its per-event cost: the common
    single ``data:`` line event is sliced out of the buffer without any per-line work.

    Two departures, both about hostile input: bytes that are not UTF-8 raise
    ``MalformedResponseError`` instead of being replaced (text would be silently changed),
    and the pieces of an unfinished event are kept in a list and joined once the event is
    complete, so an event split over many reads costs linear, not quadratic, time.
    """

    __slots__ = ("_pending", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # the unfinished event, line ends normalised to LF
        self._skip_lf = False  # the last read ended in CR: an LF starting the next is its pair
        self._started = False

    def feed(self, chunk: bytes) -> list[Event]:
        """Events completed by ``chunk``.

        Raises:
            MalformedResponseError: A completed event is not valid UTF-8.

        """
        if not chunk:
            return []
        pending = self._pending
        if not self._started:
            if pending:
                chunk = pending.pop() + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                pending.append(chunk)
                return []
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        if b"\r" in chunk:
            self._skip_lf = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if pending:
            # Only the new bytes, or the seam between them and the old, can end an event.
            if b"\n\n" not in chunk and not (chunk[:1] == b"\n" and pending[-1][-1:] == b"\n"):
                if chunk:
                    pending.append(chunk)
                return []
            chunk = b"".join(pending) + chunk
            pending.clear()
        blocks = chunk.split(b"\n\n")
        tail = blocks.pop()
        if tail:
            pending.append(tail)
        events: list[Event] = []
        for block in blocks:
            try:
                event = _event_of(block)
            except UnicodeDecodeError as exc:
                raise not_utf8(block, exc) from None
            if event is not None:
                events.append(event)
        return events
