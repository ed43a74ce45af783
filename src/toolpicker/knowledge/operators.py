"""The rule language's operators: one entry each, every meaning of an operator side by side.

Each :class:`Operator` declares:

- ``negation`` — the operator meaning its opposite on a known answer (``not``
  is pushed down to the tests, so durable-rules only sees positive tests);
- ``kinds`` — the field kinds it tests (``scalar``: enum, boolean or integer;
  ``int``; ``list``; ``any``), and ``multi`` — its operand is a list of values;
- ``predicate(operand)`` — its truth on a known answer, as a function of the
  answer built once per rule (lists arrive as sets of tokens). The three-valued
  evaluation (:mod:`toolpicker.engine.logic`) adds the rest: a test on an
  unanswered field is *unknown*, except ``known`` itself;
- ``tests(field, operand, flag)`` — its durable-rules compilation: alternatives
  of conjunctions of primitive tests (``("eq", property, value)``, ``ex``/``nex``
  for a property that exists or not) on the fact durable-rules sees, where
  ``flag(field, value)`` names the property saying a list field holds a value
  (:mod:`toolpicker.engine.plan`);
- ``narrow(domain, operand)`` — what it leaves possible of a field's answers
  (:class:`Domain`, the static analysis' satisfiability);
- ``wording`` — how people read it: a symbol (``≥``) or the key of a sentence
  in ``locale/*.yaml`` (``explain.op_contains``);
- ``answers(operand)`` — the answers worth trying to tell it apart (the
  ``missing`` questions: a threshold and its neighbours, the values it names).

Adding an operator is adding one entry to :data:`OPERATORS` (and, for a worded
one, its sentence in the locale files); a test checks that every entry is
consistent (negation of negation, truth of the negation, durable-rules agrees).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Test = tuple[str, str, Any]
"""A primitive durable-rules test: (operator, property, value) — ``eq neq lt lte gt gte ex nex``."""
Flag = Callable[[str, object], str]


def _values(operand: Any) -> tuple[Any, ...]:
    return operand if isinstance(operand, tuple) else (operand,)


@dataclass
class Domain:
    """The answers a field can still take under some tests (for satisfiability)."""

    low: float = float("-inf")
    high: float = float("inf")
    allowed: set[Any] | None = None
    """Values still allowed (``None``: any); for enums and booleans, the whole domain to start with."""
    excluded: set[Any] = field(default_factory=set)
    required: set[Any] = field(default_factory=set)
    """List fields: values the list must hold; ``groups``: at least one of each."""
    groups: list[set[Any]] = field(default_factory=list)
    unanswered: bool = False
    """``known: false`` — satisfiable only if no other test needs an answer."""
    tested: bool = False
    """Some test needs an answer."""

    def answered(self) -> None:
        self.tested = True

    def left_unanswered(self) -> None:
        self.unanswered = True

    def keep(self, values: Iterable[Any]) -> None:
        self.allowed = set(values) if self.allowed is None else self.allowed & set(values)
        self.tested = True

    def drop(self, values: Iterable[Any]) -> None:
        self.excluded |= set(values)
        self.tested = True

    def at_least(self, bound: float) -> None:
        self.low, self.tested = max(self.low, bound), True

    def at_most(self, bound: float) -> None:
        self.high, self.tested = min(self.high, bound), True

    def require(self, values: Iterable[Any], any_of: bool = False) -> None:
        if any_of:
            self.groups.append(set(values))
        else:
            self.required |= set(values)
        self.tested = True

    def satisfiable(self) -> bool:
        if self.unanswered:
            return not self.tested
        if self.low > self.high:
            return False
        if self.required & self.excluded or any(not (g - self.excluded) for g in self.groups):
            return False
        if self.allowed is not None:
            return any(self.low <= x <= self.high for x in self.allowed - self.excluded) \
                if all(isinstance(x, int) and not isinstance(x, bool) for x in self.allowed) \
                else bool(self.allowed - self.excluded)
        if self.low == float("-inf") and self.high == float("inf"):
            return True
        span = self.high - self.low + 1
        return span > len({x for x in self.excluded if isinstance(x, int) and self.low <= x <= self.high})


@dataclass(frozen=True)
class Operator:
    """One operator of the rule language, with every meaning it has in toolpicker."""

    name: str
    negation: str
    kinds: str
    """``scalar`` (enum, boolean, integer), ``int``, ``list`` or ``any``."""
    multi: bool
    predicate: Callable[[Any], Callable[[Any], bool]]
    tests: Callable[[str, Any, Flag], list[tuple[Test, ...]]]
    narrow: Callable[[Domain, Any], None]
    wording: Callable[[Any], str]
    """For an operand: a symbol (``≥``), or a message key of ``locale/*.yaml`` (``{field}``, ``{value}``)."""
    answers: Callable[[Any], set[Any]]


def _nothing(_operand: Any) -> set[Any]:
    return set()


def _named(operand: Any) -> set[Any]:
    return set(_values(operand))


def _around(operand: Any) -> set[Any]:
    return {operand - 1, operand, operand + 1}


def _outside(operand: Any) -> Callable[[Any], bool]:
    values = frozenset(operand)
    return lambda answer: answer not in values


def _meets(operand: Any) -> Callable[[Any], bool]:
    values = frozenset(operand)
    return lambda answer: not values.isdisjoint(answer)


def _misses(operand: Any) -> Callable[[Any], bool]:
    values = frozenset(operand)
    return lambda answer: values.isdisjoint(answer)


def _word(text: str) -> Callable[[Any], str]:
    return lambda _operand: text


OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("known", "known", "any", False,
             predicate=lambda operand: lambda answer: answer is not None,
             tests=lambda f, operand, _flag: [(("ex", f, 1),)] if operand else [(("nex", f, 1),)],
             narrow=lambda d, operand: d.answered() if operand else d.left_unanswered(),
             wording=lambda operand: "explain.known" if operand else "explain.unknown", answers=_nothing),
    Operator("equals", "not_equals", "scalar", False,
             predicate=lambda operand: lambda answer: answer == operand,
             tests=lambda f, operand, _flag: [(("eq", f, operand),)],
             narrow=lambda d, operand: d.keep({operand}), wording=_word("="), answers=_named),
    Operator("not_equals", "equals", "scalar", False,
             predicate=lambda operand: lambda answer: answer != operand,
             tests=lambda f, operand, _flag: [(("ex", f, 1), ("neq", f, operand))],
             narrow=lambda d, operand: d.drop({operand}), wording=_word("≠"), answers=_named),
    Operator("in", "not_in", "scalar", True,
             predicate=lambda operand: frozenset(operand).__contains__,
             tests=lambda f, operand, _flag: [(("eq", f, x),) for x in operand],
             narrow=lambda d, operand: d.keep(operand), wording=_word("explain.op_in"), answers=_named),
    Operator("not_in", "in", "scalar", True,
             predicate=_outside,
             tests=lambda f, operand, _flag: [(("ex", f, 1), *(("neq", f, x) for x in operand))],
             narrow=lambda d, operand: d.drop(operand), wording=_word("explain.op_not_in"), answers=_named),
    Operator("lt", "gte", "int", False,
             predicate=lambda operand: lambda answer: answer < operand,
             tests=lambda f, operand, _flag: [(("lt", f, operand),)],
             narrow=lambda d, operand: d.at_most(operand - 1), wording=_word("<"), answers=_around),
    Operator("lte", "gt", "int", False,
             predicate=lambda operand: lambda answer: answer <= operand,
             tests=lambda f, operand, _flag: [(("lte", f, operand),)],
             narrow=lambda d, operand: d.at_most(operand), wording=_word("≤"), answers=_around),
    Operator("gt", "lte", "int", False,
             predicate=lambda operand: lambda answer: answer > operand,
             tests=lambda f, operand, _flag: [(("gt", f, operand),)],
             narrow=lambda d, operand: d.at_least(operand + 1), wording=_word(">"), answers=_around),
    Operator("gte", "lt", "int", False,
             predicate=lambda operand: lambda answer: answer >= operand,
             tests=lambda f, operand, _flag: [(("gte", f, operand),)],
             narrow=lambda d, operand: d.at_least(operand), wording=_word("≥"), answers=_around),
    Operator("contains", "not_contains", "list", False,
             predicate=lambda operand: lambda answer: operand in answer,
             tests=lambda f, operand, flag: [(("eq", flag(f, operand), True),)],
             narrow=lambda d, operand: d.require({operand}), wording=_word("explain.op_contains"), answers=_named),
    Operator("not_contains", "contains", "list", False,
             predicate=lambda operand: lambda answer: operand not in answer,
             tests=lambda f, operand, flag: [(("ex", f, 1), ("nex", flag(f, operand), 1))],
             narrow=lambda d, operand: d.drop({operand}), wording=_word("explain.op_not_contains"), answers=_named),
    Operator("contains_any", "contains_none", "list", True,
             predicate=_meets,
             tests=lambda f, operand, flag: [(("eq", flag(f, x), True),) for x in operand],
             narrow=lambda d, operand: d.require(operand, any_of=True), wording=_word("explain.op_contains_any"),
             answers=_named),
    Operator("contains_none", "contains_any", "list", True,
             predicate=_misses,
             tests=lambda f, operand, flag: [(("ex", f, 1), *(("nex", flag(f, x), 1) for x in operand))],
             narrow=lambda d, operand: d.drop(operand), wording=_word("explain.op_contains_none"), answers=_named),
)}
"""Every operator of the rule language, by name."""

SCALAR_OPS = tuple(n for n, op in OPERATORS.items() if op.kinds in ("scalar", "int"))
LIST_OPS = tuple(n for n, op in OPERATORS.items() if op.kinds == "list")
NUMERIC_OPS = tuple(n for n, op in OPERATORS.items() if op.kinds == "int")
MULTI_OPS = tuple(n for n, op in OPERATORS.items() if op.multi)


def applies(op: str, kind: str) -> bool:
    """Whether operator ``op`` may test a field of this kind (``bool int enum str list_enum list_str``)."""
    wanted = OPERATORS[op].kinds
    if wanted == "any":
        return True
    if wanted == "list":
        return kind.startswith("list")
    if wanted == "int":
        return kind == "int"
    return not kind.startswith("list")
