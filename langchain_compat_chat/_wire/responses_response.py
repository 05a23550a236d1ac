"""A Responses API reply (``"object": "response"``) -> LangChain ``ChatResult`` (pure).

The ``output`` list is read item by item (https://platform.openai.com/docs/api-reference/
responses/object): ``message`` items give the text (``output_text`` parts, their
``annotations`` kept for citations, ``refusal`` parts as the refusal), ``reasoning`` items
the reasoning text (summaries, then ``reasoning_text`` content) and, kept whole, what goes
back on the next turn; ``function_call`` items the tool calls (``call_id`` is the id a
``ToolMessage`` answers). Anything else (web search, MCP...) is kept whole too. The helpers
are shared with :mod:`.responses_stream`, so a streamed answer adds up to this message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_compat_chat._wire.boundary import parse_boundary
from langchain_compat_chat._wire.finish_reason import NORMALIZED_KEY, normalize_finish_reason
from langchain_compat_chat._wire.response import parse_tool_call
from langchain_compat_chat._wire.responses_input import (
    FUNCTION_CALL_IDS,
    REASONING_ITEMS,
    SERVER_ITEMS,
)
from langchain_compat_chat._wire.token_usage import COST_KEY, usage_cost
from langchain_compat_chat._wire.token_usage import usage_to_metadata as usage_to_metadata
from langchain_compat_chat.errors import MalformedResponseError, error_from_payload, preview

__all__ = [
    "Output",
    "check_response",
    "finish_reason",
    "read_output",
    "reasoning_text",
    "response_metadata",
    "to_responses_result",
]

# Top-level fields read into their own places; every other one goes to response_metadata.
_READ = frozenset({"id", "model", "object", "output", "usage", "status", "error"})
# incomplete_details.reason -> the finish reason LangChain code already knows.
_INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}


@dataclass
class Output:
    """What an ``output`` list holds, in the pieces a message is made of."""

    text: str = ""
    reasoning: str = ""
    refusal: str = ""
    calls: list[ToolCall | InvalidToolCall] = field(default_factory=list)
    call_ids: dict[str, str] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)
    logprobs: list[Any] = field(default_factory=list)


def reasoning_text(item: Mapping[str, Any]) -> str:
    """The readable text of a reasoning item: its summaries, then its reasoning content.

    OpenAI sends summaries only (the content is encrypted); vLLM, llama.cpp and Ollama send
    ``reasoning_text`` content. Summaries are joined by a blank line, as they are parts.
    """
    summary = [
        str(s.get("text") or "") for s in item.get("summary") or () if isinstance(s, Mapping)
    ]
    content = [
        str(c.get("text") or "")
        for c in item.get("content") or ()
        if isinstance(c, Mapping) and c.get("type") in ("reasoning_text", None)
    ]
    return "\n\n".join(summary) + "".join(content)


def call_of(
    item: Mapping[str, Any], position: int, response_id: str | None
) -> ToolCall | InvalidToolCall:
    """A ``function_call`` item as a LangChain tool call (bad JSON: an invalid call)."""
    wire = {
        "id": item.get("call_id") or None,
        "function": {"name": item.get("name"), "arguments": item.get("arguments")},
    }
    return parse_tool_call(wire, position, response_id=response_id)[0]


def read_output(output: Any, response_id: str | None) -> Output:
    """Every item of ``output`` into text, reasoning, calls and what is kept for later."""
    if not isinstance(output, list):
        raise MalformedResponseError("The response has no output list", body=preview(output))
    out = Output()
    annotations: list[Any] = []
    reasoning_items: list[Any] = []
    server_items: list[Any] = []
    for item in output:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or ():
                if not isinstance(part, Mapping):
                    continue
                if part.get("type") == "output_text":
                    out.text += str(part.get("text") or "")
                    annotations.extend(part.get("annotations") or ())
                    out.logprobs.extend(part.get("logprobs") or ())
                elif part.get("type") == "refusal":
                    out.refusal += str(part.get("refusal") or "")
        elif kind == "reasoning":
            reasoning_items.append(dict(item))
            out.reasoning += reasoning_text(item)
        elif kind == "function_call":
            call = call_of(item, len(out.calls), response_id)
            out.calls.append(call)
            if item.get("id"):
                out.call_ids[call["id"] or ""] = str(item["id"])
        else:
            server_items.append(dict(item))
    for key, value in (
        (REASONING_ITEMS, reasoning_items),
        (SERVER_ITEMS, server_items),
        ("annotations", annotations),
        (FUNCTION_CALL_IDS, out.call_ids),
    ):
        if value:
            out.kept[key] = value
    return out


def check_response(data: Any) -> Mapping[str, Any]:
    """The response object, or the typed error it reports (``status: "failed"``, ``error``).

    Raises:
        CompatChatError: The body is an error object, or a failed response.
        MalformedResponseError: The body is not a response object.

    """
    if not isinstance(data, Mapping):
        raise MalformedResponseError(
            f"Expected a JSON object, got {type(data).__name__}", body=preview(data)
        )
    error = data.get("error")
    if error is not None or data.get("status") == "failed":
        raise error_from_payload(
            {"error": error} if error is not None else data,
            body=preview(data),
            default_message="The response failed",
        )
    if "output" not in data:
        raise MalformedResponseError(
            "The reply is not a Responses API response (no output)", body=preview(data)
        )
    return data


def finish_reason(data: Mapping[str, Any], has_calls: bool) -> str | None:
    """``stop``/``tool_calls``/``length``... from the status and ``incomplete_details``."""
    status = data.get("status")
    if status == "incomplete":
        details = data.get("incomplete_details") or {}
        reason = details.get("reason") if isinstance(details, Mapping) else None
        return _INCOMPLETE.get(str(reason), str(reason) if reason else "length")
    if status in ("completed", None):
        return "tool_calls" if has_calls else "stop"
    return str(status)


def response_metadata(
    data: Mapping[str, Any],
    provider: str,
    output: Output,
    *,
    called: bool = False,
    refused: bool = False,
) -> dict[str, Any]:
    """``response_metadata``: name, finish reasons, id, status, usage and every other field.

    ``called`` and ``refused`` say that a stream's events carried a tool call or a refusal
    the final response object may not list again; ``output`` is read for both anyway.
    """
    has_calls = called or bool(output.calls)
    reason = finish_reason(data, has_calls)
    metadata: dict[str, Any] = {
        "model_provider": provider,
        "model_name": data.get("model"),
        "finish_reason": reason,
        NORMALIZED_KEY: normalize_finish_reason(
            reason, has_tool_calls=has_calls, has_refusal=refused or bool(output.refusal)
        ),
        "id": data.get("id"),
        "status": data.get("status"),
    }
    for key, value in data.items():
        if key not in _READ and value is not None:
            metadata.setdefault(key, value)
    if output.logprobs:
        metadata["logprobs"] = {"content": output.logprobs}
    usage = data.get("usage")
    if isinstance(usage, Mapping) and usage:
        metadata["token_usage"] = dict(usage)
        cost = usage_cost(usage)
        if cost is not None:
            metadata[COST_KEY] = cost
    return metadata


@parse_boundary
def to_responses_result(data: Any, provider: str) -> ChatResult:
    """Convert a parsed Responses API reply into a ``ChatResult`` with one generation.

    Raises:
        CompatChatError: The reply is an error, or a failed response.
        MalformedResponseError: The reply is not a response object.

    """
    response = check_response(data)
    response_id = response.get("id") if isinstance(response.get("id"), str) else None
    output = read_output(response.get("output"), response_id)
    additional: dict[str, Any] = dict(output.kept)
    if output.reasoning:
        additional["reasoning_content"] = output.reasoning
    if output.refusal:
        additional["refusal"] = output.refusal
    metadata = response_metadata(response, provider, output)
    usage = response.get("usage")
    message = AIMessage(
        content=output.text,
        additional_kwargs=additional,
        response_metadata=metadata,
        tool_calls=[c for c in output.calls if c.get("type") == "tool_call"],
        invalid_tool_calls=[c for c in output.calls if c.get("type") == "invalid_tool_call"],
        usage_metadata=usage_to_metadata(usage) if isinstance(usage, Mapping) and usage else None,
        id=response_id,
    )
    info = {"finish_reason": metadata["finish_reason"]}
    llm_output = {
        "token_usage": dict(usage) if isinstance(usage, Mapping) else {},
        "model_name": response.get("model"),
        "id": response_id,
    }
    return ChatResult(
        generations=[ChatGeneration(message=message, generation_info=info)], llm_output=llm_output
    )
