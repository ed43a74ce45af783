"""Static analysis of a knowledge base, beyond the schema (``toolpicker check``).

Conditions are put in disjunctive normal form (a list of conjunctions of
tests); a conjunction is satisfiable when, field by field, some value passes
all its tests (intervals for numbers, sets for enums and booleans, required and
forbidden values for lists). From that:

- **dead rules** (error): no profile can make the condition true, or a fact
  they need is only derived by dead rules;
- **duplicate rules** (error): same condition and same effects as another rule;
- **shadowed rules** (warning): whenever the rule fires, another rule with at
  least the same effects fires too, so it adds nothing;
- **contradictions** (warning): one rule recommends an item and another
  excludes it on profiles both can match, with the same priority (the
  exclusion then wins silently: declare a priority to say which should);
- **unused facts**, **items no rule recommends**, **one warning id with two
  messages** (warnings);
- **catalogue integrity**: categories without solutions (error), provider dates
  outside their route's (warning), entries not checked for more than 12 months
  (warning).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from .._errors import Problem
from .._i18n import pick, t
from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import FundingRoute, Solution
from ..knowledge.operators import OPERATORS, Domain
from ..knowledge.profile import allowed_values, field_bounds, field_kind
from ..knowledge.rules import All, AnyOf, Atom, Condition, FactRef, Not, Rule, to_nnf
from ..recommendation.matching import FACTS_READ

MAX_TERMS = 512
STALE_DAYS = 365
Term = tuple[Atom | FactRef, ...]


def dnf(cond: Condition | None) -> list[Term] | None:
    """Disjunctive normal form of a condition (None when it would be too large to analyse)."""
    if cond is None:
        return [()]
    return _dnf(to_nnf(cond))


def _dnf(cond: Condition) -> list[Term] | None:
    if isinstance(cond, (Atom, FactRef)):
        return [(cond,)]
    if isinstance(cond, Not):  # pragma: no cover - NNF has no Not left
        raise ValueError("not in NNF")
    parts = [_dnf(c) for c in cond.items]
    if any(p is None for p in parts):
        return None
    if isinstance(cond, AnyOf):
        out = [term for p in parts for term in p or []]
        return out if len(out) <= MAX_TERMS else None
    product: list[Term] = [()]
    for p in parts:
        product = [a + b for a in product for b in p or []]
        if len(product) > MAX_TERMS:
            return None
    return product


def _field_satisfiable(name: str, tests: list[Atom]) -> bool:
    """Whether one answer to ``name`` can pass every test (each operator narrows the field's domain)."""
    kind = field_kind(name)
    if kind == "int":
        lo, hi = field_bounds(name)
        domain = Domain(low=lo if lo is not None else float("-inf"), high=hi if hi is not None else float("inf"))
    elif kind in ("enum", "bool"):
        domain = Domain(allowed=set(allowed_values(name)) if kind == "enum" else {True, False})
    else:
        domain = Domain()
    for atom in tests:
        OPERATORS[atom.op].narrow(domain, atom.value)
    return domain.satisfiable()


def term_satisfiable(term: Term, derivable: set[str] | None = None) -> bool:
    by_field: dict[str, list[Atom]] = {}
    for test in term:
        if isinstance(test, FactRef):
            if derivable is not None and test.name not in derivable:
                return False
            continue
        by_field.setdefault(test.field, []).append(test)
    return all(_field_satisfiable(name, tests) for name, tests in by_field.items())


def satisfiable(terms: list[Term] | None, derivable: set[str] | None = None) -> bool:
    return terms is None or any(term_satisfiable(term, derivable) for term in terms)


def _both(a: list[Term] | None, b: list[Term] | None) -> list[Term] | None:
    if a is None or b is None or len(a) * len(b) > MAX_TERMS:
        return None
    return [x + y for x in a for y in b]


def _unknown(atom: Atom) -> Atom:
    return Atom(field=atom.field, op="known", value=False, line=atom.line)


def not_true(cond: Condition) -> Condition:
    """"``cond`` is false or unknown", as a condition (three-valued: an unknown field also counts)."""
    if isinstance(cond, Atom):
        if cond.op == "known":
            return cond.negated()
        return AnyOf(items=(cond.negated(), _unknown(cond)))
    if isinstance(cond, All):
        return AnyOf(items=tuple(not_true(c) for c in cond.items))
    if isinstance(cond, AnyOf):
        return All(items=tuple(not_true(c) for c in cond.items))
    if isinstance(cond, Not):
        return not_false(cond.item)
    raise ValueError("facts cannot be negated")


def not_false(cond: Condition) -> Condition:
    """"``cond`` is true or unknown"."""
    if isinstance(cond, Atom):
        if cond.op == "known":
            return cond
        return AnyOf(items=(cond, _unknown(cond)))
    if isinstance(cond, All):
        return All(items=tuple(not_false(c) for c in cond.items))
    if isinstance(cond, AnyOf):
        return AnyOf(items=tuple(not_false(c) for c in cond.items))
    if isinstance(cond, Not):
        return not_true(cond.item)
    raise ValueError("facts cannot be negated")


def implies(a: Rule, b: Rule) -> bool:
    """Whenever ``a`` fires, ``b`` fires: a ∧ "b not true" is unsatisfiable (three-valued)."""
    if b.when is None:
        return True
    if any(isinstance(x, FactRef) for x in _flatten(b.when)):
        return False  # a fact cannot be negated: do not conclude
    both = _both(dnf(a.when), dnf(not_true(b.when)))
    return both is not None and not satisfiable(both)


def _flatten(cond: Condition) -> Iterable[Condition]:
    yield cond
    if isinstance(cond, (All, AnyOf)):
        for child in cond.items:
            yield from _flatten(child)
    elif isinstance(cond, Not):
        yield from _flatten(cond.item)


def _shape(cond: Condition | None) -> object:
    """A condition without its line numbers, for comparing two rules."""
    if cond is None:
        return None

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return tuple(sorted((k, strip(v)) for k, v in node.items() if k != "line"))
        if isinstance(node, (list, tuple)):
            return tuple(strip(v) for v in node)
        return node

    return strip(cond.model_dump())


def _effects(rule: Rule) -> set[tuple[str, str, float]]:
    out = {("recommend", e.item, e.weight) for e in rule.recommend}
    out |= {("discourage", e.item, e.weight) for e in rule.discourage}
    out |= {("exclude", e.item, 0.0) for e in rule.exclude}
    out |= {("warn", w.id, 0.0) for w in rule.warn}
    out |= {("derive", f, 0.0) for f in rule.derive}
    return out


def _finding(rule: Rule | None, code: str, severity: str, suggestion_key: str | None = None, path: str | None = None,
             line: int | None = None, **values: object) -> Problem:
    return Problem(message=t(f"analysis.{code}", **values), path=path or (rule.path if rule else None),
                   line=line or (rule.line if rule else None), rule=rule.id if rule else None, code=code,
                   severity=severity, suggestion=t(f"analysis.{suggestion_key}", **values) if suggestion_key else None)


def analyse(kb: KnowledgeBase, today: dt.date | None = None) -> list[Problem]:
    """Every static finding on a loaded knowledge base."""
    today = today or dt.date.today()
    rules = list(kb.rules)
    terms = {r.id: dnf(r.when) for r in rules}
    findings: list[Problem] = []

    # Dead rules, iterating over facts only dead rules derive.
    alive = {r.id for r in rules}
    changed = True
    while changed:
        derivable = {f for r in rules if r.id in alive for f in r.derive}
        still = {r.id for r in rules if r.id in alive and satisfiable(terms[r.id], derivable)}
        changed = still != alive
        alive = still
    for r in rules:
        if r.id not in alive:
            own = satisfiable(terms[r.id])
            findings.append(_finding(r, "dead_rule" if not own else "dead_fact_rule", "error", "dead_fix",
                                     rule_id=r.id))

    # Duplicates and shadowed rules.
    for a, b in itertools.combinations(rules, 2):
        if _shape(a.when) == _shape(b.when) and _effects(a) == _effects(b):
            findings.append(_finding(b, "duplicate_rule", "error", "duplicate_fix", rule_id=b.id, other=a.id,
                                     where=f"{a.path}:{a.line}"))
            continue
        for x, y in ((a, b), (b, a)):
            if x.id in alive and _effects(x) <= _effects(y) and implies(x, y):
                findings.append(_finding(x, "shadowed_rule", "warning", "shadowed_fix", rule_id=x.id, other=y.id,
                                         where=f"{y.path}:{y.line}"))

    # Contradictions: recommend vs exclude on overlapping profiles with equal priority.
    for rec_rule in rules:
        for effect in rec_rule.recommend:
            for ex_rule in rules:
                if ex_rule.id == rec_rule.id or effect.item not in {e.item for e in ex_rule.exclude}:
                    continue
                if rec_rule.priority != ex_rule.priority:
                    continue
                if satisfiable(_both(terms[rec_rule.id], terms[ex_rule.id])):
                    findings.append(_finding(rec_rule, "contradiction", "warning", "contradiction_fix",
                                             line=effect.line, rule_id=rec_rule.id, other=ex_rule.id,
                                             item=effect.item, where=f"{ex_rule.path}:{ex_rule.line}"))

    # Facts and items.
    used = {x.name for r in rules if r.when is not None for x in _flatten(r.when) if isinstance(x, FactRef)}
    used |= set(FACTS_READ)  # facts the catalogue matching reads
    for r in rules:
        for fact in r.derive:
            if fact not in used:
                findings.append(_finding(r, "unused_fact", "warning", "unused_fact_fix", fact=fact))
    recommended = {e.item for r in rules for e in r.recommend}
    for entry in kb.taxonomy.values():
        if entry.id not in recommended:
            findings.append(_finding(None, "never_recommended", "warning", None, path=entry.path, line=entry.line,
                                     item=entry.id))
    for route in kb.funding_routes.values():
        if route.id not in recommended:
            findings.append(_finding(None, "never_recommended", "warning", None, path=route.path, line=route.line,
                                     item=route.id))
    messages: dict[str, tuple[str, Rule]] = {}
    for r in rules:
        for w in r.warn:
            text = pick(w.message, "fr")
            if w.id in messages and messages[w.id][0] != text:
                findings.append(_finding(r, "warning_two_messages", "warning", None, line=w.line, warning=w.id,
                                         other=messages[w.id][1].id))
            messages.setdefault(w.id, (text, r))

    # Catalogue integrity.
    for entry in kb.taxonomy.values():
        if entry.family == "tool_categories" and not entry.no_catalogue \
                and not any(entry.id in s.categories for s in kb.solutions.values()):
            findings.append(_finding(None, "empty_category", "error", "empty_category_fix", path=entry.path,
                                     line=entry.line, category=entry.id))
    for route in kb.funding_routes.values():
        for p in route.providers:
            if (route.valid_until and p.valid_until and p.valid_until > route.valid_until) or (
                route.valid_from and p.valid_from and p.valid_from < route.valid_from
            ):
                findings.append(_finding(None, "provider_dates", "warning", None, path=p.path, line=p.line,
                                         provider=p.id, route=route.id))
    stale = today - dt.timedelta(days=STALE_DAYS)
    entries: list[Solution | FundingRoute] = [*kb.solutions.values(), *kb.funding_routes.values()]
    for item in entries:
        verified = item.last_verified
        declared = verified is None and bool(getattr(item, "verification", None))  # honestly "not verified"
        if not declared and (verified is None or verified < stale):
            findings.append(_finding(None, "stale_entry", "warning", "stale_fix", path=item.path, line=item.line,
                                     item=item.id, date=verified.isoformat() if verified else "—"))
    findings.sort(key=lambda p: (p.severity != "error", p.path or "", p.line or 0, p.code))
    return findings
