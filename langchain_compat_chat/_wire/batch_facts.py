"""Which presets run provider Batch API jobs, and how each one's API differs (declared data).

The shape is OpenAI's (``POST /files`` with ``purpose``, ``POST /batches``, JSONL lines of
``custom_id`` / ``method`` / ``url`` / ``body``); the providers differ in the few facts below.
A preset missing from :data:`BATCH_APIS` has no batch API that we know of, and
``submit_batch`` refuses it before building or uploading anything. Every fact names the page
it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from langchain_compat_chat.errors import BatchUnsupportedError

__all__ = ["BATCH_APIS", "BatchApi", "batch_api_for", "batch_base_url"]

_MB = 1024 * 1024


@dataclass(frozen=True)
class BatchApi:
    """One provider's Batch API facts.

    Attributes:
        docs: The provider's page these facts come from.
        files_path: Upload path after the batch base URL (multipart, ``file`` + ``purpose``).
        batches_path: Create / retrieve (``/{id}``) / cancel (``/{id}/cancel``) path.
        purpose: The upload's ``purpose`` field.
        endpoint: The create call's ``endpoint`` and every line's ``url``.
        completion_window: The window asked for when the caller names none.
        max_lines: Most requests in one batch (``None``: no documented limit).
        max_bytes: Largest input file in bytes (``None``: no documented limit).
        envelope: Key the create/retrieve answer wraps the batch object in (Together's
            ``{"job": {...}}``); ``None`` for the batch object itself.
        base_rewrite: ``(pattern, replacement)`` turning the chat ``base_url`` into the one
            files and batches live under (Azure's deployment URLs keep them at the resource).

    """

    docs: str
    files_path: str = "/files"
    batches_path: str = "/batches"
    purpose: str = "batch"
    endpoint: str = "/v1/chat/completions"
    completion_window: str = "24h"
    max_lines: int | None = 50_000
    max_bytes: int | None = 200 * _MB
    envelope: str | None = None
    base_rewrite: tuple[str, str] | None = None


_OPENAI = BatchApi(
    # "The file can contain up to 50,000 requests, and can be up to 200 MB in size";
    # completion_window "Currently only 24h is supported".
    docs="https://platform.openai.com/docs/api-reference/batch/create",
)

BATCH_APIS: Mapping[str, BatchApi] = {
    "openai": _OPENAI,
    # A server of unknown make behind base_url: OpenAI's shape, and its own answer (a 404
    # for a server without the endpoints) says whether it has one. The reference server
    # (langchain_compat_chat.testing) implements exactly this shape.
    "generic": _OPENAI,
    # Global batch: lines' url and the create call's endpoint are "/chat/completions"; up
    # to 100,000 requests and 200 MB per file; files and batches live under the resource's
    # /openai (or /openai/v1), not under a deployment.
    # https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch
    "azure": BatchApi(
        docs="https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch",
        endpoint="/chat/completions",
        max_lines=100_000,
        base_rewrite=(r"/deployments/[^/]+/?$", ""),
    ),
    # OpenAI-compatible Batch (Model Studio): endpoint "/v1/chat/completions", up to
    # 50,000 requests and 500 MB per file, completion_window from 24h to 336h.
    "dashscope": BatchApi(
        docs="https://www.alibabacloud.com/help/en/model-studio/batch-interfaces-compatible-with-openai",
        max_bytes=500 * _MB,
    ),
    # https://console.groq.com/docs/batch: up to 50,000 lines and 200 MB per file,
    # completion_window from 24h to 7d.
    "groq": BatchApi(docs="https://console.groq.com/docs/batch"),
    # Zhipu BigModel: /api/paas/v4/files and /v4/batches, lines' url and endpoint
    # "/v4/chat/completions"; "at most 50000 requests per file, no larger than 100M".
    # https://docs.bigmodel.cn/api-reference/批处理-api/创建批处理任务
    "zhipu": BatchApi(
        docs="https://docs.bigmodel.cn/cn/guide/tools/batch",
        endpoint="/v4/chat/completions",
        max_bytes=100 * _MB,
    ),
    # Kimi: purpose "batch", file "non-empty, max 100MB", completion_window 12h to 7d; no
    # line limit is documented, so OpenAI's is kept as the safe one.
    "moonshot": BatchApi(
        docs="https://platform.kimi.ai/docs/api/batch-create",
        max_bytes=100 * _MB,
    ),
    # Together: upload with purpose "batch-api"; "Up to 50,000 requests per batch. Up to
    # 100 MB per input file"; the create answer is {"job": {...}, "warning": ...} and
    # statuses are upper case (VALIDATING, IN_PROGRESS, COMPLETED...).
    # https://docs.together.ai/docs/inference/batch/overview,
    # https://docs.together.ai/reference/batch-create
    "together": BatchApi(
        docs="https://docs.together.ai/docs/inference/batch/overview",
        purpose="batch-api",
        max_bytes=100 * _MB,
        envelope="job",
    ),
}


def batch_api_for(preset: str) -> BatchApi:
    """The preset's Batch API facts.

    Raises:
        BatchUnsupportedError: The preset has no batch API (raised before any upload).

    """
    api = BATCH_APIS.get(preset)
    if api is None:
        names = ", ".join(sorted(BATCH_APIS))
        raise BatchUnsupportedError(
            f"Provider preset {preset!r} has no Batch API that this package knows of; "
            f"presets with one: {names}. Use model.batch(inputs) (interactive calls) instead, "
            "or point a 'generic' model at a server that implements /files and /batches."
        )
    return api


def batch_base_url(api: BatchApi, base_url: str) -> str:
    """The URL ``files_path`` and ``batches_path`` are appended to, from the chat base URL."""
    base = base_url.rstrip("/")
    if api.base_rewrite is not None:
        pattern, replacement = api.base_rewrite
        base = re.sub(pattern, replacement, base)
    return base
