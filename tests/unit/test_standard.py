"""LangChain's standard unit tests, with every capability we have switched on."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, load
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_compat_chat import ChatCompatModel
from tests.capabilities import CompatCapabilities

BASE = "http://127.0.0.1:9/v1"


class TestChatCompatModelUnit(CompatCapabilities, ChatModelUnitTests):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "test-model", "base_url": BASE}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"COMPAT_API_KEY": "env-key", "COMPAT_BASE_URL": "https://compat.example/v1"},
            {"model": "env-model"},
            {"api_key": "env-key", "base_url": "https://compat.example/v1"},
        )

    @pytest.mark.xfail(
        strict=True,
        reason=(
            "langchain-core 1.7/1.8 limit: load(allowed_objects='all') admits only classes in "
            "core's own serialization mapping, so no third-party class can pass this as written; "
            "test_serdes_with_allowlist runs the same checks with allowed_objects=[ChatCompatModel]"
        ),
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    def test_serdes_with_allowlist(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        """The standard serdes check, loading with the allowlist users of our class pass."""
        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            ser = dumpd(model)
            assert ser == snapshot(name="serialized")
            assert "test" not in str(ser["kwargs"].get("api_key"))
            loaded = load(
                ser,
                valid_namespaces=["langchain_compat_chat"],
                allowed_objects=[ChatCompatModel],
                secrets_from_env=True,
            )
            assert model.dict() == loaded.dict()
            assert isinstance(loaded, ChatCompatModel)
            assert loaded.api_key is not None
            assert loaded.api_key.get_secret_value() == "env-key"
