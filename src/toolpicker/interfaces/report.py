"""What people read: a recommendation as a short report, summary first, in words rather than codes.

The default report is what a director reads in five minutes:

1. three **priorities** — the accompaniment to start with, the first tool move
   (with the two or three solutions to look at), the funding route to pursue;
2. an **action plan** in the guide's steps (``catalog/plan.yaml``), each step
   naming the recommended items it covers;
3. per family the few items that matter, each with one sentence (its strongest
   reason), one solution per category (two for the first);
4. the points of vigilance, the next questions to ask, what we know of the
   structure — answers in words, never field names or codes.

It never exceeds :data:`MAX_WORDS` words: when a profile yields more, the
least important content goes first (in the order of :data:`REDUCTIONS`).
``detail=True`` keeps everything: every item and reason, scores explained,
rule ids and sources, alternatives, excluded items. JSON keeps everything too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .._i18n import current_language, glossary, pick, t
from ..knowledge.catalog import BUSINESS_SOFTWARE
from ..recommendation.summary import (
    SMALL_TEAM,
    SOFTWARE_NEEDS,
    and_words,
    covered_by_software,
    first_tool_move,
    in_place,
    joint_tools,
    offered,
    request_categories,
    serves,
    software_guide,
    summarise,
    top_reason,
)

if TYPE_CHECKING:
    from ..knowledge.base import KnowledgeBase
    from ..recommendation.result import Item, PlanStep, Recommendation, Summary

MAX_WORDS = 900
"""What a director reads (the R8 reviewers found one to two pages right; legal cautions and the sector software
are ranked first so that reductions cut other content)."""


@dataclass(frozen=True)
class Limits:
    """How much of each family the default report shows."""

    accompaniments: int = 4
    categories: int = 4
    first_solutions: int = 2
    solutions: int = 1
    """One tool per category beyond the first, two for the first: a choice, not a catalogue (R8: « empile »)."""
    licensing: int = 2
    funding: int = 3
    warnings: int = 4
    questions: int = 3
    plan_texts: bool = True
    priority_lines: int = 3
    """Lines under each priority (solutions, funders, what to check)."""


REDUCTIONS: tuple[dict[str, Any], ...] = (
    {"warnings": 3}, {"licensing": 1}, {"plan_texts": False}, {"accompaniments": 3}, {"funding": 2},
    {"questions": 2}, {"licensing": 0}, {"warnings": 2}, {"categories": 3},
    {"priority_lines": 2}, {"accompaniments": 2}, {"questions": 1}, {"funding": 1},
    {"categories": 2}, {"warnings": 1}, {"accompaniments": 1}, {"funding": 0}, {"categories": 1},
    {"priority_lines": 1}, {"first_solutions": 1}, {"questions": 0}, {"categories": 0}, {"accompaniments": 0},
)
"""Applied in turn until the report fits in :data:`MAX_WORDS` words."""


# ------------------------------------------------------------------ the view the templates render


@dataclass
class Entry:
    label: str
    sentence: str = ""
    lines: list[str] = field(default_factory=list)
    """Solutions (or providers) under the entry, in words."""
    detail: list[str] = field(default_factory=list)
    """Every reason, with rule id and source (``detail`` only)."""
    score: str = ""
    id: str = ""


@dataclass
class Section:
    key: str
    title: str
    entries: list[Entry]


@dataclass
class View:
    title: str
    subtitle: str
    priorities: list[tuple[str, str, str, list[str]]]
    plan: list[tuple[str, str]]
    sections: list[Section]
    warnings: list[str]
    questions: list[str]
    questions_note: str
    profile: list[tuple[str, str]]
    footer: str
    detail: bool
    excluded: list[Entry] = field(default_factory=list)
    incomplete: str = ""
    urgent: list[str] = field(default_factory=list)
    """What to do before anything else (a data breach to notify), shown first."""
    request: str = ""
    """The structure's request in words, and where the report answers it."""
    other_needs: str = ""
    """The needs the structure expressed that the report does not show, said rather than dropped silently."""


def view(kb: KnowledgeBase, rec: Recommendation, detail: bool = False, limits: Limits | None = None) -> View:
    """The report of ``rec`` as plain data (the same for text, Markdown, HTML)."""
    lim = limits or Limits()
    summary = rec.summary or summarise(kb, rec)
    kinds = {"accompaniment": t("report.start_with"), "tool": t("report.first_tool"), "funding": t("report.fund_with")}
    lines = None if detail else lim.priority_lines
    priorities = [(kinds[p.kind], p.label, p.sentence, p.solutions[:lines]) for p in summary.priorities]
    small = (rec.profile.get("employees") or 0) < SMALL_TEAM
    plan = [(step.title, _step_text(step, lim.plan_texts or detail, None if detail else 1 if small else 2))
            for step in summary.plan]
    big = 10_000 if detail else None
    said = {p.id for p in summary.priorities}
    sections = [
        Section("accompaniments", t("report.accompaniments"),
                [_entry(i, detail) for i in rec.accompaniments[:big or lim.accompaniments]]),
        Section("tools", t("report.tools"), _tools(kb, rec, detail, lim)),
        Section("licensing_models", t("report.licensing_models"),
                [_entry(i, detail) for i in (rec.licensing_models if detail else _models_in_use(kb, rec, lim))
                 [:big or lim.licensing]]),
        Section("funding_routes", t("report.funding_routes"),
                [_funding(i, detail) for i in rec.funding_routes[:big or lim.funding]]),
    ]
    urgent = [w.message for w in rec.warnings if w.urgent]
    models = {i.id for i in _models_in_use(kb, rec, lim)}
    about = {w.id: w.about for r in kb.rules for w in r.warn if w.about is not None}
    in_plan = {i[1:] for step in summary.plan for i in step.items if i.startswith("!")}  # said as an action
    warnings = [w.message for w in rec.warnings if not w.urgent and w.id not in in_plan
                # a licensing caution only with such a tool shown
                and (kb.family_of(about.get(w.id, "")) != "licensing_models" or about[w.id] in models)
                ][:big or lim.warnings]
    if detail:
        warnings = [f"{w.message} [{', '.join(r.rule for r in w.reasons)}]" for w in rec.warnings if not w.urgent]
    unanswered = unanswered_key_questions(kb, rec)
    asked = list(rec.ask_next or rec.missing)
    questions = ([pick(kb.questions[name].question) for name in unanswered if name not in {m.field for m in asked}]
                 if not detail else [])
    questions = [*[_question(m, detail) for m in asked if m.field in unanswered], *questions,
                 *[_question(m, detail) for m in asked if m.field not in unanswered]][:big or lim.questions]
    note = t("report.no_missing") if not rec.missing and not unanswered else \
        (t("report.impact_note") if detail else "")
    excluded = [Entry(label=e.label, sentence=" ; ".join(r.because for r in e.reasons),
                      detail=[f"[{r.rule}] {r.source}" for r in e.reasons]) for e in rec.excluded] if detail else []
    name = rec.profile.get("name") or t("report.unnamed")
    subtitle = t("report.subtitle", date=_date(rec.knowledge_base.as_of))
    footer = t("report.footer_short", date=_date(rec.knowledge_base.as_of))
    if detail:
        footer = t("report.footer", version=rec.toolpicker_version, kb=rec.knowledge_base.version,
                   date=rec.knowledge_base.as_of)
    if not detail:  # what the priorities already say is not said twice: the tools' lines move up, in full
        full = {s.name: _solution_words(kb, s, s.category, False, rec.profile, False) for s in reversed(rec.solutions)
                if not in_place(s)}  # the tool's own entry (its best score first)
        full |= {_head(line): line for e in sections[1].entries for line in e.lines}
        priorities = [(kind, label, sentence, [_fuller(line, full) for line in lines])
                      for kind, label, sentence, lines in priorities]
        said |= {c for p in summary.priorities for c in p.also}
        named = {_head(line) for p in summary.priorities for line in p.solutions}
        labelled = {line.split(t("report.colon"), 1)[0] for p in summary.priorities for line in p.solutions
                    if t("report.colon") in line}  # « À vérifier », « À qui demander » said in the priority
        for section in sections:
            for entry in section.entries:
                if entry.id in said:
                    entry.sentence = ""
                    entry.lines = [line for line in entry.lines if _head(line) not in named
                                   and line.split(t("report.colon"), 1)[0] not in labelled]
            section.entries = [e for e in section.entries if e.id not in said or e.lines]
    profile = profile_in_words(kb, rec.profile) if detail else profile_in_brief(kb, rec.profile)
    out = View(title=t("report.title_for", name=name), subtitle=subtitle, priorities=priorities, plan=plan,
               sections=[s for s in sections if s.entries or detail], warnings=warnings, questions=questions,
               questions_note=note, profile=profile, footer=footer, detail=detail, excluded=excluded,
               incomplete=incomplete(kb, rec), urgent=urgent, request=_request(kb, rec, summary))
    if not detail:
        out.other_needs = _other_needs(kb, rec, out)
        explain_acronyms(out)
    return out


def explain_acronyms(v: View) -> None:
    """Spell out each acronym of the glossary where the reader first meets it (« AMO (assistance à maîtrise
    d'ouvrage) »), unless the words are already there or it follows them in brackets."""
    terms = glossary()
    seen: set[str] = set()

    def fix(text: str) -> str:
        for acronym, meaning in terms.items():
            if acronym in seen:
                continue
            found = re.search(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text)
            if found is None:
                continue
            seen.add(acronym)
            spelled = meaning.lower() in text.lower() or text[found.end():found.end() + 2] == " (" \
                or text[max(0, found.start() - 1):found.start()] == "("
            if not spelled:
                text = f"{text[:found.end()]} ({meaning}){text[found.end():]}"
        return text

    v.request, v.incomplete, v.other_needs = fix(v.request), fix(v.incomplete), fix(v.other_needs)
    v.urgent = [fix(x) for x in v.urgent]
    v.priorities = [(kind, fix(label), fix(sentence), [fix(x) for x in lines])
                    for kind, label, sentence, lines in v.priorities]
    v.plan = [(title, fix(text)) for title, text in v.plan]
    for section in v.sections:
        for entry in section.entries:
            entry.label, entry.sentence = fix(entry.label), fix(entry.sentence)
            entry.lines = [fix(x) for x in entry.lines]
    v.warnings = [fix(x) for x in v.warnings]
    v.questions = [fix(x) for x in v.questions]


KEY_SHOWN = 4
"""Unanswered key questions named in the "profile to complete" sentence (then a count)."""


def unanswered_key_questions(kb: KnowledgeBase, rec: Recommendation) -> list[str]:
    """The key questions (``key_questions``) still without an answer that apply to this structure, in the
    diagnostic order."""
    from ..recommendation.missing import relevant

    known = {k: v for k, v in rec.profile.items() if v is not None and k != "name"}
    return [name for _, name in sorted((q.stage, name) for name, q in kb.questions.items()
                                       if q.key and name not in known and relevant(kb, name, known))]


def incomplete(kb: KnowledgeBase, rec: Recommendation) -> str:
    """A sentence saying which key questions are unanswered (recommendations to confirm), or ``""``."""
    unanswered = unanswered_key_questions(kb, rec)
    if not unanswered:
        return ""
    labels = [pick(kb.questions[name].label).lower() for name in unanswered[:KEY_SHOWN]]
    more = len(unanswered) - KEY_SHOWN
    listed = ", ".join(labels) + (t("report.incomplete_more" if more > 1 else "report.incomplete_one_more",
                                    count=more) if more > 0 else "")
    return t("report.incomplete", fields=listed)


def _step_text(step: PlanStep, with_text: bool, actions: int | None = None) -> str:
    """What to do in the step: its actions (at most ``actions``), else its sentence with the items it covers;
    short of words, the items alone (a step without items keeps its sentence)."""
    if step.actions and actions is not None:
        text = " ; ".join(step.actions[:actions])
        return f"{text[:1].upper()}{text[1:]}."
    if step.labels:
        return f"{step.text} ({', '.join(step.labels)})" if with_text else ", ".join(step.labels)
    return step.text


def _entry(item: Item, detail: bool) -> Entry:
    entry = Entry(label=item.label, sentence=top_reason(item), id=item.id)
    if detail:
        entry.score = number(item.score)
        entry.detail = [f"{_sign(r.weight)} {r.because} [{r.rule} — {r.source}]" for r in item.reasons]
    return entry


def _sign(weight: float) -> str:
    return "+" if weight > 0 else "−" if weight < 0 else "•"


def _tools(kb: KnowledgeBase, rec: Recommendation, detail: bool, lim: Limits) -> list[Entry]:
    out: list[Entry] = []
    categories = rec.tool_categories if detail else _reading_order(kb, rec)
    limit = None if detail else _category_count(kb, rec, lim, categories)  # the priority's own: said above
    unfit = _unfit_in_place(kb, rec)
    covered = covered_by_software(kb, rec)
    folded = [c.label for c in rec.tool_categories if c.id in covered]
    summary = rec.summary or summarise(kb, rec)
    move = next((p for p in summary.priorities if p.kind == "tool"), None)
    by_id = {c.id: c for c in rec.tool_categories}
    named = [s for s, _ in joint_tools(kb, rec, [by_id[c] for c in ([move.id, *move.also] if move else [])
                                                  if c in by_id]) if s is not None]  # one tool rather than a stack
    told_unfit: set[str] = set()
    in_priority = {move.id, *move.also} if move is not None and not detail else set()
    for category in categories:
        if limit is not None and len(out) >= limit:
            break
        entry = _entry(category, detail)
        covering = next((s for s in named if category.id in serves(kb, s)), None) if not detail else None
        if covering is not None and category.id not in in_priority:
            entry.lines.append(t("report.also_covers", tool=covering.name))
            out.append(entry)
            continue
        solutions = offered(kb, rec, category.id)
        keep = len(solutions) if detail else (lim.first_solutions if not out else lim.solutions)
        in_use = [s for s in rec.solutions if in_place(s) and category.id in serves(kb, s)]
        if in_use and not detail:  # build on what is in place: consolidate it, no alternative
            solutions = in_use
            keep = len(solutions)
        elif category.id in in_priority:
            solutions = []  # the priority named its tool: no second one beside it
            if len(in_use) >= 2:
                entry.lines.append(t("report.overlap", tools=and_words([s.name for s in in_use])))
        if not detail:  # a tool in place that no longer fits is named, with why, before its alternatives (once)
            replaced = [e for e in unfit if category.id in kb.solutions[e.id].categories and e.reasons
                        and e.id not in told_unfit]
            told_unfit.update(e.id for e in replaced)
            entry.lines.extend(f"{e.label} — {t('report.in_use_unfit')} {_lower_first(e.reasons[0].because)}"
                               for e in replaced)
        if category.id == BUSINESS_SOFTWARE and folded and not detail:
            entry.lines.append(f"{t('report.guide_covers')} {and_words(folded)}.")
        if not solutions and kb.taxonomy.get(category.id) is not None and kb.taxonomy[category.id].no_catalogue:
            entry.lines.extend(software_guide(kb, rec.profile, category.id, short=not detail and bool(out)))
        named.extend(solutions[:1])
        for sol in solutions[:keep]:
            entry.lines.append(_solution_words(kb, sol, category.id, sol in in_use, rec.profile, detail))
            if detail:
                entry.lines.extend(f"    {_sign(r.weight)} {r.because} [{r.rule}]" for r in sol.reasons)
        if category.id in in_priority and not entry.lines:
            continue  # said in the priority, nothing to add: it takes no place here
        out.append(entry)
    return out


def _solution_words(kb: KnowledgeBase, sol: Any, category: str, in_use: bool, profile: dict[str, Any],
                    detail: bool) -> str:
    """One solution in words: how it is offered and its price (or that it is in place), paid plan, caveat."""
    line = f"{sol.name} — {sol.offered_as}, {_price_words(kb, sol, profile)}"
    if in_use and sol.category != category:
        line = f"{sol.name} — {t('report.in_use_elsewhere')}"
    elif in_use:
        kept = next((r.because for r in sol.reasons if r.rule == "catalog:data" and r.weight < 0
                     and r.facts.get("data_sensitivity") == "sensitive"), None)
        line = f"{sol.name} — {_lower_first(kept) if kept else t('report.in_use')}"  # kept, but to secure
    elif detail:
        line += f", {t('report.licence')} {sol.licence}"
    if sol.paid_plan and not in_use:
        line += f" — {t('report.paid_plan')}"
    if sol.caveat:
        line = f"{line.rstrip('.')}. {t('report.caveat')} {sol.caveat}"
    if not sol.verified and detail:
        line += f" ({t('report.unverified')})"
    if detail:
        line += f" [{t('report.score')} {number(sol.score)}]"
    return line


def _reading_order(kb: KnowledgeBase, rec: Recommendation) -> list[Item]:
    """Tool categories as the short report lists them: the first tool move, the sector's business software (the
    core of the activity), the other categories of the request, one per expressed need and the remedies of urgent
    matters, then by score, what the structure asked for before what it did not on equal scores."""
    first = first_tool_move(kb, rec)
    requested = {c.id for c in request_categories(kb, rec)}
    answering = _must_show(kb, rec)  # one per expressed need, and the remedies of urgent matters

    def key(pair: tuple[int, Item]) -> tuple[bool, bool, bool, bool, float, bool, int]:
        index, item = pair
        asked = any("needs" in r.facts for r in item.reasons)
        return (item is not first, item.id != BUSINESS_SOFTWARE, item.id not in requested, item.id not in answering,
                -item.score, not asked, index)

    covered = covered_by_software(kb, rec)  # met inside the sector software: said there, not listed apart
    return [item for _, item in sorted(enumerate(rec.tool_categories), key=key) if item.id not in covered]


EXTRA_CATEGORIES = 2
"""Categories the short report may add beyond its limit so that each expressed need gets one."""


def _category_count(kb: KnowledgeBase, rec: Recommendation, lim: Limits, order: list[Item]) -> int:
    """How many tool categories the short report lists: its limit, raised (by :data:`EXTRA_CATEGORIES` at most)
    to give each expressed need one while words allow — a need is answered or said not shown, never dropped
    silently."""
    if lim.categories < Limits().categories:  # short of words: the limit holds, the rest is said in one line
        return lim.categories
    answering = _must_show(kb, rec)
    last = max((i + 1 for i, c in enumerate(order) if c.id in answering), default=0)
    return max(lim.categories, min(last, lim.categories + EXTRA_CATEGORIES))


def _must_show(kb: KnowledgeBase, rec: Recommendation) -> set[str]:
    """Tool categories the short report shows before the others: the first that answers each expressed need, what
    an urgent matter calls for (a professional mailbox when documents travel through personal accounts), and the
    sector's business software when recommended (the core of the activity)."""
    urgent = {r.rule for w in rec.warnings if w.urgent for r in w.reasons}
    remedies = {c.id for c in rec.tool_categories
                if any(r.rule in urgent and r.effect == "recommend" and r.weight >= 2 for r in c.reasons)}
    software = {BUSINESS_SOFTWARE} if any(c.id == BUSINESS_SOFTWARE for c in rec.tool_categories) else set()
    return remedies | software | {cats[0].id for cats in need_categories(kb, rec).values() if cats}


def need_categories(kb: KnowledgeBase, rec: Recommendation) -> dict[str, list[Item]]:
    """For each need the structure expressed, the tool categories a rule reading that need recommends (in the
    recommendation's order), those met inside the sector software excepted (none for a need the sector's software
    answers)."""
    from ..recommendation.summary import rules_reading_need

    covered = covered_by_software(kb, rec)
    software = any(c.id == BUSINESS_SOFTWARE for c in rec.tool_categories) and bool(covered)
    out: dict[str, list[Item]] = {}
    for need in rec.profile.get("needs") or ():
        if software and need in SOFTWARE_NEEDS:  # the sector's software answers it
            out[need] = []
            continue
        rules = rules_reading_need(kb, need)
        out[need] = [c for c in rec.tool_categories if c.id not in covered
                     and any(r.rule in rules and r.effect == "recommend" for r in c.reasons)]
    return out


def _other_needs(kb: KnowledgeBase, rec: Recommendation, v: View) -> str:
    """The expressed needs the short report does not show: each with the category (and first tool) that would
    answer it, or said to have no answer here — never dropped silently. The request has its own line."""
    from ..recommendation.summary import rules_reading_need

    main = rec.profile.get("main_need")
    covered = covered_by_software(kb, rec)
    priorities = (rec.summary or summarise(kb, rec)).priorities
    shown = {e.id for s in v.sections for e in s.entries} | {p.id for p in priorities}
    shown |= {c for p in priorities for c in p.also}
    later: dict[str, list[str]] = {}  # the category's words → the needs it would answer
    without: list[str] = []
    software = any(c.id == BUSINESS_SOFTWARE for c in rec.tool_categories) and bool(covered)
    for need, categories in need_categories(kb, rec).items():
        if need == main or need not in kb.needs or (software and need in SOFTWARE_NEEDS):
            continue
        label = _lower_first(pick(kb.needs[need].label))
        rules = rules_reading_need(kb, need)
        answering = [i for fam in ("tool_categories", "accompaniments", "funding_routes") for i in getattr(rec, fam)
                     if any(r.rule in rules and r.effect == "recommend" for r in i.reasons)]
        if any(c.id in shown for c in categories) or any(i.id in covered for i in answering) or (
                not categories and any(i.id in shown for i in answering)):
            continue
        if categories:
            tools = [s.name for s in offered(kb, rec, categories[0].id)][:1]
            where = categories[0].label + (f"{t('report.colon')}{tools[0]}" if tools else "")
            later.setdefault(where, []).append(label)
        else:
            without.append(label)
    parts = []
    if later:
        parts.append(t("report.other_needs_later", needs=" ; ".join(f"{and_words(labels)} ({where})"
                                                                  for where, labels in later.items())))
    if without:
        parts.append(t("report.other_needs_without", needs=and_words(without)))
    return " ".join(parts)


def _head(line: str) -> str:
    """The name a solution line starts with (« Nextcloud — Logiciel libre… » → « Nextcloud »), after any
    « Category : »."""
    head = line.split(" — ", 1)[0]
    return head.split(t("report.colon"), 1)[-1].strip()


def _fuller(line: str, full: dict[str, str]) -> str:
    """A priority's solution line with the price and caveats of the tools section, its category kept."""
    head = _head(line)
    if head not in full or full[head] == line:
        return line
    prefix = line.split(t("report.colon"), 1)[0] + t("report.colon") if line.split(" — ", 1)[0] != head else ""
    return prefix + full[head]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _request(kb: KnowledgeBase, rec: Recommendation, summary: Summary) -> str:
    """The request in words and, honestly, where the report answers it: the tool priority when it answers it, the
    items a rule reading the request recommended otherwise, or a plain « not answered here »."""
    from ..recommendation.summary import request_items

    main = rec.profile.get("main_need")
    if not main:
        return ""
    label = _lower_first(pick(kb.needs[main].label) if main in kb.needs else main)
    items = request_items(kb, rec)
    answering = {i.id for i in items}
    tool = next((p for p in summary.priorities if p.kind == "tool"), None)
    if tool is not None and tool.id in answering:
        return t("report.request_answered", need=label, where=tool.label)
    covered = covered_by_software(kb, rec)
    if tool is not None and tool.id == BUSINESS_SOFTWARE and (answering & covered or main in SOFTWARE_NEEDS):
        return t("report.request_in_software", need=label)
    others = [i.label for i in items][:3]
    if others:
        return t("report.request_elsewhere", need=label, where=and_words(others))
    return t("report.request_unanswered", need=label)


def _models_in_use(kb: KnowledgeBase, rec: Recommendation, lim: Limits) -> list[Item]:
    """The licensing and delivery models that a solution of the short report is offered under: a paragraph on
    ethical hosts (or on free software) only when the report proposes one."""
    ways: set[str] = set()
    order = _reading_order(kb, rec)
    for category in order[:_category_count(kb, rec, lim, order)]:
        in_use = [s for s in rec.solutions if in_place(s) and category.id in serves(kb, s)]
        for sol in in_use or offered(kb, rec, category.id)[:lim.first_solutions]:
            ways.add(sol.way or "")
            ways.add("proprietary" if sol.licence == "proprietary" else "free_software")
    return [i for i in rec.licensing_models if i.id in ways]


def _unfit_in_place(kb: KnowledgeBase, rec: Recommendation) -> list[Any]:
    """Solutions the structure uses that the matching ruled out (keep-control, sensitive data, size…)."""
    from ..knowledge.profile import Profile
    from ..recommendation.matching import in_use

    known = kb.known(Profile.model_validate(rec.profile))
    return [e for e in rec.excluded if e.family == "solutions" and e.id in kb.solutions
            and in_use(kb.solutions[e.id], known)]


PER_USER_TEAM = 10
"""From this many employees a per-account subscription is priced for the team, not by its tier."""


def _price_words(kb: KnowledgeBase, sol: Any, profile: dict[str, Any]) -> str:
    """The price in words; a per-account subscription for a team of ten or more is said per account, with the
    number of accounts to multiply by (a free plan or « petit prix » would mislead a 65-person team); with
    sensitive data the free plan is not offered (no contract for such data), the paid one is."""
    team = profile.get("employees") or 0
    if sol.pricing == "per_user" and team >= PER_USER_TEAM:
        return t("report.price_per_user", count=_thousands(int(team)))
    entry = kb.solutions.get(sol.id)
    price = _price(sol, entry.on_premise if entry is not None else None)
    if profile.get("data_sensitivity") == "sensitive" and price.endswith("_free_tier"):
        return t("report.price_sensitive", paid=t("report.price_" + price.removesuffix("_free_tier")))
    return t("report.price_" + price)


def _price(sol: Any, installed: str | None) -> str:
    if sol.pricing in ("commission", "quote", "tips"):
        return str(sol.pricing)
    if sol.way == "alternative_host" and "self" in sol.hosting and (sol.price_tier == "free" or sol.free_tier):
        return "host"  # free software any host runs: what the host charges a structure is to be asked
    if sol.way == "on_premise" and sol.licence != "proprietary":  # installed by the structure
        return "self" if installed == "server" else "desktop"  # a server and its care cost; a PC install not
    if sol.price_tier == "free":
        return "free"
    return f"{sol.price_tier}_free_tier" if sol.free_tier and not sol.paid_plan else sol.price_tier


def _funding(route: Any, detail: bool) -> Entry:
    entry = _entry(route, detail)
    for provider in route.providers if detail else route.providers[:2]:
        text = provider.note if detail else provider.caveat  # caveats always reach the reader
        if detail and provider.caveat:
            text = f"{provider.caveat} {provider.note or ''}".strip()
        sep = t("report.colon") if detail else " — "  # as in the priorities, so that what they said is not repeated
        entry.lines.append(provider.name + (f"{sep}{text}" if text else ""))
    return entry


def _question(missing: Any, detail: bool) -> str:
    return f"{missing.question} [{missing.field}, {t('report.impact')} {missing.impact}]" if detail else \
        missing.question


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    if current_language() == "fr":
        return f"{int(day)} {t('report.month_' + month)} {year}"
    return f"{t('report.month_' + month)} {int(day)}, {year}"


def number(value: float) -> str:
    """A number as people read it in the current language (« 4,5 » in French)."""
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if current_language() == "fr" else text


def profile_in_words(kb: KnowledgeBase, profile: dict[str, Any]) -> list[tuple[str, str]]:
    """(question label, answer in words) for every answered field but the name."""
    rows = []
    for name, value in profile.items():
        if name == "name" or value is None:
            continue
        question = kb.questions.get(name)
        label = pick(question.label) if question else name
        rows.append((label, answer_in_words(kb, name, value)))
    return rows


BRIEF = ("legal_form", "sector", "siae", "employees", "volunteers", "sites", "digital_budget_eur", "maturity",
         "data_sensitivity", "needs", "current_tools")
"""What the default report says of the structure, in one line (the detailed report lists every answer)."""


def profile_in_brief(kb: KnowledgeBase, profile: dict[str, Any]) -> list[tuple[str, str]]:
    """The main answers in a few words each: (label, answer) pairs, the label empty where the answer says it all."""
    out: list[tuple[str, str]] = []
    for name in BRIEF:
        value = profile.get(name)
        if value is None or value == []:
            continue
        if name in ("employees", "volunteers", "sites"):
            form = "none" if value == 0 else "one" if value == 1 else "many"
            out.append(("", t(f"report.brief_{name}_{form}", count=_thousands(int(value)))))
        elif name == "siae":
            if value:
                out.append(("", t("report.brief_siae")))
        elif name in ("digital_budget_eur", "data_sensitivity", "maturity"):
            out.append(("", t(f"report.brief_{name}", value=answer_in_words(kb, name, value).lower()
                              if name != "data_sensitivity" else t(f"report.sensitivity_{value}"))))
        else:
            question = kb.questions.get(name)
            label = pick(question.label) if question and name in ("needs", "current_tools") else ""
            out.append((label, answer_in_words(kb, name, value)))
    return out


def answer_in_words(kb: KnowledgeBase, name: str, value: Any) -> str:
    """One answer as the questionnaire shows it: labels for choices, « 300 € par an » for the budget…"""
    question = kb.questions.get(name)
    labels = question.values if question else {}

    def one(v: Any) -> str:
        key = str(v).lower() if isinstance(v, bool) else str(v)
        if key in labels:
            return pick(labels[key])
        if name == "needs" and str(v) in kb.needs:
            return pick(kb.needs[str(v)].label)
        if name == "current_tools" and str(v) in kb.solutions:
            return kb.solutions[str(v)].name
        if name == "current_tools" and str(v) in ("spreadsheet", "paper"):
            return t(f"report.tool_{v}")
        return str(v)

    if isinstance(value, list):
        return ", ".join(one(v) for v in value) if value else t("report.none_given")
    if name == "digital_budget_eur":
        return t("report.budget_value", amount=_thousands(int(value)))
    if isinstance(value, bool):
        return one(value) if labels else (t("report.yes") if value else t("report.no"))
    return one(value)


def _thousands(value: int) -> str:
    text = f"{value:,}"
    return text.replace(",", "\u202f") if current_language() == "fr" else text


# ------------------------------------------------------------------ words


def words(text: str, fmt: str) -> int:
    """Words in ``text`` as ``wc -w`` counts them (every run of non-spaces); HTML tags and styles do not count."""
    if fmt == "html":
        body = text.split("<body>", 1)[-1]
        body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", body)
    return len(text.split())


def fitted(kb: KnowledgeBase, rec: Recommendation, render: Any, fmt: str, detail: bool) -> str:
    """Render ``rec`` with ``render(view)``, reducing the content until it fits in :data:`MAX_WORDS` words."""
    limits = Limits()
    text = render(view(kb, rec, detail, limits))
    if detail:
        return str(text)
    for change in REDUCTIONS:
        if words(text, fmt) <= MAX_WORDS:
            break
        limits = replace(limits, **change)
        text = render(view(kb, rec, detail, limits))
    return str(text)
