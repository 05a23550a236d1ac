"""Running ``compat-chat`` in-process and as a real subprocess."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from typing import Any

CLI = [sys.executable, "-m", "langchain_compat_chat"]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and Python
    # keeps an ignored SIGINT ignored; restore the default so the child gets Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*argv: str, **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -m langchain_compat_chat ARGV`` with text pipes."""
    return subprocess.Popen(
        [*CLI, *argv],
        stdin=kwargs.pop("stdin", subprocess.DEVNULL),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
        **kwargs,
    )


def run(
    *argv: str, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the command line to completion in a subprocess."""
    return subprocess.run(
        [*CLI, *argv],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_default_sigint,
    )


def closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
