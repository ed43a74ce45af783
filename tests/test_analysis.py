"""Static analysis: one bad fixture per finding, each with file:line, rule, sentence and suggestion."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from toolpicker.audit.check import check_knowledge_base
from toolpicker.knowledge.base import shipped_dir

from .conftest import FIXTURES

ANALYSIS = FIXTURES / "analysis"
CATALOG_FIXTURES = FIXTURES / "analysis_catalog"
TODAY = dt.date(2026, 11, 28)

# fixture → (code, severity, line, rule, pieces of the sentence)
RULE_CASES = {
    "dead_rule.yaml": ("dead_rule", "error", 2, "impossible", ["ne peut jamais se déclencher",
                                                                "employees < 3 et > 10"]),
    "dead_fact_rule.yaml": ("dead_fact_rule", "error", 11, "needs-ghost", ["n'est dérivé que par des règles"]),
    "duplicate_rule.yaml": ("duplicate_rule", "error", 9, "second", ["répète la règle « first »", "Supprimez"]),
    "shadowed_rule.yaml": ("shadowed_rule", "warning", 10, "narrow", ["couverte par « broad »", "double comptage"]),
    "contradiction.yaml": ("contradiction", "warning", 8, "wants-on-premise", ["l'écarte", "priority"]),
    "unused_fact.yaml": ("unused_fact", "warning", 2, "derives-unused", ["« lonely_fact »"]),
    "warning_two_messages.yaml": ("warning_two_messages", "warning", 15, "warn-two", ["« same_warning »"]),
    "never_recommended.yaml": ("never_recommended", "warning", None, None, ["n'est recommandé par aucune règle"]),
}

CATALOG_CASES = {
    "stale_entry": ("stale_entry", "warning", "solutions/extra.yaml", 2, ["plus de 12 mois", "last_verified"]),
    "empty_category": ("empty_category", "error", "taxonomy.yaml", None, ["« skills_assessment » n'a aucune"]),
    "provider_dates": ("provider_dates", "warning", "funding_routes.yaml", 20, ["« early-bank »", "« loans »"]),
}


def test_every_analysis_fixture_is_in_a_table() -> None:
    assert sorted(p.name for p in ANALYSIS.iterdir()) == sorted(RULE_CASES)
    assert sorted(p.name for p in CATALOG_FIXTURES.iterdir()) == sorted(CATALOG_CASES)


def _rules(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    shutil.copy(ANALYSIS / name, folder / name)
    return folder


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_rule_finding(tmp_path: Path, name: str) -> None:
    code, severity, line, rule, pieces = RULE_CASES[name]
    folder = _rules(tmp_path, name)
    report = check_knowledge_base(folder, shipped_dir("catalog"), today=TODAY)
    found = [p for p in report.problems if p.code == code]
    assert found, [str(p) for p in report.problems]
    problem = found[0]
    assert problem.severity == severity
    if line is not None:
        assert (problem.path, problem.line, problem.rule) == (str(folder / name), line, rule)
    text = str(problem)
    for piece in pieces:
        assert piece in text


@pytest.mark.parametrize("case", sorted(CATALOG_CASES))
def test_catalog_finding(tmp_path: Path, case: str) -> None:
    code, severity, relative, line, pieces = CATALOG_CASES[case]
    catalog = tmp_path / "catalog"
    shutil.copytree(shipped_dir("catalog"), catalog)
    shutil.copytree(CATALOG_FIXTURES / case, catalog, dirs_exist_ok=True)
    report = check_knowledge_base(_rules(tmp_path, "never_recommended.yaml"), catalog, today=TODAY)
    found = [p for p in report.problems if p.code == code and p.path == str(catalog / relative)]
    assert found, [str(p) for p in report.problems]
    assert found[0].severity == severity
    if line is not None:
        assert found[0].line == line
    for piece in pieces:
        assert piece in " ".join(str(p) for p in found)


def test_shipped_knowledge_base_has_no_static_errors() -> None:
    report = check_knowledge_base(today=TODAY)
    assert [str(p) for p in report.problems if p.severity == "error"] == []


def test_three_valued_implication_does_not_confuse_unknown_with_false(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "r.yaml").write_text("""
rules:
  - id: unknown-maturity
    title: "Maturité inconnue"
    source: "Guide"
    when: {field: maturity, known: false}
    then:
      recommend: [{item: digital_diagnostic, weight: 2, because: "Diagnostic."}]
  - id: beginner
    title: "Débutante"
    source: "Guide"
    when: {field: maturity, equals: beginner}
    then:
      recommend: [{item: digital_diagnostic, weight: 2, because: "Diagnostic."}]
""", encoding="utf-8")
    report = check_knowledge_base(folder, shipped_dir("catalog"), today=TODAY)
    assert not [p for p in report.problems if p.code == "shadowed_rule"]
