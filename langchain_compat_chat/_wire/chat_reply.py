"""The end of one non-streamed Chat Completions reply: v1 blocks and the forced-tool check.

The non-streamed counterpart of :mod:`.chat_stream`'s ``close``: the same two steps after
the reply has become a ``ChatResult``, so that ``invoke`` and ``stream`` agree.
"""

from __future__ import annotations

from typing import cast

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult

from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.v1 import to_v1

__all__ = ["checked_result"]


def checked_result(
    result: ChatResult, *, v1: bool, plan: ForcedToolPlan | None, model: str
) -> ChatResult:
    """``result`` with standard content blocks (``v1``) and every choice's tool call checked.

    Raises:
        ForcedToolCallError: ``"auto"`` replaced a forced choice (``plan``) and a choice
            called no tool.

    """
    if v1:
        for generation in result.generations:
            to_v1(cast(AIMessage, generation.message))
    if plan is not None:
        for generation in result.generations:
            message = cast(AIMessage, generation.message)
            plan.check(bool(message.tool_calls or message.invalid_tool_calls), model)
    return result
