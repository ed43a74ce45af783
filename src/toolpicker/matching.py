"""Matching catalogue solutions to the recommended categories, under the profile's constraints.

The rules decide which tool categories (and licensing models) a structure
needs; this module proposes named solutions for them. Each criterion is a
documented, named adjustment (``catalog:budget``, ``catalog:hosting``…) that
appears as a reason, so an adviser sees why a solution ranks where it does.
Nothing past its ``end_of_life`` on the evaluation date is proposed.

Criteria (see ``docs/matching.md``):

- ``catalog:category`` — base score: the category's score (half of it for a
  secondary category of the solution);
- ``catalog:lifecycle`` — ended products are excluded (with their successor);
- ``catalog:size`` — outside the solution's headcount range: excluded;
- ``catalog:budget`` — not affordable and no gratis offer: excluded, or −1 when
  a discount route exists; a gratis offer with a small budget: +1;
- ``catalog:data`` — sensitive data and only non-EU hosting: excluded; personal
  data and only non-EU hosting: −1;
- ``catalog:hosting`` — wish to keep control: +1 for self-hosting or an ethical
  host, −1 for SaaS only; wish to delegate: +0.5 for SaaS;
- ``catalog:connectivity`` — limited connection: +1 offline-capable, −1 online only;
- ``catalog:maturity`` — beginners: −1 for a hard tool, +0.5 for an easy one;
- ``catalog:licensing`` — +1 when the solution fits a recommended licensing model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._i18n import pick, t
from .catalog import PRICE_CEILING, Solution
from .kb import KnowledgeBase

PER_CATEGORY = 3


@dataclass
class Scored:
    solution: Solution
    category: str
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)


def _reason(criterion: str, because: str, source: str, weight: float, facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"rule": f"catalog:{criterion}", "because": because, "source": source,
            "effect": "recommend" if weight >= 0 else "discourage", "weight": weight, "facts": dict(facts)}


def affordable(sol: Solution, budget: int) -> bool:
    if sol.free_tier or sol.price_tier == "free":
        return True
    ceiling = PRICE_CEILING[sol.price_tier]
    return budget > 3000 if ceiling is None else ceiling <= budget


@dataclass(frozen=True)
class Effect:
    """What one criterion does to one solution: a weight, or an exclusion (``weight is None``)."""

    criterion: str
    key: str
    weight: float | None
    values: tuple[tuple[str, Any], ...] = ()


def _size(kb: KnowledgeBase, sol: Solution, employees: int) -> list[Effect]:
    if (sol.min_employees is not None and employees < sol.min_employees) or (
        sol.max_employees is not None and employees > sol.max_employees
    ):
        lo = sol.min_employees if sol.min_employees is not None else 0
        hi = sol.max_employees if sol.max_employees is not None else "∞"
        return [Effect("size", "size", None, (("employees", employees), ("lo", lo), ("hi", hi)))]
    return []


def _budget(kb: KnowledgeBase, sol: Solution, budget: int) -> list[Effect]:
    if not affordable(sol, budget):
        if sol.discounts:
            return [Effect("budget", "budget_discount", -1, (("budget", budget), ("_routes", sol.discounts)))]
        return [Effect("budget", "budget_out", None, (("budget", budget), ("_tier", sol.price_tier)))]
    if budget < 500 and (sol.free_tier or sol.price_tier == "free"):
        return [Effect("budget", "budget_free", 1, (("budget", budget),))]
    return []


def _data(kb: KnowledgeBase, sol: Solution, sensitivity: str) -> list[Effect]:
    hosting = set(sol.hosting)
    if hosting and not hosting & {"self", "fr", "eu"}:
        if sensitivity == "sensitive":
            return [Effect("data", "sensitive_non_eu", None)]
        if sensitivity == "personal":
            return [Effect("data", "personal_non_eu", -1)]
    return []


def _hosting(kb: KnowledgeBase, sol: Solution, preference: str) -> list[Effect]:
    delivery = set(sol.delivery)
    if preference == "keep_control":
        if delivery & {"on_premise", "alternative_host"} or "self" in sol.hosting:
            return [Effect("hosting", "keep_control_ok", 1)]
        return [Effect("hosting", "keep_control_saas", -1)]
    if preference == "delegate" and "saas" in delivery:
        return [Effect("hosting", "delegate_ok", 0.5)]
    return []


def _connectivity(kb: KnowledgeBase, sol: Solution, connectivity: str) -> list[Effect]:
    if connectivity == "limited":
        if sol.works_offline:
            return [Effect("connectivity", "offline_ok", 1)]
        if set(sol.delivery) == {"saas"}:
            return [Effect("connectivity", "online_only", -1)]
    return []


def _maturity(kb: KnowledgeBase, sol: Solution, maturity: str) -> list[Effect]:
    if maturity == "beginner":
        if sol.difficulty == "high":
            return [Effect("maturity", "hard_for_beginners", -1)]
        if sol.difficulty == "low":
            return [Effect("maturity", "easy_for_beginners", 0.5)]
    return []


CRITERIA: dict[str, Callable[[KnowledgeBase, Solution, Any], list[Effect]]] = {
    "employees": _size,
    "digital_budget_eur": _budget,
    "data_sensitivity": _data,
    "hosting_preference": _hosting,
    "connectivity": _connectivity,
    "maturity": _maturity,
}
CATALOG_FIELDS = tuple(CRITERIA)


def _text(kb: KnowledgeBase, effect: Effect) -> str:
    values = dict(effect.values)
    if "_routes" in values:
        values["routes"] = ", ".join(pick(kb.label(r)) for r in values.pop("_routes"))
    if "_tier" in values:
        values["tier"] = t(f"match.tier_{values.pop('_tier')}")
    return t(f"match.{effect.key}", **values)


def score_solution(kb: KnowledgeBase, sol: Solution, category: str, category_score: float, category_reason: str,
                   known: Mapping[str, Any], licensing: set[str], as_of: dt.date, texts: bool = True) -> Scored:
    """Score one solution for one recommended category; ``excluded`` says why it is out.

    ``texts=False`` computes the same scores and exclusions without writing the
    reasons' sentences.
    """
    base = category_score if category == sol.category else category_score / 2
    scored = Scored(sol, category, base)
    src = sol.source
    if texts:
        scored.reasons.append({"rule": category_reason,
                               "because": t("match.category", category=pick(kb.label(category))),
                               "source": src, "effect": "recommend", "weight": base, "facts": {}})
    if sol.end_of_life and sol.end_of_life < as_of:
        successor = kb.solutions[sol.superseded_by].name if sol.superseded_by in kb.solutions else "—"
        scored.excluded.append(_reason("lifecycle", t("match.ended", date=sol.end_of_life.isoformat(),
                                                      successor=successor), src, 0.0, {}) if texts else {})
    for name, criterion in CRITERIA.items():
        value = known.get(name)
        if value is None:
            continue
        for effect in criterion(kb, sol, value):
            facts = {name: value}
            if effect.weight is None:
                scored.excluded.append(_reason(effect.criterion, _text(kb, effect), src, 0.0, facts) if texts else {})
            else:
                scored.score += effect.weight
                if texts:
                    scored.reasons.append(_reason(effect.criterion, _text(kb, effect), src, effect.weight, facts))
    fits = []
    if "free_software" in licensing and sol.is_free_software:
        fits.append("free_software")
    if "proprietary" in licensing and not sol.is_free_software:
        fits.append("proprietary")
    fits.extend(sorted(set(sol.delivery) & licensing))
    if fits:
        scored.score += 1
        if texts:
            models = ", ".join(pick(kb.label(m)) for m in fits)
            scored.reasons.append(_reason("licensing", t("match.licensing_fit", models=models), src, 1, {}))
    scored.score = round(scored.score, 4)
    return scored


def match_solutions(kb: KnowledgeBase, categories: Mapping[str, tuple[float, str]], known: Mapping[str, Any],
                    licensing: set[str], as_of: dt.date, texts: bool = True) -> tuple[list[Scored], list[Scored]]:
    """(kept, excluded) solutions for the recommended categories.

    ``categories`` maps a category id to (its score, the id of the rule that
    weighs most in it). A solution serving several recommended categories is
    scored for each and keeps its best. At most :data:`PER_CATEGORY` are kept
    per main category; the rest are left out of the report.
    """
    best: dict[str, Scored] = {}
    for sol in kb.solutions.values():
        for category in sol.categories:
            if category not in categories:
                continue
            cat_score, reason_rule = categories[category]
            scored = score_solution(kb, sol, category, cat_score, reason_rule, known, licensing, as_of, texts)
            current = best.get(sol.id)
            if current is None or (not scored.excluded, scored.score) > (not current.excluded, current.score):
                best[sol.id] = scored
    kept = sorted((s for s in best.values() if not s.excluded and s.score > 0),
                  key=lambda s: (-s.score, s.solution.id))
    per_category: dict[str, int] = {}
    shown = []
    for s in kept:
        n = per_category.get(s.solution.category, 0)
        if n < PER_CATEGORY:
            shown.append(s)
            per_category[s.solution.category] = n + 1
    excluded = sorted((s for s in best.values() if s.excluded), key=lambda s: s.solution.id)
    return shown, excluded
