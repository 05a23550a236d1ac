"""The shared field checks of both validators, pinned to the real API's exact words.

Chat Completions and the Responses API validate their bodies with the same checks
(``_errors.optional``/``required``/``typed_item``, the function-tool checks of
``_validate/tools.py``); only the ``param`` paths differ (``tools[0].function.name`` vs
``tools[0].name``). Each case names one field the shared code checks and the whole error
object either endpoint answers, so a change to a shared check that alters a message, a
path, a code or which of two problems is reported first fails here. The order of a
tool's checks differs between the APIs, and the last tool case of each pins it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from _helpers import error_of

CASES: list[tuple[str, str, dict[str, Any], str, str | None, str | None]] = [
    # (endpoint, case, body fields, message, param, code)
    (
        "chat",
        "function null",
        {"tools": [{"type": "function", "function": None}]},
        "Missing required parameter: 'tools[0].function'.",
        "tools[0].function",
        "missing_required_parameter",
    ),
    (
        "chat",
        "function not object",
        {"tools": [{"type": "function", "function": "f"}]},
        "Invalid type for 'tools[0].function': expected an object, but got a string instead.",
        "tools[0].function",
        "invalid_type",
    ),
    (
        "chat",
        "name not string",
        {"tools": [{"type": "function", "function": {"name": 5}}]},
        "Invalid type for 'tools[0].function.name': expected a string, but got an integer instead.",
        "tools[0].function.name",
        "invalid_type",
    ),
    (
        "chat",
        "description not string",
        {"tools": [{"type": "function", "function": {"name": "f", "description": 5}}]},
        (
            "Invalid type for 'tools[0].function.description': expected a string, but got "
            "an integer instead."
        ),
        "tools[0].function.description",
        "invalid_type",
    ),
    (
        "chat",
        "parameters not object",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": []}}]},
        (
            "Invalid type for 'tools[0].function.parameters': expected an object, but got an array "
            "instead."
        ),
        "tools[0].function.parameters",
        "invalid_type",
    ),
    (
        "chat",
        "parameters before description",
        {
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "description": 5, "parameters": {"type": "array"}},
                }
            ]
        },
        (
            "Invalid schema for function 'f': schema must be a JSON Schema of 'type: "
            '"object"\', got \'type: "array"\'.'
        ),
        "tools[0].function.parameters",
        "invalid_function_parameters",
    ),
    (
        "chat",
        "tool call id null",
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": None,
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "r"},
            ]
        },
        "Missing required parameter: 'messages[1].tool_calls[0].id'.",
        "messages[1].tool_calls[0].id",
        "missing_required_parameter",
    ),
    (
        "chat",
        "tool call id not string",
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": 5, "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "r"},
            ]
        },
        (
            "Invalid type for 'messages[1].tool_calls[0].id': expected a string, but got "
            "an integer instead."
        ),
        "messages[1].tool_calls[0].id",
        "invalid_type",
    ),
    (
        "chat",
        "tool call function not object",
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c1", "type": "function", "function": "f"}],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "r"},
            ]
        },
        (
            "Invalid type for 'messages[1].tool_calls[0].function': expected an object, but got a "
            "string instead."
        ),
        "messages[1].tool_calls[0].function",
        "invalid_type",
    ),
    (
        "chat",
        "tool_call_id not string",
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "tool", "tool_call_id": 5, "content": "r"},
            ]
        },
        (
            "Invalid type for 'messages[1].tool_call_id': expected a string, but got an integer "
            "instead."
        ),
        "messages[1].tool_call_id",
        "invalid_type",
    ),
    (
        "chat",
        "name not string",
        {"messages": [{"role": "user", "content": "hi", "name": 5}]},
        "Invalid type for 'messages[0].name': expected a string, but got an integer instead.",
        "messages[0].name",
        "invalid_type",
    ),
    (
        "chat",
        "part not object",
        {"messages": [{"role": "user", "content": ["hi"]}]},
        "Invalid type for 'messages[0].content[0]': expected an object, but got a string instead.",
        "messages[0].content[0]",
        "invalid_type",
    ),
    (
        "chat",
        "part type null",
        {"messages": [{"role": "user", "content": [{"type": None}]}]},
        "Missing required parameter: 'messages[0].content[0].type'.",
        "messages[0].content[0].type",
        "missing_required_parameter",
    ),
    (
        "chat",
        "empty content",
        {"messages": [{"role": "user", "content": []}]},
        (
            "Invalid 'messages[0].content': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead."
        ),
        "messages[0].content",
        "empty_array",
    ),
    (
        "chat",
        "image_url not object",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]}]},
        (
            "Invalid type for 'messages[0].content[0].image_url': expected an object, but got a "
            "string instead."
        ),
        "messages[0].content[0].image_url",
        "invalid_type",
    ),
    (
        "chat",
        "seed boolean",
        {"seed": True},
        "Invalid type for 'seed': expected an integer, but got a boolean instead.",
        "seed",
        "invalid_type",
    ),
    (
        "chat",
        "logit_bias array",
        {"logit_bias": []},
        "Invalid type for 'logit_bias': expected an object, but got an array instead.",
        "logit_bias",
        "invalid_type",
    ),
    (
        "chat",
        "stream_options not object",
        {"stream": True, "stream_options": "x"},
        "Invalid type for 'stream_options': expected an object, but got a string instead.",
        "stream_options",
        "invalid_type",
    ),
    (
        "chat",
        "include_usage not boolean",
        {"stream": True, "stream_options": {"include_usage": "y"}},
        (
            "Invalid type for 'stream_options.include_usage': expected a boolean, but got a string "
            "instead."
        ),
        "stream_options.include_usage",
        "invalid_type",
    ),
    (
        "chat",
        "response_format not object",
        {"response_format": "json"},
        "Invalid type for 'response_format': expected an object, but got a string instead.",
        "response_format",
        "invalid_type",
    ),
    (
        "chat",
        "json_schema not object",
        {"response_format": {"type": "json_schema", "json_schema": "s"}},
        (
            "Invalid type for 'response_format.json_schema': expected an object, but got a string "
            "instead."
        ),
        "response_format.json_schema",
        "invalid_type",
    ),
    (
        "chat",
        "json_schema.schema not object",
        {"response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": []}}},
        (
            "Invalid type for 'response_format.json_schema.schema': expected an object, but got an "
            "array instead."
        ),
        "response_format.json_schema.schema",
        "invalid_type",
    ),
    (
        "responses",
        "tools not array",
        {"tools": "f"},
        "Invalid type for 'tools': expected an array, but got a string instead.",
        "tools",
        "invalid_type",
    ),
    (
        "responses",
        "tool not object",
        {"tools": ["f"]},
        "Invalid type for 'tools[0]': expected an object, but got a string instead.",
        "tools[0]",
        "invalid_type",
    ),
    (
        "responses",
        "tool type null",
        {"tools": [{"type": None}]},
        "Missing required parameter: 'tools[0].type'.",
        "tools[0].type",
        "missing_required_parameter",
    ),
    (
        "responses",
        "name not string",
        {"tools": [{"type": "function", "name": 5}]},
        "Invalid type for 'tools[0].name': expected a string, but got an integer instead.",
        "tools[0].name",
        "invalid_type",
    ),
    (
        "responses",
        "name pattern",
        {"tools": [{"type": "function", "name": "get weather"}]},
        (
            "Invalid 'tools[0].name': string does not match pattern. Expected a string "
            "that matches the pattern '^[a-zA-Z0-9_-]+$'."
        ),
        "tools[0].name",
        "invalid_value",
    ),
    (
        "responses",
        "duplicate name",
        {"tools": [{"type": "function", "name": "f"}, {"type": "function", "name": "f"}]},
        "Invalid 'tools': duplicate function name 'f'.",
        "tools",
        "invalid_value",
    ),
    (
        "responses",
        "description not string",
        {"tools": [{"type": "function", "name": "f", "description": 5}]},
        "Invalid type for 'tools[0].description': expected a string, but got an integer instead.",
        "tools[0].description",
        "invalid_type",
    ),
    (
        "responses",
        "strict not boolean",
        {"tools": [{"type": "function", "name": "f", "strict": "yes"}]},
        "Invalid type for 'tools[0].strict': expected a boolean, but got a string instead.",
        "tools[0].strict",
        "invalid_type",
    ),
    (
        "responses",
        "parameters not object",
        {"tools": [{"type": "function", "name": "f", "parameters": []}]},
        "Invalid type for 'tools[0].parameters': expected an object, but got an array instead.",
        "tools[0].parameters",
        "invalid_type",
    ),
    (
        "responses",
        "parameters not an object schema",
        {"tools": [{"type": "function", "name": "f", "parameters": {"type": "string"}}]},
        (
            "Invalid schema for function 'f': schema must be a JSON Schema of 'type: "
            '"object"\', got \'type: "string"\'.'
        ),
        "tools[0].parameters",
        "invalid_function_parameters",
    ),
    (
        "responses",
        "description before parameters",
        {
            "tools": [
                {"type": "function", "name": "f", "description": 5, "parameters": {"type": "array"}}
            ]
        },
        "Invalid type for 'tools[0].description': expected a string, but got an integer instead.",
        "tools[0].description",
        "invalid_type",
    ),
    (
        "responses",
        "stream_options without stream",
        {"stream_options": {}},
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        "stream_options",
        None,
    ),
    (
        "responses",
        "stream_options not object",
        {"stream": True, "stream_options": "x"},
        "Invalid type for 'stream_options': expected an object, but got a string instead.",
        "stream_options",
        "invalid_type",
    ),
    (
        "responses",
        "instructions not string",
        {"instructions": 5},
        "Invalid type for 'instructions': expected a string, but got an integer instead.",
        "instructions",
        "invalid_type",
    ),
    (
        "responses",
        "store not boolean",
        {"store": "yes"},
        "Invalid type for 'store': expected a boolean, but got a string instead.",
        "store",
        "invalid_type",
    ),
    (
        "responses",
        "metadata not object",
        {"metadata": []},
        "Invalid type for 'metadata': expected an object, but got an array instead.",
        "metadata",
        "invalid_type",
    ),
    (
        "responses",
        "include not array",
        {"include": "x"},
        "Invalid type for 'include': expected an array, but got a string instead.",
        "include",
        "invalid_type",
    ),
    (
        "responses",
        "reasoning not object",
        {"reasoning": "high"},
        "Invalid type for 'reasoning': expected an object, but got a string instead.",
        "reasoning",
        "invalid_type",
    ),
    (
        "responses",
        "text not object",
        {"text": "x"},
        "Invalid type for 'text': expected an object, but got a string instead.",
        "text",
        "invalid_type",
    ),
    (
        "responses",
        "text.format not object",
        {"text": {"format": "json"}},
        "Invalid type for 'text.format': expected an object, but got a string instead.",
        "text.format",
        "invalid_type",
    ),
    (
        "responses",
        "text.format type missing",
        {"text": {"format": {}}},
        "Missing required parameter: 'text.format.type'.",
        "text.format.type",
        "missing_required_parameter",
    ),
    (
        "responses",
        "text.format.name not string",
        {"text": {"format": {"type": "json_schema", "name": 5, "schema": {}}}},
        "Invalid type for 'text.format.name': expected a string, but got an integer instead.",
        "text.format.name",
        "invalid_type",
    ),
    (
        "responses",
        "text.format.schema not object",
        {"text": {"format": {"type": "json_schema", "name": "s", "schema": []}}},
        "Invalid type for 'text.format.schema': expected an object, but got an array instead.",
        "text.format.schema",
        "invalid_type",
    ),
    (
        "responses",
        "text.format.strict not boolean",
        {"text": {"format": {"type": "json_schema", "name": "s", "schema": {}, "strict": "yes"}}},
        "Invalid type for 'text.format.strict': expected a boolean, but got a string instead.",
        "text.format.strict",
        "invalid_type",
    ),
    (
        "responses",
        "item id not string",
        {"input": [{"role": "user", "content": "q", "id": 5}]},
        "Invalid type for 'input[0].id': expected a string, but got an integer instead.",
        "input[0].id",
        "invalid_type",
    ),
    (
        "responses",
        "input part not object",
        {"input": [{"role": "user", "content": ["q"]}]},
        "Invalid type for 'input[0].content[0]': expected an object, but got a string instead.",
        "input[0].content[0]",
        "invalid_type",
    ),
    (
        "responses",
        "input part type missing",
        {"input": [{"role": "user", "content": [{"text": "q"}]}]},
        "Missing required parameter: 'input[0].content[0].type'.",
        "input[0].content[0].type",
        "missing_required_parameter",
    ),
    (
        "responses",
        "reasoning content not array",
        {"input": [{"type": "reasoning", "summary": [], "content": "x"}]},
        "Invalid type for 'input[0].content': expected an array, but got a string instead.",
        "input[0].content",
        "invalid_type",
    ),
    (
        "responses",
        "summary part type",
        {"input": [{"type": "reasoning", "summary": [{"type": "text", "text": "s"}]}]},
        "Invalid value: 'text'. Supported values are: 'summary_text'.",
        "input[0].summary[0].type",
        "invalid_value",
    ),
    (
        "responses",
        "summary part not object",
        {"input": [{"type": "reasoning", "summary": ["s"]}]},
        "Invalid value: 's'. Supported values are: 'summary_text'.",
        "input[0].summary[0].type",
        "invalid_value",
    ),
    (
        "responses",
        "summary text missing",
        {"input": [{"type": "reasoning", "summary": [{"type": "summary_text"}]}]},
        "Missing required parameter: 'input[0].summary[0].text'.",
        "input[0].summary[0].text",
        "missing_required_parameter",
    ),
    (
        "responses",
        "reasoning content part type",
        {
            "input": [
                {
                    "type": "reasoning",
                    "summary": [],
                    "content": [{"type": "summary_text", "text": "r"}],
                }
            ]
        },
        "Invalid value: 'summary_text'. Supported values are: 'reasoning_text'.",
        "input[0].content[0].type",
        "invalid_value",
    ),
    (
        "responses",
        "encrypted_content not string",
        {"input": [{"type": "reasoning", "summary": [], "encrypted_content": 5}]},
        (
            "Invalid type for 'input[0].encrypted_content': expected a string, but got an integer "
            "instead."
        ),
        "input[0].encrypted_content",
        "invalid_type",
    ),
]

MALFORMED: list[tuple[str, str, dict[str, Any], str, str | None, str | None]] = [
    # Bodies that once crashed a validator: the server closed the connection, no answer.
    (
        "responses",
        "input item type an array",
        {"input": [{"type": []}]},
        "Invalid value: '[]'. Supported values are: 'message', 'function_call', "
        "'function_call_output', 'reasoning', and 'item_reference'.",
        "input[0].type",
        "invalid_value",
    ),
    (
        "chat",
        "allowed tool function not an object",
        {
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": {
                "type": "allowed_tools",
                "allowed_tools": {"mode": "auto", "tools": [{"type": "function", "function": 1}]},
            },
        },
        "Missing required parameter: 'tool_choice.allowed_tools.tools[0].function.name'.",
        "tool_choice.allowed_tools.tools[0].function.name",
        "missing_required_parameter",
    ),
    (
        "responses",
        "strict properties not an object",
        {
            "tools": [
                {
                    "type": "function",
                    "name": "f",
                    "strict": True,
                    "parameters": {
                        "type": "object",
                        "properties": True,
                        "additionalProperties": False,
                    },
                }
            ]
        },
        "Invalid schema for function 'f': True is not of type 'object'.",
        "tools[0].parameters",
        "invalid_function_parameters",
    ),
    (
        "responses",
        "strict anyOf not an array",
        {
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": "s",
                    "strict": True,
                    "schema": {
                        "type": "object",
                        "properties": {"a": {"anyOf": {"type": "string"}}},
                        "required": ["a"],
                        "additionalProperties": False,
                    },
                }
            }
        },
        "Invalid schema for response_format 's': {'type': 'string'} is not of type 'array'.",
        "text.format.schema",
        "invalid_json_schema",
    ),
]


_BASE = {
    "chat": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
    "responses": {"model": "m", "input": "x"},
}
_PATH = {"chat": "/chat/completions", "responses": "/responses"}


@pytest.mark.parametrize(
    ("endpoint", "case", "fields", "message", "param", "code"),
    CASES + MALFORMED,
    ids=[f"{c[0]}-{c[1]}" for c in CASES + MALFORMED],
)
def test_error_object_is_exact(
    client: httpx.Client,
    endpoint: str,
    case: str,
    fields: dict[str, Any],
    message: str,
    param: str | None,
    code: str | None,
) -> None:
    resp = client.post(_PATH[endpoint], json={**_BASE[endpoint], **fields})
    assert resp.status_code == 400, resp.text
    expected = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    assert error_of(resp) == expected
