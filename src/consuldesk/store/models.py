"""SQLModel tables of a case file.

Every synced table carries a UUID primary key, created/updated timestamps, the post that created
the row, an HLC ``version`` (see :mod:`consuldesk.domain.hlc`) and a ``deleted_at`` tombstone: rows
are never physically deleted, so deletions travel in sync bundles like any other change.

Enumerated columns hold the *values* of the enums in :mod:`consuldesk.domain.enums` as plain
text, so that adding a value never needs a migration.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, MetaData, Table, text
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)


_id_lock = threading.Lock()
_last_id = 0
_RAND_B = 2**62 - 1


def _next_values(count: int) -> int:
    """The first of ``count`` consecutive UUIDv7 values, each above every value this process
    made before (RFC 9562, 6.2: a new random start each millisecond; within one, or when the
    clock steps back, the next value of the last one)."""
    global _last_id
    ms = (time.time_ns() // 1_000_000) & (2**48 - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    value = ms << 80 | 0x7 << 76 | ((rand >> 62) & 0xFFF) << 64 | 0b10 << 62 | rand & _RAND_B
    with _id_lock:
        if value <= _last_id:
            value = _last_id + 1
            if _last_id & _RAND_B == _RAND_B:  # the carry would reach the variant bits
                value = ((_last_id >> 80) + 1) << 80 | 0x7 << 76 | 0b10 << 62
        if (value & _RAND_B) + count - 1 > _RAND_B:  # so would the batch's last id:
            value = ((value >> 80) + 1) << 80 | 0x7 << 76 | 0b10 << 62  # the next millisecond
        _last_id = value + count - 1
    return value


def _text_id(value: int) -> str:
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_ids(count: int) -> list[str]:
    """``count`` new UUIDv7 ids in one go (bulk inserts), in increasing order."""
    if count <= 0:
        return []
    first = _next_values(count)
    return [_text_id(first + i) for i in range(count)]


def new_id() -> str:
    """A new UUID version 7 (RFC 9562) in canonical text form.

    Time-ordered ids keep B-tree inserts at the end of the index, which matters for bulk imports,
    while staying globally unique across posts. Within a process each id is greater than the one
    before, so ids made in the same millisecond still sort in the order they were made.
    """
    return _text_id(_next_values(1))


def utcnow() -> datetime:
    """Current time in UTC (aware; SQLModel stores UTC and hands back aware datetimes)."""
    return datetime.now(UTC).replace(microsecond=0)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class (for set-based and driver-level statements)."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


class Synced(SQLModel):
    """Columns every synced row has."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    origin_post: str = Field(max_length=16)  # code of the post that created the row
    version: str = Field(max_length=64)  # HLC of the last change
    deleted_at: datetime | None = Field(default=None)
    # Per field, [the HLC that last wrote it, the field's version before that change]; "*" is
    # the creation (consuldesk.domain.versions). Sync merges records field by field with them.
    field_versions: dict[str, list[str | None]] | None = Field(default=None, sa_type=JSON)


class Meta(SQLModel, table=True):
    """Key/value facts about this case file (local post, clock), never synced."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Post(Synced, table=True):
    """An embassy, consulate or headquarters."""

    code: str = Field(max_length=16, unique=True)
    name: str
    host_country: str | None = Field(default=None, max_length=2)  # ISO 3166-1 alpha-2
    is_headquarters: bool = False


_LIVE = "deleted_at IS NULL"
#: (name, columns, condition) of the partial indexes over live nationals (migration 0010).
_LIVE_INDEXES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("ix_national_live_name", ("sort_name", "seq"), _LIVE),
    ("ix_national_live_born", ("birth_date", "sort_name", "seq"), _LIVE),
    ("ix_national_live_city", ("city", "sort_name", "seq"), _LIVE),
    ("ix_national_live_status", ("presence_status", "sort_name", "seq"), _LIVE),
    ("ix_national_live_country", ("host_country", "city", "sort_name", "seq"), _LIVE),
    (
        "ix_national_live_medical",
        ("sort_name", "seq"),
        f"{_LIVE} AND medical_condition IS NOT NULL AND medical_condition <> ''",
    ),
    (
        "ix_national_live_mobility",
        ("sort_name", "seq"),
        f"{_LIVE} AND mobility_needs IS NOT NULL AND mobility_needs <> ''",
    ),
    ("ix_national_live_pregnant", ("sort_name", "seq"), f"{_LIVE} AND pregnant = 1"),
    ("ix_national_live_households", ("household_kinds", "sort_name", "seq"), _LIVE),
    (
        "ix_national_live_women",
        ("household_youngest", "birth_date", "sort_name", "seq"),
        f"{_LIVE} AND sex = 'F'",
    ),
)


class National(Synced, table=True):
    """A citizen known to the post."""

    __table_args__ = (
        # One live record per IIN and passport at each post: the same person registered at
        # two posts (in transit) meets at headquarters as two records, flagged for merging.
        Index(
            "uq_national_iin_live",
            "iin",
            "origin_post",
            unique=True,
            sqlite_where=text("iin IS NOT NULL AND deleted_at IS NULL"),
        ),
        Index(
            "uq_national_passport_live",
            "passport_no",
            "origin_post",
            unique=True,
            sqlite_where=text("passport_no IS NOT NULL AND deleted_at IS NULL"),
        ),
        # Few records need review: the "needs review" filter and count read only those.
        Index(
            "ix_national_needs_review",
            "sort_name",
            "seq",
            sqlite_where=text("review IS NOT NULL AND deleted_at IS NULL"),
        ),
        # Records that may expire: gone or deleted, not anonymised yet (migration 0011).
        Index(
            "ix_national_retention",
            "presence_status",
            "deleted_at",
            sqlite_where=text("anonymised_at IS NULL"),
        ),
        # Every filter of the list counted and paged from an index (migration 0010).
        *(
            Index(name, *columns, sqlite_where=text(where))
            for name, columns, where in _LIVE_INDEXES
        ),
    )

    seq: int = Field(unique=True)  # stable integer key of the search index row
    surname_cyr: str | None = None
    given_names_cyr: str | None = None
    patronymic_cyr: str | None = None
    surname_lat: str | None = None  # as printed in the passport, verbatim
    given_names_lat: str | None = None
    sex: str | None = Field(default=None, max_length=1)
    birth_date: date | None = None  # indexed with the live records (ix_national_live_born)
    iin: str | None = Field(default=None, max_length=12)
    passport_no: str | None = Field(default=None, max_length=20)
    passport_expiry: date | None = None
    nationality: str = Field(default="KAZ", max_length=3)  # ICAO / ISO alpha-3
    phones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = None
    messenger: str | None = None  # e.g. "WhatsApp +971501234567", "Telegram @handle"
    host_country: str | None = Field(default=None, max_length=2)
    city: str | None = None
    address: str | None = None
    presence_status: str = Field(default="unknown", max_length=16)
    medical_condition: str | None = None
    mobility_needs: str | None = None
    pregnant: bool = False
    notes: str | None = None
    source: str = Field(default="walk_in", max_length=16)
    source_ref: str | None = None  # e.g. the imported file's name
    consent_date: date | None = None
    merged_into_id: str | None = Field(default=None, foreign_key="national.id")
    # Values set aside for an officer to review (consuldesk.domain.review); NULL: nothing to
    # review. Never an empty list, so "needs review" is "review IS NOT NULL".
    review: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # What an officer settled of the review (corrected, or marked as reviewed), as hashes of
    # each item's field, reason and value (consuldesk.domain.review.done_keys): a list sent
    # again with the same doubtful value does not set it aside again. NULL: nothing yet.
    review_done: list[str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    sort_name: str = ""  # indexed with the live records (ix_national_live_name)
    search_keys: str = ""  # space-separated search keys, mirrored into national_fts by triggers
    # IIN, passport and phone digits, mirrored into the trigram index national_ids: found by
    # any part ("68261" finds N56668261), as an officer reads the last digits out on the phone.
    id_keys: str = ""
    # The latest birth date among the live members of this person's live households, kept by
    # triggers (migration 0010): "a woman travelling with minors" is one indexed comparison.
    household_youngest: date | None = None
    # The kinds of live households this person is in (1 family, 2 tour group, 3 both, 0 none),
    # kept by the same triggers, for the list's household filter.
    household_kinds: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Retention (consuldesk.domain.retention, migration 0011): an officer's decision to keep
    # the record past its expiry, and when its personal details were removed. All three travel
    # in bundles: headquarters keeps what the post kept, and removes what the post removed.
    keep_until: date | None = None
    keep_reason: str | None = None
    anonymised_at: datetime | None = None


class Household(Synced, table=True):
    """A family or a tour group that travels together."""

    name: str
    kind: str = Field(default="family", max_length=16)
    head_id: str | None = Field(default=None, foreign_key="national.id")
    tour_operator: str | None = None
    notes: str | None = None
    # The family's value in the lists it came from ("12", "Семья Қасымовых"), case-folded, so
    # that a later list with the same value joins this household.
    list_key: str | None = Field(default=None, index=True)


class HouseholdMember(Synced, table=True):
    """A national's membership of a household."""

    __tablename__ = "household_member"  # type: ignore[assignment]

    __table_args__ = (
        Index(
            "uq_household_member_live",
            "household_id",
            "national_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    household_id: str = Field(foreign_key="household.id", index=True)
    national_id: str = Field(foreign_key="national.id", index=True)
    relation: str | None = None  # spouse, child, parent, member...


class AssistanceRequest(Synced, table=True):
    """Something a national (or a household) asked the post for."""

    __tablename__ = "assistance_request"  # type: ignore[assignment]

    national_id: str | None = Field(default=None, foreign_key="national.id", index=True)
    household_id: str | None = Field(default=None, foreign_key="household.id")
    kind: str = Field(max_length=16, index=True)
    priority: str = Field(default="normal", max_length=8)
    status: str = Field(default="new", max_length=16, index=True)
    summary: str
    details: str | None = None
    assignee: str | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None


class RequestEvent(Synced, table=True):
    """One entry of a request's timeline: a note, a call, a status change."""

    __tablename__ = "request_event"  # type: ignore[assignment]

    request_id: str = Field(foreign_key="assistance_request.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=16)
    author: str | None = None
    text: str = ""


class Hotel(Synced, table=True):
    """A hotel the post books rooms in."""

    name: str
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    rooms: int = 0
    beds: int = 0
    nightly_rate_minor: int = 0  # per ``rate_basis`` and night, in minor units of ``currency``
    currency: str = Field(default="USD", max_length=3)
    tour_operator: str | None = None
    notes: str | None = None
    # RateBasis: "person" (each guest pays the rate) or "room" (a room pays it once a night).
    rate_basis: str = Field(default="person", max_length=8)
    country: str | None = Field(default=None, max_length=2)  # ISO alpha-2 of the hotel


class Placement(Synced, table=True):
    """A national's stay in a hotel."""

    national_id: str = Field(foreign_key="national.id", index=True)
    hotel_id: str = Field(foreign_key="hotel.id", index=True)
    room: str | None = None
    check_in: date
    check_out: date | None = None  # planned or actual; open-ended when unknown
    status: str = Field(default="booked", max_length=16)
    nightly_cost_minor: int = 0
    currency: str = Field(default="USD", max_length=3)
    paid_by: str = Field(default="post", max_length=16)
    # Copied from the hotel when placed. Per room, the stays sharing ``room_group`` (the id of
    # the first of them) are one room: its rate is charged once a night while any of them stays.
    rate_basis: str = Field(default="person", max_length=8)
    room_group: str | None = Field(default=None, max_length=36, index=True)


class EvacuationOperation(Synced, table=True):
    """An evacuation: a named route made of legs (trips)."""

    __tablename__ = "evacuation_operation"  # type: ignore[assignment]

    name: str
    route: str | None = None
    host_country: str | None = Field(default=None, max_length=2)
    status: str = Field(default="planned", max_length=16)
    notes: str | None = None
    # Seat sharing rule: priority classes of consuldesk.domain.allocation, comma-separated, most
    # urgent first (NULL: the default order); whether groups may be split across vehicles.
    priority_order: str | None = None
    allow_split_groups: bool = False


class Trip(Synced, table=True):
    """One leg of an operation: a bus, a flight, a train, a ferry."""

    operation_id: str = Field(foreign_key="evacuation_operation.id", index=True)
    leg_no: int = 1
    mode: str = Field(default="bus", max_length=8)
    origin: str
    destination: str
    border_crossing: str | None = None
    departure_at: datetime | None = None
    capacity: int = 0
    vehicle: str | None = None  # plate or flight number
    carrier: str | None = None  # driver or airline
    escort_officer: str | None = None
    status: str = Field(default="planned", max_length=16)


class ManifestEntry(Synced, table=True):
    """A person on one leg of an operation: waiting in its pool, or on one of its trips.

    ``trip_id`` is empty while the person waits (status ``waitlisted``). A no-show or an offloaded
    passenger keeps this entry on the trip (the manifest's record) and goes back to the pool
    with a new waitlisted entry.
    """

    __tablename__ = "manifest_entry"  # type: ignore[assignment]

    __table_args__ = (
        Index(
            "uq_manifest_entry_live",
            "trip_id",
            "national_id",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    operation_id: str = Field(foreign_key="evacuation_operation.id", index=True)
    leg_no: int = 1
    trip_id: str | None = Field(default=None, foreign_key="trip.id", index=True)
    national_id: str = Field(foreign_key="national.id", index=True)
    seat: str | None = None
    status: str = Field(default="allocated", max_length=16)
    # Why allocated or waitlisted: JSON {"code": ..., "params": {...}} of an allocation Reason.
    reason: str | None = None
    priority_class: str | None = Field(default=None, max_length=24)
    position: int | None = None  # place on the waitlist
    boarded_at: datetime | None = None


class DuplicateCandidate(Synced, table=True):
    """A pair of records that are probably one person, awaiting review."""

    __tablename__ = "duplicate_candidate"  # type: ignore[assignment]

    national_a_id: str = Field(foreign_key="national.id", index=True)
    national_b_id: str = Field(foreign_key="national.id", index=True)
    score: float
    status: str = Field(default="open", max_length=16)


#: (name, columns, condition) of the audit trail's indexes (migration 0012): the trail is read
#: newest first, a page after the last one (keyset on ``at, id``), by officer, by action, by
#: table; events about many records at once (a list import: ``record_id = id``) have their own.
AUDIT_INDEXES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("ix_audit_event_at", ("at", "id"), None),
    ("ix_audit_event_officer", ("officer", "at", "id"), None),
    ("ix_audit_event_action", ("action", "at", "id", "table_name"), None),
    ("ix_audit_event_table", ("table_name", "at", "id"), None),
    ("ix_audit_event_batches", ("table_name", "at", "id"), "record_id = id"),
)


class AuditEvent(SQLModel, table=True):
    """Who changed which record when, with old and new values; also who exported, printed,
    sent or received which file (see :mod:`consuldesk.services.audit`).

    Append-only: triggers (migration 0012) refuse every UPDATE and DELETE of its rows.
    """

    __tablename__ = "audit_event"  # type: ignore[assignment]
    __table_args__ = tuple(
        Index(name, *columns, sqlite_where=text(where) if where else None)
        for name, columns, where in AUDIT_INDEXES
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    at: datetime = Field(default_factory=utcnow)
    officer: str
    post_code: str = Field(max_length=16)
    table_name: str = Field(max_length=32)
    record_id: str = Field(max_length=36, index=True)
    action: str = Field(max_length=16)  # create, update, delete, merge, export, printed, …
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: str = Field(max_length=64)


class AuditRedaction(SQLModel, table=True):
    """An audit event whose personal values were replaced by a marker when the record it is
    about was anonymised (:mod:`consuldesk.store.retention`). The event itself stays: who did
    what when. Local to this case file; each case file redacts its own trail."""

    __tablename__ = "audit_redaction"  # type: ignore[assignment]

    audit_id: str = Field(primary_key=True, max_length=36)
    national_id: str = Field(max_length=36, index=True)  # the anonymised person
    at: datetime = Field(default_factory=utcnow)
    officer: str


SYNCED_TABLES: tuple[type[Synced], ...] = (
    Post,
    National,
    Household,
    HouseholdMember,
    AssistanceRequest,
    RequestEvent,
    Hotel,
    Placement,
    EvacuationOperation,
    Trip,
    ManifestEntry,
    DuplicateCandidate,
)


# -- keys (local to this case file, never synced as rows) ------------------------------------


class OwnKey(SQLModel, table=True):
    """This post's keys: the public key file, and the private keys sealed under the officer's
    passphrase (:func:`consuldesk.sync.keys.seal`). One is ``active``; rotated keys stay
    ``retired`` (they still open bundles sent to them before the rotation)."""

    __tablename__ = "own_key"  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    key_id: str = Field(max_length=16, unique=True)
    fingerprint: str = Field(max_length=29)
    public_file: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="active", max_length=8)  # active, retired, revoked
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str
    ended_at: datetime | None = None  # retired or revoked
    reason: str | None = None


class PeerKey(SQLModel, table=True):
    """A key of another case file this one trusts: enrolled after comparing its fingerprint,
    or vouched for by a statement signed with a key already trusted."""

    __tablename__ = "peer_key"  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    post_code: str = Field(max_length=16, index=True)
    post_name: str
    role: str = Field(max_length=16)  # post, headquarters, escrow
    host_country: str | None = Field(default=None, max_length=2)  # as its key file says
    key_id: str = Field(max_length=16, unique=True)
    fingerprint: str = Field(max_length=29)
    signing_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # empty: escrow
    recipient: str
    status: str = Field(default="active", max_length=8)  # active, retired, revoked
    trusted_by: str  # "fingerprint", or the key id of the statement's signer
    enrolled_at: datetime = Field(default_factory=utcnow)
    enrolled_by: str
    ended_at: datetime | None = None
    reason: str | None = None


class KeyStatement(SQLModel, table=True):
    """A signed key statement (rotation, revocation, escrow) made here or received: bundles
    carry them to every peer, so key changes travel with the data."""

    __tablename__ = "key_statement"  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kind: str = Field(max_length=8)
    subject: str = Field(max_length=16)  # the post whose keys changed
    key_id: str = Field(max_length=16)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    digest: str = Field(max_length=64, unique=True)  # SHA-256 of body: each statement once
    at: datetime = Field(default_factory=utcnow)
    made_here: bool = False


# -- sync (local to this case file) ------------------------------------------------------------


class SyncPeer(SQLModel, table=True):
    """What this case file knows of one it exchanges bundles with."""

    __tablename__ = "sync_peer"  # type: ignore[assignment]

    post_code: str = Field(primary_key=True, max_length=16)
    sent_sequence: int = 0  # the last bundle made for it
    received_sequence: int = 0  # the last bundle from it applied here
    # What it holds, by origin post: the newest change from each (from its acknowledgements).
    acked: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_sent_at: datetime | None = None
    last_received_at: datetime | None = None
    last_change: str | None = None  # the newest change of its own in its last bundle
    # When its newest bundle applied here was made: its figures here are as of then.
    last_bundle_made: datetime | None = None


class SyncKnowledge(SQLModel, table=True):
    """The newest change this case file holds from each post (its own included)."""

    __tablename__ = "sync_knowledge"  # type: ignore[assignment]

    node: str = Field(primary_key=True, max_length=16)
    version: str = Field(max_length=64)


class SyncHeld(SQLModel, table=True):
    """A record a peer is known to hold although another post made it: sent to it whole, or
    received from it. Bundles for a post carry the changes of what it holds and of what
    concerns it (:mod:`consuldesk.sync.scope`)."""

    __tablename__ = "sync_held"  # type: ignore[assignment]

    peer: str = Field(primary_key=True, max_length=16)
    table_name: str = Field(primary_key=True, max_length=32)
    record_id: str = Field(primary_key=True, max_length=36)


class OfficerAccount(SQLModel, table=True):
    """An officer who may open this case file: name, role, and since when. Local to the case
    file, never synced (each post has its own staff). The passphrase is not here: it unwraps
    the file's key from the officer's slot in the keyring beside the file (Argon2id), so the
    login and the decryption are one check.

    ``role``: ``viewer`` (reads, prints), ``officer`` (changes), ``head`` (head of the consular
    section: also deletes, merges, bundles, keys and accounts).
    """

    __tablename__ = "officer_account"  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str
    name_key: str = Field(max_length=200, unique=True)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    disabled_at: datetime | None = None
    last_login_at: datetime | None = None


class ChangeAuthor(SQLModel, table=True):
    """Who made a post's changes: the officer of every write transaction, as the range of
    versions it issued, ``after < version <= through``. Written by each write at its own post
    and carried in bundles with the changes, so a conflict can say who made each side."""

    __tablename__ = "change_author"  # type: ignore[assignment]

    node: str = Field(primary_key=True, max_length=16)
    through: str = Field(primary_key=True, max_length=64)
    after: str = Field(max_length=64)
    officer: str


class SyncConflict(SQLModel, table=True):
    """Two changes to one field that did not see each other, for an officer to look at. The
    case file already holds the winner (the later change, the same everywhere)."""

    __tablename__ = "sync_conflict"  # type: ignore[assignment]

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    table_name: str = Field(max_length=32)
    record_id: str = Field(max_length=36, index=True)
    field: str = Field(max_length=64)
    kept_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    kept_version: str = Field(max_length=64)
    other_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    other_version: str = Field(max_length=64)
    base_version: str | None = Field(default=None, max_length=64)  # what both had before
    kept_by: str | None = None  # the officer who made the kept change, where known
    other_by: str | None = None
    # The field's value before the two changes, where this case file knows it ("known").
    before_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    before_known: bool = False
    bundle_id: str = Field(max_length=36)
    detected_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="open", max_length=8)  # open, resolved
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolved_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))  # chosen


class HeldBundle(SQLModel, table=True):
    """A verified bundle waiting for the bundles before it (a gap)."""

    __tablename__ = "held_bundle"  # type: ignore[assignment]

    bundle_id: str = Field(primary_key=True, max_length=36)
    sender: str = Field(max_length=16)
    sequence: int
    received_at: datetime = Field(default_factory=utcnow)
    missing: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # decrypted, verified
