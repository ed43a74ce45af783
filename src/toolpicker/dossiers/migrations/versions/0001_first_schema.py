"""The first dossier schema: dossiers and their numbered diagnoses.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "toolpicker_dossier",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("updated", sa.String(32), nullable=False),
    )
    op.create_table(
        "toolpicker_diagnosis",
        sa.Column("dossier_id", sa.String(64), sa.ForeignKey("toolpicker_dossier.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("n", sa.Integer, primary_key=True),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("knowledge_base", sa.String(100), nullable=False),
        sa.Column("recommendation", sa.Text, nullable=False),
        sa.Column("recorded", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("toolpicker_diagnosis")
    op.drop_table("toolpicker_dossier")
