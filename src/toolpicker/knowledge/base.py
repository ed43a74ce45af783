"""Loading a knowledge base: rule files plus catalogue, cross-checked.

``load_knowledge_base()`` reads the shipped ``rules/`` and ``catalog/`` (inside
the installed package) or the folders given, validates every file, checks that
every id a rule or a solution mentions exists, and returns an immutable
:class:`KnowledgeBase`. All problems of all files are reported at once in a
:class:`~toolpicker.KnowledgeBaseError`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .._errors import InputError, KnowledgeBaseError, Problem
from .._files import read_bounded
from .._i18n import t
from .._version import __version__
from . import contract
from .catalog import (
    FIRST_TOOL,
    Activity,
    FieldQuestion,
    FundingRoute,
    Jurisdictions,
    PlanStep,
    Solution,
    TaxonomyEntry,
    parse_activities,
    parse_aliases,
    parse_funding_routes,
    parse_jurisdictions,
    parse_plan,
    parse_questions,
    parse_solutions,
    parse_taxonomy,
)
from .profile import suggest
from .reader import Reader
from .rules import Rule, RuleWarning, facts_used, parse_rule_file
from .safe_yaml import MAX_BYTES, parse_yaml


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
    source_tree = Path(__file__).resolve().parents[3] / name
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
    jurisdictions: Jurisdictions = field(default_factory=Jurisdictions)
    aliases: dict[str, str] = field(default_factory=dict)
    """Written form of a tool (normalised token) → the name rules and catalogue know (``catalog/aliases.yaml``)."""
    plan: tuple[PlanStep, ...] = ()
    """The summary's action plan (``catalog/plan.yaml``)."""
    activities: dict[str, Activity] = field(default_factory=dict)
    """Kinds of structure and their business-software guide (``catalog/activities.yaml``)."""
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

    @property
    def tool_names(self) -> dict[str, str]:
        """Every written form of a catalogued tool (normalised) → the name rules and catalogue know it by."""
        return self._tool_names

    @cached_property
    def _tool_names(self) -> dict[str, str]:
        from .rules import normalise_token

        names = {normalise_token(s.name): normalise_token(s.id) for s in self.solutions.values()}
        names.update(self.aliases)
        names.update({normalise_token(s.id): normalise_token(s.id) for s in self.solutions.values()})
        return names

    def known(self, profile: Any) -> dict[str, Any]:
        """The answered fields of a profile as rules and catalogue see them.

        ``current_tools`` keeps what was written and gains the name each entry
        is known by: « Tableur » also reads as ``spreadsheet``, « Gmail » as
        ``google-workspace`` (``catalog/aliases.yaml``, solution names and ids).
        """
        from .rules import normalise_token

        known: dict[str, Any] = profile.known()
        tools = known.get("current_tools")
        if tools:
            extra = {self._tool_names[token] for token in map(normalise_token, tools) if token in self._tool_names}
            known["current_tools"] = sorted(set(tools) | extra)
        return known

    def catalog_listing(self, category: str | None = None) -> dict[str, Any]:
        """The ``toolpicker catalog --format json`` object (CONTRACT §4), labels in the current language."""
        from .._i18n import pick

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


Parser = Callable[[Any, Reader], list[Any]]
CATALOG_PARSERS: dict[str, tuple[Parser, str]] = {
    "taxonomy.yaml": (parse_taxonomy, "taxonomy"),
    "funding_routes.yaml": (parse_funding_routes, "routes"),
    "questions.yaml": (parse_questions, "questions"),
}
OPTIONAL_PARSERS: dict[str, tuple[Parser, str]] = {
    "jurisdictions.yaml": (parse_jurisdictions, "jurisdictions"),
    "aliases.yaml": (parse_aliases, "aliases"),
    "plan.yaml": (parse_plan, "plan"),
    "activities.yaml": (parse_activities, "activities"),
}
"""Catalogue files a custom catalogue may leave out (then: no country counts as protective, no alias)."""


def _sources(rdir: Path, cdir: Path, shipped: bool) -> tuple[list[tuple[Path, str, Parser, str]], list[Problem]]:
    """(path, shown name, parser, bucket) of every file of a knowledge base, in a fixed order."""
    problems: list[Problem] = []
    for folder in (rdir, cdir):
        if not folder.is_dir():
            problems.append(Problem(message=t("kb.not_a_directory"), path=str(folder), code="not_a_directory"))
    if problems:
        return [], problems
    shown_as_shipped = shipped or rdir == shipped_dir("rules") or cdir == shipped_dir("catalog")
    files: list[tuple[Path, str, Parser, str]] = []
    rule_files = _yaml_files(rdir)
    if not rule_files:
        problems.append(Problem(message=t("kb.no_rule_files"), path=str(rdir), code="no_rule_files"))
    for path in rule_files:
        files.append((path, _display(path, rdir, shown_as_shipped and rdir == shipped_dir("rules"), "rules"),
                      parse_rule_file, "rules"))
    catalog_files = [cdir / name for name in CATALOG_PARSERS]
    catalog_files += [cdir / name for name in OPTIONAL_PARSERS if (cdir / name).exists()]
    catalog_files += _yaml_files(cdir / "solutions") if (cdir / "solutions").is_dir() else []
    parsers = {**CATALOG_PARSERS, **OPTIONAL_PARSERS}
    for path in catalog_files:
        parser, bucket = parsers.get(path.name, (parse_solutions, "solutions")) \
            if path.parent == cdir else (parse_solutions, "solutions")
        files.append((path, _display(path, cdir, shown_as_shipped and cdir == shipped_dir("catalog"), "catalog"),
                      parser, bucket))
    return files, problems


def load_knowledge_base(rules_dir: str | Path | None = None, catalog_dir: str | Path | None = None) -> KnowledgeBase:
    """Read, validate and cross-check a knowledge base; raise :class:`KnowledgeBaseError`.

    A validated knowledge base is kept as JSON in the user's cache folder
    (``$TOOLPICKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/toolpicker`` or
    ``~/.cache/toolpicker``), keyed by a hash of every file's content: the next
    run with the same files skips YAML parsing and validation. Set
    ``TOOLPICKER_NO_CACHE=1`` to disable it. JSON, never pickle: nothing from
    the cache is executed.
    """
    shipped = rules_dir is None and catalog_dir is None
    rdir = Path(rules_dir) if rules_dir is not None else shipped_dir("rules")
    cdir = Path(catalog_dir) if catalog_dir is not None else shipped_dir("catalog")
    files, problems = _sources(rdir, cdir, shipped)
    if problems:
        raise KnowledgeBaseError(t("kb.header", count=len(problems)), problems)
    contents: list[tuple[Path, str, Parser, str, bytes | None]] = []
    digest = hashlib.sha256(_validator_digest())
    for path, shown, parser, bucket in files:
        try:
            data: bytes | None = read_bounded(path, MAX_BYTES, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            data = None
        contents.append((path, shown, parser, bucket, data))
        # The version hashes what the files say and where they sit in their folder, never how the folder
        # was typed: the same content gives the same version (and byte-identical output).
        folder, base = ("rules", rdir) if bucket == "rules" else ("catalog", cdir)
        key = f"{folder}/{path.relative_to(base).as_posix()}"
        digest.update(key.encode() + b"\0" + (data or b"") + b"\0")
    version = digest.hexdigest()[:12]
    source = Source(rdir, cdir, shipped)
    cached = _from_cache(digest.hexdigest(), version, source)
    if cached is not None:
        return cached
    parsed: dict[str, list[Any]] = {"rules": [], "taxonomy": [], "routes": [], "solutions": [], "questions": [],
                                     "jurisdictions": [], "aliases": [], "plan": [], "activities": []}
    for _path, shown, parser, bucket, data in contents:
        if data is None:
            continue  # its problem is already recorded
        try:
            tree = parse_yaml(data, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        reader = Reader(shown)
        parsed[bucket].extend(parser(tree, reader))
        problems.extend(reader.collected())
    problems.extend(_cross_check(parsed))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise KnowledgeBaseError(t("kb.header", count=len(errors)), errors)
    kb = KnowledgeBase(
        rules=tuple(sorted(parsed["rules"], key=lambda r: r.id)),
        taxonomy={e.id: e for e in parsed["taxonomy"] if e.family != "needs"},
        needs={e.id: e for e in parsed["taxonomy"] if e.family == "needs"},
        solutions={s.id: s for s in sorted(parsed["solutions"], key=lambda s: s.id)},
        funding_routes={r.id: r for r in sorted(parsed["routes"], key=lambda r: r.id)},
        questions={q.field: q for q in parsed["questions"]},
        version=version,
        source=source,
        warnings=tuple(p for p in problems if p.severity != "error"),
        jurisdictions=parsed["jurisdictions"][0] if parsed["jurisdictions"] else Jurisdictions(),
        aliases=dict(sorted(parsed["aliases"])),
        plan=tuple(parsed["plan"]),
        activities={a.id: a for a in parsed["activities"]},
    )
    _to_cache(digest.hexdigest(), kb)
    return kb


def cache_folder() -> Path | None:
    """Where toolpicker keeps its caches, or None when ``TOOLPICKER_NO_CACHE`` is set."""
    if os.environ.get("TOOLPICKER_NO_CACHE"):
        return None
    base = os.environ.get("TOOLPICKER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "toolpicker")
    return Path(base)


@functools.lru_cache(maxsize=1)
def _validator_digest() -> bytes:
    """A digest of the code that reads and validates knowledge bases: a cached base validated by other code
    (an upgrade, a development checkout) is validated again, never trusted."""
    digest = hashlib.sha256(__version__.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.digest()


def _cache_file(key: str) -> Path | None:
    folder = cache_folder()
    return None if folder is None else folder / f"kb-{__version__}-{key[:32]}.json"


def _to_cache(key: str, kb: KnowledgeBase) -> None:
    target = _cache_file(key)
    if target is None:
        return
    data = {
        "rules": [r.model_dump(mode="json") for r in kb.rules],
        "taxonomy": [e.model_dump(mode="json") for e in (*kb.taxonomy.values(), *kb.needs.values())],
        "solutions": [x.model_dump(mode="json") for x in kb.solutions.values()],
        "routes": [x.model_dump(mode="json") for x in kb.funding_routes.values()],
        "questions": [x.model_dump(mode="json") for x in kb.questions.values()],
        "warnings": [dataclasses.asdict(p) for p in kb.warnings],
        "jurisdictions": kb.jurisdictions.model_dump(mode="json"),
        "aliases": kb.aliases,
        "plan": [x.model_dump(mode="json") for x in kb.plan],
        "activities": [x.model_dump(mode="json") for x in kb.activities.values()],
    }
    from .._files import write_atomically

    # A read-only home is no reason to fail: the cache is only an optimisation.
    with contextlib.suppress(OSError, InputError):
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(str(target), [json.dumps(data, ensure_ascii=False)])


def _from_cache(key: str, version: str, source: Source) -> KnowledgeBase | None:
    target = _cache_file(key)
    if target is None or not target.is_file():
        return None
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        taxonomy = [TaxonomyEntry.model_validate(e) for e in data["taxonomy"]]
        return KnowledgeBase(
            rules=tuple(Rule.model_validate(r) for r in data["rules"]),
            taxonomy={e.id: e for e in taxonomy if e.family != "needs"},
            needs={e.id: e for e in taxonomy if e.family == "needs"},
            solutions={s["id"]: Solution.model_validate(s) for s in data["solutions"]},
            funding_routes={r["id"]: FundingRoute.model_validate(r) for r in data["routes"]},
            questions={q["field"]: FieldQuestion.model_validate(q) for q in data["questions"]},
            version=version,
            source=source,
            warnings=tuple(Problem(**p) for p in data["warnings"]),
            jurisdictions=Jurisdictions.model_validate(data["jurisdictions"]),
            aliases=dict(data["aliases"]),
            plan=tuple(PlanStep.model_validate(x) for x in data["plan"]),
            activities={x["id"]: Activity.model_validate(x) for x in data["activities"]},
        )
    except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt, never trusted
        return None


def _check_layout(rules: dict[str, Rule], problems: list[Problem]) -> None:
    """Located errors for rules that cannot be laid out within durable-rules' limits (see ``_plan``)."""
    from ..engine.plan import FactCycle, TooComplex, rule_terms, strata

    for rule in rules.values():
        try:
            rule_terms(rule)
        except TooComplex as exc:
            problems.append(Problem(message=t(f"kb.{exc.code}", count=exc.count, limit=exc.limit), path=rule.path,
                                    line=rule.line, rule=rule.id, code=exc.code))
    try:
        strata(list(rules.values()))
    except FactCycle as exc:
        first = rules[exc.rules[0]]
        problems.append(Problem(message=t("kb.fact_cycle", rules=" → ".join(exc.rules)), path=first.path,
                                line=first.line, rule=first.id, code="fact_cycle"))


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
        for effect in (*rule.recommend, *rule.discourage, *rule.exclude, *rule.warn):
            item = effect.item if not isinstance(effect, RuleWarning) else effect.about
            if item is None:
                continue
            if item not in recommendable:
                problems.append(Problem(message=t("kb.unknown_item", value=item), path=rule.path,
                                        line=effect.line, rule=rule.id, value=item, code="unknown_item",
                                        suggestion=suggest(item, recommendable)))
        for fact in facts_used(rule.when):
            if fact.name not in derived:
                problems.append(Problem(message=t("kb.unknown_fact", value=fact.name), path=rule.path,
                                        line=fact.line, rule=rule.id, value=fact.name, code="unknown_fact",
                                        suggestion=suggest(fact.name, sorted(derived))))
    _check_layout(rules, problems)
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
    for activity in parsed.get("activities", []):
        for cat in activity.software.covers if activity.software is not None else ():
            if cat not in categories:
                problems.append(Problem(message=t("kb.unknown_category", value=cat), path=activity.path,
                                        line=activity.line, value=cat, code="unknown_category",
                                        suggestion=suggest(cat, categories)))
    warnings = {f"!{w.id}" for r in rules.values() for w in r.warn}  # « !id »: that warning, when raised
    for step in parsed.get("plan", []):
        for item in step.items:
            if item != FIRST_TOOL and item not in recommendable and item not in warnings:
                problems.append(Problem(message=t("kb.unknown_item", value=item), path=step.path, line=step.line,
                                        value=item, code="unknown_item", suggestion=suggest(item, recommendable),
                                        severity="warning"))
    if parsed["taxonomy"]:
        required = {
            "tool_categories": contract.TOOL_CATEGORIES, "licensing_models": contract.LICENSING_MODELS,
            "accompaniments": contract.ACCOMPANIMENTS,
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
