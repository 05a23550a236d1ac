"""Run every Python snippet of the documentation against the reference server.

The docs are written for real providers (``provider="deepseek"``, ``base_url=
"http://localhost:11434/v1"``...), and the snippets stay exactly as a reader copies them. To run
them offline, each page gets:

* the reference server (``compat_server``) standing in for every remote host: any HTTP request
  (httpx, or the ``httpx2`` fork the openai SDK may use) whose host is not ``127.0.0.1`` is
  delivered to it instead, keeping the path from ``/chat/completions`` or ``/models`` on.
  Requests to ``127.0.0.1`` (reference servers a snippet starts itself) go through untouched;
* a placeholder key in every preset's key variable and a placeholder Azure endpoint, as a
  reader would have set them.

See ``snippets.py`` for the ``no-test`` and ``docs-test`` directives.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_compat_chat import get_provider, known_providers, providers
from langchain_compat_chat.testing import ReferenceServer
from tests.docs.snippets import REPO, Snippet, pages, snippets

PLACEHOLDER_KEY = "sk-docs-placeholder-key"
PLACEHOLDER_AZURE = "https://docs-example.openai.azure.com/openai/v1"
_ROUTES = ("/chat/completions", "/models")
# Skipped snippets allowed across all the docs; raising it needs a reason, not a reflex.
MAX_SKIPPED = 10


def _redirect(request: Any, port: int) -> None:
    if request.url.host == "127.0.0.1":
        return
    path = request.url.path
    for route in _ROUTES:
        at = path.find(route)
        if at >= 0:
            path = "/v1" + path[at:]
            break
    request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=port, path=path)


def _http_modules() -> list[Any]:
    """httpx, plus the ``httpx2`` fork that recent openai SDKs (``ChatOpenAI``) use instead."""
    modules: list[Any] = [httpx]
    with contextlib.suppress(ImportError):
        import httpx2  # type: ignore[import-not-found]

        modules.append(httpx2)
    return modules


def _patch_transports(module: Any, port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    sync_send = module.HTTPTransport.handle_request
    async_send = module.AsyncHTTPTransport.handle_async_request

    def handle_request(self: Any, request: Any) -> Any:
        _redirect(request, port)
        return sync_send(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        _redirect(request, port)
        return await async_send(self, request)

    monkeypatch.setattr(module.HTTPTransport, "handle_request", handle_request)
    monkeypatch.setattr(module.AsyncHTTPTransport, "handle_async_request", handle_async_request)


@contextlib.contextmanager
def _network_to(server: ReferenceServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for module in _http_modules():
        _patch_transports(module, server.port, monkeypatch)
    for name in known_providers():
        for env in get_provider(name).api_key_env[:1]:
            monkeypatch.setenv(env, PLACEHOLDER_KEY)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", PLACEHOLDER_AZURE)
    # Pages may register_provider(); keep that from leaking into other tests.
    monkeypatch.setattr(providers, "_PRESETS", dict(providers._PRESETS))
    yield


def _run(snippet: Snippet, namespace: dict[str, Any], server: ReferenceServer) -> None:
    if snippet.dialect is not None:
        server.set_dialect(snippet.dialect)
    # Padded to the block's line and compiled under the page's path, so a failing snippet's
    # traceback points at the Markdown file and line (and shows it).
    padded = "\n" * (snippet.line - 1) + snippet.code
    code = compile(padded, str(snippet.path), "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)


PAGES = [p for p in pages() if any(s.skip_reason is None for s in snippets(p))]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_page_snippets_run(
    page: Path, compat_server: ReferenceServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # snippets that write files (images, YAML) write here
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    with _network_to(compat_server, monkeypatch):
        for snippet in snippets(page):
            if snippet.skip_reason is None:
                _run(snippet, namespace, compat_server)


def test_skipped_snippets_stay_few() -> None:
    skipped = [s for p in pages() for s in snippets(p) if s.skip_reason]
    assert len(skipped) <= MAX_SKIPPED, "\n".join(f"{s.where}: {s.skip_reason}" for s in skipped)


def test_no_page_skips_all_its_code() -> None:
    """A page whose blocks are all skipped would silently test nothing; only allow it knowingly."""
    all_skipped = [
        p.relative_to(REPO)
        for p in pages()
        if snippets(p) and all(s.skip_reason for s in snippets(p))
    ]
    assert all_skipped == []


def test_redirect_keeps_route_and_loopback() -> None:
    remote = httpx.Request(
        "POST", "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions?x=1"
    )
    _redirect(remote, 4321)
    assert str(remote.url) == "http://127.0.0.1:4321/v1/chat/completions?x=1"
    local = httpx.Request("GET", "http://127.0.0.1:9999/v1/models")
    _redirect(local, 4321)
    assert str(local.url) == "http://127.0.0.1:9999/v1/models"


def test_extraction_reads_directives(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\na = 1\n```\n\n<!-- no-test: needs langchain-deepseek -->\n"
        "```python\nimport langchain_deepseek\n```\n\n"
        "<!-- docs-test: dialect=groq -->\n\n```py\nb = 2\n```\n\n"
        '=== "Tab"\n\n    ```python\n    c = 3\n    ```\n\n```bash\nls\n```\n',
        encoding="utf-8",
    )
    found = snippets(page)
    assert [s.code for s in found] == [
        "a = 1\n",
        "import langchain_deepseek\n",
        "b = 2\n",
        "c = 3\n",
    ]
    assert [s.skip_reason for s in found] == [None, "needs langchain-deepseek", None, None]
    assert [s.dialect for s in found] == [None, None, "groq", None]
    assert found[0].line == 4


@pytest.mark.parametrize(
    "text",
    [
        "```python\nx = 1\n",
        "<!-- no-test: -->\n```python\nx\n```\n",
        "<!-- docs-test: fault=1 -->\n```python\nx\n```\n",
    ],
)
def test_extraction_rejects_broken_pages(tmp_path: Path, text: str) -> None:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        snippets(page)
