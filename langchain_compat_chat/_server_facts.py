"""What the server says about its models: the ``/models`` listing and the model profile.

:mod:`._profiles` holds the declared table and the pure mapping of a server's replies; this
module decides, for one model on one endpoint, which preset's table and dialect apply, what
to ask the server (its ``/models`` listing and, where it has one, a detail endpoint) and how
the answers merge (server over table, the user's own ``profile=`` over both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_compat_chat._http.call import Request, json_body
from langchain_compat_chat._profiles import (
    SINGLE_MODEL_SERVERS,
    detail_endpoint,
    dialect_profile,
    merge_profiles,
    preset_for_url,
    server_profile,
    table_profile,
)
from langchain_compat_chat._wire.models import ModelInfo, parse_model_list
from langchain_compat_chat.errors import CompatChatError, stamp
from langchain_compat_chat.providers import ProviderProfile, get_provider, known_providers

if TYPE_CHECKING:
    import httpx
    from langchain_core.language_models.model_profile import ModelProfile

    from langchain_compat_chat._http.session import Session

__all__ = ["AsksServer", "ProfileSource"]

_LIST_MODELS = Request("GET", "/models")


@dataclass(frozen=True)
class ProfileSource:
    """The public fields a profile is resolved from: ``provider``, ``base_url`` and ``model``.

    Only public fields, because langchain-core's ``_set_model_profile`` validator asks for
    the profile before the model's own validator has resolved anything private.
    """

    provider: str | ProviderProfile | None
    base_url: str | None
    model: str

    def preset(self) -> ProviderProfile:
        """The preset whose table and dialect apply.

        A generic model pointed at a hosted preset's URL gets that preset.
        """
        preset = get_provider(self.provider)
        if preset.name == "generic":
            hosted = preset_for_url(self.base_url, map(get_provider, known_providers()))
            if hosted is not None:
                return hosted
        return preset

    def bundled(self) -> ModelProfile | None:
        """The bundled profile of the model merged with the dialect's facts; never the network.

        ``None`` when the table does not know the model (local servers, gateways, custom
        deployments).
        """
        preset = self.preset()
        known = table_profile(preset.name, self.model)
        if known is None:
            return None
        return merge_profiles(known, dialect_profile(preset, known))

    def detail_request(self) -> Request | None:
        """The server's own detail endpoint for the model (``/props``, ``/api/show``...)."""
        endpoint = detail_endpoint(self.preset().name, self.model)
        if endpoint is None:
            return None
        method, path, body = endpoint
        headers = {"content-type": "application/json"} if body is not None else {}
        return Request(method, path, body, headers=headers, from_root=True)

    def from_server(
        self,
        models: list[ModelInfo],
        detail: httpx.Response | None,
        user_profile: ModelProfile | None,
    ) -> ModelProfile:
        """The profile from the server's answers: its facts over the table, the user's over all.

        Args:
            models: The ``/models`` listing; the model's entry (or a single-model server's
                only entry) is read.
            detail: The detail endpoint's reply, ``None`` if there is none or it failed.
            user_profile: What the user passed as ``profile=``, which wins.

        """
        entry = next((m for m in models if m.id == self.model), None)
        preset = self.preset()
        if entry is None and len(models) == 1 and preset.name in SINGLE_MODEL_SERVERS:
            entry = models[0]
        detail_json = json_body(detail) if detail is not None else None
        reported = server_profile(
            entry.metadata if entry is not None else None,
            detail_json if isinstance(detail_json, dict) else None,
        )
        table = self.bundled() or {}
        known = merge_profiles(table, reported)
        return merge_profiles(table, dialect_profile(preset, known), reported, user_profile)


class AsksServer:
    """``ChatCompatModel``'s listing and profile methods (a mixin: one concern, one module).

    They need only what the model declares below: the three public fields a profile is
    resolved from, the user's own ``profile=`` and the session.
    """

    if TYPE_CHECKING:
        model: str
        provider: str | ProviderProfile | None
        base_url: str | None
        profile: ModelProfile | None
        _user_profile: ModelProfile | None

        def _get_session(self) -> Session: ...

    def _to_models(self, response: httpx.Response) -> list[ModelInfo]:
        try:
            return parse_model_list(json_body(response))
        except CompatChatError as exc:
            raise stamp(exc, response.headers) from None

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
        return self._to_models(self._get_session().send(_LIST_MODELS))

    async def alist_models(self) -> list[ModelInfo]:
        """Async :meth:`list_models`."""
        return self._to_models(await self._get_session().asend(_LIST_MODELS))

    def _profile_source(self) -> ProfileSource:
        return ProfileSource(self.provider, self.base_url, self.model)

    def _resolve_model_profile(self) -> ModelProfile | None:
        """The bundled profile of this preset's model, merged with the dialect's facts.

        langchain-core's ``_set_model_profile`` validator calls this before ``_resolve``, so
        it reads public fields only. ``None`` when the table does not know the model: call
        :meth:`fetch_profile` to ask the server, or pass ``profile=``. Never the network.
        """
        return self._profile_source().bundled()

    def _apply_server_profile(
        self, models: list[ModelInfo], detail: httpx.Response | None
    ) -> ModelProfile:
        self.profile = self._profile_source().from_server(models, detail, self._user_profile)
        return self.profile

    def fetch_profile(self) -> ModelProfile:
        """Ask the server what it serves and fill ``model.profile`` from its answer.

        Reads ``GET {base_url}/models`` and, where the server has one, its own detail endpoint
        at the server root: llama.cpp ``GET /props``, Ollama ``POST /api/show``, LM Studio
        ``GET /api/v0/models/{model}``, Cerebras ``GET /public/v1/models/{model}``. The
        reported context length (vLLM ``max_model_len``, OpenRouter ``context_length``, LM
        Studio ``max_context_length``, llama.cpp ``n_ctx``, Ollama ``num_ctx``, Cerebras
        ``limits.max_context_length``) becomes ``max_input_tokens``, a reported output cap
        ``max_output_tokens``, a ``capabilities`` object (Mistral, Cerebras) the tool, vision
        and reasoning flags. The server's facts win over the bundled table; your own
        ``profile=`` wins over both.

        Example:
            ```python
            llm = ChatCompatModel(model="qwen3", provider="vllm")
            llm.fetch_profile()["max_input_tokens"]  # e.g. 32768
            ```

        Raises:
            CompatChatError: The listing failed (same typed errors as :meth:`list_models`).
                A failing detail endpoint is not an error: the listing alone is used.

        """
        request = self._profile_source().detail_request()
        models = self.list_models()
        try:
            detail = None if request is None else self._get_session().send(request)
        except CompatChatError:
            detail = None  # older servers lack the endpoint; the listing still counts
        return self._apply_server_profile(models, detail)

    async def afetch_profile(self) -> ModelProfile:
        """Async :meth:`fetch_profile`."""
        request = self._profile_source().detail_request()
        models = await self.alist_models()
        try:
            detail = None if request is None else await self._get_session().asend(request)
        except CompatChatError:
            detail = None
        return self._apply_server_profile(models, detail)
