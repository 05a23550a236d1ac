"""Strict request validation for the reference server, worded like api.openai.com.

Real providers reject malformed requests with a 400 and an OpenAI-shaped error body
``{"error": {"message", "type", "param", "code"}}``. A client that only ever meets a
lenient fake never learns that its tool history or its parameters are wrong, so this
package is deliberately strict: it checks what the real API checks, in the same words.
One module a part of the body: ``messages``, ``tools`` (with ``tool_choice``),
``sampling`` parameters and ``response_format``; this module parses the body and runs them
in the real API's order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import ApiError, bad, invalid_type, type_name
from langchain_compat_chat.testing._validate.messages import validate_messages
from langchain_compat_chat.testing._validate.response_format import validate_response_format
from langchain_compat_chat.testing._validate.sampling import REASONING_EFFORTS, validate_sampling
from langchain_compat_chat.testing._validate.tools import validate_tool_choice, validate_tools

__all__ = [
    "KNOWN_PARAMS",
    "REASONING_EFFORTS",
    "ApiError",
    "parse_body",
    "validate_chat_request",
]

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


def parse_body(raw: bytes) -> dict[str, Any]:
    """Parse the request body; a non-JSON or non-object body is a 400 like OpenAI's."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad(
            "We could not parse the JSON body of your request. (HINT: This likely means you "
            "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, "
            "but what was sent was not valid JSON.)"
        ) from None
    if not isinstance(body, dict):
        raise bad(
            f"Invalid type for request body: expected an object, but got {type_name(body)} "
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
                raise bad(f"Unrecognized request argument supplied: {key}", key)
    _validate_model(body)
    validate_messages(body, accept_video)
    tool_names = validate_tools(body)
    validate_tool_choice(body, tool_names)
    validate_sampling(body, reasoning_efforts)
    validate_response_format(body)


def _validate_model(body: Mapping[str, Any]) -> None:
    if "model" not in body:
        raise bad("you must provide a model parameter")
    model = body["model"]
    if not isinstance(model, str):
        raise invalid_type("model", "a string", model)
    if not model:
        raise bad("you must provide a model parameter")
