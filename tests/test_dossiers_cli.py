"""`toolpicker dossier …` through CliRunner: the §7 JSON shapes, French text, exit codes and exact messages."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from toolpicker.dossiers import open_dossiers
from toolpicker.interfaces.cli import main

from . import dossiers_support as support
from .conftest import EXAMPLES
from .dossiers_support import AS_OF

db_url = support.db_url
EXAMPLE = str(EXAMPLES / "petite-association-culturelle.yaml")


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def later(tmp_path: Path) -> str:
    """The same structure a few months later: more staff, a new need."""
    path = tmp_path / "lanterne-juin.yaml"
    text = Path(EXAMPLE).read_text(encoding="utf-8").replace("employees: 2", "employees: 14")
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_advisers_follow_up_from_first_diagnosis_to_comparison(db_url: str, later: str) -> None:
    added = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--note", "Rendez-vous avec Mme Martin",
                        "--as-of", AS_OF, "--format", "json"))
    assert set(added) == {"dossier", "diagnosis"} and added["diagnosis"] == 1
    dossier_id = added["dossier"]
    assert as_json(run("dossier", "add", later, "--to", dossier_id, "--db", db_url, "--as-of", "2027-03-01",
                       "--format", "json")) == {"dossier": dossier_id, "diagnosis": 2}

    listed = as_json(run("dossier", "list", "--db", db_url, "--format", "json"))
    assert [{k: v for k, v in s.items() if k != "updated"} for s in listed] == [
        {"id": dossier_id, "name": "Compagnie La Lanterne", "diagnoses": 2}]
    assert listed[0]["updated"][:10].count("-") == 2

    shown = as_json(run("dossier", "show", dossier_id, "--db", db_url, "--format", "json"))
    assert (shown["id"], shown["name"]) == (dossier_id, "Compagnie La Lanterne")
    first = shown["diagnoses"][0]
    assert {"n", "date", "note", "profile", "knowledge_base", "recommendation"} <= set(first)
    assert (first["n"], first["date"], first["note"]) == (1, AS_OF, "Rendez-vous avec Mme Martin")
    assert first["recommendation"] == run_recommend(EXAMPLE, AS_OF)

    diff = as_json(run("dossier", "diff", dossier_id, "--db", db_url, "--format", "json"))
    assert diff["profile"] == [{"field": "employees", "before": 2, "after": 14}]
    assert {"family", "id", "change", "before_rank", "after_rank", "rules"} <= set(diff["items"][0])
    assert {i["change"] for i in diff["items"]} <= {"added", "removed", "moved"}

    text = run("dossier", "diff", dossier_id, "--db", db_url)
    assert text.exit_code == 0
    assert text.output.startswith(f"DOSSIER {dossier_id} — Compagnie La Lanterne : du diagnostic n°1 (2026-11-28) "
                                  "au diagnostic n°2 (2027-03-01)\n\nRéponses modifiées :\n  - Salarié·es : 2 → 14\n")
    assert "est désormais recommandé (rang" in text.output


def run_recommend(path: str, as_of: str) -> Any:
    return as_json(run("recommend", path, "--format", "json", "--as-of", as_of))


def test_text_list_and_show(db_url: str) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--as-of", AS_OF, "--note",
                             "appel du 3 mars", "--format", "json"))["dossier"]
    listed = run("dossier", "list", "--db", db_url)
    shown_url = open_dossiers(db_url).url
    assert listed.output.splitlines()[:3] == [f"1 dossier(s) dans {shown_url} :", "",
                                              "Dossier   Structure              Diagnostics  Mis à jour"]
    assert listed.output.splitlines()[3].startswith(f"{dossier_id}  Compagnie La Lanterne            1  ")
    shown = run("dossier", "show", dossier_id, "--db", db_url).output.splitlines()
    assert shown[0] == f"DOSSIER {dossier_id} — Compagnie La Lanterne"
    assert shown[3].startswith("Diagnostic n°1 du 28 novembre 2026 (base de connaissances ")
    assert shown[4] == "  Note : appel du 3 mars"
    assert "  Priorités alors :" in shown


def test_add_prints_the_new_dossier_in_french(db_url: str) -> None:
    result = run("dossier", "add", EXAMPLE, "--db", db_url)
    assert result.exit_code == 0
    dossier_id = open_dossiers(db_url).list()[0].id
    assert result.output == f"Nouveau dossier {dossier_id} (Compagnie La Lanterne) : diagnostic n°1 enregistré.\n"
    again = run("dossier", "add", EXAMPLE, "--db", db_url, "--to", dossier_id)
    assert again.output == f"Diagnostic n°2 enregistré dans le dossier {dossier_id} (Compagnie La Lanterne).\n"


def test_rerun_has_the_diff_shape(db_url: str) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--as-of", AS_OF, "--format",
                             "json"))["dossier"]
    rerun = as_json(run("dossier", "rerun", dossier_id, "--db", db_url, "--as-of", AS_OF, "--format", "json"))
    assert (rerun["profile"], rerun["items"]) == ([], [])
    assert rerun["before"]["n"] == 1 and rerun["after"]["n"] is None
    text = run("dossier", "rerun", dossier_id, "--db", db_url, "--as-of", AS_OF).output
    assert "revu avec la base d'aujourd'hui" in text and "Aucun élément recommandé n'a changé de place." in text


def test_export_import_round_trip_through_files(db_url: str, tmp_path: Path, later: str) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--format", "json"))["dossier"]
    run("dossier", "add", later, "--db", db_url, "--to", dossier_id)
    run("dossier", "add", EXAMPLE, "--db", db_url)
    exported = tmp_path / "sauvegarde.json"
    result = run("dossier", "export", "--all", "-o", str(exported), "--db", db_url)
    assert result.exit_code == 0
    assert result.output.endswith(f"2 dossier(s) exporté(s) dans {exported}.\n")
    other = f"sqlite:///{tmp_path / 'autre.sqlite3'}"
    imported = run("dossier", "import", str(exported), "--db", other)
    assert imported.output == f"2 dossier(s) importé(s) dans {open_dossiers(other).url} (3 diagnostic(s)).\n"
    again = tmp_path / "encore.json"
    run("dossier", "export", "--all", "-o", str(again), "--db", other)
    assert again.read_bytes() == exported.read_bytes()
    one = run("dossier", "export", dossier_id, "--db", db_url)
    assert [d["id"] for d in json.loads(one.output)["dossiers"]] == [dossier_id]
    refused = run("dossier", "import", str(exported), "--db", other)
    assert refused.exit_code == 2
    assert refused.output.startswith("Erreur : 2 dossier(s) de l'export existe(nt) déjà dans la base (")
    assert run("dossier", "import", str(exported), "--db", other, "--replace").exit_code == 0
    assert run("dossier", "export", "--db", db_url).output == "Erreur : indiquez un dossier (ID) ou --all, l'un des deux.\n"


def test_delete_asks_at_a_terminal_and_needs_yes_otherwise(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--format", "json"))["dossier"]
    refused = run("dossier", "delete", dossier_id, "--db", db_url)
    assert (refused.exit_code, refused.output) == (
        2, f"Erreur : suppression non confirmée : ajoutez --yes pour supprimer le dossier {dossier_id}.\n")
    monkeypatch.setattr("toolpicker.interfaces.dossier_cli.at_terminal", lambda: True)
    declined = CliRunner().invoke(main, ["dossier", "delete", dossier_id, "--db", db_url], input="n\n")
    assert f"Supprimer définitivement le dossier {dossier_id} (Compagnie La Lanterne, 1 diagnostic(s)) ?" in (
        declined.output)
    assert declined.exit_code == 2 and [s.id for s in open_dossiers(db_url).list()] == [dossier_id]
    accepted = CliRunner().invoke(main, ["dossier", "delete", dossier_id, "--db", db_url], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output.endswith(f"Dossier {dossier_id} supprimé.\n")
    assert open_dossiers(db_url).list() == []


def test_delete_with_yes_prints_the_contract_json(db_url: str) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--format", "json"))["dossier"]
    assert as_json(run("dossier", "delete", dossier_id, "--yes", "--db", db_url, "--format", "json")) == {
        "deleted": dossier_id}


def test_follow_up_report_says_what_changed_since_the_last_diagnosis(db_url: str, later: str, tmp_path: Path,
                                                                       ) -> None:
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", db_url, "--as-of", AS_OF, "--format",
                             "json"))["dossier"]
    run("dossier", "add", later, "--db", db_url, "--to", dossier_id, "--as-of", AS_OF)
    text = run("dossier", "report", dossier_id, "--db", db_url).output
    assert text.startswith("SUIVI NUMÉRIQUE DE COMPAGNIE LA LANTERNE\n")
    assert "Depuis le dernier diagnostic…\n\nDiagnostic n°2 du 28 novembre 2026 comparé au n°1 du 28 novembre 2026." in text
    html = tmp_path / "suivi.html"
    assert run("dossier", "report", dossier_id, "--db", db_url, "--format", "html", "-o", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert '<meta name="generator" content="toolpicker' in page and "Depuis le dernier diagnostic…" in page
    assert run("dossier", "report", dossier_id, "--db", db_url, "--format", "html", "-o", str(html)).exit_code == 0


def test_the_database_comes_from_the_environment_then_the_users_data_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from_env = tmp_path / "env.sqlite3"
    run("dossier", "add", EXAMPLE, env={"TOOLPICKER_DB": f"sqlite:///{from_env}"})
    assert open_dossiers(f"sqlite:///{from_env}").count() == 1
    monkeypatch.delenv("TOOLPICKER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert run("dossier", "add", EXAMPLE).exit_code == 0
    default = tmp_path / "data" / "toolpicker" / "dossiers.sqlite3"
    assert open_dossiers(f"sqlite:///{default}").count() == 1
    assert stat.S_IMODE(default.stat().st_mode) == 0o600  # notes may name people
    assert stat.S_IMODE(default.parent.stat().st_mode) == 0o700
    with open_dossiers(f"sqlite:///{default}").db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.parametrize(("args", "message"), [
    (["dossier", "show", "absent"], "Erreur : dossier « absent » introuvable.\n"),
    (["dossier", "diff", "absent"], "Erreur : dossier « absent » introuvable.\n"),
    (["dossier", "delete", "absent", "--yes"], "Erreur : dossier « absent » introuvable.\n"),
    (["dossier", "add", EXAMPLE, "--to", "absent"], "Erreur : dossier « absent » introuvable.\n"),
    (["dossier", "show", "a b"], "Erreur : identifiant de dossier « a b » invalide : lettres, chiffres, « - », "
                                 "« _ » et « . », 64 caractères au plus (« export » et « import » sont réservés).\n"),
])
def test_unknown_ids_exit_2_with_one_message(db_url: str, args: list[str], message: str) -> None:
    result = run(*args, "--db", db_url)
    assert (result.exit_code, result.output) == (2, message)


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://x@y/z", "base de données « mysql://x@y/z » non prise en charge : les dossiers se rangent dans SQLite "
                      "(sqlite:///…) ou PostgreSQL (postgresql+psycopg://…)."),
    ("pas une adresse", "adresse de base de données « pas une adresse » invalide (ce n'est pas une adresse "
                        "SQLAlchemy). Exemples : sqlite:///chemin/dossiers.sqlite3, "
                        "postgresql+psycopg://utilisateur@serveur/base."),
    ("sqlite:////nulle/part/d.sqlite3", "base sqlite:////nulle/part/d.sqlite3 : le dossier /nulle/part n'existe pas."),
    ("postgresql://moi:secret@127.0.0.1:1/base", "connexion impossible à la base "
     "postgresql+psycopg://moi:***@127.0.0.1:1/base (serveur injoignable, base inexistante ou identifiants refusés)."),
])
def test_bad_database_urls_exit_2_with_one_message(url: str, message: str) -> None:
    result = run("dossier", "list", "--db", url)
    assert (result.exit_code, result.output) == (2, f"Erreur : {message}\n")


def test_an_unreadable_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("ceci n'est pas une base\n" * 100, encoding="utf-8")
    result = run("dossier", "list", "--db", f"sqlite:///{path}")
    assert (result.exit_code, result.output) == (
        2, f"Erreur : sqlite:///{path} n'est pas une base de dossiers toolpicker lisible.\n")
    assert path.read_text(encoding="utf-8").startswith("ceci n'est pas une base")


def test_a_read_only_database_can_be_read_but_not_written(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    run("dossier", "add", EXAMPLE, "--db", f"sqlite:///{path}")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    assert len(as_json(run("dossier", "list", "--db", read_only, "--format", "json"))) == 1
    result = run("dossier", "add", EXAMPLE, "--db", read_only)
    assert (result.exit_code, result.output) == (
        2, f"Erreur : la base {read_only} est en lecture seule : rien n'a été enregistré.\n")
    assert open_dossiers(f"sqlite:///{path}").count() == 1


def test_a_newer_schema_is_refused_at_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    with open_dossiers(url) as store, store.db.write() as conn:
        conn.exec_driver_sql("UPDATE toolpicker_schema SET version_num = '0042'")
    result = run("dossier", "list", "--db", url)
    assert result.exit_code == 2
    assert result.output.startswith(f"Erreur : la base {url} vient d'une version plus récente de toolpicker")


def test_a_bad_export_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    bad = tmp_path / "faux.json"
    bad.write_text('{"format": "toolpicker-dossiers", "format_version": 1, "toolpicker_version": "x", '
                   '"dossiers": [{"id": "a", "name": "A", "created": "hier", "updated": "2026-01-01T00:00:00Z", '
                   '"diagnoses": []}]}', encoding="utf-8")
    result = run("dossier", "import", str(bad), "--db", url)
    assert (result.exit_code, result.output) == (
        2, "Erreur : export invalide, dossier n°1 (« a ») : horodatage « hier » invalide "
           "(AAAA-MM-JJTHH:MM:SS.ffffffZ attendu). Rien n'a été importé.\n")
    assert open_dossiers(url).count() == 0


@pytest.mark.parametrize(("text", "message"), [
    ("{", "l'export n'est pas du JSON valide (ligne 1, colonne 2)."),
    ('{"format": "autre"}', "ce fichier n'est pas un export de dossiers toolpicker (« format »: "
                            "« toolpicker-dossiers » attendu)."),
    ('{"format": "toolpicker-dossiers", "format": "x"}', "la clé « format » apparaît deux fois dans l'export."),
    ('{"format": "toolpicker-dossiers", "n": NaN}', "l'export contient une valeur non acceptée (NaN, Infinity, "
                                                    "nombre trop grand ou imbrication trop profonde)."),
    ('{"format": "toolpicker-dossiers", "n": "\\ud800"}', "l'export contient un caractère Unicode incomplet "
                                                          "(demi-paire de substitution)."),
])
def test_malformed_exports(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "faux.json"
    bad.write_text(text, encoding="utf-8")
    result = run("dossier", "import", str(bad), "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert (result.exit_code, result.output) == (2, f"Erreur : {message}\n")


def test_every_dossier_command_has_help_with_an_example() -> None:
    from toolpicker.interfaces.dossier_cli import dossier

    for name in [None, *dossier.commands]:
        result = run("dossier", *([name] if name else []), "--help")
        assert result.exit_code == 0
        assert "Exemple" in result.output, name
        readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
        assert name is None or f"toolpicker dossier {name}" in readme, name


def test_english_messages(tmp_path: Path) -> None:
    result = run("--lang", "en", "dossier", "show", "absent", "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert (result.exit_code, result.output) == (2, "Error: no dossier « absent ».\n")


def test_nothing_with_dossier_content_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture, later: str,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    secret = "Mme Jeanne Secret-Témoin, bénéficiaire suivie"  # noqa: S105 - a note, not a password
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    caplog.set_level(logging.DEBUG)
    dossier_id = as_json(run("dossier", "add", EXAMPLE, "--db", url, "--note", secret, "--format", "json"))["dossier"]
    run("dossier", "add", later, "--db", url, "--to", dossier_id, "--note", secret)
    for command in (["show", dossier_id], ["diff", dossier_id], ["rerun", dossier_id], ["list"],
                    ["export", "--all"], ["report", dossier_id]):
        run("dossier", *command, "--db", url)
    failing = run("dossier", "add", later, "--db", f"sqlite:///file:{tmp_path / 'd.sqlite3'}?mode=ro&uri=true",
                  "--to", dossier_id, "--note", secret)
    assert failing.exit_code == 2 and secret not in failing.output
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records)
    assert secret not in logged and "Compagnie La Lanterne" not in logged
    assert secret not in capfd.readouterr().err
