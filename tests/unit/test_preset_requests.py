"""The exact HTTP request every preset sends for one representative agent turn (snapshots).

The call has everything a preset can change: a system prompt, a named user, an earlier
assistant turn with tool calls and reasoning (as a reasoning model returns it), a tool
result, bound tools with ``tool_choice="required"``, sampling fields some servers reject,
``max_tokens`` and ``thinking=True``. The snapshot holds method, URL with query, headers
(key redacted; httpx's own defaults and the version-dependent ``user-agent`` left out) and
the JSON body, for ``invoke`` and for ``stream``. A diff in
``__snapshots__/test_preset_requests.ambr`` is a wire change.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, Field
from syrupy.assertion import SnapshotAssertion

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.providers import get_provider, known_providers

KEY = "sk-preset-secret-0123456789"
# Presets without a default URL (self-hosted or per-resource) get a typical one.
BASE_URLS = {
    "generic": "http://localhost:8000/v1",
    "azure": "https://example-resource.openai.azure.com/openai/deployments/gpt-4o-mini",
}
# vLLM and SGLang switch thinking through the model's chat template, whose key depends on the
# model family (a Qwen3 key sent to any model was a bug), so they get a Qwen3 model.
MODELS = {"vllm": "Qwen/Qwen3-8B", "sglang": "Qwen/Qwen3-8B"}
SHIPPED = {
    "generic",
    "openai",
    "azure",
    "deepseek",
    "dashscope",
    "vllm",
    "sglang",
    "ollama",
    "llamacpp",
    "lmstudio",
    "openrouter",
    "gemini",
    "mistral",
    "groq",
    "together",
    "fireworks",
    "moonshot",
    "zhipu",
    "xai",
    "perplexity",
    "anthropic",
    "minimax",
    "cerebras",
    "sambanova",
    "deepinfra",
    "nebius",
    "nvidia",
    "siliconflow",
    "volcengine",
    "huggingface",
}
PRESETS = sorted(SHIPPED)


class GetWeather(BaseModel):
    """Current weather for a city."""

    city: str = Field(description="City name")
    unit: str = Field(default="celsius", description="celsius or fahrenheit")


def conversation() -> list[BaseMessage]:
    return [
        SystemMessage("You are a terse weather assistant."),
        HumanMessage("Weather in Paris and Zürich?", name="alice"),
        AIMessage(
            content="",
            additional_kwargs={
                "reasoning_content": "Two cities, so two calls.",
                "reasoning_details": [
                    {"type": "reasoning.text", "text": "Two cities, so two calls.", "index": 0}
                ],
            },
            tool_calls=[
                {"name": "GetWeather", "args": {"city": "Paris"}, "id": "call_paris_0001"},
                {"name": "GetWeather", "args": {"city": "Zürich"}, "id": "call_zurich_002"},
            ],
        ),
        ToolMessage('{"temp_c": 18}', tool_call_id="call_paris_0001"),
        ToolMessage('{"temp_c": 12}', tool_call_id="call_zurich_002"),
        HumanMessage("And tomorrow?"),
    ]


def thinks(provider: str) -> bool:
    """Whether the preset has a switch for ``thinking=True`` (others raise, tested below)."""
    return get_provider(provider).thinking_style != "none"


def make_model(provider: str) -> Any:
    model = ChatCompatModel.for_provider(
        provider,
        model=MODELS.get(provider, f"{provider}-model"),
        base_url=BASE_URLS.get(provider),
        api_key=KEY,
        max_retries=0,
        temperature=0.2,
        max_tokens=256,
        seed=7,
        frequency_penalty=0.1,
        logit_bias={"1734": -100},
        thinking=True if thinks(provider) else None,
    )
    return model.bind_tools([GetWeather], tool_choice="required")


def _reply(request: httpx.Request) -> httpx.Response:
    if json.loads(request.content).get("stream"):
        events = [
            {"id": "r", "choices": [{"index": 0, "delta": {"content": "ok"}}]},
            {"id": "r", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return httpx.Response(200, text=sse, headers={"content-type": "text/event-stream"})
    message = {"role": "assistant", "content": "ok"}
    return httpx.Response(
        200,
        json={"id": "r", "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]},
    )


def captured(request: httpx.Request) -> dict[str, Any]:
    headers = {}
    for name, value in sorted(request.headers.items()):
        if name in ("user-agent", "content-length", "host", "accept-encoding", "connection"):
            continue
        if name == "authorization":
            value = value.replace(KEY, "<redacted>")
        elif name == "api-key":
            value = "<redacted>" if value == KEY else value
        headers[name] = value
    return {
        "method": request.method,
        "url": str(request.url),
        "headers": headers,
        "json": json.loads(request.content),
    }


def send(provider: str, mode: str) -> httpx.Request:
    model = make_model(provider)
    with respx.mock(assert_all_called=True) as router:
        route = router.route(method="POST").mock(side_effect=_reply)
        if mode == "invoke":
            model.invoke(conversation())
        else:
            list(model.stream(conversation()))
    request: httpx.Request = route.calls.last.request
    return request


def test_every_shipped_preset_is_covered() -> None:
    assert set(known_providers()) >= SHIPPED


@pytest.mark.parametrize("mode", ["invoke", "stream"])
@pytest.mark.parametrize("provider", PRESETS)
def test_request_snapshot(provider: str, mode: str, snapshot: SnapshotAssertion) -> None:
    request = send(provider, mode)
    auth = request.headers.get("api-key") or request.headers.get("authorization")
    assert auth is not None and auth.endswith(KEY)  # the real key went out ...
    shot = captured(request)
    assert KEY not in json.dumps(shot)  # ... and only its redaction is in the snapshot
    assert shot == snapshot


@pytest.mark.parametrize("provider", [p for p in PRESETS if not thinks(p)])
def test_thinking_without_a_switch_is_refused(provider: str) -> None:
    model = ChatCompatModel.for_provider(
        provider, model="m", base_url=BASE_URLS.get(provider), api_key=KEY, thinking=True
    )
    with (
        respx.mock(assert_all_called=False) as router,
        pytest.raises(ValueError, match="no switch for thinking"),
    ):
        router.route(method="POST").mock(side_effect=_reply)
        model.invoke("hi")
