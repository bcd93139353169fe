"""The rules of a stay: which nights it occupies, what it costs, when two overlap, when a hotel
is full; and the rows a stay is shown as (a room charged per room costs once a night)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from consuldesk.domain.enums import PlacementStatus, PresenceStatus, RateBasis
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import national_name
from consuldesk.services.views import PlacementRow
from consuldesk.store.db import Tx, get_live
from consuldesk.store.models import Hotel, National, Placement

#: Placements that hold a bed now or later (overlap is checked among these).
ACTIVE_STATUSES = frozenset({PlacementStatus.BOOKED, PlacementStatus.CHECKED_IN})
ACTIVE_VALUES = [s.value for s in ACTIVE_STATUSES]


def _occupies(p: Placement, night: date) -> bool:
    """Whether a placement holds a bed on the night starting ``night``."""
    return (
        p.status != PlacementStatus.CANCELLED.value
        and p.check_in <= night
        and (p.check_out is None or night < p.check_out)
    )


def nights_between(check_in: date, check_out: date | None, until: date) -> int:
    """Nights from ``check_in`` to ``check_out`` (or ``until`` when open), at most to ``until``."""
    end = until if check_out is None else min(check_out, until)
    return max(0, (end - check_in).days)


def union_nights(spans: Iterable[tuple[date, date]]) -> int:
    """Distinct nights covered by ``[start, end)`` spans (a room shared by several stays)."""
    total, reach = 0, date.min
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            total += (end - start).days
            reach = end
    return total


def _running(p: Placement, day: date) -> bool:
    """Whether a stay goes on past the night before ``day``: booked or checked in, begun,
    and open-ended or leaving after ``day``."""
    return (
        p.status in ACTIVE_VALUES
        and p.check_in <= day
        and (p.check_out is None or p.check_out > day)
    )


def room_key(p: Placement) -> str:
    """The room a stay charged per room belongs to (its group, or itself)."""
    return p.room_group or p.id


def room_lead(members: Iterable[Placement]) -> Placement | None:
    """The stay of a room that carries the room's cost: the first one placed, unless
    cancelled; once it is checked out, the first of those still there (the guest list shows
    the room's cost on a line it still lists, not on one that left)."""
    active = [m for m in members if m.status != PlacementStatus.CANCELLED.value]
    staying = [m for m in active if m.status != PlacementStatus.CHECKED_OUT.value]
    return min(
        staying or active, key=lambda m: (m.id != room_key(m), m.check_in, m.id), default=None
    )


def overlaps(a_in: date, a_out: date | None, b_in: date, b_out: date | None) -> bool:
    """Whether two stays share a night (``None``: open-ended)."""
    return (b_out is None or a_in < b_out) and (a_out is None or b_in < a_out)


def check_dates(check_in: date, check_out: date | None) -> None:
    """Refuse a check-out that is not after the check-in (``placement.dates``)."""
    if check_out is not None and check_out <= check_in:
        raise ServiceError(
            "placement.dates",
            "check_out",
            check_in=check_in.isoformat(),
            check_out=check_out.isoformat(),
        )


def check_overlap(
    session: Session,
    national: National,
    check_in: date,
    check_out: date | None,
    exclude_id: str | None = None,
) -> None:
    """Refuse a stay that overlaps another active placement of the same person."""
    query = (
        select(Placement, Hotel)
        .join(Hotel, col(Hotel.id) == col(Placement.hotel_id))
        .where(
            col(Placement.national_id) == national.id,
            col(Placement.deleted_at).is_(None),
            col(Placement.status).in_(ACTIVE_VALUES),
        )
    )
    for other, hotel in session.exec(query).all():
        if other.id != exclude_id and overlaps(
            check_in, check_out, other.check_in, other.check_out
        ):
            raise ServiceError(
                "placement.overlap",
                "national_ids",
                person=national_name(national),
                hotel=hotel.name,
                national_id=national.id,
                placement_id=other.id,
            )


def _hotel_placements(
    session: Session, hotel_id: str, start: date, end: date | None
) -> list[Placement]:
    """Placements of a hotel that may occupy a night in ``[start, end)``."""
    query = select(Placement).where(
        col(Placement.hotel_id) == hotel_id,
        col(Placement.deleted_at).is_(None),
        col(Placement.status) != PlacementStatus.CANCELLED.value,
        or_(col(Placement.check_out).is_(None), col(Placement.check_out) > start),
    )
    if end is not None:
        query = query.where(col(Placement.check_in) < end)
    return list(session.exec(query).all())


def check_capacity(
    session: Session, hotel: Hotel, check_in: date, check_out: date | None, requested: int
) -> None:
    """Refuse when some night of the stay would have more guests than beds.

    Occupancy only rises on a night someone checks in, so the nights to check are the first
    night of the stay and every later check-in within it. A hotel with no beds recorded has an
    unknown capacity and is not checked.
    """
    if hotel.beds <= 0:
        return
    existing = _hotel_placements(session, hotel.id, check_in, check_out)
    nights = {check_in} | {p.check_in for p in existing if p.check_in > check_in}
    worst_night, worst = check_in, -1
    for night in sorted(nights):
        occupied = sum(1 for p in existing if _occupies(p, night))
        if occupied > worst:
            worst_night, worst = night, occupied
    if worst + requested > hotel.beds:
        raise ServiceError(
            "hotel.full",
            "hotel_id",
            hotel=hotel.name,
            beds=hotel.beds,
            occupied=worst,
            requested=requested,
            night=worst_night.isoformat(),
            # Those who do not fit, not the whole group: "10 more people do not fit" for ten
            # into four free beds read as if the hotel had none.
            free=max(hotel.beds - worst, 0),
            over=min(requested, worst + requested - hotel.beds),
        )


def set_presence(tx: Tx, national: National, status: PresenceStatus) -> None:
    """Record where a national is now."""
    tx.update(national, {"presence_status": status.value})


def still_in_a_hotel(session: Session, national_id: str, exclude_id: str) -> bool:
    """Whether the national is checked in somewhere besides the stay ``exclude_id``."""
    query = select(Placement.id).where(
        col(Placement.national_id) == national_id,
        col(Placement.deleted_at).is_(None),
        col(Placement.status) == PlacementStatus.CHECKED_IN.value,
        col(Placement.id) != exclude_id,
    )
    return session.exec(query).first() is not None


def live_placement(session: Session, placement_id: str) -> Placement:
    """A placement that exists and is not deleted.

    Raises:
        NotFound: no such live placement.
    """
    return get_live(session, Placement, placement_id)


def _room_members(session: Session, placements: Sequence[Placement]) -> dict[str, list[Placement]]:
    """Every live stay of the rooms (charged per room) that ``placements`` are in, by group."""
    groups: dict[str, list[Placement]] = defaultdict(list)
    keys = sorted({room_key(p) for p in placements if p.rate_basis == RateBasis.ROOM.value})
    seen: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        query = select(Placement).where(
            col(Placement.deleted_at).is_(None),
            or_(col(Placement.room_group).in_(chunk), col(Placement.id).in_(chunk)),
        )
        for m in session.exec(query).all():
            if m.id not in seen and m.rate_basis == RateBasis.ROOM.value:
                seen.add(m.id)
                groups[room_key(m)].append(m)
    return groups


def placement_rows(
    session: Session, placements: Iterable[Placement], today: date
) -> list[PlacementRow]:
    """The rows of stays as of ``today``, with the room-mates of rooms charged per room."""
    placements = list(placements)
    people: dict[str, str] = {}
    hotels: dict[str, str] = {}
    national_ids = sorted({p.national_id for p in placements})
    for start in range(0, len(national_ids), 900):
        chunk = national_ids[start : start + 900]
        for n in session.exec(select(National).where(col(National.id).in_(chunk))).all():
            people[n.id] = national_name(n)
    hotel_ids = sorted({p.hotel_id for p in placements})
    for h in session.exec(select(Hotel).where(col(Hotel.id).in_(hotel_ids))).all():
        hotels[h.id] = h.name
    # A room charged per room: its nights are those when any of its stays is there.
    rooms: dict[str, tuple[Placement | None, int, int, int]] = {}
    for key, members in _room_members(session, placements).items():
        live = [m for m in members if m.status != PlacementStatus.CANCELLED.value]
        whole = union_nights((m.check_in, m.check_out or today) for m in live)
        so_far = union_nights((m.check_in, min(m.check_out or today, today)) for m in live)
        rooms[key] = (room_lead(members), whole, so_far, len(live))
    rows = []
    for p in placements:
        cancelled = p.status == PlacementStatus.CANCELLED.value
        nights = 0 if cancelled else nights_between(p.check_in, p.check_out, p.check_out or today)
        so_far = 0 if cancelled else nights_between(p.check_in, p.check_out, today)
        cost, cost_so_far, share, here = (
            nights * p.nightly_cost_minor,
            so_far * p.nightly_cost_minor,
            1,
            True,
        )
        if p.rate_basis == RateBasis.ROOM.value and room_key(p) in rooms:
            lead, room_nights, room_so_far, share = rooms[room_key(p)]
            here = lead is not None and lead.id == p.id
            rate = lead.nightly_cost_minor if lead is not None else p.nightly_cost_minor
            cost = room_nights * rate if here else 0
            cost_so_far = room_so_far * rate if here else 0
        rows.append(
            PlacementRow(
                id=p.id,
                national_id=p.national_id,
                person_name=people.get(p.national_id, ""),
                hotel_id=p.hotel_id,
                hotel_name=hotels.get(p.hotel_id, ""),
                room=p.room,
                check_in=p.check_in,
                check_out=p.check_out,
                status=p.status,
                paid_by=p.paid_by,
                nightly_cost_minor=p.nightly_cost_minor,
                currency=p.currency,
                nights=nights,
                cost_minor=cost,
                rate_basis=p.rate_basis,
                room_group=p.room_group,
                room_share=max(share, 1),
                charged_here=here,
                nights_so_far=so_far,
                cost_so_far_minor=cost_so_far,
                running=_running(p, today),
            )
        )
    return rows


def sorted_rows(rows: list[PlacementRow]) -> list[PlacementRow]:
    """Stays by hotel, room (none last), name and check-in."""
    return sorted(
        rows,
        key=lambda r: (
            r.hotel_name.casefold(),
            r.room is None,
            (r.room or "").casefold(),
            r.person_name.casefold(),
            r.check_in,
            r.id,
        ),
    )
