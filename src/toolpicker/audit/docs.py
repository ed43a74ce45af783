"""``toolpicker docs``: static HTML documentation of a knowledge base, browsable without a server.

One page per rule (its conditions in words, its effects, its source, the
scenarios that fire it), per item — category, licensing model, accompaniment,
funding route — (the rules that lead to it, the matching solutions), and per
solution. Pages are written to a temporary folder, then moved into place; the
folder must be new, empty, or a previous docs site (it holds the marker file
``.toolpicker-docs`` listing its pages): toolpicker never removes or replaces
anything it did not write there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .._errors import InputError
from .._i18n import current_language, pick, t
from ..knowledge.base import KnowledgeBase
from ..knowledge.rules import All, Atom, Condition, FactRef, Not
from .explain import describe_atom
from .scenarios import Outcome


def condition_tree(kb: KnowledgeBase, cond: Condition | None) -> dict[str, Any]:
    """A nested description of a condition for the templates."""
    if cond is None:
        return {"kind": "always", "text": t("docs.always")}
    if isinstance(cond, Atom):
        return {"kind": "atom", "text": describe_atom(kb, cond), "line": cond.line}
    if isinstance(cond, FactRef):
        return {"kind": "fact", "text": t("explain.fact", fact=cond.name), "fact": cond.name, "line": cond.line}
    if isinstance(cond, Not):
        return {"kind": "not", "text": t("docs.not"), "children": [condition_tree(kb, cond.item)]}
    label = t("docs.all") if isinstance(cond, All) else t("docs.any")
    return {"kind": "all" if isinstance(cond, All) else "any", "text": label,
            "children": [condition_tree(kb, c) for c in cond.items]}


def _slug(kind: str, ident: str) -> str:
    return f"{kind}/{ident}.html"


def build_docs(kb: KnowledgeBase, output: Path, outcomes: Iterable[Outcome] = (),
               progress: Callable[[str], None] | None = None) -> int:
    """Write the site into ``output``; return the number of pages."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("toolpicker", "templates/docs"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals.update(t=t, pick=pick, slug=_slug, lang=current_language())
    covered: dict[str, list[str]] = {r.id: [] for r in kb.rules}
    for outcome in outcomes:
        for rule_id in outcome.fired:
            covered.setdefault(rule_id, []).append(outcome.scenario.name)
    items: dict[str, dict[str, Any]] = {}
    for ident, entry in kb.taxonomy.items():
        items[ident] = {"id": ident, "family": entry.family, "label": pick(entry.label),
                        "description": pick(entry.description) if entry.description else "", "rules": []}
    for ident, route in kb.funding_routes.items():
        items[ident] = {"id": ident, "family": "funding_routes", "label": pick(route.label),
                        "description": pick(route.description) if route.description else "", "rules": [],
                        "route": route}
    for rule in kb.rules:
        for effect_name, effects in (("recommend", rule.recommend), ("discourage", rule.discourage),
                                     ("exclude", rule.exclude)):
            for effect in effects:
                if effect.item in items:
                    items[effect.item]["rules"].append({"rule": rule, "effect": effect_name, "weight": effect.weight,
                                                        "because": pick(effect.because)})
    pages: list[tuple[str, str, dict[str, Any]]] = [("index.html", "index.html.j2", {"kb": kb, "items": items,
                                                                                       "covered": covered})]
    for rule in kb.rules:
        pages.append((_slug("rule", rule.id), "rule.html.j2",
                      {"rule": rule, "condition": condition_tree(kb, rule.when), "scenarios": covered.get(rule.id, []),
                       "kb": kb}))
    for ident, item in items.items():
        solutions = [s for s in kb.solutions.values() if ident in s.categories]
        pages.append((_slug("item", ident), "item.html.j2", {"item": item, "solutions": solutions, "kb": kb}))
    for sol in kb.solutions.values():
        pages.append((_slug("solution", sol.id), "solution.html.j2", {"sol": sol, "kb": kb}))
    output = Path(output)
    old = _previous_site(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".toolpicker-docs-", dir=output.parent))
    try:
        for path, template, context in pages:
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            depth = "../" * path.count("/")
            target.write_text(env.get_template(template).render(root=depth, **context), encoding="utf-8")
            if progress:
                progress(path)
        _publish(staging, output, [p for p, _, _ in pages], old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the staging folder is ours, whatever happened
    return len(pages)


MARKER = ".toolpicker-docs"
"""The file that makes a folder a toolpicker docs site: the pages it holds, one per line."""
_PAGE = re.compile(r"(?:index|[a-z]+/[a-z0-9][a-z0-9_-]*)\.html\Z")


def _previous_site(output: Path) -> set[str] | None:
    """The pages of a previous docs site in ``output`` (an empty set for a new or empty folder).

    Raises :class:`InputError` when ``output`` is a file, or a non-empty folder
    that is not a docs site: toolpicker never removes or replaces what it did not write.
    """
    try:
        if not output.exists():
            return set()
        if not output.is_dir():
            raise InputError(t("docs.not_a_folder", path=str(output)))
        marker = output / MARKER
        if marker.is_file() and not marker.is_symlink():
            lines = marker.read_text(encoding="utf-8").splitlines()[:100_000]
            return {line for line in lines if _PAGE.match(line)}
        if any(output.iterdir()):
            raise InputError(t("docs.not_empty", path=str(output)))
    except OSError as exc:
        raise InputError(t("errors.output_failed", path=str(output), detail=exc.strerror or str(exc))) from None
    return set()


def _publish(staging: Path, output: Path, pages: list[str], old: set[str] | None) -> None:
    """Move the new pages into ``output`` and remove the pages of the previous site that no longer exist.

    Only files listed in the previous site's marker are ever removed, and only
    when they are regular files inside ``output``; anything else in the folder
    (notes an adviser added…) stays. The marker is written last.
    """
    from .._files import write_atomically

    try:
        output.mkdir(exist_ok=True)
        for page in pages:
            target = output / page
            target.parent.mkdir(exist_ok=True)
            if target.is_symlink() or target.is_dir():
                raise InputError(t("docs.not_a_page", path=str(target)))
            os.replace(staging / page, target)
        for stale in sorted((old or set()) - set(pages)):
            target = output / stale
            if target.is_file() and not target.is_symlink():
                target.unlink()
        write_atomically(str(output / MARKER), ["\n".join(sorted(pages)) + "\n"], force=True)
    except OSError as exc:
        raise InputError(t("errors.output_failed", path=str(output), detail=exc.strerror or str(exc))) from None
