"""LangChain messages and parameters -> wire JSON (``_content``, ``_request``), rule by rule."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._wire.content import content_to_wire, file_block, image_block, text_of
from langchain_compat_chat._wire.request import build_body, message_to_wire, thinking_params
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat.providers import ProviderProfile, get_provider

BASE = "http://test.local/v1"
GENERIC = get_provider("generic")
PNG = b"\x89PNG\r\n\x1a\n0000"
PNG_B64 = base64.b64encode(PNG).decode()


def wire(msg: BaseMessage, provider: str | ProviderProfile = "generic") -> dict[str, Any]:
    return message_to_wire(msg, get_provider(provider))


def body(
    messages: list[BaseMessage] | None = None,
    params: dict[str, Any] | None = None,
    provider: str | ProviderProfile = "generic",
    *,
    stream: bool = False,
    stream_usage: bool = True,
    extra_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return build_body(
        messages or [HumanMessage("hi")],
        {"model": "m", **(params or {})},
        get_provider(provider),
        stream=stream,
        stream_usage=stream_usage,
        extra_body=extra_body,
    )


OK = {
    "id": "r1",
    "object": "chat.completion",
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
}


# -- system / developer / user ------------------------------------------------------------------
def test_system_role_default_and_developer_preset() -> None:
    assert wire(SystemMessage("be brief")) == {"role": "system", "content": "be brief"}
    dev = GENERIC.replace(system_role="developer")
    assert wire(SystemMessage("be brief"), dev)["role"] == "developer"


def test_system_openai_role_hint_wins() -> None:
    msg = SystemMessage("x", additional_kwargs={"__openai_role__": "developer"})
    assert wire(msg)["role"] == "developer"


def test_system_list_content_is_flattened() -> None:
    msg = SystemMessage(content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
    assert wire(msg)["content"] == "ab"


def test_user_str_and_single_text_part() -> None:
    assert wire(HumanMessage("hello")) == {"role": "user", "content": "hello"}
    assert wire(HumanMessage(content=[{"type": "text", "text": "hi"}]))["content"] == "hi"


def test_user_text_parts_stay_a_list_when_several() -> None:
    msg = HumanMessage(content=["a", {"type": "text", "text": "b"}])
    assert wire(msg)["content"] == [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]


# -- images -----------------------------------------------------------------------------------
def _parts(content: list[Any], provider: str = "generic") -> list[dict[str, Any]]:
    full = [{"type": "text", "text": "look"}, *content]
    if all(isinstance(b, (str, dict)) for b in content):
        out = wire(HumanMessage(content=full), provider)["content"]
    else:  # pathlib paths and other objects messages cannot hold: the converter itself
        out = content_to_wire(
            full, supports_video=get_provider(provider).supports_video, flatten=False
        )
    assert isinstance(out, list)
    return out[1:]


def test_image_url_as_string_and_dict() -> None:
    assert _parts([{"type": "image_url", "image_url": "https://x/a.png"}]) == [
        {"type": "image_url", "image_url": {"url": "https://x/a.png"}}
    ]
    part = {"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "low"}}
    assert _parts([part]) == [part]


def test_image_url_without_url_is_rejected() -> None:
    with pytest.raises(ValueError, match="without a url"):
        _parts([{"type": "image_url", "image_url": {}}])


def test_standard_image_url_and_base64() -> None:
    assert _parts([{"type": "image", "url": "https://x/a.png"}]) == [
        {"type": "image_url", "image_url": {"url": "https://x/a.png"}}
    ]
    got = _parts([{"type": "image", "base64": PNG_B64, "mime_type": "image/png"}])
    assert got == [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}]


def test_standard_image_detail_from_extras() -> None:
    block = {"type": "image", "url": "https://x/a.png", "extras": {"detail": "high"}}
    assert _parts([block])[0]["image_url"]["detail"] == "high"


def test_legacy_v0_image_source_type() -> None:
    block = {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"}
    assert _parts([block])[0]["image_url"]["url"].startswith("data:image/png;base64,")
    block = {"type": "image", "source_type": "url", "url": "https://x/a.png"}
    assert _parts([block])[0]["image_url"]["url"] == "https://x/a.png"


def test_anthropic_style_image_source() -> None:
    block = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/jpeg", "data": PNG_B64},
    }
    assert _parts([block])[0]["image_url"]["url"] == f"data:image/jpeg;base64,{PNG_B64}"
    block = {"type": "image", "source": {"type": "url", "url": "https://x/a.png"}}
    assert _parts([block])[0]["image_url"]["url"] == "https://x/a.png"


def test_base64_image_without_mime_is_rejected() -> None:
    with pytest.raises(ValueError, match="mime_type"):
        _parts([{"type": "image", "base64": PNG_B64}])


def test_image_file_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="file ids"):
        _parts([{"type": "image", "file_id": "file-1"}])


def test_local_image_via_image_block_path_and_pathlib(tmp_path: Path) -> None:
    img = tmp_path / "cat.png"
    img.write_bytes(PNG)
    want = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}}
    assert image_block(img) == want
    assert image_block(str(img)) == want
    assert _parts([img]) == [want]  # a pathlib.Path straight in the content list
    assert _parts([{"type": "image", "path": str(img)}]) == [want]


def test_image_block_url_and_bytes() -> None:
    assert image_block("https://x/a.png")["image_url"]["url"] == "https://x/a.png"
    assert image_block(PNG, mime_type="image/png")["image_url"]["url"].endswith(PNG_B64)
    with pytest.raises(ValueError, match="mime_type is required"):
        image_block(PNG)


def test_missing_local_file_and_unknown_mime(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        image_block(tmp_path / "nope.png")
    odd = tmp_path / "blob.zzqq"
    odd.write_bytes(b"x")
    with pytest.raises(ValueError, match="MIME type"):
        image_block(odd)


# -- audio, files, video ------------------------------------------------------------------------
def test_audio_becomes_input_audio(tmp_path: Path) -> None:
    data = base64.b64encode(b"RIFF").decode()
    got = _parts([{"type": "audio", "base64": data, "mime_type": "audio/wav"}])
    assert got == [{"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}]
    got = _parts([{"type": "audio", "base64": data, "mime_type": "audio/mpeg"}])
    assert got[0]["input_audio"]["format"] == "mp3"
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    assert _parts([wav])[0]["input_audio"] == {"data": data, "format": "wav"}
    raw = {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    assert _parts([raw]) == [raw]


def test_audio_url_is_rejected() -> None:
    with pytest.raises(ValueError, match="input_audio"):
        _parts([{"type": "audio", "url": "https://x/a.wav"}])


def test_pdf_file_blocks(tmp_path: Path) -> None:
    data = base64.b64encode(b"%PDF-1.4").decode()
    got = _parts([{"type": "file", "base64": data, "mime_type": "application/pdf"}])
    assert got == [
        {
            "type": "file",
            "file": {
                "filename": "document.pdf",
                "file_data": f"data:application/pdf;base64,{data}",
            },
        }
    ]
    named = {
        "type": "file",
        "base64": data,
        "mime_type": "application/pdf",
        "extras": {"filename": "r.pdf"},
    }
    assert _parts([named])[0]["file"]["filename"] == "r.pdf"
    assert _parts([{"type": "file", "file_id": "file-9"}]) == [
        {"type": "file", "file": {"file_id": "file-9"}}
    ]
    openai_form = {"type": "file", "file": {"file_id": "file-9"}}
    assert _parts([openai_form]) == [openai_form]
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert _parts([pdf])[0]["file"]["filename"] == "report.pdf"
    assert file_block(pdf)["file"]["file_data"] == f"data:application/pdf;base64,{data}"
    assert file_block(b"%PDF-1.4")["file"]["file_data"].endswith(data)
    with pytest.raises(ValueError, match="File URLs"):
        _parts([{"type": "file", "url": "https://x/a.pdf"}])


def test_video_only_where_supported(tmp_path: Path) -> None:
    block = {"type": "video", "url": "https://x/v.mp4"}
    with pytest.raises(ValueError, match="Video input is not supported"):
        _parts([block])
    want = {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}}
    assert _parts([block], "dashscope") == [want]
    assert _parts([want], "vllm") == [want]
    frames = {"type": "video", "video": ["https://x/1.jpg", "https://x/2.jpg"]}
    assert _parts([frames], "dashscope") == [frames]
    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00")
    got = _parts([mp4], "vllm")
    assert got[0]["video_url"]["url"].startswith("data:video/mp4;base64,")
    with pytest.raises(ValueError, match="Video input is not supported"):
        _parts([mp4])


@pytest.mark.parametrize(
    "block",
    [
        {"type": "mystery", "x": 1},
        {"type": "image"},
        42,
    ],
)
def test_unsupported_block_raises_value_error(block: Any) -> None:
    with pytest.raises(ValueError):
        _parts([block])


def test_unsupported_block_raises_before_any_request() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock(assert_all_called=False) as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(200, json=OK)
        )
        with pytest.raises(ValueError, match="Unsupported content block"):
            model.invoke([HumanMessage(content=[{"type": "hologram"}])])
        assert not route.called


def test_output_only_blocks_are_skipped_and_non_standard_unwrapped() -> None:
    content = [
        {"type": "reasoning", "reasoning": "hmm"},
        {"type": "text", "text": "a"},
        {"type": "non_standard", "value": {"type": "text", "text": "b"}},
    ]
    assert content_to_wire(content, supports_video=False, flatten=True) == "ab"
    assert text_of(content) == "a"


# -- assistant ----------------------------------------------------------------------------------
def test_assistant_tool_calls_wire_form() -> None:
    msg = AIMessage(
        content="",
        tool_calls=[{"name": "weather", "args": {"city": "Zürich", "n": 1}, "id": "call_1"}],
    )
    out = wire(msg)
    assert out["content"] is None
    (call,) = out["tool_calls"]
    assert call["id"] == "call_1" and call["type"] == "function"
    assert call["function"]["name"] == "weather"
    assert isinstance(call["function"]["arguments"], str)
    assert "Zürich" in call["function"]["arguments"]  # ensure_ascii=False
    assert json.loads(call["function"]["arguments"]) == {"city": "Zürich", "n": 1}


def test_assistant_text_and_tool_calls_keep_text() -> None:
    msg = AIMessage(content="let me check", tool_calls=[{"name": "f", "args": {}, "id": "c"}])
    assert wire(msg)["content"] == "let me check"


def test_assistant_plain_text() -> None:
    assert wire(AIMessage("hello")) == {"role": "assistant", "content": "hello"}


def test_assistant_invalid_tool_calls_echoed_verbatim() -> None:
    msg = AIMessage(
        content="",
        invalid_tool_calls=[
            {"type": "invalid_tool_call", "name": "f", "args": "{bad", "id": "c9", "error": "x"}
        ],
    )
    (call,) = wire(msg)["tool_calls"]
    assert call == {"id": "c9", "type": "function", "function": {"name": "f", "arguments": "{bad"}}


def test_tool_call_extras_round_trip_gemini_extra_content() -> None:
    extra = {"extra_content": {"google": {"thought_signature": "sig=="}}}
    data = {
        "id": "r",
        "model": "gemini",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "fc_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a":1}'},
                            **extra,
                        }
                    ],
                },
            }
        ],
    }
    msg = to_chat_result(data, "gemini").generations[0].message
    assert isinstance(msg, AIMessage)
    assert msg.additional_kwargs["tool_call_extras"] == {"fc_1": extra}
    (call,) = wire(msg, "gemini")["tool_calls"]
    assert call["extra_content"] == extra["extra_content"]
    assert call["id"] == "fc_1"
    assert json.loads(call["function"]["arguments"]) == {"a": 1}


def test_reasoning_echoed_only_when_profile_says_so() -> None:
    msg = AIMessage(
        content="",
        additional_kwargs={"reasoning_content": "thinking..."},
        tool_calls=[{"name": "f", "args": {}, "id": "c"}],
    )
    assert "reasoning_content" not in wire(msg, "generic")
    assert wire(msg, "deepseek")["reasoning_content"] == "thinking..."


@pytest.mark.parametrize(
    ("provider", "echoed"),
    [("openrouter", True), ("generic", False), ("mistral", False), ("gemini", False)],
)
def test_reasoning_details_echoed_only_where_the_profile_says(provider: str, echoed: bool) -> None:
    details = [{"type": "reasoning.encrypted", "data": "opaque==", "index": 0}]
    msg = AIMessage(
        content="",
        additional_kwargs={"reasoning_details": details},
        tool_calls=[{"name": "f", "args": {}, "id": "c"}],
    )
    out = wire(msg, provider)
    assert out.get("reasoning_details") == (details if echoed else None)


def test_reasoning_details_round_trip_from_an_openrouter_stream() -> None:
    """What OpenRouter streamed comes back as one entry per index, with its signature.

    Sending the fragments one by one is what providers reject ("Invalid signature in
    thinking block": OpenRouterTeam/ai-sdk-provider#423); the non-streamed answer has one
    entry per block, and the streamed one must aggregate to the same.
    """
    parts = [
        {"type": "reasoning.text", "text": "Need ", "format": "anthropic-claude-v1", "index": 0},
        {"type": "reasoning.text", "text": "a tool.", "signature": "sig", "index": 0},
    ]
    events = [
        {"id": "or-1", "choices": [{"index": 0, "delta": {"reasoning_details": [p]}}]}
        for p in parts
    ] + [
        {
            "id": "or-1",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "f", "arguments": "{}"},
                            }
                        ]
                    },
                    "finish_reason": "tool_calls",
                }
            ],
        }
    ]
    sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    model = ChatCompatModel(model="m", provider="openrouter", api_key="k", max_retries=0)
    url = "https://openrouter.ai/api/v1/chat/completions"
    with respx.mock() as router:
        route = router.post(url)
        route.mock(
            return_value=httpx.Response(
                200, text=sse, headers={"content-type": "text/event-stream"}
            )
        )
        first = None
        for chunk in model.stream("q"):
            first = chunk if first is None else first + chunk
        assert first is not None
        assert first.additional_kwargs["reasoning_content"] == "Need a tool."
        route.mock(return_value=httpx.Response(200, json=OK))
        model.invoke(["q", first, ToolMessage("42", tool_call_id="call_1")])
    sent = json.loads(route.calls.last.request.content)["messages"][1]
    assert sent["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Need a tool.",
            "format": "anthropic-claude-v1",
            "signature": "sig",
            "index": 0,
        }
    ]
    assert "reasoning_content" not in sent


def test_rename_params_mistral_seed() -> None:
    b = body(params={"seed": 7}, provider="mistral")
    assert b["random_seed"] == 7 and "seed" not in b
    assert body(params={"seed": 7})["seed"] == 7


def test_legacy_function_call_echoed() -> None:
    fc = {"name": "f", "arguments": "{}"}
    msg = AIMessage(content="", additional_kwargs={"function_call": fc})
    assert wire(msg)["function_call"] == fc
    out = wire(FunctionMessage(name="f", content="42"))
    assert out == {"role": "function", "name": "f", "content": "42"}


# -- tool messages ------------------------------------------------------------------------------
def test_tool_message_string() -> None:
    assert wire(ToolMessage("42", tool_call_id="c1")) == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": "42",
    }


def test_tool_message_list_auto_vs_string() -> None:
    text_only = ToolMessage(content=[{"type": "text", "text": "a"}, "b"], tool_call_id="c")
    assert wire(text_only)["content"] == "ab"
    mixed = ToolMessage(
        content=[{"type": "text", "text": "see"}, {"type": "image_url", "image_url": "https://i"}],
        tool_call_id="c",
    )
    assert wire(mixed)["content"] == [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": "https://i"}},
    ]
    assert wire(mixed, "dashscope")["content"] == "see"  # tool_content="string"
    odd = ToolMessage(content=[{"type": "weird", "v": 1}], tool_call_id="c")
    assert json.loads(wire(odd)["content"]) == [{"type": "weird", "v": 1}]
    assert json.loads(wire(odd, "dashscope")["content"]) == [{"type": "weird", "v": 1}]


# -- name, ids, roles ---------------------------------------------------------------------------
def test_name_only_where_allowed() -> None:
    msg = HumanMessage("hi", name="alice")
    assert wire(msg)["name"] == "alice"
    assert "name" not in wire(msg, "mistral")


def test_mistral_ids_are_nine_alnum_and_stable() -> None:
    long_id = "call_abcdefghijklmnopqrstuvwx"
    ai = AIMessage(content="", tool_calls=[{"name": "f", "args": {}, "id": long_id}])
    tool = ToolMessage("r", tool_call_id=long_id)
    a = wire(ai, "mistral")["tool_calls"][0]["id"]
    t = wire(tool, "mistral")["tool_call_id"]
    assert a == t == wire(ai, "mistral")["tool_calls"][0]["id"]
    assert len(a) == 9 and a.isalnum()
    assert wire(ToolMessage("r", tool_call_id="abcDEF123"), "mistral")["tool_call_id"] == (
        "abcDEF123"
    )
    assert wire(tool)["tool_call_id"] == long_id  # other providers keep ids untouched


def test_chat_message_roles() -> None:
    assert wire(ChatMessage(role="developer", content="x")) == {"role": "developer", "content": "x"}
    with pytest.raises(ValueError, match="Unsupported chat message role"):
        wire(ChatMessage(role="wizard", content="x"))


def test_unknown_message_type_rejected() -> None:
    class Odd(BaseMessage):
        type: str = "odd"

    with pytest.raises(ValueError, match="Unsupported message type"):
        wire(Odd(content="x"))


def test_dict_messages_through_invoke() -> None:
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(200, json=OK)
        )
        out = model.invoke(
            [
                {"role": "system", "content": "sys"},
                {"role": "developer", "content": "dev"},
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"x": "ü"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "done"},
            ]
        )
        sent = json.loads(route.calls.last.request.content)
    assert out.content == "ok"
    assert [m["role"] for m in sent["messages"]] == [
        "system",
        "developer",
        "user",
        "assistant",
        "tool",
    ]
    assert sent["messages"][3]["content"] is None
    assert sent["messages"][3]["tool_calls"][0]["function"]["arguments"] == '{"x":"ü"}'
    assert sent["messages"][4] == {"role": "tool", "tool_call_id": "c1", "content": "done"}
    assert "stream" not in sent and "stream_options" not in sent


# -- parameters ---------------------------------------------------------------------------------
def test_max_tokens_key_per_profile() -> None:
    assert body(params={"max_tokens": 5})["max_tokens"] == 5
    b = body(params={"max_tokens": 5}, provider="openai")
    assert b["max_completion_tokens"] == 5 and "max_tokens" not in b


def test_stream_options_only_when_streaming_and_allowed() -> None:
    assert body(stream=True)["stream_options"] == {"include_usage": True}
    assert body(stream=True)["stream"] is True
    assert "stream_options" not in body(stream=True, stream_usage=False)
    assert "stream_options" not in body(stream=True, provider="mistral")
    b = body(params={"stream": True, "stream_options": {"include_usage": True}})
    assert "stream" not in b and "stream_options" not in b
    custom = body(params={"stream_options": {"include_usage": False}}, stream=True)
    assert custom["stream_options"] == {"include_usage": False}


@pytest.mark.parametrize(
    ("provider", "choice", "want"),
    [
        ("generic", "any", "required"),
        ("generic", "required", "required"),
        ("mistral", "any", "any"),
        ("mistral", "required", "any"),
        ("generic", "auto", "auto"),
        ("generic", "none", "none"),
    ],
)
def test_tool_choice_any_maps_to_profile_value(provider: str, choice: str, want: str) -> None:
    assert body(params={"tool_choice": choice}, provider=provider)["tool_choice"] == want


def test_drop_params_and_extra_body_wins() -> None:
    b = body(
        params={"logit_bias": {"1": 2}, "frequency_penalty": 0.5, "seed": 1}, provider="gemini"
    )
    assert "logit_bias" not in b and "frequency_penalty" not in b and b["seed"] == 1
    b = body(
        params={"logit_bias": {"1": 2}},
        provider="gemini",
        extra_body={"logit_bias": {"3": 4}, "top_k": 20, "model": "override"},
    )
    assert b["logit_bias"] == {"3": 4} and b["top_k"] == 20 and b["model"] == "override"


def test_extra_body_and_model_kwargs_merged_last_through_model() -> None:
    model = ChatCompatModel(
        model="m",
        base_url=BASE,
        max_retries=0,
        temperature=0.1,
        max_tokens=7,
        model_kwargs={"top_k": 5, "temperature": 0.2},
        extra_body={"top_k": 9, "chat_template_kwargs": {"x": 1}},
    )
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(200, json=OK)
        )
        model.invoke("hi", stop=["END"])
        sent = json.loads(route.calls.last.request.content)
    assert sent["top_k"] == 9  # extra_body beats model_kwargs
    assert sent["temperature"] == 0.2  # both beat model fields
    assert sent["chat_template_kwargs"] == {"x": 1}
    assert sent["max_tokens"] == 7 and sent["stop"] == ["END"]
    assert sent["messages"] == [{"role": "user", "content": "hi"}]


THINKING_CASES = [
    ("dashscope", True, {"enable_thinking": True}),
    ("dashscope", False, {"enable_thinking": False}),
    ("dashscope", 1024, {"enable_thinking": True, "thinking_budget": 1024}),
    ("vllm", True, {"chat_template_kwargs": {"enable_thinking": True}}),
    ("vllm", False, {"chat_template_kwargs": {"enable_thinking": False}}),
    ("openrouter", True, {"reasoning": {"enabled": True}}),
    ("openrouter", 2000, {"reasoning": {"max_tokens": 2000}}),
    ("openrouter", False, {"reasoning": {"enabled": False}}),
    ("deepseek", True, {"thinking": {"type": "enabled"}}),
    ("deepseek", False, {"thinking": {"type": "disabled"}}),
    ("ollama", True, {"reasoning_effort": "medium"}),
    ("ollama", False, {"reasoning_effort": "none"}),
    ("generic", True, {"reasoning_effort": "medium"}),
    ("generic", 1000, {"reasoning_effort": "low"}),
    ("generic", 4000, {"reasoning_effort": "medium"}),
    ("generic", 20000, {"reasoning_effort": "high"}),
    ("generic", False, {}),
    ("lmstudio", False, {}),
    ("generic", None, {}),
    # providers that accept only some effort values
    ("xai", True, {"reasoning_effort": "high"}),
    ("xai", 1000, {"reasoning_effort": "low"}),
    ("xai", 4000, {"reasoning_effort": "high"}),
    ("xai", False, {}),
    ("mistral", True, {"reasoning_effort": "high"}),
    ("mistral", 1000, {"reasoning_effort": "high"}),
    ("mistral", False, {"reasoning_effort": "none"}),
]


@pytest.mark.parametrize(("provider", "thinking", "want"), THINKING_CASES)
def test_thinking_knob_per_style(provider: str, thinking: Any, want: dict[str, Any]) -> None:
    assert thinking_params(thinking, get_provider(provider)) == want
    b = body(params={"thinking": thinking}, provider=provider)
    assert b.get("thinking") == want.get("thinking")  # the portable knob never leaks
    for key, value in want.items():
        assert b[key] == value


def test_thinking_on_without_switch_is_an_error() -> None:
    with pytest.raises(ValueError, match="no switch for thinking"):
        thinking_params(True, get_provider("lmstudio"))


def test_thinking_through_model_field() -> None:
    # vLLM's switch is a chat-template key, known per model family (Qwen3: enable_thinking).
    model = ChatCompatModel(model="Qwen/Qwen3-8B", base_url=BASE, provider="vllm", thinking=False)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(200, json=OK)
        )
        model.invoke("hi")
        sent = json.loads(route.calls.last.request.content)
    assert sent["chat_template_kwargs"] == {"enable_thinking": False}
    assert "thinking" not in sent


def test_stream_request_body_through_model() -> None:
    sse = (
        'data: {"id":"r","model":"m","choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n'
        'data: {"id":"r","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}'
        "\n\ndata: [DONE]\n\n"
    )
    model = ChatCompatModel(model="m", base_url=BASE, max_retries=0)
    with respx.mock() as router:
        route = router.post(f"{BASE}/chat/completions").mock(
            return_value=httpx.Response(
                200, content=sse.encode(), headers={"content-type": "text/event-stream"}
            )
        )
        text = "".join(str(c.content) for c in model.stream("hi"))
        sent = json.loads(route.calls.last.request.content)
    assert text == "ok"
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
