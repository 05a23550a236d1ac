"""The standard suite with ``langchain_openai.ChatOpenAI`` against our reference server.

Not collected on its own (no ``test_`` prefix): ``test_crosscheck.py`` runs it in a subprocess
and compares its failures with ours. Same failures means the server, not our model, decides.
"""

from __future__ import annotations

from typing import Any

from langchain_openai import ChatOpenAI

from tests.integration.test_standard_integration import _Capabilities, _local_media, _server

__all__ = ["TestChatOpenAIOnReferenceServer", "_local_media"]


class TestChatOpenAIOnReferenceServer(_Capabilities):
    @property
    def chat_model_class(self) -> type[ChatOpenAI]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "model": "reference-model",
            "base_url": _server().base_url,
            "api_key": "sk-ref",
            "stream_usage": True,
        }
