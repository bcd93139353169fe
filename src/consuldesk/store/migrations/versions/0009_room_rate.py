"""hotel rates per room or per person; a hotel's country

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:50:00

``hotel.rate_basis`` says what the nightly rate is charged for: ``person`` (each guest pays it,
what every rate meant before this revision, so existing rows keep that meaning) or ``room``
(a room pays it once a night, however many share it). A placement copies the basis with the
rate; placements per room that share ``room_group`` (the id of the first of them) are one
room. ``hotel.country`` (ISO alpha-2) lets the hotel form offer only that country's cities.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    with op.batch_alter_table("hotel") as batch:
        batch.add_column(
            sa.Column(
                "rate_basis",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="person",
            )
        )
        batch.add_column(
            sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )
    with op.batch_alter_table("placement") as batch:
        batch.add_column(
            sa.Column(
                "rate_basis",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="person",
            )
        )
        batch.add_column(
            sa.Column("room_group", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
        batch.create_index(batch.f("ix_placement_room_group"), ["room_group"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placement") as batch:
        batch.drop_index(batch.f("ix_placement_room_group"))
        batch.drop_column("room_group")
        batch.drop_column("rate_basis")
    with op.batch_alter_table("hotel") as batch:
        batch.drop_column("country")
        batch.drop_column("rate_basis")
