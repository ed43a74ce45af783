"""From firings to the recommendation: scores, exclusions, dates, catalogue constraints, contract shape."""

from __future__ import annotations

import json

import pytest

import toolpicker
from toolpicker import InputError, load_knowledge_base
from toolpicker.knowledge.base import shipped_dir

from .conftest import AS_OF, write_rules

RULES = """
rules:
  - id: base
    title: "Base"
    source: "Guide — Petites structures"
    then:
      recommend:
        - {item: video_conferencing, weight: 2, because: "Se réunir à distance."}
        - {item: erp, weight: 2, because: "Un PGI."}
        - {item: loans, weight: 1, because: "Emprunter."}
        - {item: crm, weight: 1, because: "Suivre ses contacts."}
  - id: tiny
    title: "Très petite structure"
    source: "Guide — Petites structures"
    when: {field: employees, lte: 2}
    then:
      discourage:
        - {item: erp, weight: 3, because: "Trop lourd pour 2 personnes."}
      exclude:
        - {item: crm, because: "Pas de CRM à ce stade."}
  - id: keep-crm
    title: "CRM indispensable"
    source: "Guide — Le numérique du pilotage"
    priority: 5
    when: {field: needs, contains: contact_management}
    then:
      recommend:
        - {item: crm, weight: 1, because: "Des contacts à suivre."}
  - id: direct-skype
    title: "Équipe internationale"
    source: "Guide — La manière de mobiliser sa gouvernance"
    when: {field: international, equals: true}
    then:
      recommend:
        - {item: skype, weight: 5, because: "Le guide cite Skype pour une équipe sur deux continents."}
  - id: warn-twice-a
    title: "Avertissement A"
    source: "Guide — Points de vigilance"
    when: {field: siae, equals: true}
    then:
      warn:
        - {id: shared_warning, message: "Un seul message."}
  - id: warn-twice-b
    title: "Avertissement B"
    source: "Guide — Points de vigilance"
    when: {field: siae, equals: true}
    then:
      warn:
        - {id: shared_warning, message: "Un seul message."}
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> toolpicker.KnowledgeBase:
    folder = write_rules(tmp_path_factory.mktemp("rec"), RULES)
    return load_knowledge_base(folder, shipped_dir("catalog"))


def rec(kb: toolpicker.KnowledgeBase, profile: dict, as_of: str = AS_OF) -> toolpicker.Recommendation:
    return toolpicker.recommend(profile, as_of=as_of, knowledge_base=kb)


def ids(items: list) -> list[str]:
    return [i.id for i in items]


def test_discourage_subtracts_and_a_non_positive_score_drops_the_item(kb: toolpicker.KnowledgeBase) -> None:
    assert "erp" in ids(rec(kb, {"employees": 10}).tool_categories)
    assert "erp" not in ids(rec(kb, {"employees": 2}).tool_categories)


def test_exclusion_wins_unless_a_higher_priority_rule_recommends(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"employees": 2, "needs": []})
    assert "crm" not in ids(out.tool_categories)
    assert [e.reasons[0].rule for e in out.excluded if e.id == "crm"] == ["tiny"]
    kept = rec(kb, {"employees": 2, "needs": ["contact_management"]})
    crm = next(i for i in kept.tool_categories if i.id == "crm")
    assert crm.score == 1.5
    assert [r.rule for r in crm.reasons] == ["base", "keep-crm"]


def test_same_warning_from_two_rules_is_one_warning_with_two_reasons(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"siae": True})
    assert [(w.id, [r.rule for r in w.reasons]) for w in out.warnings] == [
        ("shared_warning", ["warn-twice-a", "warn-twice-b"])]


def test_ended_offers_are_never_recommended_after_their_end(kb: toolpicker.KnowledgeBase) -> None:
    before = rec(kb, {"employees": 10}, as_of="2023-06-01")
    after = rec(kb, {"employees": 10}, as_of=AS_OF)
    loans_before = next(r for r in before.funding_routes if r.id == "loans")
    loans_after = next(r for r in after.funding_routes if r.id == "loans")
    assert "francenum-pret" in [p.id for p in loans_before.providers]
    assert "francenum-pret" not in [p.id for p in loans_after.providers]
    assert "france-active" in [p.id for p in loans_after.providers]


def test_a_product_with_a_successor_is_only_kept_where_in_use_and_never_after_its_end(
        kb: toolpicker.KnowledgeBase) -> None:
    before = rec(kb, {"employees": 10, "international": True}, as_of="2025-05-05")
    assert "skype" not in ids(before.solutions)
    assert any(e.id == "skype" and "préférez" in e.reasons[0].because for e in before.excluded)
    in_use = rec(kb, {"employees": 10, "international": True, "current_tools": ["skype"]}, as_of="2025-05-05")
    assert "skype" in ids(in_use.solutions)
    after = rec(kb, {"employees": 10, "international": True, "current_tools": ["skype"]}, as_of="2025-05-06")
    assert "skype" not in ids(after.solutions)
    assert any(e.id == "skype" and "remplacé par" in e.reasons[0].because for e in after.excluded)


def test_size_fit_rules_out_oversized_solutions(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"employees": 10})
    assert "sap" not in ids(out.solutions)
    assert any(e.id == "sap" and e.reasons[0].rule == "catalog:size" for e in out.excluded)


def test_sensitive_data_never_goes_to_a_provider_outside_european_law(kb: toolpicker.KnowledgeBase) -> None:
    """Sensitive data: a vendor outside European law is ruled out unless its service is end-to-end encrypted."""
    out = rec(kb, {"employees": 10, "data_sensitivity": "sensitive"}, as_of="2024-01-01")
    reasons = {e.id: [r.because for r in e.reasons] for e in out.excluded if e.family == "solutions"}
    assert any("Données sensibles : l'éditeur est américain" in b for b in reasons["zoom"])
    for item in out.solutions:
        sol = kb.solutions[item.id]
        if item.way == "saas":
            assert kb.jurisdictions.protective(sol.jurisdiction) or sol.end_to_end, item.id


def test_no_budget_rules_out_paid_only_solutions(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"employees": 10, "digital_budget_eur": 0})
    for item in out.solutions:
        sol = kb.solutions[item.id]
        assert sol.free_tier or sol.price_tier == "free" or sol.discounts


def test_every_item_has_reasons_naming_a_rule(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"employees": 10, "needs": ["contact_management"]})
    for family in ("tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions"):
        for item in getattr(out, family):
            assert item.reasons
            assert all(r.rule and r.because and r.source for r in item.reasons)


def test_output_is_sorted_by_score_then_id(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"employees": 10})
    for family in ("tool_categories", "solutions"):
        keys = [(-i.score, i.id) for i in getattr(out, family)]
        assert keys == sorted(keys)


def test_json_matches_the_contract_key_for_key() -> None:
    data = toolpicker.recommend({"legal_form": "association", "employees": 3}, as_of=AS_OF).model_dump(mode="json")
    assert list(data)[:10] == ["toolpicker_version", "knowledge_base", "profile", "tool_categories",
                               "licensing_models", "accompaniments", "funding_routes", "solutions", "warnings",
                               "missing"]
    assert {"toolpicker_version", "knowledge_base", "profile", "tool_categories", "licensing_models",
            "accompaniments", "funding_routes", "solutions", "warnings", "missing"} <= set(data)
    assert {"version", "rules", "solutions", "as_of"} <= set(data["knowledge_base"])
    assert data["knowledge_base"]["as_of"] == AS_OF
    for item in data["tool_categories"] + data["solutions"]:
        assert {"id", "label", "score", "reasons"} <= set(item)
        for reason in item["reasons"]:
            assert {"rule", "because", "source"} <= set(reason)
    for item in data["solutions"]:
        assert {"category", "licence", "delivery"} <= set(item)
    for warning in data["warnings"]:
        assert {"id", "message", "reasons"} <= set(warning)
    for missing in data["missing"]:
        assert set(missing) == {"field", "question", "impact"}
    assert data["profile"]["siae"] is None


def test_missing_lists_only_fields_that_could_change_something(kb: toolpicker.KnowledgeBase) -> None:
    out = rec(kb, {"siae": False})
    fields = [m.field for m in out.missing]
    assert "employees" in fields and "needs" in fields
    assert "siae" not in fields
    assert "board_involved" not in fields  # no rule and no catalogue criterion looks at it
    assert [m.impact for m in out.missing] == sorted((m.impact for m in out.missing), reverse=True)


def test_same_input_gives_byte_identical_output(kb: toolpicker.KnowledgeBase) -> None:
    profile = {"employees": 4, "needs": ["website", "contact_management"], "data_sensitivity": "personal"}
    first = json.dumps(rec(kb, profile).model_dump(mode="json"), ensure_ascii=False)
    assert all(json.dumps(rec(kb, dict(reversed(profile.items()))).model_dump(mode="json"), ensure_ascii=False)
               == first for _ in range(3))


def test_bad_date_is_a_clear_error() -> None:
    with pytest.raises(InputError) as info:
        toolpicker.recommend({}, as_of="28/11/2026")
    assert str(info.value) == "date « 28/11/2026 » invalide ; format attendu AAAA-MM-JJ (par ex. 2026-01-31)."


def test_english_labels(kb: toolpicker.KnowledgeBase) -> None:
    out = toolpicker.recommend({"employees": 10}, as_of=AS_OF, knowledge_base=kb, lang="en")
    labels = {i.id: i.label for i in out.tool_categories}
    assert labels["video_conferencing"] == kb.taxonomy["video_conferencing"].label["en"]
    assert out.knowledge_base.language == "en"
