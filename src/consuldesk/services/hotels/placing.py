"""Placing people in a hotel, checked before (every problem at once) and done in one
transaction; check-in, check-out and cancelling; the households the placement form offers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from consuldesk.domain.enums import PaidBy, PlacementStatus, PresenceStatus, RateBasis
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.hotels.records import clean_text, live_hotel, not_negative, rate_basis
from consuldesk.services.hotels.stays import (
    ACTIVE_STATUSES,
    ACTIVE_VALUES,
    check_capacity,
    check_dates,
    check_overlap,
    live_placement,
    overlaps,
    placement_rows,
    room_key,
    set_presence,
    still_in_a_hotel,
)
from consuldesk.services.households import list_households, live_household, national_name
from consuldesk.services.nationals import live_national
from consuldesk.services.views import (
    HouseholdChoice,
    PlacementCheck,
    PlacementProblem,
    PlacementRow,
    Written,
)
from consuldesk.store.db import Tx
from consuldesk.store.models import AuditEvent, Hotel, HouseholdMember, National, Placement


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
    check_dates(check_in, check_out)
    cost = hotel.nightly_rate_minor if nightly_cost_minor is None else nightly_cost_minor
    not_negative(cost, "nightly_cost_minor")
    basis = rate_basis(basis or hotel.rate_basis)
    people = [live_national(tx.session, national_id) for national_id in ids]
    for national in people:
        check_overlap(tx.session, national, check_in, check_out)
    if not allow_overbook:
        check_capacity(tx.session, hotel, check_in, check_out, len(people))
    status = PlacementStatus.CHECKED_IN if checked_in else PlacementStatus.BOOKED
    room = clean_text(room)
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
            set_presence(tx, national, PresenceStatus.IN_HOTEL)
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
        col(Placement.status).in_(ACTIVE_VALUES),
        col(Placement.rate_basis) == RateBasis.ROOM.value,
        col(Placement.room).is_not(None),
    )
    wanted = room.casefold()
    for other in sorted(session.exec(query).all(), key=lambda p: (p.check_in, p.id)):
        if (other.room or "").casefold() == wanted and overlaps(
            check_in, check_out, other.check_in, other.check_out
        ):
            return room_key(other)
    return None


def _member_ids(session: Session, household_id: str) -> list[str]:
    """The live members of a live household: its head first (a room charged per room shows
    its cost on the head's stay, not on a child's), then by name."""
    household = live_household(session, household_id)
    ids = list(
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
    return sorted(ids, key=lambda i: i != household.head_id)  # stable: by name after the head


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
    return _placed(
        desk,
        hotel_id,
        lambda _session: national_ids,
        check_in,
        check_out,
        room,
        paid_by,
        nightly_cost_minor,
        allow_overbook,
        checked_in,
        basis,
    )


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
    return _placed(
        desk,
        hotel_id,
        lambda session: _member_ids(session, household_id),
        check_in,
        check_out,
        room,
        paid_by,
        nightly_cost_minor,
        allow_overbook,
        checked_in,
        basis,
    )


def _placed(
    desk: Desk,
    hotel_id: str,
    people: Callable[[Session], Sequence[str]],
    check_in: date,
    check_out: date | None,
    room: str | None,
    paid_by: PaidBy,
    nightly_cost_minor: int | None,
    allow_overbook: bool,
    checked_in: bool,
    basis: str | RateBasis | None,
) -> Written[tuple[PlacementRow, ...]]:
    """:func:`place` or :func:`place_household`: ``people`` are read in the same transaction
    (a household's members as they are when it is placed)."""
    today = desk.today()
    if checked_in and not (check_in <= today and (check_out is None or check_out > today)):
        # "At the hotel now" for a stay not begun or already over would count them in a hotel
        # that no guest list shows them in.
        check_dates(check_in, check_out)  # dates the wrong way round: that is the mistake
        raise ServiceError(
            "placement.not_now",
            "checked_in",
            check_in=check_in.isoformat(),
            check_out=check_out.isoformat() if check_out else "—",
        )
    with desk.write() as tx:
        hotel = live_hotel(tx.session, hotel_id)
        placements = _place(
            tx,
            hotel,
            people(tx.session),
            check_in,
            check_out,
            room,
            paid_by,
            nightly_cost_minor,
            allow_overbook,
            checked_in,
            basis,
        )
        rows = tuple(placement_rows(tx.session, placements, desk.today()))
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
    room: str | None = None,
) -> PlacementCheck:
    """What :func:`place` (or :func:`place_household` with ``household_id``) would refuse, and
    what the stay would cost, without writing anything: the placement form shows problems
    as soon as they are known.

    Every problem is listed: the dates, each person already staying somewhere on those
    dates, a full hotel. The estimate is the hotel's rate × nights, once per person or once
    for the room; charged per room, a ``room`` already held on those dates is joined
    (``shared_room``): it is paid once a night with its guests, so nothing is added while
    they stay together (the form said "100.00 USD" for a family joining a room paid for).

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
            check_dates(check_in, check_out)
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
                    check_overlap(session, national, check_in, check_out)
                except ServiceError as e:
                    note(e)
            try:
                check_capacity(session, hotel, check_in, check_out, len(people))
            except ServiceError as e:
                note(e)
        nights = (check_out - check_in).days if check_out is not None and dates_ok else None
        units = 1 if chosen == RateBasis.ROOM.value else len(people)
        estimate = units * hotel.nightly_rate_minor * (nights if nights is not None else 1)
        wanted_room = clean_text(room) if chosen == RateBasis.ROOM.value and dates_ok else None
        held = wanted_room and _room_to_join(session, hotel.id, wanted_room, check_in, check_out)
        shared = wanted_room if held else None
        return PlacementCheck(
            shared_room=shared,
            people=len(people),
            problems=tuple(problems),
            nights=nights,
            estimate_minor=estimate,
            currency=hotel.currency,
            rate_basis=chosen,
            nightly_rate_minor=hotel.nightly_rate_minor,
            elsewhere=tuple(
                (national_name(n), ", ".join(x for x in (n.city, n.host_country) if x))
                for n in people
                if hotel.country and n.host_country and n.host_country != hotel.country
            ),
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

    An arrival is today or a day already past, never later; before the booked first night
    only today (they came early): a year typed wrong made a stay of 370 nights, and its cost.

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (not booked), ``placement.dates`` (arrival on or
            after the check-out date), ``placement.overlap``, ``placement.arrival_later``
            (a day after today), ``placement.arrival_early`` (a past day before the booked
            first night; params ``day``, ``check_in``).
    """
    today = desk.today()
    day = on or today
    if day > today:
        raise ServiceError(
            "placement.arrival_later", "on", day=day.isoformat(), today=today.isoformat()
        )
    with desk.write() as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.BOOKED)
        if day < p.check_in and day != today:
            raise ServiceError(
                "placement.arrival_early",
                "on",
                day=day.isoformat(),
                check_in=p.check_in.isoformat(),
            )
        check_dates(day, p.check_out)
        national = live_national(tx.session, p.national_id)
        check_overlap(tx.session, national, day, p.check_out, exclude_id=p.id)
        tx.update(p, {"status": PlacementStatus.CHECKED_IN.value, "check_in": day})
        set_presence(tx, national, PresenceStatus.IN_HOTEL)
        tx.session.flush()
        row = placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


def check_out(desk: Desk, placement_id: str, on: date | None = None) -> Written[PlacementRow]:
    """Record that a person left the hotel (on ``on``, default today).

    The check-out date becomes the departure date. A person whose presence was ``in_hotel``
    (and who is checked in nowhere else) is back ``in_country``; any other presence, such as
    ``evacuated``, is left as it is.

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (cancelled or already checked out),
            ``placement.dates`` (departure before arrival), ``placement.leaving_later`` (a
            day after today: the guest has not left; change the check-out day instead).
    """
    today = desk.today()
    day = on or today
    if day > today:
        raise ServiceError(
            "placement.leaving_later", "on", day=day.isoformat(), today=today.isoformat()
        )
    with desk.write() as tx:
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
        if national.presence_status == PresenceStatus.IN_HOTEL.value and not still_in_a_hotel(
            tx.session, national.id, p.id
        ):
            set_presence(tx, national, PresenceStatus.IN_COUNTRY)
        tx.session.flush()
        row = placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


def change_check_out(
    desk: Desk,
    placement_ids: Sequence[str],
    check_out: date | None,
    *,
    allow_overbook: bool = False,
) -> Written[tuple[PlacementRow, ...]]:
    """Move the check-out day of stays not over yet: flights cancelled, the stay is extended;
    or the bus leaves earlier. ``None``: not known yet. One transaction for them all (a
    family's room together).

    The nights added are checked as a new booking would be: the person stays nowhere else
    then, and the hotel has the beds (unless ``allow_overbook``). Shortened, the nights given
    back are free again. The cost follows the nights.

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (checked out or cancelled), ``placement.dates``,
            ``placement.overlap``, ``hotel.full``, ``placement.empty`` (no stays given),
            ``placement.past`` (a day before today: check the guest out instead).
    """
    ids = list(dict.fromkeys(placement_ids))
    if not ids:
        raise ServiceError("placement.empty", "national_ids")
    today = desk.today()
    if check_out is not None and check_out < today:
        # A stay not over yet cannot have ended already: the nights would vanish from the
        # costs and from tonight's beds while the guest sleeps there. Checking out says so.
        raise ServiceError(
            "placement.past", "check_out", day=check_out.isoformat(), today=today.isoformat()
        )
    with desk.write() as tx:
        stays = [live_placement(tx.session, i) for i in ids]
        longer: dict[str, list[Placement]] = defaultdict(list)  # by hotel: stays given nights
        for p in stays:
            _require_status(p, PlacementStatus.BOOKED, PlacementStatus.CHECKED_IN)
            check_dates(p.check_in, check_out)
            national = live_national(tx.session, p.national_id)
            check_overlap(tx.session, national, p.check_in, check_out, exclude_id=p.id)
            if p.check_out is not None and (check_out is None or check_out > p.check_out):
                longer[p.hotel_id].append(p)
        if not allow_overbook:
            for hotel_id, extended in longer.items():
                hotel = live_hotel(tx.session, hotel_id)
                # Each from its old check-out day: those nights are new to the hotel.
                for start in sorted({p.check_out for p in extended if p.check_out}):
                    check_capacity(
                        tx.session,
                        hotel,
                        start,
                        check_out,
                        sum(
                            1 for p in extended if p.check_out is not None and p.check_out <= start
                        ),
                    )
        for p in stays:
            tx.update(p, {"check_out": check_out})
        tx.session.flush()
        rows = tuple(placement_rows(tx.session, stays, desk.today()))
    return Written(rows, tx.changes)


def undo_leaving(
    desk: Desk, placement_id: str, *, allow_overbook: bool = False
) -> Written[PlacementRow]:
    """Undo a check-out or a cancelled booking (the wrong row clicked at the end of a long
    list): the stay is as it was before, checked in or booked, until the day it was booked
    until, read from the audit event that ended it ("not known yet" when no such event is on
    file). A person checked back in who was ``in_country`` is ``in_hotel`` again.

    The nights given back are checked as a booking would be: the person stays nowhere else
    then, and the hotel has the beds (unless ``allow_overbook``).

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (neither checked out nor cancelled),
            ``placement.dates``, ``placement.overlap``, ``hotel.full``.
    """
    with desk.write() as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.CHECKED_OUT, PlacementStatus.CANCELLED)
        status, until = _before_leaving(tx.session, p)
        check_dates(p.check_in, until)
        national = live_national(tx.session, p.national_id)
        check_overlap(tx.session, national, p.check_in, until, exclude_id=p.id)
        # The nights the hotel gets back: all of a cancelled booking's, after the day left.
        start = p.check_in if p.status == PlacementStatus.CANCELLED.value else p.check_out
        if not allow_overbook and start is not None and (until is None or until > start):
            check_capacity(tx.session, live_hotel(tx.session, p.hotel_id), start, until, 1)
        tx.update(p, {"status": status.value, "check_out": until})
        if (
            status == PlacementStatus.CHECKED_IN
            and national.presence_status == PresenceStatus.IN_COUNTRY.value
        ):
            set_presence(tx, national, PresenceStatus.IN_HOTEL)
        tx.session.flush()
        row = placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)


def _before_leaving(session: Session, p: Placement) -> tuple[PlacementStatus, date | None]:
    """The status and check-out day a stay had before it was checked out or cancelled: from
    the latest audit event that gave it its status now."""
    events = session.exec(
        select(AuditEvent)
        .where(
            col(AuditEvent.table_name) == Placement.__tablename__,
            col(AuditEvent.record_id) == p.id,
        )
        .order_by(col(AuditEvent.version).desc())
    ).all()
    for event in events:
        change = event.changes.get("status")
        if isinstance(change, list) and len(change) == 2 and change[1] == p.status:
            try:
                status = PlacementStatus(change[0])
            except ValueError:
                break
            if status not in ACTIVE_STATUSES:
                break
            if "check_out" not in event.changes:
                return status, p.check_out
            old = event.changes["check_out"][0]
            return status, date.fromisoformat(old) if isinstance(old, str) else None
    # No event on file (a stay received from elsewhere): the stay as it would be now.
    if p.status == PlacementStatus.CANCELLED.value:
        return PlacementStatus.BOOKED, p.check_out
    return PlacementStatus.CHECKED_IN, None


def move_stays(
    desk: Desk,
    placement_ids: Sequence[str],
    hotel_id: str,
    room: str | None = None,
    on: date | None = None,
    *,
    allow_overbook: bool = False,
) -> Written[tuple[PlacementRow, ...]]:
    """Move guests to another hotel, or another room of theirs, from the night of ``on``
    (default today); one transaction for them all (a family moving together).

    Each stay where they are ends that night: cancelled if it had not begun by then; checked
    out if they are there and the night is tonight; else shortened to end then, as it is
    (booked, or checked in until they leave). The nights slept there keep their cost. A new
    stay begins that night (or on
    the day the old one was to begin) until the day the old one was booked until, with the
    same payer; checked in if they were. At another hotel it takes that hotel's rate and
    currency; in another room of the same hotel the stay keeps its own. Charged per room,
    guests moved into the same room share it. The checks are a booking's: the person stays
    nowhere else then, the hotel has the beds (unless ``allow_overbook``).

    Before, the only way was to check out and place again, retyping the dates, room and
    payer, and the guest who had arrived was "booked" again.

    Raises:
        NotFound: no such live placement or hotel.
        ServiceError: ``placement.empty`` (no stays), ``placement.status`` (checked out or
            cancelled), ``placement.past``
            (a day before today), ``placement.move_after_end`` (the stay ends before that
            night), ``placement.overlap``, ``hotel.full``.
    """
    ids = list(dict.fromkeys(placement_ids))
    if not ids:
        raise ServiceError("placement.empty", "national_ids")
    today = desk.today()
    day = on or today
    if day < today:
        raise ServiceError("placement.past", "on", day=day.isoformat(), today=today.isoformat())
    with desk.write() as tx:
        hotel = live_hotel(tx.session, hotel_id)
        stays = [live_placement(tx.session, i) for i in ids]
        # Those who move together with the same dates, payer and rate are placed together
        # (charged per room: one room, one cost a night).
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for p in stays:
            _require_status(p, PlacementStatus.BOOKED, PlacementStatus.CHECKED_IN)
            start, until = max(day, p.check_in), p.check_out
            if until is not None and until <= start:  # over by then: nothing to move
                national = live_national(tx.session, p.national_id)
                raise ServiceError(
                    "placement.move_after_end",
                    "on",
                    person=national_name(national),
                    hotel=live_hotel(tx.session, p.hotel_id).name,
                    check_out=until.isoformat(),
                    day=start.isoformat(),
                )
            arrived = p.status == PlacementStatus.CHECKED_IN.value and start <= today
            same_hotel = p.hotel_id == hotel.id
            key = (
                start,
                until,
                p.paid_by,
                arrived,
                p.nightly_cost_minor if same_hotel else None,
                p.rate_basis if same_hotel else None,
            )
            groups[key].append(p.national_id)
            if start <= p.check_in:  # not begun: no night was slept there
                tx.update(p, {"status": PlacementStatus.CANCELLED.value})
            elif p.status == PlacementStatus.BOOKED.value or start > today:
                # Not arrived, or leaving on a night to come: the stay goes on, only shorter
                # (they were "checked out" of a hotel they never came to, or before leaving).
                tx.update(p, {"check_out": start})
            else:
                tx.update(p, {"status": PlacementStatus.CHECKED_OUT.value, "check_out": start})
        tx.session.flush()
        if not allow_overbook:
            # All of them at once: group by group, the first took the beds and the next read
            # "full" with the wrong numbers.
            check_capacity(
                tx.session,
                hotel,
                min(start for start, *_rest in groups),
                None
                if any(until is None for _s, until, *_r in groups)
                else max(until for _s, until, *_r in groups if until is not None),
                sum(len(people) for people in groups.values()),
            )
        moved: list[Placement] = []
        for (start, until, paid_by, arrived, cost, basis), people in sorted(
            groups.items(), key=lambda item: (item[0][0], str(item[0][1]), item[0][2])
        ):
            moved += _place(
                tx,
                hotel,
                people,
                start,
                until,
                room,
                PaidBy(paid_by),
                cost,
                True,  # the beds were checked for them all above
                arrived,
                basis,
            )
        rows = tuple(placement_rows(tx.session, moved, desk.today()))
    return Written(rows, tx.changes)


def cancel_placement(desk: Desk, placement_id: str) -> Written[PlacementRow]:
    """Cancel a booking that was not taken up (the bed is free again).

    Raises:
        NotFound: no such live placement.
        ServiceError: ``placement.status`` (not booked: check a guest out instead).
    """
    with desk.write() as tx:
        p = live_placement(tx.session, placement_id)
        _require_status(p, PlacementStatus.BOOKED)
        tx.update(p, {"status": PlacementStatus.CANCELLED.value})
        tx.session.flush()
        row = placement_rows(tx.session, [p], desk.today())[0]
    return Written(row, tx.changes)
