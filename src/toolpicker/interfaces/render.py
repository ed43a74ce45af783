"""Rendering a recommendation for people (terminal text, Markdown) or programs (JSON).

The wording lives in ``locale/*.yaml`` and the layout in ``templates/``; this
module only wires them together. JSON is the contract's object, with sorted
keys absent: pydantic keeps the declared order, which is stable.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from .._i18n import current_language, language, t

if TYPE_CHECKING:
    import jinja2

    from ..knowledge.base import KnowledgeBase
    from ..recommendation.result import Recommendation

FORMATS = ("text", "markdown", "html", "json")


def _number(value: float) -> str:
    from .report import number

    return number(value)


def _value(value: Any) -> str:
    if value is None:
        return t("report.unknown")
    if isinstance(value, bool):
        return t("report.yes") if value else t("report.no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "—"
    return str(value)


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "`": "\\`", "*": "\\*",
                             "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|"})


def markdown_text(value: Any) -> str:
    """Text from a profile or a data file, made inert in Markdown: no raw HTML, no link or emphasis syntax."""
    return str(value).translate(_MD_ESCAPES)


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("toolpicker", "templates"),
        autoescape=False,  # noqa: S701 - text and Markdown output, not HTML (report.html.j2 uses _html_environment)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["t"] = t
    env.filters["num"] = _number
    env.filters["value"] = _value
    env.filters["md"] = markdown_text
    return env


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(rec: Recommendation, fmt: str = "text", knowledge_base: KnowledgeBase | None = None,
           detail: bool = False) -> str:
    """The recommendation as ``text``, ``markdown``, ``html`` (a self-contained printable page) or ``json``.

    Text, Markdown and HTML are the report people read (:mod:`toolpicker.report`):
    summary first, at most 900 words; ``detail=True`` adds every reason, score,
    rule id and alternative. JSON is the whole contract object, whatever ``detail``.
    """
    if fmt == "json":
        return to_json(rec.model_dump(mode="json"))
    from ..knowledge.base import default_knowledge_base
    from .report import fitted

    kb = knowledge_base or default_knowledge_base()
    env = _html_environment() if fmt in ("html", "fragment") else _environment()
    template = env.get_template({"text": "report.txt.j2", "markdown": "report.md.j2", "html": "report.html.j2",
                                 "fragment": "report_body.html.j2"}[fmt])

    def draw(v: object) -> str:
        return template.render(v=v, lang=current_language(), version=rec.toolpicker_version, colon=t("report.colon"))

    with language(rec.knowledge_base.language):  # the report speaks the recommendation's language
        return fitted(kb, rec, draw, "html" if fmt == "fragment" else fmt, detail)


@cache
def _html_environment() -> jinja2.Environment:
    """Like :func:`_environment`, with HTML autoescaping on (profile names and texts are escaped)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("toolpicker", "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals["t"] = t
    env.filters["num"] = _number
    env.filters["value"] = _value
    env.filters["md"] = markdown_text
    return env


def render_explanation(exp: Any, fmt: str = "text") -> str:
    """The ``toolpicker explain`` output."""
    if fmt == "json":
        return to_json(exp.model_dump(mode="json"))
    return _environment().get_template("explain.txt.j2").render(exp=exp)


def render_catalog(data: dict[str, Any], fmt: str = "text") -> str:
    """The ``toolpicker catalog`` listing."""
    if fmt == "json":
        return to_json(data)
    return _environment().get_template("catalog.txt.j2").render(data=data)
