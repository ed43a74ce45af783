"""Loading a knowledge base: rule files plus catalogue, cross-checked.

``load_knowledge_base()`` reads the shipped ``rules/`` and ``catalog/`` (inside
the installed package) or the folders given, validates every file, checks that
every id a rule or a solution mentions exists, and returns an immutable
:class:`KnowledgeBase`. All problems of all files are reported at once in a
:class:`~toolpicker.KnowledgeBaseError`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from . import _contract
from ._errors import KnowledgeBaseError, Problem
from ._i18n import t
from ._reader import Reader
from ._yaml import read_yaml
from .catalog import (
    FieldQuestion,
    FundingRoute,
    Solution,
    TaxonomyEntry,
    parse_funding_routes,
    parse_questions,
    parse_solutions,
    parse_taxonomy,
)
from .profile import suggest
from .rules import Rule, facts_used, parse_rule_file

ITEM_FAMILIES = ("tool_categories", "licensing_models", "accompaniments", "funding_routes", "solutions")


@dataclass(frozen=True)
class Source:
    """Where a knowledge base was read from."""

    rules_dir: Path
    catalog_dir: Path
    shipped: bool


def shipped_dir(name: str) -> Path:
    """The shipped ``rules`` or ``catalog`` folder (inside the wheel, or the source tree)."""
    packaged = resources.files("toolpicker").joinpath("_data", name)
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[2] / name
    return source_tree


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Rules and catalogue, validated; safe to share between threads."""

    rules: tuple[Rule, ...]
    taxonomy: dict[str, TaxonomyEntry]
    needs: dict[str, TaxonomyEntry]
    solutions: dict[str, Solution]
    funding_routes: dict[str, FundingRoute]
    questions: dict[str, FieldQuestion]
    version: str
    source: Source
    warnings: tuple[Problem, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def family_of(self, item: str) -> str | None:
        if item in self.taxonomy:
            return self.taxonomy[item].family
        if item in self.funding_routes:
            return "funding_routes"
        if item in self.solutions:
            return "solutions"
        return None

    def label(self, item: str) -> dict[str, str]:
        if item in self.taxonomy:
            return self.taxonomy[item].label
        if item in self.funding_routes:
            return self.funding_routes[item].label
        if item in self.solutions:
            return {"fr": self.solutions[item].name}
        return {"fr": item}

    @cached_property
    def rule_index(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def catalog_listing(self, category: str | None = None) -> dict[str, Any]:
        """The ``toolpicker catalog --format json`` object (CONTRACT §4), labels in the current language."""
        from ._i18n import pick

        solutions = [s for s in self.solutions.values() if category is None or category in s.categories]
        return {
            "solutions": [
                {"id": s.id, "name": s.name, "category": s.category, "also": list(s.also), "licence": s.licence,
                 "delivery": list(s.delivery), "hosting": list(s.hosting), "price_tier": s.price_tier,
                 "free_tier": s.free_tier, "difficulty": s.difficulty, "url": s.url,
                 "description": pick(s.description) if s.description else None, "source": s.source,
                 "last_verified": _iso(s.last_verified), "end_of_life": _iso(s.end_of_life),
                 "superseded_by": s.superseded_by, "named_in_guide": s.named_in_guide}
                for s in solutions
            ],
            "funding_routes": [
                {"id": r.id, "label": pick(r.label), "description": pick(r.description) if r.description else None,
                 "aid_type": r.aid_type, "expense": r.expense,
                 "providers": [{"id": p.id, "name": p.name, "url": p.url, "valid_from": _iso(p.valid_from),
                                "valid_until": _iso(p.valid_until)} for p in r.providers],
                 "valid_from": _iso(r.valid_from), "valid_until": _iso(r.valid_until), "source": r.source,
                 "last_verified": _iso(r.last_verified)}
                for r in self.funding_routes.values()
            ],
        }

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """A per-knowledge-base memo (compiled engine, evaluator tables…), built once."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _display(path: Path, base: Path, shipped: bool, label: str) -> str:
    if shipped:
        return f"{label}/{path.relative_to(base).as_posix()}"
    return str(path)


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_knowledge_base(rules_dir: str | Path | None = None, catalog_dir: str | Path | None = None) -> KnowledgeBase:
    """Read, validate and cross-check a knowledge base; raise :class:`KnowledgeBaseError`."""
    shipped = rules_dir is None and catalog_dir is None
    rdir = Path(rules_dir) if rules_dir is not None else shipped_dir("rules")
    cdir = Path(catalog_dir) if catalog_dir is not None else shipped_dir("catalog")
    problems: list[Problem] = []
    digest = hashlib.sha256()
    parsed: dict[str, list[Any]] = {"rules": [], "taxonomy": [], "routes": [], "solutions": [], "questions": []}

    def read(path: Path, base: Path, label: str, parse: Callable[[Any, Reader], list[Any]], bucket: str) -> None:
        shown = _display(path, base, shipped or base in (shipped_dir("rules"), shipped_dir("catalog")), label)
        try:
            data = read_yaml(path, shown)
        except KnowledgeBaseError as exc:  # pragma: no cover - read_yaml raises InputError
            problems.extend(exc.problems)
            return
        except Exception as exc:  # InputError: keep its located problems
            problems.extend(getattr(exc, "problems", []) or [Problem(message=str(exc), path=shown)])
            return
        digest.update(shown.encode())
        digest.update(path.read_bytes())
        reader = Reader(shown)
        parsed[bucket].extend(parse(data, reader))
        problems.extend(reader.problems)

    for folder, label in ((rdir, "rules"), (cdir, "catalog")):
        if not folder.is_dir():
            problems.append(Problem(message=t("kb.not_a_directory"), path=str(folder), code="not_a_directory"))
    if problems:
        raise KnowledgeBaseError(t("kb.header", count=len(problems)), problems)

    rule_files = _yaml_files(rdir)
    if not rule_files:
        problems.append(Problem(message=t("kb.no_rule_files"), path=str(rdir), code="no_rule_files"))
    for path in rule_files:
        read(path, rdir, "rules", parse_rule_file, "rules")
    catalog_parsers = {"taxonomy.yaml": (parse_taxonomy, "taxonomy"),
                       "funding_routes.yaml": (parse_funding_routes, "routes"),
                       "questions.yaml": (parse_questions, "questions")}
    for name, (parser, bucket) in catalog_parsers.items():
        read(cdir / name, cdir, "catalog", parser, bucket)
    for path in _yaml_files(cdir / "solutions") if (cdir / "solutions").is_dir() else []:
        read(path, cdir, "catalog", parse_solutions, "solutions")

    kb_problems = _cross_check(parsed)
    problems.extend(kb_problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise KnowledgeBaseError(t("kb.header", count=len(errors)), errors)
    rules = tuple(sorted(parsed["rules"], key=lambda r: r.id))
    return KnowledgeBase(
        rules=rules,
        taxonomy={e.id: e for e in parsed["taxonomy"] if e.family != "needs"},
        needs={e.id: e for e in parsed["taxonomy"] if e.family == "needs"},
        solutions={s.id: s for s in sorted(parsed["solutions"], key=lambda s: s.id)},
        funding_routes={r.id: r for r in sorted(parsed["routes"], key=lambda r: r.id)},
        questions={q.field: q for q in parsed["questions"]},
        version=digest.hexdigest()[:12],
        source=Source(rdir, cdir, shipped),
        warnings=tuple(p for p in problems if p.severity != "error"),
    )


def _dup(items: list[Any], key: Callable[[Any], str], problems: list[Problem]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for item in items:
        k = key(item)
        if k in seen:
            first = seen[k]
            problems.append(Problem(message=t("kb.duplicate_id", value=k, first=f"{first.path}:{first.line}"),
                                    path=item.path, line=item.line, value=k, code="duplicate_id",
                                    rule=k if isinstance(item, Rule) else None))
        else:
            seen[k] = item
    return seen


def _cross_check(parsed: dict[str, list[Any]]) -> list[Problem]:
    problems: list[Problem] = []
    rules = _dup(parsed["rules"], lambda r: r.id, problems)
    taxonomy = _dup([e for e in parsed["taxonomy"] if e.family != "needs"], lambda e: e.id, problems)
    routes = _dup(parsed["routes"], lambda r: r.id, problems)
    solutions = _dup(parsed["solutions"], lambda s: s.id, problems)
    for route_id, route in routes.items():
        if route_id in taxonomy:
            problems.append(Problem(message=t("kb.duplicate_id", value=route_id,
                                              first=f"{taxonomy[route_id].path}:{taxonomy[route_id].line}"),
                                    path=route.path, line=route.line, code="duplicate_id"))
    recommendable = sorted(set(taxonomy) | set(routes) | set(solutions))
    categories = sorted(k for k, e in taxonomy.items() if e.family == "tool_categories")
    derived = {f for r in rules.values() for f in r.derive}

    for rule in rules.values():
        for effect in (*rule.recommend, *rule.discourage, *rule.exclude):
            if effect.item not in recommendable:
                problems.append(Problem(message=t("kb.unknown_item", value=effect.item), path=rule.path,
                                        line=effect.line, rule=rule.id, value=effect.item, code="unknown_item",
                                        suggestion=suggest(effect.item, recommendable)))
        for fact in facts_used(rule.when):
            if fact.name not in derived:
                problems.append(Problem(message=t("kb.unknown_fact", value=fact.name), path=rule.path,
                                        line=fact.line, rule=rule.id, value=fact.name, code="unknown_fact",
                                        suggestion=suggest(fact.name, sorted(derived))))
    for sol in solutions.values():
        for cat in sol.categories:
            if cat not in categories:
                problems.append(Problem(message=t("kb.unknown_category", value=cat), path=sol.path, line=sol.line,
                                        value=cat, code="unknown_category", suggestion=suggest(cat, categories)))
        for route in sol.discounts:
            if route not in routes:
                problems.append(Problem(message=t("kb.unknown_route", value=route), path=sol.path, line=sol.line,
                                        value=route, code="unknown_route", suggestion=suggest(route, list(routes))))
        if sol.superseded_by and sol.superseded_by not in solutions:
            problems.append(Problem(message=t("kb.unknown_solution", value=sol.superseded_by), path=sol.path,
                                    line=sol.line, value=sol.superseded_by, code="unknown_solution",
                                    suggestion=suggest(sol.superseded_by, list(solutions))))
    if parsed["taxonomy"]:
        required = {
            "tool_categories": _contract.TOOL_CATEGORIES, "licensing_models": _contract.LICENSING_MODELS,
            "accompaniments": _contract.ACCOMPANIMENTS,
        }
        path = parsed["taxonomy"][0].path
        for family, ids in required.items():
            for ident in ids:
                if ident not in taxonomy or taxonomy[ident].family != family:
                    problems.append(Problem(message=t("kb.missing_taxonomy", value=ident, family=family), path=path,
                                            value=ident, code="missing_taxonomy"))
    return problems


_default: KnowledgeBase | None = None
_default_lock = threading.Lock()


def default_knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, loaded once per process."""
    global _default
    with _default_lock:
        if _default is None:
            _default = load_knowledge_base()
        return _default
