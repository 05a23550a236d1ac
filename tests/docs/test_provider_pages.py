"""Every provider preset has a page whose facts match the preset, and a runnable example."""

from __future__ import annotations

import re

import pytest

from langchain_compat_chat import get_provider, known_providers
from tests.docs.provider_facts import (
    INDEX,
    OVERVIEW,
    current_block,
    expected_blocks,
    facts_table,
    page_of,
)
from tests.docs.snippets import REPO, snippets

MKDOCS = (REPO / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", known_providers())
def test_every_preset_has_a_page_in_the_nav(name: str) -> None:
    page = page_of(name)
    assert page.is_file(), f"no page for provider preset {name!r}: add docs/providers/{name}.md"
    assert f"providers/{name}.md" in MKDOCS, f"docs/providers/{name}.md is not in mkdocs.yml nav"


@pytest.mark.parametrize("name", known_providers())
def test_facts_table_matches_the_preset(name: str) -> None:
    profile = get_provider(name)
    page = page_of(name)
    body = current_block(page, expected_blocks()[page][0])
    assert body is not None, f"{page} has no provider-facts markers"
    assert body == facts_table(profile), (
        "out of date: run `.venv/bin/python -m tests.docs.provider_facts`"
    )
    if profile.base_url:
        assert f"`{profile.base_url}`" in body
    for env in (*profile.api_key_env, *profile.base_url_env):
        assert f"`{env}`" in body


def test_overview_lists_every_preset() -> None:
    body = current_block(INDEX, OVERVIEW)
    assert body == expected_blocks()[INDEX][1], (
        "out of date: run `.venv/bin/python -m tests.docs.provider_facts`"
    )
    listed = re.findall(r"\[`([\w-]+)`\]\(([\w-]+)\.md\)", body)
    assert [n for n, _ in listed] == known_providers()


@pytest.mark.parametrize("name", known_providers())
def test_page_has_a_tested_example_using_the_preset(name: str) -> None:
    """The copy-paste example selects this preset and is executed by test_snippets."""
    runnable = [s for s in snippets(page_of(name)) if s.skip_reason is None]
    assert runnable, f"{name}: no runnable example"
    spelled = (f'provider="{name}"', f'for_provider("{name}"')
    if name == "generic":
        spelled = ("base_url=",)
    assert any(any(s in snip.code for s in spelled) for snip in runnable), (
        f"{name}: no runnable example selects the preset ({' or '.join(spelled)})"
    )


@pytest.mark.parametrize("name", known_providers())
def test_facts_table_has_a_header(name: str) -> None:
    """Markdown turns a table's first row into its header: a blank one renders as an empty bar."""
    header, rule = facts_table(get_provider(name)).splitlines()[:2]
    cells = [cell.strip() for cell in header.strip("|").split("|")]
    assert len(cells) == 2 and all(cells), f"blank header cell in {header!r}"
    assert re.fullmatch(r"\|(-+\|){2}", rule)
