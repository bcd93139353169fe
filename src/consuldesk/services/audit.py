"""The audit trail as an officer reads it: every change, deletion, import, export, bundle,
print and key operation, newest first, narrowed by person, officer, day and kind.

The trail can hold millions of events (edits are audited field by field), so it is read a page
at a time after the last row shown (keyset paging on ``at, id``, each filter served by an index
of migration 0012), never counted or filtered in Python. Each row comes with what an officer
needs to read it: whose record (the person's name), which fields changed from what to what,
which file left the case file with its SHA-256.

Kinds are an open set: :data:`KINDS` says which actions and tables each covers, and a new kind
of event (a login, a lock) needs only an entry there and a label in :data:`KIND_LABELS` (and
its actions' labels in :data:`consuldesk.services.audit_text.ACTION_LABELS`). How each event
reads (its line, its details) is :mod:`consuldesk.services.audit_text`.

Nothing here, nor anywhere else, changes or deletes an event: the case file refuses it
(triggers of migration 0012).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, exists, false, func, not_, or_, select, type_coerce
from sqlmodel import Session, SQLModel

from consuldesk.domain.names import display_name
from consuldesk.i18n import _
from consuldesk.services.audit_text import KEY_TABLES, TABLE_LABELS, summarise
from consuldesk.services.desk import Desk
from consuldesk.store.db import sql_time
from consuldesk.store.keyring import name_key
from consuldesk.store.models import (
    AssistanceRequest,
    AuditEvent,
    EvacuationOperation,
    Hotel,
    Household,
    HouseholdMember,
    ManifestEntry,
    National,
    Placement,
    Trip,
    table_of,
)
from consuldesk.store.search import deleted_seqs, search_seqs, similar_seqs

MOST_PEOPLE = 50


@dataclass(frozen=True)
class Kind:
    """Which events a kind covers: its actions, or any event of its tables, but none of
    ``not_tables``."""

    actions: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()
    not_tables: frozenset[str] = frozenset()

    def covers(self, table: str, action: str) -> bool:
        """Whether an event of ``table`` with ``action`` is of this kind."""
        if table in self.not_tables:
            return False
        return action in self.actions or table in self.tables


#: The kinds of events, in the order the filter offers them (an event is of the first that
#: covers it). Add a kind here and its label in KIND_LABELS.
KINDS: dict[str, Kind] = {
    "changes": Kind(
        actions=frozenset(
            {"create", "update", "resolve", "declined", "review", "restore", "keep", "anonymise"}
        ),
        not_tables=KEY_TABLES | {"bundle", "officer_account"},
    ),
    "deletes": Kind(actions=frozenset({"delete", "merge"}), not_tables=KEY_TABLES),
    "imports": Kind(actions=frozenset({"import", "sync"}), not_tables=KEY_TABLES | {"bundle"}),
    "exports": Kind(
        actions=frozenset({"export"}), tables=frozenset({"bundle"}), not_tables=KEY_TABLES
    ),
    "prints": Kind(actions=frozenset({"printed"})),
    "keys": Kind(tables=KEY_TABLES),
    "logins": Kind(
        actions=frozenset(
            {"login", "logout", "login_failed", "lock", "unlock", "unlock_refused", "recovery"}
        )
    ),
    "accounts": Kind(tables=frozenset({"officer_account"})),
}

KIND_LABELS = {
    "changes": "Changes",
    "deletes": "Deletes and merges",
    "imports": "Imports",
    "exports": "Exports and bundles",
    "prints": "Prints",
    "keys": "Keys",
    "logins": "Logins",
    "accounts": "Officers' accounts",
}

_ABOUT_PERSON: dict[str, type[SQLModel]] = {
    "household_member": HouseholdMember,
    "placement": Placement,
    "manifest_entry": ManifestEntry,
    "assistance_request": AssistanceRequest,
}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class AuditFilter:
    """What the trail is narrowed to. ``person``: a national's id, or a search text (name in
    either script, IIN, passport or phone) standing for everyone it finds; days are local."""

    person: str = ""
    officer: str | None = None
    since: date | None = None
    until: date | None = None
    kind: str | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing narrows the trail."""
        return not (self.person.strip() or self.officer or self.since or self.until or self.kind)


@dataclass(frozen=True)
class AuditCursor:
    """Where the next page starts: after the event at ``at`` (as stored) with ``id``."""

    at: str
    id: str


@dataclass(frozen=True)
class AuditRow:
    """One event as the trail shows it."""

    id: str
    at: datetime  # aware, UTC
    officer: str
    post_code: str
    table: str
    record_id: str
    action: str
    kind: str  # a key of KINDS, or "" for an event of no known kind
    subject: str  # the person's name, a hotel's, a file's … or what the record is
    summary: str  # what happened, in a line
    changes: Mapping[str, Any] = field(default_factory=dict)
    national_id: str | None = None  # the person it is about, when there is one


@dataclass(frozen=True)
class AuditPage:
    """A page of the trail: its rows, where the next starts (``None``: the last page), how many
    events match in all, and how many people the person filter stands for (``None``: no
    person filter)."""

    rows: list[AuditRow]
    after: AuditCursor | None
    total: int
    people: int | None = None
    similar: bool = False  # nobody has the name as typed: people whose name is near it


# -- the query -----------------------------------------------------------------------------


def kind_of(table: str, action: str) -> str:
    """The kind of an event (``""`` when none covers it)."""
    for name, kind in KINDS.items():
        if kind.covers(table, action):
            return name
    return ""


def _kind_condition(name: str) -> Any:
    events = table_of(AuditEvent)
    kind = KINDS[name]
    covered = []
    if kind.actions:
        covered.append(events.c.action.in_(sorted(kind.actions)))
    if kind.tables:
        covered.append(events.c.table_name.in_(sorted(kind.tables)))
    condition = or_(*covered) if covered else false()
    if kind.not_tables:
        condition = and_(condition, events.c.table_name.not_in(sorted(kind.not_tables)))
    # An event is of the first kind that covers it: the kinds before this one are excluded.
    for earlier in list(KINDS)[: list(KINDS).index(name)]:
        other = KINDS[earlier]
        if other.actions & kind.actions or other.tables & kind.tables:
            condition = and_(condition, not_(_kind_condition(earlier)))
    return condition


def _branches(name: str) -> list[Any]:
    """One condition per action and per table of a kind, each served by its own index."""
    events = table_of(AuditEvent)
    kind = KINDS[name]
    return [events.c.action == a for a in sorted(kind.actions)] + [
        events.c.table_name == t for t in sorted(kind.tables)
    ]


def _at() -> Any:
    """The event's time as stored (text that sorts as the time does), compared as text."""
    return type_coerce(table_of(AuditEvent).c.at, String)


def _day_start(day: date) -> str:
    """The stored text of the first instant of a local day."""
    local = datetime.combine(day, time.min).astimezone()
    return sql_time(local.astimezone(UTC))


def similar_events_note(person: str) -> str:
    """What the trail says above the events of people found by a name near the one typed."""
    return _(
        "Nobody is named “{query}”: these are events about people with a similar name."
    ).format(query=person)


def people_named(session: Session, text: str) -> list[str]:
    """The ids of the nationals a person filter stands for: an id as given, else everyone the
    search finds (at most :data:`MOST_PEOPLE` + 1, to tell that there were more)."""
    text = text.strip()
    if not text:
        return []
    if _UUID.match(text):
        return [text.lower()]
    seqs = search_seqs(session, text, MOST_PEOPLE + 1)
    seqs += deleted_seqs(session, text, MOST_PEOPLE + 1 - len(seqs))  # (who deleted them?)
    if not seqs:
        return []
    nt = table_of(National)
    return [r[0] for r in session.execute(select(nt.c.id).where(nt.c.seq.in_(seqs)))]


def _records_of(session: Session, people: Sequence[str]) -> list[str]:
    """The people's own records and the records about them (memberships, stays, seats,
    requests)."""
    ids = list(people)
    for model in _ABOUT_PERSON.values():
        table = table_of(model)
        ids += [
            r[0] for r in session.execute(select(table.c.id).where(table.c.national_id.in_(people)))
        ]
    return ids


def _conditions(session: Session, flt: AuditFilter) -> tuple[list[Any], int | None, bool]:
    events = table_of(AuditEvent)
    where: list[Any] = []
    people: int | None = None
    similar = False
    if flt.person.strip():
        found = people_named(session, flt.person)
        if not found:
            # Nobody by the name as typed: the people whose name is near it, said as such.
            seqs = similar_seqs(session, flt.person, MOST_PEOPLE + 1)
            nt = table_of(National)
            found = [r[0] for r in session.execute(select(nt.c.id).where(nt.c.seq.in_(seqs)))]
            similar = bool(found)
        people = len(found)
        if not found:
            return [false()], 0, False
        records = _records_of(session, found)
        created = func.json_each(events.c.changes, "$.created").table_valued("value")
        where.append(
            or_(
                events.c.record_id.in_(records),
                and_(
                    events.c.record_id == events.c.id,  # an import's one event for many
                    events.c.table_name == "national",
                    exists(select(created.c.value).where(created.c.value.in_(found))),
                ),
            )
        )
    if flt.officer:
        # As logins are: any case, any spacing ("айгүл  сейітова"); SQLite's lower() knows
        # no Cyrillic, so the names the trail holds are matched here (a post has a few).
        wanted = name_key(flt.officer)
        known = session.execute(select(events.c.officer).distinct()).scalars()
        where.append(events.c.officer.in_([n for n in known if n and name_key(n) == wanted]))
    if flt.since:
        where.append(_at() >= _day_start(flt.since))
    if flt.until:
        where.append(_at() < _day_start(flt.until + timedelta(days=1)))
    if flt.kind:
        if flt.kind not in KINDS:
            raise ValueError(f"no kind of audit event {flt.kind!r}")
        where.append(_kind_condition(flt.kind))
    return where, people, similar


def find_events(
    desk: Desk,
    flt: AuditFilter,
    *,
    limit: int = 100,
    after: AuditCursor | None = None,
    total: int | None = None,
) -> AuditPage:
    """A page of the trail, newest first, after ``after`` (``None``: the first page).

    ``total`` is the count the first page gave (``None``: count now), so later pages cost
    only their rows.

    Raises:
        ValueError: ``flt.kind`` is not a key of :data:`KINDS`.
    """
    events = table_of(AuditEvent)
    at_text = _at()
    with desk.casefile.read() as session:
        where, people, similar = _conditions(session, flt)
        if total is None:
            total = int(
                session.execute(select(func.count()).select_from(events).where(*where)).scalar_one()
            )
        if after is not None:
            where.append(or_(at_text < after.at, and_(at_text == after.at, events.c.id < after.id)))
        # A kind of several actions (or tables) is read as one index range each, newest first,
        # and the ranges merged: SQLite cannot read an IN over the index's first column in the
        # order of the next ones, and would sort every event of the kind for each page. A person
        # filter is narrow enough as it is.
        branches = _branches(flt.kind) if flt.kind and not flt.person.strip() else [None]
        found: dict[str, Any] = {}
        for branch in branches:
            query = select(events, at_text.label("at_text")).where(*where)
            if branch is not None:
                query = query.where(branch)
            query = query.order_by(events.c.at.desc(), events.c.id.desc()).limit(limit + 1)
            for r in session.execute(query):
                found.setdefault(r.id, r)
        ordered = sorted(found.values(), key=lambda r: (r.at_text, r.id), reverse=True)
        more = len(ordered) > limit
        ordered = ordered[:limit]
        rows = _rows(session, ordered)
    last = ordered[-1] if ordered else None
    cursor = AuditCursor(str(last.at_text), str(last.id)) if more and last is not None else None
    return AuditPage(rows, cursor, total, people, similar)


def officers(desk: Desk) -> list[str]:
    """Every officer the trail names, in alphabetical order."""
    events = table_of(AuditEvent)
    with desk.casefile.read() as session:
        names = session.execute(select(events.c.officer).distinct()).scalars()
        return sorted((n for n in names if n), key=str.casefold)


def event(desk: Desk, event_id: str) -> AuditRow | None:
    """One event of the trail, or ``None``."""
    events = table_of(AuditEvent)
    with desk.casefile.read() as session:
        found = list(session.execute(select(events).where(events.c.id == event_id)))
        rows = _rows(session, found)
    return rows[0] if rows else None


# -- rows as an officer reads them -----------------------------------------------------------


def _changes_of(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, dict) else {}


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rows(session: Session, found: Sequence[Any]) -> list[AuditRow]:
    """Rows with the names of the people, households, hotels and trips they are about."""
    by_table: dict[str, set[str]] = {}
    for r in found:
        by_table.setdefault(r.table_name, set()).add(r.record_id)
    person_of: dict[str, str] = {i: i for i in by_table.get("national", ())}
    for name, model in _ABOUT_PERSON.items():
        if ids := by_table.get(name):
            table = table_of(model)
            for rid, nid in session.execute(
                select(table.c.id, table.c.national_id).where(table.c.id.in_(ids))
            ):
                if nid:
                    person_of[rid] = nid
    names = _names(session, National, set(person_of.values()))
    places = {
        **_named(session, Household, by_table.get("household", set())),
        **_named(session, Hotel, by_table.get("hotel", set())),
        **_named(session, EvacuationOperation, by_table.get("evacuation_operation", set())),
        **_trips(session, by_table.get("trip", set())),
    }
    out = []
    for r in found:
        changes = _changes_of(r.changes)
        national_id = person_of.get(r.record_id)
        if r.table_name == "national" and national_id not in names:
            national_id = None  # an event about many (a list import), or a record gone
        if national_id is not None:
            subject = names[national_id]
        elif r.record_id in places:
            subject = places[r.record_id]
        elif "file" in changes:
            subject = str(changes["file"])
        elif "sender" in changes and isinstance(changes.get("created"), list):
            subject = _("Bundle from {post}").format(post=changes["sender"])  # many at once
        else:
            subject = _(TABLE_LABELS.get(r.table_name, r.table_name))
        out.append(
            AuditRow(
                id=r.id,
                at=_aware(r.at),
                officer=r.officer,
                post_code=r.post_code,
                table=r.table_name,
                record_id=r.record_id,
                action=r.action,
                kind=kind_of(r.table_name, r.action),
                subject=subject,
                summary=summarise(r.table_name, r.action, changes),
                changes=changes,
                national_id=national_id,
            )
        )
    return out


def _names(session: Session, model: Any, ids: Iterable[str]) -> dict[str, str]:
    ids = list(ids)
    if not ids:
        return {}
    table = table_of(model)
    out = {}
    for chunk in range(0, len(ids), 500):
        for r in session.execute(
            select(
                table.c.id,
                table.c.surname_cyr,
                table.c.given_names_cyr,
                table.c.surname_lat,
                table.c.given_names_lat,
            ).where(table.c.id.in_(ids[chunk : chunk + 500]))
        ):
            out[r.id] = display_name(
                r.surname_cyr or r.surname_lat, r.given_names_cyr or r.given_names_lat
            ) or display_name(r.surname_lat, r.given_names_lat)
    return out


def _named(session: Session, model: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    table = table_of(model)
    return dict(session.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids))).all())  # type: ignore[arg-type]


def _trips(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    table = table_of(Trip)
    rows = session.execute(
        select(table.c.id, table.c.origin, table.c.destination).where(table.c.id.in_(ids))
    )
    return {r.id: f"{r.origin} → {r.destination}" for r in rows}
