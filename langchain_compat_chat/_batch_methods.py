"""``ChatCompatModel``'s provider Batch API methods (a mixin; the job logic is ``batch.py``).

Each method hands the model to ``batch.py``, which gives the operation's plan (its steps
and the session), and runs it with the sync or the async driver: a sync method and its
async twin differ only in that. ``batch`` and ``abatch`` keep langchain-core's fan-out
unless ``use_batch_api=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from langchain_core.language_models import BaseChatModel, LanguageModelInput

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from langchain_compat_chat.batch import BatchJob
    from langchain_compat_chat.chat_models import ChatCompatModel

__all__ = ["RunsBatchJobs"]


def _model(mixin: RunsBatchJobs) -> ChatCompatModel:
    return cast("ChatCompatModel", mixin)


class RunsBatchJobs:
    """Provider Batch API jobs: ``submit_batch``, ``get_batch`` and ``batch(use_batch_api=)``."""

    def submit_batch(self, inputs: Iterable[LanguageModelInput], **kwargs: Any) -> BatchJob:
        """Run ``inputs`` on the provider's Batch API (about half price); returns the job.

        Each input is anything ``invoke`` takes and becomes exactly the body ``invoke``
        would send with the same call arguments (``stop``, sampling fields, and tools as
        ``bind_tools(tools).kwargs`` holds them). Batch options: ``completion_window``,
        ``metadata`` (your own keys), ``max_lines`` / ``max_bytes`` (split into batches
        below the provider's own limits). See the [batch guide](../guides/batch.md).

        Raises:
            BatchUnsupportedError: The preset has no batch API (before any upload).
            CompatChatError: An upload or the batch creation failed (batches already
                made are cancelled).

        """
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import drive

        return drive(*batch.submit_plan(_model(self), inputs, kwargs))

    async def asubmit_batch(self, inputs: Iterable[LanguageModelInput], **kwargs: Any) -> BatchJob:
        """Async :meth:`submit_batch`."""
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import adrive

        return await adrive(*batch.submit_plan(_model(self), inputs, kwargs))

    def get_batch(self, batch_id: str) -> BatchJob:
        """The job ``submit_batch`` returned as ``job.id``, from any process, at its state now."""
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import drive

        return drive(*batch.resume_plan(_model(self), batch_id))

    async def aget_batch(self, batch_id: str) -> BatchJob:
        """Async :meth:`get_batch`."""
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import adrive

        return await adrive(*batch.resume_plan(_model(self), batch_id))

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        use_batch_api: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """langchain-core's concurrent ``invoke``s, or with ``use_batch_api=True`` one Batch job.

        ``use_batch_api=True`` submits, waits and returns the answers in order: it blocks
        until the provider finishes, which may take up to the completion window (24 hours
        at most providers). ``config`` callbacks are not run per input then.
        """
        if not use_batch_api:
            return BaseChatModel.batch(
                _model(self), inputs, config, return_exceptions=return_exceptions, **kwargs
            )
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import drive

        return drive(*batch.run_plan(_model(self), inputs, return_exceptions, kwargs))

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        use_batch_api: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """Async :meth:`batch`."""
        if not use_batch_api:
            return await BaseChatModel.abatch(
                _model(self), inputs, config, return_exceptions=return_exceptions, **kwargs
            )
        from langchain_compat_chat import batch
        from langchain_compat_chat._batch_steps import adrive

        return await adrive(*batch.run_plan(_model(self), inputs, return_exceptions, kwargs))
