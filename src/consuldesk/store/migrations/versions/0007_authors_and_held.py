"""change authors and held records: who made each change; what each peer holds

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 07:20:00

``change_author`` keeps, for every write transaction, the officer and the range of versions it
issued at its post; bundles carry these rows with the changes. A sync conflict now records
the officer of each side, the field's value before the two changes, and the value chosen. Case files written
before this revision have no authors for their older changes: their conflicts say "not known".
``sync_held`` lists the records another post made that a peer is known to hold (sent to it
whole, or received from it): a bundle for a post carries what concerns it and what it holds.
A peer's key now says its host country (key files publish it), so headquarters knows what
concerns a post before its first bundle.
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
    op.create_table(
        "sync_held",
        sa.Column("peer", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.PrimaryKeyConstraint("peer", "table_name", "record_id", name=op.f("pk_sync_held")),
    )
    with op.batch_alter_table("peer_key") as batch:
        batch.add_column(
            sa.Column("host_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )
    with op.batch_alter_table("sync_conflict") as batch:
        batch.add_column(sa.Column("kept_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("other_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("before_value", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("before_known", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("resolved_value", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_conflict") as batch:
        batch.drop_column("resolved_value")
        batch.drop_column("before_known")
        batch.drop_column("before_value")
        batch.drop_column("other_by")
        batch.drop_column("kept_by")
    with op.batch_alter_table("peer_key") as batch:
        batch.drop_column("host_country")
    op.drop_table("sync_held")
    op.drop_table("change_author")
