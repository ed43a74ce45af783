"""The questions asked about a structure, for people (web page, terminal interview, CSV batch).

Question texts, help and value labels come from ``catalog/questions.yaml``;
the labels of ``needs`` come from the taxonomy and those of ``current_tools``
from the solutions catalogue. This module also turns typed text (a CSV cell,
a terminal answer) into a profile value, writes a profile as YAML, and turns
an error into the JSON object the HTTP API and ``toolpicker batch`` report.

Nothing here imports a web framework: the CLI and the server share it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import yaml

from .._errors import Problem, ToolpickerError
from .._i18n import pick, t
from .base import KnowledgeBase
from .profile import FIELDS, QUESTION_FIELDS, Profile, allowed_values, field_bounds, field_kind

TRUE_WORDS = frozenset({"true", "oui", "o", "yes", "y", "vrai", "1"})
FALSE_WORDS = frozenset({"false", "non", "n", "no", "faux", "0"})
LIST_SEPARATORS = (";", "|")


def value_labels(kb: KnowledgeBase, name: str) -> dict[str, str]:
    """``{value: label}`` for an enum, list-of-enum or boolean field, in the current language."""
    question = kb.questions.get(name)
    if question is not None and question.values_from == "needs":
        return {v: pick(kb.needs[v].label) if v in kb.needs else v for v in allowed_values(name)}
    if question is not None and question.values_from == "solutions":
        return {s.id: s.name for s in kb.solutions.values()}
    if question is not None and question.values_from == "activities":
        given = {str(k): pick(v) for k, v in question.values.items()}
        return {v: pick(kb.activities[v].label) if v in kb.activities else given.get(v, v)
                for v in allowed_values(name)}
    given = {str(k): pick(v) for k, v in question.values.items()} if question is not None else {}
    if field_kind(name) == "bool":
        return {"true": given.get("true", t("report.yes")), "false": given.get("false", t("report.no"))}
    return {v: given.get(v, v) for v in allowed_values(name)}


def question_of(kb: KnowledgeBase, name: str) -> dict[str, Any]:
    """One field as the questionnaire shows it: label, question, help, kind, values, bounds."""
    question = kb.questions.get(name)
    kind = field_kind(name)
    lo, hi = field_bounds(name) if kind == "int" else (None, None)
    labels = value_labels(kb, name) if kind in ("enum", "list_enum", "bool", "list_str") else {}
    return {
        "field": name,
        "kind": kind,
        "label": pick(question.label) if question else name,
        "question": pick(question.question) if question else name,
        "help": pick(question.help) if question and question.help else None,
        "values": [{"value": v, "label": label} for v, label in labels.items()],
        "free_text": kind == "list_str",
        "minimum": lo,
        "maximum": hi,
    }


def questions(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Every question of the profile, in the contract's order (labels in the current language)."""
    return [question_of(kb, name) for name in QUESTION_FIELDS]


def profile_schema(kb: KnowledgeBase) -> dict[str, Any]:
    """The profile's JSON Schema, titled and described in the current language.

    Each property's ``title`` is the question's label, its ``description``
    the question and its help; enum values carry their labels under
    ``x-labels`` (an annotation JSON Schema validators ignore).
    """
    schema = copy.deepcopy(Profile.model_json_schema())
    schema["title"] = t("server.schema_title")
    schema["description"] = t("server.schema_description")
    for name, prop in schema["properties"].items():
        if name == "name":
            prop["title"] = t("server.schema_name")
            continue
        q = question_of(kb, name)
        prop["title"] = q["label"]
        prop["description"] = q["question"] + (f" {q['help']}" if q["help"] else "")
        if q["values"] and q["kind"] != "list_str":
            prop["x-labels"] = {v["value"]: v["label"] for v in q["values"]}
    return schema


# ------------------------------------------------------------------ typed text to values

def split_list(text: str) -> list[str]:
    """``"a; b|c"`` → ``["a", "b", "c"]`` (``,`` also separates, as people type it)."""
    for sep in (*LIST_SEPARATORS[1:], ","):
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def _plainer(text: str) -> str:
    """Case, accents and spacing left out: « Coopérative » and « cooperative » read the same."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def label_table(kb: KnowledgeBase, name: str) -> dict[str, str]:
    """Every way to write a value of an enum or list field — its id, its French and English labels — → the value."""
    from .._i18n import language

    def build() -> dict[str, str]:
        table: dict[str, str] = {}
        for lang in ("en", "fr"):
            with language(lang):
                for value, label in value_labels(kb, name).items():
                    table[_plainer(label)] = value
        for value in allowed_values(name):
            table[_plainer(value)] = value
        return table

    table: dict[str, str] = kb.cached(f"labels.{name}", build)
    return table


def value_from_label(kb: KnowledgeBase, name: str, text: str) -> str | None:
    """The value a label (or an id) written by a person stands for, or None."""
    return label_table(kb, name).get(_plainer(text))


def label_suggestion(kb: KnowledgeBase, name: str, text: str) -> str | None:
    """« Vouliez-vous dire « Association » ? » for a label written with a typo."""
    import difflib

    labels = value_labels(kb, name)
    by_plain = {_plainer(label): label for label in labels.values()}
    close = difflib.get_close_matches(_plainer(text), list(by_plain), n=1, cutoff=0.6)
    return t("errors.did_you_mean", choice=by_plain[close[0]]) if close else None


def coerce(name: str, text: str, kb: KnowledgeBase | None = None) -> Any:
    """The profile value a person meant by ``text`` for field ``name``; ``None`` for an empty answer.

    With a knowledge base, choices may be written as their labels, in French or
    English, with or without accents (« Coopérative », « en progrès »), as the
    interview accepts them. What cannot be read is returned as typed, so that
    profile validation reports it with the field, the value and what is allowed.
    """
    text = text.strip()
    if not text:
        return None
    kind = field_kind(name) if name in FIELDS else "str"
    if kind == "bool":
        low = text.lower()
        return True if low in TRUE_WORDS else False if low in FALSE_WORDS else text
    if kind == "int":
        digits = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
        try:
            return int(digits)
        except ValueError:
            return text
    if kind == "enum" and kb is not None:
        return value_from_label(kb, name, text) or text
    if kind == "list_enum" and kb is not None:
        return [value_from_label(kb, name, token) or token for token in split_list(text)]
    if kind in ("list_enum", "list_str"):
        return split_list(text)
    return text


# ------------------------------------------------------------------ output helpers

def profile_yaml(profile: Profile) -> str:
    """The profile as YAML, answered fields only, in the contract's order (read back by ``recommend``)."""
    data = profile.model_dump(mode="json", exclude_none=True)
    if not data:
        return "{}\n"
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)
    return text


def _plain(value: object, depth: int = 0) -> object:
    """A JSON-safe, size-bounded copy of a value someone sent."""
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, str) and len(value) > 200:
            return value[:200] + "…"
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
            return str(value)[:30] + "…"
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth < 2 and isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in list(value)[:20]]
    if depth < 2 and isinstance(value, Mapping):
        return {str(k)[:100]: _plain(v, depth + 1) for k, v in list(value.items())[:20]}
    return str(value)[:200]


def problem_object(problem: Problem) -> dict[str, object]:
    """One located problem: field, value, message, suggestion (and where, for files)."""
    out: dict[str, object] = {"field": problem.field, "value": _plain(problem.value), "message": problem.message,
                              "suggestion": problem.suggestion, "code": problem.code}
    if problem.line is not None:
        out["line"] = problem.line
    return out


def error_object(exc: ToolpickerError) -> dict[str, object]:
    """``{"message", "problems": [...]}``: what the HTTP API and ``batch`` say about a bad input."""
    return {"message": exc.message, "problems": [problem_object(p) for p in exc.problems]}
