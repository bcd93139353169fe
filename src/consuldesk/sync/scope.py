"""Which records concern a post: what a bundle for that post may carry.

Headquarters holds everything. A post holds what concerns its country, and only that: a laptop
seized in Tehran must not reveal the nationals registered in Doha. A record concerns the post
of country ``C`` when

- it is a national whose host country is ``C`` (a list registered centrally, a person handed
  over when their host country became ``C``), or whom that post registered;
- it is a household, request, hotel or operation that post made, a household with such a
  national in it, a request of such a national or household, a stay of such a national or in
  such a hotel, an operation in ``C`` with its trips, a place on a manifest of such a national
  or operation, a duplicate flag between two such nationals;
- or another record above refers to it (the household of a member, the hotel of a stay, the
  national a record was merged into): a record never arrives without what it refers to.

:func:`concerning` computes this closure from the case file's current records; records a post
already holds (``sync_held``, and the ones it made itself) keep receiving their changes even
when they no longer concern it, so it learns that a person left. Everything here is SQLAlchemy
Core that SQLite and PostgreSQL both run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.store.models import (
    AssistanceRequest,
    DuplicateCandidate,
    EvacuationOperation,
    Hotel,
    Household,
    HouseholdMember,
    ManifestEntry,
    National,
    PeerKey,
    Placement,
    Post,
    RequestEvent,
    SyncHeld,
    Trip,
    table_of,
)

Scope = dict[str, set[str]]  # table -> ids

_CHUNK = 500


def _rows(session: Session, *columns: object) -> list[tuple[str | None, ...]]:
    return [tuple(r) for r in session.execute(sa_select(*columns))]  # type: ignore[call-overload]


def concerning(
    session: Session, post: str, country: str | None, held: Scope | None = None
) -> Scope:
    """The ids, by table, of every record that concerns ``post`` (in ``country``), with what
    the records it already holds (``held``) refer to."""
    held = held or {}
    nationals: set[str] = set(held.get("national", ()))
    merged: dict[str, str] = {}  # national -> the record it was merged into
    for record_id, host, origin, into in _rows(
        session, National.id, National.host_country, National.origin_post, National.merged_into_id
    ):
        if origin == post or (country is not None and host == country):
            nationals.add(str(record_id))
        if into is not None:
            merged[str(record_id)] = str(into)
    family_rows = _rows(session, Household.id, Household.origin_post, Household.head_id)
    households = {
        str(i)
        for i, origin, head in family_rows
        if origin == post or head in nationals or i in held.get("household", ())
    }
    heads = {str(i): head for i, _origin, head in family_rows if head}
    members = _rows(
        session, HouseholdMember.id, HouseholdMember.household_id, HouseholdMember.national_id
    )
    requests = _rows(
        session,
        AssistanceRequest.id,
        AssistanceRequest.national_id,
        AssistanceRequest.household_id,
        AssistanceRequest.origin_post,
    )
    hotels = {
        str(i)
        for i, origin in _rows(session, Hotel.id, Hotel.origin_post)
        if origin == post or i in held.get("hotel", ())
    }
    placements = _rows(session, Placement.id, Placement.national_id, Placement.hotel_id)
    operations = {
        str(i)
        for i, origin, host in _rows(
            session,
            EvacuationOperation.id,
            EvacuationOperation.origin_post,
            EvacuationOperation.host_country,
        )
        if origin == post
        or (country is not None and host == country)
        or i in held.get("evacuation_operation", ())
    }
    trips_of = _rows(session, Trip.id, Trip.operation_id)
    entries = _rows(
        session,
        ManifestEntry.id,
        ManifestEntry.national_id,
        ManifestEntry.operation_id,
        ManifestEntry.trip_id,
    )
    chosen_requests: set[str] = set(held.get("assistance_request", ()))
    chosen_placements: set[str] = set(held.get("placement", ()))
    chosen_entries: set[str] = set(held.get("manifest_entry", ()))
    trips: set[str] = set(held.get("trip", ()))

    def size() -> tuple[int, ...]:
        return tuple(
            len(x) for x in (nationals, households, hotels, operations, trips, chosen_requests)
        )

    while True:  # until nothing more is drawn in (a few rounds: the graph is shallow)
        before = size()
        for _, household, national in members:
            if national in nationals:
                households.add(str(household))
        for _, household, national in members:
            if household in households:
                nationals.add(str(national))
        nationals.update(str(heads[h]) for h in households if h in heads)
        for record_id, national, household, origin in requests:
            if (
                origin == post
                or national in nationals
                or household in households
                or record_id in chosen_requests
            ):
                chosen_requests.add(str(record_id))
                if national:
                    nationals.add(national)
                if household:
                    households.add(household)
        for record_id, national, hotel in placements:
            if national in nationals or hotel in hotels or record_id in chosen_placements:
                chosen_placements.add(str(record_id))
                nationals.add(str(national))
                hotels.add(str(hotel))
        for record_id, national, operation, trip in entries:
            if national in nationals or operation in operations or record_id in chosen_entries:
                chosen_entries.add(str(record_id))
                nationals.add(str(national))
                operations.add(str(operation))
                if trip:
                    trips.add(trip)
        for record_id, operation in trips_of:
            if operation in operations:
                trips.add(str(record_id))
            elif record_id in trips:
                operations.add(str(operation))
        for national in list(nationals):  # the record a national was merged into, and on
            while national in merged and merged[national] not in nationals:
                national = merged[national]
                nationals.add(national)
        if size() == before:
            break
    scope: Scope = {
        "post": {str(i) for (i,) in _rows(session, Post.id)},
        "national": nationals,
        "household": households,
        "household_member": {str(i) for i, h, _ in members if h in households},
        "assistance_request": chosen_requests,
        "request_event": {
            str(i)
            for i, r in _rows(session, RequestEvent.id, RequestEvent.request_id)
            if r in chosen_requests
        },
        "hotel": hotels,
        "placement": chosen_placements,
        "evacuation_operation": operations,
        "trip": trips,
        "manifest_entry": chosen_entries,
        "duplicate_candidate": {
            str(i)
            for i, a, b_ in _rows(
                session,
                DuplicateCandidate.id,
                DuplicateCandidate.national_a_id,
                DuplicateCandidate.national_b_id,
            )
            if a in nationals and b_ in nationals
        },
    }
    return scope


def held_by(session: Session, peer: str) -> Scope:
    """The records ``peer`` is known to hold besides its own: those sent to it whole, and
    those it sent here that another post made."""
    held: Scope = defaultdict(set)
    for table, record_id in session.exec(
        select(SyncHeld.table_name, SyncHeld.record_id).where(SyncHeld.peer == peer)
    ):
        held[table].add(record_id)
    return held


def note_held(session: Session, peer: str, records: Iterable[tuple[str, str]]) -> None:
    """Remember that ``peer`` holds ``records`` (``(table, id)`` pairs), once each."""
    wanted = set(records)
    if not wanted:
        return
    known = held_by(session, peer)
    rows = [
        {"peer": peer, "table_name": t, "record_id": i}
        for t, i in sorted(wanted)
        if i not in known.get(t, ())
    ]
    table = table_of(SyncHeld)  # type: ignore[arg-type]
    for start in range(0, len(rows), _CHUNK * 10):
        session.execute(table.insert(), rows[start : start + _CHUNK * 10])


def country_of(session: Session, post: str) -> str | None:
    """The host country of ``post``: as its post record says, else as its enrolled key says
    (before its first bundle); ``None`` for headquarters."""
    found = session.exec(select(Post.host_country).where(col(Post.code) == post)).first()
    if found:
        return found
    return session.exec(
        select(PeerKey.host_country)
        .where(PeerKey.post_code == post, col(PeerKey.host_country).is_not(None))
        .order_by(col(PeerKey.enrolled_at).desc())
    ).first()
