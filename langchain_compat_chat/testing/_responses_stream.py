"""Render a planned answer as the typed events of a Responses API stream.

A Responses stream is not a list of chunks but a sequence of typed, numbered events, each
sent as ``event: <type>`` plus ``data: <json>`` and ending after ``response.completed``
(or ``response.incomplete``) without a ``[DONE]`` line. For every output item the real
API opens the item (``response.output_item.added``), opens its part
(``response.content_part.added``, or ``response.reasoning_summary_part.added``), sends
one delta per token (``response.output_text.delta``, ``response.reasoning_text.delta``,
``response.reasoning_summary_text.delta``, ``response.function_call_arguments.delta``),
closes with the whole text (``….done``) and closes the item with its final form. Every
event carries a ``sequence_number`` that counts up from 0; item events carry
``output_index`` and ``item_id``. The deltas join to exactly the items of the JSON answer.

A failure after the stream started is an ``error`` event followed by ``response.failed``,
whose response has ``status: "failed"`` and an ``error`` object.

Shapes: openai-python ``src/openai/types/responses/response_*_event.py`` and
``response_stream_event.py``; the order of events is OpenAI's streaming guide,
https://platform.openai.com/docs/guides/streaming-responses?api-mode=responses.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._chat import ChoicePlan
from langchain_compat_chat.testing._config import dumps
from langchain_compat_chat.testing._errors import ApiError
from langchain_compat_chat.testing._generate import split_tokens

__all__ = ["encode_event", "failure_events", "render_events"]


class _Events:
    """The event list under construction, numbering each event as it is added."""

    def __init__(self) -> None:
        self.out: list[dict[str, Any]] = []

    def add(self, kind: str, **fields: Any) -> None:
        self.out.append({"type": kind, "sequence_number": len(self.out), **fields})


def render_events(response: Mapping[str, Any], choice: ChoicePlan) -> list[dict[str, Any]]:
    """Every event of the stream whose final ``response`` object is ``response``."""
    ev = _Events()
    start = in_progress(response)
    ev.add("response.created", response=start)
    ev.add("response.in_progress", response=start)
    for index, item in enumerate(response["output"]):
        kind = item["type"]
        if kind == "reasoning":
            _reasoning(ev, index, item, choice.reasoning)
        elif kind == "message":
            _message(ev, index, item, choice)
        else:
            _function_call(ev, index, item)
    final = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    ev.add(final, response=copy.deepcopy(dict(response)))
    return ev.out


def in_progress(response: Mapping[str, Any]) -> dict[str, Any]:
    """The response as ``response.created`` shows it: no output, no usage yet."""
    start = copy.deepcopy(dict(response))
    start.update(
        status="in_progress", output=[], usage=None, completed_at=None, incomplete_details=None
    )
    return start


def _opening(item: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    opened = copy.deepcopy(dict(item))
    opened.update(status="in_progress", **changes)
    return opened


def _reasoning(ev: _Events, index: int, item: Mapping[str, Any], tokens: Sequence[str]) -> None:
    ids = {"item_id": item["id"], "output_index": index}
    # OpenAI sends encrypted_content already in the added item (recorded stream:
    # tests/fixtures/responses/openai__reasoning_encrypted_tool_call.json).
    opened = _opening(item, summary=[], content=[])
    ev.add("response.output_item.added", output_index=index, item=opened)
    text = item["content"][0]["text"]
    ev.add("response.content_part.added", **ids, content_index=0, part=_reasoning_part(""))
    for tok in tokens:
        ev.add("response.reasoning_text.delta", **ids, content_index=0, delta=tok)
    ev.add("response.reasoning_text.done", **ids, content_index=0, text=text)
    ev.add("response.content_part.done", **ids, content_index=0, part=_reasoning_part(text))
    for k, summary in enumerate(item["summary"]):
        part = {"type": "summary_text", "text": ""}
        ev.add("response.reasoning_summary_part.added", **ids, summary_index=k, part=part)
        for tok in split_tokens(summary["text"]):
            ev.add("response.reasoning_summary_text.delta", **ids, summary_index=k, delta=tok)
        ev.add("response.reasoning_summary_text.done", **ids, summary_index=k, text=summary["text"])
        done = {"type": "summary_text", "text": summary["text"]}
        ev.add("response.reasoning_summary_part.done", **ids, summary_index=k, part=done)
    ev.add("response.output_item.done", output_index=index, item=copy.deepcopy(dict(item)))


def _reasoning_part(text: str) -> dict[str, Any]:
    return {"type": "reasoning_text", "text": text}


def _message(ev: _Events, index: int, item: Mapping[str, Any], choice: ChoicePlan) -> None:
    ids = {"item_id": item["id"], "output_index": index}
    ev.add("response.output_item.added", output_index=index, item=_opening(item, content=[]))
    part = item["content"][0]
    empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    ev.add("response.content_part.added", **ids, content_index=0, part=empty)
    logprobs = choice.logprobs or []
    for k, tok in enumerate(choice.content or ()):
        lp = [logprobs[k]] if k < len(logprobs) else []
        ev.add("response.output_text.delta", **ids, content_index=0, delta=tok, logprobs=lp)
    ev.add(
        "response.output_text.done",
        **ids,
        content_index=0,
        text=part["text"],
        logprobs=list(part.get("logprobs") or []),
    )
    ev.add("response.content_part.done", **ids, content_index=0, part=copy.deepcopy(part))
    ev.add("response.output_item.done", output_index=index, item=copy.deepcopy(dict(item)))


def _function_call(ev: _Events, index: int, item: Mapping[str, Any]) -> None:
    ids = {"item_id": item["id"], "output_index": index}
    ev.add("response.output_item.added", output_index=index, item=_opening(item, arguments=""))
    for frag in split_tokens(item["arguments"]):
        ev.add("response.function_call_arguments.delta", **ids, delta=frag)
    ev.add("response.function_call_arguments.done", **ids, arguments=item["arguments"])
    ev.add("response.output_item.done", output_index=index, item=copy.deepcopy(dict(item)))


def failure_events(
    response: Mapping[str, Any], err: ApiError, sequence_number: int
) -> list[dict[str, Any]]:
    """The ``error`` and ``response.failed`` events of a stream that fails midway.

    ``error.code`` is the injected error's code, or ``server_error`` for a 5xx without
    one, as in openai-python's ``ResponseError.code`` values.
    """
    code = err.code or ("server_error" if err.status >= 500 else err.type)
    failed = in_progress(response)
    failed.update(status="failed", error={"code": code, "message": err.message})
    return [
        {
            "type": "error",
            "sequence_number": sequence_number,
            "code": code,
            "message": err.message,
            "param": err.param,
        },
        {"type": "response.failed", "sequence_number": sequence_number + 1, "response": failed},
    ]


def encode_event(event: Mapping[str, Any]) -> bytes:
    """One event on the wire: its ``event:`` line, its ``data:`` line, a blank line."""
    return b"event: " + str(event["type"]).encode() + b"\ndata: " + dumps(event) + b"\n\n"
