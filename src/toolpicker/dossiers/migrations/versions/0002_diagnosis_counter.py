"""A diagnosis counter on each dossier, and an index on the update time.

Numbering a new diagnosis with ``max(n) + 1`` lets two PostgreSQL transactions
pick the same number; incrementing a counter on the dossier's row locks that
row, so concurrent additions queue instead of failing. The counter also lets
``dossier list`` read one table (no count over every diagnosis), and the index
serves its order (most recently updated first). Existing dossiers get their
counter from their diagnoses.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("toolpicker_dossier", sa.Column("diagnoses", sa.Integer, nullable=False, server_default="0"))
    op.execute("UPDATE toolpicker_dossier SET diagnoses = (SELECT COALESCE(MAX(n), 0) FROM toolpicker_diagnosis "
               "WHERE toolpicker_diagnosis.dossier_id = toolpicker_dossier.id)")
    op.create_index("ix_toolpicker_dossier_updated", "toolpicker_dossier", ["updated"])


def downgrade() -> None:
    op.drop_index("ix_toolpicker_dossier_updated", "toolpicker_dossier")
    with op.batch_alter_table("toolpicker_dossier") as batch:
        batch.drop_column("diagnoses")
