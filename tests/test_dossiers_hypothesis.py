"""Properties of dossiers (Hypothesis): an export restores exactly; a diff says exactly where items went."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from toolpicker.dossiers import Diagnosis, Dossier, ExportDocument, open_dossiers
from toolpicker.dossiers._diff import item_changes
from toolpicker.recommendation.result import FAMILIES

from .strategies import profiles

# Text a person may type: any character but control characters (a note keeps its line breaks) and surrogates.
_TYPED = st.characters(blacklist_categories=("Cc", "Cs"))
names = st.text(_TYPED, max_size=40)
notes = st.none() | st.text(st.one_of(_TYPED, st.just("\n")), min_size=1, max_size=60).filter(lambda s: s.strip())
ids = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=20).filter(
    lambda s: s[0].isalnum() and s not in ("export", "import"))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(_TYPED, max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(_TYPED, max_size=8), inner, max_size=3),
    max_leaves=12)


@st.composite
def diagnoses(draw: st.DrawFn) -> list[Diagnosis]:
    numbers = sorted(draw(st.sets(st.integers(1, 500), max_size=3)))
    return [Diagnosis(n=n, date=draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))).isoformat(),
                      note=draw(notes), profile=draw(profiles), knowledge_base=draw(st.text(_TYPED, max_size=12)),
                      recommendation={"knowledge_base": {"as_of": "2026-11-28"}, "anything": draw(json_values)},
                      recorded=draw(moments)) for n in numbers]


documents = st.lists(st.builds(Dossier, id=ids, name=names, diagnoses=diagnoses(), created=moments, updated=moments),
                     max_size=3, unique_by=lambda d: d.id).map(
    lambda found: ExportDocument(toolpicker_version="test", dossiers=sorted(found, key=lambda d: d.id)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_an_export_imported_then_exported_is_the_same_document(tmp_path: Path, document: ExportDocument) -> None:
    written = json.dumps(document.model_dump(mode="json"), ensure_ascii=False)  # as any program would write it
    with open_dossiers(f"sqlite:///{tmp_path / 'round-trip.sqlite3'}") as store:
        with store.db.write() as conn:  # one database for every example: start each from empty
            conn.execute(text("DELETE FROM toolpicker_diagnosis"))
            conn.execute(text("DELETE FROM toolpicker_dossier"))
        store.import_document(written.encode("utf-8"))
        again = store.export().model_copy(update={"toolpicker_version": "test"})
    assert again == document
    assert json.dumps(again.model_dump(mode="json"), ensure_ascii=False) == written  # keys in their order too


def _recommendation(draw: st.DrawFn) -> dict[str, Any]:
    pool = [f"item{i}" for i in range(8)]
    rules = [f"rule-{i}" for i in range(5)]
    return {family: [{"id": item, "label": item, "reasons": [{"rule": r} for r in draw(st.sets(st.sampled_from(rules)))]}
                     for item in draw(st.lists(st.sampled_from(pool), unique=True, max_size=6))]
            for family in FAMILIES}


@st.composite
def recommendations(draw: st.DrawFn) -> dict[str, Any]:
    return _recommendation(draw)


@given(before=recommendations(), after=recommendations())
def test_each_change_names_the_item_where_it_was_and_where_it_is(before: dict[str, Any], after: dict[str, Any],
                                                                  ) -> None:
    changes = item_changes(before, after)
    for family in FAMILIES:
        old = {item["id"]: (rank, {r["rule"] for r in item["reasons"]})
               for rank, item in enumerate(before[family], start=1)}
        new = {item["id"]: (rank, {r["rule"] for r in item["reasons"]})
               for rank, item in enumerate(after[family], start=1)}
        expected = {
            (i, "added" if i not in old else "removed" if i not in new else "moved",
             old[i][0] if i in old else None, new[i][0] if i in new else None,
             tuple(sorted((old[i][1] if i in old else set()) ^ (new[i][1] if i in new else set()))))
            for i in set(old) | set(new) if i not in old or i not in new or old[i][0] != new[i][0]}
        found = {(c.id, c.change, c.before_rank, c.after_rank, tuple(c.rules)) for c in changes if c.family == family}
        assert found == expected
    assert item_changes(after, after) == []
    assert json.loads(json.dumps([c.model_dump() for c in changes])) == [c.model_dump() for c in changes]
