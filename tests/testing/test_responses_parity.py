"""The Responses endpoint's events carry every field OpenAI's recorded streams carry.

The recorded OpenAI streams under ``tests/fixtures/responses/`` (their sources are in each
file) are the yardstick: for every event type both produce, each key of OpenAI's event,
of its ``item`` and of its ``response`` must be in the server's event too. Event types the
server cannot produce (hosted tools, citations) are listed and left out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import httpx

from tests.conftest import FIXTURES

NOT_PRODUCED = {"web_search_call", "response.output_text.annotation.added"}
"""Hosted web search and its citations: the reference server runs no hosted tools."""

TOOL = {
    "type": "function",
    "name": "f",
    "parameters": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
}


def _keys(events: list[dict[str, Any]]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for e in events:
        keys[e["type"]].update(e)
        if isinstance(e.get("item"), dict):
            keys[f"{e['type']} item {e['item']['type']}"].update(e["item"])
        if isinstance(e.get("response"), dict):
            keys[f"{e['type']} response"].update(e["response"])
    return keys


def _recorded() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "responses").glob("openai__*.json")):
        sse = json.loads(path.read_text())["sse"]
        for chunk in [sse] if isinstance(sse, str) else sse:
            for line in str(chunk).split("\n"):
                if line.startswith("data: ") and line[6:].lstrip().startswith("{"):
                    events.append(json.loads(line[6:]))
    return events


def test_server_events_have_every_recorded_field(client: httpx.Client) -> None:
    recorded = _recorded()
    assert len(recorded) > 20
    bodies: list[dict[str, Any]] = [
        {
            "input": "x",
            "reasoning": {"effort": "low", "summary": "auto"},
            "include": ["reasoning.encrypted_content"],
            "tools": [TOOL],
            "tool_choice": "required",
        },
        {"input": "x", "max_output_tokens": 16},
        {"input": "x"},
    ]
    ours: list[dict[str, Any]] = []
    for body in bodies:
        raw = client.post("/responses", json={"model": "m", "stream": True, **body}).text
        ours += [json.loads(line[6:]) for line in raw.split("\n") if line.startswith("data: ")]
    failing = {"x-compat-fault": "stream_error_after_chunks=3,status=500"}
    raw = client.post(
        "/responses", json={"model": "m", "input": "x", "stream": True}, headers=failing
    )
    ours += [json.loads(line[6:]) for line in raw.text.split("\n") if line.startswith("data: ")]
    theirs, mine = _keys(recorded), _keys(ours)
    missing = {
        kind: sorted(keys - mine.get(kind, set()))
        for kind, keys in theirs.items()
        if not any(n in kind for n in NOT_PRODUCED) and keys - mine.get(kind, set())
    }
    assert missing == {}
