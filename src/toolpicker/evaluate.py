"""A plain-Python, three-valued evaluator of the same rule conditions.

durable-rules decides what fires. This evaluator answers what durable-rules
cannot: which conditions are still *unknown* (for ``missing``), which condition
failed and by how much (for why-not), and it is tested to agree with
durable-rules on every generated profile.

Truth values are ``True``, ``False`` and ``None`` (unknown), with Kleene's
logic: ``all`` is false if one item is false, true if all are true, unknown
otherwise; ``any`` dually; ``not`` swaps true and false and keeps unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .rules import All, AnyOf, Atom, Condition, FactRef, Not, Rule, normalise_token

Truth = bool | None


def eval_atom(atom: Atom, known: Mapping[str, Any]) -> Truth:
    """Value of one atom: ``None`` when its field is unknown (except for ``known``)."""
    present = atom.field in known and known[atom.field] is not None
    if atom.op == "known":
        return present == atom.value
    if not present:
        return None
    value = known[atom.field]
    op, target = atom.op, atom.value
    if op == "equals":
        return bool(value == target)
    if op == "not_equals":
        return bool(value != target)
    if op == "in":
        return value in target
    if op == "not_in":
        return value not in target
    if op == "lt":
        return bool(value < target)
    if op == "lte":
        return bool(value <= target)
    if op == "gt":
        return bool(value > target)
    if op == "gte":
        return bool(value >= target)
    tokens = {normalise_token(v) for v in value}
    if op == "contains":
        return target in tokens
    if op == "not_contains":
        return target not in tokens
    if op == "contains_any":
        return any(v in tokens for v in target)
    if op == "contains_none":
        return not any(v in tokens for v in target)
    raise ValueError(op)  # pragma: no cover - the loader only lets known operators through


def eval_condition(cond: Condition | None, known: Mapping[str, Any], facts: Iterable[str] = ()) -> Truth:
    """Kleene value of a condition; a derived fact not (yet) derived counts as false."""
    if cond is None:
        return True
    if isinstance(cond, Atom):
        return eval_atom(cond, known)
    if isinstance(cond, FactRef):
        return cond.name in facts
    if isinstance(cond, Not):
        inner = eval_condition(cond.item, known, facts)
        return None if inner is None else not inner
    values = [eval_condition(c, known, facts) for c in cond.items]
    if isinstance(cond, All):
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None
    assert isinstance(cond, AnyOf)
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def fire(rules: Iterable[Rule], known: Mapping[str, Any]) -> dict[str, Truth]:
    """Forward-chain in Python: the truth of every rule once no new fact can be derived.

    A rule whose condition is true fires and derives its facts; a derived fact
    may make more rules true. The result maps rule id to True (fires), False
    (certainly not) or None (depends on unknown answers or facts that might still
    be derived).
    """
    rules = list(rules)
    facts: set[str] = set()
    maybe_facts: set[str] = set()
    result: dict[str, Truth] = {}
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if result.get(rule.id) is True:
                continue
            value = eval_condition(rule.when, known, facts)
            if value is True:
                result[rule.id] = True
                new = set(rule.derive) - facts
                if new:
                    facts |= new
                    changed = True
            else:
                result[rule.id] = value
    # A rule false only because a fact is missing that an undecided rule might derive is undecided.
    for rule in rules:
        if rule.derive and result[rule.id] is None:
            maybe_facts |= set(rule.derive) - facts
    if maybe_facts:
        for rule in rules:
            if result[rule.id] is False:
                optimistic = eval_condition(rule.when, known, facts | maybe_facts)
                if optimistic is not False:
                    result[rule.id] = None
    return result


def fired_rules(rules: Iterable[Rule], known: Mapping[str, Any]) -> list[str]:
    """Rule ids that certainly fire, sorted (what durable-rules must also fire)."""
    return sorted(rid for rid, value in fire(rules, known).items() if value is True)
