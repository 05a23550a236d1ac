"""LangChain's standard integration suite with ``api="responses"``, against the reference server.

The same capabilities, the same server and the same strict xfails as the Chat Completions run
(``test_standard_integration.py``); only the API differs, so every request goes to
``POST /v1/responses`` and every answer is a Responses object or event stream. Two things the
Responses API itself does not have are off here, each with its evidence: audio input parts and
stop sequences.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from langchain_compat_chat.errors import InvalidRequestError
from tests.integration import test_standard_integration as chat_mode
from tests.integration.test_standard_integration import _local_media  # noqa: F401 (autouse)


class TestReferenceServerResponses(chat_mode.TestReferenceServer):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {**super().chat_model_params, "api": "responses"}

    @property
    def supports_audio_inputs(self) -> bool:
        # A Responses message takes input_text, input_image and input_file parts only
        # (openai-python src/openai/types/responses/response_input_content.py).
        return False

    @pytest.mark.xfail(
        strict=True,
        raises=InvalidRequestError,
        reason="API limit: the Responses API has no stop sequences "
        "(https://platform.openai.com/docs/api-reference/responses/create); the client "
        "refuses stop= before sending rather than drop it",
    )
    def test_stop_sequence(self, model: BaseChatModel) -> None:
        super().test_stop_sequence(model)
