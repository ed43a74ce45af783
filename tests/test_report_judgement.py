"""What the R5 adviser review found in the report, each kept fixed: the request answered honestly, a plan of
actions rather than labels, acronyms spelled out, prices scaled to the team, general cautions after specific ones."""

from __future__ import annotations

import re

import toolpicker
from toolpicker.interfaces.render import render
from toolpicker.interfaces.report import view

from .conftest import AS_OF

KB = toolpicker.load_knowledge_base()


def _text(profile: dict[str, object]) -> str:
    return render(toolpicker.recommend(profile, as_of=AS_OF), "text", KB)


def test_a_request_answered_by_several_categories_names_them_all_in_the_priority() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 22, "main_need": "collaboration"},
                               as_of=AS_OF)
    tool = next(p for p in rec.summary.priorities if p.kind == "tool")
    assert tool.also, tool
    names = [KB.taxonomy[c].label["fr"] for c in [tool.id, *tool.also]]
    text = render(rec, "text", KB)
    request = next(line for line in text.splitlines() if line.startswith("Votre demande"))
    assert all(name in request for name in names), request


def test_the_request_line_never_claims_an_answer_the_report_does_not_give() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 3, "main_need": "volunteer_recruitment",
                                "data_sensitivity": "sensitive", "current_tools": ["whatsapp"]}, as_of=AS_OF)
    answered = view(KB, rec).request
    assert "Plateformes de bénévolat" in answered and "Stockage" not in answered
    bare = rec.model_copy(update={"tool_categories": [], "accompaniments": [], "funding_routes": [],
                                  "solutions": [], "summary": None})
    assert "n'y apporte pas de réponse précise" in view(KB, bare).request


def test_the_plan_says_what_to_do_and_a_small_team_gets_one_action_per_step() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 3, "maturity": "beginner",
                                "needs": ["file_sharing"]}, as_of=AS_OF)
    plan = dict(view(KB, rec).plan)
    assert plan["Faire le diagnostic"].startswith("Un état des lieux simple")
    assert all(" ; " not in text for text in plan.values()), plan
    big = toolpicker.recommend({"legal_form": "association", "employees": 40, "maturity": "beginner",
                                "needs": ["file_sharing"]}, as_of=AS_OF)
    assert " ; " in dict(view(KB, big).plan)["Faire le diagnostic"]


def test_an_acronym_is_spelled_out_once_where_the_reader_first_meets_it() -> None:
    text = _text({"legal_form": "association", "employees": 30, "needs": ["integrated_management"],
                  "main_need": "integrated_management"})
    assert "AMO (assistance à maîtrise d'ouvrage)" in text or "Assistance à maîtrise d'ouvrage (AMO)" in text
    assert text.count("(assistance à maîtrise d'ouvrage)") <= 1


def test_a_per_account_subscription_is_not_a_small_price_for_a_large_team() -> None:
    profile = {"legal_form": "association", "employees": 65, "data_sensitivity": "sensitive",
               "needs": ["data_protection"], "main_need": "data_protection", "digital_referents": 2}
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    per_user = [s.name for s in rec.solutions if KB.solutions[s.id].pricing == "per_user"]
    text = render(rec, "text", KB)
    shown = [line for line in text.splitlines() if any(f"{name} —" in line for name in per_user)]
    assert shown, text
    assert all("abonnement par compte" in line and "petit prix" not in line for line in shown), shown


def test_no_claim_that_no_question_is_left_while_key_questions_are_unanswered() -> None:
    text = _text({"legal_form": "association", "employees": 3, "needs": ["website"], "main_need": "website",
                  "sector": "culture", "maturity": "progressing", "data_sensitivity": "low",
                  "current_tools": ["Gmail"], "hosting_preference": "no_preference", "strategy": "none"})
    assert "Profil à compléter" in text
    assert "Les réponses données suffisent" not in text
    assert not re.search(r"autre\(s\)", text)


def test_general_cautions_come_after_those_tied_to_the_structure() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 5, "connectivity": "limited",
                                "needs": ["integrated_management"], "digital_budget_eur": 300}, as_of=AS_OF)
    general = {w.id for r in KB.rules for w in r.warn if w.general}
    flags = [w.id in general for w in rec.warnings if not w.urgent]
    assert flags == sorted(flags), [w.id for w in rec.warnings]
    assert "saas_needs_connection" in [w.id for w in rec.warnings][:3]


def test_free_software_cautions_only_when_a_free_tool_is_shown() -> None:
    profiles = [
        {"legal_form": "association", "sector": "health", "activity": "home_care", "employees": 38,
         "data_sensitivity": "sensitive", "needs": ["hr_management"], "main_need": "hr_management"},
        {"legal_form": "association", "employees": 3, "needs": ["file_sharing"], "hosting_preference": "keep_control"},
        {"legal_form": "association", "employees": 14, "needs": ["integrated_management"], "digital_budget_eur": 300},
    ]
    seen = set()
    for profile in profiles:
        rec = toolpicker.recommend(profile, as_of=AS_OF)
        text = render(rec, "text", KB)
        free_named = any(s.licence != "proprietary" and f"{s.name} —" in text for s in rec.solutions)
        cautioned = "Libre ne veut pas dire gratuit" in text
        assert not cautioned or free_named, text
        seen.add(cautioned)
    assert True in seen  # the caution still appears where it applies


def test_on_equal_scores_the_report_shows_the_better_fit_first_and_json_keeps_score_then_id() -> None:
    site = toolpicker.recommend({"legal_form": "association", "sector": "culture", "employees": 2,
                                 "hosting_preference": "keep_control", "needs": ["website"]}, as_of=AS_OF)
    scores = {s.id: s.score for s in site.solutions}
    assert scores["wordpress"] == scores["joomla"]
    ids = [s.id for s in site.solutions]
    assert ids.index("joomla") < ids.index("wordpress")  # CONTRACT §2: ties by id in the JSON
    text = render(site, "text", KB)
    assert text.index("WordPress —") < text.index("Joomla —") if "Joomla —" in text else "WordPress —" in text
    news = toolpicker.recommend({"legal_form": "association", "sector": "leisure", "volunteers": 18,
                                 "needs": ["communication"], "main_need": "communication"}, as_of=AS_OF)
    text = render(news, "text", KB)
    assert "Brevo" in text and ("HubSpot —" not in text or text.index("Brevo") < text.index("HubSpot —"))


def test_a_request_a_sector_software_answers_goes_to_that_software_first() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "social", "activity": "childcare",
                                "employees": 72, "needs": ["beneficiary_services"],
                                "main_need": "beneficiary_services"}, as_of=AS_OF)
    tool = next(p for p in rec.summary.priorities if p.kind == "tool")
    assert tool.id == "business_software"
    assert "Elle relève du logiciel métier du secteur" in view(KB, rec).request
