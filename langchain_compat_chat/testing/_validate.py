"""Strict request validation for the reference server, worded like api.openai.com.

Real providers reject malformed requests with a 400 and an OpenAI-shaped error body
``{"error": {"message", "type", "param", "code"}}``. A client that only ever meets a
lenient fake never learns that its tool history or its parameters are wrong, so this
module is deliberately strict: it checks what the real API checks, in the same words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._config import dumps

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
USER_PART_TYPES = ("text", "image_url", "input_audio", "file")
VIDEO_PART_TYPES = ("video_url", "video")
CONTENT_PART_TYPES = (*USER_PART_TYPES, "refusal", "audio")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
_TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

KNOWN_PARAMS = frozenset(
    {
        "model",
        "messages",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
"""Top-level body keys api.openai.com accepts (used with ``reject_unknown_params``)."""


class ApiError(Exception):
    """An HTTP error answer with an OpenAI-shaped body.

    Attributes:
        status: HTTP status code.
        message: Human-readable message (``error.message``).
        type: ``error.type``, e.g. ``invalid_request_error``.
        param: The offending parameter path, or ``None``.
        code: Machine-readable code, e.g. ``invalid_type``, or ``None``.
        headers: Extra response headers (e.g. ``Retry-After``).

    """

    def __init__(
        self,
        status: int,
        message: str,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def payload(self) -> dict[str, Any]:
        """The JSON error object as sent on the wire."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def body(self) -> bytes:
        """The serialised error body."""
        return dumps(self.payload())


def _bad(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", param, code)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _invalid_type(param: str, expected: str, value: Any) -> ApiError:
    return _bad(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param,
        "invalid_type",
    )


def _invalid_value(param: str, value: Any, supported: Sequence[str]) -> ApiError:
    quoted = [f"'{s}'" for s in supported]
    listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    return _bad(
        f"Invalid value: '{value}'. Supported values are: {listed}.", param, "invalid_value"
    )


def _missing(param: str) -> ApiError:
    return _bad(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_body(raw: bytes) -> dict[str, Any]:
    """Parse the request body; a non-JSON or non-object body is a 400 like OpenAI's."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bad(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)"
        ) from None
    if not isinstance(body, dict):
        raise _bad(
            f"Invalid type for request body: expected an object, but got {_type_name(body)} "
            "instead.",
            None,
            "invalid_type",
        )
    return body


def validate_chat_request(
    body: Mapping[str, Any],
    *,
    reject_unknown: bool = False,
    accept_video: bool = False,
    reasoning_efforts: Sequence[str] = REASONING_EFFORTS,
) -> None:
    """Validate a Chat Completions request body.

    ``accept_video`` admits the Qwen-VL ``video_url`` / ``video`` (frame list) user parts
    that DashScope and vLLM take and api.openai.com rejects.

    Raises:
        ApiError: 400 with the first problem found, worded like the real API.

    """
    if reject_unknown:
        for key in body:
            if key not in KNOWN_PARAMS:
                raise _bad(f"Unrecognized request argument supplied: {key}", key)
    _validate_model(body)
    _validate_messages(body, accept_video)
    tool_names = _validate_tools(body)
    _validate_tool_choice(body, tool_names)
    _validate_sampling(body, reasoning_efforts)
    _validate_response_format(body)


def _validate_model(body: Mapping[str, Any]) -> None:
    if "model" not in body:
        raise _bad("you must provide a model parameter")
    model = body["model"]
    if not isinstance(model, str):
        raise _invalid_type("model", "a string", model)
    if not model:
        raise _bad("you must provide a model parameter")


def _validate_messages(body: Mapping[str, Any], accept_video: bool = False) -> None:
    user_parts = USER_PART_TYPES + VIDEO_PART_TYPES if accept_video else USER_PART_TYPES
    if "messages" not in body:
        raise _missing("messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise _invalid_type("messages", "an array", messages)
    if not messages:
        raise _bad(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            "messages",
            "empty_array",
        )
    pending: dict[str, int] = {}
    answered: set[str] = set()
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise _invalid_type(where, "an object", msg)
        if "role" not in msg:
            raise _missing(f"{where}.role")
        role = msg["role"]
        if role not in ROLES:
            raise _invalid_value(f"{where}.role", role, ROLES)
        if role != "tool" and pending:
            _unanswered(pending)
        if role in ("system", "developer"):
            _validate_content(msg, where, allowed=("text",), required=True)
        elif role == "user":
            _validate_content(msg, where, allowed=user_parts, required=True)
        elif role == "assistant":
            calls = msg.get("tool_calls")
            has_calls = isinstance(calls, list) and bool(calls)
            has_fn = msg.get("function_call") is not None
            _validate_content(
                msg, where, allowed=("text", "refusal"), required=not (has_calls or has_fn)
            )
            if calls is not None:
                for call_id in _validate_tool_calls(calls, f"{where}.tool_calls"):
                    pending[call_id] = i
        elif role == "tool":
            answer_id = msg.get("tool_call_id")
            if answer_id is None:
                raise _missing(f"{where}.tool_call_id")
            if not isinstance(answer_id, str):
                raise _invalid_type(f"{where}.tool_call_id", "a string", answer_id)
            _validate_content(msg, where, allowed=("text",), required=True)
            if answer_id not in pending:
                if answer_id in answered or not pending:
                    raise _bad(
                        "Invalid parameter: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls'.",
                        f"{where}.role",
                    )
                raise _bad(
                    f"Invalid parameter: 'tool_call_id' of '{answer_id}' not found in "
                    "'tool_calls' of previous message.",
                    f"{where}.tool_call_id",
                )
            del pending[answer_id]
            answered.add(answer_id)
        elif role == "function" and not isinstance(msg.get("name"), str):
            raise _missing(f"{where}.name")
        name = msg.get("name")
        if name is not None and not isinstance(name, str):
            raise _invalid_type(f"{where}.name", "a string", name)
    if pending:
        _unanswered(pending)


def _unanswered(pending: Mapping[str, int]) -> None:
    first = min(pending.values())
    ids = ", ".join(k for k, v in pending.items() if v == first)
    raise _bad(
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        f"to each 'tool_call_id'. The following tool_call_ids did not have response "
        f"messages: {ids}",
        f"messages.[{first}].role",
    )


def _validate_content(
    msg: Mapping[str, Any], where: str, *, allowed: Sequence[str], required: bool
) -> None:
    param = f"{where}.content"
    if "content" not in msg:
        if required:
            raise _missing(param)
        return
    content = msg["content"]
    if content is None:
        if required:
            raise _invalid_type(param, "one of a string or array of objects", content)
        return
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _invalid_type(param, "one of a string or array of objects", content)
    if not content and required:
        raise _bad(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but "
            "got an empty array instead.",
            param,
            "empty_array",
        )
    for j, part in enumerate(content):
        ppath = f"{param}[{j}]"
        if not isinstance(part, dict):
            raise _invalid_type(ppath, "an object", part)
        ptype = part.get("type")
        if ptype is None:
            raise _missing(f"{ppath}.type")
        if ptype not in CONTENT_PART_TYPES and ptype not in allowed:
            raise _invalid_value(f"{ppath}.type", ptype, CONTENT_PART_TYPES)
        if ptype not in allowed:
            role = msg.get("role")
            listed = ", ".join(f"'{a}'" for a in allowed)
            raise _bad(
                f"Invalid value: '{ptype}'. Supported values for role '{role}' are: {listed}.",
                f"{ppath}.type",
                "invalid_value",
            )
        if ptype in ("text", "refusal"):
            key = ptype
            if key not in part:
                raise _missing(f"{ppath}.{key}")
            if not isinstance(part[key], str):
                raise _invalid_type(f"{ppath}.{key}", "a string", part[key])
        elif ptype == "image_url":
            image = part.get("image_url")
            if image is None:
                raise _missing(f"{ppath}.image_url")
            if not isinstance(image, dict):
                raise _invalid_type(f"{ppath}.image_url", "an object", image)
            if not isinstance(image.get("url"), str):
                raise _missing(f"{ppath}.image_url.url")
            detail = image.get("detail")
            if detail is not None and detail not in ("auto", "low", "high"):
                raise _invalid_value(f"{ppath}.image_url.detail", detail, ("auto", "low", "high"))
        elif ptype == "input_audio":
            audio = part.get("input_audio")
            if not isinstance(audio, dict):
                raise _missing(f"{ppath}.input_audio")
            if not isinstance(audio.get("data"), str):
                raise _missing(f"{ppath}.input_audio.data")
            if audio.get("format") not in ("wav", "mp3"):
                raise _invalid_value(
                    f"{ppath}.input_audio.format", audio.get("format"), ("wav", "mp3")
                )
        elif ptype == "video_url":
            video = part.get("video_url")
            if not isinstance(video, dict) or not isinstance(video.get("url"), str):
                raise _missing(f"{ppath}.video_url.url")
        elif ptype == "video":
            frames = part.get("video")
            if not (
                isinstance(frames, list) and frames and all(isinstance(f, str) for f in frames)
            ):
                raise _invalid_type(f"{ppath}.video", "a non-empty array of image URLs", frames)
        elif ptype == "file":
            file = part.get("file")
            if not isinstance(file, dict):
                raise _missing(f"{ppath}.file")
            if not any(isinstance(file.get(k), str) for k in ("file_data", "file_id")):
                raise _bad(
                    f"Invalid '{ppath}.file': expected 'file_data' or 'file_id'.",
                    f"{ppath}.file",
                    "invalid_value",
                )


def _validate_tool_calls(calls: Any, where: str) -> list[str]:
    if not isinstance(calls, list):
        raise _invalid_type(where, "an array", calls)
    ids: list[str] = []
    for k, call in enumerate(calls):
        cpath = f"{where}[{k}]"
        if not isinstance(call, dict):
            raise _invalid_type(cpath, "an object", call)
        call_id = call.get("id")
        if call_id is None:
            raise _missing(f"{cpath}.id")
        if not isinstance(call_id, str):
            raise _invalid_type(f"{cpath}.id", "a string", call_id)
        if call.get("type") != "function":
            if "type" not in call:
                raise _missing(f"{cpath}.type")
            raise _invalid_value(f"{cpath}.type", call.get("type"), ("function",))
        fn = call.get("function")
        if fn is None:
            raise _missing(f"{cpath}.function")
        if not isinstance(fn, dict):
            raise _invalid_type(f"{cpath}.function", "an object", fn)
        if not isinstance(fn.get("name"), str):
            raise _missing(f"{cpath}.function.name")
        if "arguments" not in fn:
            raise _missing(f"{cpath}.function.arguments")
        if not isinstance(fn["arguments"], str):
            raise _invalid_type(f"{cpath}.function.arguments", "a string", fn["arguments"])
        ids.append(call_id)
    return ids


def _validate_tools(body: Mapping[str, Any]) -> list[str]:
    if "tools" not in body or body["tools"] is None:
        return []
    tools = body["tools"]
    if not isinstance(tools, list):
        raise _invalid_type("tools", "an array", tools)
    if not tools:
        raise _bad(
            "Invalid 'tools': empty array. Expected an array with minimum length 1, but got "
            "an empty array instead.",
            "tools",
            "empty_array",
        )
    names: list[str] = []
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise _invalid_type(where, "an object", tool)
        if "type" not in tool:
            raise _missing(f"{where}.type")
        if tool["type"] != "function":
            raise _invalid_value(f"{where}.type", tool["type"], ("function", "custom"))
        fn = tool.get("function")
        if fn is None:
            raise _missing(f"{where}.function")
        if not isinstance(fn, dict):
            raise _invalid_type(f"{where}.function", "an object", fn)
        name = fn.get("name")
        if name is None:
            raise _missing(f"{where}.function.name")
        if not isinstance(name, str):
            raise _invalid_type(f"{where}.function.name", "a string", name)
        if not _TOOL_NAME_RE.match(name):
            raise _bad(
                f"Invalid '{where}.function.name': string does not match pattern. Expected a "
                "string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                f"{where}.function.name",
                "invalid_value",
            )
        if name in names:
            raise _bad(
                f"Invalid 'tools': duplicate function name '{name}'.",
                "tools",
                "invalid_value",
            )
        params = fn.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise _invalid_type(f"{where}.function.parameters", "an object", params)
        if isinstance(params, dict) and params.get("type", "object") != "object":
            raise _bad(
                f"Invalid schema for function '{name}': schema must be a JSON Schema of "
                f"'type: \"object\"', got 'type: \"{params.get('type')}\"'.",
                f"{where}.function.parameters",
                "invalid_function_parameters",
            )
        desc = fn.get("description")
        if desc is not None and not isinstance(desc, str):
            raise _invalid_type(f"{where}.function.description", "a string", desc)
        names.append(name)
    return names


def _validate_tool_choice(body: Mapping[str, Any], tool_names: Sequence[str]) -> None:
    if body.get("parallel_tool_calls") is not None:
        if not isinstance(body["parallel_tool_calls"], bool):
            raise _invalid_type("parallel_tool_calls", "a boolean", body["parallel_tool_calls"])
        if not tool_names:
            raise _bad(
                "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only "
                "allowed when 'tools' are specified.",
                "parallel_tool_calls",
            )
    if body.get("tool_choice") is None:
        return
    choice = body["tool_choice"]
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise _invalid_value("tool_choice", choice, ("none", "auto", "required"))
    elif isinstance(choice, dict):
        ctype = choice.get("type")
        if ctype == "function":
            fn = choice.get("function")
            if not isinstance(fn, dict):
                raise _missing("tool_choice.function")
            if not isinstance(fn.get("name"), str):
                raise _missing("tool_choice.function.name")
            if tool_names and fn["name"] not in tool_names:
                raise _bad(
                    f"Invalid value for 'tool_choice': function '{fn['name']}' not found in "
                    "'tools'.",
                    "tool_choice",
                    "invalid_value",
                )
        elif ctype == "allowed_tools":
            allowed = choice.get("allowed_tools")
            if not isinstance(allowed, dict):
                raise _missing("tool_choice.allowed_tools")
            if allowed.get("mode") not in ("auto", "required"):
                raise _invalid_value(
                    "tool_choice.allowed_tools.mode", allowed.get("mode"), ("auto", "required")
                )
            listed = allowed.get("tools")
            if not isinstance(listed, list) or not listed:
                raise _missing("tool_choice.allowed_tools.tools")
            for j, item in enumerate(listed):
                name = (item.get("function") or {}).get("name") if isinstance(item, dict) else None
                if not isinstance(name, str):
                    raise _missing(f"tool_choice.allowed_tools.tools[{j}].function.name")
                if tool_names and name not in tool_names:
                    raise _bad(
                        f"Invalid value for 'tool_choice': function '{name}' not found in 'tools'.",
                        "tool_choice",
                        "invalid_value",
                    )
        elif ctype is None:
            raise _missing("tool_choice.type")
        else:
            raise _invalid_value("tool_choice.type", ctype, ("function", "allowed_tools"))
    else:
        raise _invalid_type("tool_choice", "one of a string or object", choice)
    if not tool_names:
        raise _bad(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            "specified.",
            "tool_choice",
        )


def _check_range(
    body: Mapping[str, Any], name: str, lo: float, hi: float | None, *, integer: bool
) -> None:
    if body.get(name) is None:
        return
    value = body[name]
    if integer and not _is_int(value):
        raise _invalid_type(name, "an integer", value)
    if not integer and not _is_number(value):
        raise _invalid_type(name, "a number", value)
    kind = "integer" if integer else "decimal"
    if value < lo:
        raise _bad(
            f"Invalid '{name}': {kind} below minimum value. Expected a value >= {lo:g}, but "
            f"got {value} instead.",
            name,
            f"{kind}_below_min_value",
        )
    if hi is not None and value > hi:
        raise _bad(
            f"Invalid '{name}': {kind} above maximum value. Expected a value <= {hi:g}, but "
            f"got {value} instead.",
            name,
            f"{kind}_above_max_value",
        )


def _validate_sampling(body: Mapping[str, Any], efforts: Sequence[str] = REASONING_EFFORTS) -> None:
    _check_range(body, "n", 1, 128, integer=True)
    _check_range(body, "max_tokens", 1, None, integer=True)
    _check_range(body, "max_completion_tokens", 1, None, integer=True)
    _check_range(body, "temperature", 0, 2, integer=False)
    _check_range(body, "top_p", 0, 1, integer=False)
    _check_range(body, "presence_penalty", -2, 2, integer=False)
    _check_range(body, "frequency_penalty", -2, 2, integer=False)
    _check_range(body, "top_logprobs", 0, 20, integer=True)
    if body.get("seed") is not None and not _is_int(body["seed"]):
        raise _invalid_type("seed", "an integer", body["seed"])
    for flag in ("stream", "logprobs", "store"):
        if body.get(flag) is not None and not isinstance(body[flag], bool):
            raise _invalid_type(flag, "a boolean", body[flag])
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise _bad(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is specified.",
            "top_logprobs",
        )
    options = body.get("stream_options")
    if options is not None:
        if not body.get("stream"):
            raise _bad(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                "stream_options",
            )
        if not isinstance(options, dict):
            raise _invalid_type("stream_options", "an object", options)
        inc = options.get("include_usage")
        if inc is not None and not isinstance(inc, bool):
            raise _invalid_type("stream_options.include_usage", "a boolean", inc)
    stop = body.get("stop")
    if stop is not None:
        if isinstance(stop, list):
            if len(stop) > 4:
                raise _bad(
                    f"Invalid 'stop': array too long. Expected an array with maximum length 4, "
                    f"but got an array with length {len(stop)} instead.",
                    "stop",
                    "array_above_max_length",
                )
            for k, item in enumerate(stop):
                if not isinstance(item, str):
                    raise _invalid_type(f"stop[{k}]", "a string", item)
        elif not isinstance(stop, str):
            raise _invalid_type("stop", "one of a string or array of strings", stop)
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in efforts:
        raise _invalid_value("reasoning_effort", effort, efforts)
    bias = body.get("logit_bias")
    if bias is not None and not isinstance(bias, dict):
        raise _invalid_type("logit_bias", "an object", bias)


def _validate_response_format(body: Mapping[str, Any]) -> None:
    fmt = body.get("response_format")
    if fmt is None:
        return
    if not isinstance(fmt, dict):
        raise _invalid_type("response_format", "an object", fmt)
    if "type" not in fmt:
        raise _missing("response_format.type")
    kind = fmt["type"]
    if kind not in ("text", "json_object", "json_schema"):
        raise _invalid_value("response_format.type", kind, ("json_object", "json_schema", "text"))
    if kind == "json_schema":
        spec = fmt.get("json_schema")
        if spec is None:
            raise _missing("response_format.json_schema")
        if not isinstance(spec, dict):
            raise _invalid_type("response_format.json_schema", "an object", spec)
        if not isinstance(spec.get("name"), str):
            raise _missing("response_format.json_schema.name")
        schema = spec.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise _invalid_type("response_format.json_schema.schema", "an object", schema)
    if kind == "json_object" and not _mentions_json(body.get("messages") or []):
        raise _bad(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of "
            "type 'json_object'.",
            "messages",
        )


def _mentions_json(messages: Sequence[Any]) -> bool:
    """Whether any message text says "json" (the real API's json_object precondition)."""
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        content = msg.get("content")
        if isinstance(content, str) and "json" in content.lower():
            return True
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and "json" in str(part.get("text", "")).lower():
                    return True
    return False
