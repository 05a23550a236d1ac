"""Split ``<think>...</think>`` reasoning out of answer text (pure, incremental).

Servers that run a reasoning model without a reasoning parser (vLLM or SGLang started without
``--reasoning-parser``, llama.cpp with ``--reasoning-format none``, many proxies) leave the
model's thinking inside ``content``. :class:`ThinkSplitter` separates it as text arrives, so a
stream shows reasoning and answer apart from the first token, and :func:`split_think` runs the
same machine over a whole string, so ``invoke`` and an aggregated stream agree exactly.

Rules, applied identically however the text is chunked:

* text inside ``<think>``...``</think>`` is reasoning, with surrounding whitespace trimmed;
* whitespace between ``</think>`` and the answer is dropped, and whitespace before a leading
  ``<think>`` too; text without any tag passes through unchanged;
* with ``starts_inside=True`` the answer is taken to begin inside thinking, for chat templates
  that put the opening tag in the prompt so only ``</think>`` is generated (a leading
  ``<think>`` is still accepted);
* an unterminated think block at the end is reasoning (the answer was cut off while thinking);
* a tag split across chunks (``"<thi"`` | ``"nk>"``) is recognised; only text that could still
  become a tag is held back, plus whitespace whose fate depends on what follows it.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["ThinkSplitter", "ThinkTags", "split_think", "splitter_for"]

ThinkTags = bool | Literal["starts_inside"]
"""``False``: leave content alone; ``True``: split tags; ``"starts_inside"``: the answer
begins inside thinking (the opening tag was in the prompt)."""

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


def _partial_tag(text: str, tag: str) -> int:
    """Length of the longest proper prefix of ``tag`` that ``text`` ends with."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0


class ThinkSplitter:
    """Incremental splitter for one answer: feed text pieces, then :meth:`flush` once.

    Args:
        starts_inside: The answer begins inside a think block whose opening tag was part
            of the prompt.

    """

    __slots__ = ("_inside", "_may_open", "_pending", "_segment_start", "_start")

    def __init__(self, *, starts_inside: bool = False) -> None:
        self._inside = starts_inside
        self._may_open = starts_inside  # a leading <think> is still swallowed
        self._pending = ""  # text not classified yet
        self._segment_start = True  # nothing but whitespace seen in the current segment
        self._start = True  # still before any answer text or tag

    def feed(self, text: str) -> tuple[str, str]:
        """Take the next piece; return the ``(content, reasoning)`` that is now certain."""
        if not text:
            return "", ""
        self._pending += text
        return self._drain(final=False)

    def flush(self) -> tuple[str, str]:
        """End of the answer: classify whatever was held back."""
        return self._drain(final=True)

    def _drain(self, *, final: bool) -> tuple[str, str]:
        content: list[str] = []
        reasoning: list[str] = []
        while self._pending or final:
            if self._inside:
                done = self._step_inside(reasoning, final)
            else:
                done = self._step_outside(content, final)
            if done:
                break
        return "".join(content), "".join(reasoning)

    def _step_outside(self, out: list[str], final: bool) -> bool:
        buf = self._pending
        at = buf.find(OPEN_TAG)
        if at >= 0:
            before = buf[:at]
            if not (self._segment_start and before.isspace()):
                self._emit_content(before, out)
            self._pending = buf[at + len(OPEN_TAG) :]
            self._inside, self._segment_start = True, True
            return False
        keep = 0 if final else _partial_tag(buf, OPEN_TAG)
        ready = buf[: len(buf) - keep]
        if self._segment_start and (not ready or ready.isspace()) and not final:
            return True  # whitespace only: its fate depends on whether <think> follows
        self._emit_content(ready, out)
        self._pending = buf[len(buf) - keep :]
        return True

    def _emit_content(self, text: str, out: list[str]) -> None:
        if self._segment_start and not self._start:
            text = text.lstrip()  # the gap between </think> and the answer
        if text:
            out.append(text)
            self._segment_start = self._start = False

    def _step_inside(self, out: list[str], final: bool) -> bool:
        buf = self._pending
        if self._may_open:
            head = buf.lstrip()
            if head.startswith(OPEN_TAG):
                self._pending = head[len(OPEN_TAG) :]
                self._may_open = False
                return False
            if OPEN_TAG.startswith(head) and not final:
                return True  # could still be the opening tag
            self._may_open = False
        at = buf.find(CLOSE_TAG)
        if at >= 0:
            self._emit_reasoning(buf[:at].rstrip(), out)
            self._pending = buf[at + len(CLOSE_TAG) :]
            self._inside, self._segment_start, self._start = False, True, False
            return False
        keep = 0 if final else _partial_tag(buf, CLOSE_TAG)
        ready = buf[: len(buf) - keep]
        body = ready.rstrip()  # trailing whitespace is dropped if </think> follows it
        self._emit_reasoning(body, out)
        self._pending = "" if final else buf[len(body) :]
        return True

    def _emit_reasoning(self, text: str, out: list[str]) -> None:
        if self._segment_start:
            text = text.lstrip()
        if text:
            out.append(text)
            self._segment_start = False


def split_think(text: str, *, starts_inside: bool = False) -> tuple[str, str]:
    """Split a whole answer into ``(content, reasoning)``, exactly as a stream would."""
    splitter = ThinkSplitter(starts_inside=starts_inside)
    content, reasoning = splitter.feed(text)
    rest_content, rest_reasoning = splitter.flush()
    return content + rest_content, reasoning + rest_reasoning


def splitter_for(mode: ThinkTags) -> ThinkSplitter | None:
    """A fresh splitter for one answer, or ``None`` when splitting is off."""
    if not mode:
        return None
    return ThinkSplitter(starts_inside=mode == "starts_inside")
