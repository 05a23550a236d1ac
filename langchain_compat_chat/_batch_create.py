"""Sending a request that acts each time it arrives, so that it never acts twice.

``POST /batches`` creates a batch every time the server receives it, and a batch that
runs is billed. None of the providers in ``_wire/batch_facts.py`` documents an idempotency
key for it: OpenAI's API reference names none for ``POST /batches``
(https://platform.openai.com/docs/api-reference/batch/create) and its SDK sends none
(``_idempotency_header`` stays ``None`` in openai/openai-python
``src/openai/_base_client.py``), nor does Groq's (groq/groq-python ``src/groq/_client.py``);
the create pages of Together (https://docs.together.ai/reference/batch-create), DashScope
(https://help.aliyun.com/zh/dashscope/developer-reference/openai-batch-interface) and Zhipu
(https://docs.bigmodel.cn/api-reference/批处理-api/创建批处理任务) list no such header, and
none is known for Kimi. A session retry after a timeout would create a second batch
whenever the first attempt had reached the server. So such a request goes out with
``Request(retry=False)`` and :func:`send_once` retries it itself, with the session's
backoff (``RetryPolicy.delay``):

* a failure that proves nothing was sent (no connection) or a refusal (429, 409) is sent
  again after the wait, as the session would have;
* a failure after which the server may have acted (a timeout or a connection dropped after
  sending, a 5xx, a 2xx whose body could not be read) is followed by a look at what the
  server holds (:func:`find_listed`): what the attempt made is used; only when nothing is
  there is the request sent again;
* any other error (a 400, a 401) is raised at once.

It is a step generator (``_batch_steps.Steps``), so the sync and async drivers share it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from langchain_compat_chat._batch_steps import Send, Sleep, Steps
from langchain_compat_chat._http.call import Request
from langchain_compat_chat._http.retry import RetryPolicy
from langchain_compat_chat._wire.batch_lines import LIST_LIMIT, LIST_PAGES, list_page
from langchain_compat_chat.errors import CompatChatError

__all__ = ["find_listed", "may_have_acted", "send_once"]

_log = logging.getLogger("langchain_compat_chat")


def may_have_acted(error: CompatChatError) -> bool:
    """Whether the server may have acted on a request that failed with ``error``.

    A transport failure did unless it proves the request never left
    (``request_sent``); of the answers, a 5xx may come from a gateway after the server
    acted, and a 2xx means it did even if its body could not be read. Any other status is
    the server saying it did not (a refusal or a validation error).
    """
    status = error.status_code
    if status is None:
        return error.request_sent
    return status >= 500 or 200 <= status < 300


def send_once(request: Request, retry: RetryPolicy, find: Callable[[], Steps[Any]]) -> Steps[Any]:
    """Send ``request`` until it succeeds, checking with ``find`` before any resend.

    Args:
        request: A request that acts each time it arrives; it is sent with ``retry=False``.
        retry: The session's policy: how many attempts, how long to wait after each.
        find: Steps that answer the JSON of what an earlier attempt made, or ``None``.

    Returns:
        The request's JSON answer, or what ``find`` found.

    Raises:
        CompatChatError: The last failure, once the policy gives up and ``find`` found
            nothing (or at once for an error no retry can fix); an error of ``find``.

    """
    request = dataclasses.replace(request, retry=False)
    attempt = 0
    while True:
        attempt += 1
        try:
            return (yield Send(request))
        except CompatChatError as exc:
            error = exc
        wait = retry.delay(attempt, error)
        if wait is not None:
            yield Sleep(wait)
        if may_have_acted(error):
            made = yield from find()
            if made is not None:
                _log.info(
                    "%s %s failed (%s: %s) after the server had acted; using what it made",
                    request.method,
                    request.path,
                    type(error).__name__,
                    error,
                )
                return made
        if wait is None:
            raise error


def find_listed(path: str, query: Mapping[str, str], matches: Callable[[Any], bool]) -> Steps[Any]:
    """The first object of a cursor-paged list that ``matches``, or ``None``.

    Reads at most ``LIST_PAGES`` pages of ``LIST_LIMIT``: what a failed create made is
    among the newest objects.
    """
    after: str | None = None
    for _ in range(LIST_PAGES):
        params = {**query, "limit": str(LIST_LIMIT)}
        if after is not None:
            params["after"] = after
        reply = yield Send(Request("GET", f"{path}?{urlencode(params)}"))
        items, after = list_page(reply)
        for item in items:
            if matches(item):
                return item
        if after is None:
            break
    return None
