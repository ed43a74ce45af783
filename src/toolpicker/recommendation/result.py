"""The recommendation object (CONTRACT §2), as pydantic models.

``Recommendation.model_dump(mode="json")`` is exactly what ``toolpicker
recommend --format json`` prints. Extra keys beyond the contract are additions
(``facts``, ``effect`` and ``weight`` on reasons, catalogue metadata on
solutions and funding routes, ``excluded``), never renamings.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

FAMILIES = ("tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions")
"""The recommendation's item lists, in the order of CONTRACT §2."""


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reason(_Out):
    """Why an item is there: the rule that fired, its sentence, its source."""

    rule: str
    because: str
    source: str
    effect: str = "recommend"
    weight: float = 0.0
    facts: dict[str, Any] = {}


class Item(_Out):
    id: str
    label: str
    score: float
    reasons: list[Reason]


class SolutionItem(Item):
    category: str
    licence: str
    delivery: list[str]
    name: str
    url: str | None = None
    hosting: list[str] = []
    price_tier: str
    free_tier: bool
    difficulty: str
    last_verified: str | None = None
    way: str | None = None
    """How it is proposed: ``saas``, ``alternative_host`` or ``on_premise`` (None when a rule names it directly)."""
    offered_as: str = ""
    """The licence and the way, in words: « Logiciel libre (AGPL-3.0) · chez un hébergeur éthique (CHATONS) »."""
    caveat: str | None = None
    """What to know before choosing it (an account cap, an eligibility, a product ending…)."""
    verified: bool = True
    """False when the catalogue entry says its facts were not verified."""
    pricing: str | None = None
    """How it is paid: ``subscription``, ``commission``, ``tips``, ``free``, ``quote`` (None: not said)."""
    paid_plan: bool = False
    """True when only its paid plan fits this structure (people's data need the processing agreement it includes)."""


class ProviderOut(_Out):
    id: str
    name: str
    url: str | None = None
    note: str | None = None
    caveat: str | None = None
    valid_until: str | None = None


class FundingItem(Item):
    aid_type: str
    expense: str
    providers: list[ProviderOut]
    valid_from: str | None = None
    valid_until: str | None = None


class WarningOut(_Out):
    id: str
    message: str
    reasons: list[Reason]
    urgent: bool = False
    """To do before anything else: the report lists it first."""


class Missing(_Out):
    field: str
    question: str
    impact: int


class Excluded(_Out):
    id: str
    label: str
    family: str
    reasons: list[Reason]


class Priority(_Out):
    """One of the three priorities of the summary: what to start with, the first tool move, the funding route."""

    kind: str
    """``accompaniment``, ``tool`` or ``funding``."""
    id: str
    label: str
    sentence: str
    solutions: list[str] = []
    """For the tool move: the solutions to look at first, in words (« Framaspace — Logiciel libre · … »)."""
    also: list[str] = []
    """For the tool move: the other categories that answer the same request (the label names them all)."""


class PlanStep(_Out):
    """One step of the action plan (the guide's steps), tied to the recommended items it covers."""

    id: str
    title: str
    items: list[str]
    labels: list[str]
    text: str
    actions: list[str] = []
    """What to do in this step, in a few words per item (the report shows these rather than the labels)."""


class Summary(_Out):
    """What to read first: three priorities and an action plan in the guide's steps."""

    priorities: list[Priority]
    plan: list[PlanStep]


class KnowledgeBaseInfo(_Out):
    version: str
    rules: int
    solutions: int
    funding_routes: int
    as_of: str
    language: str


class Recommendation(_Out):
    """Everything toolpicker says about one profile."""

    toolpicker_version: str
    knowledge_base: KnowledgeBaseInfo
    profile: dict[str, Any]
    tool_categories: list[Item]
    licensing_models: list[Item]
    accompaniments: list[Item]
    funding_routes: list[FundingItem]
    solutions: list[SolutionItem]
    warnings: list[WarningOut]
    missing: list[Missing]
    excluded: list[Excluded] = []
    summary: Summary | None = None
    ask_next: list[Missing] = []
    """The questions of ``missing`` in the order an adviser asks them (``diagnostic_order``, then impact)."""

    def family(self, name: str) -> list[Any]:
        return list(getattr(self, name))

    def item_ids(self) -> set[str]:
        """Every recommended id, all families together."""
        return {item.id for fam in FAMILIES for item in getattr(self, fam)}
