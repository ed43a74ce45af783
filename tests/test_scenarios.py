"""The project's audit scenarios (tests/scenarios/*.yaml) run under pytest, one test each."""

from __future__ import annotations

import pytest

import toolpicker
from toolpicker.audit.scenarios import Scenario, coverage, load_scenarios, run_scenario

from .conftest import HERE

SCENARIOS = load_scenarios([HERE / "scenarios"]) if (HERE / "scenarios").is_dir() else []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(kb: toolpicker.KnowledgeBase, scenario: Scenario) -> None:
    outcome = run_scenario(kb, scenario)
    assert not outcome.failures, "\n".join(str(f) for f in outcome.failures)


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 30


def test_every_rule_is_covered_by_a_scenario(kb: toolpicker.KnowledgeBase) -> None:
    counts = coverage(kb, [run_scenario(kb, s) for s in SCENARIOS])
    never = sorted(r for r, c in counts.items() if c == 0)
    assert never == []
