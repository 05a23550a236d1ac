"""The pure Batch API pieces: lines, the upload frame, batch objects, result lines, splits."""

from __future__ import annotations

import json

import pytest

from langchain_compat_chat._batch_submit import split as _split
from langchain_compat_chat._wire.batch_facts import (
    BATCH_APIS,
    batch_api_for,
    batch_base_url,
)
from langchain_compat_chat._wire.batch_lines import (
    LineSplitter,
    PartMeta,
    custom_id,
    index_of,
    is_part_batch,
    is_part_file,
    list_page,
    multipart_frame,
    parse_batch,
    parse_result_line,
    part_filename,
    part_metadata,
    read_part_meta,
    request_line,
)
from langchain_compat_chat.errors import (
    BatchCancelledError,
    BatchExpiredError,
    BatchUnsupportedError,
    ContextOverflowError,
    InvalidRequestError,
    MalformedResponseError,
    RateLimitError,
    ResponseTooLargeError,
    error_from_response,
)

# The batch object of OpenAI's API reference (platform.openai.com/docs/api-reference/batch/object).
OPENAI_BATCH = {
    "id": "batch_abc123",
    "object": "batch",
    "endpoint": "/v1/chat/completions",
    "errors": None,
    "input_file_id": "file-abc123",
    "completion_window": "24h",
    "status": "completed",
    "output_file_id": "file-cvaTdG",
    "error_file_id": "file-HOWS94",
    "created_at": 1711471533,
    "in_progress_at": 1711471538,
    "expires_at": 1711557933,
    "finalizing_at": 1711493133,
    "completed_at": 1711493163,
    "failed_at": None,
    "expired_at": None,
    "cancelling_at": None,
    "cancelled_at": None,
    "request_counts": {"total": 100, "completed": 95, "failed": 5},
    "metadata": {"customer_id": "user_123456789", "batch_description": "Nightly eval job"},
}


def test_custom_ids_name_their_input_and_nothing_else() -> None:
    assert custom_id(0) == "lc-0"
    assert index_of(custom_id(12345)) == 12345
    for foreign in ("request-1", "lc-", "lc-1a", None, 7, "lc--1"):
        assert index_of(foreign) is None


def test_request_line_wraps_the_body_bytes_untouched() -> None:
    body = '{"model":"m","messages":[{"role":"user","content":"é \\u2028"}]}'.encode()
    line = request_line("lc-3", "/v1/chat/completions", body)
    assert line.endswith(b"}\n") and line.count(b"\n") == 1
    assert body in line  # byte for byte what invoke sends
    parsed = json.loads(line)
    assert parsed == {
        "custom_id": "lc-3",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": json.loads(body),
    }


def test_multipart_frame_puts_the_file_last() -> None:
    head, tail, content_type = multipart_frame("batch-api", "f.jsonl", "BOUNDARY")
    assert content_type == "multipart/form-data; boundary=BOUNDARY"
    text = head.decode()
    assert 'name="purpose"\r\n\r\nbatch-api\r\n' in text
    assert text.endswith('filename="f.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n')
    assert tail == b"\r\n--BOUNDARY--\r\n"


def test_openai_batch_object_is_read_and_unknown_fields_kept() -> None:
    info = parse_batch(OPENAI_BATCH)
    assert (info.id, info.status, info.terminal) == ("batch_abc123", "completed", True)
    assert (info.total, info.completed, info.failed) == (100, 95, 5)
    assert (info.output_file_id, info.error_file_id) == ("file-cvaTdG", "file-HOWS94")
    assert info.extra["completion_window"] == "24h"
    assert info.extra["expires_at"] == 1711557933


def test_together_job_envelope_and_upper_case_status() -> None:
    # docs.together.ai/reference/batch-create: {"job": {...}, "warning": ...}
    reply = {
        "job": {
            "id": "01234567-8901",
            "status": "IN_PROGRESS",
            "input_file_id": "file-input",
            "progress": 75,
            "error": "",
        },
        "warning": "",
    }
    info = parse_batch(reply, "job")
    assert (info.id, info.status, info.terminal) == ("01234567-8901", "in_progress", False)
    assert info.total is None and info.extra["progress"] == 75


def test_failed_batch_reasons_are_kept() -> None:
    failed = {
        **OPENAI_BATCH,
        "status": "failed",
        "errors": {
            "object": "list",
            "data": [{"code": "missing_custom_id", "message": "no custom_id", "line": 3}],
        },
    }
    assert parse_batch(failed).errors == ("missing_custom_id: no custom_id (line 3)",)


@pytest.mark.parametrize("payload", [{"id": "x"}, [], {"status": "done"}, "batch"])
def test_a_reply_that_is_not_a_batch_is_a_typed_error(payload: object) -> None:
    with pytest.raises(MalformedResponseError):
        parse_batch(payload)


def test_grouping_metadata_round_trips_beside_the_callers_own() -> None:
    meta = PartMeta(1, 3, 50_000, 50_000, "batch_next", "g123", "get_weather")
    stored = part_metadata(meta, {"project": "eval"})
    assert stored["project"] == "eval"
    assert all(isinstance(v, str) for v in stored.values()) and len(stored) <= 16
    assert read_part_meta(stored) == meta
    last = PartMeta(2, 3, 100_000, 10, None, "g123")
    assert read_part_meta(part_metadata(last)) == last
    assert read_part_meta({"customer": "x"}) is None
    assert read_part_meta(None) is None


@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_line_splitter_gives_the_same_lines_whatever_the_chunking(size: int) -> None:
    data = b"".join(
        json.dumps({"n": i, "pad": "x" * (i % 50)}).encode() + b"\n" for i in range(300)
    )
    splitter = LineSplitter(limit=None)
    lines = []
    for start in range(0, len(data), size):
        lines += splitter.feed(data[start : start + size])
    lines += splitter.close()
    assert [json.loads(line)["n"] for line in lines] == list(range(300))


def test_line_splitter_keeps_a_last_line_without_newline_and_caps_lines() -> None:
    splitter = LineSplitter(limit=10)
    assert splitter.feed(b"12345\n\n678") == [b"12345"]
    assert splitter.close() == [b"678"]
    with pytest.raises(ResponseTooLargeError):
        LineSplitter(limit=10).feed(b"0123456789ABC")  # no newline yet: still refused


def _line(**fields: object) -> bytes:
    return json.dumps({"id": "batch_req_1", "custom_id": "lc-4", **fields}).encode()


def test_successful_output_line_gives_the_completion_body() -> None:
    # platform.openai.com/docs/api-reference/batch/request-output
    body = {"id": "chatcmpl-1", "object": "chat.completion", "choices": []}
    line = parse_result_line(
        _line(response={"status_code": 200, "request_id": "req_9", "body": body}, error=None)
    )
    assert (line.index, line.body, line.error) == (4, body, None)
    assert line.meta == {
        "custom_id": "lc-4",
        "batch_request_id": "batch_req_1",
        "request_id": "req_9",
    }


def test_failed_line_is_the_error_an_interactive_call_gets() -> None:
    limited = parse_result_line(
        _line(
            response={
                "status_code": 429,
                "request_id": "req_1",
                "body": {"error": {"message": "slow down", "type": "requests", "code": None}},
            },
            error=None,
        )
    )
    assert isinstance(limited.error, RateLimitError)
    assert (limited.error.status_code, limited.error.request_id) == (429, "req_1")
    assert limited.error.message == "slow down"
    overflow = parse_result_line(
        _line(
            response={
                "status_code": 400,
                "body": {"error": {"message": "too long", "code": "context_length_exceeded"}},
            },
            error=None,
        )
    )
    assert isinstance(overflow.error, ContextOverflowError)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("batch_expired", BatchExpiredError), ("batch_cancelled", BatchCancelledError)],
)
def test_lines_that_never_ran_are_typed(code: str, kind: type[Exception]) -> None:
    line = parse_result_line(_line(response=None, error={"code": code, "message": "not run"}))
    assert isinstance(line.error, kind) and line.body is None


def test_a_result_line_that_is_not_json_is_a_typed_error() -> None:
    with pytest.raises(MalformedResponseError):
        parse_result_line(b"{not json")
    with pytest.raises(MalformedResponseError):
        parse_result_line(b"[1, 2]")


def test_split_respects_both_limits_and_keeps_order() -> None:
    lengths = [10] * 25
    assert _split(lengths, 10, None) == [(0, 10, 100), (10, 10, 100), (20, 5, 50)]
    assert _split(lengths, None, 95) == [(0, 9, 90), (9, 9, 90), (18, 7, 70)]
    assert _split([5, 50, 5], None, 55) == [(0, 2, 55), (2, 1, 5)]
    with pytest.raises(InvalidRequestError, match="Input 1"):
        _split([5, 60], None, 55)


def test_presets_without_a_batch_api_are_refused_with_the_ones_that_have_it() -> None:
    with pytest.raises(BatchUnsupportedError, match="'ollama'") as info:
        batch_api_for("ollama")
    assert "together" in str(info.value)
    assert batch_api_for("together").purpose == "batch-api"
    assert batch_api_for("zhipu").endpoint == "/v4/chat/completions"
    assert batch_api_for("openai").max_lines == 50_000
    assert batch_api_for("openai").max_bytes == 200 * 1024 * 1024
    assert set(BATCH_APIS) >= {
        "openai",
        "azure",
        "dashscope",
        "groq",
        "zhipu",
        "moonshot",
        "together",
    }
    assert all(api.docs.startswith("https://") for api in BATCH_APIS.values())


def test_azure_files_live_at_the_resource_not_the_deployment() -> None:
    azure = batch_api_for("azure")
    deployment = "https://r.openai.azure.com/openai/deployments/gpt4o-batch"
    assert batch_base_url(azure, deployment) == "https://r.openai.azure.com/openai"
    assert batch_base_url(azure, "https://r.openai.azure.com/openai/v1/") == (
        "https://r.openai.azure.com/openai/v1"
    )


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 413, 422, 429, 500, 503])
def test_a_failed_line_is_typed_exactly_as_the_same_http_answer(status: int) -> None:
    body = {"error": {"message": f"status {status}", "type": "t", "code": f"c{status}"}}
    line = parse_result_line(
        _line(response={"status_code": status, "request_id": "req_x", "body": body}, error=None)
    )
    interactive = error_from_response(status, json.dumps(body).encode(), {"x-request-id": "req_x"})
    assert type(line.error) is type(interactive)
    assert line.error is not None
    got = (line.error.message, line.error.code, line.error.error_type, line.error.status_code)
    assert got == (interactive.message, interactive.code, interactive.error_type, status)
    assert line.error.request_id == interactive.request_id == "req_x"


# -- finding what a failed create made ---------------------------------------------------
def test_an_openai_list_page_gives_its_objects_and_the_next_cursor() -> None:
    page = {"object": "list", "data": [OPENAI_BATCH], "last_id": "batch_abc123", "has_more": True}
    assert list_page(page) == ([OPENAI_BATCH], "batch_abc123")
    assert list_page({**page, "has_more": False}) == ([OPENAI_BATCH], None)
    assert list_page({"data": [OPENAI_BATCH], "has_more": True}) == ([OPENAI_BATCH], "batch_abc123")
    assert list_page({"data": [], "has_more": True}) == ([], None)


def test_a_together_list_is_a_bare_array_of_jobs_and_one_page() -> None:
    jobs = [{"id": "0123", "status": "IN_PROGRESS", "input_file_id": "file-in"}]
    assert list_page(jobs) == (jobs, None)


@pytest.mark.parametrize("payload", [None, {}, {"data": {"id": "x"}}, "page"])
def test_a_list_answer_of_another_shape_is_a_typed_error(payload: object) -> None:
    with pytest.raises(MalformedResponseError, match="'data'"):
        list_page(payload)


def test_a_listed_batch_is_ours_by_its_input_file_or_group_and_part() -> None:
    meta = PartMeta(1, 2, 5, 5, None, "g1")
    by_meta = {"id": "b", "input_file_id": "file-other", "metadata": part_metadata(meta)}
    assert is_part_batch({**OPENAI_BATCH, "input_file_id": "file-ours"}, "file-ours", "g1", 1)
    assert is_part_batch(by_meta, "file-ours", "g1", 1)
    assert not is_part_batch(by_meta, "file-ours", "g1", 0)  # the job's other part
    assert not is_part_batch(by_meta, "file-ours", "g2", 1)  # another job's
    assert not is_part_batch(OPENAI_BATCH, "file-ours", "g1", 1)
    assert not is_part_batch("batch_abc123", "file-abc123", "g1", 1)


def test_a_listed_file_is_ours_by_its_name_and_whole_size() -> None:
    name = part_filename("g1", 3)
    assert name == "batch-g1-3.jsonl"
    assert is_part_file({"id": "f", "filename": name, "bytes": 120}, name, 120)
    assert not is_part_file({"id": "f", "filename": name, "bytes": 60}, name, 120)
    assert not is_part_file({"id": "f", "filename": "batch-g1-2.jsonl", "bytes": 120}, name, 120)
    assert not is_part_file(None, name, 120)
