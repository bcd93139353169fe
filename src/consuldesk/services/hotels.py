"""Use cases about hotels: the hotels the post books, who stays where, occupancy and costs.

A placement is one person's stay. It *occupies* the nights from ``check_in`` up to the night
before ``check_out`` (open-ended while ``check_out`` is unknown) unless it is cancelled; booked,
checked-in and checked-out placements all count, so occupancy and costs of past nights stay
true. Amounts are integers in minor units of the placement's currency (copied from the hotel
when the placement is made) and different currencies are never added together.

A rate is per person or per room and night (:class:`RateBasis`, copied from the hotel with the
rate). Per person, every guest pays it. Per room, the stays placed together (or later given
the same room number while one of them is there) share a ``room_group`` and the room pays the
rate once a night while any of them stays: a family of four in one room is charged once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pycountry
from sqlalchemy import or_
from sqlmodel import Session, col, select

from consuldesk.domain.countries import country_code
from consuldesk.domain.enums import (
    HouseholdKind,
    PaidBy,
    PlacementStatus,
    PresenceStatus,
    RateBasis,
)
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import list_households, live_household, national_name
from consuldesk.services.nationals import live_national
from consuldesk.services.views import (
    CostReport,
    CostRow,
    HotelOccupancyRow,
    HotelRow,
    HouseholdChoice,
    PlacementCheck,
    PlacementProblem,
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
    "check_placement",
    "costs",
    "get_hotel",
    "guests_tonight",
    "household_choices",
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
    """What an officer enters about a hotel. Amounts in minor units of ``currency``; the rate
    is per ``rate_basis`` (a :class:`RateBasis` value) and night; ``country`` ISO alpha-2."""

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
    rate_basis: str = RateBasis.PERSON.value
    country: str | None = None


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


def rate_basis(value: str | RateBasis, field: str = "rate_basis") -> str:
    """A :class:`RateBasis` value.

    Raises:
        ServiceError: ``hotel.rate_basis`` (param ``value``).
    """
    try:
        return RateBasis(value).value
    except ValueError:
        raise ServiceError("hotel.rate_basis", field, value=value) from None


def _hotel_values(fields: HotelFields) -> dict[str, object]:
    name = _clean(fields.name)
    if name is None:
        raise ServiceError("hotel.name", "name")
    country = _clean(fields.country)
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
        "rate_basis": rate_basis(fields.rate_basis),
        "country": country_code(country) if country else None,
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
        rate_basis=h.rate_basis,
        country=h.country,
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
            ``currency.unknown``, ``hotel.rate_basis``.
        ValidationError: ``country.unknown``.
    """
    values = _hotel_values(fields)
    with desk.casefile.write(desk.officer) as tx:
        h = Hotel(**values)  # type: ignore[arg-type]
        tx.add(h)
        row = hotel_row(h)
    return Written(row, tx.changes)


def update_hotel(desk: Desk, hotel_id: str, fields: HotelFields) -> Written[HotelRow]:
    """Save a hotel's fields; only what changed is stamped and audited.

    Existing placements keep their nightly cost, currency and rate basis.

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


def _union_nights(spans: Iterable[tuple[date, date]]) -> int:
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
    return p.status in _ACTIVE and p.check_in <= day and (p.check_out is None or p.check_out > day)


def _group_key(p: Placement) -> str:
    return p.room_group or p.id


def _room_lead(members: Iterable[Placement]) -> Placement | None:
    """The stay of a room that carries the room's cost: the first one placed, unless cancelled."""
    active = [m for m in members if m.status != PlacementStatus.CANCELLED.value]
    return min(active, key=lambda m: (m.id != _group_key(m), m.check_in, m.id), default=None)


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


def _room_members(session: Session, placements: Sequence[Placement]) -> dict[str, list[Placement]]:
    """Every live stay of the rooms (charged per room) that ``placements`` are in, by group."""
    groups: dict[str, list[Placement]] = defaultdict(list)
    keys = sorted({_group_key(p) for p in placements if p.rate_basis == RateBasis.ROOM.value})
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
                groups[_group_key(m)].append(m)
    return groups


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
    # A room charged per room: its nights are those when any of its stays is there.
    rooms: dict[str, tuple[Placement | None, int, int, int]] = {}
    for key, members in _room_members(session, placements).items():
        live = [m for m in members if m.status != PlacementStatus.CANCELLED.value]
        whole = _union_nights((m.check_in, m.check_out or today) for m in live)
        so_far = _union_nights((m.check_in, min(m.check_out or today, today)) for m in live)
        rooms[key] = (_room_lead(members), whole, so_far, len(live))
    rows = []
    for p in placements:
        cancelled = p.status == PlacementStatus.CANCELLED.value
        nights = 0 if cancelled else _nights(p.check_in, p.check_out, p.check_out or today)
        so_far = 0 if cancelled else _nights(p.check_in, p.check_out, today)
        cost, cost_so_far, share, here = (
            nights * p.nightly_cost_minor,
            so_far * p.nightly_cost_minor,
            1,
            True,
        )
        if p.rate_basis == RateBasis.ROOM.value and _group_key(p) in rooms:
            lead, room_nights, room_so_far, share = rooms[_group_key(p)]
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
    basis: str | RateBasis | None = None,
) -> list[Placement]:
    ids = list(dict.fromkeys(national_ids))
    if not ids:
        raise ServiceError("placement.empty", "national_ids")
    _check_dates(check_in, check_out)
    cost = hotel.nightly_rate_minor if nightly_cost_minor is None else nightly_cost_minor
    _not_negative(cost, "nightly_cost_minor")
    basis = rate_basis(basis or hotel.rate_basis)
    people = [live_national(tx.session, national_id) for national_id in ids]
    for national in people:
        _check_overlap(tx.session, national, check_in, check_out)
    if not allow_overbook:
        _check_capacity(tx.session, hotel, check_in, check_out, len(people))
    status = PlacementStatus.CHECKED_IN if checked_in else PlacementStatus.BOOKED
    room = _clean(room)
    group = (
        _room_to_join(tx.session, hotel.id, room, check_in, check_out)
        if basis == RateBasis.ROOM.value
        else None
    )
    placements = []
    for national in people:
        p = Placement(  # type: ignore[call-arg]
            national_id=national.id,
            hotel_id=hotel.id,
            room=room,
            check_in=check_in,
            check_out=check_out,
            status=status.value,
            nightly_cost_minor=cost,
            currency=hotel.currency,
            paid_by=PaidBy(paid_by).value,
            rate_basis=basis,
        )
        if basis == RateBasis.ROOM.value:
            group = group or p.id  # the first stay of a new room names it
            p.room_group = group
        tx.add(p)
        placements.append(p)
        if checked_in:
            _set_presence(tx, national, PresenceStatus.IN_HOTEL)
    tx.session.flush()
    return placements


def _room_to_join(
    session: Session, hotel_id: str, room: str | None, check_in: date, check_out: date | None
) -> str | None:
    """The room group of stays charged per room in the same room number of the hotel whose
    dates meet the new stay's (someone joining a family's room), if any."""
    if room is None:
        return None
    query = select(Placement).where(
        col(Placement.hotel_id) == hotel_id,
        col(Placement.deleted_at).is_(None),
        col(Placement.status).in_(_ACTIVE),
        col(Placement.rate_basis) == RateBasis.ROOM.value,
        col(Placement.room).is_not(None),
    )
    wanted = room.casefold()
    for other in sorted(session.exec(query).all(), key=lambda p: (p.check_in, p.id)):
        if (other.room or "").casefold() == wanted and _overlaps(
            check_in, check_out, other.check_in, other.check_out
        ):
            return _group_key(other)
    return None


def _member_ids(session: Session, household_id: str) -> list[str]:
    """The live members of a live household, by name."""
    live_household(session, household_id)
    return list(
        session.exec(
            select(HouseholdMember.national_id)
            .join(National, col(National.id) == col(HouseholdMember.national_id))
            .where(
                col(HouseholdMember.household_id) == household_id,
                col(HouseholdMember.deleted_at).is_(None),
                col(National.deleted_at).is_(None),
            )
            .order_by(col(National.sort_name))
        ).all()
    )


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
    basis: str | RateBasis | None = None,
) -> Written[tuple[PlacementRow, ...]]:
    """Book a hotel for some nationals: one placement per person, all with the same dates.

    Charged per room, the people placed together share one room (and one charge a night); a
    room number already held by stays charged per room on those dates joins their room.

    Args:
        desk: the services' context.
        hotel_id: the hotel.
        national_ids: the people (repeats are ignored).
        check_in: the first night.
        check_out: the day they leave (``None``: not known yet).
        room: room number or name, shared by everyone placed.
        paid_by: who pays.
        nightly_cost_minor: per person or room and night; default the hotel's rate.
        allow_overbook: place them even when the hotel has no free bed.
        checked_in: they are arriving now: placements start checked in and each person's
            presence becomes ``in_hotel``.
        basis: what the rate is charged for (:class:`RateBasis`); default the hotel's.

    Raises:
        NotFound: the hotel or a national does not exist.
        ServiceError: ``placement.empty``, ``placement.dates``, ``value.negative``,
            ``placement.overlap`` (params ``person``, ``hotel``, ``national_id``,
            ``placement_id``), ``hotel.full`` (params ``beds``, ``occupied``, ``requested``,
            ``night``, ``hotel``), ``hotel.rate_basis``.
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
            basis,
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
    basis: str | RateBasis | None = None,
) -> Written[tuple[PlacementRow, ...]]:
    """Place every live member of a household together (see :func:`place`); charged per room,
    the household shares one room and is charged once a night.

    Raises:
        NotFound: the hotel or household does not exist.
        ServiceError: as :func:`place`; ``placement.empty`` for a household without members.
    """
    with desk.casefile.write(desk.officer) as tx:
        hotel = live_hotel(tx.session, hotel_id)
        member_ids = _member_ids(tx.session, household_id)
        placements = _place(
            tx,
            hotel,
            member_ids,
            check_in,
            check_out,
            room,
            paid_by,
            nightly_cost_minor,
            allow_overbook,
            checked_in,
            basis,
        )
        rows = tuple(_placement_rows(tx.session, placements, desk.today()))
    return Written(rows, tx.changes)


def check_placement(
    desk: Desk,
    hotel_id: str,
    check_in: date,
    check_out: date | None = None,
    *,
    national_ids: Sequence[str] = (),
    household_id: str | None = None,
    basis: str | RateBasis | None = None,
) -> PlacementCheck:
    """What :func:`place` (or :func:`place_household` with ``household_id``) would refuse, and
    what the stay would cost, without writing anything: the placement form shows problems
    as soon as they are known.

    Every problem is listed: the dates, each person already staying somewhere on those
    dates, a full hotel. The estimate is the hotel's rate × nights, once per person or once
    for the room.

    Raises:
        NotFound: the hotel or household does not exist.
        ServiceError: ``hotel.rate_basis``.
    """
    problems: list[PlacementProblem] = []

    def note(error: ServiceError) -> None:
        problems.append(PlacementProblem(error.code, error.field, dict(error.params)))

    with desk.casefile.read() as session:
        hotel = live_hotel(session, hotel_id)
        ids = list(dict.fromkeys(national_ids))
        if household_id is not None:
            ids = _member_ids(session, household_id)
        chosen = rate_basis(basis or hotel.rate_basis)
        dates_ok = check_out is None or check_out > check_in
        if not ids:
            note(ServiceError("placement.empty", "national_ids"))
        try:
            _check_dates(check_in, check_out)
        except ServiceError as e:
            note(e)
        people = [
            n
            for n in session.exec(select(National).where(col(National.id).in_(ids))).all()
            if n.deleted_at is None
        ]
        people.sort(key=lambda n: ids.index(n.id))
        if dates_ok:
            for national in people:
                try:
                    _check_overlap(session, national, check_in, check_out)
                except ServiceError as e:
                    note(e)
            try:
                _check_capacity(session, hotel, check_in, check_out, len(people))
            except ServiceError as e:
                note(e)
        nights = (check_out - check_in).days if check_out is not None and dates_ok else None
        units = 1 if chosen == RateBasis.ROOM.value else len(people)
        estimate = units * hotel.nightly_rate_minor * (nights if nights is not None else 1)
        return PlacementCheck(
            people=len(people),
            problems=tuple(problems),
            nights=nights,
            estimate_minor=estimate,
            currency=hotel.currency,
            rate_basis=chosen,
            nightly_rate_minor=hotel.nightly_rate_minor,
        )


def household_choices(
    desk: Desk, query: str | None = None, limit: int = 30
) -> list[HouseholdChoice]:
    """Households whose name, tour operator or head matches ``query`` (all without one), with
    what tells two alike apart: the head, the head's birth date, the city and the size.

    The city is the head's, else the most common among the members. Households are ordered by
    name, then head, city and size.
    """
    found = list_households(desk, query=query or None)[:limit]  # by name already
    with desk.casefile.read() as session:
        ids = [h.id for h in found]
        heads: dict[str, National] = {}
        cities: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        head_ids = [h.head_id for h in found if h.head_id]
        for start in range(0, len(head_ids), 900):
            chunk = head_ids[start : start + 900]
            for n in session.exec(select(National).where(col(National.id).in_(chunk))).all():
                heads[n.id] = n
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            query_cities = (
                select(HouseholdMember.household_id, National.city)
                .join(National, col(National.id) == col(HouseholdMember.national_id))
                .where(
                    col(HouseholdMember.household_id).in_(chunk),
                    col(HouseholdMember.deleted_at).is_(None),
                    col(National.deleted_at).is_(None),
                    col(National.city).is_not(None),
                )
            )
            for household_id, city in session.exec(query_cities).all():
                if city:
                    cities[household_id][city] += 1
    rows = []
    for h in found:
        head = heads.get(h.head_id or "")
        common = sorted(cities[h.id].items(), key=lambda c: (-c[1], c[0]))
        city = (head.city if head is not None else None) or (common[0][0] if common else None)
        rows.append(
            HouseholdChoice(
                id=h.id,
                name=h.name,
                kind=h.kind,
                head_name=h.head_name,
                head_birth=head.birth_date if head is not None else None,
                city=city,
                size=h.member_count,
                tour_operator=h.tour_operator,
            )
        )
    rows.sort(
        key=lambda r: (
            r.name.casefold(),
            (r.head_name or "").casefold(),
            (r.city or "").casefold(),
            r.size,
            r.id,
        )
    )
    return rows


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
    Cancelled placements cost nothing. A room charged per room costs its rate once a night
    while any of its stays is there, counted with its first stay's hotel, operator and payer.
    Stays still running on ``until`` (open-ended or leaving later) count with what they cost
    so far, also given apart as ``open_stays`` / ``open_amount_minor``.
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
    # group -> [placements, nights, amount, open stays, open amount]
    totals: dict[str, dict[tuple[str | None, str, str], list[int]]] = {
        "hotel": defaultdict(lambda: [0, 0, 0, 0, 0]),
        "operator": defaultdict(lambda: [0, 0, 0, 0, 0]),
        "payer": defaultdict(lambda: [0, 0, 0, 0, 0]),
    }

    def keys(p: Placement, hotel: Hotel) -> list[tuple[str, tuple[str | None, str, str]]]:
        operator = operators.get(p.national_id) or hotel.tour_operator
        return [
            ("hotel", (hotel.id, hotel.name, p.currency)),
            ("operator", (operator, operator or "", p.currency)),
            ("payer", (p.paid_by, p.paid_by, p.currency)),
        ]

    rooms: dict[str, list[tuple[Placement, Hotel]]] = defaultdict(list)
    for p, hotel in stays:
        nights = _nights(p.check_in, p.check_out, end)
        running = p.check_out is None or p.check_out > end
        per_room = p.rate_basis == RateBasis.ROOM.value
        if per_room:
            rooms[_group_key(p)].append((p, hotel))
        for group, key in keys(p, hotel):
            line = totals[group][key]
            line[0] += 1
            line[1] += nights
            line[3] += running
            if not per_room:
                line[2] += nights * p.nightly_cost_minor
                line[4] += nights * p.nightly_cost_minor if running else 0
    for members in rooms.values():
        lead = _room_lead(p for p, _h in members)
        if lead is None:
            continue
        hotel = next(h for p, h in members if p.id == lead.id)
        amount = lead.nightly_cost_minor * _union_nights(
            (p.check_in, min(p.check_out or end, end)) for p, _h in members
        )
        running = any(p.check_out is None or p.check_out > end for p, _h in members)
        for group, key in keys(lead, hotel):
            totals[group][key][2] += amount
            totals[group][key][4] += amount if running else 0

    def lines(group: str) -> tuple[CostRow, ...]:
        rows = [
            CostRow(key, label, currency, n, nights, amount, open_n, open_amount)
            for (key, label, currency), (n, nights, amount, open_n, open_amount) in totals[
                group
            ].items()
        ]
        return tuple(sorted(rows, key=lambda r: (r.key is None, r.label.casefold(), r.currency)))

    return CostReport(end, lines("hotel"), lines("operator"), lines("payer"))
