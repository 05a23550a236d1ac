"""docs/architecture.md stays true: every module is on its map, and the layers hold.

The page's module table names each module of the package and its layer. A module added
without a row, or a row left behind by a move, fails here; so does an import against the
direction the page promises (wire never imports HTTP or the model; HTTP never the model).
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.docs.snippets import DOCS, REPO

PACKAGE = REPO / "langchain_compat_chat"
PAGE = DOCS / "architecture.md"
_ROW = re.compile(r"^\| `(?P<name>[\w./]+?/?)` \| (?P<layer>[\w ]+?) \|", re.MULTILINE)
# layer -> layers it must never import
_FORBIDDEN = {"wire": {"HTTP", "model"}, "HTTP": {"model"}}


def _map() -> dict[str, str]:
    return {m["name"]: m["layer"] for m in _ROW.finditer(PAGE.read_text(encoding="utf-8"))}


_LAYER_FOLDERS = ("_wire", "_http")  # listed module by module; other folders as one row


def _entries() -> set[str]:
    """The package's modules and subpackages, spelled as the page spells them."""
    files = {p.name for p in PACKAGE.glob("*.py")}
    folders = {f"{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    layered = {f"{d}/{p.name}" for d in _LAYER_FOLDERS for p in (PACKAGE / d).glob("*.py")}
    return files | (folders - {f"{d}/" for d in _LAYER_FOLDERS}) | layered


def _imports(name: str) -> set[str]:
    """Top-level package entries a module imports (TYPE_CHECKING imports included)."""
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                modules = [node.module or ""]
            elif node.level == 0 and (node.module or "").startswith("langchain_compat_chat."):
                modules = [(node.module or "").split(".", 1)[1]]
            else:
                continue
            if modules == [""]:  # "from . import x"
                modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [
                a.name.split(".", 1)[1]
                for a in node.names
                if a.name.startswith("langchain_compat_chat.")
            ]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            head = parts[0]
            if head in _LAYER_FOLDERS and len(parts) > 1:
                found.add(f"{head}/{parts[1]}.py")
            elif head not in _LAYER_FOLDERS:
                found.add(f"{head}/" if (PACKAGE / head).is_dir() else f"{head}.py")
    return found


def test_every_module_is_on_the_map() -> None:
    listed = set(_map())
    entries = _entries()
    assert entries - listed == set(), "add these to the module map of docs/architecture.md"
    assert listed - entries == set(), "docs/architecture.md lists modules that do not exist"


@pytest.mark.parametrize("layer", sorted(_FORBIDDEN))
def test_imports_run_one_way(layer: str) -> None:
    layers = _map()
    modules = [name for name, at in layers.items() if at == layer]
    assert modules, f"no {layer} modules on the map"
    wrong = {
        name: sorted(dep for dep in _imports(name) if layers.get(dep) in _FORBIDDEN[layer])
        for name in modules
    }
    assert {k: v for k, v in wrong.items() if v} == {}, (
        f"{layer} modules import {sorted(_FORBIDDEN[layer])} modules"
    )


def test_no_module_is_over_600_lines() -> None:
    """One concern a module keeps each one readable in a sitting (the architecture issue)."""
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 600} == {}
