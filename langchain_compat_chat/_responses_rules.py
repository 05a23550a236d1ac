"""The declared Responses API facts: which endpoint takes ``POST /responses`` and how.

Pure data, read by :func:`langchain_compat_chat.dialects.resolve_dialect` after the rules of
:mod:`._dialect_rules` (the same :class:`DialectRule` shape, each with its public evidence).
Every preset keeps ``api="chat"`` as its default; these facts only say what
``ChatCompatModel(api="responses")`` may send there:

* ``responses_api``: the endpoint serves the Responses API (``api="responses"`` is refused
  at construction elsewhere, naming the dialect override that allows it);
* ``responses_chaining``: ``previous_response_id`` is accepted (the server stores responses),
  so ``use_previous_response_id=True`` may send only the new turns;
* ``responses_encrypted_reasoning``: ``include: ["reasoning.encrypted_content"]`` is
  accepted, so reasoning items come back encrypted and go back verbatim without ``store``;
* ``responses_params``: Chat Completions fields the endpoint's Responses API also takes
  (OpenAI's has no ``stop``, ``seed``, penalties or ``logit_bias``; self-hosted servers do);
* ``responses_format``: where structured output goes (``text.format`` per OpenAI, or the
  Chat Completions ``response_format`` for a server that forwards the body to its chat path).
"""

from __future__ import annotations

from langchain_compat_chat._dialect_rules import DialectRule

__all__ = ["RESPONSES_RULES"]

_OPENAI_REF = "https://platform.openai.com/docs/api-reference/responses/create"
_LLAMACPP_SRC = "https://github.com/ggml-org/llama.cpp/blob/master/tools/server/server-chat.cpp"
_STATELESS = {"responses_api": True, "responses_chaining": False}
_STATEFUL = {"responses_api": True, "responses_chaining": True}


def _on(*names: str) -> frozenset[str]:
    return frozenset(names)


RESPONSES_RULES: tuple[DialectRule, ...] = (
    DialectRule(
        "responses-generic",
        # A bare base_url is any server: the user chose the API, so it is sent, stateless.
        dict(_STATELESS),
        endpoints=_on("generic"),
        evidence=(_OPENAI_REF,),
    ),
    DialectRule(
        "responses-openai",
        {**_STATEFUL, "responses_encrypted_reasoning": True},
        endpoints=_on("openai", "azure"),
        evidence=(
            _OPENAI_REF,
            "https://platform.openai.com/docs/guides/reasoning#encrypted-reasoning-items",
            "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/responses",
        ),
    ),
    DialectRule(
        "responses-xai",
        # xAI labels Chat Completions legacy and returns reasoning text only here.
        {**_STATEFUL, "responses_encrypted_reasoning": True},
        endpoints=_on("xai"),
        evidence=(
            "https://docs.x.ai/docs/guides/responses-api",
            "https://docs.x.ai/docs/guides/chat-completions",
        ),
    ),
    DialectRule(
        "responses-stateless-hosted",
        # OpenRouter: "This API is stateless"; DeepSeek: no store, no previous_response_id;
        # Groq: previous_response_id and store are listed as unsupported.
        dict(_STATELESS),
        endpoints=_on("openrouter", "deepseek", "groq"),
        evidence=(
            "https://openrouter.ai/docs/api-reference/responses-api/overview",
            "https://api-docs.deepseek.com/guides/responses_api",
            "https://console.groq.com/docs/responses-api",
        ),
    ),
    DialectRule(
        "responses-stateful-hosted",
        # DashScope (Qwen) and Fireworks store responses and chain on previous_response_id.
        dict(_STATEFUL),
        endpoints=_on("dashscope", "fireworks"),
        evidence=(
            "https://www.alibabacloud.com/help/en/model-studio/compatibility-with-openai-responses-api",
            "https://docs.fireworks.ai/guides/response-api",
        ),
    ),
    DialectRule(
        "responses-ollama",
        # Ollama >= 0.13.3: "stateless Responses requests" only (ollama/ollama#13595).
        dict(_STATELESS),
        endpoints=_on("ollama"),
        evidence=("https://docs.ollama.com/api/openai-compatibility",),
    ),
    DialectRule(
        "responses-lmstudio",
        # LM Studio >= 0.3.29 keeps responses for previous_response_id.
        dict(_STATEFUL),
        endpoints=_on("lmstudio"),
        evidence=("https://lmstudio.ai/docs/developer/openai-compat/responses",),
    ),
    DialectRule(
        "responses-vllm",
        # ResponsesRequest takes stop, seed and logit_bias beside OpenAI's fields and the
        # reasoning.encrypted_content include; storing responses needs a server flag
        # (VLLM_ENABLE_RESPONSES_API_STORE), so chaining is off.
        {
            **_STATELESS,
            "responses_encrypted_reasoning": True,
            "responses_params": frozenset({"stop", "seed", "logit_bias"}),
        },
        endpoints=_on("vllm"),
        evidence=(
            "https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/openai/responses/protocol.py",
            "https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
        ),
    ),
    DialectRule(
        "responses-sglang",
        dict(_STATELESS),
        endpoints=_on("sglang"),
        evidence=(
            "https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/entrypoints/openai/protocol.py",
        ),
    ),
    DialectRule(
        "responses-llamacpp",
        # server_chat_convert_responses_to_chatcmpl rejects previous_response_id, maps only
        # input, instructions, tools, max_output_tokens and reasoning.effort, and hands
        # every other field to the chat path as is: text.format is ignored there while
        # response_format, stop, seed and the penalties work.
        {
            **_STATELESS,
            "responses_format": "response_format",
            "responses_params": frozenset(
                {"stop", "seed", "frequency_penalty", "presence_penalty", "logit_bias"}
            ),
        },
        endpoints=_on("llamacpp"),
        evidence=(_LLAMACPP_SRC,),
    ),
)
