"""How the rules are laid out over durable-rules rulesets, provably inside its limits.

durable-rules 2.0.28 has hard limits that no Python ``try`` can catch (see
``docs/durable-rules-limits.md``); the worst one aborts the process when more
than 64 alpha nodes of one ruleset match one fact. So the rules are never
compiled into one big ruleset. Instead:

1. every rule condition is put into disjunctive normal form over *primitive
   tests* — the tests durable-rules evaluates: ``eq neq lt lte gt gte`` on a
   fact property, ``ex``/``nex`` (the property exists / does not), where a
   derived fact ``x`` is the property ``fact__x`` and a list value ``v`` of
   field ``f`` the property ``f__v``. Each conjunction (a *term*) becomes one
   durable-rules rule; the rule fires when one of its terms fires;
2. rules are *stratified* by the facts they use: a rule using fact ``x`` sits
   in a later stratum than every rule deriving ``x`` (a cycle is refused by the
   loader), so derived facts are known before any rule that reads them runs;
3. within a stratum, terms are packed into *groups* whose alpha network has at
   most :data:`GROUP_NODES` nodes, counted without any sharing (one per test,
   plus one per term). Every node is pushed at most once per fact, so at most
   :data:`GROUP_NODES` can match: below the 64 measured, whatever the profile.
   The same bound keeps a group below every other known limit (128 next nodes
   per node, ~500 distinct tests per ruleset, 255 properties per fact).

Each group is one durable-rules ruleset, named after a hash of everything that
defines it (its terms and the full content of its rules). This module does not
import durable-rules: ``check`` uses it to prove the bounds, the engine to
compile.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..knowledge.operators import OPERATORS, Test
from ..knowledge.rules import AnyOf, Atom, Condition, FactRef, Not, Rule, facts_used, normalise_token, to_nnf

FORMAT = 2
"""Bumped whenever the compilation changes, so a new layout never reuses an old ruleset name."""

MATCH_LIMIT = 64
"""durable-rules 2.0.28: at most 64 alpha nodes of one ruleset may match one fact (65 aborts the process)."""
GROUP_NODES = 48
"""Our bound on the alpha nodes of one ruleset (a margin below :data:`MATCH_LIMIT`)."""
TERM_TESTS = GROUP_NODES - 1
"""At most this many tests in one conjunction (so that one term always fits in a group)."""
RULE_TERMS = 256
"""At most this many conjunctions per rule (``all`` of several ``any`` multiplies them)."""


Flags = tuple[tuple[str, tuple[str, ...]], ...]
"""(list field, tokens) pairs."""

def flag(field_name: str, value: object) -> str:
    """The fact property that says a list field contains ``value``."""
    return f"{field_name}__{normalise_token(value)}"


def fact_property(name: str) -> str:
    """The fact property that says a derived fact holds."""
    return f"fact__{name}"


class TooComplex(ValueError):
    """A rule whose condition cannot be laid out within durable-rules' limits."""

    def __init__(self, code: str, count: int, limit: int) -> None:
        super().__init__(code)
        self.code, self.count, self.limit = code, count, limit


def _atom_terms(a: Atom) -> list[tuple[Test, ...]]:
    """An atom (in NNF) as alternatives of conjunctions of primitive tests (the operator table's compilation)."""
    return OPERATORS[a.op].tests(a.field, a.value, flag)


def _terms(cond: Condition) -> list[tuple[Test, ...]]:
    if isinstance(cond, Atom):
        return _atom_terms(cond)
    if isinstance(cond, FactRef):
        return [(("eq", fact_property(cond.name), True),)]
    if isinstance(cond, Not):  # pragma: no cover - callers pass NNF conditions
        raise ValueError("not in NNF")
    parts = [_terms(c) for c in cond.items]
    if isinstance(cond, AnyOf):
        out = [t for p in parts for t in p]
        if len(out) > RULE_TERMS:
            raise TooComplex("rule_too_many_terms", len(out), RULE_TERMS)
        return out
    product: list[tuple[Test, ...]] = [()]
    for p in parts:
        if len(product) * len(p) > RULE_TERMS:
            raise TooComplex("rule_too_many_terms", len(product) * len(p), RULE_TERMS)
        product = [a + b for a in product for b in p]
    return product


def rule_terms(rule: Rule) -> list[tuple[Test, ...]]:
    """The conjunctions of primitive tests of a rule, each without repeated tests (raises :class:`TooComplex`)."""
    if rule.when is None:
        return [()]
    out = []
    for term in _terms(to_nnf(rule.when)):
        unique = tuple(dict.fromkeys(term))
        if len(unique) > TERM_TESTS:
            raise TooComplex("term_too_many_tests", len(unique), TERM_TESTS)
        out.append(unique)
    return list(dict.fromkeys(out))


def strata(rules: Sequence[Rule]) -> list[list[Rule]]:
    """Rules by stratum: a rule comes after every rule deriving a fact it uses.

    Raises :class:`FactCycle` naming the rules of a cycle (a fact that, through
    other rules, depends on itself).
    """
    derivers: dict[str, list[str]] = {}
    for r in rules:
        for name in r.derive:
            derivers.setdefault(name, []).append(r.id)
    by_id = {r.id: r for r in rules}
    level: dict[str, int] = {}
    visiting: list[str] = []

    def depth(rid: str) -> int:
        if rid in level:
            return level[rid]
        if rid in visiting:
            raise FactCycle([*visiting[visiting.index(rid):], rid])
        visiting.append(rid)
        deps = [d for f in sorted({x.name for x in facts_used(by_id[rid].when)}) for d in derivers.get(f, [])]
        value = 1 + max((depth(d) for d in deps), default=-1)
        visiting.pop()
        level[rid] = value
        return value

    for r in sorted(rules, key=lambda r: r.id):
        depth(r.id)
    out: list[list[Rule]] = [[] for _ in range(1 + max(level.values(), default=-1))]
    for r in sorted(rules, key=lambda r: r.id):
        out[level[r.id]].append(r)
    return out


class FactCycle(ValueError):
    """Rules whose derived facts depend on themselves."""

    def __init__(self, rules: list[str]) -> None:
        super().__init__(" → ".join(rules))
        self.rules = rules


@dataclass(frozen=True)
class Term:
    """One conjunction of one rule: a durable-rules rule of its own."""

    rule: str
    tests: tuple[Test, ...]

    @property
    def nodes(self) -> int:
        """Alpha nodes it needs at most: one per test, and one for the type test that starts every term."""
        return len(self.tests) + 1


@dataclass(frozen=True)
class Group:
    """One durable-rules ruleset: terms of one stratum, at most :data:`GROUP_NODES` alpha nodes in all."""

    level: int
    terms: tuple[Term, ...]
    name: str = ""
    scalars: tuple[str, ...] = ()
    """Profile fields (scalar, or list lengths) the tests read."""
    flags: Flags = ()
    """(list field, tokens) whose presence the tests read."""
    facts: tuple[str, ...] = ()
    """Derived facts the tests read."""

    @property
    def nodes(self) -> int:
        return sum(t.nodes for t in self.terms)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.rule for t in self.terms))


@dataclass(frozen=True)
class Plan:
    """Every group, in the order they must run (strata first)."""

    groups: tuple[Group, ...]
    levels: int
    rules: int
    list_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def max_nodes(self) -> int:
        return max((g.nodes for g in self.groups), default=0)

    def summary(self) -> dict[str, int]:
        return {"rules": self.rules, "rulesets": len(self.groups), "strata": self.levels,
                "max_nodes": self.max_nodes, "node_limit": GROUP_NODES, "match_limit": MATCH_LIMIT}


def _fields_of(terms: Iterable[Term], list_fields: frozenset[str]) -> tuple[tuple[str, ...], Flags, tuple[str, ...]]:
    scalars: set[str] = set()
    flags: dict[str, set[str]] = {}
    facts: set[str] = set()
    for term in terms:
        for _op, prop, _value in term.tests:
            if prop.startswith("fact__"):
                facts.add(prop[len("fact__"):])
            elif "__" in prop and prop.split("__", 1)[0] in list_fields:
                name, token = prop.split("__", 1)
                flags.setdefault(name, set()).add(token)
            else:
                scalars.add(prop)
    return (tuple(sorted(scalars)), tuple((k, tuple(sorted(v))) for k, v in sorted(flags.items())),
            tuple(sorted(facts)))


def _name(level: int, terms: tuple[Term, ...], rules: dict[str, Rule]) -> str:
    payload = {
        "format": FORMAT, "level": level,
        "terms": [[t.rule, [list(x) for x in t.tests]] for t in terms],
        "rules": [rules[rid].model_dump(mode="json") for rid in sorted({t.rule for t in terms})],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return "toolpicker_" + hashlib.sha256(text.encode()).hexdigest()[:20]


def make_plan(rules: Sequence[Rule], list_fields: Iterable[str]) -> Plan:
    """Lay the rules out in groups (raises :class:`FactCycle` or :class:`TooComplex`)."""
    lists = frozenset(list_fields)
    by_id = {r.id: r for r in rules}
    groups: list[Group] = []
    layers = strata(rules)
    for level, layer in enumerate(layers):
        # Rules reading the same fields sit together: fewer properties per fact, and groups whose
        # answers change together (what a per-group memo wants).
        ordered = sorted(layer, key=lambda r: (_field_key(r, lists), r.id))
        current: list[Term] = []
        used = 0
        for rule in ordered:
            for tests in rule_terms(rule):
                term = Term(rule.id, tests)
                if current and used + term.nodes > GROUP_NODES:
                    groups.append(_group(level, tuple(current), by_id, lists))
                    current, used = [], 0
                current.append(term)
                used += term.nodes
        if current:
            groups.append(_group(level, tuple(current), by_id, lists))
    return Plan(groups=tuple(groups), levels=len(layers), rules=len(rules), list_fields=lists)


def _field_key(rule: Rule, lists: frozenset[str]) -> tuple[str, ...]:
    from ..knowledge.rules import atoms

    return tuple(sorted({a.field for a in atoms(rule.when)} | {f"~{f.name}" for f in facts_used(rule.when)}))


def _group(level: int, terms: tuple[Term, ...], rules: dict[str, Rule], lists: frozenset[str]) -> Group:
    scalars, flags, facts = _fields_of(terms, lists)
    return Group(level=level, terms=terms, name=_name(level, terms, rules), scalars=scalars, flags=flags,
                 facts=facts)
