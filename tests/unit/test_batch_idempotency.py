"""``submit_batch`` never creates a batch twice, whatever fails between us and the server.

The stand-in is ``test_batch_jobs.FakeBatchApi`` with OpenAI's list routes added (``GET
/batches`` and ``GET /files``: ``{"data", "has_more", "last_id"}``,
platform.openai.com/docs/api-reference/batch/list) and a script of faults per route: a
fault either lets the server act first (the batch is made, then the client sees a timeout,
a dropped connection or a gateway's 502) or fails before it does.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage

from langchain_compat_chat._batch_create import may_have_acted
from langchain_compat_chat._http.call import Request, map_httpx_error
from langchain_compat_chat._http.retry import RetryPolicy
from langchain_compat_chat.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CompatChatError,
    InvalidRequestError,
    MalformedResponseError,
    RateLimitError,
)
from tests.unit.test_batch_jobs import BASE, FakeBatchApi, _model

FAST = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.002)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def dropped(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def bad_gateway(request: httpx.Request) -> httpx.Response:
    return httpx.Response(502, json={"error": {"message": "upstream timed out"}})


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def invalid(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"error": {"message": "bad completion_window"}})


@dataclass(frozen=True)
class Fault:
    """What one request gets instead of its answer; ``acted``: the server acted first."""

    fail: Callable[[httpx.Request], httpx.Response]
    acted: bool


class ListingBatchApi(FakeBatchApi):
    """``FakeBatchApi`` plus the list routes, and faults scripted per ``(method, path)``."""

    def __init__(self, *, page: int | None = None) -> None:
        super().__init__()
        self.page = page  # a smaller page than the client asks for, to make it follow cursors
        self.script: dict[tuple[str, str], list[Fault | None]] = {}
        self.names: dict[str, str] = {}  # uploaded file id -> its name
        self.sent: list[tuple[str, str]] = []  # every request, faulted or not
        self.lists: list[httpx.Request] = []
        self.list_fault: Callable[[httpx.Request], httpx.Response] | None = None
        self.on_create: Callable[[], None] = lambda: None

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(httpx.URL(self.base).path)
        self.sent.append((request.method, path))
        if request.method == "GET" and path in ("/batches", "/files"):
            self.lists.append(request)
            if self.list_fault is not None:
                return self.list_fault(request)
            return self._listing(path, request.url.params)
        queue = self.script.get((request.method, path))
        fault = queue.pop(0) if queue else None
        if fault is None or fault.acted:
            response = self._act(request)
            if fault is None:
                return response
        return fault.fail(request)

    def _act(self, request: httpx.Request) -> httpx.Response:
        response = super().handle(request)
        if request.url.path.endswith("/files") and response.status_code == 200:
            name = re.search(rb'filename="([^"]+)"', request.content)
            assert name is not None
            self.names[response.json()["id"]] = name.group(1).decode()
        if request.url.path.endswith("/batches"):
            self.on_create()
        return response

    def count(self, method: str, path: str) -> int:
        return self.sent.count((method, path))

    def _listing(self, path: str, params: httpx.QueryParams) -> httpx.Response:
        if path == "/batches":
            objects = list(self.batches.values())
        else:
            objects = [
                {"id": fid, "object": "file", "bytes": len(self.files[fid]), "filename": name}
                for fid, name in self.names.items()
            ]
        objects.reverse()  # newest first
        after = params.get("after")
        if after is not None:
            ids = [o["id"] for o in objects]
            objects = objects[ids.index(after) + 1 :]
        limit = min(int(params.get("limit", "20")), self.page or 100)
        page = objects[:limit]
        return httpx.Response(
            200,
            json={
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(objects) > limit,
            },
        )


@pytest.fixture
def api() -> Iterator[ListingBatchApi]:
    fake = ListingBatchApi()
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _fast_model(**kw: Any) -> Any:
    model = _model(**kw)
    session = model._get_session()
    session.retry = dataclasses.replace(FAST, max_retries=session.retry.max_retries)
    return model


AMBIGUOUS = [
    pytest.param(read_timeout, id="read-timeout"),
    pytest.param(dropped, id="connection-dropped"),
    pytest.param(bad_gateway, id="502"),
]


@pytest.mark.parametrize("fail", AMBIGUOUS)
def test_a_create_the_server_made_is_found_not_made_again(
    api: ListingBatchApi, fail: Callable[[httpx.Request], httpx.Response]
) -> None:
    api.script[("POST", "/batches")] = [Fault(fail, acted=True)]
    model = _fast_model()
    job = model.submit_batch(["a", "b"])
    assert api.count("POST", "/batches") == 1 and list(api.batches) == [job.id]
    assert [r.url.params["limit"] for r in api.lists] == ["100"]
    assert job.wait(poll=0.001) == "completed"
    assert [a.content for a in job.results()] == ["answer 0", "answer 1"]


@pytest.mark.parametrize("fail", AMBIGUOUS)
async def test_the_async_driver_finds_it_too(
    api: ListingBatchApi, fail: Callable[[httpx.Request], httpx.Response]
) -> None:
    api.script[("POST", "/batches")] = [Fault(fail, acted=True)]
    job = await _fast_model().asubmit_batch(["a", "b"])
    assert api.count("POST", "/batches") == 1 and list(api.batches) == [job.id]
    assert await job.await_(poll=0.001) == "completed"
    assert [a.content for a in await job.aresults()] == ["answer 0", "answer 1"]


def test_an_ambiguous_failure_with_nothing_made_creates_again(api: ListingBatchApi) -> None:
    api.script[("POST", "/batches")] = [Fault(bad_gateway, acted=False)]
    job = _fast_model().submit_batch(["a"])
    assert api.count("POST", "/batches") == 2 and list(api.batches) == [job.id]
    assert len(api.lists) == 1


def test_the_last_attempt_is_checked_too(api: ListingBatchApi) -> None:
    """With no retries left, a timeout after the server acted still finds the batch."""
    api.script[("POST", "/batches")] = [Fault(read_timeout, acted=True)]
    job = _fast_model(max_retries=0).submit_batch(["a"])
    assert list(api.batches) == [job.id]


def test_retries_run_out_after_ambiguous_failures_with_nothing_made(api: ListingBatchApi) -> None:
    api.script[("POST", "/batches")] = [Fault(read_timeout, acted=False)] * 3
    with pytest.raises(APITimeoutError):
        _fast_model(max_retries=2).submit_batch(["a"])
    assert api.count("POST", "/batches") == 3 and api.batches == {}
    assert len(api.lists) == 3  # looked after each of the 3 attempts


def test_a_validation_error_is_raised_at_once(api: ListingBatchApi) -> None:
    api.script[("POST", "/batches")] = [Fault(invalid, acted=False)]
    with pytest.raises(InvalidRequestError, match="bad completion_window"):
        _fast_model().submit_batch(["a"])
    assert api.count("POST", "/batches") == 1 and api.batches == {} and api.lists == []


def test_a_connect_error_is_retried_by_plain_create(api: ListingBatchApi) -> None:
    api.script[("POST", "/batches")] = [Fault(refused, acted=False)]
    job = _fast_model().submit_batch(["a"])
    assert api.count("POST", "/batches") == 2 and list(api.batches) == [job.id]
    assert api.lists == []  # a refused connection proves nothing was made


def test_a_rate_limit_is_retried_by_plain_create(api: ListingBatchApi) -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": {"message": "slow down"}})

    api.script[("POST", "/batches")] = [Fault(busy, acted=False)]
    job = _fast_model().submit_batch(["a"])
    assert api.count("POST", "/batches") == 2 and list(api.batches) == [job.id]
    assert api.lists == []


def test_a_failed_look_is_raised_not_guessed(
    api: ListingBatchApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.script[("POST", "/batches")] = [Fault(read_timeout, acted=True)]
    api.list_fault = bad_gateway
    with (
        caplog.at_level(logging.WARNING, logger="langchain_compat_chat"),
        pytest.raises(APIError, match="upstream timed out"),
    ):
        _fast_model().submit_batch(["a"])
    assert api.count("POST", "/batches") == 1  # not created again on a guess
    (made,) = api.batches.values()
    assert any(made["input_file_id"] in r.getMessage() for r in caplog.records)


def test_the_look_follows_list_pages(api: ListingBatchApi) -> None:
    """Another client's batch made meanwhile fills the first page: the look reads on."""
    api.page = 1
    api.script[("POST", "/batches")] = [None, Fault(read_timeout, acted=True)]

    def another_clients_batch() -> None:
        if len(api.creates) == 2:  # right after ours for part 0 (parts go last first)
            api.batches["batch_other"] = {"id": "batch_other", "status": "in_progress"}

    api.on_create = another_clients_batch
    job = _fast_model().submit_batch(["a", "b"], max_lines=1)
    assert api.count("POST", "/batches") == 2 and len(job.batch_ids) == 2
    assert set(api.batches) == {*job.batch_ids, "batch_other"}
    assert [r.url.params.get("after") for r in api.lists] == [None, "batch_other"]


def test_an_upload_the_server_kept_is_used_not_sent_again(api: ListingBatchApi) -> None:
    api.script[("POST", "/files")] = [Fault(read_timeout, acted=True)]
    job = _fast_model().submit_batch(["a", "b"])
    assert api.count("POST", "/files") == 1 and len(api.names) == 1
    (listing,) = api.lists
    assert listing.url.path.endswith("/files") and listing.url.params["purpose"] == "batch"
    assert api.creates[0]["input_file_id"] == next(iter(api.names))
    job.wait(poll=0.001)
    assert all(isinstance(a, AIMessage) for a in job.results())


def test_an_upload_not_found_is_sent_again_with_a_warning(
    api: ListingBatchApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.script[("POST", "/files")] = [Fault(bad_gateway, acted=False)]
    with caplog.at_level(logging.WARNING, logger="langchain_compat_chat"):
        _fast_model().submit_batch(["a"])
    assert api.count("POST", "/files") == 2 and len(api.names) == 1
    assert any("may be left" in r.getMessage() for r in caplog.records)


def test_a_failed_file_list_does_not_stop_the_upload(api: ListingBatchApi) -> None:
    api.script[("POST", "/files")] = [Fault(dropped, acted=True)]
    api.list_fault = bad_gateway
    job = _fast_model().submit_batch(["a"])
    assert api.count("POST", "/files") == 2 and len(api.names) == 2  # one copy is left
    assert list(api.batches) == [job.id]


# -- the pieces -------------------------------------------------------------------------------
def _transport(exc: Exception) -> CompatChatError:
    return map_httpx_error(exc)


@pytest.mark.parametrize(
    ("error", "acted"),
    [
        (_transport(httpx.ReadTimeout("t")), True),
        (_transport(httpx.WriteTimeout("t")), True),
        (_transport(httpx.RemoteProtocolError("gone")), True),
        (_transport(httpx.ReadError("reset")), True),
        (_transport(httpx.ConnectError("refused")), False),
        (_transport(httpx.ConnectTimeout("t")), False),
        (_transport(httpx.PoolTimeout("t")), False),
        (APIError("bad gateway", status_code=502), True),
        (MalformedResponseError("not JSON", status_code=200), True),
        (RateLimitError("slow", status_code=429), False),
        (InvalidRequestError("no", status_code=400), False),
        (APITimeoutError("408", status_code=408), False),
    ],
)
def test_which_failures_may_have_made_something(error: CompatChatError, acted: bool) -> None:
    assert may_have_acted(error) is acted


def test_a_refused_connection_is_still_a_connection_error() -> None:
    error = _transport(httpx.ConnectError("refused"))
    assert isinstance(error, APIConnectionError) and not error.request_sent


def test_a_request_marked_retry_false_is_sent_once_by_both_drivers() -> None:
    with respx.mock() as router:
        route = router.post(f"{BASE}/once").mock(return_value=httpx.Response(503))
        session = _fast_model()._get_session()
        with pytest.raises(APIError) as sync_error:
            session.send(Request("POST", "/once", b"{}", retry=False))
        assert route.call_count == 1 and sync_error.value.attempts == 1
        with pytest.raises(APIError):  # the same request with retries: 1 + max_retries
            session.send(Request("POST", "/once", b"{}"))
        assert route.call_count == 1 + 3


async def test_a_request_marked_retry_false_is_sent_once_async() -> None:
    with respx.mock() as router:
        route = router.post(f"{BASE}/once").mock(return_value=httpx.Response(503))
        session = _fast_model()._get_session()
        with pytest.raises(APIError):
            await session.asend(Request("POST", "/once", b"{}", retry=False))
        assert route.call_count == 1
