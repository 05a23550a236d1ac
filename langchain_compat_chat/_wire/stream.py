"""SSE events -> ``AIMessageChunk``s (pure, one stateful builder per stream).

langchain-core merges streamed tool-call chunks only when they share an int ``index`` and
concatenates every string field it sees twice. Real servers send null or missing indexes,
repeat names and ids on every delta, re-send whole argument strings, interleave ``n>1``
choices, and repeat cumulative usage on every chunk. :class:`ChunkBuilder` absorbs all of that
and emits chunks that sum to exactly the message a non-streaming call returns:

* text and reasoning deltas go out at once (reasoning in ``additional_kwargs``);
* each tool call gets a stable int ``index``, its name and id once, and only new argument text;
  argument fragments that arrive in one network read go out as one chunk per call
  (:meth:`ChunkBuilder.feed_batch`), because langchain-core re-parses every chunk's arguments;
* choices other than 0 are collected and reported in the final chunk, never merged into 0;
* usage, finish reason, model name and any unknown fields are held until the final chunk,
  latest value winning, so cumulative or duplicated usage is counted once;
* with ``n>1``, a server that reports usage once per choice (llama-server: a usage chunk
  after each choice's last one) gets it kept per choice: choice 0's on the message, as its
  non-streaming answer reports it, each other choice's in its ``extra_choices`` entry. One
  usage for the whole response (OpenAI's, after every choice ended) stays on the message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from json.scanner import make_scanner
from typing import Any, cast

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_compat_chat._wire.boundary import parse_boundary
from langchain_compat_chat._wire.finish_reason import NORMALIZED_KEY, normalize_finish_reason
from langchain_compat_chat._wire.reasoning import (
    merge_reasoning_details,
    reasoning_source,
    split_content,
)
from langchain_compat_chat._wire.response import KNOWN_CHOICE_KEYS, KNOWN_TOP_KEYS
from langchain_compat_chat._wire.think import ThinkSplitter, ThinkTags, splitter_for
from langchain_compat_chat._wire.token_usage import (
    COST_KEY,
    find_usage,
    usage_cost,
    usage_to_metadata,
)
from langchain_compat_chat._wire.tool_calls import ToolCallAssembler
from langchain_compat_chat.errors import (
    CompatChatError,
    MalformedResponseError,
    error_from_payload,
    preview,
)

__all__ = ["ChunkBuilder"]

_KNOWN_DELTA_KEYS = frozenset(
    {"role", "content", "tool_calls", "function_call", "reasoning_content", "reasoning", "refusal"}
)


# Top-level keys that never go to metadata ("created" and "service_tier" do), and choice keys
# that are not per-choice extras.
_PLAIN_TOP_KEYS = KNOWN_TOP_KEYS - {"created", "service_tier"}
_CHOICE_KEYS = KNOWN_CHOICE_KEYS | {"usage"}


# At most this much argument text of one call goes into a merged piece that contains no
# closing bracket (see ``_merge_call``).
_PIECE_CHARS = 128
_TEXT_DELTA_KEYS = frozenset({"role", "content"})
# ``json.loads`` minus its Python-level wrappers (the C scanner, returning (value, end)).
_scan_json: Callable[[str, int], tuple[Any, int]] = make_scanner(cast(Any, json.JSONDecoder()))
_UNPARSED = object()  # _parse: the fast path did not apply
_NO_DELTAS: tuple[()] = ()

Delta = tuple[str, dict[str, Any] | None, list[ToolCallChunk] | None]
"""What one event adds to choice 0: text, ``additional_kwargs``, tool-call chunks."""


class _Choice:
    __slots__ = (
        "chunks",
        "delta_extras",
        "extras",
        "finish_reason",
        "logprobs",
        "reasoning_field",
        "refused",
        "think",
        "tools",
        "usage",
    )

    def __init__(
        self, response_id: str | None, index: int, think: ThinkSplitter | None = None
    ) -> None:
        self.tools = ToolCallAssembler(response_id, index)
        self.think = think  # splits <think> tags out of content when switched on
        self.finish_reason: str | None = None
        self.logprobs: list[Any] | None = None
        self.extras: dict[str, Any] = {}
        self.delta_extras: dict[str, Any] = {}
        self.chunks: list[AIMessageChunk] = []  # only for choices other than 0
        self.usage: Mapping[str, Any] | None = None  # its own usage, when sent per choice
        self.reasoning_field: str | None = None  # the wire field reasoning first came in
        self.refused = False  # a refusal delta came: the finish reason is normalised to it

    def normalized_finish_reason(self) -> str | None:
        """The normalised finish reason, once, when the stream closes (never per chunk)."""
        return normalize_finish_reason(
            self.finish_reason, has_tool_calls=bool(self.tools.calls), has_refusal=self.refused
        )


class ChunkBuilder:
    """Feed it SSE ``data`` payloads; it returns the chunks to yield for choice 0.

    Payloads are parsed JSON, so objects are plain ``dict``s: the per-event path checks
    ``isinstance(x, dict)``, which costs a fraction of an ABC ``Mapping`` check.

    Args:
        provider: Our ``model_provider`` string, put on every chunk so that
            ``content_blocks`` works on single chunks too.
        think_tags: Split ``<think>`` blocks out of content (see :mod:`.think`).

    Errors it raises carry no request id: the builder never sees the response, so the
    stream that read the events (``_http.events.EventStream.annotate``) adds the id, the
    attempt count and the body's first bytes, the same for every error of a stream.

    """

    def __init__(self, provider: str, think_tags: ThinkTags = False) -> None:
        self.provider = provider
        self._think_tags = think_tags
        self.done = False
        self.finished = False  # a finish_reason was seen
        self.events = 0  # events parsed, [DONE] excluded (none at all: see EmptyStreamError)
        self._sent = False  # a chunk of choice 0 went out
        self._id: str | None = None
        self._model: str | None = None
        self._fingerprint: str | None = None
        self._usage: Mapping[str, Any] | None = None
        self._extras: dict[str, Any] = {}
        self._choices: dict[int, _Choice] = {}
        self._unreported: list[int] = []  # choices that ended, oldest first, with no usage yet
        self._running_usage = False  # usage came on chunks that end no choice: never per choice

    @property
    def called_tool(self) -> bool:
        """Whether choice 0 has streamed any tool call (what a forced-tool check asks)."""
        state = self._choices.get(0)
        return state is not None and bool(state.tools.calls)

    # -- entry points --------------------------------------------------------------------------
    @parse_boundary
    def feed_data(self, data: str, event: str = "") -> list[ChatGenerationChunk]:
        """Parse one SSE ``data`` field; ``[DONE]`` ends the stream.

        Raises:
            MalformedResponseError: The payload is not JSON.
            CompatChatError: The payload is an error event.

        """
        payload = self._parse(data, event)
        return [] if payload is None else self.feed(payload)

    def feed(self, payload: Any) -> list[ChatGenerationChunk]:
        """Consume one parsed event (a chunk, or a whole completion from a non-SSE reply)."""
        out = [ChatGenerationChunk(message=self._message(*d)) for d in self._deltas(payload)]
        self._sent = self._sent or bool(out)
        return out

    def feed_batch(self, batch: Iterable[tuple[str, str]]) -> Iterator[ChatGenerationChunk]:
        """Chunks for the ``(event, data)`` pairs of one network read, each yielded once built.

        Lazy, so the first token is not delayed by the rest of the read. Tool-call argument
        fragments that arrived together are held until something else comes (text, reasoning,
        the end of the read) and sent as one chunk per call: langchain-core re-parses the
        partial JSON of every chunk it gets, so 200 fragments of one read cost 200 parses
        where one merged chunk costs about one. Text and the stream's first chunk are never
        held, and the chunks add up to exactly the message that unmerged ones would. Events
        after ``[DONE]`` are ignored.

        Raises:
            MalformedResponseError: An event is not JSON.
            CompatChatError: An event is an error event (held fragments are sent first).

        """
        held: list[ToolCallChunk] = []
        for event, data in batch:
            if self.done:
                break
            try:
                payload = self._parse(data, event)
                deltas = _NO_DELTAS if payload is None else self._deltas(payload)
            except CompatChatError:
                yield from self._merged(held)
                raise
            for text, additional, tool_chunks in deltas:
                if tool_chunks and not text and not additional and self._sent:
                    held += tool_chunks
                    continue
                if held:
                    yield from self._merged(held)
                    held = []
                self._sent = True
                yield ChatGenerationChunk(message=self._message(text, additional, tool_chunks))
        if held:
            yield from self._merged(held)

    # -- one event -----------------------------------------------------------------------------
    def _parse(self, data: str, event: str) -> Any:
        """The JSON of one ``data`` field; ``None`` for ``[DONE]`` and blank data."""
        payload: Any = _UNPARSED
        if data[:1] == "{":  # nearly every event: scan it directly, fall back on anything odd
            try:
                payload, end = _scan_json(data, 0)
            except (StopIteration, ValueError, RecursionError):
                end = -1  # json.loads below reports it
            if end != len(data):
                payload = _UNPARSED
        if payload is _UNPARSED:
            stripped = data.strip()
            if stripped == "[DONE]":  # some servers pad the marker with whitespace
                self.done = True
                return None
            if not stripped:
                return None
            try:
                payload = json.loads(data)
            except (ValueError, RecursionError) as exc:  # RecursionError: absurd nesting
                detail = (
                    f"{exc.msg} at {exc.pos}"
                    if isinstance(exc, json.JSONDecodeError)
                    else "nested too deeply"
                )
                raise MalformedResponseError(
                    f"Stream event is not valid JSON ({detail})", body=preview(data)
                ) from None
        if event == "error" and isinstance(payload, dict) and "error" not in payload:
            payload = {"error": payload}
        return payload

    @parse_boundary
    def _deltas(self, payload: Any) -> Sequence[Delta]:
        """Absorb one event; return what it adds to choice 0 (usually one delta or none)."""
        self.events += 1
        if not isinstance(payload, dict):
            raise MalformedResponseError(
                f"Stream event is a JSON {type(payload).__name__}, not an object",
                body=preview(payload),
            )
        if payload.get("error"):
            raise error_from_payload(payload, body=preview(payload))
        if not self._id and payload.get("id"):
            self._id = payload["id"]
        if model := payload.get("model"):
            self._model = model
        if fingerprint := payload.get("system_fingerprint"):
            self._fingerprint = fingerprint
        choices = payload.get("choices")
        usage = payload.get("usage")
        if usage and isinstance(usage, dict):
            self._usage = usage  # latest wins: cumulative and duplicated usage count once
            if not choices and self._unreported:
                self._state(self._unreported.pop(0)).usage = usage
        elif "x_groq" in payload or (
            choices
            and isinstance(choices, list)
            and isinstance(choices[0], dict)
            and "usage" in choices[0]
        ):
            self._usage = find_usage(payload) or self._usage
        if KNOWN_TOP_KEYS.issuperset(payload):  # fast path: only these two can be kept
            if "created" in payload:
                self._extras["created"] = payload["created"]
            if "service_tier" in payload:
                self._extras["service_tier"] = payload["service_tier"]
        else:
            for key, value in payload.items():
                if key not in _PLAIN_TOP_KEYS:
                    self._extras[key] = value
        if not choices:
            return _NO_DELTAS
        if not isinstance(choices, list):
            raise MalformedResponseError(
                f"'choices' is a JSON {type(choices).__name__}, not an array",
                body=preview(payload),
            )
        out: list[Delta] = []
        for choice in choices:
            if isinstance(choice, dict):
                delta = self._feed_choice(choice)
                if delta is not None:
                    out.append(delta)
        if usage and isinstance(usage, dict):
            first = choices[0] if len(choices) == 1 else None
            if not (isinstance(first, dict) and first.get("finish_reason")):
                self._running_usage = True  # usage on ordinary chunks: a running total
            elif self._unreported and (first.get("index") or 0) == self._unreported[-1]:
                # Usage on a choice's closing chunk itself (older llama-server builds).
                self._state(self._unreported.pop()).usage = usage
        return out

    def _state(self, index: int) -> _Choice:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice(self._id, index, splitter_for(self._think_tags))
        return state

    def _feed_choice(self, choice: dict[str, Any]) -> Delta | None:
        index = choice.get("index") or 0
        state = self._choices.get(index) or self._state(index)
        if choice.get("finish_reason"):
            if state.finish_reason is None and state.usage is None:
                self._unreported.append(index)
            state.finish_reason = choice["finish_reason"]
            self.finished = True
        logprobs = choice.get("logprobs")
        if logprobs and isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            state.logprobs = (state.logprobs or []) + logprobs["content"]
        if not _CHOICE_KEYS.issuperset(choice):
            for key, value in choice.items():
                if key not in _CHOICE_KEYS:
                    state.extras[key] = value
        delta = choice.get("delta")
        if delta is None:
            delta = choice.get("message")
        if not delta or not isinstance(delta, dict):
            return None
        content = delta.get("content")
        # Content becomes chunk text here (list-shaped content may also carry reasoning).
        text, reasoning = (content, "") if isinstance(content, str) else split_content(content)
        more = not _TEXT_DELTA_KEYS.issuperset(delta)  # more than role and content
        if reasoning and state.reasoning_field is None:
            state.reasoning_field = "content"  # thinking parts inside the content
        if more:
            field_text, field = reasoning_source(delta)
            if field_text:
                reasoning = field_text
            if field is not None and state.reasoning_field in (None, "content"):
                state.reasoning_field = field
        if state.think is not None and text:
            text, tagged = state.think.feed(text)
            if tagged and state.reasoning_field is None:
                state.reasoning_field = "content"
            reasoning += tagged
        additional: dict[str, Any] | None = None
        tool_chunks: list[ToolCallChunk] | None = None
        if more:
            if "tool_calls" in delta:
                tool_chunks = state.tools.feed(delta["tool_calls"]) or None
            additional = {}
            if reasoning:
                additional["reasoning_content"] = reasoning
            if isinstance(delta.get("function_call"), dict):
                additional["function_call"] = dict(delta["function_call"])
            if delta.get("refusal"):
                additional["refusal"] = delta["refusal"]
                state.refused = True
            if not _KNOWN_DELTA_KEYS.issuperset(delta):
                for key, value in delta.items():
                    if key not in _KNOWN_DELTA_KEYS and value is not None:
                        _accumulate(state.delta_extras, key, value)
        elif reasoning:
            additional = {"reasoning_content": reasoning}
        if not (text or additional or tool_chunks):
            return None
        if index != 0:
            state.chunks.append(self._message(text, additional, tool_chunks))
            return None
        return text, additional, tool_chunks

    def _message(
        self,
        text: str,
        additional: dict[str, Any] | None,
        tool_chunks: list[ToolCallChunk] | None,
    ) -> AIMessageChunk:
        metadata = {"model_provider": self.provider}
        if not (additional or tool_chunks):  # nearly every chunk: text only
            return AIMessageChunk(content=text, response_metadata=metadata, id=self._id)
        # Only non-empty fields are passed: each one costs validation time per chunk.
        fields: dict[str, Any] = {}
        if additional:
            fields["additional_kwargs"] = additional
        if tool_chunks:
            fields["tool_call_chunks"] = tool_chunks
        return AIMessageChunk(content=text, response_metadata=metadata, id=self._id, **fields)

    # -- merged tool-call fragments ------------------------------------------------------------
    def _merged(self, held: list[ToolCallChunk]) -> Iterator[ChatGenerationChunk]:
        """Send held tool-call pieces as few chunks as possible, per call in first-seen order.

        Each chunk carries at most one piece per call (a chunk that started an aggregation
        with two pieces of one index would keep both), so a call split in several pieces
        spreads over several chunks: piece ``k`` of every call goes in chunk ``k``.
        """
        by_call: dict[Any, list[ToolCallChunk]] = {}
        for piece in held:
            by_call.setdefault(piece["index"], []).append(piece)
        rounds: list[list[ToolCallChunk]] = []
        for pieces in by_call.values():
            for k, piece in enumerate(_merge_call(pieces)):
                if k == len(rounds):
                    rounds.append([])
                rounds[k].append(piece)
        for tool_chunks in rounds:
            yield ChatGenerationChunk(message=self._message("", None, tool_chunks))

    @parse_boundary
    def finish(self) -> ChatGenerationChunk:
        """The closing chunk: usage, finish reason, metadata and other choices, once."""
        primary = self._choices.get(0) or _Choice(self._id, 0)
        metadata: dict[str, Any] = {
            "model_provider": self.provider,
            "model_name": self._model,
            "finish_reason": primary.finish_reason,
            "id": self._id,
            "system_fingerprint": self._fingerprint,
        }
        if primary.logprobs is not None:
            metadata["logprobs"] = {"content": primary.logprobs}
        for key, value in self._extras.items():
            metadata.setdefault(key, value)
        normalized = primary.normalized_finish_reason()
        if normalized is not None:
            metadata[NORMALIZED_KEY] = normalized  # on this chunk only: strings would add up
        for key, value in primary.extras.items():
            metadata.setdefault(key, value)
        usage = self._usage
        per_choice = (
            not self._running_usage
            and sum(state.usage is not None for state in self._choices.values()) > 1
        )
        if per_choice:
            usage = primary.usage
        if usage:
            metadata["token_usage"] = dict(usage)
            cost = usage_cost(usage)
            if cost is not None:
                metadata[COST_KEY] = cost
        others = [
            self._other_choice(i, s, per_choice) for i, s in sorted(self._choices.items()) if i != 0
        ]
        if others:
            metadata["extra_choices"] = others
        additional = dict(primary.delta_extras)
        call_extras = primary.tools.extras()
        if call_extras:
            additional["tool_call_extras"] = call_extras
        text, reasoning = _flush_think(primary)
        if reasoning:
            additional["reasoning_content"] = reasoning
            if primary.reasoning_field is None:
                primary.reasoning_field = "content"
        if primary.reasoning_field is not None:
            additional["reasoning_field"] = primary.reasoning_field  # once: strings would add up
        chunk = AIMessageChunk(
            content=text,
            additional_kwargs=additional,
            tool_call_chunks=primary.tools.flush(),
            response_metadata=metadata,
            usage_metadata=usage_to_metadata(usage) if usage else None,
            id=self._id,
            chunk_position="last",
        )
        return ChatGenerationChunk(
            message=chunk, generation_info={"finish_reason": primary.finish_reason}
        )

    def _other_choice(self, index: int, state: _Choice, per_choice: bool) -> dict[str, Any]:
        merged = AIMessageChunk(content="", response_metadata={"model_provider": self.provider})
        for chunk in state.chunks:
            merged = merged + chunk
        # Like choice 0, unnamed calls and held-back argument text are only sent at the end.
        text, reasoning = _flush_think(state)
        merged = merged + AIMessageChunk(
            content=text,
            additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
            tool_call_chunks=state.tools.flush(),
            chunk_position="last",
        )
        other = {
            "index": index,
            "content": merged.text,
            "reasoning_content": merged.additional_kwargs.get("reasoning_content"),
            "tool_calls": list(merged.tool_calls),
            "invalid_tool_calls": list(merged.invalid_tool_calls),
            "finish_reason": state.finish_reason,
            NORMALIZED_KEY: state.normalized_finish_reason(),
        }
        if per_choice and state.usage is not None:
            other["token_usage"] = dict(state.usage)
            other["usage_metadata"] = usage_to_metadata(state.usage)
        return other


def _flush_think(state: _Choice) -> tuple[str, str]:
    """Text a ``<think>`` splitter still held back (a possible tag) at the end of the stream."""
    return state.think.flush() if state.think is not None else ("", "")


def _merge_call(pieces: list[ToolCallChunk]) -> list[ToolCallChunk]:
    """Merge one call's consecutive pieces into pieces that are cheap for langchain-core.

    Every chunk's arguments go through ``parse_partial_json``, which, for text that is not a
    JSON prefix and has no unmatched closing bracket, retries ``json.loads`` once per
    character with one fewer character each time: quadratic in the piece's length. A piece
    that *starts* with ``}`` or ``]`` is rejected at its first character whatever its length.
    So the merged text is cut at its first closing bracket: the rest (usually nearly all of
    it) becomes one piece, and the text before it goes in pieces of at most
    ``_PIECE_CHARS`` characters. The head's name and id stay on the first piece.
    """
    if len(pieces) == 1:
        return pieces
    first = pieces[0]
    args = "".join(piece["args"] or "" for piece in pieces)
    brace, bracket = args.find("}"), args.find("]")
    cut = min(brace, bracket) if brace >= 0 and bracket >= 0 else max(brace, bracket)
    if cut < 0:
        cut = len(args)
    parts = [args[i : min(i + _PIECE_CHARS, cut)] for i in range(0, cut, _PIECE_CHARS)]
    if cut < len(args) or not parts:
        parts.append(args[cut:])
    return [
        ToolCallChunk(
            type="tool_call_chunk",
            name=first["name"] if k == 0 else None,
            args=part,
            id=first["id"] if k == 0 else None,
            index=first["index"],
        )
        for k, part in enumerate(parts)
    ]


def _accumulate(target: dict[str, Any], key: str, value: Any) -> None:
    """Merge an unknown delta field: text and lists grow, anything else is replaced."""
    old = target.get(key)
    if key == "reasoning_details" and isinstance(value, list):
        target[key] = merge_reasoning_details(old if isinstance(old, list) else [], value)
        return
    if type(old) is type(value) and isinstance(value, (str, list)):
        target[key] = old + value  # type: ignore[operator]
    else:
        target[key] = value
