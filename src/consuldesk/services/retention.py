"""Retention: which records expire, keeping one longer, and anonymising the expired.

The rule is :mod:`consuldesk.domain.retention`; the period (months after the person left the
region) is a fact of the case file (``meta``), so the window and the command line agree.
:func:`review` lists the records expired or expiring within some days, :func:`keep` records an
officer's decision to keep some longer (with a reason, audited), :func:`anonymise` removes the
personal details of some (one transaction, audited, the audit trail redacted,
:mod:`consuldesk.store.retention`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain import versions as fv
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.names import display_name
from consuldesk.domain.retention import (
    DEFAULT_MONTHS,
    GONE,
    Basis,
    Expiry,
    RetentionFacts,
    check_keep,
    check_months,
    expiry,
)
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.errors import ServiceError
from consuldesk.store import retention as store
from consuldesk.store.db import ChangeSet, read_meta, write_meta
from consuldesk.store.errors import NotFound
from consuldesk.store.models import ManifestEntry, National, Placement, Trip, table_of

#: ``meta`` key of the retention period in months.
META_MONTHS = "retention_months"
#: How far ahead the review list looks by default (days).
DEFAULT_WITHIN_DAYS = 30
_CHUNK = 500


@dataclass(frozen=True)
class RetentionRow:
    """A record expired or expiring: who, why, when."""

    id: str
    name: str  # as on file ("" when the record has no name)
    sex: str | None
    birth_year: int | None
    host_country: str | None
    city: str | None
    presence_status: str
    deleted: bool
    left_on: date
    basis: Basis
    expires_on: date
    due: bool  # expired: due for anonymisation today
    keep_until: date | None
    keep_reason: str | None


@dataclass(frozen=True)
class RetentionReview:
    """The records expired, or expiring within ``within_days`` of ``today``, soonest first."""

    today: date
    months: int
    within_days: int
    rows: tuple[RetentionRow, ...]

    @property
    def expired(self) -> int:
        """How many are due for anonymisation today."""
        return sum(1 for r in self.rows if r.due)


@dataclass(frozen=True)
class Anonymised:
    """What :func:`anonymise` did."""

    people: int  # records anonymised (merged records that went with them not counted)
    skipped: int  # already anonymised
    audit_events: int  # audit events redacted
    changes: ChangeSet


# -- the period -------------------------------------------------------------------------------


def retention_months(desk: Desk) -> int:
    """The case file's retention period in months (18 unless an officer changed it)."""
    with desk.casefile.read() as session:
        return _months(session)


def _months(session: Session) -> int:
    stored = read_meta(session, META_MONTHS)
    try:
        return check_months(int(stored)) if stored else DEFAULT_MONTHS
    except (ValueError, ValidationError):
        return DEFAULT_MONTHS


def set_retention_months(desk: Desk, months: int) -> ChangeSet:
    """Set the retention period (1 to 120 months) of this case file.

    Raises:
        ValidationError: ``retention.months``.
        ServiceError: ``role.denied``: only a head of section sets how long records are kept.
    """
    check_months(months)
    with desk.write("delete") as tx:
        before = _months(tx.session)
        write_meta(tx.session, META_MONTHS, str(months))
        if before != months:
            tx.audit_bulk(
                [
                    {
                        "table_name": "meta",
                        "record_id": META_MONTHS,
                        "action": "update",
                        "changes": {"retention_months": [before, months]},
                        "version": str(tx.clock.now()),
                    }
                ]
            )
    return tx.changes


# -- the review list --------------------------------------------------------------------------


def review(desk: Desk, within_days: int = DEFAULT_WITHIN_DAYS) -> RetentionReview:
    """The records expired or expiring within ``within_days`` days, soonest first."""
    today = desk.today()
    # (a span past the calendar's end is all of it, not an OverflowError)
    horizon = today + timedelta(days=min(max(0, within_days), (date.max - today).days))
    with desk.casefile.read() as session:
        months = _months(session)
        rows = [_row(n, e, today) for n, e in _expiries(session, months) if e.expires_on <= horizon]
    rows.sort(key=lambda r: (r.expires_on, r.name.casefold(), r.id))
    return RetentionReview(today, months, within_days, tuple(rows))


def _row(n: National, e: Expiry, today: date) -> RetentionRow:
    return RetentionRow(
        id=n.id,
        name=display_name(n.surname_cyr or n.surname_lat, n.given_names_cyr or n.given_names_lat),
        sex=n.sex,
        birth_year=n.birth_date.year if n.birth_date else None,
        host_country=n.host_country,
        city=n.city,
        presence_status=n.presence_status,
        deleted=n.deleted_at is not None,
        left_on=e.left_on,
        basis=e.basis,
        expires_on=e.expires_on,
        due=e.due(today),
        keep_until=n.keep_until,
        keep_reason=n.keep_reason,
    )


def _expiries(
    session: Session, months: int, ids: Sequence[str] | None = None
) -> list[tuple[National, Expiry]]:
    """Every record that expires (among ``ids``, when given) with its expiry."""
    query = select(National).where(
        col(National.anonymised_at).is_(None),
        col(National.merged_into_id).is_(None),
        or_(
            col(National.presence_status).in_(sorted(GONE)),
            col(National.deleted_at).is_not(None),
        ),
    )
    if ids is not None:
        query = query.where(col(National.id).in_(ids))
    people = list(session.exec(query).all())
    trips, stays = _departures(session, [n.id for n in people])
    out = []
    for n in people:
        facts = RetentionFacts(
            presence_status=n.presence_status,
            status_set_on=_status_set_on(n),
            last_trip_on=trips.get(n.id),
            last_stay_end=stays.get(n.id),
            deleted_on=_day(n.deleted_at) if n.deleted_at else None,
            merged=n.merged_into_id is not None,
            anonymised=n.anonymised_at is not None,
            keep_until=n.keep_until,
        )
        found = expiry(facts, months)
        if found is not None:
            out.append((n, found))
    return out


def _departures(session: Session, ids: Sequence[str]) -> tuple[dict[str, date], dict[str, date]]:
    """By person: the departure of the last trip boarded, and the end of the last stay
    checked out of."""
    m, t, p = table_of(ManifestEntry), table_of(Trip), table_of(Placement)
    trips: dict[str, date] = {}
    stays: dict[str, date] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        left = func.max(func.coalesce(t.c.departure_at, m.c.boarded_at))
        for national_id, when in session.execute(
            sa_select(m.c.national_id, left)
            .select_from(m.outerjoin(t, t.c.id == m.c.trip_id))
            .where(
                m.c.national_id.in_(chunk),
                m.c.status == "boarded",
                m.c.deleted_at.is_(None),
            )
            .group_by(m.c.national_id)
        ):
            if when:
                trips[national_id] = date.fromisoformat(str(when)[:10])
        for national_id, when in session.execute(
            sa_select(p.c.national_id, func.max(p.c.check_out))
            .where(
                p.c.national_id.in_(chunk),
                p.c.status == "checked_out",
                p.c.deleted_at.is_(None),
            )
            .group_by(p.c.national_id)
        ):
            if when:
                stays[national_id] = date.fromisoformat(str(when)[:10])
    return trips, stays


def _status_set_on(n: National) -> date | None:
    """The day the record's status was last written (the wall time of its field version)."""
    version, _ = fv.version_of(n.field_versions or fv.created(n.version), "presence_status")
    if not version:
        return None
    wall_ms = int(version.split(".", 1)[0])
    return datetime.fromtimestamp(wall_ms / 1000, UTC).date()


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()


# -- keeping ----------------------------------------------------------------------------------


def keep(desk: Desk, national_ids: Sequence[str], until: date, reason: str) -> ChangeSet:
    """Keep records until ``until`` (after today, within ten years), for ``reason``. Audited;
    the decision travels to headquarters with the record.

    Raises:
        ValidationError: ``retention.keep_past``, ``retention.keep_too_long``,
            ``retention.keep_reason``.
        NotFound: no such record.
        ServiceError: ``retention.anonymised`` (param ``name``: the record's id).
    """
    until, reason = check_keep(until, reason, desk.today())
    with desk.write() as tx:
        for n in _records(tx.session, national_ids):
            if n.anonymised_at is not None:
                raise ServiceError("retention.anonymised", "keep_until", record=n.id)
            tx.update(n, {"keep_until": until, "keep_reason": reason}, action="keep")
    return tx.changes


def _records(session: Session, ids: Iterable[str]) -> list[National]:
    """The records with these ids (deleted ones too: they expire as well)."""
    wanted = list(dict.fromkeys(ids))
    found = {
        n.id: n for n in session.exec(select(National).where(col(National.id).in_(wanted))).all()
    }
    for record_id in wanted:
        if record_id not in found:
            raise NotFound("national", record_id)
    return [found[i] for i in wanted]


# -- anonymising ------------------------------------------------------------------------------


def expired_ids(desk: Desk) -> list[str]:
    """The records due for anonymisation today."""
    today = desk.today()
    with desk.casefile.read() as session:
        found = _expiries(session, _months(session))
    return [n.id for n, e in found if e.due(today)]


def anonymise(
    desk: Desk,
    national_ids: Sequence[str],
    *,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> Anonymised:
    """Remove the personal details of these records, in one transaction (nothing changes if
    anything fails or the work is cancelled).

    Names, passport, IIN, phones, email, messenger, address, notes, medical and mobility
    details, the records merged into them, the free text of their requests, the names of
    households left with nobody identifiable, and these values in the audit trail and the sync
    conflicts. Kept for the counts: country, city, sex, the birth year and the age on the day,
    status, vulnerabilities, households, stays, trips and requests. Records already anonymised
    are skipped.

    Raises:
        NotFound: no such record.
        ServiceError: ``role.denied``: only a head of section anonymises records.
    """
    today = desk.today()
    total = len(national_ids)
    with desk.write("delete") as tx:
        people = _records(tx.session, national_ids)
        todo = [n.id for n in people if n.anonymised_at is None]
        touched: dict[str, set[str]] = {}
        redacted = 0
        with store.forgetting(tx):
            for start in range(0, len(todo), _CHUNK):
                if cancel is not None:
                    cancel.check()
                progress(start, total, "retention.anonymise")
                chunk = todo[start : start + _CHUNK]
                for table, ids in store.anonymise(tx, chunk, today).items():
                    touched.setdefault(table, set()).update(ids)
            if cancel is not None:
                cancel.check()
            progress(len(todo), total, "retention.redact")
            if todo:
                redacted = store.redact_trail(tx, touched)
    return Anonymised(len(todo), total - len(todo), redacted, tx.changes)


def is_anonymised(desk: Desk, national_id: str) -> bool:
    """Whether a record was anonymised."""
    with desk.casefile.read() as session:
        n = session.get(National, national_id)
        return n is not None and n.anonymised_at is not None


__all__ = [
    "DEFAULT_WITHIN_DAYS",
    "META_MONTHS",
    "Anonymised",
    "RetentionReview",
    "RetentionRow",
    "anonymise",
    "expired_ids",
    "is_anonymised",
    "keep",
    "retention_months",
    "review",
    "set_retention_months",
]
