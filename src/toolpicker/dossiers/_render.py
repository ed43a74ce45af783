"""Dossiers for people: list, history, what changed (in sentences) and the printable follow-up report.

The words come from ``locale/*.yaml`` (``dossier.*``); item labels from the
recommendation stored with each diagnosis; answers as the questionnaire shows
them (:func:`toolpicker.interfaces.report.answer_in_words`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from .._i18n import current_language, pick, t
from .._version import __version__
from ..recommendation.result import FAMILIES

if TYPE_CHECKING:
    import jinja2

    from ..knowledge.base import KnowledgeBase
    from ._records import Dossier, DossierDiff, DossierSummary, ItemChange


def name_of(name: str) -> str:
    return name or t("dossier.unnamed")


def _day(iso: str) -> str:
    from ..interfaces.report import _date

    return _date(iso[:10])


def _answer(kb: KnowledgeBase, name: str, value: Any) -> str:
    from ..interfaces.report import answer_in_words

    if value is None:
        return t("report.unknown")
    if name == "name":
        return str(value)
    return answer_in_words(kb, name, value)


def _field_label(kb: KnowledgeBase, name: str) -> str:
    if name == "name":
        return t("dossier.name_label")
    question = kb.questions.get(name)
    return pick(question.label) if question else name


def item_sentence(change: ItemChange) -> str:
    values = {"label": change.label, "before": change.before_rank, "after": change.after_rank}
    if change.change == "added":
        sentence = t("dossier.diff_added", **values)
    elif change.change == "removed":
        sentence = t("dossier.diff_removed", **values)
    else:
        up = (change.after_rank or 0) < (change.before_rank or 0)
        sentence = t("dossier.diff_up" if up else "dossier.diff_down", **values)
    if change.rules:
        sentence += " — " + t("dossier.diff_rules", rules=", ".join(change.rules))
    return sentence + "."


@dataclass
class ChangeView:
    """A diff in words: the answers that changed, and per family the sentences about its items."""

    answers: list[tuple[str, str, str]] = field(default_factory=list)
    families: list[tuple[str, list[str]]] = field(default_factory=list)


def change_view(kb: KnowledgeBase, diff: DossierDiff) -> ChangeView:
    view = ChangeView(answers=[(_field_label(kb, c.field), _answer(kb, c.field, c.before),
                                _answer(kb, c.field, c.after)) for c in diff.profile])
    for family in FAMILIES:
        changes = [c for c in diff.items if c.family == family]
        # An item pushed down by another's arrival, its own rules unchanged, is named in one closing line.
        sentences = [item_sentence(c) for c in changes if c.change != "moved" or c.rules]
        others = [f"{c.label} ({c.before_rank} → {c.after_rank})" for c in changes
                  if c.change == "moved" and not c.rules]
        if others:
            sentences.append(t("dossier.diff_others", items=", ".join(others)))
        if sentences:
            view.families.append((t(f"web.family_{family}"), sentences))
    return view


def _change_lines(kb: KnowledgeBase, diff: DossierDiff) -> list[str]:
    view = change_view(kb, diff)
    lines = [t("dossier.diff_profile") if view.answers else t("dossier.diff_no_profile")]
    lines += ["  - " + t("dossier.diff_answer", label=label, before=before, after=after)
              for label, before, after in view.answers]
    lines += ["", t("dossier.diff_items") if view.families else t("dossier.diff_no_items")]
    for family, sentences in view.families:
        lines.append(f"  {family}")
        lines += [f"    - {sentence}" for sentence in sentences]
    return lines


def diff_text(kb: KnowledgeBase, diff: DossierDiff, rerun: bool = False) -> str:
    """``dossier diff`` and ``dossier rerun`` in the terminal."""
    values = {"id": diff.dossier, "name": name_of(diff.name), "from_n": diff.before.n, "from_date": diff.before.date,
              "from_kb": diff.before.knowledge_base, "to_n": diff.after.n, "to_date": diff.after.date,
              "to_kb": diff.after.knowledge_base}
    title = t("dossier.rerun_title" if rerun else "dossier.diff_title", **values)
    return "\n".join([title, "", *_change_lines(kb, diff)]) + "\n"


def _local(stamp: str) -> str:
    """A stored UTC time as the adviser's local time, to the minute."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16].replace("T", " ")


def list_text(summaries: list[DossierSummary], url: str) -> str:
    if not summaries:
        return t("dossier.list_empty", url=url) + "\n"
    header = (t("dossier.col_id"), t("dossier.col_name"), t("dossier.col_diagnoses"), t("dossier.col_updated"))
    rows = [(s.id, name_of(s.name)[:50], str(s.diagnoses), _local(s.updated)) for s in summaries]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [t("dossier.list_header", count=len(summaries), url=url), ""]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(widths[i]) if i != 2 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def _priorities(recommendation: dict[str, Any]) -> list[str]:
    summary = recommendation.get("summary") or {}
    return [str(p.get("label", "")) for p in summary.get("priorities") or [] if isinstance(p, dict)]


def _count(recommendation: dict[str, Any]) -> int:
    return sum(len(recommendation.get(f) or []) for f in FAMILIES)


def show_text(found: Dossier) -> str:
    """``dossier show`` in the terminal: each diagnosis with its date, note and the priorities of then."""
    lines = [t("dossier.show_title", id=found.id, name=name_of(found.name)),
             t("dossier.show_created", date=_day(found.created), count=len(found.diagnoses))]
    for d in found.diagnoses:
        lines += ["", t("dossier.show_diagnosis", n=d.n, date=_day(d.date), version=d.knowledge_base)]
        if d.note:
            lines.append("  " + t("dossier.show_note", note=d.note.replace("\n", "\n    ")))
        lines.append("  " + t("dossier.show_counts", count=_count(d.recommendation)))
        priorities = _priorities(d.recommendation)
        if priorities:
            lines.append("  " + t("dossier.show_priorities"))
            lines += [f"    {i}. {label}" for i, label in enumerate(priorities, start=1)]
    if len(found.diagnoses) >= 2:
        lines += ["", t("dossier.show_hint", id=found.id)]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the follow-up report

@dataclass
class FollowUp:
    title: str
    intro: str
    since: str
    changes: ChangeView | None
    priorities: list[str]
    history: list[tuple[int, str, str, str]]
    footer: str
    lang: str
    version: str = __version__


def follow_up(kb: KnowledgeBase, found: Dossier, diff: DossierDiff | None) -> FollowUp:
    """What the printed follow-up says: since the last diagnosis, today's priorities, the history."""
    first, last = found.diagnoses[0], found.diagnoses[-1]
    since = (t("dossier.followup_since_intro", to_n=diff.after.n, to_date=_day(diff.after.date),
               from_n=diff.before.n, from_date=_day(diff.before.date)) if diff else t("dossier.followup_first"))
    return FollowUp(
        title=t("dossier.followup_title", name=name_of(found.name)),
        intro=t("dossier.followup_intro", id=found.id, count=len(found.diagnoses), first=_day(first.date),
                last=_day(last.date)),
        since=since, changes=change_view(kb, diff) if diff else None,
        priorities=_priorities(last.recommendation),
        history=[(d.n, _day(d.date), (_priorities(d.recommendation) or ["—"])[0], d.note or "")
                 for d in found.diagnoses],
        footer=t("dossier.followup_made_with", version=__version__, kb=last.knowledge_base),
        lang=current_language())


def follow_up_text(view: FollowUp, markdown: bool = False) -> str:
    from ..interfaces.render import markdown_text

    def esc(text: str) -> str:
        return markdown_text(text) if markdown else text

    h1, h2 = ("# ", "## ") if markdown else ("", "")
    lines = [h1 + esc(view.title if markdown else view.title.upper()), "", esc(view.intro), "",
             h2 + t("dossier.followup_since"), "", esc(view.since)]
    if view.changes is not None:
        if view.changes.answers:
            lines += ["", t("dossier.diff_profile")]
            lines += ["- " + esc(t("dossier.diff_answer", label=a, before=b, after=c))
                      for a, b, c in view.changes.answers]
        lines += ["", t("dossier.diff_items") if view.changes.families else t("dossier.diff_no_items")]
        for family, sentences in view.changes.families:
            lines += ["", f"**{family}**" if markdown else family]
            lines += ["- " + esc(s) for s in sentences]
    if view.priorities:
        lines += ["", h2 + t("dossier.followup_now"), ""]
        lines += [f"{i}. {esc(p)}" for i, p in enumerate(view.priorities, start=1)]
    lines += ["", h2 + t("dossier.followup_history"), ""]
    for n, day, first, note in view.history:
        text = f"- n°{n} — {day} — {esc(first)}" + (f" — {esc(note)}" if note else "")
        lines.append(text.replace("\n", " "))
    lines += ["", esc(view.footer)]
    return "\n".join(lines) + "\n"


@cache
def _html() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("toolpicker", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["t"] = t
    return env


def follow_up_html(view: FollowUp, fragment: bool = False) -> str:
    """The follow-up as a self-contained printable page (or its body alone, for the web page)."""
    name = "dossier_followup_body.html.j2" if fragment else "dossier_followup.html.j2"
    return _html().get_template(name).render(v=view)
