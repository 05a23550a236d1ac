"""Validation of a ``POST /v1/responses`` body, worded like api.openai.com's Responses API.

A client moving from Chat Completions to the Responses API carries habits that the real
API refuses: ``messages`` instead of ``input``, ``response_format`` instead of
``text.format``, Chat-shaped tools (``{"type": "function", "function": {...}}``), and a
``max_output_tokens`` below 16. This module refuses them with the same status, message,
``param`` and ``code``, so the mistake shows up offline. The shapes of the ``input`` items
are checked in :mod:`.responses_input`; what needs the whole conversation (a
``function_call_output`` whose ``call_id`` matches no call, a reasoning item without its
following item) is checked when the conversation is built (``testing/_responses.py``).

Evidence for the wordings (all OpenAI's own answers, quoted in public threads):

* ``Unknown parameter: 'parent_id'.`` with code ``unknown_parameter``
  (cogwheel0/conduit#258, Stack-Cairn/LiveAgent#334 for a nested ``input[32].status``).
* ``Unsupported parameter: 'response_format'. In the Responses API, this parameter has
  moved to 'text.format'. Try again with the new parameter.`` (code
  ``unsupported_parameter``), and the same sentence for ``messages`` -> ``input`` and
  ``max_completion_tokens`` -> ``max_output_tokens``.
* ``Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but
  got 1 instead.`` (code ``integer_below_min_value``).
* ``Missing required parameter: 'tools[0].name'.`` for a Chat-shaped tool, and
  ``missing_required_parameter: text.format.name``.
* ``Tool choice 'image_generation' not found in 'tools' parameter.`` (param
  ``tool_choice``; quoted in many proxy projects' tests, e.g. a Codex plugin's).
* The request fields themselves: ``openai-python`` ``src/openai/types/responses/
  response_create_params.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import (
    bad,
    invalid_type,
    invalid_value,
    missing,
    optional,
    required,
    typed_item,
)
from langchain_compat_chat.testing._validate.responses_input import validate_input
from langchain_compat_chat.testing._validate.sampling import (
    REASONING_EFFORTS,
    check_range,
    validate_stream_options,
)
from langchain_compat_chat.testing._validate.strict_schema import check_strict_schema
from langchain_compat_chat.testing._validate.tools import function_name, function_parameters

__all__ = [
    "CHAT_ONLY_PARAMS",
    "INCLUDABLE",
    "KNOWN_RESPONSES_PARAMS",
    "MOVED_PARAMS",
    "validate_responses_request",
]

KNOWN_RESPONSES_PARAMS = frozenset(
    {
        "background",
        "context_management",
        "conversation",
        "include",
        "input",
        "instructions",
        "max_output_tokens",
        "max_tool_calls",
        "metadata",
        "model",
        "parallel_tool_calls",
        "previous_response_id",
        "prompt",
        "prompt_cache_key",
        "prompt_cache_retention",
        "reasoning",
        "safety_identifier",
        "service_tier",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "truncation",
        "user",
    }
)
"""Top-level keys of ``ResponseCreateParams`` (openai-python ``response_create_params.py``)."""

MOVED_PARAMS: Mapping[str, str] = {
    "messages": "input",
    "response_format": "text.format",
    "max_tokens": "max_output_tokens",
    "max_completion_tokens": "max_output_tokens",
    "reasoning_effort": "reasoning.effort",
}
"""Chat Completions fields that the Responses API names differently (its own hint)."""

CHAT_ONLY_PARAMS = frozenset(
    {
        "n",
        "stop",
        "functions",
        "function_call",
        "logprobs",
        "logit_bias",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "modalities",
        "audio",
        "prediction",
        "web_search_options",
    }
)
"""Chat Completions fields with no Responses counterpart: refused by every dialect.

Servers that ignore unknown keys would silently drop them (``n`` would give one answer
where the caller expects several), so the reference server refuses them even where it
otherwise accepts provider extensions.
"""

INCLUDABLE = (
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
)
"""``ResponseIncludable`` (openai-python ``response_includable.py``)."""

HOSTED_TOOL_TYPES = (
    "file_search",
    "web_search",
    "web_search_preview",
    "computer_use_preview",
    "mcp",
    "code_interpreter",
    "image_generation",
    "local_shell",
    "shell",
    "custom",
    "apply_patch",
)
"""Tool types of the real API that this server does not run (it has no hosted tools)."""

_SUMMARIES = ("auto", "concise", "detailed")


def validate_responses_request(
    body: Mapping[str, Any],
    *,
    reject_unknown: bool = False,
    reasoning_efforts: Sequence[str] = REASONING_EFFORTS,
) -> None:
    """Validate a Responses API request body (shapes only; the conversation comes later).

    Args:
        body: The parsed JSON body.
        reject_unknown: Refuse keys the real API does not define (``openai`` dialect);
            otherwise provider extensions such as ``chat_template_kwargs`` pass.
        reasoning_efforts: The ``reasoning.effort`` values the dialect accepts.

    Raises:
        ApiError: 400 with the first problem found, worded like the real API.

    """
    for key in body:
        if key in MOVED_PARAMS:
            raise bad(
                f"Unsupported parameter: '{key}'. In the Responses API, this parameter has "
                f"moved to '{MOVED_PARAMS[key]}'. Try again with the new parameter.",
                None,
                "unsupported_parameter",
            )
        if key in CHAT_ONLY_PARAMS or (reject_unknown and key not in KNOWN_RESPONSES_PARAMS):
            raise bad(f"Unknown parameter: '{key}'.", key, "unknown_parameter")
    model = body.get("model")
    if model is None or model == "":
        raise missing("model")
    if not isinstance(model, str):
        raise invalid_type("model", "a string", model)
    if body.get("input") is None and body.get("previous_response_id") is None:
        raise missing("input")
    if body.get("input") is not None:
        validate_input(body["input"])
    for key in ("instructions", "previous_response_id", "user", "prompt_cache_key"):
        optional(body, key, "a string")
    for flag in ("stream", "store", "parallel_tool_calls", "background"):
        optional(body, flag, "a boolean")
    if body.get("background"):
        raise bad(
            "Strict mode: background responses are not served by this reference server.",
            "background",
        )
    check_range(body, "max_output_tokens", 16, None, integer=True)
    check_range(body, "temperature", 0, 2, integer=False)
    check_range(body, "top_p", 0, 1, integer=False)
    check_range(body, "top_logprobs", 0, 20, integer=True)
    if body.get("truncation") is not None and body["truncation"] not in ("auto", "disabled"):
        raise invalid_value("truncation", body["truncation"], ("auto", "disabled"))
    optional(body, "metadata", "an object")
    validate_stream_options(body)
    _validate_include(body)
    _validate_reasoning(body, reasoning_efforts)
    names = _validate_tools(body)
    _validate_tool_choice(body, names)
    _validate_text(body)


def _validate_include(body: Mapping[str, Any]) -> None:
    include = optional(body, "include", "an array")
    if include is None:
        return
    for i, item in enumerate(include):
        if item not in INCLUDABLE:
            raise invalid_value(f"include[{i}]", item, INCLUDABLE)


def _validate_reasoning(body: Mapping[str, Any], efforts: Sequence[str]) -> None:
    reasoning = optional(body, "reasoning", "an object")
    if reasoning is None:
        return
    for key in reasoning:
        if key not in ("effort", "summary", "generate_summary"):
            raise bad(
                f"Unknown parameter: 'reasoning.{key}'.", f"reasoning.{key}", "unknown_parameter"
            )
    effort = reasoning.get("effort")
    if effort is not None and effort not in efforts:
        raise invalid_value("reasoning.effort", effort, efforts)
    for key in ("summary", "generate_summary"):
        value = reasoning.get(key)
        if value is not None and value not in _SUMMARIES:
            raise invalid_value(f"reasoning.{key}", value, _SUMMARIES)


def _validate_tools(body: Mapping[str, Any]) -> list[str]:
    tools = optional(body, "tools", "an array")
    if tools is None:
        return []
    names: list[str] = []
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        tool, kind = typed_item(tool, where)
        if kind in HOSTED_TOOL_TYPES:
            raise bad(
                f"Strict mode: tool type '{kind}' is a hosted tool, which this reference "
                "server does not run; declare a 'function' tool instead.",
                f"{where}.type",
                "invalid_value",
            )
        if kind != "function":
            raise invalid_value(f"{where}.type", kind, ("function", *HOSTED_TOOL_TYPES))
        # A Chat Completions tool nests the name under "function": 'tools[0].name' missing.
        name = function_name(tool, where, names)
        optional(tool, "description", "a string", f"{where}.description")
        strict = optional(tool, "strict", "a boolean", f"{where}.strict")
        params = function_parameters(tool, where, name)
        if strict is True and params is not None:
            problem = check_strict_schema(params)
            if problem is not None:
                raise bad(
                    f"Invalid schema for function '{name}': {problem}",
                    f"{where}.parameters",
                    "invalid_function_parameters",
                )
        names.append(name)
    return names


def _validate_tool_choice(body: Mapping[str, Any], names: Sequence[str]) -> None:
    choice = body.get("tool_choice")
    if choice is None:
        return
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise invalid_value("tool_choice", choice, ("none", "auto", "required"))
        if choice == "required" and not names:
            raise bad(
                "Strict mode: tool_choice 'required' needs at least one tool in 'tools'.",
                "tool_choice",
            )
        return
    if not isinstance(choice, dict):
        raise invalid_type("tool_choice", "one of a string or object", choice)
    kind = choice.get("type")
    if kind == "function":
        if "function" in choice and "name" not in choice:
            # The Chat Completions spelling {"type": "function", "function": {"name": ...}}.
            raise missing("tool_choice.name")
        name = choice.get("name")
        if not isinstance(name, str):
            raise missing("tool_choice.name")
        if name not in names:
            raise bad(
                f"Tool choice '{name}' not found in 'tools' parameter.",
                "tool_choice",
            )
    elif kind == "allowed_tools":
        mode = choice.get("mode")
        if mode not in ("auto", "required"):
            raise invalid_value("tool_choice.mode", mode, ("auto", "required"))
        listed = choice.get("tools")
        if not isinstance(listed, list) or not listed:
            raise missing("tool_choice.tools")
        for j, item in enumerate(listed):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                raise missing(f"tool_choice.tools[{j}].name")
            if name not in names:
                raise bad(f"Tool choice '{name}' not found in 'tools' parameter.", "tool_choice")
    elif kind is None:
        raise missing("tool_choice.type")
    else:
        raise invalid_value("tool_choice.type", kind, ("function", "allowed_tools"))


def _validate_text(body: Mapping[str, Any]) -> None:
    text = optional(body, "text", "an object")
    if text is None:
        return
    for key in text:
        if key not in ("format", "verbosity"):
            raise bad(f"Unknown parameter: 'text.{key}'.", f"text.{key}", "unknown_parameter")
    verbosity = text.get("verbosity")
    if verbosity is not None and verbosity not in ("low", "medium", "high"):
        raise invalid_value("text.verbosity", verbosity, ("low", "medium", "high"))
    if text.get("format") is None:
        return
    fmt, kind = typed_item(text["format"], "text.format")
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid_value("text.format.type", kind, ("text", "json_schema", "json_object"))
    if kind != "json_schema":
        return
    if "json_schema" in fmt and "schema" not in fmt:
        # The Chat Completions nesting {"type": "json_schema", "json_schema": {...}}.
        raise missing("text.format.name" if "name" not in fmt else "text.format.schema")
    name = required(fmt, "name", "a string", "text.format.name")
    schema = required(fmt, "schema", "an object", "text.format.schema")
    if optional(fmt, "strict", "a boolean", "text.format.strict"):
        problem = check_strict_schema(schema)
        if problem is not None:
            raise bad(
                f"Invalid schema for response_format '{name}': {problem}",
                "text.format.schema",
                "invalid_json_schema",
            )
