"""One-off: build catalog/activities.yaml from the sector-software fact-check (review/catalog-facts-r2-sector-software.yaml).

Each kind of structure becomes an ``activity`` a profile can name; its business-software guidance (what the
software must do, what to check, whom to ask, examples found in a source) is what the report says under
« Logiciel métier du secteur ». English texts are added afterwards (review/activities-en.yaml).
"""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTS = yaml.safe_load((ROOT / "review/catalog-facts-r2-sector-software.yaml").read_text())
EN_FILE = ROOT / "review/activities-en.yaml"
IDS = {
    "creche-eaje": "childcare", "ssiad-services-a-domicile": "home_care", "ehpad-medico-social": "medico_social",
    "chrs-hebergement-urgence": "emergency_housing", "foyer-jeunes-travailleurs": "young_workers_housing",
    "protection-enfance-mecs": "child_protection", "centre-social": "social_centre",
    "mjc-accueil-de-loisirs": "youth_centre", "club-sportif": "sports_club", "spectacle-vivant": "performing_arts",
    "radio-associative": "community_radio", "centre-formation-cfa": "training_centre", "siae-aci": "siae_workshop",
    "siae-association-intermediaire": "siae_intermediary", "siae-etti": "siae_temp_agency",
    "entreprise-insertion": "siae_enterprise", "ressourcerie-recyclerie": "resource_centre",
    "epicerie-solidaire": "solidarity_grocery", "acces-aux-droits-mediation": "access_to_rights",
    "soutien-scolaire": "tutoring", "cooperative-activite-emploi": "business_cooperative", "tiers-lieu": "third_place",
    "education-environnement": "environmental_education",
}

# What the business software of each kind of structure usually covers besides its core (adviser judgement,
# from each kind's `what_it_does` in the fact-check): those needs are met inside it, not by another tool.
COVERS = {
    "childcare": ["online_payment_membership", "time_tracking", "crm"], "home_care": ["time_tracking"],
    "child_protection": ["time_tracking"], "emergency_housing": ["crm"], "young_workers_housing": ["crm"],
    "social_centre": ["online_payment_membership", "crm"], "youth_centre": ["online_payment_membership", "crm"],
    "performing_arts": ["online_payment_membership"], "training_centre": ["crm", "time_tracking"],
    "siae_workshop": ["hr_management", "time_tracking"], "siae_intermediary": ["hr_management", "time_tracking"],
    "siae_temp_agency": ["hr_management", "time_tracking"], "siae_enterprise": ["erp"],
    "solidarity_grocery": ["crm"], "access_to_rights": ["crm"],
    "business_cooperative": ["accounting", "hr_management", "erp"], "third_place": ["online_payment_membership"],
}


def text(fr: str, en: str | None) -> dict[str, str]:
    return {"fr": " ".join(fr.split()), **({"en": " ".join(en.split())} if en else {})}


def main() -> None:
    english = yaml.safe_load(EN_FILE.read_text()) if EN_FILE.exists() else {}
    out = []
    for kind in FACTS["kinds"]:
        aid = IDS[kind["kind"]]
        en = english.get(aid, {})
        checks = [c for c, ok in zip(kind["must_have"], kind.get("must_have_verified", []), strict=False) if ok]
        checks = (checks or kind["must_have"])[:3]
        out.append({
            "id": aid,
            "label": text(en.get("label_fr") or kind["label"], en.get("label")),
            "sector": kind["sector"],
            "software": {
                "what": text(en.get("what_fr") or kind["what_it_does"], en.get("what")),
                "check": [text(c, e) for c, e in zip(en.get("check_fr") or checks, en.get("check") or [None] * 9,
                                                     strict=False)][:3],
                "ask": text(en.get("ask_fr") or kind["ask"], en.get("ask")),
                "examples": en.get("examples") or [e["name"] if isinstance(e, dict) else str(e)
                                                   for e in kind.get("examples", [])][:3],
                "covers": COVERS.get(aid, []),
            },
            "source": "; ".join(kind.get("sources", [])[:3]),
            "verification": "Vérifié le 2026-12-02 (review/catalog-facts-r2-sector-software.yaml) ; non vérifié : "
                            + " ".join(kind.get("not_verified", [])) if kind.get("not_verified") else
                            "Vérifié le 2026-12-02 (review/catalog-facts-r2-sector-software.yaml).",
        })
    header = ("# Types de structures (champ `activity` du profil) et ce que doit faire leur logiciel métier.\n"
              "# Source : vérification du 2026-12-02 (review/catalog-facts-r2-sector-software.yaml), à partir\n"
              "# de sources publiques (CAF, CNIL, esante.gouv.fr, ASP, fédérations) ; le guide renvoie le choix\n"
              "# du logiciel métier à la structure et à son réseau (Les métiers du numérique).\n"
              "# Généré par review/tools/build_activities.py.\n")
    body = yaml.safe_dump({"activities": out}, allow_unicode=True, sort_keys=False, width=120)
    (ROOT / "catalog/activities.yaml").write_text(header + body)


if __name__ == "__main__":
    main()
