"""Render a planned answer as a Responses API ``response`` object.

The planned answer (``_chat.CompletionPlan``, one choice) becomes the output items of
OpenAI's Responses API, in its order: a ``reasoning`` item when the model thought (its
text as ``reasoning_text`` content, as vLLM, llama.cpp and LM Studio send it; a
``summary_text`` when ``reasoning.summary`` asks; a sealed ``encrypted_content`` when
``include`` asks for ``reasoning.encrypted_content``), then the assistant ``message``
with one ``output_text`` part, then one ``function_call`` item per call. A token budget
that ran out makes the response ``incomplete`` with ``incomplete_details.reason:
"max_output_tokens"``.

Shapes: openai-python ``src/openai/types/responses/`` (``response.py``,
``response_output_message.py``, ``response_output_text.py``,
``response_function_tool_call.py``, ``response_reasoning_item.py``,
``response_usage.py``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from langchain_compat_chat.testing._chat import ChoicePlan, CompletionPlan
from langchain_compat_chat.testing._thinking import seal_reasoning

__all__ = ["new_id", "render_response", "snapshot", "usage_of"]


def new_id(prefix: str) -> str:
    """An id in OpenAI's style for this kind of object: ``resp_…``, ``msg_…``, ``fc_…``."""
    return f"{prefix}_{secrets.token_hex(24)}"


def usage_of(plan: CompletionPlan) -> dict[str, Any]:
    """The Responses ``usage``: input/output tokens with cached and reasoning details."""
    output = plan.completion_tokens
    reasoning = sum(len(c.reasoning) for c in plan.choices) if plan.reasoning_in_field else 0
    return {
        "input_tokens": plan.prompt_tokens,
        "input_tokens_details": {"cached_tokens": plan.cached_tokens},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": min(reasoning, output)},
        "total_tokens": plan.prompt_tokens + output,
    }


def render_response(plan: CompletionPlan, body: Mapping[str, Any]) -> dict[str, Any]:
    """The finished ``response`` object for a validated request and its plan."""
    choice = plan.choices[0]
    incomplete = choice.finish_reason == "length"
    response = snapshot(body, plan.model, plan.created)
    response.update(
        {
            "status": "incomplete" if incomplete else "completed",
            "completed_at": None if incomplete else int(time.time()),
            "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
            "output": output_items(choice, body),
            "usage": usage_of(plan),
        }
    )
    return response


def output_items(choice: ChoicePlan, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The output items of one planned choice, in the order they are produced."""
    incomplete = choice.finish_reason == "length"
    items: list[dict[str, Any]] = []
    if choice.reasoning:
        items.append(_reasoning_item("".join(choice.reasoning), body, incomplete))
    text = "".join(choice.content or ())
    if text or not (choice.tool_calls or incomplete):
        part: dict[str, Any] = {
            "type": "output_text",
            "annotations": [],
            "logprobs": [],
            "text": text,
        }
        if choice.logprobs is not None:
            part["logprobs"] = choice.logprobs
        items.append(
            {
                "id": new_id("msg"),
                "type": "message",
                "status": "incomplete" if incomplete and not choice.tool_calls else "completed",
                "content": [part],
                "role": "assistant",
            }
        )
    for k, call in enumerate(choice.tool_calls):
        last = k == len(choice.tool_calls) - 1
        items.append(
            {
                "id": new_id("fc"),
                "type": "function_call",
                "status": "incomplete" if incomplete and last else "completed",
                "arguments": call.arguments,
                "call_id": call.id,
                "name": call.name,
            }
        )
    return items


def _reasoning_item(text: str, body: Mapping[str, Any], incomplete: bool) -> dict[str, Any]:
    reasoning = body.get("reasoning") or {}
    wants_summary = (reasoning.get("summary") or reasoning.get("generate_summary")) is not None
    item: dict[str, Any] = {
        "id": new_id("rs"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}] if wants_summary else [],
        "content": [{"type": "reasoning_text", "text": text}],
    }
    if "reasoning.encrypted_content" in (body.get("include") or ()):
        item["encrypted_content"] = seal_reasoning(text)
    item["status"] = "incomplete" if incomplete else "completed"
    return item


def snapshot(body: Mapping[str, Any], model: str, created: int) -> dict[str, Any]:
    """The response object before any output: what ``response.created`` carries.

    It echoes the request's settings with the real API's defaults filled in, as
    api.openai.com does.
    """
    reasoning = body.get("reasoning") or {}
    text = dict(body.get("text") or {})
    text.setdefault("format", {"type": "text"})
    text.setdefault("verbosity", "medium")
    return {
        "id": new_id("resp"),
        "object": "response",
        "created_at": created,
        "status": "in_progress",
        "background": False,
        "completed_at": None,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": body.get("max_tool_calls"),
        "model": model,
        "output": [],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": "default",
        "store": bool(body.get("store", False)),
        "temperature": body.get("temperature", 1.0),
        "text": text,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": list(body.get("tools") or ()),
        "top_logprobs": body.get("top_logprobs", 0),
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": None,
        "user": body.get("user"),
        "metadata": dict(body.get("metadata") or {}),
    }
