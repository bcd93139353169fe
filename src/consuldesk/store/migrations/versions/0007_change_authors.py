"""change authors: who made each post's changes; who and what before in a sync conflict

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 07:20:00

``change_author`` keeps, for every write transaction, the officer and the range of versions it
issued at its post; bundles carry these rows with the changes. A sync conflict now records
the officer of each side and the field's value before the two changes. Case files written
before this revision have no authors for their older changes: their conflicts say "not known".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    op.create_table(
        "change_author",
        sa.Column("node", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("through", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("officer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("node", "through", name=op.f("pk_change_author")),
    )
    with op.batch_alter_table("sync_conflict") as batch:
        batch.add_column(sa.Column("kept_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("other_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("before_value", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("before_known", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_conflict") as batch:
        batch.drop_column("before_known")
        batch.drop_column("before_value")
        batch.drop_column("other_by")
        batch.drop_column("kept_by")
    op.drop_table("change_author")
