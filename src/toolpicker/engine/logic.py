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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..knowledge.operators import OPERATORS
from ..knowledge.rules import All, Atom, Condition, FactRef, Not, Rule, normalise_token
from ..knowledge.rules import atoms as _atoms
from ..knowledge.rules import facts_used as _facts_used

Truth = bool | None


def _lists_as_tokens(known: Mapping[str, Any]) -> dict[str, Any]:
    """A profile with every list turned into its set of normalised tokens, as compiled tests expect."""
    return {k: frozenset(normalise_token(x) for x in v) if isinstance(v, (list, tuple, set, frozenset)) else v
            for k, v in known.items() if v is not None}


def eval_atom(atom: Atom, known: Mapping[str, Any]) -> Truth:
    """Value of one atom: ``None`` when its field is unknown (except for ``known``)."""
    return _compile_atom(atom)(_lists_as_tokens(known), frozenset())


def eval_condition(cond: Condition | None, known: Mapping[str, Any], facts: Iterable[str] = ()) -> Truth:
    """Kleene value of a condition; a derived fact not (yet) derived counts as false."""
    return compile_condition(cond)(_lists_as_tokens(known), frozenset(facts))


def fire(rules: Iterable[Rule], known: Mapping[str, Any]) -> dict[str, Truth]:
    """Forward-chain in Python (see :class:`Compiled`); compiled once per rule list."""
    compiled = compiled_for(rules)
    return compiled.fire(compiled.prepare(known))


def compiled_for(rules: Iterable[Rule]) -> Compiled:
    """The compiled form of a rule list, built once (keyed by the rules' identity)."""
    pool = tuple(rules)
    key = tuple(id(r) for r in pool)
    compiled = _COMPILED.get(key)
    if compiled is None or any(a is not b for a, b in zip(compiled.rules, pool, strict=True)):
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        compiled = _COMPILED[key] = Compiled(pool)
    return compiled


def fired_rules(rules: Iterable[Rule], known: Mapping[str, Any]) -> list[str]:
    """Rule ids that certainly fire, sorted (what durable-rules must also fire)."""
    return sorted(rid for rid, value in fire(rules, known).items() if value is True)


# ------------------------------------------------------------------ compiled evaluator

Check = Callable[[Mapping[str, Any], "frozenset[str] | set[str]"], Truth]
_COMPILED: dict[tuple[int, ...], Compiled] = {}


def _compile_atom(atom: Atom) -> Check:
    """Three-valued: the operator's truth on an answer (:data:`~toolpicker.knowledge.operators.OPERATORS`),
    *unknown* on an unanswered field — except ``known``, which is about being answered."""
    f, target = atom.field, atom.value
    operator = OPERATORS[atom.op]
    if atom.op == "known":
        want = bool(target)
        return lambda k, _facts: (f in k) == want
    holds = operator.predicate(target)
    return lambda k, _facts: None if (v := k.get(f)) is None else holds(v)


def compile_condition(cond: Condition | None) -> Check:
    """A closure computing the Kleene value of a condition on a prepared profile (see ``Compiled.prepare``)."""
    if cond is None:
        return lambda _k, _facts: True
    if isinstance(cond, Atom):
        return _compile_atom(cond)
    if isinstance(cond, FactRef):
        name = cond.name
        return lambda _k, facts: name in facts
    if isinstance(cond, Not):
        inner = compile_condition(cond.item)
        return lambda k, facts: None if (v := inner(k, facts)) is None else not v
    parts = tuple(compile_condition(c) for c in cond.items)
    if isinstance(cond, All):
        def all_of(k: Mapping[str, Any], facts: frozenset[str] | set[str]) -> Truth:
            result: Truth = True
            for part in parts:
                v = part(k, facts)
                if v is False:
                    return False
                if v is None:
                    result = None
            return result
        return all_of

    def any_of(k: Mapping[str, Any], facts: frozenset[str] | set[str]) -> Truth:
        result: Truth = False
        for part in parts:
            v = part(k, facts)
            if v is True:
                return True
            if v is None:
                result = None
        return result
    return any_of


class Compiled:
    """The rules as Python closures: fast three-valued evaluation and forward chaining."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(rules)
        self.checks = {r.id: compile_condition(r.when) for r in self.rules}
        self._dependents: dict[str, tuple[Rule, ...]] = {}
        self.list_fields = {a.field for r in self.rules for a in _atoms(r.when)
                            if a.op in ("contains", "not_contains", "contains_any", "contains_none")}

    def prepare(self, known: Mapping[str, Any]) -> dict[str, Any]:
        """The profile with list fields turned into sets of normalised tokens (once per profile)."""
        out = {k: v for k, v in known.items() if v is not None}
        for name in self.list_fields:
            if name in out:
                out[name] = frozenset(normalise_token(v) for v in out[name])
        return out

    def prepare_value(self, name: str, value: Any) -> Any:
        if name in self.list_fields and value is not None:
            return frozenset(normalise_token(v) for v in value)
        return value

    def dependents(self, name: str) -> tuple[Rule, ...]:
        """Rules whose truth can depend on field ``name``: those testing it, and those building on their facts."""
        cached = self._dependents.get(name)
        if cached is None:
            chosen = {r.id for r in self.rules if any(a.field == name for a in _atoms(r.when))}
            grew = True
            while grew:
                facts = {f for r in self.rules if r.id in chosen for f in r.derive}
                more = {r.id for r in self.rules if r.id not in chosen
                        and any(x.name in facts for x in _facts_used(r.when))}
                chosen |= more
                grew = bool(more)
            cached = self._dependents[name] = tuple(r for r in self.rules if r.id in chosen)
        return cached

    def fire(self, prepared: Mapping[str, Any], rules: Iterable[Rule] | None = None,
             facts: Iterable[str] = (), settle: bool = True) -> dict[str, Truth]:
        """Truth of each rule once no new fact can be derived (see :func:`fire`).

        ``settle=False`` skips marking as undecided the false rules that undecided
        facts might still make true (enough when only the true rules matter).
        """
        pool = self.rules if rules is None else tuple(rules)
        derived: set[str] = set(facts)
        result: dict[str, Truth] = {}
        pending = list(pool)
        changed = True
        while changed:
            changed = False
            still = []
            for rule in pending:
                value = self.checks[rule.id](prepared, derived)
                result[rule.id] = value
                if value is True:
                    if not derived.issuperset(rule.derive):
                        derived.update(rule.derive)
                        changed = True
                else:
                    still.append(rule)
            pending = still
        if not settle:
            return result
        maybe = {f for r in pool if r.derive and result[r.id] is None for f in r.derive} - derived
        while maybe:
            optimistic = derived | maybe
            grown = set()
            for rule in pool:
                if result[rule.id] is False and self.checks[rule.id](prepared, optimistic) is not False:
                    result[rule.id] = None
                    grown.update(set(rule.derive) - optimistic)
            maybe |= grown
            if not grown:
                break
        return result
