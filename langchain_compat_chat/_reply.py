"""An HTTP reply's JSON for the model's calls, with typed errors that keep the request id.

A 200 reply can still be unusable (not JSON, or JSON in the wrong shape); the error raised
for it names the status, the request id the server gave and the body's first bytes, like an
error status would.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from langchain_compat_chat.errors import CompatChatError, MalformedResponseError, request_id_from

__all__ = ["json_of", "with_request_id"]


def json_of(response: httpx.Response) -> Any:
    """The reply's body as JSON.

    Raises:
        MalformedResponseError: The body is not JSON (or nested absurdly deep).

    """
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise MalformedResponseError(
            f"The server's reply is not JSON ({exc})",
            status_code=response.status_code,
            request_id=request_id_from(response.headers),
            body=response.content[:2000].decode("utf-8", errors="replace"),
        ) from None


def with_request_id(exc: CompatChatError, response: httpx.Response) -> CompatChatError:
    """Errors found in a 200 body still carry the request id the server gave."""
    exc.request_id = exc.request_id or request_id_from(response.headers)
    return exc
