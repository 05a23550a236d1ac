"""One parsed response (or more) per preset, through that preset, in every mode that applies.

Fixtures live in ``fixtures/preset_responses/<preset>__<case>.json``. Most are constructed
from the provider's documented response format (``"fidelity": "constructed-from-docs"``,
``source`` names the page): they are kept in the repository so that every preset is checked
on a clean clone. The llama.cpp ones are this project's own recordings. The recorded
third-party samples in ``tests/fixtures/wire_samples`` are replayed through their preset as
well.

Fixture ``response``: ``{"json": ...}`` for a JSON body, ``{"sse_events": [...], "done": bool}``
for a stream (an object is one ``data:`` event, a string is sent verbatim), or ``{"sse": "..."}``
for exact stream bytes. ``expect``: ``content`` (message text), ``reasoning`` (in
``additional_kwargs`` and as the first ``content_blocks`` block), ``tool_calls`` (name, args, id),
``usage_metadata`` (exact), ``response_metadata`` and ``additional_kwargs`` (subsets).
"""

from __future__ import annotations

import json
import operator
from functools import reduce
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.providers import get_provider
from tests.conftest import WIRE_SAMPLES
from tests.unit.test_preset_requests import SHIPPED

BASE = "http://preset.test/v1"
FIXTURES = sorted((Path(__file__).parent / "fixtures" / "preset_responses").glob("*.json"))
JSON_MODES = ["invoke", "ainvoke"]
SSE_MODES = ["stream", "astream", "invoke_streaming"]


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _body(response: dict[str, Any]) -> tuple[bytes, str]:
    if "json" in response:
        return json.dumps(response["json"]).encode(), "application/json"
    if "sse" in response:
        return response["sse"].encode(), "text/event-stream"
    if "raw" in response:  # recorded non-streaming bytes, e.g. with leading blank lines
        return response["raw"].encode(), "application/json"
    events = [
        e if isinstance(e, str) else f"data: {json.dumps(e)}\n\n" for e in response["sse_events"]
    ]
    if response.get("done", True):
        events.append("data: [DONE]\n\n")
    return "".join(events).encode(), "text/event-stream"


async def run(
    provider: str, response: dict[str, Any], mode: str, messages: Any = "hi", **kw: Any
) -> AIMessage:
    body, ctype = _body(response)
    model = ChatCompatModel.for_provider(
        provider,
        model="m",
        base_url=BASE,
        api_key="sk-test",
        max_retries=0,
        # only when wanted: an explicit streaming=False makes stream() fall back to invoke
        **({"streaming": True} if mode == "invoke_streaming" else {}),
    )
    with respx.mock() as router:
        router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(200, content=body, headers={"content-type": ctype})
        )
        if mode in ("invoke", "invoke_streaming"):
            return model.invoke(messages, **kw)
        if mode == "ainvoke":
            return await model.ainvoke(messages, **kw)
        if mode == "stream":
            chunks = list(model.stream(messages, **kw))
        else:
            chunks = [c async for c in model.astream(messages, **kw)]
    total = reduce(operator.add, chunks)
    return AIMessage(
        **{
            k: v
            for k, v in total.model_dump().items()
            if k not in ("type", "tool_call_chunks", "chunk_position")
        }
    )


def _subset(want: dict[str, Any], got: dict[str, Any], where: str) -> None:
    for key, value in want.items():
        assert key in got, f"{where}: {key!r} missing from {sorted(got)}"
        assert got[key] == value, f"{where}[{key!r}]: {got[key]!r} != {value!r}"


def check(msg: AIMessage, expect: dict[str, Any], provider: str) -> None:
    assert msg.text == expect["content"]
    reasoning = expect.get("reasoning")
    assert msg.additional_kwargs.get("reasoning_content") == reasoning
    if reasoning is not None:
        assert msg.content_blocks[0] == {"type": "reasoning", "reasoning": reasoning}
    got_calls = [{"name": c["name"], "args": c["args"], "id": c["id"]} for c in msg.tool_calls]
    assert got_calls == expect["tool_calls"]
    assert not msg.invalid_tool_calls
    assert msg.usage_metadata == expect["usage_metadata"]
    assert msg.response_metadata["model_provider"] == (
        get_provider(provider).model_provider or provider
    )
    _subset(expect.get("response_metadata", {}), msg.response_metadata, "response_metadata")
    _subset(expect.get("additional_kwargs", {}), msg.additional_kwargs, "additional_kwargs")


CASES = [
    pytest.param(path, mode, id=f"{path.stem}-{mode}")
    for path in FIXTURES
    for mode in (JSON_MODES if "json" in _load(path)["response"] else SSE_MODES)
]


def test_every_preset_has_a_parsed_response_fixture() -> None:
    covered = {_load(p)["preset"] for p in FIXTURES}
    assert covered == SHIPPED
    for path in FIXTURES:
        fixture = _load(path)
        assert path.stem == f"{fixture['preset']}__{fixture['case']}"
        assert fixture["source"]
        if fixture["fidelity"] == "constructed-from-docs":
            assert "not recorded" in fixture["notes"]


@pytest.mark.parametrize(("path", "mode"), CASES)
async def test_preset_response(path: Path, mode: str) -> None:
    fixture = _load(path)
    msg = await run(fixture["preset"], fixture["response"], mode)
    check(msg, fixture["expect"], fixture["preset"])


# -- recorded third-party samples, through their own preset -----------------------------------
RECORDED = sorted(
    p
    for p in WIRE_SAMPLES.glob("*.json")
    if p.stem.split("__")[0] in SHIPPED and not _load(p).get("expect", {}).get("error")
)


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_recorded_sample_through_its_preset(path: Path) -> None:
    sample = _load(path)
    provider = path.stem.split("__")[0]
    response = sample["response"]
    if response.get("status", 200) >= 300:
        pytest.skip("error bodies are covered by test_wire_samples")
    mode = "stream" if "sse" in response else "invoke"
    request = sample.get("request") or {}
    kw = {"tools": request["tools"]} if request.get("tools") else {}
    msg = await run(provider, response, mode, **kw)
    check_recorded(msg, sample["expect"])


def check_recorded(msg: AIMessage, expect: dict[str, Any]) -> None:
    """The wire-sample ``expect`` rules (see tests/fixtures/wire_samples/README.md)."""
    assert msg.text == expect.get("content", msg.text)
    if "reasoning" in expect:
        want = expect["reasoning"].strip()
        assert (msg.additional_kwargs.get("reasoning_content") or "").strip() == want
        assert msg.content_blocks[0]["type"] == "reasoning"
    calls = [(c["name"], c["args"]) for c in msg.tool_calls]
    assert calls == [(c["name"], c["args"]) for c in expect.get("tool_calls", [])]
    for got, want in zip(msg.tool_calls, expect.get("tool_calls", []), strict=True):
        assert got["id"] == (want.get("id") or got["id"]) and got["id"]
    if "finish_reason" in expect:
        finish = expect["finish_reason"]
        allowed = finish if isinstance(finish, list) else [finish]
        assert msg.response_metadata["finish_reason"] in allowed
    if "usage_metadata" in expect:
        assert msg.usage_metadata is not None
        for key, value in expect["usage_metadata"].items():
            got_value = msg.usage_metadata.get(key)
            if isinstance(value, dict):
                _subset(value, dict(got_value or {}), key)
            else:
                assert got_value == value, key
