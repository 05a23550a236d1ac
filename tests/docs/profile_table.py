"""Generate the profile table of ``docs/guides/model-profiles.md`` from what users get.

The table sits between ``<!-- profile-table:begin -->`` and ``<!-- profile-table:end -->``.
Each row is ``ChatCompatModel(provider=..., model=..., api_key=...).profile`` for one model of
the bundled table (aliases with the same facts share a row), so the guide shows the merged
profile (table and dialect), not the table's raw entries. Every hosted preset without an entry
gets a row saying so. ``test_profile_table.py`` fails when the guide is out of date; then run::

    .venv/bin/python -m tests.docs.profile_table

Run with ``--print`` to print the table without touching the guide.
"""

from __future__ import annotations

import sys
from typing import Any

from langchain_compat_chat import ChatCompatModel
from langchain_compat_chat._profile_table import MODEL_TABLE
from langchain_compat_chat.providers import get_provider, known_providers
from tests.docs.guide_block import GuideBlock, markdown_table
from tests.docs.snippets import DOCS

GUIDE = DOCS / "guides" / "model-profiles.md"
BLOCK = GuideBlock(GUIDE, "profile-table")
# Azure has no default URL (each resource has its own); any deployment URL resolves the same.
_BASE_URLS = {"azure": "https://example.openai.azure.com/openai/deployments/model"}
COLUMNS = (
    ("max_input_tokens", "max_input_tokens"),
    ("max_output_tokens", "max_output_tokens"),
    ("tool_calling", "tools"),
    ("tool_choice", "forced tool"),
    ("structured_output", "structured output"),
    ("image_inputs", "image input"),
    ("reasoning_output", "reasoning"),
)


def user_profile(preset: str, model: str) -> dict[str, Any] | None:
    """The profile a user gets at construction, offline."""
    llm = ChatCompatModel(
        provider=preset, model=model, api_key="k", base_url=_BASE_URLS.get(preset)
    )
    return dict(llm.profile) if llm.profile is not None else None


def hosted_without_entry() -> list[str]:
    """Hosted presets (a key is required) that the bundled table has no model for."""
    return [
        name
        for name in known_providers()
        if get_provider(name).requires_api_key and name not in MODEL_TABLE
    ]


def _cell(value: Any) -> str:
    if value is None:
        return "\u2013"  # an en dash, as the rest of the guide uses
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:,}"


def _rows() -> list[tuple[str, str, dict[str, Any] | None]]:
    rows: list[tuple[str, str, dict[str, Any] | None]] = []
    for preset, models in MODEL_TABLE.items():
        groups: list[tuple[list[str], dict[str, Any] | None]] = []
        for model in models:
            profile = user_profile(preset, model)
            for names, seen in groups:
                if seen == profile:
                    names.append(model)
                    break
            else:
                groups.append(([model], profile))
        for names, profile in groups:
            label = ", ".join(f"`{name}`" for name in names)
            rows.append((preset, label, profile))
    rows.extend(
        (preset, "no entry: `fetch_profile()` or `profile=`", None)
        for preset in hosted_without_entry()
    )
    return rows


def profile_table() -> str:
    """The Markdown table: one row per model of the bundled table, then the presets without."""
    header = ("preset", "model", *(title for _, title in COLUMNS))
    rows = (
        (preset, label, *(_cell((profile or {}).get(key)) for key, _ in COLUMNS))
        for preset, label, profile in _rows()
    )
    return markdown_table(header, rows)


def current() -> str | None:
    """The table now in the guide, or ``None`` without markers."""
    return BLOCK.current()


def write() -> bool:
    """Rewrite the block when out of date; return whether it changed."""
    return BLOCK.write(profile_table())


if __name__ == "__main__":
    if "--print" in sys.argv[1:]:
        sys.stdout.write(profile_table())
    elif write():
        sys.stdout.write(f"updated {GUIDE}\n")
