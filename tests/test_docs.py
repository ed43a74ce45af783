"""The generated HTML documentation: a page per rule, item and solution, linked, browsable offline."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import toolpicker
from toolpicker.audit.docs import build_docs
from toolpicker.interfaces.cli import main


def test_a_page_per_rule_item_and_solution(kb: toolpicker.KnowledgeBase, tmp_path: Path) -> None:
    out = tmp_path / "site"
    pages = build_docs(kb, out)
    assert pages == 1 + len(kb.rules) + len(kb.taxonomy) + len(kb.funding_routes) + len(kb.solutions)
    rule = kb.rules[0]
    page = (out / "rule" / f"{rule.id}.html").read_text(encoding="utf-8")
    assert rule.source.replace("'", "&#39;") in page
    assert 'href="../index.html"' in page
    assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]  # no CDN
    assert (out / "item" / "crm.html").read_text(encoding="utf-8").count('href="../solution/') >= 3


def test_cli_docs_replaces_its_own_pages_and_keeps_everything_else(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Documentation écrite" in result.output
    (out / "notes-de-la-conseillere.txt").write_text("à garder", encoding="utf-8")
    (out / "rule" / "ancienne-regle.html").write_text("old", encoding="utf-8")  # not a page toolpicker wrote
    marker = out / ".toolpicker-docs"
    marker.write_text(marker.read_text(encoding="utf-8") + "rule/supprimee.html\n", encoding="utf-8")
    (out / "rule" / "supprimee.html").write_text("old", encoding="utf-8")  # a page of the previous site
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    again = CliRunner().invoke(main, ["docs", "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert (out / "notes-de-la-conseillere.txt").read_text(encoding="utf-8") == "à garder"
    assert (out / "rule" / "ancienne-regle.html").read_text(encoding="utf-8") == "old"
    assert not (out / "rule" / "supprimee.html").exists()
    assert (out / "index.html").exists()


@pytest.mark.parametrize("where", ["folder", "current"])
def test_docs_never_touches_a_folder_of_the_users(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch,
                                                   ) -> None:
    """`docs -o mydata` and `docs -o .` once deleted every file: now refused, nothing written or removed."""
    data = tmp_path / "mydata"
    data.mkdir()
    (data / "thesis.txt").write_text("x", encoding="utf-8")
    target = str(data)
    if where == "current":
        monkeypatch.chdir(data)
        target = "."
    result = CliRunner().invoke(main, ["docs", "-o", target])
    assert result.exit_code == 2
    assert "n'est pas vide et ne contient pas de documentation toolpicker : rien n'a été écrit ni supprimé" in (
        result.output)
    assert sorted(p.name for p in data.iterdir()) == ["thesis.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mydata"]  # no staging folder left
    assert stat.S_IMODE(data.stat().st_mode) == 0o755


def test_docs_onto_a_file_is_a_clear_error(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "-o", str(target)])
    assert result.exit_code == 2
    assert f"{target} est un fichier, pas un dossier" in result.output
    assert target.read_text(encoding="utf-8") == "x"
