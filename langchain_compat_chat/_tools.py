"""``bind_tools`` arguments -> the request's ``tools`` and ``tool_choice`` fields.

Every tool is converted to OpenAI's format and its schema checked for values JSON cannot
carry when it is bound, so that the mistake names the tool at ``bind_tools`` rather than
failing each request. ``tool_choice`` accepts LangChain's spellings and must name a bound
tool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_compat_chat._wire.encode import check_tool

__all__ = ["format_tools", "tool_choice"]


def format_tools(tools: Sequence[Any], *, strict: bool | None) -> list[dict[str, Any]]:
    """The tools in OpenAI format, each schema checked for JSON-only values.

    Raises:
        RequestEncodingError: A schema holds a value JSON cannot carry (a ``datetime``
            default, NaN...); the message names the tool and the field.

    """
    formatted = [convert_to_openai_tool(t, strict=strict) for t in tools]
    for tool in formatted:
        check_tool(tool)
    return formatted


def tool_choice(choice: dict[str, Any] | str | bool, names: set[str]) -> dict[str, Any] | str:
    """The wire ``tool_choice`` for LangChain's spelling of it.

    ``True`` and ``"required"``/``"any"`` force some call; ``"auto"``/``"none"`` pass as
    they are; a tool name or an OpenAI-format dict forces that tool.

    Raises:
        ValueError: The choice names a tool that is not among ``names``, or is of a type
            no spelling has.

    """
    if choice is True:
        return "required"
    if isinstance(choice, str):
        if choice in ("auto", "none", "required", "any"):
            return choice
        if choice not in names:
            msg = f"tool_choice {choice!r} is not one of the bound tools: {sorted(names)}"
            raise ValueError(msg)
        return {"type": "function", "function": {"name": choice}}
    if isinstance(choice, Mapping):
        name = (choice.get("function") or {}).get("name")
        if name is not None and name not in names:
            msg = (
                f"tool_choice names {name!r}, which is not one of the bound tools: {sorted(names)}"
            )
            raise ValueError(msg)
        return dict(choice)
    msg = f"Unsupported tool_choice {choice!r}"
    raise ValueError(msg)
