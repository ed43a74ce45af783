"""Shared fixtures: the shipped knowledge base, fixture folders, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import toolpicker
from toolpicker.knowledge.base import shipped_dir

HERE = Path(__file__).parent


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's knowledge-base cache."""
    import os

    os.environ["TOOLPICKER_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
FIXTURES = HERE / "fixtures"
ROOT = HERE.parent
EXAMPLES = ROOT / "examples"
AS_OF = "2026-11-28"


@pytest.fixture(scope="session")
def kb() -> toolpicker.KnowledgeBase:
    return toolpicker.load_knowledge_base()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalogue."""
    target = tmp_path / "catalog"
    shutil.copytree(shipped_dir("catalog"), target)
    return target


def write_rules(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder
