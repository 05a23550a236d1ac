"""mkdocs hook: fail the build when the site would not work opened from disk.

``site/index.html`` opened in a browser has no server behind it. A link to a directory then
shows a directory listing instead of the page (what ``use_directory_urls: true`` produces), a
root-absolute link (``/assets/...``) points at the root of the file system, and a stylesheet,
script or image fetched from the network is missing on an offline machine. mkdocs' own link
validation checks the Markdown sources, not what the theme and plugins write into the HTML, so
after each build this reads every page and follows every ``href`` and ``src`` in it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# What the browser fetches by itself while rendering a page (not links a reader follows).
_FETCHED = frozenset({"script", "img", "iframe", "source", "video", "audio"})
_FETCHED_REL = frozenset({"stylesheet", "icon", "preload", "modulepreload", "manifest"})


class _Links(HTMLParser):
    """Collects ``(tag, url, rel)`` for every ``href`` and ``src`` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            url = values.get(name)
            if url:
                self.links.append((tag, url, values.get("rel") or ""))


def _fetched(tag: str, rel: str) -> bool:
    return tag in _FETCHED or (tag == "link" and not _FETCHED_REL.isdisjoint(rel.split()))


def problems(site: Path) -> list[str]:
    """Every link of the built site that a browser reading it from disk cannot follow."""
    found = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" and page.parent == site:
            continue  # only ever shown by a server, at whatever path was asked for
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, url, rel in parser.links:
            where = f"{page.relative_to(site)}: <{tag}> {url!r}"
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if parts.scheme in ("http", "https", "") and _fetched(tag, rel):
                    found.append(f"{where} is fetched from the network")
                continue  # an ordinary external link, mailto:, data:
            if not parts.path:
                continue  # "#anchor": mkdocs validates anchors itself
            if parts.path.startswith("/"):
                found.append(f"{where} is absolute: from disk it points at the file system root")
                continue
            target = page.parent / unquote(parts.path)
            if target.is_dir():
                found.append(f"{where} is a directory: from disk it shows a file listing")
            elif not target.is_file():
                found.append(f"{where} does not exist")
    return found


def on_post_build(config: Any, **_: Any) -> None:
    """Raise when any page of the new build would break opened from disk.

    Raises:
        PluginError: The list of offending links (mkdocs stops and reports it).

    """
    from mkdocs.exceptions import PluginError

    found = problems(Path(config["site_dir"]))
    if found:
        shown = "\n  ".join(found[:20])
        more = f"\n  ... and {len(found) - 20} more" if len(found) > 20 else ""
        msg = f"the site would not work opened from disk:\n  {shown}{more}"
        raise PluginError(msg)
