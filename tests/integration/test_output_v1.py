"""``output_version="v1"``: content is a list of standard blocks, the same from every path.

Run against the reference server in each reasoning wording, through presets whose names
langchain-core has translators for (``openai``, ``groq``) and presets it does not know.
"""

from __future__ import annotations

import itertools
import json
import operator
from functools import reduce
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.providers import get_provider
from langchain_compat_chat.testing import DIALECT_HEADER, ReferenceServer
from tests.unit.test_preset_requests import SHIPPED

MODES = ["invoke", "ainvoke", "stream", "astream"]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
# preset, server dialect: every way reasoning arrives, through several preset names
CASES = [
    ("generic", "reasoning_field=reasoning_content"),
    ("openai", "reasoning_field=reasoning_content"),
    ("groq", "reasoning_field=reasoning"),
    ("openrouter", "reasoning_field=reasoning_details"),
    ("mistral", "mistral"),
    ("vllm", "reasoning_field=reasoning"),
]


def _model(srv: ReferenceServer, provider: str, dialect: str, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        # vLLM's thinking switch is the model family's template key (here Qwen3's).
        model="Qwen/Qwen3-8B" if provider == "vllm" else "ref-model",
        base_url=srv.base_url,
        provider=provider,
        api_key="sk-v1",
        seed=5,
        default_headers={DIALECT_HEADER: dialect},
        max_retries=0,
        **kw,
    )


async def _run(model: Any, mode: str) -> AIMessage:
    if mode == "invoke":
        return model.invoke("What is the weather?")  # type: ignore[no-any-return]
    if mode == "ainvoke":
        return await model.ainvoke("What is the weather?")  # type: ignore[no-any-return]
    if mode == "stream":
        chunks = list(model.stream("What is the weather?"))
    else:
        chunks = [c async for c in model.astream("What is the weather?")]
    for chunk in chunks:
        assert isinstance(chunk.content, list)  # every chunk is already v1
    total: AIMessageChunk = reduce(operator.add, chunks)
    return total


def _without_index(blocks: Any) -> list[dict[str, Any]]:
    assert isinstance(blocks, list)
    return [{k: v for k, v in b.items() if k != "index"} for b in blocks]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("provider", "dialect"), CASES)
async def test_reasoning_and_text_blocks(
    compat_server: ReferenceServer, provider: str, dialect: str, mode: str
) -> None:
    plain = _model(compat_server, provider, dialect, thinking=True)
    reference = await plain.ainvoke("What is the weather?")
    reasoning = reference.additional_kwargs["reasoning_content"]
    model = _model(compat_server, provider, dialect, thinking=True, output_version="v1")
    msg = await _run(model, mode)
    assert _without_index(msg.content) == [
        {"type": "reasoning", "reasoning": reasoning},
        {"type": "text", "text": reference.text},
    ]
    assert msg.text == reference.text
    assert msg.response_metadata["output_version"] == "v1"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("provider", "dialect"), CASES)
async def test_reasoning_and_tool_call_blocks(
    compat_server: ReferenceServer, provider: str, dialect: str, mode: str
) -> None:
    # "auto": the server calls a tool after a user turn; "required" is spelled differently
    # per preset, and the reference server speaks OpenAI's spelling.
    plain = _model(compat_server, provider, dialect, thinking=True).bind_tools(
        [TOOL], tool_choice="auto", parallel_tool_calls=False
    )
    reference = await plain.ainvoke("What is the weather?")
    (call,) = reference.tool_calls
    model = _model(compat_server, provider, dialect, thinking=True, output_version="v1").bind_tools(
        [TOOL], tool_choice="auto", parallel_tool_calls=False
    )
    msg = await _run(model, mode)
    assert _without_index(msg.content) == [
        {"type": "reasoning", "reasoning": reference.additional_kwargs["reasoning_content"]},
        {"type": "tool_call", "id": call["id"], "name": "get_weather", "args": call["args"]},
    ]
    assert msg.tool_calls == reference.tool_calls


@pytest.mark.parametrize("mode", MODES)
async def test_think_tags_become_a_reasoning_block(
    compat_server: ReferenceServer, mode: str
) -> None:
    model = _model(compat_server, "vllm", "think-tags", think_tags=True, output_version="v1")
    msg = await _run(model, mode)
    kinds = [b["type"] for b in _without_index(msg.content)]
    assert kinds == ["reasoning", "text"]
    assert "<think>" not in msg.text and "</think>" not in msg.text


@pytest.mark.parametrize("mode", MODES)
# The mistral preset spells "required" as Mistral's "any", which the reference server refuses.
@pytest.mark.parametrize(("provider", "dialect"), [c for c in CASES if c[0] != "mistral"])
async def test_reasoning_and_two_parallel_tool_calls(
    compat_server: ReferenceServer, provider: str, dialect: str, mode: str
) -> None:
    """Two calls streamed one after the other, after reasoning: one block each, as in invoke."""
    time_tool = {"type": "function", "function": {**TOOL["function"], "name": "get_time"}}
    plain = _model(compat_server, provider, dialect, thinking=True).bind_tools(
        [TOOL, time_tool], tool_choice="required"
    )
    reference = await plain.ainvoke("What is the weather?")
    assert len(reference.tool_calls) == 2
    model = _model(compat_server, provider, dialect, thinking=True, output_version="v1").bind_tools(
        [TOOL, time_tool], tool_choice="required"
    )
    msg = await _run(model, mode)
    assert _without_index(msg.content) == [
        {"type": "reasoning", "reasoning": reference.additional_kwargs["reasoning_content"]},
        *(
            {"type": "tool_call", **{k: c[k] for k in ("id", "name", "args")}}
            for c in reference.tool_calls
        ),
    ]
    assert msg.tool_calls == reference.tool_calls


# -- OpenAI's stream shape for parallel calls, byte for byte (respx) ---------------------------
# Each call opens with {index, id, type, function: {name, arguments: ""}}; later fragments carry
# only {index, function: {arguments}}. OpenAI sends the calls one after the other; other servers
# interleave the fragments of both. langchain-core numbers a text or reasoning run by position
# (block index 0) but gives a tool-call chunk block its call's own index (0 for the first call),
# so without our one numbering per stream (_v1.V1StreamBlocks) the two merge when summed: one
# "text" block carrying the first call's id/name/args string, and a single tool_call block.
_CALLS = (("call_a", "get_weather", '{"city": "Paris"}'), ("call_b", "get_time", '{"tz": "CET"}'))


def _wire_chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    chunk = {
        "id": "chatcmpl-p",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _parallel_stream(lead: dict[str, str], order: str) -> bytes:
    events = [_wire_chunk({"role": "assistant", "content": ""})]
    events += [
        _wire_chunk({key: piece}) for key, text in lead.items() for piece in (text[:4], text[4:])
    ]
    heads = [
        {"index": i, "id": cid, "type": "function", "function": {"name": name, "arguments": ""}}
        for i, (cid, name, _) in enumerate(_CALLS)
    ]
    fragments = [
        [{"index": i, "function": {"arguments": args[k : k + 5]}} for k in range(0, len(args), 5)]
        for i, (_, _, args) in enumerate(_CALLS)
    ]
    if order == "sequential":
        parts = [heads[0], *fragments[0], heads[1], *fragments[1]]
    else:
        parts = [*heads, *(f for pair in itertools.zip_longest(*fragments) for f in pair if f)]
    events += [_wire_chunk({"tool_calls": [part]}) for part in parts]
    events.append(_wire_chunk({}, "tool_calls"))
    return b"".join(events) + b"data: [DONE]\n\n"


def _parallel_completion(lead: dict[str, str]) -> dict[str, Any]:
    calls = [
        {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
        for cid, name, args in _CALLS
    ]
    message = {
        "role": "assistant",
        "content": lead.get("content"),
        "tool_calls": calls,
        **{k: v for k, v in lead.items() if k != "content"},
    }
    return {
        "id": "chatcmpl-p",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
    }


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("order", ["sequential", "interleaved"])
@pytest.mark.parametrize(
    "lead",
    [{}, {"content": "Checking both."}, {"reasoning_content": "Two lookups."}],
    ids=["calls-only", "text-first", "reasoning-first"],
)
@pytest.mark.parametrize("provider", ["generic", "groq"])
async def test_parallel_tool_call_fragments_as_openai_streams_them(
    provider: str, lead: dict[str, str], order: str, mode: str
) -> None:
    base = "http://parallel.test/v1"
    model = ChatCompatModel(
        model="m", base_url=base, api_key="sk-v1", provider=provider, output_version="v1"
    )
    with respx.mock() as router:
        route = router.post(f"{base}/chat/completions")
        route.mock(return_value=httpx.Response(200, json=_parallel_completion(lead)))
        invoked = await model.ainvoke("hi")
        route.mock(
            return_value=httpx.Response(
                200,
                content=_parallel_stream(lead, order),
                headers={"content-type": "text/event-stream"},
            )
        )
        streamed = await _run(model, mode)
    assert _without_index(streamed.content) == invoked.content
    assert [b["type"] for b in streamed.content_blocks].count("tool_call") == 2
    assert streamed.tool_calls == invoked.tool_calls
    assert [(c["id"], c["name"]) for c in streamed.tool_calls] == [c[:2] for c in _CALLS]


def test_two_tool_calls_and_text_keep_separate_blocks() -> None:
    """Block numbering: one block per reasoning run, text run and tool call, in order."""
    from langchain_compat_chat._wire.v1 import V1StreamBlocks

    def chunk(**kw: Any) -> AIMessageChunk:
        return AIMessageChunk(content=kw.pop("content", ""), **kw)

    tc = {"type": "tool_call_chunk"}
    chunks = [
        chunk(additional_kwargs={"reasoning_content": "a"}),
        chunk(additional_kwargs={"reasoning_content": "b"}),
        chunk(content="T"),
        chunk(tool_call_chunks=[{**tc, "name": "f", "args": '{"x"', "id": "c0", "index": 0}]),
        chunk(tool_call_chunks=[{**tc, "name": "g", "args": "{}", "id": "c1", "index": 1}]),
        chunk(tool_call_chunks=[{**tc, "name": None, "args": ": 1}", "id": None, "index": 0}]),
        chunk(content="", chunk_position="last"),
    ]
    blocks = V1StreamBlocks()
    for c in chunks:
        blocks.convert(c)
    total = reduce(operator.add, chunks)
    assert _without_index(total.content) == [
        {"type": "reasoning", "reasoning": "ab"},
        {"type": "text", "text": "T"},
        {"type": "tool_call", "id": "c0", "name": "f", "args": {"x": 1}},
        {"type": "tool_call", "id": "c1", "name": "g", "args": {}},
    ]


@pytest.mark.parametrize("provider", sorted(SHIPPED))
def test_no_preset_reports_a_provider_whose_translator_drops_reasoning(provider: str) -> None:
    name = get_provider(provider).model_provider or provider
    msg = AIMessage(
        content="answer",
        additional_kwargs={"reasoning_content": "why"},
        response_metadata={"model_provider": name},
    )
    assert msg.content_blocks[0] == {"type": "reasoning", "reasoning": "why"}
