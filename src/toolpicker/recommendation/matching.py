"""Named solutions for the recommended categories: what a product *is* before which category it serves.

The rules decide which tool categories, licensing and delivery models a
structure needs; this module proposes catalogue solutions for them. A solution
is judged once as a product — the same wherever it is matched from — then for
each recommended category it serves, and shown under the one where it fits
best (a product is counted once, never in several category lists).

**The product** (``catalog:*`` reasons, each a documented criterion):

- ``lifecycle`` — ended products are excluded (with their successor), and so is
  a product whose successor is more active (OpenOffice → LibreOffice), unless
  the structure already uses it;
- ``eligibility`` — reserved to other legal forms (AssoConnect, HelloAsso… are
  for associations): excluded;
- ``size`` — outside the solution's headcount range: excluded; ``weight: heavy``
  (ERP-class) for fewer than 10 employees: excluded; headcount unknown: −1;
- ``delivery`` — each way to use it (vendor's online service, ethical host,
  installed on the computers, installed on a server) is open or closed:
  closed when a rule excluded that model, when a server must be administered
  and the rules did not establish the capacity to do it (fact
  ``server_admin_capacity``), when sensitive data would go to a provider outside
  European law (unless end-to-end encrypted, or the category is public-facing), when health data would go to a
  host that is not HDS-certified, when a structure that wants to keep control
  of its data would hand it to a non-European vendor. A solution with no open
  way is excluded; otherwise the open way the rules favour most is the one
  proposed, and the report says which (« via un hébergeur éthique »);
- ``licensing`` / ``delivery`` fit — +1 when the licence or the chosen way is a
  recommended model, −1 when it is a discouraged one (±0.5 for the licence of a
  public-facing channel, whose worth is its audience);
- ``budget`` — not affordable and no gratis offer: excluded (−1 when a discount
  route exists); a gratis offer with a tight budget: +1, unless it means running
  a server; a paid offer the budget covers twice: +1 (the budget opens supported
  offers);
- ``data`` — personal data with a provider outside European law: −1 (not for
  public-facing categories — website, social media — where nothing private goes);
  people's records (a category that holds records) hosted by a provider that
  signs no GDPR art. 28 processing agreement (``processor_contract: none``):
  −1 for personal data, the way closed for sensitive data; when only paid plans
  come with one, the free plan no longer counts (budget judged on the paid plan);
- ``connectivity`` — limited connection: +1 offline-capable, −1 online only;
- ``maturity`` — beginners: −1.5 for a hard tool, −0.5 for a medium one, +1 for
  an easy one (ease weighs as much as the licence);
- ``current`` — already used by the structure and still fit: +3 (build on what
  you have rather than replace it), and size or weight no longer exclude it;
- ``guide`` — named by the guide: +0.5.

**The category** — base score: the category's score (half of it through a
secondary category); for fundraising and membership, automatic French tax
receipts when the rules say they are needed (fact ``tax_receipts_needed``):
+2, or −2 for fundraising without them; for HR, French payroll with the DSN when
the rules say it is needed (``french_payroll_needed``): +2, or −2 without.

Every adjustment is a reason with its sentence; scores are sums of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .._i18n import pick, t
from ..knowledge.base import KnowledgeBase
from ..knowledge.catalog import PRICE_CEILING, Solution
from ..knowledge.rules import normalise_token
from .result import Reason

PER_CATEGORY = 4
"""Solutions kept per category (the report shows two or three; the JSON keeps these)."""
HEAVY_MIN_EMPLOYEES = 10
CATALOG_FIELDS = ("employees", "digital_budget_eur", "data_sensitivity", "hosting_preference", "connectivity",
                  "maturity", "legal_form", "current_tools")
"""Profile fields the matching reads directly (facts it reads come from rules)."""
WAYS = ("alternative_host", "saas", "on_premise")
"""Ways to use a solution; on ties the first one wins (less to run in-house first)."""
FACT_ADMIN = "server_admin_capacity"
FACT_HEALTH = "health_data"
FACT_TAX_RECEIPTS = "tax_receipts_needed"
FACT_PAYROLL = "french_payroll_needed"
FACTS_READ = (FACT_ADMIN, FACT_HEALTH, FACT_TAX_RECEIPTS, FACT_PAYROLL)
"""Derived facts the matching reads: their rules are where the judgement is declared and sourced."""


@dataclass(frozen=True)
class Context:
    """What the matching knows of a profile: its answers, the rules' facts and licensing verdicts."""

    known: Mapping[str, Any]
    facts: frozenset[str]
    models: Mapping[str, float]
    """Licensing and delivery models with a score (positive recommended, negative discouraged)."""
    blocked: frozenset[str]
    """Licensing and delivery models a rule excluded."""
    as_of: dt.date
    tools: frozenset[str] = frozenset()
    """The tools in place, normalised (``current_tools``, aliases applied): see :func:`context_tools`."""
    shared: tuple[Any, ...] = field(init=False, repr=False, compare=False)
    """What every criterion reads of the profile whatever the solution (part of :func:`verdict_key`)."""

    def __post_init__(self) -> None:
        known = self.known
        # the criteria read a model's sign, and the order of the ways' scores (the way the rules favour most)
        ways = [self.models.get(w, 0.0) for w in WAYS]
        ranks = tuple(sorted(set(ways)).index(v) for v in ways)
        signs = tuple((v > 0) - (v < 0) for v in (*ways, self.models.get("free_software", 0.0),
                                                  self.models.get("proprietary", 0.0)))
        object.__setattr__(self, "shared", (
            known.get("legal_form"), known.get("data_sensitivity"), known.get("hosting_preference"),
            known.get("connectivity"), known.get("maturity"), self.facts.intersection(FACTS_READ),
            ranks, signs, self.blocked))


@dataclass(frozen=True)
class Adjust:
    """One criterion's verdict on one solution: a weight, or an exclusion (``weight is None``)."""

    criterion: str
    key: str
    weight: float | None
    values: tuple[tuple[str, Any], ...] = ()
    facts: tuple[str, ...] = ()


@dataclass
class Scored:
    """A solution judged for one category."""

    solution: Solution
    category: str
    score: float
    way: str | None
    reasons: list[Reason] = field(default_factory=list)
    excluded: list[Reason] = field(default_factory=list)
    paid_plan: bool = False
    """Only the paid plan fits (it alone comes with a processing agreement for people's data)."""


# ------------------------------------------------------------------ the product


def affordable(sol: Solution, budget: int, gratis_allowed: bool = True) -> bool:
    if gratis_allowed and (sol.free_tier or sol.price_tier == "free"):
        return True
    if sol.price_tier == "free":
        return True
    ceiling = PRICE_CEILING[sol.price_tier]
    return budget > 3000 if ceiling is None else ceiling <= budget


def _lifecycle(kb: KnowledgeBase, sol: Solution, ctx: Context) -> list[Adjust]:
    successor = kb.solutions[sol.superseded_by].name if sol.superseded_by in kb.solutions else "—"
    if sol.end_of_life and sol.end_of_life < ctx.as_of:
        return [Adjust("lifecycle", "ended", None, (("date", sol.end_of_life.isoformat()), ("successor", successor)))]
    if sol.superseded_by and not _used(sol, ctx):  # in use, it is consolidated, not proposed anew
        return [Adjust("lifecycle", "superseded", None, (("successor", successor),))]
    return []


def _eligibility(kb: KnowledgeBase, sol: Solution, ctx: Context) -> list[Adjust]:
    form = ctx.known.get("legal_form")
    forms = sol.eligible.legal_forms if sol.eligible else None
    if forms is not None and form is not None and form not in forms:
        return [Adjust("eligibility", "not_eligible", None, (("_forms", forms), ("_form", form)), ("legal_form",))]
    return []


SIZE_FLOOR_UNKNOWN = 5
"""A tool made for teams of at least this many employees loses a point while the structure's size is unknown."""


def _size(kb: KnowledgeBase, sol: Solution, ctx: Context) -> list[Adjust]:
    employees = ctx.known.get("employees")
    if employees is None:  # size unknown: a tool made for larger teams waits for the answer
        if sol.weight == "heavy":
            return [Adjust("size", "heavy_unknown", -1, (), ())]
        if sol.min_employees is not None and sol.min_employees >= SIZE_FLOOR_UNKNOWN:
            return [Adjust("size", "floor_unknown", -1, (("lo", sol.min_employees),), ())]
        return []
    if (sol.min_employees is not None and employees < sol.min_employees) or (
            sol.max_employees is not None and employees > sol.max_employees):
        lo = sol.min_employees if sol.min_employees is not None else 0
        hi = sol.max_employees if sol.max_employees is not None else "∞"
        return [Adjust("size", "size", None, (("lo", lo), ("hi", hi)), ("employees",))]
    if sol.weight == "heavy" and employees < HEAVY_MIN_EMPLOYEES:
        return [Adjust("size", "too_heavy", None, (("min", HEAVY_MIN_EMPLOYEES),),
                       ("employees",))]
    return []


def _way_blocked(kb: KnowledgeBase, sol: Solution, way: str, ctx: Context, records: bool, public: bool,
                 ) -> Adjust | None:
    """Why one way of using the solution is closed to this structure (None: it is open)."""
    if way in ctx.blocked:
        return Adjust("delivery", "way_excluded", None, (("_way", way),))
    sensitivity = ctx.known.get("data_sensitivity")
    if way == "on_premise":
        if sol.on_premise == "server" and FACT_ADMIN not in ctx.facts:
            return Adjust("delivery", "needs_admin", None)
        return None
    if ctx.known.get("hosting_preference") == "keep_control" and way == "saas" \
            and sol.jurisdiction not in kb.jurisdictions.european:
        return Adjust("delivery", "keep_control_vendor", None, (("_country", sol.jurisdiction),),
                      ("hosting_preference",))
    if records and FACT_HEALTH in ctx.facts and "hds" not in sol.certifications:
        return Adjust("delivery", "health_no_hds", None, (("_way", way),))
    if sensitivity == "sensitive" and way == "saas" and not public and not sol.end_to_end \
            and not kb.jurisdictions.protective(sol.jurisdiction) and not _secured_in_place(sol, ctx):
        return Adjust("delivery", "sensitive_vendor", None, (("_country", sol.jurisdiction),), ("data_sensitivity",))
    if sensitivity == "sensitive" and sol.personal_accounts and not public:
        return Adjust("delivery", "consumer_accounts", None, (), ("data_sensitivity",))
    if sensitivity == "sensitive" and records and sol.processor_contract == "none":
        return Adjust("delivery", "sensitive_no_contract", None, (("_way", way),), ("data_sensitivity",))
    return None


def _secured_in_place(sol: Solution, ctx: Context) -> bool:
    """A suite the structure already uses that can keep its data in the EU under a processing contract: with
    sensitive data it is kept and secured rather than replaced (the records go to the business software) — moving
    a 240-person team off it would swallow the real project."""
    return _used(sol, ctx) and sol.processor_contract == "included" and "eu" in sol.hosting


def _ways(kb: KnowledgeBase, sol: Solution, ctx: Context, records: bool, public: bool,
          ) -> tuple[str | None, list[Adjust]]:
    """The way proposed (the open one the rules favour most), or None and why every way is closed."""
    open_ways: list[str] = []
    closed: list[Adjust] = []
    for way in sol.delivery:
        blocked = _way_blocked(kb, sol, way, ctx, records, public)
        if blocked is None:
            open_ways.append(way)
        else:
            closed.append(blocked)
    if not open_ways:
        return None, closed
    best = max(open_ways, key=lambda w: (ctx.models.get(w, 0.0), -WAYS.index(w)))
    return best, []


def _fit(kb: KnowledgeBase, sol: Solution, way: str, ctx: Context, public: bool, records: bool) -> list[Adjust]:
    """Weights for the product used that way (never exclusions, except an unaffordable one)."""
    out: list[Adjust] = []
    sensitivity = ctx.known.get("data_sensitivity")
    hosted = way != "on_premise"
    contract_needed = hosted and records and sensitivity in ("personal", "sensitive")
    model = ctx.models.get(way, 0.0)
    if model:
        out.append(Adjust("delivery", "way_fit" if model > 0 else "way_discouraged", 1 if model > 0 else -1,
                          (("_way", way),)))
    licence = "proprietary" if sol.licence_for(way) == "proprietary" else "free_software"
    if licence in ctx.blocked:
        out.append(Adjust("licensing", "licence_excluded", None, (("_model", licence),)))
    elif ctx.models.get(licence, 0.0):
        positive = ctx.models[licence] > 0
        weight = (1 if positive else -1) * (0.5 if public else 1)  # a public channel's worth is its audience
        out.append(Adjust("licensing", "licence_fit" if positive else "licence_discouraged", weight,
                          (("_model", licence),)))
    server = way == "on_premise" and sol.on_premise == "server"
    # With people's data, a free plan without a processing agreement is not an option: the paid plan is.
    gratis_allowed = not (contract_needed and sol.processor_contract == "paid_plans_only")
    budget = ctx.known.get("digital_budget_eur")
    if budget is not None:
        if not affordable(sol, budget, gratis_allowed):
            if sol.discounts:
                out.append(Adjust("budget", "budget_discount", -1, (("_routes", sol.discounts),),
                                  ("digital_budget_eur",)))
            else:
                out.append(Adjust("budget", "budget_out", None, (("_tier", sol.price_tier),),
                                  ("digital_budget_eur",)))
        elif (sol.free_tier or sol.price_tier == "free") and gratis_allowed and budget < 500 and not server:
            out.append(Adjust("budget", "budget_free", 1, (), ("digital_budget_eur",)))
        elif sol.price_tier in ("low", "medium", "high") and _comfortable(sol.price_tier, budget):
            out.append(Adjust("budget", "budget_supported", 1, (), ("digital_budget_eur",)))
    if sensitivity == "sensitive" and way == "saas" and not public and not sol.end_to_end \
            and not kb.jurisdictions.protective(sol.jurisdiction):  # kept only because in place and securable
        out.append(Adjust("data", "sensitive_in_place", -1, (("_country", sol.jurisdiction),),
                          ("data_sensitivity",)))
    if sensitivity == "personal" and way == "saas" and not public \
            and not kb.jurisdictions.protective(sol.jurisdiction) and not sol.end_to_end:
        out.append(Adjust("data", "personal_vendor", -1, (("_country", sol.jurisdiction),), ("data_sensitivity",)))
    if contract_needed and sol.processor_contract == "none" and sensitivity == "personal":
        out.append(Adjust("data", "no_contract", -1, (), ("data_sensitivity",)))
    elif contract_needed and sol.processor_contract == "paid_plans_only":
        out.append(Adjust("data", "contract_paid_plan", 0, (), ("data_sensitivity",)))
    if ctx.known.get("connectivity") == "limited":
        if sol.works_offline:
            out.append(Adjust("connectivity", "offline_ok", 1, (), ("connectivity",)))
        elif way != "on_premise":
            out.append(Adjust("connectivity", "online_only", -1, (), ("connectivity",)))
    if ctx.known.get("maturity") == "beginner":  # for beginners, being easy weighs as much as the licence
        if sol.difficulty == "high":
            out.append(Adjust("maturity", "hard_for_beginners", -1.5, (), ("maturity",)))
        elif sol.difficulty == "medium":
            out.append(Adjust("maturity", "medium_for_beginners", -0.5, (), ("maturity",)))
        elif sol.difficulty == "low":
            out.append(Adjust("maturity", "easy_for_beginners", 1, (), ("maturity",)))
    if sol.named_in_guide:
        out.append(Adjust("guide", "named_in_guide", 0.5))
    if "public_service" in sol.features:  # a free State platform, the widest audience and no membership to pay
        out.append(Adjust("french_context", "public_service", 1))
    return out


def _comfortable(tier: str, budget: int) -> bool:
    ceiling = PRICE_CEILING[tier]
    return budget >= 2 * (ceiling if ceiling is not None else 3000)


def in_use(sol: Solution, known: Mapping[str, Any]) -> bool:
    """True when the structure says it already uses this solution (``current_tools``, aliases applied)."""
    return _token(sol) in context_tools(known)


def context_tools(known: Mapping[str, Any]) -> frozenset[str]:
    """The tools in place as normalised tokens (computed once per profile, see :class:`Context`)."""
    return frozenset(normalise_token(v) for v in known.get("current_tools") or ())


def with_answer(ctx: Context, name: str, value: Any) -> Context:
    """The same context with one more answer (what ``missing`` tries)."""
    known = {**ctx.known, name: value}
    return replace(ctx, known=known, tools=context_tools(known) if name == "current_tools" else ctx.tools)


_TOKENS: dict[str, str] = {}


def _token(sol: Solution) -> str:
    token = _TOKENS.get(sol.id)
    if token is None:
        token = _TOKENS[sol.id] = normalise_token(sol.id)
    return token


def _used(sol: Solution, ctx: Context) -> bool:
    return _token(sol) in ctx.tools


# ------------------------------------------------------------------ the category


def _category_fit(sol: Solution, category: str, ctx: Context) -> list[Adjust]:
    out: list[Adjust] = []
    if FACT_TAX_RECEIPTS in ctx.facts and category in ("online_fundraising", "online_payment_membership"):
        if "tax_receipts" in sol.features:
            out.append(Adjust("french_context", "tax_receipts", 2))
        elif category == "online_fundraising":
            out.append(Adjust("french_context", "no_tax_receipts", -2))
    if FACT_PAYROLL in ctx.facts and category == "hr_management":
        if "dsn_payroll" in sol.features:
            out.append(Adjust("french_context", "dsn_payroll", 2))
        else:
            out.append(Adjust("french_context", "no_dsn_payroll", -2))
    return out


def score_solution(kb: KnowledgeBase, sol: Solution, category: str, category_score: float, category_rule: str,
                   ctx: Context, texts: bool = True) -> Scored:
    """Judge one solution for one recommended category; ``excluded`` says why it is out.

    ``texts=False`` computes the same scores and exclusions without writing sentences.
    """
    base = category_score if category == sol.category else category_score / 2
    way, adjusts = judge(kb, sol, category, ctx)
    excluded = [a for a in adjusts if a.weight is None]
    scored = Scored(sol, category, round(base + sum(a.weight or 0 for a in adjusts), 4), way,
                    paid_plan=any(a.key == "contract_paid_plan" for a in adjusts))
    if texts:
        scored.reasons.append(Reason(rule=category_rule, because=t("match.category", category=pick(kb.label(category))),
                                     source=sol.source, effect="recommend", weight=base))
        for a in adjusts:
            reason = _reason(kb, sol, a, ctx)
            (scored.excluded if a.weight is None else scored.reasons).append(reason)
    elif excluded:
        scored.excluded.append(Reason(rule="catalog:excluded", because="", source=sol.source, effect="exclude"))
    return scored


JUDGED = 20_000
"""Entries kept per memory of the matching and of `missing` (a few MB each): past it, a memory starts afresh."""


def judge(kb: KnowledgeBase, sol: Solution, category: str, ctx: Context) -> tuple[str | None, tuple[Adjust, ...]]:
    """The way a solution is proposed for a category and every criterion's verdict, memoised: two profiles that
    no criterion tells apart (:func:`verdict_key`) share the same verdicts."""
    memo: dict[tuple[Any, ...], tuple[str | None, tuple[Adjust, ...]]] = kb.cached("matching.judged", dict)
    key = verdict_key(kb, sol, category, ctx)
    found = memo.get(key)
    if found is None:
        if len(memo) >= JUDGED:
            memo.clear()
        found = memo[key] = _judge(kb, sol, category, ctx)
    return found


def verdict_key(kb: KnowledgeBase, sol: Solution, category: str, ctx: Context) -> tuple[Any, ...]:
    """Everything the criteria read of a profile for this solution and category, as classes of answers (a
    headcount only matters against the solution's size range, a budget against its price)."""
    known = ctx.known
    employees, budget = known.get("employees"), known.get("digital_budget_eur")
    size = None if employees is None else (
        sol.min_employees is not None and employees < sol.min_employees,
        sol.max_employees is not None and employees > sol.max_employees, employees < HEAVY_MIN_EMPLOYEES)
    money = None if budget is None else (
        affordable(sol, budget), affordable(sol, budget, False), budget < 500,
        sol.price_tier in ("low", "medium", "high") and _comfortable(sol.price_tier, budget))
    return (sol.id, category, _token(sol) in ctx.tools, size, money,
            bool(sol.end_of_life and sol.end_of_life < ctx.as_of), ctx.shared)


def telling_answers(sol: Solution, name: str) -> tuple[int, ...] | None:
    """For a headcount or a budget, the answers that can put this solution in another class of
    :func:`verdict_key` (its size range, the heavy-tool floor; its price and the budget steps); None for
    other fields (every candidate answer counts)."""
    if name == "employees":
        points = {0, HEAVY_MIN_EMPLOYEES - 1, HEAVY_MIN_EMPLOYEES}
        for bound in (sol.min_employees, sol.max_employees):
            if bound is not None:
                points |= {bound - 1, bound, bound + 1}
        return tuple(sorted(p for p in points if p >= 0))
    if name == "digital_budget_eur":
        ceiling = PRICE_CEILING.get(sol.price_tier)
        steps = (ceiling, 2 * ceiling) if ceiling is not None else (3001, 6000)
        points = {0, 499, 500, *(x for step in steps for x in (step - 1, step))}
        return tuple(sorted(p for p in points if p >= 0))
    return None


EASE = {"low": 0, "medium": 1, "high": 2}
LIGHTNESS = {"light": 0, "medium": 1, "heavy": 2}


def fit_order(sol: Solution, score: float, category: str) -> tuple[float, bool, bool, int, int, str]:
    """Order of the proposals: score, then on equal scores fit — made for that category (not a CRM's newsletter
    module), named by the guide (or a free public service), easier, lighter — and the id only last, so that an
    unrelated answer does not reshuffle them."""
    return (-score, sol.category != category, not (sol.named_in_guide or "public_service" in sol.features),
            EASE.get(sol.difficulty, 1),
            LIGHTNESS.get(sol.weight or "", 1), sol.id)


def _rank(s: Any) -> tuple[float, bool, bool, int, int, str]:
    return fit_order(s.solution, s.score, s.category)


def _judge(kb: KnowledgeBase, sol: Solution, category: str, ctx: Context) -> tuple[str | None, tuple[Adjust, ...]]:
    used = _used(sol, ctx)
    entry = kb.taxonomy.get(category)
    records, public = (entry.holds_records, entry.public) if entry is not None else (False, False)
    product = [*_lifecycle(kb, sol, ctx), *_eligibility(kb, sol, ctx)]
    size = _size(kb, sol, ctx)
    if not used:
        product += size
    way, closed = _ways(kb, sol, ctx, records, public)
    adjusts = [*product, *closed]
    if way is not None:
        adjusts += _fit(kb, sol, way, ctx, public, records)
    adjusts += _category_fit(sol, category, ctx)
    if used and not any(a.weight is None for a in adjusts):
        adjusts.append(Adjust("current", "in_use", 3, (), ("current_tools",)))
    return way, tuple(adjusts)


def _reason(kb: KnowledgeBase, sol: Solution, a: Adjust, ctx: Context) -> Reason:
    weight = a.weight or 0.0
    effect = "exclude" if a.weight is None else "recommend" if weight >= 0 else "discourage"
    facts = {name: ctx.known[name] for name in a.facts if name in ctx.known}
    return Reason(rule=f"catalog:{a.criterion}", because=_text(kb, a, ctx), source=sol.source, effect=effect,
                  weight=weight, facts=facts)


def _text(kb: KnowledgeBase, a: Adjust, ctx: Context) -> str:
    values = dict(a.values)  # the profile's own numbers come from the context: verdicts are shared between
    values["employees"] = ctx.known.get("employees")  # profiles that no criterion tells apart
    values["budget"] = ctx.known.get("digital_budget_eur")
    if "_routes" in values:
        values["routes"] = ", ".join(pick(kb.label(r)) for r in values.pop("_routes"))
    if "_tier" in values:
        values["tier"] = t(f"match.tier_{values.pop('_tier')}")
    if "_way" in values:
        values["way"] = t(f"match.way_{values.pop('_way')}")
    if "_model" in values:
        values["model"] = pick(kb.label(values.pop("_model")))
    if "_country" in values:
        country = values.pop("_country")
        name = kb.jurisdictions.names.get(country or "")
        values["country"] = pick(name) if name else (country or "?")
    if "_forms" in values:
        values["forms"] = ", ".join(t(f"match.form_{f}") for f in values.pop("_forms"))
        values["form"] = t(f"match.form_{values.pop('_form')}")
    return t(f"match.{a.key}", **values)


def way_label(kb: KnowledgeBase, sol: Solution, way: str | None) -> str:
    """How the solution is proposed, in words: « Logiciel libre · chez un hébergeur éthique (CHATONS) »."""
    entry = kb.taxonomy.get(sol.category)
    if entry is not None and entry.service:  # a platform to use: its licence says nothing to the reader
        return t("match.service")
    spdx = sol.licence_for(way)
    licence = t("match.licence_proprietary") if spdx == "proprietary" else t("match.licence_free")
    if way is None:
        return licence
    kind = f"way_{way}_{sol.on_premise}" if way == "on_premise" and sol.on_premise else f"way_{way}"
    return f"{licence} · {t('match.' + kind)}"


# ------------------------------------------------------------------ every recommended category


def match_solutions(kb: KnowledgeBase, categories: Mapping[str, tuple[float, str]], ctx: Context,
                    texts: bool = True) -> tuple[list[Scored], list[Scored]]:
    """(kept, excluded) solutions for the recommended categories.

    ``categories`` maps a category id to (its score, the id of the rule that
    weighs most in it). A solution serving several recommended categories is
    judged for each and shown once, under the one where it ranks best among
    those that still have room: at most :data:`PER_CATEGORY` are kept per
    category, and a product cut from a full category (Nextcloud behind four
    editors) still answers another it serves (file storage) rather than leaving
    it empty.
    """
    best: dict[str, Scored] = {}
    fit: list[Scored] = []
    for sol in kb.solutions.values():
        for category in sol.categories:
            if category not in categories:
                continue
            cat_score, reason_rule = categories[category]
            scored = score_solution(kb, sol, category, cat_score, reason_rule, ctx, texts)
            current = best.get(sol.id)
            if current is None or (not scored.excluded, scored.score) > (not current.excluded, current.score):
                best[sol.id] = scored
            if not scored.excluded and scored.score > 0:
                fit.append(scored)
    per_category: dict[str, int] = {}
    placed: set[str] = set()
    shown = []
    for s in sorted(fit, key=_rank):  # the best (product, category) pairs first, each product once
        n = per_category.get(s.category, 0)
        if n < PER_CATEGORY and s.solution.id not in placed:
            shown.append(s)
            placed.add(s.solution.id)
            per_category[s.category] = n + 1
    excluded = sorted((s for s in best.values() if s.excluded), key=lambda s: s.solution.id)
    return shown, excluded


def candidates(kb: KnowledgeBase, categories: Iterable[str], as_of: dt.date) -> list[Solution]:
    """Solutions of the given categories still available on ``as_of`` (what ``missing`` re-scores)."""
    wanted = set(categories)
    return [s for s in kb.solutions.values() if wanted.intersection(s.categories)
            and not (s.end_of_life and s.end_of_life < as_of)]
