"""Every script in examples/ runs offline against the bundled reference server.

The examples start together (they spend most of their time importing), each in its own
process with no ``COMPAT_*`` variables, so each starts its own reference server exactly as
on a user's machine; one more run checks the ``COMPAT_BASE_URL`` path against the
session server.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_compat_chat.testing import ReferenceServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BUNDLED = "(COMPAT_BASE_URL unset: using the bundled reference server at http://127.0.0.1:"

# For each example: patterns its output must match (re.search, multiline).
EXPECTED: dict[str, list[str]] = {
    "lcel_chain.py": [
        r"^invoke: \S",
        r"^stream: \S",
        r"^batch\[TCP\]: \S",
        r"^batch\[UDP\]: \S",
        r"^parallel short: \S",
        r"^parallel title: \S",
    ],
    "stream_events.py": [
        r"^\[ChatCompatModel\] start, 1 message\(s\)$",
        r"^\[ChatCompatModel\] end: finish_reason=stop, model=compat-reference, "
        r"usage=\{'input_tokens': [1-9]",
        r"^\[RunnableSequence\] chain output: '\S",
        r"'on_chat_model_stream': [1-9]",
    ],
    "agent_tools.py": [
        r"^human: What's the weather",
        r"^model -> tool call (get_weather|convert_temperature)\(\{",
        r"^tool (get_weather|convert_temperature) -> ",
        r"^model -> answer: \S",
        r"^[1-9] tool run\(s\), [4-9] messages in total$",
    ],
    "structured_extraction.py": [
        r"^[\"']Hi, I'm Ana.*\.\.\. -> Contact\(name='",
        r"^'Call Ravi.*\.\.\. -> Contact\(name='",
        r"^json_schema -> Contact\(name='",
        r"^include_raw -> parsed: Contact\(name='",
        r"^include_raw -> raw tool calls: \[\{'name': 'Contact'",
    ],
    "image_input.py": [
        r"^sent gradient\.png \(\d+ bytes\): \S",
        r"^sent the same image from bytes: \S",
        r"^usage reported by the server: \{'input_tokens': [1-9]",
    ],
    "reasoning_display.py": [
        r"^deepseek \(reasoning_content field\):\n  reasoning: \S.*\n  answer:    \S",
        r"^openrouter \(reasoning field\):\n  reasoning: \S.*\n  answer:    \S",
        r"^deepseek-reasoner \(always reasons, not asked\):\n  reasoning: \S",
        r"^think-tags \(<think> inside the content\):\n  reasoning: [^<\s].*\n"
        r"  answer:    [^<\s].*\n  content blocks: \['reasoning', 'text'\]",
        # the three field dialects also count reasoning tokens
        r"(?:  content blocks: \['reasoning', 'text'\]; reasoning tokens: [1-9]\d*\n(?:.*\n)*?){3}",
    ],
    "batch_rate_limit.py": [
        r"^#1: \S",
        r"^#8: \S",
        r"^8 requests in \d+\.\d\d s \(the 8/s cap allows no less than 0\.88 s\)$",
        r"^as completed:\n(?:  #[1-4] after \d\.\d\d s: \S.*\n){4}",
    ],
    "usage_stats.py": [
        r"^invoke \(first\) +\d+ in \(0 cached\)",
        r"^invoke \(second\) +\d+ in \([1-9]\d* cached\)",
        r"^stream +[1-9]\d* in",
        r"^invoke \(thinking\) .*\([1-9]\d* reasoning\)",
        r"^batch of 3 in ",
        r"^rate limited: ",
        r"^model +requests +errors +cancelled +input +output +total +cache_read +reasoning",
        r"^compat-reference +8 +1 +0 +\d+ +\d+ +\d+ +[1-9]\d* +[1-9]\d* ",
        r"^last error: RateLimitError$",
        r"^8 requests, 1 failed; [1-9]\d* cached and [1-9]\d* reasoning tokens; "
        r"mean time to first token \(streams\): \d+ ms$",
    ],
}


def _offline_env() -> dict[str, str]:
    """The environment without any endpoint or key a developer may have exported."""
    return {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("COMPAT_") or k.endswith(("_API_KEY", "_BASE_URL")))
    }


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, subprocess.CompletedProcess[str]]]:
    """Run every example at once and collect the outcomes."""
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(EXAMPLES / name)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_offline_env(),
        )
        for name in EXPECTED
    }
    results = {}
    try:
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=180)
            results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        yield results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()


def test_every_example_is_run_and_documented() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(EXPECTED)
    for name in scripts:
        doc = ast.get_docstring(ast.parse((EXAMPLES / name).read_text(encoding="utf-8")))
        assert doc and "Shows" in doc and f"python examples/{name}" in doc, name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_offline(runs: dict[str, subprocess.CompletedProcess[str]], name: str) -> None:
    done = runs[name]
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    assert done.stdout.startswith(BUNDLED)
    for pattern in EXPECTED[name]:
        assert re.search(pattern, done.stdout, re.MULTILINE), f"{pattern!r} in:\n{done.stdout}"


def test_rate_limit_is_honoured(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    match = re.search(r"^8 requests in (\d+\.\d\d) s", runs["batch_rate_limit.py"].stdout, re.M)
    assert match and float(match.group(1)) >= 0.87


def test_usage_totals_add_up(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    out = runs["usage_stats.py"].stdout
    per_call = [int(n) for n in re.findall(r" (\d+) total", out)]
    row = re.search(r"^compat-reference +8 +1 +0 +(\d+) +(\d+) +(\d+) ", out, re.M)
    assert len(per_call) == 7 and row  # two invokes, a stream, a thinking call, a batch of 3
    assert int(row.group(3)) == sum(per_call)


def _run_lcel_chain(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "lcel_chain.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_examples_use_the_configured_server(compat_server: ReferenceServer) -> None:
    env = {
        **_offline_env(),
        "COMPAT_BASE_URL": compat_server.base_url,
        "COMPAT_MODEL": "my-model",
        "COMPAT_API_KEY": "sk-example-key",
    }
    done = _run_lcel_chain(env)
    assert done.returncode == 0, done.stderr
    assert "bundled reference server" not in done.stdout
    requests = compat_server.chat_requests
    assert len(requests) == 6  # invoke, stream, a batch of two, two in parallel
    assert {r.json["model"] for r in requests} == {"my-model"}
    assert {r.headers["authorization"] for r in requests} == {"Bearer sk-example-key"}

    env.pop("COMPAT_MODEL")
    done = _run_lcel_chain(env)
    assert done.returncode == 1
    assert done.stderr == "COMPAT_BASE_URL is set: set COMPAT_MODEL to the model to use as well.\n"
