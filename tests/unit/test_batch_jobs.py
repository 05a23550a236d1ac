"""Batch API jobs against respx stand-ins shaped like OpenAI's files and batches reference.

Shapes: the file object (platform.openai.com/docs/api-reference/files/object), the batch
object (.../batch/object) and the output line ``{"id", "custom_id", "response":
{"status_code", "request_id", "body"}, "error"}`` (.../batch/request-output).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.prompt_values import ChatPromptValue
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.errors import (
    APITimeoutError,
    BatchCancelledError,
    BatchExpiredError,
    BatchFailedError,
    BatchPendingError,
    BatchUnsupportedError,
    ContextOverflowError,
    RateLimitError,
)

BASE = "http://batch.test/v1"


class Weather(BaseModel):
    """Weather for a city."""

    city: str


def _completion(index: int, tool: bool) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None if tool else f"answer {index}"}
    if tool:
        message["tool_calls"] = [
            {
                "id": f"call_{index}",
                "type": "function",
                "function": {"name": "Weather", "arguments": json.dumps({"city": f"c{index}"})},
            }
        ]
    return {
        "id": f"chatcmpl-{index}",
        "object": "chat.completion",
        "created": 1711471533,
        "model": "gpt-x",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        "service_tier": "batch",
    }


def _multipart(request: httpx.Request) -> tuple[dict[str, str], bytes]:
    """The form fields and the file of a multipart upload (the file is the last part)."""
    boundary = request.headers["content-type"].split("boundary=", 1)[1].encode()
    fields: dict[str, str] = {}
    file = b""
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = part[2:].partition(b"\r\n\r\n")
        value = value[:-2]  # the CRLF before the next boundary
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        if b"filename=" in head:
            file = value
        else:
            fields[name] = value.decode()
    return fields, file


class FakeBatchApi:
    """Files and batches in memory; each GET of a batch moves it one state further."""

    def __init__(
        self,
        base: str = BASE,
        *,
        statuses: tuple[str, ...] = ("validating", "in_progress", "completed"),
        fail: dict[str, dict[str, Any]] | None = None,
        tool: bool = False,
        envelope: str | None = None,
    ) -> None:
        self.base = base
        self.statuses = statuses
        self.fail = fail or {}
        self.tool = tool
        self.envelope = envelope
        self.files: dict[str, bytes] = {}
        self.uploads: list[tuple[dict[str, str], bytes, httpx.Request]] = []
        self.creates: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.steps: dict[str, int] = {}
        self.cancels: list[str] = []
        self.ids = itertools.count()
        self.upload_fault: Callable[[int], httpx.Response | None] = lambda n: None
        self.chat: Callable[[httpx.Request], httpx.Response] | None = None

    def install(self, router: respx.MockRouter) -> None:
        router.route(host=httpx.URL(self.base).host).mock(side_effect=self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(httpx.URL(self.base).path)
        if path == "/chat/completions" and self.chat is not None:
            return self.chat(request)
        if request.method == "POST" and path == "/files":
            fault = self.upload_fault(len(self.uploads))
            fields, file = _multipart(request)
            self.uploads.append((fields, file, request))
            if fault is not None:
                return fault
            file_id = f"file-in{next(self.ids)}"
            self.files[file_id] = file
            return httpx.Response(
                200,
                json={
                    "id": file_id,
                    "object": "file",
                    "bytes": len(file),
                    "purpose": fields.get("purpose"),
                },
            )
        if request.method == "POST" and path == "/batches":
            create = json.loads(request.content)
            self.creates.append(create)
            batch_id = f"batch_{next(self.ids)}"
            lines = self.files[create["input_file_id"]].splitlines()
            self.batches[batch_id] = {
                "id": batch_id,
                "object": "batch",
                "endpoint": create["endpoint"],
                "input_file_id": create["input_file_id"],
                "completion_window": create["completion_window"],
                "status": "validating",
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
                "metadata": create.get("metadata"),
                "output_file_id": None,
                "error_file_id": None,
            }
            self.steps[batch_id] = 0
            return self._batch_reply(batch_id)
        if request.method == "GET" and path.startswith("/batches/"):
            batch_id = path.split("/")[2]
            self._advance(batch_id)
            return self._batch_reply(batch_id)
        if request.method == "POST" and path.endswith("/cancel"):
            batch_id = path.split("/")[2]
            self.cancels.append(batch_id)
            self.batches[batch_id]["status"] = "cancelling"
            self.statuses = ("cancelling", "cancelled")
            self.steps[batch_id] = 0
            return self._batch_reply(batch_id)
        if request.method == "GET" and path.endswith("/content"):
            return httpx.Response(200, content=self.files[path.split("/")[2]])
        return httpx.Response(404, json={"error": {"message": f"no route {path}"}})

    def _batch_reply(self, batch_id: str) -> httpx.Response:
        obj = self.batches[batch_id]
        return httpx.Response(200, json={"job": obj} if self.envelope else obj)

    def _advance(self, batch_id: str) -> None:
        batch = self.batches[batch_id]
        if batch["status"] in ("completed", "failed", "expired", "cancelled"):
            return
        self.steps[batch_id] = step = min(self.steps[batch_id] + 1, len(self.statuses) - 1)
        batch["status"] = self.statuses[step]
        if batch["status"] in ("completed", "expired", "cancelled"):
            self._finish(batch)

    def _finish(self, batch: dict[str, Any]) -> None:
        lines = [json.loads(line) for line in self.files[batch["input_file_id"]].splitlines()]
        ran = lines if batch["status"] == "completed" else lines[: len(lines) // 2]
        out, err = [], []
        for line in reversed(ran):  # the real API does not keep the input order
            cid = line["custom_id"]
            index = int(cid.split("-")[1])
            if cid in self.fail:
                status, body = self.fail[cid]["status"], {"error": self.fail[cid]["error"]}
                err.append(
                    {
                        "id": f"batch_req_{cid}",
                        "custom_id": cid,
                        "response": {
                            "status_code": status,
                            "request_id": f"req_{cid}",
                            "body": body,
                        },
                        "error": None,
                    }
                )
            else:
                out.append(
                    {
                        "id": f"batch_req_{cid}",
                        "custom_id": cid,
                        "response": {
                            "status_code": 200,
                            "request_id": f"req_{cid}",
                            "body": _completion(index, self.tool),
                        },
                        "error": None,
                        "provider_extra": index,
                    }
                )
        code = "batch_expired" if batch["status"] == "expired" else "batch_cancelled"
        for line in lines[len(ran) :][:1]:  # one never-run line in the error file, the rest absent
            err.append(
                {
                    "id": None,
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": {"code": code, "message": "not run"},
                }
            )
        for kind, rows in (("output_file_id", out), ("error_file_id", err)):
            if rows:
                file_id = f"file-out{next(self.ids)}"
                self.files[file_id] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
                batch[kind] = file_id
        batch["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(err)}


@pytest.fixture
def api() -> Any:
    fake = FakeBatchApi()
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        yield fake


def _model(**kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="gpt-x", base_url=BASE, api_key="sk-test", **kw)


INPUTS: list[Any] = [
    "plain text",
    [SystemMessage("be brief"), HumanMessage("with a system prompt")],
    [("human", "a tuple message")],
    ChatPromptValue(messages=[HumanMessage("a prompt value")]),
    [{"role": "user", "content": [{"type": "text", "text": "parts é \u2028"}]}],
]


def _line_bodies(file: bytes) -> list[bytes]:
    """Each JSONL line's body, as the exact bytes it holds."""
    marker = b', "body": '
    return [line[line.index(marker) + len(marker) : -1] for line in file.splitlines()]


def test_every_line_body_is_byte_for_byte_what_invoke_sends(api: FakeBatchApi) -> None:
    model = _model(temperature=0.2, max_tokens=50)
    call = {**model.bind_tools([Weather], tool_choice="Weather").kwargs, "stop": ["END"], "seed": 7}
    sent: list[bytes] = []

    def chat(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return httpx.Response(200, json=_completion(0, tool=True))

    api.chat = chat
    for item in INPUTS:
        model.invoke(item, **call)
    model.submit_batch(INPUTS, **call)
    ((fields, file, request),) = api.uploads
    assert _line_bodies(file) == sent
    lines = [json.loads(line) for line in file.splitlines()]
    assert [line["custom_id"] for line in lines] == [f"lc-{i}" for i in range(len(INPUTS))]
    assert {line["url"] for line in lines} == {"/v1/chat/completions"}
    assert {line["method"] for line in lines} == {"POST"}
    assert fields == {"purpose": "batch"}
    assert request.headers["content-length"] == str(len(request.content))
    assert "transfer-encoding" not in request.headers


def test_create_names_the_file_endpoint_window_and_grouping(api: FakeBatchApi) -> None:
    job = _model().submit_batch(["a", "b"], metadata={"project": "eval"}, completion_window="48h")
    (create,) = api.creates
    assert create["input_file_id"] == "file-in0"
    assert create["endpoint"] == "/v1/chat/completions"
    assert create["completion_window"] == "48h"
    meta = create["metadata"]
    assert meta["project"] == "eval"
    assert (meta["lcc_part"], meta["lcc_parts"], meta["lcc_offset"], meta["lcc_count"]) == (
        "0",
        "1",
        "0",
        "2",
    )
    assert job.id == "batch_1" and job.status == "validating" and len(job) == 2


def test_results_come_in_input_order_with_failures_in_their_places(api: FakeBatchApi) -> None:
    api.fail = {
        "lc-2": {"status": 429, "error": {"message": "slow down", "type": "rate_limit"}},
        "lc-5": {
            "status": 400,
            "error": {"message": "too long", "code": "context_length_exceeded"},
        },
    }
    model = _model()
    job = model.submit_batch([f"q{i}" for i in range(8)])
    assert job.wait(poll=0.001) == "completed"
    answers = job.results(return_exceptions=True)
    assert isinstance(answers[2], RateLimitError) and answers[2].request_id == "req_lc-2"
    assert isinstance(answers[5], ContextOverflowError)
    for index in (0, 1, 3, 4, 6, 7):
        message = answers[index]
        assert isinstance(message, AIMessage) and message.content == f"answer {index}"
        assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] == 8
        assert message.response_metadata["service_tier"] == "batch"  # unknown field kept
        assert message.response_metadata["batch"] == {
            "custom_id": f"lc-{index}",
            "batch_request_id": f"batch_req_lc-{index}",
            "request_id": f"req_lc-{index}",
            "provider_extra": index,
        }
    with pytest.raises(RateLimitError, match="slow down"):
        job.results()
    assert (job.counts.total, job.counts.completed, job.counts.failed) == (8, 6, 2)


def test_a_large_job_is_split_and_resumed_from_its_first_id(api: FakeBatchApi) -> None:
    api.tool = True
    model = _model()
    job = model.submit_batch([f"q{i}" for i in range(23)], max_lines=10)
    assert len(job.batch_ids) == 3 and job.id == job.batch_ids[0]
    offsets = [(c["metadata"]["lcc_offset"], c["metadata"]["lcc_count"]) for c in api.creates]
    assert offsets == [("20", "3"), ("10", "10"), ("0", "10")]  # created last first
    resumed = _model().get_batch(job.id)  # a new model, as in another process
    assert resumed.batch_ids == job.batch_ids and len(resumed) == 23
    resumed.wait(poll=0.001)
    answers = resumed.results()
    assert [a.tool_calls[0]["args"] for a in answers] == [{"city": f"c{i}"} for i in range(23)]
    with pytest.raises(Exception, match="not its first"):
        _model().get_batch(job.batch_ids[1])


def test_results_before_the_job_finished_are_refused(api: FakeBatchApi) -> None:
    job = _model().submit_batch(["a"])
    with pytest.raises(BatchPendingError, match="wait"):
        job.results()


def test_wait_backs_off_reports_changes_and_times_out(api: FakeBatchApi) -> None:
    api.statuses = ("validating", "in_progress")  # never finishes
    job = _model().submit_batch(["a", "b"])
    seen: list[str] = []
    with pytest.raises(APITimeoutError, match=r"get_batch\('batch_1'\)"):
        job.wait(
            timeout=0.15, poll=0.01, max_poll=0.02, on_progress=lambda j: seen.append(j.status)
        )
    assert seen == ["in_progress"]  # one call per change, not per poll
    assert api.steps["batch_1"] == 1 and len(api.batches) == 1


def test_wait_logs_one_line_per_change(api: FakeBatchApi, caplog: pytest.LogCaptureFixture) -> None:
    job = _model().submit_batch(["a", "b"])
    with caplog.at_level(logging.INFO, logger="langchain_compat_chat"):
        job.wait(poll=0.001)
    lines = [r.getMessage() for r in caplog.records if r.name == "langchain_compat_chat"]
    assert lines == [
        "Batch job batch_1: in_progress, 0 of 2 done, 0 failed",
        "Batch job batch_1: completed, 2 of 2 done, 0 failed",
    ]


def test_cancelled_and_expired_jobs_are_typed_states(api: FakeBatchApi) -> None:
    model = _model()
    job = model.submit_batch([f"q{i}" for i in range(6)])
    job.cancel()
    assert api.cancels == ["batch_1"] and job.status == "cancelling"
    assert job.wait(poll=0.001) == "cancelled"
    answers = job.results(return_exceptions=True)
    assert all(isinstance(a, AIMessage) for a in answers[:3])
    assert all(isinstance(a, BatchCancelledError) for a in answers[3:])
    api.statuses = ("in_progress", "expired")
    expired = model.submit_batch([f"q{i}" for i in range(4)])
    assert expired.wait(poll=0.001) == "expired"
    answers = expired.results(return_exceptions=True)
    assert [type(a) for a in answers] == [
        AIMessage,
        AIMessage,
        BatchExpiredError,
        BatchExpiredError,
    ]


def test_a_batch_the_provider_refused_fails_every_line(api: FakeBatchApi) -> None:
    job = _model().submit_batch(["a", "b"])
    batch = api.batches[job.id]
    api.statuses = ("failed",)
    batch["errors"] = {"data": [{"code": "invalid_json_line", "message": "bad", "line": 2}]}
    job.refresh()
    assert job.status == "failed" and job.done
    with pytest.raises(BatchFailedError, match="invalid_json_line: bad"):
        job.results()


def test_presets_without_a_batch_api_refuse_before_any_request() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route()
        model = ChatCompatModel(model="llama3", provider="ollama")
        with pytest.raises(BatchUnsupportedError, match="'ollama'"):
            model.submit_batch(["a"])
        with pytest.raises(BatchUnsupportedError):
            model.batch(["a"], use_batch_api=True)
        assert route.call_count == 0


def test_together_uploads_for_batch_api_and_unwraps_the_job() -> None:
    fake = FakeBatchApi("https://api.together.xyz/v1", envelope="job")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        model = ChatCompatModel(model="meta-llama/x", provider="together", api_key="t")
        job = model.submit_batch(["a", "b"])
        assert fake.uploads[0][0] == {"purpose": "batch-api"}
        job.wait(poll=0.001)
        assert [a.content for a in job.results()] == ["answer 0", "answer 1"]


def test_zhipu_lines_and_endpoint_use_v4() -> None:
    fake = FakeBatchApi("https://open.bigmodel.cn/api/paas/v4")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        ChatCompatModel(model="glm-4-plus", provider="zhipu", api_key="z").submit_batch(["a"])
        assert json.loads(fake.uploads[0][1])["url"] == "/v4/chat/completions"
        assert fake.creates[0]["endpoint"] == "/v4/chat/completions"


def test_azure_deployment_urls_upload_to_the_resource() -> None:
    fake = FakeBatchApi("https://r.openai.azure.com/openai")
    with respx.mock(assert_all_called=False) as router:
        fake.install(router)
        model = ChatCompatModel(
            model="gpt-4o-batch",
            provider="azure",
            base_url="https://r.openai.azure.com/openai/deployments/gpt-4o-batch",
            api_key="a",
        )
        model.submit_batch(["a"])
        request = fake.uploads[0][2]
        assert request.url.path == "/openai/files"
        assert request.url.params["api-version"] == "2024-10-21"
        assert request.headers["api-key"] == "a"
        assert json.loads(fake.uploads[0][1])["url"] == "/chat/completions"


def test_a_retried_upload_sends_the_whole_file_again(api: FakeBatchApi) -> None:
    api.upload_fault = lambda n: (
        httpx.Response(503, json={"error": {"message": "busy"}}) if n == 0 else None
    )
    _model().submit_batch([f"q{i}" for i in range(300)])
    assert api.uploads[0][1] == api.uploads[1][1] and api.uploads[0][1].count(b"\n") == 300


def test_a_failed_submit_cancels_the_batches_it_made(api: FakeBatchApi) -> None:
    api.upload_fault = lambda n: (
        httpx.Response(400, json={"error": {"message": "no"}}) if n == 1 else None
    )
    with pytest.raises(Exception, match="no"):
        _model(max_retries=0).submit_batch(["a", "b", "c"], max_lines=2)
    assert api.cancels == ["batch_1"]


def test_batch_with_use_batch_api_submits_waits_and_returns(api: FakeBatchApi) -> None:
    api.fail = {"lc-1": {"status": 429, "error": {"message": "slow"}}}
    model = _model()
    answers = model.batch(["a", "b", "c"], use_batch_api=True, return_exceptions=True, poll=0.001)
    assert [type(a) for a in answers] == [AIMessage, RateLimitError, AIMessage]
    assert model.batch([], use_batch_api=True) == []


@pytest.mark.parametrize(("tool", "normalized"), [(False, "stop"), (True, "tool_call")])
def test_batch_results_get_the_normalised_finish_reason(
    api: FakeBatchApi, tool: bool, normalized: str
) -> None:
    api.tool = tool  # every line ends in "stop", the tool lines with a (forced) call
    answers = _model().batch(["a", "b"], use_batch_api=True, poll=0.001)
    assert [a.response_metadata["finish_reason"] for a in answers] == ["stop", "stop"]
    assert [a.response_metadata["normalized_finish_reason"] for a in answers] == [normalized] * 2


async def test_the_async_driver_runs_the_same_steps(api: FakeBatchApi) -> None:
    api.fail = {"lc-3": {"status": 429, "error": {"message": "slow"}}}
    model = _model()
    job = await model.asubmit_batch([f"q{i}" for i in range(7)], max_lines=3)
    resumed = await _model().aget_batch(job.id)
    assert await resumed.await_(poll=0.001) == "completed"
    answers = await resumed.aresults(return_exceptions=True)
    assert [a.content if isinstance(a, AIMessage) else type(a) for a in answers] == [
        "answer 0",
        "answer 1",
        "answer 2",
        RateLimitError,
        "answer 4",
        "answer 5",
        "answer 6",
    ]
    more = await model.abatch(["x", "y"], use_batch_api=True, poll=0.001)
    assert [a.content for a in more] == ["answer 0", "answer 1"]


async def test_async_cancel(api: FakeBatchApi) -> None:
    job = await _model().asubmit_batch(["a", "b"])
    await job.acancel()
    await job.arefresh()
    await asyncio.sleep(0)
    assert api.cancels == [job.id] and job.status in ("cancelling", "cancelled")
