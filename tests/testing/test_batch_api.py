"""The Batch API against the ``openai`` SDK as the oracle: life cycle, results, knobs."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest

from langchain_compat_chat.testing import BatchConfig, LineFault, ReferenceServer
from tests.testing._batch_helpers import chat_body, content, jsonl, line, tool_line

Factory = Callable[..., ReferenceServer]


@pytest.fixture
def sdk(compat_server: ReferenceServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=compat_server.base_url, api_key="x", max_retries=0) as client:
        yield client


def _submit(sdk: openai.OpenAI, lines: list[dict[str, Any]]) -> Any:
    uploaded = sdk.files.create(file=("in.jsonl", io.BytesIO(jsonl(lines))), purpose="batch")
    assert uploaded.purpose == "batch" and uploaded.filename == "in.jsonl"
    return sdk.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"job": "test"},
    )


def _wait(sdk: openai.OpenAI, batch_id: str, seen: list[str] | None = None) -> Any:
    deadline = time.monotonic() + 60
    while True:
        batch = sdk.batches.retrieve(batch_id)
        if seen is not None and (not seen or seen[-1] != batch.status):
            seen.append(batch.status)
        if batch.status in ("completed", "failed", "expired", "cancelled"):
            return batch
        assert time.monotonic() < deadline, batch.status
        time.sleep(0.005)


def _lines(sdk: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(x) for x in sdk.files.content(file_id).text.splitlines()]


def test_every_line_is_answered_by_the_chat_logic(
    sdk: openai.OpenAI, compat_server: ReferenceServer
) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    structured = chat_body(
        99, response_format={"type": "json_schema", "json_schema": {"name": "n", "schema": schema}}
    )
    lines = [tool_line(i) for i in range(5)] + [line("s", structured), line("plain")]
    batch = _submit(sdk, lines)
    assert batch.status == "validating" and batch.metadata == {"job": "test"}
    done = _wait(sdk, batch.id)
    assert done.status == "completed" and done.model == "m"
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed) == (7, 7)
    assert done.error_file_id is None and done.errors is None
    stamps = [done.created_at, done.in_progress_at, done.finalizing_at, done.completed_at]
    assert all(s is not None for s in stamps) and stamps == sorted(stamps)  # type: ignore[type-var]
    assert done.expires_at == done.created_at + 24 * 3600
    out = {o["custom_id"]: o for o in _lines(sdk, done.output_file_id)}
    assert sorted(out) == sorted(x["custom_id"] for x in lines)
    for cid, item in out.items():
        assert item["id"].startswith("batch_req_") and item["error"] is None
        assert item["response"]["status_code"] == 200 and item["response"]["request_id"]
        body = item["response"]["body"]
        assert body["object"] == "chat.completion"
        if cid.startswith("t"):
            call = body["choices"][0]["message"]["tool_calls"][0]["function"]
            assert call["name"] == "get_weather" and "city" in json.loads(call["arguments"])
    assert isinstance(
        json.loads(out["s"]["response"]["body"]["choices"][0]["message"]["content"])["n"], int
    )
    usage = done.usage
    assert usage is not None
    assert usage.input_tokens == sum(
        o["response"]["body"]["usage"]["prompt_tokens"] for o in out.values()
    )
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    # Batch lines do not reach the chat log's queue: scripted replies stay for real calls.
    assert compat_server.chat_requests == []


def test_a_line_fails_exactly_as_the_interactive_call(
    sdk: openai.OpenAI, compat_server: ReferenceServer
) -> None:
    bad = {**chat_body(), "tools": [{"type": "function", "function": {"name": "bad name!"}}]}
    direct = httpx.post(compat_server.base_url + "/chat/completions", json=bad, timeout=10)
    assert direct.status_code == 400
    done = _wait(sdk, _submit(sdk, [line("ok"), line("bad", bad)]).id)
    assert done.status == "completed" and done.request_counts.failed == 1  # type: ignore[union-attr]
    [err] = _lines(sdk, done.error_file_id)
    assert err["custom_id"] == "bad" and err["error"] is None
    assert err["response"]["status_code"] == 400
    assert err["response"]["body"] == direct.json()
    assert [o["custom_id"] for o in _lines(sdk, done.output_file_id)] == ["ok"]


def test_the_batch_walks_every_state_and_counts_grow(compat_server_factory: Factory) -> None:
    config = BatchConfig(validating_s=0.15, processing_s=0.6, finalizing_s=0.15, shuffle=False)
    srv = compat_server_factory(batch=config)
    with openai.OpenAI(base_url=srv.base_url, api_key="x") as sdk:
        batch = _submit(sdk, [line(f"r{i}") for i in range(256)])
        seen: list[str] = []
        counts: set[int] = set()
        while not seen or seen[-1] != "completed":
            now = sdk.batches.retrieve(batch.id)
            if not seen or seen[-1] != now.status:
                seen.append(now.status)
            counts.add(now.request_counts.completed)  # type: ignore[union-attr]
            time.sleep(0.01)
        assert seen == ["validating", "in_progress", "finalizing", "completed"]
        assert len(counts - {0, 256}) >= 2  # partial progress was visible
        ids = [o["custom_id"] for o in _lines(sdk, now.output_file_id)]
        assert ids == [f"r{i}" for i in range(256)]  # shuffle=False keeps the input order


def test_output_order_is_not_the_input_order(sdk: openai.OpenAI) -> None:
    lines = [line(f"r{i}") for i in range(300)]
    done = _wait(sdk, _submit(sdk, lines).id)
    ids = [o["custom_id"] for o in _lines(sdk, done.output_file_id)]
    assert sorted(ids) == sorted(x["custom_id"] for x in lines)
    assert ids != [x["custom_id"] for x in lines]


def test_injected_line_errors_by_id_and_fraction(compat_server: ReferenceServer) -> None:
    exact = {"error": {"message": "nope", "type": "server_error", "param": None, "code": "x"}}
    compat_server.set_batch_config(
        BatchConfig(
            fail_ids={"r1": LineFault(status=429), "r2": LineFault(status=500, body=exact)},
            fail_fraction=0.25,
            fail_with=LineFault(status=503, message="overloaded"),
        )
    )
    with openai.OpenAI(base_url=compat_server.base_url, api_key="x") as sdk:
        done = _wait(sdk, _submit(sdk, [line(f"r{i}") for i in range(400)]).id)
        errs = {e["custom_id"]: e["response"] for e in _lines(sdk, done.error_file_id)}
        assert errs["r1"]["status_code"] == 429
        assert errs["r1"]["body"]["error"]["code"] == "rate_limit_exceeded"
        assert errs["r2"] == {**errs["r2"], "status_code": 500, "body": exact}
        by_fraction = [r for cid, r in errs.items() if cid not in ("r1", "r2")]
        assert 60 <= len(by_fraction) <= 140  # 25% of 398, deterministic per custom_id
        assert {r["status_code"] for r in by_fraction} == {503}
        assert {r["body"]["error"]["message"] for r in by_fraction} == {"overloaded"}
        counts = done.request_counts
        assert (counts.failed, counts.completed) == (len(errs), 400 - len(errs))  # type: ignore[union-attr]
        again = _wait(sdk, _submit(sdk, [line(f"r{i}") for i in range(400)]).id)
        assert {e["custom_id"] for e in _lines(sdk, again.error_file_id)} == set(errs)


def test_expiry_keeps_finished_lines_and_expires_the_rest(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(processing_s=3.0, expire_after_s=0.4))
    with openai.OpenAI(base_url=srv.base_url, api_key="x") as sdk:
        batch = _submit(sdk, [line(f"r{i}") for i in range(200)])
        done = _wait(sdk, batch.id)
        assert done.status == "expired" and done.expired_at is not None
        assert done.expires_at == done.created_at + 1
        finished = {o["custom_id"] for o in _lines(sdk, done.output_file_id)}
        expired = _lines(sdk, done.error_file_id)
        assert 0 < len(finished) < 200
        assert {e["custom_id"] for e in expired} == {f"r{i}" for i in range(200)} - finished
        assert all(e["response"] is None for e in expired)
        assert {e["error"]["code"] for e in expired} == {"batch_expired"}
        counts = done.request_counts
        assert (counts.completed, counts.failed) == (len(finished), len(expired))  # type: ignore[union-attr]


def test_cancel_keeps_partial_results(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(processing_s=3.0, cancelling_s=0.2))
    with openai.OpenAI(base_url=srv.base_url, api_key="x", max_retries=0) as sdk:
        batch = _submit(sdk, [line(f"r{i}") for i in range(200)])
        while sdk.batches.retrieve(batch.id).request_counts.completed == 0:  # type: ignore[union-attr]
            time.sleep(0.01)
        cancelling = sdk.batches.cancel(batch.id)
        assert cancelling.status == "cancelling" and cancelling.cancelling_at is not None
        assert sdk.batches.cancel(batch.id).status == "cancelling"  # idempotent
        done = _wait(sdk, batch.id)
        assert done.status == "cancelled" and done.cancelled_at is not None
        finished = _lines(sdk, done.output_file_id)
        assert 0 < len(finished) < 200 == done.request_counts.total  # type: ignore[union-attr]
        assert len(finished) == done.request_counts.completed  # type: ignore[union-attr]
        assert done.error_file_id is None  # unfinished lines get no line on cancel
        with pytest.raises(openai.BadRequestError):
            sdk.batches.cancel(_wait(sdk, _submit(sdk, [line("a")]).id).id)


def test_cancel_while_validating(compat_server_factory: Factory) -> None:
    srv = compat_server_factory(batch=BatchConfig(validating_s=5.0))
    with openai.OpenAI(base_url=srv.base_url, api_key="x") as sdk:
        batch = _submit(sdk, [line("a")])
        assert sdk.batches.cancel(batch.id).status == "cancelling"
        done = _wait(sdk, batch.id)
        assert done.status == "cancelled" and done.output_file_id is None
        assert done.in_progress_at is None


def test_list_pages_newest_first(sdk: openai.OpenAI) -> None:
    ids = [_submit(sdk, [line("a")]).id for _ in range(3)]
    page = sdk.batches.list(limit=2)
    assert [b.id for b in page.data] == ids[:0:-1] and page.has_more
    rest = sdk.batches.list(limit=2, after=page.data[-1].id)
    assert [b.id for b in rest.data] == ids[:1] and not rest.has_more
    assert [b.id for b in sdk.batches.list()] == ids[::-1]  # the SDK follows the cursor


def test_files_retrieve_content_list_delete(sdk: openai.OpenAI) -> None:
    data = jsonl([line("a"), line("b")])
    uploaded = sdk.files.create(file=("x.jsonl", io.BytesIO(data)), purpose="batch")
    assert uploaded.bytes == len(data) and uploaded.status == "processed"
    assert uploaded.expires_at == uploaded.created_at + 30 * 24 * 3600
    assert sdk.files.retrieve(uploaded.id) == uploaded
    assert sdk.files.content(uploaded.id).content == data
    assert [f.id for f in sdk.files.list(purpose="batch")] == [uploaded.id]
    deleted = sdk.files.delete(uploaded.id)
    assert (deleted.id, deleted.deleted) == (uploaded.id, True)
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        sdk.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )


def test_output_files_are_batch_output_files(sdk: openai.OpenAI) -> None:
    done = _wait(sdk, _submit(sdk, [line("a")]).id)
    out = sdk.files.retrieve(done.output_file_id)  # type: ignore[arg-type]
    assert out.purpose == "batch_output" and out.filename == f"{done.id}_output.jsonl"


def test_reset_forgets_files_and_batches(
    compat_server: ReferenceServer, sdk: openai.OpenAI
) -> None:
    batch = _submit(sdk, [line("a")])
    compat_server.reset()
    with pytest.raises(openai.NotFoundError):
        sdk.batches.retrieve(batch.id)
    assert sdk.files.list().data == []


def test_server_files_are_removed_on_stop(compat_server_factory: Factory) -> None:
    srv = compat_server_factory()
    with openai.OpenAI(base_url=srv.base_url, api_key="x") as sdk:
        _wait(sdk, _submit(sdk, [line("a")]).id)
    directory = srv.batch_api.files.directory
    assert any(directory.iterdir())
    srv.stop()
    assert not directory.exists()


def test_raw_output_is_one_json_line_per_request(
    sdk: openai.OpenAI, compat_server: ReferenceServer
) -> None:
    done = _wait(sdk, _submit(sdk, [line("a"), line("b")]).id)
    with httpx.Client(base_url=compat_server.base_url, timeout=10) as client:
        raw = client.get(f"/files/{done.output_file_id}/content")
        assert raw.content.endswith(b"\n") and raw.content.count(b"\n") == 2
        assert content(client, done.output_file_id) == _lines(sdk, done.output_file_id)
