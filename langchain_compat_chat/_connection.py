"""The model's connection settings -> its :class:`Session` (headers, timeouts, TLS, capture).

The model class holds fields; this module turns them into the one object the HTTP layer
needs, once per model (and again for a copy). The checks that can only be made here (a
hosted preset without a key, header values a copy made without validation never checked)
raise typed errors before any request is sent.
"""

from __future__ import annotations

import os
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import httpx
from pydantic import SecretStr

from langchain_compat_chat._http.capture import CapturingSession, capture_from
from langchain_compat_chat._http.retry import RetryPolicy
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._secrets import (
    basic_auth_header,
    is_secret_header,
    redact_url,
    register_secret,
    split_credentials,
    userinfo_secret,
)
from langchain_compat_chat._wire.encode import check_header
from langchain_compat_chat.errors import AuthenticationError

if TYPE_CHECKING:
    from langchain_compat_chat.chat_models import ChatCompatModel
    from langchain_compat_chat.providers import ProviderProfile

__all__ = ["auth_hint", "resolve_endpoint", "session_for", "timeout_of"]

# LLM_SSL_VERIFY values that turn certificate checks off.
_FALSY = {"0", "false", "no", "off"}


def auth_hint(profile: ProviderProfile, *, sent: bool) -> str:
    """What a 401 should add: how to pass a key, with the preset's env var names."""
    names = " or ".join(profile.api_key_env) or "COMPAT_API_KEY"
    if sent:
        return f"The server refused the API key sent: check it, pass api_key=... or set {names}"
    return f"No API key was sent: pass api_key=... or set {names}"


def timeout_of(value: Any, connect: float) -> httpx.Timeout:
    """The ``timeout=`` field (seconds, a ``(connect, read)`` pair or ``httpx.Timeout``) for httpx.

    A plain number never lets the connect phase wait longer than the read timeout.
    """
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None, connect=connect)
    if isinstance(value, (tuple, list)):
        return httpx.Timeout(value[1], connect=value[0])
    return httpx.Timeout(float(value), connect=min(connect, float(value)))


def _headers(
    model: ChatCompatModel, profile: ProviderProfile, url_credentials: SecretStr | None
) -> dict[str, str]:
    headers: dict[str, str] = dict(profile.default_headers)
    if url_credentials is not None:
        headers["authorization"] = basic_auth_header(url_credentials.get_secret_value())
    # A key read from a file often ends in a newline; no header value may, and httpx's
    # error about it would quote the key.
    key = model.api_key.get_secret_value().strip() if model.api_key is not None else ""
    key = check_header("authorization", key, what="api_key")
    if key:
        if profile.auth_header == "api-key":
            headers["api-key"] = key
        else:
            headers["authorization"] = f"Bearer {key}"
    for name, value in (model.default_headers or {}).items():
        # Checked at construction too; a model_copy(update=...) skips validation.
        headers[name] = check_header(name, value, secret=is_secret_header(name))
    if (
        profile.requires_api_key
        and model.base_url == profile.base_url
        and not {"authorization", "api-key"} & {h.lower() for h in headers}
    ):
        # The hosted API would answer 401; say which variable is missing instead.
        names = " or ".join(profile.api_key_env)
        msg = f"Provider {profile.name!r} needs an API key: pass api_key=... or set {names}."
        raise AuthenticationError(msg)
    return headers


def session_for(
    model: ChatCompatModel, profile: ProviderProfile, url_credentials: SecretStr | None
) -> Session:
    """Build the session of ``model``: its headers, timeouts, retry policy, TLS and capture.

    Args:
        model: The model whose fields say how to connect.
        profile: Its resolved provider preset (default headers and query, auth header).
        url_credentials: ``user:password`` taken out of ``base_url``, sent as Basic auth
            unless a key is given.

    Raises:
        AuthenticationError: A hosted preset that needs a key got none.
        RequestEncodingError: A header value cannot be sent.

    """
    headers = _headers(model, profile, url_credentials)
    timeout = timeout_of(model.timeout, model.connect_timeout)
    stream_timeout = timeout
    if model.stream_idle_timeout is not None:
        stream_timeout = httpx.Timeout(
            connect=timeout.connect,
            read=model.stream_idle_timeout,
            write=timeout.write,
            pool=timeout.pool,
        )
    verify = model.verify_ssl
    if verify is None:
        verify = os.environ.get("LLM_SSL_VERIFY", "true").strip().lower() not in _FALSY
    # Resolved at construction; resolved again only for a copy made without validation.
    capture = capture_from(model.debug_capture) if model.debug_capture is not None else None
    make = Session if capture is None else partial(CapturingSession, capture)
    session = make(
        base_url=cast(str, model.base_url),
        headers=headers,
        query={**profile.default_query, **(model.default_query or {})},
        timeout=timeout,
        stream_timeout=stream_timeout,
        retry=RetryPolicy(max_retries=model.max_retries, max_retry_after=model.max_retry_wait),
        verify=verify,
        proxy=model.proxy,
        http_client=model.http_client,
        http_async_client=model.http_async_client,
        max_response_bytes=model.max_response_bytes,
        total_timeout=model.total_timeout,
    )
    session.auth_hint = auth_hint(profile, sent=any(is_secret_header(n) for n in headers))
    return session


def resolve_endpoint(
    profile: ProviderProfile, api_key: SecretStr | None, base_url: str | None, proxy: str | None
) -> tuple[SecretStr | None, str, SecretStr | None]:
    """The key, the base URL and the URL's credentials, from the arguments, else the env.

    A key or URL not given is read from the preset's variables (then the preset's own
    URL). ``user:password@`` in the URL would show wherever ``base_url`` does (repr, dumps,
    traces), so it is split off, kept as a secret and later sent as the Basic auth header
    httpx would have built; it and a proxy's password are registered for redaction.

    Returns:
        The key, the URL without credentials, and ``user:password`` (or ``None``).

    Raises:
        ValueError: No URL anywhere, or one that is not ``http(s)://``.

    """
    if api_key is None:
        key = next((os.environ[n] for n in profile.api_key_env if os.environ.get(n)), None)
        api_key = SecretStr(key) if key is not None else None
    if not base_url:
        found = (os.environ[n] for n in profile.base_url_env if os.environ.get(n))
        base_url = next(found, profile.base_url)
    if not base_url:
        msg = (
            "base_url is required: pass base_url=..., pick a provider preset, "
            f"or set {' / '.join(profile.base_url_env) or 'COMPAT_BASE_URL'}."
        )
        raise ValueError(msg)
    if not base_url.startswith(("http://", "https://")):
        msg = f"base_url must start with http:// or https://, got {redact_url(base_url)!r}"
        raise ValueError(msg)
    base_url, userinfo = split_credentials(base_url)
    credentials = None
    if userinfo is not None:
        credentials = SecretStr(userinfo)
        register_secret(userinfo_secret(userinfo))
    proxy_userinfo = split_credentials(proxy)[1] if proxy is not None else None
    if proxy_userinfo is not None:
        register_secret(userinfo_secret(proxy_userinfo))
    return api_key, base_url, credentials
