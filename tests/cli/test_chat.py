"""``compat-chat chat`` in-process: one-shot, stdin, conversation, JSON, flags and env."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._cli.chat import NOT_RUN
from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.cli._helpers import WEATHER_TOOL
from tests.cli.conftest import CliRunner

STATS = re.compile(
    r"^\[\d+ in(?: \(\d+ cached\))?, \d+ out(?: \(\d+ reasoning\))?, \d+ total tokens"
    r" \| TTFT \d+(?:\.\d+)? m?s \| total \d+(?:\.\d+)? m?s\]$"
)


def _expected(server: ReferenceServer, prompt: str, **params: Any) -> AIMessage:
    """What the same streamed request returns through the Python API (answers are
    deterministic per request body)."""
    model = ChatCompatModel(base_url=server.base_url, model="m", streaming=True, **params)
    return model.invoke(prompt)


def _bodies(server: ReferenceServer) -> list[dict[str, Any]]:
    return [r.json for r in server.chat_requests]


def test_one_shot_prints_the_streamed_answer_then_usage_on_stderr(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    expected = _expected(compat_server, "hello")
    result = cli("chat", *at, "hello")
    assert result.code == 0
    assert result.out == expected.text + "\n"
    assert STATS.match(result.err.strip()), result.err
    assert f"{expected.usage_metadata['total_tokens']} total tokens" in result.err  # type: ignore[index]
    body = _bodies(compat_server)[-1]
    assert body["stream"] is True and body["messages"] == [{"role": "user", "content": "hello"}]


@pytest.mark.parametrize("argv_prompt", [[], ["-"]])
def test_prompt_from_stdin(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer, argv_prompt: list[str]
) -> None:
    result = cli("chat", *at, *argv_prompt, stdin="summarise this\nplease\n")
    assert result.code == 0 and result.out.strip()
    assert _bodies(compat_server)[-1]["messages"][0]["content"] == "summarise this\nplease\n"


def test_empty_stdin_is_a_usage_error(cli: CliRunner, at: list[str]) -> None:
    result = cli("chat", *at, stdin="  \n")
    assert result.code == 2
    assert result.err == "compat-chat: error: empty prompt: stdin had no text\n"


def test_json_is_one_machine_readable_object(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    expected = _expected(compat_server, "hello")
    result = cli("chat", *at, "--json", "hello")
    assert result.code == 0 and result.err == ""
    data = json.loads(result.out)
    assert set(data) == {
        "model",
        "content",
        "reasoning",
        "tool_calls",
        "invalid_tool_calls",
        "finish_reason",
        "normalized_finish_reason",
        "usage",
        "latency",
    }
    assert data["content"] == expected.text
    assert data["model"] == "m" and data["finish_reason"] == "stop"
    assert data["normalized_finish_reason"] == "stop"
    assert data["reasoning"] is None and data["tool_calls"] == []
    assert data["usage"] == expected.usage_metadata
    assert 0 < data["latency"]["ttft_ms"] <= data["latency"]["total_ms"]


def test_reasoning_is_shown_marked_or_hidden(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    as_json = json.loads(cli("chat", *at, "--thinking", "on", "--json", "why?").out)
    reasoning, content = as_json["reasoning"], as_json["content"]
    assert reasoning and content
    assert as_json["usage"]["output_token_details"]["reasoning"] > 0
    assert _bodies(compat_server)[-1]["reasoning_effort"]

    shown = cli("chat", *at, "--thinking", "on", "why?")
    assert shown.out == f"[thinking] {reasoning}\n\n{content}\n"  # no colour: not a terminal
    assert "reasoning)" in shown.err

    hidden = cli("chat", *at, "--thinking", "on", "--hide-reasoning", "why?")
    assert hidden.out == content + "\n"


def test_think_tags_are_split_into_reasoning(cli: CliRunner, at: list[str]) -> None:
    inline = ["-H", "x-compat-dialect: think-tags"]
    raw = json.loads(cli("chat", *at, *inline, "--json", "why?").out)
    assert raw["reasoning"] is None and raw["content"].startswith("<think>")
    split = json.loads(cli("chat", *at, *inline, "--think-tags", "--json", "why?").out)
    assert split["reasoning"] and split["reasoning"] in raw["content"]
    assert "<think>" not in split["content"] and split["content"] in raw["content"]
    shown = cli("chat", *at, *inline, "--think-tags", "why?")
    assert shown.out.startswith("[thinking] ") and "<think>" not in shown.out


def test_thinking_off_and_budget(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    assert (
        cli("chat", *at, "--provider", "deepseek", "--api-key", "k", "--thinking", "off", "x").code
        == 0
    )
    assert _bodies(compat_server)[-1]["thinking"] == {"type": "disabled"}
    assert (
        cli("chat", *at, "--provider", "dashscope", "--api-key", "k", "--thinking", "512", "x").code
        == 0
    )
    body = _bodies(compat_server)[-1]
    assert body["enable_thinking"] is True and body["thinking_budget"] == 512


def test_request_flags_reach_the_server(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    result = cli(
        "chat",
        *at,
        "--system",
        "Be brief.",
        "--temperature",
        "0.25",
        "--max-tokens",
        "3",
        "--header",
        "X-Trace: abc",
        "hi",
    )
    assert result.code == 0
    request = compat_server.chat_requests[-1]
    body = request.json
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["temperature"] == 0.25 and body["max_tokens"] == 3
    assert request.headers["x-trace"] == "abc"
    assert "3 out" in result.err


def test_tool_calls_are_shown(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer, tmp_path: Path
) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([WEATHER_TOOL]))
    human = cli("chat", *at, "--tools", str(tools), "weather in Oslo?")
    assert human.code == 0
    assert re.fullmatch(r'-> tool call get_weather\(\{"city": ".*"\}\)\n', human.out), human.out
    assert _bodies(compat_server)[-1]["tools"] == [WEATHER_TOOL]

    data = json.loads(cli("chat", *at, "--tools", str(tools), "--json", "weather?").out)
    (call,) = data["tool_calls"]
    assert call["name"] == "get_weather" and isinstance(call["args"]["city"], str)
    assert call["id"] and data["finish_reason"] == "tool_calls"
    assert data["normalized_finish_reason"] == "tool_call"


def test_conversation_keeps_history_and_commands(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    stdin = "first\n\nsecond\n/reset\nthird\n/help\n/bogus\n/exit\nnever sent\n"
    result = cli("chat", *at, "--system", "S", "-i", stdin=stdin)
    assert result.code == 0
    first, second, third = _bodies(compat_server)
    assert [m["role"] for m in first["messages"]] == ["system", "user"]
    system, user1, reply, user2 = second["messages"]
    assert system["content"] == "S" and user1 == {"role": "user", "content": "first"}
    assert reply["role"] == "assistant" and reply["content"] in result.out
    assert user2 == {"role": "user", "content": "second"}
    assert third["messages"] == [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "third"},
    ]
    assert "(conversation cleared)" in result.err
    assert "/reset" in result.err and "unknown command /bogus" in result.err
    assert sum(1 for line in result.err.splitlines() if STATS.match(line)) == 3


def test_conversation_answers_unrun_tool_calls(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer, tmp_path: Path
) -> None:
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([WEATHER_TOOL]))
    result = cli("chat", *at, "--tools", str(tools), "-i", stdin="weather?\nthanks\n")
    assert result.code == 0
    _, follow_up = _bodies(compat_server)
    roles = [m["role"] for m in follow_up["messages"]]
    assert roles == ["user", "assistant", "tool", "user"]
    call_id = follow_up["messages"][1]["tool_calls"][0]["id"]
    assert follow_up["messages"][2] == {"role": "tool", "tool_call_id": call_id, "content": NOT_RUN}


def test_prompt_argument_starts_a_conversation_with_interactive(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    result = cli("chat", *at, "-i", "opening", stdin="next\n")
    assert result.code == 0
    contents = [m["content"] for m in _bodies(compat_server)[1]["messages"]]
    assert contents[0] == "opening" and contents[2] == "next"


def test_conversation_survives_a_failed_turn(
    cli: CliRunner, at: list[str], compat_server: ReferenceServer
) -> None:
    compat_server.enqueue_fault(Fault(status=503))
    result = cli("chat", *at, "--max-retries", "0", "-i", stdin="one\ntwo\n")
    assert result.code == 1  # the exit code of the failed turn, so scripts notice
    errors = [line for line in result.err.splitlines() if line.startswith("compat-chat: error:")]
    assert len(errors) == 1 and "status=503" in errors[0]
    _, second = _bodies(compat_server)
    assert [m["content"] for m in second["messages"]] == ["two"]  # the failed turn is not kept
    assert result.out.strip()


def test_environment_configures_the_connection(
    cli: CliRunner, compat_server_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = compat_server_factory(api_key="sk-env-key-0123456789abcdef")
    monkeypatch.setenv("COMPAT_BASE_URL", server.base_url)
    monkeypatch.setenv("COMPAT_MODEL", "from-env")
    monkeypatch.setenv("COMPAT_API_KEY", "sk-env-key-0123456789abcdef")
    result = cli("chat", "hello")
    assert result.code == 0
    request = server.chat_requests[-1]
    assert request.json["model"] == "from-env"
    assert request.headers["authorization"] == "Bearer sk-env-key-0123456789abcdef"
    assert "sk-env-key" not in result.out + result.err


def test_preset_reads_its_own_environment(
    cli: CliRunner, compat_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VLLM_BASE_URL", compat_server.base_url)
    result = cli(
        "chat", "--provider", "vllm", "-m", "Qwen/Qwen3-8B", "--thinking", "on", "--json", "x"
    )
    assert result.code == 0
    assert _bodies(compat_server)[-1]["chat_template_kwargs"] == {"enable_thinking": True}


def test_broken_pipe_exits_quietly(
    cli: CliRunner, at: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

        def isatty(self) -> bool:
            return False

    import sys

    from langchain_compat_chat.__main__ import main

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["chat", *at, "hello"]) == 141
