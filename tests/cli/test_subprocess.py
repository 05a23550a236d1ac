"""The command line as a real process: pipes, Ctrl-C (SIGINT), serve-test, the script."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from langchain_compat_chat.testing import Fault, ReferenceServer
from tests.cli._helpers import closed_port, run, spawn

ONE_LINE_ERROR = "compat-chat: error: "


def _at(server: ReferenceServer) -> list[str]:
    return ["--base-url", server.base_url, "--model", "m"]


def test_one_shot(compat_server: ReferenceServer) -> None:
    done = run("chat", *_at(compat_server), "hello")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() and done.stdout.endswith("\n")
    assert " total tokens | TTFT " in done.stderr


def test_piped_stdin_and_json(compat_server: ReferenceServer) -> None:
    done = run("chat", *_at(compat_server), "--json", input="text from a pipe\n")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["content"] and data["usage"]["total_tokens"] > 0
    assert compat_server.chat_requests[-1].json["messages"][0]["content"] == "text from a pipe\n"


def test_conversation_over_stdin(compat_server: ReferenceServer) -> None:
    done = run("chat", *_at(compat_server), "-i", input="one\ntwo\n")
    assert done.returncode == 0, done.stderr
    _, second = (r.json for r in compat_server.chat_requests)
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    assert len(done.stdout.strip().splitlines()) == 2


def test_models(compat_server: ReferenceServer) -> None:
    done = run("models", "--base-url", compat_server.base_url, "--json")
    assert done.returncode == 0
    assert [m["id"] for m in json.loads(done.stdout)] == ["compat-reference"]


def test_errors_are_one_line(compat_server_factory: object) -> None:
    server: ReferenceServer = compat_server_factory(api_key="right")  # type: ignore[operator]
    denied = run("chat", *_at(server), "--api-key", "sk-wrong-0123456789abcdef", "x")
    assert denied.returncode == 4
    assert denied.stderr.count("\n") == 1 and denied.stderr.startswith(ONE_LINE_ERROR)
    assert "sk-wrong" not in denied.stderr

    url = f"http://127.0.0.1:{closed_port()}/v1"
    down = run("chat", "--base-url", url, "-m", "m", "--max-retries", "0", "x")
    assert down.returncode == 3
    assert down.stderr == down.stderr.splitlines()[0] + "\n" and "cannot reach" in down.stderr


def _interrupt(proc: subprocess.Popen[str]) -> tuple[int, float, str, str]:
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    code = proc.wait(15)
    waited = time.monotonic() - sent
    assert proc.stdout is not None and proc.stderr is not None
    # read(), not communicate(): communicate() reads the file descriptor directly and
    # would skip what the text wrapper already buffered after an earlier read(1).
    return code, waited, proc.stdout.read(), proc.stderr.read()


def test_ctrl_c_while_streaming(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(chunk_delay_s=0.3))
    proc = spawn("chat", *_at(compat_server), "hello")
    assert proc.stdout is not None
    first = proc.stdout.read(1)  # the answer has started streaming
    code, waited, out, err = _interrupt(proc)
    assert first and code == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert waited < 5  # it did not wait for the rest of a ~6 s answer
    assert (first + out).endswith("\n")  # the half-printed line was ended


def test_ctrl_c_before_the_first_token(compat_server: ReferenceServer) -> None:
    compat_server.set_fault(Fault(latency_s=30))
    proc = spawn("chat", *_at(compat_server), "hello")
    deadline = time.monotonic() + 30
    while not compat_server.chat_requests:  # the request is on the wire, nothing came back
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    code, waited, out, err = _interrupt(proc)
    assert code == 130 and out == ""
    assert "Traceback" not in err
    assert waited < 10


def test_serve_test_serves_until_ctrl_c() -> None:
    proc = spawn("serve-test", "--port", "0", "--model", "served-model")
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    try:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        models = httpx.get(base_url + "/models", timeout=10).json()
        assert [m["id"] for m in models["data"]] == ["served-model"]
        body = {"model": "served-model", "messages": [{"role": "user", "content": "hi"}]}
        reply = httpx.post(base_url + "/chat/completions", json=body, timeout=10)
        assert reply.json()["choices"][0]["message"]["content"]
    finally:
        code, _, _, err = _interrupt(proc)
    assert code == 0 and "Traceback" not in err
    try:
        httpx.get(base_url + "/models", timeout=2)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server is still listening after Ctrl-C")


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "compat-chat"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("compat-chat ")
