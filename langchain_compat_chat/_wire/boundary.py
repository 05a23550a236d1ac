"""The wire parsers' boundary: a payload of the wrong shape becomes one typed error.

Parsers walk untrusted JSON of any shape; their public entry points are wrapped by
:func:`parse_boundary` instead of guarding every field access.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from langchain_compat_chat.errors import CompatChatError, MalformedResponseError, preview

__all__ = ["parse_boundary"]

_F = TypeVar("_F", bound=Callable[..., Any])
# What walking a JSON value of the wrong shape raises: a list where a mapping was expected
# (TypeError, AttributeError), a missing key or index, a field of the wrong type rejected by a
# pydantic model (ValueError), a document nested deeper than the interpreter's stack, a token
# count of ``Infinity`` (Python's json reads it; ``int()`` of it raises OverflowError).
_SHAPE_ERRORS = (
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    ValueError,
    RecursionError,
    OverflowError,
)


def parse_boundary(func: _F) -> _F:
    """Report a server payload the decorated parser cannot read as ``MalformedResponseError``.

    Parsers walk untrusted JSON of any shape. Guarding every field access would bury the
    conversion logic, and missing one guard would let a ``TypeError`` escape to callers who
    only catch our taxonomy. So the parsers' public entry points are wrapped: our typed errors
    pass through unchanged, and the exceptions a wrong shape produces become one typed error
    carrying the payload (truncated), with the original exception chained for debugging.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CompatChatError:
            raise
        except _SHAPE_ERRORS as exc:
            payload = next(
                (a for a in args if a is None or isinstance(a, (str, list, dict, int, float))),
                None,
            )
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise MalformedResponseError(
                f"The server's answer has a shape this client cannot read ({detail})",
                body=preview(payload) if payload is not None else None,
            ) from exc

    return cast(_F, wrapper)
