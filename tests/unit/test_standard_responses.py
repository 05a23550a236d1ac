"""LangChain's standard unit tests with ``api="responses"``: the same capabilities and rules."""

from __future__ import annotations

from typing import Any

from tests.unit import test_standard as chat_mode


class TestChatCompatModelResponsesUnit(chat_mode.TestChatCompatModelUnit):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "test-model", "base_url": chat_mode.BASE, "api": "responses"}
