"""Shared test helpers: the recorded provider samples live in ../shared/wire-samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WIRE_SAMPLES = Path(os.environ.get("COMPAT_WIRE_SAMPLES", REPO.parent / "shared" / "wire-samples"))


_ALSO_CLEARED = ("LLM_SSL_VERIFY", "AZURE_OPENAI_ENDPOINT", "COMPAT_DEBUG_CAPTURE")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a developer's real keys, base URLs or capture file."""
    for name in list(os.environ):
        if name.endswith(("_API_KEY", "_BASE_URL")) or name in _ALSO_CLEARED:
            monkeypatch.delenv(name, raising=False)
