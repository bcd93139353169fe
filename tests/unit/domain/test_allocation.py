"""Evacuation seat allocation."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consuldesk.domain.allocation import (
    Allocation,
    Candidate,
    Policy,
    Reason,
    TripSlot,
    allocate,
    move,
    priority_class,
)
from consuldesk.domain.enums import Vulnerability as V
from consuldesk.domain.errors import ValidationError

# --- examples -------------------------------------------------------------------------------


def person(pid: str, name: str, group: str | None = None, *flags: V, **kw: bool) -> Candidate:
    return Candidate(pid, name, group, frozenset(flags), **kw)


BUS1 = TripSlot("bus-1", 3, 1)
BUS2 = TripSlot("bus-2", 4, 2)


def test_priority_class_follows_the_policy_order():
    policy = Policy()
    assert priority_class({V.MOBILITY, V.OVER_60}, policy) == "medical_mobility"
    assert priority_class({V.OVER_60, V.MINOR}, policy) == "over_60"
    assert priority_class({V.WOMAN_WITH_MINORS}, policy) == "women_with_minors"
    assert priority_class({V.MINOR}, policy) == "minors"
    # A pregnant woman was "everyone else" by default; she comes after medical needs.
    assert priority_class({V.PREGNANT, V.OVER_60}, policy) == "pregnant"
    assert priority_class({V.PREGNANT}, Policy(priority=("over_60",))) == "others"
    assert priority_class(set(), policy) == "others"
    reordered = Policy(priority=("minors", "pregnant", "over_60"))
    assert priority_class({V.OVER_60, V.MINOR}, reordered) == "minors"
    assert priority_class({V.PREGNANT}, reordered) == "pregnant"
    assert priority_class({V.MEDICAL}, reordered) == "others"


def test_policy_rejects_unknown_and_repeated_classes():
    with pytest.raises(ValidationError) as err:
        Policy(priority=("vip",))
    assert err.value.code == "allocation.unknown_class"
    with pytest.raises(ValidationError) as err:
        Policy(priority=("minors", "minors"))
    assert err.value.code == "allocation.duplicate_class"


def test_vulnerable_first_and_families_travel_together():
    people = [
        person("1", "ABENOV ASKAR"),
        person("2", "BEKOVA AIGERIM", "fam-b", V.WOMAN_WITH_MINORS),
        person("3", "BEKOV DAMIR", "fam-b", V.MINOR),
        person("4", "BEKOV NURLAN", "fam-b"),
        person("5", "ZHUMABAYEV SERIK", None, V.MEDICAL),
        person("6", "ORAZOVA GULNAR", None, V.OVER_60),
        person("7", "TOKTAROV YERLAN"),
    ]
    result = allocate(people, [BUS2, BUS1])
    # Zhumabayev (medical) and Orazova (over 60) take two seats of bus 1; the Bekov family of
    # three no longer fits there and goes whole onto bus 2; Abenov takes the last seat of bus 1.
    assert result.placements == {
        "5": "bus-1",
        "6": "bus-1",
        "2": "bus-2",
        "3": "bus-2",
        "4": "bus-2",
        "1": "bus-1",
        "7": "bus-2",
    }
    assert result.waitlist == []
    assert result.explanations["2"] == Reason(
        "allocated.priority",
        {
            "class": "women_with_minors",
            "rank": 3,
            "group_size": 3,
            "trip": "bus-2",
            "free_seats": 1,
        },
    )
    assert result.classes["4"] == "others"  # his own class; the explanation gives the group's
    assert set(result.group_members["3"]) == {"2", "3", "4"}


def test_waitlist_explains_capacity_and_too_big_groups():
    people = [
        person("1", "ALIYEV MARAT", None, V.OVER_60),
        person("2", "SAPAROVA DANA"),
        person("3", "SAPAROV ARMAN", "tour"),
        *(person(f"t{i}", f"TOUR MEMBER {i}", "tour") for i in range(4)),
    ]
    result = allocate(people, [TripSlot("bus-1", 2, 1), TripSlot("bus-2", 4, 2)])
    # Aliyev (over 60) first; the tour group (5, first name SAPAROV) cannot fit any bus at all.
    assert result.placements == {"1": "bus-1", "2": "bus-1"}
    tour = result.explanations["3"]
    assert tour.code == "waitlisted.group_too_big"
    assert tour.params["group_size"] == 5 and tour.params["largest_trip"] == 4
    assert tour.params["position"] == 1

    crowded = allocate(
        [person("a", "ABAYEV ERBOL", "f"), person("b", "ABAYEVA ZHANAR", "f"), person("c", "ZH")],
        [TripSlot("car", 2, 1)],
    )
    assert crowded.placements == {"a": "car", "b": "car"}
    assert crowded.explanations["c"] == Reason(
        "waitlisted.capacity",
        {"class": "others", "rank": 2, "group_size": 1, "free_seats": 0, "position": 1},
    )


def test_flagged_people_are_allocated_and_flagged():
    people = [
        person("1", "KASYMOV TIMUR", passport_expired=True),
        person("2", "NURLANOVA ASEL", consent=False),
        person("3", "OMAROV BOLAT", passport_expired=True, consent=False),
        person("4", "SEITOVA ALIYA"),
    ]
    result = allocate(people, [TripSlot("flight", 10, 1)])
    assert set(result.placements) == {"1", "2", "3", "4"}
    assert result.flags == {
        "1": [Reason("flagged.passport_expired")],
        "2": [Reason("flagged.no_consent")],
        "3": [Reason("flagged.passport_expired"), Reason("flagged.no_consent")],
    }


def test_split_groups_spread_over_the_fewest_consecutive_trips():
    trips = [TripSlot("a", 2, 1), TripSlot("b", 3, 2), TripSlot("c", 3, 3), TripSlot("d", 1, 4)]
    family = [person(f"m{i}", f"MUKANOV {i}", "muk") for i in range(6)]
    family[5] = person("m5", "MUKANOV 5", "muk", V.MINOR)
    kept = allocate(family, trips)
    assert kept.placements == {} and kept.waitlist[0] == "m5"

    split = allocate(family, trips, Policy(allow_split_groups=True))
    assert Counter(split.placements.values()) == {"b": 3, "c": 3}
    assert split.placements["m5"] == "b"  # the minor goes first
    assert split.explanations["m0"].code == "allocated.split"
    assert split.explanations["m0"].params["parts"] == 2

    partial = allocate(family, trips[:2], Policy(allow_split_groups=True))
    assert len(partial.placements) == 5 and len(partial.waitlist) == 1
    assert partial.explanations[partial.waitlist[0]].code == "waitlisted.capacity"


def test_a_group_spread_over_buses_keeps_each_child_with_an_adult_of_the_family():
    """A tour group seated in priority order put a child on the first bus and its father on
    the second: a minor crossing the border alone. Spread by families, every child rides with
    a parent, and as many seats are filled."""
    from dataclasses import replace

    group = [
        person("e", "ABENOV ERLAN", "tour", V.OVER_60),
        replace(person("m", "BEKOVA MADINA", "tour", V.WOMAN_WITH_MINORS), family_id="B"),
        replace(person("kb", "BEKOV ALI", "tour", V.MINOR), family_id="B"),
        replace(person("ka1", "ASKAROV DAMIR", "tour", V.MINOR), family_id="A"),
        replace(person("ka2", "ASKAROVA DANA", "tour", V.MINOR), family_id="A"),
        replace(person("f", "ASKAROV TIMUR", "tour"), family_id="A"),
    ]
    trips = [TripSlot("bus-1", 3, 1), TripSlot("bus-2", 3, 2)]
    result = allocate(group, trips, Policy(allow_split_groups=True))
    assert len(result.placements) == 6 and not result.waitlist
    on = result.placements
    assert on["kb"] == on["m"]  # with his mother
    assert on["ka1"] == on["ka2"] == on["f"]  # with their father
    assert on["e"] == "bus-1"  # the group's first in priority still leaves first

    # Too few seats for all: the father keeps his place beside a child; nobody of the group
    # is seated ahead of someone of higher priority left waiting.
    short = allocate(group, [TripSlot("bus-1", 3, 1), TripSlot("bus-2", 2, 2)],
                     Policy(allow_split_groups=True))  # fmt: skip
    assert len(short.placements) == 5 and len(short.waitlist) == 1
    assert short.placements["e"] == "bus-1" and short.placements["m"] == short.placements["kb"]
    assert short.waitlist == ["ka2"]  # the last seat: the father, then one child with him
    assert short.placements["f"] == short.placements["ka1"] == "bus-2"


def test_families_larger_than_the_seats_left_in_one_van_still_keep_their_children():
    """A tour group of twelve on vans of 3, 3, 3 and 4: cut to the seats the window needed,
    the family of five fitted no van and its youngest rode with the other family's mother.
    Each child now rides with a parent of theirs, and every seat needed is used."""
    from dataclasses import replace

    def member(pid, name, *flags, family=None):
        return replace(person(pid, name, "silk", *flags), family_id=family)

    group = [
        member("serik", "AKHMETOV SERIK", family="f1"),
        member("aigul", "AKHMETOVA AIGUL", V.WOMAN_WITH_MINORS, family="f1"),
        *(member(k, f"AKHMETOV {k}", V.MINOR, family="f1") for k in ("ali", "dana", "zere")),
        member("saule", "BEKOVA SAULE", V.WOMAN_WITH_MINORS, family="f2"),
        member("askar", "BEKOV ASKAR", family="f2"),
        *(member(k, f"BEKOV {k}", V.MINOR, family="f2") for k in ("nur", "aya")),
        *(member(k, f"SINGLE {k}") for k in ("erlan", "gulnar", "erbolat")),
    ]
    vans = [TripSlot(f"van{i}", cap, i) for i, cap in enumerate((3, 3, 3, 4), start=1)]
    result = allocate(group, vans, Policy(allow_split_groups=True))
    assert not result.waitlist
    on = result.placements
    for child, parents in (("ali", "f1"), ("dana", "f1"), ("zere", "f1"), ("nur", "f2"),
                           ("aya", "f2")):  # fmt: skip
        adults = {"f1": ("serik", "aigul"), "f2": ("saule", "askar")}[parents]
        assert on[child] in {on[a] for a in adults}, (child, on)


def test_duplicates_and_negative_capacity_are_rejected():
    with pytest.raises(ValidationError) as err:
        allocate([person("1", "A"), person("1", "B")], [BUS1])
    assert err.value.code == "allocation.duplicate_candidate"
    with pytest.raises(ValidationError) as err:
        allocate([], [BUS1, TripSlot("bus-1", 5, 9)])
    assert err.value.code == "allocation.duplicate_trip"
    with pytest.raises(ValidationError) as err:
        allocate([], [TripSlot("x", -1, 1)])
    assert err.value.code == "allocation.negative_capacity"


def test_move_takes_the_whole_family_and_respects_capacity():
    people = [
        person("1", "ISKAKOVA MADINA", "isk", V.WOMAN_WITH_MINORS),
        person("2", "ISKAKOV ALIKHAN", "isk", V.MINOR),
        person("3", "DZHAKSYBEKOV RUSLAN"),
        person("4", "ERMEKOVA SAULE"),
    ]
    trips = [TripSlot("bus-1", 2, 1), TripSlot("bus-2", 3, 2)]
    result = allocate(people, trips)
    assert result.placements == {"1": "bus-1", "2": "bus-1", "3": "bus-2", "4": "bus-2"}

    with pytest.raises(ValidationError) as err:
        move(result, "2", "bus-2", trips)
    assert (err.value.code, err.value.params) == (
        "allocation.capacity",
        {"trip": "bus-2", "needed": 2, "free_seats": 1},
    )

    moved = move(result, "3", "bus-2", trips)  # already there: a no-op that records the officer
    assert moved.placements == result.placements
    three = [*trips, TripSlot("bus-3", 2, 3)]
    swapped = move(allocate(people, three), "1", "bus-3", three)
    assert swapped.placements["1"] == swapped.placements["2"] == "bus-3"
    assert swapped.explanations["2"].code == "allocated.manual"
    assert swapped.explanations["2"].params["previous"] == "bus-1"
    assert result.placements["1"] == "bus-1"  # the original is untouched

    alone = allocate(people, trips, Policy(allow_split_groups=True))
    assert move(alone, "2", "bus-2", trips).placements["1"] == "bus-1"


def test_move_off_the_waitlist_renumbers_the_waitlist():
    people = [person(str(i), f"TURSYNOV {i}") for i in range(4)]
    trips = [TripSlot("van", 1, 1), TripSlot("late", 1, 2)]
    result = allocate(people, [trips[0]])
    assert result.waitlist == ["1", "2", "3"]
    moved = move(result, "2", "late", trips)
    assert moved.waitlist == ["1", "3"]
    assert moved.explanations["3"].params["position"] == 2
    assert moved.explanations["2"].params["previous"] == "waitlist"
    with pytest.raises(ValidationError):
        move(result, "nobody", "van", trips)
    with pytest.raises(ValidationError):
        move(result, "1", "plane", trips)


# --- properties -----------------------------------------------------------------------------

FLAGS = st.frozensets(st.sampled_from(list(V)), max_size=2)


PERSON = st.tuples(
    st.sampled_from(["ABAY", "BEKOV", "KASYM", "OMAR", "ZHAN"]),
    st.sampled_from([None, None, None, "g1", "g2", "g3", "g4", "g5"]),
    FLAGS,
    st.booleans(),
    st.booleans(),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Candidate], list[TripSlot]]:
    rows = draw(st.lists(PERSON, max_size=40))
    people = [Candidate(f"p{i:02d}", *row) for i, row in enumerate(rows)]
    slots = draw(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 5)), max_size=6))
    trips = [TripSlot(f"t{j}", cap, order) for j, (cap, order) in enumerate(slots)]
    return people, trips


def trip_index(trips: list[TripSlot]) -> dict[str, int]:
    return {t.id: i for i, t in enumerate(sorted(trips, key=lambda t: (t.order, t.id)))}


def check_invariants(people: list[Candidate], trips: list[TripSlot], result: Allocation) -> None:
    load = Counter(result.placements.values())
    for trip in trips:
        assert load[trip.id] <= trip.capacity
    ids = [p.id for p in people]
    assert sorted([*result.placements, *result.waitlist]) == sorted(ids)
    assert not set(result.placements) & set(result.waitlist)
    assert len(result.waitlist) == len(set(result.waitlist))
    assert set(result.explanations) == set(ids)
    flagged = {p.id for p in people if p.passport_expired or not p.consent}
    assert set(result.flags) == flagged


@settings(max_examples=150)
@given(scenarios(), st.booleans())
def test_capacity_respected_and_everyone_accounted_for(scenario, split):
    people, trips = scenario
    check_invariants(people, trips, allocate(people, trips, Policy(allow_split_groups=split)))


@settings(max_examples=150)
@given(scenarios(), st.lists(st.sampled_from([None, "fa", "fb"]), min_size=40, max_size=40))
def test_families_inside_a_split_group_fill_as_many_seats(scenario, families):
    """Spreading a group by families never costs a seat, nor the invariants."""
    from dataclasses import replace

    people, trips = scenario
    policy = Policy(allow_split_groups=True)
    with_families = [
        replace(p, family_id=f"{p.group_id}/{f}" if p.group_id and f else None)
        for p, f in zip(people, families, strict=False)
    ]
    result = allocate(with_families, trips, policy)
    check_invariants(with_families, trips, result)
    assert len(result.placements) == len(allocate(people, trips, policy).placements)
    shuffled = list(reversed(with_families))
    assert allocate(shuffled, trips, policy).placements == result.placements


@settings(max_examples=150)
@given(scenarios())
def test_groups_are_never_split_by_default(scenario):
    people, trips = scenario
    result = allocate(people, trips)
    where: dict[str, set[str]] = defaultdict(set)
    for p in people:
        if p.group_id is not None:
            where[p.group_id].add(result.placements.get(p.id, "waitlist"))
    assert all(len(places) == 1 for places in where.values())


@settings(max_examples=150)
@given(scenarios())
def test_priority_order_is_respected(scenario):
    people, trips = scenario
    policy = Policy()
    result = allocate(people, trips, policy)
    rank = {name: i for i, name in enumerate(policy.priority)}
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for p in people:
        groups[p.group_id or f"solo:{p.id}"].append(p)

    def key(members: list[Candidate]) -> tuple[int, str]:
        best = min(rank[priority_class(m.flags, policy)] for m in members)
        return best, min(m.name_key for m in members)

    index = trip_index(trips)
    capacity = {t.id: t.capacity for t in trips}
    load = Counter(result.placements.values())
    for hi in groups.values():
        hi_trip = result.placements.get(hi[0].id)
        for lo in groups.values():
            lo_trip = result.placements.get(lo[0].id)
            if key(hi) >= key(lo) or lo_trip is None:
                continue
            if hi_trip is not None and index[hi_trip] <= index[lo_trip]:
                continue
            # hi was served first yet sits later or waits: lo's trip had too few seats for it
            # then, i.e. the seats left now plus those taken by later-served groups.
            later = sum(
                len(g)
                for g in groups.values()
                if key(g) > key(hi) and result.placements.get(g[0].id) == lo_trip
            )
            assert len(hi) > capacity[lo_trip] - load[lo_trip] + later


@settings(max_examples=100)
@given(scenarios(), st.booleans(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(scenario, split, rnd):
    people, trips = scenario
    policy = Policy(allow_split_groups=split)
    expected = allocate(people, trips, policy)
    shuffled_people, shuffled_trips = list(people), list(trips)
    rnd.shuffle(shuffled_people)
    rnd.shuffle(shuffled_trips)
    got = allocate(shuffled_people, shuffled_trips, policy)
    assert got == expected
    assert list(got.placements.items()) == list(expected.placements.items())


@settings(max_examples=100)
@given(scenarios(), st.data())
def test_move_keeps_the_invariants(scenario, data):
    people, trips = scenario
    if not people or not trips:
        return
    result = allocate(people, trips)
    who = data.draw(st.sampled_from([p.id for p in people]))
    where = data.draw(st.sampled_from([t.id for t in trips]))
    try:
        moved = move(result, who, where, trips)
    except ValidationError as err:
        assert err.code == "allocation.capacity"
        return
    check_invariants(people, trips, moved)
    assert all(moved.placements[m] == where for m in result.group_members[who])


def test_a_group_takes_a_vehicle_from_its_own_city_first():
    """Two buses on one leg, from Dubai and from Abu Dhabi: the family in Dubai was put on the
    Abu Dhabi bus (it left first) and the mother in Abu Dhabi on the Dubai one."""
    trips = [
        TripSlot("abu", 3, order=0, origin="abu dhabi"),
        TripSlot("dxb", 3, order=1, origin="dubai"),
    ]
    people = [
        Candidate("d1", "a", group_id="fam", city="dubai", flags=frozenset({V.OVER_60})),
        Candidate("d2", "b", group_id="fam", city="dubai"),
        Candidate("a1", "c", group_id="mum", city="abu dhabi"),
        Candidate("a2", "d", group_id="mum", city="abu dhabi"),
        Candidate("x", "e"),  # nobody knows where: the first bus with a seat
        Candidate("s", "f", city="sharjah"),  # no bus from Sharjah: the first with a seat
    ]
    result = allocate(people, trips)
    assert result.placements == {
        "d1": "dxb",
        "d2": "dxb",
        "a1": "abu",
        "a2": "abu",
        "x": "abu",
        "s": "dxb",
    }
    codes = {p: result.explanations[p].code for p in result.placements}
    assert codes.pop("s") == "allocated.no_city_trip"  # told: no bus from Sharjah
    assert set(codes.values()) == {"allocated.priority"}
    assert result.explanations["s"].params["city"] == "sharjah"

    # The Dubai bus is full: the family goes from Abu Dhabi, and the reason says so.
    small = [TripSlot("abu", 4, order=0, origin="abu dhabi"), TripSlot("dxb", 1, 1, origin="dubai")]
    result = allocate(people[:2], small)
    assert result.placements == {"d1": "abu", "d2": "abu"}
    reason = result.explanations["d1"]
    assert (reason.code, reason.params["city"]) == ("allocated.other_city", "dubai")


def test_a_citys_people_are_seated_on_its_vehicles_before_anyone_is_brought_over():
    """People of Abu Dhabi waited while people from Dubai, who came first in the queue but
    whose own bus was full, took the seats of the Abu Dhabi bus."""
    trips = [TripSlot("dxb", 2, order=0, origin="dubai"), TripSlot("abu", 2, 1, origin="abu dhabi")]
    people = [
        Candidate("d1", "a", city="dubai", flags=frozenset({V.OVER_60})),
        Candidate("d2", "b", city="dubai", flags=frozenset({V.OVER_60})),
        Candidate("d3", "c", city="dubai", flags=frozenset({V.OVER_60})),  # Dubai is full
        Candidate("a1", "d", city="abu dhabi"),
        Candidate("a2", "e", city="abu dhabi"),
    ]
    result = allocate(people, trips)
    assert result.placements == {"d1": "dxb", "d2": "dxb", "a1": "abu", "a2": "abu"}
    assert result.waitlist == ["d3"]
    # With a seat left over, the one from Dubai is brought over, and told why.
    result = allocate(people, [*trips[:1], TripSlot("abu", 3, 1, origin="abu dhabi")])
    assert result.placements["d3"] == "abu"
    assert result.explanations["d3"].code == "allocated.other_city"


def test_within_a_class_who_asked_first_is_seated_first_not_the_alphabet():
    """Everyone who waited had a name late in the alphabet: the last seats went by surname."""
    people = [
        Candidate("a", "abilov", asked="2026-03-10T09:00:00"),
        Candidate("y", "yskakov", asked="2026-03-09T18:30:00"),  # asked the evening before
        Candidate("k", "kim"),  # when he asked is not known: after those who did
    ]
    result = allocate(people, [TripSlot("bus", 2, 0)])
    assert result.placements == {"y": "bus", "a": "bus"} and result.waitlist == ["k"]
    # A more urgent class still comes first, whenever it asked.
    elder = Candidate("e", "zhumabayev", flags=frozenset({V.OVER_60}), asked="2026-03-11")
    result = allocate([*people, elder], [TripSlot("bus", 2, 0)])
    assert result.placements == {"e": "bus", "y": "bus"}


def test_a_priority_person_where_no_vehicle_leaves_is_not_put_behind_another_citys_people():
    """A man of 76 in Isfahan (no bus leaves from there) waited while people of 31 in Tehran
    were seated: the city rule ran before his priority."""
    trips = [TripSlot("thr", 2, order=0, origin="tehran")]
    people = [
        Candidate("t1", "a", city="tehran"),
        Candidate("t2", "b", city="tehran"),
        Candidate("i1", "c", city="isfahan", flags=frozenset({V.OVER_60})),
    ]
    result = allocate(people, trips)
    assert result.placements == {"i1": "thr", "t1": "thr"}
    assert result.explanations["i1"].code == "allocated.no_city_trip"
    assert result.explanations["t2"].code == "waitlisted.capacity"
