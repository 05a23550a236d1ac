"""Validation of ``messages``: roles, content parts and the tool-call history.

The real API checks that every assistant ``tool_calls`` entry is answered by a ``tool``
message before the next turn, and that each role only carries the content part types it
accepts; a client that builds its history wrongly meets the same 400 here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import (
    bad,
    empty_array,
    invalid_type,
    invalid_value,
    missing,
    non_empty_array,
    optional,
    required,
    typed_item,
)

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
USER_PART_TYPES = ("text", "image_url", "input_audio", "file")
VIDEO_PART_TYPES = ("video_url", "video")
CONTENT_PART_TYPES = (*USER_PART_TYPES, "refusal", "audio")


def validate_messages(body: Mapping[str, Any], accept_video: bool = False) -> None:
    user_parts = USER_PART_TYPES + VIDEO_PART_TYPES if accept_video else USER_PART_TYPES
    if "messages" not in body:
        raise missing("messages")
    messages = non_empty_array(body["messages"], "messages")
    pending: dict[str, int] = {}
    answered: set[str] = set()
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise invalid_type(where, "an object", msg)
        if "role" not in msg:
            raise missing(f"{where}.role")
        role = msg["role"]
        if role not in ROLES:
            raise invalid_value(f"{where}.role", role, ROLES)
        if role != "tool" and pending:
            _unanswered(pending)
        if role in ("system", "developer"):
            _validate_content(msg, where, allowed=("text",), mandatory=True)
        elif role == "user":
            _validate_content(msg, where, allowed=user_parts, mandatory=True)
        elif role == "assistant":
            calls = msg.get("tool_calls")
            has_calls = isinstance(calls, list) and bool(calls)
            has_fn = msg.get("function_call") is not None
            _validate_content(
                msg, where, allowed=("text", "refusal"), mandatory=not (has_calls or has_fn)
            )
            if calls is not None:
                for call_id in _validate_tool_calls(calls, f"{where}.tool_calls"):
                    pending[call_id] = i
        elif role == "tool":
            answer_id = required(msg, "tool_call_id", "a string", f"{where}.tool_call_id")
            _validate_content(msg, where, allowed=("text",), mandatory=True)
            if answer_id not in pending:
                if answer_id in answered or not pending:
                    raise bad(
                        "Invalid parameter: messages with role 'tool' must be a response to a "
                        "preceeding message with 'tool_calls'.",
                        f"{where}.role",
                    )
                raise bad(
                    f"Invalid parameter: 'tool_call_id' of '{answer_id}' not found in "
                    "'tool_calls' of previous message.",
                    f"{where}.tool_call_id",
                )
            del pending[answer_id]
            answered.add(answer_id)
        elif role == "function" and not isinstance(msg.get("name"), str):
            raise missing(f"{where}.name")
        optional(msg, "name", "a string", f"{where}.name")
    if pending:
        _unanswered(pending)


def _unanswered(pending: Mapping[str, int]) -> None:
    first = min(pending.values())
    ids = ", ".join(k for k, v in pending.items() if v == first)
    raise bad(
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        f"to each 'tool_call_id'. The following tool_call_ids did not have response "
        f"messages: {ids}",
        f"messages.[{first}].role",
    )


def _validate_content(
    msg: Mapping[str, Any], where: str, *, allowed: Sequence[str], mandatory: bool
) -> None:
    param = f"{where}.content"
    if "content" not in msg:
        if mandatory:
            raise missing(param)
        return
    content = msg["content"]
    if content is None:
        if mandatory:
            raise invalid_type(param, "one of a string or array of objects", content)
        return
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise invalid_type(param, "one of a string or array of objects", content)
    if not content and mandatory:
        raise empty_array(param)
    for j, part in enumerate(content):
        ppath = f"{param}[{j}]"
        part, ptype = typed_item(part, ppath)
        if ptype not in CONTENT_PART_TYPES and ptype not in allowed:
            raise invalid_value(f"{ppath}.type", ptype, CONTENT_PART_TYPES)
        if ptype not in allowed:
            role = msg.get("role")
            listed = ", ".join(f"'{a}'" for a in allowed)
            raise bad(
                f"Invalid value: '{ptype}'. Supported values for role '{role}' are: {listed}.",
                f"{ppath}.type",
                "invalid_value",
            )
        if ptype in ("text", "refusal"):
            key = ptype
            if key not in part:
                raise missing(f"{ppath}.{key}")
            if not isinstance(part[key], str):
                raise invalid_type(f"{ppath}.{key}", "a string", part[key])
        elif ptype == "image_url":
            image = required(part, "image_url", "an object", f"{ppath}.image_url")
            if not isinstance(image.get("url"), str):
                raise missing(f"{ppath}.image_url.url")
            detail = image.get("detail")
            if detail is not None and detail not in ("auto", "low", "high"):
                raise invalid_value(f"{ppath}.image_url.detail", detail, ("auto", "low", "high"))
        elif ptype == "input_audio":
            audio = part.get("input_audio")
            if not isinstance(audio, dict):
                raise missing(f"{ppath}.input_audio")
            if not isinstance(audio.get("data"), str):
                raise missing(f"{ppath}.input_audio.data")
            if audio.get("format") not in ("wav", "mp3"):
                raise invalid_value(
                    f"{ppath}.input_audio.format", audio.get("format"), ("wav", "mp3")
                )
        elif ptype == "video_url":
            video = part.get("video_url")
            if not isinstance(video, dict) or not isinstance(video.get("url"), str):
                raise missing(f"{ppath}.video_url.url")
        elif ptype == "video":
            frames = part.get("video")
            if not (
                isinstance(frames, list) and frames and all(isinstance(f, str) for f in frames)
            ):
                raise invalid_type(f"{ppath}.video", "a non-empty array of image URLs", frames)
        elif ptype == "file":
            file = part.get("file")
            if not isinstance(file, dict):
                raise missing(f"{ppath}.file")
            if not any(isinstance(file.get(k), str) for k in ("file_data", "file_id")):
                raise bad(
                    f"Invalid '{ppath}.file': expected 'file_data' or 'file_id'.",
                    f"{ppath}.file",
                    "invalid_value",
                )


def _validate_tool_calls(calls: Any, where: str) -> list[str]:
    if not isinstance(calls, list):
        raise invalid_type(where, "an array", calls)
    ids: list[str] = []
    for k, call in enumerate(calls):
        cpath = f"{where}[{k}]"
        if not isinstance(call, dict):
            raise invalid_type(cpath, "an object", call)
        call_id = required(call, "id", "a string", f"{cpath}.id")
        if call.get("type") != "function":
            if "type" not in call:
                raise missing(f"{cpath}.type")
            raise invalid_value(f"{cpath}.type", call.get("type"), ("function",))
        fn = required(call, "function", "an object", f"{cpath}.function")
        if not isinstance(fn.get("name"), str):
            raise missing(f"{cpath}.function.name")
        if "arguments" not in fn:
            raise missing(f"{cpath}.function.arguments")
        if not isinstance(fn["arguments"], str):
            raise invalid_type(f"{cpath}.function.arguments", "a string", fn["arguments"])
        ids.append(call_id)
    return ids
