"""Validation of the sampling and output-control parameters.

Ranges, types and the pairings the real API enforces (``top_logprobs`` needs
``logprobs``, ``stream_options`` needs ``stream``, at most four ``stop`` strings), with its
``integer_below_min_value``-style codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import bad, invalid_type, invalid_value, optional

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_range(
    body: Mapping[str, Any], name: str, lo: float, hi: float | None, *, integer: bool
) -> None:
    """Check an optional number in ``[lo, hi]`` (``hi=None``: no maximum), as both APIs do."""
    if body.get(name) is None:
        return
    value = body[name]
    if integer and not _is_int(value):
        raise invalid_type(name, "an integer", value)
    if not integer and not _is_number(value):
        raise invalid_type(name, "a number", value)
    kind = "integer" if integer else "decimal"
    if value < lo:
        raise bad(
            f"Invalid '{name}': {kind} below minimum value. Expected a value >= {lo:g}, but "
            f"got {value} instead.",
            name,
            f"{kind}_below_min_value",
        )
    if hi is not None and value > hi:
        raise bad(
            f"Invalid '{name}': {kind} above maximum value. Expected a value <= {hi:g}, but "
            f"got {value} instead.",
            name,
            f"{kind}_above_max_value",
        )


def validate_sampling(body: Mapping[str, Any], efforts: Sequence[str] = REASONING_EFFORTS) -> None:
    check_range(body, "n", 1, 128, integer=True)
    check_range(body, "max_tokens", 1, None, integer=True)
    check_range(body, "max_completion_tokens", 1, None, integer=True)
    check_range(body, "temperature", 0, 2, integer=False)
    check_range(body, "top_p", 0, 1, integer=False)
    check_range(body, "presence_penalty", -2, 2, integer=False)
    check_range(body, "frequency_penalty", -2, 2, integer=False)
    check_range(body, "top_logprobs", 0, 20, integer=True)
    optional(body, "seed", "an integer")
    for flag in ("stream", "logprobs", "store"):
        optional(body, flag, "a boolean")
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise bad(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is specified.",
            "top_logprobs",
        )
    options = validate_stream_options(body)
    if options is not None:
        optional(options, "include_usage", "a boolean", "stream_options.include_usage")
    stop = body.get("stop")
    if stop is not None:
        if isinstance(stop, list):
            if len(stop) > 4:
                raise bad(
                    f"Invalid 'stop': array too long. Expected an array with maximum length 4, "
                    f"but got an array with length {len(stop)} instead.",
                    "stop",
                    "array_above_max_length",
                )
            for k, item in enumerate(stop):
                if not isinstance(item, str):
                    raise invalid_type(f"stop[{k}]", "a string", item)
        elif not isinstance(stop, str):
            raise invalid_type("stop", "one of a string or array of strings", stop)
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in efforts:
        raise invalid_value("reasoning_effort", effort, efforts)
    optional(body, "logit_bias", "an object")


def validate_stream_options(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """``stream_options``, if given: an object, and only with ``stream`` on.

    The same rule and words on Chat Completions and the Responses API; what the object
    may hold differs (``include_usage`` here, checked by the caller).
    """
    options = body.get("stream_options")
    if options is None:
        return None
    if not body.get("stream"):
        raise bad(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
        )
    if not isinstance(options, dict):
        raise invalid_type("stream_options", "an object", options)
    return options
