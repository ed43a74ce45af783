"""Shared helpers to read data files into models while collecting located problems.

A :class:`Reader` walks the :class:`~toolpicker._yaml.LineDict` trees produced by
the YAML loader, checks keys and types, and records a :class:`Problem` with file
and line for everything wrong, so one run reports every mistake in a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .._errors import Problem
from .._i18n import t
from .profile import suggest, visible
from .safe_yaml import LineDict, LineList

SNAKE_ID = re.compile(r"[a-z0-9][a-z0-9_]*\Z")  # \Z, not $: "id\n" must not pass
KEBAB_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
URL = re.compile(r"https?://[^\s\"'<>\\`{}|^]+\Z")
MAX_PROBLEMS = 200
"""Problems recorded per file; beyond, only counted (a 600 KB file of 200,000 bad entries gives 201 lines)."""
Text = dict[str, str]


def line_of(node: object, key: str | int | None = None) -> int | None:
    if key is not None and isinstance(node, LineDict) and isinstance(key, str):
        return node.line_of(key)
    if key is not None and isinstance(node, LineList) and isinstance(key, int):
        return node.line_of(key)
    return getattr(node, "line", None)


class Reader:
    """Reads one file's data, collecting problems instead of stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.count = 0
        """Problems found so far, recorded or not."""
        self.errors = 0
        """Errors found so far (compare it before and after reading an entry: warnings do not drop it)."""

    def collected(self) -> list[Problem]:
        """The recorded problems, and one line counting those beyond :data:`MAX_PROBLEMS`."""
        dropped = self.count - len(self.problems)
        if dropped <= 0:
            return list(self.problems)
        return [*self.problems, Problem(message=t("kb.more_problems", count=dropped), path=self.path,
                                        code="more_problems")]

    def problem(self, node: object, at: str | int | None, code: str, /, suggestion: str | None = None,
                rule: str | None = None, severity: str = "error", **values: object) -> None:
        """Record a problem located at ``node[at]`` (or at ``node`` when ``at`` is None)."""
        self.count += 1
        self.errors += severity == "error"
        if len(self.problems) >= MAX_PROBLEMS:
            return
        self.problems.append(
            Problem(
                message=t(f"kb.{code}", **values),
                path=self.path,
                line=line_of(node, at),
                field=str(at) if at is not None else None,
                value=values.get("value"),
                suggestion=suggestion,
                code=code,
                rule=rule,
                severity=severity,
            )
        )

    def mapping(self, node: object, where: str, required: Iterable[str], optional: Iterable[str],
                rule: str | None = None) -> LineDict | None:
        """Check that ``node`` is a mapping with known keys; report unknown and missing ones."""
        if not isinstance(node, Mapping):
            self.problem(node, None, "bad_type", key=where, where=where, expected="mapping", value=_short(node),
                         rule=rule)
            return None
        required = list(required)
        allowed = required + list(optional)
        for key in node:
            if key not in allowed:
                self.problem(node, key, "unknown_key", suggest(key, allowed), rule=rule, key=key, where=where)
        for key in required:
            if key not in node:
                self.problem(node, None, "missing_key", rule=rule, key=key, where=where)
        return node if isinstance(node, LineDict) else _as_linedict(node)

    def sequence(self, node: Mapping[str, Any], key: str, where: str, rule: str | None = None) -> list[Any]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(node, key, "bad_type", rule=rule, key=key, where=where, expected="liste",
                         value=_short(value))
            return []
        return value

    def text(self, node: Mapping[str, Any], key: str, where: str, rule: str | None = None,
             required: bool = True, need_en: bool = False) -> Text | None:
        value = node.get(key)
        if value is None:
            if required and key in node:
                self.problem(node, key, "bad_text", rule=rule, key=key, where=where)
            return None
        if isinstance(value, str) and value.strip():
            if need_en:
                self.problem(node, key, "missing_en", rule=rule, value=where, severity="warning")
            return {"fr": value}
        if isinstance(value, Mapping) and "fr" in value and all(
            isinstance(v, str) and v.strip() for v in value.values()
        ):
            for lang in value:
                if lang not in ("fr", "en"):
                    self.problem(value, lang, "unknown_key", suggest(lang, ["fr", "en"]), rule=rule, key=lang,
                                 where=where)
            if need_en and "en" not in value:
                self.problem(node, key, "missing_en", rule=rule, value=where, severity="warning")
            return {k: str(v) for k, v in value.items() if k in ("fr", "en")}
        self.problem(node, key, "bad_text", rule=rule, key=key, where=where)
        return None

    def string(self, node: Mapping[str, Any], key: str, where: str, rule: str | None = None) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(node, key, "bad_type", rule=rule, key=key, where=where, expected="texte",
                         value=_short(value))
            return None
        return value

    def url(self, node: Mapping[str, Any], key: str, where: str) -> str | None:
        """An ``http://`` or ``https://`` address; anything else (``javascript:``, ``data:``…) is refused."""
        value = self.string(node, key, where)
        if value is not None and not URL.match(value.strip()):
            self.problem(node, key, "bad_url", value=_short(value), key=key, where=where)
            return None
        return value.strip() if value is not None else None

    def identifier(self, node: Mapping[str, Any], key: str, kebab: bool, rule: str | None = None) -> str | None:
        value = node.get(key)
        pattern = KEBAB_ID if kebab else SNAKE_ID
        if not isinstance(value, str) or not pattern.match(value):
            if value is not None:
                self.problem(node, key, "bad_id", rule=rule, value=_short(value), sep="-" if kebab else "_")
            return None
        return value

    def number(self, node: Mapping[str, Any], key: str, where: str, rule: str | None = None,
               default: float | None = None) -> float | None:
        value = node.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(node, key, "bad_number", rule=rule, key=key, where=where, value=_short(value))
            return default
        return value

    def boolean(self, node: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.problem(node, key, "bad_type", key=key, where=where, expected="true/false", value=_short(value))
            return default
        return value

    def date(self, node: Mapping[str, Any], key: str, where: str) -> dt.date | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(node, key, "bad_date", key=key, where=where, value=_short(value))
        return None

    def choice(self, node: Mapping[str, Any], key: str, where: str, allowed: Iterable[str],
               default: str | None = None) -> str | None:
        value = node.get(key, default)
        allowed = list(allowed)
        if value is None:
            return default
        if value not in allowed:
            self.problem(node, key, "bad_value", suggest(str(value), allowed), value=_short(value), field=key,
                         allowed=", ".join(allowed))
            return default
        return str(value)


def _as_linedict(node: Mapping[str, Any]) -> LineDict:
    result = LineDict(node)
    result.line = 0
    result.key_lines = {}
    return result


def _short(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return visible(text if len(text) <= 60 else text[:57] + "…")
