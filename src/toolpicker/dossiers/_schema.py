"""The dossier tables as they are at the head of the migrations (``migrations/versions``).

Names carry a ``toolpicker_`` prefix so that a PostgreSQL database shared with
other programs never mixes their tables with ours. Times are ISO 8601 UTC text
(``2026-12-02T16:21:25.123456Z``) and JSON documents are text: both come back
byte for byte, on SQLite and on PostgreSQL, which is what makes an export
restore exactly.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

VERSION_TABLE = "toolpicker_schema"
"""Alembic's version table (one row: the schema revision of the database)."""
REVISIONS = ("0001", "0002")
"""Every schema revision this toolpicker knows, oldest first (a test checks them against ``migrations/``)."""
HEAD = REVISIONS[-1]

metadata = MetaData()

dossier = Table(
    "toolpicker_dossier", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created", String(32), nullable=False),
    Column("updated", String(32), nullable=False),
    Column("diagnoses", Integer, nullable=False),
    Index("ix_toolpicker_dossier_updated", "updated"),
)

diagnosis = Table(
    "toolpicker_diagnosis", metadata,
    Column("dossier_id", String(64), ForeignKey("toolpicker_dossier.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("date", String(10), nullable=False),
    Column("note", Text, nullable=True),
    Column("profile", Text, nullable=False),
    Column("knowledge_base", String(100), nullable=False),
    Column("recommendation", Text, nullable=False),
    Column("recorded", String(32), nullable=False),
)
