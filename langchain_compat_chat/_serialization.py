"""How the model shows and dumps itself: credentials masked, dialect overrides kept.

``repr`` and ``dumpd``/``dumps`` must never carry a credential header, query value or proxy
password, and a loaded model must resolve the same dialect; these pure helpers do that for
the model's ``__repr_args__``, ``to_json`` and ``lc_attributes``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from langchain_compat_chat._secrets import mask_mapping, redact_url
from langchain_compat_chat.dialects import Dialect

__all__ = ["dialect_attribute", "masked_dump", "masked_repr_args"]

_MAPPINGS = ("default_headers", "default_query")


def dialect_attribute(overrides: Dialect | dict[str, Any] | None) -> dict[str, Any]:
    """The ``lc_attributes`` entry for the user's dialect overrides (none: nothing)."""
    if isinstance(overrides, Dialect):
        overrides = {
            k: sorted(v) if isinstance(v, frozenset) else v
            for k, v in dataclasses.asdict(overrides).items()
            if k not in ("name", "family", "rules")
        }
    return {"dialect": dict(overrides)} if overrides else {}


def masked_dump(data: Any) -> Any:
    """A ``to_json`` form with credential header and query values masked, in place."""
    kwargs = data.get("kwargs") if isinstance(data, dict) else None
    if isinstance(kwargs, dict):
        for field in _MAPPINGS:
            if isinstance(kwargs.get(field), dict):
                kwargs[field] = mask_mapping(kwargs[field], query=field == "default_query")
    return data


def masked_repr_args(args: Iterable[tuple[str | None, Any]]) -> Iterator[tuple[str | None, Any]]:
    """Fields as repr shows them: the proxy's password and credential mappings masked."""
    for name, value in args:
        if name == "proxy" and value:
            value = redact_url(value)
        elif name in _MAPPINGS:
            value = mask_mapping(value, query=name == "default_query")
        yield name, value
