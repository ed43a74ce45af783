"""The command line through CliRunner: exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from toolpicker.interfaces.cli import main

from .conftest import AS_OF, EXAMPLES, FIXTURES, write_rules

EXAMPLE = str(EXAMPLES / "petite-association-culturelle.yaml")


def invoke(runner: CliRunner, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_recommend_prints_french_text_with_reasons(runner: CliRunner) -> None:
    result = invoke(runner, "recommend", EXAMPLE, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.output.startswith("RECOMMANDATION NUMÉRIQUE POUR COMPAGNIE LA LANTERNE\nÉtablie le 28 novembre 2026")
    assert "\nEN BREF : TROIS PRIORITÉS\n  1. Commencer par : " in result.output
    assert "\nOUTILS\n" in result.output
    assert "\nQUESTIONS À POSER ENSUITE\n" in result.output


def test_recommend_json_is_the_library_object(runner: CliRunner) -> None:
    import toolpicker
    from toolpicker.knowledge.profile import load_profile

    result = invoke(runner, "recommend", EXAMPLE, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0
    profile = load_profile(Path(EXAMPLE).read_bytes(), EXAMPLE)
    assert json.loads(result.output) == toolpicker.recommend(profile, as_of=AS_OF).model_dump(mode="json")


def test_recommend_markdown_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "rapport.md"
    result = invoke(runner, "recommend", EXAMPLE, "--format", "markdown", "-o", str(target), "--as-of", AS_OF)
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Recommandation numérique pour Compagnie La Lanterne")
    assert "## Pistes de financement" in text


def test_recommend_reads_stdin(runner: CliRunner) -> None:
    result = invoke(runner, "recommend", "-", "--format", "json", "--as-of", AS_OF, stdin='{"employees": 2}')
    assert result.exit_code == 0
    assert json.loads(result.output)["profile"]["employees"] == 2


def test_bad_profile_exits_2_with_the_field_named_and_no_traceback(runner: CliRunner) -> None:
    path = FIXTURES / "bad_profiles" / "unknown_field.yaml"
    result = invoke(runner, "recommend", str(path))
    assert result.exit_code == 2
    assert result.output == (
        "Erreur : Profil invalide :\n"
        f"  - {path}:2: champ « employes » inconnu. Vouliez-vous dire « employees » ?\n"
    )


def test_missing_profile_file(runner: CliRunner) -> None:
    result = invoke(runner, "recommend", "nope.yaml")
    assert result.exit_code == 2
    assert result.output == "Erreur : Impossible de lire nope.yaml.\n  - nope.yaml: fichier introuvable.\n"


def test_bad_as_of(runner: CliRunner) -> None:
    result = invoke(runner, "recommend", EXAMPLE, "--as-of", "demain")
    assert result.exit_code == 2
    assert result.output == "Erreur : date « demain » invalide ; format attendu AAAA-MM-JJ (par ex. 2026-01-31).\n"


def test_failed_output_leaves_no_half_written_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.json"
    result = invoke(runner, "recommend", EXAMPLE, "-o", str(target))
    assert result.exit_code == 2
    assert "Impossible d'écrire" in result.output
    assert not target.exists()


def test_bad_profile_leaves_existing_output_untouched(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("previous", encoding="utf-8")
    result = invoke(runner, "recommend", str(FIXTURES / "bad_profiles" / "bad_enum.yaml"), "-o", str(target))
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "previous"
    assert list(tmp_path.iterdir()) == [target]


def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["recommend", EXAMPLE, "--format", "pdf"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_check_shipped_knowledge_base(runner: CliRunner) -> None:
    result = invoke(runner, "check")
    assert result.exit_code == 0
    *_, valid, layout, _verified = result.output.splitlines()
    assert valid.startswith("Base de connaissances valide : ")
    assert layout.startswith("Moteur : ") and layout.endswith("aucun profil ne peut atteindre ses limites.")


def test_check_reports_file_and_line_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    text = (FIXTURES / "bad_rules" / "unknown_field.yaml").read_text(encoding="utf-8")
    folder = write_rules(tmp_path, text)
    result = invoke(runner, "check", "--rules", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'rules.yaml'}:7: champ de profil « employes » inconnu. Vouliez-vous dire « employees » ?" \
        in result.output
    assert result.output.rstrip().endswith("1 problème(s) trouvé(s).")


def test_check_json(runner: CliRunner) -> None:
    result = invoke(runner, "check", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["ok"] is True


def test_catalog_json_matches_contract(runner: CliRunner) -> None:
    result = invoke(runner, "catalog", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"id", "name", "category", "licence", "delivery", "last_verified"} <= set(data["solutions"][0])
    assert {"id", "label", "providers", "valid_from", "valid_until"} <= set(data["funding_routes"][0])


def test_catalog_by_category(runner: CliRunner) -> None:
    result = invoke(runner, "catalog", "--category", "crm", "--format", "json")
    solutions = json.loads(result.output)["solutions"]
    assert solutions and all(s["category"] == "crm" or "crm" in s["also"] for s in solutions)
    assert "salesforce" in [s["id"] for s in solutions]


def test_catalog_unknown_category(runner: CliRunner) -> None:
    result = invoke(runner, "catalog", "--category", "crn")
    assert result.exit_code == 2
    assert result.output == "Erreur : catégorie « crn » inconnue. Vouliez-vous dire « crm » ?\n"


def test_english_messages(runner: CliRunner) -> None:
    result = invoke(runner, "--lang", "en", "recommend", str(FIXTURES / "bad_profiles" / "not_bool.yaml"))
    assert result.exit_code == 2
    assert "field « siae »: « oui » is not a boolean; write true or false." in result.output


def test_every_command_has_help_with_an_example_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        result = invoke(runner, name, "--help")
        assert result.exit_code == 0
        assert "toolpicker " + name in result.output, name
        assert f"toolpicker {name}" in readme, name


def test_output_file_keeps_a_readable_mode(runner: CliRunner, tmp_path: Path) -> None:
    import stat

    fresh = tmp_path / "fresh.md"
    assert invoke(runner, "recommend", EXAMPLE, "--format", "markdown", "-o", str(fresh)).exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    fresh.chmod(0o664)
    assert invoke(runner, "recommend", EXAMPLE, "--format", "markdown", "-o", str(fresh)).exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o664
