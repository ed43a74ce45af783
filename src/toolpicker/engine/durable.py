"""The only module that talks to durable-rules.

The rules are laid out by :mod:`toolpicker._plan` over several durable-rules
rulesets ("groups"), each provably inside durable-rules' limits, in strata: a
rule reading a derived fact runs after every rule that can derive it. An
evaluation asserts one profile fact per group, in order, each in its own
session deleted in a ``finally``; the facts derived by the rules that fired are
added to the profile fact of the later groups (forward chaining across strata).
durable-rules decides every firing.

The work-arounds for durable-rules' pitfalls (../shared/notes/durable-rules.md,
docs/durable-rules-limits.md) all live here or in ``_plan``:

1. "no rule fired" would raise ``MessageNotHandledException`` — and, in a fresh
   ruleset, deleting that session then aborts the process — so every group has a
   catch-all rule with a no-op action;
2. the 1,024-session ceiling: one sid per assertion, always deleted;
3. asserting the same fact twice raises: one fact per session;
4. exceptions inside actions are swallowed by durable-rules: our action wrapper
   records them and :meth:`Engine.run` raises :class:`EngineError`;
5. rulesets cannot be replaced: each is named after a hash of everything that
   defines it (tests, rule ids, the rules' whole content, the layout format);
6. the C core is not thread-safe: every call goes through one process-wide lock;
7. the host's two background dispatcher threads are never started (they raced
   with evaluations and could run an action outside its session);
8. more than 64 matching alpha nodes per fact abort the process, ~500 distinct
   tests hang ruleset creation, 128 next nodes per node fail: groups have at
   most ``_plan.GROUP_NODES`` (48) alpha nodes, counted without sharing;
9. actions take exactly one parameter ``c`` (two would make them asynchronous).

A condition on an unknown field is *unknown*, and a rule fires only when its
condition is certainly true: ``not`` is pushed down to the atoms and every
negative test carries an "exists" guard, so durable-rules' two-valued matching
gives exactly that three-valued meaning.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from durable import engine as _dr

from .._errors import EngineError
from .._i18n import t
from ..knowledge.operators import Test
from ..knowledge.profile import LIST_FIELDS
from ..knowledge.rules import Rule, atoms, facts_used, normalise_token
from .plan import Group, Plan, fact_property, make_plan
from .plan import flag as flag

PROFILE = "profile"
CATCH_ALL = "toolpicker__catch_all"  # not a valid rule id, so it can never clash with one


@dataclass(frozen=True)
class Firing:
    """One rule that fired: its id, the profile facts it matched on, the derived facts it used."""

    rule: str
    facts: dict[str, Any]
    derived: tuple[str, ...] = ()


# ------------------------------------------------------------------ compiling

def _test(test: Test) -> dict[str, Any]:
    op, prop, value = test
    if op == "eq":
        return {prop: value}
    return {f"${op}": {prop: value}}


def compile_group(group: Group) -> dict[str, Any]:
    """The durable-rules definition of one group (``run`` names are resolved by the host)."""
    definition: dict[str, Any] = {}
    for index, term in enumerate(group.terms):
        pattern: dict[str, Any] = {"t": PROFILE}
        if term.tests:
            pattern = {"$and": [{"t": PROFILE}, *(_test(x) for x in term.tests)]}
        definition[f"t{index}"] = {"all": [{"p": pattern}], "run": f"{group.name}:t{index}"}
    # Every profile fact must be handled by some rule: asserting one that matches nothing in a
    # fresh ruleset, then deleting its session, aborts the process ("free(): invalid pointer").
    definition[CATCH_ALL] = {"all": [{"p": {"t": PROFILE}}], "run": f"{group.name}:{CATCH_ALL}", "pri": 1_000_000}
    return definition


# ------------------------------------------------------------------ running

@dataclass
class _Evaluation:
    fired: list[str] = field(default_factory=list)
    error: tuple[str, BaseException] | None = None


GROUP_MEMO = 20_000
"""Group signatures remembered per engine (a few MB); past it, the memory starts afresh."""

_COMPARE: dict[str, Any] = {
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "ex": lambda a, b: True, "nex": lambda a, b: False,
}


def _signature(tests: Sequence[Test], fact: dict[str, Any]) -> tuple[int, ...]:
    """Per test: 0 when its property is absent, else 1 + whether it holds — all a group's firings depend on."""
    out = []
    for op, prop, value in tests:
        if prop not in fact:
            out.append(0)
        else:
            try:
                out.append(2 if _COMPARE[op](fact[prop], value) else 1)
            except TypeError:  # a comparison Python refuses: keep the raw value, so nothing is merged wrongly
                out.append(hash((prop, repr(fact[prop]))) | 4)
    return tuple(out)


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
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def forget_all() -> None:
    """Empty the group memory of every engine of this process (fault-injection tests)."""
    for engine in list(_ENGINES):
        engine.forget()
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


def _make_action(rule_id: str) -> Any:
    def action(c: Any) -> None:  # exactly one parameter: two would make it asynchronous
        evaluation = _CURRENT[-1]
        try:
            evaluation.fired.append(rule_id)
        except Exception as exc:  # noqa: BLE001 - durable-rules would swallow it; we re-raise in run()
            if evaluation.error is None:
                evaluation.error = (rule_id, exc)

    action.__name__ = rule_id
    return action


def _noop(c: Any) -> None:
    """The catch-all rule's action: nothing (the rule only makes every profile fact handled)."""


def register(group: Group) -> None:
    """Create the durable-rules ruleset of a group once per process (same name, same content)."""
    with _LOCK:
        if group.name in _REGISTERED:
            return
        definition = compile_group(group)
        _ACTIONS[f"{group.name}:{CATCH_ALL}"] = _noop
        for index, term in enumerate(group.terms):
            _ACTIONS[f"{group.name}:t{index}"] = _make_action(term.rule)
        try:
            _host().set_rulesets({group.name: definition})
        except Exception as exc:
            raise EngineError(t("engine.failed", detail=str(exc))) from exc
        _REGISTERED.add(group.name)


class Engine:
    """Compiled rulesets: ``run(profile_fields)`` returns the rules durable-rules fired."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = {r.id: r for r in rules}
        self.plan: Plan = make_plan(sorted(rules, key=lambda r: r.id), LIST_FIELDS)
        self.name = "toolpicker_" + hashlib.sha256(
            "\n".join(g.name for g in self.plan.groups).encode()).hexdigest()[:16]
        self._rule_fields = {r.id: sorted({a.field for a in atoms(r.when)}) for r in rules}
        self._rule_facts = {r.id: tuple(sorted({f.name for f in facts_used(r.when)})) for r in rules}
        for group in self.plan.groups:
            register(group)
        self._tests = [tuple(sorted({t for term in g.terms for t in term.tests}, key=repr)) for g in self.plan.groups]
        self._memo: dict[tuple[int, tuple[int, ...]], tuple[str, ...]] = {}
        _ENGINES.add(self)

    @staticmethod
    def fact(group: Group, known: dict[str, Any], derived: Iterable[str] = ()) -> dict[str, Any]:
        """The profile fact asserted into one group: only the properties its tests read."""
        out: dict[str, Any] = {"t": PROFILE}
        for name in group.scalars:
            value = known.get(name)
            if value is not None:
                out[name] = len(value) if isinstance(value, list) else value
        for name, tokens in group.flags:
            value = known.get(name)
            if value is None:
                continue
            present = {normalise_token(v) for v in value}
            for token in tokens:
                if token in present:
                    out[f"{name}__{token}"] = True
        if group.facts:
            have = set(derived)
            for name in group.facts:
                if name in have:
                    out[fact_property(name)] = True
        return out

    def run_group(self, group: Group, fact: dict[str, Any]) -> list[str]:
        """The rule ids durable-rules fires in one group for one fact (sorted, without repeats)."""
        evaluation = _Evaluation()
        with _LOCK:
            sid = str(next(_SIDS))
            fact = {**fact, "sid": sid}
            _CURRENT.append(evaluation)
            host = _host()
            try:
                host.assert_fact(group.name, fact)
            except _dr.MessageNotHandledException:  # pragma: no cover - the catch-all handles every fact
                pass
            except Exception as exc:
                raise EngineError(t("engine.failed", detail=str(exc))) from exc
            finally:
                _CURRENT.pop()
                with contextlib.suppress(Exception):  # a session that was never created
                    host.delete_state(group.name, sid)
        if evaluation.error is not None:
            rule_id, error = evaluation.error
            raise EngineError(t("engine.action_failed", rule=rule_id,
                                detail=f"{type(error).__name__}: {error}")) from error
        return sorted(set(evaluation.fired))

    def run(self, known: dict[str, Any]) -> list[Firing]:
        """Fire the rules on one profile (its answered fields); firings sorted by rule id.

        Each group remembers what durable-rules fired for each *signature* of the fact asserted into it — for
        every test of the group, whether its property is there and whether the test holds: the group's
        firings depend on nothing else. durable-rules decides every signature it has not seen; a signature
        seen before (another profile, another group's share of this one) is answered from memory.
        """
        fired: set[str] = set()
        derived: set[str] = set()
        for index, group in enumerate(self.plan.groups):  # strata in order: a group only reads earlier facts
            fact = self.fact(group, known, derived)
            key = (index, _signature(self._tests[index], fact))
            rule_ids = self._memo.get(key)
            if rule_ids is None:
                rule_ids = tuple(self.run_group(group, fact))
                with _LOCK:
                    if len(self._memo) >= GROUP_MEMO:
                        self._memo.clear()
                    self._memo[key] = rule_ids
            for rule_id in rule_ids:
                fired.add(rule_id)
                derived.update(self.rules[rule_id].derive)
        return [self.firing(rule_id, known) for rule_id in sorted(fired)]

    def forget(self) -> None:
        """Empty the group memory: the next runs ask durable-rules again (fault-injection tests)."""
        with _LOCK:
            self._memo.clear()

    def run_unremembered(self, known: dict[str, Any]) -> list[Firing]:
        """:meth:`run` asking durable-rules for every group (the reference the memo is tested against)."""
        fired: set[str] = set()
        derived: set[str] = set()
        for group in self.plan.groups:
            for rule_id in self.run_group(group, self.fact(group, known, derived)):
                fired.add(rule_id)
                derived.update(self.rules[rule_id].derive)
        return [self.firing(rule_id, known) for rule_id in sorted(fired)]

    def firing(self, rule_id: str, known: dict[str, Any]) -> Firing:
        """The firing of ``rule_id`` on this profile: the values of the fields its condition tests."""
        facts = {f: known[f] for f in self._rule_fields[rule_id] if f in known}
        return Firing(rule=rule_id, facts=facts, derived=self._rule_facts[rule_id])

    def referenced_fields(self) -> Iterable[str]:
        return sorted({a.field for r in self.rules.values() for a in atoms(r.when)})
