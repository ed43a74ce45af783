"""The summary of a recommendation: three priorities and an action plan in the guide's steps.

It is part of the JSON (``summary``) and opens every report: the accompaniment
to start with, the first tool move (with the solutions to look at), the funding
route to pursue, and the plan of ``catalog/plan.yaml`` with the recommended
items each step covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._i18n import pick, t
from ..knowledge.catalog import FIRST_TOOL

if TYPE_CHECKING:
    from ..knowledge.base import KnowledgeBase
    from .result import Item, Recommendation, Summary


def top_reason(item: Item) -> str:
    """The item's strongest reason, as one sentence (the heaviest rule that recommends it)."""
    recommending = [r for r in item.reasons if r.effect == "recommend" and not r.rule.startswith("catalog:")]
    chosen = recommending or [r for r in item.reasons if r.effect == "recommend"] or item.reasons
    return chosen[0].because if chosen else ""


def summarise(kb: KnowledgeBase, rec: Recommendation) -> Summary:
    """Three priorities and the action plan of a recommendation."""
    from .result import PlanStep, Priority, Summary

    priorities: list[Priority] = []
    start = first_accompaniment(kb, rec)
    if start is not None:
        priorities.append(Priority(kind="accompaniment", id=start.id, label=start.label, sentence=top_reason(start)))
    move = first_tool_move(kb, rec)
    if move is not None:
        names = [_solution_line(s) for s in rec.solutions if s.category == move.id][:2]
        if kb.taxonomy.get(move.id) is not None and kb.taxonomy[move.id].no_catalogue:
            names = [t("report.no_catalogue")]
        priorities.append(Priority(kind="tool", id=move.id, label=move.label, sentence=top_reason(move),
                                   solutions=names))
    if rec.funding_routes:
        route = rec.funding_routes[0]
        priorities.append(Priority(kind="funding", id=route.id, label=route.label, sentence=top_reason(route)))
    present = {i.id: i.label for fam in ("accompaniments", "funding_routes", "tool_categories")
               for i in getattr(rec, fam)}
    plan: list[PlanStep] = []
    for step in kb.plan:
        ids = [i for i in step.items if i in present]
        labels = [present[i] for i in ids]
        if FIRST_TOOL in step.items and move is not None:
            tools = [s.name for s in rec.solutions if s.category == move.id][:1]
            ids.append(move.id)
            labels.append(f"{move.label} ({tools[0]})" if tools else move.label)
        warned = [w for w in step.items if w.startswith("!") and w[1:] in {x.id for x in rec.warnings}]
        if warned:
            ids += warned
            labels += [next(x.message for x in rec.warnings if x.id == w[1:]) for w in warned]
        plan.append(PlanStep(id=step.id, title=pick(step.title), items=ids, labels=labels, text=pick(step.default)))
    return Summary(priorities=priorities, plan=plan)


def first_accompaniment(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    """The accompaniment to start with: the first step of the guide's plan that has a strong one.

    An accompaniment counts as strong when it weighs at least 80 % of the best
    one: between near equals, the guide's order decides (the diagnostic before
    change management); a clearly stronger one (an SIAE's project ownership
    support) comes first whatever its step.
    """
    if not rec.accompaniments:
        return None
    floor = rec.accompaniments[0].score * 0.8
    strong = {i.id: i for i in rec.accompaniments if i.score >= floor}
    for step in kb.plan:
        candidates = [strong[i] for i in step.items if i in strong]
        if candidates:
            return max(candidates, key=lambda i: (i.score, -rec.accompaniments.index(i)))
    return rec.accompaniments[0]


def first_tool_move(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    """The first tool move: the strongest category the structure asked for (its needs) and does not cover yet."""
    if not rec.tool_categories:
        return None
    covered = {s.category for s in rec.solutions if any(r.rule == "catalog:current" for r in s.reasons)}
    asked = [c for c in rec.tool_categories if any("needs" in r.facts for r in c.reasons)]
    for pool in ([c for c in asked if c.id not in covered], asked,
                 [c for c in rec.tool_categories if c.id not in covered], rec.tool_categories):
        if pool:
            return pool[0]
    return None


def _solution_line(sol: Any) -> str:
    return f"{sol.name} — {sol.offered_as}" if sol.offered_as else sol.name
