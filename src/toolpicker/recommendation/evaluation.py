"""One evaluation of one profile: what fired, what scored, what was excluded, which solutions fit.

Everything toolpicker says about a profile — the recommendation, ``missing``,
``explain``, near-misses, scenarios, the interview — reads an
:class:`Evaluation`, so two features can never disagree about what fired or
what scored (``missing`` once counted solutions of a category a rule had
excluded). durable-rules decides which rules fire (:mod:`toolpicker.engine`);
the aggregation below turns firings into scores:

- an item's score adds the weights of the rules recommending it with
  diminishing returns — the heaviest counts fully, the next one half, the
  third a third… — and subtracts every ``discourage`` weight: five rules
  nudging a generic item (training, say) no longer outweigh one strong, specific
  reason (an SIAE's project ownership support); each ``exclude`` removes the item
  unless a recommending rule has a strictly higher ``priority``; items whose score
  is not positive are not recommended;
- a warning is kept unless it is ``about`` an item that ends up not recommended;
- solutions are matched to the recommended categories (:mod:`toolpicker.matching`),
  with the licensing and delivery verdicts and the derived facts as context.

Reasons are typed :class:`~toolpicker.result.Reason` records from the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .._i18n import pick
from ..engine.durable import Engine, Firing
from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import Eligibility, FundingRoute, Provider, valid_on
from ..knowledge.profile import Profile
from .matching import Context, Scored, context_tools, match_solutions
from .result import Reason


@dataclass
class ItemScore:
    """An item's aggregated score and reasons."""

    reasons: list[Reason] = field(default_factory=list)
    best_priority: int | None = None
    top_rule: tuple[float, str] | None = None
    pushes: list[float] = field(default_factory=list)
    brakes: float = 0.0

    @property
    def score(self) -> float:
        """Recommending weights with diminishing returns (w1 + w2/2 + w3/3…), minus discouraging ones."""
        ranked = sorted(self.pushes, reverse=True)
        return round(sum(w / rank for rank, w in enumerate(ranked, start=1)) - self.brakes, 4)

    @property
    def top(self) -> str:
        """The rule that weighs most in the item (first id on equal weights)."""
        return self.top_rule[1] if self.top_rule is not None else (self.reasons[0].rule if self.reasons else "")


def eligible(eligibility: Eligibility | None, known: Mapping[str, Any]) -> bool:
    """False only when a known answer rules the profile out (unknown never excludes), except ``sectors`` and
    ``activities``: a sector's own funder is named only once the sector (the kind of structure) is known."""
    if eligibility is None:
        return True
    form = known.get("legal_form")
    if eligibility.legal_forms is not None and form is not None and form not in eligibility.legal_forms:
        return False
    employees = known.get("employees")
    if employees is not None:
        if eligibility.min_employees is not None and employees < eligibility.min_employees:
            return False
        if eligibility.max_employees is not None and employees > eligibility.max_employees:
            return False
    sector, activity = known.get("sector"), known.get("activity")
    if eligibility.activities is not None and (activity is not None or eligibility.sectors is None):
        if activity not in eligibility.activities:  # the kind of structure decides once it is known
            return False
    elif eligibility.sectors is not None and sector not in eligibility.sectors:  # unknown: not a sector's funder
        return False
    if eligibility.excluded_sectors is not None and sector in eligibility.excluded_sectors:
        return False
    if eligibility.international is not None and known.get("international") != eligibility.international:
        return False
    siae = known.get("siae")
    return not (eligibility.siae is not None and siae is not None and siae != eligibility.siae)


def route_verdict(route: FundingRoute, known: Mapping[str, Any], as_of: dt.date) -> tuple[str | None, list[Provider]]:
    """(why the route is out — a ``match.*`` message key — or None, its providers valid and open to the profile)."""
    providers = [p for p in route.providers
                 if valid_on(p.valid_from or route.valid_from, p.valid_until or route.valid_until, as_of)
                 and eligible(p.eligible, known)]
    if not valid_on(route.valid_from, route.valid_until, as_of):
        return "route_expired", providers
    if not eligible(route.eligible, known):
        return "route_ineligible", providers
    if route.providers and not providers:
        return "route_no_provider", providers
    return None, providers




def engine_for(kb: KnowledgeBase) -> Engine:
    """The compiled durable-rules engine of a knowledge base (built once)."""
    engine: Engine = kb.cached("engine", lambda: Engine(kb.rules))
    return engine


def _reason(kb: KnowledgeBase, firing: Firing, because: Mapping[str, str], effect: str, weight: float) -> Reason:
    rule = kb.rule_index[firing.rule]
    return Reason.model_construct(rule=rule.id, because=pick(because), source=rule.source, effect=effect,
                                  weight=weight, facts=dict(firing.facts))


@dataclass(frozen=True)
class Aggregate:
    items: dict[str, ItemScore]
    excluded: dict[str, list[Reason]]
    warnings: dict[str, list[Reason]]
    messages: dict[str, str]


def aggregate(kb: KnowledgeBase, firings: list[Firing]) -> Aggregate:
    """Scores and reasons per item, exclusions, warnings (by id) of a set of firings."""
    items: dict[str, ItemScore] = {}
    exclusions: dict[str, tuple[int, list[Reason]]] = {}
    warned: dict[str, list[tuple[str | None, Reason]]] = {}
    messages: dict[str, str] = {}
    for firing in firings:
        rule = kb.rule_index[firing.rule]
        for effect in rule.recommend:
            acc = items.setdefault(effect.item, ItemScore())
            acc.pushes.append(effect.weight)
            acc.reasons.append(_reason(kb, firing, effect.because, "recommend", effect.weight))
            acc.best_priority = rule.priority if acc.best_priority is None else max(acc.best_priority, rule.priority)
            candidate = (-effect.weight, rule.id)  # heaviest rule first, then the first id
            if acc.top_rule is None or candidate < acc.top_rule:
                acc.top_rule = candidate
        for effect in rule.discourage:
            acc = items.setdefault(effect.item, ItemScore())
            acc.brakes += effect.weight
            acc.reasons.append(_reason(kb, firing, effect.because, "discourage", -effect.weight))
        for effect in rule.exclude:
            priority, reasons = exclusions.get(effect.item, (rule.priority, []))
            reasons.append(_reason(kb, firing, effect.because, "exclude", 0.0))
            exclusions[effect.item] = (max(priority, rule.priority), reasons)
        for warning in rule.warn:
            messages.setdefault(warning.id, pick(warning.message))
            warned.setdefault(warning.id, []).append((warning.about, _reason(kb, firing, warning.message, "warn", 0.0)))
    excluded: dict[str, list[Reason]] = {}
    for item, (priority, reasons) in exclusions.items():
        kept = items.get(item)
        if kept is not None and kept.best_priority is not None and kept.best_priority > priority:
            continue  # a more important rule keeps it
        items.pop(item, None)
        excluded[item] = reasons
    recommended = {i for i, acc in items.items() if acc.score > 0}
    warnings = {wid: [r for about, r in pairs if about is None or about in recommended]
                for wid, pairs in warned.items()}
    return Aggregate(items=items, excluded=excluded, warnings={w: r for w, r in warnings.items() if r},
                     messages=messages)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """durable-rules' firings on one profile and everything derived from them, computed once."""

    kb: KnowledgeBase
    profile: Profile
    known: dict[str, Any]
    """The answered fields as rules see them (aliases of ``current_tools`` applied)."""
    as_of: dt.date
    firings: tuple[Firing, ...]

    @cached_property
    def fired(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.firings)

    @cached_property
    def facts(self) -> frozenset[str]:
        """Facts derived by the rules that fired."""
        return frozenset(name for f in self.firings for name in self.kb.rule_index[f.rule].derive)

    @cached_property
    def aggregate(self) -> Aggregate:
        return aggregate(self.kb, list(self.firings))

    def recommended(self, family: str) -> dict[str, ItemScore]:
        """Items of a family with a positive score (after exclusions)."""
        return {i: acc for i, acc in self.aggregate.items.items()
                if acc.score > 0 and self.kb.family_of(i) == family}

    @cached_property
    def categories(self) -> dict[str, tuple[float, str]]:
        """Recommended tool categories: (score, the rule that weighs most)."""
        return {i: (round(acc.score, 4), acc.top) for i, acc in self.recommended("tool_categories").items()}

    @cached_property
    def context(self) -> Context:
        models = {i: acc.score for i, acc in self.aggregate.items.items()
                  if self.kb.family_of(i) == "licensing_models" and acc.score}
        blocked = frozenset(i for i in self.aggregate.excluded if self.kb.family_of(i) == "licensing_models")
        return Context(known=self.known, facts=self.facts, models=models, blocked=blocked, as_of=self.as_of,
                       tools=context_tools(self.known))

    @cached_property
    def solutions(self) -> tuple[list[Scored], list[Scored]]:
        """(kept, excluded) solutions for the recommended categories, with their reasons."""
        return match_solutions(self.kb, self.categories, self.context)


def evaluate(kb: KnowledgeBase, profile: Profile, as_of: dt.date, firings: list[Firing] | None = None
             ) -> Evaluation:
    """Evaluate ``profile``: durable-rules fires the rules unless ``firings`` (from a memo of its runs) are given."""
    known = kb.known(profile)
    if firings is None:
        firings = engine_for(kb).run(known)
    return Evaluation(kb=kb, profile=profile, known=known, as_of=as_of, firings=tuple(firings))
