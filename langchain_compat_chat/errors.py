"""Typed errors for everything that can go wrong between us and the server.

Every class subclasses one of langchain-core's ``ModelError`` types, so code written against
LangChain's taxonomy (``except ModelRateLimitError``) catches ours, while code that wants the
details finds the HTTP status, the provider's message/code/type, the request id and a
truncated raw body on the exception itself. ``error_from_response`` is the one place that maps
an HTTP status and body to a type, so JSON calls, streams and error events inside a stream all
agree; :func:`stamp` is the one place an error gets the request id and body preview of the
response it came from, and :func:`preview` the one rule for how much of a body it keeps.

The class tree (langchain-core base in brackets)::

    CompatChatError [ModelError]
    ├── AuthenticationError [ModelAuthenticationError]        401
    ├── PermissionDeniedError [ModelPermissionDeniedError]    403
    ├── PaymentRequiredError [ModelPermissionDeniedError]     402
    ├── InvalidRequestError [ModelInvalidRequestError]        400, 413, 422, other 4xx
    │   ├── RequestEncodingError (also ValueError)            before sending
    │   ├── ContextOverflowError [ContextOverflowError]
    │   └── ContentFilterError
    ├── NotFoundError [ModelNotFoundError]                    404
    ├── RateLimitError [ModelRateLimitError]                  429, 409
    ├── APIError [ModelAPIError]                              5xx, unexpected status
    │   ├── ProviderError                                     error inside a 200
    │   │   └── EmptyStreamError
    │   ├── RedirectError                                     3xx
    │   ├── MalformedResponseError
    │   ├── ForcedToolCallError
    │   └── ResponseTooLargeError
    ├── APIConnectionError [ModelConnectionError]
    │   └── StreamInterruptedError
    └── APITimeoutError [ModelTimeoutError]                   408, timeouts, total_timeout

Credentials are ``_secrets.py``'s concern; its registry and ``redact`` are re-exported here
for code written against earlier versions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core import exceptions as lc

# The credential registry lives in _secrets (one home for every credential rule); these
# names stay importable from here for code written against earlier versions.
from langchain_compat_chat._secrets import mask_url, redact, register_secret, registered_secrets

__all__ = [
    "PREVIEW_LIMIT",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BatchCancelledError",
    "BatchError",
    "BatchExpiredError",
    "BatchFailedError",
    "BatchPendingError",
    "BatchUnsupportedError",
    "CompatChatError",
    "ContentFilterError",
    "ContextOverflowError",
    "EmptyStreamError",
    "ForcedToolCallError",
    "InvalidRequestError",
    "MalformedResponseError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitError",
    "RedirectError",
    "RequestEncodingError",
    "ResponseTooLargeError",
    "StreamInterruptedError",
    "error_from_payload",
    "error_from_response",
    "preview",
    "redact",
    "register_secret",
    "registered_secrets",
    "request_id_from",
    "stamp",
]

PREVIEW_LIMIT = 2000
"""Characters of a body an error keeps (``body``): enough to read what the server said,
short enough for a log line; the HTTP layer keeps as many bytes of each body it reads."""
_TRUNCATED = "...[truncated]"
_MESSAGE_LIMIT = 1000
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-ms-request-id", "apim-request-id", "cf-ray")


class CompatChatError(lc.ModelError):
    """Base of all errors raised by this package.

    Attributes:
        message: The provider's own message, or ours when the server said nothing usable.
        status_code: HTTP status, ``None`` for transport failures.
        code: The provider's error code (``error.code``), if any.
        error_type: The provider's error type (``error.type``), if any.
        param: The offending parameter (``error.param``), if the provider named one.
        request_id: The request id the server returned, for support tickets.
        body: The raw response body, truncated to keep logs readable.
        attempts: How many HTTP attempts were made before giving up.
        retry_after: Seconds the server asked us to wait, if it said so.
        last_error: What the final attempt failed with (see the property).
        hint: What the user can do about it, shown by ``str()`` after the details.

    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | int | None = None,
        error_type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
        last_error: CompatChatError | None = None,
    ) -> None:
        message = redact(message)
        if len(message) > _MESSAGE_LIMIT:
            message = message[:_MESSAGE_LIMIT] + _TRUNCATED
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.error_type = error_type
        self.param = param
        self.request_id = request_id
        self.body = redact(body) if body is not None else None
        self.retry_after = retry_after
        self.attempts = attempts
        self._last_error = last_error

    @property
    def last_error(self) -> CompatChatError:
        """The error the final attempt failed with.

        Usually this exception itself. When the call's total deadline ran out while it was
        still retrying, this is the timeout and ``last_error`` is the failure that caused
        the last retry, so a caller can tell "the server kept failing" from "slow network".
        (Stored apart from ``self`` so that the exception never refers to itself, which
        would break pickling.)
        """
        return self._last_error if self._last_error is not None else self

    @last_error.setter
    def last_error(self, error: CompatChatError | None) -> None:
        self._last_error = None if error is self else error

    hint: str | None = None
    """What the user can do about it (a 401: how to pass a key), shown after the message;
    ``message`` itself stays the provider's own words."""

    request_sent: bool = True
    """Whether the request may have reached the server. ``False`` only where the failure
    proves it did not (no connection could be made, none was free in the pool), so that
    sending again cannot make the server act twice; a timeout or a connection dropped after
    sending leaves it ``True``: the server may have acted without our seeing the answer."""

    def add_hint(self, hint: str) -> None:
        """Attach what the user can do (``hint``, redacted); ``str()`` shows it."""
        self.hint = redact(hint)

    def __str__(self) -> str:
        parts = [self.message]
        details = []
        if self.status_code is not None:
            details.append(f"status={self.status_code}")
        if self.code not in (None, ""):
            details.append(f"code={self.code}")
        if self.error_type:
            details.append(f"type={self.error_type}")
        if self.param:
            details.append(f"param={self.param}")
        if self.request_id:
            details.append(f"request_id={self.request_id}")
        if self.attempts > 1:
            details.append(f"attempts={self.attempts}")
        if details:
            parts.append(f"({', '.join(details)})")
        if self.hint:
            parts.append(f"- {self.hint}")
        return " ".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions with keyword-only args do not pickle by default; batch jobs that run
        # in worker processes need to ship them back.
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[CompatChatError], message: str, state: dict[str, Any]) -> CompatChatError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class AuthenticationError(CompatChatError, lc.ModelAuthenticationError):
    """The API key is missing or wrong (HTTP 401)."""


class PermissionDeniedError(CompatChatError, lc.ModelPermissionDeniedError):
    """The key is valid but not allowed to do this (HTTP 403)."""


class PaymentRequiredError(CompatChatError, lc.ModelPermissionDeniedError):
    """The account has no credit left (HTTP 402, OpenRouter and others)."""


class InvalidRequestError(CompatChatError, lc.ModelInvalidRequestError):
    """The server rejected the request as malformed (HTTP 400, 413, 422)."""


class RequestEncodingError(InvalidRequestError, ValueError):
    """A value of the request cannot be sent as JSON; raised before anything is sent.

    NaN and Infinity (JSON has no such numbers: ``json.dumps`` would write bare ``NaN``,
    which strict servers reject and lenient ones misread), text with lone surrogates (not
    UTF-8), objects JSON has no type for, and containers that contain themselves. The
    message names the field and what to pass instead. Also a ``ValueError``, as
    ``ChatOpenAI`` raises one for out-of-range floats.
    """


class ContextOverflowError(InvalidRequestError, lc.ContextOverflowError):
    """The prompt does not fit the model's context window."""


class ContentFilterError(InvalidRequestError):
    """The provider's content filter refused the prompt (Azure, DashScope)."""


class NotFoundError(CompatChatError, lc.ModelNotFoundError):
    """The model or endpoint does not exist (HTTP 404)."""


class RateLimitError(CompatChatError, lc.ModelRateLimitError):
    """Too many requests or a conflicting one in flight (HTTP 429, 409)."""


class APIError(CompatChatError, lc.ModelAPIError):
    """The server failed (HTTP 5xx) or answered with an unexpected status."""


class ProviderError(APIError):
    """The server reported an error inside an otherwise successful (HTTP 200) response."""

    is_retryable = False


class EmptyStreamError(ProviderError):
    """The server answered 200 and ended the stream cleanly without sending a single event.

    Not a broken connection (that is ``StreamInterruptedError``), and not retried: the
    server decided to send nothing and will decide the same again. llama-cpp-python's
    server does this for a prompt longer than its context window (``n_ctx``).
    """


class RedirectError(APIError):
    """The server answered with a redirect (3xx); redirects are never followed or retried.

    Following one would send the key to wherever it points, and retrying gets the same
    answer. ``location`` is where it pointed (credentials masked): usually ``base_url``
    needs the final URL (``https://``, a trailing ``/v1``).
    """

    is_retryable = False

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class MalformedResponseError(APIError):
    """The server's answer could not be parsed: bad JSON, bad SSE, wrong shape, bad UTF-8."""

    is_retryable = False


class ForcedToolCallError(APIError):
    """A forced ``tool_choice`` was sent as ``"auto"`` and the model answered without a tool call.

    The model's dialect forbids forcing a tool while it thinks (DeepSeek, Kimi, DashScope
    Qwen answer 400), and thinking could not be switched off for the call, so the request
    went out with ``"auto"``. Returning the text answer instead would hand
    ``with_structured_output`` a ``None`` or an agent a turn that skipped its tool; the
    message names the model and the dialect rule so the caller can switch thinking off
    (``thinking=False``) or choose another method. Not retried: the HTTP call succeeded.
    """

    is_retryable = False


class ResponseTooLargeError(APIError):
    """The response body exceeded the model's ``max_response_bytes``.

    Not retried: a server that sent too much once will send too much again, and reading
    it again would cost the same memory and time the limit is there to protect.
    """

    is_retryable = False


class APIConnectionError(CompatChatError, lc.ModelConnectionError):
    """The server could not be reached or dropped the connection."""


class StreamInterruptedError(APIConnectionError):
    """The connection broke after the stream had started; nothing is retried then."""

    is_retryable = False


class APITimeoutError(CompatChatError, lc.ModelTimeoutError):
    """The server did not answer, or a stream went silent, within the configured timeout."""


class BatchUnsupportedError(InvalidRequestError):
    """The preset has no provider Batch API; raised before anything is built or uploaded."""

    is_retryable = False


class BatchError(APIError):
    """A provider Batch API job, or one of its lines, ended without an answer.

    Not retried: the job's outcome is final (resubmit the inputs that failed).
    """

    is_retryable = False


class BatchFailedError(BatchError):
    """The provider refused the whole batch (status ``failed``); ``message`` says why.

    Usually its input file's validation; the provider's reasons are in the message.
    """


class BatchExpiredError(BatchError):
    """The line had not run when the batch's completion window closed (status ``expired``)."""


class BatchCancelledError(BatchError):
    """The line had not run when the batch was cancelled (status ``cancelled``)."""


class BatchPendingError(BatchError):
    """Results were asked for while the job is still running; ``wait()`` for it first."""


_STATUS_TYPES: dict[int, type[CompatChatError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: APITimeoutError,
    409: RateLimitError,
    413: InvalidRequestError,
    422: InvalidRequestError,
    429: RateLimitError,
}

_OVERFLOW_MARKERS = (
    "context_length_exceeded",
    "exceed_context_size",
    "context length",
    "context window",
    "context_window",
    "context size",
    "maximum number of tokens",
    "maximum context",
    "too many tokens",
    "prompt is too long",
    "input is too long",
    "reduce the length",
)
_FILTER_MARKERS = ("content_filter", "content_policy", "data_inspection_failed", "inappropriate")


def preview(value: Any) -> str:
    """The part of a body or payload an error keeps: at most :data:`PREVIEW_LIMIT` characters.

    Bytes are decoded (bad UTF-8 replaced, only the first ``PREVIEW_LIMIT`` bytes looked at,
    so a 64 MB body costs nothing), text is kept, anything else (a parsed JSON payload) is
    shown as JSON, or by ``repr`` when it is not JSON. A cut preview ends in
    ``...[truncated]``, so a reader knows the server said more.
    """
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value[: PREVIEW_LIMIT + 1]).decode("utf-8", errors="replace")
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=repr)
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    return text if len(text) <= PREVIEW_LIMIT else text[:PREVIEW_LIMIT] + _TRUNCATED


def stamp(
    error: CompatChatError, headers: Mapping[str, str], body: bytes | str | None = None
) -> CompatChatError:
    """Give ``error`` the request id of the response it came from, and a body preview.

    The one place either is filled in after the fact: a parse failure of a 200 body, a
    broken stream, a body over the size limit all name the response they came from, so a
    support ticket can quote its id. What the error already has is kept.

    Args:
        error: The error, changed in place and returned.
        headers: The response headers (for the request id).
        body: The body, or the part of it read so far; its preview becomes ``error.body``
            when the error has none.

    """
    if not error.request_id:
        error.request_id = request_id_from(headers)
    if error.body is None and body:
        error.body = redact(preview(body))
    return error


def _pick_type(status: int | None, code: Any, etype: Any, message: str) -> type[CompatChatError]:
    haystack = f"{code} {etype} {message}".lower()
    if status in (None, 400, 413, 422) and any(m in haystack for m in _OVERFLOW_MARKERS):
        return ContextOverflowError
    if status in (None, 400) and any(m in haystack for m in _FILTER_MARKERS):
        return ContentFilterError
    if status is None:
        # An error object with no HTTP status (an error event in a 200 stream): its code or
        # type is all we have, and a numeric code is usually the status it stands for.
        for hint in (code, etype):
            as_int = _as_status(hint)
            if as_int is not None and as_int != 200:
                return _pick_type(as_int, None, None, "")
        if "rate" in haystack and "limit" in haystack:
            return RateLimitError
        if "auth" in haystack:
            return AuthenticationError
        return ProviderError
    if status in _STATUS_TYPES:
        return _STATUS_TYPES[status]
    if 400 <= status < 500:
        return InvalidRequestError
    return APIError


def _as_status(value: Any) -> int | None:
    if isinstance(value, int) and 100 <= value < 600:
        return value
    if isinstance(value, str) and value.isdigit() and 100 <= int(value) < 600:
        return int(value)
    return None


def error_from_payload(
    payload: Any,
    *,
    status_code: int | None = None,
    request_id: str | None = None,
    body: str | None = None,
    retry_after: float | None = None,
    default_message: str = "The server reported an error",
) -> CompatChatError:
    """Build the typed error for a parsed error payload.

    Providers disagree on the shape: OpenAI nests ``{"error": {...}}``, some send the object
    flat, some a bare string or a list of errors (Gemini). All of them end up here.
    """
    err: Any = payload
    if isinstance(err, list) and err:
        err = err[0]
    if isinstance(err, Mapping) and "error" in err:
        err = err["error"]
    message, code, etype, param = default_message, None, None, None
    if isinstance(err, Mapping):
        raw_message = err.get("message") or err.get("msg") or err.get("detail") or default_message
        message = raw_message if isinstance(raw_message, str) else json.dumps(raw_message)
        code = err.get("code")
        etype = err.get("type") if isinstance(err.get("type"), str) else None
        param = err.get("param") if isinstance(err.get("param"), str) else None
        if isinstance(err.get("metadata"), Mapping) and err["metadata"].get("raw"):
            # OpenRouter wraps the upstream provider's message here.
            message = f"{message}: {err['metadata']['raw']}"
    elif isinstance(err, str) and err:
        message = err
    cls = _pick_type(status_code, code, etype, message)
    return cls(
        message,
        status_code=status_code,
        code=code if isinstance(code, (str, int)) else None,
        error_type=etype,
        param=param,
        request_id=request_id,
        body=preview(body) if body is not None else None,
        retry_after=retry_after,
    )


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """Return the request id a server sent, whatever header name it uses."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def error_from_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
) -> CompatChatError:
    """Map an HTTP error response to the typed error, keeping what the server said.

    Args:
        status_code: The HTTP status.
        content: The raw body (JSON, HTML or text).
        headers: Response headers, for the request id.
        retry_after: The wait the server asked for, already parsed by the transport.

    """
    text = content.decode("utf-8", errors="replace")
    if 300 <= status_code < 400:
        return _redirect(status_code, text, headers)
    try:
        payload: Any = json.loads(text) if text.strip() else None
    except ValueError:
        payload = None
    if payload is None:
        snippet = " ".join(text.split())[:200]
        payload = {"message": f"HTTP {status_code}" + (f": {snippet}" if snippet else "")}
    error = error_from_payload(
        payload,
        status_code=status_code,
        body=text,
        retry_after=retry_after,
        default_message=f"HTTP {status_code}",
    )
    return stamp(error, headers)


def _redirect(status_code: int, text: str, headers: Mapping[str, str]) -> RedirectError:
    """The error of a 3xx answer: final, and saying where the server points (masked)."""
    location = headers.get("location")
    shown = mask_url(location) if location else None
    where = f" to {shown}" if shown else ""
    message = (
        f"The server redirects (HTTP {status_code}){where}; redirects are not followed, "
        "since they would carry the API key elsewhere. Set base_url to the final URL "
        "(often the https:// address, or the path with /v1)."
    )
    error = RedirectError(
        message, location=shown, status_code=status_code, body=preview(text) if text else None
    )
    stamp(error, headers)
    return error
