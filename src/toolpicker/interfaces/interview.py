"""``toolpicker interview``: the adaptive questionnaire in the terminal.

After each answer toolpicker recommends again and asks the most influential
question still unanswered (the first of ``ask_next``: ``missing`` in the diagnostic order). Enter skips a question;
the interview stops when ``missing`` holds nothing but skipped questions — no
remaining answer can change the result — or when the input ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from .._errors import ProfileError
from .._i18n import t
from ..knowledge.base import KnowledgeBase
from ..knowledge.profile import Profile, parse_profile
from ..knowledge.questions import coerce, question_of, split_list
from ..recommendation.recommend import recommend
from ..recommendation.result import Recommendation

Prompt = Callable[[str], str]
Echo = Callable[[str], None]


def _prompt(text: str) -> str:
    answer: str = click.prompt(text, default="", show_default=False, prompt_suffix=" ")
    return answer


def _choose(token: str, values: list[dict[str, Any]]) -> str | None:
    """A value id from its number in the list, its id, or its label (case-insensitive)."""
    token = token.strip()
    if token.isdigit() and 1 <= int(token) <= len(values):
        return str(values[int(token) - 1]["value"])
    low = token.casefold()
    for v in values:
        if low in (str(v["value"]).casefold(), str(v["label"]).casefold()):
            return str(v["value"])
    return None


def read_answer(question: dict[str, Any], text: str) -> Any:
    """The value meant by ``text`` for this question; raise ``ValueError`` with a message when unclear."""
    kind = question["kind"]
    values = question["values"]
    if kind == "bool":
        chosen = _choose(text, values)
        value = (chosen == "true") if chosen is not None else coerce(question["field"], text)
        if not isinstance(value, bool):
            raise ValueError(t("interview.not_understood", count=len(values)))
        return value
    if kind == "enum":
        chosen = _choose(text, values)
        return chosen if chosen is not None else text.strip()  # validation names the allowed values
    if kind == "list_enum":
        if text.strip() == "-":
            return []
        picked = []
        for token in split_list(text.replace(" ", ",")):
            chosen = _choose(token, values)
            picked.append(chosen if chosen is not None else token)
        return picked
    return coerce(question["field"], text)


def ask(question: dict[str, Any], impact: int, prompt: Prompt = _prompt, echo: Echo = click.echo) -> Any:
    """Ask one question until the answer is valid; ``None`` when the adviser skips it."""
    echo("")
    echo(click.style(question["label"], bold=True) + f"  ({t('interview.impact', impact=impact)})")
    echo(question["question"])
    if question["help"]:
        echo(click.style(question["help"], dim=True))
    if question["kind"] != "list_str":
        for number, v in enumerate(question["values"], start=1):
            echo(f"  {number:>2}. {v['label']} [{v['value']}]")
    hint = {"list_enum": "interview.hint_list", "int": "interview.hint_int", "list_str": "interview.hint_free",
            }.get(question["kind"], "interview.hint_choice")
    while True:
        text = prompt(t(hint, minimum=question["minimum"], maximum=question["maximum"]))
        if not text.strip():
            return None
        try:
            value = read_answer(question, text)
            parse_profile({question["field"]: value})
        except ValueError as exc:
            echo(click.style(str(exc), fg="red"))
            continue
        except ProfileError as exc:
            for problem in exc.problems:
                echo(click.style(problem.message + (f" {problem.suggestion}" if problem.suggestion else ""), fg="red"))
            continue
        return value


def interview(kb: KnowledgeBase, as_of: dt.date, start: Profile | None = None, prompt: Prompt = _prompt,
              echo: Echo = click.echo) -> tuple[Profile, Recommendation, bool]:
    """Ask until no unanswered question can change the result.

    Returns the profile, its recommendation, and whether the interview was
    interrupted (end of input or Ctrl-C) before the end.
    """
    answers: dict[str, Any] = start.model_dump(exclude_none=True) if start else {}
    skipped: set[str] = set()
    interrupted = False
    echo(t("interview.welcome"))
    try:
        while "name" not in answers:
            name = prompt(t("interview.name")).strip()
            if not name:
                break
            try:
                answers["name"] = parse_profile({"name": name}).name
            except ProfileError as exc:
                echo(click.style(str(exc.problems[0].message), fg="red"))
        while True:
            rec = recommend(answers, as_of=as_of, knowledge_base=kb)
            pending = [m for m in (rec.ask_next or rec.missing) if m.field not in skipped]
            if not pending:
                break
            echo(click.style(t("interview.progress", answered=len([k for k in answers if k != "name"]),
                               remaining=len(pending)), dim=True))
            value = ask(question_of(kb, pending[0].field), pending[0].impact, prompt, echo)
            if value is None:
                skipped.add(pending[0].field)
            else:
                answers[pending[0].field] = value
    except click.Abort:
        interrupted = True
        echo("")
        rec = recommend(answers, as_of=as_of, knowledge_base=kb)
    echo("")
    echo(t("interview.interrupted") if interrupted else t("interview.done", skipped=len(skipped)))
    return parse_profile(answers), rec, interrupted
