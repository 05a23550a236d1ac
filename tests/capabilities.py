"""Capability flags of ChatCompatModel, shared by LangChain's standard unit and integration suites.

One list, so the two suites can never disagree about what the package claims to support.
"""

from __future__ import annotations

from typing import Any

from langchain_compat_chat import ChatCompatModel


class CompatCapabilities:
    """Mixin for the standard suites' subclasses; list it before the langchain_tests base."""

    @property
    def chat_model_class(self) -> type[ChatCompatModel]:
        return ChatCompatModel

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "function_calling"}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[str]]:
        return {
            "invoke": ["cache_read_input", "reasoning_output"],
            "stream": ["cache_read_input", "reasoning_output"],
        }

    @property
    def supports_model_override(self) -> bool:
        return True
