"""Wire layer: pure conversion between LangChain messages and the servers' JSON and SSE.

Nothing here does I/O or imports :mod:`langchain_compat_chat._http` or the model, so the sync
and async paths share every step and each conversion can be tested without a server.
"""
