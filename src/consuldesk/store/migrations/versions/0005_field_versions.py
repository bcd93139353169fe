"""field versions on every synced row, for merging case files field by field

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 05:20:00

Each synced row gets ``field_versions`` (JSON): per field, the HLC of the change that last
wrote it and the field's version before that change; ``"*"`` is the creation. Rows written
before this schema have no history per field: they are taken as created by their last change
(``{"*": [version, null]}``), which is what their row-level version already said.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "post",
    "national",
    "household",
    "household_member",
    "assistance_request",
    "request_event",
    "hotel",
    "placement",
    "evacuation_operation",
    "trip",
    "manifest_entry",
    "duplicate_candidate",
)


def upgrade() -> None:
    for table in TABLES:
        # Plain ADD COLUMN: no batch copy, so the national table keeps its search triggers.
        op.add_column(table, sa.Column("field_versions", sa.JSON(), nullable=True))
        op.execute(
            f"UPDATE {table} SET field_versions = json_object('*', json_array(version, NULL))"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN field_versions")
