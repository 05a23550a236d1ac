"""Requests that cannot be sent are refused before sending, naming the field (issue 15, defect 4).

``json.dumps`` writes ``NaN``/``Infinity`` (not JSON) and the call used to return normally;
lone surrogates, objects without a JSON form, self-referencing ``extra_body`` and non-ASCII
header names escaped as bare ``UnicodeEncodeError`` / ``TypeError`` / ``RecursionError``.
Each case here checks that the server received nothing and that the error is typed, is a
``ValueError`` (as ``ChatOpenAI``'s is), and says which field and what to do.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import ValidationError

from langchain_compat_chat import ChatCompatModel, RequestEncodingError
from langchain_compat_chat.testing import ReferenceServer
from tests.reliability._support import API_KEY, TALLY

NAN, INF = float("nan"), float("inf")


def _model(srv: ReferenceServer, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(model="m", base_url=srv.base_url, api_key=API_KEY, max_retries=0, **kw)


def _loop() -> dict[str, Any]:
    loop: dict[str, Any] = {"a": 1}
    loop["again"] = loop
    return loop


# At construction: the model's own fields (field, value, words the message must contain).
CONSTRUCTION = [
    ({"temperature": NAN}, ["temperature", "nan", "finite"]),
    ({"top_p": -INF}, ["top_p", "-inf", "finite"]),
    ({"logit_bias": {"50256": INF}}, ['logit_bias["50256"]', "inf", "finite"]),
    ({"extra_body": {"top_k": NAN}}, ["top_k", "extra_body", "finite"]),
    ({"model_kwargs": {"min_p": INF}}, ["min_p", "model_kwargs"]),
    ({"extra_body": {"x": {1, 2}}}, ["x", "set", "convert"]),
    ({"extra_body": {"x": object()}}, ["x", "object", "convert"]),
    ({"extra_body": _loop()}, ["again", "contains itself", "copy"]),
    ({"extra_body": {"s": "bad \udc80 text"}}, ["s", "surrogate", "repair"]),
    ({"default_headers": {"x-caf\u00e9": "v"}}, ["Header name", "ASCII"]),
    ({"default_headers": {"x-app": "caf\u00e9"}}, ["x-app", "non-ASCII"]),
    ({"default_headers": {"x-app": "a\r\nInjected: 1"}}, ["x-app", "line break"]),
]


@pytest.mark.parametrize(("fields", "words"), CONSTRUCTION)
def test_unsendable_fields_are_refused_at_construction(
    compat_server: ReferenceServer, fields: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(ValidationError) as info:  # a ValueError, as pydantic's always is
        _model(compat_server, **fields)
    TALLY["fuzzed"] += 1
    text = str(info.value)
    for word in words:
        assert word in text, (word, text)
    assert not compat_server.chat_requests


# At call time: call arguments, message content, and a copy that skipped validation.
CALLS = [
    ("kwarg nan", {"kwargs": {"top_k": NAN}}, ["top_k", "a call argument", "finite"]),
    ("kwarg inf nested", {"kwargs": {"x": {"y": [1, INF]}}}, ['x["y"][1]', "inf"]),
    ("kwarg set", {"kwargs": {"tags_": {1}}}, ["tags_", "set"]),
    ("kwarg loop", {"kwargs": {"meta": _loop()}}, ["meta", "contains itself"]),
    ("surrogate prompt", {"prompt": "hi \ud800"}, ['messages[0]["content"]', "surrogate"]),
    ("copy", {"update": {"temperature": NAN}}, ["temperature", "finite"]),
]


@pytest.mark.parametrize(("case", "spec", "words"), CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_unsendable_calls_raise_a_typed_value_error_before_sending(
    compat_server: ReferenceServer, case: str, spec: dict[str, Any], words: list[str], mode: str
) -> None:
    model = _model(compat_server)
    if "update" in spec:
        model = model.model_copy(update=spec["update"])
    prompt, kwargs = spec.get("prompt", "hi"), spec.get("kwargs", {})

    async def consume() -> None:
        async for _ in model.astream(prompt, **kwargs):
            pass

    with pytest.raises(RequestEncodingError) as info:
        if mode == "invoke":
            model.invoke(prompt, **kwargs)
        elif mode == "ainvoke":
            asyncio.run(model.ainvoke(prompt, **kwargs))
        elif mode == "stream":
            list(model.stream(prompt, **kwargs))
        else:
            asyncio.run(consume())
    TALLY["fuzzed"] += 1
    err = info.value
    assert isinstance(err, ValueError) and not err.is_retryable
    for word in words:
        assert word in err.message, (word, err.message)
    assert not compat_server.chat_requests  # before: NaN was sent as bare NaN and "worked"


def test_tool_call_arguments_with_nan_are_refused(compat_server: ReferenceServer) -> None:
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    history = [
        HumanMessage("hi"),
        AIMessage("", tool_calls=[{"name": "f", "args": {"x": NAN}, "id": "c1"}]),
        ToolMessage("done", tool_call_id="c1"),
    ]
    with pytest.raises(RequestEncodingError) as info:
        _model(compat_server).invoke(history)
    assert "tool call 'f' args" in info.value.message and "finite" in info.value.message
    assert not compat_server.chat_requests


def test_finite_values_and_unicode_still_go_through(compat_server: ReferenceServer) -> None:
    model = _model(
        compat_server,
        temperature=0.0,
        logit_bias={"1": -100.0},
        extra_body={"top_k": 20, "note": "caf\u00e9 \U0001f600"},
        default_headers={"x-app": "demo"},
    )
    assert model.invoke("h\u00e9llo \U0001f600", seed=1).text
    body = compat_server.chat_requests[-1].body
    assert "caf\u00e9 \U0001f600".encode() in body and b"NaN" not in body
