"""Audit events in bundles: a post's trail travels to headquarters, appended there as it is.

Events are never merged field by field: each is a fact (who did what, when, where) and is kept
whole, with its id, time, officer and post. The receiver skips an event it holds already, so
the same bundle twice, or an event sent again, adds nothing.

Which events a bundle carries is decided by the local order of the sender's trail (SQLite's
``rowid``: the trail is append-only, so it only grows) and by what the recipient says it holds:
a bundle says through which event it carries the sender's trail (``audit.through``), the
recipient keeps that, and its own bundles back echo it (``audit_acks``). Until the echo
arrives, every bundle carries the events again from the last one echoed: a lost USB stick
loses nothing. A mark whose event id no longer matches its sequence (the case file was put
back from a backup, and its trail went on from there) starts again from the beginning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import text
from sqlmodel import Session

from consuldesk.store.db import Tx, read_meta, sql_time, write_meta
from consuldesk.sync.bundle import AuditMark

#: Meta keys (this case file only): what a peer said it holds of our trail, and through which
#: event we hold a peer's trail (echoed back to it).
ACKED = "audit_acked:"
RECEIVED = "audit_received:"


def _wire_time(value: Any) -> str:
    text_ = str(value)
    if len(text_) >= 19 and text_[10] == " ":
        return f"{text_[:10]}T{text_[11:]}+00:00"
    return text_


def _load_mark(session: Session, key: str) -> AuditMark | None:
    stored = read_meta(session, key)
    if not stored:
        return None
    sequence, _, event_id = stored.partition(" ")
    return [int(sequence), event_id]


def _save_mark(session: Session, key: str, mark: AuditMark | None) -> None:
    write_meta(session, key, f"{int(mark[0])} {mark[1]}" if mark else None)


def acked_by(session: Session, peer: str) -> AuditMark | None:
    """The newest event of this trail ``peer`` said it holds, if it still names the same event
    here (``None``: start from the first)."""
    mark = _load_mark(session, ACKED + peer)
    if mark is None:
        return None
    found = session.execute(
        text("SELECT id FROM audit_event WHERE rowid = :r"), {"r": mark[0]}
    ).scalar()
    return mark if found == mark[1] else None


def events_after(
    session: Session, mark: AuditMark | None
) -> tuple[list[dict[str, Any]], AuditMark | None]:
    """The trail's events after ``mark``, oldest first, as ``audit.jsonl`` holds them (their
    ``changes`` as :class:`orjson.Fragment` of the stored JSON), and the mark of the last one
    (``mark`` itself when there are none)."""
    after = mark[0] if mark else 0
    rows = session.execute(
        text(
            "SELECT rowid, id, at, officer, post_code, table_name, record_id, action, changes,"
            " version FROM audit_event WHERE rowid > :r ORDER BY rowid"
        ),
        {"r": after},
    )
    events: list[dict[str, Any]] = []
    last = mark
    for rowid, event_id, at, officer, post, table, record, action, changes, version in rows:
        events.append(
            {
                "id": event_id,
                "at": _wire_time(at),
                "officer": officer,
                "post": post,
                "table": table,
                "record": record,
                "action": action,
                # As stored (JSON text): written into the line as it is, never parsed here.
                "changes": orjson.Fragment(changes)
                if isinstance(changes, (str, bytes))
                else changes,
                "version": version,
            }
        )
        last = [int(rowid), str(event_id)]
    return events, last


def acks_for(session: Session, peer: str) -> dict[str, AuditMark]:
    """What a bundle for ``peer`` echoes: how far this case file holds ``peer``'s trail."""
    mark = _load_mark(session, RECEIVED + peer)
    return {peer: mark} if mark else {}


def keep(tx: Tx, events: Sequence[dict[str, Any]]) -> int:
    """Append received events (see the module's description); returns how many were new."""
    rows = [
        (
            e["id"],
            sql_time(e["at"]),
            e["officer"],
            e["post"],
            e["table"],
            e["record"],
            e["action"],
            orjson.dumps(e["changes"]).decode("utf-8"),
            e["version"],
        )
        for e in events
    ]
    return tx.keep_audit_events(rows)


def note_received(
    session: Session, sender: str, own: str, through: AuditMark | None, acks: dict[str, AuditMark]
) -> None:
    """Remember how far this case file holds ``sender``'s trail (to echo it), and how far
    ``sender`` holds this one's (to send only what follows). Called for the newest bundle of
    a sender only: an old bundle brought back must not move either mark back."""
    if through is not None:
        _save_mark(session, RECEIVED + sender, through)
    if own in acks:
        _save_mark(session, ACKED + sender, acks[own])
