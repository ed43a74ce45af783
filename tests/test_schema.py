"""What toolpicker hands over besides JSON: the profile's JSON Schema and the printable HTML report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import toolpicker
from toolpicker.interfaces.cli import main
from toolpicker.knowledge.questions import coerce, profile_schema, profile_yaml

from .conftest import AS_OF, EXAMPLES

EXAMPLE = str(EXAMPLES / "petite-association-culturelle.yaml")


def test_schema_command_prints_the_profile_schema_with_french_titles(runner: CliRunner) -> None:
    result = runner.invoke(main, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Profil de structure"
    assert schema["properties"].keys() == toolpicker.Profile.model_json_schema()["properties"].keys()
    assert schema["additionalProperties"] is False
    sector = schema["properties"]["sector"]
    assert sector["title"] == "Secteur d'activité"
    assert sector["description"].startswith("Quel est le principal secteur d'activité de la structure ?")
    assert sector["x-labels"]["popular_education"] == "Éducation populaire"
    assert schema["properties"]["needs"]["x-labels"]["website"] == "Site internet"


def test_schema_in_english(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--lang", "en", "schema"], catch_exceptions=False)
    assert json.loads(result.output)["properties"]["sector"]["title"] == "Sector"


def test_schema_keeps_the_validation_keywords(kb: toolpicker.KnowledgeBase) -> None:
    schema = profile_schema(kb)
    original = toolpicker.Profile.model_json_schema()
    for name, prop in original["properties"].items():
        assert schema["properties"][name]["anyOf"] == prop["anyOf"], name


def test_profile_yaml_round_trips(kb: toolpicker.KnowledgeBase) -> None:
    from toolpicker.knowledge.profile import load_profile

    profile = toolpicker.Profile(name="Léa « Asso »", employees=3, siae=False, needs=["website", "accounting"])
    assert load_profile(profile_yaml(profile), "p.yaml") == profile
    assert profile_yaml(toolpicker.Profile()) == "{}\n"


def test_typed_text_becomes_profile_values() -> None:
    assert coerce("siae", "Oui") is True
    assert coerce("federation_member", "non") is False
    assert coerce("employees", " 1 200 ") == 1200
    assert coerce("employees", "trois") == "trois"  # left for validation to report
    assert coerce("needs", "website; newsletter|accounting") == ["website", "newsletter", "accounting"]
    assert coerce("sector", "") is None


def test_recommend_html_is_a_self_contained_printable_report(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "rapport.html"
    result = runner.invoke(main, ["recommend", EXAMPLE, "--format", "html", "-o", str(target), "--as-of", AS_OF],
                           catch_exceptions=False)
    assert result.exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>\n<html lang=\"fr\">")
    assert "<title>Recommandation numérique pour Compagnie La Lanterne</title>" in html
    assert "@media print" in html
    assert "<h2>Pistes de financement</h2>" in html
    assert "<link" not in html  # no external stylesheet
    assert "<script" not in html


def test_html_report_escapes_what_people_typed() -> None:
    from toolpicker.interfaces.render import render

    rec = toolpicker.recommend({"name": "<script>alert(1)</script> & Cie"}, as_of=AS_OF)
    html = render(rec, "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Cie" in html


def test_html_report_in_english(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--lang", "en", "recommend", EXAMPLE, "--format", "html", "--as-of", AS_OF],
                           catch_exceptions=False)
    assert '<html lang="en">' in result.output
