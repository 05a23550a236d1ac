"""``python -m langchain_compat_chat demo``: the five-minute tour, runnable offline.

It starts the bundled reference server (or uses ``COMPAT_BASE_URL``/``COMPAT_MODEL``/
``COMPAT_API_KEY`` when set), streams an LCEL chain to the terminal, runs one tool-calling
agent step end to end, asks for structured output, and prints token usage and latency.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TextIO

from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from pydantic import BaseModel, Field, SecretStr

from langchain_compat_chat.chat_models import ChatCompatModel


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny and 21 degrees in {city}."


class Holiday(BaseModel):
    """A holiday someone could celebrate."""

    name: str = Field(description="Name of the holiday")
    month: int = Field(ge=1, le=12, description="Month it falls in")
    traditions: list[str] = Field(description="A few traditions")


@contextlib.contextmanager
def _endpoint() -> Iterator[tuple[str, str, str | None, str]]:
    base_url = os.environ.get("COMPAT_BASE_URL")
    if base_url:
        yield base_url, os.environ.get("COMPAT_MODEL", "gpt-4o-mini"), None, base_url
        return
    from langchain_compat_chat.testing import ReferenceServer

    with ReferenceServer() as server:
        yield server.base_url, "reference-model", "sk-demo", "bundled reference server"


def run(out: TextIO = sys.stdout) -> int:
    """Run the tour; returns the process exit code."""
    with _endpoint() as (base_url, model_name, key, label):
        model = ChatCompatModel(
            model=model_name,
            base_url=base_url,
            api_key=SecretStr(key) if key else None,
            max_tokens=200,
        )
        usage = UsageMetadataCallbackHandler()
        config = RunnableConfig(callbacks=[usage])
        print(f"== langchain-compat-chat demo: {label} ({model_name})", file=out)

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
