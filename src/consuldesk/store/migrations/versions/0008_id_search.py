"""search by any part of an IIN, passport or phone: national.id_keys and its trigram index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:40:00

``national.id_keys`` holds a person's IIN, passport number and phone digits; the contentless
FTS5 table ``national_ids`` (trigram tokenizer, rowid ``national.seq``) finds them by any part
of three characters or more, as an officer reads the last digits of a passport out on the
phone. Inserts are indexed by the store, updates and deletes by triggers, as for
``national_fts``. The column is filled, and the table built, when the case file is next opened
(the search keys' version changes: consuldesk.store.search.SEARCH_KEYS_VERSION).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ = sqlmodel  # autogenerate writes sqlmodel types (alembic #1647)

IDS_SQL = (
    "CREATE VIRTUAL TABLE national_ids USING fts5(ids, content='', tokenize='trigram')",
    "CREATE TRIGGER national_ids_ad AFTER DELETE ON national "
    "WHEN old.deleted_at IS NULL AND old.id_keys != '' BEGIN "
    "INSERT INTO national_ids(national_ids, rowid, ids) VALUES ('delete', old.seq, old.id_keys);"
    " END",
    "CREATE TRIGGER national_ids_au AFTER UPDATE OF id_keys, deleted_at, seq ON national BEGIN "
    "INSERT INTO national_ids(national_ids, rowid, ids) "
    "SELECT 'delete', old.seq, old.id_keys WHERE old.deleted_at IS NULL AND old.id_keys != ''; "
    "INSERT INTO national_ids(rowid, ids) "
    "SELECT new.seq, new.id_keys WHERE new.deleted_at IS NULL AND new.id_keys != ''; END",
)


def upgrade() -> None:
    # A plain ALTER TABLE: a batch copy of the table would drop the search triggers.
    op.add_column(
        "national",
        sa.Column("id_keys", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""),
    )
    for statement in IDS_SQL:
        op.execute(statement)


def downgrade() -> None:
    for name in ("national_ids_ad", "national_ids_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS national_ids")
    with op.batch_alter_table("national") as batch:
        batch.drop_column("id_keys")
