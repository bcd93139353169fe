"""sync: peers, knowledge, conflicts and held bundles; one live IIN and passport per post

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 05:40:00

Local tables for exchanging bundles: ``sync_peer`` (sequences and what each peer holds),
``sync_knowledge`` (the newest change held from each post), ``sync_conflict`` (changes that
did not see each other, for an officer) and ``held_bundle`` (a bundle waiting for the ones
before it). The live IIN and passport of a national are unique per origin post: the same
person registered at two posts meets at headquarters as two records, flagged for merging.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    op.create_table(
        "held_bundle",
        sa.Column("bundle_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id", name=op.f("pk_held_bundle")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=True),
        sa.Column("kept_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("other_value", sa.JSON(), nullable=True),
        sa.Column("other_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("base_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("bundle_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("detected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index(
        op.f("ix_sync_conflict_record_id"), "sync_conflict", ["record_id"], unique=False
    )
    op.create_table(
        "sync_knowledge",
        sa.Column("node", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_sync_knowledge")),
    )
    op.create_table(
        "sync_peer",
        sa.Column("post_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sent_sequence", sa.Integer(), nullable=False),
        sa.Column("received_sequence", sa.Integer(), nullable=False),
        sa.Column("acked", sa.JSON(), nullable=False),
        sa.Column("last_sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_change", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("post_code", name=op.f("pk_sync_peer")),
    )
    op.drop_index(
        op.f("uq_national_iin_live"),
        table_name="national",
        sqlite_where=sa.text("iin IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        "uq_national_iin_live",
        "national",
        ["iin", "origin_post"],
        unique=True,
        sqlite_where=sa.text("iin IS NOT NULL AND deleted_at IS NULL"),
    )
    op.drop_index(
        op.f("uq_national_passport_live"),
        table_name="national",
        sqlite_where=sa.text("passport_no IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        "uq_national_passport_live",
        "national",
        ["passport_no", "origin_post"],
        unique=True,
        sqlite_where=sa.text("passport_no IS NOT NULL AND deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_national_passport_live",
        table_name="national",
        sqlite_where=sa.text("passport_no IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        op.f("uq_national_passport_live"),
        "national",
        ["passport_no"],
        unique=True,
        sqlite_where=sa.text("passport_no IS NOT NULL AND deleted_at IS NULL"),
    )
    op.drop_index(
        "uq_national_iin_live",
        table_name="national",
        sqlite_where=sa.text("iin IS NOT NULL AND deleted_at IS NULL"),
    )
    op.create_index(
        op.f("uq_national_iin_live"),
        "national",
        ["iin"],
        unique=True,
        sqlite_where=sa.text("iin IS NOT NULL AND deleted_at IS NULL"),
    )
    op.drop_table("sync_peer")
    op.drop_table("sync_knowledge")
    op.drop_index(op.f("ix_sync_conflict_record_id"), table_name="sync_conflict")
    op.drop_table("sync_conflict")
    op.drop_table("held_bundle")
