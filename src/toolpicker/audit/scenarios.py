"""Audit scenarios: a profile and what the recommendation must (not) contain.

Format: ``docs/scenario-format.md``. :func:`load_scenarios` reads files with
line numbers; :func:`run_scenario` evaluates one and returns its failures,
each located at the line of the expectation that failed, with the actual
result and the reasons behind it. Rule coverage comes with every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError, Problem, ProfileError, ScenarioError
from .._i18n import t
from ..knowledge.base import KnowledgeBase
from ..knowledge.profile import Profile, parse_profile
from ..knowledge.reader import Reader, line_of
from ..knowledge.safe_yaml import read_yaml
from ..recommendation.evaluation import evaluate
from ..recommendation.recommend import build, parse_date
from ..recommendation.result import FAMILIES, Recommendation
from ..recommendation.summary import summarise

EXPECT_KEYS = ("include", "exclude", "top", "solutions_top", "ways", "order", "warnings", "no_warnings", "missing",
               "not_missing", "fired", "not_fired", "scores", "priorities", "providers")


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    line: int
    profile: Profile
    expect: Mapping[str, Any]
    expect_lines: Mapping[str, int]
    description: str = ""
    tags: tuple[str, ...] = ()
    as_of: dt.date | None = None


@dataclass
class Failure:
    scenario: str
    path: str
    line: int
    expectation: str
    expected: Any
    actual: Any
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = t("scenario.failure", path=self.path, line=self.line, name=self.scenario, key=self.expectation,
                 expected=_show(self.expected), actual=_show(self.actual))
        for reason in self.reasons:
            text += "\n      " + reason
        return text


@dataclass
class Outcome:
    scenario: Scenario
    fired: list[str]
    failures: list[Failure]
    recommendation: Recommendation | None = None


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def load_scenarios(paths: Iterable[str | Path]) -> list[Scenario]:
    """Every scenario of the files and folders given; :class:`ScenarioError` lists all problems."""
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    for file in scenario_files(paths):
        shown = str(file)
        try:
            data = read_yaml(file, shown)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        reader = Reader(shown)
        entries: list[tuple[Any, int | None]]
        if isinstance(data, Mapping) and "scenarios" in data:
            raw = reader.sequence(data, "scenarios", shown)
            entries = [(s, line_of(data.get("scenarios"), i)) for i, s in enumerate(raw)]
        else:
            entries = [(data, getattr(data, "line", 1))]
        for raw_scenario, line in entries:
            scenario = _parse(raw_scenario, reader, line or 1, problems)
            if scenario is not None:
                scenarios.append(scenario)
        problems.extend(reader.collected())
    names: dict[str, Scenario] = {}
    for s in scenarios:
        if s.name in names:
            first = names[s.name]
            problems.append(Problem(message=t("kb.duplicate_id", value=s.name, first=f"{first.path}:{first.line}"),
                                    path=s.path, line=s.line, code="duplicate_scenario"))
        names[s.name] = s
    if problems:
        raise ScenarioError(t("scenario.invalid", count=len(problems)), problems)
    return scenarios


def _parse(raw: Any, reader: Reader, line: int, problems: list[Problem]) -> Scenario | None:
    node = reader.mapping(raw, "le scénario", ["name", "profile", "expect"], ["description", "tags", "as_of"])
    if node is None:
        return None
    before = reader.errors
    name = reader.string(node, "name", "le scénario")
    expect = reader.mapping(node.get("expect"), "« expect »", [], EXPECT_KEYS) if "expect" in node else None
    as_of = reader.date(node, "as_of", "le scénario")
    profile = None
    try:
        profile = parse_profile(node.get("profile") or {}, reader.path)
    except ProfileError as exc:
        problems.extend(exc.problems)
    if profile is None or expect is None or not name or reader.errors != before:
        return None
    tags = tuple(str(x) for x in reader.sequence(node, "tags", "le scénario"))
    return Scenario(name=name, path=reader.path, line=node.line or line, profile=profile, expect=expect,
                    expect_lines={k: expect.line_of(k) for k in expect}, description=str(node.get("description", "")),
                    tags=tags, as_of=as_of)


def _all_items(rec: Recommendation) -> dict[str, Any]:
    return {item.id: item for fam in FAMILIES for item in getattr(rec, fam)}


def _family_list(rec: Recommendation, item_id: str) -> list[str]:
    for fam in FAMILIES:
        ids = [i.id for i in getattr(rec, fam)]
        if item_id in ids:
            return ids
    return []


def _why(rec: Recommendation, ids: Iterable[str]) -> list[str]:
    items = _all_items(rec)
    excluded = {e.id: e for e in rec.excluded}
    lines = []
    for item_id in ids:
        if item_id in items:
            for r in items[item_id].reasons:
                lines.append(f"{item_id}: {r.because} [{r.rule}]")
        elif item_id in excluded:
            for r in excluded[item_id].reasons:
                lines.append(f"{item_id} ({t('report.excluded')}): {r.because} [{r.rule}]")
    return lines


def run_scenario(kb: KnowledgeBase, scenario: Scenario, as_of: dt.date | None = None) -> Outcome:
    """Evaluate one scenario with durable-rules and check every expectation."""
    day = parse_date(as_of or scenario.as_of)
    evaluation = evaluate(kb, scenario.profile, day)
    rec = build(evaluation)
    fired = [f.rule for f in evaluation.firings]
    items = _all_items(rec)
    warnings = {w.id for w in rec.warnings}
    missing = [m.field for m in rec.missing]
    failures: list[Failure] = []
    exp = scenario.expect

    def fail(key: str, expected: Any, actual: Any, why: Iterable[str] = ()) -> None:
        failures.append(Failure(scenario.name, scenario.path, scenario.expect_lines.get(key, scenario.line), key,
                                expected, actual, _why(rec, why)))

    def as_list(key: str) -> list[str]:
        value = exp.get(key) or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    absent = [i for i in as_list("include") if i not in items]
    if absent:
        fail("include", absent, sorted(items), absent)
    present = [i for i in as_list("exclude") if i in items]
    if present:
        fail("exclude", [], present, present)
    for key, pool, want in (("warnings", warnings, True), ("no_warnings", warnings, False),
                            ("missing", set(missing), True), ("not_missing", set(missing), False),
                            ("fired", set(fired), True), ("not_fired", set(fired), False)):
        wrong = [i for i in as_list(key) if (i in pool) != want]
        if wrong:
            fail(key, wrong, sorted(pool))
    top = exp.get("top") or {}
    if isinstance(top, Mapping):
        for family, spec in top.items():
            if family not in FAMILIES or not isinstance(spec, Mapping):
                fail("top", f"{family}: {{n, include}}", "?")
                continue
            n = int(spec.get("n", 3))
            head = [i.id for i in getattr(rec, family)][:n]
            wanted = [str(i) for i in spec.get("include", [])]
            if any(i not in head for i in wanted):
                fail("top", f"{family}[:{n}] ⊇ {_show(wanted)}", head, wanted)
    by_category = exp.get("solutions_top") or {}
    if isinstance(by_category, Mapping):
        for category, spec in by_category.items():
            if not isinstance(spec, Mapping):
                fail("solutions_top", f"{category}: {{n, include}}", "?")
                continue
            n = int(spec.get("n", 2))
            head = [s.id for s in rec.solutions if s.category == category][:n]
            wanted = [str(i) for i in spec.get("include", [])]
            if any(i not in head for i in wanted):
                fail("solutions_top", f"{category}[:{n}] ⊇ {_show(wanted)}", head, wanted)
    ways = exp.get("ways") or {}
    if isinstance(ways, Mapping):
        shown = {s.id: s.way for s in rec.solutions}
        for sol_id, way in ways.items():
            if shown.get(sol_id, "—") != way:
                fail("ways", f"{sol_id}: {way}", f"{sol_id}: {shown.get(sol_id, '—')}", [sol_id])
    order = as_list("order")
    if order:
        ids = _family_list(rec, order[0])
        positions = [ids.index(i) if i in ids else -1 for i in order]
        if -1 in positions or positions != sorted(positions):
            fail("order", order, [i for i in ids if i in order], order)
    scores = exp.get("scores") or {}
    if isinstance(scores, Mapping):
        for item_id, score in scores.items():
            actual = items[item_id].score if item_id in items else None
            if actual is None or abs(actual - float(score)) > 1e-9:
                fail("scores", f"{item_id}={score}", f"{item_id}={actual}", [item_id])
    priorities = exp.get("priorities") or {}
    if isinstance(priorities, Mapping):
        summary = rec.summary or summarise(kb, rec)
        chosen = {p.kind: p.id for p in summary.priorities}
        for kind, item_id in priorities.items():
            if chosen.get(str(kind)) != item_id:
                fail("priorities", f"{kind}: {item_id}", f"{kind}: {chosen.get(str(kind), '—')}", [str(item_id)])
    providers = exp.get("providers") or {}
    if isinstance(providers, Mapping):
        for route_id, spec in providers.items():
            route = next((r for r in rec.funding_routes if r.id == route_id), None)
            listed = [p.id for p in route.providers] if route is not None else []
            spec = spec if isinstance(spec, Mapping) else {"include": spec}
            n = int(spec.get("n", len(listed) or 1))
            missing_ids = [str(i) for i in spec.get("include", []) if str(i) not in listed[:n]]
            extra = [str(i) for i in spec.get("exclude", []) if str(i) in listed]
            if route is None or missing_ids or extra:
                fail("providers", f"{route_id}[:{n}] ⊇ {_show(missing_ids)}, ∌ {_show(extra)}", listed, [str(route_id)])
    return Outcome(scenario, fired, failures, rec)


def coverage(kb: KnowledgeBase, outcomes: Iterable[Outcome]) -> dict[str, int]:
    """For each rule, how many scenarios fired it."""
    counts = {r.id: 0 for r in kb.rules}
    for outcome in outcomes:
        for rule_id in outcome.fired:
            counts[rule_id] = counts.get(rule_id, 0) + 1
    return counts


@dataclass(frozen=True)
class Coverage:
    """Rule coverage of a scenario run: how many scenarios fired each rule."""

    counts: dict[str, int]

    @property
    def covered(self) -> int:
        return sum(1 for c in self.counts.values() if c)

    @property
    def percent(self) -> float:
        return round(100 * self.covered / len(self.counts), 1) if self.counts else 100.0

    @property
    def never(self) -> list[str]:
        """Rules no scenario fired, by id."""
        return [r for r, c in sorted(self.counts.items()) if not c]


def select(scenarios: list[Scenario], pattern: str | None) -> list[Scenario]:
    """The scenarios whose name or a tag contains ``pattern`` (case-insensitive); all without one."""
    if not pattern:
        return scenarios
    needle = pattern.lower()
    return [s for s in scenarios if needle in s.name.lower() or any(needle in tag.lower() for tag in s.tags)]

