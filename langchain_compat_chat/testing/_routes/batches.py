"""``/v1/batches``: create, retrieve, list and cancel, answered by the server's Batch API.

The life cycle, validation and runner are in ``_batches.py``; the lines are answered by
the chat route's own checks and generation (``chat.line_completer``).
"""

from __future__ import annotations

from langchain_compat_chat.testing._batches import BatchApi
from langchain_compat_chat.testing._routes.exchange import batch_api_handler

create_batch = batch_api_handler(BatchApi.create)  # POST /v1/batches
list_batches = batch_api_handler(BatchApi.list_batches)  # GET /v1/batches
retrieve_batch = batch_api_handler(BatchApi.retrieve)  # GET /v1/batches/{id}
cancel_batch = batch_api_handler(BatchApi.cancel)  # POST /v1/batches/{id}/cancel
