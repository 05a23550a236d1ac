"""``python -m langchain_compat_chat demo``: the five-minute tour, runnable offline.

It uses ``COMPAT_BASE_URL``/``COMPAT_MODEL``/``COMPAT_API_KEY`` when set, else starts the
bundled reference server (see ``testing.env_or_reference_endpoint``) and says that its answers
are generated filler. It streams an LCEL chain to the terminal, runs one tool-calling agent
step end to end, asks for structured output, and prints token usage and latency.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from typing import TextIO

from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_compat_chat._cli.errors import UsageError
from langchain_compat_chat.testing import env_or_reference_endpoint

_BUNDLED_NOTE = (
    "   Its answers are generated filler words, not a model's: what is real is the protocol\n"
    "   (streaming, tool calls, structured output, usage). To ask a real model, set\n"
    "   COMPAT_BASE_URL and COMPAT_MODEL (and COMPAT_API_KEY if it needs a key)."
)


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny and 21 degrees in {city}."


class Holiday(BaseModel):
    """A holiday someone could celebrate."""

    name: str = Field(description="Name of the holiday")
    month: int = Field(ge=1, le=12, description="Month it falls in")
    traditions: list[str] = Field(description="A few traditions")


def run(out: TextIO = sys.stdout) -> int:
    """Run the tour; returns the process exit code.

    Raises:
        UsageError: ``COMPAT_BASE_URL`` is set without ``COMPAT_MODEL`` (reported by the
            command line as a configuration mistake, not as a crash).

    """
    with ExitStack() as stack:
        try:
            endpoint = stack.enter_context(env_or_reference_endpoint())
        except ValueError as exc:  # only the configuration; the tour's own errors pass
            raise UsageError(str(exc)) from None
        model = endpoint.chat_model(max_tokens=200)
        usage = UsageMetadataCallbackHandler()
        config = RunnableConfig(callbacks=[usage])
        print(f"== langchain-compat-chat demo: {endpoint.label} ({endpoint.model})", file=out)
        if endpoint.bundled:
            # Without this, a newcomer reads the filler as the package's (or a model's) output.
            print(_BUNDLED_NOTE, file=out)

        print("\n-- 1. LCEL chain, streamed token by token:", file=out)
        chain = (
            ChatPromptTemplate.from_messages([("system", "Be brief."), ("user", "{question}")])
            | model
            | StrOutputParser()
        )
        started = time.perf_counter()
        first = None
        for token in chain.stream({"question": "Describe a quiet morning."}, config=config):
            first = first or time.perf_counter()
            print(token, end="", flush=True, file=out)
        done = time.perf_counter()
        ttft_ms, total_ms = ((first or done) - started) * 1000, (done - started) * 1000
        print(f"\n   time to first token {ttft_ms:.1f} ms, total {total_ms:.1f} ms", file=out)

        print("\n-- 2. Tool-calling agent step:", file=out)
        with_tools = model.bind_tools([get_weather])
        history: list[BaseMessage] = [HumanMessage("What is the weather in Lisbon?")]
        ai = with_tools.invoke(history, config=config)
        history.append(ai)
        for call in ai.tool_calls:
            result = get_weather.invoke(call["args"])
            print(f"   tool call {call['name']}({call['args']}) -> {result}", file=out)
            history.append(ToolMessage(result, tool_call_id=call["id"] or ""))
        print("   answer: ", end="", file=out)
        for chunk in with_tools.stream(history, config=config):
            print(chunk.text, end="", flush=True, file=out)
        print(file=out)

        print("\n-- 3. Structured output (pydantic):", file=out)
        holiday = model.with_structured_output(Holiday).invoke("Invent a holiday.", config=config)
        print(f"   {holiday!r}", file=out)

        print("\n-- usage:", file=out)
        for name, counts in usage.usage_metadata.items():
            print(
                f"   {name}: {counts['input_tokens']} in, {counts['output_tokens']} out, "
                f"{counts['total_tokens']} total",
                file=out,
            )
    return 0
