"""What can go on the wire: the request body as JSON bytes, and header names and values.

Pure checks at the one point where Python values become bytes. ``json.dumps`` on its own
writes ``NaN`` and ``Infinity``, which are not JSON (RFC 8259 §6): strict servers answer 400,
lenient ones read something else, and the call looked fine. Lone surrogates, objects JSON
has no type for and containers that contain themselves fail in ``json.dumps`` or in the
UTF-8 encoding with a bare ``UnicodeEncodeError`` / ``TypeError`` / ``ValueError`` that
names neither the field nor the fix. Here every such mistake becomes one
:class:`~langchain_compat_chat.errors.RequestEncodingError` saying which field, what is
wrong with it and what to pass instead. The happy path costs nothing extra: the value is
only walked to find the culprit once encoding has already failed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from langchain_compat_chat.errors import RequestEncodingError

__all__ = ["check_header", "check_tool", "dumps_strict", "encode_body"]

# Deeper than this is no request anyone meant to send (and near where json.dumps would hit
# the interpreter's recursion limit).
_MAX_DEPTH = 200
# RFC 9110 §5.6.2: a field name is a token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 §5.5: visible ASCII, with spaces and tabs only inside. httpx encodes header
# values as ASCII, and h11 refuses anything else with an error quoting the value.
_FIELD_VALUE = re.compile(r"[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?")


def dumps_strict(value: Any) -> str:
    """``json.dumps`` that refuses NaN and Infinity instead of writing invalid JSON."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def encode_body(body: Mapping[str, Any], origins: Mapping[str, str] | None = None) -> bytes:
    """The UTF-8 JSON bytes of ``body``, or a typed error naming the field that cannot be sent.

    Args:
        body: The request body.
        origins: Where each top-level field came from (``"extra_body"``, ``"a call
            argument"``...), for the error message; fields not listed are named as such.

    Raises:
        RequestEncodingError: A value is NaN/Infinity, text with lone surrogates, of a type
            JSON has no equivalent for, contains itself, or is nested absurdly deep.

    """
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # UnicodeEncodeError: ValueError
        raise encoding_error(body, origins or {}) from exc


def encoding_error(body: Mapping[str, Any], origins: Mapping[str, str]) -> RequestEncodingError:
    """The error for a body that failed to encode, naming the first value at fault."""
    for key, value in body.items():
        found = _problem(value, _key_path("", key), 0, set())
        if found is None:
            found = _problem(key, _key_path("", key), 0, set())
        if found is not None:
            path, problem, fix = found
            origin = origins.get(str(key))
            where = f"{path} (from {origin})" if origin else path
            return RequestEncodingError(f"Request field {where} cannot be sent: {problem}; {fix}")
    return RequestEncodingError(
        "The request body cannot be encoded as JSON; check extra_body and call arguments"
    )


def check_tool(tool: Mapping[str, Any]) -> None:
    """Refuse, when tools are bound, a tool definition that could never be sent.

    A schema holding a ``datetime`` default (or NaN, or a set) was accepted by
    ``bind_tools`` and failed at the first invoke with a bare ``TypeError: Object of type
    datetime is not JSON serializable``, naming neither the tool nor the field.

    Raises:
        RequestEncodingError: naming the tool and the path of the value at fault.

    """
    try:
        dumps_strict(tool)
    except (ValueError, TypeError, RecursionError):
        function = tool.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        shown = repr(name) if isinstance(name, str) else "(unnamed)"
        for key, value in tool.items():
            found = _problem(value, _key_path("", key), 0, set())
            if found is not None:
                path, problem, fix = found
                msg = f"Tool {shown} cannot be sent: its field {path}: {problem}; {fix}"
                raise RequestEncodingError(msg) from None
        msg = f"Tool {shown} cannot be encoded as JSON"
        raise RequestEncodingError(msg) from None


def _key_path(path: str, key: Any) -> str:
    if not path:
        return str(key)
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}[{_quoted(key)}]"


def _quoted(key: Any) -> str:
    text = key if isinstance(key, str) else repr(key)
    return json.dumps(text, ensure_ascii=True)  # lone surrogates shown as \\udxxx escapes


def _problem(value: Any, path: str, depth: int, stack: set[int]) -> tuple[str, str, str] | None:
    """``(path, what is wrong, what to do)`` for the first value JSON cannot carry."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (
                path,
                f"the text holds a lone surrogate (U+{ord(value[exc.start]):04X} at "
                f"character {exc.start}), which is not valid Unicode and has no UTF-8 form",
                "repair the text first, e.g. text.encode('utf-8', 'replace').decode(); it "
                "usually comes from bytes decoded with errors='surrogateescape'",
            )
        return None
    if value is None or isinstance(value, (bool, int)):
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return (
            path,
            f"{value!r} is not a JSON number (JSON has no NaN or Infinity)",
            "pass a finite number, or leave the field out",
        )
    if isinstance(value, (dict, list, tuple)):
        if id(value) in stack:
            return path, "the value contains itself", "pass a copy without the loop"
        if depth >= _MAX_DEPTH:
            return (
                path,
                f"the value is nested more than {_MAX_DEPTH} levels deep",
                "flatten it",
            )
        stack.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            inner = _key_path(path, key)
            if isinstance(value, dict):
                if not (key is None or isinstance(key, (str, int, float, bool))):
                    return (
                        inner,
                        f"the key is a {type(key).__name__}; JSON object keys are text",
                        "use str keys",
                    )
                found = _problem(key, inner, depth + 1, stack)
                if found is not None:
                    return found
            found = _problem(item, inner, depth + 1, stack)
            if found is not None:
                return found
        stack.discard(id(value))
        return None
    return (
        path,
        f"a {type(value).__module__}.{type(value).__qualname__} has no JSON form",
        "convert it to text, a number, a list or a dict first",
    )


def check_header(name: str, value: str, *, secret: bool = True, what: str | None = None) -> str:
    """``value`` without surrounding whitespace, or ``ValueError`` saying what is wrong.

    A line break inside a key (a file read with its newline, two keys pasted together)
    would reach h11, whose error, logged by httpcore at DEBUG, quotes the whole value; a
    non-ASCII one fails in httpx with a bare ``UnicodeEncodeError``. Both are refused here,
    naming the header but never showing a credential's value.

    Args:
        name: The header name.
        value: Its value.
        secret: The value is a credential: never quote it.
        what: How to name the value in the message (``"api_key"``); implies ``secret``.

    Raises:
        ValueError: The name is not an HTTP token, or the value has line breaks, control
            characters or non-ASCII characters.

    """
    if not _TOKEN.fullmatch(name):
        msg = (
            f"Header name {_quoted(name)} is not valid HTTP: use ASCII letters, digits "
            "and -_.!#$%&'*+^`|~ only"
        )
        raise ValueError(msg)
    stripped = value.strip()
    if stripped and not _FIELD_VALUE.fullmatch(stripped):
        bad = next(c for c in stripped if not ("\x20" <= c <= "\x7e" or c == "\t"))
        kind = (
            "a line break"
            if bad in "\r\n"
            else "a control character"
            if ord(bad) < 0x20 or ord(bad) == 0x7F
            else f"a non-ASCII character (U+{ord(bad):04X})"
        )
        shown = "" if secret or what else f" {_quoted(stripped[:40])}"
        subject = what or f"The value of header {name!r}{shown}"
        msg = (
            f"{subject} contains {kind}; it is sent as an HTTP header, which must be "
            "printable ASCII on one line. Check the file or variable it was read from."
        )
        raise ValueError(msg)
    return stripped
