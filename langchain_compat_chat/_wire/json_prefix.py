"""Is this text garbage, a prefix of a JSON document, or a whole one (a pushdown scanner).

Streamed tool-call arguments are unfinished JSON until their last delta, and servers differ
in whether each delta continues the arguments or re-sends them whole (the tool-call
assembler decides which with this). ``json.loads`` can only say "not a document"; this
scanner also tells an unfinished document from one that can never become valid.
"""

from __future__ import annotations

import re

__all__ = ["COMPLETE", "INVALID", "PARTIAL", "json_prefix"]

INVALID, PARTIAL, COMPLETE = 0, 1, 2
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEX = frozenset("0123456789abcdefABCDEF")
_CLOSE = {"{": "}", "[": "]"}


def _scan_string(text: str, start: int) -> int:
    """Index after the string opening at ``start``; -2 if the text ends inside it; -1 if bad."""
    i, n = start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i + 1
        if ch == "\\":
            if i + 1 == n:
                return -2
            esc = text[i + 1]
            if esc == "u":
                digits = text[i + 2 : i + 6]
                if not all(d in _HEX for d in digits):
                    return -1
                if len(digits) < 4:
                    return -2
                i += 6
            elif esc in '"\\/bfnrt':
                i += 2
            else:
                return -1
        elif ch < " ":
            return -1
        else:
            i += 1
    return -2


def json_prefix(text: str) -> int:
    """Classify ``text``: ``INVALID``, a ``PARTIAL`` prefix of a JSON document, or ``COMPLETE``.

    A small pushdown scanner rather than ``json.loads`` so that an unfinished document (what
    streamed tool-call arguments are until their last delta) can be told from garbage; the
    tool-call assembler uses it to decide whether a delta re-sends or continues the arguments.
    """
    stack: list[str] = []
    expect = (
        "value"  # value | item (value or "]") | key | member (key or "}") | colon | comma | end
    )
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n\r":
            i += 1
            continue
        if expect == "end":
            return INVALID
        if (expect == "item" and ch == "]") or (expect == "member" and ch == "}"):
            stack.pop()
            expect = "comma" if stack else "end"
            i += 1
        elif expect in ("value", "item"):
            if ch in "{[":
                stack.append(ch)
                expect = "member" if ch == "{" else "item"
                i += 1
                continue
            if ch == '"':
                i = _scan_string(text, i)
                if i < 0:
                    return PARTIAL if i == -2 else INVALID
            elif ch in "-0123456789":
                j = i
                while j < n and text[j] in "+-.eE0123456789":
                    j += 1
                token = text[i:j]
                if j == n and not stack:
                    full = _NUMBER.fullmatch(token)
                    if full:
                        return COMPLETE
                    return PARTIAL if _NUMBER.fullmatch(token + "0") else INVALID
                if j == n:
                    ok = _NUMBER.fullmatch(token) or _NUMBER.fullmatch(token + "0")
                    return PARTIAL if ok else INVALID
                if not _NUMBER.fullmatch(token):
                    return INVALID
                i = j
            else:
                for literal in ("true", "false", "null"):
                    if ch == literal[0]:
                        seen = text[i : i + len(literal)]
                        if not literal.startswith(seen):
                            return INVALID
                        if len(seen) < len(literal):
                            return PARTIAL
                        i += len(literal)
                        break
                else:
                    return INVALID
            expect = "comma" if stack else "end"
        elif expect in ("key", "member"):
            if ch != '"':
                return INVALID
            i = _scan_string(text, i)
            if i < 0:
                return PARTIAL if i == -2 else INVALID
            expect = "colon"
        elif expect == "colon":
            if ch != ":":
                return INVALID
            expect = "value"
            i += 1
        else:  # comma
            if ch == ",":
                expect = "key" if stack[-1] == "{" else "value"
            elif ch == _CLOSE[stack[-1]]:
                stack.pop()
                expect = "comma" if stack else "end"
            else:
                return INVALID
            i += 1
    return COMPLETE if expect == "end" else PARTIAL
