"""Reasoning in a reply: the field it came in, thinking parts of content, ``reasoning_details``.

Servers put a model's reasoning in ``reasoning_content`` (DeepSeek), ``reasoning`` (vLLM,
OpenRouter), ``reasoning_details`` entries (OpenRouter) or thinking parts of a content list
(Mistral's Magistral). These pure helpers find it, say where it came from (so that it goes
back there), and fold streamed ``reasoning_details`` fragments into the entries a
non-streamed answer has; both the JSON and the streamed path use them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.errors import MalformedResponseError

__all__ = ["merge_reasoning_details", "reasoning_of", "reasoning_source", "split_content"]


def split_content(content: Any) -> tuple[str, str]:
    """Return (text, reasoning) from a content value that may be a list of parts.

    Mistral's Magistral sends ``[{"type": "thinking", "thinking": [...]}, {"type": "text"}]``;
    every other server sends a string. Both become plain text plus reasoning text.
    """
    if content is None:
        return "", ""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        raise MalformedResponseError(f"Unexpected content type {type(content).__name__}")
    text, reasoning = [], []
    for part in content:
        if isinstance(part, str):
            text.append(part)
            continue
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            text.append(str(part.get("text") or ""))
        elif kind in ("thinking", "reasoning"):
            inner = part.get("thinking", part.get("reasoning", part.get("text")))
            if isinstance(inner, str):
                reasoning.append(inner)
            elif isinstance(inner, list):
                reasoning.extend(str(p.get("text") or "") for p in inner if isinstance(p, Mapping))
    return "".join(text), "".join(reasoning)


def reasoning_of(message: Mapping[str, Any]) -> str:
    """Reasoning text from whichever field this provider uses (first non-empty wins)."""
    return reasoning_source(message)[0]


def reasoning_source(message: Mapping[str, Any]) -> tuple[str, str | None]:
    """Reasoning text and the wire field it came in (``None`` when there is none).

    The field is recorded on the message as ``additional_kwargs["reasoning_field"]`` so
    that the round trip sends the reasoning back where this server sent it (vLLM reads
    only ``reasoning`` on input, DeepSeek only ``reasoning_content``).
    """
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return value, key
    details = message.get("reasoning_details")
    if isinstance(details, list):
        text = "".join(
            str(d.get("text") or d.get("summary") or "")
            for d in details
            if isinstance(d, Mapping) and d.get("type") in ("reasoning.text", "reasoning.summary")
        )
        return text, "reasoning_details" if text or details else None
    return "", None


_DETAIL_TEXT_KEYS = ("text", "summary", "data")


def merge_reasoning_details(merged: list[Any], fragments: Sequence[Any]) -> list[Any]:
    """Fold streamed ``reasoning_details`` fragments into one entry per ``index``.

    OpenRouter streams each reasoning block as many fragments sharing an ``index``: text
    pieces, then the block's ``signature`` on the last one. The non-streamed answer has one
    entry per block with the whole text and its signature, and that is what the provider
    checks when the entries come back ("Invalid signature in thinking block" otherwise:
    OpenRouterTeam/ai-sdk-provider#423). Text fields are concatenated, other fields keep
    their latest non-null value; a fragment without an ``index`` starts a new entry.
    """
    out = [dict(e) if isinstance(e, dict) else e for e in merged]
    for fragment in fragments:
        if not isinstance(fragment, dict):
            out.append(fragment)
            continue
        index = fragment.get("index")
        entry = next(
            (
                e
                for e in reversed(out)
                if isinstance(e, dict) and index is not None and e.get("index") == index
            ),
            None,
        )
        if entry is None or entry.get("type") != fragment.get("type", entry.get("type")):
            out.append(dict(fragment))
            continue
        for key, value in fragment.items():
            if value is None:
                continue
            if key in _DETAIL_TEXT_KEYS and isinstance(value, str):
                entry[key] = (entry.get(key) or "") + value
            else:
                entry[key] = value
    return out
