"""The one renderer of the generated tables in the guides: a Markdown table in a marked block.

A guide holds a generated table between ``<!-- NAME:begin ... -->`` and ``<!-- NAME:end -->``.
:func:`markdown_table` renders the rows, :class:`GuideBlock` reads the block back (for the
tests that fail when a guide drifts) and rewrites it (for the ``python -m`` generators), so
the table generators only choose their rows and cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table, header first, one line per row, with a trailing newline."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class GuideBlock:
    """The generated block named ``marker`` in the guide at ``path``."""

    path: Path
    marker: str

    @property
    def _pattern(self) -> re.Pattern[str]:
        name = re.escape(self.marker)
        return re.compile(
            rf"(<!-- {name}:begin[^>]*-->\n)(?P<body>.*?)(<!-- {name}:end -->)", re.DOTALL
        )

    def current(self) -> str | None:
        """The block's text now in the guide, or ``None`` without markers."""
        match = self._pattern.search(self.path.read_text(encoding="utf-8"))
        return match["body"] if match else None

    def write(self, body: str) -> bool:
        """Put ``body`` in the block when it differs; return whether the guide changed."""
        text = self.path.read_text(encoding="utf-8")
        new, count = self._pattern.subn(lambda m: m.group(1) + body + m.group(3), text)
        if count != 1:
            msg = f"{self.path}: expected one {self.marker} block, found {count}"
            raise SystemExit(msg)
        if new != text:
            self.path.write_text(new, encoding="utf-8")
        return new != text
