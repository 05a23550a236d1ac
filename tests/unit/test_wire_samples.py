"""Every recorded provider response in tests/fixtures/wire_samples, in every mode that applies.

Each fixture holds the exact bytes a real provider sent and what a correct integration must
produce (``expect``). We serve the bytes with respx and check invoke and ainvoke for JSON
bodies, stream, astream and invoke with ``streaming=True`` for SSE bodies, and all five for
error statuses (which must surface before any streaming).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_compat_chat import ChatCompatModel, CompatChatError
from tests.conftest import WIRE_SAMPLES

BASE = "http://wire.test/v1"
SAMPLES = sorted(WIRE_SAMPLES.glob("*.json"))
if not SAMPLES:
    pytest.fail(f"no wire samples under {WIRE_SAMPLES}", pytrace=False)

ERROR_KINDS: dict[str, tuple[int, ...]] = {
    "rate-limit": (429,),
    "auth": (401, 403),
    "payment-required": (402,),
    "not-found": (404,),
    "server": (500, 502, 503, 504),
}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _response(sample: dict[str, Any]) -> httpx.Response:
    r = sample["response"]
    headers = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
    headers.pop("content-length", None)
    headers.pop("content-encoding", None)
    headers.pop("transfer-encoding", None)
    if "sse" in r:
        body = r["sse"].encode()
        headers.setdefault("content-type", "text/event-stream")
    elif "json" in r:
        body = json.dumps(r["json"]).encode()
        headers.setdefault("content-type", "application/json")
    else:
        body = r["raw"].encode()
    return httpx.Response(r.get("status", 200), headers=headers, content=body)


def _model(sample: dict[str, Any], **kw: Any) -> ChatCompatModel:
    req = sample.get("request") or {}
    return ChatCompatModel(
        model=req.get("model", "m"), base_url=BASE, api_key="sk-test", max_retries=0, **kw
    )


def _messages(sample: dict[str, Any]) -> list[Any]:
    msgs = (sample.get("request") or {}).get("messages") or [{"role": "user", "content": "hi"}]
    return [
        {"role": m["role"], "content": m.get("content") or ""}
        for m in msgs
        if m["role"] in ("user", "system")
    ]


def _tools_kwargs(sample: dict[str, Any]) -> dict[str, Any]:
    req = sample.get("request") or {}
    return {"tools": req["tools"]} if req.get("tools") else {}


def check(msg: BaseMessage, expect: dict[str, Any]) -> None:
    assert isinstance(msg, AIMessage)
    if "content" in expect:
        assert msg.text == expect["content"]
    if "reasoning" in expect:
        want = expect["reasoning"].strip()
        got = (msg.additional_kwargs.get("reasoning_content") or "").strip()
        assert got == want
        blocks = [b for b in msg.content_blocks if b.get("type") == "reasoning"]
        assert blocks and blocks[0].get("reasoning", "").strip() == want
    if "tool_calls" in expect:
        assert not msg.invalid_tool_calls
        assert len(msg.tool_calls) == len(expect["tool_calls"])
        for got_tc, want_tc in zip(msg.tool_calls, expect["tool_calls"], strict=True):
            assert got_tc["name"] == want_tc["name"]
            assert got_tc["args"] == want_tc["args"]
            if want_tc.get("id"):
                assert got_tc["id"] == want_tc["id"]
            else:
                assert got_tc["id"]
    if "finish_reason" in expect:
        want = expect["finish_reason"]
        got = msg.response_metadata.get("finish_reason")
        assert got in want if isinstance(want, list) else got == want
    if "usage_metadata" in expect:
        assert msg.usage_metadata is not None
        _subset(expect["usage_metadata"], dict(msg.usage_metadata))
    if "refusal" in expect:
        assert msg.additional_kwargs.get("refusal") == expect["refusal"]
    if "tool_call_extra" in expect:
        assert json.dumps(expect["tool_call_extra"]) in json.dumps(
            msg.model_dump(), ensure_ascii=False
        ) or (str(expect["tool_call_extra"]) in json.dumps(msg.model_dump()))
    assert msg.response_metadata.get("model_provider") == "compat"


def _subset(want: dict[str, Any], got: dict[str, Any]) -> None:
    for key, value in want.items():
        if isinstance(value, dict):
            _subset(value, dict(got.get(key) or {}))
        else:
            assert got.get(key) == value, (key, got)


def check_error(exc: BaseException, expect: dict[str, Any]) -> None:
    assert isinstance(exc, CompatChatError)
    kinds = expect["error"] if isinstance(expect["error"], list) else [expect["error"]]
    statuses = [s for k in kinds for s in ERROR_KINDS.get(k, ())]
    if statuses and exc.status_code is not None:
        assert exc.status_code in statuses
    if expect.get("error_message_contains"):
        assert expect["error_message_contains"] in f"{exc} {exc.body}"


def _aggregate(chunks: list[AIMessageChunk]) -> AIMessage:
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    return AIMessage(
        **{
            k: v
            for k, v in total.model_dump().items()
            if k not in ("type", "tool_call_chunks", "chunk_position")
        }
    )


JSON_MODES = ["invoke", "ainvoke"]
SSE_MODES = ["stream", "astream", "invoke_streaming"]


def _modes(sample: dict[str, Any]) -> list[str]:
    """The call modes a body can be replayed through: an error status goes through all."""
    if sample["response"].get("status", 200) >= 300:
        return JSON_MODES + SSE_MODES
    return SSE_MODES if "sse" in sample["response"] else JSON_MODES


CASES = [
    pytest.param(path, mode, id=f"{path.stem}-{mode}")
    for path in SAMPLES
    for mode in _modes(_load(path))
]


@pytest.mark.parametrize(("path", "mode"), CASES)
async def test_wire_sample(path: Path, mode: str) -> None:
    sample = _load(path)
    expect = sample["expect"]
    model = _model(sample, **({"streaming": True} if mode == "invoke_streaming" else {}))
    kwargs = _tools_kwargs(sample)
    msgs = _messages(sample)
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BASE}/chat/completions").mock(side_effect=lambda req: _response(sample))
        try:
            if mode in ("invoke", "invoke_streaming"):
                msg: BaseMessage = model.invoke(msgs, **kwargs)
            elif mode == "ainvoke":
                msg = await model.ainvoke(msgs, **kwargs)
            elif mode == "stream":
                msg = _aggregate(list(model.stream(msgs, **kwargs)))
            else:
                msg = _aggregate([c async for c in model.astream(msgs, **kwargs)])
        except Exception as exc:
            if "error" not in expect:
                raise
            check_error(exc, expect)
            return
    assert "error" not in expect, f"expected an error, got {msg!r}"
    check(msg, expect)
