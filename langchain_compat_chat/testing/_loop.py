"""The reference server's event-loop thread: the listening socket and its connections.

An asyncio loop runs in a daemon thread, so a synchronous test (or a script) can start
the server, talk to it over real sockets with any client, and stop it. One loop handles
thousands of concurrent keep-alive connections. This module knows sockets and HTTP
requests only; what a request means is the ``dispatch`` callable it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable

from langchain_compat_chat.testing._errors import ApiError
from langchain_compat_chat.testing._http import (
    MAX_HEAD,
    HttpError,
    Request,
    SpoolRule,
    read_request,
    write_response,
)

Dispatch = Callable[[Request, asyncio.StreamWriter], Awaitable[bool]]
"""Answers one request; returns whether the connection may be reused."""


class LoopThread:
    """One listening socket served by an asyncio loop in a daemon thread.

    Args:
        dispatch: Called for every parsed request.
        spool: Which requests' bodies go to a temporary file instead of memory (uploads).

    """

    def __init__(self, dispatch: Dispatch, spool: SpoolRule | None = None) -> None:
        self._dispatch = dispatch
        self._spool = spool
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port: int | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is serving."""
        return self._thread is not None and self.port is not None

    @property
    def open_connections(self) -> int:
        """How many client connections are open right now."""
        return len(self._writers)

    def start(self, host: str, port: int) -> None:
        """Bind and serve in a daemon thread; returns once the socket is listening.

        Raises:
            RuntimeError: if the thread is already running.
            OSError: if the port cannot be bound.

        """
        if self._thread is not None:
            raise RuntimeError("ReferenceServer is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        thread = threading.Thread(
            target=self._run,
            args=(host, port, ready, failure),
            name="compat-reference-server",
            daemon=True,
        )
        self._thread = thread
        thread.start()
        ready.wait()
        if failure:
            thread.join()
            self._thread = None
            raise failure[0]

    def stop(self, timeout: float) -> None:
        """Close every connection and the listening socket, then join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            with contextlib.suppress(Exception):
                fut.result(timeout)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None
        self._loop = None
        self.port = None

    def _run(
        self, host: str, port: int, ready: threading.Event, failure: list[BaseException]
    ) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                asyncio.start_server(
                    self._handle_connection,
                    host,
                    port,
                    backlog=4096,
                    limit=MAX_HEAD,
                    reuse_address=True,
                )
            )
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            loop.close()
            return
        self._server = server
        self.port = int(server.sockets[0].getsockname()[1])
        self._loop = loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)
            self._server = None

    async def _handle_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.add(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                try:
                    req = await read_request(reader, writer, self._spool)
                except HttpError as exc:
                    err = ApiError(exc.status, exc.message)
                    await write_response(writer, exc.status, err.body(), keep_alive=False)
                    break
                if req is None:
                    break
                keep = await self._dispatch(req, writer)
                if not keep or not req.keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()
