"""Colour, the spinner and live rendering, on fake terminals."""

from __future__ import annotations

import io
import time

import pytest
from langchain_core.messages import AIMessage

from langchain_compat_chat._cli.render import HumanRenderer, stats_line
from langchain_compat_chat._cli.term import Spinner, Style
from langchain_compat_chat._cli.turn import Turn


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _turn(**kwargs: object) -> Turn:
    message = AIMessage(
        content="answer",
        usage_metadata={
            "input_tokens": 12,
            "output_tokens": 40,
            "total_tokens": 52,
            "input_token_details": {"cache_read": 3},
            "output_token_details": {"reasoning": 10},
        },
        **kwargs,
    )
    return Turn(message=message, ttft_s=0.035, total_s=1.5)


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Style.for_stream(FakeTTY()).dim("x") == "\x1b[2mx\x1b[0m"
    assert Style.for_stream(io.StringIO()).dim("x") == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert Style.for_stream(FakeTTY()).dim("x") == "x"
    monkeypatch.setenv("NO_COLOR", "")  # the convention: only a non-empty value counts
    assert Style.for_stream(FakeTTY()).enabled


def test_reasoning_dimmed_on_a_terminal() -> None:
    out, err = FakeTTY(), FakeTTY()
    renderer = HumanRenderer(out, err)
    renderer.first_token()
    renderer.reasoning("think ")
    renderer.reasoning("more")
    renderer.content("Hello")
    renderer.finish(_turn())
    assert out.getvalue() == "\x1b[2mthink \x1b[0m\x1b[2mmore\x1b[0m\n\nHello\n"
    assert err.getvalue() == f"\x1b[2m[{stats_line(_turn())}]\x1b[0m\n"


def test_tool_calls_and_invalid_calls_are_listed() -> None:
    out = io.StringIO()
    turn = _turn(
        tool_calls=[{"name": "f", "args": {"q": "é"}, "id": "c1"}],
        invalid_tool_calls=[{"name": "g", "args": "{bad", "id": "c2", "error": "not JSON"}],
    )
    HumanRenderer(out, io.StringIO()).finish(turn)
    assert out.getvalue() == (
        '-> tool call f({"q": "é"})\n-> invalid tool call g: \'{bad\' (not JSON)\n'
    )


def test_stats_line() -> None:
    assert stats_line(_turn()) == (
        "12 in (3 cached), 40 out (10 reasoning), 52 total tokens | TTFT 35 ms | total 1.50 s"
    )
    bare = Turn(message=AIMessage(content=""), ttft_s=None, total_s=0.2)
    assert stats_line(bare) == "usage not reported | no tokens | total 200 ms"


def test_abort_ends_the_half_printed_line() -> None:
    out = io.StringIO()
    renderer = HumanRenderer(out, io.StringIO())
    renderer.content("partial")
    renderer.abort()
    assert out.getvalue() == "partial\n"


def test_spinner_draws_on_a_terminal_then_erases_itself() -> None:
    err = FakeTTY()
    spinner = Spinner(err, "waiting for m")
    spinner.start()
    time.sleep(0.25)
    spinner.stop()
    text = err.getvalue()
    assert "| waiting for m 0.0s" in text and text.count("\r") >= 3
    assert text.endswith("\r" + " " * len("| waiting for m 0.0s") + "\r")
    drawn = len(text)
    time.sleep(0.15)
    assert len(err.getvalue()) == drawn  # nothing after stop()
    spinner.start()  # the next turn of a conversation
    spinner.stop()
    assert len(err.getvalue()) > drawn


def test_spinner_is_silent_off_a_terminal() -> None:
    err = io.StringIO()
    with Spinner(err, "waiting"):
        time.sleep(0.15)
    assert err.getvalue() == ""
