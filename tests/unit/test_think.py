"""``<think>`` splitting (``_think``) and its two hooks: ``to_chat_result`` and ``ChunkBuilder``."""

from __future__ import annotations

import json
import operator
from functools import reduce
from typing import Any

import httpx
import pytest
import respx
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.stream import ChunkBuilder
from langchain_compat_chat._wire.think import ThinkSplitter, split_think
from tests.unit.test_preset_requests import SHIPPED
from tests.unit.test_stream import ev

BASE = "http://think.test/v1"


# -- one-shot rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "starts_inside", "content", "reasoning"),
    [
        ("<think>\nLet me see.\n</think>\n\nHello!", False, "Hello!", "Let me see."),
        ("  \n<think>a</think>b", False, "b", "a"),  # whitespace before a leading tag
        ("plain answer", False, "plain answer", ""),
        ("\n\n  indented answer\n", False, "\n\n  indented answer\n", ""),  # untouched
        ("Use <b>bold</b> or <thin> tags", False, "Use <b>bold</b> or <thin> tags", ""),
        ("<think>cut off while thinking  ", False, "", "cut off while thinking"),
        ("<think></think>\n\nno thoughts", False, "no thoughts", ""),
        ("Intro. <think>aside</think> Outro.", False, "Intro. Outro.", "aside"),
        # a stray closing tag is not ours to interpret unless the template opened it
        ("so</think>answer", False, "so</think>answer", ""),
        ("Okay, so 2+2.\n</think>\n\n4", True, "4", "Okay, so 2+2."),
        ("\n<think>\nalso fine</think>4", True, "4", "also fine"),
        ("still thinking", True, "", "still thinking"),
        ("", True, "", ""),
        ("a <think> inside</think>b", True, "b", "a <think> inside"),
    ],
)
def test_split_think(text: str, starts_inside: bool, content: str, reasoning: str) -> None:
    assert split_think(text, starts_inside=starts_inside) == (content, reasoning)


# -- streaming: any split gives the one-shot answer ------------------------------------------
_PIECES = st.sampled_from(
    [
        "<think>",
        "</think>",
        "<",
        "</",
        "<th",
        "ink>",
        "nk>",
        "/",
        ">",
        "t",
        "h",
        " ",
        "\n",
        "a",
        "é",
    ]
)


def _run(pieces: list[str], starts_inside: bool) -> tuple[str, str, list[tuple[str, str]]]:
    splitter = ThinkSplitter(starts_inside=starts_inside)
    outs = [splitter.feed(p) for p in pieces]
    outs.append(splitter.flush())
    return "".join(c for c, _ in outs), "".join(r for _, r in outs), outs


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(_PIECES, max_size=40).map("".join),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=12),
    starts_inside=st.booleans(),
)
def test_any_chunking_equals_one_shot(text: str, cuts: list[int], starts_inside: bool) -> None:
    bounds = sorted({c for c in cuts if c <= len(text)})
    pieces = [text[a:b] for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)]
    content, reasoning, _ = _run(pieces, starts_inside)
    assert (content, reasoning) == split_think(text, starts_inside=starts_inside)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab <>/thinkz\n", min_size=1, max_size=8), max_size=20))
def test_text_without_tags_is_unchanged_and_barely_delayed(pieces: list[str]) -> None:
    text = "".join(pieces)
    assume("<think>" not in text)
    splitter = ThinkSplitter()
    fed = sent = ""
    for piece in pieces:
        fed += piece
        content, reasoning = splitter.feed(piece)
        assert not reasoning
        sent += content
        held = fed[len(sent) :]
        assert fed.startswith(sent)
        # Only what could still become "<think>" waits (at most 6 characters), plus, before
        # any text, leading whitespace that a following "<think>" would make disappear.
        assert len(held) < len("<think>") or (not sent and len(held.lstrip()) < len("<think>"))
    assert sent + splitter.flush()[0] == text


def test_tag_split_across_every_boundary() -> None:
    text = "<think>ab</think>\n\ncd"
    for cut in range(1, len(text)):
        content, reasoning, _ = _run([text[:cut], text[cut:]], False)
        assert (content, reasoning) == ("cd", "ab"), cut


def test_one_character_at_a_time_emits_early() -> None:
    _, _, outs = _run(list("<think>xy</think>zw"), False)
    reasoning_at = [i for i, (_, r) in enumerate(outs) if r]
    content_at = [i for i, (c, _) in enumerate(outs) if c]
    assert reasoning_at[0] == 7  # "x" leaves at once, as soon as "<think>" is complete
    assert content_at[0] == len("<think>xy</think>")  # "z" too


# -- invoke and stream hooks ------------------------------------------------------------------
def _completion(content: str, **message: Any) -> dict[str, Any]:
    return {
        "id": "chatcmpl-t",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": "stop",
            }
        ],
    }


def test_to_chat_result_splits_only_when_asked() -> None:
    data = _completion("<think>hmm</think>\n\nHi")
    off = to_chat_result(data, "compat").generations[0].message
    assert off.content == "<think>hmm</think>\n\nHi"
    assert "reasoning_content" not in off.additional_kwargs
    on = to_chat_result(data, "compat", True).generations[0].message
    assert on.content == "Hi"
    assert on.additional_kwargs["reasoning_content"] == "hmm"
    assert on.content_blocks[0] == {"type": "reasoning", "reasoning": "hmm"}
    inside = to_chat_result(_completion("hmm</think>Hi"), "compat", "starts_inside")
    assert inside.generations[0].message.content == "Hi"


def _stream(payloads: list[dict[str, Any]], think_tags: Any) -> AIMessageChunk:
    builder = ChunkBuilder("compat", think_tags)
    chunks = [c.message for p in payloads for c in builder.feed(p)]
    chunks.append(builder.finish().message)
    return reduce(operator.add, chunks)  # type: ignore[no-any-return]


def test_stream_split_tags_and_final_flush() -> None:
    pieces = ["<thi", "nk>\nstep", " one\n</th", "ink>\n", "\nAns", "wer <th"]
    msg = _stream([ev({"content": p}) for p in pieces] + [ev({}, finish="stop")], True)
    assert msg.content == "Answer <th"  # the held "<th" comes out in the closing chunk
    assert msg.additional_kwargs["reasoning_content"] == "step one"
    assert [b["type"] for b in msg.content_blocks] == ["reasoning", "text"]


def test_stream_choices_have_their_own_splitter() -> None:
    payloads = [
        ev({"content": "<think>a"}, index=0),
        ev({"content": "b</think>B"}, index=1),
        ev({"content": "</think>A"}, index=0),
        ev({}, finish="stop", index=0),
        ev({}, finish="stop", index=1),
    ]
    msg = _stream(payloads, True)
    assert (msg.content, msg.additional_kwargs["reasoning_content"]) == ("A", "a")
    other = msg.response_metadata["extra_choices"][0]
    assert (other["content"], other["reasoning_content"]) == ("b</think>B", None)
    inside = _stream(payloads, "starts_inside").response_metadata["extra_choices"][0]
    assert (inside["content"], inside["reasoning_content"]) == ("B", "b")


def test_reasoning_field_and_tags_both_kept() -> None:
    msg = _stream(
        [ev({"reasoning_content": "field "}), ev({"content": "<think>tag</think>x"})], True
    )
    assert msg.additional_kwargs["reasoning_content"] == "field tag"
    assert msg.content == "x"


@pytest.mark.parametrize("provider", sorted(SHIPPED))
def test_no_preset_splits_by_default(provider: str) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, provider=provider)
    assert model.provider_profile.think_tags is False


def _sse(pieces: list[str]) -> bytes:
    events = [ev({"content": p}) for p in pieces] + [ev({}, finish="stop")]
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events) + (
        b"data: [DONE]\n\n"
    )


@pytest.mark.parametrize(
    ("think_tags", "content", "reasoning"),
    [(None, "<think>x</think>y", None), (True, "y", "x"), (False, "<think>x</think>y", None)],
)
async def test_model_field_in_all_four_modes(
    think_tags: Any, content: str, reasoning: str | None
) -> None:
    model = ChatCompatModel(model="m", base_url=BASE, think_tags=think_tags, max_retries=0)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions")
        route.mock(return_value=httpx.Response(200, json=_completion("<think>x</think>y")))
        results = [model.invoke("q"), await model.ainvoke("q")]
        route.mock(
            return_value=httpx.Response(
                200, content=_sse(["<thi", "nk>x</", "think>y"]), headers=_SSE
            )
        )
        results.append(reduce(operator.add, model.stream("q")))
        results.append(reduce(operator.add, [c async for c in model.astream("q")]))
    for msg in results:
        assert msg.content == content
        assert msg.additional_kwargs.get("reasoning_content") == reasoning


_SSE = {"content-type": "text/event-stream"}
