"""``proxy=`` end to end: every call mode through a forwarding HTTP proxy on loopback.

The proxy is the smallest that HTTP/1.1 allows: it reads a request in absolute form, sends it
upstream on a fresh connection with ``Connection: close``, relays the answer byte for byte and
closes. It records what it was asked, so the tests can see that traffic went through it, with
the proxy credentials from the URL and without leaking them upstream.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat.testing import ReferenceServer


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.seen: list[tuple[str, dict[str, str]]] = []  # request line, headers


class _Forward(socketserver.StreamRequestHandler):
    server: _Proxy

    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1").rstrip("\r\n")
        if not line:
            return
        headers: dict[str, str] = {}
        raw: list[bytes] = []
        while (header := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() not in ("proxy-authorization", "connection"):
                raw.append(header)
        body = self.rfile.read(int(headers.get("content-length", "0")))
        self.server.seen.append((line, headers))
        method, url, version = line.split(" ")
        target = urlsplit(url)
        path = target.path + (f"?{target.query}" if target.query else "")
        upstream = socket.create_connection((target.hostname, target.port or 80))
        with upstream:
            upstream.sendall(
                f"{method} {path} {version}\r\n".encode()
                + b"".join(raw)
                + b"connection: close\r\n\r\n"
                + body
            )
            while data := upstream.recv(65536):
                self.wfile.write(data)


@pytest.fixture
def proxy() -> Iterator[_Proxy]:
    server = _Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _model(compat_server: ReferenceServer, proxy: _Proxy, userinfo: str = "") -> ChatCompatModel:
    port = proxy.server_address[1]
    return ChatCompatModel(
        model="m",
        base_url=compat_server.base_url,
        api_key="sk-upstream",
        proxy=f"http://{userinfo}127.0.0.1:{port}",
        max_retries=0,
    )


async def test_every_mode_goes_through_the_proxy(
    compat_server: ReferenceServer, proxy: _Proxy
) -> None:
    model = _model(compat_server, proxy)
    answers = [
        model.invoke("hi").text,
        (await model.ainvoke("hi")).text,
        "".join(chunk.text for chunk in model.stream("hi")),
        "".join([chunk.text async for chunk in model.astream("hi")]),
    ]
    assert all(answers)
    assert len(proxy.seen) == 4
    for line, headers in proxy.seen:
        assert line == f"POST {compat_server.base_url}/chat/completions HTTP/1.1"
        assert headers["authorization"] == "Bearer sk-upstream"
        assert "proxy-authorization" not in headers
    assert len(compat_server.chat_requests) == 4


def test_proxy_credentials_go_to_the_proxy_only(
    compat_server: ReferenceServer, proxy: _Proxy
) -> None:
    model = _model(compat_server, proxy, userinfo="alice:s%3Acret@")
    chunks = list(model.stream("hi"))
    assert isinstance(chunks[-1], AIMessageChunk) and "".join(c.text for c in chunks)
    ((_, headers),) = proxy.seen
    # "alice:s:cret", base64-encoded: the URL's percent-escape is decoded first.
    assert headers["proxy-authorization"] == "Basic YWxpY2U6czpjcmV0"
    upstream = compat_server.chat_requests[0].headers
    assert "proxy-authorization" not in {name.lower() for name in upstream}
    assert "s:cret" not in repr(model) and "s%3Acret" not in repr(model)
