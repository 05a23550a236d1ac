"""Messages and parameters -> the Responses API JSON body (``POST /responses``), pure.

The model's fields and the call's arguments arrive in their Chat Completions spelling (what
``bind_tools`` and ``with_structured_output`` bind, so they stay one implementation for
both APIs) and are renamed here: ``max_tokens`` -> ``max_output_tokens``,
``reasoning_effort``/``thinking`` -> ``reasoning.effort``, ``response_format`` ->
``text.format``, ``logprobs`` -> ``include: ["message.output_text.logprobs"]``, function
tools flattened (``{"type": "function", "name", "parameters", "strict"}``) and a named
``tool_choice`` as ``{"type": "function", "name"}``
(https://platform.openai.com/docs/api-reference/responses/create).

Stateless by default: the whole conversation goes every call with ``store: false``, and
reasoning items come back encrypted where the dialect accepts the include. Fields the
Responses API does not have are refused here, before anything is sent, unless the dialect
records that this server takes them (``Dialect.responses_params``); ``extra_body`` is the
user's explicit word and is never checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from langchain_compat_chat._wire.request import ForcedToolPlan, plan_forced_tool, thinking_params
from langchain_compat_chat._wire.responses_input import messages_to_input
from langchain_compat_chat.dialects import Dialect
from langchain_compat_chat.errors import InvalidRequestError

__all__ = ["ENCRYPTED_REASONING", "build_responses_body", "chain_point"]

ENCRYPTED_REASONING = "reasoning.encrypted_content"
_LOGPROBS = "message.output_text.logprobs"
_REFERENCE = "https://platform.openai.com/docs/api-reference/responses/create"

# Chat Completions fields with no Responses counterpart, and what to do instead.
_CHAT_ONLY: Mapping[str, str] = {
    "stop": "the Responses API has no stop sequences",
    "seed": "the Responses API has no seed",
    "frequency_penalty": "the Responses API has no frequency_penalty",
    "presence_penalty": "the Responses API has no presence_penalty",
    "logit_bias": "the Responses API has no logit_bias",
    "functions": "use tools= (bind_tools)",
    "function_call": "use tool_choice=",
    "modalities": "audio output is a Chat Completions feature",
    "audio": "audio output is a Chat Completions feature",
    "prediction": "predicted outputs are a Chat Completions feature",
    "web_search_options": "use the web_search tool instead",
    "messages": "the conversation is sent as input items",
}


def _refuse(name: str, why: str, dialect: Dialect) -> InvalidRequestError:
    return InvalidRequestError(
        f"{name}= cannot be sent with api='responses': {why} ({_REFERENCE}), and dialect "
        f"{dialect.name!r} does not record that this server takes it. Remove it, use "
        f"api='chat', or pass dialect={{'responses_params': [{name!r}]}} (or extra_body) "
        "if your server accepts it."
    )


def chain_point(messages: Sequence[BaseMessage]) -> tuple[int, str | None]:
    """Where ``previous_response_id`` chaining can start: after the last answer with an id.

    Returns:
        The index of the first message to send, and the response id to chain on (``0`` and
        ``None`` when no earlier answer carries one: the whole history goes).

    """
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, AIMessage):
            response_id = message.response_metadata.get("id") or message.id
            if isinstance(response_id, str) and response_id:
                return index + 1, response_id
            return 0, None
    return 0, None


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A Chat Completions function tool flattened; any other tool (web_search...) as is."""
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, Mapping):
        return dict(tool)
    out: dict[str, Any] = {"type": "function", "name": function.get("name")}
    for key in ("description", "parameters", "strict"):
        if function.get(key) is not None:
            out[key] = function[key]
    return out


def _tool_choice(choice: Any) -> Any:
    if choice == "any":
        return "required"
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        return {"type": "function", "name": choice["function"].get("name")}
    return choice


def _text_format(response_format: Mapping[str, Any]) -> dict[str, Any]:
    """``response_format`` in the ``text.format`` shape (the schema spec is flattened)."""
    if response_format.get("type") != "json_schema":
        return dict(response_format)
    spec = response_format.get("json_schema") or {}
    out: dict[str, Any] = {"type": "json_schema"}
    for key in ("name", "description", "schema", "strict"):
        if spec.get(key) is not None:
            out[key] = spec[key]
    return out


def _reasoning(body: dict[str, Any], dialect: Dialect) -> None:
    """Fold ``reasoning_effort`` and ``thinking`` into the ``reasoning`` object."""
    reasoning = dict(body.pop("reasoning", None) or {})
    effort = body.pop("reasoning_effort", None)
    thinking = body.pop("thinking", None)
    if thinking is not None:
        as_effort = dataclasses.replace(dialect, thinking_style="reasoning_effort")
        effort = thinking_params(thinking, as_effort).get("reasoning_effort", effort)
    if effort is not None:
        reasoning.setdefault("effort", effort)
    if reasoning:
        body["reasoning"] = reasoning


def _check_params(body: Mapping[str, Any], dialect: Dialect) -> None:
    n = body.get("n")
    if n is not None and n != 1:
        msg = (
            f"n={n} cannot be sent with api='responses': a response has one answer "
            f"({_REFERENCE}). Call the model {n} times, or use api='chat'."
        )
        raise InvalidRequestError(msg)
    for name, why in _CHAT_ONLY.items():
        if name in body and name not in dialect.responses_params:
            raise _refuse(name, why, dialect)


def _include(body: dict[str, Any], extra: Sequence[str]) -> None:
    include = list(body.get("include") or ())
    include.extend(name for name in extra if name not in include)
    if include:
        body["include"] = include


def _only_tool(body: dict[str, Any], name: str | None) -> None:
    if name and isinstance(body.get("tools"), list):
        body["tools"] = [t for t in body["tools"] if (t.get("function") or t).get("name") == name]


def build_responses_body(
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
    dialect: Dialect,
    *,
    stream: bool,
    chain: bool = False,
    extra_body: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], ForcedToolPlan | None]:
    """Assemble a Responses body, and say what was done with a forced tool choice.

    Args:
        messages: The conversation.
        params: Model fields and call arguments already merged, ``None`` values dropped.
        dialect: The model's dialect.
        stream: Whether to ask for SSE.
        chain: ``use_previous_response_id``: send only the turns after the last answer,
            chained on its id, and ask the server to store this one.
        extra_body: Fields merged last at the top level, never checked.

    Raises:
        InvalidRequestError: A parameter the Responses API (as this dialect serves it) does
            not have, or ``previous_response_id`` where the dialect does not chain.
        ValueError: A message or content part with no Responses form.

    """
    body: dict[str, Any] = dict(params)
    body.pop("stream", None)
    body.pop("stream_options", None)
    if "max_completion_tokens" in body:
        body.setdefault("max_tokens", body.pop("max_completion_tokens"))
    _check_params(body, dialect)
    body.pop("n", None)
    start, previous = chain_point(messages) if chain else (0, None)
    previous = body.get("previous_response_id") or previous
    if previous is not None and not dialect.responses_chaining:
        msg = (
            f"previous_response_id cannot be used with dialect {dialect.name!r}: this server "
            "keeps no responses (stateless Responses API), so the whole history is sent. "
            "Leave use_previous_response_id off."
        )
        raise InvalidRequestError(msg)
    body["input"] = messages_to_input(messages[start:], dialect)
    if previous is not None:
        body["previous_response_id"] = previous
    body.setdefault("store", chain or previous is not None)
    plan = plan_forced_tool(body, dialect)
    if plan is not None and plan.rule == "disable_thinking":
        body["thinking"] = False
        body.pop("reasoning_effort", None)
    elif plan is not None:
        body["tool_choice"] = "auto"
        _only_tool(body, plan.tool)
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and not dialect.supports_tool_choice_object:
        # As for Chat Completions: "must call a tool" with only the named one bound.
        body["tool_choice"] = "required"
        _only_tool(body, (choice.get("function") or {}).get("name") or choice.get("name"))
    _reasoning(body, dialect)
    if "max_tokens" in body:
        body["max_output_tokens"] = body.pop("max_tokens")
    if isinstance(body.get("tools"), list):
        body["tools"] = [_tool(t) for t in body["tools"]]
    if "tool_choice" in body:
        body["tool_choice"] = _tool_choice(body["tool_choice"])
    response_format = body.get("response_format")
    if isinstance(response_format, Mapping) and dialect.responses_format == "text":
        del body["response_format"]
        body["text"] = {**(body.get("text") or {}), "format": _text_format(response_format)}
    extra: list[str] = []
    if body.pop("logprobs", None):
        extra.append(_LOGPROBS)
    if dialect.responses_encrypted_reasoning and body["store"] is False:
        extra.append(ENCRYPTED_REASONING)
    _include(body, extra)
    if stream:
        body["stream"] = True
    if extra_body:
        body.update(extra_body)
    return body, plan
