"""Every failure: one line on stderr, a documented exit code, no traceback, no key."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from langchain_compat_chat._cli import build_parser
from langchain_compat_chat._cli.errors import (
    EXIT_API_ERROR,
    EXIT_AUTH,
    EXIT_RATE_LIMITED,
    EXIT_REJECTED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    error_line,
    exit_code,
)
from langchain_compat_chat._cli.options import build_model
from langchain_compat_chat.errors import AuthenticationError
from langchain_compat_chat.testing import ReferenceServer
from tests.cli._helpers import closed_port
from tests.cli.conftest import CliRunner, Result

KEY = "sk-cli-secret-0123456789abcdef"


def _one_error_line(result: Result, code: int) -> str:
    assert result.code == code, result.err
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert re.match(r"compat-chat( [a-z-]+)?: error: ", lines[0]), lines[0]
    assert KEY not in result.out + result.err
    return lines[0]


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        ("chat --base-url http://127.0.0.1:9/v1 hi", "no model given"),
        ("chat -m m hi", "base_url is required"),
        ("chat --base-url http://x/v1 -m m -p nope hi", "Unknown provider 'nope'. Known"),
        ("chat --base-url ftp://x -m m hi", "must start with http"),
        ("chat -p deepseek -m m hi", "needs an API key: pass --api-key or set DEEPSEEK_API_KEY"),
        ("chat --base-url http://x/v1 -m m --timeout 0 hi", "--timeout: must be greater than 0"),
        ("chat --base-url http://x/v1 -m m --thinking lots hi", "on, off or a token budget"),
        ("chat --base-url http://x/v1 -m m -H novalue hi", "expected 'Name: value'"),
        ("chat --base-url http://x/v1 -m m -p lmstudio --thinking on x", "no switch for thinking"),
        ("chat --base-url http://x/v1 -m m --tools /nonexistent/t.json x", "cannot read --tools"),
        ("models --base-url http://x/v1 --max-retries -1", "must be at least 0"),
        ("serve-test --port nope", "--port: invalid int value"),
        ("chat --base-url http://x/v1 -m m --max-tokens 1.5 hi", "not a whole number: '1.5'"),
        ("nonsense", "invalid choice"),
        ("", "required: COMMAND"),
    ],
)
def test_usage_errors(cli: CliRunner, command: str, needle: str) -> None:
    line = _one_error_line(cli(*command.split()), EXIT_USAGE)
    assert needle in line


def test_a_hosted_preset_through_a_gateway_needs_no_key(
    cli: CliRunner, at: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI applies the model's rule: only the preset's own URL demands a key."""
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    monkeypatch.delenv("COMPAT_API_KEY", raising=False)
    result = cli("chat", "-p", "deepseek", *at, "hi")
    assert result.code == 0, result.err
    assert result.out.strip()


def test_an_auth_header_counts_as_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    monkeypatch.delenv("COMPAT_API_KEY", raising=False)
    parser = build_parser()
    args = parser.parse_args(
        ["chat", "-p", "deepseek", "-m", "m", "-H", f"Authorization: Bearer {KEY}", "hi"]
    )
    model = build_model(args)
    assert model.provider_profile.name == "deepseek"


@pytest.mark.parametrize(
    ("content", "needle"),
    [("{not json", "not valid JSON"), ('{"a": 1}', "JSON list"), ('[{"x": 1}]', "--tools file")],
)
def test_bad_tools_files(
    cli: CliRunner, at: list[str], tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "tools.json"
    path.write_text(content)
    assert needle in _one_error_line(cli("chat", *at, "--tools", str(path), "x"), EXIT_USAGE)


@pytest.mark.parametrize(
    ("fault", "code", "needle"),
    [
        ("401", EXIT_AUTH, "refused the API key (pass --api-key or set COMPAT_API_KEY)"),
        ("403", EXIT_AUTH, "refused access"),
        ("402", EXIT_AUTH, "refused access"),
        ("404", EXIT_REJECTED, "not found (check --model"),
        ("400", EXIT_REJECTED, "rejected the request"),
        ("422", EXIT_REJECTED, "rejected the request"),
        ("429", EXIT_RATE_LIMITED, "rate limited"),
        ("503", EXIT_API_ERROR, "server failed"),
        ("stream_error_after_chunks=2", EXIT_API_ERROR, "server failed"),
        ("disconnect_after_chunks=2", EXIT_UNREACHABLE, "broke in the middle of the answer"),
    ],
)
def test_server_failures(cli: CliRunner, at: list[str], fault: str, code: int, needle: str) -> None:
    argv = ["chat", *at, "--api-key", KEY, "--max-retries", "0", "-H", f"x-compat-fault: {fault}"]
    line = _one_error_line(cli(*argv, "hi"), code)
    assert needle in line


def test_unreachable_server(cli: CliRunner) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    line = _one_error_line(
        cli("chat", "--base-url", url, "-m", "m", "--max-retries", "0", "x"), EXIT_UNREACHABLE
    )
    assert line.startswith(f"compat-chat: error: cannot reach {url}: ")


def test_silent_stream_times_out(cli: CliRunner, at: list[str]) -> None:
    fault = "x-compat-fault: stall_after_chunks=2,stall_s=5"
    result = cli("chat", *at, "--timeout", "0.3", "--max-retries", "0", "-H", fault, "x")
    assert "did not answer in time (raise --timeout)" in _one_error_line(result, EXIT_UNREACHABLE)


def test_wrong_key_is_named_but_never_printed(cli: CliRunner, compat_server_factory: Any) -> None:
    server: ReferenceServer = compat_server_factory(api_key="right-key")
    base = ["--base-url", server.base_url, "-m", "m", "--api-key", KEY]
    line = _one_error_line(cli("chat", *base, "hi"), EXIT_AUTH)
    assert "status=401" in line
    assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"  # it was sent
    line = _one_error_line(cli("models", *base), EXIT_AUTH)
    assert "refused the API key" in line
    assert "api_key=" not in line  # the library's Python hint is not the CLI's


def test_debug_adds_the_traceback_with_the_key_masked(cli: CliRunner, at: list[str]) -> None:
    fault = "x-compat-fault: 401"
    result = cli("chat", *at, "--debug", "--api-key", KEY, "-H", fault, "x")
    assert result.code == EXIT_AUTH
    assert "Traceback (most recent call last)" in result.err
    assert "AuthenticationError" in result.err
    assert result.err.splitlines()[-1].startswith("compat-chat: error: ")
    assert KEY not in result.err


def test_unexpected_errors_are_one_line_too(
    cli: CliRunner, at: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"boom with {KEY}")

    monkeypatch.setattr("langchain_compat_chat._cli.chat.stream_turn", broken)
    line = _one_error_line(cli("chat", *at, "--api-key", KEY, "x"), EXIT_API_ERROR)
    assert line == (
        "compat-chat: error: unexpected RuntimeError: boom with *** "
        "(rerun with --debug for details)"
    )


def test_error_line_is_single_line_and_masks_secrets() -> None:
    exc = AuthenticationError("bad\nkey  sk-abc", status_code=401)
    line = error_line(exc, base_url="http://h/v1", key_env=("A_KEY", "B_KEY"), secrets=["sk-abc"])
    assert "\n" not in line and "sk-abc" not in line
    assert "A_KEY or B_KEY" in line
    assert exit_code(exc) == EXIT_AUTH
    assert exit_code(KeyboardInterrupt()) == 130
    assert exit_code(ValueError()) == EXIT_API_ERROR


def test_json_mode_errors_go_to_stderr_only(cli: CliRunner, at: list[str]) -> None:
    result = cli("chat", *at, "--json", "--max-retries", "0", "-H", "x-compat-fault: 503", "x")
    _one_error_line(result, EXIT_API_ERROR)
    assert result.out == ""
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.out)
