"""what an officer already settled of a record's review

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:30:00

A national remembers the review items an officer settled — corrected, or marked as reviewed —
as short hashes of their field, reason and value (``review_done``, JSON, NULL when none), so a
list sent again with the same doubtful value does not set it aside again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: no batch copy, so the national table keeps its search triggers.
    op.add_column("national", sa.Column("review_done", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE national DROP COLUMN review_done")
