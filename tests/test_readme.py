"""The README runs as written: its Python blocks, its report excerpt, the example files it and `--help` cite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolpicker.interfaces.cli import main

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str, text: str = README) -> list[str]:
    """The fenced blocks of ``text`` opened with ```` ```language ```` (`""`: no language)."""
    blocks: list[str] = []
    current: list[str] | None = None
    opened = ""
    for line in text.splitlines():
        if current is None and line.lstrip().startswith("```"):
            current, opened = [], line.strip()[3:]
        elif current is not None and line.strip() == "```":
            if opened == language:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_every_python_block_runs_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the blocks name the shipped `rules/` and `catalog/` folders
    blocks = _blocks("python")
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}
    for index, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {index + 1}", "exec"), namespace)  # noqa: S102
    assert namespace["category"] is not None and namespace["text"]


def test_the_report_excerpt_is_what_the_command_prints() -> None:
    section = README.split("### What comes out", 1)[1].split("\n## ", 1)[0]
    block = _blocks("", section)[0]
    shown = [line for line in block.splitlines() if line.strip() not in ("", "…")]
    result = CliRunner().invoke(main, ["recommend", "examples/petite-association-culturelle.yaml",
                                       "--as-of", "2026-11-28"], catch_exceptions=False)
    assert result.exit_code == 0
    printed = iter(result.output.splitlines())
    for line in shown:  # in the same order, each line exactly as printed
        assert any(line == actual for actual in printed), line


def _cited_examples(text: str) -> set[str]:
    return set(re.findall(r"examples/[\w.-]+\.(?:ya?ml|json|csv|jsonl)", text))


def test_every_example_file_cited_exists() -> None:
    cited = _cited_examples(README)
    runner = CliRunner()
    for name in [None, *main.commands]:
        result = runner.invoke(main, [name, "--help"] if name else ["--help"])
        assert result.exit_code == 0, name
        cited |= _cited_examples(result.output)
    assert cited, "no example cited"
    missing = sorted(path for path in cited if not (ROOT / path).is_file())
    assert not missing, missing


def test_every_document_the_code_or_the_readme_cites_exists() -> None:
    cited: set[str] = set(re.findall(r"docs/[\w.-]+\.md", README))
    for path in (ROOT / "src").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        cited |= set(re.findall(r"docs/[\w.-]+\.md", text))
        if "CONTRACT §" in text:
            cited.add("docs/contract.md")
    missing = sorted(c for c in cited if not (ROOT / c).is_file())
    assert not missing, missing
    assert "docs/contract.md" in cited
