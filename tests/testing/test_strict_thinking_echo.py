"""Strict thinking mode: the reasoning of tool-call turns must come back, in the right field.

The first turn of each test is a real thinking answer of the server (merged from the stream
the way a client must), so the checks run on what a client would actually send back: the
provider's 400 when the echo is missing, in the wrong field, of other text, split per
streamed fragment or unsigned, and a 200 when it is right.
"""

from __future__ import annotations

import copy

import httpx
import pytest
from _helpers import parse_sse
from _thinking_helpers import (
    THINK_ON,
    TOOLS,
    USER,
    echo_of,
    error_message,
    first_turn,
    message_of,
    next_body,
    post,
)

from langchain_compat_chat.testing import DIALECT_PRESETS

# -- reasoning echo on tool-call turns ----------------------------------------------------------
ECHO_MISSING = {
    "deepseek-thinking": (
        "The `reasoning_content` in the thinking mode must be passed back to the API."
    ),
    "kimi-thinking": (
        "thinking is enabled but reasoning_content is missing in assistant tool call message "
        "at index 1"
    ),
    "kimi-k3": (
        "thinking is enabled but reasoning_content is missing in assistant tool call message "
        "at index 1"
    ),
    "qwen-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "vllm-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "sglang-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "glm-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "minimax-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "gpt-oss-thinking": "Strict mode: messages[1] is an assistant tool-call turn",
    "openrouter-thinking": "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`",
    "gemini-thinking": "Function call is missing a thought_signature in functionCall parts.",
}
EXTRA_ON_ECHO = {"qwen-thinking": {"preserve_thinking": True}}


@pytest.mark.parametrize("dialect", sorted(ECHO_MISSING))
@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_turn_without_its_reasoning_is_the_providers_400(
    client: httpx.Client, dialect: str, stream: bool
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, stream)
    extra = EXTRA_ON_ECHO.get(dialect, {})
    echoed = echo_of(message, field)
    ok = post(client, dialect, stream=stream, **next_body(first, echoed, **extra))
    assert message_of(ok, stream).get("content")  # the loop ends with an answer
    dropped = copy.deepcopy(echoed)
    dropped.pop(field, None)
    for call in dropped["tool_calls"]:
        call.pop("extra_content", None)
    resp = post(client, dialect, stream=stream, **next_body(first, dropped, **extra))
    assert resp.status_code == 400, resp.text
    assert error_message(resp).startswith(ECHO_MISSING[dialect])


@pytest.mark.parametrize(
    "dialect",
    ["deepseek-thinking", "kimi-thinking", "vllm-thinking", "minimax-thinking", "gpt-oss-thinking"],
)
def test_an_echo_of_other_text_is_rejected(client: httpx.Client, dialect: str) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, True)
    echoed = echo_of(message, field)
    if field == "reasoning_details":
        echoed[field][0]["text"] += " and more"
    else:
        echoed[field] = echoed[field].strip() + " and more"
    resp = post(client, dialect, **next_body(first, echoed))
    assert resp.status_code == 400, resp.text
    assert "not the reasoning this server sent" in error_message(resp)


def test_untagged_history_needs_only_the_field(client: httpx.Client) -> None:
    # A turn this server did not produce while thinking (foreign id): the field must be there,
    # as on DeepSeek, whatever its text.
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_foreign",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    }
    body = next_body({"tools": TOOLS}, assistant)
    assert post(client, "deepseek-thinking", **body).status_code == 400
    assistant["reasoning_content"] = ""
    assert post(client, "deepseek-thinking", **body).status_code == 200
    off = next_body({"tools": TOOLS, "thinking": {"type": "disabled"}}, dict(assistant))
    del off["messages"][1]["reasoning_content"]
    assert post(client, "deepseek-thinking", **off).status_code == 200  # not thinking: no rule


@pytest.mark.parametrize(
    ("dialect", "wrong", "words"),
    [
        ("vllm-thinking", "reasoning_content", "which vLLM ignores on input"),
        ("gpt-oss-thinking", "reasoning_content", "which vLLM ignores on input"),
        ("deepseek-thinking", "reasoning", "The `reasoning_content` in the thinking mode"),
        ("kimi-thinking", "reasoning", "reasoning_content is missing"),
    ],
)
def test_reasoning_in_the_wrong_field_is_rejected(
    client: httpx.Client, dialect: str, wrong: str, words: str
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, False)
    echoed = echo_of(message, field)
    echoed[wrong] = echoed.pop(field)
    resp = post(client, dialect, **next_body(first, echoed))
    assert resp.status_code == 400
    assert words in error_message(resp)


def test_qwen_echo_counts_only_with_preserve_thinking(client: httpx.Client) -> None:
    message, first = first_turn(client, "qwen-thinking", False)
    echoed = echo_of(message, "reasoning_content")
    resp = post(client, "qwen-thinking", **next_body(first, echoed))
    assert resp.status_code == 400
    assert "'preserve_thinking': true" in error_message(resp)
    body = next_body(first, echoed, preserve_thinking=True)
    assert post(client, "qwen-thinking", **body).status_code == 200


@pytest.mark.parametrize("dialect", ["vllm-thinking", "gemini-thinking", "openrouter-thinking"])
def test_current_turn_scope_ignores_turns_before_the_last_user_message(
    client: httpx.Client, dialect: str
) -> None:
    field = str(DIALECT_PRESETS[dialect].reasoning_echo)
    message, first = first_turn(client, dialect, False)
    dropped = echo_of(message, field)
    dropped.pop(field, None)
    for call in dropped["tool_calls"]:
        call.pop("extra_content", None)
    body = next_body(first, dropped)
    body["messages"] += [{"role": "assistant", "content": "Done."}, dict(USER)]
    assert post(client, dialect, **body).status_code == 200


# -- OpenRouter reasoning_details: fragments, signatures, merging -------------------------------
def test_openrouter_streams_fragments_with_the_signature_last(client: httpx.Client) -> None:
    body = {"reasoning": {"enabled": True}, "seed": 11}
    resp = post(client, "openrouter-thinking", stream=True, **body)
    parts = [
        p
        for c in parse_sse(resp.text)[:-1]
        for ch in c["choices"]
        for p in ch["delta"].get("reasoning_details") or ()
    ]
    indexes = sorted({p["index"] for p in parts})
    assert indexes == [0, 1]
    for k in indexes:
        mine = [p for p in parts if p["index"] == k]
        assert len(mine) > 2 and all(p["format"] == "anthropic-claude-v1" for p in mine)
        assert [bool(p.get("signature")) for p in mine] == [False] * (len(mine) - 1) + [True]
    streamed = message_of(resp, True)
    whole = message_of(post(client, "openrouter-thinking", **body), False)
    # merging the stream per index gives the non-streamed entries
    assert streamed["reasoning_details"] == whole["reasoning_details"]
    # and the same text comes once more as plain `reasoning`, as OpenRouter sends it
    text = "".join(d["text"] for d in whole["reasoning_details"])
    assert whole["reasoning"] == streamed["reasoning"] == text


def test_openrouter_rejects_fragment_lists_and_lost_signatures(client: httpx.Client) -> None:
    resp = post(
        client, "openrouter-thinking", stream=True, tools=TOOLS, **THINK_ON["openrouter-thinking"]
    )
    fragments = [
        p
        for c in parse_sse(resp.text)[:-1]
        for ch in c["choices"]
        for p in ch["delta"].get("reasoning_details") or ()
    ]
    message, first = first_turn(client, "openrouter-thinking", True)
    bad_signature = "messages.1.content.0: Invalid `signature` in `thinking` block"
    as_streamed = echo_of(message, "reasoning_details")
    as_streamed["reasoning_details"] = fragments
    resp = post(client, "openrouter-thinking", **next_body(first, as_streamed))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    unsigned = echo_of(message, "reasoning_details")
    for entry in unsigned["reasoning_details"]:
        del entry["signature"]
    resp = post(client, "openrouter-thinking", **next_body(first, unsigned))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    one_block = echo_of(message, "reasoning_details")
    one_block["reasoning_details"] = one_block["reasoning_details"][:1]
    resp = post(client, "openrouter-thinking", **next_body(first, one_block))
    assert resp.status_code == 400 and error_message(resp) == bad_signature
    body = resp.json()["error"]
    assert body["message"] == "Provider returned error"
    assert body["metadata"]["provider_name"] == "Anthropic"


# -- Gemini thought signatures ------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True])
def test_gemini_signs_the_first_tool_call_of_a_step(client: httpx.Client, stream: bool) -> None:
    body = {"tools": TOOLS, "tool_choice": "required", "seed": 3}
    message = message_of(post(client, "gemini-thinking", stream=stream, **body), stream)
    first, *rest = message["tool_calls"]
    assert first["extra_content"]["google"]["thought_signature"]
    assert rest and all("extra_content" not in c for c in rest)
    assert "reasoning_content" not in message  # thoughts stay hidden


def test_gemini_names_the_call_missing_its_signature(client: httpx.Client) -> None:
    message, first = first_turn(client, "gemini-thinking", False)
    echoed = echo_of(message, "thought_signature")
    name = echoed["tool_calls"][0]["function"]["name"]
    del echoed["tool_calls"][0]["extra_content"]
    resp = post(client, "gemini-thinking", **next_body(first, echoed))
    assert resp.status_code == 400
    assert f"function call `default_api:{name}` , position 1" in error_message(resp)
    (body,) = resp.json()
    assert body["error"]["status"] == "INVALID_ARGUMENT" and body["error"]["code"] == 400
    forged = echo_of(message, "thought_signature")
    forged["tool_calls"][0]["extra_content"]["google"]["thought_signature"] = "c2lnbmF0dXJl"
    assert post(client, "gemini-thinking", **next_body(first, forged)).status_code == 400
