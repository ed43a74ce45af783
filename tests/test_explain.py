"""Why and why-not: rules, conditions with actual values, and a verified smallest change."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import toolpicker
from toolpicker import InputError, load_knowledge_base
from toolpicker.audit.explain import explain, near_misses
from toolpicker.interfaces.cli import main
from toolpicker.knowledge.base import shipped_dir

from .conftest import AS_OF, EXAMPLES, write_rules

RULES = """
rules:
  - id: erp-from-20
    title: "ERP à partir de 20 salarié·es"
    source: "Guide — Le numérique du pilotage"
    when:
      all:
        - {field: employees, gte: 20}
        - {field: needs, contains: integrated_management}
    then:
      recommend:
        - {item: erp, weight: 2, because: "Relier les briques de gestion."}
  - id: crm-contacts
    title: "CRM"
    source: "Guide — Le numérique du pilotage"
    when: {field: needs, contains: contact_management}
    then:
      recommend:
        - {item: crm, weight: 2, because: "Suivre les contacts."}
  - id: no-crm-volunteer-run
    title: "Pas de CRM sans salarié·e"
    source: "Guide — Petites structures"
    when: {field: employees, equals: 0}
    then:
      exclude:
        - {item: crm, because: "Sans salarié·e, un tableur partagé suffit."}
"""


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> toolpicker.KnowledgeBase:
    return load_knowledge_base(write_rules(tmp_path_factory.mktemp("x"), RULES), shipped_dir("catalog"))


def one(kb: toolpicker.KnowledgeBase, profile: dict, item: str):  # type: ignore[no-untyped-def]
    return explain(profile, item=item, as_of=AS_OF, knowledge_base=kb).items[0]


def test_why_lists_the_rule_its_conditions_and_the_actual_values(small_kb: toolpicker.KnowledgeBase) -> None:
    item = one(small_kb, {"employees": 25, "needs": ["integrated_management"]}, "erp")
    assert item.status == "recommended"
    (trace,) = item.why
    assert (trace.rule, trace.fired, trace.source) == ("erp-from-20", True, "Guide — Le numérique du pilotage")
    assert [(c.text, c.actual, c.result) for c in trace.conditions] == [
        ("Salarié·es ≥ 20", 25, "true"),
        ("Besoins exprimés contient Gestion intégrée (ERP)", ["integrated_management"], "true"),
    ]


def test_why_not_gives_the_smallest_change_verified_by_the_engine(small_kb: toolpicker.KnowledgeBase) -> None:
    item = one(small_kb, {"employees": 12, "needs": ["integrated_management"]}, "erp")
    assert item.status == "not_recommended"
    assert item.summary == ("Progiciel de gestion intégrée (ERP/PGI) serait recommandé si Salarié·es ≥ 20 — "
                            "actuellement 12.")
    assert item.counterfactual is not None and item.counterfactual.changes[0].value == 20
    assert [c.result for c in item.why_not[0].conditions] == ["false", "true"]


def test_why_not_names_the_unknown_answers_that_would_decide(small_kb: toolpicker.KnowledgeBase) -> None:
    item = one(small_kb, {"employees": 30}, "erp")
    assert item.deciding_unknowns == ["needs"]
    assert item.summary.endswith("Besoins exprimés contient Gestion intégrée (ERP) — actuellement non renseigné.")


def test_excluded_item_shows_the_exclusion_and_how_to_lift_it(small_kb: toolpicker.KnowledgeBase) -> None:
    item = one(small_kb, {"employees": 0, "needs": ["contact_management"]}, "crm")
    assert item.status == "excluded"
    assert item.excluded_because == ["Sans salarié·e, un tableur partagé suffit."]
    assert item.counterfactual is not None
    assert item.counterfactual.changes[0].field == "employees"


def test_unknown_item_gets_a_suggestion(small_kb: toolpicker.KnowledgeBase) -> None:
    with pytest.raises(InputError) as info:
        explain({}, item="ерп", knowledge_base=small_kb)
    with pytest.raises(InputError) as info:
        explain({}, item="crn", knowledge_base=small_kb)
    assert str(info.value) == "élément « crn » inconnu. Vouliez-vous dire « crm » ?"


def test_near_misses_are_items_one_answer_away(small_kb: toolpicker.KnowledgeBase) -> None:
    misses = near_misses({"employees": 25}, as_of=AS_OF, knowledge_base=small_kb)
    assert {m.id for m in misses} == {"erp", "crm"}
    assert all(m.counterfactual for m in misses)


def test_cli_explain_text_and_json() -> None:
    runner = CliRunner()
    example = str(EXAMPLES / "siae-chantier-insertion.yaml")
    result = runner.invoke(main, ["explain", example, "--item", "erp", "--as-of", AS_OF])
    assert result.exit_code == 0
    assert result.output.startswith("EXPLICATION (au 2026-11-28)")
    assert "[erp]" in result.output
    result = runner.invoke(main, ["explain", example, "--format", "json", "--as-of", AS_OF])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {i["status"] for i in data["items"]} <= {"recommended", "excluded", "not_recommended"}
    result = runner.invoke(main, ["explain", example, "--item", "nope"])
    assert result.exit_code == 2
    assert result.output.startswith("Erreur : élément « nope » inconnu.")
