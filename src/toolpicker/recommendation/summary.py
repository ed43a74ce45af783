"""The summary of a recommendation: three priorities and an action plan in the guide's steps.

It is part of the JSON (``summary``) and opens every report: the accompaniment
to start with, the first tool move (with the solutions to look at), the funding
route to pursue, and the plan of ``catalog/plan.yaml`` with the recommended
items each step covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._i18n import pick, t
from ..engine.logic import eval_condition
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
    small = (rec.profile.get("employees") or 0) < SMALL_TEAM
    known = {k: v for k, v in rec.profile.items() if v is not None}
    start = first_accompaniment(kb, rec)
    if start is not None:
        priorities.append(Priority(kind="accompaniment", id=start.id, label=start.label, sentence=top_reason(start)))
    move = first_tool_move(kb, rec)
    if move is not None:
        requested = request_categories(kb, rec)
        most = 2 if small else 3  # a small team starts with one or two tools, not three (« ne pas se disperser »)
        together = [move, *[c for c in requested if c is not move]][:most] if move in requested else [move]
        names = _move_lines(kb, rec, move) if len(together) == 1 else _joint_lines(kb, rec, together)
        priorities.append(Priority(kind="tool", id=move.id, label=and_words([c.label for c in together]),
                                   sentence=request_reason(kb, rec, move) or top_reason(move), solutions=names,
                                   also=[c.id for c in together[1:]]))
    if rec.funding_routes:
        route = first_funding(kb, rec)
        own = own_funders(kb, rec, route)
        providers = own or list(getattr(route, "providers", []))  # its own funders, not a general one beside them
        whom = [f"{p.name} — {p.caveat}" if p.caveat else p.name for p in providers[:3]]
        label = and_words([p.name for p in own[:2]]) if own else route.label
        priorities.append(Priority(kind="funding", id=route.id, label=label, sentence=top_reason(route),
                                   solutions=whom))
    present = {i.id: i.label for fam in ("accompaniments", "funding_routes", "tool_categories")
               for i in getattr(rec, fam)}
    plan: list[PlanStep] = []
    placed: set[str] = set()  # each item is named in one step only
    score = {i.id: i.score for fam in ("accompaniments", "funding_routes", "tool_categories")
             for i in getattr(rec, fam)}
    for step in kb.plan:  # each step's items, the strongest first
        ids = sorted((i for i in step.items if i in present and i not in placed), key=lambda i: -score[i])
        placed.update(ids)
        labels = [present[i] for i in ids]
        if FIRST_TOOL in step.items and move is not None:
            tools = [s.name for s in offered(kb, rec, move.id)][:1]
            ids.append(move.id)
            labels.append(f"{move.label}{t('report.colon')}{tools[0]}" if tools else move.label)
        warned = [w for w in step.items if w.startswith("!") and w[1:] in {x.id for x in rec.warnings}]
        if warned:
            ids += warned
            labels += [next(x.message for x in rec.warnings if x.id == w[1:]) for w in warned]
        todo = {**step.actions, **(step.small_team_actions if small else {})}
        for item, condition in step.skip_when.items():  # already done (two leads named): what to do instead
            if item in todo and eval_condition(condition, known) is True:
                del todo[item]
                if item in step.instead:
                    todo[item] = step.instead[item]
        actions = [*(pick(todo[w]) for w in warned if w in todo),  # a warning's action first (ask the network)
                   *(pick(todo[i]) for i in ids if i in todo and score.get(i, 0) >= 1)]  # weak: no action
        if FIRST_TOOL in step.items and move is not None:
            actions.append(_try(kb, rec, move))
        plan.append(PlanStep(id=step.id, title=pick(step.title), items=ids, labels=labels, text=pick(step.default),
                             actions=actions))
    return Summary(priorities=priorities, plan=plan)


SMALL_TEAM = 10
"""Below this many employees the plan keeps one action per step and simpler ones (the guide: « ne pas multiplier
les chantiers »): a specification written with the network rather than with an AMO."""

NOT_PILOTED = {"backup": "report.set_up_backup", "security_tools": "report.set_up_security",
               "volunteer_platform": "report.publish_missions", "social_media": "report.try_channel",
               "website": "report.try_channel", "newsletter": "report.try_channel"}
"""Tool categories one sets up and checks, or tries on a first occasion, rather than with a small group of users
(→ what to do; ``{tool}`` is the first tool proposed)."""

SET_UP = frozenset({"backup", "security_tools"})
"""Of those, the ones whose action names no tool."""


def _try(kb: KnowledgeBase, rec: Recommendation, move: Item) -> str:
    """The test step's action for the first tool move: consolidate the tool in place, set up and check a backup or
    a security tool, else try the first tool with a small group."""
    current = [s.name for s in rec.solutions if in_place(s) and move.id in serves(kb, s)]
    if current:
        return t("report.consolidate_tool", tool=current[0])
    tools = [s.name for s in offered(kb, rec, move.id)][:1]
    if move.id in NOT_PILOTED and (tools or move.id in SET_UP):
        return t(NOT_PILOTED[move.id], tool=tools[0] if tools else "")
    return t("report.try_tool", tool=tools[0], category=move.label.lower()) if tools \
        else t("report.try_category", category=move.label.lower())


MONEY = ("grant", "loan", "donation", "budget_line", "equity")
"""Aid types that bring money (the third priority is money to seek; skills, discounts and equipment come below)."""


def _move_lines(kb: KnowledgeBase, rec: Recommendation, move: Item) -> list[str]:
    """What to look at for one tool move: the tools in place that serve it, else its first two solutions (or, for
    sector software, what to ask)."""
    current = [f"{s.name} — {t('report.in_use_short')}" for s in rec.solutions
               if in_place(s) and move.id in serves(kb, s)]
    names = current or [_solution_line(s) for s in offered(kb, rec, move.id)][:2]
    if move.id in WHOLES and not current and (unknown := software_in_place(kb, rec.profile)):
        names = [in_place_words(unknown), *names[:1]]
    if kb.taxonomy.get(move.id) is not None and kb.taxonomy[move.id].no_catalogue:
        names = software_guide(kb, rec.profile, move.id, short=True)
    return names


def _joint_lines(kb: KnowledgeBase, rec: Recommendation, categories: list[Item]) -> list[str]:
    """One line per category of a move that answers several: its tool, or the tool already named for an earlier
    category when it covers this one too — one tool rather than a stack (the guide: « un outil qui couvre 80 % des
    besoins »)."""
    lines: list[str] = []
    for category, (sol, again) in zip(categories, joint_tools(kb, rec, categories), strict=True):
        if again and sol is not None:
            lines.append(f"{category.label}{t('report.colon')}{t('report.also_covers', tool=sol.name)}")
            continue
        first = [f"{sol.name} — {t('report.in_use_short')}" if in_place(sol) else _solution_line(sol)] \
            if sol is not None else _move_lines(kb, rec, category)
        lines.append(f"{category.label}{t('report.colon')}{(first or [t('report.no_catalogue_short')])[0]}")
    return lines


def joint_tools(kb: KnowledgeBase, rec: Recommendation, categories: list[Item]) -> list[tuple[Any, bool]]:
    """For the categories of one move, the tool each gets and whether it was already named for an earlier one: a
    suite that serves them all when there is one (among the tools in place when one of them serves the move — a
    suite never displaces what the structure uses —, else among those proposed), else each category's own first
    tool, an earlier one reused where it covers the next."""
    ids = [c.id for c in categories]
    current = [s for s in rec.solutions if in_place(s)]
    fits = current if any(c in serves(kb, s) for s in current for c in ids) else by_fit(kb, rec.solutions)
    suite = next((s for s in fits if len(ids) > 1 and all(c in serves(kb, s) for c in ids)), None)
    out: list[tuple[Any, bool]] = []
    named: list[Any] = [] if suite is None else [suite]
    for index, category in enumerate(categories):
        covering = next((s for s in named if category.id in serves(kb, s)), None)
        if covering is not None:
            out.append((covering, index > 0))
            continue
        lead = lead_solutions(kb, rec, category)[:1]
        out.append((lead[0] if lead else None, False))
        named.extend(lead)
    return out


def lead_solutions(kb: KnowledgeBase, rec: Recommendation, category: Item) -> list[Any]:
    """The solutions a category's line names first: the tools in place that serve it, else its best fits."""
    current = [s for s in rec.solutions if in_place(s) and category.id in serves(kb, s)]
    return current or offered(kb, rec, category.id)


def offered(kb: KnowledgeBase, rec: Recommendation, category: str) -> list[Any]:
    """The solutions to name for a category, best fit first: those listed under it, else those listed under another
    category that serve it too (Nextcloud listed for project management still answers file storage)."""
    fits = by_fit(kb, rec.solutions)
    return [s for s in fits if s.category == category] or [s for s in fits if category in serves(kb, s)]


def by_fit(kb: KnowledgeBase, solutions: list[Any]) -> list[Any]:
    """Solutions in the order a reader gets them: score, then fit (made for the category, named by the guide,
    easier, lighter), the id last — the JSON keeps the contract's score-then-id order."""
    from .matching import fit_order

    return sorted(solutions, key=lambda s: fit_order(kb.solutions[s.id], s.score, s.category)
                  if s.id in kb.solutions else (-s.score, True, True, 1, 1, s.id))


def and_words(labels: list[str]) -> str:
    """« A, B et C » in the current language."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} {t('report.and')} {labels[-1]}"


def request_items(kb: KnowledgeBase, rec: Recommendation) -> list[Item]:
    """What a rule reading the structure's request (``main_need``) recommends, every family, strongest first."""
    main = rec.profile.get("main_need")
    if not main:
        return []
    answering = rules_reading_need(kb, main)
    found = [i for fam in ("tool_categories", "accompaniments", "funding_routes") for i in getattr(rec, fam)
             if any(r.rule in answering and r.effect == "recommend" for r in i.reasons)]
    return sorted(found, key=lambda i: -max(r.weight for r in i.reasons if r.rule in answering))


def request_reason(kb: KnowledgeBase, rec: Recommendation, item: Item) -> str:
    """The item's sentence from a rule that reads the request, or ``""``."""
    main = rec.profile.get("main_need")
    answering = rules_reading_need(kb, main) if main else frozenset()
    return next((r.because for r in item.reasons if r.rule in answering and r.effect == "recommend"), "")


def request_categories(kb: KnowledgeBase, rec: Recommendation) -> list[Item]:
    """The tool categories that answer the request, in the order of the recommendation, those the sector software
    covers excepted (said with the software)."""
    covered = covered_by_software(kb, rec)
    ids = {i.id for i in request_items(kb, rec)}
    return [c for c in rec.tool_categories if c.id in ids and c.id not in covered]


def first_funding(kb: KnowledgeBase, rec: Recommendation) -> Item:
    """The funding route to seek first: the strongest that brings money through a funder of the structure's own
    kind (its CAF, its ARS, its federation's programme), else the strongest that brings money, else the strongest."""
    money = [r for r in rec.funding_routes
             if (entry := kb.funding_routes.get(r.id)) is not None and entry.aid_type in MONEY]
    if rec.profile.get("legal_form") in COMPANIES and not rec.profile.get("siae"):  # an investment: own funds, loans
        money.sort(key=lambda r: kb.funding_routes[r.id].aid_type not in ("loan", "equity"))
    return next((r for r in money if own_funders(kb, rec, r)), money[0] if money else rec.funding_routes[0])


COMPANIES = ("cooperative", "commercial_company")
"""Legal forms that finance an investment by loans and own funds before grants."""


BROAD = 4
"""A provider open to more sectors than this is a general funder (the Region), not a sector's own."""


def own_funders(kb: KnowledgeBase, rec: Recommendation, route: Item) -> list[Any]:
    """The route's providers that fund the structure's own kind: its activity, its sector among a few, SIAE,
    international solidarity (in the route's order)."""
    entry = kb.funding_routes.get(route.id)
    if entry is None:
        return []
    rules = {p.id: p.eligible for p in entry.providers}
    profile = rec.profile

    def own(provider_id: str) -> bool:
        e = rules.get(provider_id)
        if e is None:
            return False
        return bool((e.activities and profile.get("activity") in e.activities)
                    or (e.siae and profile.get("siae"))
                    or (e.international and profile.get("international"))
                    or (e.sectors and len(e.sectors) <= BROAD and profile.get("sector") in e.sectors))

    return [p for p in getattr(route, "providers", []) if own(p.id)]


SITUATIONS = frozenset({"security_incident", "key_person_leaving", "personal_devices", "too_many_tools", "phishing"})
"""Difficulties that tell a situation of the structure's own (not a general kind of difficulty)."""

TOLD_WEIGHT = 3
"""A reason from a rule reading such a situation puts its accompaniment first when it weighs at least this much."""


def situation_rules(kb: KnowledgeBase) -> frozenset[str]:
    """Ids of the rules that read a situation the structure told (:data:`SITUATIONS`)."""
    from ..knowledge.rules import atoms

    def build() -> frozenset[str]:
        return frozenset(r.id for r in kb.rules for a in atoms(r.when)
                         if a.field == "difficulties" and a.op == "contains" and a.value in SITUATIONS)

    found: frozenset[str] = kb.cached("summary.situation_rules", build)
    return found


def first_accompaniment(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    """The accompaniment to start with: the first step of the guide's plan that has a strong one.

    What the structure told of its situation decides first: an accompaniment
    a situation rule asks for strongly (a key person leaving: name digital
    leads; a phishing attempt: security; piled-up tools: an inventory). Then an
    accompaniment counts as strong when it weighs at least 80 % of the best
    one: between near equals, the guide's order decides (the diagnostic before
    change management); a clearly stronger one (an SIAE's project ownership
    support) comes first whatever its step.
    """
    if not rec.accompaniments:
        return None
    floor = rec.accompaniments[0].score * 0.8
    strong = {i.id: i for i in rec.accompaniments if i.score >= floor}
    main = rec.profile.get("main_need")
    if main in kb.needs and kb.needs[main].accompaniment_first:  # a skills request: training before tools
        answering = rules_reading_need(kb, main)
        asked = [i for i in rec.accompaniments if any(r.rule in answering and r.effect == "recommend"
                                                      for r in i.reasons)]
        if asked:
            return max(asked, key=lambda i: (max(r.weight for r in i.reasons if r.rule in answering), i.score,
                                             -rec.accompaniments.index(i)))
    telling = situation_rules(kb)
    told = [i for i in rec.accompaniments if any(r.effect == "recommend" and r.weight >= TOLD_WEIGHT
                                                 and r.rule in telling for r in i.reasons)]
    if told:  # what the structure told of its situation (a departure, a request) decides before the guide's order
        return max(told, key=lambda i: (i.score, -rec.accompaniments.index(i)))
    for step in kb.plan:
        candidates = [strong[i] for i in step.items if i in strong]
        if candidates:
            return max(candidates, key=lambda i: (i.score, -rec.accompaniments.index(i)))
    return rec.accompaniments[0]


def first_tool_move(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    """The first tool move: the structure's main request, else what resolves an urgent matter, else the strongest
    need not yet covered.

    With ``main_need`` answered, the strongest category recommended by a rule
    that reads that need: the report answers the request that brought the
    structure (an urgent matter has its own block, read before the priorities).
    Otherwise a category recommended by a rule that raised an urgent warning
    (sensitive data on consumer tools: a storage space of the structure), else
    the strongest category the structure asked for (its needs) that no tool in
    place covers yet.
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
    return frozenset({*activity.software.covers, *WHOLES})  # the sector's software is its integrated management


def _first_category(kb: KnowledgeBase, rec: Recommendation) -> Item | None:
    if not rec.tool_categories:
        return None
    main = rec.profile.get("main_need")
    urgent = {r.rule for w in rec.warnings if w.urgent for r in w.reasons}
    resolving = [(max(r.weight for r in c.reasons if r.rule in urgent and r.effect == "recommend"), c.score, -i, c)
                 for i, c in enumerate(rec.tool_categories)
                 if any(r.rule in urgent and r.effect == "recommend" for r in c.reasons)]
    if resolving and main in URGENT_IS_THE_REQUEST:  # the request is that urgent matter: its remedy first
        return max(resolving, key=lambda x: x[:3])[3]
    software = next((c for c in rec.tool_categories if c.id == BUSINESS_SOFTWARE), None)
    if main in SOFTWARE_NEEDS and software is not None:  # a sector's software answers such a request
        return software
    if main:  # the request first: an urgent matter has its own block above the priorities
        answering = rules_reading_need(kb, main)
        for category in rec.tool_categories:
            if any(r.rule in answering and r.effect == "recommend" for r in category.reasons):
                return category
    if resolving:  # what resolves an urgent matter comes first, the urgent rule's weight first
        return max(resolving, key=lambda x: x[:3])[3]
    covered = {c for s in rec.solutions if in_place(s) for c in serves(kb, s)}
    asked = [c for c in rec.tool_categories if any("needs" in r.facts for r in c.reasons)]
    for pool in ([c for c in asked if c.id not in covered], asked,
                 [c for c in rec.tool_categories if c.id not in covered], rec.tool_categories):
        if pool:
            return pool[0]
    return None


SOFTWARE_NEEDS = frozenset({"integrated_management", "beneficiary_services", "time_tracking", "hr_management",
                            "online_membership", "accounting", "contact_management"})
"""Requests that a sector's business software answers, when the rules recommend one for the structure."""

URGENT_IS_THE_REQUEST = frozenset({"data_protection"})
"""Requests of which an urgent warning (sensitive data on consumer tools, a breach) is part: its remedy comes first."""


def rules_reading_need(kb: KnowledgeBase, need: str) -> frozenset[str]:
    """Ids of the rules that answer ``need``: those whose condition asks for that need alone (``contains``), else,
    when none does, those that look for it among others (``contains_any``)."""
    from ..knowledge.rules import atoms

    def build() -> dict[str, frozenset[str]]:
        direct: dict[str, set[str]] = {}
        among: dict[str, set[str]] = {}
        for rule in kb.rules:
            for atom in atoms(rule.when):
                if atom.field == "needs" and atom.op == "contains":
                    direct.setdefault(str(atom.value), set()).add(rule.id)
                elif atom.field == "needs" and atom.op == "contains_any":
                    values = atom.value if isinstance(atom.value, tuple) else (atom.value,)
                    for value in values:
                        among.setdefault(str(value), set()).add(rule.id)
        return {k: frozenset(direct.get(k) or among.get(k) or ()) for k in {*direct, *among}}

    table: dict[str, frozenset[str]] = kb.cached("summary.need_rules", build)
    return table.get(need, frozenset())


SOFTWARE_WORDS = ("logiciel", "progiciel", "software", "erp", "extranet")
"""Words by which a tool in place that the catalogue does not know reads as business software."""


ENDING_WORDS = ("hors maintenance", "plus maintenu", "fin de support", "arrêt", "obsolète", "end of support",
                "unsupported", "discontinued")
"""Words by which a tool in place reads as no longer maintained: replace it, do not ask its vendor first."""


def in_place_words(tools: list[str]) -> str:
    """What to say of business software in place: ask its vendor first, or, when it reads as no longer maintained
    (« fin de support »), plan its replacement."""
    ending = any(w in tool.lower() for tool in tools for w in ENDING_WORDS)
    return t("report.software_ending" if ending else "report.software_in_place",
             tools=", ".join(f"« {x} »" for x in tools))


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
    lines = [in_place_words(in_place_now)
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


WHOLES = frozenset({"erp"})
"""Categories a tool in place serves only when it is mainly such a tool: accounting software that has an ERP
module is not the structure's ERP."""


def serves(kb: KnowledgeBase, sol: Any) -> tuple[str, ...]:
    """Every category the product serves (a suite in place covers its storage, editing, calendar…), a whole like
    the ERP only when it is the product's own category."""
    entry = kb.solutions.get(sol.id)
    if entry is None:
        return (sol.category,)
    return tuple(c for c in entry.categories if c not in WHOLES or c == entry.category)


def _solution_line(sol: Any) -> str:
    return f"{sol.name} — {sol.offered_as}" if sol.offered_as else sol.name
