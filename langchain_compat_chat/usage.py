"""Token, request, error, latency and time-to-first-token totals per model, as a callback.

:class:`UsageStats` is a plain LangChain callback handler, so it works with *any* chat model
or runnable (``ChatCompatModel``, ``ChatOpenAI``, a fake model, an agent graph) without the
model knowing about it: hand it to a call through ``config={"callbacks": [stats]}`` or attach
it once with ``model.with_config(callbacks=[stats])`` or ``ChatCompatModel(...,
callbacks=[stats])``. LangChain passes callbacks down to every nested model call, so one
handler given to an agent run (``agent.invoke(..., config={"callbacks": [stats]})``) counts
each model turn of its loop. For a model handed to ``create_agent``, use the call's config
or the model's ``callbacks=`` field: the agent calls ``bind_tools``, which does not keep a
``with_config`` binding.

What is measured, and why this way:

* A *request* is one chat-model run (one ``invoke``, one element of a ``batch``, one turn of
  an agent), not one HTTP attempt: retries inside a run are the client's business, and the
  handler sees only what LangChain reports, which is the same for every model class.
* *Latency* runs from the chat-model start event to its end event and is averaged over
  successful runs only: a failed or abandoned run ends at an arbitrary moment (a timeout,
  the consumer's ``break``) and would distort the mean.
* *Time to first token* is the time until the first chunk that carries anything (text,
  a tool-call fragment or reasoning); role-only and usage-only chunks do not count. It
  exists only for streamed runs (``stream``, ``astream``, ``streaming=True``, agents that
  stream) and is kept even when the stream later fails or is abandoned, because the server
  did answer that fast.
* A stream the consumer stops reading (``break``, closing the generator, task cancellation)
  counts as *cancelled*, not as an error.
* Tokens come from the message's standard ``usage_metadata``; models that only fill
  ``llm_output["token_usage"]`` are read from there. Usage is counted once per run even when
  the answer has several choices (some integrations copy the request's usage onto each).
* The model name is the one the request asked for (``ls_model_name`` metadata, then the
  invocation parameters), else the one the response names, else the model's class name.

Example:
    ```python
    from langchain_compat_chat import ChatCompatModel, UsageStats

    stats = UsageStats()
    llm = ChatCompatModel(model="deepseek-chat", provider="deepseek")
    llm.invoke("Hello", config={"callbacks": [stats]})
    for _ in llm.stream("Tell me a story", config={"callbacks": [stats]}):
        pass
    print(stats)  # a table: one row per model (a total row when there are several)
    stats["deepseek-chat"].output_tokens  # one model's numbers
    json.dumps(stats.as_dict())  # everything, JSON-ready
    ```

"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, Generation, LLMResult

__all__ = ["ModelUsage", "UsageStats"]

_REQUEST_KEYS = ("model", "model_name", "model_id", "deployment_name")
_RESPONSE_KEYS = ("model_name", "model")
_CANCELLED = (GeneratorExit, asyncio.CancelledError, KeyboardInterrupt)


@dataclass
class ModelUsage:
    """Totals of one model name (what :class:`UsageStats` hands out is a snapshot copy).

    Attributes:
        requests: Finished runs: succeeded + ``errors`` + ``cancelled``.
        errors: Runs that raised.
        cancelled: Runs abandoned by their consumer (stream closed early, task cancelled).
        last_error_type: Class name of the most recent error, e.g. ``"RateLimitError"``.
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens (reasoning included, as providers bill them).
        total_tokens: As reported, or input + output when the model gives no total.
        cache_read_tokens: Prompt tokens served from the provider's prompt cache.
        reasoning_tokens: Output tokens spent on reasoning.
        latency_total_s: Summed start-to-end time of successful runs.
        latency_max_s: Slowest successful run.
        ttft_count: Streamed runs whose first token was seen.
        ttft_total_s: Summed time to first token of those runs.
        ttft_max_s: Slowest first token.

    """

    requests: int = 0
    errors: int = 0
    cancelled: int = 0
    last_error_type: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    reasoning_tokens: int = 0
    latency_total_s: float = 0.0
    latency_max_s: float = 0.0
    ttft_count: int = 0
    ttft_total_s: float = 0.0
    ttft_max_s: float = 0.0

    @property
    def succeeded(self) -> int:
        """Runs that ended normally (the ones latency is averaged over)."""
        return self.requests - self.errors - self.cancelled

    @property
    def latency_mean_s(self) -> float | None:
        """Mean start-to-end time of successful runs; ``None`` before the first one."""
        return self.latency_total_s / self.succeeded if self.succeeded else None

    @property
    def ttft_mean_s(self) -> float | None:
        """Mean time to first token of streamed runs; ``None`` if nothing was streamed."""
        return self.ttft_total_s / self.ttft_count if self.ttft_count else None

    def add(self, other: ModelUsage) -> None:
        """Fold ``other`` into these totals (sums, and maxima for the ``_max_s`` fields)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "last_error_type":
                self.last_error_type = theirs or mine
            elif f.name.endswith("_max_s"):
                setattr(self, f.name, max(mine, theirs))
            else:
                setattr(self, f.name, mine + theirs)

    def as_dict(self) -> dict[str, Any]:
        """The fields plus the derived ``succeeded`` and means, JSON-ready."""
        data = asdict(self)
        data["succeeded"] = self.succeeded
        data["latency_mean_s"] = self.latency_mean_s
        data["ttft_mean_s"] = self.ttft_mean_s
        return data


class _Run:
    """What is known about one run between its start and end events."""

    __slots__ = ("class_name", "first_token", "model", "start")

    def __init__(self, model: str | None, class_name: str | None) -> None:
        self.model = model
        self.class_name = class_name
        self.start = time.perf_counter()
        self.first_token: float | None = None


class UsageStats(BaseCallbackHandler):
    """Callback handler that totals usage, errors, latency and time to first token per model.

    One instance can serve many models and many concurrent runs at once (threads,
    ``batch``, ``asyncio.gather``): totals are updated under a lock, and the handler runs
    inline on the event loop in async code instead of costing a thread hop per token.

    Example:
        ```python
        stats = UsageStats()
        llm = ChatCompatModel(model="qwen3", base_url="http://localhost:8000/v1")
        counted = llm.with_config(callbacks=[stats])
        counted.batch(["a", "b", "c"])
        await asyncio.gather(*(counted.ainvoke(q) for q in questions))
        print(stats.summary())
        stats.total().input_tokens
        stats.reset()
        ```

    """

    run_inline: bool = True
    """Called directly on the event loop: updates are short and lock-protected."""

    def __init__(self) -> None:
        """Start with empty totals."""
        self._lock = threading.Lock()
        self._models: dict[str, ModelUsage] = {}
        self._runs: dict[UUID, _Run] = {}
        self._last_error_type: str | None = None

    # -- reading -------------------------------------------------------------------------------
    @property
    def models(self) -> dict[str, ModelUsage]:
        """A snapshot of the totals per model name, in order of first appearance."""
        return self._snapshot()[0]

    def __getitem__(self, model: str) -> ModelUsage:
        """A snapshot of one model's totals (``KeyError`` if it was never seen)."""
        with self._lock:
            return _copy(self._models[model])

    def total(self) -> ModelUsage:
        """All models folded together; ``last_error_type`` is the latest error of any model."""
        return self._snapshot()[1]

    @property
    def in_flight(self) -> int:
        """Runs started but not yet ended (a stream nobody finished or closed stays here)."""
        with self._lock:
            return len(self._runs)

    def as_dict(self) -> dict[str, Any]:
        """``{"models": {name: {...}}, "total": {...}, "in_flight": n}`` for ``json.dumps``."""
        models, total, in_flight = self._snapshot()
        return {
            "models": {name: usage.as_dict() for name, usage in models.items()},
            "total": total.as_dict(),
            "in_flight": in_flight,
        }

    def summary(self) -> str:
        """A fixed-width table: one row per model, a total row when there are several."""
        models, total, _ = self._snapshot()
        rows = [_HEADER, *(_row(name, usage) for name, usage in models.items())]
        if len(models) != 1:
            rows.append(_row("TOTAL", total))
        widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
        lines = [
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
            for row in rows
        ]
        if total.last_error_type:
            lines.append(f"last error: {total.last_error_type}")
        return "\n".join(lines)

    def __str__(self) -> str:
        """Same as :meth:`summary`."""
        return self.summary()

    def __repr__(self) -> str:
        """Short form with the overall counts."""
        models, total, _ = self._snapshot()
        return (
            f"UsageStats(models={len(models)}, requests={total.requests}, "
            f"errors={total.errors}, total_tokens={total.total_tokens})"
        )

    def _snapshot(self) -> tuple[dict[str, ModelUsage], ModelUsage, int]:
        """Copies of the per-model totals, their sum and the in-flight count, taken together."""
        with self._lock:
            models = {name: _copy(usage) for name, usage in self._models.items()}
            last_error_type = self._last_error_type
            in_flight = len(self._runs)
        total = ModelUsage()
        for usage in models.values():
            total.add(usage)
        total.last_error_type = last_error_type
        return models, total, in_flight

    def reset(self) -> None:
        """Zero all totals; runs in flight are still counted when they end."""
        with self._lock:
            self._models.clear()
            self._last_error_type = None

    # -- callback events -----------------------------------------------------------------------
    @property
    def ignore_chain(self) -> bool:
        """Chain events carry no model usage."""
        return True

    @property
    def ignore_agent(self) -> bool:
        """Agent events carry no model usage."""
        return True

    @property
    def ignore_retriever(self) -> bool:
        """Retriever events carry no model usage."""
        return True

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Remember when the run started and which model it asked for."""
        self._begin(run_id, serialized, metadata, kwargs.get("invocation_params"))

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Same as :meth:`on_chat_model_start`, for completion-style LLMs."""
        self._begin(run_id, serialized, metadata, kwargs.get("invocation_params"))

    def on_llm_new_token(
        self, token: str | list[Any], *, chunk: Any = None, run_id: UUID, **kwargs: Any
    ) -> None:
        """Note the time of the first chunk that carries content (no lock: one run, one order)."""
        run = self._runs.get(run_id)
        if run is None or run.first_token is not None:
            return
        if token or _carries_content(chunk):
            run.first_token = time.perf_counter()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        """Add the run's usage and latency."""
        self._finish(run_id, response, None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        """Count an error (or a cancellation) and any usage that arrived before it."""
        response = kwargs.get("response")
        self._finish(run_id, response if isinstance(response, LLMResult) else None, error)

    # -- internals -----------------------------------------------------------------------------
    def _begin(
        self,
        run_id: UUID,
        serialized: Mapping[str, Any] | None,
        metadata: Mapping[str, Any] | None,
        invocation_params: Mapping[str, Any] | None,
    ) -> None:
        model = _first_str(metadata, ("ls_model_name",)) or _first_str(
            invocation_params, _REQUEST_KEYS
        )
        class_name = _class_name(serialized)
        run = _Run(model, class_name)
        with self._lock:
            self._runs[run_id] = run

    def _finish(
        self, run_id: UUID, response: LLMResult | None, error: BaseException | None
    ) -> None:
        end = time.perf_counter()
        with self._lock:
            run = self._runs.pop(run_id, None)
        if run is None:  # an end without a start (handler attached mid-run): nothing to time
            return
        delta = ModelUsage(requests=1)
        if response is not None:
            _add_tokens(delta, response)
        if error is None:
            delta.latency_total_s = delta.latency_max_s = end - run.start
        elif isinstance(error, _CANCELLED):
            delta.cancelled = 1
        else:
            delta.errors = 1
            delta.last_error_type = type(error).__name__
        if run.first_token is not None:
            delta.ttft_count = 1
            delta.ttft_total_s = delta.ttft_max_s = run.first_token - run.start
        name = run.model or _response_model(response) or run.class_name or "unknown"
        with self._lock:
            usage = self._models.get(name)
            if usage is None:
                usage = self._models[name] = ModelUsage()
            usage.add(delta)
            if delta.last_error_type:
                self._last_error_type = delta.last_error_type


def _copy(usage: ModelUsage) -> ModelUsage:
    return ModelUsage(**asdict(usage))


def _first_str(source: Mapping[str, Any] | None, keys: Sequence[str]) -> str | None:
    if not source:
        return None
    for key in keys:
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _class_name(serialized: Mapping[str, Any] | None) -> str | None:
    if not serialized:
        return None
    name = serialized.get("name")
    if isinstance(name, str) and name:
        return name
    ident = serialized.get("id")
    return str(ident[-1]) if isinstance(ident, list) and ident else None


def _carries_content(chunk: Any) -> bool:
    """Whether a streamed chunk brings anything the user waits for (text, tools, reasoning)."""
    message = getattr(chunk, "message", None)
    if message is None:
        return bool(getattr(chunk, "text", ""))
    return bool(
        message.content
        or getattr(message, "tool_call_chunks", None)
        or message.additional_kwargs.get("reasoning_content")
        or message.additional_kwargs.get("tool_calls")
        or message.additional_kwargs.get("function_call")
    )


def _generations(response: LLMResult | None) -> list[list[Generation]]:
    return response.generations if response is not None else []


def _response_model(response: LLMResult | None) -> str | None:
    for choices in _generations(response):
        for generation in choices:
            if isinstance(generation, ChatGeneration):
                found = _first_str(generation.message.response_metadata, _RESPONSE_KEYS)
                if found:
                    return found
    if response is not None:
        return _first_str(response.llm_output, _RESPONSE_KEYS)
    return None


def _add_tokens(delta: ModelUsage, response: LLMResult) -> None:
    """Add the usage of one run: the first reported usage of each prompt's choices."""
    found = False
    for choices in response.generations:
        for generation in choices:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                found = True
                _add_usage(
                    delta,
                    usage.get("input_tokens", 0),
                    usage.get("output_tokens", 0),
                    usage.get("total_tokens"),
                    (usage.get("input_token_details") or {}).get("cache_read", 0),
                    (usage.get("output_token_details") or {}).get("reasoning", 0),
                )
                break
    if found or not response.llm_output:
        return
    legacy = response.llm_output.get("token_usage") or response.llm_output.get("usage")
    if isinstance(legacy, Mapping):
        _add_usage(
            delta,
            legacy.get("prompt_tokens", 0),
            legacy.get("completion_tokens", 0),
            legacy.get("total_tokens"),
            (legacy.get("prompt_tokens_details") or {}).get("cached_tokens", 0),
            (legacy.get("completion_tokens_details") or {}).get("reasoning_tokens", 0),
        )


def _add_usage(
    delta: ModelUsage,
    input_tokens: Any,
    output_tokens: Any,
    total_tokens: Any,
    cache_read: Any,
    reasoning: Any,
) -> None:
    inp, out = _int(input_tokens), _int(output_tokens)
    delta.input_tokens += inp
    delta.output_tokens += out
    delta.total_tokens += _int(total_tokens) if total_tokens is not None else inp + out
    delta.cache_read_tokens += _int(cache_read)
    delta.reasoning_tokens += _int(reasoning)


def _int(value: Any) -> int:
    """A token count as an int; anything unusable counts as zero rather than failing a run."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


_HEADER = (
    "model",
    "requests",
    "errors",
    "cancelled",
    "input",
    "output",
    "total",
    "cache_read",
    "reasoning",
    "latency mean/max",
    "ttft mean/max",
)


def _row(name: str, usage: ModelUsage) -> tuple[str, ...]:
    latency_max = usage.latency_max_s if usage.succeeded else None
    ttft_max = usage.ttft_max_s if usage.ttft_count else None
    return (
        name,
        str(usage.requests),
        str(usage.errors),
        str(usage.cancelled),
        f"{usage.input_tokens:,}",
        f"{usage.output_tokens:,}",
        f"{usage.total_tokens:,}",
        f"{usage.cache_read_tokens:,}",
        f"{usage.reasoning_tokens:,}",
        f"{_seconds(usage.latency_mean_s)}/{_seconds(latency_max)}",
        f"{_seconds(usage.ttft_mean_s)}/{_seconds(ttft_max)}",
    )


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}s"
