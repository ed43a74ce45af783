"""Why an item was recommended, and why another was not (with the change that would tip it).

*Why*: the rules that fired for the item, each condition with the profile's
actual value, the effect and the source. *Why not*: the rules that could have
recommended the item, the conditions that failed or are still unknown, and the
smallest change to the profile that would make the item appear — checked by
running durable-rules on the changed profile, so a counterfactual is never a
guess of the Python evaluator alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from .._errors import InputError
from .._i18n import check_language, current_language, language, pick, t
from .._version import __version__
from ..engine.logic import compiled_for, eval_atom, fire
from ..knowledge.base import KnowledgeBase, default_knowledge_base
from ..knowledge.catalog import Solution
from ..knowledge.operators import OPERATORS
from ..knowledge.profile import Profile, field_kind, parse_profile, shorten, suggest
from ..knowledge.rules import Atom, Condition, FactRef, Not, Rule, atoms, facts_used
from ..recommendation.evaluation import Evaluation, evaluate
from ..recommendation.matching import CATALOG_FIELDS, Context, context_tools, score_solution
from ..recommendation.missing import candidate_answers
from ..recommendation.recommend import build, parse_date
from ..recommendation.result import FAMILIES, Recommendation

MAX_VERIFIED = 12  # durable-rules runs spent looking for a counterfactual, at most, per item


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ConditionCheck(_Out):
    """One test of a rule's condition, as it came out on this profile."""

    text: str
    field: str | None = None
    actual: Any = None
    result: str  # "true" | "false" | "unknown"
    line: int | None = None


class RuleTrace(_Out):
    rule: str
    title: str
    source: str
    path: str
    line: int
    effect: str
    weight: float
    because: str
    fired: bool
    conditions: list[ConditionCheck]


class Change(_Out):
    field: str
    value: Any
    current: Any = None
    text: str


class Counterfactual(_Out):
    """A smallest change to the profile after which the item appears (verified with durable-rules)."""

    changes: list[Change]
    sentence: str
    score: float


class ItemExplanation(_Out):
    id: str
    label: str
    family: str
    status: str  # "recommended" | "excluded" | "not_recommended"
    score: float | None = None
    summary: str
    why: list[RuleTrace] = []
    why_not: list[RuleTrace] = []
    excluded_because: list[str] = []
    counterfactual: Counterfactual | None = None
    deciding_unknowns: list[str] = []


class Explanation(_Out):
    toolpicker_version: str
    knowledge_base: str
    as_of: str
    language: str
    profile: dict[str, Any]
    items: list[ItemExplanation]


# ------------------------------------------------------------------ describing conditions

def field_label(kb: KnowledgeBase, name: str) -> str:
    question = kb.questions.get(name)
    return pick(question.label) if question else name


def value_label(kb: KnowledgeBase, name: str, value: Any) -> str:
    """How an answer reads for an adviser: « Comptabilité » rather than ``accounting``."""
    if isinstance(value, bool):
        return t("report.yes") if value else t("report.no")
    if name == "needs" and value in kb.needs:
        return pick(kb.needs[value].label)
    if name == "current_tools" and value in kb.solutions:
        return kb.solutions[value].name
    question = kb.questions.get(name)
    if question is not None and str(value) in question.values:
        return pick(question.values[str(value)])
    return str(value)


def _show(kb: KnowledgeBase, name: str, value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(value_label(kb, name, v) for v in value) + "}"
    return value_label(kb, name, value)


def describe_atom(kb: KnowledgeBase, atom: Atom) -> str:
    """``Salarié·es ≥ 20``, ``Secteur ∈ {Culture, Santé}``, ``Besoins exprimés contient Site internet``…

    The operator table says how each operator reads: a symbol, or a sentence of the locale files."""
    label = field_label(kb, atom.field)
    wording = OPERATORS[atom.op].wording(atom.value)
    if not wording.startswith("explain."):
        return f"{label} {wording} {_show(kb, atom.field, atom.value)}"
    return t(wording, field=label, value=_show(kb, atom.field, atom.value))


def trace_condition(kb: KnowledgeBase, cond: Condition | None, known: Mapping[str, Any], facts: set[str],
                    ) -> list[ConditionCheck]:
    """Every atom and fact of a condition with its value on this profile (negations made explicit)."""
    out: list[ConditionCheck] = []

    def walk(node: Condition, negated: bool) -> None:
        if isinstance(node, Atom):
            atom = node.negated() if negated else node
            value = eval_atom(atom, known)
            out.append(ConditionCheck(text=describe_atom(kb, atom), field=atom.field, actual=known.get(atom.field),
                                      result=_truth(value), line=atom.line))
        elif isinstance(node, FactRef):
            out.append(ConditionCheck(text=t("explain.fact", fact=node.name), result=_truth(node.name in facts),
                                      line=node.line))
        elif isinstance(node, Not):
            walk(node.item, not negated)
        else:
            for child in node.items:
                walk(child, negated)

    if cond is not None:
        walk(cond, False)
    return out


def _truth(value: bool | None) -> str:
    return "unknown" if value is None else ("true" if value else "false")


def _trace(kb: KnowledgeBase, rule: Rule, item: str, known: Mapping[str, Any], facts: set[str], fired: bool,
           ) -> list[RuleTrace]:
    traces = []
    conditions = trace_condition(kb, rule.when, known, facts)
    for effect_name, effects in (("recommend", rule.recommend), ("discourage", rule.discourage),
                                 ("exclude", rule.exclude)):
        for effect in effects:
            if effect.item != item:
                continue
            sign = -1 if effect_name == "discourage" else 1
            traces.append(RuleTrace(rule=rule.id, title=pick(rule.title), source=rule.source, path=rule.path,
                                    line=effect.line or rule.line, effect=effect_name,
                                    weight=0.0 if effect_name == "exclude" else sign * effect.weight,
                                    because=pick(effect.because), fired=fired, conditions=conditions))
    return traces


# ------------------------------------------------------------------ counterfactuals

def _options(kb: KnowledgeBase, name: str, current: Any) -> list[tuple[float, Any]]:
    """(cost, answer) pairs to try for one field: answering an unknown field is cheaper than changing one."""
    kind = field_kind(name)
    out: list[tuple[float, Any]] = []
    if kind.startswith("list"):
        have = set(current or [])
        tokens = {tok for answer in candidate_answers(kb, name) for tok in answer}
        for tok in sorted(tokens):
            changed = sorted(have ^ {tok})
            out.append((0.5 if current is None else 1.0, changed))
        if current is None:
            out.append((0.5, []))
        return out
    for answer in candidate_answers(kb, name):
        if answer == current:
            continue
        if current is None:
            cost = 0.5
        elif kind == "int":
            cost = abs(answer - current) / (abs(current) + 1)
        else:
            cost = 1.0
        out.append((cost, answer))
    return out


def _appears(kb: KnowledgeBase, profile: Profile, changes: Mapping[str, Any], item: str, as_of: dt.date,
             ) -> float | None:
    """The item's score after the change, by durable-rules; None when it still does not appear."""
    try:
        changed = parse_profile({**profile.model_dump(exclude_none=True), **changes})
    except InputError:
        return None
    rec = build(evaluate(kb, changed, as_of), with_missing=False)
    for family in FAMILIES:
        for entry in getattr(rec, family):
            if entry.id == item:
                return float(entry.score)
    return None


def counterfactual(evaluation: Evaluation, item: str) -> Counterfactual | None:
    """The cheapest one- or two-field change that makes ``item`` appear."""
    kb, profile, as_of, known = evaluation.kb, evaluation.profile, evaluation.as_of, evaluation.known
    rules = [r for r in kb.rules if item in {e.item for e in r.recommend}]
    related = [r for r in kb.rules if item in r.items()]  # also the rules that discourage or exclude it
    fields = sorted({a.field for r in related for a in atoms(r.when)})
    for r in related:  # rules deriving the facts these rules need
        for fact in facts_used(r.when):
            fields = sorted(set(fields) | {a.field for d in kb.rules if fact.name in d.derive for a in atoms(d.when)})
    solution = kb.solutions.get(item) if kb.family_of(item) == "solutions" else None
    if solution is not None:
        fields = sorted(set(fields) | set(CATALOG_FIELDS))
    options = [(cost, {name: answer}) for name in fields for cost, answer in _options(kb, name, known.get(name))]
    options.sort(key=lambda o: (o[0], repr(sorted(o[1].items()))))
    compiled = compiled_for(kb.rules)
    verified = 0
    for _cost, change in options:
        trial = {**known, **change}
        if solution is not None:
            if not _catalog_allows(evaluation, solution, trial):
                continue
        elif not any(compiled.checks[r.id](compiled.prepare(trial), _facts(kb, trial)) for r in rules):
            continue
        verified += 1
        score = _appears(kb, profile, change, item, as_of)
        if score is not None:
            return _sentence(kb, item, change, known, score)
        if verified >= MAX_VERIFIED:
            break
    return None


def _catalog_allows(evaluation: Evaluation, solution: Solution, known: Mapping[str, Any]) -> bool:
    """Some category the solution serves would not rule it out with these answers (cheap, before durable-rules).

    The answers the catalogue reads directly are tried in the current
    context; what rules decide (facts, delivery verdicts, the categories) is
    left to the durable-rules run that follows.
    """
    ctx = evaluation.context
    trial = Context(known=known, facts=ctx.facts, models=ctx.models, blocked=ctx.blocked, as_of=ctx.as_of,
                    tools=context_tools(known))
    return any(not score_solution(evaluation.kb, solution, c, 1.0, "", trial, texts=False).excluded
               for c in solution.categories)


def _facts(kb: KnowledgeBase, known: Mapping[str, Any]) -> set[str]:
    """Facts derived on this profile (memoised per profile: explain asks for them once per item)."""
    key = repr(sorted(known.items()))
    memo: dict[str, set[str]] = kb.cached("explain.facts", dict)
    if key not in memo:
        if len(memo) > 4096:
            memo.clear()
        truth = fire(kb.rules, known)
        memo[key] = {f for r in kb.rules if truth[r.id] is True for f in r.derive}
    return memo[key]


def _sentence(kb: KnowledgeBase, item: str, change: Mapping[str, Any], known: Mapping[str, Any], score: float,
              ) -> Counterfactual:
    changes = []
    for name, value in change.items():
        old = known.get(name)
        text = f"{field_label(kb, name)} = {_show(kb, name, value)}"
        if isinstance(value, list):
            added = ", ".join(value_label(kb, name, v) for v in sorted(set(value) - set(old or [])))
            removed = ", ".join(value_label(kb, name, v) for v in sorted(set(old or []) - set(value)))
            text = t("explain.op_contains", field=field_label(kb, name), value=added) if added else \
                t("explain.op_not_contains", field=field_label(kb, name), value=removed) if removed else \
                t("explain.empty_list", field=field_label(kb, name))
        elif field_kind(name) == "int" and isinstance(old, int):
            text = f"{field_label(kb, name)} {'≥' if value > old else '≤'} {value}"
        current = _show(kb, name, old) if old is not None else t("report.unknown")
        changes.append(Change(field=name, value=value, current=old, text=f"{text} — {t('explain.currently')} "
                                                                          f"{current}"))
    sentence = t("explain.would_appear", item=pick(kb.label(item)), changes=" ; ".join(c.text for c in changes))
    return Counterfactual(changes=changes, sentence=sentence, score=score)


# ------------------------------------------------------------------ explaining

def explain_item(evaluation: Evaluation, rec: Recommendation, item: str) -> ItemExplanation:
    kb, known, fired_ids = evaluation.kb, evaluation.known, evaluation.fired
    facts = _facts(kb, known)
    family = kb.family_of(item) or ""
    label = pick(kb.label(item))
    present = {e.id: e for fam in FAMILIES for e in getattr(rec, fam)}
    excluded = {e.id: e for e in rec.excluded}
    related = [r for r in kb.rules if item in r.items()]
    why = [tr for r in related if r.id in fired_ids for tr in _trace(kb, r, item, known, facts, True)]
    why_not = [tr for r in related if r.id not in fired_ids for tr in _trace(kb, r, item, known, facts, False)
               if tr.effect == "recommend"]
    if item in present:
        entry = present[item]
        return ItemExplanation(id=item, label=label, family=family, status="recommended", score=entry.score,
                               summary=t("explain.recommended", item=label, score=entry.score,
                                         rules=len({tr.rule for tr in why}) or len(entry.reasons)),
                               why=why)
    unknowns = sorted({c.field for tr in why_not for c in tr.conditions if c.result == "unknown" and c.field})
    cf = counterfactual(evaluation, item)
    if item in excluded:
        because = [r.because for r in excluded[item].reasons]
        summary = t("explain.excluded", item=label, reasons=" ; ".join(because))
        return ItemExplanation(id=item, label=label, family=family, status="excluded", summary=summary, why=why,
                               why_not=why_not, excluded_because=because, counterfactual=cf,
                               deciding_unknowns=unknowns)
    summary = cf.sentence if cf else t("explain.no_path", item=label)
    if not related and family != "solutions":
        summary = t("explain.no_rule", item=label)
    return ItemExplanation(id=item, label=label, family=family, status="not_recommended", summary=summary, why=why,
                           why_not=why_not, counterfactual=cf, deciding_unknowns=unknowns)


def explain(profile: Profile | Mapping[str, Any], item: str | None = None, as_of: dt.date | str | None = None,
            knowledge_base: KnowledgeBase | None = None, lang: str | None = None) -> Explanation:
    """Why (or why not) each item — or only ``item`` — for this profile.

    Without ``item``, every recommended item is explained (why), plus the
    excluded ones (why not). Raises :class:`~toolpicker.InputError` for an
    unknown item id, with a suggestion.
    """
    kb = knowledge_base or default_knowledge_base()
    with language(check_language(lang) or current_language()):
        parsed = parse_profile(profile)
        day = parse_date(as_of)
        evaluation = evaluate(kb, parsed, day)
        rec = build(evaluation)
        if item is not None:
            if kb.family_of(item) is None:
                everything = sorted(set(kb.taxonomy) | set(kb.funding_routes) | set(kb.solutions))
                hint = suggest(item, everything)
                raise InputError(t("explain.unknown_item", item=shorten(item)) + (f" {hint}" if hint else ""))
            ids = [item]
        else:
            ids = [e.id for fam in FAMILIES for e in getattr(rec, fam)] + [e.id for e in rec.excluded]
        items = [explain_item(evaluation, rec, i) for i in ids]
        return Explanation(toolpicker_version=__version__, knowledge_base=kb.version, as_of=day.isoformat(),
                           language=current_language(),
                           profile=parsed.model_dump(mode="json"), items=items)


def near_misses(profile: Profile | Mapping[str, Any], as_of: dt.date | str | None = None,
                knowledge_base: KnowledgeBase | None = None, lang: str | None = None, limit: int = 5,
                ) -> list[ItemExplanation]:
    """Items that almost qualified: a rule for them is undecided or one answer away, with what would tip them."""
    kb = knowledge_base or default_knowledge_base()
    with language(check_language(lang) or current_language()):
        parsed = parse_profile(profile)
        day = parse_date(as_of)
        evaluation = evaluate(kb, parsed, day)
        rec = build(evaluation, with_missing=False)
        known, fired_ids = evaluation.known, evaluation.fired
        present = rec.item_ids()
        truth = fire(kb.rules, known)
        candidates: dict[str, int] = {}
        for rule in kb.rules:
            if rule.id in fired_ids:
                continue
            checks = [eval_atom(a, known) for a in atoms(rule.when)]
            failing = sum(1 for c in checks if c is not True)
            if truth[rule.id] is None or failing <= 1:
                for effect in rule.recommend:
                    if effect.item not in present and kb.family_of(effect.item) != "solutions":
                        candidates[effect.item] = max(candidates.get(effect.item, 0), int(effect.weight * 10))
        ranked = sorted(candidates, key=lambda i: (-candidates[i], i))
        out = []
        for item in ranked:
            explanation = explain_item(evaluation, rec, item)
            if explanation.counterfactual is not None:
                out.append(explanation)
            if len(out) >= limit:
                break
        return out


__all__ = ["Explanation", "ItemExplanation", "explain", "near_misses"]
