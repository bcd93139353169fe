"""Reading stays back: who sleeps where on a night, beds taken, and what the stays cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from consuldesk.domain.enums import HouseholdKind, PlacementStatus, RateBasis
from consuldesk.domain.vulnerability import accompanied, age_on, is_minor
from consuldesk.services.desk import Desk
from consuldesk.services.hotels.records import hotel_row, live_hotel
from consuldesk.services.hotels.stays import (
    ACTIVE_VALUES,
    live_placement,
    nights_between,
    placement_rows,
    room_key,
    room_lead,
    sorted_rows,
    union_nights,
)
from consuldesk.services.households import national_name
from consuldesk.services.views import CostReport, CostRow, HotelOccupancyRow, PlacementRow
from consuldesk.store.models import Hotel, Household, HouseholdMember, National, Placement


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


def left_without_an_adult(
    desk: Desk, placement_ids: str | Sequence[str], on: date | None = None
) -> list[str]:
    """The children of the leaving guests' families who would sleep on at their hotels, from
    the night of ``on`` (default today), with no adult of their family there once these stays
    end (one, or several leaving together): their names with their ages, "Әбенов Ілияс (7)".
    Empty when nobody would be left so.

    The parents checked out one after the other, a 7-year-old stayed on alone in the room
    without a word; the evacuation flags the same child on a bus ("unaccompanied").

    Raises:
        NotFound: no such live placement.
    """
    night = on or desk.today()
    ids = [placement_ids] if isinstance(placement_ids, str) else list(placement_ids)
    with desk.casefile.read() as session:
        stays = [live_placement(session, i) for i in ids]
        leaving = {s.national_id for s in stays}
        families = list(
            session.exec(
                select(HouseholdMember.household_id)
                .join(Household, col(Household.id) == col(HouseholdMember.household_id))
                .where(
                    col(HouseholdMember.national_id).in_(sorted(leaving)),
                    col(HouseholdMember.deleted_at).is_(None),
                    col(Household.deleted_at).is_(None),
                    col(Household.kind) == HouseholdKind.FAMILY.value,
                )
            ).all()
        )
        if not families:
            return []
        staying: set[str] = set()
        for hotel_id in sorted({s.hotel_id for s in stays}):
            staying |= {
                p.national_id
                for p in _occupying(session, night, hotel_id)
                if p.national_id not in leaving
            }
        members = session.exec(
            select(HouseholdMember.household_id, National)
            .join(National, col(National.id) == col(HouseholdMember.national_id))
            .where(
                col(HouseholdMember.household_id).in_(families),
                col(HouseholdMember.deleted_at).is_(None),
                col(National.deleted_at).is_(None),
            )
        ).all()
        by_family: dict[str, list[National]] = defaultdict(list)
        for household_id, person in members:
            if person.id in staying:
                by_family[household_id].append(person)
        alone: dict[str, str] = {}
        for people in by_family.values():
            births = [p.birth_date for p in people]
            if accompanied(births, night):
                continue
            for p in people:
                if p.birth_date is not None and is_minor(p.birth_date, night):
                    alone[p.id] = f"{national_name(p)} ({age_on(p.birth_date, night)})"
        return sorted(alone.values())


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
        return sorted_rows(placement_rows(session, found, desk.today()))


def guests_tonight(desk: Desk, hotel_id: str, on: date | None = None) -> list[PlacementRow]:
    """The hotel's roster: who sleeps there on the night of ``on`` (default today).

    Raises:
        NotFound: no such live hotel.
    """
    night = on or desk.today()
    with desk.casefile.read() as session:
        live_hotel(session, hotel_id)
        found = _occupying(session, night, hotel_id)
        return sorted_rows(placement_rows(session, found, desk.today()))


def guests_at_the_desk(desk: Desk, hotel_id: str) -> list[PlacementRow]:
    """The hotel's guests as the officer handles them today: who sleeps there tonight, and who
    should have left by today but was not checked out (still booked or checked in, their
    check-out day today or earlier), so that they can be.

    Raises:
        NotFound: no such live hotel.
    """
    today = desk.today()
    with desk.casefile.read() as session:
        live_hotel(session, hotel_id)
        found = _occupying(session, today, hotel_id)
        found += session.exec(  # leaving today or overdue: not occupying tonight
            select(Placement).where(
                col(Placement.deleted_at).is_(None),
                col(Placement.hotel_id) == hotel_id,
                col(Placement.status).in_(ACTIVE_VALUES),
                col(Placement.check_out) <= today,
            )
        ).all()
        return sorted_rows(placement_rows(session, found, today))


def occupancy(
    desk: Desk, on: date | None = None, hotel_id: str | None = None
) -> list[HotelOccupancyRow]:
    """Beds taken in every live hotel (or only in ``hotel_id``) on the night of ``on`` (default
    today), by hotel name."""
    night = on or desk.today()
    with desk.casefile.read() as session:
        query = select(Hotel).where(col(Hotel.deleted_at).is_(None))
        if hotel_id is not None:
            query = query.where(col(Hotel.id) == hotel_id)
        hotels = session.exec(query).all()
        taken: dict[str, int] = defaultdict(int)
        for p in _occupying(session, night, hotel_id):
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
        nights = nights_between(p.check_in, p.check_out, end)
        running = p.check_out is None or p.check_out > end
        per_room = p.rate_basis == RateBasis.ROOM.value
        if per_room:
            rooms[room_key(p)].append((p, hotel))
        for group, key in keys(p, hotel):
            line = totals[group][key]
            line[0] += 1
            line[1] += nights
            line[3] += running
            if not per_room:
                line[2] += nights * p.nightly_cost_minor
                line[4] += nights * p.nightly_cost_minor if running else 0
    for members in rooms.values():
        lead = room_lead(p for p, _h in members)
        if lead is None:
            continue
        hotel = next(h for p, h in members if p.id == lead.id)
        amount = lead.nightly_cost_minor * union_nights(
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
