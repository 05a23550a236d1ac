"""Connection options shared by ``chat`` and ``models``, and the model they describe.

Every value may come from a flag or from the environment, exactly as ``ChatCompatModel``
reads it (``COMPAT_BASE_URL``, ``COMPAT_API_KEY`` and the preset's own variables such as
``DEEPSEEK_API_KEY``), plus ``COMPAT_MODEL`` for the model name, which only the command
line reads. Construction problems become :class:`UsageError` with a one-line message.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import SecretStr, ValidationError

from langchain_compat_chat._cli.errors import UsageError
from langchain_compat_chat.chat_models import ChatCompatModel
from langchain_compat_chat.errors import AuthenticationError
from langchain_compat_chat.providers import known_providers

__all__ = ["build_model", "connection_options", "debug_option", "positive_float", "positive_int"]

MODEL_ENV = "COMPAT_MODEL"


_N = TypeVar("_N", int, float)


def _number(text: str, kind: Callable[[str], _N], minimum: _N, *, inclusive: bool) -> _N:
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
    if value < minimum or (value == minimum and not inclusive):
        bound = "at least" if inclusive else "greater than"
        raise argparse.ArgumentTypeError(f"must be {bound} {minimum:g}, got {text}")
    return value


def positive_float(text: str) -> float:
    """Argparse type for durations."""
    return _number(text, float, 0.0, inclusive=False)


def positive_int(text: str) -> int:
    """Argparse type for counts that must be at least one."""
    return _number(text, int, 0, inclusive=False)


def _non_negative_int(text: str) -> int:
    return _number(text, int, 0, inclusive=True)


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError("expected 'Name: value'")
    return name.strip(), value.strip()


def connection_options() -> argparse.ArgumentParser:
    """A parent parser with the flags that say where the server is and how to reach it."""
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--base-url",
        metavar="URL",
        help="endpoint root, e.g. http://localhost:8000/v1 "
        "(default: $COMPAT_BASE_URL, the preset's variable, or the preset's URL)",
    )
    group.add_argument("--model", "-m", metavar="NAME", help=f"model id (default: ${MODEL_ENV})")
    group.add_argument(
        "--provider",
        "-p",
        metavar="NAME",
        help=f"provider preset: {', '.join(known_providers())}",
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        help="API key (prefer $COMPAT_API_KEY or the preset's variable: "
        "flags are visible to other local users)",
    )
    group.add_argument(
        "--timeout", type=positive_float, metavar="SECONDS", help="read timeout (default 120)"
    )
    group.add_argument(
        "--max-retries",
        type=_non_negative_int,
        metavar="N",
        help="extra attempts on 429/5xx/connection errors (default 2)",
    )
    group.add_argument(
        "--header",
        "-H",
        type=_header,
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="extra request header (repeatable)",
    )
    return parser


def debug_option() -> argparse.ArgumentParser:
    """A parent parser with ``--debug``, for every command that talks to a server."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--debug", action="store_true", help="on failure, print the traceback too")
    return parser


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def build_model(
    args: argparse.Namespace, *, model_required: bool = True, **params: Any
) -> ChatCompatModel:
    """The ``ChatCompatModel`` the options describe; ``params`` adds request settings.

    Raises:
        UsageError: No model name, an unknown provider, no base URL, a hosted preset
            without a key, or any other value the model refuses.

    """
    name = args.model or os.environ.get(MODEL_ENV)
    if not name and model_required:
        msg = (
            f"no model given: pass --model NAME or set {MODEL_ENV} "
            "(`compat-chat models` lists them)"
        )
        raise UsageError(msg)
    kwargs: dict[str, Any] = {
        # GET /models sends no model name, so listing works without one.
        "model": name or "",
        "provider": args.provider,
        "base_url": args.base_url,
        "api_key": SecretStr(args.api_key) if args.api_key else None,
        **{k: v for k, v in params.items() if v is not None},
    }
    if args.timeout is not None:
        kwargs["timeout"] = args.timeout
    if args.max_retries is not None:
        kwargs["max_retries"] = args.max_retries
    if args.header:
        kwargs["default_headers"] = dict(args.header)
    try:
        model = ChatCompatModel(**kwargs)
    except ValidationError as exc:
        raise UsageError(_validation_message(exc)) from None
    try:
        # The model's own rule: a hosted preset at its own URL with no key and no auth header.
        model._get_session()
    except AuthenticationError:
        profile = model.provider_profile
        names = " or ".join(profile.api_key_env)
        msg = f"provider {profile.name!r} needs an API key: pass --api-key or set {names}"
        raise UsageError(msg) from None
    return model
