"""HTTP status and error bodies -> typed errors (``errors``), and ``Retry-After`` parsing."""

from __future__ import annotations

import email.utils
import json
import pickle
from typing import Any

import httpx
import pytest
import respx
from langchain_core import exceptions as lc

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._http.retry import parse_retry_after
from langchain_compat_chat.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    CompatChatError,
    ContentFilterError,
    ContextOverflowError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    StreamInterruptedError,
    error_from_payload,
    error_from_response,
)

BASE = "http://test.local/v1"
KEY = "sk-test-SECRET-0123456789abcdef"

STATUS_CASES: list[tuple[int, type[CompatChatError], type[lc.ModelError], bool]] = [
    (400, InvalidRequestError, lc.ModelInvalidRequestError, False),
    (401, AuthenticationError, lc.ModelAuthenticationError, False),
    (402, PaymentRequiredError, lc.ModelPermissionDeniedError, False),
    (403, PermissionDeniedError, lc.ModelPermissionDeniedError, False),
    (404, NotFoundError, lc.ModelNotFoundError, False),
    (408, APITimeoutError, lc.ModelTimeoutError, True),
    (409, RateLimitError, lc.ModelRateLimitError, True),
    (413, InvalidRequestError, lc.ModelInvalidRequestError, False),
    (422, InvalidRequestError, lc.ModelInvalidRequestError, False),
    (429, RateLimitError, lc.ModelRateLimitError, True),
    (500, APIError, lc.ModelAPIError, True),
    (502, APIError, lc.ModelAPIError, True),
    (503, APIError, lc.ModelAPIError, True),
    (504, APIError, lc.ModelAPIError, True),
    (418, InvalidRequestError, lc.ModelInvalidRequestError, False),
]


def _body(message: str = "nope", **err: Any) -> bytes:
    return json.dumps({"error": {"message": message, **err}}).encode()


@pytest.mark.parametrize(("status", "cls", "base", "retryable"), STATUS_CASES)
def test_status_maps_to_class_and_langchain_base(
    status: int, cls: type[CompatChatError], base: type[lc.ModelError], retryable: bool
) -> None:
    err = error_from_response(status, _body(), {"x-request-id": "req-1"})
    assert type(err) is cls
    assert isinstance(err, base) and isinstance(err, lc.ModelError)
    assert err.is_retryable is retryable
    assert err.status_code == status and err.request_id == "req-1"
    assert err.message == "nope"


@pytest.mark.parametrize(("status", "cls", "base", "retryable"), STATUS_CASES)
def test_status_through_model(
    status: int, cls: type[CompatChatError], base: type[lc.ModelError], retryable: bool
) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, api_key=KEY, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(status, content=_body("failed"))
        )
        with pytest.raises(cls) as info:
            model.invoke("hi")
    assert isinstance(info.value, base)
    assert info.value.status_code == status
    assert KEY not in str(info.value) and KEY not in repr(info.value)


@pytest.mark.parametrize(("status", "cls", "base", "retryable"), STATUS_CASES[:10])
def test_status_through_model_stream(
    status: int, cls: type[CompatChatError], base: type[lc.ModelError], retryable: bool
) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(status, content=_body("failed"))
        )
        with pytest.raises(cls):
            list(model.stream("hi"))


def test_class_hierarchy_details() -> None:
    assert issubclass(ContextOverflowError, lc.ContextOverflowError)
    assert issubclass(ContextOverflowError, InvalidRequestError)
    assert issubclass(ContentFilterError, InvalidRequestError)
    assert issubclass(ProviderError, APIError) and not ProviderError.is_retryable
    assert issubclass(MalformedResponseError, lc.ModelAPIError)
    assert not MalformedResponseError.is_retryable
    assert issubclass(APIConnectionError, lc.ModelConnectionError)
    assert APIConnectionError.is_retryable
    assert issubclass(StreamInterruptedError, APIConnectionError)
    assert not StreamInterruptedError.is_retryable


# -- overflow and content filter ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "payload"),
    [
        (400, {"error": {"message": "x", "code": "context_length_exceeded"}}),
        (400, {"error": {"message": "This model's maximum context length is 8192 tokens."}}),
        (400, {"error": {"message": "the request exceeds the available context size"}}),
        (413, {"error": {"message": "Prompt is too long: 300000 tokens"}}),
        (422, {"detail": "Input is too long for requested model."}),
        (400, {"object": "error", "message": "too many tokens", "type": "BadRequestError"}),
    ],
)
def test_context_overflow_detection(status: int, payload: Any) -> None:
    err = error_from_response(status, json.dumps(payload).encode(), {})
    assert isinstance(err, ContextOverflowError)
    assert isinstance(err, lc.ContextOverflowError)


def test_context_overflow_in_stream_error_event() -> None:
    err = error_from_payload({"error": {"message": "context window exceeded", "code": 400}})
    assert isinstance(err, ContextOverflowError)


@pytest.mark.parametrize(
    "payload",
    [
        {"error": {"message": "filtered", "code": "content_filter"}},
        {"error": {"message": "x", "code": "data_inspection_failed"}},
        {"error": {"message": "Input data may contain inappropriate content."}},
    ],
)
def test_content_filter_detection(payload: Any) -> None:
    assert isinstance(
        error_from_response(400, json.dumps(payload).encode(), {}), ContentFilterError
    )


def test_overflow_words_on_other_statuses_do_not_change_type() -> None:
    err = error_from_response(429, _body("too many tokens per minute"), {})
    assert type(err) is RateLimitError


# -- payloads without HTTP status (errors in 200 bodies / stream events) ------------------------
@pytest.mark.parametrize(
    ("payload", "cls"),
    [
        ({"error": {"message": "x", "code": 429}}, RateLimitError),
        ({"error": {"message": "x", "code": "503"}}, APIError),
        ({"error": {"message": "Rate limit reached"}}, RateLimitError),
        ({"error": {"message": "Authentication failed"}}, AuthenticationError),
        ({"error": {"message": "x", "code": 200}}, ProviderError),
        ({"error": {"message": "internal"}}, ProviderError),
        ("just text", ProviderError),
    ],
)
def test_payload_without_status(payload: Any, cls: type[CompatChatError]) -> None:
    assert type(error_from_payload(payload)) is cls


# -- fields -------------------------------------------------------------------------------------
def test_fields_are_carried() -> None:
    content = _body("Invalid value", code="invalid_value", type="invalid_request_error", param="n")
    err = error_from_response(400, content, httpx.Headers({"X-Request-ID": "abc"}), retry_after=3)
    assert err.message == "Invalid value"
    assert err.code == "invalid_value"
    assert err.error_type == "invalid_request_error"
    assert err.param == "n"
    assert err.request_id == "abc"
    assert err.retry_after == 3
    assert err.body == content.decode()
    text = str(err)
    for piece in ("Invalid value", "status=400", "code=invalid_value", "param=n", "request_id=abc"):
        assert piece in text


@pytest.mark.parametrize(
    ("headers", "want"),
    [
        ({"request-id": "r1"}, "r1"),
        ({"x-ms-request-id": "r2"}, "r2"),
        ({"apim-request-id": "r3"}, "r3"),
        ({"cf-ray": "r4"}, "r4"),
        ({}, None),
    ],
)
def test_request_id_headers(headers: dict[str, str], want: str | None) -> None:
    assert error_from_response(500, b"", headers).request_id == want


def test_body_is_truncated() -> None:
    big = json.dumps({"error": {"message": "m", "junk": "x" * 10_000}}).encode()
    err = error_from_response(400, big, {})
    assert err.body is not None
    assert len(err.body) < 2100 and err.body.endswith("[truncated]")


def test_huge_message_is_truncated_in_str() -> None:
    err = error_from_response(400, _body("y" * 50_000), {})
    assert len(str(err)) < 5000


def test_html_and_empty_bodies() -> None:
    err = error_from_response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {})
    assert type(err) is APIError
    assert err.message.startswith("HTTP 502") and "Bad Gateway" in err.message
    err = error_from_response(503, b"", {})
    assert err.message == "HTTP 503" and type(err) is APIError
    err = error_from_response(500, b"\xff\xfe garbage", {})
    assert err.status_code == 500


@pytest.mark.parametrize(
    ("payload", "message", "code"),
    [
        ({"object": "error", "message": "vllm says", "code": 400}, "vllm says", 400),
        ({"detail": [{"msg": "field required"}]}, '[{"msg": "field required"}]', None),
        (
            [{"error": {"code": 400, "message": "gemini says", "status": "INVALID"}}],
            "gemini says",
            400,
        ),
        ({"error": "flat string"}, "flat string", None),
        ({"error": {"message": "Provider returned error", "metadata": {"raw": "up"}}}, None, None),
    ],
)
def test_provider_body_shapes(payload: Any, message: str | None, code: Any) -> None:
    err = error_from_response(400, json.dumps(payload).encode(), {})
    if message is not None:
        assert err.message == message
    else:
        assert err.message == "Provider returned error: up"
    assert err.code == code


def test_pickle_round_trip() -> None:
    err = error_from_response(
        429, _body("slow", code="rate_limit"), {"x-request-id": "q"}, retry_after=1.5
    )
    err.attempts = 3
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is RateLimitError
    assert (back.message, back.status_code, back.code, back.request_id, back.retry_after) == (
        "slow",
        429,
        "rate_limit",
        "q",
        1.5,
    )
    assert back.attempts == 3 and str(back) == str(err)
    plain = pickle.loads(pickle.dumps(MalformedResponseError("bad", body="x")))
    assert plain.body == "x" and str(plain) == "bad"


def test_str_never_contains_the_api_key() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, api_key=KEY, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(401, content=_body("Invalid API key"))
        )
        with pytest.raises(AuthenticationError) as info:
            model.invoke("hi")
    err = info.value
    for text in (str(err), repr(err), err.body or "", str(err.__dict__)):
        assert KEY not in text


def test_echoed_key_is_redacted() -> None:
    body = _body(f"Incorrect API key provided: {KEY}", auth=f"Bearer {KEY}")
    err = error_from_response(401, body, {})
    assert KEY not in str(err) and KEY not in (err.body or "")
    assert KEY not in pickle.loads(pickle.dumps(err)).message


# -- Retry-After --------------------------------------------------------------------------------
def test_retry_after_seconds() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    assert parse_retry_after(httpx.Headers({"retry-after": "1.5"})) == 1.5
    assert parse_retry_after(httpx.Headers({"retry-after": "-3"})) is None  # backoff instead


def test_retry_after_ms_wins() -> None:
    headers = httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})
    assert parse_retry_after(headers) == 0.25
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "x", "retry-after": "2"})) == 2.0


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": date}), now=now) == pytest.approx(30)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(httpx.Headers({"Retry-After": past}), now=now) == 0.0


def test_retry_after_absent_or_garbage() -> None:
    assert parse_retry_after(httpx.Headers({})) is None
    assert parse_retry_after(httpx.Headers({"retry-after": "soon"})) is None


def test_retry_after_reaches_the_error_through_model() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(429, content=_body("slow"), headers={"retry-after": "2"})
        )
        with pytest.raises(RateLimitError) as info:
            model.invoke("hi")
    assert info.value.retry_after == 2.0


def test_connection_error_through_model() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(APIConnectionError):
            model.invoke("hi")
        router.post(f"{BASE}/chat/completions").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(APITimeoutError):
            model.invoke("hi")
