"""The protocol of one Responses API stream: typed events in, ``AIMessageChunk``s out.

:class:`ResponsesStream` has the shape ``EventStream.chunks`` drives (``done``, ``feed``,
``close``), like :class:`~langchain_compat_chat._wire.chat_stream.ChatStream`, so retries,
timeouts, the idle-stream timeout, limits, capture, secrets and pools are the transport's,
once. The events (https://platform.openai.com/docs/api-reference/responses-streaming):

* ``response.output_text.delta`` -> text; ``response.refusal.delta`` -> the refusal;
  ``response.reasoning_text.delta`` / ``response.reasoning_summary_text.delta`` ->
  ``reasoning_content`` (a new summary part starts after a blank line, as in invoke);
* ``response.output_item.added`` of a ``function_call`` -> a tool-call chunk with the next
  stable index, its ``call_id`` and name, once; ``response.function_call_arguments.delta``
  -> argument text for that index (the deltas of one read merged into one chunk per call);
* ``response.completed`` / ``response.incomplete`` -> the closing chunk: usage once, finish
  reason, every field of the response object, reasoning items for the next turn;
* ``response.failed`` and ``error`` -> the typed error.

Servers that skip deltas (llama.cpp sends a whole reasoning item only in
``response.output_item.done``; a reply that is one JSON body has no events at all) lose
nothing: what the final response holds and no delta carried goes out in the closing chunk,
so the chunks always add up to what :func:`.responses_response.to_responses_result` returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_compat_chat._wire.boundary import parse_boundary
from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.response import fallback_call_id
from langchain_compat_chat._wire.responses_response import (
    check_response,
    read_output,
    reasoning_text,
    response_metadata,
    usage_to_metadata,
)
from langchain_compat_chat._wire.v1 import V1StreamBlocks
from langchain_compat_chat.errors import (
    EmptyStreamError,
    MalformedResponseError,
    StreamInterruptedError,
    error_from_payload,
    preview,
)

__all__ = ["ResponsesStream"]

_EMPTY = "The server answered 200 but ended the Responses stream without sending any event."
_INTERRUPTED = "The stream ended before the response was complete (no response.completed)"
_ENDS = frozenset({"response.completed", "response.incomplete"})
# Events that carry nothing a message needs beyond what other events give.
_QUIET = frozenset(
    {
        "response.created",
        "response.in_progress",
        "response.queued",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.refusal.done",
        "response.reasoning_text.done",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.function_call_arguments.done",
        "response.output_text.annotation.added",
    }
)
_REASONING_DELTAS = frozenset(
    {"response.reasoning_text.delta", "response.reasoning_summary_text.delta"}
)


class _Call:
    __slots__ = ("args", "call_id", "index", "name")

    def __init__(self, index: int, call_id: str, name: str) -> None:
        self.index = index
        self.call_id = call_id
        self.name = name
        self.args = ""  # argument text sent so far


def _key(event: Mapping[str, Any]) -> str:
    """The output item an event belongs to: its id, else its position."""
    item_id = event.get("item_id")
    if isinstance(item_id, str) and item_id:
        return item_id
    return f"#{event.get('output_index', '')}"


class ResponsesStream:
    """One Responses stream's chunks, from its events to the closing chunk.

    Args:
        provider: Our ``model_provider`` string for every chunk.
        v1: Convert every chunk to standard content blocks (``output_version="v1"``).
        plan: The body builder's forced-tool plan, checked when the stream closes.
        model: The model name the forced-tool error names.

    """

    def __init__(
        self,
        provider: str,
        *,
        v1: bool = False,
        plan: ForcedToolPlan | None = None,
        model: str = "",
    ) -> None:
        self._provider = provider
        self._v1 = V1StreamBlocks() if v1 else None
        self._plan = plan
        self._model = model
        self.done = False
        self.events = 0
        self._id: str | None = None
        self._final: Mapping[str, Any] | None = None
        self._extras: dict[str, Any] = {}  # fields sent beside the final response object
        self._calls: dict[str, _Call] = {}  # by item id
        self._by_call_id: dict[str, _Call] = {}
        self._text_seen: set[str] = set()  # items whose text or reasoning came as deltas
        self._summary_part: dict[str, int] = {}
        self._unknown: list[str] = []
        self._refused = False  # a refusal delta came (the finish reason is normalised to it)

    # -- the protocol --------------------------------------------------------------------------
    def feed(self, batch: Iterable[tuple[str, str]]) -> Iterator[ChatGenerationChunk]:
        """The chunks of one read's events; argument deltas of one call merged per read."""
        pending: _Call | None = None
        pending_args: list[str] = []
        for event, data in batch:
            if self.done:
                break
            payload = self._parse(data, event)
            if payload is None:
                continue
            kind = payload.get("type") or event
            if kind == "response.function_call_arguments.delta":
                call = self._call_for(payload)
                if pending is not None and call is not pending:
                    yield self._args_chunk(pending, "".join(pending_args))
                    pending_args = []
                pending = call
                pending_args.append(str(payload.get("delta") or ""))
                continue
            if pending is not None:
                yield self._args_chunk(pending, "".join(pending_args))
                pending, pending_args = None, []
            chunk = self._absorb(kind, payload)
            if chunk is not None:
                yield chunk
        if pending is not None:
            yield self._args_chunk(pending, "".join(pending_args))

    def close(self) -> ChatGenerationChunk:
        """The last chunk; the stream must have reached ``response.completed``.

        Raises:
            EmptyStreamError: No event at all came.
            StreamInterruptedError: The stream stopped before the response was complete.
            ForcedToolCallError: ``"auto"`` replaced a forced choice and no tool was called.

        """
        if self._final is None:
            if self.events == 0:
                raise EmptyStreamError(_EMPTY)
            raise StreamInterruptedError(_INTERRUPTED)
        last = self._closing(self._final)
        if self._plan is not None:
            self._plan.check(bool(self._by_call_id), self._model)
        return last

    # -- one event -----------------------------------------------------------------------------
    @parse_boundary
    def _parse(self, data: str, event: str) -> dict[str, Any] | None:
        stripped = data.strip()
        if not stripped:
            return None
        if stripped == "[DONE]":
            self.done = self._final is not None or self.done
            return None
        try:
            payload = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise MalformedResponseError(
                f"Stream event is not valid JSON ({exc})", body=preview(data)
            ) from None
        if not isinstance(payload, dict):
            raise MalformedResponseError("Stream event is not a JSON object", body=preview(data))
        self.events += 1
        if (
            event == "error"
            or payload.get("type") == "error"
            or ("error" in payload and "type" not in payload and payload["error"] is not None)
        ):
            raise error_from_payload(payload, body=preview(data))
        if "type" not in payload and payload.get("object") == "response":
            payload = {"type": "response.completed", "response": payload}  # a JSON body
        return payload

    @parse_boundary
    def _absorb(self, kind: str, event: dict[str, Any]) -> ChatGenerationChunk | None:
        if kind == "response.output_text.delta":
            self._text_seen.add(_key(event))
            return self._chunk(str(event.get("delta") or ""))
        if kind in _REASONING_DELTAS:
            return self._reasoning_delta(kind, event)
        if kind == "response.refusal.delta":
            self._text_seen.add(_key(event))
            self._refused = True
            return self._chunk("", {"refusal": str(event.get("delta") or "")})
        if kind == "response.output_item.added":
            return self._item_added(event.get("item"))
        if kind == "response.output_item.done":
            return self._item_done(event.get("item"))
        if kind in ("response.created", "response.in_progress"):
            self._start(event.get("response"))
            return None
        if kind in _ENDS or kind == "response.failed":
            response = event.get("response")
            self._final = check_response(response if isinstance(response, Mapping) else {})
            self._extras = {k: v for k, v in event.items() if k not in ("type", "response")}
            self._extras.pop("sequence_number", None)
            self.done = True
            return None
        if kind not in _QUIET and kind not in self._unknown:
            self._unknown.append(kind)
        return None

    def _start(self, response: Any) -> None:
        if isinstance(response, Mapping) and isinstance(response.get("id"), str):
            self._id = self._id or response["id"]

    def _reasoning_delta(self, kind: str, event: Mapping[str, Any]) -> ChatGenerationChunk:
        key = _key(event)
        text = str(event.get("delta") or "")
        if kind == "response.reasoning_summary_text.delta":
            part = event.get("summary_index", 0)
            index = part if isinstance(part, int) else 0
            last = self._summary_part.get(key)
            if last is not None and index != last:
                text = "\n\n" + text
            self._summary_part[key] = index
        self._text_seen.add(key)
        return self._chunk("", {"reasoning_content": text})

    def _call_for(self, event: Mapping[str, Any]) -> _Call:
        key = _key(event)
        call = self._calls.get(key)
        if call is None:  # arguments before (or without) output_item.added
            call = self._open(key, None, "")
        return call

    def _open(self, key: str, call_id: str | None, name: str) -> _Call:
        index = len(self._by_call_id)
        call_id = call_id or fallback_call_id(self._id, 0, index)
        call = _Call(index, call_id, name)
        self._calls[key] = call
        self._by_call_id[call_id] = call
        return call

    def _item_added(self, item: Any, args: str = "") -> ChatGenerationChunk | None:
        if not isinstance(item, Mapping) or item.get("type") != "function_call":
            return None
        key = str(item.get("id") or f"#{len(self._calls)}")
        if key in self._calls:
            return None
        call = self._open(key, item.get("call_id") or None, str(item.get("name") or ""))
        call.args = args
        head = ToolCallChunk(
            name=call.name, args=args, id=call.call_id, index=call.index, type="tool_call_chunk"
        )
        return self._chunk("", None, [head])

    def _item_done(self, item: Any) -> ChatGenerationChunk | None:
        """Whatever a finished item holds that no delta carried (servers that skip them)."""
        if not isinstance(item, Mapping):
            return None
        key = str(item.get("id") or "")
        kind = item.get("type")
        if kind == "function_call":
            call = self._calls.get(key) or self._by_call_id.get(str(item.get("call_id") or ""))
            if call is None:
                arguments = item.get("arguments")
                return self._item_added(item, arguments if isinstance(arguments, str) else "")
            rest = self._rest(call, item)
            return self._args_chunk(call, rest) if rest else None
        if key in self._text_seen or not key:
            return None
        self._text_seen.add(key)
        if kind == "message":
            text = read_output([item], self._id).text
            return self._chunk(text) if text else None
        if kind == "reasoning":
            text = reasoning_text(item)
            return self._chunk("", {"reasoning_content": text}) if text else None
        return None

    @staticmethod
    def _rest(call: _Call, item: Mapping[str, Any]) -> str:
        full = item.get("arguments")
        if isinstance(full, str) and full.startswith(call.args):
            return full[len(call.args) :]
        return ""

    # -- chunks --------------------------------------------------------------------------------
    def _args_chunk(self, call: _Call, text: str) -> ChatGenerationChunk:
        call.args += text
        piece = ToolCallChunk(
            name=None, args=text, id=None, index=call.index, type="tool_call_chunk"
        )
        return self._chunk("", None, [piece])

    def _chunk(
        self,
        text: str,
        additional: dict[str, Any] | None = None,
        calls: list[ToolCallChunk] | None = None,
    ) -> ChatGenerationChunk:
        fields: dict[str, Any] = {}
        if additional:
            fields["additional_kwargs"] = additional
        if calls:
            fields["tool_call_chunks"] = calls
        message = AIMessageChunk(
            content=text,
            response_metadata={"model_provider": self._provider},
            id=self._id,
            **fields,
        )
        if self._v1 is not None:
            self._v1.convert(message)
        return ChatGenerationChunk(message=message)

    def _closing(self, final: Mapping[str, Any]) -> ChatGenerationChunk:
        """Usage, metadata, kept items, and what the final response has that no event sent."""
        response_id = final.get("id") if isinstance(final.get("id"), str) else self._id
        self._id = self._id or response_id
        output = read_output(final.get("output") or [], self._id)
        text, reasoning = self._unsent(final.get("output") or [])
        calls = self._unsent_calls(final.get("output") or [])
        additional: dict[str, Any] = dict(output.kept)
        if reasoning:
            additional["reasoning_content"] = reasoning
        if output.refusal and not self._any_refusal_sent(final.get("output") or []):
            additional["refusal"] = output.refusal
        metadata = response_metadata(
            final, self._provider, output, called=bool(self._by_call_id), refused=self._refused
        )
        for key, value in self._extras.items():
            metadata.setdefault(key, value)
        if self._unknown:
            metadata["unknown_events"] = list(self._unknown)
        usage = final.get("usage")
        message = AIMessageChunk(
            content=text,
            additional_kwargs=additional,
            tool_call_chunks=calls,
            response_metadata=metadata,
            usage_metadata=usage_to_metadata(usage)
            if isinstance(usage, Mapping) and usage
            else None,
            id=self._id,
            chunk_position="last",
        )
        if self._v1 is not None:
            self._v1.convert(message)
        return ChatGenerationChunk(
            message=message, generation_info={"finish_reason": metadata["finish_reason"]}
        )

    def _unsent(self, items: list[Any]) -> tuple[str, str]:
        text, reasoning = "", ""
        for item in items:
            if not isinstance(item, Mapping) or str(item.get("id") or "") in self._text_seen:
                continue
            if item.get("id") is None and self._text_seen:
                continue  # deltas came for items the final response does not name
            if item.get("type") == "message":
                text += read_output([item], self._id).text
            elif item.get("type") == "reasoning":
                reasoning += reasoning_text(item)
        return text, reasoning

    def _any_refusal_sent(self, items: list[Any]) -> bool:
        return any(
            isinstance(i, Mapping) and str(i.get("id") or "") in self._text_seen for i in items
        )

    def _unsent_calls(self, items: list[Any]) -> list[ToolCallChunk]:
        """Calls of the final response that no event opened, or whose arguments fell short."""
        pieces: list[ToolCallChunk] = []
        position = 0
        for item in items:
            if not isinstance(item, Mapping) or item.get("type") != "function_call":
                continue
            call_id = str(item.get("call_id") or fallback_call_id(self._id, 0, position))
            position += 1
            arguments = item.get("arguments")
            full = arguments if isinstance(arguments, str) else ""
            known = self._by_call_id.get(call_id)
            if known is None:
                known = self._open(f"@{call_id}", call_id, str(item.get("name") or ""))
                known.args = full
                pieces.append(
                    ToolCallChunk(
                        name=known.name,
                        args=full,
                        id=call_id,
                        index=known.index,
                        type="tool_call_chunk",
                    )
                )
            elif full.startswith(known.args) and len(full) > len(known.args):
                pieces.append(
                    ToolCallChunk(
                        name=None,
                        args=full[len(known.args) :],
                        id=None,
                        index=known.index,
                        type="tool_call_chunk",
                    )
                )
                known.args = full
        return pieces
