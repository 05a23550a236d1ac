"""``ChatCompatModel``: LangChain's chat model for any OpenAI-compatible Chat Completions server.

The class joins the two layers below it through the four hooks langchain-core calls::

    _generate / _agenerate / _stream / _astream      (thin: one call each)
      -> _request: fields + call arguments -> _wire.request.build_body_and_plan -> Request
      -> _http session: send / open_stream (+ async), retries, timeouts, pooled clients
      -> _wire.response.to_chat_result, or EventStream.chunks driving _wire.chat_stream

Where to connect lives in :mod:`langchain_compat_chat.providers`, every wire switch in the
model's :class:`~langchain_compat_chat.dialects.Dialect`, errors in
:mod:`langchain_compat_chat.errors`; each other concern of the model has its own module
(``_connection``, ``_validation``, ``_tools``, ``_structured``, ``_server_facts``,
``_token_counting``), listed in docs/architecture.md.
"""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
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

from langchain_compat_chat._batch_methods import RunsBatchJobs
from langchain_compat_chat._connection import resolve_endpoint, session_for
from langchain_compat_chat._http.call import Request, json_body
from langchain_compat_chat._http.capture import HttpCapture, capture_from
from langchain_compat_chat._http.session import Session
from langchain_compat_chat._secrets import mask_mapping, redact_url, split_credentials
from langchain_compat_chat._serialization import dialect_attribute, masked_dump, masked_repr_args
from langchain_compat_chat._server_facts import AsksServer
from langchain_compat_chat._structured import structured_output
from langchain_compat_chat._token_counting import CountsTokens, no_counter
from langchain_compat_chat._tools import format_tools
from langchain_compat_chat._tools import tool_choice as to_tool_choice
from langchain_compat_chat._validation import (
    check_api,
    check_sendable,
    check_timeout,
    masked_input,
    reject_unknown,
)
from langchain_compat_chat._wire import api as wire_api
from langchain_compat_chat._wire.chat_reply import checked_result
from langchain_compat_chat._wire.encode import encode_body
from langchain_compat_chat._wire.request import ForcedToolPlan
from langchain_compat_chat._wire.think import ThinkTags
from langchain_compat_chat._wire.token_count import COUNTERS, TokenCounting
from langchain_compat_chat.dialects import Dialect, resolve_dialect
from langchain_compat_chat.errors import CompatChatError, stamp
from langchain_compat_chat.providers import ProviderProfile, get_provider

__all__ = ["ChatCompatModel"]

_DEFAULT_TIMEOUT = 120.0
_DEFAULT_CONNECT_TIMEOUT = 10.0
_DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_DEFAULT_MAX_RETRY_WAIT = 60.0
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


# batch/abatch add use_batch_api= to Runnable's signature (same positional arguments).
class ChatCompatModel(AsksServer, CountsTokens, RunsBatchJobs, BaseChatModel):  # type: ignore[misc]
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
    """``"responses"``: OpenAI's Responses API, stateless, where the dialect records one."""
    use_previous_response_id: bool = False
    """Responses API: send only the new turns, chained on ``previous_response_id``."""
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
    _session: Session | None = PrivateAttr(default=None)
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
        reject_unknown(cls, values)
        check_timeout(values.get("timeout", values.get("request_timeout")))
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
        self.api_key, self.base_url, self._url_credentials = resolve_endpoint(
            profile, self.api_key, self.base_url, self.proxy
        )
        self.debug_capture = capture_from(self.debug_capture)
        fields = {n: getattr(self, n) for n in _SAMPLING_FIELDS if getattr(self, n) is not None}
        sources = {"model_kwargs": self.model_kwargs, "extra_body": self.extra_body or {}}
        check_sendable(self.api_key, self.default_headers or {}, fields, sources)
        if self.token_counting == "server" and profile.name not in COUNTERS:
            raise no_counter(profile.name)
        check_api(self.api, self.use_previous_response_id, self.dialect)
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
            errors = [{**e, "input": masked_input(e["loc"], e["input"])} for e in exc.errors()]
            raise ValidationError.from_exception_data(
                exc.title, cast(Any, errors), hide_input=True
            ) from None

    @classmethod
    def for_provider(cls, provider: str | ProviderProfile, **kwargs: Any) -> ChatCompatModel:
        """Build from a preset: ``ChatCompatModel.for_provider("deepseek", model=...)``."""
        return cls(provider=provider, **kwargs)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Copy, re-deriving the preset and connection settings from the copy's own fields.

        Without this, the copy would share the original's already-built session and send
        with the old key, timeout or headers whatever ``update`` said.
        """
        # pydantic < 2.10 types ``update`` as a dict; a copy of it satisfies every release.
        copy = super().model_copy(update=None if update is None else dict(update), deep=deep)
        copy._profile = get_provider(copy.provider)
        if update and "dialect" in update:
            copy._dialect_overrides = update["dialect"]
        copy.dialect = resolve_dialect(copy._profile, copy.model, copy._dialect_overrides)
        copy._session = None
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

    def _get_session(self) -> Session:
        session = self._session
        if session is None:
            session = self._session = self._make_session()
        return session

    def _make_session(self) -> Session:
        return session_for(self, self._profile, self._url_credentials)

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
        return dialect_attribute(self._dialect_overrides)

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
        return masked_dump(super().to_json())

    def __repr_args__(self) -> Any:
        """Fields as repr shows them, credentials masked (proxy, headers, query)."""
        yield from masked_repr_args(super().__repr_args__())

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
        path, body, plan = wire_api.build(
            self.api,
            messages,
            params,
            self._wire_dialect,
            stream=stream,
            stream_usage=self.stream_usage,
            chain=self.use_previous_response_id,
            extra_body=extra,
        )
        # The one serialisation point: NaN, cycles... become one typed error (see encode).
        return Request("POST", path, encode_body(body, origins), stream=stream), plan

    def _should_stream(self, *, async_api: bool, run_manager: Any = None, **kwargs: Any) -> bool:
        n = kwargs.get("n", self.n)
        if n is not None and n > 1 and not kwargs.get("stream"):
            # invoke/generate with n>1 returns n generations from one JSON reply; only an
            # explicit stream() streams choice 0 and reports the others in the last chunk.
            return False
        return super()._should_stream(async_api=async_api, run_manager=run_manager, **kwargs)

    # -- response ------------------------------------------------------------------------------
    def _to_result(self, response: httpx.Response, plan: ForcedToolPlan | None) -> ChatResult:
        """The reply as a ``ChatResult``, v1 blocks and forced-tool check included."""
        try:
            data = json_body(response)
            result = wire_api.parse(self.api, data, self._provider_name, self._think_tags)
        except CompatChatError as exc:
            stamp(exc, response.headers)
            raise  # as is: a parse failure keeps the exception that caused it
        return checked_result(result, v1=self.output_version == "v1", plan=plan, model=self.model)

    def _chat_stream(self, plan: ForcedToolPlan | None) -> Any:
        """One call's stream protocol: v1 blocks and the forced-tool check (``_wire.api``)."""
        v1 = self.output_version == "v1"
        return wire_api.stream_protocol(
            self.api, self._provider_name, self._think_tags, v1=v1, plan=plan, model=self.model
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
        return self._to_result(self._get_session().send(request), plan)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, plan = self._request(messages, stop, False, kwargs)
        return self._to_result(await self._get_session().asend(request), plan)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, plan = self._request(messages, stop, True, kwargs)
        with self._get_session().open_stream(request) as events:
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
        async with self._get_session().aopen_stream(request) as events:
            async for chunk in events.achunks(self._chat_stream(plan)):
                if run_manager:
                    await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

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
        formatted = format_tools(tools, strict=strict)
        names = {f["function"]["name"] for f in formatted if "function" in f}
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = to_tool_choice(tool_choice, names)
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
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )
