"""How a streamed turn is shown: live text for people, one JSON object for scripts.

People get the answer as it streams on stdout, reasoning dimmed (or marked with
``[thinking]`` where there is no colour), the tool calls the model asked for, and a
usage/latency line on stderr so that stdout stays the answer alone. Scripts get nothing
until the turn is over, then exactly one JSON object per turn on stdout.
"""

from __future__ import annotations

import json
from typing import Any, Protocol, TextIO

from langchain_compat_chat._cli.term import Spinner, Style
from langchain_compat_chat._cli.turn import Turn, TurnSink

__all__ = ["HumanRenderer", "JsonRenderer", "Renderer", "stats_line"]


class Renderer(TurnSink, Protocol):
    """A :class:`TurnSink` that also shows the finished turn."""

    def finish(self, turn: Turn) -> None:
        """The turn is complete."""

    def abort(self) -> None:
        """The turn was cut short (Ctrl-C or an error): leave the terminal tidy."""


def _tokens(usage: Any) -> str:
    if not usage:
        return "usage not reported"
    cached = (usage.get("input_token_details") or {}).get("cache_read")
    reasoning = (usage.get("output_token_details") or {}).get("reasoning")
    inp = f"{usage['input_tokens']} in" + (f" ({cached} cached)" if cached else "")
    out = f"{usage['output_tokens']} out" + (f" ({reasoning} reasoning)" if reasoning else "")
    return f"{inp}, {out}, {usage['total_tokens']} total tokens"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def stats_line(turn: Turn) -> str:
    """``12 in, 40 out (10 reasoning), 52 total tokens | TTFT 35 ms | total 210 ms``."""
    ttft = "no tokens" if turn.ttft_s is None else f"TTFT {_duration(turn.ttft_s)}"
    return f"{_tokens(turn.message.usage_metadata)} | {ttft} | total {_duration(turn.total_s)}"


class HumanRenderer:
    """Streams a turn to a terminal (or a plain file) for a person to read."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        spinner: Spinner | None = None,
        show_reasoning: bool = True,
    ) -> None:
        self._out = out
        self._err = err
        self._style = Style.for_stream(out)
        self._err_style = Style.for_stream(err)
        self._spinner = spinner
        self._show_reasoning = show_reasoning
        self._in_reasoning = False
        self._line_open = False

    def _write(self, text: str) -> None:
        # Decided before writing: Ctrl-C can land inside write() or flush(), and abort()
        # must still know that the line was left open.
        if text:
            self._line_open = not text.endswith("\n")
        self._out.write(text)
        self._out.flush()

    def first_token(self) -> None:
        """Hide the spinner before the first character is printed."""
        if self._spinner is not None:
            self._spinner.stop()

    def reasoning(self, text: str) -> None:
        """Print reasoning dimmed; without colour, mark where it starts."""
        if not self._show_reasoning:
            return
        if not self._in_reasoning:
            self._in_reasoning = True
            if not self._style.enabled:
                self._write("[thinking] ")
        self._write(self._style.dim(text))

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self._in_reasoning = False
            self._write("\n\n")

    def content(self, text: str) -> None:
        """Print answer text as it arrives."""
        self._end_reasoning()
        self._write(text)

    def _end_line(self) -> None:
        self._end_reasoning()
        if self._line_open:
            self._write("\n")

    def finish(self, turn: Turn) -> None:
        """Close the answer's line, list tool calls, then the usage/latency line on stderr."""
        self._end_line()
        msg = turn.message
        for call in msg.tool_calls:
            args = json.dumps(call["args"], ensure_ascii=False)
            self._write(self._style.accent(f"-> tool call {call['name']}({args})") + "\n")
        for bad in msg.invalid_tool_calls:
            line = f"-> invalid tool call {bad['name']}: {bad['args']!r} ({bad['error']})"
            self._write(self._style.accent(line) + "\n")
        self._err.write(self._err_style.dim(f"[{stats_line(turn)}]") + "\n")
        self._err.flush()

    def abort(self) -> None:
        """End the half-printed line so the shell prompt starts on its own line."""
        if self._spinner is not None:
            self._spinner.stop()
        self._in_reasoning = False
        if self._line_open:
            self._write("\n")


class JsonRenderer:
    """Prints one JSON object per finished turn (JSON Lines across a conversation)."""

    def __init__(self, out: TextIO, *, spinner: Spinner | None = None) -> None:
        self._out = out
        self._spinner = spinner

    def first_token(self) -> None:
        """Hide the spinner (it is on stderr, and only on a terminal)."""
        if self._spinner is not None:
            self._spinner.stop()

    def reasoning(self, text: str) -> None:
        """Collected in the final object instead."""

    def content(self, text: str) -> None:
        """Collected in the final object instead."""

    def finish(self, turn: Turn) -> None:
        """Print the turn as one line of JSON."""
        self._out.write(json.dumps(turn.as_json(), ensure_ascii=False) + "\n")
        self._out.flush()

    def abort(self) -> None:
        """Nothing was printed, so nothing to tidy but the spinner."""
        if self._spinner is not None:
            self._spinner.stop()
