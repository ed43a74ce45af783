"""Profiles to benchmark with: a realistic "regional survey" and a fully random mix.

Both are plain dicts (what an embedding program passes to ``toolpicker.recommend``)
drawn from a seeded :class:`random.Random`, so every run measures the same profiles.

- **survey**: what a DLA regional survey collects: a short questionnaire with
  coarse answers. Everyone is asked the core questions (legal form, sector,
  headcount among 0, 1, 2, 3, 5, 8, 12, 20, 30, 50; digital budget among 0,
  300, 1000, 5000, 20000 €; maturity; one or two needs among the eight most
  common), each left blank by about one structure in seven; a few secondary
  questions are answered by about a third; the interview-level details
  (tools in use, hosting preference, connectivity…) stay unknown. Many
  structures look alike to the rules, which is what ``reuse`` exploits.
- **random**: every field present with probability ½ and drawn uniformly over
  its whole domain (integers up to 100,000), like ``tests/strategies.py``:
  nearly every profile is new to every cache.
"""

from __future__ import annotations

import random
from typing import Any

from toolpicker.knowledge.profile import QUESTION_FIELDS, allowed_values, field_bounds, field_kind

HEADCOUNTS = (0, 1, 2, 3, 5, 8, 12, 20, 30, 50)
BUDGETS = (0, 300, 1000, 5000, 20000)
VOLUNTEERS = (0, 5, 10, 20, 50, 150)
REFERENTS = (0, 0, 1, 1, 2)
COMMON_NEEDS = ("communication", "website", "social_media", "newsletter", "collaboration", "file_sharing",
                "contact_management", "accounting")
TOOLS = ("spreadsheet", "paper", "whatsapp", "nextcloud", "trello", "sage", "excel", "google-workspace")
BLANK = 0.15  # share of core answers left blank
SECONDARY = 0.33  # share of structures answering each secondary question

# Weights of the answers in a survey of a French region's ESS structures (rough, by design).
WEIGHTS: dict[str, dict[str, float]] = {
    "legal_form": {"association": 0.78, "cooperative": 0.1, "commercial_company": 0.04, "foundation": 0.04,
                   "mutual": 0.04},
    "sector": {"social": 0.2, "health": 0.06, "culture": 0.15, "sport": 0.14, "leisure": 0.12, "environment": 0.06,
               "popular_education": 0.08, "education": 0.05, "integration": 0.06, "humanitarian": 0.04,
               "other": 0.04},
    "maturity": {"beginner": 0.45, "progressing": 0.4, "experienced": 0.15},
    "strategy": {"none": 0.55, "partial": 0.35, "formalized": 0.1},
    "data_sensitivity": {"low": 0.3, "personal": 0.5, "sensitive": 0.2},
}


def _choice(rng: random.Random, name: str) -> Any:
    values = allowed_values(name)
    weights = WEIGHTS.get(name)
    if weights is None:
        return rng.choice(values)
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def survey_profile(rng: random.Random) -> dict[str, Any]:
    """One structure as a regional survey describes it (coarse answers, some blank)."""
    core: dict[str, Any] = {
        "legal_form": _choice(rng, "legal_form"),
        "sector": _choice(rng, "sector"),
        "employees": rng.choice(HEADCOUNTS),
        "digital_budget_eur": rng.choice(BUDGETS),
        "maturity": _choice(rng, "maturity"),
        "needs": sorted(rng.sample(COMMON_NEEDS, rng.randint(1, 2))),
    }
    out = {k: v for k, v in core.items() if rng.random() >= BLANK}
    secondary: dict[str, Any] = {
        "volunteers": rng.choice(VOLUNTEERS),
        "data_sensitivity": _choice(rng, "data_sensitivity"),
        "strategy": _choice(rng, "strategy"),
        "siae": core["sector"] == "integration",
        "digital_referents": rng.choice(REFERENTS),
    }
    out.update({k: v for k, v in secondary.items() if rng.random() < SECONDARY})
    return out


def random_profile(rng: random.Random) -> dict[str, Any]:
    """Every field present with probability ½, values drawn over the whole domain."""
    out: dict[str, Any] = {}
    for name in QUESTION_FIELDS:
        if rng.random() < 0.5:
            continue
        kind = field_kind(name)
        if kind == "bool":
            out[name] = rng.random() < 0.5
        elif kind == "enum":
            out[name] = rng.choice(allowed_values(name))
        elif kind == "int":
            lo, _ = field_bounds(name)
            out[name] = rng.randint(lo or 0, 60 if rng.random() < 0.5 else 100_000)
        elif kind == "list_enum":
            out[name] = [rng.choice(allowed_values(name)) for _ in range(rng.randint(0, 6))]
        else:
            out[name] = [rng.choice(TOOLS) for _ in range(rng.randint(0, 4))]
    return out


MIXES = {"survey": survey_profile, "random": random_profile}


def profiles(mix: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` profiles of a mix, the same for the same seed."""
    rng = random.Random(f"{mix}:{seed}")  # noqa: S311 - reproducible, not secret
    make = MIXES[mix]
    return [make(rng) for _ in range(count)]
