"""The summary of a recommendation: three priorities and an action plan in the guide's steps.

It is part of the JSON (``summary``) and opens every report: the accompaniment
to start with, the first tool move (with the solutions to look at), the funding
route to pursue, and the plan of ``catalog/plan.yaml`` with the recommended
items each step covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._i18n import pick, t
from ..knowledge.catalog import BUSINESS_SOFTWARE, FIRST_TOOL

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
        current = [f"{s.name} — {t('report.in_use_short')}" for s in rec.solutions
                   if in_place(s) and move.id in serves(kb, s)]
        names = current or [_solution_line(s) for s in rec.solutions if s.category == move.id][:2]
        if kb.taxonomy.get(move.id) is not None and kb.taxonomy[move.id].no_catalogue:
            names = software_guide(kb, rec.profile, move.id, short=True)
        priorities.append(Priority(kind="tool", id=move.id, label=move.label, sentence=top_reason(move),
                                   solutions=names))
    if rec.funding_routes:
        route = first_funding(kb, rec)
        whom = [f"{p.name} — {p.caveat}" if p.caveat else p.name for p in getattr(route, "providers", [])[:3]]
        priorities.append(Priority(kind="funding", id=route.id, label=route.label, sentence=top_reason(route),
                                   solutions=whom))
    present = {i.id: i.label for fam in ("accompaniments", "funding_routes", "tool_categories")
               for i in getattr(rec, fam)}
    plan: list[PlanStep] = []
    placed: set[str] = set()  # each item is named in one step only
    for step in kb.plan:
        ids = [i for i in step.items if i in present and i not in placed]
        placed.update(ids)
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


MONEY = ("grant", "loan", "donation", "budget_line", "equity")
"""Aid types that bring money (the third priority is money to seek; skills, discounts and equipment come below)."""


def first_funding(kb: KnowledgeBase, rec: Recommendation) -> Item:
    """The funding route to seek first: the strongest that brings money, else the strongest."""
    for route in rec.funding_routes:
        entry = kb.funding_routes.get(route.id)
        if entry is not None and entry.aid_type in MONEY:
            return route
    return rec.funding_routes[0]


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
    """The first tool move: what resolves an urgent matter, else the structure's main request, else the strongest
    need not yet covered.

    A category recommended by a rule that raised an urgent warning (sensitive
    data on consumer tools: a storage space of the structure) comes first. Then,
    with ``main_need`` answered, the strongest category recommended by a rule
    that reads that need: the report answers the request that brought the
    structure. Otherwise, the strongest category the structure asked for (its
    needs) that no tool in place covers yet.
    """
    move = _first_category(kb, rec)
    covered = covered_by_software(kb, rec)
    if move is not None and move.id in covered:  # the request is met inside the sector software
        return next(c for c in rec.tool_categories if c.id == BUSINESS_SOFTWARE)
    return move


def covered_by_software(kb: KnowledgeBase, rec: Recommendation) -> frozenset[str]:
    """Categories the structure's business software covers, when that software is recommended (else none)."""
    if not any(c.id == BUSINESS_SOFTWARE for c in rec.tool_categories):
        return frozenset()
    activity = kb.activities.get(rec.profile.get("activity") or "")
    if activity is None or activity.software is None:
        return frozenset()
    return frozenset(activity.software.covers)


def _first_category(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    if not rec.tool_categories:
        return None
    urgent = {r.rule for w in rec.warnings if w.urgent for r in w.reasons}
    resolving = [(max(r.weight for r in c.reasons if r.rule in urgent and r.effect == "recommend"), c.score, -i, c)
                 for i, c in enumerate(rec.tool_categories)
                 if any(r.rule in urgent and r.effect == "recommend" for r in c.reasons)]
    if resolving:  # what resolves an urgent matter comes before the request itself, the urgent rule's weight first
        return max(resolving, key=lambda x: x[:3])[3]
    main = rec.profile.get("main_need")
    if main:
        answering = rules_reading_need(kb, main)
        for category in rec.tool_categories:
            if any(r.rule in answering and r.effect == "recommend" for r in category.reasons):
                return category
    covered = {c for s in rec.solutions if in_place(s) for c in serves(kb, s)}
    asked = [c for c in rec.tool_categories if any("needs" in r.facts for r in c.reasons)]
    for pool in ([c for c in asked if c.id not in covered], asked,
                 [c for c in rec.tool_categories if c.id not in covered], rec.tool_categories):
        if pool:
            return pool[0]
    return None


def rules_reading_need(kb: KnowledgeBase, need: str) -> frozenset[str]:
    """Ids of the rules whose condition looks for ``need`` in the profile's needs."""
    from ..knowledge.rules import atoms

    def build() -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {}
        for rule in kb.rules:
            for atom in atoms(rule.when):
                if atom.field == "needs" and atom.op in ("contains", "contains_any"):
                    values = atom.value if isinstance(atom.value, tuple) else (atom.value,)
                    for value in values:
                        found.setdefault(str(value), set()).add(rule.id)
        return {k: frozenset(v) for k, v in found.items()}

    table: dict[str, frozenset[str]] = kb.cached("summary.need_rules", build)
    return table.get(need, frozenset())


SOFTWARE_WORDS = ("logiciel", "progiciel", "software", "erp", "extranet")
"""Words by which a tool in place that the catalogue does not know reads as business software."""


def software_in_place(kb: KnowledgeBase, profile: dict[str, Any]) -> list[str]:
    """Tools in place the catalogue does not know and that read as business software (« logiciel de paie »)."""
    from ..knowledge.rules import normalise_token

    known = kb.tool_names
    return [tool for tool in profile.get("current_tools") or ()
            if normalise_token(tool) not in known and any(w in tool.lower() for w in SOFTWARE_WORDS)]


def software_guide(kb: KnowledgeBase, profile: dict[str, Any], category: str, short: bool) -> list[str]:
    """What to say for a category without named solutions: for sector software, first the software already in
    place (ask its vendor before changing), then what the structure's own kind of software must do, what to
    check and whom to ask (``catalog/activities.yaml``); else how to choose."""
    in_place_now = software_in_place(kb, profile) if category == BUSINESS_SOFTWARE else []
    lines = [t("report.software_in_place", tools=", ".join(f"« {x} »" for x in in_place_now))
             ] if in_place_now else []
    activity = kb.activities.get(profile.get("activity") or "")
    guide = activity.software if activity is not None and category == BUSINESS_SOFTWARE else None
    if guide is None:
        return lines or [t("report.no_catalogue")]
    if not short:
        lines.append(f"{t('report.guide_what')} {pick(guide.what)}")
    checks = [pick(c) for c in guide.check][:2 if short else None]
    if checks:
        lines.append(f"{t('report.guide_check')} {' ; '.join(c.rstrip('.') for c in checks)}.")
    if guide.ask:
        lines.append(f"{t('report.guide_ask')} {pick(guide.ask)}")
    if guide.examples and not short:
        lines.append(f"{t('report.guide_examples')} {', '.join(guide.examples)}.")
    return lines


def in_place(sol: Any) -> bool:
    """The structure already uses this solution (and it still fits)."""
    return any(r.rule == "catalog:current" for r in sol.reasons)


def serves(kb: KnowledgeBase, sol: Any) -> tuple[str, ...]:
    """Every category the product serves (a suite in place covers its storage, editing, calendar…)."""
    entry = kb.solutions.get(sol.id)
    return entry.categories if entry is not None else (sol.category,)


def _solution_line(sol: Any) -> str:
    return f"{sol.name} — {sol.offered_as}" if sol.offered_as else sol.name
