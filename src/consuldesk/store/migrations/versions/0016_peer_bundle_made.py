"""when the newest bundle from each peer was made

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 07:45:00

A peer remembers when its newest bundle applied here was made (``last_bundle_made``, UTC, NULL
until one is applied): headquarters' figures of that post are as of then, however long the
USB stick took to arrive.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sync_peer",
        sa.Column("last_bundle_made", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE sync_peer DROP COLUMN last_bundle_made")
