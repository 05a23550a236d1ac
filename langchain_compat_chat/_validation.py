"""Construction checks of the model's input: unknown names, timeouts, masked error input.

What pydantic's field types cannot say is checked here, before the model exists, so that a
mistake fails at construction naming the argument rather than at the first call with an
httpx message. The errors a failed construction raises show its input with every
credential masked.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import AliasChoices, BaseModel, SecretStr

from langchain_compat_chat._secrets import MASK, is_secret_header, mask_mapping, redact_url
from langchain_compat_chat._wire.encode import check_header, encode_body

__all__ = ["check_sendable", "check_timeout", "masked_input", "reject_unknown"]


@functools.cache
def _accepted_names(cls: type[BaseModel]) -> frozenset[str]:
    """Field names and their aliases; cached per class because every construction asks."""
    names = set(cls.model_fields)
    for f in cls.model_fields.values():
        if isinstance(f.validation_alias, AliasChoices):
            names.update(c for c in f.validation_alias.choices if isinstance(c, str))
    return frozenset(names)


def reject_unknown(cls: type[BaseModel], values: Mapping[str, Any]) -> None:
    """Refuse argument names the class does not know, suggesting the close one (did you mean).

    Raises:
        ValueError: Some names are neither fields nor aliases; the message says that
            request fields the class does not model go in ``extra_body``.

    """
    known = _accepted_names(cls)
    if known.issuperset(values):
        return
    named = []
    for name in sorted(k for k in values if k not in known):
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        named.append(f"{name} (did you mean {close[0]}?)" if close else name)
    msg = (
        f"Unknown parameter(s) for ChatCompatModel: {', '.join(named)}. "
        "Request fields the class does not model go in extra_body={...}."
    )
    raise ValueError(msg)


def check_timeout(value: Any) -> None:
    """Refuse a read timeout that is not a positive, finite number of seconds, at construction.

    Unchecked, ``timeout=0`` failed every call with "Could not reach the server (...
    Operation now in progress)" and ``timeout=-1`` with httpx's "Timeout value out of
    range", both at call time and neither naming the argument.

    Raises:
        ValueError: A timeout part is zero, negative, NaN or infinite, or a pair is not two.

    """
    if value is None:
        return
    if isinstance(value, httpx.Timeout):
        parts: list[tuple[str, Any]] = [
            (f"timeout.{name}", getattr(value, name))
            for name in ("connect", "read", "write", "pool")
        ]
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            msg = f"timeout as a pair must be (connect, read) seconds, got {len(value)} values"
            raise ValueError(msg)
        parts = [("timeout[0] (connect)", value[0]), ("timeout[1] (read)", value[1])]
    else:
        parts = [("timeout", value)]
    for name, seconds in parts:
        if seconds is None and name.startswith("timeout."):
            continue  # httpx.Timeout(None) means "no limit" for that phase
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            continue  # pydantic reports the wrong type with the field's own message
        if not math.isfinite(seconds) or seconds <= 0:
            msg = (
                f"{name} must be a positive, finite number of seconds, got {seconds!r}; "
                "pass timeout=None for no read timeout (total_timeout= bounds a whole call)"
            )
            raise ValueError(msg)


def masked_input(loc: tuple[Any, ...], value: Any) -> Any:
    """A construction input as errors may show it: every credential in it masked.

    The key, URL and proxy passwords, credential headers and query values.

    Args:
        loc: The error's location (``()`` for a model-level error: the whole input).
        value: The input at that location.

    """
    if not loc:  # a model-level error: the whole input
        if not isinstance(value, Mapping):
            return MASK
        return {k: masked_input((k,), v) for k, v in value.items()}
    field = loc[0]
    if field == "api_key":
        return MASK if value is not None else None
    if field in ("base_url", "api_base", "proxy") and isinstance(value, str):
        return redact_url(value)
    if field in ("default_headers", "default_query") and isinstance(value, Mapping):
        if len(loc) > 1:
            return MASK
        return mask_mapping({str(k): v for k, v in value.items()}, query=field == "default_query")
    return value


def check_sendable(
    api_key: SecretStr | None,
    headers: Mapping[str, str],
    fields: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, Any]],
) -> None:
    """Refuse at construction what could never be sent, naming the field, not the value.

    Headers and the key must be valid HTTP (see ``_wire.encode.check_header``); request
    fields and ``extra_body`` must be JSON. The latter is checked again when each request
    is encoded, but a self-referencing ``extra_body`` would otherwise fail first, with a
    bare ``RecursionError``, in langchain-core's own serialization of the model for
    callbacks.

    Args:
        api_key: The key, sent as a header.
        headers: ``default_headers``.
        fields: The request fields the model sets, by name.
        sources: Extra request fields by the argument they came in (``model_kwargs``,
            ``extra_body``; the later wins a name both have).

    Raises:
        RequestEncodingError: A header or field that cannot be sent.

    """
    if api_key is not None:
        check_header("authorization", api_key.get_secret_value(), what="api_key")
    for name, value in headers.items():
        check_header(name, value, secret=is_secret_header(name))
    body = dict(fields)
    origins = {n: f"{n}=" for n in body}
    for source, extra in sources.items():
        for key, value in extra.items():
            body[key], origins[key] = value, source
    if body:
        encode_body(body, origins)
