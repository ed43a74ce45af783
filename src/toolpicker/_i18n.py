"""Messages people read, kept in ``locale/<lang>.yaml`` rather than in code.

``t("errors.file_not_found", path=...)`` formats the message of the current
language (French by default). The language is a context variable, so a server
can answer two requests in two languages at once.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_language: contextvars.ContextVar[str] = contextvars.ContextVar("toolpicker_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def check_language(lang: object) -> str | None:
    """``lang`` when it is a supported language (or None); an :class:`~toolpicker.InputError` otherwise."""
    if lang is None or lang in LANGUAGES:
        return lang
    from ._errors import InputError, Problem

    message = t("errors.bad_language", value=str(lang)[:20])
    raise InputError(message, [Problem(message=message, field="lang", value=str(lang)[:20], code="bad_language")])


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Use ``lang`` for every message produced inside the block."""
    chosen = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    token = _language.set(chosen)
    try:
        yield chosen
    finally:
        _language.reset(token)


@cache
def _catalog(lang: str) -> dict[str, str]:
    text = resources.files("toolpicker").joinpath("locale", f"{lang}.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)  # noqa: S506 - safe loader on our own packaged file
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = str(node)

    walk("", data)
    return flat


def glossary(lang: str | None = None) -> dict[str, str]:
    """The acronyms a reader may not know and what they stand for (``glossary`` in the locale file)."""
    chosen = lang if lang in LANGUAGES else current_language()
    return {k.split(".", 1)[1]: v for k, v in _catalog(chosen).items() if k.startswith("glossary.")}


class _Missing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, /, lang: object = None, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language)."""
    chosen = lang if isinstance(lang, str) and lang in LANGUAGES else current_language()
    template = _catalog(chosen).get(key)
    if template is None and chosen != DEFAULT_LANGUAGE:
        template = _catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        return key
    return template.format_map(_Missing({k: _show(v) for k, v in values.items()}))


def _show(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return value


def pick(text: Mapping[str, str] | str | None, lang: str | None = None) -> str:
    """The ``lang`` version of a ``{fr: …, en: …}`` text, French as fallback."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    chosen = lang or current_language()
    return text.get(chosen) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")
