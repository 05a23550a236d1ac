"""Terminal manners: colour only for people, a progress spinner only on a terminal.

Output that goes to a file or a pipe is read by programs, so it gets no escape codes and no
spinner frames; ``NO_COLOR`` (https://no-color.org) turns colour off on a terminal too.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

__all__ = ["Console", "Spinner", "Style", "is_tty"]

_RESET = "\x1b[0m"


@dataclass(frozen=True)
class Console:
    """The three standard streams, read from ``sys`` when a command starts.

    Passing them around instead of using ``sys.stdout`` directly lets tests swap them
    (pytest's ``capsys`` and ``monkeypatch.setattr(sys, "stdin", ...)`` both work).
    """

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO

    @classmethod
    def from_sys(cls) -> Console:
        """The process's current standard streams."""
        return cls(sys.stdin, sys.stdout, sys.stderr)


def is_tty(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal (false for pipes, files and StringIO)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Style:
    """ANSI styling that degrades to plain text when the stream is not a colour terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        """Colour when ``stream`` is a terminal and ``NO_COLOR`` is unset or empty."""
        return cls(is_tty(stream) and not os.environ.get("NO_COLOR"))

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.enabled and text else text

    def dim(self, text: str) -> str:
        """Secondary text: reasoning, statistics."""
        return self._wrap("2", text)

    def accent(self, text: str) -> str:
        """Things the model did rather than said: tool calls."""
        return self._wrap("36", text)

    def error(self, text: str) -> str:
        """The one line that explains a failure."""
        return self._wrap("31", text)


class Spinner:
    """A spinner on a terminal while nothing has arrived yet; a no-op anywhere else.

    It draws from a daemon thread so that the main thread can block in a socket read, and
    erases itself with spaces (no escape codes) so that the first token starts on a clean
    line. ``stop`` is idempotent and waits for the thread, so nothing is drawn after it;
    ``start`` may be called again for the next turn of a conversation.
    """

    FRAMES = "|/-\\"
    INTERVAL_S = 0.1

    def __init__(self, stream: TextIO, label: str, *, enabled: bool | None = None) -> None:
        self._stream = stream
        self._label = label
        self._enabled = is_tty(stream) if enabled is None else enabled
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._width = 0

    def __enter__(self) -> Spinner:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Begin drawing (only on a terminal)."""
        if not self._enabled or self._thread is not None:
            return
        self._stop.clear()
        self._width = 0
        self._thread = threading.Thread(target=self._run, name="compat-chat-spinner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop drawing and erase the spinner line."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join()
        self._write("\r" + " " * self._width + "\r")

    def _run(self) -> None:
        started = time.monotonic()
        for frame in itertools.cycle(self.FRAMES):
            text = f"{frame} {self._label} {time.monotonic() - started:.1f}s"
            self._width = max(self._width, len(text))
            self._write("\r" + text)
            if self._stop.wait(self.INTERVAL_S):
                return

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away; the spinner is cosmetic
            self._stop.set()
