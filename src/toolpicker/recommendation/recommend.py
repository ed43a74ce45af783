"""From a profile to an explained recommendation.

1. durable-rules fires the rules (:mod:`toolpicker.engine`);
2. the firings are aggregated: each ``recommend`` adds its weight to the item's
   score, each ``discourage`` subtracts it, each ``exclude`` removes the item
   unless a recommending rule has a strictly higher ``priority``; items whose
   score is not positive are left out; reasons are attached;
3. funding routes are kept only when valid on the evaluation date, with at
   least one provider valid on that date, and the profile is eligible;
4. solutions are matched to the recommended categories (:mod:`toolpicker.matching`);
5. ``missing`` ranks the unanswered questions (:mod:`toolpicker.missing`).

Lists are sorted by score (highest first), then by id: the output is the same
byte for byte for the same profile, knowledge base and date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .._i18n import check_language, current_language, language, pick, t
from .._version import __version__
from ..knowledge.base import KnowledgeBase, default_knowledge_base
from ..knowledge.catalog import FundingRoute, Solution
from ..knowledge.profile import Profile, parse_profile, shorten
from .evaluation import Evaluation, ItemScore, evaluate, route_verdict
from .matching import Scored, way_label
from .missing import missing_fields
from .result import (
    FAMILIES,
    Excluded,
    FundingItem,
    Item,
    KnowledgeBaseInfo,
    Missing,
    ProviderOut,
    Reason,
    Recommendation,
    SolutionItem,
    WarningOut,
)
from .summary import summarise


def _reasons(raw: list[Reason]) -> list[Reason]:
    return sorted(raw, key=lambda r: (r.effect != "recommend", -abs(r.weight), r.rule))


def _funding(route: FundingRoute, acc: ItemScore, known: Mapping[str, Any], as_of: dt.date,
             ) -> FundingItem | Excluded:
    problem_key, providers = route_verdict(route, known, as_of)
    label = pick(route.label)
    problem = t(f"match.{problem_key}", date=as_of.isoformat()) if problem_key else None
    if problem is not None:
        return Excluded(id=route.id, label=label, family="funding_routes",
                        reasons=[Reason(rule="catalog:funding", because=problem, source=route.source,
                                        effect="exclude")])
    return FundingItem(
        id=route.id, label=label, score=round(acc.score, 4), reasons=_reasons(acc.reasons),
        aid_type=route.aid_type, expense=route.expense,
        providers=[ProviderOut(id=p.id, name=p.name, url=p.url, note=pick(p.note) if p.note else None,
                               caveat=pick(p.caveat) if p.caveat else None,
                               valid_until=p.valid_until.isoformat() if p.valid_until else None) for p in providers],
        valid_from=route.valid_from.isoformat() if route.valid_from else None,
        valid_until=route.valid_until.isoformat() if route.valid_until else None,
    )


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: (-i.score, i.id))


def build(evaluation: Evaluation, missing: list[dict[str, Any]] | None = None, with_missing: bool = True,
          ) -> Recommendation:
    """The recommendation object (CONTRACT §2) of an evaluation."""
    kb, known, as_of = evaluation.kb, evaluation.known, evaluation.as_of
    agg = evaluation.aggregate
    families: dict[str, list[Any]] = {f: [] for f in FAMILIES}
    excluded = [Excluded(id=i, label=pick(kb.label(i)), family=kb.family_of(i) or "", reasons=_reasons(r))
                for i, r in agg.excluded.items()]
    direct_solutions: dict[str, ItemScore] = {}
    for item_id, acc in agg.items.items():
        if acc.score <= 0:
            continue
        family = kb.family_of(item_id)
        if family == "solutions":
            direct_solutions[item_id] = acc
        elif family == "funding_routes":
            out = _funding(kb.funding_routes[item_id], acc, known, as_of)
            if isinstance(out, FundingItem):
                families["funding_routes"].append(out)
            else:
                excluded.append(out)
        elif family is not None:
            families[family].append(Item(id=item_id, label=pick(kb.label(item_id)), score=round(acc.score, 4),
                                         reasons=_reasons(acc.reasons)))
    kept, dropped = evaluation.solutions
    chosen: dict[str, Scored] = {s.solution.id: s for s in kept}
    extra: dict[str, ItemScore] = {}
    for sol_id, acc in direct_solutions.items():
        if sol_id in chosen:
            chosen[sol_id].score = round(chosen[sol_id].score + acc.score, 4)
            chosen[sol_id].reasons = acc.reasons + chosen[sol_id].reasons
        elif sol_id not in {s.solution.id for s in dropped}:
            extra[sol_id] = acc
    for scored in chosen.values():
        families["solutions"].append(_solution_item(kb, scored.solution, scored.category, scored.score,
                                                    scored.reasons, scored.way, scored.paid_plan))
    for sol_id, acc in extra.items():
        sol = kb.solutions[sol_id]
        if sol.end_of_life and sol.end_of_life < as_of:
            continue
        families["solutions"].append(_solution_item(kb, sol, sol.category, round(acc.score, 4), acc.reasons,
                                                    None))
    for s in dropped:
        excluded.append(Excluded(id=s.solution.id, label=s.solution.name, family="solutions", reasons=s.excluded))
    urgent = {w.id for r in kb.rules for w in r.warn if w.urgent}
    general = {w.id for r in kb.rules for w in r.warn if w.general}
    legal = {w.id for r in kb.rules for w in r.warn if w.legal}
    told = _told_warnings(kb)
    warning_out = [WarningOut(id=wid, message=agg.messages[wid], reasons=_reasons(reasons), urgent=wid in urgent)
                   for wid, reasons in sorted(agg.warnings.items(),
                                              key=lambda p: (p[0] not in urgent, p[0] not in legal, p[0] in general,
                                                             told.get(p[0], len(TOLD)), p[0]))]
    if with_missing and missing is None:
        missing = missing_fields(evaluation)
    rec = Recommendation(
        toolpicker_version=__version__,
        knowledge_base=KnowledgeBaseInfo(version=kb.version, rules=len(kb.rules), solutions=len(kb.solutions),
                                         funding_routes=len(kb.funding_routes), as_of=as_of.isoformat(),
                                         language=current_language()),
        profile=evaluation.profile.model_dump(mode="json"),
        tool_categories=_sorted(families["tool_categories"]),
        licensing_models=_sorted(families["licensing_models"]),
        accompaniments=_sorted(families["accompaniments"]),
        funding_routes=_sorted(families["funding_routes"]),
        solutions=_sorted(families["solutions"]),  # CONTRACT §2: score, then id; reports show ties by fit
        warnings=warning_out,
        missing=[Missing(**m) for m in missing] if with_missing and missing is not None else [],
        excluded=sorted(excluded, key=lambda e: (e.family, e.id)),
    )
    order = {name: q.stage for name, q in kb.questions.items()}
    ask_next = sorted(rec.missing, key=lambda m: (order.get(m.field, 99), -m.impact))
    return rec.model_copy(update={"summary": summarise(kb, rec), "ask_next": ask_next})


def _solution_item(kb: KnowledgeBase, sol: Solution, category: str, score: float, reasons: list[Reason],
                   way: str | None, paid_plan: bool = False) -> SolutionItem:
    return SolutionItem(
        id=sol.id, label=sol.name, name=sol.name, score=score, reasons=_reasons(reasons), category=category,
        licence=sol.licence, delivery=list(sol.delivery), url=sol.url, hosting=list(sol.hosting),
        price_tier=sol.price_tier, free_tier=sol.free_tier, difficulty=sol.difficulty,
        last_verified=sol.last_verified.isoformat() if sol.last_verified else None,
        way=way, offered_as=way_label(kb, sol, way), caveat=pick(sol.caveat) if sol.caveat else None,
        verified=sol.last_verified is not None, pricing=sol.pricing, paid_plan=paid_plan)


def recommend(profile: Profile | Mapping[str, Any], as_of: dt.date | str | None = None,
              knowledge_base: KnowledgeBase | None = None, lang: str | None = None,
              reuse: bool = True) -> Recommendation:
    """Recommend tools, licensing models, accompaniments, funding routes and solutions.

    >>> rec = recommend({"legal_form": "association", "employees": 3})
    >>> rec.model_dump(mode="json")["tool_categories"][0]["reasons"][0]["rule"]  # doctest: +SKIP

    Raises :class:`~toolpicker.ProfileError` on a bad profile. Safe to call from
    several threads at once. With ``reuse`` (the default), a profile seen
    recently with the same answers that matter gets the same recommendation
    back (see :mod:`toolpicker.engine.reuse`); ``reuse=False`` computes it
    again. Both give the same result.
    """
    kb = knowledge_base or default_knowledge_base()
    with language(check_language(lang) or current_language()) as chosen:
        parsed = parse_profile(profile)
        day = parse_date(as_of)
        if not reuse:
            return build(evaluate(kb, parsed, day))
        return _reusing(kb, parsed, day, chosen)


def _reusing(kb: KnowledgeBase, parsed: Profile, day: dt.date, lang: str) -> Recommendation:
    """The recommendation of a profile seen recently (same answers that matter, same date and language) is
    reused whole; any other is computed (the engine's group memory and the matching's verdicts still share
    work between profiles)."""
    from ..engine.reuse import reuse_for

    memo = reuse_for(kb)
    known = kb.known(parsed)
    out_key = memo.output_key(known, day, lang)
    hit = memo.outputs.get(out_key)
    if hit is not None:
        return hit.model_copy(update={"profile": parsed.model_dump(mode="json")})  # type: ignore[no-any-return]
    rec = build(evaluate(kb, parsed, day))
    memo.outputs.put(out_key, rec)
    return rec


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


TOLD = ("situation", "main_need", "connectivity", "current_tools", "needs")
"""Answers in which the structure tells its own situation, the most telling first (« situation »: a difficulty
that tells one, :data:`~toolpicker.recommendation.summary.SITUATIONS`): a caution they raise comes before the
others."""


def _told_warnings(kb: KnowledgeBase) -> dict[str, int]:
    """Warning id → rank of the most telling answer its rule reads (:data:`TOLD`): urgent warnings first, then legal
    obligations, then those the structure's own account raised (a departure, its request, its tools), then the
    others, general cautions last."""
    from ..knowledge.rules import atoms
    from .summary import SITUATIONS

    def told(atom: Any) -> str:
        situation = atom.field == "difficulties" and atom.op == "contains" and atom.value in SITUATIONS
        return "situation" if situation else atom.field

    def build() -> dict[str, int]:
        ranks: dict[str, int] = {}
        for rule in kb.rules:
            read = [TOLD.index(told(a)) for a in atoms(rule.when) if told(a) in TOLD]
            for w in rule.warn:
                if read:
                    ranks[w.id] = min(ranks.get(w.id, len(TOLD)), *read)
        return ranks

    found: dict[str, int] = kb.cached("recommend.told_warnings", build)
    return found


def parse_date(value: dt.date | str | None) -> dt.date:
    """The evaluation date: a date, an ISO ``YYYY-MM-DD`` string, or today."""
    from .._errors import InputError, Problem

    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        if not _ISO_DAY.match(text):  # fromisoformat also takes "2026W011" and "20260101": not for people
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        message = t("errors.bad_date", value=shorten(text))
        raise InputError(message, [Problem(message=message, field="as_of", value=value, code="bad_date")]) from None
