"""One-off: bring the 2026-12-02 verification (review/catalog-facts.yaml) and the new fields into catalog/solutions.

Kept for the record of how the catalogue was corrected; not part of the package.
"""
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FACTS = {s["id"]: s for s in yaml.safe_load((ROOT / "review/catalog-facts.yaml").read_text())["solutions"]}
CHECKED = "2026-12-02"

# jurisdiction of the company running the hosted (saas) offer
JURISDICTION = {
    "1password": "CA", "assoconnect": "FR", "backblaze": "US", "balotilo": "FR", "belenios": "FR", "benevolt": "FR",
    "bitwarden": "US", "brevo": "FR", "canva": "AU", "civicrm": "US", "collabora-online": "GB", "cryptpad": "FR",
    "decidim": "ES", "diffuz": "FR", "dolibarr": "FR", "doodle": "CH", "dropbox": "US", "element": "GB",
    "erpnext": "IN", "facebook": "US", "facebook-messenger": "US", "france-benevolat": "FR", "frappe-hr": "IN",
    "google-alerts": "US", "google-forms": "US", "google-workspace": "US", "helloasso": "FR", "hubspot": "US",
    "instagram": "US", "iraiser": "FR", "jeveuxaider-gouv": "FR", "jitsi-meet": "US", "kdrive": "CH",
    "kisskissbankbank": "FR", "kobotoolbox": "US", "les-bons-clics": "FR", "liberapay": "FR", "limesurvey": "DE",
    "linkedin": "US", "loomio": "NZ", "lucca": "FR", "mailchimp": "US", "matomo": "NZ", "mattermost": "US",
    "microsoft-365": "US", "microsoft-teams": "US", "nextcloud": "DE", "noalyss": "BE", "odoo": "BE", "ohme": "FR",
    "onlyoffice-docs": "LV", "open-collective": "US", "openproject": "DE", "paheko": "FR", "payfit": "FR",
    "pennylane": "FR", "pipedrive": "US", "pix": "FR", "pix-orga": "FR", "pretix": "DE", "proton": "CH",
    "rocket-chat": "US", "sage": "GB", "salesforce": "US", "sap": "DE", "signal": "US", "skype": "US", "slack": "US",
    "taiga": "ES", "tous-benevoles": "FR", "trello": "US", "tuta": "DE", "ulule": "FR", "weezevent": "FR",
    "whatsapp": "US", "wix": "IL", "wordpress": "US", "yes-asso": "FR", "zoho-crm": "IN", "zoom": "US",
    "passerelles-et-competences": "FR",
}
DESKTOP = {"libreoffice", "openoffice", "thunderbird", "gnucash", "keepassxc", "duplicati", "kopia", "sage"}
HEAVY = {"odoo", "erpnext", "sap", "salesforce", "civicrm", "suitecrm", "frappe-hr", "orangehrm", "decidim", "drupal"}
MEDIUM = {"dolibarr", "sage", "iraiser", "hubspot", "zoho-crm", "pipedrive", "openproject", "nextcloud", "element",
          "mattermost", "rocket-chat", "bigbluebutton", "peertube", "wordpress", "joomla", "matomo", "limesurvey",
          "kobotoolbox", "listmonk", "sympa", "taiga", "wekan", "kanboard", "icehrm", "noalyss", "ohme", "lucca",
          "collabora-online", "onlyoffice-docs", "borgbackup", "restic", "vaultwarden", "gancio", "open-collective",
          "pretix", "belenios"}
FEATURES = {"helloasso": ["tax_receipts"], "assoconnect": ["tax_receipts"], "iraiser": ["tax_receipts"],
            "paheko": ["tax_receipts"], "payfit": ["dsn_payroll"], "sage": ["dsn_payroll"]}
E2E = {"1password", "bitwarden", "cryptpad", "element", "keepassxc", "proton", "signal", "tuta", "vaultwarden"}
HDS = {"google-workspace"}
ELIGIBLE = {
    "assoconnect": "[association]", "galette": "[association]", "helloasso": "[association]",
    "framaspace": "[association, foundation]", "benevalibre": "[association]", "yes-asso": "[association]",
    "france-benevolat": "[association]", "diffuz": "[association]", "tous-benevoles": "[association]",
    "benevolt": "[association]", "passerelles-et-competences": "[association]",
    "jeveuxaider-gouv": "[association, foundation]",
}
CATEGORY = {  # id: (category, also or None to keep)
    "benevalibre": ("volunteer_management", []),
    "gancio": ("social_media", ["website"]),
    "framadate": ("online_forms", ["governance_decision"]),
    "doodle": ("online_forms", []),
    "matomo": ("web_analytics", []),
    "yes-asso": ("funding_watch", []),
    "google-alerts": ("funding_watch", []),
    "assoconnect": ("crm", ["erp", "accounting", "online_payment_membership", "online_fundraising", "newsletter",
                            "website"]),
}
CAVEAT = {
    "framaspace": ("Jusqu'à 50 comptes et 40 Go ; réservé aux associations et collectifs francophones, sur demande validée par Framasoft.",
                   "Up to 50 accounts and 40 GB; for French-speaking associations and collectives, on request approved by Framasoft."),
    "odoo": ("L'édition en ligne (Odoo Online, édition Enterprise) est propriétaire et payante ; seule l'édition Community, à héberger soi-même, est libre. La paie française (DSN) n'est pas couverte.",
             "The online edition (Odoo Online, Enterprise edition) is proprietary and paid; only the Community edition, self-hosted, is free software. French payroll (DSN) is not covered."),
    "erpnext": ("Ne produit pas la paie française ni la DSN : prévoir un logiciel de paie ou un cabinet comptable.",
                "Does not produce French payroll or the DSN: plan a payroll software or an accountant."),
    "frappe-hr": ("Ne produit pas la paie française ni la DSN : prévoir un logiciel de paie ou un cabinet comptable.",
                  "Does not produce French payroll or the DSN: plan a payroll software or an accountant."),
    "orangehrm": ("Ne produit pas la paie française ni la DSN : prévoir un logiciel de paie ou un cabinet comptable.",
                  "Does not produce French payroll or the DSN: plan a payroll software or an accountant."),
    "icehrm": ("Ne produit pas la paie française ni la DSN : prévoir un logiciel de paie ou un cabinet comptable.",
               "Does not produce French payroll or the DSN: plan a payroll software or an accountant."),
    "yes-asso": ("Cité par le guide (2022) ; l'éditeur et l'existence actuelle du service n'ont pas pu être vérifiés.",
                 "Named in the guide (2022); its publisher and current existence could not be verified."),
    "loomio": ("Éditeur néo-zélandais ; données aux États-Unis, en Europe, en Australie et en Nouvelle-Zélande, avec des sous-traitants américains ; aucune instance d'hébergeur alternatif (CHATONS) connue.",
               "New Zealand publisher; data in the United States, Europe, Australia and New Zealand, with US sub-processors; no known alternative-host (CHATONS) instance."),
    "microsoft-365": ("Le don de licences Business Premium a pris fin en juillet 2025 ; Business Basic reste gratuit pour les associations éligibles (jusqu'à 300 licences).",
                      "The Business Premium licence grant ended in July 2025; Business Basic stays free for eligible non-profits (up to 300 licences)."),
    "open-collective": ("N'émet pas de reçus fiscaux français : la déductibilité des dons dépend de l'hôte fiscal.",
                        "Issues no French tax receipts: whether gifts are deductible depends on the fiscal host."),
    "liberapay": ("Dons récurrents seulement ; pas de reçus fiscaux français.",
                  "Recurring gifts only; no French tax receipts."),
    "payfit": ("Pensé d'abord pour les entreprises (Kbis demandé à l'inscription) : vérifier l'adéquation à une association.",
               "Designed first for companies (a Kbis is asked at sign-up): check the fit for an association."),
    "google-workspace": ("Certifié HDS ; éditeur américain soumis au Cloud Act, même avec des données en Europe.",
                         "HDS-certified; a US provider subject to the CLOUD Act, even with data in Europe."),
    "helloasso": ("Reçus fiscaux seulement si l'association est habilitée à en émettre (intérêt général) et l'a activé.",
                  "Tax receipts only if the association may issue them (public interest) and has switched them on."),
    "assoconnect": ("Offres « Liberté » et « Paiement » gratuites (frais de transaction ou pourboire demandé au payeur) ; fonctions de gestion dans les offres payantes.",
                    "Free 'Liberté' and 'Paiement' plans (transaction fees or a tip asked to the payer); management features in paid plans."),
}
LICENCE = {"benevalibre": "AGPL-3.0-only", "keepassxc": "GPL-2.0-only OR GPL-3.0-only"}
FREE_TIER = {"assoconnect": "true"}
HOSTING = {"cryptpad": "[self, fr, eu]"}


def verification(sid: str) -> tuple[str, str]:
    fact = FACTS.get(sid, {})
    how = " ".join(str(fact.get("how", "")).split())
    if fact.get("verified"):
        text = f"Vérifié le {CHECKED} sur des copies publiques consultées ici : {how}"
        return CHECKED, text[:600]
    reason = how or "aucune source consultable ici"
    return "null", f"Non vérifié le {CHECKED} : {reason[:400]} Valeurs reprises du catalogue du 2026-11-28."


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def edit(entry: str) -> str:
    sid = re.search(r"^- id: (\S+)", entry).group(1)
    lines = entry.split("\n")

    def set_key(key: str, value: str | None) -> None:
        for i, line in enumerate(lines):
            if line.startswith(f"  {key}:"):
                if value is None:
                    del lines[i]
                else:
                    lines[i] = f"  {key}: {value}"
                return
        if value is not None:
            at = next(i for i, line in enumerate(lines) if line.startswith("  source:"))
            lines.insert(at, f"  {key}: {value}")

    if sid in CATEGORY:
        category, also = CATEGORY[sid]
        set_key("category", category)
        set_key("also", f"[{', '.join(also)}]" if also else None)
    if sid in LICENCE:
        set_key("licence", LICENCE[sid])
    if sid in FREE_TIER:
        set_key("free_tier", FREE_TIER[sid])
    if sid in HOSTING:
        set_key("hosting", HOSTING[sid])
    delivery = re.search(r"^  delivery: \[(.*)\]", entry, re.M).group(1)
    if "on_premise" in delivery:
        set_key("on_premise", "desktop" if sid in DESKTOP else "server")
    if "saas" in delivery:
        set_key("jurisdiction", JURISDICTION[sid])
    set_key("weight", "heavy" if sid in HEAVY else "medium" if sid in MEDIUM else "light")
    if sid in FEATURES:
        set_key("features", f"[{', '.join(FEATURES[sid])}]")
    if sid in E2E:
        set_key("end_to_end", "true")
    if sid in HDS:
        set_key("certifications", "[hds]")
    if sid in ELIGIBLE:
        set_key("eligible", f"{{legal_forms: {ELIGIBLE[sid]}}}")
    if sid in CAVEAT:
        fr, en = CAVEAT[sid]
        set_key("caveat", "{fr: " + quote(fr) + ", en: " + quote(en) + "}")
    date, text = verification(sid)
    set_key("last_verified", date)
    set_key("verification", quote(text))
    return "\n".join(lines)


def main() -> int:
    for path in sorted((ROOT / "catalog/solutions").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        head, _, body = text.partition("\nsolutions:\n")
        entries = re.split(r"(?m)^(?=- id: )", body)
        out = [entries[0]] + [edit(e) for e in entries[1:]]
        path.write_text(head + "\nsolutions:\n" + "".join(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
