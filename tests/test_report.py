"""The report people read: summary first, at most 900 words, words rather than codes, correct French."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import toolpicker
from toolpicker.interfaces.render import render
from toolpicker.interfaces.report import MAX_WORDS, words
from toolpicker.knowledge.profile import FIELDS, allowed_values

from .conftest import AS_OF, EXAMPLES
from .strategies import profiles

KB = toolpicker.load_knowledge_base()
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
FORMATS = ("text", "markdown", "html")
ENGLISH_CODES = {"beginner", "progressing", "experienced", "occasional", "frequent", "delegate", "low", "personal",
                 "sensitive", "limited", "good", "none", "partial", "formalized"}


def _codes() -> set[str]:
    """Tokens that are codes, never words: ids with _ or -, field names, enum values, catalogue criteria."""
    codes = {i for i in KB.taxonomy if "_" in i} | set(KB.funding_routes) | {r.id for r in KB.rules}
    codes |= {f for f in FIELDS if "_" in f}
    for field in FIELDS:
        codes |= {v for v in allowed_values(field) if "_" in v}
    return codes


CODES = _codes()


def visible(text: str, fmt: str) -> str:
    if fmt == "html":
        body = text.split("<body>", 1)[-1]
        return re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", body, flags=re.S))
    return text


def leaked(text: str, fmt: str, french: bool = True) -> set[str]:
    tokens = set(re.findall(r"[A-Za-z0-9_:-]+", visible(text, fmt)))
    found = {tok for tok in tokens if tok in CODES or tok.startswith("catalog:")}
    if french:
        found |= tokens & ENGLISH_CODES
    return found


def recommend(profile: dict[str, Any] | Path, lang: str = "fr") -> toolpicker.Recommendation:
    if isinstance(profile, Path):
        from toolpicker.knowledge.profile import load_profile

        profile = load_profile(profile.read_bytes(), str(profile))
    return toolpicker.recommend(profile, as_of=AS_OF, lang=lang)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_shipped_example_reads_in_900_words_without_codes(example: Path, fmt: str) -> None:
    rec = recommend(example)
    text = render(rec, fmt, KB)
    assert words(text, fmt) <= MAX_WORDS
    assert leaked(text, fmt) == set()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_any_profile_reads_in_900_words_without_codes(profile: dict[str, Any]) -> None:
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    for fmt in FORMATS:
        text = render(rec, fmt, KB)
        assert words(text, fmt) <= MAX_WORDS, fmt
        assert leaked(text, fmt) == set(), fmt


def test_the_summary_comes_first_with_three_priorities_and_the_plan() -> None:
    text = render(recommend(EXAMPLES / "siae-chantier-insertion.yaml"), "text", KB)
    summary = text.index("EN BREF : TROIS PRIORITÉS")
    assert summary < text.index("PLAN D'ACTION") < text.index("ACCOMPAGNEMENTS") < text.index("OUTILS")
    priorities = text[summary:text.index("PLAN D'ACTION")]
    for start in ("  1. Commencer par : ", "  2. Premier chantier d'outils : ", "  3. Financement à solliciter : "):
        assert start in priorities


def test_the_summary_is_in_the_json_too() -> None:
    rec = recommend(EXAMPLES / "petite-association-culturelle.yaml")
    assert rec.summary is not None
    assert [p.kind for p in rec.summary.priorities] == ["accompaniment", "tool", "funding"]
    assert [s.id for s in rec.summary.plan] == ["diagnose", "referents", "choose", "test", "train", "evaluate"]
    assert rec.summary.priorities[1].solutions  # the tool move names what to look at


def test_detail_keeps_every_reason_rule_and_score() -> None:
    rec = recommend(EXAMPLES / "siae-chantier-insertion.yaml")
    detail = render(rec, "text", KB, detail=True)
    assert "[siae-structure — " in detail
    assert "Score : chaque règle qui recommande" in detail
    assert words(detail, "text") > MAX_WORDS  # everything is there
    assert all(e.label in detail for e in rec.excluded)


def test_solutions_are_said_in_words_with_their_caveats() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 3, "needs": ["file_sharing"],
                                "hosting_preference": "keep_control"}, as_of=AS_OF)
    text = render(rec, "text", KB)
    assert "Framaspace (Framasoft) — Logiciel libre · chez un hébergeur éthique (CHATONS), gratuit" in text
    assert "À savoir : Jusqu'à 50 comptes et 40 Go" in text


def test_provider_caveats_reach_the_report() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 3, "digital_budget_eur": 200},
                               as_of=AS_OF)
    text = render(rec, "text", KB)
    assert "Solidatech — TechSoup a mis fin à son partenariat avec Solidatech pour les logiciels" in text


def test_numbers_are_french_in_french_and_english_has_no_space_before_colons() -> None:
    rec = recommend(EXAMPLES / "cooperative-tech-for-good.yaml")
    detail = render(rec, "text", KB, detail=True)
    assert re.search(r"score \d+,\d", detail)
    english = render(recommend(EXAMPLES / "cooperative-tech-for-good.yaml", lang="en"), "text", KB)
    assert english.startswith("DIGITAL RECOMMENDATION FOR COOP DONNÉES COMMUNES")
    assert not re.search(r"\w :", english)


def test_urgent_actions_come_before_everything_else() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 65, "data_sensitivity": "sensitive",
                                "difficulties": ["security_incident"], "needs": ["data_protection"]}, as_of=AS_OF)
    assert [w.id for w in rec.warnings if w.urgent] == ["data_breach_notification"]
    text = render(rec, "text", KB)
    assert text.index("À FAIRE SANS ATTENDRE") < text.index("EN BREF : TROIS PRIORITÉS")
    assert "CNIL dans les 72 heures" in text.split("EN BREF")[0]
    assert "CNIL dans les 72 heures" not in text.split("POINTS DE VIGILANCE")[-1]


def test_the_request_is_restated_and_answered_first() -> None:
    rec = recommend(EXAMPLES / "petite-association-culturelle.yaml")
    text = render(rec, "text", KB)
    assert "Votre demande : stockage et partage de documents." in text.split("EN BREF")[0]
    assert "  2. Premier chantier d'outils : Stockage et partage de fichiers" in text


def test_a_hosting_paragraph_only_when_a_tool_is_offered_that_way() -> None:
    saas_only = toolpicker.recommend({"legal_form": "association", "employees": 8, "digital_referents": 0,
                                      "needs": ["online_membership"]}, as_of=AS_OF)
    assert any(i.id == "alternative_host" for i in saas_only.licensing_models)  # the rules recommend it…
    shown = {s.way for s in saas_only.solutions if s.category == "online_payment_membership"}
    text = render(saas_only, "text", KB)
    assert ("Hébergeur alternatif mutualisé" in text) == ("alternative_host" in shown)


def test_business_software_in_place_is_asked_about_before_any_change() -> None:
    rec = toolpicker.recommend({"legal_form": "cooperative", "siae": True, "sector": "integration",
                                "activity": "siae_temp_agency", "employees": 136,
                                "needs": ["hr_management", "time_tracking"], "main_need": "time_tracking",
                                "current_tools": ["logiciel de paie intérim", "Microsoft 365"]}, as_of=AS_OF)
    text = render(rec, "text", KB)
    priorities = text.split("PLAN D'ACTION")[0]
    assert "Premier chantier d'outils : Logiciel métier du secteur" in priorities
    assert "Vous avez déjà « logiciel de paie intérim » : demandez d'abord à son éditeur" in priorities
    assert "« Microsoft 365 »" not in text  # a catalogued tool is not mistaken for business software
