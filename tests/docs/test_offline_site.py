"""The docs build's offline check (``docs/_hooks/offline_site.py``) finds what breaks from disk.

The hook runs after every ``mkdocs build``; these tests run it on small hand-made sites so
that they need no mkdocs and show each rule on its own.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from tests.docs.snippets import DOCS


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("offline_site", DOCS / "_hooks/offline_site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site(tmp_path: Path, body: str) -> Path:
    (tmp_path / "guide").mkdir()
    (tmp_path / "guide" / "index.html").write_text("<p>guide</p>", encoding="utf-8")
    (tmp_path / "quickstart.html").write_text("<p>quick</p>", encoding="utf-8")
    (tmp_path / "index.html").write_text(body, encoding="utf-8")
    return tmp_path


def test_file_links_pass(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        '<a href="quickstart.html#install">q</a> <a href="guide/index.html">g</a>'
        '<a href="#top">top</a> <a href="https://example.com/">out</a>'
        '<a href="mailto:a@example.com">mail</a> <img src="data:image/png;base64,AA==">',
    )
    assert _hook().problems(site) == []


def test_directory_link_fails(tmp_path: Path) -> None:
    """What ``use_directory_urls: true`` writes: from disk, a file listing."""
    site = _site(tmp_path, '<a href="guide/">g</a> <link rel="next" href=".">')
    found = _hook().problems(site)
    assert len(found) == 2 and all("is a directory" in p for p in found)


def test_absolute_missing_and_network_fail(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        '<a href="/quickstart.html">abs</a> <a href="gone.html">gone</a>'
        '<script src="https://unpkg.com/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.com/a.css">',
    )
    found = _hook().problems(site)
    expected = ["is absolute", "does not exist", "from the network", "from the network"]
    assert len(found) == len(expected)
    for problem, words in zip(found, expected, strict=True):
        assert words in problem
