"""Which model profile applies: the bundled one at construction, the server's on request.

:mod:`._profiles` holds the declared table and the pure mapping of a server's replies; this
module decides, for one model on one endpoint, which preset's table and dialect apply, what
to ask the server (its ``/models`` entry and, where it has one, a detail endpoint) and how
the answers merge (server over table, the user's own ``profile=`` over both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_compat_chat._http.transport import Request
from langchain_compat_chat._profiles import (
    SINGLE_MODEL_SERVERS,
    detail_endpoint,
    dialect_profile,
    merge_profiles,
    preset_for_url,
    server_profile,
    table_profile,
)
from langchain_compat_chat._reply import json_of
from langchain_compat_chat.providers import ProviderProfile, get_provider, known_providers

if TYPE_CHECKING:
    import httpx
    from langchain_core.language_models.model_profile import ModelProfile

    from langchain_compat_chat._wire.models import ModelInfo

__all__ = ["ProfileSource"]


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
        detail_json = json_of(detail) if detail is not None else None
        reported = server_profile(
            entry.metadata if entry is not None else None,
            detail_json if isinstance(detail_json, dict) else None,
        )
        table = self.bundled() or {}
        known = merge_profiles(table, reported)
        return merge_profiles(table, dialect_profile(preset, known), reported, user_profile)
