"""Anonymising a national in the case file: the rows, the audit trail, the sync conflicts.

:func:`anonymise` removes a person's identifying details from their record, the records merged
into it, their requests and the requests' timelines, and the households left with nobody
identifiable; each change goes through :class:`~consuldesk.store.db.Tx` (versioned, so it
travels in bundles). :func:`redact_trail` then replaces the personal values the audit trail and
the sync conflicts hold for those records with :data:`~consuldesk.domain.retention.REMOVED`,
listing each redacted event in ``audit_redaction``.

What counts need stays: country, city, sex, the birth year (and the age on the day),
nationality, status, the vulnerabilities (a medical condition or mobility need becomes
``***``: there is one, it is not said which), pregnancy, households and their size, stays,
trips and requests (kinds, statuses, dates).

A receiving case file calls :func:`protected_fields` while merging a bundle, so a change made
before the anonymisation (an old bundle brought back, an edit that crossed it) never writes a
name back, and :func:`anonymise` again for the records a bundle anonymised.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain.retention import REMOVED, coarse_birth_date
from consuldesk.store.db import Tx
from consuldesk.store.models import (
    AssistanceRequest,
    AuditEvent,
    AuditRedaction,
    Household,
    HouseholdMember,
    National,
    RequestEvent,
    SyncConflict,
    Synced,
    table_of,
)

#: Per table, the fields that identify a person (or tell their story) and go.
PERSONAL: dict[str, frozenset[str]] = {
    "national": frozenset(
        {
            "surname_cyr",
            "given_names_cyr",
            "patronymic_cyr",
            "surname_lat",
            "given_names_lat",
            "birth_date",
            "iin",
            "passport_no",
            "passport_expiry",
            "phones",
            "email",
            "messenger",
            "address",
            "medical_condition",
            "mobility_needs",
            "notes",
            "source_ref",
            "review",
            "review_done",
        }
    ),
    "assistance_request": frozenset({"summary", "details"}),
    "request_event": frozenset({"text"}),
    "household": frozenset({"name", "notes", "list_key"}),
}
#: Fields that stay non-empty (they count, or the schema needs them): ``***`` instead.
_MARKED = frozenset({"medical_condition", "mobility_needs", "summary", "name"})
#: The audit trail's and sync conflicts' derived columns that repeat personal values.
_DERIVED = frozenset({"search_keys", "id_keys", "sort_name"})


def removed_value(field: str, value: Any, today: date) -> Any:
    """What anonymisation leaves of ``value`` in ``field``."""
    if field == "birth_date":
        if value is None or is_removed(field, value):
            return value  # already coarse (a case file going over a bundle's record again)
        return coarse_birth_date(value, today)
    if field == "phones":
        return []
    if field in _MARKED:
        return REMOVED if value not in (None, "") else value
    if field == "text":
        return REMOVED if value else ""
    return None


def is_removed(field: str, value: Any) -> bool:
    """Whether ``value`` (as a bundle carries it: dates as text) is what anonymisation leaves
    in ``field``: an incoming value that is not cannot be applied to an anonymised record."""
    if value in (None, "", [], REMOVED):
        return True
    if field == "birth_date":
        text_value = value.isoformat() if isinstance(value, date) else str(value)
        return text_value[4:] in ("-01-01", "-12-31")
    return False


def protected_fields(session: Session, row: Synced) -> frozenset[str]:
    """The fields of ``row`` that belong to an anonymised person (empty when none do)."""
    if isinstance(row, National):
        return PERSONAL["national"] if row.anonymised_at is not None else frozenset()
    if isinstance(row, AssistanceRequest):
        return PERSONAL["assistance_request"] if _anonymised(session, row.national_id) else _NONE
    if isinstance(row, RequestEvent):
        request = session.get(AssistanceRequest, row.request_id)
        if request is not None and _anonymised(session, request.national_id):
            return PERSONAL["request_event"]
        return _NONE
    if isinstance(row, Household):
        return PERSONAL["household"] if row.name == REMOVED else _NONE
    return _NONE


_NONE: frozenset[str] = frozenset()


def _anonymised(session: Session, national_id: str | None) -> bool:
    if national_id is None:
        return False
    n = session.get(National, national_id)
    return n is not None and n.anonymised_at is not None


def anonymise(tx: Tx, national_ids: Sequence[str], today: date) -> dict[str, set[str]]:
    """Anonymise ``national_ids`` (live or deleted) and what belongs to them, in ``tx``.

    A record already anonymised is gone over again (a receiving case file does so after a
    bundle): only what still differs changes. Returns the records touched, by table, for
    :func:`redact_trail`.
    """
    s = tx.session
    touched: dict[str, set[str]] = {name: set() for name in PERSONAL}
    people = list(s.exec(select(National).where(col(National.id).in_(national_ids))).all())
    # Records merged into these ones (and into those, a chain of merges) hold the same
    # person's old values.
    frontier = {n.id for n in people}
    while frontier:
        merged = s.exec(select(National).where(col(National.merged_into_id).in_(frontier))).all()
        frontier = {m.id for m in merged} - {n.id for n in people}
        people.extend(m for m in merged if m.id in frontier)
    for n in people:
        values: dict[str, Any] = {
            f: removed_value(f, getattr(n, f), today) for f in PERSONAL["national"]
        }
        if n.anonymised_at is None:
            values["anonymised_at"] = tx.now
        tx.update(n, values, action="anonymise")
        touched["national"].add(n.id)
    everyone = touched["national"]
    requests = s.exec(
        select(AssistanceRequest).where(col(AssistanceRequest.national_id).in_(everyone))
    ).all()
    for request in requests:
        tx.update(request, _removed(request, "assistance_request", today), action="anonymise")
        touched["assistance_request"].add(request.id)
    if touched["assistance_request"]:
        for event in s.exec(
            select(RequestEvent).where(
                col(RequestEvent.request_id).in_(touched["assistance_request"])
            )
        ).all():
            tx.update(event, _removed(event, "request_event", today), action="anonymise")
            touched["request_event"].add(event.id)
    for household in _households_left_anonymous(s, everyone):
        tx.update(household, _removed(household, "household", today), action="anonymise")
        touched["household"].add(household.id)
    return touched


def _removed(row: Synced, table: str, today: date) -> dict[str, Any]:
    return {f: removed_value(f, getattr(row, f), today) for f in PERSONAL[table]}


def _households_left_anonymous(session: Session, people: set[str]) -> list[Household]:
    """The households of ``people`` whose every member is anonymised or among them: their
    names (a family's surname) identify nobody else, and go with the last of them."""
    if not people:
        return []
    m = table_of(HouseholdMember)
    n = table_of(National)
    household_ids = set(
        session.execute(
            sa_select(m.c.household_id).where(m.c.national_id.in_(people)).distinct()
        ).scalars()
    )
    if not household_ids:
        return []
    # Households with a live member who stays identifiable keep their name.
    named = set(
        session.execute(
            sa_select(m.c.household_id)
            .join(n, n.c.id == m.c.national_id)
            .where(
                m.c.household_id.in_(household_ids),
                m.c.deleted_at.is_(None),
                n.c.anonymised_at.is_(None),
                n.c.id.not_in(people),
            )
            .distinct()
        ).scalars()
    )
    keep = household_ids - named
    return list(session.exec(select(Household).where(col(Household.id).in_(keep))).all())


def redact_trail(tx: Tx, touched: dict[str, set[str]]) -> int:
    """Replace every personal value the audit trail and the sync conflicts hold for the
    ``touched`` records by ``***``, listing each redacted audit event in ``audit_redaction``
    (first: an append-only trail may allow exactly the updates listed there). Events keep who
    did what when, and the values that are not personal (a status, the dates of a stay).

    The transaction's own queued events are written first, so they are redacted too.

    Returns:
        How many audit events were redacted.
    """
    tx.flush_audit()
    s = tx.session
    events = table_of(AuditEvent)
    owner = _owner_of(s, touched)
    cleaned: list[tuple[str, Any]] = []
    redactions: list[dict[str, Any]] = []
    for table, ids in touched.items():
        if not ids:
            continue
        fields = PERSONAL[table] | _DERIVED
        for chunk in _chunks(sorted(ids)):
            rows = s.execute(
                sa_select(events.c.id, events.c.record_id, events.c.changes).where(
                    events.c.table_name == table, events.c.record_id.in_(chunk)
                )
            ).all()
            for event_id, record_id, changes in rows:
                data = json.loads(changes) if isinstance(changes, str) else changes
                clean = _redacted(data, fields)
                if clean == data:
                    continue
                cleaned.append((event_id, clean))
                redactions.append(
                    {
                        "audit_id": event_id,
                        "national_id": owner.get(record_id, record_id),
                        "at": tx.now,
                        "officer": tx.officer,
                    }
                )
            _redact_conflicts(s, table, chunk, fields)
    if redactions:
        s.execute(table_of(AuditRedaction).insert().prefix_with("OR IGNORE"), redactions)
    if cleaned:  # one executemany, not a statement an event
        s.execute(
            events.update()
            .where(events.c.id == bindparam("_id"))
            .values(changes=bindparam("_changes")),
            [{"_id": event_id, "_changes": clean} for event_id, clean in cleaned],
        )
    return len(cleaned)


@contextmanager
def forgetting(tx: Tx) -> Iterator[None]:
    """Around an anonymisation: what it removes is gone from the file's pages, not just hidden.

    ``secure_delete`` makes SQLite overwrite with zeros the space its writes free (old row
    versions in a page, freed pages). The search indexes are contentless FTS5 tables: a changed
    record's old keys are only marked deleted and stay in older index segments until these are
    merged; ``optimize`` merges them all at the end.
    """
    s = tx.session
    s.execute(text("PRAGMA secure_delete = ON"))
    try:
        yield
        s.flush()
        for table in ("national_fts", "national_ids"):
            s.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    finally:
        s.execute(text("PRAGMA secure_delete = FAST"))  # every connection's setting (store/db.py)


def redact_anonymised(tx: Tx, records: dict[str, set[str]]) -> int:
    """Redact the trail of whichever of ``records`` (ids by table: nationals, requests,
    request events) belong to an anonymised person: for audit events that arrive after the
    anonymisation (a bundle carrying another case file's trail). Returns how many audit events
    were redacted."""
    s = tx.session
    people = set(records.get("national", set()))
    request_ids = set(records.get("assistance_request", set()))
    event_ids = records.get("request_event", set())
    if event_ids:
        request_ids |= set(
            s.exec(select(RequestEvent.request_id).where(col(RequestEvent.id).in_(event_ids)))
        )
    if request_ids:
        people |= {
            i
            for i in s.exec(
                select(AssistanceRequest.national_id).where(
                    col(AssistanceRequest.id).in_(request_ids)
                )
            )
            if i
        }
    gone = sorted(
        s.exec(
            select(National.id).where(
                col(National.id).in_(people), col(National.anonymised_at).is_not(None)
            )
        )
    )
    if not gone:
        return 0
    touched = anonymise(tx, gone, tx.now.date())
    return redact_trail(tx, touched)


def _owner_of(session: Session, touched: dict[str, set[str]]) -> dict[str, str]:
    """The person each touched record belongs to (records of several: the first found)."""
    owner = {i: i for i in touched.get("national", set())}
    for n in session.exec(
        select(National).where(col(National.id).in_(touched.get("national", set())))
    ).all():
        if n.merged_into_id:
            owner[n.id] = n.merged_into_id
    for request in session.exec(
        select(AssistanceRequest).where(
            col(AssistanceRequest.id).in_(touched.get("assistance_request", set()))
        )
    ).all():
        if request.national_id:
            owner[request.id] = owner.get(request.national_id, request.national_id)
    for event in session.exec(
        select(RequestEvent).where(col(RequestEvent.id).in_(touched.get("request_event", set())))
    ).all():
        owner[event.id] = owner.get(event.request_id, event.request_id)
    return owner


def _redacted(changes: Any, fields: frozenset[str]) -> Any:
    """Audit ``changes`` with the values of ``fields`` replaced (``[old, new]`` pairs and a
    bulk event's plain values alike); an empty value stays empty."""
    if not isinstance(changes, dict):
        return changes
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in fields:
            out[key] = value
        elif isinstance(value, list) and len(value) == 2 and key != "phones":
            out[key] = [_mark(key, v) for v in value]
        else:
            out[key] = _mark(key, value)
    return out


def _mark(field: str, value: Any) -> Any:
    if value in (None, "", [], REMOVED):
        return value
    if field == "birth_date" and is_removed(field, value):
        return value  # already the coarse date anonymisation leaves
    if field == "phones" and isinstance(value, list):
        # [old, new] of phone lists, or one list
        if value and all(isinstance(v, list) or v is None for v in value):
            return [_mark(field, v) for v in value]
        return [REMOVED]
    return REMOVED


def _redact_conflicts(
    session: Session, table: str, ids: Sequence[str], fields: frozenset[str]
) -> None:
    for conflict in session.exec(
        select(SyncConflict).where(
            col(SyncConflict.table_name) == table,
            col(SyncConflict.record_id).in_(ids),
            col(SyncConflict.field).in_(fields),
        )
    ).all():
        for attr in ("kept_value", "other_value", "before_value", "resolved_value"):
            setattr(conflict, attr, _mark(conflict.field, getattr(conflict, attr)))
        session.add(conflict)


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def redacted_count(session: Session, national_id: str) -> int:
    """How many audit events were redacted for a person."""
    table = table_of(AuditRedaction)
    return int(
        session.execute(
            sa_select(func.count()).where(table.c.national_id == national_id)
        ).scalar_one()
    )
