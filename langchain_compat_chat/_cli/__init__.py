"""The ``compat-chat`` command line (stdlib ``argparse``; no extra dependency)."""

from langchain_compat_chat._cli.app import build_parser, main

__all__ = ["build_parser", "main"]
