"""``toolpicker check``: validate a knowledge base and report every problem with file:line.

Schema and reference errors come from :func:`toolpicker.kb.load_knowledge_base`;
warnings (missing English labels, …) do not fail the check unless ``--strict``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import KnowledgeBaseError, Problem
from .._i18n import t
from ..knowledge.base import KnowledgeBase, load_knowledge_base, shipped_dir
from .analysis import analyse


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    summary: str = ""
    knowledge_base: KnowledgeBase | None = None
    layout: dict[str, int] = field(default_factory=dict)
    """How the rules are laid out over durable-rules rulesets (``_plan.Plan.summary``)."""


def check_knowledge_base(rules_dir: str | Path | None = None, catalog_dir: str | Path | None = None,
                         today: dt.date | None = None) -> CheckReport:
    """Every problem of a knowledge base (errors and warnings), sorted by file and line."""
    report = CheckReport()
    custom = rules_dir is not None or catalog_dir is not None
    try:
        kb = load_knowledge_base(rules_dir or shipped_dir("rules"), catalog_dir or shipped_dir("catalog")) \
            if custom else load_knowledge_base()
    except KnowledgeBaseError as exc:
        report.problems = exc.problems
    else:
        report.knowledge_base = kb
        report.problems = list(kb.warnings) + analyse(kb, today)
        if any(p.severity == "error" for p in report.problems):
            return _sorted(report)
        from ..engine.plan import make_plan
        from ..knowledge.profile import LIST_FIELDS

        report.layout = make_plan(kb.rules, LIST_FIELDS).summary()
        report.summary = t("cli.check_ok", rules=len(kb.rules), solutions=len(kb.solutions),
                           routes=len(kb.funding_routes), path=kb.source.rules_dir.parent) + "\n" + \
            t("cli.check_layout", **report.layout) + "\n" + t(
                "cli.check_verified", verified=sum(1 for x in kb.solutions.values() if x.last_verified),
                unverified=sum(1 for x in kb.solutions.values() if not x.last_verified))
    return _sorted(report)


def _sorted(report: CheckReport) -> CheckReport:
    report.problems.sort(key=lambda p: (p.severity != "error", p.path or "", p.line or 0, p.message))
    return report
