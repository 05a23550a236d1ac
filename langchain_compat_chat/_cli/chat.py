"""``compat-chat chat``: one-shot or interactive chat that keeps the conversation.

A prompt argument (or piped stdin) asks one question and exits; a terminal with no prompt,
or ``--interactive``, starts a conversation in which every turn sees the whole history.
The model is asked exactly what the user typed: this command adds nothing to the prompt.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable

from langchain_compat_chat._cli.errors import EXIT_OK, Reporter, UsageError
from langchain_compat_chat._cli.options import build_model, positive_int
from langchain_compat_chat._cli.render import HumanRenderer, JsonRenderer, Renderer
from langchain_compat_chat._cli.term import Console, Spinner, is_tty
from langchain_compat_chat._cli.turn import Turn, stream_turn
from langchain_compat_chat._secrets import redact_url
from langchain_compat_chat._wire.request import thinking_params
from langchain_compat_chat.chat_models import ChatCompatModel
from langchain_compat_chat.dialects import Dialect

__all__ = ["ChatSession", "add_arguments", "run"]

NOT_RUN = "compat-chat does not run tools; this call was shown to the user and not executed."
"""Tool result recorded for calls in a conversation, so the history stays valid on servers
that require every assistant tool call to be answered before the next user turn."""

REPL_HELP = """commands:
  /reset   forget the conversation (keeps --system)
  /exit    leave (also /quit or Ctrl-D)
  /help    this text"""


def _thinking(text: str) -> bool | int:
    lowered = text.strip().lower()
    if lowered in ("on", "true", "yes"):
        return True
    if lowered in ("off", "false", "no"):
        return False
    try:
        budget = int(lowered)
    except ValueError:
        raise argparse.ArgumentTypeError("expected on, off or a token budget") from None
    if budget < 0:
        raise argparse.ArgumentTypeError("a token budget cannot be negative")
    return budget


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``chat`` command's own flags (connection flags come from a parent parser)."""
    parser.add_argument(
        "prompt",
        nargs="?",
        help="the message; '-' reads stdin; omitted: read piped stdin, or start a "
        "conversation on a terminal",
    )
    parser.add_argument(
        "-i",
        "--interactive",
        action="store_true",
        help="converse, one message per line, even when stdin is not a terminal",
    )
    parser.add_argument("--system", "-s", metavar="TEXT", help="system message")
    parser.add_argument("--temperature", "-t", type=float, metavar="T", help="sampling temperature")
    parser.add_argument("--max-tokens", type=positive_int, metavar="N", help="output token cap")
    parser.add_argument(
        "--thinking",
        type=_thinking,
        metavar="on|off|N",
        help="reasoning switch or token budget, mapped to the provider's own knob",
    )
    parser.add_argument(
        "--think-tags",
        action="store_const",
        const=True,
        help="split <think>...</think> out of the answer into reasoning (servers that leave it "
        "in the content)",
    )
    parser.add_argument(
        "--tools",
        type=Path,
        metavar="FILE",
        help="JSON file with a list of OpenAI-format tools; calls are shown, not run",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per answer (content, reasoning, tool_calls, usage, latency)",
    )
    parser.add_argument("--hide-reasoning", action="store_true", help="do not print reasoning text")


def _load_tools(path: Path) -> list[dict[str, Any]]:
    try:
        tools = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read --tools file {str(path)!r}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"--tools file {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        raise UsageError(f"--tools file {str(path)!r} must hold a JSON list of tool objects")
    return tools


def _runnable(
    model: ChatCompatModel, args: argparse.Namespace
) -> Runnable[LanguageModelInput, AIMessage]:
    if args.thinking is not None:
        try:
            thinking_params(args.thinking, cast(Dialect, model.dialect))
        except ValueError as exc:
            raise UsageError(f"--thinking: {exc}") from None
    if args.tools is None:
        return model
    try:
        return model.bind_tools(_load_tools(args.tools))
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--tools file {str(args.tools)!r}: {exc}") from None


def _unrun_tool_results(message: AIMessage) -> list[BaseMessage]:
    return [
        ToolMessage(NOT_RUN, tool_call_id=call["id"] or "", status="error")
        for call in message.tool_calls
    ]


class ChatSession:
    """A conversation: the history, how turns are shown, and the spinner between them."""

    def __init__(
        self,
        runnable: Runnable[LanguageModelInput, AIMessage],
        renderer: Renderer,
        spinner: Spinner,
        system: str | None = None,
    ) -> None:
        self._runnable = runnable
        self._renderer = renderer
        self._spinner = spinner
        self._system: list[BaseMessage] = [SystemMessage(system)] if system else []
        self.history: list[BaseMessage] = list(self._system)

    def reset(self) -> None:
        """Forget every turn, keeping the system message."""
        self.history = list(self._system)

    def ask(self, prompt: str) -> Turn:
        """Stream one answer; the history grows only when the turn completes."""
        messages = [*self.history, HumanMessage(prompt)]
        self._spinner.start()
        try:
            turn = stream_turn(self._runnable, messages, self._renderer)
        except BaseException:
            self._renderer.abort()
            raise
        finally:
            self._spinner.stop()
        self._renderer.finish(turn)
        self.history = [*messages, turn.message, *_unrun_tool_results(turn.message)]
        return turn


def _read_prompt(args: argparse.Namespace, console: Console) -> str | None:
    """The one-shot prompt, or ``None`` for a conversation."""
    if args.prompt == "-" or (args.prompt is None and not args.interactive):
        if args.prompt is None and is_tty(console.stdin):
            return None
        text = console.stdin.read()
        if not text.strip():
            raise UsageError("empty prompt: stdin had no text")
        return text
    prompt: str | None = args.prompt
    return prompt


def _read_line(console: Console) -> str | None:
    if is_tty(console.stdin) and is_tty(console.stdout):
        try:
            return input("> ")
        except EOFError:
            console.stdout.write("\n")
            return None
    line = console.stdin.readline()
    return line or None


def _converse(session: ChatSession, console: Console, report: Callable[[Exception], int]) -> int:
    """Read messages until EOF or /exit; a failed turn is reported and can be retried.

    Returns the exit code of the last failed turn, so a script feeding stdin notices.
    """
    status = EXIT_OK
    while (line := _read_line(console)) is not None:
        text = line.strip()
        if not text:
            continue
        command = text.split()[0].lower()
        if command in ("/exit", "/quit"):
            break
        if command == "/reset":
            session.reset()
            console.stderr.write("(conversation cleared)\n")
        elif command == "/help":
            console.stderr.write(REPL_HELP + "\n")
        elif command.startswith("/"):
            console.stderr.write(f"unknown command {command}; /help lists them\n")
        else:
            try:
                session.ask(text)
            except UsageError:
                raise
            except Exception as exc:  # the conversation survives a failed turn
                status = report(exc)
    return status


def run(args: argparse.Namespace, console: Console, reporter: Reporter) -> int:
    """Run ``chat``; errors propagate to the caller, which reports them once."""
    model = build_model(
        args,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        thinking=args.thinking,
        think_tags=args.think_tags,
    )
    reporter.model = model
    runnable = _runnable(model, args)
    spinner = Spinner(console.stderr, f"waiting for {model.model}")
    renderer: Renderer = (
        JsonRenderer(console.stdout, spinner=spinner)
        if args.json
        else HumanRenderer(
            console.stdout, console.stderr, spinner=spinner, show_reasoning=not args.hide_reasoning
        )
    )
    session = ChatSession(runnable, renderer, spinner, args.system)
    prompt = _read_prompt(args, console)
    if prompt is not None:
        session.ask(prompt)
        if not args.interactive:
            return EXIT_OK
    if is_tty(console.stdin) and not args.json:
        where = redact_url(model.base_url or "")
        console.stderr.write(f"chatting with {model.model} at {where}; /help, Ctrl-D to leave\n")
    return _converse(session, console, reporter)
