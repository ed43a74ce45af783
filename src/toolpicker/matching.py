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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._i18n import pick, t
from .catalog import PRICE_CEILING, Solution
from .kb import KnowledgeBase

PER_CATEGORY = 3
CATALOG_FIELDS = ("digital_budget_eur", "data_sensitivity", "hosting_preference", "connectivity", "maturity",
                  "employees")


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


def score_solution(kb: KnowledgeBase, sol: Solution, category: str, category_score: float, category_reason: str,
                   known: Mapping[str, Any], licensing: set[str], as_of: dt.date) -> Scored:
    """Score one solution for one recommended category; ``excluded`` says why it is out."""
    base = category_score if category == sol.category else category_score / 2
    cat_label = pick(kb.label(category))
    scored = Scored(sol, category, base)
    src = sol.source

    def add(criterion: str, weight: float, key: str, **values: Any) -> None:
        facts = {k: known[k] for k in values.pop("_facts", ()) if k in known}
        scored.score += weight
        scored.reasons.append(_reason(criterion, t(f"match.{key}", **values), src, weight, facts))

    def exclude(criterion: str, key: str, **values: Any) -> None:
        facts = {k: known[k] for k in values.pop("_facts", ()) if k in known}
        scored.excluded.append(_reason(criterion, t(f"match.{key}", **values), src, 0.0, facts))

    scored.reasons.append({"rule": category_reason, "because": t("match.category", category=cat_label,
                                                                 secondary=category != sol.category),
                           "source": src, "effect": "recommend", "weight": base, "facts": {}})
    if sol.end_of_life and sol.end_of_life < as_of:
        successor = kb.solutions[sol.superseded_by].name if sol.superseded_by in kb.solutions else "—"
        exclude("lifecycle", "ended", date=sol.end_of_life.isoformat(), successor=successor)
    employees = known.get("employees")
    if employees is not None:
        if (sol.min_employees is not None and employees < sol.min_employees) or (
            sol.max_employees is not None and employees > sol.max_employees
        ):
            exclude("size", "size", employees=employees, lo=sol.min_employees if sol.min_employees is not None else 0,
                    hi=sol.max_employees if sol.max_employees is not None else "∞", _facts=("employees",))
    budget = known.get("digital_budget_eur")
    if budget is not None:
        if not affordable(sol, budget):
            if sol.discounts:
                add("budget", -1, "budget_discount", budget=budget,
                    routes=", ".join(pick(kb.label(r)) for r in sol.discounts), _facts=("digital_budget_eur",))
            else:
                exclude("budget", "budget_out", budget=budget, tier=t(f"match.tier_{sol.price_tier}"),
                        _facts=("digital_budget_eur",))
        elif budget < 500 and (sol.free_tier or sol.price_tier == "free"):
            add("budget", 1, "budget_free", budget=budget, _facts=("digital_budget_eur",))
    hosting = set(sol.hosting)
    eu_possible = bool(hosting & {"self", "fr", "eu"})
    sensitivity = known.get("data_sensitivity")
    if hosting and not eu_possible:
        if sensitivity == "sensitive":
            exclude("data", "sensitive_non_eu", _facts=("data_sensitivity",))
        elif sensitivity == "personal":
            add("data", -1, "personal_non_eu", _facts=("data_sensitivity",))
    delivery = set(sol.delivery)
    preference = known.get("hosting_preference")
    if preference == "keep_control":
        if delivery & {"on_premise", "alternative_host"} or "self" in hosting:
            add("hosting", 1, "keep_control_ok", _facts=("hosting_preference",))
        else:
            add("hosting", -1, "keep_control_saas", _facts=("hosting_preference",))
    elif preference == "delegate" and "saas" in delivery:
        add("hosting", 0.5, "delegate_ok", _facts=("hosting_preference",))
    if known.get("connectivity") == "limited":
        if sol.works_offline:
            add("connectivity", 1, "offline_ok", _facts=("connectivity",))
        elif delivery == {"saas"}:
            add("connectivity", -1, "online_only", _facts=("connectivity",))
    if known.get("maturity") == "beginner":
        if sol.difficulty == "high":
            add("maturity", -1, "hard_for_beginners", _facts=("maturity",))
        elif sol.difficulty == "low":
            add("maturity", 0.5, "easy_for_beginners", _facts=("maturity",))
    fits = []
    if "free_software" in licensing and sol.is_free_software:
        fits.append("free_software")
    if "proprietary" in licensing and not sol.is_free_software:
        fits.append("proprietary")
    fits.extend(sorted(delivery & licensing))
    if fits:
        add("licensing", 1, "licensing_fit", models=", ".join(pick(kb.label(m)) for m in fits))
    scored.score = round(scored.score, 4)
    return scored


def match_solutions(kb: KnowledgeBase, categories: Mapping[str, tuple[float, str]], known: Mapping[str, Any],
                    licensing: set[str], as_of: dt.date) -> tuple[list[Scored], list[Scored]]:
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
            scored = score_solution(kb, sol, category, cat_score, reason_rule, known, licensing, as_of)
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
