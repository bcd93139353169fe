"""Frozen rows of the household, request, hotel and situation use cases.

Like :mod:`consuldesk.services.rows`, these are plain values handed to windows, the CLI and
reports: never ORM objects (they expire when the session ends).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from consuldesk.domain.enums import Vulnerability
from consuldesk.services.rows import NationalRow
from consuldesk.store.db import ChangeSet

T = TypeVar("T")


@dataclass(frozen=True)
class Written(Generic[T]):
    """The result of a write: the stored row(s) as they are now, and what changed."""

    row: T
    changes: ChangeSet


# -- households ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """One member of a household."""

    national: NationalRow
    relation: str | None
    is_head: bool


@dataclass(frozen=True)
class HouseholdRow:
    """A household with its members (head first, then by name).

    ``vulnerabilities`` counts the members having each flag; flags nobody has are left out.
    """

    id: str
    name: str
    kind: str
    head_id: str | None
    tour_operator: str | None
    notes: str | None
    members: tuple[MemberRow, ...]
    vulnerabilities: dict[Vulnerability, int]
    updated_at: datetime
    version: str

    @property
    def head(self) -> MemberRow | None:
        """The head's membership, when a head is set."""
        return next((m for m in self.members if m.is_head), None)

    @property
    def member_ids(self) -> tuple[str, ...]:
        """Ids of the members' nationals."""
        return tuple(m.national.id for m in self.members)


@dataclass(frozen=True)
class HouseholdListRow:
    """A household as the household list shows it (no member details); ``city`` is where most
    of its members are."""

    id: str
    name: str
    kind: str
    head_id: str | None
    head_name: str | None
    tour_operator: str | None
    member_count: int
    city: str | None = None


# -- requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One entry of a request's timeline.

    For ``status`` entries ``text`` is ``"<old> → <new>"`` (status values), then the officer's
    note on the next line when one was given; ``assignment`` entries read ``"<old> → <new>"``
    with ``—`` for nobody.
    """

    id: str
    at: datetime
    kind: str
    author: str | None
    text: str


@dataclass(frozen=True)
class RequestRow:
    """An assistance request. ``timeline`` is filled by ``get_request`` only (oldest first)."""

    id: str
    kind: str
    priority: str
    status: str
    summary: str
    details: str | None
    national_id: str | None
    national_name: str | None
    household_id: str | None
    household_name: str | None
    assignee: str | None
    due_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    overdue: bool
    timeline: tuple[TimelineRow, ...] = ()


# -- hotels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotelRow:
    """A hotel the post books; ``nightly_rate_minor`` is per ``rate_basis`` (a
    :class:`~consuldesk.domain.enums.RateBasis` value: person or room) and night."""

    id: str
    name: str
    city: str | None
    address: str | None
    phone: str | None
    rooms: int
    beds: int
    nightly_rate_minor: int
    currency: str
    tour_operator: str | None
    notes: str | None
    updated_at: datetime
    version: str
    rate_basis: str = "person"
    country: str | None = None

    @property
    def label(self) -> str:
        """The hotel as lists and questions name it: ``Almaz Inn, Dubai``."""
        return f"{self.name}, {self.city}" if self.city else self.name


@dataclass(frozen=True)
class PlacementRow:
    """A national's stay in a hotel.

    ``nights`` runs from check-in to check-out, or to today while the stay is open-ended; a
    cancelled placement has no nights. ``nights_so_far`` stops at today. Charged per person,
    ``cost_minor`` is ``nights × nightly_cost_minor`` in ``currency``. Charged per room, the
    stays of one room (``room_group``, ``room_share`` of them) are charged once a night while
    any of them stays: the whole room's cost is on one of them (``charged_here``), the others
    show 0. ``running``: checked in or booked, and the stay includes tonight or is open.
    """

    id: str
    national_id: str
    person_name: str
    hotel_id: str
    hotel_name: str
    room: str | None
    check_in: date
    check_out: date | None
    status: str
    paid_by: str
    nightly_cost_minor: int
    currency: str
    nights: int
    cost_minor: int
    rate_basis: str = "person"
    room_group: str | None = None
    room_share: int = 1
    charged_here: bool = True
    nights_so_far: int = 0
    cost_so_far_minor: int = 0
    running: bool = False


@dataclass(frozen=True)
class HotelOccupancyRow:
    """Beds of a hotel taken on one night. ``free`` is never negative: see ``overbooked``."""

    hotel: HotelRow
    beds: int
    occupied: int
    free: int

    @property
    def overbooked(self) -> int:
        """Guests beyond the beds (0 when within capacity)."""
        return max(0, self.occupied - self.beds)


@dataclass(frozen=True)
class CostRow:
    """A cost total for one group (a hotel, a tour operator or a payer) in one currency.

    ``key`` is the hotel id, the tour operator's name (``None``: no operator) or the payer
    (a :class:`~consuldesk.domain.enums.PaidBy` value); ``label`` is what to show.
    ``nights`` are guest nights; a room charged per room counts once in ``amount_minor``.
    ``open_stays`` of the ``placements`` are still running (open-ended, or going on past the
    report's day): their share of ``amount_minor``, ``open_amount_minor``, is the cost so far.
    """

    key: str | None
    label: str
    currency: str
    placements: int
    nights: int
    amount_minor: int
    open_stays: int = 0
    open_amount_minor: int = 0


@dataclass(frozen=True)
class HouseholdChoice:
    """A household as the placement dialog offers it: enough to tell two alike apart.

    ``city`` is the head's city, else the most common city of the members; ``head_birth``
    is the head's birth date.
    """

    id: str
    name: str
    kind: str
    head_name: str | None
    head_birth: date | None
    city: str | None
    size: int
    tour_operator: str | None


@dataclass(frozen=True)
class PlacementProblem:
    """Why a placement as asked would be refused (``code``, ``field``, ``params`` as in
    :class:`~consuldesk.services.errors.ServiceError`)."""

    code: str
    field: str | None
    params: dict[str, Any]


@dataclass(frozen=True)
class PlacementCheck:
    """What placing these people on these terms would do, checked before it is done.

    ``problems`` empty: it can be done. ``nights`` is ``None`` for an open-ended stay;
    ``estimate_minor`` is then the cost of one night. ``full`` is True when the only problem
    is a full hotel (an officer may overbook).
    """

    people: int
    problems: tuple[PlacementProblem, ...]
    nights: int | None
    estimate_minor: int
    currency: str
    rate_basis: str
    nightly_rate_minor: int
    #: People recorded in another country than the hotel's, with where ("Dammam, SA"): not a
    #: problem (evacuees cross borders), but worth a second look before placing.
    elsewhere: tuple[tuple[str, str], ...] = ()
    #: Charged per room, the room number given is held by guests on those dates: the new
    #: guests join it, and the room is paid once a night while they stay together.
    shared_room: str | None = None

    @property
    def full(self) -> bool:
        """The only problems are a full hotel."""
        return bool(self.problems) and all(p.code == "hotel.full" for p in self.problems)


@dataclass(frozen=True)
class CostReport:
    """Hotel costs up to (not including) the night of ``until``, never mixing currencies."""

    until: date
    by_hotel: tuple[CostRow, ...]
    by_operator: tuple[CostRow, ...]
    by_payer: tuple[CostRow, ...]


# -- situation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """The post's situation on one day, as plain counts (JSON-ready through :meth:`to_dict`).

    Attributes:
        on: the day counted (ages, hotel nights).
        nationals: live nationals.
        evacuated: nationals whose presence is ``evacuated``.
        by_presence: every presence status value → count (zeros included).
        by_country: host country (ISO alpha-2) → count; ``country_unknown`` have none.
        by_city: the most common cities → count, largest first; the rest add up in
            ``city_other``, those without a city in ``city_unknown``.
        by_vulnerability: every vulnerability flag value → count (zeros included).
        vulnerable: nationals with at least one flag.
        open_requests: requests in an open status.
        open_by_kind / open_by_priority: open requests by kind / priority value (zeros
            included).
        overdue_requests: open requests past their due time.
        hotels: live hotels; ``hotel_beds`` their beds, ``hotel_occupied`` beds taken tonight.
        placed_tonight: distinct nationals in a hotel tonight.
        needs_review: nationals with values set aside for an officer to review.
        by_post: live nationals by the post that registered them (headquarters' picture of
            its posts; one post at a post's own case file).
        counted_twice: pairs of records flagged as one person registered at two posts and not
            yet merged: the total counts them twice.
        possible_duplicates: every open pair of records flagged as probably one person (the
            ones at two posts included), to compare and merge or mark as two people.
        post_as_of: for each other post of ``by_post``, when its figures here were taken
            (UTC): its newest bundle applied here was made, or the newest change of its own
            held here if later (relayed by another post); ``None``: nothing from it yet. This
            case file's own post is not in it: its figures are current.
    """

    on: date
    nationals: int
    evacuated: int
    by_presence: dict[str, int]
    by_country: dict[str, int]
    country_unknown: int
    by_city: dict[str, int]
    city_other: int
    city_unknown: int
    by_vulnerability: dict[str, int]
    vulnerable: int
    open_requests: int
    open_by_kind: dict[str, int]
    open_by_priority: dict[str, int]
    overdue_requests: int
    hotels: int
    hotel_beds: int
    hotel_occupied: int
    placed_tonight: int
    needs_review: int = 0
    by_post: dict[str, int] = dataclasses.field(default_factory=dict)
    counted_twice: int = 0
    possible_duplicates: int = 0
    post_as_of: dict[str, datetime | None] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy (the date and times as ISO text)."""
        values = dataclasses.asdict(self)
        values["on"] = self.on.isoformat()
        values["post_as_of"] = {
            post: at.isoformat().replace("+00:00", "Z") if at is not None else None
            for post, at in self.post_as_of.items()
        }
        return values
