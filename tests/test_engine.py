"""The durable-rules engine: forward chaining, three-valued conditions, sessions, errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import toolpicker
from toolpicker import EngineError, load_knowledge_base
from toolpicker.engine.durable import Engine
from toolpicker.engine.logic import fired_rules
from toolpicker.knowledge.base import shipped_dir

from .conftest import write_rules

RULES = """
rules:
  - id: small
    title: "Petite structure"
    source: "Guide — Petites structures"
    when:
      all:
        - {field: employees, gte: 1}
        - {field: employees, lte: 2}
    then:
      derive: [small_structure]
      recommend:
        - {item: digital_diagnostic, weight: 3, because: "Diagnostic d'abord."}
  - id: small-no-strategy
    title: "Petite structure sans stratégie"
    source: "Guide — Petites structures"
    when:
      all:
        - {fact: small_structure}
        - not: {field: strategy, equals: formalized}
    then:
      derive: [needs_strategy]
      recommend:
        - {item: digital_strategy, weight: 2, because: "Une stratégie."}
  - id: third-level
    title: "Troisième niveau de chaînage"
    source: "Guide — Petites structures"
    when: {fact: needs_strategy}
    then:
      recommend:
        - {item: awareness, weight: 1, because: "Sensibiliser."}
  - id: no-website-need
    title: "Pas de besoin de site"
    source: "Guide — La manière de communiquer"
    when: {field: needs, not_contains: website}
    then:
      recommend:
        - {item: newsletter, weight: 1, because: "Une lettre suffit."}
  - id: sectors
    title: "Secteurs"
    source: "Guide — État des lieux"
    when: {field: sector, in: [culture, health]}
    then:
      recommend:
        - {item: website, weight: 1, because: "Site."}
  - id: budget-unknown
    title: "Budget inconnu"
    source: "Guide — Trouver des financements"
    when: {field: digital_budget_eur, known: false}
    then:
      warn:
        - {id: ask_budget, message: "Demander le budget."}
  - id: siae
    title: "SIAE"
    source: "Guide — SIAE"
    when: {field: siae, equals: true}
    then:
      recommend:
        - {item: insertion_digital_skills, weight: 3, because: "Compétences de base."}
"""


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> toolpicker.KnowledgeBase:
    folder = write_rules(tmp_path_factory.mktemp("kb"), RULES)
    return load_knowledge_base(folder, shipped_dir("catalog"))


def fired(kb: toolpicker.KnowledgeBase, known: dict) -> list[str]:
    from toolpicker.recommendation.evaluation import engine_for

    return [f.rule for f in engine_for(kb).run(known)]


def test_forward_chaining_over_three_levels(small_kb: toolpicker.KnowledgeBase) -> None:
    assert fired(small_kb, {"employees": 2, "strategy": "none", "digital_budget_eur": 0}) == [
        "small", "small-no-strategy", "third-level"]


def test_unknown_field_never_fires_a_negated_condition(small_kb: toolpicker.KnowledgeBase) -> None:
    # strategy unknown: "not strategy == formalized" is unknown, so the chained rule waits.
    assert fired(small_kb, {"employees": 2, "digital_budget_eur": 0}) == ["small"]


def test_no_rule_fired_is_a_normal_outcome(small_kb: toolpicker.KnowledgeBase) -> None:
    assert fired(small_kb, {"employees": 50, "digital_budget_eur": 10}) == []


def test_not_contains_holds_on_an_empty_list_but_not_on_an_unknown_one(small_kb: toolpicker.KnowledgeBase) -> None:
    assert "no-website-need" in fired(small_kb, {"needs": [], "digital_budget_eur": 1})
    assert "no-website-need" not in fired(small_kb, {"digital_budget_eur": 1})
    assert "no-website-need" not in fired(small_kb, {"needs": ["website"], "digital_budget_eur": 1})


def test_in_and_known_and_booleans(small_kb: toolpicker.KnowledgeBase) -> None:
    assert fired(small_kb, {"sector": "health", "siae": True}) == ["budget-unknown", "sectors", "siae"]
    assert fired(small_kb, {"sector": "sport", "siae": False, "digital_budget_eur": 5}) == []


def test_firings_carry_the_facts_they_matched(small_kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.recommendation.evaluation import engine_for

    firings = engine_for(small_kb).run({"employees": 1, "strategy": "none", "sector": "sport"})
    by_rule = {f.rule: f for f in firings}
    assert by_rule["small"].facts == {"employees": 1}
    assert by_rule["small-no-strategy"].facts == {"strategy": "none"}
    assert by_rule["small-no-strategy"].derived == ("small_structure",)


def test_sessions_are_always_deleted_far_beyond_the_1024_ceiling(small_kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.engine import durable
    from toolpicker.recommendation.evaluation import engine_for

    engine = engine_for(small_kb)
    group = engine.plan.groups[0]
    kept = {"t": durable.PROFILE, "sid": "kept-on-purpose", "employees": 1}
    durable._host().assert_fact(group.name, kept)  # the control: a session nobody deletes can be read back
    assert durable._host().get_state(group.name, "kept-on-purpose")
    first = next(durable._SIDS) + 1
    for i in range(2100):  # durable-rules refuses new sessions past 1,024 live ones: every run must delete its own
        engine.run_unremembered({"employees": i % 4, "strategy": "none"})
    last = next(durable._SIDS)
    for sid in (first, first + 1, (first + last) // 2, last - 1):
        for g in engine.plan.groups:
            with pytest.raises(Exception, match="309"):  # "Could not get state": the session is gone
                durable._host().get_state(g.name, str(sid))
    durable._host().delete_state(group.name, "kept-on-purpose")


def test_the_group_memory_gives_what_durable_rules_gives(small_kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.recommendation.evaluation import engine_for

    engine = engine_for(small_kb)
    for i in range(200):
        known = {"employees": i % 7, "strategy": ("none", "partial")[i % 2], "sector": ("sport", "culture")[i % 3 % 2]}
        assert engine.run(known) == engine.run_unremembered(known)


def test_an_exception_inside_an_action_is_surfaced(small_kb: toolpicker.KnowledgeBase,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from toolpicker.engine import durable as engine

    class Exploding(list):
        def append(self, item: object) -> None:
            raise RuntimeError("boom")

    class BrokenEvaluation(engine._Evaluation):
        def __init__(self) -> None:
            super().__init__()
            self.fired = Exploding()

    monkeypatch.setattr(engine, "_Evaluation", BrokenEvaluation)
    from toolpicker.recommendation.evaluation import engine_for

    engine_for(small_kb).forget()  # durable-rules must run: nothing answered from memory
    with pytest.raises(EngineError) as info:
        fired(small_kb, {"employees": 2, "digital_budget_eur": 0})
    assert "La règle « small » a échoué pendant l'évaluation : RuntimeError: boom" in str(info.value)
    monkeypatch.undo()
    assert fired(small_kb, {"employees": 60, "digital_budget_eur": 1}) == []  # the engine still serves


def test_same_rules_reuse_the_registered_ruleset_and_changed_rules_get_a_new_one(tmp_path: Path,
                                                                                small_kb: toolpicker.KnowledgeBase,
                                                                                ) -> None:
    again = Engine(small_kb.rules)
    assert again.name == Engine(small_kb.rules).name
    changed = load_knowledge_base(write_rules(tmp_path, RULES.replace("lte: 2", "lte: 3")), shipped_dir("catalog"))
    assert Engine(changed.rules).name != again.name
    assert "small" in [f.rule for f in Engine(changed.rules).run({"employees": 3})]


def test_python_evaluator_agrees_with_durable_rules_on_the_fixture(small_kb: toolpicker.KnowledgeBase) -> None:
    for known in ({"employees": 2, "strategy": "none"}, {"needs": []}, {"sector": "culture", "siae": True}, {}):
        assert fired(small_kb, known) == fired_rules(small_kb.rules, known)


def test_concurrent_evaluations_match_serial_ones(kb: toolpicker.KnowledgeBase) -> None:
    profiles = [{"employees": i % 40, "siae": i % 3 == 0, "needs": ["website"] if i % 2 else []} for i in range(64)]
    serial = [toolpicker.recommend(p, as_of="2026-11-28", knowledge_base=kb).model_dump_json() for p in profiles]
    results: list[str | None] = [None] * len(profiles)

    def work(start: int) -> None:
        for i in range(start, len(profiles), 8):
            results[i] = toolpicker.recommend(profiles[i], as_of="2026-11-28", knowledge_base=kb).model_dump_json()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == serial


def test_a_profile_no_rule_matches_in_a_fresh_process_does_not_crash(tmp_path: Path) -> None:
    # Regression: durable-rules aborted the process ("free(): invalid pointer") when a session whose
    # only fact matched no rule was deleted. A catch-all rule now handles every profile fact.
    import subprocess
    import sys

    folder = write_rules(tmp_path, """
rules:
  - id: only-siae
    title: "SIAE seulement"
    source: "Guide"
    when: {field: siae, equals: true}
    then:
      recommend: [{item: crm, weight: 1, because: "CRM."}]
""")
    code = (f"import toolpicker; from toolpicker.knowledge.base import shipped_dir; "
            f"kb = toolpicker.load_knowledge_base({str(folder)!r}, shipped_dir('catalog')); "
            f"[toolpicker.recommend({{'employees': i}}, as_of='2026-11-28', knowledge_base=kb, reuse=False) "
            f"for i in range(3)]; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr
