"""Use cases of an evacuation: operations and their legs, the pool, allocation, boarding.

An operation (Dubai → Hatta → Muscat → Almaty) is made of legs; each leg is served by one or
more trips (two buses, one flight). A person's place on a leg is a :class:`ManifestEntry`:

* ``waitlisted`` with no trip: in the leg's *pool*, waiting for a seat;
* ``allocated`` to a trip, then ``boarded`` when the escort checks them in;
* ``no_show`` or ``offloaded``: the entry stays on the trip as its record, and the person goes
  back to the pool with a new waitlisted entry, ready for the next trip.

Seats are shared out by :func:`consuldesk.domain.allocation.allocate`; every entry keeps the
reason of the last decision about it (``reason``: JSON of a code and its parameters), so the
officer can read why a person is on bus 2 and another waits. A person has at most one *active*
entry (waitlisted, allocated or boarded) per leg; every write below is one transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from consuldesk.domain.allocation import (
    Candidate,
    Policy,
    Reason,
    TripSlot,
    allocate,
    priority_class,
)
from consuldesk.domain.cities import canonical_city, place_key
from consuldesk.domain.enums import (
    HouseholdKind,
    ManifestStatus,
    OperationStatus,
    PlacementStatus,
    PresenceStatus,
    RequestKind,
    RequestStatus,
    TimelineKind,
    TripMode,
    TripStatus,
    Vulnerability,
)
from consuldesk.domain.names import sort_key
from consuldesk.domain.requests import OPEN_STATUSES
from consuldesk.domain.scan import ScanKind, parse_scan
from consuldesk.domain.vulnerability import SENIOR_AGE, accompanied, age_on, is_minor
from consuldesk.reports.common import LABELS as PROBLEM_WORDS
from consuldesk.reports.common import PROBLEMS
from consuldesk.reports.manifest import ManifestData, ManifestPassenger, render_manifest
from consuldesk.reports.slips import BoardingSlip, SlipTrip, render_boarding_slips
from consuldesk.services import audited
from consuldesk.services import printed as printed_docs
from consuldesk.services.audited import CANNOT_RECORD, file_facts, record_file
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import atomic_text_file, written_to
from consuldesk.services.households import national_name
from consuldesk.services.nationals import Membership, memberships_of, rows_by_id
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import Written
from consuldesk.store.db import ChangeSet, Tx, get_live
from consuldesk.store.errors import CaseFileError
from consuldesk.store.models import (
    AssistanceRequest,
    EvacuationOperation,
    Hotel,
    Household,
    HouseholdMember,
    ManifestEntry,
    National,
    Placement,
    RequestEvent,
    Trip,
    table_of,
)
from consuldesk.store.private import discard

__all__ = [
    "ACTIVE",
    "CandidateCriteria",
    "LegRow",
    "OperationFields",
    "OperationRow",
    "PassengerRow",
    "ReallocationImpact",
    "ScanResult",
    "TripFields",
    "TripRow",
    "add_operation",
    "add_people",
    "add_to_pool",
    "add_trip",
    "allocate_leg",
    "delete_trip",
    "export_manifest_csv",
    "get_operation",
    "get_trip",
    "list_operations",
    "manifest_data",
    "move_passenger",
    "passengers",
    "pool",
    "preview_candidates",
    "print_boarding_slips",
    "print_manifest",
    "reallocation_impact",
    "remove_from_leg",
    "scan",
    "set_boarding",
    "set_trip_status",
    "update_operation",
    "update_trip",
]

_S = ManifestStatus
#: Entries that hold a person's place on a leg (at most one per person and leg).
ACTIVE = frozenset({_S.WAITLISTED, _S.ALLOCATED, _S.BOARDED})
_ACTIVE = [s.value for s in ACTIVE]
_SEATED = [_S.ALLOCATED.value, _S.BOARDED.value]
#: Trips that still take passengers.
OPEN_TRIPS = frozenset({TripStatus.PLANNED, TripStatus.BOARDING})
_OPEN_TRIPS = [s.value for s in OPEN_TRIPS]
# Trip status moves an officer can make.
_TRIP_MOVES: dict[TripStatus, frozenset[TripStatus]] = {
    TripStatus.PLANNED: frozenset({TripStatus.BOARDING, TripStatus.DEPARTED, TripStatus.CANCELLED}),
    TripStatus.BOARDING: frozenset({TripStatus.PLANNED, TripStatus.DEPARTED, TripStatus.CANCELLED}),
    TripStatus.DEPARTED: frozenset({TripStatus.ARRIVED, TripStatus.BOARDING}),
    TripStatus.ARRIVED: frozenset({TripStatus.DEPARTED}),
    TripStatus.CANCELLED: frozenset({TripStatus.PLANNED}),
}
# People in these presence states are not offered as candidates.
_GONE = [PresenceStatus.EVACUATED.value, PresenceStatus.LEFT_ON_OWN.value]


# -- rows ----------------------------------------------------------------------------------


def vehicle_label(vehicle: str | None, origin: str, destination: str) -> str:
    """How a trip is named to the officer: its plate or flight number, else its route."""
    return vehicle or f"{origin} → {destination}"


def _label(trip: Trip) -> str:
    return vehicle_label(trip.vehicle, trip.origin, trip.destination)


@dataclass(frozen=True)
class TripRow:
    """One vehicle of a leg, with its head counts."""

    id: str
    operation_id: str
    leg_no: int
    mode: str
    origin: str
    destination: str
    border_crossing: str | None
    departure_at: datetime | None
    capacity: int
    vehicle: str | None
    carrier: str | None
    escort_officer: str | None
    status: str
    version: str
    allocated: int = 0
    boarded: int = 0
    no_show: int = 0
    offloaded: int = 0

    @property
    def seated(self) -> int:
        """Seats taken: allocated and boarded passengers."""
        return self.allocated + self.boarded

    @property
    def free(self) -> int:
        """Seats still free (never negative)."""
        return max(self.capacity - self.seated, 0)

    @property
    def is_open(self) -> bool:
        """Whether the trip still takes passengers (planned or boarding)."""
        return TripStatus(self.status) in OPEN_TRIPS

    @property
    def label(self) -> str:
        """Short name: the vehicle (plate or flight number), else the route."""
        return vehicle_label(self.vehicle, self.origin, self.destination)


@dataclass(frozen=True)
class LegRow:
    """One leg of an operation: its trips and how many wait in its pool."""

    leg_no: int
    trips: tuple[TripRow, ...]
    waitlisted: int

    @property
    def origin(self) -> str:
        """Where the leg starts (its first trip's origin)."""
        return self.trips[0].origin if self.trips else ""

    @property
    def destination(self) -> str:
        """Where the leg ends (its first trip's destination)."""
        return self.trips[0].destination if self.trips else ""

    @property
    def capacity(self) -> int:
        """Seats on the leg's trips that are not cancelled."""
        return sum(t.capacity for t in self.trips if t.status != TripStatus.CANCELLED)

    @property
    def left_empty(self) -> int:
        """Seats that went empty on trips that have left: nobody can take them any more."""
        return sum(t.free for t in self.trips if not t.is_open and t.status != TripStatus.CANCELLED)

    @property
    def allocated(self) -> int:
        """People with a seat but not yet boarded."""
        return sum(t.allocated for t in self.trips)

    @property
    def boarded(self) -> int:
        """People who boarded."""
        return sum(t.boarded for t in self.trips)

    @property
    def no_show(self) -> int:
        """Passengers who did not turn up (each also back in the pool)."""
        return sum(t.no_show for t in self.trips)


@dataclass(frozen=True)
class OperationRow:
    """An evacuation operation with its legs."""

    id: str
    name: str
    route: str | None
    host_country: str | None
    status: str
    notes: str | None
    priority: tuple[str, ...]
    allow_split_groups: bool
    version: str
    legs: tuple[LegRow, ...] = ()

    def leg(self, leg_no: int) -> LegRow | None:
        """The leg with this number, if the operation has it."""
        return next((leg for leg in self.legs if leg.leg_no == leg_no), None)

    @property
    def trips(self) -> tuple[TripRow, ...]:
        """All trips, leg by leg."""
        return tuple(t for leg in self.legs for t in leg.trips)


@dataclass(frozen=True)
class PassengerRow:
    """A person's place on a leg: in the pool or on a trip, with the reason and any problem.

    ``reason_params`` already name trips by their label; ``problems`` are codes the officer must
    resolve before the border: ``passport_expired``, ``no_passport``, ``no_passport_name``,
    ``no_consent``.
    ``travels_with`` counts who moves with this person (themselves included) when moved by hand.
    """

    entry_id: str
    operation_id: str
    leg_no: int
    trip_id: str | None
    status: str
    seat: str | None
    position: int | None
    priority_class: str | None
    reason_code: str | None
    reason_params: dict[str, Any]
    boarded_at: datetime | None
    person: NationalRow
    household_id: str | None
    household_name: str | None
    problems: tuple[str, ...]
    version: str
    travels_with: int = 1  # people a move takes along: their group on this leg, not boarded


@dataclass(frozen=True)
class OperationFields:
    """What an officer enters about an operation."""

    name: str
    route: str | None = None
    host_country: str | None = None
    status: OperationStatus = OperationStatus.PLANNED
    notes: str | None = None
    priority: tuple[str, ...] = Policy().priority
    allow_split_groups: bool = False


@dataclass(frozen=True)
class TripFields:
    """What an officer enters about one vehicle of a leg."""

    leg_no: int
    origin: str
    destination: str
    capacity: int
    mode: TripMode = TripMode.BUS
    border_crossing: str | None = None
    departure_at: datetime | None = None
    vehicle: str | None = None
    carrier: str | None = None
    escort_officer: str | None = None


@dataclass(frozen=True)
class CandidateCriteria:
    """Who is offered a place on a leg (every set condition must hold).

    ``from_previous_leg`` takes the people seated or boarded on the leg before (the natural pool
    of leg 2 and later) and ignores the other conditions. Otherwise: nationals in
    ``host_country`` (and ``city``), in one of ``presence_statuses`` (any if empty), and with an
    open evacuation request if ``open_evacuation_request`` (a household's request brings in
    every member). People already evacuated or gone on their own are never offered.
    """

    host_country: str | None = None
    city: str | None = None
    presence_statuses: tuple[str, ...] = ()
    open_evacuation_request: bool = True
    from_previous_leg: bool = False


@dataclass(frozen=True)
class CandidatePreview:
    """How many people the criteria find, and how many of them are not on the leg yet;
    ``elsewhere``: how many more they would find but for a seat they hold on another
    operation's vehicle (never brought in: said, so "nobody" is not a mystery)."""

    matching: int
    already_on_leg: int
    elsewhere: int = 0

    @property
    def new(self) -> int:
        """People the criteria would add."""
        return self.matching - self.already_on_leg


@dataclass(frozen=True)
class AllocationSummary:
    """What :func:`allocate_leg` did."""

    placed: int
    waitlisted: int
    flagged: int  # seated on the leg with something the border may stop them for
    trips_used: int
    returned: int = 0  # seated people put back in the pool first (a fresh allocation)
    elsewhere: int = 0  # waiting here because seated in another operation (not in waitlisted)
    # People waiting on this leg now whose places on later legs (not boarded) were given up:
    # a later leg takes those the leg before it carries.
    later_released: int = 0


@dataclass(frozen=True)
class ReallocationImpact:
    """What allocating a leg again would make wrong on paper already printed.

    Attributes:
        seated: people with a seat on the leg's open trips, not boarded yet (a fresh run may
            move them).
        slips: boarding slips, correct until now, whose trip or seat a fresh run changes.
        manifests: printed manifests, correct until now, whose list or seats a fresh run
            changes.
        manifests_if_kept: printed manifests that keeping the seats makes incomplete (new
            passengers on those trips).
        slip_names: whose slips ``slips`` are, by name: the papers to take back.
        manifest_trips: the trips (labels) of ``manifests``; ``manifest_trips_if_kept``
            those of ``manifests_if_kept``.
    """

    seated: int
    slips: int
    manifests: int
    manifests_if_kept: int
    slip_names: tuple[str, ...] = ()
    manifest_trips: tuple[str, ...] = ()
    manifest_trips_if_kept: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanResult:
    """What a scan did. ``outcome`` codes:

    ``boarded`` (checked in now), ``already_boarded``, ``open_manifest`` (a manifest page of
    another trip: ``trip_id`` names it), ``other_trip`` (the person has a seat on another trip:
    ``trip_label``), ``waitlisted`` (the person has no seat yet), ``not_on_trip``, ``unknown``
    (nothing matches the code), ``no_seat`` and ``no_passport`` (a seat or passport number
    typed that nobody on the trip has: ``printed_seat`` holds what was typed), ``trip_closed``
    (the trip has left or was cancelled).

    A slip printed for another trip or seat than its holder's now (a re-allocation or a move
    replaced it): ``replaced_boarded`` (boarded on this trip, in the new seat),
    ``replaced_other_trip`` (now on ``trip_label``), ``replaced_waitlisted`` (now waiting);
    ``printed_seat`` is the seat on the slip.
    """

    outcome: str
    passenger: PassengerRow | None = None
    trip_id: str | None = None
    trip_label: str | None = None
    person: NationalRow | None = None  # for ``not_on_trip``: who the code names
    changes: ChangeSet = field(default_factory=ChangeSet)
    printed_seat: str | None = None  # for ``replaced_*``: the seat on the slip ("" for none)


# -- small helpers -------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(value: datetime | None) -> datetime | None:
    """A stored (UTC) time in this computer's time zone, for printing where the bus leaves."""
    utc = _utc(value)
    return utc.astimezone() if utc is not None else None


def _dump_reason(reason: Reason) -> str:
    return json.dumps({"code": reason.code, "params": dict(reason.params)}, ensure_ascii=False)


def _still_waiting_reason(stored: str | None, reason: Reason) -> str:
    """What to store as the reason someone waits: the reason on file when only the queue
    rank differs. Each run ranks only those it seats or leaves waiting, so a person's rank
    rises as others are seated; rewritten, each run with nothing to change made an audit
    event, and a change to send, for every person waiting."""
    new = _dump_reason(reason)
    code, params = _load_reason(stored)
    if stored is None or code != reason.code:
        return new
    fresh = json.loads(new)["params"]
    params.pop("rank", None)
    fresh.pop("rank", None)
    return stored if params == fresh else new


def _load_reason(text: str | None) -> tuple[str | None, dict[str, Any]]:
    if not text:
        return None, {}
    try:
        data = json.loads(text)
        return str(data["code"]), dict(data.get("params") or {})
    except (ValueError, KeyError, TypeError):
        return None, {"text": text}  # written by hand or by an older version


def _live(model: Any) -> Any:
    return col(model.deleted_at).is_(None)


def live_operation(session: Session, operation_id: str) -> EvacuationOperation:
    """An operation that exists and is not deleted.

    Raises:
        NotFound: no such live operation.
    """
    return get_live(session, EvacuationOperation, operation_id)


def live_trip(session: Session, trip_id: str) -> Trip:
    """A trip that exists and is not deleted.

    Raises:
        NotFound: no such live trip.
    """
    return get_live(session, Trip, trip_id)


def _live_entry(session: Session, entry_id: str) -> ManifestEntry:
    return get_live(session, ManifestEntry, entry_id)


def _policy(op: EvacuationOperation) -> Policy:
    order = tuple(p for p in (op.priority_order or "").split(",") if p)
    return Policy(priority=order or Policy().priority, allow_split_groups=op.allow_split_groups)


def _trip_row(t: Trip, counts: dict[str, int] | None = None) -> TripRow:
    counts = counts or {}
    return TripRow(
        id=t.id,
        operation_id=t.operation_id,
        leg_no=t.leg_no,
        mode=t.mode,
        origin=t.origin,
        destination=t.destination,
        border_crossing=t.border_crossing,
        departure_at=_utc(t.departure_at),
        capacity=t.capacity,
        vehicle=t.vehicle,
        carrier=t.carrier,
        escort_officer=t.escort_officer,
        status=t.status,
        version=t.version,
        allocated=counts.get(_S.ALLOCATED.value, 0),
        boarded=counts.get(_S.BOARDED.value, 0),
        no_show=counts.get(_S.NO_SHOW.value, 0),
        offloaded=counts.get(_S.OFFLOADED.value, 0),
    )


def _departure_key(t: Trip | TripRow) -> tuple[Any, ...]:
    when = _utc(t.departure_at)
    return (when is None, when or datetime.min.replace(tzinfo=UTC), t.vehicle or "", t.id)


def _operation_rows(session: Session, ops: Sequence[EvacuationOperation]) -> list[OperationRow]:
    ids = [op.id for op in ops]
    if not ids:
        return []
    trips = session.exec(select(Trip).where(col(Trip.operation_id).in_(ids), _live(Trip))).all()
    me = table_of(ManifestEntry)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    pools: dict[tuple[str, int], int] = defaultdict(int)
    for op_id, leg_no, trip_id, status, n in session.execute(
        sa_select(me.c.operation_id, me.c.leg_no, me.c.trip_id, me.c.status, func.count())
        .where(me.c.operation_id.in_(ids), me.c.deleted_at.is_(None))
        .group_by(me.c.operation_id, me.c.leg_no, me.c.trip_id, me.c.status)
    ):
        if trip_id is None:
            if status == _S.WAITLISTED.value:
                pools[(op_id, leg_no)] += n
        else:
            counts[trip_id][status] = n
    by_leg: dict[tuple[str, int], list[TripRow]] = defaultdict(list)
    for t in trips:
        by_leg[(t.operation_id, t.leg_no)].append(_trip_row(t, counts.get(t.id)))
    rows = []
    for op in ops:
        leg_nos = sorted(
            {leg for (o, leg) in by_leg if o == op.id} | {leg for (o, leg) in pools if o == op.id}
        )
        legs = tuple(
            LegRow(
                leg_no=n,
                trips=tuple(sorted(by_leg.get((op.id, n), []), key=_departure_key)),
                waitlisted=pools.get((op.id, n), 0),
            )
            for n in leg_nos
        )
        policy = _policy(op)
        rows.append(
            OperationRow(
                id=op.id,
                name=op.name,
                route=op.route,
                host_country=op.host_country,
                status=op.status,
                notes=op.notes,
                priority=policy.priority,
                allow_split_groups=op.allow_split_groups,
                version=op.version,
                legs=legs,
            )
        )
    return rows


def _operation_row(session: Session, op: EvacuationOperation) -> OperationRow:
    return _operation_rows(session, [op])[0]


def _trip_row_now(session: Session, trip: Trip) -> TripRow:
    session.flush()
    me = table_of(ManifestEntry)
    counts = dict(
        session.execute(
            sa_select(me.c.status, func.count())
            .where(me.c.trip_id == trip.id, me.c.deleted_at.is_(None))
            .group_by(me.c.status)
        ).all()
    )
    return _trip_row(trip, counts)  # type: ignore[arg-type]


# -- operations and trips ------------------------------------------------------------------


def _operation_values(fields: OperationFields) -> dict[str, Any]:
    name = _clean(fields.name)
    if name is None:
        raise ServiceError("operation.name", "name")
    policy = Policy(priority=tuple(fields.priority), allow_split_groups=fields.allow_split_groups)
    default = policy.priority == Policy().priority
    country = _clean(fields.host_country)
    return {
        "name": name,
        "route": _clean(fields.route),
        "host_country": country.upper() if country else None,
        "status": OperationStatus(fields.status).value,
        "notes": (fields.notes or "").strip() or None,
        "priority_order": None if default else ",".join(policy.priority),
        "allow_split_groups": bool(fields.allow_split_groups),
    }


def list_operations(desk: Desk) -> list[OperationRow]:
    """Live operations, newest first, with their legs, trips and head counts."""
    with desk.casefile.read() as session:
        ops = session.exec(
            select(EvacuationOperation)
            .where(_live(EvacuationOperation))
            .order_by(
                col(EvacuationOperation.created_at).desc(), col(EvacuationOperation.id).desc()
            )
        ).all()
        return _operation_rows(session, ops)


def get_operation(desk: Desk, operation_id: str) -> OperationRow:
    """One operation with its legs.

    Raises:
        NotFound: no such live operation.
    """
    with desk.casefile.read() as session:
        return _operation_row(session, live_operation(session, operation_id))


def add_operation(desk: Desk, fields: OperationFields) -> Written[OperationRow]:
    """Start an operation.

    Raises:
        ServiceError: ``operation.name`` (empty).
        ValidationError: ``allocation.unknown_class`` or ``allocation.duplicate_class`` (the
            priority order).
    """
    values = _operation_values(fields)
    with desk.write() as tx:
        op = EvacuationOperation(**values)
        tx.add(op)
        tx.session.flush()
        row = _operation_row(tx.session, op)
    return Written(row, tx.changes)


def update_operation(
    desk: Desk, operation_id: str, fields: OperationFields
) -> Written[OperationRow]:
    """Save an operation's fields (its seat rules apply to the next allocation).

    Raises:
        NotFound: no such live operation.
        ServiceError, ValidationError: as :func:`add_operation`.
    """
    values = _operation_values(fields)
    with desk.write() as tx:
        op = live_operation(tx.session, operation_id)
        tx.update(op, values)
        tx.session.flush()
        row = _operation_row(tx.session, op)
    return Written(row, tx.changes)


def _trip_values(fields: TripFields) -> dict[str, Any]:
    origin, destination = _clean(fields.origin), _clean(fields.destination)
    if origin is None:
        raise ServiceError("trip.origin", "origin")
    if destination is None:
        raise ServiceError("trip.destination", "destination")
    if fields.leg_no < 1:
        raise ServiceError("trip.leg_no", "leg_no", value=fields.leg_no)
    if fields.capacity < 1:
        raise ServiceError("trip.capacity", "capacity", value=fields.capacity)
    return {
        "leg_no": int(fields.leg_no),
        "mode": TripMode(fields.mode).value,
        "origin": origin,
        "destination": destination,
        "border_crossing": _clean(fields.border_crossing),
        "departure_at": _utc(fields.departure_at),
        "capacity": int(fields.capacity),
        "vehicle": _clean(fields.vehicle),
        "carrier": _clean(fields.carrier),
        "escort_officer": _clean(fields.escort_officer),
    }


def get_trip(desk: Desk, trip_id: str) -> TripRow:
    """One trip with its head counts.

    Raises:
        NotFound: no such live trip.
    """
    with desk.casefile.read() as session:
        return _trip_row_now(session, live_trip(session, trip_id))


def add_trip(desk: Desk, operation_id: str, fields: TripFields) -> Written[TripRow]:
    """Add a vehicle to a leg of an operation (a new leg number starts a new leg).

    Raises:
        NotFound: no such live operation.
        ServiceError: ``trip.origin``, ``trip.destination`` (empty), ``trip.leg_no`` (below 1),
            ``trip.capacity`` (below 1).
    """
    values = _trip_values(fields)
    with desk.write() as tx:
        live_operation(tx.session, operation_id)
        following = _last_leg(tx.session, operation_id) + 1
        if values["leg_no"] > following:
            raise ServiceError("trip.leg_gap", "leg_no", leg=values["leg_no"], next=following)
        trip = Trip(operation_id=operation_id, status=TripStatus.PLANNED.value, **values)
        tx.add(trip)
        row = _trip_row_now(tx.session, trip)
    return Written(row, tx.changes)


def update_trip(desk: Desk, trip_id: str, fields: TripFields) -> Written[TripRow]:
    """Save a trip's fields.

    Raises:
        NotFound: no such live trip.
        ServiceError: as :func:`add_trip`; ``trip.capacity_below_seated`` (params ``seated``,
            ``capacity``) when fewer seats than passengers; ``trip.leg_has_passengers`` when the
            leg number changes while people are on the trip.
    """
    values = _trip_values(fields)
    with desk.write() as tx:
        trip = live_trip(tx.session, trip_id)
        current = _trip_row_now(tx.session, trip)
        if values["capacity"] < current.seated:
            raise ServiceError(
                "trip.capacity_below_seated",
                "capacity",
                seated=current.seated,
                capacity=values["capacity"],
            )
        has_entries = current.seated + current.no_show + current.offloaded > 0
        if values["leg_no"] != trip.leg_no and has_entries:
            raise ServiceError("trip.leg_has_passengers", "leg_no", trip=current.label)
        tx.update(trip, values)
        row = _trip_row_now(tx.session, trip)
    return Written(row, tx.changes)


def delete_trip(desk: Desk, trip_id: str) -> ChangeSet:
    """Remove a trip; its allocated passengers go back to the pool.

    Raises:
        NotFound: no such live trip.
        ServiceError: ``trip.has_boarded`` (param ``boarded``) once anyone has boarded.
    """
    with desk.write("delete") as tx:
        trip = live_trip(tx.session, trip_id)
        entries = _trip_entries(tx.session, trip.id)
        boarded = sum(e.status == _S.BOARDED.value for e in entries)
        if boarded:
            raise ServiceError("trip.has_boarded", "trip", boarded=boarded)
        label = _label(trip)
        _return_to_pool(tx, [e for e in entries if e.status == _S.ALLOCATED.value], "trip_removed",
                        label)  # fmt: skip
        for e in entries:
            if e.status != _S.ALLOCATED.value:
                tx.delete(e)
        tx.delete(trip)
    return tx.changes


def set_trip_status(desk: Desk, trip_id: str, status: TripStatus) -> Written[TripRow]:
    """Move a trip along: boarding opens, departure closes, arrival ends it.

    * boarding or departed: a planned operation becomes under way;
    * departed: everyone still only allocated becomes a no-show and goes back to the pool;
      boarded passengers are ``in_transit``;
    * arrived: on the operation's last leg, boarded passengers become ``evacuated`` and their
      open evacuation requests are resolved with a note on the timeline;
    * cancelled: allocated passengers go back to the pool (refused once anyone boarded).

    Raises:
        NotFound: no such live trip.
        ServiceError: ``trip.transition`` (params ``current``, ``new``), ``trip.has_boarded``.
    """
    new = TripStatus(status)
    with desk.write() as tx:
        trip = live_trip(tx.session, trip_id)
        current = TripStatus(trip.status)
        if new == current:
            return Written(_trip_row_now(tx.session, trip), tx.changes)
        if new not in _TRIP_MOVES[current]:
            raise ServiceError("trip.transition", "status", current=current.value, new=new.value)
        entries = _trip_entries(tx.session, trip.id)
        label = _label(trip)
        boarded = [e for e in entries if e.status == _S.BOARDED.value]
        allocated = [e for e in entries if e.status == _S.ALLOCATED.value]
        if new == TripStatus.CANCELLED:
            if boarded:
                raise ServiceError("trip.has_boarded", "trip", boarded=len(boarded))
            _return_to_pool(tx, allocated, "trip_cancelled", label)
        elif new == TripStatus.DEPARTED:
            for e in allocated:
                tx.update(e, {"status": _S.NO_SHOW.value})
            _requeue(tx, allocated, "no_show", label)
            _set_presence(tx, [e.national_id for e in boarded], PresenceStatus.IN_TRANSIT)
        elif new == TripStatus.ARRIVED and trip.leg_no >= _last_leg(tx.session, trip.operation_id):
            ids = [e.national_id for e in boarded]
            _set_presence(tx, ids, PresenceStatus.EVACUATED)
            _resolve_evacuation_requests(tx, ids, label)
        tx.update(trip, {"status": new.value})
        if new in (TripStatus.BOARDING, TripStatus.DEPARTED):
            _under_way(tx, trip.operation_id)
        row = _trip_row_now(tx.session, trip)
    return Written(row, tx.changes)


def _under_way(tx: Tx, operation_id: str) -> None:
    """A planned operation is under way once its first vehicle boards."""
    op = live_operation(tx.session, operation_id)
    if op.status == OperationStatus.PLANNED.value:
        tx.update(op, {"status": OperationStatus.UNDER_WAY.value})


def _trip_entries(session: Session, trip_id: str) -> list[ManifestEntry]:
    return list(
        session.exec(
            select(ManifestEntry).where(col(ManifestEntry.trip_id) == trip_id, _live(ManifestEntry))
        ).all()
    )


def _set_presence(tx: Tx, national_ids: Sequence[str], status: PresenceStatus) -> None:
    for start in range(0, len(national_ids), 500):
        for n in tx.session.exec(
            select(National).where(col(National.id).in_(national_ids[start : start + 500]))
        ).all():
            tx.update(n, {"presence_status": status.value})


def _resolve_evacuation_requests(tx: Tx, national_ids: Sequence[str], trip_label: str) -> None:
    """Resolve the open evacuation requests of people who arrived, whole households only."""
    arrived = set(national_ids)
    if not arrived:
        return
    hm = table_of(HouseholdMember)
    requests = tx.session.exec(
        select(AssistanceRequest).where(
            _live(AssistanceRequest),
            col(AssistanceRequest.kind) == RequestKind.EVACUATION.value,
            col(AssistanceRequest.status).in_([s.value for s in OPEN_STATUSES]),
        )
    ).all()
    for r in requests:
        if r.household_id is not None:
            members = {
                m
                for (m,) in tx.session.execute(
                    sa_select(hm.c.national_id).where(
                        hm.c.household_id == r.household_id, hm.c.deleted_at.is_(None)
                    )
                )
            }
            done = bool(members) and members <= arrived
        else:
            done = r.national_id in arrived
        if not done:
            continue
        text = f"{r.status} → {RequestStatus.RESOLVED.value}\nevacuated: {trip_label}"
        tx.update(r, {"status": RequestStatus.RESOLVED.value, "closed_at": tx.now})
        event = RequestEvent(  # type: ignore[call-arg]
            request_id=r.id, at=tx.now, kind=TimelineKind.STATUS.value, author=tx.officer,
            text=text,
        )  # fmt: skip
        tx.add(event)


# -- the pool ------------------------------------------------------------------------------


def _active_on_leg(session: Session, operation_id: str, leg_no: int) -> dict[str, ManifestEntry]:
    entries = session.exec(
        select(ManifestEntry).where(
            col(ManifestEntry.operation_id) == operation_id,
            col(ManifestEntry.leg_no) == leg_no,
            col(ManifestEntry.status).in_(_ACTIVE),
            _live(ManifestEntry),
        )
    ).all()
    return {e.national_id: e for e in entries}


def _family_pairs(people: Any) -> Any:
    """SQL for ``(asker, kin)``: each of ``people`` (SQL or ids) and everyone in a family (not
    a tour group) with them, themselves included."""
    hm = table_of(HouseholdMember)
    asker, kin, hh = hm.alias("asker"), hm.alias("kin"), table_of(Household)
    return (
        sa_select(asker.c.national_id.label("asker"), kin.c.national_id.label("kin"))
        .select_from(kin)
        .join(asker, asker.c.household_id == kin.c.household_id)
        .join(hh, hh.c.id == kin.c.household_id)
        .where(
            asker.c.national_id.in_(people),
            asker.c.deleted_at.is_(None),
            kin.c.deleted_at.is_(None),
            hh.c.deleted_at.is_(None),
            hh.c.kind == HouseholdKind.FAMILY.value,
        )
    )


def _families_of(people: Any) -> Any:
    """SQL for everyone in a family (not a tour group) with one of ``people`` (SQL or ids)."""
    pairs = _family_pairs(people)
    return pairs.with_only_columns(pairs.selected_columns.kin)


def _minors_alone(
    session: Session,
    seated: Sequence[tuple[str, str, date | None]],
    on: Mapping[str, date],
    *,
    everyone: bool = False,
) -> set[tuple[str, str]]:
    """The ``(person, trip)`` of each minor of ``seated`` (person, trip, birth date: people on
    trips) with no adult of their family (not a tour group: the border asks for a parent or
    their consent) seated or boarded on the same trip; ages on each trip's day ``on``.
    ``everyone``: ``seated`` holds everyone seated on those trips (who is aboard is known)."""
    wanted = {(nid, tid) for nid, tid, born in seated if is_minor(born, on[tid])}
    if not wanted:
        return set()
    me, nt = table_of(ManifestEntry), table_of(National)
    kin_of: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(sorted({nid for nid, _ in wanted})):
        for minor, relative in session.execute(_family_pairs(chunk)):
            if relative != minor:
                kin_of[minor].add(relative)
    trips = sorted({tid for _, tid in wanted})
    aboard: dict[str, list[tuple[str, date | None]]] = defaultdict(list)
    if everyone:
        for nid, tid, born in seated:
            aboard[nid].append((tid, born))
    for chunk in [] if everyone else _chunks(sorted(set().union(*kin_of.values()))):
        for nid, tid, born in session.execute(
            sa_select(me.c.national_id, me.c.trip_id, nt.c.birth_date)
            .join(nt, nt.c.id == me.c.national_id)
            .where(
                me.c.national_id.in_(chunk),
                me.c.trip_id.in_(trips),
                me.c.status.in_(_SEATED),
                me.c.deleted_at.is_(None),
                nt.c.deleted_at.is_(None),
            )
        ):
            aboard[nid].append((tid, born))
    return {
        (nid, tid)
        for nid, tid in wanted
        if not accompanied(
            (born for k in kin_of[nid] for trip, born in aboard[k] if trip == tid), on[tid]
        )
    }


def _chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    return (ids[i : i + size] for i in range(0, len(ids), size))


def _seated_elsewhere(session: Session, operation_id: str) -> Any:
    """SQL for the nationals holding a seat (or boarded) on a trip of another operation."""
    me = table_of(ManifestEntry)
    return sa_select(me.c.national_id).where(
        me.c.operation_id != operation_id,
        me.c.trip_id.is_not(None),
        me.c.status.in_(_SEATED),
        me.c.deleted_at.is_(None),
    )


def _elsewhere_labels(
    session: Session, operation_id: str, national_ids: Sequence[str]
) -> dict[str, str]:
    """For people seated on another operation's trip: that trip's label."""
    me, tr = table_of(ManifestEntry), table_of(Trip)
    found: dict[str, str] = {}
    for start in range(0, len(national_ids), 900):
        for nid, vehicle, origin, destination in session.execute(
            sa_select(me.c.national_id, tr.c.vehicle, tr.c.origin, tr.c.destination)
            .join(tr, tr.c.id == me.c.trip_id)
            .where(
                me.c.national_id.in_(national_ids[start : start + 900]),
                me.c.operation_id != operation_id,
                me.c.status.in_(_SEATED),
                me.c.deleted_at.is_(None),
            )
        ):
            found[nid] = vehicle_label(vehicle, origin, destination)
    return found


def _last_leg(session: Session, operation_id: str) -> int:
    """The highest leg number with a live trip (0 without trips)."""
    top = session.exec(
        select(func.max(Trip.leg_no)).where(col(Trip.operation_id) == operation_id, _live(Trip))
    ).one()
    return int(top or 0)


def _check_leg(session: Session, operation_id: str, leg_no: int) -> None:
    """People join leg 1, or a later leg that has a vehicle."""
    if leg_no < 1 or (leg_no > 1 and leg_no > _last_leg(session, operation_id)):
        raise ServiceError("pool.no_leg", "leg_no", leg=leg_no)


def _candidate_ids(
    session: Session,
    op: EvacuationOperation,
    leg_no: int,
    criteria: CandidateCriteria,
    *,
    seated_elsewhere: bool = False,
) -> list[str]:
    """Who the criteria find; never anyone seated on another operation's vehicle (unless
    ``seated_elsewhere``, to count them)."""
    _check_leg(session, op.id, leg_no)
    me, nt = table_of(ManifestEntry), table_of(National)
    if criteria.from_previous_leg:
        if leg_no <= 1:
            raise ServiceError("pool.no_previous_leg", "leg_no", leg=leg_no)
        query = sa_select(me.c.national_id).where(
            me.c.operation_id == op.id,
            me.c.leg_no == leg_no - 1,
            me.c.trip_id.is_not(None),
            me.c.status.in_(_SEATED),
            me.c.deleted_at.is_(None),
        )
        return sorted({nid for (nid,) in session.execute(query)})
    conditions: list[Any] = [
        nt.c.deleted_at.is_(None),
        nt.c.merged_into_id.is_(None),
        nt.c.presence_status.not_in(_GONE),
    ]
    if not seated_elsewhere:
        conditions.append(nt.c.id.not_in(_seated_elsewhere(session, op.id)))
    if criteria.host_country:
        conditions.append(nt.c.host_country == criteria.host_country.upper())
    if criteria.city:
        conditions.append(nt.c.city == canonical_city(criteria.city))
    if criteria.presence_statuses:
        conditions.append(nt.c.presence_status.in_(list(criteria.presence_statuses)))
    if criteria.open_evacuation_request:
        ar, hm = table_of(AssistanceRequest), table_of(HouseholdMember)
        open_evac = [
            ar.c.deleted_at.is_(None),
            ar.c.kind == RequestKind.EVACUATION.value,
            ar.c.status.in_([s.value for s in OPEN_STATUSES]),
        ]
        direct = sa_select(ar.c.national_id).where(*open_evac, ar.c.national_id.is_not(None))
        via_household = (
            sa_select(hm.c.national_id)
            .join(ar, ar.c.household_id == hm.c.household_id)
            .where(*open_evac, hm.c.deleted_at.is_(None))
        )
        # A mother who called for herself does not leave her children behind: the families
        # of those who asked come too (not their tour groups: each of those asks for itself).
        via_family = _families_of(direct)
        conditions.append(
            or_(nt.c.id.in_(direct), nt.c.id.in_(via_household), nt.c.id.in_(via_family))
        )
    return [nid for (nid,) in session.execute(sa_select(nt.c.id).where(*conditions))]


def preview_candidates(
    desk: Desk, operation_id: str, leg_no: int, criteria: CandidateCriteria
) -> CandidatePreview:
    """How many people the criteria would bring into the leg's pool.

    Raises:
        NotFound: no such live operation.
        ServiceError: ``pool.no_previous_leg`` (leg 1 has no leg before it).
    """
    with desk.casefile.read() as session:
        op = live_operation(session, operation_id)
        ids = _candidate_ids(session, op, leg_no, criteria)
        active = _active_on_leg(session, operation_id, leg_no)
        every = _candidate_ids(session, op, leg_no, criteria, seated_elsewhere=True)
        return CandidatePreview(
            len(ids), sum(1 for i in ids if i in active), elsewhere=len(every) - len(ids)
        )


def _new_waiting(tx: Tx, op_id: str, leg_no: int, national_id: str, reason: Reason) -> None:
    tx.add(
        ManifestEntry(  # type: ignore[call-arg]
            operation_id=op_id,
            leg_no=leg_no,
            trip_id=None,
            national_id=national_id,
            status=_S.WAITLISTED.value,
            reason=_dump_reason(reason),
        )
    )


def _add_to_leg(tx: Tx, op_id: str, leg_no: int, ids: Iterable[str], how: str) -> int:
    active = _active_on_leg(tx.session, op_id, leg_no)
    added = 0
    for nid in ids:
        if nid not in active:
            _new_waiting(tx, op_id, leg_no, nid, Reason(f"pool.{how}"))
            added += 1
    return added


def on_leg(desk: Desk, operation_id: str, leg_no: int) -> set[str]:
    """The nationals on a leg now: waiting for a seat, seated or boarded."""
    with desk.casefile.read() as session:
        return set(_active_on_leg(session, operation_id, leg_no))


def add_to_pool(
    desk: Desk, operation_id: str, leg_no: int, criteria: CandidateCriteria
) -> Written[int]:
    """Bring everyone the criteria find into the leg's pool (people already on it stay put).

    Returns:
        How many people were added.

    Raises:
        NotFound, ServiceError: as :func:`preview_candidates`.
    """
    if leg_no < 1:
        raise ServiceError("trip.leg_no", "leg_no", value=leg_no)
    with desk.write() as tx:
        op = live_operation(tx.session, operation_id)
        ids = _candidate_ids(tx.session, op, leg_no, criteria)
        how = "previous_leg" if criteria.from_previous_leg else "criteria"
        added = _add_to_leg(tx, op.id, leg_no, ids, how)
    return Written(added, tx.changes)


def add_people(
    desk: Desk,
    operation_id: str,
    leg_no: int,
    national_ids: Sequence[str],
    *,
    with_family: bool = False,
) -> Written[int]:
    """Put people into the leg's pool by hand (a walk-in at the assembly point); with
    ``with_family``, their families too (those still in the country and not seated on
    another operation's vehicle).

    Returns:
        How many were added (people already on the leg are left where they are).

    Raises:
        NotFound: no such live operation or national.
        ServiceError: ``pool.no_leg`` (param ``leg``): a leg after the first without vehicles;
            ``pool.gone`` (params ``person``, ``status``): the record says they were evacuated
            or left on their own (their card is corrected first: nobody is seated twice).
    """
    with desk.write() as tx:
        session = tx.session
        op = live_operation(session, operation_id)
        _check_leg(session, op.id, leg_no)
        # Someone seated on another operation's vehicle waits here, told where their seat is.
        people = [get_live(session, National, nid) for nid in dict.fromkeys(national_ids)]
        for p in people:
            if p.presence_status in _GONE:  # a record that says they have gone already
                raise ServiceError(
                    "pool.gone",
                    "national_ids",
                    person=national_name(p),
                    status=p.presence_status,
                )
        ids = [p.id for p in people]
        if with_family and ids:
            nt = table_of(National)
            kin = session.execute(
                sa_select(nt.c.id).where(
                    nt.c.id.in_(_families_of(ids)),
                    nt.c.deleted_at.is_(None),
                    nt.c.merged_into_id.is_(None),
                    nt.c.presence_status.not_in(_GONE),
                    nt.c.id.not_in(_seated_elsewhere(session, op.id)),
                )
            )
            ids += sorted(nid for (nid,) in kin if nid not in ids)
        added = _add_to_leg(tx, op.id, leg_no, ids, "manual")
    return Written(added, tx.changes)


def remove_from_leg(desk: Desk, entry_id: str) -> ChangeSet:
    """Take a person off a leg (waiting or seated, not yet boarded).

    Raises:
        NotFound: no such live entry.
        ServiceError: ``boarding.status`` (param ``status``) for boarded people or records of
            no-shows (mark them otherwise first).
    """
    with desk.write() as tx:
        entry = _live_entry(tx.session, entry_id)
        if entry.status not in (_S.WAITLISTED.value, _S.ALLOCATED.value):
            raise ServiceError("boarding.status", "status", status=entry.status)
        tx.delete(entry)
        _off_later_legs(tx, entry.operation_id, entry.leg_no, [entry.national_id])
    return tx.changes


def _return_to_pool(tx: Tx, entries: Sequence[ManifestEntry], why: str, label: str) -> None:
    """Seated (not boarded) entries lose their seat and wait again (and their places on the
    legs after it: the entries are of one trip)."""
    if entries:
        _off_later_legs(
            tx, entries[0].operation_id, entries[0].leg_no, [e.national_id for e in entries]
        )
    for e in entries:
        tx.update(
            e,
            {
                "trip_id": None,
                "seat": None,
                "status": _S.WAITLISTED.value,
                "reason": _dump_reason(Reason(f"waitlisted.{why}", {"trip": label})),
                "position": None,
            },
        )


def _requeue(tx: Tx, entries: Sequence[ManifestEntry], why: str, label: str) -> None:
    """No-shows and offloaded passengers: their entry stays on the trip, they wait again."""
    for e in entries:
        _new_waiting(tx, e.operation_id, e.leg_no, e.national_id,
                     Reason(f"waitlisted.{why}", {"trip": label}))  # fmt: skip


# -- allocation ----------------------------------------------------------------------------


def _groups(
    session: Session, national_ids: Sequence[str], found: Sequence[Membership] | None = None
) -> dict[str, str]:
    """Each person's travel group: households (families and tour groups) joined transitively.

    A person in a family and a tour group pulls both together; the group id is the smallest
    household id of the connected households. ``found``: their memberships, if read already.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    memberships: dict[str, list[str]] = defaultdict(list)
    for m in memberships_of(session, national_ids) if found is None else found:
        memberships[m.national_id].append(m.household_id)
    for households in memberships.values():
        first = find(households[0])
        for other in households[1:]:
            root, second = sorted((first, find(other)))
            parent[second] = root
            first = root
    return {nid: find(hh_ids[0]) for nid, hh_ids in memberships.items()}


def _people(session: Session, national_ids: Sequence[str], today: date) -> dict[str, NationalRow]:
    return rows_by_id(session, national_ids, today)


def _asked_at(
    session: Session, ids: Sequence[str], waiting: dict[str, ManifestEntry]
) -> dict[str, str]:
    """When each person asked to leave, as sortable text: their own or their household's
    first evacuation request, else when they joined the leg's pool (a walk-in)."""
    # (the record's id after its time: ids are time-ordered, two calls in one second differ)
    asked = {
        nid: f"{e.created_at.isoformat()} {e.id}"
        for nid, e in waiting.items()
        if e.created_at is not None
    }
    ar = table_of(AssistanceRequest)
    by_person: dict[str, str] = {}
    by_household: dict[str, str] = {}
    for nid, hid, at, rid in session.execute(
        sa_select(ar.c.national_id, ar.c.household_id, ar.c.created_at, ar.c.id).where(
            ar.c.kind == RequestKind.EVACUATION.value, ar.c.deleted_at.is_(None)
        )
    ):
        when = f"{at.isoformat() if hasattr(at, 'isoformat') else at} {rid}"
        for key, first in ((nid, by_person), (hid, by_household)):
            if key and (key not in first or when < first[key]):
                first[key] = when
    memberships = memberships_of(session, ids) if by_household else []
    for nid, when in [
        *((nid, by_person[nid]) for nid in ids if nid in by_person),
        *((m.national_id, by_household[m.household_id]) for m in memberships
          if m.household_id in by_household),
    ]:  # fmt: skip
        if nid not in asked or when < asked[nid]:
            asked[nid] = when
    return asked


_STAYING = (PlacementStatus.BOOKED.value, PlacementStatus.CHECKED_IN.value)


def _where_tonight(
    session: Session, ids: Sequence[str], people: dict[str, NationalRow], today: date
) -> dict[str, str]:
    """Where each person is tonight: their hotel's city, else the city on their record (as
    written, canonical for a known city); people with neither are left out."""
    where = {nid: city for nid in ids if (city := canonical_city(people[nid].city))}
    for start in range(0, len(ids), 500):
        for nid, city in session.exec(
            select(Placement.national_id, Hotel.city)
            .join(Hotel, col(Hotel.id) == col(Placement.hotel_id))
            .where(
                col(Placement.national_id).in_(ids[start : start + 500]),
                _live(Placement),
                col(Placement.status).in_(_STAYING),
                col(Placement.check_in) <= today,
                or_(col(Placement.check_out).is_(None), col(Placement.check_out) > today),
            )
            .order_by(col(Placement.check_in))
        ).all():
            if (canonical := canonical_city(city)) is not None:
                where[nid] = canonical  # the latest stay's, when two overlap
    return where


def _first_free_seats(taken: Iterable[str | None], capacity: int) -> Iterable[str]:
    used = {s for s in taken if s}
    return (str(n) for n in range(1, capacity + 1) if str(n) not in used)


def allocate_leg(
    desk: Desk, operation_id: str, leg_no: int, *, fresh: bool = False
) -> Written[AllocationSummary]:
    """Share the free seats of the leg's open trips among the people in its pool.

    Seated and boarded passengers keep their seats (an officer's manual moves stand), unless
    ``fresh``: then every seated-but-not-boarded passenger of the open trips goes back to the
    pool first and the leg is allocated from scratch. The same case file gives the same result.
    Seats are numbered from 1 on buses, trains and ferries; flights leave the seat to the
    airline.

    Raises:
        NotFound: no such live operation.
        ServiceError: ``allocation.no_trips`` (param ``leg``) when the leg has no open trip.
    """
    today = desk.today()
    with desk.write() as tx:
        op = live_operation(tx.session, operation_id)
        updates, gone, summary = _plan_allocation(tx.session, op, leg_no, fresh, today)
        for entry in gone:
            tx.delete(entry)
        tx.update_many(updates)
        waiting = [e.national_id for e, v in updates if v["status"] == _S.WAITLISTED.value]
        released = _off_later_legs(tx, op.id, leg_no, waiting)
        tx.session.flush()
        flagged = _seated_with_problems(tx.session, op.id, leg_no, today)
    return Written(replace(summary, later_released=released, flagged=flagged), tx.changes)


def _seated_with_problems(session: Session, operation_id: str, leg_no: int, today: date) -> int:
    """How many seated on the leg (all of it, not only those seated by this run) the border
    may stop: the count "to check before the border" (it counted the candidates of each run,
    the waiting ones too: 40, then 4, for the same seats). Only the values the rules read are
    read (thousands of seated people are not read whole for a count)."""
    me, nt, tt = table_of(ManifestEntry), table_of(National), table_of(Trip)
    query = (
        sa_select(
            nt.c.id,
            me.c.trip_id,
            nt.c.birth_date,
            nt.c.passport_no,
            nt.c.passport_expiry,
            nt.c.surname_lat,
            nt.c.consent_date,
        )
        .select_from(me.join(nt, nt.c.id == me.c.national_id))
        .where(
            me.c.operation_id == operation_id,
            me.c.leg_no == leg_no,
            me.c.deleted_at.is_(None),
            me.c.trip_id.is_not(None),
            me.c.status.in_(_SEATED),
        )
    )
    rows = session.execute(query).all()
    on = {
        trip: _day_of_travel(at, today)
        for trip, at in session.execute(
            sa_select(tt.c.id, tt.c.departure_at).where(
                tt.c.operation_id == operation_id, tt.c.leg_no == leg_no
            )
        )
    }
    seated = [(r.id, r.trip_id, r.birth_date) for r in rows]
    alone = _minors_alone(session, seated, on, everyone=True)  # the whole leg's seated
    return len(
        {
            r.id
            for r in rows
            if (r.id, r.trip_id) in alone
            or _problems_of(
                r.passport_no, r.passport_expiry, r.surname_lat, r.consent_date, on[r.trip_id]
            )
        }
    )


def day_of_travel(trip: TripRow, today: date) -> date:
    """The day a trip's passengers' papers and ages are judged on (see the rows' problems)."""
    return _day_of_travel(trip.departure_at, today)


def _day_of_travel(departure: datetime | None, today: date) -> date:
    """The day a passenger's papers and age are judged on: the trip's departure (where the
    bus leaves), or today if it left or has no time yet."""
    departs = _local(departure)
    return max(today, departs.date()) if departs is not None else today


def _off_later_legs(tx: Tx, operation_id: str, leg_no: int, national_ids: Sequence[str]) -> int:
    """Give up the places (seated or waiting, not boarded) of people no longer seated on leg
    ``leg_no`` on the operation's later legs: a flight's manifest listed a passenger with no
    bus to its airport, and that seat kept them from any other operation. Returns how many."""
    released = 0
    for start in range(0, len(national_ids), 500):
        for e in tx.session.exec(
            select(ManifestEntry).where(
                col(ManifestEntry.operation_id) == operation_id,
                col(ManifestEntry.leg_no) > leg_no,
                col(ManifestEntry.national_id).in_(national_ids[start : start + 500]),
                col(ManifestEntry.status).in_([_S.WAITLISTED.value, _S.ALLOCATED.value]),
                _live(ManifestEntry),
            )
        ).all():
            tx.delete(e)
            released += 1
    return released


def reallocation_impact(desk: Desk, operation_id: str, leg_no: int) -> ReallocationImpact:
    """What allocating the leg again would make wrong on the slips and manifests printed so far.

    Plans both runs (keeping the seats, and fresh) exactly as :func:`allocate_leg` would, and
    compares them with the latest print of each slip and manifest (see
    :mod:`consuldesk.services.printed`). Paper already out of date is not counted again.

    Raises:
        NotFound: no such live operation.
        ServiceError: ``allocation.no_trips`` (param ``leg``) when the leg has no open trip.
    """
    today = desk.today()
    with desk.casefile.read() as session:
        op = live_operation(session, operation_id)
        active = list(_active_on_leg(session, op.id, leg_no).values())
        now = {e.id: (e.trip_id, e.seat or "") for e in active if e.status in _SEATED}
        open_trips = set(
            session.exec(
                select(Trip.id).where(
                    col(Trip.operation_id) == op.id,
                    col(Trip.leg_no) == leg_no,
                    col(Trip.status).in_(_OPEN_TRIPS),
                    _live(Trip),
                )
            ).all()
        )
        printed = printed_docs.last_printed(session, sorted(now), sorted(open_trips))

        def after(fresh: bool) -> dict[str, tuple[str | None, str]]:
            seats = dict(now)
            for e, values in _plan_allocation(session, op, leg_no, fresh, today)[0]:
                if values["status"] in _SEATED:
                    seats[e.id] = (values["trip_id"], values["seat"] or "")
                else:
                    seats.pop(e.id, None)
            return seats

        def listed(seats: dict[str, tuple[str | None, str]], trip_id: str) -> dict[str, str]:
            return {eid: seat for eid, (tid, seat) in seats.items() if tid == trip_id}

        fresh, kept = after(True), after(False)
        wrong_slips = [
            eid
            for eid, slip in printed.slips.items()
            if now.get(eid) == slip and fresh.get(eid) != slip
        ]
        wrong_fresh: list[str] = []
        wrong_kept: list[str] = []
        for trip_id, sheet in printed.manifests.items():
            if trip_id not in open_trips or listed(now, trip_id) != sheet:
                continue  # a closed trip keeps its list; an old sheet is already wrong
            if listed(fresh, trip_id) != sheet:
                wrong_fresh.append(trip_id)
            if listed(kept, trip_id) != sheet:
                wrong_kept.append(trip_id)
        seated = sum(1 for e in active if e.trip_id in open_trips and e.status == _S.ALLOCATED)
        by_entry = {e.id: e.national_id for e in active}
        people = {
            n.id: national_name(n)
            for n in session.exec(
                select(National).where(
                    col(National.id).in_([by_entry[e] for e in wrong_slips if e in by_entry])
                )
            )
        }
        names = sorted(people.get(by_entry.get(e, ""), "") for e in wrong_slips)
        trips = {t.id: _label(t) for t in session.exec(select(Trip).where(col(Trip.id).in_(
            [*wrong_fresh, *wrong_kept]
        )))}  # fmt: skip
    return ReallocationImpact(
        seated,
        len(wrong_slips),
        len(wrong_fresh),
        len(wrong_kept),
        slip_names=tuple(names),
        manifest_trips=tuple(sorted(trips[t] for t in wrong_fresh)),
        manifest_trips_if_kept=tuple(sorted(trips[t] for t in wrong_kept)),
    )


def _plan_allocation(
    session: Session, op: EvacuationOperation, leg_no: int, fresh: bool, today: date
) -> tuple[list[tuple[ManifestEntry, dict[str, Any]]], list[ManifestEntry], AllocationSummary]:
    """What :func:`allocate_leg` writes (the entries and their new values, and the waiting
    entries that go), without writing."""
    policy = _policy(op)
    trips = sorted(
        session.exec(
            select(Trip).where(
                col(Trip.operation_id) == op.id,
                col(Trip.leg_no) == leg_no,
                col(Trip.status).in_(_OPEN_TRIPS),
                _live(Trip),
            )
        ).all(),
        key=_departure_key,
    )
    if not trips:
        raise ServiceError("allocation.no_trips", "leg_no", leg=leg_no)
    labels = {t.id: _label(t) for t in trips}
    active = _active_on_leg(session, op.id, leg_no)
    # A fresh run puts every seated (not boarded) passenger of the open trips back in the
    # queue; entries whose seat comes out the same are not written at all.
    reseat = {
        nid
        for nid, e in active.items()
        if fresh and e.trip_id in labels and e.status == _S.ALLOCATED.value
    }
    taken: dict[str, list[str | None]] = defaultdict(list)
    for nid, e in active.items():
        if e.trip_id is not None and e.status in _SEATED and nid not in reseat:
            taken[e.trip_id].append(e.seat)
    slots = [
        TripSlot(
            t.id,
            max(t.capacity - len(taken[t.id]), 0),
            order,
            size=t.capacity,
            origin=place_key(t.origin),
        )
        for order, t in enumerate(trips)
    ]
    waiting = {
        nid: e for nid, e in active.items() if e.status == _S.WAITLISTED.value or nid in reseat
    }
    # Someone holding a seat in another operation keeps waiting here, and is told why.
    elsewhere = _elsewhere_labels(session, op.id, sorted(waiting))
    updates: list[tuple[ManifestEntry, dict[str, Any]]] = []
    gone: list[ManifestEntry] = []  # waiting entries whose person's own entry takes a seat
    for nid, label in sorted(elsewhere.items()):
        updates.append(
            (
                waiting.pop(nid),
                {
                    "trip_id": None,
                    "seat": None,
                    "status": _S.WAITLISTED.value,
                    "position": None,
                    "reason": _dump_reason(Reason("waitlisted.elsewhere", {"trip": label})),
                },
            )
        )
    ids = sorted(waiting)
    people = _people(session, ids, today)
    found = memberships_of(session, ids)
    groups = _groups(session, ids, found)
    families = {
        m.national_id: m.household_id
        for m in reversed(found)  # the first family of each, kept last
        if m.kind == HouseholdKind.FAMILY.value
    }
    where = _where_tonight(session, [nid for nid in ids if nid in people], people, today)
    cities = {place_key(city): city for city in where.values()}
    asked = _asked_at(session, [nid for nid in ids if nid in people], waiting)
    candidates = [
        Candidate(
            id=nid,
            name_key=f"{people[nid].name_lat or people[nid].name}".casefold(),
            group_id=groups.get(nid),
            flags=people[nid].vulnerabilities,
            passport_expired=people[nid].passport_expired(today),
            consent=people[nid].consent_date is not None,
            city=place_key(where.get(nid)),
            asked=asked.get(nid, ""),
            family_id=families.get(nid),  # a split keeps a child with an adult of theirs
        )
        for nid in ids
        if nid in people
    ]
    result = allocate(candidates, slots, policy)
    free_seats = {
        t.id: iter(_first_free_seats(taken[t.id], t.capacity))
        for t in trips
        if t.mode != TripMode.FLIGHT.value
    }
    # A no-show or offloaded passenger of an open trip has an entry on it still (a trip holds
    # one entry a person): seated on that trip again, that entry takes the seat and the
    # waiting one goes.
    returning = {
        (e.trip_id, e.national_id): e
        for e in session.exec(
            select(ManifestEntry).where(
                col(ManifestEntry.trip_id).in_(list(labels)),
                col(ManifestEntry.status).in_([_S.NO_SHOW.value, _S.OFFLOADED.value]),
                _live(ManifestEntry),
            )
        ).all()
    }
    for nid, trip_id in sorted(
        result.placements.items(),
        # Queue order, then the group's own order (adults before their children).
        key=lambda item: (
            result.explanations[item[0]].params.get("rank", 0),
            result.group_members[item[0]].index(item[0]),
        ),
    ):
        e = waiting[nid]
        if (back := returning.get((trip_id, nid))) is not None and back.id != e.id:
            gone.append(e)
            e = back
        reason = result.explanations[nid]
        if "city" in reason.params:  # the city as the officer writes it
            city = str(reason.params["city"])
            reason = replace(reason, params={**reason.params, "city": cities.get(city, city)})
        seats = free_seats.get(trip_id)
        updates.append(
            (
                e,
                {
                    "trip_id": trip_id,
                    "status": _S.ALLOCATED.value,
                    "seat": next(seats, None) if seats is not None else None,
                    "reason": _dump_reason(reason),
                    "priority_class": result.classes[nid],
                    "position": None,
                },
            )
        )
    for nid in result.waitlist:
        reason = result.explanations[nid]
        updates.append(
            (
                waiting[nid],
                {
                    "trip_id": None,
                    "seat": None,
                    "status": _S.WAITLISTED.value,
                    "reason": _still_waiting_reason(waiting[nid].reason, reason),
                    "priority_class": result.classes[nid],
                    "position": int(reason.params["position"]),
                },
            )
        )
    summary = AllocationSummary(
        placed=len(result.placements),
        waitlisted=len(result.waitlist),
        flagged=len(result.flags),
        trips_used=len(set(result.placements.values())),
        returned=len(reseat),
        elsewhere=len(elsewhere),
    )
    return updates, gone, summary


# -- moving people by hand -----------------------------------------------------------------


def move_passenger(desk: Desk, entry_id: str, trip_id: str | None) -> Written[int]:
    """Move a person (and, unless the operation allows splitting, their group) to another
    trip of the same leg, or back to the pool (``trip_id=None``).

    Boarded group members stay where they are; the others move together.

    Returns:
        How many people moved.

    Raises:
        NotFound: no such live entry or trip.
        ServiceError: ``boarding.status`` (the person is not waiting or seated),
            ``move.other_leg`` (the trip belongs to another leg or operation), ``move.closed``
            (param ``trip``: the trip has left or was cancelled), ``allocation.capacity``
            (params ``trip``, ``needed``, ``free_seats``).
    """
    today = desk.today()
    with desk.write() as tx:
        session = tx.session
        entry = _live_entry(session, entry_id)
        if entry.status not in (_S.WAITLISTED.value, _S.ALLOCATED.value):
            raise ServiceError("boarding.status", "status", status=entry.status)
        op = live_operation(session, entry.operation_id)
        active = _active_on_leg(session, op.id, entry.leg_no)
        movers = [entry]
        if not op.allow_split_groups:
            groups = _groups(session, sorted(active))
            gid = groups.get(entry.national_id)
            if gid is not None:
                movers = [
                    e
                    for nid, e in sorted(active.items())
                    if groups.get(nid) == gid and e.status != _S.BOARDED.value
                ]
        people = _people(session, [e.national_id for e in movers], today)
        cls_policy = _policy(op)
        moving = [e for e in movers if e.trip_id != trip_id]
        if trip_id is None:
            waiting_now = sum(1 for e in active.values() if e.status == _S.WAITLISTED.value)
            for e in moving:
                waiting_now += 1
                tx.update(
                    e,
                    {
                        "trip_id": None,
                        "seat": None,
                        "status": _S.WAITLISTED.value,
                        "position": waiting_now,
                        "reason": _dump_reason(
                            Reason("waitlisted.manual", {"group_size": len(movers)})
                        ),
                    },
                )
            _off_later_legs(tx, op.id, entry.leg_no, [e.national_id for e in moving])
            return Written(len(moving), tx.changes)
        trip = live_trip(session, trip_id)
        label = _label(trip)
        if trip.operation_id != op.id or trip.leg_no != entry.leg_no:
            raise ServiceError("move.other_leg", "trip_id", trip=label)
        if TripStatus(trip.status) not in OPEN_TRIPS:
            raise ServiceError("move.closed", "trip_id", trip=label, status=trip.status)
        elsewhere = _elsewhere_labels(session, op.id, [e.national_id for e in moving])
        if elsewhere:
            nid, other = sorted(elsewhere.items())[0]
            person = people.get(nid)
            raise ServiceError(
                "move.seated_elsewhere",
                "trip_id",
                person=person.name if person else nid,
                trip=other,
            )
        on_trip = [e for e in active.values() if e.trip_id == trip.id and e.status in _SEATED]
        free = trip.capacity - len(on_trip)
        if len(moving) > free:
            raise ServiceError(
                "allocation.capacity", "trip_id", trip=label, needed=len(moving), free_seats=free
            )
        seats = (
            iter(_first_free_seats((e.seat for e in on_trip), trip.capacity))
            if trip.mode != TripMode.FLIGHT.value
            else None
        )
        # Someone once a no-show or offloaded on this trip has an entry on it still: it takes
        # the seat again, and the one that moves goes (a trip holds one entry a person).
        returning = {
            r.national_id: r
            for r in _trip_entries(session, trip.id)
            if r.status in (_S.NO_SHOW.value, _S.OFFLOADED.value)
        }
        for e in moving:
            previous = e.trip_id
            if (back := returning.get(e.national_id)) is not None:
                tx.delete(e)
                e = back
            person = people.get(e.national_id)
            cls = priority_class(person.vulnerabilities if person else (), cls_policy)
            params: dict[str, Any] = {
                "class": cls,
                "trip": trip.id,
                "group_size": len(moving),
                "previous": previous or "waitlist",
                "free_seats": free - len(moving),
            }
            tx.update(
                e,
                {
                    "trip_id": trip.id,
                    "seat": next(seats, None) if seats is not None else None,
                    "status": _S.ALLOCATED.value,
                    "position": None,
                    "priority_class": cls,
                    "reason": _dump_reason(Reason("allocated.manual", params)),
                },
            )
    return Written(len(moving), tx.changes)


# -- boarding ------------------------------------------------------------------------------

_BOARDING_MOVES: dict[ManifestStatus, frozenset[ManifestStatus]] = {
    _S.ALLOCATED: frozenset({_S.BOARDED, _S.NO_SHOW}),
    _S.BOARDED: frozenset({_S.ALLOCATED, _S.OFFLOADED, _S.NO_SHOW}),
    _S.NO_SHOW: frozenset({_S.BOARDED, _S.ALLOCATED}),
    _S.OFFLOADED: frozenset({_S.BOARDED, _S.ALLOCATED}),
    _S.WAITLISTED: frozenset(),
}


def _board(tx: Tx, entry: ManifestEntry, new: ManifestStatus) -> None:
    """Change a passenger's boarding status on their trip (inside a transaction)."""
    current = ManifestStatus(entry.status)
    if new == current:
        return
    if new not in _BOARDING_MOVES[current]:
        raise ServiceError("boarding.transition", "status", current=current.value, new=new.value)
    trip = live_trip(tx.session, entry.trip_id or "")
    label = _label(trip)
    if TripStatus(trip.status) not in OPEN_TRIPS and new != _S.OFFLOADED:
        raise ServiceError("boarding.trip_closed", "trip", trip=label, status=trip.status)
    if current in (_S.NO_SHOW, _S.OFFLOADED):
        # Back on this trip: the seat they waited for elsewhere is given up, if not boarded.
        other = _active_on_leg(tx.session, entry.operation_id, entry.leg_no).get(entry.national_id)
        if other is not None:
            if other.status == _S.BOARDED.value:
                other_trip = live_trip(tx.session, other.trip_id or "")
                raise ServiceError(
                    "boarding.boarded_elsewhere",
                    "trip",
                    trip=_label(other_trip),
                )
            tx.delete(other)
        seated = _trip_row_now(tx.session, trip).seated
        if seated >= trip.capacity:
            raise ServiceError("allocation.capacity", "trip_id", trip=label, needed=1, free_seats=0)
    values: dict[str, Any] = {"status": new.value}
    if current in (_S.NO_SHOW, _S.OFFLOADED) and entry.seat:
        # Their seat may have been given to someone else meanwhile: never two on one seat.
        held = {
            e.seat
            for e in _trip_entries(tx.session, trip.id)
            if e.id != entry.id and e.status in _SEATED and e.seat
        }
        if entry.seat in held:
            values["seat"] = next(iter(_first_free_seats(held, trip.capacity)), None)
    values["boarded_at"] = tx.now if new == _S.BOARDED else None
    tx.update(entry, values)
    if new in (_S.NO_SHOW, _S.OFFLOADED):
        _requeue(tx, [entry], new.value, label)
    if new == _S.BOARDED and trip.status == TripStatus.PLANNED.value:
        tx.update(trip, {"status": TripStatus.BOARDING.value})
        _under_way(tx, trip.operation_id)


def set_boarding(desk: Desk, entry_id: str, status: ManifestStatus) -> Written[PassengerRow]:
    """Mark a passenger boarded, a no-show or offloaded, or undo it (back to ``allocated``).

    A no-show or offloaded passenger also goes back to the leg's pool. Boarding someone marked
    a no-show (they came late) gives up the seat they were waiting for elsewhere. The first
    boarding opens the trip's boarding.

    Raises:
        NotFound: no such live entry.
        ServiceError: ``boarding.transition`` (params ``current``, ``new``),
            ``boarding.trip_closed`` (the trip has left), ``boarding.boarded_elsewhere``,
            ``allocation.capacity`` (the seat was given away meanwhile).
    """
    with desk.write() as tx:
        entry = _live_entry(tx.session, entry_id)
        _board(tx, entry, ManifestStatus(status))
        tx.session.flush()
        row = _passenger_rows(tx.session, [entry], desk.today())[0]
    return Written(row, tx.changes)


def scan(desk: Desk, trip_id: str, code: str) -> ScanResult:
    """Check a passenger in from a scanned slip or a typed seat or passport number.

    A scanned manifest page of another trip asks the caller to open that trip. Scanning
    someone already boarded changes nothing.

    Raises:
        NotFound: no such live trip.
    """
    parsed = parse_scan(code)
    today = desk.today()
    with desk.write() as tx:
        session = tx.session
        trip = live_trip(session, trip_id)
        if parsed.kind == ScanKind.MANIFEST:
            other = session.get(Trip, parsed.value)
            if other is None or other.deleted_at is not None:
                return ScanResult("unknown")
            if other.id == trip.id:
                return ScanResult("this_manifest", trip_id=trip.id)
            return ScanResult("open_manifest", trip_id=other.id, trip_label=_label(other))
        entry = _find_scanned(session, trip, parsed.kind, parsed.value)
        if entry is None:
            known = _known_passport(session, parsed.kind, parsed.value)
            if known is not None:
                return ScanResult("not_on_trip", person=_people(session, [known], today)[known])
            if parsed.kind == ScanKind.SEAT:  # typed: said as what it was, not as a code
                return ScanResult("no_seat", printed_seat=parsed.value)
            if parsed.kind == ScanKind.PASSPORT:
                return ScanResult("no_passport", printed_seat=parsed.value)
            return ScanResult("unknown")
        # A slip printed for another trip or seat than its holder's now: it was replaced.
        replaced = (
            entry.status in _ACTIVE and parsed.printed_for(entry.trip_id, entry.seat) is False
        )
        if replaced and entry.operation_id == trip.operation_id and entry.trip_id != trip.id:
            row = _passenger_rows(session, [entry], today)[0]
            printed = parsed.slip_seat
            if entry.trip_id is None:
                return ScanResult("replaced_waitlisted", row, printed_seat=printed)
            other = live_trip(session, entry.trip_id)
            return ScanResult(
                "replaced_other_trip", row, other.id, _label(other), printed_seat=printed
            )
        if entry.trip_id != trip.id or entry.status == _S.WAITLISTED.value:
            # Their current place on this leg, if any, tells the officer where they belong.
            active = _active_on_leg(session, entry.operation_id, entry.leg_no).get(
                entry.national_id
            )
            row = _passenger_rows(session, [active or entry], today)[0]
            if active is None or entry.operation_id != trip.operation_id:
                return ScanResult("not_on_trip", row)
            if active.trip_id is None:
                return ScanResult("waitlisted", row)
            if active.trip_id != trip.id:
                other = live_trip(session, active.trip_id)
                return ScanResult("other_trip", row, other.id, _label(other))
            entry = active
        if TripStatus(trip.status) not in OPEN_TRIPS:
            return ScanResult("trip_closed", _passenger_rows(session, [entry], today)[0])
        if entry.status == _S.BOARDED.value:
            return ScanResult("already_boarded", _passenger_rows(session, [entry], today)[0])
        _board(tx, entry, _S.BOARDED)
        session.flush()
        row = _passenger_rows(session, [entry], today)[0]
    if replaced:
        return ScanResult(
            "replaced_boarded", row, trip.id, changes=tx.changes, printed_seat=parsed.slip_seat
        )
    return ScanResult("boarded", row, trip.id, changes=tx.changes)


def _known_passport(session: Session, kind: ScanKind, value: str) -> str | None:
    if kind != ScanKind.PASSPORT:
        return None
    n = session.exec(
        select(National).where(col(National.passport_no) == value, _live(National))
    ).first()
    return n.id if n is not None else None


def _find_scanned(session: Session, trip: Trip, kind: ScanKind, value: str) -> ManifestEntry | None:
    if kind == ScanKind.SLIP:
        entry = session.get(ManifestEntry, value)
        return entry if entry is not None and entry.deleted_at is None else None
    on_trip = _trip_entries(session, trip.id)
    if kind == ScanKind.SEAT:
        return next((e for e in on_trip if e.seat == value and e.status in _SEATED), None)
    if kind == ScanKind.PASSPORT:
        n = session.exec(
            select(National).where(col(National.passport_no) == value, _live(National))
        ).first()
        if n is None:
            return None
        mine = [e for e in on_trip if e.national_id == n.id]
        if mine:
            return max(mine, key=lambda e: e.status in _SEATED)
        return session.exec(
            select(ManifestEntry).where(
                col(ManifestEntry.operation_id) == trip.operation_id,
                col(ManifestEntry.leg_no) == trip.leg_no,
                col(ManifestEntry.national_id) == n.id,
                col(ManifestEntry.status).in_(_ACTIVE),
                _live(ManifestEntry),
            )
        ).first()
    return None


# -- reading passengers --------------------------------------------------------------------


def _problems(person: NationalRow, today: date) -> tuple[str, ...]:
    p = person
    return _problems_of(p.passport_no, p.passport_expiry, p.surname_lat, p.consent_date, today)


def _problems_of(
    passport_no: str | None,
    passport_expiry: date | None,
    surname_lat: str | None,
    consent_date: date | None,
    today: date,
) -> tuple[str, ...]:
    """What the border may stop a passenger for, from the four values it depends on."""
    found = []
    if not passport_no:
        found.append("no_passport")
    else:
        if passport_expiry is not None and passport_expiry < today:
            found.append("passport_expired")
        if not surname_lat:
            # The border reads the name as printed in the passport: a blank there is a stop.
            found.append("no_passport_name")
    if consent_date is None:
        found.append("no_consent")
    return tuple(found)


def _name_key(person: NationalRow) -> str:
    return sort_key(
        person.surname_cyr or person.surname_lat, person.given_names_cyr or person.given_names_lat
    )


def _seat_key(seat: str | None) -> tuple[int, int, str]:
    if not seat:
        return (1, 0, "")
    digits = "".join(ch for ch in seat if ch.isdigit())
    return (0, int(digits) if digits else 0, seat)


def _passenger_rows(
    session: Session, entries: Sequence[ManifestEntry], today: date
) -> list[PassengerRow]:
    if not entries:
        return []
    ids = sorted({e.national_id for e in entries})
    people = _people(session, ids, today)
    trip_ids = sorted({e.trip_id for e in entries if e.trip_id})
    reason_trips: set[str] = set()
    decoded = {}
    for e in entries:
        code, params = _load_reason(e.reason)
        decoded[e.id] = (code, params)
        for key in ("trip", "previous"):
            value = params.get(key)
            if isinstance(value, str) and len(value) == 36:
                reason_trips.add(value)
    trips = session.exec(
        select(Trip).where(col(Trip.id).in_(sorted(reason_trips | set(trip_ids))))
    ).all()
    labels = {t.id: _label(t) for t in trips}
    # A passenger's papers and age count on the day their vehicle leaves (as the manifest
    # prints them): a passport valid today but not then stops them at the border.
    on = {t.id: _day_of_travel(t.departure_at, today) for t in trips}
    households: dict[str, tuple[str, str]] = {}
    for m in memberships_of(session, ids):
        households.setdefault(m.national_id, (m.household_id, m.name))
    alone = _minors_alone(
        session,
        [
            (e.national_id, e.trip_id, people[e.national_id].birth_date)
            for e in entries
            if e.trip_id and e.status in _SEATED and e.national_id in people
        ],
        on,
    )
    rows = []
    for e in entries:
        person = people.get(e.national_id)
        if person is None:  # deleted since; its entry is history only
            continue
        code, params = decoded[e.id]
        for key in ("trip", "previous"):
            if params.get(key) in labels:
                params[key] = labels[params[key]]
        hid, hname = households.get(e.national_id, (None, None))
        rows.append(
            PassengerRow(
                entry_id=e.id,
                operation_id=e.operation_id,
                leg_no=e.leg_no,
                trip_id=e.trip_id,
                status=e.status,
                seat=e.seat,
                position=e.position,
                priority_class=e.priority_class,
                reason_code=code,
                reason_params=params,
                boarded_at=_utc(e.boarded_at),
                person=person,
                household_id=hid,
                household_name=hname,
                problems=_problems(person, on.get(e.trip_id or "", today))
                + (("minor_alone",) if (e.national_id, e.trip_id) in alone else ()),
                version=e.version,
            )
        )
    return rows


def _with_group_sizes(session: Session, rows: list[PassengerRow]) -> list[PassengerRow]:
    """Fill ``travels_with``: the person's group among the movable people of their leg."""
    if not rows:
        return rows
    op = live_operation(session, rows[0].operation_id)
    if op.allow_split_groups:
        return rows
    active = _active_on_leg(session, op.id, rows[0].leg_no)
    movable = sorted(nid for nid, e in active.items() if e.status != _S.BOARDED.value)
    groups = _groups(session, movable)
    sizes: dict[str, int] = defaultdict(int)
    for gid in groups.values():
        sizes[gid] += 1
    return [
        replace(r, travels_with=sizes[groups[r.person.id]])
        if r.person.id in groups
        and active.get(r.person.id) is not None
        and active[r.person.id].id == r.entry_id
        else r
        for r in rows
    ]


def passengers(desk: Desk, trip_id: str, *, include_history: bool = True) -> list[PassengerRow]:
    """Everyone on a trip in seat order: seated, boarded and (with history) no-shows and
    offloaded passengers.

    Raises:
        NotFound: no such live trip.
    """
    with desk.casefile.read() as session:
        live_trip(session, trip_id)
        entries = _trip_entries(session, trip_id)
        if not include_history:
            entries = [e for e in entries if e.status in _SEATED]
        rows = _with_group_sizes(session, _passenger_rows(session, entries, desk.today()))
    return sorted(rows, key=lambda r: (_seat_key(r.seat), _name_key(r.person), r.entry_id))


def pool(desk: Desk, operation_id: str, leg_no: int) -> list[PassengerRow]:
    """The people waiting for a seat on a leg, in waitlist order (new arrivals last).

    Raises:
        NotFound: no such live operation.
    """
    with desk.casefile.read() as session:
        live_operation(session, operation_id)
        entries = [
            e
            for e in _active_on_leg(session, operation_id, leg_no).values()
            if e.status == _S.WAITLISTED.value
        ]
        rows = _with_group_sizes(session, _passenger_rows(session, entries, desk.today()))
    return sorted(
        rows,
        key=lambda r: (r.position is None, r.position or 0, _name_key(r.person), r.entry_id),
    )


# -- documents -----------------------------------------------------------------------------


def _post_name(desk: Desk) -> str:
    post = desk.casefile.local_post()
    return post.name if post is not None else ""


def _trip_context(session: Session, trip: Trip) -> tuple[EvacuationOperation, str]:
    op = live_operation(session, trip.operation_id)
    return op, _label(trip)


def manifest_data(desk: Desk, trip_id: str) -> ManifestData:
    """What the printed manifest of a trip shows: its seated and boarded passengers.

    Raises:
        NotFound: no such live trip.
    """
    today = desk.today()
    post_name = _post_name(desk)
    with desk.casefile.read() as session:
        trip = live_trip(session, trip_id)
        op, _label = _trip_context(session, trip)
        rows = _passenger_rows(
            session, [e for e in _trip_entries(session, trip.id) if e.status in _SEATED], today
        )
        rows.sort(key=lambda r: (_seat_key(r.seat), _name_key(r.person), r.entry_id))
        # Ages and papers on the day of departure, as the rows' problems are judged.
        leaving = _day_of_travel(trip.departure_at, today)
        passengers_ = [
            ManifestPassenger(
                number=i,
                surname_lat=r.person.surname_lat or "",
                given_names_lat=r.person.given_names_lat or "",
                name_cyr=r.person.name_cyr,
                sex=r.person.sex or "",
                birth_date=r.person.birth_date,
                passport_no=r.person.passport_no or "",
                passport_expiry=r.person.passport_expiry,
                nationality=r.person.nationality,
                seat=r.seat or "",
                minor=is_minor(r.person.birth_date, leaving),
                over_60=r.person.birth_date is not None
                and age_on(r.person.birth_date, leaving) >= SENIOR_AGE,
                medical=Vulnerability.MEDICAL in r.person.vulnerabilities,
                mobility=Vulnerability.MOBILITY in r.person.vulnerabilities,
                boarded=r.status == _S.BOARDED.value,
                problems=r.problems,
            )
            for i, r in enumerate(rows, start=1)
        ]
        return ManifestData(
            post_name=post_name,
            operation=op.name,
            leg_no=trip.leg_no,
            mode=trip.mode,  # a code: documents print it in their languages
            origin=trip.origin,
            destination=trip.destination,
            border_crossing=trip.border_crossing or "",
            departure=_local(trip.departure_at),
            vehicle=trip.vehicle or "",
            carrier=trip.carrier or "",
            escort_officer=trip.escort_officer or "",
            manifest_id=trip.id,
            passengers=passengers_,
        )


def print_manifest(
    desk: Desk, trip_id: str, out_path: Path, *, second_language: str = "ru"
) -> Path:
    """Write the trip's manifest as a PDF (atomically: a failed write keeps the old file).

    Raises:
        NotFound: no such live trip.
        ServiceError: ``file.write`` (params ``path``, ``reason``) when the file cannot be
            written (missing folder, full disk, no permission).
    """
    data = manifest_data(desk, trip_id)
    written = written_to(
        Path(out_path),
        lambda: render_manifest(data, Path(out_path), second_language=second_language),  # type: ignore[arg-type]
    )
    _record_printed(desk, trip_id, printed_docs.MANIFEST, None, Path(out_path))
    return written


def _record_printed(
    desk: Desk, trip_id: str, document: str, entry_ids: Sequence[str] | None, path: Path
) -> None:
    """Write down what was just printed, and into which file (see
    :mod:`consuldesk.services.printed`)."""
    facts = file_facts(path)
    # Any role prints (a viewer hands out manifests at the border): the record of it is not a
    # change the role must allow. A file that takes no writes (read-only, damaged) still
    # prints: the paper is what the border needs; it goes unrecorded.
    try:
        desk.casefile.check_pages()
        _write_printed(desk, trip_id, document, entry_ids, facts)
    except CaseFileError as exc:
        if exc.code not in CANNOT_RECORD:
            discard(path)  # (locked: said, tried again; no file the trail does not know)
            raise


def _write_printed(
    desk: Desk,
    trip_id: str,
    document: str,
    entry_ids: Sequence[str] | None,
    facts: dict[str, Any],
) -> None:
    with desk.casefile.write(desk.officer) as tx:
        trip = live_trip(tx.session, trip_id)
        listed = [e for e in _trip_entries(tx.session, trip.id) if e.status in _SEATED]
        if document == printed_docs.MANIFEST:
            printed_docs.record_manifest(tx, trip, listed, facts)
        else:
            wanted = set(entry_ids) if entry_ids is not None else None
            printed_docs.record_slips(
                tx, trip, [e for e in listed if wanted is None or e.id in wanted], facts
            )


#: Columns of a manifest CSV, for carriers and border services (English headings).
MANIFEST_CSV_COLUMNS = (
    "No", "Surname", "Given names", "Name (Cyrillic)", "Sex", "Date of birth", "Passport",
    "Passport expiry", "Nationality", "Seat", "Minor", "60+", "Medical", "Help moving",
    "Unaccompanied minor", "To check before the border", "Status",
)  # fmt: skip


# Statuses in the CSV as a carrier reads them (not the stored values).
_CSV_STATUS = {_S.ALLOCATED.value: "seated", _S.BOARDED.value: "boarded"}


def export_manifest_csv(desk: Desk, trip_id: str, out_path: Path) -> Path:
    """Write the trip's manifest as CSV, like every list ConsulDesk exports: UTF-8 with a
    byte-order mark and semicolons (Excel in Kazakh or Russian reads both right), dates as
    dd.mm.yyyy; one row per seated or boarded passenger, in seat order. Written atomically.

    Raises:
        NotFound: no such live trip.
        ServiceError: ``file.write`` (params ``path``, ``reason``).
    """
    data = manifest_data(desk, trip_id)
    rows_by_seat = passengers(desk, trip_id, include_history=False)  # the manifest's order
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(MANIFEST_CSV_COLUMNS)
    for p, r in zip(data.passengers, rows_by_seat, strict=True):
        writer.writerow(
            [
                p.number,
                p.surname_lat,
                p.given_names_lat,
                p.name_cyr,
                p.sex,
                f"{p.birth_date:%d.%m.%Y}" if p.birth_date else "",
                p.passport_no,
                f"{p.passport_expiry:%d.%m.%Y}" if p.passport_expiry else "",
                p.nationality,
                p.seat,
                "Y" if p.minor else "",
                "Y" if p.over_60 else "",
                "Y" if p.medical else "",
                "Y" if p.mobility else "",
                "Y" if "minor_alone" in p.problems else "",
                # as the manifest prints them, in English (a carrier's language)
                "; ".join(PROBLEM_WORDS[code]["en"] for code in PROBLEMS if code in p.problems),
                _CSV_STATUS.get(r.status, r.status),
            ]
        )

    def write() -> Path:
        with atomic_text_file(Path(out_path), encoding="utf-8-sig") as fh:
            fh.write(buffer.getvalue())
        return Path(out_path)

    written = written_to(Path(out_path), write)
    record_file(
        desk,
        "trip",
        audited.EXPORT,
        written,
        record_id=trip_id,
        document="manifest_csv",
        records=len(data.passengers),
    )
    return written


def print_boarding_slips(
    desk: Desk,
    trip_id: str,
    out_path: Path,
    *,
    second_language: str = "ru",
    entry_ids: Sequence[str] | None = None,
) -> Path:
    """Write boarding slips (eight per A4 page) for the trip's seated passengers, or for
    ``entry_ids`` only. Each slip's QR code carries only the entry's id.

    Raises:
        NotFound: no such live trip.
        ServiceError: ``slips.empty`` (nobody seated to print for), ``file.write``.
    """
    data = manifest_data(desk, trip_id)
    rows = passengers(desk, trip_id, include_history=False)  # the manifest's order
    wanted = set(entry_ids) if entry_ids is not None else None
    slips = [
        BoardingSlip(
            entry_id=r.entry_id,
            surname_lat=p.surname_lat,
            given_names_lat=p.given_names_lat,
            name_cyr=p.name_cyr,
            passport_no=p.passport_no,
            seat=p.seat,
            household=r.household_name or "",
            minor=p.minor,
            over_60=p.over_60,
            medical=p.medical,
            mobility=p.mobility,
            problems=p.problems,
        )
        for p, r in zip(data.passengers, rows, strict=True)
        if wanted is None or r.entry_id in wanted
    ]
    if not slips:
        raise ServiceError("slips.empty", "trip")
    trip = SlipTrip(
        post_name=data.post_name,
        operation=data.operation,
        leg_no=data.leg_no,
        mode=data.mode,
        origin=data.origin,
        destination=data.destination,
        border_crossing=data.border_crossing,
        departure=data.departure,
        vehicle=data.vehicle,
        carrier=data.carrier,
        escort_officer=data.escort_officer,
        trip_id=trip_id,
    )
    written = written_to(
        Path(out_path),
        lambda: render_boarding_slips(
            trip,
            slips,
            Path(out_path),
            second_language=second_language,  # type: ignore[arg-type]
        ),
    )
    _record_printed(desk, trip_id, printed_docs.SLIP, [s.entry_id for s in slips], Path(out_path))
    return written
