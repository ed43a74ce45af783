"""The only module that talks to durable-rules.

Rules are compiled into one durable-rules ruleset named after a hash of their
content (a changed knowledge base gets a new name; the same one is reused).
Each evaluation asserts one profile fact in its own session, lets durable-rules
fire the rules (derived facts are asserted back, so rules can build on other
rules' conclusions: forward chaining), and deletes the session in a ``finally``.

The work-arounds for durable-rules' pitfalls (../shared/notes/durable-rules.md)
all live here:

1. "no rule fired" would raise ``MessageNotHandledException`` — and, in a fresh
   ruleset, deleting that session then aborts the process — so a catch-all rule
   with a no-op action handles every profile fact, and a derived fact that no
   rule builds on is never asserted;
2. the 1,024-session ceiling: one sid per evaluation, always deleted;
3. asserting the same derived fact twice raises: derived facts are de-duplicated
   per session before being asserted;
4. exceptions inside actions are swallowed by durable-rules: our action wrapper
   records them and :meth:`Engine.run` raises :class:`EngineError`;
5. rulesets cannot be replaced: named after a content hash;
6. the C core is not thread-safe: every call goes through one process-wide lock;
7. the host's two background dispatcher threads are never started (they raced
   with evaluations and could run an action outside its session);
9. actions take exactly one parameter ``c`` (two would make them asynchronous).

A condition on an unknown field is *unknown*, and a rule fires only when its
condition is certainly true. ``not`` is pushed down to the atoms and every
atom on a field carries an "exists" guard, so durable-rules' two-valued
matching gives exactly that three-valued meaning.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from durable import engine as _dr

from ._errors import EngineError
from ._i18n import t
from .rules import All, Atom, Condition, FactRef, Not, Rule, atoms, facts_used, normalise_token, to_nnf

PROFILE = "profile"
FACT = "fact"
CATCH_ALL = "toolpicker__catch_all"  # not a valid rule id, so it can never clash with one


@dataclass(frozen=True)
class Firing:
    """One rule that fired: its id, the profile facts it matched on, the derived facts it used."""

    rule: str
    facts: dict[str, Any]
    derived: tuple[str, ...] = ()


def flag(field_name: str, value: object) -> str:
    """The fact property that says a list field contains ``value``."""
    return f"{field_name}__{normalise_token(value)}"


# ------------------------------------------------------------------ compiling

def _exists(name: str) -> dict[str, Any]:
    return {"$ex": {name: 1}}


def _atom(a: Atom) -> dict[str, Any]:
    f, op, v = a.field, a.op, a.value
    if op == "known":
        return _exists(f) if v else {"$nex": {f: 1}}
    if op == "equals":
        return {f: v}
    if op == "not_equals":
        return {"$and": [_exists(f), {"$neq": {f: v}}]}
    if op == "in":
        return {"$or": [{f: x} for x in v]} if len(v) > 1 else {f: v[0]}
    if op == "not_in":
        return {"$and": [_exists(f), *({"$neq": {f: x}} for x in v)]}
    if op in ("lt", "lte", "gt", "gte"):
        return {f"${op}": {f: v}}
    if op == "contains":
        return {flag(f, v): True}
    if op == "contains_any":
        return {"$or": [{flag(f, x): True} for x in v]} if len(v) > 1 else {flag(f, v[0]): True}
    if op == "not_contains":
        return {"$and": [_exists(f), {"$nex": {flag(f, v): 1}}]}
    if op == "contains_none":
        return {"$and": [_exists(f), *({"$nex": {flag(f, x): 1}} for x in v)]}
    raise ValueError(op)  # pragma: no cover - the loader only lets known operators through


def _expr(cond: Condition) -> dict[str, Any] | None:
    """durable-rules expression of an NNF condition with facts removed (None = always true)."""
    if isinstance(cond, Atom):
        return _atom(cond)
    if isinstance(cond, FactRef):
        return None
    if isinstance(cond, Not):  # pragma: no cover - callers pass NNF conditions
        raise ValueError("not in NNF")
    parts = [e for e in (_expr(c) for c in cond.items) if e is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return {"$and" if isinstance(cond, All) else "$or": parts}


def compile_rule(rule: Rule) -> dict[str, Any]:
    """The durable-rules definition of one rule (``run`` is resolved by the host)."""
    nnf = to_nnf(rule.when) if rule.when is not None else None
    expr = _expr(nnf) if nnf is not None else None
    profile_pattern: dict[str, Any] = {"t": PROFILE}
    if expr is not None:
        profile_pattern = {"$and": [{"t": PROFILE}, expr]}
    patterns: list[dict[str, Any]] = [{"p": profile_pattern}]
    for i, fact in enumerate(sorted({f.name for f in facts_used(rule.when)})):
        patterns.append({f"f{i}": {"$and": [{"t": FACT}, {"name": fact}]}})
    return {"all": patterns, "run": rule.id}


# ------------------------------------------------------------------ running

@dataclass
class _Evaluation:
    fired: list[str] = field(default_factory=list)
    derived: set[str] = field(default_factory=set)
    error: tuple[str, BaseException] | None = None


class _Host(_dr.Host):  # type: ignore[misc]
    """One durable-rules host per process; actions are looked up in :data:`_ACTIONS`.

    ``Host()`` normally starts two timer threads that call ``start_action`` and
    ``assert_timers`` on every ruleset every 0.2 s, outside any lock. Our rules
    use no timers and every action runs synchronously inside ``assert_fact``, so
    those threads only race with evaluations (seen here as "Could not complete and
    start action, error code: 307" and actions run outside their session):
    ``_run`` is overridden so they never start.
    """

    def get_action(self, action_name: str) -> Any:
        return _ACTIONS[action_name]

    def _run(self) -> None:
        """Start no background dispatcher (see the class docstring)."""


_LOCK = threading.RLock()
_ACTIONS: dict[str, Any] = {}
_REGISTERED: set[str] = set()
_HOST: _Host | None = None
_CURRENT: list[_Evaluation] = []
_SIDS = itertools.count(1)


def _host() -> _Host:
    global _HOST
    if _HOST is None:
        _HOST = _Host()
    return _HOST


def _make_action(ruleset: str, rule_id: str, derives: tuple[str, ...], used: frozenset[str]) -> Any:
    def action(c: Any) -> None:  # exactly one parameter: two would make it asynchronous
        evaluation = _CURRENT[-1]
        try:
            evaluation.fired.append(rule_id)
            for name in derives:
                if name not in evaluation.derived:
                    evaluation.derived.add(name)
                    if name in used:  # a fact no rule builds on is never asserted (it would not be handled)
                        c.assert_fact({"t": FACT, "name": name})
        except Exception as exc:  # noqa: BLE001 - durable-rules would swallow it; we re-raise in run()
            if evaluation.error is None:
                evaluation.error = (rule_id, exc)

    action.__name__ = f"{ruleset}:{rule_id}"
    return action


def _noop(c: Any) -> None:
    """The catch-all rule's action: nothing (the rule only makes every profile fact handled)."""


class Engine:
    """A compiled ruleset: ``run(profile_fields)`` returns the rules durable-rules fired."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = {r.id: r for r in rules}
        definition = {r.id: compile_rule(r) for r in sorted(rules, key=lambda r: r.id)}
        # Every profile fact must be handled by some rule: asserting one that matches nothing in a
        # fresh ruleset, then deleting its session, aborts the process ("free(): invalid pointer").
        definition[CATCH_ALL] = {"all": [{"p": {"t": PROFILE}}], "run": CATCH_ALL, "pri": 1_000_000}
        payload = json.dumps(definition, sort_keys=True, ensure_ascii=False, default=list)
        self.name = "toolpicker_" + hashlib.sha256(payload.encode()).hexdigest()[:16]
        self.definition = definition
        self._fields: dict[str, set[str]] = {}
        for rule in rules:
            for a in atoms(rule.when):
                entry = self._fields.setdefault(a.field, set())
                if a.op in ("contains", "not_contains", "contains_any", "contains_none"):
                    entry.update(normalise_token(v) for v in (a.value if isinstance(a.value, tuple) else [a.value]))
        self._rule_fields = {r.id: sorted({a.field for a in atoms(r.when)}) for r in rules}
        self._rule_facts = {r.id: tuple(sorted({f.name for f in facts_used(r.when)})) for r in rules}
        used = frozenset(f.name for r in rules for f in facts_used(r.when))
        with _LOCK:
            if self.name not in _REGISTERED:
                _ACTIONS[f"{self.name}:{CATCH_ALL}"] = _noop
                for rule in rules:
                    _ACTIONS[f"{self.name}:{rule.id}"] = _make_action(self.name, rule.id, rule.derive, used)
                named = {rid: {**d, "run": f"{self.name}:{rid}"} for rid, d in definition.items()}
                if named:
                    _host().set_rulesets({self.name: named})
                _REGISTERED.add(self.name)

    def fact(self, known: dict[str, Any]) -> dict[str, Any]:
        """The profile fact asserted into durable-rules: only the fields rules look at."""
        out: dict[str, Any] = {"t": PROFILE}
        for name, tokens in self._fields.items():
            if name not in known:
                continue
            value = known[name]
            if isinstance(value, list):
                out[name] = len(value)
                present = {normalise_token(v) for v in value}
                for token in sorted(tokens & present):
                    out[f"{name}__{token}"] = True
            else:
                out[name] = value
        return out

    def run(self, known: dict[str, Any]) -> list[Firing]:
        """Fire the rules on one profile (its answered fields); firings sorted by rule id."""
        if not self.rules:
            return []
        fact = self.fact(known)
        evaluation = _Evaluation()
        with _LOCK:
            sid = str(next(_SIDS))
            fact["sid"] = sid
            _CURRENT.append(evaluation)
            host = _host()
            try:
                host.assert_fact(self.name, fact)
            except _dr.MessageNotHandledException:
                pass  # no rule matched this profile: a normal outcome
            except Exception as exc:
                raise EngineError(t("engine.failed", detail=str(exc))) from exc
            finally:
                _CURRENT.pop()
                with contextlib.suppress(Exception):  # a session that was never created
                    host.delete_state(self.name, sid)
        if evaluation.error is not None:
            rule_id, error = evaluation.error
            raise EngineError(t("engine.action_failed", rule=rule_id,
                                detail=f"{type(error).__name__}: {error}")) from error
        return [self.firing(rule_id, known) for rule_id in sorted(set(evaluation.fired))]

    def firing(self, rule_id: str, known: dict[str, Any]) -> Firing:
        """The firing of ``rule_id`` on this profile: the values of the fields its condition tests."""
        facts = {f: known[f] for f in self._rule_fields[rule_id] if f in known}
        return Firing(rule=rule_id, facts=facts, derived=self._rule_facts[rule_id])

    def referenced_fields(self) -> Iterable[str]:
        return sorted(self._fields)
