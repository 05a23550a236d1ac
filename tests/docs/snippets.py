"""Read the fenced Python blocks out of the documentation, with their test directives.

Convention (also explained in ``docs/index.md`` for contributors):

* Every fenced ``python`` block in ``docs/**/*.md`` and ``README.md`` is executed by
  ``test_snippets.py``. The blocks of one page run in order in one namespace, like a notebook,
  so a page can define ``llm`` once and use it below.
* The HTML comment on the last non-blank line before a fence (invisible when rendered) can say:

  - ``<!-- no-test: <reason> -->``: do not run this block. Only for code that cannot run here,
    e.g. the "before" side of a migration that needs a package we do not depend on. The reason
    is mandatory.
  - ``<!-- docs-test: dialect=<x-compat-dialect value> -->``: switch the reference server to
    that dialect (``deepseek-reasoner``, ``groq``, ``reasoning_field=reasoning,always_reason``...)
    from this block on, so a provider page sees answers shaped like its provider's.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*$")
_NO_TEST = re.compile(r"^<!--\s*no-test:\s*(?P<reason>.*?)\s*-->$")
_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(?P<key>\w+)=(?P<value>.+?)\s*-->$")
_KNOWN_DIRECTIVES = frozenset({"dialect"})


@dataclass(frozen=True)
class Snippet:
    """One fenced Python block of a page."""

    path: Path
    line: int  # 1-based line of the first code line
    code: str
    skip_reason: str | None = None
    dialect: str | None = None

    @property
    def where(self) -> str:
        """``docs/page.md:12``, used as the code's file name so tracebacks point at the doc."""
        return f"{self.path.relative_to(REPO)}:{self.line}"


def pages() -> list[Path]:
    """Every Markdown file whose snippets are tested."""
    return [*sorted(DOCS.rglob("*.md")), REPO / "README.md"]


def _directive(line: str, path: Path, lineno: int) -> tuple[str | None, str | None]:
    """(skip reason, dialect) declared by the comment line before a fence."""
    text = line.strip()
    if match := _NO_TEST.match(text):
        reason = match["reason"]
        if not reason:
            msg = f"{path}:{lineno}: no-test needs a reason"
            raise ValueError(msg)
        return reason, None
    if match := _DIRECTIVE.match(text):
        if match["key"] not in _KNOWN_DIRECTIVES:
            msg = f"{path}:{lineno}: unknown docs-test directive {match['key']!r}"
            raise ValueError(msg)
        return None, match["value"]
    if text.startswith("<!--") and ("no-test" in text or "docs-test" in text):
        msg = f"{path}:{lineno}: malformed test directive {text!r}"
        raise ValueError(msg)
    return None, None


def snippets(path: Path) -> list[Snippet]:
    """The Python blocks of one page, in order.

    Raises:
        ValueError: A fence is never closed or a directive is malformed, so a broken page
            fails loudly instead of silently running fewer blocks.

    """
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, lang = match["indent"], match["lang"].lower()
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if end == len(lines):
            msg = f"{path}:{i + 1}: unclosed code fence"
            raise ValueError(msg)
        if lang in ("python", "py"):
            prev = i - 1
            while prev >= 0 and not lines[prev].strip():
                prev -= 1
            reason, dialect = _directive(lines[prev], path, prev + 1) if prev >= 0 else (None, None)
            body = [ln[len(indent) :] if ln.startswith(indent) else ln for ln in lines[i + 1 : end]]
            found.append(
                Snippet(
                    path=path,
                    line=i + 2,
                    code=textwrap.dedent("\n".join(body)) + "\n",
                    skip_reason=reason,
                    dialect=dialect,
                )
            )
        i = end + 1
    return found
