"""The recorded fixtures copied into ``tests/fixtures`` stay byte-identical to the team's originals.

The copies exist so that a clean clone (CI) replays them; the originals in ``../shared`` are
the ones the team updates. Where the originals are visible, any difference (a sample added,
removed or edited on one side only) fails here instead of CI quietly testing stale bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REAL_SERVER_CAPTURES, SHARED

WIRE_SAMPLES_COPY = FIXTURES / "wire_samples"
CAPTURES_README = "README.md"
"""Our own provenance note next to the copied captures; it has no original."""


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def _original(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        pytest.skip(f"originals not visible from this checkout: {path} does not exist")
    return path


def test_vendored_wire_samples_are_present() -> None:
    names = set(_files(WIRE_SAMPLES_COPY))
    assert "README.md" in names
    assert len([n for n in names if n.endswith(".json")]) >= 20


def test_wire_samples_match_shared_originals() -> None:
    original = _files(_original("wire-samples"))
    copy = _files(WIRE_SAMPLES_COPY)
    assert sorted(copy) == sorted(original)
    assert [n for n in original if copy[n] != original[n]] == []


def test_real_server_captures_match_shared_originals() -> None:
    original = _original("real-server", "captures")
    copy = {n: b for n, b in _files(REAL_SERVER_CAPTURES).items() if n != CAPTURES_README}
    assert copy, f"no vendored captures under {REAL_SERVER_CAPTURES}"
    assert [n for n, body in copy.items() if (original / n).read_bytes() != body] == []
