"""Use cases about hotels: the hotels the post books, who stays where, occupancy and costs.

A placement is one person's stay. It *occupies* the nights from ``check_in`` up to the night
before ``check_out`` (open-ended while ``check_out`` is unknown) unless it is cancelled; booked,
checked-in and checked-out placements all count, so occupancy and costs of past nights stay
true. Amounts are integers in minor units of the placement's currency (copied from the hotel
when the placement is made) and different currencies are never added together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pycountry
from sqlalchemy import or_
from sqlmodel import Session, col, select

from consuldesk.domain.enums import HouseholdKind, PaidBy, PlacementStatus, PresenceStatus
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import live_household, national_name
from consuldesk.services.nationals import live_national
from consuldesk.services.views import (
    CostReport,
    CostRow,
    HotelOccupancyRow,
    HotelRow,
    PlacementRow,
    Written,
)
from consuldesk.store.db import Tx, get_live
from consuldesk.store.models import Hotel, Household, HouseholdMember, National, Placement

__all__ = [
    "ACTIVE_STATUSES",
    "HotelFields",
    "add_hotel",
    "cancel_placement",
    "check_in",
    "check_out",
    "costs",
    "get_hotel",
    "guests_tonight",
    "list_hotels",
    "list_placements",
    "occupancy",
    "place",
    "place_household",
    "update_hotel",
]

#: Placements that hold a bed now or later (overlap is checked among these).
ACTIVE_STATUSES = frozenset({PlacementStatus.BOOKED, PlacementStatus.CHECKED_IN})
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


# -- hotels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotelFields:
    """What an officer enters about a hotel. Amounts in minor units of ``currency``."""

    name: str
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    rooms: int = 0
    beds: int = 0
    nightly_rate_minor: int = 0
    currency: str = "USD"
    tour_operator: str | None = None
    notes: str | None = None


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def currency_code(value: str, field: str = "currency") -> str:
    """An ISO 4217 alphabetic code, upper-cased.

    Raises:
        ServiceError: ``currency.unknown`` (params ``value``).
    """
    code = (value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ServiceError("currency.unknown", field, value=value)
    return code


def _not_negative(value: int, field: str) -> int:
    if value < 0:
        raise ServiceError("value.negative", field, value=value)
    return int(value)


def _hotel_values(fields: HotelFields) -> dict[str, object]:
    name = _clean(fields.name)
    if name is None:
        raise ServiceError("hotel.name", "name")
    return {
        "name": name,
        "city": _clean(fields.city),
        "address": _clean(fields.address),
        "phone": _clean(fields.phone),
        "rooms": _not_negative(fields.rooms, "rooms"),
        "beds": _not_negative(fields.beds, "beds"),
        "nightly_rate_minor": _not_negative(fields.nightly_rate_minor, "nightly_rate_minor"),
        "currency": currency_code(fields.currency),
        "tour_operator": _clean(fields.tour_operator),
        "notes": _clean(fields.notes),
    }


def hotel_row(h: Hotel) -> HotelRow:
    """The frozen row of a hotel."""
    return HotelRow(
        id=h.id,
        name=h.name,
        city=h.city,
        address=h.address,
        phone=h.phone,
        rooms=h.rooms,
        beds=h.beds,
        nightly_rate_minor=h.nightly_rate_minor,
        currency=h.currency,
        tour_operator=h.tour_operator,
        notes=h.notes,
        updated_at=h.updated_at,
        version=h.version,
    )


def live_hotel(session: Session, hotel_id: str) -> Hotel:
    """A hotel that exists and is not deleted.

    Raises:
        NotFound: no such live hotel.
    """
    return get_live(session, Hotel, hotel_id)


def add_hotel(desk: Desk, fields: HotelFields) -> Written[HotelRow]:
    """Add a hotel.

    Raises:
        ServiceError: ``hotel.name`` (empty), ``value.negative`` (rooms, beds or rate),
            ``currency.unknown``.
    """
    values = _hotel_values(fields)
    with desk.casefile.write(desk.officer) as tx:
        h = Hotel(**values)  # type: ignore[arg-type]
        tx.add(h)
        row = hotel_row(h)
    return Written(row, tx.changes)


def update_hotel(desk: Desk, hotel_id: str, fields: HotelFields) -> Written[HotelRow]:
    """Save a hotel's fields; only what changed is stamped and audited.

    Existing placements keep their nightly cost and currency.

    Raises:
        NotFound: no such live hotel.
        ServiceError: as :func:`add_hotel`.
    """
    values = _hotel_values(fields)
    with desk.casefile.write(desk.officer) as tx:
        h = live_hotel(tx.session, hotel_id)
        tx.update(h, values)
        row = hotel_row(h)
    return Written(row, tx.changes)


def get_hotel(desk: Desk, hotel_id: str) -> HotelRow:
    """One hotel.

    Raises:
        NotFound: no such live hotel.
    """
    with desk.casefile.read() as session:
        return hotel_row(live_hotel(session, hotel_id))


def list_hotels(desk: Desk) -> list[HotelRow]:
    """Live hotels by name."""
    with desk.casefile.read() as session:
        hotels = session.exec(select(Hotel).where(col(Hotel.deleted_at).is_(None))).all()
        return sorted((hotel_row(h) for h in hotels), key=lambda r: (r.name.casefold(), r.id))


# -- placement rules -----------------------------------------------------------------------


def _occupies(p: Placement, night: date) -> bool:
    """Whether a placement holds a bed on the night starting ``night``."""
    return (
        p.status != PlacementStatus.CANCELLED.value
        and p.check_in <= night
        and (p.check_out is None or night < p.check_out)
    )


def _nights(check_in: date, check_out: date | None, until: date) -> int:
    """Nights from ``check_in`` to ``check_out`` (or ``until`` when open), at most to ``until``."""
    end = until if check_out is None else min(check_out, until)
    return max(0, (end - check_in).days)


def _overlaps(a_in: date, a_out: date | None, b_in: date, b_out: date | None) -> bool:
    return (b_out is None or a_in < b_out) and (a_out is None or b_in < a_out)


def _check_dates(check_in: date, check_out: date | None) -> None:
    if check_out is not None and check_out <= check_in:
        raise ServiceError(
            "placement.dates",
            "check_out",
            check_in=check_in.isoformat(),
            check_out=check_out.isoformat(),
        )


def _check_overlap(
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
            col(Placement.status).in_(_ACTIVE),
        )
    )
    for other, hotel in session.exec(query).all():
        if other.id != exclude_id and _overlaps(
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


def _check_capacity(
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
        )


def _set_presence(tx: Tx, national: National, status: PresenceStatus) -> None:
    tx.update(national, {"presence_status": status.value})


def _still_in_a_hotel(session: Session, national_id: str, exclude_id: str) -> bool:
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


def _placement_rows(
    session: Session, placements: Iterable[Placement], today: date
) -> list[PlacementRow]:
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
    rows = []
    for p in placements:
        cancelled = p.status == PlacementStatus.CANCELLED.value
        nights = 0 if cancelled else _nights(p.check_in, p.check_out, p.check_out or today)
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
                cost_minor=nights * p.nightly_cost_minor,
            )
        )
    return rows


def _sorted_rows(rows: list[PlacementRow]) -> list[PlacementRow]:
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


# -- placing -------------------------------------------------------------------------------


def _place(
    tx: Tx,
    hotel: Hotel,
    national_ids: Sequence[str],
    check_in: date,
    check_out: date | None,
    room: str | None,
    paid_by: PaidBy,
    nightly_cost_minor: int | None,
    allow_overbook: bool,
    checked_in: bool,
) -> list[Placement]:
    ids = list(dict.fromkeys(national_ids))
    if not ids:
        raise ServiceError("placement.empty", "national_ids")
    _check_dates(check_in, check_out)
    cost = hotel.nightly_rate_minor if nightly_cost_minor is None else nightly_cost_minor
    _not_negative(cost, "nightly_cost_minor")
    people = [live_national(tx.session, national_id) for national_id in ids]
    for national in people:
        _check_overlap(tx.session, national, check_in, check_out)
    if not allow_overbook:
        _check_capacity(tx.session, hotel, check_in, check_out, len(people))
    status = PlacementStatus.CHECKED_IN if checked_in else PlacementStatus.BOOKED
    placements = []
    for national in people:
        p = Placement(  # type: ignore[call-arg]
            national_id=national.id,
            hotel_id=hotel.id,
            room=_clean(room),
            check_in=check_in,
            check_out=check_out,
            status=status.value,
            nightly_cost_minor=cost,
            currency=hotel.currency,
            paid_by=PaidBy(paid_by).value,
        )
        tx.add(p)
        placements.append(p)
        if checked_in:
            _set_presence(tx, national, PresenceStatus.IN_HOTEL)
    tx.session.flush()
    return placements


def place(
    desk: Desk,
    hotel_id: str,
    national_ids: Sequence[str],
    check_in: date,
    check_out: date | None = None,
    room: str | None = None,
    paid_by: PaidBy = PaidBy.POST,
    nightly_cost_minor: int | None = None,
    *,
    allow_overbook: bool = False,
    checked_in: bool = False,
) -> Written[tuple[PlacementRow, ...]]:
    """Book a hotel for some nationals: one placement per person, all with the same dates.

    Args:
        desk: the services' context.
        hotel_id: the hotel.
        national_ids: the people (repeats are ignored).
        check_in: the first night.
        check_out: the day they leave (``None``: not known yet).
        room: room number or name, shared by everyone placed.
        paid_by: who pays.
        nightly_cost_minor: per person and night; default the hotel's rate.
        allow_overbook: place them even when the hotel has no free bed.
        checked_in: they are arriving now: placements start checked in and each person's
            presence becomes ``in_hotel``.

    Raises:
        NotFound: the hotel or a national does not exist.
        ServiceError: ``placement.empty``, ``placement.dates``, ``value.negative``,
            ``placement.overlap`` (params ``person``, ``hotel``, ``national_id``,
            ``placement_id``), ``hotel.full`` (params ``beds``, ``occupied``, ``requested``,
            ``night``, ``hotel``).
    """
    with desk.casefile.write(desk.officer) as tx:
        hotel = live_hotel(tx.session, hotel_id)
        placements = _place(
            tx,
            hotel,
            national_ids,
            check_in,
            check_out,
            room,
            paid_by,
            nightly_cost_minor,
            allow_overbook,
            checked_in,
        )
        rows = tuple(_placement_rows(tx.session, placements, desk.today()))
    return Written(rows, tx.changes)


def place_household(
    desk: Desk,
    hotel_id: str,
    household_id: str,
    check_in: date,
    check_out: date | None = None,
    room: str | None = None,
    paid_by: PaidBy = PaidBy.POST,
    nightly_cost_minor: int | None = None,
    *,
    allow_overbook: bool = False,
    checked_in: bool = False,
) -> Written[tuple[PlacementRow, ...]]:
    """Place every live member of a household together (see :func:`place`).

    Raises:
        NotFound: the hotel or household does not exist.
        ServiceError: as :func:`place`; ``placement.empty`` for a household without members.
    """
    with desk.casefile.write(desk.officer) as tx:
        hotel = live_hotel(tx.session, hotel_id)
        live_household(tx.session, household_id)
        member_ids = tx.session.exec(
            select(HouseholdMember.national_id)
            .join(National, col(National.id) == col(HouseholdMember.national_id))
            .where(
                col(HouseholdMember.household_id) == household_id,
                col(HouseholdMember.deleted_at).is_(None),
                col(National.deleted_at).is_(None),
            )
            .order_by(col(National.sort_name))
        ).all()
        placements = _place(
            tx,
            hotel,
            list(member_ids),
            check_in,
            check_out,
            room,
            paid_by,
            nightly_cost_minor,
            allow_overbook,
            checked_in,
        )
        rows = tuple(_placement_rows(tx.session, placements, desk.today()))
    return Written(rows, tx.changes)


def _require_status(p: Placement, *allowed: PlacementStatus) -> None:
    if p.status not in {s.value for s in allowed}:
        raise ServiceError("placement.status", "status", status=p.status)


def check_in(desk: Desk, placement_id: str, on: date | None = None) -> Written[PlacementRow]:
    """Record that a booked person arrived (on ``on``, default today).

    The check-in date becomes the arrival date and the person's presence ``in_hotel``.

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (not booked), ``placement.dates`` (arrival on or
            after the check-out date), ``placement.overlap``.
    """
    day = on or desk.today()
    with desk.casefile.write(desk.officer) as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.BOOKED)
        _check_dates(day, p.check_out)
        national = live_national(tx.session, p.national_id)
        _check_overlap(tx.session, national, day, p.check_out, exclude_id=p.id)
        tx.update(p, {"status": PlacementStatus.CHECKED_IN.value, "check_in": day})
        _set_presence(tx, national, PresenceStatus.IN_HOTEL)
        tx.session.flush()
        row = _placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


def check_out(desk: Desk, placement_id: str, on: date | None = None) -> Written[PlacementRow]:
    """Record that a person left the hotel (on ``on``, default today).

    The check-out date becomes the departure date. A person whose presence was ``in_hotel``
    (and who is checked in nowhere else) is back ``in_country``; any other presence, such as
    ``evacuated``, is left as it is.

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (cancelled or already checked out),
            ``placement.dates`` (departure before arrival).
    """
    day = on or desk.today()
    with desk.casefile.write(desk.officer) as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.BOOKED, PlacementStatus.CHECKED_IN)
        if day < p.check_in:
            raise ServiceError(
                "placement.dates",
                "check_out",
                check_in=p.check_in.isoformat(),
                check_out=day.isoformat(),
            )
        tx.update(p, {"status": PlacementStatus.CHECKED_OUT.value, "check_out": day})
        national = live_national(tx.session, p.national_id)
        if national.presence_status == PresenceStatus.IN_HOTEL.value and not _still_in_a_hotel(
            tx.session, national.id, p.id
        ):
            _set_presence(tx, national, PresenceStatus.IN_COUNTRY)
        tx.session.flush()
        row = _placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


def cancel_placement(desk: Desk, placement_id: str) -> Written[PlacementRow]:
    """Cancel a booking that was not taken up (the bed is free again).

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (not booked: check a guest out instead).
    """
    with desk.casefile.write(desk.officer) as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.BOOKED)
        tx.update(p, {"status": PlacementStatus.CANCELLED.value})
        tx.session.flush()
        row = _placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


# -- reading -------------------------------------------------------------------------------


def _occupying(session: Session, night: date, hotel_id: str | None = None) -> list[Placement]:
    query = select(Placement).where(
        col(Placement.deleted_at).is_(None),
        col(Placement.status) != PlacementStatus.CANCELLED.value,
        col(Placement.check_in) <= night,
        or_(col(Placement.check_out).is_(None), col(Placement.check_out) > night),
    )
    if hotel_id is not None:
        query = query.where(col(Placement.hotel_id) == hotel_id)
    return list(session.exec(query).all())


def list_placements(
    desk: Desk,
    hotel_id: str | None = None,
    on: date | None = None,
    national_id: str | None = None,
) -> list[PlacementRow]:
    """Placements by hotel, room and name.

    Args:
        desk: the services' context.
        hotel_id: only this hotel's.
        on: only those occupying the night of this day (else all, cancelled ones included).
        national_id: only this person's.
    """
    with desk.casefile.read() as session:
        if on is not None:
            found = _occupying(session, on, hotel_id)
        else:
            query = select(Placement).where(col(Placement.deleted_at).is_(None))
            if hotel_id is not None:
                query = query.where(col(Placement.hotel_id) == hotel_id)
            found = list(session.exec(query).all())
        if national_id is not None:
            found = [p for p in found if p.national_id == national_id]
        return _sorted_rows(_placement_rows(session, found, desk.today()))


def guests_tonight(desk: Desk, hotel_id: str, on: date | None = None) -> list[PlacementRow]:
    """The hotel's roster: who sleeps there on the night of ``on`` (default today).

    Raises:
        NotFound: no such live hotel.
    """
    night = on or desk.today()
    with desk.casefile.read() as session:
        live_hotel(session, hotel_id)
        found = _occupying(session, night, hotel_id)
        return _sorted_rows(_placement_rows(session, found, desk.today()))


def occupancy(desk: Desk, on: date | None = None) -> list[HotelOccupancyRow]:
    """Beds taken in every live hotel on the night of ``on`` (default today), by hotel name."""
    night = on or desk.today()
    with desk.casefile.read() as session:
        hotels = session.exec(select(Hotel).where(col(Hotel.deleted_at).is_(None))).all()
        taken: dict[str, int] = defaultdict(int)
        for p in _occupying(session, night):
            taken[p.hotel_id] += 1
        rows = [
            HotelOccupancyRow(hotel_row(h), h.beds, taken[h.id], max(0, h.beds - taken[h.id]))
            for h in hotels
        ]
    return sorted(rows, key=lambda r: (r.hotel.name.casefold(), r.hotel.id))


def _operators(session: Session, national_ids: Sequence[str]) -> dict[str, str]:
    """The tour operator of each national's tour group, where one is recorded."""
    found: dict[str, str] = {}
    for start in range(0, len(national_ids), 900):
        chunk = national_ids[start : start + 900]
        query = (
            select(HouseholdMember.national_id, Household.tour_operator)
            .join(Household, col(Household.id) == col(HouseholdMember.household_id))
            .where(
                col(HouseholdMember.national_id).in_(chunk),
                col(HouseholdMember.deleted_at).is_(None),
                col(Household.deleted_at).is_(None),
                col(Household.kind) == HouseholdKind.TOUR_GROUP.value,
                col(Household.tour_operator).is_not(None),
            )
            .order_by(col(Household.name))
        )
        for national_id, operator in session.exec(query).all():
            if operator:
                found.setdefault(national_id, operator)
    return found


def costs(desk: Desk, until: date | None = None) -> CostReport:
    """Hotel costs of the nights before ``until`` (default today), per currency.

    Totals are given per hotel, per tour operator and per payer. A stay's tour operator is that
    of the person's tour group, else the hotel's; stays with neither are grouped under ``None``.
    Cancelled placements cost nothing.
    """
    end = until or desk.today()
    with desk.casefile.read() as session:
        query = select(Placement, Hotel).join(Hotel, col(Hotel.id) == col(Placement.hotel_id))
        query = query.where(
            col(Placement.deleted_at).is_(None),
            col(Placement.status) != PlacementStatus.CANCELLED.value,
            col(Placement.check_in) < end,
        )
        stays = list(session.exec(query).all())
        operators = _operators(session, sorted({p.national_id for p, _ in stays}))
    totals: dict[str, dict[tuple[str | None, str, str], list[int]]] = {
        "hotel": defaultdict(lambda: [0, 0, 0]),
        "operator": defaultdict(lambda: [0, 0, 0]),
        "payer": defaultdict(lambda: [0, 0, 0]),
    }
    for p, hotel in stays:
        nights = _nights(p.check_in, p.check_out, end)
        operator = operators.get(p.national_id) or hotel.tour_operator
        for group, key in (
            ("hotel", (hotel.id, hotel.name, p.currency)),
            ("operator", (operator, operator or "", p.currency)),
            ("payer", (p.paid_by, p.paid_by, p.currency)),
        ):
            line = totals[group][key]
            line[0] += 1
            line[1] += nights
            line[2] += nights * p.nightly_cost_minor

    def lines(group: str) -> tuple[CostRow, ...]:
        rows = [
            CostRow(key, label, currency, n, nights, amount)
            for (key, label, currency), (n, nights, amount) in totals[group].items()
        ]
        return tuple(sorted(rows, key=lambda r: (r.key is None, r.label.casefold(), r.currency)))

    return CostReport(end, lines("hotel"), lines("operator"), lines("payer"))
