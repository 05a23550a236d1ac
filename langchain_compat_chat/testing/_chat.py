"""Plan and render one chat completion: what the "model" says, as JSON or as SSE chunks.

Planning (``plan_completion``) decides, from a validated request only, whether each choice
calls tools or answers in text, generates the tokens, applies ``stop`` and the token
budget, and counts usage. Rendering turns the plan into the exact wire objects: one
``chat.completion`` JSON object, or the list of ``chat.completion.chunk`` objects of a
stream, worded in the selected :class:`Dialect`. Keeping the two apart means every dialect
and every fault sees the same answer.
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_compat_chat.testing._config import Dialect
from langchain_compat_chat.testing._generate import (
    count_tokens,
    dumps_compact,
    generate_from_schema,
    generate_id,
    generate_json_object,
    generate_reasoning,
    generate_text,
    request_rng,
    split_tokens,
    token_logprobs,
)
from langchain_compat_chat.testing._thinking import (
    detail_deltas,
    detail_entries,
    tag_call_id,
    tags_call_ids,
    thinking_active,
    tool_call_extra,
)

MEDIA_TOKENS = {"image_url": 85, "input_audio": 50, "audio": 50, "file": 100}
"""Fixed prompt-token cost of non-text content parts."""


@dataclass
class ToolCallPlan:
    """One generated tool call."""

    id: str
    name: str
    arguments: str


@dataclass
class ChoicePlan:
    """Everything one choice says."""

    index: int
    reasoning: list[str] = field(default_factory=list)
    content: list[str] | None = None
    tool_calls: list[ToolCallPlan] = field(default_factory=list)
    finish_reason: str = "stop"
    logprobs: list[dict[str, Any]] | None = None

    @property
    def completion_tokens(self) -> int:
        """Tokens this choice generated (reasoning, content and tool arguments)."""
        args = sum(len(split_tokens(c.arguments)) + 1 for c in self.tool_calls)
        return len(self.reasoning) + len(self.content or ()) + args


@dataclass
class CompletionPlan:
    """A whole response: metadata, choices and usage numbers."""

    id: str
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChoicePlan]
    prompt_tokens: int
    cached_tokens: int
    reasoning_in_field: bool
    thinking: bool = False

    @property
    def completion_tokens(self) -> int:
        """Tokens generated over all choices."""
        return sum(c.completion_tokens for c in self.choices)

    def usage(self, dialect: Dialect, completion_tokens: int | None = None) -> dict[str, Any]:
        """The ``usage`` object as the dialect words it (optionally for a partial count)."""
        done = self.completion_tokens if completion_tokens is None else completion_tokens
        reasoning = sum(len(c.reasoning) for c in self.choices) if self.reasoning_in_field else 0
        reasoning = min(reasoning, done)
        # xAI counts reasoning in total_tokens and reasoning_tokens only
        shown = done - reasoning if dialect.completion_excludes_reasoning else done
        usage: dict[str, Any] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": shown,
            "total_tokens": self.prompt_tokens + done,
        }
        if dialect.cached_tokens_field == "prompt_tokens_details":
            usage["prompt_tokens_details"] = {
                "cached_tokens": self.cached_tokens,
                "audio_tokens": 0,
            }
        elif dialect.cached_tokens_field == "prompt_cache_hit_tokens":
            usage["prompt_cache_hit_tokens"] = self.cached_tokens
            usage["prompt_cache_miss_tokens"] = self.prompt_tokens - self.cached_tokens
        else:
            usage["cached_tokens"] = self.cached_tokens
        usage["completion_tokens_details"] = {
            "reasoning_tokens": reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
        return usage


# --------------------------------------------------------------------------------------
# Prompt accounting
# --------------------------------------------------------------------------------------


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return count_tokens(content)
    total = 0
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, Mapping):
                continue
            ptype = part.get("type")
            if ptype in ("text", "refusal"):
                total += count_tokens(str(part.get(ptype, "")))
            else:
                total += MEDIA_TOKENS.get(str(ptype), 10)
    return total


def message_tokens(message: Mapping[str, Any]) -> int:
    """Prompt tokens one message costs (3 framing tokens plus its parts)."""
    total = 3 + _content_tokens(message.get("content"))
    if isinstance(message.get("name"), str):
        total += 1 + count_tokens(message["name"])
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {} if isinstance(call, Mapping) else {}
        total += (
            3 + count_tokens(str(fn.get("name", ""))) + count_tokens(str(fn.get("arguments", "")))
        )
    for key in ("reasoning_content", "reasoning"):
        if isinstance(message.get(key), str):
            total += count_tokens(message[key])
    return total


def prompt_prefix_tokens(body: Mapping[str, Any]) -> tuple[list[str], list[int]]:
    """Cache keys and cumulative token counts for every message prefix of the prompt.

    The first prefix also holds the tools and response format (they are rendered at
    the top of the prompt), so a change there invalidates the cache like on real servers.
    """
    head = {k: body.get(k) for k in ("tools", "response_format") if body.get(k) is not None}
    base = 3
    if head:
        base += count_tokens(json.dumps(head, sort_keys=True, ensure_ascii=False))
    digest = hashlib.sha256(json.dumps(head, sort_keys=True, default=str).encode())
    keys: list[str] = []
    totals: list[int] = []
    running = base
    for msg in body.get("messages") or ():
        digest.update(json.dumps(msg, sort_keys=True, default=str).encode())
        running += message_tokens(msg) if isinstance(msg, Mapping) else 3
        keys.append(digest.copy().hexdigest())
        totals.append(running)
    return keys, totals


# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------


def wants_reasoning(body: Mapping[str, Any], dialect: Dialect) -> bool:
    """Whether this request gets reasoning text: it thinks and the dialect shows thinking.

    Which switches count (``reasoning_effort``, OpenRouter's ``reasoning`` object,
    ``thinking: {"type": "enabled"}``, top-level ``enable_thinking``,
    ``chat_template_kwargs.enable_thinking``) is ``Dialect.thinking_toggles``; an explicit
    "off" wins over ``Dialect.always_reason`` (see ``_thinking.thinking_active``).
    """
    return dialect.reasoning_field is not None and thinking_active(body, dialect)


def _tool_decision(body: Mapping[str, Any], rng: random.Random) -> list[Mapping[str, Any]]:
    """Pick the tools this choice calls (empty list: answer in text).

    ``auto`` calls a tool when the conversation ends with a user turn and answers in text
    after a tool result, so agent loops terminate. ``required`` with
    ``parallel_tool_calls`` (default true) and several tools calls two of them.
    """
    tools = [t["function"] for t in body.get("tools") or () if t.get("type") == "function"]
    if not tools:
        return []
    choice = body.get("tool_choice", "auto")
    parallel = body.get("parallel_tool_calls") is not False
    mode = "auto"
    pool = tools
    if choice == "none":
        return []
    if choice == "required":
        mode = "required"
    elif isinstance(choice, Mapping) and choice.get("type") == "function":
        name = choice["function"]["name"]
        return [t for t in tools if t["name"] == name][:1]
    elif isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        allowed = choice["allowed_tools"]
        names = {item["function"]["name"] for item in allowed["tools"]}
        pool = [t for t in tools if t["name"] in names] or tools
        mode = allowed["mode"]
    if mode == "auto":
        turns = [
            m for m in body.get("messages") or () if m.get("role") not in ("system", "developer")
        ]
        if not turns or turns[-1].get("role") != "user":
            return []
        return [rng.choice(pool)]
    if parallel and len(pool) >= 2:
        return rng.sample(pool, 2)
    return [rng.choice(pool)]


def _truncate_at_stop(text: str, stop: Any) -> tuple[str, bool]:
    stops = [stop] if isinstance(stop, str) else list(stop or ())
    cut = -1
    for s in stops:
        if not s:
            continue
        at = text.find(s)
        if at >= 0 and (cut < 0 or at < cut):
            cut = at
    return (text[:cut], True) if cut >= 0 else (text, False)


def _plan_choice(
    body: Mapping[str, Any],
    dialect: Dialect,
    index: int,
    budget: int | None,
    reasoning_on: bool,
) -> ChoicePlan:
    salt = f"choice:{index}:turn:{len(body.get('messages') or ())}"
    rng = request_rng(body, salt)
    plan = ChoicePlan(index=index)
    remaining = budget
    if reasoning_on and dialect.reasoning_field != "think_tags":
        plan.reasoning = split_tokens(generate_reasoning(rng))
        if remaining is not None and len(plan.reasoning) >= remaining:
            plan.reasoning = plan.reasoning[:remaining]
            plan.content = []
            plan.finish_reason = "length"
            return plan
        if remaining is not None:
            remaining -= len(plan.reasoning)
    chosen = _tool_decision(body, rng)
    if chosen:
        for tool in chosen:
            params = tool.get("parameters") or {"type": "object", "properties": {}}
            args = dumps_compact(generate_from_schema(params, rng))
            call = ToolCallPlan(id=generate_id(rng, "call_"), name=tool["name"], arguments=args)
            if plan.reasoning and tags_call_ids(dialect):
                # stateless proof of the reasoning sent with this call (strict echo rules)
                call.id = tag_call_id(call.id, "".join(plan.reasoning))
            cost = len(split_tokens(args)) + 1
            if remaining is not None and cost > remaining:
                call.arguments = "".join(split_tokens(args)[: max(remaining - 1, 0)])
                plan.tool_calls.append(call)
                plan.finish_reason = "length"
                return plan
            if remaining is not None:
                remaining -= cost
            plan.tool_calls.append(call)
        plan.finish_reason = "tool_calls"
        return plan
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
        text = dumps_compact(generate_from_schema(schema, rng))
    elif fmt.get("type") == "json_object":
        text = dumps_compact(generate_json_object(rng))
    else:
        text = generate_text(rng)
    if reasoning_on and dialect.reasoning_field == "think_tags":
        opening = "" if dialect.think_open_in_prompt else "<think>\n"
        text = f"{opening}{generate_reasoning(rng)}\n</think>\n\n{text}"
    text = _truncate_at_stop(text, body.get("stop"))[0]
    tokens = split_tokens(text)
    if remaining is not None and len(tokens) > remaining:
        tokens = tokens[:remaining]
        plan.finish_reason = "length"
    plan.content = tokens
    if body.get("logprobs"):
        plan.logprobs = token_logprobs(tokens, int(body.get("top_logprobs") or 0), rng)
    return plan


def plan_completion(
    body: Mapping[str, Any],
    dialect: Dialect,
    *,
    prompt_tokens: int,
    cached_tokens: int = 0,
    system_fingerprint: str = "fp_compat_ref",
) -> CompletionPlan:
    """Decide the whole answer to a validated request."""
    budget = body.get("max_completion_tokens")
    if budget is None:
        budget = body.get("max_tokens")
    reasoning_on = wants_reasoning(body, dialect)
    n = int(body.get("n") or 1)
    choices = [_plan_choice(body, dialect, i, budget, reasoning_on) for i in range(n)]
    return CompletionPlan(
        id="chatcmpl-" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y"),
        created=int(time.time()),
        model=str(body["model"]),
        system_fingerprint=system_fingerprint,
        choices=choices,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached_tokens,
        reasoning_in_field=reasoning_on and dialect.reasoning_field != "think_tags",
        thinking=thinking_active(body, dialect),
    )


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------


def render_completion(plan: CompletionPlan, dialect: Dialect) -> dict[str, Any]:
    """Render a non-streaming ``chat.completion`` object."""
    choices: list[dict[str, Any]] = []
    for c in plan.choices:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": "".join(c.content) if c.content is not None else None,
            "refusal": None,
            "annotations": [],
        }
        if c.reasoning and dialect.reasoning_field == "reasoning_details":
            if dialect.reasoning_text_too:
                message["reasoning"] = "".join(c.reasoning)
            message["reasoning_details"] = detail_entries(c.reasoning, dialect)
        elif c.reasoning and dialect.reasoning_field not in (None, "think_tags"):
            _put_reasoning(message, "".join(c.reasoning), dialect)
        if c.tool_calls:
            message["tool_calls"] = []
            for k, t in enumerate(c.tool_calls):
                item: dict[str, Any] = {
                    "id": t.id,
                    "type": "function",
                    "function": {"name": t.name, "arguments": t.arguments},
                }
                extra = tool_call_extra(t.id, t.name, k, dialect, plan.thinking)
                if extra is not None:
                    item["extra_content"] = extra
                message["tool_calls"].append(item)
        logprobs = {"content": c.logprobs, "refusal": None} if c.logprobs is not None else None
        choices.append(
            {
                "index": c.index,
                "message": message,
                "logprobs": logprobs,
                "finish_reason": c.finish_reason,
            }
        )
    return {
        "id": plan.id,
        "object": "chat.completion",
        "created": plan.created,
        "model": plan.model,
        "choices": choices,
        "usage": plan.usage(dialect),
        "service_tier": "default",
        "system_fingerprint": plan.system_fingerprint,
    }


def _choice_deltas(
    c: ChoicePlan, dialect: Dialect, thinking: bool = False
) -> list[tuple[dict[str, Any], str | None, Any, int]]:
    """The stream deltas of one choice as ``(delta, finish_reason, logprobs, tokens)``."""
    out: list[tuple[dict[str, Any], str | None, Any, int]] = [
        ({"role": "assistant", "content": "", "refusal": None}, None, None, 0)
    ]
    if dialect.reasoning_field == "reasoning_details":
        for parts, cost in detail_deltas(c.reasoning, dialect):
            text = parts[0].get("text") if dialect.reasoning_text_too else None
            plain = {"reasoning": text} if text else {}
            out.append(({**plain, "reasoning_details": parts}, None, None, cost))
    else:
        for tok in c.reasoning:
            delta: dict[str, Any] = (
                {"content": None} if dialect.reasoning_field == "reasoning_content" else {}
            )
            out.append((_put_reasoning(delta, tok, dialect), None, None, 1))
    for k, tok in enumerate(c.content or ()):
        lp = None
        if c.logprobs is not None:
            lp = {"content": [c.logprobs[k]], "refusal": None}
        out.append(({"content": tok}, None, lp, 1))
    for k, call in enumerate(c.tool_calls):
        first: dict[str, Any] = {
            "index": k,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        extra = tool_call_extra(call.id, call.name, k, dialect, thinking)
        if extra is not None:
            first["extra_content"] = extra
        out.append(({"tool_calls": [_index_quirk(first, dialect)]}, None, None, 1))
        for frag in split_tokens(call.arguments):
            part: dict[str, Any] = {"index": k, "function": {"arguments": frag}}
            if dialect.repeat_tool_name:
                part = {
                    "index": k,
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": frag},
                }
            out.append(({"tool_calls": [_index_quirk(part, dialect)]}, None, None, 1))
    out.append(({}, c.finish_reason, None, 0))
    return out


def _put_reasoning(target: dict[str, Any], text: str, dialect: Dialect) -> dict[str, Any]:
    """Write reasoning text into a message or delta the way the dialect does."""
    where = dialect.reasoning_field
    if where == "thinking_parts":
        # Magistral: the reasoning is a content part; answer text joins as a "text" part.
        parts = [{"type": "thinking", "thinking": [{"type": "text", "text": text}]}]
        answer = target.get("content")
        if answer:
            parts.append({"type": "text", "text": answer})
        target["content"] = parts
    else:
        target[str(where)] = text
    return target


def _index_quirk(part: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    if dialect.omit_tool_call_index:
        part.pop("index", None)
    elif dialect.null_tool_call_index:
        part["index"] = None
    return part


def render_chunks(
    plan: CompletionPlan, dialect: Dialect, *, include_usage: bool
) -> list[dict[str, Any]]:
    """Render the ``chat.completion.chunk`` objects of a stream (without ``[DONE]``).

    Choices of an ``n > 1`` request are interleaved round-robin, each chunk carrying its
    choice ``index``. Usage goes where the dialect puts it.
    """
    per_choice = [_choice_deltas(c, dialect, plan.thinking) for c in plan.choices]
    order: list[tuple[int, tuple[dict[str, Any], str | None, Any, int]]] = []
    longest = max(len(d) for d in per_choice)
    for step in range(longest):
        for ci, deltas in enumerate(per_choice):
            if step < len(deltas):
                order.append((plan.choices[ci].index, deltas[step]))
    special_usage = dialect.usage_in_x_groq or dialect.usage_in_choice or dialect.cumulative_usage
    last_finish = max(i for i, (_, d) in enumerate(order) if d[1] is not None)
    chunks: list[dict[str, Any]] = []
    produced = 0
    for pos, (index, (delta, finish, logprobs, tokens)) in enumerate(order):
        produced += tokens
        choice: dict[str, Any] = {
            "index": index,
            "delta": delta,
            "logprobs": logprobs,
            "finish_reason": finish,
        }
        chunk = _chunk(plan, [choice])
        if dialect.cumulative_usage:
            chunk["usage"] = plan.usage(dialect, produced)
        elif include_usage and not special_usage:
            chunk["usage"] = None
        if pos == last_finish:
            if dialect.usage_in_x_groq:
                usage = plan.usage(dialect)
                chunk["x_groq"] = {
                    "id": "req_" + plan.id.removeprefix("chatcmpl-"),
                    "usage": {
                        "queue_time": 0.001,
                        "prompt_tokens": usage["prompt_tokens"],
                        "prompt_time": 0.001,
                        "completion_tokens": usage["completion_tokens"],
                        "completion_time": 0.01,
                        "total_tokens": usage["total_tokens"],
                        "total_time": 0.011,
                    },
                }
            elif dialect.usage_in_choice:
                choice["usage"] = plan.usage(dialect)
        chunks.append(chunk)
    if include_usage and not special_usage:
        chunks.append({**_chunk(plan, []), "usage": plan.usage(dialect)})
    return chunks


def _chunk(plan: CompletionPlan, choices: list[dict[str, Any]]) -> dict[str, Any]:
    """The envelope every ``chat.completion.chunk`` of one stream shares."""
    return {
        "id": plan.id,
        "object": "chat.completion.chunk",
        "created": plan.created,
        "model": plan.model,
        "service_tier": "default",
        "system_fingerprint": plan.system_fingerprint,
        "choices": choices,
    }
