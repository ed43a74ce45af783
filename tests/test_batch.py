"""``toolpicker batch``: CSV and JSONL in, one JSON line per profile out, bad rows reported, summaries."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import toolpicker
from toolpicker.interfaces.batch import read_tasks
from toolpicker.interfaces.cli import main

from .conftest import AS_OF, FIXTURES

BATCH = FIXTURES / "batch"


def run(runner: CliRunner, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(main, ["batch", *args, "--as-of", AS_OF], catch_exceptions=False)
    out = Path(args[args.index("-o") + 1]) if "-o" in args else None
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out and out.exists() else []
    return result.exit_code, lines, result.output


def test_csv_rows_give_the_library_recommendation(runner: CliRunner, tmp_path: Path) -> None:
    code, lines, output = run(runner, str(BATCH / "profils.csv"), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0
    assert [line["row"] for line in lines] == [2, 3, 4, 5, 6]
    expected = toolpicker.recommend({"name": "Compagnie La Lanterne", "legal_form": "association", "employees": 2,
                                     "siae": False, "needs": ["collaboration", "file_sharing", "newsletter"],
                                     "data_sensitivity": "personal", "digital_budget_eur": 300}, as_of=AS_OF)
    assert lines[0]["recommendation"] == expected.model_dump(mode="json")
    assert lines[3]["recommendation"]["profile"]["legal_form"] is None  # empty cell = unknown
    assert "5 profil(s) : 3 traité(s), 2 en erreur." in output


def test_bad_rows_are_reported_with_row_and_field_without_stopping(runner: CliRunner, tmp_path: Path) -> None:
    _, lines, _ = run(runner, str(BATCH / "profils.csv"), "-o", str(tmp_path / "out.jsonl"))
    errors = {line["row"]: line["error"] for line in lines if "error" in line}
    assert set(errors) == {4, 6}
    assert errors[4]["problems"] == [{"field": "employees", "value": "trois", "code": "int_type", "suggestion": None,
                                      "message": "champ « employees » : « trois » n'est pas un nombre entier."}]
    assert errors[6]["problems"][0]["field"] == "legal_form"
    assert errors[6]["problems"][0]["suggestion"] == "Vouliez-vous dire « Association » ?"


def test_jsonl_with_bad_lines(runner: CliRunner, tmp_path: Path) -> None:
    code, lines, _ = run(runner, str(BATCH / "profils.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0
    assert [line["row"] for line in lines] == [1, 2, 4, 5, 6]  # the blank line 3 is skipped
    assert lines[2]["error"]["message"] == "JSON invalide (colonne 32)."
    assert lines[3]["error"]["problems"][0]["code"] == "not_mapping"
    assert lines[4]["error"]["problems"][0]["suggestion"] == "Vouliez-vous dire « employees » ?"


def test_two_jobs_give_the_same_lines_in_the_same_order(runner: CliRunner, tmp_path: Path) -> None:
    _, one, _ = run(runner, str(BATCH / "profils.jsonl"), "-o", str(tmp_path / "one.jsonl"))
    _, two, _ = run(runner, str(BATCH / "profils.jsonl"), "-o", str(tmp_path / "two.jsonl"), "--jobs", "2")
    assert one == two


def test_semicolon_csv_uses_pipes_in_lists() -> None:
    text = "name;needs;federation_member\nA;website|newsletter;oui\n"
    (task,) = read_tasks(text.encode(), "x.csv")
    assert task.data == {"name": "A", "needs": ["website", "newsletter"], "federation_member": True}


def test_unknown_column_fails_the_file_with_a_suggestion(runner: CliRunner) -> None:
    path = BATCH / "bad_header.csv"
    result = runner.invoke(main, ["batch", str(path)])
    assert result.exit_code == 2
    assert result.output == (
        f"Erreur : {path} : en-tête CSV invalide :\n"
        f"  - {path}:1: colonne 2 « employes » : ce n'est pas un champ du profil. Vouliez-vous dire « employees » ?\n")


def test_unknown_extension(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "profils.txt"
    path.write_text("{}", encoding="utf-8")
    result = runner.invoke(main, ["batch", str(path)])
    assert result.exit_code == 2
    assert "extension non reconnue" in result.output


def test_summary_html_is_self_contained_with_svg_bars(runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "synthese.html"
    code, _, _ = run(runner, str(BATCH / "profils.csv"), "-o", str(tmp_path / "o.jsonl"), "--summary-html", str(page))
    assert code == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "<svg" in html
    assert 'class="bar"' in html
    assert "Diagnostic numérique" in html
    assert "src=" not in html  # nothing to fetch
    assert "<link" not in html


def test_output_to_stdout_keeps_the_table_on_stderr(runner: CliRunner) -> None:
    result = runner.invoke(main, ["batch", str(BATCH / "profils.jsonl"), "--as-of", AS_OF])
    assert result.exit_code == 0
    rows = [json.loads(line)["row"] for line in result.stdout.splitlines()]
    assert rows == [1, 2, 4, 5, 6]
    assert "traité(s)" in result.stderr


def test_failed_output_leaves_nothing(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.jsonl"
    result = runner.invoke(main, ["batch", str(BATCH / "profils.jsonl"), "-o", str(target)])
    assert result.exit_code == 2
    assert "Impossible d'écrire" in result.output
    assert not target.parent.exists()
