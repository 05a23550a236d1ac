"""Every credential rule of the package, in one place.

Which header and query names carry credentials, how a URL's ``user:password@`` is split off
and masked, and the registry of exact credential values that every error, log line and
debug capture is scrubbed of. The transport (what it registers), the debug capture (what it
writes ``[REDACTED]``), the model (what repr, ``model_dump`` and ``dumps`` show) and the
errors (what their messages show) all ask this module, so that no two of them can disagree
about what a secret is, as they did while each kept a list of its own.

Pure functions and one process-wide registry; no I/O, no imports from the rest of the
package (``errors`` re-exports the registry functions for code written against it).
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "basic_auth_header",
    "basic_credentials",
    "header_secrets",
    "is_secret_header",
    "is_secret_param",
    "mask_mapping",
    "mask_url",
    "redact",
    "redact_url",
    "register_header",
    "register_secret",
    "registered_secrets",
    "request_secrets",
    "split_credentials",
    "userinfo_secret",
]

MASK = "***"
"""What a credential is replaced by wherever the model shows one."""

# Headers that carry credentials, by exact name: RFC 9110 (authorization,
# proxy-authorization), RFC 6265 (cookie, set-cookie), Azure OpenAI (api-key,
# https://learn.microsoft.com/azure/ai-services/openai/reference#authentication), Anthropic and
# many gateways (x-api-key), Gemini (x-goog-api-key,
# https://ai.google.dev/gemini-api/docs/api-key), Azure API Management
# (ocp-apim-subscription-key, also caught by the suffix rule).
_SECRET_HEADER_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
    }
)
# ... and by shape: x-auth-token, x-client-secret, ocp-apim-subscription-key, x-portkey-api-key.
_SECRET_HEADER_SUFFIXES = ("-key", "_key", "-token", "_token", "-secret", "_secret")
# Query parameters that carry credentials, by any ``_``/``-`` separated part of their name:
# ``key`` (Gemini's ``?key=``), ``api_key``, ``access_token`` (OAuth 2.0 bearer, RFC 6750
# §2.3), ``sig``/``signature`` (Azure SAS, AWS SigV4 ``X-Amz-Signature``), ``code`` (Azure
# Functions keys, https://learn.microsoft.com/azure/azure-functions/function-keys-how-to).
_SECRET_PARAM_PARTS = frozenset(
    {"key", "apikey", "token", "secret", "password", "signature", "sig", "auth", "code"}
)
# Credentials a server may echo back in an error ("Incorrect API key provided: sk-..."), or a
# proxy may reflect with the request headers. Errors end up in logs and tracebacks, so these
# are masked whatever the provider does.
# The value after ``Bearer`` or ``api_key=`` is masked only when it looks like a real token
# (see ``_looks_like_token``): servers explain auth in prose ("send Authorization: Bearer
# YOUR_KEY"), and masking that made the hint unreadable. Exact keys the process sent are
# masked whatever their shape (the registry below), and so are key shapes of known vendors.
_CONTEXT_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)([^\s\"',;]+)"),
    re.compile(r"(?i)(\b(?:api[-_]?key|x-api-key)[\"']?\s*[:=]\s*[\"']?)([^\s\"',;]{8,})"),
)
_SECRET_PATTERNS = (
    re.compile(r"()\b(?:sk|gsk|xai|csk|pk|rk)[-_][A-Za-z0-9_\-]{12,}"),
    re.compile(r"()\bAIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+(?=@)"),  # user:password@ in a URL
)
# A placeholder: CAPITALS_AND_UNDERSCORES (YOUR_API_KEY), anything in <>, {}, [] or after $
# (<token>, {api_key}, $OPENAI_API_KEY), or a run of x, * or dots (xxxx, ***, ...).
_PLACEHOLDER = re.compile(r"[A-Z0-9_\-.]+|.*[<>{}\[\]$].*|[xX*.\-]+")
# Shorter words after ``Bearer`` are prose ("Bearer token"); the same floor as the registry's.
_MIN_TOKEN_LENGTH = 8
# Exact credentials this process sends (see ``register_secret``). A tuple swapped under a lock,
# so readers never see it change while they iterate.
_known_secrets: tuple[str, ...] = ()
_secrets_lock = threading.Lock()
# Shorter values are placeholders for servers without auth ("EMPTY", "none", "x"); masking
# them would garble every message that happens to contain those letters.
_MIN_SECRET_LENGTH = 8


# -- names -----------------------------------------------------------------------------------------
def is_secret_header(name: str) -> bool:
    """Whether a header of this name carries a credential (case-insensitive)."""
    name = name.lower()
    return (
        name in _SECRET_HEADER_NAMES or name.endswith(_SECRET_HEADER_SUFFIXES) or "apikey" in name
    )


def is_secret_param(name: str) -> bool:
    """Whether a query parameter of this name carries a credential (``key``, ``sig``...)."""
    parts = name.lower().replace("-", "_").split("_")
    return any(part in _SECRET_PARAM_PARTS for part in parts)


def mask_mapping(values: Mapping[str, str] | None, *, query: bool) -> dict[str, str] | None:
    """``values`` with every credential value replaced by :data:`MASK` (headers or query)."""
    if values is None:
        return None
    secret = is_secret_param if query else is_secret_header
    return {name: MASK if secret(name) and value else value for name, value in values.items()}


# -- URLs ------------------------------------------------------------------------------------------
def redact_url(url: str) -> str:
    """Hide ``user:password@`` in a URL before it is shown anywhere."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{MASK}@{host}"))


def mask_url(url: str) -> str:
    """:func:`redact_url`, and the values of credential query parameters masked too.

    For URLs that came from a server (a redirect's ``Location``), which may carry a signed
    or keyed query the caller never chose to show.
    """
    url = redact(redact_url(url))
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret_param(name) for name, _ in pairs):
        return url
    masked = [(name, MASK if is_secret_param(name) else value) for name, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="*")))


def split_credentials(url: str) -> tuple[str, str | None]:
    """Split ``http://user:pw@host/...`` into the URL without them and ``"user:pw"`` (decoded).

    The model keeps the credentials out of ``base_url`` (which repr, dumps and traces show)
    and sends them as an ``Authorization: Basic`` header, the way httpx would have.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), f"{unquote(user)}:{unquote(password)}"


def basic_auth_header(userinfo: str) -> str:
    """``Authorization`` value for ``"user:password"``."""
    return "Basic " + base64.b64encode(userinfo.encode("utf-8")).decode("ascii")


def userinfo_secret(userinfo: str) -> str:
    """The password of ``user:password``, or the user when there is none (a key as user name).

    A plain user name is not scrubbed: it is no secret, and a short one would blot out
    every occurrence of a common word.
    """
    user, _, password = userinfo.partition(":")
    return password or user


def basic_credentials(token: str) -> str:
    """The secret inside a Basic auth token, as :func:`userinfo_secret` picks it."""
    try:
        return userinfo_secret(base64.b64decode(token, validate=True).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""


# -- the registry of exact values --------------------------------------------------------------
def register_secret(value: str) -> None:
    """Mask this exact string in every error created from now on.

    The patterns above catch values that look like keys; the transport registers the exact
    credentials it sends, so a server that echoes an unusually shaped key back in an error
    message (or a proxy that reflects request headers) cannot leak it either.
    """
    global _known_secrets
    if len(value) < _MIN_SECRET_LENGTH or value in _known_secrets:
        return
    with _secrets_lock:
        if value not in _known_secrets:
            # Longest first, so a key is masked whole before any registered part of it.
            _known_secrets = tuple(sorted((*_known_secrets, value), key=len, reverse=True))


def header_secrets(value: str) -> list[str]:
    """The secrets in a credential header's value, each of which a server may echo.

    The value itself, the token after its scheme, and the password inside a ``Basic`` token.
    """
    found = [value]
    scheme, _, token = value.partition(" ")
    token = token.strip()
    if token:
        found.append(token)
        if scheme.lower() == "basic":
            found.append(basic_credentials(token))
    return found


def register_header(value: str) -> None:
    """Register every secret of a credential header's value (see :func:`header_secrets`)."""
    for secret in header_secrets(value):
        register_secret(secret)


def request_secrets(
    headers: Iterable[tuple[str, str]],
    userinfo: str,
    params: Iterable[tuple[str, str]],
    extra: Iterable[str] = (),
) -> tuple[str, ...]:
    """Every secret one request carries, in each spelling it may show, longest first.

    The values of credential headers (:func:`header_secrets`), the secret of the URL's
    ``user:password@`` (percent-decoded here), the values of credential query parameters,
    every registered value and ``extra``; each also percent-encoded, as a URL shows it.
    Longest first, so that replacing them one by one leaves no fragment of a longer one.
    (For the debug capture, which scrubs its records of exactly these.)
    """
    found = set(extra) | set(_known_secrets)
    for name, value in headers:
        if is_secret_header(name) and value:
            found.update(header_secrets(value))
    if userinfo:
        found.add(userinfo_secret(unquote(userinfo)))
    found.update(value for name, value in params if value and is_secret_param(name))
    found.update({quote(s, safe="") for s in found} | {quote(s) for s in found})
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


def registered_secrets() -> tuple[str, ...]:
    """Every credential registered so far, longest first (for redaction outside errors)."""
    return _known_secrets


def redact(text: str) -> str:
    """Mask registered credentials and anything that looks like one (``_SECRET_PATTERNS``)."""
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, MASK)
        else:
            encoded = quote(secret, safe="")
            if encoded != secret and encoded in text:
                text = text.replace(encoded, MASK)
    for pattern in _CONTEXT_PATTERNS:
        text = pattern.sub(_mask_token, text)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1" + MASK, text)
    return text


def _looks_like_token(value: str) -> bool:
    """Whether the word after ``Bearer`` / ``api_key=`` looks like a credential, not prose.

    Long enough, not a placeholder, and with a digit or mixed case, as generated keys have:
    ``YOUR_KEY``, ``<api-key>``, ``$OPENAI_API_KEY`` and ``your-api-key-here`` are prose.
    """
    if len(value) < _MIN_TOKEN_LENGTH or _PLACEHOLDER.fullmatch(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    mixed_case = any(c.islower() for c in value) and any(c.isupper() for c in value)
    return has_digit or mixed_case


def _mask_token(match: re.Match[str]) -> str:
    prefix, value = match.group(1), match.group(2)
    return prefix + MASK if _looks_like_token(value) else match.group(0)
