"""Shared by the dossier tests: a fresh database per test, on SQLite always and on PostgreSQL when
``TOOLPICKER_TEST_PG`` names one (``.ci/run`` starts a server and sets it, so CI covers both)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import toolpicker

PG_VARIABLE = "TOOLPICKER_TEST_PG"
AS_OF = "2026-11-28"
LANTERNE = {"name": "Compagnie La Lanterne", "legal_form": "association", "sector": "culture", "employees": 2,
            "needs": ["collaboration", "file_sharing"]}
LANTERNE_LATER = {**LANTERNE, "employees": 14, "needs": ["collaboration", "contact_management", "file_sharing"]}


def postgres_url() -> str | None:
    return os.environ.get(PG_VARIABLE) or None


def reset_postgres(url: str) -> None:
    """Drop toolpicker's tables: each test starts from an empty database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS toolpicker_diagnosis, toolpicker_dossier, toolpicker_schema, "
                          "other_program_table CASCADE"))
    engine.dispose()


def _backend_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'dossiers.sqlite3'}"
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_VARIABLE} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(f"{PG_VARIABLE} is not set (a PostgreSQL URL)")
    reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty dossier database: SQLite, then PostgreSQL."""
    url = _backend_url(request.param, tmp_path)
    yield url
    if request.param == "postgresql":
        reset_postgres(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dossiers.sqlite3'}"


@cache
def recommendation(profile_json: str) -> dict[str, Any]:
    """The §2 object of a profile on the shipped knowledge base (cached: tests record it many times)."""
    return toolpicker.recommend(json.loads(profile_json), as_of=AS_OF).model_dump(mode="json")


def diagnosis_of(profile: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(validated profile, recommendation) as :meth:`DossierStore.record` takes them."""
    parsed = toolpicker.parse_profile(profile).model_dump(mode="json")
    return parsed, recommendation(json.dumps(profile, sort_keys=True))
