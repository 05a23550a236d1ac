"""The profile table of the model-profiles guide is the one users get from the package."""

from __future__ import annotations

from langchain_compat_chat._profile_table import MODEL_TABLE
from tests.docs.profile_table import current, hosted_without_entry, profile_table, user_profile


def test_model_profiles_guide_table_is_up_to_date() -> None:
    assert current() == profile_table(), (
        "out of date: run `.venv/bin/python -m tests.docs.profile_table`"
    )


def test_every_table_model_gets_a_profile_and_every_hosted_preset_a_row() -> None:
    for preset, models in MODEL_TABLE.items():
        for model in models:
            assert user_profile(preset, model), (preset, model)
    table = profile_table()
    for preset in [*MODEL_TABLE, *hosted_without_entry()]:
        assert f"| {preset} | " in table
    for preset in hosted_without_entry():
        # a preset without an entry really has no profile at construction
        assert user_profile(preset, "any-model") is None, preset
