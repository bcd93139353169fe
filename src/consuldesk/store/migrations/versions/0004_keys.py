"""keys: this post's sealed keys, the keys of the case files it trusts, key statements

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 05:00:00

Local tables, never synced as rows: ``own_key`` (the public key file and the private keys
sealed under a passphrase), ``peer_key`` (keys of other case files, enrolled by fingerprint or
vouched for by a statement) and ``key_statement`` (signed rotations, revocations and escrow
recipients, carried by bundles).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    op.create_table(
        "key_statement",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("made_here", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_statement")),
        sa.UniqueConstraint("digest", name=op.f("uq_key_statement_digest")),
    )
    op.create_table(
        "own_key",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=29), nullable=False),
        sa.Column("public_file", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_own_key_key_id")),
    )
    op.create_table(
        "peer_key",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("post_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("post_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=29), nullable=False),
        sa.Column("signing_key", sa.LargeBinary(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("trusted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("enrolled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("enrolled_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_peer_key_key_id")),
    )
    op.create_index(op.f("ix_peer_key_post_code"), "peer_key", ["post_code"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_peer_key_post_code"), table_name="peer_key")
    op.drop_table("peer_key")
    op.drop_table("own_key")
    op.drop_table("key_statement")
