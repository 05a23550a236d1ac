"""``python -m langchain_compat_chat`` runs the ``compat-chat`` command line."""

from __future__ import annotations

import sys

from langchain_compat_chat._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
