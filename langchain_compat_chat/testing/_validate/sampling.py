"""Validation of the sampling and output-control parameters.

Ranges, types and the pairings the real API enforces (``top_logprobs`` needs
``logprobs``, ``stream_options`` needs ``stream``, at most four ``stop`` strings), with its
``integer_below_min_value``-style codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_compat_chat.testing._errors import bad, invalid_type, invalid_value

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_range(
    body: Mapping[str, Any], name: str, lo: float, hi: float | None, *, integer: bool
) -> None:
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
    _check_range(body, "n", 1, 128, integer=True)
    _check_range(body, "max_tokens", 1, None, integer=True)
    _check_range(body, "max_completion_tokens", 1, None, integer=True)
    _check_range(body, "temperature", 0, 2, integer=False)
    _check_range(body, "top_p", 0, 1, integer=False)
    _check_range(body, "presence_penalty", -2, 2, integer=False)
    _check_range(body, "frequency_penalty", -2, 2, integer=False)
    _check_range(body, "top_logprobs", 0, 20, integer=True)
    if body.get("seed") is not None and not _is_int(body["seed"]):
        raise invalid_type("seed", "an integer", body["seed"])
    for flag in ("stream", "logprobs", "store"):
        if body.get(flag) is not None and not isinstance(body[flag], bool):
            raise invalid_type(flag, "a boolean", body[flag])
    if body.get("top_logprobs") is not None and not body.get("logprobs"):
        raise bad(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is specified.",
            "top_logprobs",
        )
    options = body.get("stream_options")
    if options is not None:
        if not body.get("stream"):
            raise bad(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                "stream_options",
            )
        if not isinstance(options, dict):
            raise invalid_type("stream_options", "an object", options)
        inc = options.get("include_usage")
        if inc is not None and not isinstance(inc, bool):
            raise invalid_type("stream_options.include_usage", "a boolean", inc)
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
    bias = body.get("logit_bias")
    if bias is not None and not isinstance(bias, dict):
        raise invalid_type("logit_bias", "an object", bias)
