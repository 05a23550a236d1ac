"""Streamed tool-call deltas -> clean ``ToolCallChunk``s, one stable call per tool call.

langchain-core merges streamed tool-call chunks only when they share an int ``index``, and
concatenates every string field it sees twice. Servers send null or missing indexes, repeat
names and ids on every delta, and either continue the arguments or re-send them whole.
:class:`ToolCallAssembler` routes each delta to its call, and :class:`_PendingCall` keeps
one call's name, id and argument text, taking from every delta only what is new.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core.messages.tool import ToolCallChunk

from langchain_compat_chat._wire.json_prefix import COMPLETE, INVALID, json_prefix
from langchain_compat_chat._wire.response import fallback_call_id

__all__ = ["ToolCallAssembler"]


class _PendingCall:
    """One tool call while it streams: its position, name, id and the argument text so far.

    Named apart from the HTTP layer's per-call state: this is a call the *model* makes.
    """

    __slots__ = ("args", "extras", "held", "id", "index", "mode", "name", "real_id", "sent_head")

    def __init__(self, index: int) -> None:
        self.index = index
        self.id: str | None = None
        self.real_id = False
        self.name = ""
        self.args = ""  # argument text accepted so far
        self.mode = ""  # "incremental" or "cumulative" once the server's habit is known
        self.held: list[str] = []  # pieces that fit both habits, until one is ruled out
        self.sent_head = False
        self.extras: dict[str, Any] = {}

    def take_args(self, text: str) -> str:
        """Return the part of ``text`` that is new, whatever the server's re-send habit.

        Most servers send each piece once (incremental); some re-send all arguments so far
        on every delta (cumulative) or repeat the whole arguments in a closing delta. A piece
        that starts with everything received so far is a re-send unless appending it still
        gives a valid JSON prefix (``{"`` then ``{": 1}`` is the key ``"{"``). When both
        readings are valid JSON prefixes and the habit is not yet known, the piece is held
        back until a later piece, or the end of the call (:meth:`decide_held`), rules one out.
        """
        if not text:
            return ""
        if self.held:
            return self._resolve(text)
        known = self.args
        if not known or not text.startswith(known):
            if known:
                self.mode = "incremental"
            self.args = known + text
            return text
        if self.mode == "cumulative" or json_prefix(known + text) == INVALID:
            if not self.mode and json_prefix(known) != INVALID:
                self.mode = "cumulative"
            self.args = text
            return text[len(known) :]
        if self.mode == "incremental" or json_prefix(text) == INVALID:
            self.mode = "incremental"
            self.args = known + text
            return text
        self.held.append(text)
        return ""

    def _resolve(self, text: str) -> str:
        appended = self.args + "".join(self.held)
        latest = self.held[-1]
        fits_appended = json_prefix(appended + text) != INVALID
        fits_resent = text.startswith(latest) and json_prefix(text) != INVALID
        if fits_appended and fits_resent:
            self.held.append(text)
            return ""
        if fits_resent:
            self.mode, self.held = "cumulative", []
            new = text[len(self.args) :]
            self.args = text
            return new
        self.mode = "incremental"
        new = "".join(self.held) + text
        self.held = []
        self.args += new
        return new

    def decide_held(self) -> str:
        """At the end of the stream, decide held pieces: the reading that is complete JSON."""
        if not self.held:
            return ""
        appended = self.args + "".join(self.held)
        latest = self.held[-1]
        self.held = []
        if json_prefix(latest) == COMPLETE and json_prefix(appended) != COMPLETE:
            new = latest[len(self.args) :]
            self.args = latest
            return new
        new = appended[len(self.args) :]
        self.args = appended
        return new


class ToolCallAssembler:
    """Give every tool call of one choice a stable index, one name and one id.

    Routing of a delta: a known ``id`` wins; else a known int ``index``; else, with neither,
    the delta continues the last call. Anything else opens a new call.
    """

    def __init__(self, response_id: str | None, choice: int) -> None:
        self.calls: list[_PendingCall] = []
        self._by_id: dict[str, _PendingCall] = {}
        self._by_index: dict[int, _PendingCall] = {}
        self._response_id = response_id
        self._choice = choice

    def _new(self, call_id: str | None, wire_index: int | None) -> _PendingCall:
        call = _PendingCall(len(self.calls))
        self.calls.append(call)
        if wire_index is not None:
            self._by_index[wire_index] = call
        if call_id:
            call.id, call.real_id = call_id, True
            self._by_id[call_id] = call
        return call

    def _route(self, delta: Mapping[str, Any]) -> _PendingCall:
        call_id = delta.get("id") or None
        wire_index = delta.get("index")
        if not isinstance(wire_index, int) or isinstance(wire_index, bool):
            wire_index = None
        if call_id and call_id in self._by_id:
            return self._by_id[call_id]
        if wire_index is not None and wire_index in self._by_index:
            call = self._by_index[wire_index]
            if call_id and call.real_id and call.id != call_id:
                return self._new(call_id, wire_index)  # a new call reusing the index
            if call_id and not call.real_id and not call.sent_head:
                call.id, call.real_id = call_id, True
                self._by_id[call_id] = call
            return call
        if call_id is None and wire_index is None and self.calls:
            return self.calls[-1]
        return self._new(call_id, wire_index)

    def feed(self, deltas: Any) -> list[ToolCallChunk]:
        """Turn the ``tool_calls`` of one delta into clean chunks."""
        out: list[ToolCallChunk] = []
        if not isinstance(deltas, list):
            return out
        for delta in deltas:
            if not isinstance(delta, Mapping):
                continue
            call = self._route(delta)
            function = delta.get("function") or {}
            name = function.get("name") or None
            if name and not call.name:
                call.name = name
            arguments = function.get("arguments")
            if arguments is not None and not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            piece = call.take_args(arguments or "")
            for key, value in delta.items():
                if key not in ("id", "index", "type", "function"):
                    call.extras[key] = value
            if not call.sent_head:
                if not call.name:
                    # Wait for the name: langchain-core cannot use a call without one, and
                    # arguments that came first are kept in call.args and sent with it.
                    continue
                if call.id is None:
                    call.id = fallback_call_id(self._response_id, self._choice, call.index)
                call.sent_head = True
                out.append(
                    ToolCallChunk(
                        type="tool_call_chunk",
                        name=call.name,
                        args=call.args,
                        id=call.id,
                        index=call.index,
                    )
                )
            elif piece:
                out.append(
                    ToolCallChunk(
                        type="tool_call_chunk", name=None, args=piece, id=None, index=call.index
                    )
                )
        return out

    def flush(self) -> list[ToolCallChunk]:
        """End of stream: send held-back argument text, and calls that never got a name.

        A call without a name is still sent (with ``name=None``) rather than lose arguments.
        """
        out = []
        for call in self.calls:
            rest = call.decide_held()
            if call.sent_head and rest:
                out.append(
                    ToolCallChunk(
                        type="tool_call_chunk", name=None, args=rest, id=None, index=call.index
                    )
                )
            elif not call.sent_head:
                call.sent_head = True
                call.id = call.id or fallback_call_id(self._response_id, self._choice, call.index)
                out.append(
                    ToolCallChunk(
                        type="tool_call_chunk",
                        name=None,
                        args=call.args,
                        id=call.id,
                        index=call.index,
                    )
                )
        return out

    def extras(self) -> dict[str, Any]:
        """Unknown per-call fields by call id, for round-tripping (Gemini ``extra_content``)."""
        return {c.id or "": c.extras for c in self.calls if c.extras}
