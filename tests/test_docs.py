"""The generated HTML documentation: a page per rule, item and solution, linked, browsable offline."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import toolpicker
from toolpicker.cli import main
from toolpicker.docsgen import build_docs


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


def test_cli_docs_replaces_the_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Documentation écrite" in result.output
    assert not (out / "stale.html").exists()
    assert (out / "index.html").exists()
