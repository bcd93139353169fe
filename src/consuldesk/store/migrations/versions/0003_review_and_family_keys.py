"""values set aside for review on nationals, and families known by their list value

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 02:00:00

A national keeps the values an import set aside (``review``, JSON, NULL when nothing needs
review), with a partial index over the few records that need review. A household keeps the
value that named it in a list's family column (``list_key``), so later lists join it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    # Plain ADD COLUMN: no batch copy, so the national table keeps its search triggers.
    op.add_column("national", sa.Column("review", sa.JSON(), nullable=True))
    op.create_index(
        "ix_national_needs_review",
        "national",
        ["sort_name"],
        unique=False,
        sqlite_where=sa.text("review IS NOT NULL AND deleted_at IS NULL"),
    )
    op.add_column(
        "household", sa.Column("list_key", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )
    op.create_index(op.f("ix_household_list_key"), "household", ["list_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_household_list_key"), table_name="household")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_column("list_key")
    op.drop_index("ix_national_needs_review", table_name="national")
    op.execute("ALTER TABLE national DROP COLUMN review")
