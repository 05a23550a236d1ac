"""Thinking models in a loop, end to end, against the reference server's strict thinking mode.

For every preset whose models think, and for a generic base URL serving DeepSeek, Kimi,
MiniMax, gpt-oss or Claude, a ``create_agent`` tool loop (invoke and streamed, sync and
async) and ``with_structured_output(Pydantic)`` with the default method must succeed against
the strict dialect of that provider: it answers a forced ``tool_choice`` while thinking, a
tool-call turn without its reasoning (or with it in the wrong field) and conflicting toggles
with that provider's 400. The second half switches each rule off through ``dialect=`` (the
old behaviour) and shows the same server refusing the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel, InvalidRequestError
from langchain_compat_chat.testing import ReferenceServer


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


class Weather(BaseModel):
    """A weather report."""

    city: str
    celsius: int


@dataclass(frozen=True)
class Case:
    """One provider's strict dialect and the model settings that should satisfy it."""

    strict: str
    provider: str | None
    model: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.strict}:{self.provider or 'generic'}:{self.model}"


CASES = [
    Case("deepseek-thinking", "deepseek", "deepseek-v4-flash"),
    Case("deepseek-thinking", None, "deepseek-v4-flash"),  # a gateway / generic base URL
    Case("deepseek-thinking", "deepseek", "deepseek-reasoner"),
    Case("kimi-thinking", "moonshot", "kimi-k2.5", {"reasoning_effort": "high"}),
    Case("kimi-thinking", None, "kimi-k2.5"),
    Case("kimi-thinking", "moonshot", "kimi-k2-thinking"),
    Case("kimi-k3", "moonshot", "kimi-k3", {"thinking": True}),
    Case("qwen-thinking", "dashscope", "qwen3.6-plus", {"thinking": True}),
    Case("vllm-thinking", "vllm", "Qwen/Qwen3-8B"),
    Case("sglang-thinking", "sglang", "Qwen/Qwen3-8B"),
    Case("glm-thinking", "zhipu", "glm-4.7"),
    Case("minimax-thinking", None, "MiniMax-M2.5"),
    Case("openrouter-thinking", "openrouter", "anthropic/claude-sonnet-4.5", {"thinking": True}),
    Case("groq-thinking", "groq", "qwen/qwen3-32b"),
    Case("mistral-thinking", "mistral", "magistral-medium-latest"),
    Case("claude-thinking", None, "claude-sonnet-4-5"),
    Case("gemini-thinking", "gemini", "gemini-3-pro-preview"),
    Case("gpt-oss-thinking", None, "openai/gpt-oss-120b"),
    Case("gpt-oss-thinking", "vllm", "openai/gpt-oss-120b"),
    # endpoints added with the dialects
    Case("claude-thinking", "anthropic", "claude-sonnet-4-5", {"thinking": True}),
    Case("minimax-thinking", "minimax", "MiniMax-M2.5", {"extra_body": {"reasoning_split": True}}),
    Case("groq-thinking", "cerebras", "gpt-oss-120b"),  # strict input validation, like Groq
    Case("deepseek-thinking", "deepinfra", "deepseek-ai/DeepSeek-V3.1"),
    Case("deepseek-thinking", "huggingface", "deepseek-ai/DeepSeek-V3.1"),
    Case("kimi-thinking", "huggingface", "moonshotai/Kimi-K2-Thinking"),
    Case("deepseek-thinking", "volcengine", "deepseek-v3-1-terminus"),
    # Claude 5.x on Anthropic's endpoint: no forced tool at all on 5.5/Fable 5.1, no
    # temperature, no budget (a forced tool goes out as "auto" and the answer is checked)
    Case("claude-5.5-thinking", "anthropic", "claude-opus-5-5", {"temperature": 0.2}),
    Case("claude-5.5-thinking", "anthropic", "claude-sonnet-5-5", {"thinking": False}),
    Case("claude-5.5-thinking", "anthropic", "claude-fable-5-1", {"thinking": 4096}),
    Case("claude-5-thinking", "anthropic", "claude-haiku-5-5", {"thinking": True, "top_p": 0.9}),
    Case("claude-5-thinking", "anthropic", "claude-opus-5", {"temperature": 0.2}),
]
IDS = [c.id for c in CASES]


def _model(server: ReferenceServer, case: Case, **extra: Any) -> ChatCompatModel:
    server.set_dialect(case.strict)
    return ChatCompatModel(
        model=case.model,
        provider=case.provider,
        base_url=server.base_url,
        api_key="sk-test-key-0000",
        max_retries=0,
        **case.settings,
        **extra,
    )


def _assert_loop(result: dict[str, Any], server: ReferenceServer) -> None:
    messages = result["messages"]
    assert any(isinstance(m, ToolMessage) for m in messages), "the model never called the tool"
    final = messages[-1]
    assert isinstance(final, AIMessage) and final.text and not final.tool_calls
    # The last request carried the tool-call turn and its result: the loop really went round.
    last = server.last_request
    assert last is not None
    assert [m["role"] for m in last.json["messages"]][-2:] == ["assistant", "tool"]


QUESTION = {"messages": [{"role": "user", "content": "Weather in Paris?"}]}


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "streamed"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_agent_loop(compat_server: ReferenceServer, case: Case, streaming: bool) -> None:
    agent = create_agent(_model(compat_server, case, streaming=streaming), [get_weather])
    _assert_loop(agent.invoke(QUESTION), compat_server)


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "streamed"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_agent_loop_async(
    compat_server: ReferenceServer, case: Case, streaming: bool
) -> None:
    agent = create_agent(_model(compat_server, case, streaming=streaming), [get_weather])
    _assert_loop(await agent.ainvoke(QUESTION), compat_server)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_structured_output_default_method(compat_server: ReferenceServer, case: Case) -> None:
    structured = _model(compat_server, case).with_structured_output(Weather)
    assert isinstance(structured.invoke("Weather in Paris, as a report"), Weather)
    streamed = list(
        _model(compat_server, case, streaming=True).with_structured_output(Weather).stream("Report")
    )
    assert streamed and isinstance(streamed[-1], Weather)


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_structured_output_default_method_async(
    compat_server: ReferenceServer, case: Case
) -> None:
    structured = _model(compat_server, case).with_structured_output(Weather)
    assert isinstance(await structured.ainvoke("Weather in Paris, as a report"), Weather)


# Mistral's API takes tool_choice "any" (the preset sends that); the reference server's
# validation knows only OpenAI's values, so it is left out here.
FORCING = [c for c in CASES if c.provider != "mistral"]


@pytest.mark.parametrize("case", FORCING, ids=[c.id for c in FORCING])
def test_bind_tools_any_and_named(compat_server: ReferenceServer, case: Case) -> None:
    model = _model(compat_server, case)
    for choice in ("any", "get_weather"):
        answer = model.bind_tools([get_weather], tool_choice=choice).invoke("Weather in Paris?")
        assert answer.tool_calls and answer.tool_calls[0]["name"] == "get_weather"


# -- each rule, switched off, fails against the same server ----------------------------------
def _agent_turns(model: ChatCompatModel) -> None:
    """A thinking tool-call turn, then the request that must carry its reasoning back."""
    bound = model.bind_tools([get_weather])
    history: list[Any] = [HumanMessage("Weather in Paris?")]
    first = bound.invoke(history)
    assert first.tool_calls
    history += [first, ToolMessage("sunny", tool_call_id=first.tool_calls[0]["id"])]
    bound.invoke(history)


ON = {"thinking": True}
# (strict preset, provider, model, the old behaviour as dialect overrides, other settings,
#  what is sent, words of the provider's error)
OLD_BEHAVIOUR: list[tuple[str, str | None, str, dict[str, Any], dict[str, Any], str, str]] = [
    # no echo on a generic base URL (langchain-ai/langchain#39370, #37713)
    (
        "deepseek-thinking",
        None,
        "deepseek-v4-flash",
        {"echo_reasoning": "off"},
        {},
        "loop",
        "must be passed back",
    ),
    ("kimi-thinking", None, "kimi-k2.5", {"echo_reasoning": "off"}, {}, "loop", "missing"),
    (
        "gpt-oss-thinking",
        None,
        "openai/gpt-oss-120b",
        {"echo_reasoning": "off"},
        {},
        "loop",
        "reasoning",
    ),
    (
        "minimax-thinking",
        None,
        "MiniMax-M2.5",
        {"echo_reasoning": "off"},
        {},
        "loop",
        "reasoning_details",
    ),
    # the echo in the field vLLM ignores (vllm-project/vllm#38488)
    (
        "vllm-thinking",
        "vllm",
        "Qwen/Qwen3-8B",
        {"echo_reasoning": "reasoning_content"},
        {},
        "loop",
        "ignores on input",
    ),
    # an echo Groq refuses
    (
        "groq-thinking",
        "groq",
        "qwen/qwen3-32b",
        {"echo_reasoning": "reasoning", "echo_turns": "tool_calls"},
        {},
        "loop",
        "unsupported",
    ),
    # DashScope reads the echo only with preserve_thinking
    (
        "qwen-thinking",
        "dashscope",
        "qwen3.6-plus",
        {"preserve_thinking": False},
        ON,
        "loop",
        "preserve_thinking",
    ),
    # a forced tool_choice while thinking
    (
        "deepseek-thinking",
        "deepseek",
        "deepseek-v4-flash",
        {"forced_tool": "allowed"},
        {},
        "structured",
        "does not support this tool_choice",
    ),
    (
        "kimi-thinking",
        "moonshot",
        "kimi-k2.5",
        {"forced_tool": "allowed"},
        {},
        "structured",
        "incompatible with thinking",
    ),
    (
        "qwen-thinking",
        "dashscope",
        "qwen3.6-plus",
        {"forced_tool": "allowed"},
        ON,
        "structured",
        "thinking mode",
    ),
    (
        "glm-thinking",
        "zhipu",
        "glm-4.7",
        {"forced_tool": "allowed"},
        {},
        "structured",
        "must be auto",
    ),
    (
        "glm-thinking",
        "zhipu",
        "glm-4.7",
        {"forced_tool": "disable_thinking"},
        {},
        "structured",
        "must be auto",
    ),
    # Claude 5.5: no forced tool thinking or not, no thinking switched off, no temperature
    (
        "claude-5.5-thinking",
        "anthropic",
        "claude-opus-5-5",
        {"forced_tool": "allowed"},
        {},
        "structured",
        'type "tool" and "any" are not supported',
    ),
    (
        "claude-5.5-thinking",
        "anthropic",
        "claude-opus-5-5",
        {"forced_tool": "disable_thinking", "thinking_off_type": "disabled"},
        ON,
        "structured",
        '"thinking.type.disabled" is not supported',
    ),
    (
        "claude-5.5-thinking",
        "anthropic",
        "claude-sonnet-5-5",
        {"thinking_off_type": "disabled"},
        {"thinking": False},
        "invoke",
        '"thinking.type.disabled" is not supported',
    ),
    (
        "claude-5-thinking",
        "anthropic",
        "claude-haiku-5-5",
        {"thinking_style": "thinking_budget"},
        ON,
        "invoke",
        '"thinking.type.enabled" is not supported',
    ),
    (
        "claude-5-thinking",
        "anthropic",
        "claude-opus-5",
        {"drop_params": ()},
        {"temperature": 0.2},
        "invoke",
        "`temperature` is deprecated",
    ),
    # two toggles, or the wrong one (HKUDS/nanobot#3939)
    (
        "kimi-thinking",
        "moonshot",
        "kimi-k2.5",
        {"exclusive_params": ()},
        {"thinking": True, "reasoning_effort": "high"},
        "invoke",
        "cannot specify both",
    ),
    (
        "kimi-k3",
        "moonshot",
        "kimi-k3",
        {"thinking_style": "thinking_object"},
        ON,
        "invoke",
        "thinking",
    ),
]


@pytest.mark.parametrize(
    ("strict", "provider", "model", "old", "settings", "action", "words"),
    OLD_BEHAVIOUR,
    ids=[f"{r[0]}:{','.join(r[3])}" for r in OLD_BEHAVIOUR],
)
def test_old_behaviour_is_refused(
    compat_server: ReferenceServer,
    strict: str,
    provider: str | None,
    model: str,
    old: dict[str, Any],
    settings: dict[str, Any],
    action: str,
    words: str,
) -> None:
    llm = _model(compat_server, Case(strict, provider, model), dialect=old, **settings)
    with pytest.raises(InvalidRequestError) as caught:
        if action == "loop":
            _agent_turns(llm)
        elif action == "structured":
            llm.with_structured_output(Weather).invoke("Weather in Paris, as a report")
        else:
            llm.invoke("hi")
    assert caught.value.status_code in (400, 422)
    assert words in str(caught.value)
    # ... and without the override the same calls go through.
    fixed = _model(compat_server, Case(strict, provider, model), **settings)
    if action == "loop":
        _agent_turns(fixed)
    elif action == "structured":
        assert isinstance(fixed.with_structured_output(Weather).invoke("Report"), Weather)
    else:
        assert fixed.invoke("hi").text
