"""Command line: ``python -m langchain_compat_chat demo`` (also the ``compat-chat`` script)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``compat-chat``."""
    parser = argparse.ArgumentParser(prog="compat-chat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="stream a chain, call a tool and get structured output")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from langchain_compat_chat._demo import run

        return run()
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
