"""The Structured Outputs rules a ``strict: true`` schema must follow, checked like OpenAI.

With ``strict`` the real API only takes schemas it can compile into a grammar: every
object closes itself with ``additionalProperties: false`` and lists every property in
``required`` (optional fields are spelled as a union with ``null``). A schema that breaks
a rule is refused before generation, with the path to the offending object. A client
whose strict schemas are only ever tested against a lenient server breaks on the first
real call, so the reference server refuses the same schemas.

Evidence: OpenAI's answers ``Invalid schema for response_format 'ReActStep': In
context=('properties', 'args'), 'additionalProperties' is required to be supplied and to
be false.`` (code ``invalid_json_schema``; for a tool ``Invalid schema for function
'glob': ...`` with code ``invalid_function_parameters``), and the ``'required' is
required to be supplied and to be an array including every key in properties`` rule,
are quoted in many public projects' bug notes; the rules are the "Supported schemas"
section of https://platform.openai.com/docs/guides/structured-outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check_strict_schema"]


def check_strict_schema(schema: Mapping[str, Any]) -> str | None:
    """The first strict-mode violation in ``schema`` as OpenAI words it, or ``None``."""
    return _walk(schema, ())


def _walk(node: Any, context: tuple[str, ...]) -> str | None:
    if not isinstance(node, Mapping):
        return None
    kinds = node.get("type")
    is_object = kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
    if is_object or "properties" in node:
        where = f"In context={_context(context)}, "
        if node.get("additionalProperties") is not False:
            return where + "'additionalProperties' is required to be supplied and to be false."
        props = node.get("properties") or {}
        if not isinstance(props, Mapping):
            return _not_of_type(props, "object")
        required = node.get("required")
        listed = required if isinstance(required, list) else []
        absent = [k for k in props if k not in listed]
        if not isinstance(required, list) or absent:
            return (
                where + "'required' is required to be supplied and to be an array including "
                f"every key in properties. Missing '{absent[0] if absent else ''}'."
            )
        for key, sub in props.items():
            found = _walk(sub, (*context, "properties", key))
            if found:
                return found
    for key in ("items", "additionalItems"):
        found = _walk(node.get(key), (*context, key))
        if found:
            return found
    for key in ("anyOf", "allOf", "prefixItems"):
        subs = node.get(key) or ()
        if not isinstance(subs, (list, tuple)):
            return _not_of_type(subs, "array")
        for i, sub in enumerate(subs):
            found = _walk(sub, (*context, key, str(i)))
            if found:
                return found
    for key in ("$defs", "definitions"):
        defs = node.get(key) or {}
        if not isinstance(defs, Mapping):
            return _not_of_type(defs, "object")
        for name, sub in defs.items():
            found = _walk(sub, (*context, key, name))
            if found:
                return found
    return None


def _not_of_type(value: Any, kind: str) -> str:
    """The real API's meta-schema answer for a keyword of the wrong JSON type.

    Python's spelling of the value, as OpenAI prints it: ``Invalid schema for function
    'f': [] is not of type 'object', 'boolean'.`` (FoundationAgents/OpenManus#1162,
    maltekuhr/laravel-gpt#8). Without this, ``"properties": true`` crashed the check.
    """
    return f"{value!r} is not of type '{kind}'."


def _context(context: tuple[str, ...]) -> str:
    """Python's tuple spelling, as OpenAI prints it: ``()``, ``('properties', 'a')``."""
    if not context:
        return "()"
    if len(context) == 1:
        return f"('{context[0]}',)"
    return "(" + ", ".join(f"'{c}'" for c in context) + ")"
