"""durable-rules' hard limits can no longer be reached: generated knowledge bases far beyond them.

durable-rules 2.0.28 aborts the process (``free(): invalid size``, exit 134)
when more than 64 alpha nodes of one ruleset match one fact, hangs when a
ruleset has ~500 distinct tests, and fails with error 107/108 on large rule
sets (docs/durable-rules-limits.md). The engine lays the rules out over many
small rulesets (``toolpicker._plan``); every case below ran into one of those
limits before. Each runs in a fresh interpreter, so an abort fails the test
instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolpicker
from toolpicker.engine.plan import GROUP_NODES, MATCH_LIMIT, make_plan
from toolpicker.knowledge.base import shipped_dir
from toolpicker.knowledge.profile import LIST_FIELDS

from .conftest import AS_OF, write_rules

RUNNER = "import sys; from toolpicker.interfaces.cli import main; main(sys.argv[1:], prog_name='toolpicker')"
CATEGORIES = ["file_storage", "collaborative_editing", "instant_messaging", "video_conferencing", "crm", "website"]


def rule(rid: str, when: str, then: str) -> str:
    return f"  - id: {rid}\n    title: \"{rid}\"\n    source: \"Guide\"\n    when: {when}\n    then:\n{then}"


def recommend_item(item: str, weight: int = 1) -> str:
    return f"      recommend:\n        - {{item: {item}, weight: {weight}, because: \"B\"}}\n"


def run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TOOLPICKER_LANG"}
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def recommend_json(tmp_path: Path, rules_text: str, profile: str) -> dict:
    folder = write_rules(tmp_path, "rules:\n" + rules_text)
    (tmp_path / "p.yaml").write_text(profile, encoding="utf-8")
    checked = run(["check", "--rules", str(folder)], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "aucun profil ne peut atteindre ses limites" in checked.stdout
    done = run(["recommend", "p.yaml", "--rules", str(folder), "--format", "json", "--as-of", AS_OF], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("count", [65, 100, 400])
def test_hundreds_of_rules_all_matching_one_profile(tmp_path: Path, count: int) -> None:
    """`volunteers >= i` for i = 1…count and `volunteers: count`: every rule fires, the process survives."""
    text = "".join(rule(f"r{i}", f"{{field: volunteers, gte: {i}}}", recommend_item(CATEGORIES[i % 6]))
                   for i in range(1, count + 1))
    out = recommend_json(tmp_path, text, f"volunteers: {count}\n")
    fired = {c["id"]: len(c["reasons"]) for c in out["tool_categories"]}  # one reason per rule that fired
    assert fired == {c: sum(1 for i in range(1, count + 1) if i % 6 == k) for k, c in enumerate(CATEGORIES)}


def test_three_hundred_rules_in_positive_and_negated_pairs(tmp_path: Path) -> None:
    """Once "Could not create ruleset, error code: 107": now 150 fire, 150 do not."""
    text = "".join(rule(f"p{i}", f"{{field: employees, gte: {i}}}", recommend_item("crm"))
                   + rule(f"n{i}", f"{{not: {{field: employees, gte: {i}}}}}", recommend_item("website"))
                   for i in range(1, 151))
    out = recommend_json(tmp_path, text, "employees: 70\n")
    assert {c["id"]: len(c["reasons"]) for c in out["tool_categories"]} == {"crm": 70, "website": 80}


def test_one_rule_with_eighty_true_alternatives(tmp_path: Path) -> None:
    """An `any` of 80 conditions, all true: 80 alpha nodes would match in one ruleset; it is spread over several."""
    alternatives = ", ".join(f"{{field: volunteers, gte: {i}}}" for i in range(80))
    out = recommend_json(tmp_path, rule("wide", f"{{any: [{alternatives}]}}", recommend_item("crm", 2)),
                         "volunteers: 500\n")
    assert [(c["id"], c["score"]) for c in out["tool_categories"]] == [("crm", 2)]


def test_six_hundred_distinct_tests_do_not_hang(tmp_path: Path) -> None:
    """600 rules testing 600 distinct tool names (one ruleset hung past ~500 distinct tests)."""
    text = "".join(rule(f"tool-{i}", f"{{field: current_tools, contains: outil{i}}}", recommend_item("crm"))
                   for i in range(600))
    out = recommend_json(tmp_path, text, "current_tools: [outil5, outil599]\n")
    assert [r["rule"] for r in out["tool_categories"][0]["reasons"]] == ["tool-5", "tool-599"]


def test_a_chain_of_forty_derived_facts(tmp_path: Path) -> None:
    """Forward chaining across forty strata: each fact is derived before the rule that reads it runs."""
    text = rule("f0", "{field: employees, gte: 1}", "      derive: [fact0]\n")
    text += "".join(rule(f"f{i}", f"{{fact: fact{i - 1}}}", f"      derive: [fact{i}]\n") for i in range(1, 40))
    text += rule("end", "{fact: fact39}", recommend_item("crm", 5))
    out = recommend_json(tmp_path, text, "employees: 3\n")
    assert out["tool_categories"][0]["id"] == "crm"


def test_a_cycle_of_derived_facts_is_refused_with_its_rules(tmp_path: Path) -> None:
    folder = write_rules(tmp_path, "rules:\n" + rule("a", "{fact: y}", "      derive: [x]\n")
                         + rule("b", "{fact: x}", "      derive: [y]\n"))
    checked = run(["check", "--rules", str(folder)], tmp_path)
    assert checked.returncode == 1
    assert f"{folder / 'rules.yaml'}:2: faits dérivés en boucle : a → b → a" in checked.stdout + checked.stderr


def test_a_condition_multiplying_into_a_thousand_alternatives_is_refused(tmp_path: Path) -> None:
    anys = ", ".join("{any: [" + ", ".join(f"{{field: volunteers, gte: {j * 10 + i}}}" for i in range(10)) + "]}"
                     for j in range(3))
    folder = write_rules(tmp_path, "rules:\n" + rule("wide", f"{{all: [{anys}]}}", recommend_item("crm")))
    checked = run(["check", "--rules", str(folder)], tmp_path)
    assert checked.returncode == 1
    assert "se développe en 1000 alternatives (au plus 256)" in checked.stdout + checked.stderr


SWAPPED = """
rules:
  - id: one
    title: "Un"
    source: "Guide"
    when: {{field: employees, gte: 1}}
    then:
      derive: [{first}]
  - id: two
    title: "Deux"
    source: "Guide"
    when: {{field: employees, gte: 2}}
    then:
      derive: [{second}]
  - id: reads-a
    title: "Lit a"
    source: "Guide"
    when: {{fact: a}}
    then:
      recommend: [{{item: crm, weight: 1, because: "a"}}]
  - id: reads-b
    title: "Lit b"
    source: "Guide"
    when: {{fact: b}}
    then:
      recommend: [{{item: website, weight: 1, because: "b"}}]
"""


@pytest.mark.parametrize("reuse", [True, False])
def test_two_bases_differing_only_in_what_they_derive_never_share_a_ruleset(tmp_path: Path, reuse: bool) -> None:
    """Same conditions, swapped `derive`: loaded one after the other in one process, each gives its own answer."""
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    first = toolpicker.load_knowledge_base(write_rules(tmp_path / "1", SWAPPED.format(first="a", second="b")),
                                           shipped_dir("catalog"))
    second = toolpicker.load_knowledge_base(write_rules(tmp_path / "2", SWAPPED.format(first="b", second="a")),
                                            shipped_dir("catalog"))
    profile = {"employees": 1}
    assert [c.id for c in toolpicker.recommend(profile, knowledge_base=first, reuse=reuse).tool_categories] == ["crm"]
    assert [c.id for c in toolpicker.recommend(profile, knowledge_base=second, reuse=reuse).tool_categories] == [
        "website"]


def test_the_shipped_base_stays_within_the_bounds(kb: toolpicker.KnowledgeBase) -> None:
    plan = make_plan(kb.rules, LIST_FIELDS)
    assert plan.max_nodes <= GROUP_NODES < MATCH_LIMIT
    assert {t.rule for g in plan.groups for t in g.terms} == {r.id for r in kb.rules if r.when is not None} | {
        r.id for r in kb.rules if r.when is None}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 47)), min_size=1, max_size=120))
def test_every_layout_respects_the_node_bound(shape: list[tuple[int, int]]) -> None:
    """Whatever the rules (alternatives × tests), no group exceeds the bound and every term is placed once."""
    from toolpicker.knowledge.rules import All, AnyOf, Atom, Rule

    rules = []
    for i, (alternatives, width) in enumerate(shape):
        terms = tuple(All(items=tuple(Atom(field="volunteers", op="gte", value=k * 100 + j) for j in range(width)))
                      for k in range(alternatives))
        rules.append(Rule(id=f"r{i}", title={"fr": "t"}, source="s", when=AnyOf(items=terms), path="p", line=1))
    plan = make_plan(rules, LIST_FIELDS)
    assert all(g.nodes <= GROUP_NODES for g in plan.groups)
    placed = [(t.rule, t.tests) for g in plan.groups for t in g.terms]
    assert len(placed) == len(set(placed)) == sum(a for a, _ in shape)
    assert {r for r, _ in placed} == {r.id for r in rules}
