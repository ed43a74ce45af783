"""Ids fixed by the public contract (CONTRACT §3): the knowledge base must define them all."""

from __future__ import annotations

TOOL_CATEGORIES = (
    "file_storage", "collaborative_editing", "instant_messaging", "video_conferencing", "shared_calendar",
    "project_management", "crm", "erp", "hr_management", "accounting", "online_payment_membership",
    "online_fundraising", "website", "social_media", "newsletter", "online_forms", "governance_decision",
    "volunteer_platform", "security_tools", "backup", "skills_assessment",
)
LICENSING_MODELS = ("free_software", "proprietary", "saas", "on_premise", "alternative_host")
ACCOMPANIMENTS = (
    "awareness", "digital_diagnostic", "digital_strategy", "collaborative_tools_support", "governance_digital",
    "digital_referents", "project_ownership_support", "integrator", "user_training", "digital_mediation_training",
    "insertion_digital_skills", "gdpr_compliance", "cybersecurity", "change_management", "tech_impact_balance",
)
FUNDING_ROUTES = (
    "refurbished_equipment", "software_discounts", "skills_sponsorship", "skilled_volunteers",
    "financial_sponsorship", "pro_bono", "crowdfunding", "crowdequity", "loans", "solidarity_tech_fundraising",
    "project_budget_lines",
)
SOLUTIONS = (
    "etherpad", "odoo", "dolibarr", "sage", "sap", "assoconnect", "hubspot", "ohme", "pipedrive", "salesforce",
    "zoho-crm", "helloasso", "iraiser", "loomio", "google-workspace", "trello", "microsoft-365", "microsoft-teams",
    "zoom", "jitsi-meet", "skype", "whatsapp", "libreoffice", "pix", "les-bons-clics", "yes-asso", "google-alerts",
    "diffuz", "benevolt", "tous-benevoles",
)
