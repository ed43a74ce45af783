"""What the R7 adviser review found in the report, each kept fixed: no expressed need dropped silently, the
sector's software not flanked by a generic ERP, no free plan offered for sensitive data, a plan that fits the tool
and the team, funders not listed twice, the structure's own situation before general cautions."""

from __future__ import annotations

import toolpicker
from toolpicker.interfaces.render import render
from toolpicker.interfaces.report import need_categories, view

from .conftest import AS_OF

KB = toolpicker.load_knowledge_base()

MANY_NEEDS = {"legal_form": "association", "sector": "environment", "employees": 9, "sites": 2,
              "data_sensitivity": "personal", "maturity": "progressing",
              "needs": ["project_management", "collaboration", "file_sharing", "website", "newsletter", "hr_management",
                        "time_tracking", "accounting"],
              "main_need": "collaboration", "current_tools": ["google-workspace", "tableur"]}


def test_every_expressed_need_is_shown_or_said_not_shown() -> None:
    rec = toolpicker.recommend(MANY_NEEDS, as_of=AS_OF)
    v = view(KB, rec)
    shown = {e.id for s in v.sections for e in s.entries} | {p.id for p in rec.summary.priorities} \
        | {c for p in rec.summary.priorities for c in p.also}
    text = render(rec, "text", KB)
    for need, categories in need_categories(KB, rec).items():
        if need == "collaboration" or not categories or any(c.id in shown for c in categories):
            continue
        label = KB.needs[need].label["fr"].lower()
        assert label in v.other_needs.lower(), (need, v.other_needs)
    assert v.other_needs.startswith("Autres besoins exprimés")
    assert "Autres besoins exprimés, à traiter ensuite" in text  # the fitted report says it too


def test_a_need_no_rule_answers_is_said_unanswered_rather_than_dropped() -> None:
    rec = toolpicker.recommend(MANY_NEEDS, as_of=AS_OF)
    bare = rec.model_copy(update={"tool_categories": [], "solutions": [], "summary": None})
    other = view(KB, bare).other_needs
    assert other.startswith("Sans réponse dans ce rapport"), other
    assert "comptabilité" in other and "gestion des ressources humaines" in other


def test_the_sector_software_is_not_flanked_by_a_generic_erp() -> None:
    profile = {"legal_form": "association", "sector": "integration", "siae": True, "activity": "siae_intermediary",
               "employees": 96, "data_sensitivity": "sensitive", "needs": ["integrated_management", "hr_management"],
               "main_need": "integrated_management"}
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    assert any(c.id == "erp" for c in rec.tool_categories)  # the JSON keeps it, with its reasons
    text = render(rec, "text", KB)
    assert "Dolibarr" not in text and "Odoo" not in text and "Progiciel de gestion intégrée (ERP/PGI) :" not in text


def test_no_free_plan_is_offered_for_sensitive_data() -> None:
    base = {"legal_form": "association", "sector": "social", "employees": 4, "needs": ["file_sharing"],
            "main_need": "file_sharing", "hosting_preference": "delegate"}
    personal = _text({**base, "data_sensitivity": "personal"})
    sensitive = _text({**base, "data_sensitivity": "sensitive"})
    assert "formule gratuite, offres payantes" in personal
    assert "formule gratuite, offres payantes" not in sensitive
    assert "la formule gratuite ne convient pas à des données sensibles" in sensitive


def test_the_test_step_fits_the_tool() -> None:
    in_place = _plan({"legal_form": "association", "employees": 2, "needs": ["collaboration"],
                      "main_need": "collaboration", "current_tools": ["google-workspace"]})
    assert "Consolider Google Workspace" in in_place["Tester"]
    volunteers = _plan({"legal_form": "association", "employees": 3, "needs": ["volunteer_recruitment"],
                        "main_need": "volunteer_recruitment"})
    assert volunteers["Tester"].startswith("Publier une ou deux missions"), volunteers["Tester"]
    security = _plan({"legal_form": "association", "employees": 38, "data_sensitivity": "sensitive",
                      "difficulties": ["phishing"], "needs": ["data_protection"], "main_need": "data_protection"})
    assert "petit groupe" not in security["Tester"], security["Tester"]


def test_a_small_team_writes_a_simple_specification_rather_than_hiring_an_amo() -> None:
    profile = {"legal_form": "association", "sector": "integration", "siae": True, "activity": "siae_workshop",
               "needs": ["integrated_management"], "main_need": "integrated_management"}
    small = " ".join(_plan({**profile, "employees": 6}).values())
    large = " ".join(_plan({**profile, "employees": 40}).values())
    assert "cahier des charges simple" in small and "avec une AMO" not in small
    assert "avec une AMO" in large


def test_the_awareness_action_does_not_assume_volunteers() -> None:
    text = " ".join(_plan({"legal_form": "cooperative", "employees": 14, "volunteers": 0, "maturity": "beginner",
                           "needs": ["collaboration"]}).values())
    assert "bénévoles actifs" not in text


def test_a_funder_named_in_the_priorities_is_not_listed_again() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "environment",
                                "activity": "environmental_education", "employees": 9, "needs": ["collaboration"]},
                               as_of=AS_OF)
    funding = next(p for p in rec.summary.priorities if p.kind == "funding")
    text = render(rec, "text", KB)
    pistes = text.split("PISTES DE FINANCEMENT", 1)[-1].split("POINTS DE VIGILANCE", 1)[0]
    for line in funding.solutions:
        name = line.split(" — ", 1)[0]
        assert name not in pistes, (name, pistes)


def test_the_priority_names_the_structure_s_own_funders_alone() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "culture", "activity": "performing_arts",
                                "employees": 2, "needs": ["communication"]}, as_of=AS_OF)
    funding = next(p for p in rec.summary.priorities if p.kind == "funding")
    assert funding.solutions and not any(s.startswith("Conseil régional") for s in funding.solutions), funding


def test_what_the_structure_told_comes_before_other_cautions() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 7, "federation_member": True,
                                "difficulties": ["too_many_tools"], "current_tools": ["excel", "trello", "slack"],
                                "remote_work": "frequent"}, as_of=AS_OF)
    ids = [w.id for w in rec.warnings if not w.urgent]
    assert ids[0] == "too_many_tools", ids


def _text(profile: dict[str, object]) -> str:
    return render(toolpicker.recommend(profile, as_of=AS_OF), "text", KB)


def _plan(profile: dict[str, object]) -> dict[str, str]:
    return dict(view(KB, toolpicker.recommend(profile, as_of=AS_OF)).plan)


def test_a_federated_structure_asks_its_federation_before_choosing() -> None:
    profile = {"legal_form": "association", "employees": 0, "volunteers": 320, "needs": ["volunteer_recruitment"]}
    plan = _plan({**profile, "federation_member": True})
    assert plan["Choisir avec l'équipe"].startswith("Demander d'abord à votre fédération"), plan
    rec = toolpicker.recommend({**profile, "federation_member": True}, as_of=AS_OF)
    assert "ask_the_network" in [w.id for w in rec.warnings]  # the JSON keeps the warning
    assert "demandez à votre fédération" not in " ".join(view(KB, rec).warnings)  # the report says it once
    assert "fédération" not in _plan({**profile, "federation_member": False})["Choisir avec l'équipe"]
