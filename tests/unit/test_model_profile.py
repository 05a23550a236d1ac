"""``model.profile``: the bundled table, the dialect merge, the user's override, ``fetch_profile``.

Server shapes: llama.cpp's ``/models`` is the recorded llama-server capture; ``/props``,
Ollama ``/api/show``, LM Studio ``/api/v0/models/{id}``, vLLM and OpenRouter listings follow
the fields their docs show (URLs in ``_profiles.py``), trimmed to what is read plus neighbours.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, get_type_hints

import httpx
import pytest
import respx
from langchain_core.language_models.model_profile import ModelProfile

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._profile_table import MODEL_TABLE
from langchain_compat_chat._profiles import (
    detail_endpoint,
    dialect_profile,
    server_profile,
    table_profile,
)
from langchain_compat_chat.errors import AuthenticationError
from langchain_compat_chat.providers import get_provider
from tests.conftest import REAL_SERVER_CAPTURES

PROFILE_KEYS = frozenset(get_type_hints(ModelProfile))


def _http_body(path: Path) -> Any:
    raw = path.read_text(encoding="utf-8")
    return json.loads(raw.split("\n\n", 1)[1].replace("\r\n", "\n"))


LLAMACPP_MODELS = _http_body(REAL_SERVER_CAPTURES / "02_models.http")
LLAMACPP_PROPS = {
    "default_generation_settings": {"n_ctx": 4096, "params": {"n_predict": -1}},
    "total_slots": 2,
    "model_alias": "tiny-qwen2.5",
    "modalities": {"vision": False, "audio": False},
    "build_info": "b1-0c1e570",
}
OLLAMA_SHOW = {
    "parameters": 'num_ctx                        8192\nstop          "<|im_end|>"',
    "template": "{{ .Prompt }}",
    "details": {"family": "qwen3", "parameter_size": "8.2B"},
    "model_info": {"general.architecture": "qwen3", "qwen3.context_length": 40960},
    "capabilities": ["completion", "tools", "thinking"],
}
LMSTUDIO_MODEL = {
    "id": "qwen2-vl-7b-instruct",
    "object": "model",
    "type": "vlm",
    "arch": "qwen2_vl",
    "state": "loaded",
    "max_context_length": 32768,
}
VLLM_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "Qwen/Qwen3-8B",
            "object": "model",
            "owned_by": "vllm",
            "root": "Qwen/Qwen3-8B",
            "max_model_len": 32768,
        }
    ],
}
OPENROUTER_MODELS = {
    "data": [
        {
            "id": "acme/vision-1",
            "name": "Acme Vision 1",
            "context_length": 200000,
            "architecture": {
                "input_modalities": ["text", "image", "file"],
                "output_modalities": ["text"],
            },
            "top_provider": {
                "context_length": 200000,
                "max_completion_tokens": 64000,
                "is_moderated": False,
            },
            "supported_parameters": ["tools", "tool_choice", "structured_outputs", "reasoning"],
        }
    ]
}


# -- the table -----------------------------------------------------------------------------------
def test_every_table_entry_uses_only_model_profile_keys_with_right_types() -> None:
    hints = get_type_hints(ModelProfile)
    for preset, models in MODEL_TABLE.items():
        assert get_provider(preset).name == preset
        for model, profile in models.items():
            assert model == model.strip().lower(), (preset, model)  # the lookup lower-cases
            assert set(profile) <= PROFILE_KEYS, (preset, model)
            for key, value in profile.items():
                expected = hints[key]
                origin = getattr(expected, "__origin__", expected)
                assert isinstance(value, origin), (preset, model, key)
            assert profile.get("max_input_tokens", 1) > 0


@pytest.mark.parametrize(
    ("provider", "model", "max_input"),
    [
        ("deepseek", "deepseek-chat", 128_000),
        ("openai", "gpt-4.1", 1_047_576),
        ("gemini", "gemini-2.5-pro", 1_048_576),
        ("xai", "grok-4.20", 1_000_000),
        ("zhipu", "glm-4.6", 200_000),
        ("moonshot", "kimi-k2.5", 256_000),
        ("moonshot", "kimi-k2-thinking", 256_000),
        ("mistral", "mistral-large-2512", 256_000),
    ],
)
def test_preset_flagship_gets_a_profile(provider: str, model: str, max_input: int) -> None:
    llm = ChatCompatModel(provider=provider, model=model, api_key="k")
    assert llm.profile is not None
    assert llm.profile["max_input_tokens"] == max_input
    assert llm.profile["tool_calling"] is True
    assert llm.profile["tool_call_streaming"] is True  # from the dialect


def test_deepseek_facts_are_the_documented_ones() -> None:
    chat = ChatCompatModel(provider="deepseek", model="deepseek-chat", api_key="k").profile
    reasoner = ChatCompatModel(provider="deepseek", model="deepseek-reasoner", api_key="k").profile
    assert chat is not None and reasoner is not None
    assert chat["reasoning_output"] is False and reasoner["reasoning_output"] is True
    # json_object only: create_agent must not pick the provider (json_schema) strategy
    assert chat["structured_output"] is False
    assert "max_output_tokens" not in chat  # not confirmed on the provider page: left out


def test_zhipu_moonshot_mistral_perplexity_facts_are_the_documented_ones() -> None:
    glm = ChatCompatModel(provider="zhipu", model="glm-4.6", api_key="k").profile
    kimi = ChatCompatModel(provider="moonshot", model="kimi-k2.5", api_key="k").profile
    large = ChatCompatModel(provider="mistral", model="mistral-large-2512", api_key="k").profile
    sonar = ChatCompatModel(provider="perplexity", model="sonar-pro", api_key="k").profile
    assert glm is not None and kimi is not None and large is not None and sonar is not None
    # GLM-4.6: 200K in, 128K out, thinks, json_object only (no native structured output)
    assert (glm["max_input_tokens"], glm["max_output_tokens"]) == (200_000, 128_000)
    assert glm["reasoning_output"] is True and glm["structured_output"] is False
    assert glm["image_inputs"] is False
    # Kimi K2.5 reads images; video it could read, but the moonshot preset cannot send it
    assert kimi["image_inputs"] is True and kimi["video_inputs"] is False
    assert "max_output_tokens" not in kimi  # no cap stated on Moonshot's page
    assert large["image_inputs"] is True and "structured_output" not in large
    # Sonar Pro: 200k in, 8k out, no reasoning; function calling is not stated, so no
    # tool facts at all (the dialect adds tool_choice only where tool_calling is known)
    assert (sonar["max_input_tokens"], sonar["max_output_tokens"]) == (200_000, 8_000)
    assert sonar["reasoning_output"] is False
    assert not {"tool_calling", "tool_choice", "tool_call_streaming"} & set(sonar)


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("mistral", "mistral-large-latest"),  # an alias whose target moves: not guessed
        ("dashscope", "qwen3-max"),  # no vendor page with the numbers was found
        ("groq", "openai/gpt-oss-20b"),  # only the 120b page was read
        ("perplexity", "sonar-deep-research"),
        ("anthropic", "claude-opus-9"),
        ("openai", "gpt-6"),  # an alias the table does not key
        ("cerebras", "zai-glm-4.7"),
        ("minimax", "MiniMax-M3"),  # only third-party numbers were found
        ("openrouter", "openai/gpt-oss-120b"),  # a gateway: its /models says, not the table
        ("dashscope", "qwen3.7-max-2026-06-08"),  # the vision snapshot: its limits not read
        ("moonshot", "kimi-k2.6"),  # no vendor page with the numbers was found
        ("mistral", "mistral-medium-3.5"),  # only gateway pages were found
        ("deepinfra", "openai/gpt-oss-120b"),  # no host page with limits was found
        ("xai", "grok-4.7-fast"),  # not on the public API, per the records read
    ],
)
def test_models_without_confirmed_facts_have_no_profile(provider: str, model: str) -> None:
    assert ChatCompatModel(provider=provider, model=model, api_key="k").profile is None


def test_lookup_ignores_case_and_gemini_models_prefix() -> None:
    assert table_profile("gemini", "models/Gemini-2.5-Pro") == table_profile(
        "gemini", "gemini-2.5-pro"
    )
    assert table_profile("gemini", "gemini-0-unknown") is None
    assert table_profile("vllm", "gpt-4.1") is None  # a local server's model is not assumed


def test_table_lookup_returns_a_copy() -> None:
    found = table_profile("openai", "gpt-4.1")
    assert found is not None
    found["max_input_tokens"] = 1
    assert MODEL_TABLE["openai"]["gpt-4.1"]["max_input_tokens"] == 1_047_576


def test_unknown_model_and_local_presets_have_no_profile() -> None:
    assert (
        ChatCompatModel(provider="deepseek", model="deepseek-future", api_key="k").profile is None
    )
    assert ChatCompatModel(provider="vllm", model="Qwen/Qwen3-8B").profile is None
    assert ChatCompatModel(base_url="http://127.0.0.1:9/v1", model="deepseek-chat").profile is None


def test_generic_model_on_a_hosted_url_gets_that_presets_table() -> None:
    llm = ChatCompatModel(model="deepseek-reasoner", base_url="https://api.deepseek.com/v1")
    assert llm.profile is not None and llm.profile["reasoning_output"] is True


# -- the entries added for presets that had none (issue 17) ---------------------------------------
@pytest.mark.parametrize(
    ("provider", "model", "max_input", "max_output"),
    [
        ("anthropic", "claude-fable-5-1", 1_000_000, 128_000),
        ("anthropic", "claude-opus-5-5", 1_000_000, 128_000),
        ("anthropic", "claude-sonnet-5-5", 1_000_000, 128_000),
        ("anthropic", "claude-haiku-5-5", 1_000_000, 128_000),
        ("anthropic", "claude-opus-5", 1_000_000, 128_000),
        ("anthropic", "claude-sonnet-5", 1_000_000, 128_000),
        ("anthropic", "claude-haiku-4-5", 200_000, 64_000),
        ("anthropic", "claude-haiku-4-5-20251001", 200_000, 64_000),
        ("claude", "Claude-Opus-5-5", 1_000_000, 128_000),  # preset alias, id in any case
        ("groq", "openai/gpt-oss-120b", 131_072, 65_536),
        ("cerebras", "gpt-oss-120b", 131_072, 40_960),
        ("fireworks", "accounts/fireworks/models/gpt-oss-120b", 128_000, None),
        ("together", "openai/gpt-oss-120b", 128_000, None),
        ("nvidia", "openai/gpt-oss-120b", None, None),
        ("nim", "openai/gpt-oss-120b", None, None),
        ("openai", "gpt-6-astra", 922_000, 128_000),
        ("openai", "gpt-6.1-sol", 922_000, 128_000),
        ("openai", "gpt-6-sol", 922_000, 128_000),
    ],
)
def test_new_entries_resolve_for_their_preset(
    provider: str, model: str, max_input: int | None, max_output: int | None
) -> None:
    profile = ChatCompatModel(provider=provider, model=model, api_key="k").profile
    assert profile is not None
    assert profile.get("max_input_tokens") == max_input
    assert profile.get("max_output_tokens") == max_output
    assert profile["text_inputs"] is True


def test_gpt_oss_hosts_are_text_only_reasoning_models_with_their_own_tool_facts() -> None:
    for provider, model in [
        ("groq", "openai/gpt-oss-120b"),
        ("cerebras", "gpt-oss-120b"),
        ("fireworks", "accounts/fireworks/models/gpt-oss-120b"),
        ("together", "openai/gpt-oss-120b"),
        ("nvidia", "openai/gpt-oss-120b"),
    ]:
        profile = ChatCompatModel(provider=provider, model=model, api_key="k").profile
        assert profile is not None
        assert (profile["image_inputs"], profile["reasoning_output"]) == (False, True), provider
    groq = ChatCompatModel(provider="groq", model="openai/gpt-oss-120b", api_key="k").profile
    together = ChatCompatModel(provider="together", model="openai/gpt-oss-120b", api_key="k")
    assert groq is not None and groq["structured_output"] is True  # JSON schema mode
    assert together.profile is not None
    # Together's page states no function calling: no tool facts, not even the dialect's
    assert not {"tool_calling", "tool_choice", "tool_call_streaming"} & set(together.profile)


def test_claude_on_the_openai_compat_endpoint() -> None:
    opus = ChatCompatModel(provider="anthropic", model="claude-opus-5-5", api_key="k").profile
    haiku = ChatCompatModel(provider="anthropic", model="claude-haiku-5-5", api_key="k").profile
    assert opus is not None and haiku is not None
    # response_format is ignored and thinking text is not returned by that endpoint
    for profile in (opus, haiku):
        assert profile["structured_output"] is False
        assert profile["reasoning_output"] is False
        assert profile["image_inputs"] is True and profile["tool_calling"] is True
        assert profile["tool_call_streaming"] is True
    # Opus 5.5 answers a forced tool call with an error: the table's fact beats the dialect's
    assert opus["tool_choice"] is False
    assert haiku["tool_choice"] is True


def test_dialect_keeps_a_table_fact_that_the_model_refuses_a_forced_tool() -> None:
    preset = get_provider("anthropic")
    assert dialect_profile(preset, {"tool_calling": True, "tool_choice": False}) == {
        "tool_call_streaming": True,
        "tool_choice": False,
    }
    assert dialect_profile(preset, {"tool_calling": True})["tool_choice"] is True


def test_gpt_6_entries_state_no_tool_facts() -> None:
    # Chat Completions takes no tools on gpt-6.1-sol and only with reasoning_effort="none"
    # on gpt-6-sol, so tool calling depends on the call and is not in the table
    for model in ("gpt-6-astra", "gpt-6.1-sol", "gpt-6-sol"):
        profile = ChatCompatModel(provider="openai", model=model, api_key="k").profile
        assert profile is not None
        assert not {"tool_calling", "tool_choice", "tool_call_streaming"} & set(profile), model
        assert profile["image_inputs"] is True and profile["reasoning_output"] is True
    sol = ChatCompatModel(provider="openai", model="gpt-6-sol", api_key="k").profile
    assert sol is not None and sol["structured_output"] is True


def test_user_profile_wins_over_a_new_entry() -> None:
    bundled = ChatCompatModel(provider="cerebras", model="gpt-oss-120b", api_key="k").profile
    assert bundled is not None and bundled["max_input_tokens"] == 131_072  # paid tiers
    llm = ChatCompatModel(
        provider="cerebras",
        model="gpt-oss-120b",
        api_key="k",
        profile={"max_input_tokens": 65_000, "max_output_tokens": 32_000},
    )
    assert llm.profile == {"max_input_tokens": 65_000, "max_output_tokens": 32_000}


def test_generic_model_on_groqs_url_gets_groqs_entry() -> None:
    llm = ChatCompatModel(model="openai/gpt-oss-120b", base_url="https://api.groq.com/openai/v1")
    assert llm.profile is not None and llm.profile["max_output_tokens"] == 65_536


@respx.mock
def test_fetch_profile_server_facts_win_over_a_new_entry() -> None:
    respx.get("https://api.groq.com/openai/v1/models").mock(
        return_value=httpx.Response(
            200,
            json={"data": [{"id": "openai/gpt-oss-120b", "context_window": 65_536}]},
        )
    )
    llm = ChatCompatModel(provider="groq", model="openai/gpt-oss-120b", api_key="k")
    profile = llm.fetch_profile()
    assert profile["max_input_tokens"] == 65_536  # the server's
    assert profile["max_output_tokens"] == 65_536  # the table's, the server is silent
    assert profile["structured_output"] is True


# -- the second pass: newer flagships and the presets still without an entry ----------------------
@pytest.mark.parametrize(
    ("provider", "model", "max_input", "max_output"),
    [
        ("deepseek", "deepseek-flash", 1_000_000, 384_000),
        ("deepseek", "deepseek-v4-flash", 1_000_000, 384_000),  # old name, served by V4.1
        ("deepseek", "deepseek-v4-pro", 1_000_000, 384_000),
        ("dashscope", "qwen3.7-max", 983_616, 131_072),
        ("qwen", "Qwen3.8-Max", 983_616, 131_072),  # preset alias, id in any case
        ("moonshot", "kimi-k3", 1_048_576, None),
        ("zhipu", "glm-5", 200_000, 128_000),
        ("zhipu", "glm-5.1", 200_000, 128_000),
        ("zhipu", "glm-5.2", 1_000_000, 128_000),
        ("zhipu", "glm-5.3", 1_000_000, 128_000),
        ("xai", "grok-4.5", 500_000, None),
        ("xai", "grok-4.6", 500_000, None),
        ("xai", "grok-4.7", 500_000, None),
        ("gemini", "gemini-3.8-flash", 1_048_576, 65_536),
        ("gemini", "gemini-3.7-flash", 1_048_576, 65_536),
        ("gemini", "gemini-3.5-flash", 1_048_576, 65_536),
        ("gemini", "models/gemini-3.1-pro-preview", 1_048_576, 65_536),
        ("gemini", "gemini-3-pro-preview", 1_048_576, 65_536),
        ("sambanova", "gpt-oss-120b", 128_000, None),
        ("sambanova", "DeepSeek-V3.1", 128_000, None),
        ("sambanova", "Meta-Llama-3.3-70B-Instruct", 128_000, None),
        ("sambanova", "MiniMax-M2.7", 192_000, None),  # SambaNova's own spelling
    ],
)
def test_second_pass_entries_resolve(
    provider: str, model: str, max_input: int, max_output: int | None
) -> None:
    profile = ChatCompatModel(provider=provider, model=model, api_key="k").profile
    assert profile is not None, (provider, model)
    assert profile["max_input_tokens"] == max_input
    assert profile.get("max_output_tokens") == max_output
    assert profile["text_inputs"] is True


def _profile(provider: str, model: str) -> dict[str, Any]:
    profile = ChatCompatModel(provider=provider, model=model, api_key="k").profile
    assert profile is not None, (provider, model)
    return dict(profile)


def test_second_pass_capabilities_are_the_documented_ones() -> None:
    # DeepSeek: images on Flash only; both think; JSON Output is json_object, not a schema
    flash, pro = _profile("deepseek", "deepseek-flash"), _profile("deepseek", "deepseek-v4-pro")
    assert (flash["image_inputs"], pro["image_inputs"]) == (True, False)
    assert flash["reasoning_output"] and pro["reasoning_output"]
    assert flash["structured_output"] is False and flash["tool_call_streaming"] is True
    # Qwen Max: the 3.7 alias is the text-only snapshot, 3.8 reads images
    assert _profile("dashscope", "qwen3.7-max")["image_inputs"] is False
    assert _profile("dashscope", "qwen3.8-max")["image_inputs"] is True
    # GLM-5: text models whose API has no json_schema
    glm = _profile("zhipu", "glm-5.3")
    assert (glm["image_inputs"], glm["structured_output"]) == (False, False)
    kimi = _profile("moonshot", "kimi-k3")
    assert kimi["image_inputs"] and kimi["structured_output"] and kimi["reasoning_output"]
    assert "video_inputs" not in kimi  # the card's modality line says text and image
    grok = _profile("xai", "grok-4.7")
    assert grok["structured_output"] and grok["image_inputs"] and grok["tool_choice"]
    # Gemini 3: what the page read states and nothing more
    assert not {"tool_calling", "structured_output"} & set(_profile("gemini", "gemini-3.7-flash"))
    pro31 = _profile("gemini", "gemini-3.1-pro-preview")
    assert pro31["tool_calling"] is True and "structured_output" not in pro31
    g38 = _profile("gemini", "gemini-3.8-flash")
    assert g38["pdf_inputs"] and g38["audio_inputs"] and g38["structured_output"]
    assert g38["video_inputs"] is False  # the model reads video, the gemini preset sends none
    # SambaNova's page states modalities and context, not tools: no tool facts at all
    samba = _profile("sambanova", "gpt-oss-120b")
    assert not {"tool_calling", "tool_choice", "tool_call_streaming"} & set(samba)
    assert (samba["image_inputs"], samba["reasoning_output"]) == (False, True)


def test_the_hosts_table_is_part_of_the_model_table() -> None:
    from langchain_compat_chat._profile_hosts import HOST_TABLE

    for preset, models in HOST_TABLE.items():
        assert MODEL_TABLE[preset] is models
    assert "sambanova" in MODEL_TABLE and "deepseek" not in HOST_TABLE


# -- the dialect merge ---------------------------------------------------------------------------
def test_dialect_drops_video_the_preset_cannot_send() -> None:
    profile = ChatCompatModel(provider="gemini", model="gemini-2.5-pro", api_key="k").profile
    assert profile is not None
    assert MODEL_TABLE["gemini"]["gemini-2.5-pro"]["video_inputs"] is True
    assert profile["video_inputs"] is False  # the gemini preset sends no video parts


def test_dialect_adds_nothing_for_a_model_without_tools_or_images() -> None:
    assert dialect_profile(get_provider("vllm"), {"tool_calling": False}) == {}
    assert dialect_profile(get_provider("vllm"), {"image_inputs": True}) == {
        "image_tool_message": True
    }


# -- the user's profile wins ---------------------------------------------------------------------
def test_user_profile_replaces_the_table() -> None:
    llm = ChatCompatModel(
        provider="deepseek", model="deepseek-chat", api_key="k", profile={"max_input_tokens": 9}
    )
    assert llm.profile == {"max_input_tokens": 9}


@respx.mock
def test_user_profile_wins_over_the_server_too() -> None:
    respx.get("http://vllm.test/v1/models").mock(return_value=httpx.Response(200, json=VLLM_MODELS))
    llm = ChatCompatModel(
        provider="vllm",
        base_url="http://vllm.test/v1",
        model="Qwen/Qwen3-8B",
        profile={"max_input_tokens": 1000, "tool_calling": True},
    )
    profile = llm.fetch_profile()
    assert profile["max_input_tokens"] == 1000
    assert llm.profile == profile


def test_model_copy_re_resolves_a_resolved_profile_but_keeps_the_users() -> None:
    chat = ChatCompatModel(provider="deepseek", model="deepseek-chat", api_key="k")
    reasoner = chat.model_copy(update={"model": "deepseek-reasoner"})
    assert reasoner.profile is not None and reasoner.profile["reasoning_output"] is True
    mine = ChatCompatModel(
        provider="deepseek", model="deepseek-chat", api_key="k", profile={"max_input_tokens": 7}
    )
    assert mine.model_copy(update={"model": "deepseek-reasoner"}).profile == {"max_input_tokens": 7}


# -- construction never touches the network ------------------------------------------------------
@respx.mock(assert_all_mocked=True)
def test_construction_makes_no_request() -> None:
    for provider in ("deepseek", "openai", "gemini", "xai", "vllm", "llamacpp", "ollama"):
        ChatCompatModel(provider=provider, model="deepseek-chat", api_key="k")
    assert respx.calls.call_count == 0


# -- server shapes (pure) ------------------------------------------------------------------------
def test_llamacpp_models_entry_alone_gives_n_ctx() -> None:
    entry = LLAMACPP_MODELS["data"][0]
    assert server_profile(entry, None) == {"max_input_tokens": 4096}


def test_llamacpp_n_ctx_train_is_the_last_resort() -> None:
    assert server_profile({"meta": {"n_ctx_train": 32768}}, None) == {"max_input_tokens": 32768}


def test_llamacpp_props_wins_over_the_listing() -> None:
    entry = {"meta": {"n_ctx": 8192, "n_ctx_train": 32768}}
    props = {**LLAMACPP_PROPS, "modalities": {"vision": True, "audio": False}}
    assert server_profile(entry, props) == {
        "max_input_tokens": 4096,
        "image_inputs": True,
        "audio_inputs": False,
    }


def test_ollama_show_num_ctx_and_capabilities() -> None:
    assert server_profile({"object": "model"}, OLLAMA_SHOW) == {
        "max_input_tokens": 8192,  # what the Modelfile serves, not the 40960 it was trained for
        "tool_calling": True,
        "image_inputs": False,
        "reasoning_output": True,
    }
    no_num_ctx = {**OLLAMA_SHOW, "parameters": ""}
    assert server_profile(None, no_num_ctx)["max_input_tokens"] == 40960


def test_lmstudio_max_context_length_and_type() -> None:
    assert server_profile(None, LMSTUDIO_MODEL) == {
        "max_input_tokens": 32768,
        "image_inputs": True,
    }


def test_vllm_max_model_len() -> None:
    assert server_profile(VLLM_MODELS["data"][0], None) == {"max_input_tokens": 32768}


def test_openrouter_entry() -> None:
    assert server_profile(OPENROUTER_MODELS["data"][0], None) == {
        "max_input_tokens": 200000,
        "max_output_tokens": 64000,
        "text_inputs": True,
        "image_inputs": True,
        "audio_inputs": False,
        "video_inputs": False,
        "pdf_inputs": True,
        "tool_calling": True,
        "tool_choice": True,
        "structured_output": True,
        "reasoning_output": True,
    }


CEREBRAS_PUBLIC_MODEL = {
    "id": "gpt-oss-120b",
    "object": "model",
    "name": "OpenAI GPT OSS",
    "limits": {"max_context_length": 65_536, "max_completion_tokens": 32_768},
    "capabilities": {
        "tools": True,
        "tool_choice": True,
        "structured_outputs": True,
        "reasoning": True,
        "vision": False,
    },
    "pricing": {"prompt": "0.00000025", "completion": "0.00000069"},
    "deprecated": False,
}
MISTRAL_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "mistral-small-2603",
            "object": "model",
            "owned_by": "mistralai",
            "capabilities": {
                "completion_chat": True,
                "completion_fim": False,
                "function_calling": True,
                "fine_tuning": False,
                "vision": True,
            },
            "max_context_length": 131_072,
            "aliases": ["mistral-small-latest"],
            "type": "base",
        }
    ],
}
SAMBANOVA_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "MiniMax-M2.7",
            "object": "model",
            "owned_by": "MiniMax",
            "context_length": 196_608,
            "max_completion_tokens": 131_072,
            "sn_metadata": {},
            "pricing": {"prompt": 0.0000003, "completion": 0.0000012},
        }
    ],
}


def test_cerebras_public_model_limits_and_capabilities() -> None:
    assert server_profile({"id": "gpt-oss-120b", "object": "model"}, CEREBRAS_PUBLIC_MODEL) == {
        "max_input_tokens": 65_536,
        "max_output_tokens": 32_768,
        "tool_calling": True,
        "tool_choice": True,
        "structured_output": True,
        "reasoning_output": True,
        "image_inputs": False,
    }
    # the same object in a listing (the public list endpoint) reads the same
    assert server_profile(CEREBRAS_PUBLIC_MODEL, None)["max_output_tokens"] == 32_768


def test_mistral_capabilities_object() -> None:
    assert server_profile(MISTRAL_MODELS["data"][0], None) == {
        "max_input_tokens": 131_072,
        "tool_calling": True,
        "image_inputs": True,
    }


def test_sambanova_listing_output_cap() -> None:
    assert server_profile(SAMBANOVA_MODELS["data"][0], None) == {
        "max_input_tokens": 196_608,
        "max_output_tokens": 131_072,
    }


def test_capability_flags_need_booleans_in_an_object() -> None:
    assert server_profile({"capabilities": {"tools": "yes", "vision": 1}}, None) == {}
    assert server_profile({"capabilities": ["tool_use"]}, None) == {}  # LM Studio's list
    # a flag either key raises wins: Cerebras sends both tools and function_calling
    both = {"capabilities": {"function_calling": False, "tools": True}}
    assert server_profile(both, None) == {"tool_calling": True}


@pytest.mark.parametrize("bad", [0, -5, True, "lots", None, 1.5, [], {}])
def test_nonsense_lengths_are_ignored(bad: Any) -> None:
    assert server_profile({"max_model_len": bad, "context_length": bad}, None) == {}


def test_detail_endpoints() -> None:
    assert detail_endpoint("llamacpp", "m") == ("GET", "/props", None)
    assert detail_endpoint("ollama", "qwen3:8b") == (
        "POST",
        "/api/show",
        b'{"model": "qwen3:8b"}',
    )
    assert detail_endpoint("lmstudio", "m") == ("GET", "/api/v0/models/m", None)
    assert detail_endpoint("cerebras", "gpt-oss-120b") == (
        "GET",
        "/public/v1/models/gpt-oss-120b",
        None,
    )
    assert detail_endpoint("vllm", "m") is None


# -- fetch_profile over HTTP (respx) -------------------------------------------------------------
@respx.mock
def test_fetch_profile_llamacpp_reads_props_at_the_server_root() -> None:
    respx.get("http://llama.test/v1/models").mock(
        return_value=httpx.Response(200, json=LLAMACPP_MODELS)
    )
    props = respx.get("http://llama.test/props").mock(
        return_value=httpx.Response(
            200, json={**LLAMACPP_PROPS, "default_generation_settings": {"n_ctx": 2048}}
        )
    )
    llm = ChatCompatModel(provider="llamacpp", base_url="http://llama.test/v1", model="anything")
    profile = llm.fetch_profile()
    assert props.called
    assert profile["max_input_tokens"] == 2048
    assert llm.profile == profile


@respx.mock
def test_fetch_profile_ollama_posts_api_show() -> None:
    respx.get("http://ollama.test/v1/models").mock(
        return_value=httpx.Response(200, json={"object": "list", "data": [{"id": "qwen3:8b"}]})
    )
    show = respx.post("http://ollama.test/api/show").mock(
        return_value=httpx.Response(200, json=OLLAMA_SHOW)
    )
    llm = ChatCompatModel(provider="ollama", base_url="http://ollama.test/v1", model="qwen3:8b")
    profile = llm.fetch_profile()
    assert json.loads(show.calls.last.request.content) == {"model": "qwen3:8b"}
    assert profile["max_input_tokens"] == 8192
    assert profile["tool_calling"] is True
    assert profile["tool_call_streaming"] is True  # the dialect's fact, merged in


@respx.mock
def test_fetch_profile_lmstudio_reads_api_v0() -> None:
    respx.get("http://lms.test/v1/models").mock(
        return_value=httpx.Response(200, json={"data": [{"id": "qwen2-vl-7b-instruct"}]})
    )
    respx.get("http://lms.test/api/v0/models/qwen2-vl-7b-instruct").mock(
        return_value=httpx.Response(200, json=LMSTUDIO_MODEL)
    )
    llm = ChatCompatModel(
        provider="lmstudio", base_url="http://lms.test/v1", model="qwen2-vl-7b-instruct"
    )
    assert llm.fetch_profile() == {
        "max_input_tokens": 32768,
        "image_inputs": True,
        "image_tool_message": True,
    }


@respx.mock
def test_fetch_profile_detail_failure_falls_back_to_the_listing() -> None:
    respx.get("http://llama.test/v1/models").mock(
        return_value=httpx.Response(200, json=LLAMACPP_MODELS)
    )
    respx.get("http://llama.test/props").mock(return_value=httpx.Response(404, json={}))
    llm = ChatCompatModel(
        provider="llamacpp", base_url="http://llama.test/v1", model="x", max_retries=0
    )
    assert llm.fetch_profile() == {"max_input_tokens": 4096}


@respx.mock
def test_fetch_profile_openrouter_server_wins_over_nothing_and_async_matches() -> None:
    respx.get("https://openrouter.ai/api/v1/models").mock(
        return_value=httpx.Response(200, json=OPENROUTER_MODELS)
    )
    llm = ChatCompatModel(provider="openrouter", model="acme/vision-1", api_key="k")
    assert llm.profile is None
    sync = llm.fetch_profile()
    other = ChatCompatModel(provider="openrouter", model="acme/vision-1", api_key="k")
    assert asyncio.run(other.afetch_profile()) == sync
    assert sync["max_output_tokens"] == 64000 and sync["image_tool_message"] is True


@respx.mock
def test_fetch_profile_server_facts_win_over_the_table() -> None:
    respx.get("https://api.deepseek.com/v1/models").mock(
        return_value=httpx.Response(
            200, json={"data": [{"id": "deepseek-chat", "context_length": 64000}]}
        )
    )
    llm = ChatCompatModel(provider="deepseek", model="deepseek-chat", api_key="k")
    profile = llm.fetch_profile()
    assert profile["max_input_tokens"] == 64000
    assert (
        profile["structured_output"] is False
    )  # the table's fact stays where the server is silent


@respx.mock
def test_fetch_profile_model_not_listed_keeps_the_table() -> None:
    respx.get("https://api.deepseek.com/v1/models").mock(
        return_value=httpx.Response(200, json={"data": [{"id": "other", "context_length": 5}]})
    )
    llm = ChatCompatModel(provider="deepseek", model="deepseek-chat", api_key="k")
    assert llm.fetch_profile()["max_input_tokens"] == 128_000


@respx.mock
def test_fetch_profile_raises_the_listings_typed_error() -> None:
    respx.get("https://api.deepseek.com/v1/models").mock(
        return_value=httpx.Response(401, json={"error": {"message": "bad key"}})
    )
    llm = ChatCompatModel(provider="deepseek", model="deepseek-chat", api_key="k")
    with pytest.raises(AuthenticationError):
        llm.fetch_profile()
    assert llm.profile is not None and llm.profile["max_input_tokens"] == 128_000  # untouched


@respx.mock
def test_fetch_profile_cerebras_reads_the_public_model_and_async_matches() -> None:
    respx.get("https://api.cerebras.ai/v1/models").mock(
        return_value=httpx.Response(
            200,
            json={"object": "list", "data": [{"id": "gpt-oss-120b", "object": "model"}]},
        )
    )
    public = respx.get("https://api.cerebras.ai/public/v1/models/gpt-oss-120b").mock(
        return_value=httpx.Response(200, json=CEREBRAS_PUBLIC_MODEL)
    )
    llm = ChatCompatModel(provider="cerebras", model="gpt-oss-120b", api_key="k")
    profile = llm.fetch_profile()
    assert public.called
    # what this account is served (a free tier's 65k/32k) wins over the paid-tier table
    assert (profile["max_input_tokens"], profile["max_output_tokens"]) == (65_536, 32_768)
    assert profile["tool_calling"] is True and profile["tool_call_streaming"] is True
    other = ChatCompatModel(provider="cerebras", model="gpt-oss-120b", api_key="k")
    assert asyncio.run(other.afetch_profile()) == profile


@respx.mock
def test_fetch_profile_mistral_and_sambanova_listings() -> None:
    respx.get("https://api.mistral.ai/v1/models").mock(
        return_value=httpx.Response(200, json=MISTRAL_MODELS)
    )
    respx.get("https://api.sambanova.ai/v1/models").mock(
        return_value=httpx.Response(200, json=SAMBANOVA_MODELS)
    )
    small = ChatCompatModel(provider="mistral", model="mistral-small-2603", api_key="k")
    assert small.profile is None  # not in the table: the server is the only source
    assert small.fetch_profile() == {
        "max_input_tokens": 131_072,
        "tool_calling": True,
        "image_inputs": True,
        "tool_call_streaming": True,
        "tool_choice": True,
        "image_tool_message": True,
    }
    m27 = ChatCompatModel(provider="sambanova", model="MiniMax-M2.7", api_key="k")
    fetched = m27.fetch_profile()
    assert (fetched["max_input_tokens"], fetched["max_output_tokens"]) == (196_608, 131_072)
    assert fetched["image_inputs"] is False  # the table's fact stays where the server is silent
