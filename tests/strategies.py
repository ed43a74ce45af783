"""Hypothesis strategies for valid profiles, derived from the Profile model itself."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from toolpicker.knowledge.profile import QUESTION_FIELDS, allowed_values, field_bounds, field_kind

TOOLS = ["spreadsheet", "paper", "whatsapp", "nextcloud", "trello", "sage", "excel", "google-workspace"]


def _values(name: str) -> st.SearchStrategy[Any]:
    kind = field_kind(name)
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(allowed_values(name))
    if kind == "int":
        lo, _ = field_bounds(name)
        return st.one_of(st.integers(min_value=lo or 0, max_value=60), st.integers(min_value=lo or 0,
                                                                                   max_value=100_000))
    if kind == "list_enum":
        return st.lists(st.sampled_from(allowed_values(name)), max_size=6)
    return st.lists(st.sampled_from(TOOLS), max_size=4)


profiles = st.fixed_dictionaries({}, optional={name: _values(name) for name in QUESTION_FIELDS})
