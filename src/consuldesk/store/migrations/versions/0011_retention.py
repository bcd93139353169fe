"""retention: keep a record longer, anonymise it, redact its audit trail

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 12:45:00

``national.keep_until`` and ``keep_reason``: an officer's decision to keep a record past its
expiry (:mod:`consuldesk.domain.retention`). ``national.anonymised_at``: when the record's
personal details were removed; a record anonymised stays anonymised, whatever a bundle brings.
All three travel in bundles. ``ix_national_retention`` holds the records that may expire (gone
or deleted, not anonymised), so the review list reads a few rows, not the whole list.

``audit_redaction`` lists the audit events whose personal values were replaced by a marker when
their record was anonymised (who, when): the event stays, its old names do not. Local.

The columns are added with ``ALTER TABLE ADD COLUMN``: recreating ``national`` (a batch
operation) would drop its search triggers and partial indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)


def upgrade() -> None:
    op.add_column("national", sa.Column("keep_until", sa.Date(), nullable=True))
    op.add_column(
        "national", sa.Column("keep_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
    )
    op.add_column("national", sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    op.create_index(
        "ix_national_retention",
        "national",
        ["presence_status", "deleted_at"],
        unique=False,
        sqlite_where=sa.text("anonymised_at IS NULL"),
    )
    op.create_table(
        "audit_redaction",
        sa.Column("audit_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("national_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("officer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_redaction")),
    )
    op.create_index(
        op.f("ix_audit_redaction_national_id"), "audit_redaction", ["national_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_redaction_national_id"), table_name="audit_redaction")
    op.drop_table("audit_redaction")
    op.drop_index("ix_national_retention", table_name="national")
    # SQLite 3.35+ drops a column in place (no index or trigger reads these three).
    op.drop_column("national", "anonymised_at")
    op.drop_column("national", "keep_reason")
    op.drop_column("national", "keep_until")
