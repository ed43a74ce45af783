"""Properties an adviser would sign, on any profile: no harmful named solution, ever.

Scenarios (tests/scenarios/constat-*.yaml) keep each finding of the adviser
review on one profile; these properties hold on every generated profile.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

import toolpicker
from toolpicker.recommendation.evaluation import evaluate
from toolpicker.recommendation.matching import FACT_ADMIN, HEAVY_MIN_EMPLOYEES, in_use
from toolpicker.recommendation.recommend import build, parse_date

from .conftest import AS_OF
from .strategies import profiles

KB = toolpicker.load_knowledge_base()
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(profile: dict[str, Any]) -> tuple[Any, toolpicker.Recommendation]:
    parsed = toolpicker.parse_profile(profile)
    evaluation = evaluate(KB, parsed, parse_date(AS_OF))
    return evaluation, build(evaluation, with_missing=False)


@SETTINGS
@given(profiles)
def test_no_server_to_run_without_a_team_able_to_run_it(profile: dict[str, Any]) -> None:
    evaluation, rec = _run(profile)
    if FACT_ADMIN in evaluation.facts:
        return
    for item in rec.solutions:
        sol = KB.solutions[item.id]
        assert not (item.way == "on_premise" and sol.on_premise == "server"), item.id


@SETTINGS
@given(profiles)
def test_sensitive_data_stays_under_european_law_or_end_to_end_encryption(profile: dict[str, Any]) -> None:
    _, rec = _run(profile)
    if profile.get("data_sensitivity") != "sensitive":
        return
    for item in rec.solutions:
        sol = KB.solutions[item.id]
        if item.way == "saas" and not KB.taxonomy[item.category].public:
            assert KB.jurisdictions.protective(sol.jurisdiction) or sol.end_to_end, item.id


@SETTINGS
@given(profiles)
def test_keeping_control_never_means_a_non_european_vendor(profile: dict[str, Any]) -> None:
    _, rec = _run(profile)
    if profile.get("hosting_preference") != "keep_control":
        return
    for item in rec.solutions:
        if item.way == "saas":
            assert KB.solutions[item.id].jurisdiction in KB.jurisdictions.european, item.id


@SETTINGS
@given(profiles)
def test_heavy_packages_never_reach_small_teams(profile: dict[str, Any]) -> None:
    evaluation, rec = _run(profile)
    employees = profile.get("employees")
    if employees is None or employees >= HEAVY_MIN_EMPLOYEES:
        return
    for item in rec.solutions:
        sol = KB.solutions[item.id]
        assert sol.weight != "heavy" or in_use(sol, evaluation.known), item.id


@SETTINGS
@given(profiles)
def test_a_product_is_proposed_once_under_a_recommended_category(profile: dict[str, Any]) -> None:
    _, rec = _run(profile)
    ids = [s.id for s in rec.solutions]
    assert len(ids) == len(set(ids))
    categories = {c.id for c in rec.tool_categories}
    assert all(s.category in categories for s in rec.solutions if s.way is not None)


@SETTINGS
@given(profiles)
def test_missing_reads_the_same_categories_as_the_recommendation(profile: dict[str, Any]) -> None:
    """Finding 11: `missing` once counted solutions of a category the recommendation had excluded."""
    evaluation, rec = _run(profile)
    assert set(evaluation.categories) == {c.id for c in rec.tool_categories}
    assert not set(evaluation.categories) & {e.id for e in rec.excluded}


def test_an_excluded_category_adds_nothing_to_missing() -> None:
    """Volunteer-run excludes HR management: its solutions must not make the budget a useful question."""
    evaluation, rec = _run({"employees": 0, "needs": ["hr_management"]})
    assert "hr_management" in {e.id for e in rec.excluded}
    from toolpicker.recommendation.missing import _catalog_impact

    assert _catalog_impact(evaluation, "digital_budget_eur", [0, 5000]) == 0
