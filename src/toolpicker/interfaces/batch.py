"""Many profiles at once: ``toolpicker batch INPUT.csv|INPUT.jsonl``.

Input:

* CSV: one profile per row, the header names profile fields (``,`` or ``;``
  between cells, detected from the header); list fields separate their values
  with ``;`` or ``|`` (``|`` when cells are separated by ``;``); an empty cell
  is *unknown*; booleans are ``true``/``false``/``oui``/``non``. A row number
  is the spreadsheet's (the header is row 1).
* JSONL: one JSON profile per line; a row number is the line number.

Output: one JSON line per profile, in input order —
``{"row": n, "recommendation": {…CONTRACT §2…}}`` or
``{"row": n, "error": {"message", "problems": [{field, value, message, suggestion}]}}``.
A bad row never stops the run.

``jobs > 1`` spreads the profiles over worker processes started with the
*spawn* method: each worker loads its own knowledge base and compiles its own
durable-rules engine (the C engine must not be shared by ``fork``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError, Problem, ProfileError, ToolpickerError
from .._i18n import current_language, language, pick, t
from ..knowledge.base import KnowledgeBase, default_knowledge_base, load_knowledge_base, shipped_dir
from ..knowledge.profile import FIELDS, allowed_values, shorten, suggest
from ..knowledge.questions import coerce, error_object, label_suggestion
from ..recommendation.result import FAMILIES

MAX_INPUT = 200_000_000
MAX_FAILED_LISTED = 500
MAX_CELL = 100_000
"""Characters in one CSV cell (no profile field needs more; a bigger cell is an error row, not a crash)."""


@dataclass(frozen=True)
class Task:
    """One input row: its number, and either the profile data or the reason it could not be read."""

    row: int
    data: Mapping[str, Any] | None = None
    error: dict[str, object] | None = None


@dataclass(frozen=True)
class Outcome:
    """One output line, and the recommended ids by family (``None`` for a row in error)."""

    row: int
    line: str
    ids: dict[str, list[str]] | None
    error: str | None = None
    """For a row in error: its message and problems in one line (what the summaries list)."""


@dataclass
class Summary:
    """How often each item is recommended over the rows that succeeded."""

    total: int = 0
    errors: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {f: Counter() for f in FAMILIES})
    failed: list[tuple[int, str]] = field(default_factory=list)
    """(row, message) of the first :data:`MAX_FAILED_LISTED` rows in error."""

    @property
    def ok(self) -> int:
        return self.total - self.errors

    def add(self, outcome: Outcome) -> None:
        self.total += 1
        if outcome.ids is None:
            self.errors += 1
            if len(self.failed) < MAX_FAILED_LISTED:
                self.failed.append((outcome.row, outcome.error or ""))
            return
        for family, ids in outcome.ids.items():
            self.counts[family].update(ids)

    def rows(self, kb: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
        """Per family: ``[{id, label, count, percent}]``, most frequent first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for family in FAMILIES:
            ranked = sorted(self.counts[family].items(), key=lambda kv: (-kv[1], kv[0]))
            out[family] = [{"id": i, "label": pick(kb.label(i)), "count": n,
                            "percent": round(100 * n / self.ok, 1) if self.ok else 0.0} for i, n in ranked]
        return out


# ------------------------------------------------------------------ reading

def _row_error(message: str, problems: list[Problem] | None = None) -> dict[str, object]:
    return error_object(InputError(message, problems))


def read_csv(text: str, path: str, kb: KnowledgeBase | None = None) -> list[Task]:
    """The rows of a CSV file; an unknown column fails the whole file (with a suggestion).

    A row that cannot be read (a cell over the size limit, a quote opened and
    never closed, which would swallow the next rows into one cell) is an error
    row naming its lines; the rows after it are read as usual.
    """
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(t("batch.empty", path=path)) from None
    except csv.Error as exc:
        raise InputError(t("batch.bad_header", path=path), [Problem(message=str(exc), path=path, line=1)]) from None
    problems = []
    for i, name in enumerate(header):
        if name not in FIELDS:
            problems.append(Problem(message=t("batch.unknown_column", column=shorten(name) or "?", index=i + 1),
                                    path=path, line=1, field=shorten(name), suggestion=suggest(name, FIELDS)))
        elif header.index(name) != i:
            problems.append(Problem(message=t("batch.duplicate_column", column=name), path=path, line=1, field=name))
    if problems:
        raise InputError(t("batch.bad_header", path=path), problems[:50])
    tasks = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:  # a cell over the limit: skip to the next line and report this one
            tasks.append(Task(start, error=_row_error(t("batch.cell_too_large", limit=MAX_CELL))))
            continue
        end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if any("\n" in c or "\r" in c for c in cells):
            tasks.append(Task(start, error=_row_error(t("batch.unclosed_quote", first=start, last=end))))
            continue
        if len(cells) > len(header):
            tasks.append(Task(start, error=_row_error(t("batch.too_many_cells", count=len(cells),
                                                        expected=len(header)))))
            continue
        data: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            value = coerce(name, cell, kb) if delimiter == "," else _coerce_semicolon(name, cell, kb)
            if value is not None:
                data[name] = value
        tasks.append(Task(start, data=data))
    return tasks


def _coerce_semicolon(name: str, cell: str, kb: KnowledgeBase | None = None) -> Any:
    """Cells separated by ``;``: list values are separated by ``|`` (or ``,``)."""
    value = coerce(name, cell, kb)
    if isinstance(value, list):
        return coerce(name, cell.replace(";", "|"), kb)
    return value


def read_jsonl(text: str) -> list[Task]:
    """The rows of a JSON Lines file (blank lines are ignored)."""
    tasks = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            tasks.append(Task(number, error=_row_error(t("batch.bad_json", column=exc.colno))))
            continue
        except (ValueError, RecursionError):
            tasks.append(Task(number, error=_row_error(t("server.bad_json_value"))))
            continue
        if not isinstance(data, Mapping):
            problem = Problem(message=t("profile.not_mapping"), value=data, code="not_mapping")
            tasks.append(Task(number, error=error_object(ProfileError(t("profile.header"), [problem]))))
            continue
        tasks.append(Task(number, data=data))
    return tasks


def read_tasks(raw: bytes, path: str, kb: KnowledgeBase | None = None) -> list[Task]:
    """The profiles of a ``.csv`` or ``.jsonl`` (``.ndjson``) file."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise InputError(t("batch.bad_extension", path=path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(t("errors.cannot_read", path=path),
                         [Problem(message=t("errors.not_utf8", position=exc.start), path=path)]) from None
    return read_csv(text, path, kb) if suffix == ".csv" else read_jsonl(text)


# ------------------------------------------------------------------ running

_WORKER: dict[str, Any] = {}


def _init(rules: str | None, catalog: str | None, as_of: dt.date, lang: str, compact: bool = False) -> None:
    """Prepare this process: its own knowledge base (and so its own durable-rules engine).

    Ctrl-C and SIGTERM are the parent's business: it stops the pool (no traceback
    from the workers, no half-written output).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if rules is None and catalog is None:
        kb = default_knowledge_base()
    else:
        kb = load_knowledge_base(rules or shipped_dir("rules"), catalog or shipped_dir("catalog"))
    _WORKER.update(kb=kb, as_of=as_of, lang=lang, compact=compact)


def run_one(task: Task) -> Outcome:
    """Recommend for one row (in the current process, prepared by :func:`_init`)."""
    from ..recommendation.recommend import recommend

    if task.error is not None:
        return _failed(task.row, task.error)
    data = task.data or {}
    kb = _WORKER["kb"]
    with language(_WORKER["lang"]):
        try:
            rec = recommend(data, as_of=_WORKER["as_of"], knowledge_base=kb, lang=_WORKER["lang"])
        except ToolpickerError as exc:
            return _failed(task.row, _with_label_suggestions(kb, data, error_object(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad row never stops a batch of thousands
            error = InputError(t("batch.row_failed", detail=shorten(f"{type(exc).__name__}: {exc}", 200)))
            return _failed(task.row, error_object(error))
        body = compact(rec) if _WORKER.get("compact") else rec.model_dump(mode="json")
    ids = {f: [item.id for item in getattr(rec, f)] for f in FAMILIES}
    return Outcome(task.row, _dumps({"row": task.row, "recommendation": body}), ids)


def _problems(error: Mapping[str, object]) -> list[dict[str, Any]]:
    problems = error.get("problems")
    return [p for p in problems if isinstance(p, dict)] if isinstance(problems, list) else []


def _failed(row: int, error: dict[str, object]) -> Outcome:
    parts = [str(error.get("message", ""))]
    parts += [f"{p.get('message', '')} {p.get('suggestion') or ''}".strip() for p in _problems(error)]
    return Outcome(row, _dumps({"row": row, "error": error}), None, " ".join(x for x in parts if x))


def _with_label_suggestions(kb: KnowledgeBase, data: Mapping[str, Any], error: dict[str, object]) -> dict[str, object]:
    """A value not understood gets a suggestion among the labels people write (« Association »), not the ids."""
    for problem in _problems(error):
        name = problem.get("field")
        value = data.get(name) if isinstance(name, str) else None
        if isinstance(name, str) and name in FIELDS and isinstance(value, str) and allowed_values(name):
            problem["suggestion"] = label_suggestion(kb, name, value) or problem.get("suggestion")
    return error


def compact(rec: Any) -> dict[str, Any]:
    """The short form of a recommendation (``--compact``): ids, labels, scores and the first reason of each item."""
    def items(family: str) -> list[dict[str, Any]]:
        return [{"id": i.id, "label": i.label, "score": i.score,
                 "reason": i.reasons[0].because if i.reasons else ""} for i in getattr(rec, family)]

    out: dict[str, Any] = {"name": rec.profile.get("name"), "knowledge_base": rec.knowledge_base.version,
                           "as_of": rec.knowledge_base.as_of}
    for family in FAMILIES:
        out[family] = items(family)
    for entry, sol in zip(out["solutions"], rec.solutions, strict=True):
        entry["category"] = sol.category
    out["warnings"] = [w.id for w in rec.warnings]
    out["ask_next"] = [m.field for m in rec.ask_next]
    return out


def _dumps(data: object) -> str:
    """One JSON line, always valid UTF-8 (a lone surrogate in an echoed value is written escaped)."""
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, ensure_ascii=True)
    return text


def run_batch(tasks: list[Task], as_of: dt.date, lang: str, jobs: int = 1, rules: str | None = None,
              catalog: str | None = None, knowledge_base: KnowledgeBase | None = None, compact: bool = False,
              ) -> Iterator[Outcome]:
    """The outcomes in input order; ``jobs > 1`` uses that many spawned worker processes."""
    if jobs <= 1 or len(tasks) < 2:
        _WORKER.update(kb=knowledge_base or default_knowledge_base(), as_of=as_of, lang=lang, compact=compact)
        for task in tasks:
            yield run_one(task)
        return
    context = multiprocessing.get_context("spawn")  # never fork a process whose engine has run
    chunk = max(1, min(64, len(tasks) // (jobs * 8)))
    with context.Pool(jobs, initializer=_init, initargs=(rules, catalog, as_of, lang, compact)) as pool:
        yield from pool.imap(run_one, tasks, chunksize=chunk)


def tally(outcomes: Iterable[Outcome], summary: Summary, step: Callable[[int], None]) -> Iterator[str]:
    """The output lines, counting each outcome into ``summary`` and reporting progress."""
    for outcome in outcomes:
        summary.add(outcome)
        step(1)
        yield outcome.line


def read_file(path: str) -> tuple[bytes, str]:
    """The bytes of an input file (``-`` for standard input), up to :data:`MAX_INPUT` bytes."""
    from ..knowledge.safe_yaml import read_input

    return read_input(path, MAX_INPUT)


def write_lines(lines: Iterable[str], output: str | None, force: bool = False, inputs: tuple[str, ...] = ()) -> None:
    """One line each, to standard output or atomically to ``output`` (nothing is left half-written)."""
    import sys

    if output is None or output == "-":
        for line in lines:
            sys.stdout.write(line + "\n")
        return
    from .._files import write_atomically

    write_atomically(output, (line + "\n" for line in lines), force=force, inputs=inputs)


# ------------------------------------------------------------------ summaries

def summary_table(summary: Summary, kb: KnowledgeBase, limit: int = 10) -> str:
    """The summary as a terminal table (the ``limit`` most frequent items per family)."""
    lines = [t("batch.summary_title", total=summary.total, ok=summary.ok, errors=summary.errors)]
    rows = summary.rows(kb)
    width = 20
    for family in FAMILIES:
        lines.append("")
        lines.append(f"== {t('report.' + family)} ==")
        if not rows[family]:
            lines.append(f"  {t('report.none')}")
        for entry in rows[family][:limit]:
            filled = round(width * entry["percent"] / 100)
            bar = "█" * filled + "·" * (width - filled)
            lines.append(f"  {bar} {entry['count']:>6} {entry['percent']:>5.1f} %  {entry['label']} ({entry['id']})")
        if len(rows[family]) > limit:
            lines.append(f"  {t('batch.more', count=len(rows[family]) - limit)}")
    return "\n".join(lines) + "\n"


def summary_html(summary: Summary, kb: KnowledgeBase, source: str, as_of: dt.date) -> str:
    """A self-contained HTML page with one inline SVG bar chart per family."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("toolpicker", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["t"] = t
    return env.get_template("batch_summary.html.j2").render(
        summary=summary, rows=summary.rows(kb), families=FAMILIES, source=source, as_of=as_of.isoformat(),
        lang=current_language())

