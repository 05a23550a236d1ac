"""Shared pieces of the strict thinking tests: requests, stream merging, echo building."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
from _helpers import TIME_TOOL, WEATHER_TOOL, parse_sse

from langchain_compat_chat.testing import DIALECT_HEADER

TOOLS = [WEATHER_TOOL, TIME_TOOL]
USER = {"role": "user", "content": "What is the weather in Paris?"}
NAMED = {"type": "function", "function": {"name": "get_weather"}}
EXPECTED_PRESETS = [
    "deepseek-thinking",
    "kimi-thinking",
    "kimi-k3",
    "qwen-thinking",
    "vllm-thinking",
    "sglang-thinking",
    "glm-thinking",
    "minimax-thinking",
    "openrouter-thinking",
    "groq-thinking",
    "mistral-thinking",
    "claude-thinking",
    "claude-5-thinking",
    "claude-5.5-thinking",
    "gemini-thinking",
    "gpt-oss-thinking",
]
# What turns thinking on where it is off by default.
THINK_ON: dict[str, dict[str, Any]] = {
    "qwen-thinking": {"enable_thinking": True},
    "openrouter-thinking": {"reasoning": {"enabled": True}},
    "claude-thinking": {"thinking": {"type": "enabled", "budget_tokens": 2048}},
}
# And off, for presets that can be switched.
THINK_OFF: dict[str, dict[str, Any]] = {
    "deepseek-thinking": {"thinking": {"type": "disabled"}},
    "kimi-thinking": {"thinking": {"type": "disabled"}},
    "qwen-thinking": {"enable_thinking": False},
    "claude-thinking": {},
    "vllm-thinking": {"chat_template_kwargs": {"enable_thinking": False}},
}


def post(
    client: httpx.Client, dialect: str, *, stream: bool = False, **body: Any
) -> httpx.Response:
    body.setdefault("model", "m")
    body.setdefault("messages", [USER])
    if stream:
        body["stream"] = True
    return client.post("/chat/completions", json=body, headers={DIALECT_HEADER: dialect})


def message_of(resp: httpx.Response, stream: bool) -> dict[str, Any]:
    """The assistant message of a 200 answer; a stream is merged the way a client must."""
    assert resp.status_code == 200, resp.text
    if not stream:
        message: dict[str, Any] = resp.json()["choices"][0]["message"]
        return message
    out: dict[str, Any] = {"role": "assistant", "content": None}
    details: dict[int, dict[str, Any]] = {}
    calls: dict[int, dict[str, Any]] = {}
    items = parse_sse(resp.text)
    assert items[-1] == "[DONE]"
    for chunk in items[:-1]:
        for choice in chunk.get("choices", []):
            delta = choice["delta"]
            if isinstance(delta.get("content"), str) and delta["content"]:
                out["content"] = (out["content"] or "") + delta["content"]
            for key in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(key), str):
                    out[key] = out.get(key, "") + delta[key]
            for part in delta.get("reasoning_details") or ():
                block = details.setdefault(part["index"], {**part, "text": ""})
                block["text"] += part.get("text") or ""
                if part.get("signature"):
                    block["signature"] = part["signature"]
            for part in delta.get("tool_calls") or ():
                # vLLM leaves out ``index``: a delta with an id starts the next call
                index = part.get("index")
                if index is None:
                    index = len(calls) if part.get("id") else len(calls) - 1
                call = calls.setdefault(
                    index,
                    {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                )
                call["id"] = part.get("id") or call["id"]
                fn = part.get("function") or {}
                call["function"]["name"] += fn.get("name") or ""
                call["function"]["arguments"] += fn.get("arguments") or ""
                if "extra_content" in part:
                    call["extra_content"] = part["extra_content"]
    if details:
        out["reasoning_details"] = [details[k] for k in sorted(details)]
    if calls:
        out["tool_calls"] = [calls[k] for k in sorted(calls)]
    return out


def first_turn(
    client: httpx.Client, dialect: str, stream: bool, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A thinking tool-call turn from the server: (assistant message, body used)."""
    body: dict[str, Any] = {"tools": TOOLS, "seed": 7, **THINK_ON.get(dialect, {}), **extra}
    message = message_of(post(client, dialect, stream=stream, **copy.deepcopy(body)), stream)
    assert message.get("tool_calls"), message
    return message, body


def echo_of(message: dict[str, Any], field: str) -> dict[str, Any]:
    """The assistant history entry a round-tripping client sends for ``message``."""
    sent: dict[str, Any] = {
        "role": "assistant",
        "content": message.get("content"),
        "tool_calls": [
            {k: v for k, v in c.items() if k in ("id", "type", "function", "extra_content")}
            for c in message["tool_calls"]
        ],
    }
    if field in ("reasoning_content", "reasoning", "reasoning_details"):
        sent[field] = message[field]
    return sent


def next_body(first: dict[str, Any], assistant: dict[str, Any], **extra: Any) -> dict[str, Any]:
    tool_results = [
        {"role": "tool", "tool_call_id": c["id"], "content": "sunny"}
        for c in assistant["tool_calls"]
    ]
    return {**first, "messages": [USER, assistant, *tool_results], **extra}


def error_message(resp: httpx.Response) -> str:
    """The error message wherever the provider puts it."""
    body = resp.json()
    if isinstance(body, list):  # Gemini's OpenAI endpoint sends a list of errors
        (body,) = body
    err = body.get("error", body)
    if isinstance(err.get("metadata"), dict):  # OpenRouter wraps the upstream error
        return str(json.loads(err["metadata"]["raw"])["error"]["message"])
    if isinstance(err.get("message"), dict):  # Mistral's pydantic detail
        return str(err["message"]["detail"][0]["msg"])
    return str(err["message"])
