"""``/v1/files``: upload, list, retrieve, content and delete, answered by the Batch API store.

The handlers only hand the request to the server's :class:`~langchain_compat_chat.testing.
_batches.BatchApi`, which owns the files (``_files.py``).
"""

from __future__ import annotations

from langchain_compat_chat.testing._batches import BatchApi
from langchain_compat_chat.testing._routes.exchange import batch_api_handler

upload_file = batch_api_handler(BatchApi.upload)  # POST /v1/files (multipart, spooled)
list_files = batch_api_handler(BatchApi.list_files)  # GET /v1/files
retrieve_file = batch_api_handler(BatchApi.get_file)  # GET /v1/files/{id}
delete_file = batch_api_handler(BatchApi.delete_file)  # DELETE /v1/files/{id}
file_content = batch_api_handler(BatchApi.file_content)  # GET /v1/files/{id}/content
