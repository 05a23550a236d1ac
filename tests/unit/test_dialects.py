"""Dialect resolution and the wire rules it drives, on the body builder and the parsers (respx).

Resolution: endpoint, then model family, then the user's overrides. The rules: reasoning
round trip (and the field it goes back in), forced tool choice while thinking, one thinking
switch per dialect, DashScope ``preserve_thinking``, streamed ``reasoning_details`` merged
per index, and the field the reasoning came in recorded on the message.
"""

from __future__ import annotations

import json
import operator
from functools import reduce
from typing import Any

import httpx
import pytest
import respx
from langchain_core.load import dumpd, load
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel

from langchain_compat_chat import ChatCompatModel, Dialect, ForcedToolCallError
from langchain_compat_chat._wire.reasoning import merge_reasoning_details
from langchain_compat_chat._wire.request import build_body_and_plan
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.stream import ChunkBuilder
from langchain_compat_chat.dialects import RULES, model_family, resolve_dialect
from langchain_compat_chat.providers import get_provider
from tests.unit.test_stream import ev

BASE = "http://dialect.test/v1"
URL = f"{BASE}/chat/completions"


class Weather(BaseModel):
    """A weather report."""

    city: str


def llm(model: str, provider: str | None = None, **kw: Any) -> ChatCompatModel:
    return ChatCompatModel(
        model=model, provider=provider, base_url=BASE, api_key="sk-x-000000", max_retries=0, **kw
    )


def reply(message: dict[str, Any]) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": "r1",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
        ],
    }


CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "Weather", "arguments": '{"city":"Oslo"}'},
}
TEXT = reply({"content": "ok"})


def sent(model: Any, messages: Any, response: dict[str, Any] = TEXT) -> dict[str, Any]:
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=httpx.Response(200, json=response))
        model.invoke(messages)
    body: dict[str, Any] = json.loads(route.calls.last.request.content)
    return body


# -- resolution ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("deepseek-v4-flash", "deepseek"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "deepseek"),
        ("Qwen/Qwen3-8B", "qwen"),
        ("qwq-32b", "qwen"),
        ("kimi-k2.5", "kimi"),
        ("moonshotai/Kimi-K2-Thinking", "kimi"),
        ("zai-org/GLM-4.6", "glm"),
        ("MiniMax-M2.5", "minimax"),
        ("openai/gpt-oss-120b", "gpt-oss"),
        ("gemini-3-pro-preview", "gemini"),
        ("claude-sonnet-4-5", "claude"),
        ("grok-4", "grok"),
        ("magistral-medium-latest", "mistral"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama"),
        ("gpt-4o-mini", None),
    ],
)
def test_model_family(model: str, family: str | None) -> None:
    assert model_family(model) == family


def test_order_endpoint_then_family_then_user() -> None:
    vllm = get_provider("vllm")
    base = resolve_dialect(vllm, "some-model")
    assert base.echo_reasoning == "reasoning" and base.template_thinking_key is None
    qwen = resolve_dialect(vllm, "Qwen/Qwen3-8B")
    assert qwen.template_thinking_key == "enable_thinking"  # the family fills it in
    assert qwen.echo_reasoning == "reasoning"  # the endpoint's field stays
    assert qwen.name == "vllm+qwen" and "qwen3-thinking" in qwen.rules
    user = resolve_dialect(vllm, "Qwen/Qwen3-8B", {"template_thinking_key": "thinking"})
    assert user.template_thinking_key == "thinking" and user.rules[-1] == "user"
    # An endpoint-specific family rule beats the family rule valid everywhere.
    glm = resolve_dialect(get_provider("zhipu"), "glm-4.7")
    assert glm.forced_tool == "never"
    assert resolve_dialect(get_provider("generic"), "glm-4.7").forced_tool == "disable_thinking"


def test_model_dialect_is_inspectable_and_overridable_field_by_field() -> None:
    model = llm("deepseek-v4-flash")
    assert isinstance(model.dialect, Dialect)
    assert model.dialect.family == "deepseek"
    assert model.dialect.thinking_style == "thinking_object"  # a gateway in front of DeepSeek
    assert model.dialect.forced_tool == "disable_thinking"
    custom = llm("deepseek-v4-flash", dialect={"echo_reasoning": "reasoning"})
    assert isinstance(custom.dialect, Dialect)
    assert custom.dialect.echo_reasoning == "reasoning"
    assert custom.dialect.forced_tool == "disable_thinking"  # the rest still resolved
    whole = Dialect(name="mine", echo_reasoning="off")
    assert llm("deepseek-v4-flash", dialect=whole).dialect is whole


def test_bad_overrides_are_refused() -> None:
    with pytest.raises(ValueError, match="Unknown dialect field"):
        llm("m", dialect={"echo_reasonin": "off"})
    with pytest.raises(ValueError, match="is not one of"):
        llm("m", dialect={"echo_reasoning": "sometimes"})
    with pytest.raises(ValueError, match="is not one of"):
        Dialect().replace(forced_tool="maybe")


def test_copy_and_load_resolve_the_dialect_again() -> None:
    model = llm("deepseek-v4-flash", dialect={"echo_turns": "all"})
    other = model.model_copy(update={"model": "Qwen/Qwen3-8B"})
    assert isinstance(other.dialect, Dialect)
    assert other.dialect.family == "qwen" and other.dialect.echo_turns == "all"
    loaded = load(
        dumpd(model),
        valid_namespaces=["langchain_compat_chat"],
        allowed_objects=[ChatCompatModel],
        secrets_map={"COMPAT_API_KEY": "k"},
    )
    assert loaded.dialect == model.dialect


def test_every_rule_names_its_evidence_or_is_a_plain_no_echo() -> None:
    for rule in RULES:
        assert rule.evidence or set(rule.set) <= {"echo_turns", "thinking_default"}, rule.name
        Dialect().replace(**rule.set)  # every value is valid


# -- round trip ---------------------------------------------------------------------------------
def _loop(model: ChatCompatModel, message: dict[str, Any]) -> tuple[AIMessage, dict[str, Any]]:
    """Answer with ``message`` (a tool call), then return the next request's assistant turn."""
    with respx.mock() as router:
        route = router.post(URL).mock(return_value=httpx.Response(200, json=reply(message)))
        first = model.invoke("Weather?")
        route.mock(return_value=httpx.Response(200, json=TEXT))
        model.invoke([HumanMessage("Weather?"), first, ToolMessage("sunny", tool_call_id="call_1")])
    assistant = json.loads(route.calls.last.request.content)["messages"][1]
    return first, assistant


@pytest.mark.parametrize(
    ("provider", "model", "field", "echoed"),
    [
        (None, "deepseek-v4-flash", "reasoning_content", "reasoning_content"),
        (None, "kimi-k2.5", "reasoning_content", "reasoning_content"),
        (None, "openai/gpt-oss-120b", "reasoning", "reasoning"),
        (None, "some-gateway-model", "reasoning", "reasoning"),  # round trip by default
        ("vllm", "Qwen/Qwen3-8B", "reasoning_content", "reasoning"),  # vLLM reads only this
        ("sglang", "Qwen/Qwen3-8B", "reasoning_content", "reasoning_content"),
        ("sglang", "Qwen/Qwen3-8B", "reasoning", "reasoning_content"),  # SGLang reads only this
        ("deepseek", "deepseek-v4-flash", "reasoning", "reasoning_content"),
        ("groq", "qwen/qwen3-32b", "reasoning", None),  # Groq rejects both fields
        ("mistral", "magistral-medium-latest", "reasoning_content", None),
        ("openai", "gpt-5", "reasoning_content", None),
    ],
)
def test_reasoning_goes_back_where_the_dialect_says(
    provider: str | None, model: str, field: str, echoed: str | None
) -> None:
    first, assistant = _loop(
        llm(model, provider), {"content": None, field: "plan", "tool_calls": [CALL]}
    )
    assert first.additional_kwargs["reasoning_field"] == field
    others = {"reasoning_content", "reasoning"} - {echoed}
    assert not others & set(assistant)
    if echoed is not None:
        assert assistant[echoed] == "plan"


def test_reasoning_details_round_trip_on_a_generic_url() -> None:
    details = [{"type": "reasoning.text", "text": "plan", "signature": "s1", "index": 0}]
    first, assistant = _loop(
        llm("MiniMax-M2.5"), {"content": None, "reasoning_details": details, "tool_calls": [CALL]}
    )
    assert first.additional_kwargs["reasoning_field"] == "reasoning_details"
    assert assistant["reasoning_details"] == details
    assert "reasoning_content" not in assistant and "reasoning" not in assistant


def test_only_tool_call_turns_by_default_all_turns_where_the_family_needs_it() -> None:
    said = AIMessage(
        "Hello", additional_kwargs={"reasoning_content": "r", "reasoning_field": "reasoning"}
    )
    history = [HumanMessage("a"), said, HumanMessage("b")]
    assert "reasoning" not in sent(llm("some-model"), history)["messages"][1]
    kimi = sent(llm("kimi-k2.5"), history)["messages"][1]  # Kimi wants every turn back
    assert kimi["reasoning"] == "r"


def test_preserve_thinking_only_where_the_model_takes_it() -> None:
    turn = AIMessage(
        "",
        additional_kwargs={"reasoning_content": "r"},
        tool_calls=[{"name": "f", "args": {}, "id": "c1"}],
    )
    history = [HumanMessage("a"), turn, ToolMessage("x", tool_call_id="c1")]
    new = sent(llm("qwen3.6-plus", "dashscope"), history)
    assert new["preserve_thinking"] is True and new["messages"][1]["reasoning_content"] == "r"
    assert "preserve_thinking" not in sent(llm("qwen-plus", "dashscope"), history)
    assert "preserve_thinking" not in sent(llm("qwen3.6-plus", "dashscope"), [HumanMessage("a")])


# -- recording and merging in streams ----------------------------------------------------------
def _aggregate(events: list[dict[str, Any]]) -> AIMessageChunk:
    builder = ChunkBuilder("compat")
    chunks = [c.message for e in events for c in builder.feed_batch([("", json.dumps(e))])]
    chunks.append(builder.finish().message)
    return reduce(operator.add, chunks)  # type: ignore[no-any-return]


def test_stream_records_the_field_like_invoke() -> None:
    events = [
        ev({"reasoning": "pl"}),
        ev({"reasoning": "an"}),
        ev({"content": "hi"}, finish="stop"),
    ]
    streamed = _aggregate(events)
    whole = to_chat_result(reply({"content": "hi", "reasoning": "plan"}), "compat")
    message = whole.generations[0].message
    assert streamed.additional_kwargs["reasoning_field"] == "reasoning"
    assert message.additional_kwargs["reasoning_field"] == "reasoning"
    assert streamed.additional_kwargs["reasoning_content"] == "plan"


def test_streamed_reasoning_details_merge_per_index_with_their_signature() -> None:
    fragments = [
        {"type": "reasoning.text", "text": "Fir", "index": 0, "format": "anthropic-claude-v1"},
        {"type": "reasoning.text", "text": "st.", "index": 0},
        {"type": "reasoning.text", "text": "", "index": 0, "signature": "sig0"},
        {"type": "reasoning.text", "text": "Second", "index": 1},
        {"type": "reasoning.text", "text": ".", "index": 1, "signature": "sig1"},
        {"type": "reasoning.encrypted", "data": "opaque", "index": 2},
    ]
    events = [ev({"reasoning_details": [f]}) for f in fragments] + [
        ev({"content": "ok"}, finish="stop")
    ]
    merged = _aggregate(events).additional_kwargs["reasoning_details"]
    assert merged == [
        {
            "type": "reasoning.text",
            "text": "First.",
            "index": 0,
            "format": "anthropic-claude-v1",
            "signature": "sig0",
        },
        {"type": "reasoning.text", "text": "Second.", "index": 1, "signature": "sig1"},
        {"type": "reasoning.encrypted", "data": "opaque", "index": 2},
    ]
    # ... which is the non-streamed form of the same answer.
    assert merge_reasoning_details([], merged) == merged


# -- forced tool choice while thinking ---------------------------------------------------------
@pytest.mark.parametrize(
    ("provider", "model", "settings", "want"),
    [
        # thinking switched off for the forced call
        ("deepseek", "deepseek-v4-flash", {}, {"thinking": {"type": "disabled"}}),
        (None, "deepseek-v4-flash", {"thinking": True}, {"thinking": {"type": "disabled"}}),
        ("moonshot", "kimi-k2.5", {"reasoning_effort": "high"}, {"thinking": {"type": "disabled"}}),
        ("dashscope", "qwen3-max", {"thinking": True}, {"enable_thinking": False}),
        (
            "openrouter",
            "anthropic/claude-sonnet-4.5",
            {"thinking": True},
            {"reasoning": {"enabled": False}},
        ),
    ],
)
def test_forced_tool_switches_thinking_off_for_that_call(
    provider: str | None, model: str, settings: dict[str, Any], want: dict[str, Any]
) -> None:
    body = sent(
        llm(model, provider, **settings).with_structured_output(Weather),
        "x",
        reply({"tool_calls": [CALL]}),
    )
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    for key, value in want.items():
        assert body[key] == value
    assert "reasoning_effort" not in body


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("deepseek", "deepseek-reasoner"),
        ("moonshot", "kimi-k2-thinking"),
        ("moonshot", "kimi-k3"),
        ("zhipu", "glm-4.7"),
        ("together", "deepseek-ai/DeepSeek-V3.1"),  # no off switch there: auto and check
        ("dashscope", "qwq-plus"),
    ],
)
def test_forced_tool_becomes_auto_and_is_checked(provider: str, model: str) -> None:
    model_ = llm(model, provider)
    bound = model_.bind_tools(
        [Weather, {"type": "function", "function": {"name": "Other", "parameters": {}}}],
        tool_choice="Weather",
    )
    body = sent(bound, "x", reply({"tool_calls": [CALL]}))
    assert body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == ["Weather"]  # only the named one
    with respx.mock() as router:
        router.post(URL).mock(return_value=httpx.Response(200, json=TEXT))
        with pytest.raises(ForcedToolCallError, match=f"{model!r}.*forced_tool="):
            model_.with_structured_output(Weather).invoke("x")


def test_self_hosted_servers_force_tools_while_thinking() -> None:
    # The 400 is the vendors' API validation; vLLM forces the tool after the reasoning.
    for name in ("Qwen/Qwen3-8B", "deepseek-ai/DeepSeek-V3.1"):
        model = llm(name, "vllm", thinking=True).with_structured_output(Weather)
        body = sent(model, "x", reply({"tool_calls": [CALL]}))
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
        assert next(iter(body["chat_template_kwargs"].values())) is True


def test_forced_tool_kept_when_thinking_is_off_or_allowed() -> None:
    any_choice = {"tool_choice": "any"}
    body = sent(
        llm("deepseek-v4-flash", "deepseek", thinking=False).bind_tools([Weather], **any_choice),
        "x",
        reply({"tool_calls": [CALL]}),
    )
    assert body["tool_choice"] == "required" and body["thinking"] == {"type": "disabled"}
    body = sent(
        llm("gpt-5", "openai").bind_tools([Weather], **any_choice),
        "x",
        reply({"tool_calls": [CALL]}),
    )
    assert body["tool_choice"] == "required" and "reasoning_effort" not in body
    body = sent(
        llm("claude-sonnet-4-5").bind_tools([Weather], **any_choice),
        "x",
        reply({"tool_calls": [CALL]}),
    )
    assert body["tool_choice"] == "required"  # Claude does not think unless asked


def _sse(events: list[dict[str, Any]]) -> httpx.Response:
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return httpx.Response(200, text=text, headers={"content-type": "text/event-stream"})


async def test_no_tool_call_raises_in_every_mode() -> None:
    model = llm("deepseek-reasoner", "deepseek").with_structured_output(Weather)
    text_stream = [ev({"content": "no tool"}, finish="stop")]
    with respx.mock() as router:
        route = router.post(URL)
        route.mock(return_value=httpx.Response(200, json=TEXT))
        with pytest.raises(ForcedToolCallError):
            await model.ainvoke("x")
        route.mock(return_value=_sse(text_stream))
        with pytest.raises(ForcedToolCallError):
            list(model.stream("x"))
        with pytest.raises(ForcedToolCallError):
            async for _ in model.astream("x"):
                pass
        call = {"index": 0, **CALL}
        route.mock(return_value=_sse([ev({"tool_calls": [call]}, finish="tool_calls")]))
        assert list(model.stream("x"))[-1] == Weather(city="Oslo")


def test_plan_is_pure_and_shared() -> None:
    dialect = resolve_dialect(get_provider("deepseek"), "deepseek-reasoner")
    params = {"model": "m", "tool_choice": "required", "tools": []}
    body, plan = build_body_and_plan(
        [HumanMessage("x")], params, dialect, stream=False, stream_usage=True
    )
    assert plan is not None and plan.needs_check and body["tool_choice"] == "auto"
    legacy, none = build_body_and_plan(
        [HumanMessage("x")], params, get_provider("deepseek"), stream=False, stream_usage=True
    )
    assert none is None and legacy["tool_choice"] == "required"  # a bare profile: as before


# -- one switch per dialect --------------------------------------------------------------------
def test_kimi_never_gets_thinking_and_reasoning_effort_together() -> None:
    body = sent(llm("kimi-k2.5", "moonshot", thinking=True, reasoning_effort="high"), "x")
    assert body["thinking"] == {"type": "enabled"} and "reasoning_effort" not in body
    assert (
        sent(llm("kimi-k2.5", "moonshot", reasoning_effort="high"), "x")["reasoning_effort"]
        == "high"
    )


def test_kimi_k3_takes_reasoning_effort_only() -> None:
    body = sent(llm("kimi-k3", "moonshot", thinking=True), "x")
    assert body["reasoning_effort"] == "max" and "thinking" not in body
    assert sent(llm("kimi-k3", "moonshot", thinking=1000), "x")["reasoning_effort"] == "low"


def test_groq_switches() -> None:
    qwen = sent(llm("qwen/qwen3-32b", "groq", thinking=False), "x")
    assert qwen["reasoning_effort"] == "none"
    assert sent(llm("qwen/qwen3-32b", "groq", thinking=True), "x")["reasoning_effort"] == "default"
    both = {"include_reasoning": False, "reasoning_format": "hidden"}
    body = sent(llm("openai/gpt-oss-20b", "groq", extra_body=both), "x")
    assert body["include_reasoning"] is False and "reasoning_format" not in body


def test_qwen3_template_key_only_for_qwen3_on_vllm() -> None:
    assert sent(llm("Qwen/Qwen3-8B", "vllm", thinking=True), "x")["chat_template_kwargs"] == {
        "enable_thinking": True
    }
    assert sent(llm("zai-org/GLM-4.6", "vllm", thinking=False), "x")["chat_template_kwargs"] == {
        "enable_thinking": False
    }
    with pytest.raises(ValueError, match="no switch for thinking"):
        sent(llm("meta-llama/Llama-3.3-70B-Instruct", "vllm", thinking=True), "x")
    forced = llm("meta-llama/Llama-3.3-70B-Instruct", "vllm").bind_tools(
        [Weather], tool_choice="any"
    )
    assert "chat_template_kwargs" not in sent(forced, "x", reply({"tool_calls": [CALL]}))


# -- review against the providers' own docs (issue 14 review) ----------------------------------
@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("groq", "moonshotai/kimi-k2-instruct-0905"),
        ("together", "moonshotai/Kimi-K2-Instruct-0905"),
        ("moonshot", "moonshot-v1-8k"),
    ],
)
def test_non_thinking_kimi_models_take_a_forced_tool_as_is(provider: str, model: str) -> None:
    # Kimi-K2-Instruct does not think: "auto" (and a ForcedToolCallError) would be wrong.
    body = sent(
        llm(model, provider).with_structured_output(Weather), "x", reply({"tool_calls": [CALL]})
    )
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    assert "thinking" not in body and "reasoning_effort" not in body
    anyone = llm(model, provider).bind_tools([Weather], tool_choice="any")
    assert sent(anyone, "x", reply({"tool_calls": [CALL]}))["tool_choice"] == "required"
    assert resolve_dialect(get_provider(provider), model).thinking_default is False


def test_kimi_thinking_models_leave_the_pinned_sampling_params_out() -> None:
    # Moonshot answers 400 "invalid temperature: only 1 is allowed for this model".
    pinned = {"temperature": 0.2, "top_p": 0.9, "presence_penalty": 0.1}
    for model in ("kimi-k2.5", "kimi-k2-thinking", "kimi-k3"):
        body = sent(llm(model, "moonshot", **pinned), "x")
        assert not set(pinned) & set(body), model
    legacy = sent(llm("moonshot-v1-8k", "moonshot", **pinned), "x")
    assert legacy["temperature"] == 0.2  # moonshot-v1 takes them
    # Elsewhere (a gateway, vLLM) the sampling params still go out.
    assert sent(llm("kimi-k2.5", **pinned), "x")["temperature"] == 0.2


def test_grok_models_that_reject_reasoning_effort_get_no_switch() -> None:
    for model in ("grok-4", "grok-4-0709", "grok-4-1-fast-reasoning", "grok-4.20-0309-reasoning"):
        with pytest.raises(ValueError, match="no switch for thinking"):
            sent(llm(model, "xai", thinking=True), "x")
        assert "reasoning_effort" not in sent(llm(model, "xai", thinking=False), "x")
    assert sent(llm("grok-3-mini", "xai", thinking=True), "x")["reasoning_effort"] == "high"
    assert sent(llm("grok-4.3", "xai", thinking=True), "x")["reasoning_effort"] == "medium"


@pytest.mark.parametrize(
    ("model", "echoed"),
    [
        ("openai/gpt-oss-120b:cerebras", False),
        ("openai/gpt-oss-120b:groq", False),
        ("openai/gpt-oss-120b:together", True),
        ("openai/gpt-oss-120b", True),
    ],
)
def test_hf_router_never_echoes_to_strict_backends(model: str, echoed: bool) -> None:
    _, assistant = _loop(
        llm(model, "huggingface"), {"content": None, "reasoning": "plan", "tool_calls": [CALL]}
    )
    assert ("reasoning" in assistant) is echoed
    assert "reasoning_content" not in assistant


def test_claude_opus_4_7_and_later_think_adaptively() -> None:
    # '"thinking.type.enabled" is not supported for this model' on Opus 4.7+.
    for setting in (True, 4096):
        body = sent(llm("claude-opus-4-7", "anthropic", thinking=setting), "x")
        assert body["thinking"] == {"type": "adaptive"}
    off = sent(llm("claude-opus-4-8", "anthropic", thinking=False, temperature=0.3), "x")
    assert off["thinking"] == {"type": "disabled"} and "temperature" not in off
    forced = llm("claude-opus-4-7", "anthropic", thinking=True).with_structured_output(Weather)
    assert sent(forced, "x", reply({"tool_calls": [CALL]}))["thinking"] == {"type": "disabled"}
    # Older Claude keeps the token budget (and its sampling params).
    old = sent(llm("claude-sonnet-4-5", "anthropic", thinking=True, temperature=0.3), "x")
    assert old["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert old["temperature"] == 0.3


def test_ollama_reads_reasoning_back_only_from_reasoning() -> None:
    # A turn built by hand (no record of the field it came in) still goes where Ollama reads.
    turn = AIMessage(
        "",
        additional_kwargs={"reasoning_content": "r"},
        tool_calls=[{"name": "f", "args": {}, "id": "c1"}],
    )
    history = [HumanMessage("a"), turn, ToolMessage("x", tool_call_id="c1")]
    assistant = sent(llm("qwen3:8b", "ollama"), history)["messages"][1]
    assert assistant["reasoning"] == "r" and "reasoning_content" not in assistant


def test_cerebras_glm_forced_tool_switches_reasoning_off() -> None:
    body = sent(
        llm("zai-glm-4.7", "cerebras").with_structured_output(Weather),
        "x",
        reply({"tool_calls": [CALL]}),
    )
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    assert body["reasoning_effort"] == "none"
    # gpt-oss on Cerebras refuses "none": nothing is sent for thinking=False.
    assert "reasoning_effort" not in sent(llm("gpt-oss-120b", "cerebras", thinking=False), "x")


def _two_tool_turns(first_kwargs: dict[str, Any]) -> list[Any]:
    """A tool-call turn with no reasoning (made with thinking off), then one with reasoning."""
    plain = AIMessage(
        "", additional_kwargs=first_kwargs, tool_calls=[{"name": "f", "args": {}, "id": "c1"}]
    )
    thought = AIMessage(
        "",
        additional_kwargs={"reasoning_content": "r", "reasoning_field": "reasoning_content"},
        tool_calls=[{"name": "f", "args": {}, "id": "c2"}],
    )
    return [
        HumanMessage("a"),
        plain,
        ToolMessage("x", tool_call_id="c1"),
        thought,
        ToolMessage("y", tool_call_id="c2"),
    ]


@pytest.mark.parametrize(
    ("provider", "model"),
    [("deepseek", "deepseek-v4-pro"), ("moonshot", "kimi-k2.5"), (None, "deepseek-v4-flash")],
)
def test_every_tool_call_turn_carries_the_echo_field_where_the_vendor_demands_it(
    provider: str | None, model: str
) -> None:
    # DeepSeek/Kimi 400 when one tool-call turn lacks reasoning_content; V4 refuses "".
    messages = sent(llm(model, provider), _two_tool_turns({}))["messages"]
    assert messages[1]["reasoning_content"] == " "
    assert messages[3]["reasoning_content"] == "r"
    # An empty reasoning that came back is padded too.
    empty = {"reasoning_content": "", "reasoning_field": "reasoning_content"}
    assert (
        sent(llm(model, provider), _two_tool_turns(empty))["messages"][1]["reasoning_content"]
        == " "
    )
    # Plain assistant turns (no tool calls) are left alone.
    said = [HumanMessage("a"), AIMessage("hi"), HumanMessage("b")]
    assert "reasoning_content" not in sent(llm(model, provider), said)["messages"][1]


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("vllm", "deepseek-ai/DeepSeek-V3.1"),  # no such validation on a self-hosted server
        ("groq", "moonshotai/kimi-k2-instruct-0905"),
        (None, "Qwen/Qwen3-8B"),
        ("sambanova", "DeepSeek-V3.1"),
    ],
)
def test_no_placeholder_where_nothing_demands_it(provider: str | None, model: str) -> None:
    messages = sent(llm(model, provider), _two_tool_turns({}))["messages"]
    assert "reasoning_content" not in messages[1] and "reasoning" not in messages[1]


def test_sambanova_gets_no_reasoning_keys_back() -> None:
    # SambaNova answers 400/422 to reasoning_content on input messages, even a pad.
    for model in ("DeepSeek-R1-0528", "gpt-oss-120b", "Qwen3-32B"):
        _, assistant = _loop(
            llm(model, "sambanova"),
            {"content": None, "reasoning_content": "plan", "tool_calls": [CALL]},
        )
        assert not {"reasoning_content", "reasoning", "reasoning_details"} & set(assistant)
