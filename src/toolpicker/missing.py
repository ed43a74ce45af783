"""Which unanswered questions could change the recommendation, most influential first.

How ``missing`` is computed (documented in the README):

1. The Python evaluator (:mod:`toolpicker.evaluate`) gives every rule a
   three-valued truth on the profile: fires, certainly not, or undecided.
   Answering a question only adds information, so a rule that fires keeps
   firing and a rule that certainly does not never will: only undecided rules
   can change.
2. For each unanswered field, toolpicker tries every answer that matters —
   each allowed value of an enum or a boolean, each threshold a rule compares
   the field with (and its neighbours), each list value a rule looks for — and
   counts the rules whose firing would change (forward chaining included).
   The field's *rule impact* is the largest such count over its answers.
3. Fields that constrain the catalogue (budget, data sensitivity, hosting
   preference, connectivity, maturity, headcount) also count the proposed
   solutions that at least one answer would add or remove.
4. ``impact`` is the sum of both; fields with impact 0 are not listed (no answer
   to them can change the result). The list is sorted by impact, then by the
   field's order in the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ._i18n import pick
from .evaluate import fire
from .kb import KnowledgeBase
from .matching import CATALOG_FIELDS, match_solutions
from .profile import QUESTION_FIELDS, Profile, allowed_values, field_bounds, field_kind
from .rules import atoms


def candidate_answers(kb: KnowledgeBase, name: str) -> list[Any]:
    """The answers to try for a field: every value that some condition can tell apart."""
    kind = field_kind(name)
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(allowed_values(name))
    related = [a for r in kb.rules for a in atoms(r.when) if a.field == name]
    if kind == "int":
        lo, hi = field_bounds(name)
        points = {lo if lo is not None else 0}
        for a in related:
            if isinstance(a.value, int) and not isinstance(a.value, bool):
                points |= {a.value - 1, a.value, a.value + 1}
        if name in ("employees", "digital_budget_eur"):
            points |= _catalog_thresholds(kb, name)
        return sorted(p for p in points if (lo is None or p >= lo) and (hi is None or p <= hi))
    tokens: set[str] = set()
    for a in related:
        if a.op != "known":
            tokens |= set(a.value) if isinstance(a.value, tuple) else {a.value}
    if kind == "list_enum" and not tokens:
        tokens = set()
    answers: list[Any] = [[]] + [[tok] for tok in sorted(tokens)]
    if len(tokens) > 1:
        answers.append(sorted(tokens))
    return answers


def _catalog_thresholds(kb: KnowledgeBase, name: str) -> set[int]:
    if name == "employees":
        bounds = {s.min_employees for s in kb.solutions.values()} | {s.max_employees for s in kb.solutions.values()}
        return {b + d for b in bounds if b is not None for d in (-1, 0, 1) if b + d >= 0}
    return {0, 499, 500, 3000, 3001}


def _solution_set(kb: KnowledgeBase, categories: Mapping[str, tuple[float, str]], known: Mapping[str, Any],
                  licensing: set[str], as_of: dt.date) -> set[str]:
    kept, _ = match_solutions(kb, categories, known, licensing, as_of)
    return {s.solution.id for s in kept}


def _categories(kb: KnowledgeBase, fired: Iterable[str]) -> tuple[dict[str, tuple[float, str]], set[str]]:
    """Categories with a positive score and licensing models, from a set of fired rules (same sums as aggregate)."""
    scores: dict[str, float] = {}
    for rid in fired:
        rule = kb.rule_index[rid]
        for e in rule.recommend:
            scores[e.item] = scores.get(e.item, 0.0) + e.weight
        for e in rule.discourage:
            scores[e.item] = scores.get(e.item, 0.0) - e.weight
    categories = {i: (s, "") for i, s in scores.items() if s > 0 and kb.family_of(i) == "tool_categories"}
    licensing = {i for i, s in scores.items() if s > 0 and kb.family_of(i) == "licensing_models"}
    return categories, licensing


def missing_fields(kb: KnowledgeBase, profile: Profile, as_of: dt.date) -> list[dict[str, Any]]:
    """``[{field, question, impact}]`` for the unanswered fields that could change the result."""
    known = profile.known()
    base = fire(kb.rules, known)
    undecided = [r for r in kb.rules if base[r.id] is None]
    fired = {rid for rid, v in base.items() if v is True}
    undecided_fields = {a.field for r in undecided for a in atoms(r.when)}
    categories, licensing = _categories(kb, fired)
    base_solutions: set[str] | None = None
    result = []
    for name in QUESTION_FIELDS:
        if name in known:
            continue
        rule_impact = 0
        catalog_impact = 0
        check_catalog = name in CATALOG_FIELDS and bool(categories)
        if name not in undecided_fields and not check_catalog:
            continue
        changed_solutions: set[str] = set()
        for answer in candidate_answers(kb, name):
            trial = {**known, name: answer}
            if name in undecided_fields:
                after = fire(kb.rules, trial)
                newly = {rid for rid, v in after.items() if v is True} - fired
                rule_impact = max(rule_impact, len(newly))
            if check_catalog:
                if base_solutions is None:
                    base_solutions = _solution_set(kb, categories, known, licensing, as_of)
                changed_solutions |= _solution_set(kb, categories, trial, licensing, as_of) ^ base_solutions
        catalog_impact = len(changed_solutions)
        impact = rule_impact + catalog_impact
        if impact > 0:
            question = kb.questions.get(name)
            result.append({"field": name, "question": pick(question.question) if question else name,
                           "impact": impact})
    order = {name: i for i, name in enumerate(QUESTION_FIELDS)}
    result.sort(key=lambda m: (-m["impact"], order[m["field"]]))
    return result
