"""The Batch API's validation over raw HTTP: create-time 400/404s and failed batches.

Which problem is which follows the evidence in ``testing/_batches.py`` and
``testing/_batch_lines.py``: a bad request is an error answer, a bad file a ``failed``
batch whose ``errors`` name the line.
"""

from __future__ import annotations

import httpx
import pytest

from langchain_compat_chat.testing import BatchConfig, ReferenceServer
from tests.testing._batch_helpers import (
    chat_body,
    create,
    jsonl,
    line,
    submit,
    upload,
    wait,
)


def _failed(client: httpx.Client, lines: list[object]) -> list[dict[str, object]]:
    batch = wait(client, submit(client, lines)["id"])  # type: ignore[arg-type]
    assert batch["status"] == "failed", batch
    assert batch["failed_at"] is not None
    assert batch["output_file_id"] is None and batch["in_progress_at"] is None
    assert batch["errors"]["object"] == "list"
    return list(batch["errors"]["data"])


@pytest.mark.parametrize(
    ("bad", "code", "param"),
    [
        ("{not json", "invalid_json_line", None),
        ('["a", "list"]', "invalid_json_line", None),
        (line("x", custom_id=None), "missing_required_parameter", "custom_id"),
        (line("x", body=None), "missing_required_parameter", "body"),
        (line("x", custom_id=7), "invalid_type", "custom_id"),
        (line("x", method="GET"), "invalid_method", "method"),
        (line("x", url="/v1/embeddings"), "url_mismatch", "url"),
        (line("x", body=chat_body(stream=True)), "streaming_unsupported", "body.stream"),
        (line("a0"), "duplicate_custom_id", "custom_id"),
        (line("x", body={**chat_body(), "model": "other"}), "model_mismatch", "body.model"),
    ],
)
def test_a_bad_line_fails_the_batch_naming_its_line(
    client: httpx.Client, bad: object, code: str, param: str | None
) -> None:
    errors = _failed(client, [line("a0"), bad, line("a2")])
    assert [(e["code"], e["line"], e["param"]) for e in errors] == [(code, 2, param)]
    assert errors[0]["message"]


def test_line_numbers_count_blank_lines_and_every_error_is_listed(client: httpx.Client) -> None:
    data = jsonl([line("a"), "{oops"]) + b"\n" + jsonl([line("a")])
    resp = upload(client, data)
    batch = wait(client, create(client, resp.json()["id"]).json()["id"])
    found = [(e["code"], e["line"]) for e in batch["errors"]["data"]]
    assert found == [("invalid_json_line", 2), ("duplicate_custom_id", 4)]


def test_empty_file_and_too_many_lines(compat_server: ReferenceServer) -> None:
    with httpx.Client(base_url=compat_server.base_url, timeout=10) as client:
        assert [e["code"] for e in _failed(client, [])] == ["empty_file"]
        compat_server.set_batch_config(BatchConfig(max_lines=3))
        errors = _failed(client, [line(f"r{i}") for i in range(5)])
        assert [e["code"] for e in errors] == ["too_many_tasks"]


@pytest.mark.parametrize(
    ("field", "value", "status", "code"),
    [
        ("input_file_id", None, 400, "missing_required_parameter"),
        ("endpoint", None, 400, "missing_required_parameter"),
        ("completion_window", None, 400, "missing_required_parameter"),
        ("endpoint", "/v1/chat", 400, "invalid_value"),
        ("endpoint", "/v1/embeddings", 400, "invalid_value"),
        ("completion_window", "1h", 400, "invalid_value"),
        ("metadata", {"k": 5}, 400, "invalid_value"),
        ("input_file_id", "file-doesnotexist", 404, None),
    ],
)
def test_create_rejects_bad_parameters_in_openais_error_shape(
    client: httpx.Client, field: str, value: object, status: int, code: str | None
) -> None:
    file_id = upload(client, jsonl([line("a")])).json()["id"]
    body = {
        "input_file_id": file_id,
        "endpoint": "/v1/chat/completions",
        "completion_window": "24h",
        field: value,
    }
    if value is None:
        del body[field]
    resp = client.post("/batches", json=body)
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code
    assert error["param"] in (field, f"{field}.k")
    assert client.get("/batches").json()["data"] == []


def test_create_rejects_a_file_uploaded_for_another_purpose(client: httpx.Client) -> None:
    file_id = upload(client, jsonl([line("a")]), purpose="fine-tune").json()["id"]
    resp = create(client, file_id)
    assert resp.status_code == 400
    assert "purpose 'batch'" in resp.json()["error"]["message"]


def test_batch_files_must_be_jsonl_and_purposes_are_checked(client: httpx.Client) -> None:
    resp = upload(client, jsonl([line("a")]), filename="input.json")
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Invalid file format for Batch API. Must be .jsonl"
    resp = upload(client, b"x", purpose="nonsense")
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "invalid_value")
    resp = client.post("/files", data={"purpose": "batch"})
    assert resp.status_code == 400
    resp = client.post(
        "/files",
        content=b"--b\r\nContent-Disposition: form-data; name=purpose\r\n\r\nbatch\r\n--b--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert (resp.status_code, resp.json()["error"]["param"]) == (400, "file")


def test_together_purpose_only_with_its_dialect(client: httpx.Client) -> None:
    data = jsonl([line("a")])
    assert upload(client, data, purpose="batch-api").status_code == 400
    together = {"x-compat-dialect": "together"}
    resp = upload(client, data, purpose="batch-api", headers=together)
    assert resp.status_code == 200, resp.text
    assert resp.json()["purpose"] == "batch-api"
    assert create(client, resp.json()["id"]).status_code == 400  # default dialect wants batch
    batch = create(client, resp.json()["id"], headers=together)
    assert batch.status_code == 200, batch.text
    assert wait(client, batch.json()["id"])["status"] == "completed"


def test_upload_streams_a_chunked_body_with_a_quoted_boundary(client: httpx.Client) -> None:
    payload = jsonl([line(f"r{i}") for i in range(50)])
    body = (
        b'--"q b"\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        b'--"q b"\r\nContent-Disposition: form-data; name="file"; filename="in.jsonl"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + payload + b'\r\n--"q b"--\r\n'
    ).replace(b'"q b"', b"q-b")

    def pieces() -> object:
        for i in range(0, len(body), 1000):
            yield body[i : i + 1000]

    resp = client.post(
        "/files",
        content=pieces(),  # type: ignore[arg-type]
        headers={"content-type": 'multipart/form-data; boundary="q-b"'},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["bytes"] == len(payload)
    assert client.get(f"/files/{resp.json()['id']}/content").content == payload


def test_file_routes_answer_404_for_unknown_ids(client: httpx.Client) -> None:
    for method, path in (
        ("GET", "/files/file-nope"),
        ("GET", "/files/file-nope/content"),
        ("DELETE", "/files/file-nope"),
    ):
        resp = client.request(method, path)
        assert resp.status_code == 404
        assert resp.json()["error"]["message"] == "No such File object: file-nope"
    assert client.get("/batches/batch_nope").status_code == 404
    assert client.post("/batches/batch_nope/cancel").status_code == 404


def test_batch_routes_need_the_key(compat_server_factory: object) -> None:
    srv = compat_server_factory(api_key="sk-test")  # type: ignore[operator]
    with httpx.Client(base_url=srv.base_url, timeout=10) as client:
        assert upload(client, jsonl([line("a")])).status_code == 401
        assert client.get("/batches").status_code == 401
        client.headers["authorization"] = "Bearer sk-test"
        assert upload(client, jsonl([line("a")])).status_code == 200
