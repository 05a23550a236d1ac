"""mkdocs hook: render Sphinx cross-reference roles in docstrings as plain code.

The package's docstrings use Sphinx roles (``:class:`Dialect```, ``:meth:`send```), which
mkdocstrings' Markdown rendering would show literally as ``:class:`` followed by the code span.
Dropping the role keeps the code span, which is what a reader needs.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|obj|data|exc):(?=<code>)")


def on_page_content(html: str, **_: Any) -> str:
    """Remove role prefixes in front of code spans."""
    return _ROLE.sub("", html)
