"""Property tests: tool-call arguments split at random points, in every streaming dialect.

Whatever the split and whatever the server's habit (index or not, name or id repeated, each
delta cumulative, a closing repeat of the whole arguments), the aggregated ``tool_calls`` must
equal what the model produced.
"""

from __future__ import annotations

import itertools
import json
import operator
from functools import reduce
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat._wire.json_prefix import json_prefix
from langchain_compat_chat._wire.stream import ChunkBuilder

DIALECTS = [
    "normal",  # index on every delta, id/name on the first
    "null_index",  # "index": null, id on the first delta only
    "no_index",  # no index key at all, id on the first delta only
    "index_from_1",  # indexes start at 1
    "repeated_name",  # name (and type) on every delta
    "id_every_delta",  # id on every delta, no index
    "empty_id",  # "id": "" and "name": "" on continuations
    "cumulative",  # each delta holds all arguments so far
    "final_repeat",  # normal, then a closing delta repeating the whole arguments
    "args_before_name",  # the first argument piece arrives before the name and id
]
INTERLEAVABLE = {"normal", "index_from_1", "repeated_name", "id_every_delta", "empty_id"}

# Keys and strings favour JSON punctuation and repeats, so that pieces which begin with
# everything sent so far (``{"`` then ``{": 1}``; ``{"":`` then ``{"":{...}}``) come up often:
# those are where "re-send or continuation?" is ambiguous.
json_text = st.text(alphabet='a{["\\:,}] é', max_size=4) | st.text(max_size=4)
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | json_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8,
)
json_objects = st.dictionaries(json_text, json_values, max_size=4)


@st.composite
def split(draw: st.DrawFn, text: str) -> list[str]:
    """Cut ``text`` at random points (each piece non-empty).

    Half the time, when the text allows it, the first cut is one where the second piece
    starts with the whole first piece: the case a cumulative-re-send detector can mistake.
    """
    if len(text) < 2:
        return [text]
    tricky = [c for c in range(1, len(text) // 2 + 1) if text.startswith(text[:c], c)]
    if tricky and draw(st.booleans()):
        first = draw(st.sampled_from(tricky))
        later = range(2 * first, len(text))
        cuts = (
            [first, *draw(st.lists(st.sampled_from(later), max_size=6, unique=True))]
            if later
            else [first]
        )
    else:
        cuts = draw(
            st.lists(st.integers(1, len(text) - 1), max_size=min(12, len(text) - 1), unique=True)
        )
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


@st.composite
def tool_streams(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]], list[list[dict[str, Any]]]]:
    dialect = draw(st.sampled_from(DIALECTS))
    n_calls = draw(st.integers(1, 3))
    originals = []
    per_call: list[list[dict[str, Any]]] = []
    for k in range(n_calls):
        args = draw(json_objects)
        text = json.dumps(
            args,
            ensure_ascii=draw(st.booleans()),
            separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])),
        )
        call_id = f"call_{k}_{draw(st.text('abcdef0123456789', min_size=1, max_size=6))}"
        name = draw(st.sampled_from(["get_weather", "search", "f"]))
        originals.append({"name": name, "args": args, "id": call_id})
        pieces = draw(split(text))
        empty_head = draw(st.booleans()) and dialect != "args_before_name"
        per_call.append(_deltas(dialect, k, call_id, name, text, pieces, empty_head))
    return dialect, originals, per_call


def _deltas(
    dialect: str, k: int, call_id: str, name: str, text: str, pieces: list[str], empty_head: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    sent = ""
    if empty_head:
        pieces = ["", *pieces]
    if dialect == "args_before_name":
        out.append({"index": k, "function": {"arguments": pieces[0]}})
        pieces = pieces[1:] or [""]
    for i, piece in enumerate(pieces):
        sent += piece
        first = i == 0
        delta: dict[str, Any] = {
            "function": {"arguments": sent if dialect == "cumulative" else piece}
        }
        if dialect in ("normal", "cumulative", "final_repeat", "repeated_name", "empty_id"):
            delta["index"] = k
        elif dialect == "index_from_1":
            delta["index"] = k + 1
        elif dialect == "null_index":
            delta["index"] = None
        elif dialect == "args_before_name":
            delta["index"] = k
        if first or dialect in ("repeated_name", "id_every_delta"):
            delta["id"] = call_id
            delta["type"] = "function"
        if first or dialect == "repeated_name":
            delta["function"]["name"] = name
        if not first and dialect == "empty_id":
            delta["id"] = ""
            delta["function"]["name"] = ""
        out.append(delta)
    if dialect == "final_repeat":
        out.append(
            {
                "index": k,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": text},
            }
        )
    return out


def _interleave(data: st.DataObject, per_call: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    queues = [list(q) for q in per_call]
    # Each call's first delta goes out in call order so positions (indexes) stay in call order.
    order: list[dict[str, Any]] = []
    started = 0
    while any(queues):
        live = [i for i, q in enumerate(queues) if q and i < started]
        if started < len(queues) and (not live or data.draw(st.booleans())):
            live = [started]
            started += 1
        i = data.draw(st.sampled_from(live))
        order.append(queues[i].pop(0))
    return order


def _aggregate(deltas: list[dict[str, Any]]) -> AIMessageChunk:
    builder = ChunkBuilder("compat")
    chunks: list[AIMessageChunk] = []
    for delta in deltas:
        event = {"id": "chatcmpl-p", "choices": [{"index": 0, "delta": {"tool_calls": [delta]}}]}
        chunks.extend(g.message for g in builder.feed_data(json.dumps(event)))  # type: ignore[misc]
    final = {
        "id": "chatcmpl-p",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
    }
    builder.feed_data(json.dumps(final))
    chunks.append(builder.finish().message)  # type: ignore[arg-type]
    return reduce(operator.add, chunks)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=tool_streams(), data=st.data())
def test_split_arguments_aggregate_to_the_original(
    stream: tuple[str, list[dict[str, Any]], list[list[dict[str, Any]]]], data: st.DataObject
) -> None:
    dialect, originals, per_call = stream
    if dialect in INTERLEAVABLE and len(per_call) > 1 and data.draw(st.booleans()):
        deltas = _interleave(data, per_call)
    else:
        deltas = [d for call in per_call for d in call]
    msg = _aggregate(deltas)
    assert msg.invalid_tool_calls == []
    got = [{"name": c["name"], "args": c["args"], "id": c["id"]} for c in msg.tool_calls]
    assert got == originals, (dialect, deltas)


@settings(max_examples=300, deadline=None)
@given(doc=json_objects, data=st.data())
def test_json_prefix_accepts_every_prefix_of_a_document(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans()))
    assert json_prefix(text) == 2
    cut = data.draw(st.integers(1, len(text)))
    assert json_prefix(text[:cut]) in (1, 2)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet='{}[]":,0123456789-.eEtrufalsn \\ab', max_size=20))
def test_json_prefix_complete_means_loadable(text: str) -> None:
    try:
        json.loads(text)
        loadable = True
    except ValueError:
        loadable = False
    if text.strip():
        assert (json_prefix(text) == 2) == loadable, text
