"""The dialect table of the reasoning guide is the one the dialect rules generate."""

from __future__ import annotations

from langchain_compat_chat.dialects import resolve_dialect
from langchain_compat_chat.providers import get_provider, known_providers
from tests.docs.dialect_table import ROWS, current, dialect_table


def test_reasoning_guide_table_is_up_to_date() -> None:
    assert current() == dialect_table(), (
        "out of date: run `.venv/bin/python -m tests.docs.dialect_table`"
    )


def test_every_preset_has_a_row() -> None:
    assert {p for p, _ in ROWS} == set(known_providers())


def test_rows_show_the_resolved_names() -> None:
    table = dialect_table()
    for provider, model in ROWS:
        assert f"`{resolve_dialect(get_provider(provider), model).name}`" in table
