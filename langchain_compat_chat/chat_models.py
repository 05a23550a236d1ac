"""``ChatCompatModel``: LangChain's chat model for any OpenAI-compatible Chat Completions server.

Input flow::

    invoke / stream / batch / astream_events        (langchain-core Runnable machinery)
      -> _generate / _agenerate / _stream / _astream (this module: thin)
      -> _request.build_body_and_plan(messages, params, dialect) pure: messages -> JSON body
      -> _transport.Transport.send / open_stream (+ async twins) HTTP, retries, timeouts
         (pooled clients; _pool fixes httpx 0.28's connection assignment for bursts)

Output flow::

    JSON body  -> _response.to_chat_result  -> ChatResult(AIMessage, usage, metadata)
    SSE events -> _transport.EventStream (per-read batches) -> _stream.ChunkBuilder.feed_batch
               -> ChatGenerationChunk(AIMessageChunk) ... + ChunkBuilder.finish() (usage, metadata)
               after [DONE]: _transport.drain / adrain read the response end (connection reuse)

Where to connect lives in :mod:`langchain_compat_chat.providers`; every wire switch in the
model's :class:`~langchain_compat_chat.dialects.Dialect` (endpoint + model family + the
user's ``dialect=`` overrides, resolved at construction); errors only in
:mod:`langchain_compat_chat.errors`. When the dialect forbids a forced tool choice while the
model thinks and ``"auto"`` went out instead, the answer is checked for a tool call
(``ForcedToolPlan.check``) in all four hooks.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import math
import os
import pathlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, cast

import httpx
from langchain_core import exceptions as lc_exceptions
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_serializer,
    model_validator,
)
from typing_extensions import Self

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool  # only named in a signature; importing costs ~5 ms

from langchain_compat_chat._http.capture import CapturingTransport, HttpCapture, capture_from
from langchain_compat_chat._http.transport import (
    Request,
    RetryPolicy,
    Transport,
)
from langchain_compat_chat._profiles import (
    SINGLE_MODEL_SERVERS,
    detail_endpoint,
    dialect_profile,
    merge_profiles,
    preset_for_url,
    server_profile,
    table_profile,
)
from langchain_compat_chat._secrets import (
    MASK,
    basic_auth_header,
    is_secret_header,
    mask_mapping,
    redact_url,
    register_secret,
    split_credentials,
    userinfo_secret,
)
from langchain_compat_chat._wire.chat_stream import ChatStream
from langchain_compat_chat._wire.content import text_of
from langchain_compat_chat._wire.encode import check_header, check_tool, encode_body
from langchain_compat_chat._wire.models import ModelInfo, parse_model_list
from langchain_compat_chat._wire.request import ForcedToolPlan, build_body_and_plan
from langchain_compat_chat._wire.response import to_chat_result
from langchain_compat_chat._wire.responses_request import build_responses_body
from langchain_compat_chat._wire.responses_response import to_responses_result
from langchain_compat_chat._wire.responses_stream import ResponsesStream
from langchain_compat_chat._wire.think import ThinkTags
from langchain_compat_chat._wire.token_count import COUNTERS, TokenCounting, count_body, read_count
from langchain_compat_chat._wire.v1 import to_v1
from langchain_compat_chat.dialects import Dialect, resolve_dialect
from langchain_compat_chat.errors import (
    AuthenticationError,
    CompatChatError,
    MalformedResponseError,
    request_id_from,
)
from langchain_compat_chat.providers import ProviderProfile, get_provider, known_providers

__all__ = ["ChatCompatModel"]

_DEFAULT_TIMEOUT = 120.0
_DEFAULT_CONNECT_TIMEOUT = 10.0
_DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_DEFAULT_MAX_RETRY_WAIT = 60.0
_FALSY = {"0", "false", "no", "off"}
_LIST_MODELS = Request("GET", "/models")
# Request fields sent when set; everything else on the model is client configuration.
_SAMPLING_FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "n",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "reasoning_effort",
    "thinking",
)


def _auth_hint(profile: ProviderProfile, *, sent: bool) -> str:
    """What a 401 should add: how to pass a key, with the preset's env var names."""
    names = " or ".join(profile.api_key_env) or "COMPAT_API_KEY"
    if sent:
        return f"The server refused the API key sent: check it, pass api_key=... or set {names}"
    return f"No API key was sent: pass api_key=... or set {names}"


def _check_timeout(value: Any) -> None:
    """Refuse a read timeout that is not a positive, finite number of seconds, at construction.

    Unchecked, ``timeout=0`` failed every call with "Could not reach the server (...
    Operation now in progress)" and ``timeout=-1`` with httpx's "Timeout value out of
    range", both at call time and neither naming the argument.
    """
    if value is None:
        return
    if isinstance(value, httpx.Timeout):
        parts: list[tuple[str, Any]] = [
            (f"timeout.{name}", getattr(value, name))
            for name in ("connect", "read", "write", "pool")
        ]
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            msg = f"timeout as a pair must be (connect, read) seconds, got {len(value)} values"
            raise ValueError(msg)
        parts = [("timeout[0] (connect)", value[0]), ("timeout[1] (read)", value[1])]
    else:
        parts = [("timeout", value)]
    for name, seconds in parts:
        if seconds is None and name.startswith("timeout."):
            continue  # httpx.Timeout(None) means "no limit" for that phase
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            continue  # pydantic reports the wrong type with the field's own message
        if not math.isfinite(seconds) or seconds <= 0:
            msg = (
                f"{name} must be a positive, finite number of seconds, got {seconds!r}; "
                "pass timeout=None for no read timeout (total_timeout= bounds a whole call)"
            )
            raise ValueError(msg)


def _timeout(value: Any, connect: float) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None:
        return httpx.Timeout(None, connect=connect)
    if isinstance(value, (tuple, list)):
        return httpx.Timeout(value[1], connect=value[0])
    return httpx.Timeout(float(value), connect=min(connect, float(value)))


class ChatCompatModel(BaseChatModel):
    """Chat model for OpenAI-compatible Chat Completions servers (OpenAI, DeepSeek, Qwen, vLLM...).

    It keeps what those servers send that ``ChatOpenAI`` drops (reasoning text, cached and
    reasoning token counts, tool calls in every streaming dialect) and talks HTTP directly
    with httpx, without the openai SDK.

    Example:
        ```python
        from langchain_compat_chat import ChatCompatModel

        llm = ChatCompatModel(model="deepseek-chat", provider="deepseek")
        llm.invoke("Hello")
        ```

    Keys and URLs come from arguments, else from the preset's env vars (e.g.
    ``DEEPSEEK_API_KEY``), else from ``COMPAT_API_KEY`` / ``COMPAT_BASE_URL``.
    ``LLM_SSL_VERIFY=false`` turns certificate checks off when ``verify_ssl`` is not given.

    """

    # hide_input_in_errors: a ValidationError would otherwise print the whole input of a
    # failed construction, api_key=SecretStr-to-be included, as its ``input_value``.
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, hide_input_in_errors=True
    )

    model: str = Field(validation_alias=AliasChoices("model", "model_name"))
    """Model id as the server knows it."""
    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("base_url", "api_base")
    )
    """Endpoint root such as ``https://api.deepseek.com/v1`` (``/chat/completions`` is added).
    ``user:password@`` in it is removed from the URL and sent as Basic auth (``api_key``, if
    also given, wins), so that it never shows where the URL does."""
    api_key: SecretStr | None = None
    """API key; optional for local servers. Never shown in repr, logs or dumps."""
    provider: str | ProviderProfile | None = None
    """Preset name (see ``known_providers()``) or a custom ``ProviderProfile``."""
    dialect: dict[str, Any] | Dialect | None = Field(default=None, repr=False, exclude=True)
    """Wire overrides, field by field (``{"echo_reasoning": "reasoning"}``) or a whole
    ``Dialect``. After construction this holds the resolved dialect (endpoint, then model
    family, then these overrides), so ``model.dialect`` shows what goes on the wire.
    Serialized as the overrides only (``lc_attributes``): the rest is re-derived on load."""
    timeout: float | tuple[float, float] | httpx.Timeout | None = Field(
        default=_DEFAULT_TIMEOUT, validation_alias=AliasChoices("timeout", "request_timeout")
    )
    """Read timeout in seconds (or ``(connect, read)``, or an ``httpx.Timeout``)."""
    connect_timeout: float = Field(default=_DEFAULT_CONNECT_TIMEOUT, gt=0, allow_inf_nan=False)
    """Seconds to establish a connection."""
    stream_idle_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Longest wait for the next bytes of a stream; defaults to the read timeout.

    It is the socket read timeout of stream requests, so any bytes reset it: an event, part
    of one, or a keep-alive comment (``: ping``) that carries no event at all. A server that
    sends keep-alives but no tokens is bounded by ``total_timeout``, not by this."""
    total_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Deadline in seconds for a whole call: every attempt, every retry wait and, for
    ``stream``, the whole stream. ``None``: no overall deadline (each read still times out)."""
    max_retries: int = Field(default=2, ge=0)
    """Extra attempts for 408/409/429/5xx and connection failures."""
    max_retry_wait: float = Field(default=_DEFAULT_MAX_RETRY_WAIT, ge=0)
    """Longest ``Retry-After`` we sleep through before retrying; when a server asks for more,
    the ``RateLimitError`` (with ``retry_after``) is raised at once so the caller can
    reschedule instead of blocking."""
    max_response_bytes: int | None = Field(default=_DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    """Largest response body accepted (for streams: all events together); a bigger one
    raises ``ResponseTooLargeError``. Guards memory against a runaway or misrouted server."""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = Field(
        default=None, gt=0, validation_alias=AliasChoices("max_tokens", "max_completion_tokens")
    )
    """Output token cap, sent under the name the provider expects."""
    stop: list[str] | None = Field(
        default=None, validation_alias=AliasChoices("stop", "stop_sequences")
    )
    n: int | None = Field(default=None, ge=1)
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    reasoning_effort: str | None = None
    """OpenAI-style effort (``"low"``, ``"medium"``, ``"high"``) for servers that take it."""
    thinking: bool | int | None = None
    """Portable reasoning switch: on/off or a token budget, mapped to the provider's own knob."""
    think_tags: bool | Literal["starts_inside"] | None = None
    """Split ``<think>...</think>`` out of ``content`` into reasoning, for servers that leave
    it there. ``"starts_inside"``: the chat template opened the tag in the prompt, so only
    ``</think>`` arrives. ``None`` uses the preset's default (off everywhere)."""
    streaming: bool = False
    """Stream under ``invoke`` too (callbacks then see every token)."""
    api: Literal["chat", "responses"] = "chat"
    """``"responses"`` talks OpenAI's Responses API (``POST /responses``) instead of Chat
    Completions, stateless (the whole history, ``store: false``) unless chaining is on; the
    dialect says which servers take it (``model.dialect.responses_api``); see the Responses
    API guide."""
    use_previous_response_id: bool = False
    """With ``api="responses"``: send only the turns after the last answer, chained on its
    ``previous_response_id`` (the server stores responses). Only where the dialect allows it
    (``model.dialect.responses_chaining``)."""
    stream_usage: bool = True
    """Ask for a usage chunk in streams (the preset may know the server rejects it)."""
    extra_body: dict[str, Any] | None = None
    """Extra top-level request fields, merged last (e.g. ``{"top_k": 20}``)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Same as ``extra_body``; kept for code moving from ``ChatOpenAI``."""
    default_headers: dict[str, str] | None = None
    """Headers for every request. Credential headers (``Authorization``, ``api-key``,
    ``*-key``, ``*-token``...) show as ``***`` in repr, ``model_dump``, ``dumps`` and
    traces; a model loaded from a dump needs them passed again."""
    default_query: dict[str, str] | None = None
    """Query parameters for every request; credential ones (``key``, ``sig``, ``*token``...)
    are masked like credential headers."""
    verify_ssl: bool | None = None
    """Verify TLS certificates; ``None`` reads ``LLM_SSL_VERIFY`` (default true)."""
    proxy: str | None = None
    """Proxy URL. ``user:password@`` in it is shown masked in repr and kept out of dumps."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own sync client (used as is; you own its lifetime)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own async client (used as is; you own its lifetime)."""
    token_counting: TokenCounting = "estimate"
    """How ``get_num_tokens_from_messages`` counts. ``"estimate"`` (default): offline, about
    four characters per token, never a request or a download. ``"server"``: ask the server
    where the preset knows it can count exactly (llama.cpp ``/v1/chat/completions/
    input_tokens``, vLLM ``/tokenize``); errors are raised. ``"server_or_estimate"``: ask the
    server, and estimate when it cannot count (no counting endpoint, or the request fails)."""
    debug_capture: HttpCapture | str | pathlib.Path | None = Field(default=None, exclude=True)
    """Record every HTTP attempt, secrets redacted: an ``HttpCapture``, or a JSONL file path.

    A path becomes an ``HttpCapture`` at construction (so a bad path fails at once); ``None``
    reads ``COMPAT_DEBUG_CAPTURE`` (a JSONL path) and otherwise records nothing, at no cost.
    Left out of serialization: it is a local debugging aid, not part of the model.
    """

    _profile: ProviderProfile = PrivateAttr()
    _dialect_overrides: Dialect | dict[str, Any] | None = PrivateAttr(default=None)
    _transport: Transport | None = PrivateAttr(default=None)
    _url_credentials: SecretStr | None = PrivateAttr(default=None)
    _user_profile: ModelProfile | None = PrivateAttr(default=None)

    # -- how credentials show -----------------------------------------------------------------
    @field_serializer("default_headers")
    def _dump_headers(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return mask_mapping(value, query=False)

    @field_serializer("default_query")
    def _dump_query(self, value: dict[str, str] | None) -> dict[str, str] | None:
        return mask_mapping(value, query=True)

    @field_serializer("proxy")
    def _dump_proxy(self, value: str | None) -> str | None:
        return redact_url(value) if value else value

    # -- construction ------------------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _reject_unknown(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        known = _accepted_names(cls)
        if not known.issuperset(values):
            unknown = sorted(k for k in values if k not in known)
            named = []
            for name in unknown:
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
                named.append(f"{name} (did you mean {close[0]}?)" if close else name)
            msg = (
                f"Unknown parameter(s) for ChatCompatModel: {', '.join(named)}. "
                "Request fields the class does not model go in extra_body={...}."
            )
            raise ValueError(msg)
        _check_timeout(values.get("timeout", values.get("request_timeout")))
        return values

    @model_validator(mode="after")
    def _resolve(self) -> Self:
        profile = get_provider(self.provider)
        self._profile = profile
        self._dialect_overrides = self.dialect
        self.dialect = resolve_dialect(profile, self.model, self.dialect)
        # The base class's _set_model_profile ran first and filled ``profile`` only if the
        # user gave none; anything else there is the user's and wins in fetch_profile() too.
        if self.profile is not None and self.profile != self._resolve_model_profile():
            self._user_profile = self.profile
        if self.api_key is None:
            for name in profile.api_key_env:
                if os.environ.get(name):
                    self.api_key = SecretStr(os.environ[name])
                    break
        if not self.base_url:
            for name in profile.base_url_env:
                if os.environ.get(name):
                    self.base_url = os.environ[name]
                    break
            else:
                self.base_url = profile.base_url
        if not self.base_url:
            msg = (
                "base_url is required: pass base_url=..., pick a provider preset, "
                f"or set {' / '.join(profile.base_url_env) or 'COMPAT_BASE_URL'}."
            )
            raise ValueError(msg)
        if not self.base_url.startswith(("http://", "https://")):
            msg = f"base_url must start with http:// or https://, got {redact_url(self.base_url)!r}"
            raise ValueError(msg)
        # user:password@ in the URL would show wherever base_url does (repr, dumps, traces);
        # keep it as a secret and send it as the Basic auth header httpx would have built.
        self.base_url, userinfo = split_credentials(self.base_url)
        if userinfo is not None:
            self._url_credentials = SecretStr(userinfo)
            register_secret(userinfo_secret(userinfo))
        proxy_userinfo = split_credentials(self.proxy)[1] if self.proxy is not None else None
        if proxy_userinfo is not None:
            register_secret(userinfo_secret(proxy_userinfo))
        self.debug_capture = capture_from(self.debug_capture)
        self._check_sendable()
        if self.token_counting == "server" and profile.name not in COUNTERS:
            raise _no_counter(profile.name)
        _check_api(self)
        if self.n is not None and self.n > 1 and self.streaming:
            msg = "n > 1 cannot be combined with streaming=True; each choice is one message."
            raise ValueError(msg)
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _mask_error_input(cls, values: Any, handler: Any) -> Any:
        """A failed construction's errors carry its input with every credential masked.

        Defined after the other validators so that it wraps them all (pydantic applies a
        model's wrap and before validators in reverse order of definition).

        ``hide_input_in_errors`` keeps the input out of the message, but ``errors()`` (what
        FastAPI and loggers print) would still hold ``api_key``, URL and proxy passwords
        and credential headers as given.
        """
        try:
            return handler(values)
        except ValidationError as exc:
            errors = [{**e, "input": _masked_input(e["loc"], e["input"])} for e in exc.errors()]
            raise ValidationError.from_exception_data(
                exc.title, cast(Any, errors), hide_input=True
            ) from None

    def _check_sendable(self) -> None:
        """Refuse at construction what could never be sent, naming the field, not the value.

        Headers and the key must be valid HTTP (see ``_encode.check_header``); request
        fields and ``extra_body`` must be JSON. The latter is checked again when each
        request is encoded, but a self-referencing ``extra_body`` would otherwise fail
        first, with a bare ``RecursionError``, in langchain-core's own serialization of
        the model for callbacks.
        """
        if self.api_key is not None:
            check_header("authorization", self.api_key.get_secret_value(), what="api_key")
        for name, value in (self.default_headers or {}).items():
            check_header(name, value, secret=is_secret_header(name))
        fields = {n: getattr(self, n) for n in _SAMPLING_FIELDS if getattr(self, n) is not None}
        origins = {n: f"{n}=" for n in fields}
        for source in ("model_kwargs", "extra_body"):
            for key, value in (getattr(self, source) or {}).items():
                fields[key], origins[key] = value, source
        if fields:
            encode_body(fields, origins)

    @classmethod
    def for_provider(cls, provider: str | ProviderProfile, **kwargs: Any) -> ChatCompatModel:
        """Build from a preset: ``ChatCompatModel.for_provider("deepseek", model=...)``."""
        return cls(provider=provider, **kwargs)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy, re-deriving the preset and connection settings from the copy's own fields.

        Without this, the copy would share the original's already-built transport and send
        with the old key, timeout or headers whatever ``update`` said.
        """
        # pydantic < 2.10 types ``update`` as a dict; a copy of it satisfies every release.
        copy = super().model_copy(update=None if update is None else dict(update), deep=deep)
        copy._profile = get_provider(copy.provider)
        if update and "dialect" in update:
            copy._dialect_overrides = update["dialect"]
        copy.dialect = resolve_dialect(copy._profile, copy.model, copy._dialect_overrides)
        copy._transport = None
        if update and "profile" in update:
            copy._user_profile = update["profile"]
        elif (
            copy._user_profile is None
            and update
            and {"model", "provider", "base_url"} & set(update)
        ):
            # a resolved profile describes the old model; the copy gets its own model's
            copy.profile = copy._resolve_model_profile()
        return copy

    @property
    def provider_profile(self) -> ProviderProfile:
        """The resolved provider profile."""
        return self._profile

    # -- model profile -------------------------------------------------------------------------
    def _profile_preset(self) -> ProviderProfile:
        """The preset whose table and dialect apply, resolved from the public fields only.

        langchain-core's ``_set_model_profile`` validator calls :meth:`_resolve_model_profile`
        before this class's ``_resolve`` has set any private attribute, so this reads
        ``provider`` and ``base_url`` itself. A generic model pointed at a hosted preset's URL
        gets that preset.
        """
        preset = get_provider(self.provider)
        if preset.name == "generic":
            hosted = preset_for_url(self.base_url, map(get_provider, known_providers()))
            if hosted is not None:
                return hosted
        return preset

    def _resolve_model_profile(self) -> ModelProfile | None:
        """The bundled profile of this preset's model, merged with the dialect's facts.

        ``None`` when the table does not know the model (local servers, gateways, custom
        deployments): call :meth:`fetch_profile` to ask the server, or pass ``profile=``.
        Never touches the network.
        """
        preset = self._profile_preset()
        known = table_profile(preset.name, self.model)
        if known is None:
            return None
        return merge_profiles(known, dialect_profile(preset, known))

    def _detail_request(self) -> Request | None:
        endpoint = detail_endpoint(self._profile_preset().name, self.model)
        if endpoint is None:
            return None
        method, path, body = endpoint
        headers = {"content-type": "application/json"} if body is not None else {}
        return Request(method, path, body, headers=headers, from_root=True)

    def _apply_server_profile(
        self, models: list[ModelInfo], detail: httpx.Response | None
    ) -> ModelProfile:
        entry = next((m for m in models if m.id == self.model), None)
        preset = self._profile_preset()
        if entry is None and len(models) == 1 and preset.name in SINGLE_MODEL_SERVERS:
            entry = models[0]
        detail_json = _json_of(detail) if detail is not None else None
        reported = server_profile(
            entry.metadata if entry is not None else None,
            detail_json if isinstance(detail_json, dict) else None,
        )
        table = self._resolve_model_profile() or {}
        known = merge_profiles(table, reported)
        profile = merge_profiles(
            table, dialect_profile(preset, known), reported, self._user_profile
        )
        self.profile = profile
        return profile

    def fetch_profile(self) -> ModelProfile:
        """Ask the server what it serves and fill ``model.profile`` from its answer.

        Reads ``GET {base_url}/models`` and, where the server has one, its own detail endpoint
        at the server root: llama.cpp ``GET /props``, Ollama ``POST /api/show``, LM Studio
        ``GET /api/v0/models/{model}``. The reported context length (vLLM ``max_model_len``,
        OpenRouter ``context_length``, LM Studio ``max_context_length``, llama.cpp ``n_ctx``,
        Ollama ``num_ctx``) becomes ``max_input_tokens``. The server's facts win over the
        bundled table; your own ``profile=`` wins over both.

        Example:
            ```python
            llm = ChatCompatModel(model="qwen3", provider="vllm")
            llm.fetch_profile()["max_input_tokens"]  # e.g. 32768
            ```

        Raises:
            CompatChatError: The listing failed (same typed errors as :meth:`list_models`).
                A failing detail endpoint is not an error: the listing alone is used.

        """
        models = self.list_models()
        detail = None
        request = self._detail_request()
        if request is not None:
            try:
                detail = self._get_transport().send(request)
            except CompatChatError:
                detail = None  # older servers lack the endpoint; the listing still counts
        return self._apply_server_profile(models, detail)

    async def afetch_profile(self) -> ModelProfile:
        """Async :meth:`fetch_profile`."""
        models = await self.alist_models()
        detail = None
        request = self._detail_request()
        if request is not None:
            try:
                detail = await self._get_transport().asend(request)
            except CompatChatError:
                detail = None
        return self._apply_server_profile(models, detail)

    def _get_transport(self) -> Transport:
        transport = self._transport
        if transport is None:
            transport = self._transport = self._make_transport()
        return transport

    def _make_transport(self) -> Transport:
        profile = self._profile
        headers: dict[str, str] = dict(profile.default_headers)
        if self._url_credentials is not None:
            headers["authorization"] = basic_auth_header(self._url_credentials.get_secret_value())
        # A key read from a file often ends in a newline; no header value may, and httpx's
        # error about it would quote the key.
        key = self.api_key.get_secret_value().strip() if self.api_key is not None else ""
        key = check_header("authorization", key, what="api_key")
        if key:
            if profile.auth_header == "api-key":
                headers["api-key"] = key
            else:
                headers["authorization"] = f"Bearer {key}"
        for name, value in (self.default_headers or {}).items():
            # Checked at construction too; a model_copy(update=...) skips validation.
            headers[name] = check_header(name, value, secret=is_secret_header(name))
        if (
            profile.requires_api_key
            and self.base_url == profile.base_url
            and not {"authorization", "api-key"} & {h.lower() for h in headers}
        ):
            # The hosted API would answer 401; say which variable is missing instead.
            names = " or ".join(profile.api_key_env)
            msg = f"Provider {profile.name!r} needs an API key: pass api_key=... or set {names}."
            raise AuthenticationError(msg)
        timeout = _timeout(self.timeout, self.connect_timeout)
        stream_timeout = timeout
        if self.stream_idle_timeout is not None:
            stream_timeout = httpx.Timeout(
                connect=timeout.connect,
                read=self.stream_idle_timeout,
                write=timeout.write,
                pool=timeout.pool,
            )
        verify = self.verify_ssl
        if verify is None:
            verify = os.environ.get("LLM_SSL_VERIFY", "true").strip().lower() not in _FALSY
        # Resolved at construction; resolved again only for a copy made without validation.
        capture = capture_from(self.debug_capture) if self.debug_capture is not None else None
        make = Transport if capture is None else partial(CapturingTransport, capture)
        transport = make(
            base_url=cast(str, self.base_url),
            headers=headers,
            query={**profile.default_query, **(self.default_query or {})},
            timeout=timeout,
            stream_timeout=stream_timeout,
            retry=RetryPolicy(max_retries=self.max_retries, max_retry_after=self.max_retry_wait),
            verify=verify,
            proxy=self.proxy,
            http_client=self.http_client,
            http_async_client=self.http_async_client,
            max_response_bytes=self.max_response_bytes,
            total_timeout=self.total_timeout,
        )
        sent = any(is_secret_header(name) for name in headers)
        transport.auth_hint = _auth_hint(profile, sent=sent)
        return transport

    # -- LangChain identity --------------------------------------------------------------------
    @property
    def _llm_type(self) -> str:
        return "compat-chat"

    @property
    def _provider_name(self) -> str:
        return self._profile.model_provider or self._profile.name

    @property
    def _wire_dialect(self) -> Dialect:
        return cast(Dialect, self.dialect)

    @property
    def _think_tags(self) -> ThinkTags:
        return self._wire_dialect.think_tags if self.think_tags is None else self.think_tags

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "base_url": redact_url(self.base_url or ""),
            "provider": self._profile.name,
            **self._default_params,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = self._default_params
        params.update(kwargs)
        ls = LangSmithParams(
            ls_provider=self._profile.ls_provider,
            ls_model_name=params.get("model", self.model),
            ls_model_type="chat",
        )
        if params.get("temperature") is not None:
            ls["ls_temperature"] = params["temperature"]
        if params.get("max_tokens") is not None:
            ls["ls_max_tokens"] = params["max_tokens"]
        if stop or params.get("stop"):
            ls["ls_stop"] = stop or params.get("stop")
        return ls

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Models can be dumped with ``langchain_core.load.dumpd`` (the key is left out)."""
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Namespace used by ``langchain_core.load``."""
        return ["langchain_compat_chat", "chat_models"]

    @property
    def lc_attributes(self) -> dict[str, Any]:
        """The user's dialect overrides, so that a loaded model resolves the same dialect."""
        overrides = self._dialect_overrides
        if isinstance(overrides, Dialect):
            overrides = {
                k: sorted(v) if isinstance(v, frozenset) else v
                for k, v in dataclasses.asdict(overrides).items()
                if k not in ("name", "family", "rules")
            }
        return {"dialect": dict(overrides)} if overrides else {}

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Secrets are serialised as references to these env vars, never as values."""
        secrets = {"api_key": "COMPAT_API_KEY"}
        if self.proxy is not None and split_credentials(self.proxy)[1] is not None:
            secrets["proxy"] = "COMPAT_PROXY"
        return secrets

    def to_json(self) -> Any:
        """``dumpd``/``dumps`` form, with credential header and query values masked.

        Not secret references like ``api_key``: langchain-core escapes a reference nested
        inside a field's dict, so it would load back as a dict, not as the secret. Masked,
        a loaded copy sends no credential (and its server answers 401) instead of leaking it.
        """
        data = super().to_json()
        kwargs = data.get("kwargs") if isinstance(data, dict) else None
        if isinstance(kwargs, dict):
            for field in ("default_headers", "default_query"):
                if isinstance(kwargs.get(field), dict):
                    kwargs[field] = mask_mapping(kwargs[field], query=field == "default_query")
        return data

    def __repr_args__(self) -> Any:
        """Fields as repr shows them, credentials masked (proxy, headers, query)."""
        for name, value in super().__repr_args__():
            if name == "proxy" and value:
                value = redact_url(value)
            elif name in ("default_headers", "default_query"):
                value = mask_mapping(value, query=name == "default_query")
            yield name, value

    # -- request -------------------------------------------------------------------------------
    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        for name in _SAMPLING_FIELDS:
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        if self.stop:
            params["stop"] = self.stop
        return params

    def _request(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        stream: bool,
        kwargs: dict[str, Any],
    ) -> tuple[Request, ForcedToolPlan | None]:
        params = self._default_params
        if stop is not None:
            params["stop"] = stop
        kwargs.pop("stream", None)
        origins = {name: f"{name}=" for name in params}
        for key, value in kwargs.items():
            if value is not None:
                params[key] = value
                origins[key] = "a call argument"
        extra = {**self.model_kwargs, **(self.extra_body or {})}
        origins.update(dict.fromkeys(extra, "extra_body"))
        if self.api == "responses":
            body, plan = build_responses_body(
                messages,
                params,
                self._wire_dialect,
                stream=stream,
                chain=self.use_previous_response_id,
                extra_body=extra,
            )
            return Request("POST", "/responses", encode_body(body, origins), stream=stream), plan
        body, plan = build_body_and_plan(
            messages,
            params,
            self._wire_dialect,
            stream=stream,
            stream_usage=self.stream_usage,
            extra_body=extra,
        )
        # The one serialisation point: NaN, lone surrogates, cycles... become one typed
        # error naming the field (see _encode).
        request = Request("POST", "/chat/completions", encode_body(body, origins), stream=stream)
        return request, plan

    def _checked(self, result: ChatResult, plan: ForcedToolPlan | None) -> ChatResult:
        """Every choice must have called a tool when ``"auto"`` replaced a forced choice."""
        if plan is not None:
            for generation in result.generations:
                message = cast(AIMessage, generation.message)
                plan.check(bool(message.tool_calls or message.invalid_tool_calls), self.model)
        return result

    def _should_stream(self, *, async_api: bool, run_manager: Any = None, **kwargs: Any) -> bool:
        n = kwargs.get("n", self.n)
        if n is not None and n > 1 and not kwargs.get("stream"):
            # invoke/generate with n>1 returns n generations from one JSON reply; only an
            # explicit stream() streams choice 0 and reports the others in the last chunk.
            return False
        return super()._should_stream(async_api=async_api, run_manager=run_manager, **kwargs)

    # -- response ------------------------------------------------------------------------------
    def _to_result(self, response: httpx.Response) -> ChatResult:
        try:
            if self.api == "responses":
                result = to_responses_result(_json_of(response), self._provider_name)
            else:
                result = to_chat_result(_json_of(response), self._provider_name, self._think_tags)
        except CompatChatError as exc:
            _with_request_id(exc, response)
            raise  # as is: a parse failure keeps the exception that caused it
        if self.output_version == "v1":
            for generation in result.generations:
                to_v1(cast(AIMessage, generation.message))
        return result

    def _chat_stream(self, plan: ForcedToolPlan | None) -> ChatStream | ResponsesStream:
        """One call's stream protocol: v1 blocks and the forced-tool check (``chat_stream``)."""
        if self.api == "responses":
            v1 = self.output_version == "v1"
            return ResponsesStream(self._provider_name, v1=v1, plan=plan, model=self.model)
        return ChatStream(
            self._provider_name,
            self._think_tags,
            v1=self.output_version == "v1",
            plan=plan,
            model=self.model,
        )

    # -- the four hooks ------------------------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, plan = self._request(messages, stop, False, kwargs)
        return self._checked(self._to_result(self._get_transport().send(request)), plan)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, plan = self._request(messages, stop, False, kwargs)
        return self._checked(self._to_result(await self._get_transport().asend(request)), plan)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, plan = self._request(messages, stop, True, kwargs)
        with self._get_transport().open_stream(request) as events:
            for chunk in events.chunks(self._chat_stream(plan)):
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request, plan = self._request(messages, stop, True, kwargs)
        async with self._get_transport().aopen_stream(request) as events:
            async for chunk in events.achunks(self._chat_stream(plan)):
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    # -- model listing -------------------------------------------------------------------------
    def _to_models(self, response: httpx.Response) -> list[ModelInfo]:
        try:
            return parse_model_list(_json_of(response))
        except CompatChatError as exc:
            raise _with_request_id(exc, response) from None

    def list_models(self) -> list[ModelInfo]:
        """The models the server offers (``GET {base_url}/models``), with retries and timeouts.

        Uses the model's own key, headers, query (Azure's ``api-version``) and TLS settings, so
        a listing that works proves the connection settings work too. Raises the same typed
        errors as ``invoke`` (e.g. ``AuthenticationError`` for a bad key).

        Example:
            ```python
            for info in ChatCompatModel(model="x", provider="ollama").list_models():
                print(info.id, info.metadata.get("context_length"))
            ```

        """
        return self._to_models(self._get_transport().send(_LIST_MODELS))

    async def alist_models(self) -> list[ModelInfo]:
        """Async :meth:`list_models`."""
        return self._to_models(await self._get_transport().asend(_LIST_MODELS))

    # -- tokens --------------------------------------------------------------------------------
    def get_num_tokens(self, text: str) -> int:
        """Estimate tokens offline: about one token per four characters (never downloads).

        Servers count with their own tokenizers; use ``usage_metadata`` for exact numbers.
        """
        return max(1, (len(text) + 3) // 4) if text else 0

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[Any] | None = None,
    ) -> int:
        """Count prompt tokens: offline by default, by the server if ``token_counting`` says so.

        The offline estimate is text/4 per message plus 4 per message and 3 per reply (the
        per-message overhead follows OpenAI's published chat format accounting); tool schemas
        are counted by their JSON text. Nothing is downloaded.

        Raises:
            ValueError: ``token_counting="server"`` on a preset with no counting endpoint.
            CompatChatError: ``token_counting="server"`` and the counting request failed.

        """
        if self.token_counting != "estimate":
            counted = self._server_token_count(messages, tools)
            if counted is not None:
                return counted
        return self._estimate_tokens(messages, tools)

    def _server_token_count(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None
    ) -> int | None:
        """The server's exact count, or ``None`` where ``server_or_estimate`` falls back."""
        counter = COUNTERS.get(self._profile.name)
        if counter is None:
            if self.token_counting == "server":  # a copy changed provider or the switch
                raise _no_counter(self._profile.name)
            return None
        extra = {"tools": [convert_to_openai_tool(t) for t in tools]} if tools else {}
        chat, _plan = self._request(messages, None, False, extra)
        body = json.loads(chat.body or b"{}")
        request = Request(
            "POST",
            counter.path,
            count_body(counter, body),
            headers={"content-type": "application/json"},
            from_root=counter.from_root,
        )
        try:
            return read_count(counter, _json_of(self._get_transport().send(request)))
        except CompatChatError:
            if self.token_counting == "server":
                raise
            return None

    def _estimate_tokens(self, messages: list[BaseMessage], tools: Sequence[Any] | None) -> int:
        total = 3
        for message in messages:
            total += 4 + self.get_num_tokens(text_of(message.content))
            if isinstance(message, AIMessage) and message.tool_calls:
                total += self.get_num_tokens(json.dumps([tc["args"] for tc in message.tool_calls]))
        if tools:
            total += self.get_num_tokens(json.dumps([convert_to_openai_tool(t) for t in tools]))
        return total

    # -- tools and structured output ----------------------------------------------------------
    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools in OpenAI format.

        Args:
            tools: Anything ``convert_to_openai_tool`` accepts; OpenAI-format dicts pass as is.
            tool_choice: ``"auto"``, ``"none"``, ``"required"``/``"any"``/``True`` (must call
                one), a tool name, or an OpenAI-format dict. ``False``/``None`` send nothing.
            strict: Ask the server to enforce the schemas exactly.
            parallel_tool_calls: Allow or forbid several calls in one turn.
            kwargs: Other request fields to bind.

        Raises:
            ValueError: ``tool_choice`` names a tool that is not among ``tools``.
            RequestEncodingError: A tool's schema holds a value JSON cannot carry (a
                ``datetime`` default, NaN...); the message names the tool and the field.

        """
        formatted = [convert_to_openai_tool(t, strict=strict) for t in tools]
        for tool in formatted:
            check_tool(tool)
        names = {f["function"]["name"] for f in formatted if "function" in f}
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = _tool_choice(tool_choice, names)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_schema", "json_mode"] = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Return a runnable whose output follows ``schema``.

        ``function_calling`` (the default) works on nearly every server; ``json_schema`` needs
        server support for ``response_format``; ``json_mode`` only asks for a JSON object. We
        always parse the JSON ourselves, so ``include_raw=True`` catches a server that ignored
        the request (``parsing_error`` is set instead of raising).
        """
        if kwargs:
            msg = f"Unexpected arguments: {sorted(kwargs)}"
            raise ValueError(msg)
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        if method == "function_calling":
            if schema is None:
                msg = "schema is required for method='function_calling'."
                raise ValueError(msg)
            tool_name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=tool_name,
                strict=strict,
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
            )
            parser: Runnable[Any, Any] = (
                PydanticToolsParser(tools=[cast(type, schema)], first_tool_only=True)
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
            )
        elif method in ("json_schema", "json_mode"):
            if method == "json_schema":
                if schema is None:
                    msg = "schema is required for method='json_schema'."
                    raise ValueError(msg)
                json_schema = convert_to_json_schema(schema)
                spec: dict[str, Any] = {
                    "name": json_schema.get("title") or "output",
                    "schema": json_schema,
                }
                if strict is not None:
                    spec["strict"] = strict
                response_format: dict[str, Any] = {"type": "json_schema", "json_schema": spec}
            else:
                response_format = {"type": "json_object"}
            llm = self.bind(
                response_format=response_format,
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
            )
            parser = (
                PydanticOutputParser(pydantic_object=cast(type[BaseModel], schema))
                if is_pydantic
                else JsonOutputParser()
            )
        else:
            msg = f"Unknown method {method!r}; use function_calling, json_schema or json_mode."
            raise ValueError(msg)
        parser = RunnableLambda(_raise_refusal) | parser
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        ).with_fallbacks(
            [RunnablePassthrough.assign(parsed=lambda _: None)],
            exception_key="parsing_error",
        )
        return RunnableMap(raw=llm) | parsed


def _check_api(model: ChatCompatModel) -> None:
    """Refuse at construction an API the dialect records its server does not serve."""
    dialect = cast(Dialect, model.dialect)
    if model.api == "responses" and not dialect.responses_api:
        msg = (
            f"api='responses' is not known to work with dialect {dialect.name!r}: its "
            "provider documents no Responses API. Use api='chat', or pass "
            "dialect={'responses_api': True} if your server serves POST /responses."
        )
        raise ValueError(msg)
    if model.use_previous_response_id and not (
        model.api == "responses" and dialect.responses_chaining
    ):
        msg = (
            "use_previous_response_id=True needs api='responses' on a server that stores "
            f"responses; dialect {dialect.name!r} records responses_chaining="
            f"{dialect.responses_chaining}. Leave it off: the whole history is sent instead."
        )
        raise ValueError(msg)


def _raise_refusal(message: BaseMessage) -> BaseMessage:
    """Raise langchain-core's ``ModelRefusalError`` for an answer the model refused.

    OpenAI-compatible servers send a refusal as ``message.refusal`` with no content
    (OpenAI Structured Outputs, https://platform.openai.com/docs/guides/structured-outputs
    #refusals); parsing that empty content failed with an ``OutputParserException`` that
    hid the reason. langchain-core 1.7.5 added the error type for it (its
    ``with_structured_output`` contract: raised, or ``parsing_error`` with
    ``include_raw=True``); on older cores the parser's own error stands.
    """
    refusal = message.additional_kwargs.get("refusal")
    error_type = getattr(lc_exceptions, "ModelRefusalError", None)
    if error_type is None or not (isinstance(refusal, str) and refusal):
        return message
    raise error_type(
        f"Model refused to produce the requested output: {refusal}", raw_message=message
    )


def _masked_input(loc: tuple[Any, ...], value: Any) -> Any:
    """A construction input as errors may show it: credentials masked (see above)."""
    if not loc:  # a model-level error: the whole input
        if not isinstance(value, Mapping):
            return MASK
        return {k: _masked_input((k,), v) for k, v in value.items()}
    field = loc[0]
    if field == "api_key":
        return MASK if value is not None else None
    if field in ("base_url", "api_base", "proxy") and isinstance(value, str):
        return redact_url(value)
    if field in ("default_headers", "default_query") and isinstance(value, Mapping):
        if len(loc) > 1:
            return MASK
        return mask_mapping({str(k): v for k, v in value.items()}, query=field == "default_query")
    return value


@functools.cache
def _accepted_names(cls: type[BaseModel]) -> frozenset[str]:
    """Field names and their aliases; cached per class because every construction asks."""
    names = set(cls.model_fields)
    for f in cls.model_fields.values():
        if isinstance(f.validation_alias, AliasChoices):
            names.update(c for c in f.validation_alias.choices if isinstance(c, str))
    return frozenset(names)


def _no_counter(preset: str) -> ValueError:
    """``token_counting="server"`` on a preset whose server cannot count tokens."""
    return ValueError(
        f"token_counting='server' needs a server that counts tokens; the {preset!r} preset "
        f"has no counting endpoint (presets that have one: {', '.join(COUNTERS)}). "
        "Use 'server_or_estimate' to fall back to the estimate."
    )


def _json_of(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise MalformedResponseError(
            f"The server's reply is not JSON ({exc})",
            status_code=response.status_code,
            request_id=request_id_from(response.headers),
            body=response.content[:2000].decode("utf-8", errors="replace"),
        ) from None


def _with_request_id(exc: CompatChatError, response: httpx.Response) -> CompatChatError:
    """Errors found in a 200 body still carry the request id the server gave."""
    exc.request_id = exc.request_id or request_id_from(response.headers)
    return exc


def _tool_choice(choice: dict[str, Any] | str | bool, names: set[str]) -> dict[str, Any] | str:
    if choice is True:
        return "required"
    if isinstance(choice, str):
        if choice in ("auto", "none", "required", "any"):
            return choice
        if choice not in names:
            msg = f"tool_choice {choice!r} is not one of the bound tools: {sorted(names)}"
            raise ValueError(msg)
        return {"type": "function", "function": {"name": choice}}
    if isinstance(choice, Mapping):
        name = (choice.get("function") or {}).get("name")
        if name is not None and name not in names:
            msg = (
                f"tool_choice names {name!r}, which is not one of the bound tools: {sorted(names)}"
            )
            raise ValueError(msg)
        return dict(choice)
    msg = f"Unsupported tool_choice {choice!r}"
    raise ValueError(msg)
