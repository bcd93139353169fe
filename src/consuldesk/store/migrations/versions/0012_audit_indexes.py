"""the audit trail you can read: indexes to browse it newest first by officer, kind and day,
and triggers that keep it append-only

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:45:00

The trail is read a page at a time, newest first, after the last row shown (keyset paging on
``at, id``), narrowed by officer, by action, by table, or to the events about many records at
once (a list import's one event, ``record_id = id``). Each of those has an index that serves
both the filter and the order, so a deep page costs what the first one does at a million events.

``audit_event`` is append-only: an UPDATE or DELETE of one of its rows is refused by SQLite
itself, whatever code or tool attempts it. The one exception is an anonymisation's redaction of
personal values in ``changes``, written down first in ``audit_redaction`` (append-only too).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (name, columns, condition), as consuldesk.store.models.AUDIT_INDEXES says them.
INDEXES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("ix_audit_event_at", ("at", "id"), None),
    ("ix_audit_event_officer", ("officer", "at", "id"), None),
    ("ix_audit_event_action", ("action", "at", "id", "table_name"), None),
    ("ix_audit_event_table", ("table_name", "at", "id"), None),
    ("ix_audit_event_batches", ("table_name", "at", "id"), "record_id = id"),
)

TRIGGERS = {
    # The one change allowed: an anonymisation (revision 0011) replaces an event's personal
    # values with "***", and writes down first, in the append-only audit_redaction, that it
    # does; nothing else of the event changes.
    "audit_event_no_update": "BEFORE UPDATE ON audit_event WHEN NOT ("
    "NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.officer IS OLD.officer "
    "AND NEW.post_code IS OLD.post_code AND NEW.table_name IS OLD.table_name "
    "AND NEW.record_id IS OLD.record_id AND NEW.action IS OLD.action "
    "AND NEW.version IS OLD.version "
    "AND EXISTS (SELECT 1 FROM audit_redaction WHERE audit_id = OLD.id)) BEGIN "
    "SELECT RAISE(ABORT, 'audit_event is append-only: its rows cannot be changed'); END",
    "audit_redaction_no_update": "BEFORE UPDATE ON audit_redaction BEGIN "
    "SELECT RAISE(ABORT, 'audit_redaction is append-only: its rows cannot be changed'); END",
    "audit_redaction_no_delete": "BEFORE DELETE ON audit_redaction BEGIN "
    "SELECT RAISE(ABORT, 'audit_redaction is append-only: its rows cannot be deleted'); END",
    "audit_event_no_delete": "BEFORE DELETE ON audit_event BEGIN "
    "SELECT RAISE(ABORT, 'audit_event is append-only: its rows cannot be deleted'); END",
}


def upgrade() -> None:
    for name, columns, where in INDEXES:
        kwargs = {"sqlite_where": sa.text(where)} if where else {}
        op.create_index(name, "audit_event", list(columns), **kwargs)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for name, _columns, _where in INDEXES:
        op.drop_index(name, table_name="audit_event")
