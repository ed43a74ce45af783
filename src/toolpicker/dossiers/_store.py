"""The dossier store: every operation of CONTRACT §7, each one transaction.

>>> from toolpicker.dossiers import open_dossiers
>>> with open_dossiers("sqlite:///suivi.sqlite3") as store:       # doctest: +SKIP
...     added = store.add({"name": "Compagnie La Lanterne", "employees": 2}, note="premier rendez-vous")
...     store.diff(added.dossier)                                    # needs two diagnoses

A diagnosis is stored with the profile as validated, the evaluation date, the
note, the knowledge-base version and the recommendation JSON computed then;
nothing about it is recomputed later (``rerun`` is the one operation that runs
today's knowledge base, and it changes nothing in the store). Nothing here
logs: notes may name people.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, delete, func, insert, select, update

from .._errors import Problem, ToolpickerError
from .._i18n import t
from .._json import DuplicateKey, reject_constant, unique_keys
from .._version import __version__
from ..knowledge.profile import Profile, parse_profile, shorten, suggest
from ._database import Database, DossierError, ensure_schema
from ._diff import compare
from ._records import Added, Diagnosis, Dossier, DossierDiff, DossierSummary, ExportDocument, Side
from ._schema import diagnosis, dossier

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
RESERVED_IDS = frozenset({"export", "import"})
"""Words the HTTP API uses after ``/api/dossiers/``: never dossier ids."""
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: an id read aloud or copied by hand survives
ID_LENGTH = 8
MAX_NOTE = 10_000
MAX_NAME = 200
_NOTE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z\Z")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def now() -> str:
    """The current UTC time as stored: ``2026-12-02T16:21:25.123456Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(value: object) -> str:
    """The one JSON spelling of stored documents (compact, UTF-8 as is): re-reading and re-writing is exact."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _error(name: str, /, kind: str = "input", **values: object) -> DossierError:
    message = t(name, **values)
    return DossierError(message, [Problem(message=message, code=name.rsplit(".", 1)[1])], kind=kind)


def check_note(note: str | None) -> str | None:
    """A note as stored: None for an empty one; refused when too long or holding control characters."""
    if note is None or note.strip() == "":
        return None
    if len(note) > MAX_NOTE:
        raise _error("dossier.note_too_long", limit=MAX_NOTE)
    found = _NOTE_FORBIDDEN.search(note)
    if found:
        raise _error("dossier.note_bad_character", char=f"U+{ord(found.group()):04X}")
    return note


def check_id(value: str) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value) or value in RESERVED_IDS:
        raise _error("dossier.bad_id", value=shorten(value))
    return value


class DossierStore:
    """Dossiers in one database (SQLite or PostgreSQL); safe to share between threads."""

    def __init__(self, url: str | None = None) -> None:
        self.db = Database(url)
        try:
            ensure_schema(self.db)
        except BaseException:
            self.db.close()
            raise

    @property
    def url(self) -> str:
        """The database, as shown to people (password hidden)."""
        return self.db.shown

    def __enter__(self) -> DossierStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -------------------------------------------------------------- writing

    def add(self, profile: Profile | Mapping[str, Any], to: str | None = None, note: str | None = None,
            as_of: dt.date | str | None = None, knowledge_base: Any = None, lang: str | None = None) -> Added:
        """Diagnose ``profile`` now and record it: in a new dossier, or appended to dossier ``to``."""
        from ..recommendation.recommend import recommend

        parsed = parse_profile(profile)
        note = check_note(note)
        if to is not None:
            check_id(to)
        rec = recommend(parsed, as_of=as_of, knowledge_base=knowledge_base, lang=lang)
        return self.record(parsed.model_dump(mode="json"), rec.model_dump(mode="json"), to=to, note=note)

    def record(self, profile: Mapping[str, Any], recommendation: Mapping[str, Any], to: str | None = None,
               note: str | None = None) -> Added:
        """Store an already computed diagnosis (the profile and the §2 object as JSON data), in one transaction."""
        note = check_note(note)
        kb = recommendation.get("knowledge_base") or {}
        day = str(kb.get("as_of") or dt.date.today().isoformat())
        name = str(profile.get("name") or "")[:MAX_NAME]
        stamp = now()
        row = {"date": day, "note": note, "profile": dumps(dict(profile)), "knowledge_base": str(kb.get("version", "")),
               "recommendation": dumps(dict(recommendation)), "recorded": stamp}
        with self.db.write() as conn:
            if to is None:
                dossier_id = self._free_id(conn)
                conn.execute(insert(dossier).values(id=dossier_id, name=name, created=stamp, updated=stamp,
                                                    diagnoses=1))
                number = 1
            else:
                dossier_id = check_id(to)
                changes: dict[str, Any] = {"diagnoses": dossier.c.diagnoses + 1, "updated": stamp}
                if name:
                    changes["name"] = name
                found = conn.execute(update(dossier).where(dossier.c.id == dossier_id).values(**changes)
                                     .returning(dossier.c.diagnoses)).scalar()
                if found is None:
                    raise self._unknown(conn, dossier_id)
                number = int(found)
            conn.execute(insert(diagnosis).values(dossier_id=dossier_id, n=number, **row))
        return Added(dossier=dossier_id, diagnosis=number)

    def _free_id(self, conn: Connection) -> str:
        while True:
            candidate = "".join(secrets.choice(_ALPHABET) for _ in range(ID_LENGTH))
            if conn.execute(select(dossier.c.id).where(dossier.c.id == candidate)).first() is None:
                return candidate

    def delete(self, dossier_id: str) -> None:
        """Delete a dossier and all its diagnoses."""
        check_id(dossier_id)
        with self.db.write() as conn:
            conn.execute(delete(diagnosis).where(diagnosis.c.dossier_id == dossier_id))
            if conn.execute(delete(dossier).where(dossier.c.id == dossier_id)).rowcount == 0:
                raise self._unknown(conn, dossier_id)

    def import_document(self, document: ExportDocument | bytes | str, replace: bool = False) -> list[str]:
        """Restore the dossiers of an export, all or none; an id already present is refused unless ``replace``."""
        doc = document if isinstance(document, ExportDocument) else parse_export(document)
        rows = [{"id": d.id, "name": d.name, "created": d.created, "updated": d.updated,
                 "diagnoses": max((g.n for g in d.diagnoses), default=0)} for d in doc.dossiers]
        diagnoses = [{"dossier_id": d.id, "n": g.n, "date": g.date, "note": g.note, "profile": dumps(g.profile),
                      "knowledge_base": g.knowledge_base, "recommendation": dumps(g.recommendation),
                      "recorded": g.recorded} for d in doc.dossiers for g in d.diagnoses]
        ids = [d.id for d in doc.dossiers]
        with self.db.write() as conn:
            present = set()
            for chunk in _chunks(ids, 500):
                present |= set(conn.execute(select(dossier.c.id).where(dossier.c.id.in_(chunk))).scalars())
            if present and not replace:
                raise _error("dossier.import_conflict", kind="conflict", ids=", ".join(sorted(present)[:5]),
                             count=len(present))
            for chunk in _chunks(sorted(present), 500):
                conn.execute(delete(diagnosis).where(diagnosis.c.dossier_id.in_(chunk)))
                conn.execute(delete(dossier).where(dossier.c.id.in_(chunk)))
            if rows:
                conn.execute(insert(dossier), rows)
            if diagnoses:
                conn.execute(insert(diagnosis), diagnoses)
        return ids

    # -------------------------------------------------------------- reading

    def list(self) -> list[DossierSummary]:
        """Every dossier, most recently updated first."""
        with self.db.read() as conn:
            result = conn.execute(select(dossier.c.id, dossier.c.name, dossier.c.diagnoses, dossier.c.updated)
                                  .order_by(dossier.c.updated.desc(), dossier.c.id))
            return [DossierSummary(id=i, name=n, diagnoses=c, updated=u) for i, n, c, u in result]

    def get(self, dossier_id: str) -> Dossier:
        """A dossier with all its diagnoses, in order."""
        check_id(dossier_id)
        with self.db.read() as conn:
            head = conn.execute(select(dossier).where(dossier.c.id == dossier_id)).first()
            if head is None:
                raise self._unknown(conn, dossier_id)
            rows = conn.execute(select(diagnosis).where(diagnosis.c.dossier_id == dossier_id)
                                .order_by(diagnosis.c.n)).all()
        return Dossier(id=head.id, name=head.name, created=head.created, updated=head.updated,
                       diagnoses=[_diagnosis(r) for r in rows])

    def export(self, ids: Sequence[str] | None = None) -> ExportDocument:
        """The export document of some dossiers (``None``: all of them, ordered by id)."""
        wanted = None if ids is None else [check_id(i) for i in ids]
        with self.db.read() as conn:
            query = select(dossier).order_by(dossier.c.id)
            if wanted is not None:
                query = query.where(dossier.c.id.in_(wanted))
            heads = conn.execute(query).all()
            if wanted is not None:
                missing = sorted(set(wanted) - {h.id for h in heads})
                if missing:
                    raise self._unknown(conn, missing[0])
            grouped: dict[str, list[Diagnosis]] = {h.id: [] for h in heads}
            query = select(diagnosis).order_by(diagnosis.c.dossier_id, diagnosis.c.n)
            if wanted is not None:
                query = query.where(diagnosis.c.dossier_id.in_(wanted))
            for row in conn.execute(query):
                grouped[row.dossier_id].append(_diagnosis(row))
        return ExportDocument(toolpicker_version=__version__, dossiers=[
            Dossier(id=h.id, name=h.name, created=h.created, updated=h.updated, diagnoses=grouped[h.id])
            for h in heads])

    def diff(self, dossier_id: str, from_n: int | None = None, to_n: int | None = None) -> DossierDiff:
        """What changed from diagnosis ``from_n`` to ``to_n`` (default: the last two)."""
        check_id(dossier_id)
        with self.db.read() as conn:
            head = conn.execute(select(dossier.c.name, dossier.c.diagnoses).where(dossier.c.id == dossier_id)).first()
            if head is None:
                raise self._unknown(conn, dossier_id)
            numbers = list(conn.execute(select(diagnosis.c.n).where(diagnosis.c.dossier_id == dossier_id)
                                        .order_by(diagnosis.c.n)).scalars())
            if to_n is None:
                to_n = numbers[-1] if numbers else 0
            if from_n is None:
                earlier = [n for n in numbers if n < to_n]
                if not earlier:
                    raise _error("dossier.nothing_to_compare", id=dossier_id)
                from_n = earlier[-1]
            for wanted in (from_n, to_n):
                if wanted not in numbers:
                    raise _error("dossier.unknown_diagnosis", id=dossier_id, n=wanted,
                                 known=", ".join(map(str, numbers)) or "—")
            rows = {r.n: _diagnosis(r) for r in conn.execute(
                select(diagnosis).where(diagnosis.c.dossier_id == dossier_id, diagnosis.c.n.in_([from_n, to_n])))}
        old, new = rows[from_n], rows[to_n]
        return compare(dossier_id, head.name, _side(old), _side(new), old.profile, new.profile,
                       old.recommendation, new.recommendation)

    def rerun(self, dossier_id: str, as_of: dt.date | str | None = None, knowledge_base: Any = None,
              ) -> DossierDiff:
        """The last diagnosis's profile under today's knowledge base, against what was recommended then.

        Nothing is written: record the new diagnosis with :meth:`add` if the adviser keeps it.
        """
        from ..knowledge.base import default_knowledge_base
        from ..recommendation.recommend import recommend

        check_id(dossier_id)
        with self.db.read() as conn:
            head = conn.execute(select(dossier.c.name).where(dossier.c.id == dossier_id)).first()
            if head is None:
                raise self._unknown(conn, dossier_id)
            row = conn.execute(select(diagnosis).where(diagnosis.c.dossier_id == dossier_id)
                               .order_by(diagnosis.c.n.desc()).limit(1)).first()
        if row is None:
            raise _error("dossier.nothing_to_compare", id=dossier_id)
        last = _diagnosis(row)
        kb = knowledge_base or default_knowledge_base()
        language = (last.recommendation.get("knowledge_base") or {}).get("language")
        fresh = recommend(parse_profile(last.profile), as_of=as_of, knowledge_base=kb,
                          lang=language if language in ("fr", "en") else None).model_dump(mode="json")
        after = Side(n=None, date=fresh["knowledge_base"]["as_of"], knowledge_base=kb.version)
        return compare(dossier_id, head.name, _side(last), after, last.profile, fresh["profile"],
                       last.recommendation, fresh)

    def _unknown(self, conn: Connection, dossier_id: str) -> DossierError:
        known = list(conn.execute(select(dossier.c.id).order_by(dossier.c.id).limit(100_000)).scalars())
        hint = suggest(dossier_id, known)
        message = t("dossier.unknown", id=shorten(dossier_id)) + (f" {hint}" if hint else "")
        return DossierError(message, [Problem(message=message, field="id", value=shorten(dossier_id),
                                              code="unknown_dossier")], kind="unknown")

    def count(self) -> int:
        with self.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(dossier)).scalar_one())


def _diagnosis(row: Any) -> Diagnosis:
    return Diagnosis(n=row.n, date=row.date, note=row.note, profile=json.loads(row.profile),
                     knowledge_base=row.knowledge_base, recommendation=json.loads(row.recommendation),
                     recorded=row.recorded)


def _side(found: Diagnosis) -> Side:
    return Side(n=found.n, date=found.date, knowledge_base=found.knowledge_base)


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# ------------------------------------------------------------------ reading an export

def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def parse_export(raw: bytes | str) -> ExportDocument:
    """An export document, checked whole before anything is written; a :class:`DossierError` otherwise."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=reject_constant, parse_float=_finite, object_pairs_hook=unique_keys)
    except UnicodeDecodeError as exc:
        raise _error("dossier.import_not_utf8", position=exc.start) from None
    except DuplicateKey as exc:
        raise _error("dossier.import_duplicate_key", key=shorten(str(exc))) from None
    except json.JSONDecodeError as exc:
        raise _error("dossier.import_bad_json", line=exc.lineno, column=exc.colno) from None
    except (ValueError, RecursionError):
        raise _error("dossier.import_bad_json_value") from None
    if not isinstance(data, dict) or data.get("format") != "toolpicker-dossiers":
        raise _error("dossier.import_not_export")
    try:
        dumps(data).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate half: not text, and no database stores it
        raise _error("dossier.import_bad_text") from None
    try:
        doc = ExportDocument.model_validate(data, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise _error("dossier.import_invalid", where=shorten(where, 80), detail=shorten(first.get("msg", ""), 120),
                     ) from None
    seen: set[str] = set()
    for position, found in enumerate(doc.dossiers, start=1):
        _check_exported(found, position, seen)
    return doc


def _check_exported(found: Dossier, position: int, seen: set[str]) -> None:
    where = t("dossier.import_where", position=position, id=shorten(found.id))
    try:
        check_id(found.id)
    except DossierError as exc:
        raise _error("dossier.import_problem", where=where, detail=exc.message) from None
    if found.id in seen:
        raise _error("dossier.import_problem", where=where, detail=t("dossier.import_twice"))
    seen.add(found.id)
    problems: list[str] = []
    if len(found.name) > MAX_NAME or _NOTE_FORBIDDEN.search(found.name):
        problems.append(t("dossier.import_bad_name"))
    for stamp in (found.created, found.updated):
        if not _TIMESTAMP.match(stamp):
            problems.append(t("dossier.import_bad_time", value=shorten(stamp)))
    previous = 0
    for g in found.diagnoses:
        label = t("dossier.import_diagnosis", n=g.n)
        if g.n <= previous:
            problems.append(t("dossier.import_bad_order", n=g.n))
        previous = g.n
        if not _DAY.match(g.date) or not _is_date(g.date):
            problems.append(f"{label} : " + t("dossier.import_bad_date", value=shorten(g.date)))
        if not _TIMESTAMP.match(g.recorded):
            problems.append(f"{label} : " + t("dossier.import_bad_time", value=shorten(g.recorded)))
        try:
            check_note(g.note)
            if g.note is not None and g.note.strip() == "":
                raise _error("dossier.import_empty_note")
            parse_profile(g.profile)
        except DossierError as exc:
            problems.append(f"{label} : {exc.message}")
        except ToolpickerError as exc:  # a ProfileError: its lines, reported with the diagnosis
            problems.append(f"{label} : {exc}")
    if problems:
        raise _error("dossier.import_problem", where=where, detail=" ; ".join(problems[:5]))


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
