"""Validation of ``tools``, ``tool_choice`` and ``parallel_tool_calls``.

Function names follow the real API's pattern and must be unique; a forced or allowed
tool must be one of the declared tools, and neither ``tool_choice`` nor
``parallel_tool_calls`` is accepted without ``tools``. The checks of one function's name
and parameters schema (:func:`function_name`, :func:`function_parameters`) are shared
with the Responses API's flat tools (``responses.py``): the rules and words are the same,
only the path differs (``tools[0].function.name`` here, ``tools[0].name`` there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import (
    bad,
    invalid_type,
    invalid_value,
    missing,
    non_empty_array,
    optional,
    required,
)

_TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def function_name(fn: Mapping[str, Any], where: str, taken: Sequence[str]) -> str:
    """The ``name`` of the function declared at ``where``: set, a valid pattern, unique.

    Args:
        fn: The object that carries the function's fields.
        where: Its path (``tools[0].function`` or, in the Responses API, ``tools[0]``).
        taken: The names of the tools before it.

    """
    name: str = required(fn, "name", "a string", f"{where}.name")
    if not _TOOL_NAME_RE.match(name):
        raise bad(
            f"Invalid '{where}.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]+$'.",
            f"{where}.name",
            "invalid_value",
        )
    if name in taken:
        raise bad(f"Invalid 'tools': duplicate function name '{name}'.", "tools", "invalid_value")
    return name


def function_parameters(fn: Mapping[str, Any], where: str, name: str) -> dict[str, Any] | None:
    """The ``parameters`` schema of function ``name`` at ``where``, if any: an object schema."""
    params: dict[str, Any] | None = optional(fn, "parameters", "an object", f"{where}.parameters")
    if params is not None and params.get("type", "object") != "object":
        raise bad(
            f"Invalid schema for function '{name}': schema must be a JSON Schema of "
            f"'type: \"object\"', got 'type: \"{params.get('type')}\"'.",
            f"{where}.parameters",
            "invalid_function_parameters",
        )
    return params


def validate_tools(body: Mapping[str, Any]) -> list[str]:
    """Check Chat Completions ``tools``; returns the declared function names in order."""
    if body.get("tools") is None:
        return []
    tools = non_empty_array(body["tools"], "tools")
    names: list[str] = []
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise invalid_type(where, "an object", tool)
        if "type" not in tool:
            raise missing(f"{where}.type")
        if tool["type"] != "function":
            raise invalid_value(f"{where}.type", tool["type"], ("function", "custom"))
        fn = required(tool, "function", "an object", f"{where}.function")
        name = function_name(fn, f"{where}.function", names)
        function_parameters(fn, f"{where}.function", name)
        optional(fn, "description", "a string", f"{where}.function.description")
        names.append(name)
    return names


def validate_tool_choice(body: Mapping[str, Any], tool_names: Sequence[str]) -> None:
    if body.get("parallel_tool_calls") is not None:
        if not isinstance(body["parallel_tool_calls"], bool):
            raise invalid_type("parallel_tool_calls", "a boolean", body["parallel_tool_calls"])
        if not tool_names:
            raise bad(
                "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only "
                "allowed when 'tools' are specified.",
                "parallel_tool_calls",
            )
    if body.get("tool_choice") is None:
        return
    choice = body["tool_choice"]
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise invalid_value("tool_choice", choice, ("none", "auto", "required"))
    elif isinstance(choice, dict):
        ctype = choice.get("type")
        if ctype == "function":
            fn = choice.get("function")
            if not isinstance(fn, dict):
                raise missing("tool_choice.function")
            if not isinstance(fn.get("name"), str):
                raise missing("tool_choice.function.name")
            if tool_names and fn["name"] not in tool_names:
                raise bad(
                    f"Invalid value for 'tool_choice': function '{fn['name']}' not found in "
                    "'tools'.",
                    "tool_choice",
                    "invalid_value",
                )
        elif ctype == "allowed_tools":
            allowed = choice.get("allowed_tools")
            if not isinstance(allowed, dict):
                raise missing("tool_choice.allowed_tools")
            if allowed.get("mode") not in ("auto", "required"):
                raise invalid_value(
                    "tool_choice.allowed_tools.mode", allowed.get("mode"), ("auto", "required")
                )
            listed = allowed.get("tools")
            if not isinstance(listed, list) or not listed:
                raise missing("tool_choice.allowed_tools.tools")
            for j, item in enumerate(listed):
                fn = item.get("function") if isinstance(item, dict) else None
                name = fn.get("name") if isinstance(fn, dict) else None
                if not isinstance(name, str):
                    raise missing(f"tool_choice.allowed_tools.tools[{j}].function.name")
                if tool_names and name not in tool_names:
                    raise bad(
                        f"Invalid value for 'tool_choice': function '{name}' not found in 'tools'.",
                        "tool_choice",
                        "invalid_value",
                    )
        elif ctype is None:
            raise missing("tool_choice.type")
        else:
            raise invalid_value("tool_choice.type", ctype, ("function", "allowed_tools"))
    else:
        raise invalid_type("tool_choice", "one of a string or object", choice)
    if not tool_names:
        raise bad(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            "specified.",
            "tool_choice",
        )
