"""LangChain chat model for every OpenAI-compatible Chat Completions endpoint."""

# First, before our modules pull in langchain-core piecemeal (exceptions, callbacks, messages):
# entered through its chat-model module, as its own chat models are, the same langchain-core
# modules import 60-90 ms faster. Measured, not derived: a profile shows the difference as
# type-annotation evaluation inside langchain-core and pydantic (docs/performance.md, "Import").
import langchain_core.language_models.chat_models  # noqa: F401

from langchain_compat_chat._http.capture import HttpCapture
from langchain_compat_chat._version import __version__
from langchain_compat_chat._wire.content import file_block, image_block
from langchain_compat_chat._wire.models import ModelInfo
from langchain_compat_chat.batch import BatchCounts, BatchJob
from langchain_compat_chat.chat_models import ChatCompatModel
from langchain_compat_chat.dialects import Dialect
from langchain_compat_chat.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BatchCancelledError,
    BatchError,
    BatchExpiredError,
    BatchFailedError,
    BatchPendingError,
    BatchUnsupportedError,
    CompatChatError,
    ContentFilterError,
    ContextOverflowError,
    EmptyStreamError,
    ForcedToolCallError,
    InvalidRequestError,
    MalformedResponseError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RedirectError,
    RequestEncodingError,
    ResponseTooLargeError,
    StreamInterruptedError,
)
from langchain_compat_chat.providers import (
    ProviderProfile,
    get_provider,
    known_providers,
    register_provider,
)
from langchain_compat_chat.usage import ModelUsage, UsageStats

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BatchCancelledError",
    "BatchCounts",
    "BatchError",
    "BatchExpiredError",
    "BatchFailedError",
    "BatchJob",
    "BatchPendingError",
    "BatchUnsupportedError",
    "ChatCompatModel",
    "CompatChatError",
    "ContentFilterError",
    "ContextOverflowError",
    "Dialect",
    "EmptyStreamError",
    "ForcedToolCallError",
    "HttpCapture",
    "InvalidRequestError",
    "MalformedResponseError",
    "ModelInfo",
    "ModelUsage",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderProfile",
    "RateLimitError",
    "RedirectError",
    "RequestEncodingError",
    "ResponseTooLargeError",
    "StreamInterruptedError",
    "UsageStats",
    "__version__",
    "file_block",
    "get_provider",
    "image_block",
    "known_providers",
    "register_provider",
]
