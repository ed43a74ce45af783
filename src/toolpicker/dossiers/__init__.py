"""Adviser dossiers (CONTRACT §7): follow each structure from diagnosis to follow-up, on SQLite or PostgreSQL.

>>> from toolpicker.dossiers import open_dossiers
>>> store = open_dossiers("sqlite:///suivi.sqlite3")        # doctest: +SKIP
>>> added = store.add(profile, note="premier rendez-vous")    # doctest: +SKIP
>>> store.diff(added.dossier)                                 # doctest: +SKIP

``open_dossiers(None)`` uses ``TOOLPICKER_DB``, else the SQLite file in the
user's data folder. The schema is migrated on open; every write is one
transaction. SQLAlchemy and Alembic are imported only by this package.
"""

from __future__ import annotations

from ._database import DossierError, database_url, default_database_file
from ._records import (
    Added,
    Diagnosis,
    Dossier,
    DossierDiff,
    DossierSummary,
    ExportDocument,
    ItemChange,
    ProfileChange,
    Side,
)
from ._store import DossierStore, dumps, parse_export


def open_dossiers(url: str | None = None) -> DossierStore:
    """The dossier store at ``url`` (SQLAlchemy URL), migrated to the current schema."""
    return DossierStore(url)


__all__ = [
    "Added",
    "Diagnosis",
    "Dossier",
    "DossierDiff",
    "DossierError",
    "DossierStore",
    "DossierSummary",
    "ExportDocument",
    "ItemChange",
    "ProfileChange",
    "Side",
    "database_url",
    "default_database_file",
    "dumps",
    "open_dossiers",
    "parse_export",
]
