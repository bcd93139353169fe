"""Evacuation seat allocation: who goes on which trip, who waits, and why.

Pure rules, no storage. Groups (a household or a tour group) travel together; groups are served
in priority order (the best-placed member's class, then the earliest ``name_key``, then the id) and
each goes whole into the first trip, in departure order, that still has enough seats. Nobody is
dropped: people with an expired passport or without consent are allocated like anyone else and
carry a flag for the officer to resolve.

Every decision comes with a machine-readable :class:`Reason` (a code and parameters) so the UI can
explain, in the officer's language, why one person is on bus 2 and another is waitlisted.

Reason codes and their params:

* ``allocated.priority``: ``class``, ``trip``, ``rank`` (1-based place of the group in the
  priority queue), ``group_size``, ``free_seats`` (left on the trip after the group).
* ``allocated.split``: as ``allocated.priority`` plus ``parts`` (trips the group is spread over).
* ``allocated.manual``: ``class``, ``trip``, ``group_size`` (people moved together),
  ``previous`` (trip id or ``"waitlist"``), ``free_seats``.
* ``waitlisted.capacity``: ``class``, ``rank``, ``position`` (1-based place on the waitlist),
  ``group_size``, ``free_seats`` (largest number of free seats on any one trip at that moment).
* ``waitlisted.group_too_big``: ``class``, ``rank``, ``position``, ``group_size``,
  ``largest_trip`` (seats of the largest vehicle): the group could not fit even an empty one.
* ``flagged.passport_expired``, ``flagged.no_consent``: no params.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from consuldesk.domain.enums import Vulnerability
from consuldesk.domain.errors import ValidationError

OTHERS = "others"

#: Priority classes a policy may name, with the flags that put a person in each.
#: ``others`` matches everybody. ``pregnant`` is not in the default order; a post may add it.
CLASS_FLAGS: Mapping[str, frozenset[Vulnerability]] = {
    "medical_mobility": frozenset({Vulnerability.MEDICAL, Vulnerability.MOBILITY}),
    "pregnant": frozenset({Vulnerability.PREGNANT}),
    "over_60": frozenset({Vulnerability.OVER_60}),
    "women_with_minors": frozenset({Vulnerability.WOMAN_WITH_MINORS}),
    "minors": frozenset({Vulnerability.MINOR}),
    OTHERS: frozenset(),
}

ParamValue = str | int


@dataclass(frozen=True)
class Candidate:
    """A person asking to be evacuated.

    Attributes:
        id: stable person id.
        name_key: normalised name used to order people deterministically.
        group_id: household or tour group that must travel together; ``None`` for a lone person.
        flags: computed vulnerability flags
            (:func:`consuldesk.domain.vulnerability.vulnerabilities`).
        passport_expired: the travel document has expired (allocated, but flagged).
        consent: the person agreed to be evacuated (allocated regardless, but flagged if not).
        city: where the person is (a :func:`~consuldesk.domain.cities.place_key`): a group
            takes a vehicle leaving from its city before one leaving from another; where no
            vehicle leaves from its city (or none is known), it takes its turn by priority.
        asked: when they asked to leave, as sortable text (an ISO time; empty: not known).
            Within a priority class, the group that asked first comes first (then by name):
            the last seats went by the alphabet.
        family_id: the person's family (not a tour group), when a group must be spread over
            several vehicles: a minor travels with an adult of their family where the seats
            allow it.
    """

    id: str
    name_key: str
    group_id: str | None = None
    flags: frozenset[Vulnerability] = frozenset()
    passport_expired: bool = False
    consent: bool = True
    city: str | None = None
    asked: str = ""
    family_id: str | None = None


@dataclass(frozen=True)
class TripSlot:
    """Seats on one trip.

    Attributes:
        id: trip id.
        capacity: seats available for allocation.
        order: departure order; lower leaves first (ties broken by id).
        size: all the vehicle's seats, when some are already taken (``capacity`` is what is
            left); ``None`` means the same as ``capacity``. A group larger than every vehicle's
            size waits as ``waitlisted.group_too_big``; one that merely finds no vehicle with
            enough seats left waits as ``waitlisted.capacity``.
        origin: where it leaves from (a :func:`~consuldesk.domain.cities.place_key`).
    """

    id: str
    capacity: int
    order: int
    size: int | None = None
    origin: str | None = None


@dataclass(frozen=True)
class Policy:
    """How seats are shared out.

    Attributes:
        priority: class names from :data:`CLASS_FLAGS`, most urgent first. A person belongs to the
            first class they match; anyone matching none is ``others`` (last if not listed).
        allow_split_groups: whether a group that fits no single trip may be spread over
            consecutive trips (and partly waitlisted when seats run out).
    """

    priority: tuple[str, ...] = (
        "medical_mobility",
        "pregnant",
        "over_60",
        "women_with_minors",
        "minors",
        OTHERS,
    )
    allow_split_groups: bool = False

    def __post_init__(self) -> None:
        for name in self.priority:
            if name not in CLASS_FLAGS:
                raise ValidationError("allocation.unknown_class", "priority", value=name)
        if len(set(self.priority)) != len(self.priority):
            raise ValidationError("allocation.duplicate_class", "priority")


@dataclass(frozen=True)
class Reason:
    """Why a decision was made: a stable code and the values that make it precise."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    """The outcome of :func:`allocate` (or of a manual :func:`move`).

    Attributes:
        placements: candidate id to trip id.
        waitlist: candidate ids without a seat, in priority order.
        explanations: candidate id to the reason for their placement or waiting.
        flags: candidate id to problems the officer must resolve (only flagged people appear).
        classes: candidate id to the person's own priority class (explanations give the
            group's class, that of its best-placed member).
        group_members: candidate id to the ids of everyone in their group (themselves included).
        allow_split_groups: the policy's split rule, which :func:`move` also follows.
    """

    placements: dict[str, str]
    waitlist: list[str]
    explanations: dict[str, Reason]
    flags: dict[str, list[Reason]]
    classes: dict[str, str]
    group_members: dict[str, tuple[str, ...]]
    allow_split_groups: bool = False


def priority_class(flags: Iterable[Vulnerability], policy: Policy) -> str:
    """The priority class of a person with ``flags``: the first class of the policy they match."""
    flag_set = frozenset(flags)
    for name in policy.priority:
        if name == OTHERS or flag_set & CLASS_FLAGS[name]:
            return name
    return OTHERS


@dataclass
class _Group:
    rank: int
    members: list[Candidate]
    sort_key: tuple[int, str, str, int, str]

    @property
    def city(self) -> str | None:
        """Where most of the group is (ties: the first by name); ``None`` when nobody's
        place is known."""
        counts = Counter(c.city for c in self.members if c.city)
        return min(counts, key=lambda city: (-counts[city], city)) if counts else None


def _sorted_trips(trips: Iterable[TripSlot]) -> list[TripSlot]:
    ordered = sorted(trips, key=lambda t: (t.order, t.id))
    seen: set[str] = set()
    for trip in ordered:
        if trip.id in seen:
            raise ValidationError("allocation.duplicate_trip", "trips", trip=trip.id)
        if trip.capacity < 0:
            raise ValidationError("allocation.negative_capacity", "capacity", trip=trip.id)
        seen.add(trip.id)
    return ordered


_NOT_ASKED = "\uffff"  # sorts after every time: those who asked wait less than the others


def _build_groups(
    candidates: Iterable[Candidate], class_rank: Mapping[str, int], policy: Policy
) -> tuple[list[_Group], dict[str, str]]:
    ordered = sorted(candidates, key=lambda c: c.id)
    classes: dict[str, str] = {}
    by_key: dict[tuple[int, str], list[Candidate]] = {}
    for cand in ordered:
        if cand.id in classes:
            raise ValidationError("allocation.duplicate_candidate", "candidates", candidate=cand.id)
        classes[cand.id] = priority_class(cand.flags, policy)
        key = (0, cand.group_id) if cand.group_id is not None else (1, cand.id)
        by_key.setdefault(key, []).append(cand)
    groups: list[_Group] = []
    for (kind, gid), members in by_key.items():
        members.sort(key=lambda c: (class_rank[classes[c.id]], c.name_key, c.id))
        rank = class_rank[classes[members[0].id]]
        first_name = min(c.name_key for c in members)
        asked = min((c.asked for c in members if c.asked), default=_NOT_ASKED)
        groups.append(_Group(rank, members, (rank, asked, first_name, kind, gid)))
    groups.sort(key=lambda g: g.sort_key)
    return groups, classes


def _split_window(free: list[int], size: int) -> list[tuple[int, int]]:
    """Seats to take per trip for a group spread over the fewest consecutive open trips.

    Returns ``(trip index, seats)`` pairs; if all open seats together are too few, takes them all.
    """
    open_trips = [i for i, f in enumerate(free) if f > 0]
    best: tuple[int, int] | None = None  # (start, end) positions in open_trips, inclusive
    total = 0
    start = 0
    for end, idx in enumerate(open_trips):
        total += free[idx]
        while total - free[open_trips[start]] >= size:
            total -= free[open_trips[start]]
            start += 1
        if total >= size and (best is None or end - start < best[1] - best[0]):
            best = (start, end)
    chosen = open_trips if best is None else open_trips[best[0] : best[1] + 1]
    takes: list[tuple[int, int]] = []
    left = size
    for idx in chosen:
        take = min(free[idx], left)
        takes.append((idx, take))
        left -= take
    return takes


def _share_out(
    members: Sequence[Candidate], rooms: Sequence[int]
) -> tuple[list[list[Candidate]], list[Candidate]]:
    """Spread a group (``members`` in priority order) over vehicles with ``rooms`` free seats
    each; who is left waits, in that order.

    Seated in order, a child could leave on one bus while the parent took the next one, or
    waited: a minor crossing a border alone. So a family with children here is placed as a
    block, in its turn (its first member's place in the priority order): whole in the first
    vehicle it fits; else its adults each take as many of its children as the roomiest
    vehicles allow; whoever is left of it then, and everyone else, one by one in the first
    vehicle with a seat. Every seat that can be filled is filled, and a child is separated
    from every adult of their family only when no vehicle has two seats left.
    """
    order = {c.id: i for i, c in enumerate(members)}

    def minor(c: Candidate) -> bool:
        return Vulnerability.MINOR in c.flags

    families: dict[str, list[Candidate]] = {}
    for c in members:
        if c.family_id is not None:
            families.setdefault(c.family_id, []).append(c)
    blocks: list[list[Candidate]] = []
    seen: set[str] = set()
    for c in members:
        family = families.get(c.family_id) if c.family_id is not None else None
        if family and any(map(minor, family)) and not all(map(minor, family)):
            if c.family_id not in seen:
                seen.add(c.family_id)  # type: ignore[arg-type]
                blocks.append(family)
        else:
            blocks.append([c])
    shares: list[list[Candidate]] = [[] for _ in rooms]
    room = list(rooms)
    left: list[Candidate] = []

    def put(i: int, people: list[Candidate]) -> None:
        shares[i] += people
        room[i] -= len(people)

    def one_by_one(people: Iterable[Candidate]) -> None:
        for c in people:
            i = next((i for i, r in enumerate(room) if r > 0), None)
            if i is None:
                left.append(c)
            else:
                put(i, [c])

    for block in blocks:
        whole = next((i for i, r in enumerate(room) if r >= len(block)), None)
        if len(block) == 1 or whole is not None:
            if whole is None:
                one_by_one(block)
            else:
                put(whole, block)
            continue
        adults = [c for c in block if not minor(c)]
        children = [c for c in block if minor(c)]
        for i in sorted(range(len(room)), key=lambda i: (-room[i], i)):  # fewest parts
            if not adults or not children or room[i] < 2:
                break
            take = min(room[i] - 1, len(children))
            put(i, [adults.pop(0), *children[:take]])
            children = children[take:]
        one_by_one(sorted(adults + children, key=lambda c: order[c.id]))
    for share in shares:
        share.sort(key=lambda c: order[c.id])
    left.sort(key=lambda c: order[c.id])
    return shares, left


def allocate(
    candidates: Iterable[Candidate], trips: Iterable[TripSlot], policy: Policy | None = None
) -> Allocation:
    """Share the trips' seats out among the candidates.

    The result does not depend on the order of ``candidates`` or ``trips``.

    Args:
        candidates: people to evacuate; ids must be unique.
        trips: trips with their capacity and departure order; ids must be unique.
        policy: priority order and split rule; the default policy if ``None``.

    Returns:
        Placements, waitlist, a reason for everyone, and flags for people the officer must check.

    Raises:
        ValidationError: duplicate candidate or trip ids (``allocation.duplicate_candidate``,
            ``allocation.duplicate_trip``) or a negative capacity
            (``allocation.negative_capacity``).
    """
    policy = policy or Policy()
    class_names = (*policy.priority, *(() if OTHERS in policy.priority else (OTHERS,)))
    class_rank = {name: i for i, name in enumerate(class_names)}
    slots = _sorted_trips(trips)
    groups, classes = _build_groups(candidates, class_rank, policy)

    free = [t.capacity for t in slots]
    largest_trip = max(
        (max(t.capacity, t.size) if t.size is not None else t.capacity for t in slots), default=0
    )
    placements: dict[str, str] = {}
    waitlist: list[str] = []
    explanations: dict[str, Reason] = {}
    flags: dict[str, list[Reason]] = {}
    group_members: dict[str, tuple[str, ...]] = {}
    first_open = 0  # trips before this index are full

    def wait(cand: Candidate, code: str, params: dict[str, ParamValue]) -> None:
        waitlist.append(cand.id)
        explanations[cand.id] = Reason(code, {**params, "position": len(waitlist)})

    def place(group: _Group, base: dict[str, ParamValue], target: int, code: str) -> None:
        free[target] -= len(group.members)
        trip = slots[target]
        params: dict[str, ParamValue] = {**base, "trip": trip.id, "free_seats": free[target]}
        city = group.city
        if code == "allocated.priority" and city and trip.origin and trip.origin != city:
            # brought over from where they are: their city's vehicles were full, or none
            # leaves from it (the officer arranges the way to the departure)
            code = "allocated.other_city" if city in origins else "allocated.no_city_trip"
            params["city"] = city
        for cand in group.members:
            placements[cand.id] = trip.id
            explanations[cand.id] = Reason(code, params)

    # First, each group on a vehicle leaving from its own city, in priority order: a city's
    # people are seated on its vehicles before anyone is brought over from elsewhere. Then
    # everyone left (their city's vehicles full, none leaving from it, or their place
    # unknown), in priority order, on whatever is left.
    origins = {t.origin for t in slots if t.origin}
    queue = [
        (rank, g, {"class": class_names[g.rank], "rank": rank, "group_size": len(g.members)})
        for rank, g in enumerate(groups, start=1)
    ]
    left: list[tuple[int, _Group, dict[str, ParamValue]]] = []
    for rank, group, base in queue:
        city = group.city
        size = len(group.members)
        if city not in origins:
            # No vehicle leaves from where they are (or it is not known): their priority is
            # honoured now, on whatever leaves, not after every city's own people of lower
            # priority (a man of 76 in Isfahan waited while people of 31 in Tehran rode).
            target = next((i for i in range(len(free)) if free[i] >= size), None)
        else:
            target = next(
                (i for i, t in enumerate(slots) if t.origin == city and free[i] >= size), None
            )
        if target is None:
            left.append((rank, group, base))
        else:
            place(group, base, target, "allocated.priority")
    for _rank, group, base in left:
        members = group.members
        size = len(members)
        while first_open < len(free) and free[first_open] == 0:
            first_open += 1
        target = next((i for i in range(first_open, len(free)) if free[i] >= size), None)
        if target is not None:
            place(group, base, target, "allocated.priority")
        elif policy.allow_split_groups:
            window = [idx for idx, _take in _split_window(free, size)]
            shares, members_left = _share_out(members, [free[idx] for idx in window])
            parts = sum(1 for share in shares if share)
            for idx, share in zip(window, shares, strict=True):
                free[idx] -= len(share)
                trip_id = slots[idx].id
                for cand in share:
                    placements[cand.id] = trip_id
                    explanations[cand.id] = Reason(
                        "allocated.split",
                        {**base, "trip": trip_id, "free_seats": free[idx], "parts": parts},
                    )
            for cand in members_left:
                wait(cand, "waitlisted.capacity", {**base, "free_seats": max(free, default=0)})
        elif size > largest_trip:
            for cand in members:
                wait(cand, "waitlisted.group_too_big", {**base, "largest_trip": largest_trip})
        else:
            most_free = max(free, default=0)
            for cand in members:
                wait(cand, "waitlisted.capacity", {**base, "free_seats": most_free})
    for _rank, group, _base_params in queue:
        ids = tuple(c.id for c in group.members)
        for cand in group.members:
            group_members[cand.id] = ids
            cand_flags = _flags(cand)
            if cand_flags:
                flags[cand.id] = cand_flags

    return Allocation(
        placements=placements,
        waitlist=waitlist,
        explanations=explanations,
        flags=flags,
        classes={cid: classes[cid] for cid in explanations},
        group_members=group_members,
        allow_split_groups=policy.allow_split_groups,
    )


def _flags(cand: Candidate) -> list[Reason]:
    found: list[Reason] = []
    if cand.passport_expired:
        found.append(Reason("flagged.passport_expired"))
    if not cand.consent:
        found.append(Reason("flagged.no_consent"))
    return found


def move(
    allocation: Allocation, candidate_id: str, trip_id: str, trips: Sequence[TripSlot]
) -> Allocation:
    """An officer's manual move of a person (and, unless splitting is allowed, their group).

    Args:
        allocation: the current allocation; it is not modified.
        candidate_id: the person to move.
        trip_id: the trip to move them to.
        trips: the trips of the allocation, for their capacities.

    Returns:
        A new allocation; the movers are explained by ``allocated.manual``.

    Raises:
        ValidationError: ``allocation.unknown_candidate``, ``allocation.unknown_trip``, or
            ``allocation.capacity`` (params ``trip``, ``needed``, ``free_seats``) when the target
            trip lacks seats for everyone who must move.
    """
    if candidate_id not in allocation.explanations:
        raise ValidationError(
            "allocation.unknown_candidate", "candidate_id", candidate=candidate_id
        )
    capacity = {t.id: t.capacity for t in trips}
    if trip_id not in capacity:
        raise ValidationError("allocation.unknown_trip", "trip_id", trip=trip_id)
    movers = (
        (candidate_id,)
        if allocation.allow_split_groups
        else allocation.group_members.get(candidate_id, (candidate_id,))
    )
    needed = sum(1 for m in movers if allocation.placements.get(m) != trip_id)
    taken = sum(1 for t in allocation.placements.values() if t == trip_id)
    free = capacity[trip_id] - taken
    if needed > free:
        raise ValidationError(
            "allocation.capacity", "trip_id", trip=trip_id, needed=needed, free_seats=free
        )
    placements = dict(allocation.placements)
    explanations = dict(allocation.explanations)
    mover_set = set(movers)
    for m in movers:
        previous = placements.get(m, "waitlist")
        placements[m] = trip_id
        explanations[m] = Reason(
            "allocated.manual",
            {
                "class": allocation.classes[m],
                "trip": trip_id,
                "group_size": len(movers),
                "previous": previous,
                "free_seats": free - needed,
            },
        )
    waitlist = [c for c in allocation.waitlist if c not in mover_set]
    for position, cid in enumerate(waitlist, start=1):
        old = explanations[cid]
        if old.params.get("position") != position:
            explanations[cid] = Reason(old.code, {**old.params, "position": position})
    return Allocation(
        placements=placements,
        waitlist=waitlist,
        explanations=explanations,
        flags={k: list(v) for k, v in allocation.flags.items()},
        classes=dict(allocation.classes),
        group_members=dict(allocation.group_members),
        allow_split_groups=allocation.allow_split_groups,
    )
