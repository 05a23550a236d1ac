"""Configuration types of the reference server: dialects, faults and scripted responses.

Everything here is a small frozen dataclass so that a test can build one value, hand it to
the server (server-wide, queued for one request, or spelled out in a request header) and
read it back unchanged. Frozen values are safe to share between the test thread and the
server's event-loop thread without locks.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, Union, get_args

ReasoningField = Literal[
    "reasoning_content", "reasoning", "reasoning_details", "thinking_parts", "think_tags"
]
"""Where reasoning text goes: a message/delta field, content parts, or ``<think>`` tags."""

CachedTokensField = Literal["prompt_tokens_details", "prompt_cache_hit_tokens", "cached_tokens"]
"""Where usage reports prompt-cache hits."""

DIALECT_HEADER = "x-compat-dialect"
"""Request header that selects a dialect for one request (see :func:`parse_dialect`)."""

FAULT_HEADER = "x-compat-fault"
"""Request header that injects a fault into one request (see :func:`parse_fault`)."""


@dataclass(frozen=True)
class Dialect:
    """How the server words its answers, to imitate one provider's wire quirks.

    The default dialect is plain OpenAI Chat Completions with DeepSeek-style
    ``reasoning_content`` when reasoning is requested. Each switch reproduces one quirk
    that real OpenAI-compatible servers have in the wild, so a client can be tested
    against all of them without a network.

    Attributes:
        reasoning_field: Where reasoning text is written when reasoning is on:
            ``"reasoning_content"`` (DeepSeek, Qwen, xAI), ``"reasoning"`` (Groq,
            OpenRouter, Ollama ``/v1``, current vLLM), ``"reasoning_details"`` (OpenRouter's
            ``[{"type": "reasoning.text", ...}]`` parts only), ``"thinking_parts"``
            (Mistral Magistral: ``content`` becomes a list with ``thinking`` parts),
            ``"think_tags"`` (``<think>...</think>`` at the start of ``content``, servers
            that do not parse it) or ``None`` (never emit reasoning, like api.openai.com).
        think_open_in_prompt: With ``think_tags``, leave out the opening ``<think>``: chat
            templates that put it in the prompt make the model generate only the rest.
        always_reason: Emit reasoning even when the request does not ask for it
            (a "thinking" model such as ``deepseek-reasoner``).
        null_tool_call_index: Streamed tool-call deltas carry ``"index": null``.
        omit_tool_call_index: Streamed tool-call deltas have no ``index`` key at all.
        repeat_tool_name: Every streamed tool-call delta repeats ``id``, ``type`` and
            ``function.name`` (naive clients concatenate them into ``"ff"``).
        usage_in_x_groq: Stream usage is sent only under ``x_groq.usage`` of the finish
            chunk (pre-2025 Groq), with no usage chunk.
        cumulative_usage: Every stream chunk carries ``usage`` with running totals
            (Perplexity, vLLM continuous usage stats) and there is no usage-only chunk.
        usage_in_choice: Stream usage is sent inside ``choices[0].usage`` of the finish
            chunk (Moonshot), with no usage chunk.
        completion_excludes_reasoning: ``completion_tokens`` leaves out the reasoning
            tokens, which only ``total_tokens`` and ``reasoning_tokens`` count (xAI).
        cached_tokens_field: Where prompt-cache hits are reported:
            ``prompt_tokens_details.cached_tokens`` (OpenAI), top-level
            ``prompt_cache_hit_tokens``/``prompt_cache_miss_tokens`` (DeepSeek's own field)
            or a top-level ``cached_tokens`` (Moonshot).
        reject_unknown_params: Answer 400 ``Unrecognized request argument`` for body keys
            that api.openai.com does not know (compatible servers usually ignore them).
        accept_video: Take Qwen-VL video parts in user messages (``video_url`` objects and
            ``video`` frame lists), as DashScope and vLLM do; otherwise they are a 400.

    """

    reasoning_field: ReasoningField | None = "reasoning_content"
    think_open_in_prompt: bool = False
    always_reason: bool = False
    null_tool_call_index: bool = False
    omit_tool_call_index: bool = False
    repeat_tool_name: bool = False
    usage_in_x_groq: bool = False
    cumulative_usage: bool = False
    usage_in_choice: bool = False
    completion_excludes_reasoning: bool = False
    cached_tokens_field: CachedTokensField = "prompt_tokens_details"
    reject_unknown_params: bool = False
    accept_video: bool = False

    def replace(self, **changes: Any) -> Dialect:
        """Return a copy with some fields changed (``dataclasses.replace`` shorthand)."""
        return dataclasses.replace(self, **changes)


DIALECT_PRESETS: dict[str, Dialect] = {
    "openai": Dialect(reasoning_field=None, reject_unknown_params=True),
    "deepseek": Dialect(reasoning_field="reasoning_content"),
    "deepseek-reasoner": Dialect(reasoning_field="reasoning_content", always_reason=True),
    "groq": Dialect(reasoning_field="reasoning", usage_in_x_groq=True),
    "openrouter": Dialect(reasoning_field="reasoning"),
    "ollama": Dialect(reasoning_field="reasoning", null_tool_call_index=True),
    "vllm": Dialect(
        reasoning_field="reasoning_content", omit_tool_call_index=True, accept_video=True
    ),
    "dashscope": Dialect(reasoning_field="reasoning_content", accept_video=True),
    "perplexity": Dialect(reasoning_field=None, cumulative_usage=True),
    "moonshot": Dialect(
        reasoning_field="reasoning_content",
        usage_in_choice=True,
        cached_tokens_field="cached_tokens",
    ),
    "xai": Dialect(reasoning_field="reasoning_content", completion_excludes_reasoning=True),
    "mistral": Dialect(reasoning_field="thinking_parts"),
    "think-tags": Dialect(reasoning_field="think_tags", always_reason=True),
}
"""Named dialects, usable as ``x-compat-dialect: groq`` or ``Dialect`` values."""


@dataclass(frozen=True)
class Fault:
    """A failure (or slowness) to inject into chat-completion responses.

    Fields combine: ``Fault(latency_s=0.2, status=503)`` waits, then fails. A fault can be
    set server-wide (``srv.set_fault``), queued for the next request(s)
    (``srv.enqueue_fault``) or sent per request in the ``x-compat-fault`` header.

    Attributes:
        latency_s: Delay before the status line is sent (connect-to-headers latency).
        ttft_s: Extra delay between the headers and the first token (time to first token).
        chunk_delay_s: Delay before every stream chunk after the first.
        status: Answer with this HTTP status and an OpenAI-shaped error body instead of a
            completion (429, 500, 503, 408, ...).
        retry_after_s: Value of a ``Retry-After`` header (seconds) on the error response.
        retry_after_ms: Value of a ``retry-after-ms`` header on the error response.
        retry_after_date: Send ``Retry-After`` as an HTTP-date ``retry_after_s`` seconds
            from now (RFC 9110 allows both forms; proxies and CDNs often send the date).
        error_message: Message of the injected error (a sensible default per status).
        error_type: ``error.type`` of the injected error (default per status).
        error_code: ``error.code`` of the injected error (default per status).
        html_error: Send the error status with an HTML page instead of JSON (proxies,
            gateways and load balancers do this).
        error_with_200: Send the error body of ``status`` (500 if unset) with HTTP 200
            instead, as a JSON body even for streaming requests (gateways that wrap an
            upstream failure in a "successful" reply do this).
        malformed_json: Answer 200 with a truncated, unparseable JSON body; in a stream,
            the second event is a truncated JSON line.
        invalid_utf8: Put bytes that are not UTF-8 into the answer's text (in a stream,
            into the second event).
        oversize_bytes: Pad the answer with this many bytes of filler in an extra
            top-level ``padding`` field (in a stream, of the first event): a runaway
            server, or a misrouted download, for testing response size limits.
        disconnect_after_chunks: Close the socket after this many SSE events, without
            ending the chunked body or sending ``[DONE]``.
        stall_after_chunks: Stop sending after this many SSE events ...
        stall_s: ... for this many seconds, then continue normally.
        stream_error_after_chunks: After this many SSE events, send
            ``data: {"error": {...}}`` inside the 200 stream and end it.
        times: Apply the fault to this many chat requests only, then behave normally
            ("fail the first K requests" for retry tests). ``None`` means every request.
            Counted for server-wide and queued faults; a header fault applies to its own
            request only, so ``times`` is ignored there (a retried request resends the
            header, so use ``set_fault``/``enqueue_fault`` for retry tests).

    """

    latency_s: float = 0.0
    ttft_s: float = 0.0
    chunk_delay_s: float = 0.0
    status: int | None = None
    retry_after_s: float | None = None
    retry_after_ms: int | None = None
    retry_after_date: bool = False
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    html_error: bool = False
    error_with_200: bool = False
    malformed_json: bool = False
    invalid_utf8: bool = False
    oversize_bytes: int | None = None
    disconnect_after_chunks: int | None = None
    stall_after_chunks: int | None = None
    stall_s: float = 0.0
    stream_error_after_chunks: int | None = None
    times: int | None = None

    def replace(self, **changes: Any) -> Fault:
        """Return a copy with some fields changed (``dataclasses.replace`` shorthand)."""
        return dataclasses.replace(self, **changes)


SseEvent: TypeAlias = Union[Mapping[str, Any], str, bytes]  # noqa: UP007
"""One scripted SSE item: a chunk dict (sent as ``data: <json>``) or verbatim text/bytes."""


@dataclass(frozen=True)
class ScriptedResponse:
    """An exact response to send for one chat request, instead of generating one.

    Attributes:
        status: HTTP status code.
        headers: Extra response headers (they override the defaults).
        body: The exact body bytes for a non-streaming response.
        content_type: ``Content-Type`` of ``body``.
        events: For a streaming response: the exact bytes of each SSE event, each sent as
            one HTTP chunk (so per-chunk faults and delays apply).
        close: Close the connection after the response.

    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "application/json"
    events: tuple[bytes, ...] | None = None
    close: bool = False


def sse_event_bytes(item: SseEvent) -> bytes:
    r"""Render one scripted SSE item as wire bytes.

    A mapping becomes ``data: <compact json>\\n\\n``; text or bytes are sent verbatim,
    so a test can script comment lines, CRLF framing or a missing blank line.
    """
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode()
    return b"data: " + dumps(item) + b"\n\n"


def dumps(obj: Any) -> bytes:
    """Serialise JSON the way the server sends it: compact, UTF-8, non-ASCII kept."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def build_scripted(
    *,
    json_body: Any = None,
    sse: Iterable[SseEvent] | None = None,
    raw: bytes | str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    content_type: str | None = None,
    done: bool = True,
    close: bool = False,
) -> ScriptedResponse:
    """Build a :class:`ScriptedResponse` from the friendly ``enqueue`` arguments.

    Exactly one of ``json_body``, ``sse`` or ``raw`` must be given. With ``sse`` a final
    ``data: [DONE]`` event is appended unless ``done=False``.
    """
    given = [x is not None for x in (json_body, sse, raw)]
    if sum(given) != 1:
        raise ValueError("give exactly one of json_body=, sse= or raw=")
    hdrs = dict(headers or {})
    if sse is not None:
        events = [sse_event_bytes(item) for item in sse]
        if done:
            events.append(b"data: [DONE]\n\n")
        return ScriptedResponse(
            status=status,
            headers=hdrs,
            events=tuple(events),
            content_type=content_type or "text/event-stream; charset=utf-8",
            close=close,
        )
    if raw is not None:
        body = raw.encode() if isinstance(raw, str) else raw
        return ScriptedResponse(
            status=status,
            headers=hdrs,
            body=body,
            content_type=content_type or "application/json",
            close=close,
        )
    return ScriptedResponse(
        status=status,
        headers=hdrs,
        body=dumps(json_body),
        content_type=content_type or "application/json",
        close=close,
    )


def scripted_from_sample(sample: Mapping[str, Any]) -> ScriptedResponse:
    """Build a scripted response from a wire-sample fixture (or its ``response`` part).

    The fixture format is ``{"status", "headers", "sse" | "json" | "raw"}``; an SSE text is
    split into events on blank lines so that it is sent event by event.
    """
    resp = sample.get("response", sample)
    status = int(resp.get("status", 200))
    headers = {str(k): str(v) for k, v in dict(resp.get("headers") or {}).items()}
    ctype = headers.pop("content-type", None) or headers.pop("Content-Type", None)
    if "sse" in resp:
        text = str(resp["sse"])
        return ScriptedResponse(
            status=status,
            headers=headers,
            events=tuple(_split_events(text)),
            content_type=ctype or "text/event-stream",
        )
    if "json" in resp:
        return ScriptedResponse(
            status=status,
            headers=headers,
            body=json.dumps(resp["json"]).encode(),
            content_type=ctype or "application/json",
        )
    return ScriptedResponse(
        status=status,
        headers=headers,
        body=str(resp.get("raw", "")).encode(),
        content_type=ctype or "application/json",
    )


def _split_events(text: str) -> list[bytes]:
    """Split SSE text after each blank line, keeping every byte (CRLF included)."""
    out: list[bytes] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        for sep in ("\r\n\r\n", "\n\n", "\r\r"):
            if text.startswith(sep, i):
                out.append(text[start : i + len(sep)].encode())
                i += len(sep)
                start = i
                break
        else:
            i += 1
    if start < n:
        out.append(text[start:].encode())
    return out


def _coerce(value: str, annotation: Any) -> Any:
    """Convert a header value to the type a dataclass field declares."""
    text = value.strip()
    if text.lower() in ("none", "null") and "None" in str(annotation):
        return None
    kind = str(annotation)
    if "bool" in kind:
        if text.lower() in ("1", "true", "yes", "on", ""):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    if "int" in kind and "float" not in kind:
        return int(text)
    if "float" in kind:
        return float(text)
    return text


def _parse_pairs(text: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, val = part.partition("=")
        pairs.append((key.strip().replace("-", "_"), val if sep else None))
    return pairs


_DIALECT_FIELDS = {f.name: f for f in dataclasses.fields(Dialect)}
_FAULT_FIELDS = {f.name: f for f in dataclasses.fields(Fault)}
_REASONING_CHOICES = set(get_args(ReasoningField))
_CACHED_CHOICES = set(get_args(CachedTokensField))


def parse_dialect(text: str, base: Dialect | None = None) -> Dialect:
    """Parse an ``x-compat-dialect`` header value into a :class:`Dialect`.

    The value is a comma-separated list of preset names (``groq``), bare switch names
    (``null_tool_call_index``, meaning true) and ``key=value`` pairs
    (``reasoning_field=reasoning``), applied left to right over ``base``.

    Raises:
        ValueError: for an unknown preset, field or value.

    """
    dialect = base or Dialect()
    changes: dict[str, Any] = {}
    for key, val in _parse_pairs(text):
        if val is None and key.replace("_", "-") in DIALECT_PRESETS:
            dialect = dataclasses.replace(DIALECT_PRESETS[key.replace("_", "-")], **changes)
            changes = {}
            continue
        if key not in _DIALECT_FIELDS:
            raise ValueError(f"unknown dialect switch or preset: {key!r}")
        if key == "reasoning_field":
            rf = (val or "").strip()
            if rf.lower() in ("none", "null", ""):
                changes[key] = None
            elif rf in _REASONING_CHOICES:
                changes[key] = rf
            else:
                raise ValueError(f"unknown reasoning_field: {rf!r}")
            continue
        if key == "cached_tokens_field":
            where = (val or "").strip()
            if where not in _CACHED_CHOICES:
                raise ValueError(f"unknown cached_tokens_field: {where!r}")
            changes[key] = where
            continue
        changes[key] = _coerce(val if val is not None else "true", _DIALECT_FIELDS[key].type)
    return dataclasses.replace(dialect, **changes)


def parse_fault(text: str) -> Fault:
    """Parse an ``x-compat-fault`` header value into a :class:`Fault`.

    The value is a comma-separated list of ``key=value`` pairs naming :class:`Fault`
    fields, e.g. ``status=429,retry_after_s=1`` or ``disconnect_after_chunks=3``. A bare
    number is shorthand for ``status=<number>``.

    Raises:
        ValueError: for an unknown field or a value of the wrong type.

    """
    changes: dict[str, Any] = {}
    for key, val in _parse_pairs(text):
        if val is None and key.isdigit():
            changes["status"] = int(key)
            continue
        if key not in _FAULT_FIELDS:
            raise ValueError(f"unknown fault field: {key!r}")
        changes[key] = _coerce(val if val is not None else "true", _FAULT_FIELDS[key].type)
    return Fault(**changes)


def header_value(dialect_or_fault: Dialect | Fault) -> str:
    """Render a dialect or fault as a header value that parses back to the same value.

    Useful with clients that can only add headers, e.g.
    ``default_headers={"x-compat-fault": header_value(Fault(status=503))}``.
    """
    defaults = type(dialect_or_fault)()
    parts: list[str] = []
    for f in dataclasses.fields(dialect_or_fault):
        val = getattr(dialect_or_fault, f.name)
        if val == getattr(defaults, f.name):
            continue
        parts.append(f"{f.name}={'none' if val is None else str(val).lower()}")
    return ",".join(parts)
