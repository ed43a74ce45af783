"""The dossier store (CONTRACT §7) on a real database: SQLite always, PostgreSQL when TOOLPICKER_TEST_PG is set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

import toolpicker
from toolpicker.dossiers import DossierError, open_dossiers
from toolpicker.dossiers._database import Database, migrate, migration_config
from toolpicker.dossiers._diff import item_changes, profile_changes
from toolpicker.dossiers._schema import HEAD, REVISIONS, metadata

from . import dossiers_support as support
from .dossiers_support import AS_OF, LANTERNE, LANTERNE_LATER, diagnosis_of

db_url, sqlite_url = support.db_url, support.sqlite_url  # the fixtures, shared by the dossier tests


def test_add_opens_a_dossier_then_appends_numbered_diagnoses(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        first = store.add(LANTERNE, note="premier rendez-vous", as_of=AS_OF)
        second = store.add(LANTERNE_LATER, to=first.dossier, as_of="2027-03-01")
        other = store.add({"name": "Jardins partagés", "employees": 0}, as_of=AS_OF)
        assert (first.diagnosis, second.diagnosis, other.diagnosis) == (1, 2, 1)
        assert second.dossier == first.dossier != other.dossier
        found = store.get(first.dossier)
    assert [d.n for d in found.diagnoses] == [1, 2]
    assert found.name == "Compagnie La Lanterne"
    one, two = found.diagnoses
    assert (one.date, one.note, two.date, two.note) == (AS_OF, "premier rendez-vous", "2027-03-01", None)
    assert one.profile == toolpicker.parse_profile(LANTERNE).model_dump(mode="json")
    assert one.recommendation == toolpicker.recommend(LANTERNE, as_of=AS_OF).model_dump(mode="json")
    assert one.knowledge_base == toolpicker.load_knowledge_base().version


def test_list_gives_counts_and_the_most_recently_updated_first(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        old = store.add(LANTERNE, as_of=AS_OF).dossier
        new = store.add({"name": "Jardins partagés"}, as_of=AS_OF).dossier
        store.add(LANTERNE_LATER, to=old, as_of=AS_OF)
        listed = [s.model_dump() for s in store.list()]
    assert [(s["id"], s["name"], s["diagnoses"]) for s in listed] == [
        (old, "Compagnie La Lanterne", 2), (new, "Jardins partagés", 1)]
    assert listed[0]["updated"] >= listed[1]["updated"]
    assert listed[0]["updated"][:4].isdigit() and listed[0]["updated"].endswith("Z")


def test_an_unknown_dossier_is_named_with_a_suggestion(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        added = store.add(LANTERNE, as_of=AS_OF)
        typo = added.dossier[:-1] + ("x" if added.dossier[-1] != "x" else "y")
        with pytest.raises(DossierError) as error:
            store.get(typo)
        assert str(error.value) == f"dossier « {typo} » introuvable. Vouliez-vous dire « {added.dossier} » ?"
        for call in (lambda: store.add(LANTERNE, to="absent"), lambda: store.diff("absent"),
                     lambda: store.rerun("absent"), lambda: store.delete("absent"),
                     lambda: store.export(["absent"])):
            with pytest.raises(DossierError, match="dossier « absent » introuvable"):
                call()
        assert [s.diagnoses for s in store.list()] == [1]  # the failed add wrote nothing


def test_diff_compares_the_last_two_by_default_from_the_stored_recommendations(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        dossier_id = store.add(LANTERNE, as_of=AS_OF).dossier
        store.add(LANTERNE_LATER, to=dossier_id, as_of=AS_OF)
        found = store.diff(dossier_id)
        stored = store.get(dossier_id).diagnoses
    assert [(c.field, c.before, c.after) for c in found.profile] == [
        ("employees", 2, 14), ("needs", ["collaboration", "file_sharing"],
                               ["collaboration", "contact_management", "file_sharing"])]
    crm = next(c for c in found.items if c.id == "crm")
    after = [i["id"] for i in stored[1].recommendation["tool_categories"]]
    assert (crm.family, crm.change, crm.before_rank, crm.after_rank) == (
        "tool_categories", "added", None, after.index("crm") + 1)
    fired = {r["rule"] for i in stored[1].recommendation["tool_categories"] if i["id"] == "crm" for r in i["reasons"]}
    assert crm.rules == sorted(fired)
    assert (found.before.n, found.after.n) == (1, 2)


def test_diff_between_chosen_diagnoses_and_its_errors(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        dossier_id = store.add(LANTERNE, as_of=AS_OF).dossier
        with pytest.raises(DossierError, match=f"le dossier « {dossier_id} » n'a pas deux diagnostics à comparer"):
            store.diff(dossier_id)
        store.add(LANTERNE_LATER, to=dossier_id, as_of=AS_OF)
        store.add(LANTERNE, to=dossier_id, as_of=AS_OF)
        assert store.diff(dossier_id, 1, 3).items == []
        forth, back = store.diff(dossier_id, 1, 2), store.diff(dossier_id, 2, 1)
        assert [(c.field, c.after, c.before) for c in back.profile] == [
            (c.field, c.before, c.after) for c in forth.profile]
        with pytest.raises(DossierError) as error:
            store.diff(dossier_id, 1, 7)
        assert str(error.value) == (f"le dossier « {dossier_id} » n'a pas de diagnostic n°7 ; "
                                    "diagnostics existants : 1, 2, 3.")


def test_rerun_compares_the_last_diagnosis_with_todays_knowledge_base(db_url: str) -> None:
    profile, rec = diagnosis_of(LANTERNE)
    # What was recommended then lacked today's first tool category and had one today's rules no longer give.
    first = rec["tool_categories"][0]
    then = {**rec, "tool_categories": [*rec["tool_categories"][1:], {**first, "id": "retired_category",
                                                                     "reasons": [{"rule": "retired-rule"}]}]}
    with open_dossiers(db_url) as store:
        dossier_id = store.add(LANTERNE, as_of=AS_OF).dossier
        same = store.rerun(dossier_id, as_of=AS_OF)
        assert (same.profile, same.items, same.before.n, same.after.n) == ([], [], 1, None)
        store.record(profile, then, to=dossier_id)
        found = store.rerun(dossier_id, as_of=AS_OF)
    assert found.before.n == 2
    changes = {(c.id, c.change, c.before_rank, c.after_rank) for c in found.items if c.family == "tool_categories"}
    assert (first["id"], "added", None, 1) in changes
    assert ("retired_category", "removed", len(rec["tool_categories"]), None) in changes


def test_export_then_import_restores_exactly(db_url: str, tmp_path: Path) -> None:
    with open_dossiers(db_url) as store:
        first = store.add(LANTERNE, note="Rendez-vous avec Mme Martin\nsuite en mars", as_of=AS_OF).dossier
        store.add(LANTERNE_LATER, to=first, as_of=AS_OF)
        store.add({"name": "Jardins partagés"}, as_of=AS_OF)
        exported = store.export()
        text_export = json.dumps(exported.model_dump(mode="json"), ensure_ascii=False)
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    with open_dossiers(target) as restored:
        assert restored.import_document(text_export.encode()) == [d.id for d in exported.dossiers]
        assert restored.export() == exported
        assert restored.list() == open_dossiers(db_url).list()
        with pytest.raises(DossierError, match=r"2 dossier\(s\) de l.export existe\(nt\) déjà"):
            restored.import_document(text_export)
        restored.add(LANTERNE, to=first, as_of=AS_OF)
        restored.import_document(text_export, replace=True)
        assert restored.export() == exported


def test_a_conflicting_import_writes_nothing(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        kept = store.add(LANTERNE, as_of=AS_OF).dossier
        document = store.export().model_dump(mode="json")
        document["dossiers"].insert(0, {**document["dossiers"][0], "id": "aaa-new"})
        with pytest.raises(DossierError):
            store.import_document(json.dumps(document))
        assert [s.id for s in store.list()] == [kept]


def test_delete_removes_the_dossier_and_its_diagnoses(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        gone = store.add(LANTERNE, as_of=AS_OF).dossier
        store.add(LANTERNE, to=gone, as_of=AS_OF)
        kept = store.add(LANTERNE, as_of=AS_OF).dossier
        store.delete(gone)
        assert [s.id for s in store.list()] == [kept]
        with pytest.raises(DossierError):
            store.get(gone)
        with store.db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM toolpicker_diagnosis")).scalar() == 1


@pytest.mark.parametrize(("note", "message"), [
    ("x" * 10_001, "note trop longue (10000 caractères au plus)."),
    ("bonjour\x1b[31m", "note : caractère U+001B interdit (caractère de contrôle) ; supprimez-le."),
])
def test_bad_notes_are_refused(sqlite_url: str, note: str, message: str) -> None:
    with open_dossiers(sqlite_url) as store, pytest.raises(DossierError) as error:
        store.add(LANTERNE, note=note)
    assert str(error.value) == message


@pytest.mark.parametrize("bad", ["", "a b", "export", "x" * 65, "../etc", "é"])
def test_bad_ids_are_refused(sqlite_url: str, bad: str) -> None:
    with open_dossiers(sqlite_url) as store, pytest.raises(DossierError, match="identifiant de dossier"):
        store.get(bad)


# ------------------------------------------------------------------ migrations

def test_the_shipped_migrations_are_the_known_revisions() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migration_config())
    assert [r.revision for r in reversed(list(script.walk_revisions()))] == list(REVISIONS)
    assert script.get_current_head() == HEAD


def test_the_migrated_schema_is_the_one_the_code_uses(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    open_dossiers(db_url).close()
    db = Database(db_url)
    with db.read() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    db.close()
    assert [d for d in differences if "toolpicker_schema" not in str(d)] == []


def _first_schema_with_data(url: str) -> None:
    """A database as toolpicker's first dossier schema (0001) left it, with two dossiers."""
    diagnosed, rec = diagnosis_of(LANTERNE)
    db = Database(url)
    with db.write() as conn:
        migrate(conn, "0001")
        conn.execute(text("INSERT INTO toolpicker_dossier (id, name, created, updated) VALUES "
                          "('ancien', 'Compagnie La Lanterne', '2026-01-01T10:00:00.000000Z', "
                          "'2026-02-01T10:00:00.000000Z'), ('vide', '', '2026-01-01T10:00:00.000000Z', "
                          "'2026-01-01T10:00:00.000000Z')"))
        for n in (1, 2, 3):
            conn.execute(text("INSERT INTO toolpicker_diagnosis VALUES ('ancien', :n, :d, NULL, :p, :k, :r, :t)"),
                         {"n": n, "d": AS_OF, "p": json.dumps(diagnosed), "k": "v1", "r": json.dumps(rec),
                          "t": "2026-02-01T10:00:00.000000Z"})
    db.close()


def test_a_database_of_the_first_schema_is_upgraded_on_open(db_url: str) -> None:
    _first_schema_with_data(db_url)
    with open_dossiers(db_url) as store:
        assert {(s.id, s.diagnoses) for s in store.list()} == {("ancien", 3), ("vide", 0)}
        assert store.add(LANTERNE_LATER, to="ancien", as_of=AS_OF).diagnosis == 4
        assert store.add(LANTERNE, to="vide", as_of=AS_OF).diagnosis == 1
        assert [d.n for d in store.get("ancien").diagnoses] == [1, 2, 3, 4]
        assert store.diff("ancien").profile[0].field == "employees"
        with store.db.read() as conn:
            assert conn.execute(text("SELECT version_num FROM toolpicker_schema")).scalar() == HEAD


def test_a_database_of_a_newer_schema_is_refused_untouched(db_url: str) -> None:
    with open_dossiers(db_url) as store:
        store.add(LANTERNE, as_of=AS_OF)
        with store.db.write() as conn:
            conn.execute(text("UPDATE toolpicker_schema SET version_num = '0099'"))
            conn.execute(text("ALTER TABLE toolpicker_dossier ADD COLUMN future_column INTEGER"))
    with pytest.raises(DossierError) as error:
        open_dossiers(db_url)
    shown = Database(db_url).shown
    assert str(error.value) == (f"la base {shown} vient d'une version plus récente de toolpicker (schéma 0099 ; "
                                f"cette version s'arrête au schéma {HEAD}) : mettez toolpicker à jour. "
                                "La base n'a pas été modifiée.")


def test_dossier_tables_without_a_schema_version_are_not_touched(db_url: str) -> None:
    engine = create_engine(Database(db_url).url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE toolpicker_dossier (id VARCHAR(10))"))
    engine.dispose()
    with pytest.raises(DossierError, match="contient des tables de dossiers sans version de schéma"):
        open_dossiers(db_url)


def test_other_programs_tables_are_left_alone(db_url: str) -> None:
    engine = create_engine(Database(db_url).url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE other_program_table (id INTEGER)"))
    engine.dispose()
    with open_dossiers(db_url) as store:
        store.add(LANTERNE, as_of=AS_OF)
        with store.db.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM other_program_table")).scalar() == 0


# ------------------------------------------------------------------ diff, on recommendations written by hand

def _rec(**families: list[Any]) -> dict[str, Any]:
    return {f: [{"id": i, "label": i.upper(), "reasons": [{"rule": r} for r in rules]} for i, rules in items]
            for f, items in families.items()} | {"excluded": families.get("excluded_", [])}


def test_items_added_removed_and_moved_carry_their_ranks_and_the_rules_that_changed() -> None:
    before = _rec(tool_categories=[("a", ["r1"]), ("b", ["r2"]), ("c", ["r3"])])
    after = _rec(tool_categories=[("b", ["r2", "r4"]), ("d", ["r5"]), ("a", ["r1"])])
    changes = [(c.id, c.change, c.before_rank, c.after_rank, c.rules) for c in item_changes(before, after)]
    assert changes == [("d", "added", None, 2, ["r5"]), ("c", "removed", 3, None, ["r3"]),
                       ("b", "moved", 2, 1, ["r4"]), ("a", "moved", 1, 3, [])]
    assert item_changes(before, before) == []


def test_a_removed_item_names_the_rule_that_now_excludes_it() -> None:
    before = _rec(solutions=[("s", ["catalog:guide"])])
    after = {"solutions": [], "excluded": [{"id": "s", "family": "solutions", "label": "S",
                                            "reasons": [{"rule": "catalog:data"}]}]}
    (change,) = item_changes(before, after)
    assert (change.change, change.rules, change.label) == ("removed", ["catalog:data", "catalog:guide"], "S")


def test_profile_changes_follow_the_contract_order_and_treat_absent_as_unknown() -> None:
    changes = profile_changes({"needs": ["a"], "employees": 2, "name": "X"}, {"employees": 3, "needs": ["a"]})
    assert [(c.field, c.before, c.after) for c in changes] == [("name", "X", None), ("employees", 2, 3)]


def test_an_export_with_an_invalid_profile_is_refused_whole(sqlite_url: str) -> None:
    with open_dossiers(sqlite_url) as store:
        store.add(LANTERNE, as_of=AS_OF)
        document = store.export().model_dump(mode="json")
        document["dossiers"][0]["id"] = "autre"
        document["dossiers"][0]["diagnoses"][0]["profile"] = {"employes": 3}
        with pytest.raises(DossierError) as error:
            store.import_document(json.dumps(document))
        assert str(error.value).startswith("export invalide, dossier n°1 (« autre ») : diagnostic n°1 : "
                                           "Profil invalide :")
        assert "champ « employes » inconnu." in str(error.value)
        assert [s.id for s in store.list()] != ["autre"] and store.count() == 1
