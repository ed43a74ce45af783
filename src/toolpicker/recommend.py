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
from dataclasses import dataclass, field
from typing import Any

from ._i18n import current_language, language, pick, t
from ._version import __version__
from .catalog import Eligibility, FundingRoute, valid_on
from .engine import Engine, Firing
from .kb import KnowledgeBase, default_knowledge_base
from .matching import match_solutions
from .missing import missing_fields
from .profile import Profile, parse_profile, shorten
from .result import (
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


def engine_for(kb: KnowledgeBase) -> Engine:
    """The compiled durable-rules engine of a knowledge base (built once)."""
    engine: Engine = kb.cached("engine", lambda: Engine(kb.rules))
    return engine


@dataclass
class _Acc:
    score: float = 0.0
    reasons: list[dict[str, Any]] = field(default_factory=list)
    best_priority: int | None = None
    top_rule: tuple[float, str] | None = None


def _reason(kb: KnowledgeBase, firing: Firing, because: Mapping[str, str], effect: str,
            weight: float) -> dict[str, Any]:
    rule = kb.rule_index[firing.rule]
    return {"rule": rule.id, "because": pick(because), "source": rule.source, "effect": effect, "weight": weight,
            "facts": dict(firing.facts)}


def aggregate(kb: KnowledgeBase, firings: list[Firing]) -> tuple[dict[str, _Acc], dict[str, list[dict[str, Any]]],
                                                                 dict[str, list[dict[str, Any]]]]:
    """Scores and reasons per item, exclusions, warnings (by id)."""
    items: dict[str, _Acc] = {}
    exclusions: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    warnings: dict[str, list[dict[str, Any]]] = {}
    messages: dict[str, str] = {}
    for firing in firings:
        rule = kb.rule_index[firing.rule]
        for effect in rule.recommend:
            acc = items.setdefault(effect.item, _Acc())
            acc.score += effect.weight
            acc.reasons.append(_reason(kb, firing, effect.because, "recommend", effect.weight))
            acc.best_priority = rule.priority if acc.best_priority is None else max(acc.best_priority, rule.priority)
            candidate = (-effect.weight, rule.id)  # heaviest rule first, then the first id
            if acc.top_rule is None or candidate < acc.top_rule:
                acc.top_rule = candidate
        for effect in rule.discourage:
            acc = items.setdefault(effect.item, _Acc())
            acc.score -= effect.weight
            acc.reasons.append(_reason(kb, firing, effect.because, "discourage", -effect.weight))
        for effect in rule.exclude:
            priority, reasons = exclusions.get(effect.item, (rule.priority, []))
            reasons.append(_reason(kb, firing, effect.because, "exclude", 0.0))
            exclusions[effect.item] = (max(priority, rule.priority), reasons)
        for warning in rule.warn:
            messages.setdefault(warning.id, pick(warning.message))
            warnings.setdefault(warning.id, []).append(_reason(kb, firing, warning.message, "warn", 0.0))
    excluded: dict[str, list[dict[str, Any]]] = {}
    for item, (priority, reasons) in exclusions.items():
        kept = items.get(item)
        if kept is not None and kept.best_priority is not None and kept.best_priority > priority:
            continue  # a more important rule keeps it
        items.pop(item, None)
        excluded[item] = reasons
    for wid in warnings:
        warnings[wid] = [{**r, "message": messages[wid]} for r in warnings[wid]]
    return items, excluded, warnings


def _reasons(raw: list[dict[str, Any]]) -> list[Reason]:
    ordered = sorted(raw, key=lambda r: (r["effect"] != "recommend", -abs(r["weight"]), r["rule"]))
    return [Reason(**{k: v for k, v in r.items() if k != "message"}) for r in ordered]


def _eligible(eligibility: Eligibility | None, known: Mapping[str, Any]) -> bool:
    """False only when a known answer rules the profile out (unknown never excludes)."""
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
    siae = known.get("siae")
    return not (eligibility.siae is not None and siae is not None and siae != eligibility.siae)


def _funding(kb: KnowledgeBase, route: FundingRoute, acc: _Acc, known: Mapping[str, Any], as_of: dt.date,
             ) -> FundingItem | Excluded:
    providers = [p for p in route.providers
                 if valid_on(p.valid_from or route.valid_from, p.valid_until or route.valid_until, as_of)
                 and _eligible(p.eligible, known)]
    label = pick(route.label)
    problem = None
    if not valid_on(route.valid_from, route.valid_until, as_of):
        problem = t("match.route_expired", date=as_of.isoformat())
    elif not _eligible(route.eligible, known):
        problem = t("match.route_ineligible")
    elif route.providers and not providers:
        problem = t("match.route_no_provider", date=as_of.isoformat())
    if problem is not None:
        return Excluded(id=route.id, label=label, family="funding_routes",
                        reasons=[Reason(rule="catalog:funding", because=problem, source=route.source,
                                        effect="exclude")])
    return FundingItem(
        id=route.id, label=label, score=round(acc.score, 4), reasons=_reasons(acc.reasons),
        aid_type=route.aid_type, expense=route.expense,
        providers=[ProviderOut(id=p.id, name=p.name, url=p.url, note=pick(p.note) if p.note else None,
                               valid_until=p.valid_until.isoformat() if p.valid_until else None) for p in providers],
        valid_from=route.valid_from.isoformat() if route.valid_from else None,
        valid_until=route.valid_until.isoformat() if route.valid_until else None,
    )


def _top_rule(acc: _Acc, item: Item) -> str:
    """The rule that weighs most in an item (first id on ties): named by its solutions' first reason."""
    return acc.top_rule[1] if acc.top_rule is not None else item.reasons[0].rule


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda i: (-i.score, i.id))


def build(kb: KnowledgeBase, profile: Profile, firings: list[Firing], as_of: dt.date,
          with_missing: bool = True, missing: list[dict[str, Any]] | None = None) -> Recommendation:
    """Assemble the recommendation from durable-rules' firings."""
    known = profile.known()
    items, excluded_raw, warnings = aggregate(kb, firings)
    families: dict[str, list[Any]] = {f: [] for f in ("tool_categories", "licensing_models", "accompaniments",
                                                      "funding_routes", "solutions")}
    excluded = [Excluded(id=i, label=pick(kb.label(i)), family=kb.family_of(i) or "", reasons=_reasons(r))
                for i, r in excluded_raw.items()]
    direct_solutions: dict[str, _Acc] = {}
    for item_id, acc in items.items():
        if acc.score <= 0:
            continue
        family = kb.family_of(item_id)
        if family == "solutions":
            direct_solutions[item_id] = acc
        elif family == "funding_routes":
            out = _funding(kb, kb.funding_routes[item_id], acc, known, as_of)
            if isinstance(out, FundingItem):
                families["funding_routes"].append(out)
            else:
                excluded.append(out)
        elif family is not None:
            families[family].append(Item(id=item_id, label=pick(kb.label(item_id)), score=round(acc.score, 4),
                                         reasons=_reasons(acc.reasons)))
    categories = {i.id: (i.score, _top_rule(items[i.id], i)) for i in families["tool_categories"]}
    licensing = {i.id for i in families["licensing_models"]}
    kept, dropped = match_solutions(kb, categories, known, licensing, as_of)
    solution_scores: dict[str, tuple[float, list[dict[str, Any]], str]] = {
        s.solution.id: (s.score, s.reasons, s.category) for s in kept}
    for sol_id, acc in direct_solutions.items():
        score, reasons, category = solution_scores.get(sol_id, (0.0, [], kb.solutions[sol_id].category))
        solution_scores[sol_id] = (score + acc.score, acc.reasons + reasons, category)
    dropped_ids = {s.solution.id for s in dropped}
    for sol_id, (score, reasons, category) in solution_scores.items():
        sol = kb.solutions[sol_id]
        if sol_id in dropped_ids or (sol.end_of_life and sol.end_of_life < as_of):
            continue
        families["solutions"].append(SolutionItem(
            id=sol.id, label=sol.name, name=sol.name, score=round(score, 4), reasons=_reasons(reasons),
            category=category, licence=sol.licence, delivery=list(sol.delivery), url=sol.url,
            hosting=list(sol.hosting), price_tier=sol.price_tier, free_tier=sol.free_tier, difficulty=sol.difficulty,
            last_verified=sol.last_verified.isoformat() if sol.last_verified else None))
    for s in dropped:
        excluded.append(Excluded(id=s.solution.id, label=s.solution.name, family="solutions",
                                 reasons=[Reason(**r) for r in s.excluded]))
    warning_out = [WarningOut(id=wid, message=reasons[0]["message"], reasons=_reasons(reasons))
                   for wid, reasons in sorted(warnings.items())]
    return Recommendation(
        toolpicker_version=__version__,
        knowledge_base=KnowledgeBaseInfo(version=kb.version, rules=len(kb.rules), solutions=len(kb.solutions),
                                         funding_routes=len(kb.funding_routes), as_of=as_of.isoformat(),
                                         language=current_language()),
        profile=profile.model_dump(mode="json"),
        tool_categories=_sorted(families["tool_categories"]),
        licensing_models=_sorted(families["licensing_models"]),
        accompaniments=_sorted(families["accompaniments"]),
        funding_routes=_sorted(families["funding_routes"]),
        solutions=_sorted(families["solutions"]),
        warnings=warning_out,
        missing=[Missing(**m) for m in (missing if missing is not None else missing_fields(kb, profile, as_of))]
        if with_missing else [],
        excluded=sorted(excluded, key=lambda e: (e.family, e.id)),
    )


def recommend(profile: Profile | Mapping[str, Any], as_of: dt.date | str | None = None,
              knowledge_base: KnowledgeBase | None = None, lang: str | None = None,
              reuse: bool = True) -> Recommendation:
    """Recommend tools, licensing models, accompaniments, funding routes and solutions.

    >>> rec = recommend({"legal_form": "association", "employees": 3})
    >>> rec.model_dump(mode="json")["tool_categories"][0]["reasons"][0]["rule"]  # doctest: +SKIP

    Raises :class:`~toolpicker.ProfileError` on a bad profile. Safe to call from
    several threads at once. With ``reuse`` (the default), profiles that no rule
    condition can tell apart share one durable-rules run (see
    :mod:`toolpicker.reuse`); ``reuse=False`` runs durable-rules for this
    profile whatever the cache holds. Both give the same result.
    """
    kb = knowledge_base or default_knowledge_base()
    with language(lang or current_language()) as chosen:
        parsed = parse_profile(profile)
        day = parse_date(as_of)
        if not reuse:
            return build(kb, parsed, engine_for(kb).run(parsed.known()), day)
        return _reusing(kb, parsed, day, chosen)


def _reusing(kb: KnowledgeBase, parsed: Profile, day: dt.date, lang: str) -> Recommendation:
    from .evaluate import compiled_for
    from .reuse import reuse_for

    memo = reuse_for(kb)
    known = parsed.known()
    out_key = memo.output_key(known, day, lang)
    hit = memo.outputs.get(out_key)
    if hit is not None:
        return hit.model_copy(update={"profile": parsed.model_dump(mode="json")})  # type: ignore[no-any-return]
    engine = engine_for(kb)
    signature = memo.signature(compiled_for(kb.rules).prepare(known))
    fired = memo.memo(memo.firings, signature, lambda: tuple(f.rule for f in engine.run(known)))
    firings = [engine.firing(rule_id, known) for rule_id in fired]
    missing = memo.memo(memo.missing, (signature, memo.catalog_key(known), day, lang),
                        lambda: missing_fields(kb, parsed, day))
    rec = build(kb, parsed, firings, day, missing=missing)
    memo.outputs.put(out_key, rec)
    return rec


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def parse_date(value: dt.date | str | None) -> dt.date:
    """The evaluation date: a date, an ISO ``YYYY-MM-DD`` string, or today."""
    from ._errors import InputError, Problem

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
