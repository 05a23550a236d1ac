"""Shared test helpers and the locations of the vendored recorded fixtures.

The recorded provider samples and the llama.cpp capture that tests replay are copied into
``tests/fixtures`` so that a clean clone (CI) runs them; ``test_vendored_fixtures`` checks the
copies against the team's originals in ``../shared`` whenever that directory is present.
``COMPAT_WIRE_SAMPLES`` points the wire-sample tests at another directory of samples.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
WIRE_SAMPLES = Path(os.environ.get("COMPAT_WIRE_SAMPLES", FIXTURES / "wire_samples"))
REAL_SERVER_CAPTURES = FIXTURES / "real_server_captures"
SHARED = REPO.parent / "shared"
"""Where the originals of the vendored fixtures live in the team's checkout (absent in CI)."""


_ALSO_CLEARED = ("LLM_SSL_VERIFY", "AZURE_OPENAI_ENDPOINT", "COMPAT_DEBUG_CAPTURE")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a developer's real keys, base URLs or capture file."""
    for name in list(os.environ):
        if name.endswith(("_API_KEY", "_BASE_URL")) or name in _ALSO_CLEARED:
            monkeypatch.delenv(name, raising=False)
