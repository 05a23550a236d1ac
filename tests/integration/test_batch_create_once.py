"""A batch the reference server made, whose answer the client never saw, is not made twice.

The server cannot itself drop a connection after acting on ``POST /v1/batches``, so the
client's transport does it: it forwards the request, lets the server create the batch and
answer, reads the answer, then raises what the client would see had the answer been lost
(a read timeout). Everything else is the real server: its batch list is the one the client
looks in, and its runner completes the job.
"""

from __future__ import annotations

from typing import Any

import httpx
from langchain_core.messages import AIMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import ReferenceServer


def _lost(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/batches")


class LosesFirstCreateAnswer(httpx.HTTPTransport):
    """Sends every request; the first ``POST /batches`` answer is read, then lost."""

    lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if _lost(request) and not self.lost:
            self.lost += 1
            response.read()
            response.close()
            raise httpx.ReadTimeout("timed out", request=request)
        return response


class ALosesFirstCreateAnswer(httpx.AsyncHTTPTransport):
    """Async :class:`LosesFirstCreateAnswer`."""

    lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if _lost(request) and not self.lost:
            self.lost += 1
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def _server_batches(srv: ReferenceServer) -> list[dict[str, Any]]:
    reply = httpx.get(f"{srv.base_url}/batches", params={"limit": 100})
    reply.raise_for_status()
    data: list[dict[str, Any]] = reply.json()["data"]
    return data


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="compat-ref", base_url=srv.base_url, **kw)


def test_a_lost_create_answer_leaves_one_batch_and_the_job_completes(
    compat_server: ReferenceServer,
) -> None:
    transport = LosesFirstCreateAnswer()
    model = _model(compat_server, http_client=httpx.Client(transport=transport))
    job = model.submit_batch(["one", "two", "three"], max_lines=2)
    assert transport.lost == 1
    assert sorted(b["id"] for b in _server_batches(compat_server)) == sorted(job.batch_ids)
    creates = [r for r in compat_server.requests if r.method == "POST" and "batches" in r.path]
    assert len(creates) == 2  # one per part: the lost answer was looked up, not re-created
    assert job.wait(timeout=30, poll=0.01) == "completed"
    answers = job.results()
    assert len(answers) == 3 and all(isinstance(a, AIMessage) for a in answers)


async def test_the_async_path_looks_it_up_as_well(compat_server: ReferenceServer) -> None:
    transport = ALosesFirstCreateAnswer()
    model = _model(compat_server, http_async_client=httpx.AsyncClient(transport=transport))
    job = await model.asubmit_batch(["one", "two"])
    assert transport.lost == 1
    assert [b["id"] for b in _server_batches(compat_server)] == [job.id]
    assert await job.await_(timeout=30, poll=0.01) == "completed"
    assert len(await job.aresults()) == 2
