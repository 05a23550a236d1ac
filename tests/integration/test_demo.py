"""``make demo`` must keep working: run the tour in-process against the reference server."""

from __future__ import annotations

import io

import pytest

from langchain_compat_chat.__main__ import main
from langchain_compat_chat._cli.errors import EXIT_USAGE
from langchain_compat_chat._demo import run
from langchain_compat_chat.testing import ReferenceServer


def test_demo_runs_offline() -> None:
    out = io.StringIO()
    assert run(out) == 0
    text = out.getvalue()
    assert "tool call get_weather(" in text
    assert "Holiday(name=" in text
    assert "total" in text and "usage" in text
    assert "generated filler words, not a model's" in text  # nobody mistakes it for answers
    assert "COMPAT_BASE_URL and COMPAT_MODEL" in text  # and the way to a real one


def test_cli_demo_command(capsys: object) -> None:
    assert main(["demo"]) == 0


def test_demo_uses_the_configured_server(
    compat_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPAT_BASE_URL", compat_server.base_url)
    monkeypatch.setenv("COMPAT_MODEL", "my-model")
    out = io.StringIO()
    assert run(out) == 0
    assert out.getvalue().startswith(f"== langchain-compat-chat demo: {compat_server.base_url} (my")
    assert "filler" not in out.getvalue()  # a configured server's answers are its own
    assert {r.json["model"] for r in compat_server.chat_requests} == {"my-model"}


def test_demo_without_a_configured_model_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMPAT_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("COMPAT_MODEL", raising=False)
    assert main(["demo"]) == EXIT_USAGE
    want = "COMPAT_BASE_URL is set: set COMPAT_MODEL to the model to use as well."
    assert capsys.readouterr().err == f"compat-chat: error: {want}\n"
