"""What the R8 adviser review found in the report, each kept fixed: one tool rather than a stack, no « not
answered » for a need the report answers, prices that say what the online offer costs, plan lines that fit what
is already done and the legal form."""

from __future__ import annotations

import toolpicker
from toolpicker.interfaces.render import render
from toolpicker.interfaces.report import view

from .conftest import AS_OF

KB = toolpicker.load_knowledge_base()


def test_a_suite_named_for_one_category_covers_the_next_instead_of_a_second_tool() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "environment", "employees": 9,
                                "hosting_preference": "keep_control", "needs": ["collaboration", "project_management"],
                                "main_need": "collaboration"}, as_of=AS_OF)
    tool = next(p for p in rec.summary.priorities if p.kind == "tool")
    assert len(tool.solutions) >= 2, tool
    first = tool.solutions[0].split(" : ", 1)[1].split(" — ", 1)[0]
    assert f"{first}, proposé ci-dessus, a aussi une fonction pour ce besoin" in tool.solutions[1], tool.solutions
    text = render(rec, "text", KB)
    tools = text.split("\nOUTILS\n", 1)[1].split("\n\n", 1)[0]
    assert "CryptPad" not in tools, tools  # no second editor beside the suite


def test_the_priority_s_categories_list_no_alternative_tool_in_the_tools_section() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 2, "needs": ["file_sharing"],
                                "main_need": "file_sharing", "data_sensitivity": "personal"}, as_of=AS_OF)
    v = view(KB, rec)
    tool = next(p for p in rec.summary.priorities if p.kind == "tool")
    entry = next((e for s in v.sections for e in s.entries if e.id == tool.id), None)
    assert entry is None or not entry.lines, entry


def test_a_need_a_funding_route_answers_is_not_said_unanswered() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "integration", "siae": True,
                                "activity": "siae_workshop", "employees": 30, "needs": ["equipment", "hr_management"],
                                "main_need": "hr_management"}, as_of=AS_OF)
    assert any(r.id == "refurbished_equipment" for r in rec.funding_routes), [r.id for r in rec.funding_routes]
    assert "équipement" not in view(KB, rec).other_needs


def test_a_need_the_sector_software_answers_gets_no_generic_category() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "integration", "siae": True,
                                "activity": "siae_workshop", "employees": 30,
                                "needs": ["beneficiary_services", "hr_management"], "main_need": "hr_management"},
                               as_of=AS_OF)
    v = view(KB, rec)
    shown = {e.id for s in v.sections for e in s.entries}
    assert "online_forms" not in shown and "services aux bénéficiaires" not in v.other_needs


def test_online_offers_of_free_software_are_not_called_free() -> None:
    profile = {"legal_form": "cooperative", "employees": 14, "needs": ["integrated_management"],
               "main_need": "integrated_management", "maturity": "progressing", "digital_referents": 1}
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    text = render(rec, "text", KB)
    dolibarr = [line for line in text.splitlines() if "Dolibarr —" in line]
    assert dolibarr and all("formule gratuite" not in line for line in dolibarr), dolibarr


def test_software_the_structure_installs_itself_says_who_pays_the_server() -> None:
    profile = {"legal_form": "cooperative", "employees": 68, "maturity": "experienced", "digital_referents": 2,
               "difficulties": ["strategic"], "hosting_preference": "keep_control", "needs": ["governance"],
               "main_need": "governance", "remote_work": "frequent"}
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    installed = [s for s in rec.solutions if s.way == "on_premise" and s.licence != "proprietary"]
    assert installed, [(s.id, s.way) for s in rec.solutions]
    text = render(rec, "text", KB)
    lines = [line for line in text.splitlines() if f"{installed[0].name} —" in line]
    assert any("serveur, sauvegardes et mises à jour à votre charge" in line for line in lines), lines
    assert not any("formule gratuite" in line for line in lines), lines


def test_digital_leads_already_named_get_time_rather_than_being_named_again() -> None:
    profile = {"legal_form": "association", "employees": 72, "difficulties": ["technical"], "needs": ["collaboration"]}
    named = " ".join(dict(view(KB, toolpicker.recommend({**profile, "digital_referents": 3}, as_of=AS_OF)).plan)
                     .values())
    none = " ".join(dict(view(KB, toolpicker.recommend({**profile, "digital_referents": 0}, as_of=AS_OF)).plan)
                    .values())
    assert "Désigner deux personnes" in none
    assert "Désigner deux personnes" not in named and "donner à vos référent·es du temps" in named.lower()


def test_the_governance_action_suits_any_legal_form() -> None:
    plan = " ".join(dict(view(KB, toolpicker.recommend(
        {"legal_form": "commercial_company", "employees": 11, "data_sensitivity": "personal", "board_involved": False,
         "digital_referents": 1, "needs": ["integrated_management"]}, as_of=AS_OF)).plan).values())
    assert "présenter le plan au conseil d'administration" not in plan


def test_no_peremptory_claim_that_no_question_is_left() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 3}, as_of=AS_OF)
    assert "Aucune autre question utile" not in render(rec, "text", KB)


SSIAD = {"legal_form": "association", "sector": "health", "activity": "home_care", "employees": 38,
         "data_sensitivity": "sensitive", "difficulties": ["human", "technical", "phishing"], "connectivity": "limited",
         "federation_member": True, "needs": ["data_protection", "time_tracking", "hr_management", "collaboration"],
         "main_need": "data_protection", "current_tools": ["logiciel de soins", "messagerie du fournisseur d'accès"]}


def test_legal_obligations_come_right_after_urgent_matters_and_reach_the_report() -> None:
    rec = toolpicker.recommend(SSIAD, as_of=AS_OF)
    ids = [w.id for w in rec.warnings]
    assert ids[:3] == ["phishing_attempt", "health_data_hds", "processor_contract"], ids
    text = render(rec, "text", KB)
    assert "certifié HDS" in text.split("POINTS DE VIGILANCE", 1)[1]


def test_the_sector_software_is_shown_even_when_the_request_is_elsewhere() -> None:
    text = render(toolpicker.recommend(SSIAD, as_of=AS_OF), "text", KB)
    tools = text.split("\nOUTILS\n", 1)[1].split("\n\n", 1)[0]
    assert "Logiciel métier du secteur" in tools and "logiciel de soins" in tools, tools


def test_a_suite_never_displaces_the_tool_the_structure_uses_for_the_request() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "sport", "activity": "sports_club",
                                "employees": 5, "volunteers": 40, "needs": ["online_membership", "hr_management"],
                                "main_need": "online_membership", "current_tools": ["helloasso", "excel"]},
                               as_of=AS_OF)
    tool = next(p for p in rec.summary.priorities if p.kind == "tool")
    assert "HelloAsso" in tool.solutions[0] and not any("AssoConnect" in line for line in tool.solutions), tool


def test_a_securable_suite_in_place_is_kept_with_sensitive_data_not_replaced() -> None:
    profile = {"legal_form": "association", "sector": "social", "activity": "child_protection", "employees": 240,
               "data_sensitivity": "sensitive", "needs": ["collaboration", "beneficiary_services"],
               "main_need": "beneficiary_services", "current_tools": ["microsoft-365"]}
    rec = toolpicker.recommend(profile, as_of=AS_OF)
    assert "microsoft-365" in [s.id for s in rec.solutions], [e.id for e in rec.excluded]
    m365 = next(s for s in rec.solutions if s.id == "microsoft-365")
    assert any(r.because.startswith("Déjà en place : gardez-le en le sécurisant") for r in m365.reasons)
    text = render(rec, "text", KB, detail=True)
    lines = [line for line in text.splitlines() if "Microsoft 365 —" in line]
    assert lines and not any("à remplacer" in line for line in lines), lines
    fresh = toolpicker.recommend({**profile, "current_tools": []}, as_of=AS_OF)  # not proposed to newcomers
    assert "microsoft-365" not in [s.id for s in fresh.solutions]


def test_software_in_place_that_is_no_longer_maintained_is_replaced_not_asked_about() -> None:
    profile = {"legal_form": "association", "sector": "integration", "siae": True, "activity": "siae_intermediary",
               "employees": 96, "needs": ["integrated_management"], "main_need": "integrated_management"}
    ending = render(toolpicker.recommend({**profile, "current_tools": ["logiciel de mises à disposition (fin de "
                                                                        "support)"]}, as_of=AS_OF), "text", KB)
    kept = render(toolpicker.recommend({**profile, "current_tools": ["logiciel de mises à disposition"]},
                                       as_of=AS_OF), "text", KB)
    assert "n'est plus maintenu : exportez vos données" in ending and "demandez d'abord à son éditeur" not in ending
    assert "demandez d'abord à son éditeur" in kept


def test_a_desktop_install_is_not_priced_as_a_server() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "employees": 2, "data_sensitivity": "personal",
                                "needs": ["data_protection"], "main_need": "data_protection",
                                "difficulties": ["personal_devices"]}, as_of=AS_OF)
    text = render(rec, "text", KB, detail=True)
    desktop = [s for s in rec.solutions if s.way == "on_premise" and KB.solutions[s.id].on_premise == "desktop"]
    assert desktop, [(s.id, s.way) for s in rec.solutions]
    for sol in desktop:
        line = next(x for x in text.splitlines() if f"{sol.name} —" in x)
        assert "à installer sur chaque poste" in line and "serveur" not in line, line


def test_a_conditional_health_caution_is_not_ranked_as_a_legal_obligation() -> None:
    rec = toolpicker.recommend({"legal_form": "association", "sector": "social", "employees": 3,
                                "data_sensitivity": "sensitive", "needs": ["beneficiary_services"]}, as_of=AS_OF)
    ids = [w.id for w in rec.warnings]
    assert "social_records_health" in ids and ids.index("social_records_health") > ids.index("processor_contract")
