"""A forked child never uses a connection of its parent (issue 15, defect 1).

A model that made any call before ``os.fork()`` (a warm-up, gunicorn ``--preload``, Celery
prefork, ``multiprocessing`` with fork) left keep-alive connections that every child then
used at once: answers went to the wrong caller, or were garbled, without any error. Real
processes on loopback: the parent warms up, forks children that call while it calls too,
and every answer must be its own request's marker (the echo server sends it back).
"""

from __future__ import annotations

import os
import warnings

import httpx
import pytest

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._http import clients as _transport
from tests.reliability._echo_server import echo_server
from tests.reliability._support import run_json_process

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

CHILDREN = 8
CALLS = 24


@pytest.mark.timeout(120)
def test_forked_children_get_their_own_answers() -> None:
    result = run_json_process("-m", "tests.reliability._fork_driver", str(CHILDREN), str(CALLS))
    print(f"\nfork: {result}")
    assert result["calls"] == (CHILDREN + 1) * CALLS
    assert result["wrong"] == 0, result["samples"]
    assert result["errors"] == 0, result["samples"]


@pytest.mark.timeout(60)
def test_the_child_drops_inherited_clients_and_the_parents_survive() -> None:
    """In the child: no inherited client is cached; in the parent: its pool is intact."""
    with echo_server() as url:
        model = ChatCompatModel(model="echo", base_url=url, api_key="k", max_retries=0)
        assert model.invoke("before").content == "before"
        parent_client = model._get_session().client()
        pid = os.fork()
        if pid == 0:
            ok = (
                not _transport._sync_clients
                and not _transport._async_clients
                and model._get_session().client() is not parent_client
                and model.invoke("child").content == "child"
            )
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        # The child closed only its copies of the parent's sockets: the parent's pooled
        # connection still works and is reused.
        pool = parent_client._transport._pool  # type: ignore[attr-defined]
        idle_before = [c for c in pool._connections if c.is_idle()]
        assert model.invoke("after").content == "after"
        assert model._get_session().client() is parent_client
        assert idle_before and idle_before[0] in pool._connections


@pytest.mark.timeout(60)
def test_a_user_client_used_after_fork_is_warned_of() -> None:
    with echo_server() as url, httpx.Client() as user_client:
        model = ChatCompatModel(model="echo", base_url=url, api_key="k", http_client=user_client)
        model.invoke("before")
        pid = os.fork()
        if pid == 0:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.invoke("child")
                model.invoke("child again")  # warned once, not per call
            texts = [str(w.message) for w in caught if w.category is RuntimeWarning]
            os._exit(0 if len(texts) == 1 and "os.fork()" in texts[0] else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
