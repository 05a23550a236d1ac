"""``compat-chat`` (also ``python -m langchain_compat_chat``): parser, dispatch, failures.

Commands: ``chat`` (one-shot or a conversation), ``models`` (what the server offers),
``demo`` (the offline tour ``make demo`` runs) and ``serve-test`` (the bundled reference
server). Every failure is turned into one line on stderr and a documented exit code here,
in one place, so no command prints a traceback unless ``--debug`` asks for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, cast

from langchain_compat_chat._cli import chat
from langchain_compat_chat._cli.errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Reporter,
)
from langchain_compat_chat._cli.options import build_model, connection_options, debug_option
from langchain_compat_chat._cli.term import Console
from langchain_compat_chat._version import __version__
from langchain_compat_chat.testing.__main__ import build_parser as reference_server_parser

__all__ = ["build_parser", "main"]

EXIT_BROKEN_PIPE = 141
"""stdout was closed early (``| head``): exit as if killed by SIGPIPE, quietly."""

_EPILOG = """exit codes: 0 ok, 1 server failure, 2 bad usage or configuration, 3 server
unreachable or timed out, 4 credentials refused, 5 request rejected, 6 rate limited,
130 interrupted (Ctrl-C)"""


class _Parser(argparse.ArgumentParser):
    """Argparse with usage errors on one line, like every other failure of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line (exposed for tests and the docs)."""
    parser = _Parser(
        prog="compat-chat",
        description="Chat with any OpenAI-compatible Chat Completions server.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Subcommand parsers are _Parser too (argparse uses the parent's class); the cast only
    # lets typeshed accept plain ArgumentParsers as their ``parents``.
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
    debug = debug_option()
    connection = connection_options()

    chat_parser = sub.add_parser(
        "chat",
        parents=[connection, debug],
        help="ask one question, or converse (streams tokens, shows reasoning and usage)",
        description="Stream an answer. With a prompt (or piped stdin) ask once; on a "
        "terminal without a prompt, or with -i, converse keeping the history.",
        epilog=_EPILOG,
    )
    chat.add_arguments(chat_parser)

    models_parser = sub.add_parser(
        "models",
        parents=[connection, debug],
        help="list the models the server offers",
        description="List the server's models (GET {base_url}/models).",
        epilog=_EPILOG,
    )
    models_parser.add_argument("--json", action="store_true", help="print a JSON list")

    sub.add_parser(
        "demo",
        parents=[debug],
        help="stream a chain, call a tool and get structured output (offline)",
        description="The five-minute tour, against $COMPAT_BASE_URL or the bundled "
        "reference server.",
    )
    sub.add_parser(
        "serve-test",
        parents=[reference_server_parser()],
        add_help=False,
        help="run the bundled reference server until Ctrl-C",
        description="Serve the OpenAI-compatible reference server on 127.0.0.1 until "
        "Ctrl-C; the first line printed is its base URL.",
    )
    return parser


def _models(args: argparse.Namespace, console: Console, reporter: Reporter) -> int:
    model = build_model(args, model_required=False)
    reporter.model = model
    infos = model.list_models()
    out = console.stdout
    if args.json:
        payload = [dataclasses.asdict(info) for info in infos]
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    elif not infos:
        console.stderr.write("the server lists no models\n")
    else:
        width = max(len(info.id) for info in infos)
        for info in infos:
            out.write(f"{info.id:<{width}}  {info.owned_by or ''}".rstrip() + "\n")
    out.flush()
    return EXIT_OK


def _demo(console: Console) -> int:
    from langchain_compat_chat._demo import run

    return run(console.stdout)


def _serve_test(argv: Sequence[str]) -> int:
    # The reference server owns its flags; hand it our arguments after the command name.
    from langchain_compat_chat.testing.__main__ import main as serve_main

    return serve_main(list(argv[list(argv).index("serve-test") + 1 :]))


def _exit_status(code: object) -> int:
    return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_USAGE)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests); nothing to silence
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``compat-chat``; returns the exit code instead of raising ``SystemExit``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    console = Console.from_sys()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse printed
        return _exit_status(exc.code)
    reporter = Reporter(
        console.stderr,
        debug=getattr(args, "debug", False),
        api_key=getattr(args, "api_key", None),
    )
    try:
        if args.command == "chat":
            return chat.run(args, console, reporter)
        if args.command == "models":
            return _models(args, console, reporter)
        if args.command == "demo":
            return _demo(console)
        return _serve_test(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        return reporter(exc)
