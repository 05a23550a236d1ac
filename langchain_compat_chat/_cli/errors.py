"""Exit codes and the one-line explanation ``compat-chat`` prints for each failure.

Scripts branch on the exit code, people read the line, so both are decided here in one
place for every command. The codes are part of the command line's interface (see
``docs/cli.md``); do not renumber them.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from langchain_compat_chat._cli.term import Style
from langchain_compat_chat._secrets import redact_url
from langchain_compat_chat.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CompatChatError,
    InvalidRequestError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    StreamInterruptedError,
)

if TYPE_CHECKING:
    from langchain_compat_chat.chat_models import ChatCompatModel

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_AUTH",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RATE_LIMITED",
    "EXIT_REJECTED",
    "EXIT_UNREACHABLE",
    "EXIT_USAGE",
    "Reporter",
    "UsageError",
    "error_line",
    "exit_code",
]

EXIT_OK = 0
EXIT_API_ERROR = 1
"""The server failed or answered something unusable (5xx, malformed reply, stream error)."""
EXIT_USAGE = 2
"""Bad command line or configuration, found before any request (argparse uses 2 as well)."""
EXIT_UNREACHABLE = 3
"""No connection, a connection dropped mid-answer, or no answer within the timeout."""
EXIT_AUTH = 4
"""The server refused the credentials (401, 402, 403)."""
EXIT_REJECTED = 5
"""The server rejected the request (400, 404, 413, 422: unknown model, context overflow...)."""
EXIT_RATE_LIMITED = 6
"""Still rate limited (429/409) after the retries."""
EXIT_INTERRUPTED = 130
"""Ctrl-C, following the shell convention of 128 + SIGINT."""


class UsageError(Exception):
    """A problem with the command line or the environment, caught before talking to a server."""


_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (UsageError, EXIT_USAGE),
    (APIConnectionError, EXIT_UNREACHABLE),
    (APITimeoutError, EXIT_UNREACHABLE),
    (AuthenticationError, EXIT_AUTH),
    (PermissionDeniedError, EXIT_AUTH),
    (PaymentRequiredError, EXIT_AUTH),
    (InvalidRequestError, EXIT_REJECTED),
    (NotFoundError, EXIT_REJECTED),
    (RateLimitError, EXIT_RATE_LIMITED),
)


def exit_code(exc: BaseException) -> int:
    """The documented exit code for a failure (1 for anything not classified)."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    return EXIT_API_ERROR


def _what_failed(exc: BaseException, base_url: str | None, key_env: Iterable[str]) -> str:
    where = base_url or "the server"
    if isinstance(exc, UsageError):
        return str(exc)
    if isinstance(exc, APITimeoutError):
        return f"{where} did not answer in time (raise --timeout): {exc}"
    if isinstance(exc, StreamInterruptedError):
        return f"the connection to {where} broke in the middle of the answer: {exc}"
    if isinstance(exc, APIConnectionError):
        return f"cannot reach {where}: {exc}"
    if isinstance(exc, AuthenticationError):
        names = " or ".join(key_env) or "COMPAT_API_KEY"
        # The error's own hint speaks Python (api_key=...); the command line says --api-key.
        text = str(exc).removesuffix(f" - {exc.hint}") if exc.hint else str(exc)
        return f"the server refused the API key (pass --api-key or set {names}): {text}"
    if isinstance(exc, (PermissionDeniedError, PaymentRequiredError)):
        return f"the server refused access: {exc}"
    if isinstance(exc, NotFoundError):
        return f"not found (check --model and --base-url; `compat-chat models` lists models): {exc}"
    if isinstance(exc, RateLimitError):
        return f"rate limited, even after retries: {exc}"
    if isinstance(exc, InvalidRequestError):
        return f"the server rejected the request: {exc}"
    if isinstance(exc, CompatChatError):
        return f"the server failed: {exc}"
    detail = str(exc)
    name = type(exc).__name__
    return f"unexpected {name}{': ' + detail if detail else ''} (rerun with --debug for details)"


def error_line(
    exc: BaseException,
    *,
    base_url: str | None = None,
    key_env: Iterable[str] = (),
    secrets: Iterable[str] = (),
) -> str:
    """One line (no newlines) saying what went wrong and what to try, with secrets masked.

    The package already redacts keys inside its errors; ``secrets`` masks the caller's own
    key once more in case any other message (a library's, an OS error) echoes it.
    """
    line = " ".join(_what_failed(exc, base_url, key_env).split())
    for secret in secrets:
        if secret:
            line = line.replace(secret, "***")
    return line


class Reporter:
    """Prints a failure as one line on stderr (plus the traceback with ``--debug``).

    Commands set :attr:`model` once they have built one, so that messages can name the
    server and the key variables, and mask the key the model resolved from the environment.
    """

    def __init__(self, stderr: TextIO, *, debug: bool = False, api_key: str | None = None) -> None:
        self.stderr = stderr
        self.debug = debug
        self.model: ChatCompatModel | None = None
        self._api_key = api_key

    def _secrets(self) -> list[str]:
        found = [self._api_key or ""]
        if self.model is not None and self.model.api_key is not None:
            found.append(self.model.api_key.get_secret_value())
        return [s for s in found if s]

    def __call__(self, exc: BaseException) -> int:
        """Report ``exc``; returns its exit code."""
        secrets = self._secrets()
        if self.debug:
            trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            for secret in secrets:
                trace = trace.replace(secret, "***")
            self.stderr.write(trace)
        model = self.model
        line = error_line(
            exc,
            base_url=redact_url(model.base_url or "") if model is not None else None,
            key_env=model.provider_profile.api_key_env if model is not None else (),
            secrets=secrets,
        )
        self.stderr.write(Style.for_stream(self.stderr).error("compat-chat: error:") + f" {line}\n")
        self.stderr.flush()
        return exit_code(exc)
