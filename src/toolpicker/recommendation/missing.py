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
   preference, connectivity, maturity, headcount) also count the candidate
   solutions (those of the recommended categories) that at least one answer
   would rule out or re-score.
4. ``impact`` is the sum of both; fields with impact 0 are not listed (no answer
   to them can change the result). The list is sorted by impact, then by the
   field's order in the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._i18n import pick
from ..engine.logic import compiled_for, eval_condition
from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import ELIGIBILITY_FIELDS
from ..knowledge.operators import OPERATORS
from ..knowledge.profile import QUESTION_FIELDS, allowed_values, field_bounds, field_kind
from ..knowledge.rules import atoms, facts_used
from .matching import CATALOG_FIELDS, JUDGED, Context, candidates, judge, telling_answers, verdict_key, with_answer

if TYPE_CHECKING:
    from .evaluation import Evaluation


def _reads(kb: KnowledgeBase, pool: list[Any]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The fields and the derived facts the conditions of these rules read."""
    table: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = kb.cached("missing.reads", dict)
    ids = tuple(r.id for r in pool)
    found = table.get(ids)
    if found is None:
        fields = tuple(sorted({a.field for r in pool for a in atoms(r.when)}))
        wanted = frozenset(f.name for r in pool for f in facts_used(r.when))
        found = table[ids] = (fields, wanted)
    return found


def candidate_answers(kb: KnowledgeBase, name: str, catalogue: bool = True) -> list[Any]:
    """The answers to try for a field: every value that some condition can tell apart (and, with
    ``catalogue``, every headcount or budget that a solution's size range or price tells apart)."""
    kind = field_kind(name)
    if kind == "bool":
        return [True, False]
    if kind == "enum":
        return list(allowed_values(name))
    told_apart: set[Any] = set()  # what each operator testing the field tells apart (the operator table)
    for a in (a for r in kb.rules for a in atoms(r.when) if a.field == name):
        told_apart |= OPERATORS[a.op].answers(a.value)
    if kind == "int":
        lo, hi = field_bounds(name)
        points = {lo if lo is not None else 0} | told_apart
        if catalogue and name in ("employees", "digital_budget_eur"):
            points |= _catalog_thresholds(kb, name)
        return sorted(p for p in points if (lo is None or p >= lo) and (hi is None or p <= hi))
    tokens: set[str] = {str(v) for v in told_apart}
    answers: list[Any] = [[]] + [[tok] for tok in sorted(tokens)]
    if len(tokens) > 1:
        answers.append(sorted(tokens))
    return answers


def _catalog_thresholds(kb: KnowledgeBase, name: str) -> set[int]:
    if name == "employees":
        bounds = {s.min_employees for s in kb.solutions.values()} | {s.max_employees for s in kb.solutions.values()}
        return {b + d for b in bounds if b is not None for d in (-1, 0, 1) if b + d >= 0}
    return {0, 499, 500, 3000, 3001}


def _catalog_impact(evaluation: Evaluation, name: str, answers: list[Any]) -> int:
    """How many candidate solutions some answer to ``name`` would rule out or re-score.

    Whether an answer can change a solution's verdict depends only on what the criteria read of the profile
    (:func:`~toolpicker.recommendation.matching.verdict_key`) and on the field: it is worked out once per
    such class of profiles and remembered.
    """
    kb, ctx = evaluation.kb, evaluation.context
    categories = evaluation.categories
    trials: dict[tuple[Any, ...] | None, list[Context]] = {}
    memo: dict[tuple[Any, ...], bool] = kb.cached("missing.changes", dict)
    count = 0
    for sol in candidates(kb, categories, evaluation.as_of):
        for category in (c for c in sol.categories if c in categories):
            key = (verdict_key(kb, sol, category, ctx), name)
            changes = memo.get(key)
            if changes is None:
                telling = telling_answers(sol, name)  # a headcount only matters against this size range…
                if telling not in trials:
                    trials[telling] = [with_answer(ctx, name, a) for a in (answers if telling is None else telling)]
                before = _outcome(judge(kb, sol, category, ctx))
                changes = any(_outcome(judge(kb, sol, category, trial)) != before for trial in trials[telling])
                if len(memo) >= JUDGED:
                    memo.clear()
                memo[key] = changes
            if changes:
                count += 1
                break
    return count


def _outcome(verdict: tuple[str | None, tuple[Any, ...]]) -> tuple[bool, float]:
    """Whether a verdict excludes the solution, and the weight it adds (the category's part is the same)."""
    adjusts = verdict[1]
    return any(a.weight is None for a in adjusts), round(sum(a.weight or 0 for a in adjusts), 4)


def _route_impact(evaluation: Evaluation, name: str, answers: list[Any]) -> int:
    """How many recommended funding routes some answer to ``name`` would rule out or change the providers of."""
    from .evaluation import route_verdict

    kb, known = evaluation.kb, evaluation.known
    count = 0
    for route_id in evaluation.recommended("funding_routes"):
        route = kb.funding_routes[route_id]
        before = _route_key(route_verdict(route, known, evaluation.as_of))
        if any(_route_key(route_verdict(route, {**known, name: a}, evaluation.as_of)) != before for a in answers):
            count += 1
    return count


def _route_key(verdict: tuple[str | None, list[Any]]) -> tuple[str | None, tuple[str, ...]]:
    return verdict[0], tuple(p.id for p in verdict[1])


def _request_impact(name: str, known: Mapping[str, Any]) -> int:
    """``main_need`` decides the first tool move among the needs: one per need it could choose (none for one need)."""
    if name != "main_need":
        return 0
    needs = known.get("needs")
    return len(needs) if needs is not None and len(needs) >= 2 else 0


def relevant(kb: KnowledgeBase, name: str, known: Mapping[str, Any]) -> bool:
    """False when the question's ``relevant_when`` is certainly false for these answers (never asked then)."""
    question = kb.questions.get(name)
    if question is None or question.relevant_when is None:
        return True
    return eval_condition(question.relevant_when, known) is not False


def missing_fields(evaluation: Evaluation) -> list[dict[str, Any]]:
    """``[{field, question, impact}]`` for the unanswered fields that could change the result."""
    kb, known = evaluation.kb, evaluation.known
    compiled = compiled_for(kb.rules)
    prepared = compiled.prepare(known)
    base = compiled.fire(prepared)
    fired = {rid for rid, v in base.items() if v is True}
    facts = {f for r in kb.rules if r.id in fired for f in r.derive}
    undecided = [r for r in kb.rules if base[r.id] is None]
    undecided_ids = {r.id for r in undecided}
    undecided_fields = {a.field for r in undecided for a in atoms(r.when)}
    answers = kb.cached("missing.answers", lambda: {n: candidate_answers(kb, n) for n in QUESTION_FIELDS})
    rule_answers = kb.cached("missing.rule_answers", lambda: {
        n: [compiled.prepare_value(n, a) for a in candidate_answers(kb, n, catalogue=False)] for n in QUESTION_FIELDS})
    remembered: dict[tuple[Any, ...], int] = kb.cached("missing.rule_impacts", dict)
    result: list[dict[str, Any]] = []
    for name in QUESTION_FIELDS:
        if name in known or not relevant(kb, name, known):
            continue
        check_catalog = name in CATALOG_FIELDS and bool(evaluation.categories)
        if name not in undecided_fields and not check_catalog and name not in ELIGIBILITY_FIELDS \
                and name != "main_need":
            continue
        rule_impact = 0
        if name in undecided_fields:
            pool = [r for r in compiled.dependents(name) if r.id in undecided_ids]
            # what the pool's truth depends on: the answers and facts its rules read (the same key, the same count)
            reads, wants = _reads(kb, pool)
            key = (name, tuple(r.id for r in pool), tuple(prepared.get(f) for f in reads), frozenset(facts & wants))
            found = remembered.get(key)
            if found is None:
                for answer in rule_answers[name]:
                    trial = dict(prepared)
                    trial[name] = answer
                    after = compiled.fire(trial, pool, facts, settle=False)
                    rule_impact = max(rule_impact, sum(1 for v in after.values() if v is True))
                if len(remembered) >= JUDGED:
                    remembered.clear()
                remembered[key] = rule_impact
            else:
                rule_impact = found
        if name == "main_need":  # the request is also a need: it may add one the rules read
            current = set(known.get("needs") or ())
            pool = list(compiled.dependents("needs"))
            for value in answers[name]:
                if value in current:
                    continue
                trial = dict(prepared)
                trial["needs"] = compiled.prepare_value("needs", sorted(current | {value}))
                after = compiled.fire(trial, pool, facts, settle=False)
                gained = sum(1 for rid, v in after.items() if v is True and base[rid] is not True)
                rule_impact = max(rule_impact, gained)
        catalog_impact = _catalog_impact(evaluation, name, answers[name]) if check_catalog else 0
        if name in ELIGIBILITY_FIELDS:
            catalog_impact += _route_impact(evaluation, name, answers[name])
        impact = rule_impact + catalog_impact + _request_impact(name, known)
        if impact > 0:
            question = kb.questions.get(name)
            result.append({"field": name, "question": pick(question.question) if question else name,
                           "impact": impact})
    order = {name: i for i, name in enumerate(QUESTION_FIELDS)}
    result.sort(key=lambda m: (-m["impact"], order[m["field"]]))
    return result
