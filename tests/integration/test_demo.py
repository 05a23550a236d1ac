"""``make demo`` must keep working: run the tour in-process against the reference server."""

from __future__ import annotations

import io

from langchain_compat_chat.__main__ import main
from langchain_compat_chat._demo import run


def test_demo_runs_offline() -> None:
    out = io.StringIO()
    assert run(out) == 0
    text = out.getvalue()
    assert "tool call get_weather(" in text
    assert "Holiday(name=" in text
    assert "total" in text and "usage" in text


def test_cli_demo_command(capsys: object) -> None:
    assert main(["demo"]) == 0
