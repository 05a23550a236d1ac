"""The API key check, worded like api.openai.com's 401 answers.

With ``api_key`` set, every API route but ``/health`` needs ``Authorization: Bearer
<key>``; a wrong key is shown masked in the message as the real API does.
"""

from __future__ import annotations

import secrets

from langchain_compat_chat.testing._errors import ApiError
from langchain_compat_chat.testing._http import Request


def check_bearer(req: Request, api_key: str | None) -> None:
    """Accept the request, or raise the 401 the real API sends.

    Raises:
        ApiError: 401 ``missing_api_key`` or ``invalid_api_key``.

    """
    if api_key is None:
        return
    auth = req.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if not auth:
        raise ApiError(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            "authentication_error",
            None,
            "missing_api_key",
        )
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        token.strip().encode(), api_key.encode()
    ):
        shown = token.strip()
        redacted = shown[:3] + "*" * max(0, len(shown) - 7) + shown[-4:] if shown else ""
        raise ApiError(
            401,
            f"Incorrect API key provided: {redacted}.",
            "authentication_error",
            None,
            "invalid_api_key",
        )
