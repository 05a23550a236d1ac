"""Test helpers: a tiny JSON-schema validator (independent of the server's generator),
an SSE parser and request shorthands."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import httpx

USER = [{"role": "user", "content": "What is the weather in Paris?"}]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}

TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current local time in a timezone",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string"}},
            "required": ["timezone"],
        },
    },
}


def schema_errors(value: Any, schema: Any, root: Any = None, path: str = "$") -> list[str]:
    """Return the ways ``value`` violates ``schema`` (a subset of JSON Schema 2020-12)."""
    root = schema if root is None else root
    if schema is True or schema is None or schema == {}:
        return []
    if schema is False:
        return [f"{path}: schema is false"]
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return schema_errors(value, {**target, **rest}, root, path)
    errs: list[str] = []
    if "const" in schema and value != schema["const"]:
        errs.append(f"{path}: {value!r} != const {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not in enum")
    if "allOf" in schema:
        for sub in schema["allOf"]:
            errs += schema_errors(value, sub, root, path)
    for key in ("anyOf", "oneOf"):
        if key in schema and all(schema_errors(value, s, root, path) for s in schema[key]):
            errs.append(f"{path}: matches none of {key}")
    kind = schema.get("type")
    if kind is not None:
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(_is_type(value, k) for k in kinds):
            return [*errs, f"{path}: {value!r} is not of type {kind}"]
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errs.append(f"{path}: missing required {name!r}")
        for name, sub in value.items():
            if name in props:
                errs += schema_errors(sub, props[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected property {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += schema_errors(sub, schema["additionalProperties"], root, f"{path}.{name}")
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            errs.append(f"{path}: too few properties")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{path}: fewer than minItems")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append(f"{path}: more than maxItems")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(
            value
        ):
            errs.append(f"{path}: items not unique")
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items", {})
            errs += schema_errors(item, sub, root, f"{path}[{i}]")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errs.append(f"{path}: shorter than minLength")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append(f"{path}: longer than maxLength")
        fmt = schema.get("format")
        if fmt in _FORMATS and not re.fullmatch(_FORMATS[fmt], value):
            errs.append(f"{path}: {value!r} is not a {fmt}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(f"{path}: {value} < minimum")
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(f"{path}: {value} > maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errs.append(f"{path}: {value} <= exclusiveMinimum")
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            errs.append(f"{path}: {value} >= exclusiveMaximum")
        if "multipleOf" in schema:
            q = value / schema["multipleOf"]
            if not math.isclose(q, round(q), abs_tol=1e-6):
                errs.append(f"{path}: {value} not a multiple of {schema['multipleOf']}")
    return errs


_FORMATS = {
    "date-time": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})",
    "date": r"\d{4}-\d{2}-\d{2}",
    "time": r"\d{2}:\d{2}:\d{2}",
    "email": r"[^@\s]+@[^@\s]+\.[a-z]+",
    "uri": r"[a-z]+://\S+",
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "ipv4": r"(\d{1,3}\.){3}\d{1,3}",
}


def _is_type(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    return False


def parse_sse(text: str) -> list[Any]:
    """Parse an SSE body into a list of JSON chunks and the ``"[DONE]"`` marker."""
    out: list[Any] = []
    for event in text.split("\n\n"):
        data = [line[5:].lstrip(" ") for line in event.splitlines() if line.startswith("data:")]
        if not data:
            continue
        payload = "\n".join(data)
        out.append(payload if payload == "[DONE]" else json.loads(payload))
    return out


def chat(client: httpx.Client, **body: Any) -> httpx.Response:
    """POST a chat completion with sensible defaults (model, a user message)."""
    body.setdefault("model", "test-model")
    body.setdefault("messages", USER)
    return client.post("/chat/completions", json=body)


def stream_chunks(client: httpx.Client, **body: Any) -> list[Any]:
    """POST a streaming chat completion and return the parsed SSE items."""
    resp = chat(client, stream=True, **body)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/event-stream")
    return parse_sse(resp.text)


def assemble(chunks: list[Any]) -> dict[int, dict[str, Any]]:
    """Join stream deltas per choice index: content, reasoning, tool calls, finish."""
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        if not isinstance(chunk, Mapping):
            continue
        for choice in chunk.get("choices", []):
            acc = out.setdefault(
                choice["index"],
                {"content": "", "reasoning": "", "tool_calls": {}, "finish_reason": None},
            )
            delta = choice.get("delta") or {}
            acc["content"] += delta.get("content") or ""
            acc["reasoning"] += delta.get("reasoning_content") or delta.get("reasoning") or ""
            for part in delta.get("tool_calls") or []:
                call = acc["tool_calls"].setdefault(
                    part["index"], {"id": None, "name": "", "arguments": ""}
                )
                if part.get("id"):
                    call["id"] = part["id"]
                fn = part.get("function") or {}
                call["name"] += fn.get("name") or ""
                call["arguments"] += fn.get("arguments") or ""
            if choice.get("finish_reason"):
                acc["finish_reason"] = choice["finish_reason"]
    return out


def error_of(resp: httpx.Response) -> dict[str, Any]:
    """Assert an OpenAI-shaped error body and return its ``error`` object."""
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"message", "type", "param", "code"}, err
    assert isinstance(err["message"], str) and err["message"]
    return err
