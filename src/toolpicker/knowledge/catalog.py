"""The catalogue: taxonomy labels, named solutions, funding routes, questions.

File formats are documented in ``docs/catalog-format.md``. Everything is read
through :class:`~toolpicker._reader.Reader`, so every mistake is reported with
its file and line, and all mistakes of a run are reported together.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from .profile import FIELDS, LegalForm, Sector, suggest
from .profile import Activity as ActivityId
from .reader import Reader, Text, line_of
from .rules import Condition, _parse_condition, facts_used

TAXONOMY_FAMILIES = ("needs", "tool_categories", "licensing_models", "accompaniments")
DELIVERY = ("saas", "on_premise", "alternative_host")
HOSTING = ("self", "fr", "eu", "non_eu")
PRICE_TIERS = ("free", "low", "medium", "high")
PRICE_CEILING = {"free": 0, "low": 500, "medium": 3000, "high": None}
DIFFICULTY = ("low", "medium", "high")
ON_PREMISE_KINDS = ("desktop", "server")
"""What ``on_premise`` means for a solution: installed on the computers, or a server someone must administer."""
WEIGHTS = ("light", "medium", "heavy")
"""How much a solution asks of a structure to deploy and keep alive (``heavy``: ERP-class, a project of its own)."""
FEATURES = ("tax_receipts", "dsn_payroll", "french_support", "public_service")
"""French-context features: automatic reçus fiscaux, French payroll with the DSN, support in French, a free public
service (a State platform such as JeVeuxAider.gouv.fr)."""
CERTIFICATIONS = ("hds",)
"""``hds``: certified Hébergeur de Données de Santé (code de la santé publique, art. L.1111-8)."""
AID_TYPES = ("grant", "loan", "equity", "in_kind", "discount", "skills", "donation", "budget_line")
EXPENSES = ("investment", "operating", "both")
LEGAL_FORMS: tuple[str, ...] = LegalForm.__args__  # type: ignore[attr-defined]
SECTORS: tuple[str, ...] = Sector.__args__  # type: ignore[attr-defined]
ACTIVITIES: tuple[str, ...] = ActivityId.__args__  # type: ignore[attr-defined]
ELIGIBILITY_FIELDS = ("legal_form", "employees", "siae", "sector", "activity", "international")
BUSINESS_SOFTWARE = "business_software"
"""The category whose guidance comes from the structure's activity (``catalog/activities.yaml``)."""
"""Profile fields that funding routes', providers' and solutions' ``eligible`` read."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Located(_Frozen):
    path: str = ""
    line: int | None = None


class TaxonomyEntry(Located):
    id: str
    family: str
    label: Text
    description: Text | None = None
    axis: str | None = None
    holds_records: bool = False
    """Tool categories only: the tool keeps records about people (beneficiaries' files, contacts, forms)."""
    public: bool = False
    """Tool categories only: what goes in is meant to be public (website, social media): no personal-data check."""
    no_catalogue: bool = False
    service: bool = False
    """Tool categories only: its solutions are services to use, not software to choose (volunteering platforms):
    the report does not speak of their licence or hosting."""
    """Tool categories only: no named solution by design (sector software is chosen with the federation)."""
    accompaniment_first: bool = False
    """Needs only: a request for it is answered first by an accompaniment (digital skills: training, mediation),
    the one a rule reading the request recommends most."""


class Jurisdictions(_Frozen):
    """Which countries' law protects personal data as the GDPR does (``catalog/jurisdictions.yaml``)."""

    european: frozenset[str] = frozenset()
    adequate: frozenset[str] = frozenset()
    names: dict[str, Text] = {}

    def protective(self, country: str | None) -> bool:
        return country is not None and (country in self.european or country in self.adequate)


class Eligibility(_Frozen):
    legal_forms: tuple[str, ...] | None = None
    min_employees: int | None = None
    max_employees: int | None = None
    siae: bool | None = None
    sectors: tuple[str, ...] | None = None
    """Only for these sectors, and only once the sector is known (a sector's own funder, not a guess)."""
    excluded_sectors: tuple[str, ...] | None = None
    """Not for these sectors (FDVA 1 is closed to sports clubs)."""
    activities: tuple[str, ...] | None = None
    """Only for these kinds of structure (``activity``), once known (the FSER is for associative radios); once the
    kind is known (``other`` included) it decides instead of ``sectors``."""
    international: bool | None = None
    """Only for structures that act internationally (``international: true``), once known."""


class Provider(Located):
    id: str
    name: str
    url: str | None = None
    note: Text | None = None
    caveat: Text | None = None
    """What the reader must know before turning to this provider (an ended partnership, a receivership…)."""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    eligible: Eligibility | None = None
    source: str | None = None


class FundingRoute(Located):
    id: str
    label: Text
    description: Text | None = None
    aid_type: str
    expense: str
    eligible: Eligibility = Eligibility()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    source: str
    last_verified: dt.date | None = None
    verification: str | None = None
    providers: tuple[Provider, ...] = ()


class Solution(Located):
    id: str
    name: str
    category: str
    also: tuple[str, ...] = ()
    description: Text | None = None
    licence: str
    hosted_licence: str | None = None
    """Licence of the vendor's online offer when it differs (Odoo Online is proprietary, Community is LGPL)."""
    delivery: tuple[str, ...]
    on_premise: str | None = None
    hosting: tuple[str, ...] = ()
    jurisdiction: str | None = None
    certifications: tuple[str, ...] = ()
    end_to_end: bool = False
    weight: str = "light"
    features: tuple[str, ...] = ()
    eligible: Eligibility | None = None
    caveat: Text | None = None
    verification: str | None = None
    price_tier: str
    free_tier: bool = False
    discounts: tuple[str, ...] = ()
    difficulty: str = "medium"
    min_employees: int | None = None
    max_employees: int | None = None
    works_offline: bool = False
    url: str | None = None
    source: str
    last_verified: dt.date | None = None
    end_of_life: dt.date | None = None
    superseded_by: str | None = None
    named_in_guide: bool = False
    processor_contract: str | None = None
    """Whether the hosted offer comes with a GDPR art. 28 processing agreement: ``included``, ``paid_plans_only``,
    ``none``
    (``None``: unknown, or nothing hosted)."""
    personal_accounts: bool = False
    """A consumer service used with personal accounts the structure cannot administer (WhatsApp, Signal)."""
    pricing: str | None = None
    """How it is paid: ``subscription``, ``commission`` (on sums collected), ``tips`` (payers' voluntary
    contribution), ``free``, ``quote``."""

    @property
    def categories(self) -> tuple[str, ...]:
        return (self.category, *self.also)

    @property
    def is_free_software(self) -> bool:
        return self.licence != "proprietary"

    def licence_for(self, way: str | None) -> str:
        """The licence of the solution used that way (the vendor's online offer may differ)."""
        return self.hosted_licence if way == "saas" and self.hosted_licence else self.licence


class FieldQuestion(Located):
    field: str
    stage: int = 99
    """Its step in the diagnostic order (``diagnostic_order`` of ``questions.yaml``): asked before later steps."""
    label: Text
    question: Text
    help: Text | None = None
    values: dict[str, Text] = {}
    values_from: str | None = None
    relevant_when: Condition | None = None
    key: bool = False
    """Listed in ``key_questions``: unanswered, it makes the profile incomplete (the report says so)."""
    """A condition (the rules' syntax) on the other answers: when it is certainly false, the question is not asked."""


def valid_on(since: dt.date | None, until: dt.date | None, day: dt.date) -> bool:
    return (since is None or since <= day) and (until is None or day <= until)


# --------------------------------------------------------------------- parsing

def parse_taxonomy(data: Any, reader: Reader) -> list[TaxonomyEntry]:
    top = reader.mapping(data, "la taxonomie", TAXONOMY_FAMILIES, [])
    entries: list[TaxonomyEntry] = []
    if top is None:
        return entries
    for family in TAXONOMY_FAMILIES:
        block = top.get(family)
        if not isinstance(block, Mapping):
            if family in top:
                reader.problem(top, family, "bad_type", key=family, where="la taxonomie", expected="mapping",
                               value=str(block))
            continue
        for key, raw in block.items():
            where = f"{family}.{key}"
            optional = {"licensing_models": ["description", "axis"],
                        "tool_categories": ["description", "holds_records", "public", "no_catalogue", "service"],
                        "needs": ["description", "accompaniment_first"],
                        }.get(family, ["description"])
            node = reader.mapping(raw, where, ["label"], optional)
            fake = {"id": key}
            if reader.identifier(fake, "id", kebab=False) is None:
                reader.problem(block, key, "bad_id", value=key, sep="_")
                continue
            if node is None:
                continue
            label = reader.text(node, "label", where, need_en=True)
            description = reader.text(node, "description", where, required=False)
            axis = reader.choice(node, "axis", where, ["licence", "delivery"]) if family == "licensing_models" \
                else None
            records = reader.boolean(node, "holds_records", where) if family == "tool_categories" else False
            public = reader.boolean(node, "public", where) if family == "tool_categories" else False
            no_catalogue = reader.boolean(node, "no_catalogue", where) if family == "tool_categories" else False
            service = reader.boolean(node, "service", where) if family == "tool_categories" else False
            first = reader.boolean(node, "accompaniment_first", where) if family == "needs" else False
            if label:
                entries.append(TaxonomyEntry(id=key, family=family, label=label, description=description, axis=axis,
                                             holds_records=records, public=public, no_catalogue=no_catalogue,
                                             service=service, accompaniment_first=first,
                                             path=reader.path,
                                             line=line_of(block, key)))
    return entries


def _eligibility(raw: Any, reader: Reader, where: str) -> Eligibility | None:
    if raw is None:
        return None
    node = reader.mapping(raw, f"« eligible » de {where}", [], ["legal_forms", "min_employees", "max_employees",
                                                                     "siae", "sectors", "excluded_sectors",
                                                                     "activities", "international"])
    if node is None:
        return None
    sectors: dict[str, tuple[str, ...] | None] = {"sectors": None, "excluded_sectors": None, "activities": None}
    for key in sectors:
        if key in node:
            allowed = ACTIVITIES if key == "activities" else SECTORS
            chosen = []
            for i, value in enumerate(reader.sequence(node, key, where)):
                if value not in allowed:
                    reader.problem(node.get(key), i, "bad_value", suggest(str(value), allowed),
                                   value=str(value), field=key, allowed=", ".join(allowed))
                else:
                    chosen.append(value)
            sectors[key] = tuple(chosen)
    forms = None
    if "legal_forms" in node:
        forms = []
        for i, form in enumerate(reader.sequence(node, "legal_forms", where)):
            if form not in LEGAL_FORMS:
                reader.problem(node.get("legal_forms"), i, "bad_value", suggest(str(form), LEGAL_FORMS),
                               value=str(form), field="legal_forms", allowed=", ".join(LEGAL_FORMS))
            else:
                forms.append(form)
    lo = reader.number(node, "min_employees", where)
    hi = reader.number(node, "max_employees", where)
    siae = node.get("siae")
    return Eligibility(legal_forms=tuple(forms) if forms is not None else None,
                       min_employees=int(lo) if lo is not None else None,
                       max_employees=int(hi) if hi is not None else None,
                       siae=siae if isinstance(siae, bool) else None, **sectors,
                       international=node.get("international") if isinstance(node.get("international"), bool) else None)


def _dates(node: Mapping[str, Any], reader: Reader, where: str) -> tuple[dt.date | None, dt.date | None]:
    since = reader.date(node, "valid_from", where)
    until = reader.date(node, "valid_until", where)
    if since and until and until < since:
        reader.problem(node, "valid_until", "dates_order", where=where, since=since, until=until)
    return since, until


def parse_funding_routes(data: Any, reader: Reader) -> list[FundingRoute]:
    top = reader.mapping(data, "le fichier des financements", ["funding_routes"], [])
    routes: list[FundingRoute] = []
    if top is None:
        return routes
    raw_routes = reader.sequence(top, "funding_routes", "le fichier des financements")
    for index, raw in enumerate(raw_routes):
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"la voie de financement {rid}"
        node = reader.mapping(raw, where, ["id", "label", "aid_type", "expense", "source"],
                              ["description", "eligible", "valid_from", "valid_until", "last_verified", "verification",
                               "providers"])
        if node is None:
            continue
        before = reader.errors
        route_id = reader.identifier(node, "id", kebab=False)
        label = reader.text(node, "label", where, need_en=True)
        description = reader.text(node, "description", where, required=False)
        aid = reader.choice(node, "aid_type", where, AID_TYPES)
        expense = reader.choice(node, "expense", where, EXPENSES)
        eligible = _eligibility(node.get("eligible"), reader, where) or Eligibility()
        since, until = _dates(node, reader, where)
        source = reader.string(node, "source", where)
        verified = reader.date(node, "last_verified", where)
        providers = []
        for i, raw_p in enumerate(reader.sequence(node, "providers", where)):
            p = reader.mapping(raw_p, f"un fournisseur de {where}", ["id", "name"],
                               ["url", "note", "caveat", "valid_from", "valid_until", "eligible", "source"])
            if p is None:
                continue
            pid = reader.identifier(p, "id", kebab=True)
            name = reader.string(p, "name", where)
            p_since, p_until = _dates(p, reader, f"{where} / {pid}")
            if pid and name:
                providers.append(Provider(id=pid, name=name, url=reader.url(p, "url", where),
                                          note=reader.text(p, "note", where, required=False),
                                          caveat=reader.text(p, "caveat", where, required=False),
                                          valid_from=p_since, valid_until=p_until,
                                          eligible=_eligibility(p.get("eligible"), reader, where),
                                          source=reader.string(p, "source", where),
                                          path=reader.path, line=line_of(node.get("providers"), i)))
        if reader.errors == before and route_id and label and aid and expense and source:
            routes.append(FundingRoute(id=route_id, label=label, description=description, aid_type=aid,
                                       expense=expense, eligible=eligible, valid_from=since, valid_until=until,
                                       source=source, last_verified=verified, providers=tuple(providers),
                                       verification=reader.string(node, "verification", where),
                                       path=reader.path, line=line_of(raw_routes, index)))
    return routes


_SOLUTION_REQUIRED = ("id", "name", "category", "licence", "delivery", "price_tier", "source")
_SOLUTION_OPTIONAL = ("also", "description", "hosting", "free_tier", "discounts", "difficulty", "size_fit",
                      "works_offline", "url", "last_verified", "end_of_life", "superseded_by", "named_in_guide",
                      "on_premise", "jurisdiction", "certifications", "end_to_end", "weight", "features", "eligible",
                      "caveat", "verification", "hosted_licence", "processor_contract", "pricing",
                      "personal_accounts")
JURISDICTION = re.compile(r"[A-Z]{2}\Z")
PROCESSOR_CONTRACT = ("included", "paid_plans_only", "none")
PRICING = ("subscription", "per_user", "commission", "tips", "free", "quote")
"""How a product is paid; ``per_user``: a subscription per account, which grows with the team."""


def _choices(node: Mapping[str, Any], key: str, reader: Reader, where: str, allowed: tuple[str, ...]) -> list[str]:
    out = []
    for i, value in enumerate(reader.sequence(node, key, where)):
        if value not in allowed:
            reader.problem(node.get(key), i, "bad_value", suggest(str(value), allowed), value=str(value), field=key,
                           allowed=", ".join(allowed))
        else:
            out.append(value)
    return out


def parse_solutions(data: Any, reader: Reader) -> list[Solution]:
    top = reader.mapping(data, "le fichier de solutions", ["solutions"], [])
    out: list[Solution] = []
    if top is None:
        return out
    raw_list = reader.sequence(top, "solutions", "le fichier de solutions")
    for index, raw in enumerate(raw_list):
        sid = raw.get("id") if isinstance(raw, Mapping) else None
        where = f"la solution {sid}"
        node = reader.mapping(raw, where, _SOLUTION_REQUIRED, _SOLUTION_OPTIONAL)
        if node is None:
            continue
        before = reader.errors
        solution_id = reader.identifier(node, "id", kebab=True)
        name = reader.string(node, "name", where)
        category = reader.identifier(node, "category", kebab=False)
        also = [a for a in reader.sequence(node, "also", where) if isinstance(a, str)]
        licence = reader.string(node, "licence", where)
        delivery = _choices(node, "delivery", reader, where, DELIVERY)
        hosting = _choices(node, "hosting", reader, where, HOSTING)
        price = reader.choice(node, "price_tier", where, PRICE_TIERS)
        difficulty = reader.choice(node, "difficulty", where, DIFFICULTY, default="medium")
        size = node.get("size_fit")
        lo = hi = None
        if size is not None:
            size_node = reader.mapping(size, f"« size_fit » de {where}", [], ["min_employees", "max_employees"])
            if size_node is not None:
                lo = reader.number(size_node, "min_employees", where)
                hi = reader.number(size_node, "max_employees", where)
        if not delivery and "delivery" in node:
            reader.problem(node, "delivery", "bad_type", key="delivery", where=where, expected="liste non vide",
                           value="[]")
        on_premise = reader.choice(node, "on_premise", where, ON_PREMISE_KINDS)
        if "on_premise" in delivery and on_premise is None and "on_premise" not in node:
            reader.problem(node, "delivery", "on_premise_kind", value=solution_id or "?")
        jurisdiction = reader.string(node, "jurisdiction", where)
        if jurisdiction is not None and not JURISDICTION.match(jurisdiction):
            reader.problem(node, "jurisdiction", "bad_jurisdiction", value=jurisdiction)
        if "saas" in delivery and "jurisdiction" not in node:
            reader.problem(node, "delivery", "saas_jurisdiction", value=solution_id or "?")
        weight = reader.choice(node, "weight", where, WEIGHTS, default="light")
        features = _choices(node, "features", reader, where, FEATURES)
        certifications = _choices(node, "certifications", reader, where, CERTIFICATIONS)
        verified_on = reader.date(node, "last_verified", where)
        verification = reader.string(node, "verification", where)
        if verification is None:
            reader.problem(node, None, "no_verification", value=solution_id or "?", severity="warning")
        if reader.errors == before and solution_id and name and category and licence and price:
            out.append(Solution(
                id=solution_id, name=name, category=category, also=tuple(also),
                description=reader.text(node, "description", where, required=False), licence=licence,
                delivery=tuple(delivery), hosting=tuple(hosting), price_tier=price,
                free_tier=reader.boolean(node, "free_tier", where),
                discounts=tuple(d for d in reader.sequence(node, "discounts", where) if isinstance(d, str)),
                difficulty=difficulty or "medium",
                min_employees=int(lo) if lo is not None else None, max_employees=int(hi) if hi is not None else None,
                works_offline=reader.boolean(node, "works_offline", where), url=reader.url(node, "url", where),
                source=reader.string(node, "source", where) or "", last_verified=verified_on,
                on_premise=on_premise, jurisdiction=jurisdiction, certifications=tuple(certifications),
                hosted_licence=reader.string(node, "hosted_licence", where),
                end_to_end=reader.boolean(node, "end_to_end", where), weight=weight or "light",
                features=tuple(features), eligible=_eligibility(node.get("eligible"), reader, where),
                caveat=reader.text(node, "caveat", where, required=False), verification=verification,
                end_of_life=reader.date(node, "end_of_life", where),
                superseded_by=node.get("superseded_by") if isinstance(node.get("superseded_by"), str) else None,
                named_in_guide=reader.boolean(node, "named_in_guide", where),
                processor_contract=reader.choice(node, "processor_contract", where, PROCESSOR_CONTRACT),
                pricing=reader.choice(node, "pricing", where, PRICING),
                personal_accounts=reader.boolean(node, "personal_accounts", where),
                path=reader.path, line=line_of(raw_list, index),
            ))
    return out


def parse_questions(data: Any, reader: Reader) -> list[FieldQuestion]:
    top = reader.mapping(data, "le fichier des questions", ["fields"], ["diagnostic_order", "key_questions"])
    out: list[FieldQuestion] = []
    if top is None or not isinstance(top.get("fields"), Mapping):
        return out
    block = top["fields"]
    stages: dict[str, int] = {}
    for number, stage in enumerate(reader.sequence(top, "diagnostic_order", "le fichier des questions"), start=1):
        for name in stage if isinstance(stage, list) else []:
            if name not in FIELDS:
                reader.problem(top.get("diagnostic_order"), number - 1, "unknown_field", suggest(str(name), FIELDS),
                               value=str(name))
            stages.setdefault(str(name), number)
    key_questions = set()
    for index, name in enumerate(reader.sequence(top, "key_questions", "le fichier des questions")):
        if name not in FIELDS:
            reader.problem(top.get("key_questions"), index, "unknown_field", suggest(str(name), FIELDS),
                           value=str(name))
        key_questions.add(str(name))
    for key, raw in block.items():
        where = f"fields.{key}"
        if key not in FIELDS:
            reader.problem(block, key, "unknown_field", suggest(key, FIELDS), value=key)
            continue
        node = reader.mapping(raw, where, ["label", "question"], ["help", "values", "values_from", "relevant_when"])
        if node is None:
            continue
        relevant_when = None
        if "relevant_when" in node:
            relevant_when = _parse_condition(node["relevant_when"], reader, f"questions.{key}", node, "relevant_when")
            if relevant_when is not None and facts_used(relevant_when):
                reader.problem(node, "relevant_when", "fact_in_question", value=key)
                relevant_when = None
        values: dict[str, Text] = {}
        raw_values = node.get("values")
        if isinstance(raw_values, Mapping):
            for value_key in raw_values:
                text = reader.text(raw_values, value_key, where)
                if text:
                    values[str(value_key).lower() if isinstance(value_key, bool) else str(value_key)] = text
        label = reader.text(node, "label", where, need_en=True)
        question = reader.text(node, "question", where, need_en=True)
        if label and question:
            out.append(FieldQuestion(field=key, label=label, question=question, stage=stages.get(key, 99),
                                     help=reader.text(node, "help", where, required=False), values=values,
                                     values_from=reader.string(node, "values_from", where),
                                     relevant_when=relevant_when, key=key in key_questions,
                                     path=reader.path, line=line_of(block, key)))
    return out


def parse_jurisdictions(data: Any, reader: Reader) -> list[Jurisdictions]:
    top = reader.mapping(data, "le fichier des juridictions", ["european", "adequate"], ["names"])
    if top is None:
        return []
    codes: dict[str, frozenset[str]] = {}
    for key in ("european", "adequate"):
        values = reader.sequence(top, key, "le fichier des juridictions")
        for i, code in enumerate(values):
            if not isinstance(code, str) or not JURISDICTION.match(code):
                reader.problem(top.get(key), i, "bad_jurisdiction", value=str(code))
        codes[key] = frozenset(c for c in values if isinstance(c, str))
    names: dict[str, Text] = {}
    block = top.get("names")
    if isinstance(block, Mapping):
        for code in block:
            text = reader.text(block, code, f"names.{code}", need_en=True)
            if text:
                names[str(code)] = text
    return [Jurisdictions(european=codes["european"], adequate=codes["adequate"], names=names)]


def parse_aliases(data: Any, reader: Reader) -> list[tuple[str, str]]:
    """(written form, canonical name) pairs, both as normalised tokens."""
    from .rules import normalise_token

    top = reader.mapping(data, "le fichier des alias", ["aliases"], [])
    if top is None or not isinstance(top.get("aliases"), Mapping):
        return []
    out: list[tuple[str, str]] = []
    for canonical, _forms in top["aliases"].items():
        for i, form in enumerate(reader.sequence(top["aliases"], canonical, "aliases")):
            if not isinstance(form, str) or not normalise_token(form):
                reader.problem(top["aliases"].get(canonical), i, "bad_type", key=str(canonical), where="aliases",
                               expected="texte", value=str(form))
                continue
            out.append((normalise_token(form), normalise_token(canonical)))
    return out


class SoftwareGuide(_Frozen):
    """What the business software of one kind of structure must do, what to check, whom to ask."""

    what: Text
    check: tuple[Text, ...] = ()
    ask: Text | None = None
    examples: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()
    """Tool categories this software usually covers besides its core (an ETTI's interim software does payroll
    and timesheets): met inside it, not by another tool."""


class Activity(Located):
    """A kind of structure (``activity`` of the profile, ``catalog/activities.yaml``)."""

    id: str
    label: Text
    sector: str | None = None
    software: SoftwareGuide | None = None
    source: str | None = None
    verification: str | None = None


def parse_activities(data: Any, reader: Reader) -> list[Activity]:
    top = reader.mapping(data, "le fichier des types de structures", ["activities"], [])
    if top is None:
        return []
    out: list[Activity] = []
    raw_list = reader.sequence(top, "activities", "le fichier des types de structures")
    for index, raw in enumerate(raw_list):
        where = f"le type de structure {raw.get('id') if isinstance(raw, Mapping) else index + 1}"
        node = reader.mapping(raw, where, ["id", "label"], ["sector", "software", "source", "verification"])
        if node is None:
            continue
        before = reader.errors
        activity_id = reader.identifier(node, "id", kebab=False)
        if activity_id is not None and activity_id not in ACTIVITIES:
            reader.problem(node, "id", "bad_value", suggest(activity_id, ACTIVITIES), value=activity_id,
                           field="activity", allowed=", ".join(ACTIVITIES))
        label = reader.text(node, "label", where, need_en=True)
        sector = reader.choice(node, "sector", where, SECTORS)
        guide = None
        if "software" in node:
            soft = reader.mapping(node["software"], f"« software » de {where}", ["what"],
                                  ["check", "ask", "examples", "covers"])
            if soft is not None:
                what = reader.text(soft, "what", where)
                checks = [reader.text({"check": item}, "check", where)
                          for item in reader.sequence(soft, "check", where)]
                examples = [e for e in reader.sequence(soft, "examples", where) if isinstance(e, str)]
                if what:
                    covers = [c for c in reader.sequence(soft, "covers", where) if isinstance(c, str)]
                    guide = SoftwareGuide(what=what, check=tuple(c for c in checks if c),
                                          ask=reader.text(soft, "ask", where, required=False),
                                          examples=tuple(examples), covers=tuple(covers))
        if reader.errors == before and activity_id and label:
            out.append(Activity(id=activity_id, label=label, sector=sector, software=guide,
                                source=reader.string(node, "source", where),
                                verification=reader.string(node, "verification", where),
                                path=reader.path, line=line_of(raw_list, index)))
    return out


class PlanStep(Located):
    """One step of the summary's action plan (``catalog/plan.yaml``)."""

    id: str
    title: Text
    items: tuple[str, ...] = ()
    default: Text
    actions: dict[str, Text] = {}
    """What to do for each item of the step, in a few words (the plan says actions, not labels)."""
    small_team_actions: dict[str, Text] = {}
    """The same for a team of fewer than ten employees, where it differs (a simple specification, not an AMO)."""
    skip_when: dict[str, Condition] = {}
    """Item → a condition (rule syntax) on the answers under which its action is replaced by ``instead`` (two
    digital leads already named: no « name two people »)."""
    instead: dict[str, Text] = {}
    """Item → what to do instead when ``skip_when`` holds (nothing when absent)."""


FIRST_TOOL = "@first_tool"
"""In a plan step, the first tool move of the recommendation."""


def parse_plan(data: Any, reader: Reader) -> list[PlanStep]:
    top = reader.mapping(data, "le fichier du plan d'action", ["steps"], [])
    if top is None:
        return []
    out: list[PlanStep] = []
    raw_steps = reader.sequence(top, "steps", "le fichier du plan d'action")
    for index, raw in enumerate(raw_steps):
        where = f"l'étape {raw.get('id') if isinstance(raw, Mapping) else index + 1}"
        node = reader.mapping(raw, where, ["id", "title", "default"],
                              ["items", "actions", "small_team_actions", "skip_when"])
        if node is None:
            continue
        before = reader.errors
        step_id = reader.identifier(node, "id", kebab=False)
        title = reader.text(node, "title", where, need_en=True)
        default = reader.text(node, "default", where, need_en=True)
        items = [i for i in reader.sequence(node, "items", where) if isinstance(i, str)]
        actions, small = (_actions(reader, node, key, items, where) for key in ("actions", "small_team_actions"))
        skip: dict[str, Condition] = {}
        instead: dict[str, Text] = {}
        raw_skip: Mapping[str, Any] = reader.mapping(node.get("skip_when") or {}, f"skip_when de {where}", [],
                                                     items) or {}
        for item in raw_skip:
            entry = reader.mapping(raw_skip[item], f"skip_when.{item} de {where}", ["when"], ["instead"])
            if entry is None:
                continue
            condition = _parse_condition(entry["when"], reader, f"plan.{step_id}", entry, "when")
            if condition is not None and facts_used(condition):
                reader.problem(entry, "when", "fact_in_plan", value=f"{step_id}.{item}")
            elif condition is not None:
                skip[str(item)] = condition
            if "instead" in entry and (text := reader.text(entry, "instead", f"skip_when.{item}", need_en=True)):
                instead[str(item)] = text
        if reader.errors == before and step_id and title and default:
            out.append(PlanStep(id=step_id, title=title, items=tuple(items), default=default, actions=actions,
                                small_team_actions=small, skip_when=skip, instead=instead, path=reader.path,
                                line=line_of(raw_steps, index)))
    return out


def _actions(reader: Reader, node: Mapping[str, Any], key: str, items: list[str], where: str) -> dict[str, Text]:
    """A step's ``actions`` (or ``small_team_actions``): item → what to do, in both languages."""
    actions: dict[str, Text] = {}
    raw: Mapping[str, Any] = reader.mapping(node.get(key) or {}, f"les actions de {where}", [], items) or {}
    for item in raw:
        text = reader.text(raw, item, f"l'action {item} de {where}", need_en=True)
        if text:
            actions[str(item)] = text
    return actions
