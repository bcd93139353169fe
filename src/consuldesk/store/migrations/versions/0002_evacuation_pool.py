"""evacuation pool: waitlisted people per operation leg, and each operation's seat rules

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:37:23.896718

A manifest entry now belongs to an operation's leg and names its trip only once the person has
a seat, so the people waiting for a seat (the pool) are entries too. Existing entries take their
operation and leg from their trip.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)

_LIVE_WHERE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("evacuation_operation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority_order", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("allow_split_groups", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    # The partial unique index is dropped and made again by hand: a batch copy of the table
    # would recreate it without its WHERE clause.
    op.drop_index("uq_manifest_entry_live", table_name="manifest_entry")
    with op.batch_alter_table("manifest_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("operation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(sa.Column("leg_no", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column("priority_class", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True)
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE manifest_entry SET "
        "operation_id = (SELECT trip.operation_id FROM trip WHERE trip.id = manifest_entry.trip_id),"
        " leg_no = coalesce("
        "(SELECT trip.leg_no FROM trip WHERE trip.id = manifest_entry.trip_id), 1)"
    )
    with op.batch_alter_table("manifest_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "operation_id", existing_type=sqlmodel.sql.sqltypes.AutoString(), nullable=False
        )
        batch_op.alter_column("leg_no", existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column("trip_id", existing_type=sa.VARCHAR(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_manifest_entry_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_manifest_entry_operation_id_evacuation_operation"),
            "evacuation_operation",
            ["operation_id"],
            ["id"],
        )
    op.create_index(
        "uq_manifest_entry_live",
        "manifest_entry",
        ["trip_id", "national_id"],
        unique=True,
        sqlite_where=_LIVE_WHERE,
    )
    with op.batch_alter_table("evacuation_operation", schema=None) as batch_op:
        batch_op.alter_column("allow_split_groups", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    # Waiting people have no trip, which the first schema cannot hold: they are dropped.
    op.execute("DELETE FROM manifest_entry WHERE trip_id IS NULL")
    op.drop_index("uq_manifest_entry_live", table_name="manifest_entry")
    with op.batch_alter_table("manifest_entry", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_manifest_entry_operation_id_evacuation_operation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_manifest_entry_operation_id"))
        batch_op.alter_column("trip_id", existing_type=sa.VARCHAR(), nullable=False)
        batch_op.drop_column("position")
        batch_op.drop_column("priority_class")
        batch_op.drop_column("leg_no")
        batch_op.drop_column("operation_id")
    op.create_index(
        "uq_manifest_entry_live",
        "manifest_entry",
        ["trip_id", "national_id"],
        unique=True,
        sqlite_where=_LIVE_WHERE,
    )

    with op.batch_alter_table("evacuation_operation", schema=None) as batch_op:
        batch_op.drop_column("allow_split_groups")
        batch_op.drop_column("priority_order")
