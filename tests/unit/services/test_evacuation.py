"""Evacuation use cases: operations, the pool, allocation, moves, boarding, scanning, manifests."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from consuldesk.domain.enums import (
    ManifestStatus,
    RequestKind,
    RequestStatus,
    TripMode,
    TripStatus,
)
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.scan import slip_payload
from consuldesk.services import evacuation as ev
from consuldesk.services import nationals, requests
from consuldesk.services.errors import ServiceError
from consuldesk.store.errors import NotFound
from consuldesk.store.models import AuditEvent
from tests.factories import evacuees, person

DEPART = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)


def register(desk, **overrides):
    return nationals.register_national(desk, person(**overrides)).row


def evac_request(desk, national_id=None, household_id=None):
    return requests.open_request(
        desk,
        RequestKind.EVACUATION,
        "Evacuation please",
        national_id=national_id,
        household_id=household_id,
    ).row


def operation(desk, **overrides):
    values = {"name": "Дубай — Маскат", "route": "Dubai → Hatta → Muscat", "host_country": "AE"}
    fields = ev.OperationFields(**{**values, **overrides})
    return ev.add_operation(desk, fields).row


def bus(desk, op_id, capacity, vehicle, leg_no=1, hours=0, mode=TripMode.BUS):
    fields = ev.TripFields(
        leg_no=leg_no,
        origin="Dubai" if leg_no == 1 else "Muscat",
        destination="Muscat" if leg_no == 1 else "Almaty",
        capacity=capacity,
        mode=mode,
        border_crossing="Hatta / Al Wajajah" if leg_no == 1 else None,
        departure_at=DEPART.replace(hour=6 + hours),
        vehicle=vehicle,
        carrier="Emirates Transport",
        escort_officer="Серікбаев Д.",
    )
    return ev.add_trip(desk, op_id, fields).row


@pytest.fixture
def people(desk):
    return evacuees(desk)


def criteria():
    return ev.CandidateCriteria(host_country="AE")


def names(rows):
    return [r.person.given_names_lat for r in rows]


# -- operations and trips ------------------------------------------------------------------


def test_an_operation_has_legs_made_of_trips_in_departure_order(desk):
    op = operation(desk)
    bus(desk, op.id, 49, "Dubai P 2", hours=2)
    bus(desk, op.id, 49, "Dubai P 1")
    bus(desk, op.id, 180, "DV 5802", leg_no=2, hours=10, mode=TripMode.FLIGHT)
    row = ev.get_operation(desk, op.id)
    assert [leg.leg_no for leg in row.legs] == [1, 2]
    assert [t.vehicle for t in row.legs[0].trips] == ["Dubai P 1", "Dubai P 2"]
    assert row.legs[0].capacity == 98 and row.legs[1].trips[0].mode == "flight"
    assert row.legs[0].origin == "Dubai" and row.legs[1].destination == "Almaty"
    assert [o.id for o in ev.list_operations(desk)] == [op.id]


def test_operation_and_trip_fields_are_checked(desk):
    with pytest.raises(ServiceError) as exc:
        ev.add_operation(desk, ev.OperationFields(name="  "))
    assert exc.value.code == "operation.name"
    with pytest.raises(ValidationError) as bad:
        ev.add_operation(desk, ev.OperationFields(name="X", priority=("vip", "others")))
    assert bad.value.code == "allocation.unknown_class"
    op = operation(desk)
    trip = ev.TripFields
    for fields, code in [
        (trip(leg_no=1, origin="", destination="Muscat", capacity=5), "trip.origin"),
        (trip(leg_no=1, origin="Dubai", destination=" ", capacity=5), "trip.destination"),
        (trip(leg_no=0, origin="Dubai", destination="Muscat", capacity=5), "trip.leg_no"),
        (trip(leg_no=1, origin="Dubai", destination="Muscat", capacity=0), "trip.capacity"),
    ]:
        with pytest.raises(ServiceError) as exc:
            ev.add_trip(desk, op.id, fields)
        assert exc.value.code == code
    with pytest.raises(NotFound):
        ev.add_trip(desk, "nope", ev.TripFields(leg_no=1, origin="A", destination="B", capacity=1))


def test_a_custom_priority_order_is_kept_and_the_default_is_not_stored(desk):
    custom = ("over_60", "medical_mobility", "women_with_minors", "minors", "others")
    op = operation(desk, priority=custom, allow_split_groups=True)
    assert op.priority == custom and op.allow_split_groups
    plain = operation(desk)
    assert plain.priority == ev.Policy().priority


# -- pool and allocation -------------------------------------------------------------------


def test_candidates_are_people_with_open_evacuation_requests_and_their_households(desk, people):
    op = operation(desk)
    preview = ev.preview_candidates(desk, op.id, 1, criteria())
    assert (preview.matching, preview.already_on_leg, preview.new) == (5, 0, 5)
    assert ev.add_to_pool(desk, op.id, 1, criteria()).row == 5
    assert ev.add_to_pool(desk, op.id, 1, criteria()).row == 0  # nobody twice
    waiting = ev.pool(desk, op.id, 1)
    assert sorted(names(waiting)) == ["GULNUR", "INKAR", "KAIRAT", "NURLAN", "ULAN"]
    assert ev.preview_candidates(desk, op.id, 1, criteria()).new == 0
    everyone = ev.CandidateCriteria(host_country="AE", open_evacuation_request=False)
    assert ev.preview_candidates(desk, op.id, 1, everyone).matching == 5  # "gone" never offered
    nobody = ev.CandidateCriteria(host_country="QA")
    assert ev.preview_candidates(desk, op.id, 1, nobody).matching == 0


def test_a_mother_who_asked_for_herself_brings_her_children_not_her_tour_group(desk):
    from consuldesk.domain.enums import HouseholdKind, RequestKind
    from consuldesk.services import households, nationals, requests

    def register(**overrides):
        return nationals.register_national(desk, person(host_country="AE", **overrides)).row

    mother = register(passport_no="N10000001")
    child = register(passport_no="N10000002", given_names_lat="ALI", given_names_cyr="Әли",
                     birth_date=date(2016, 2, 2))  # fmt: skip
    fellow = register(passport_no="N10000003", surname_lat="USSENOV", surname_cyr="Үсенов")
    households.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id,
                                member_ids=[mother.id, child.id])  # fmt: skip
    households.create_household(desk, "Kompas 14", HouseholdKind.TOUR_GROUP,
                                member_ids=[mother.id, fellow.id])  # fmt: skip
    requests.open_request(desk, RequestKind.EVACUATION, "Leave", national_id=mother.id)
    op = operation(desk)
    assert ev.add_to_pool(desk, op.id, 1, criteria()).row == 2
    assert {r.person.id for r in ev.pool(desk, op.id, 1)} == {mother.id, child.id}


def test_allocation_serves_priority_classes_first_and_keeps_families_together(desk, people):
    op = operation(desk)
    first = bus(desk, op.id, 4, "Dubai P 1")
    second = bus(desk, op.id, 1, "Dubai P 2", hours=3)
    ev.add_to_pool(desk, op.id, 1, criteria())
    summary = ev.allocate_leg(desk, op.id, 1).row
    assert (summary.placed, summary.waitlisted, summary.trips_used) == (5, 0, 2)
    on_first = ev.passengers(desk, first.id)
    # The man over 60 comes first, then the woman with her minor children, all on bus 1.
    assert names(on_first) == ["KAIRAT", "GULNUR", "NURLAN", "INKAR"]
    assert [r.seat for r in on_first] == ["1", "2", "3", "4"]
    assert names(ev.passengers(desk, second.id)) == ["ULAN"]
    elder = on_first[0]
    assert elder.reason_code == "allocated.priority"
    assert elder.reason_params["trip"] == "Dubai P 1" and elder.reason_params["class"] == "over_60"
    assert elder.problems == ("passport_expired", "no_consent")  # flagged, not dropped
    assert {r.household_name for r in on_first[1:]} == {"Әбіловтер"}


def test_a_minor_without_an_adult_of_their_family_aboard_is_flagged_for_the_border(
    desk, people, tmp_path
):
    """A child on a bus with no parent (their family elsewhere, or not leaving) is stopped at
    the border without the parents' consent: flagged on the passenger list, the manifest and
    in the allocation's count to check. A tour group's adult is no parent."""
    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import households

    op = operation(desk, allow_split_groups=True)
    first = bus(desk, op.id, 6, "Dubai P 1")
    second = bus(desk, op.id, 6, "Dubai P 2", hours=3)
    pupil = register(desk, surname_lat="SADYK", given_names_lat="AZAMAT", surname_cyr="Садық",
                     given_names_cyr="Азамат", birth_date=date(2010, 4, 4),
                     passport_no="N66666666", passport_expiry=date(2030, 1, 1),
                     consent_date=date(2026, 3, 1))  # fmt: skip
    households.create_household(desk, "Kompas 7", HouseholdKind.TOUR_GROUP,
                                member_ids=[pupil.id, people["young"].id])  # fmt: skip
    evac_request(desk, national_id=pupil.id)
    ev.add_to_pool(desk, op.id, 1, criteria())
    summary = ev.allocate_leg(desk, op.id, 1).row
    assert summary.placed == 6
    seated = {r.person.given_names_lat: r for r in ev.passengers(desk, first.id)}
    assert seated["AZAMAT"].problems == ("minor_alone",)  # with his group's adult, no parent
    assert "minor_alone" not in seated["NURLAN"].problems  # his mother is aboard
    assert "minor_alone" not in seated["INKAR"].problems
    assert summary.flagged == 2  # the elder's passport and the pupil

    # The daughter moved to the next bus: she is alone there; her brother still is not.
    ev.move_passenger(desk, seated["INKAR"].entry_id, second.id)
    on_second = ev.passengers(desk, second.id)
    assert [(r.person.given_names_lat, r.problems) for r in on_second] == [
        ("INKAR", ("minor_alone",))
    ]
    assert "minor_alone" not in {
        p for r in ev.passengers(desk, first.id) if r.person.id == people["son"].id
        for p in r.problems
    }  # fmt: skip
    manifest = ev.manifest_data(desk, second.id)
    assert manifest.passengers[0].problems == ("minor_alone",)
    out = ev.export_manifest_csv(desk, second.id, tmp_path / "second.csv")
    table = list(csv.reader(out.read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert table[1][table[0].index("Unaccompanied minor")] == "Y"  # the carrier's UM too
    # Her mother follows: nobody is alone any more, on either bus.
    ev.move_passenger(desk, seated["GULNUR"].entry_id, second.id)
    assert all("minor_alone" not in r.problems for r in ev.passengers(desk, second.id))
    son = [r for r in ev.passengers(desk, first.id) if r.person.id == people["son"].id]
    assert son[0].problems == ("minor_alone",)
    # Waiting in the pool is no trip: nothing to flag there.
    ev.move_passenger(desk, son[0].entry_id, None)
    assert all(not r.problems for r in ev.pool(desk, op.id, 1))


def test_a_tour_group_spread_over_two_buses_keeps_each_child_with_a_parent(desk):
    """Seated in priority order, a tour group's children took the first bus and their father
    the second: unaccompanied at the border. Spread by families, nobody is."""
    from consuldesk.domain.enums import HouseholdKind, Sex
    from consuldesk.services import households

    def reg(tag, surname, given, born, sex=Sex.MALE):
        fields = dict(surname_lat=surname, given_names_lat=given, surname_cyr=None,
                      given_names_cyr=None, sex=sex, birth_date=born, passport_no=f"N7{tag}",
                      passport_expiry=date(2031, 1, 1), consent_date=date(2026, 3, 1))  # fmt: skip
        return register(desk, **fields).id

    elder = reg("000001", "ABENOV", "ERLAN", date(1950, 1, 1))
    mother = reg("000002", "BEKOVA", "MADINA", date(1988, 1, 1), Sex.FEMALE)
    son = reg("000003", "BEKOV", "ALI", date(2016, 1, 1))
    kids = [reg("000004", "ASKAROV", "DAMIR", date(2014, 1, 1)),
            reg("000005", "ASKAROVA", "DANA", date(2017, 1, 1), Sex.FEMALE)]  # fmt: skip
    father = reg("000006", "ASKAROV", "TIMUR", date(1984, 1, 1))
    households.create_household(desk, "Бековтер", HouseholdKind.FAMILY, head_id=mother,
                                member_ids=[mother, son])  # fmt: skip
    households.create_household(desk, "Асқаровтар", HouseholdKind.FAMILY, head_id=father,
                                member_ids=[father, *kids])  # fmt: skip
    everyone = [elder, mother, son, father, *kids]
    group = households.create_household(
        desk, "Kompas 3", HouseholdKind.TOUR_GROUP, member_ids=everyone
    ).row
    evac_request(desk, household_id=group.id)
    op = operation(desk, allow_split_groups=True)
    first, second = bus(desk, op.id, 3, "Dubai P 1"), bus(desk, op.id, 3, "Dubai P 2", hours=2)
    ev.add_to_pool(desk, op.id, 1, criteria())
    summary = ev.allocate_leg(desk, op.id, 1).row
    assert summary.placed == 6 and summary.flagged == 0
    where = {r.person.id: trip.id for trip in (first, second) for r in ev.passengers(desk, trip.id)}
    assert where[son] == where[mother] and where[kids[0]] == where[kids[1]] == where[father]


def test_a_trip_judges_ages_and_passports_on_its_day_of_departure(desk):
    """A brother turning 18 the day the bus leaves takes his sister across: neither is flagged
    (his age was judged on today, and he was printed CHILD). A passport that runs out before
    the bus leaves was marked on the manifest only, not in the list the officer works from."""
    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import households

    day = DEPART.date()  # the bus leaves the day after today (the tests' today)
    assert day == desk.today() + timedelta(days=1)
    brother = register(desk, surname_lat="SADYK", given_names_lat="ARMAN", surname_cyr="Садық",
                       given_names_cyr="Арман", birth_date=day.replace(year=day.year - 18),
                       passport_no="N81000001", passport_expiry=desk.today(),
                       consent_date=date(2026, 3, 1))  # fmt: skip
    sister = register(desk, surname_lat="SADYK", given_names_lat="AIYM", surname_cyr="Садық",
                      given_names_cyr="Айым", birth_date=date(2015, 5, 5),
                      passport_no="N81000002", passport_expiry=date(2031, 1, 1),
                      consent_date=date(2026, 3, 1))  # fmt: skip
    family = households.create_household(desk, "Садықтар", HouseholdKind.FAMILY,
                                         member_ids=[brother.id, sister.id]).row  # fmt: skip
    evac_request(desk, household_id=family.id)
    op = operation(desk)
    trip = bus(desk, op.id, 5, "Dubai P 7")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    rows = {r.person.given_names_lat: r for r in ev.passengers(desk, trip.id)}
    assert rows["ARMAN"].problems == ("passport_expired",)  # valid today, not on the day
    assert rows["AIYM"].problems == ()  # with her brother, an adult that day
    printed = {p.given_names_lat: p for p in ev.manifest_data(desk, trip.id).passengers}
    assert (printed["ARMAN"].minor, printed["AIYM"].minor) == (False, True)
    assert printed["ARMAN"].problems == ("passport_expired",)


def test_who_waits_is_told_why_and_where_in_the_queue(desk, people):
    op = operation(desk)
    small = bus(desk, op.id, 2, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    summary = ev.allocate_leg(desk, op.id, 1).row
    assert (summary.placed, summary.waitlisted) == (2, 3)
    # The family of three fits no bus; the elder and the young man take the seats.
    assert names(ev.passengers(desk, small.id)) == ["KAIRAT", "ULAN"]
    waiting = ev.pool(desk, op.id, 1)
    assert [r.position for r in waiting] == [1, 2, 3]
    assert {r.reason_code for r in waiting} == {"waitlisted.group_too_big"}
    assert waiting[0].reason_params["largest_trip"] == 2


def test_allocating_again_with_nothing_to_change_changes_nothing(desk, people):
    """Those still waiting rise in the queue as others are seated: each run rewrote their
    reason (its rank) and the trail had an event, and the next bundle a change, for every
    person waiting each time the button was pressed."""
    op = operation(desk)
    bus(desk, op.id, 2, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    waiting = [(r.person.id, r.position, r.reason_code) for r in ev.pool(desk, op.id, 1)]
    with desk.casefile.read() as session:
        events = len(session.exec(select(AuditEvent)).all())
    again = ev.allocate_leg(desk, op.id, 1)
    assert (again.row.placed, again.row.waitlisted) == (0, 3)
    assert not again.changes.updated and not again.changes.created
    with desk.casefile.read() as session:
        assert len(session.exec(select(AuditEvent)).all()) == events
    assert [(r.person.id, r.position, r.reason_code) for r in ev.pool(desk, op.id, 1)] == waiting
    # A real change is still written: a bigger bus seats the family.
    bus(desk, op.id, 3, "Dubai P 2", hours=1)
    assert ev.allocate_leg(desk, op.id, 1).row.placed == 3


def test_allocation_is_deterministic_and_a_fresh_run_repeats_it(desk, people):
    op = operation(desk)
    a = bus(desk, op.id, 3, "Dubai P 1")
    b = bus(desk, op.id, 3, "Dubai P 2", hours=1)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    before = {t: [(r.person.id, r.seat) for r in ev.passengers(desk, t)] for t in (a.id, b.id)}
    again = ev.allocate_leg(desk, op.id, 1, fresh=True).row
    assert again.returned == 5 and again.placed == 5
    after = {t: [(r.person.id, r.seat) for r in ev.passengers(desk, t)] for t in (a.id, b.id)}
    assert after == before


def test_a_second_allocation_keeps_seats_already_given(desk, people):
    op = operation(desk)
    trip = bus(desk, op.id, 10, "Dubai P 1")
    ev.add_people(desk, op.id, 1, [people["young"].id])
    ev.allocate_leg(desk, op.id, 1)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    rows = ev.passengers(desk, trip.id)
    assert rows[0].person.id == people["young"].id and rows[0].seat == "1"
    assert len(rows) == 5 and len({r.seat for r in rows}) == 5


def test_allocating_a_leg_without_open_trips_is_refused(desk, people):
    op = operation(desk)
    with pytest.raises(ServiceError) as exc:
        ev.allocate_leg(desk, op.id, 1)
    assert exc.value.code == "allocation.no_trips"


def test_flights_leave_the_seat_to_the_airline(desk, people):
    op = operation(desk)
    flight = bus(desk, op.id, 180, "DV 5802", mode=TripMode.FLIGHT)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    assert {r.seat for r in ev.passengers(desk, flight.id)} == {None}


# -- moving people -------------------------------------------------------------------------


def test_moving_a_family_member_moves_the_family(desk, people):
    op = operation(desk)
    a = bus(desk, op.id, 5, "Dubai P 1")
    b = bus(desk, op.id, 5, "Dubai P 2", hours=1)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    son = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["son"].id)
    assert ev.move_passenger(desk, son.entry_id, b.id).row == 3
    moved = ev.passengers(desk, b.id)
    assert sorted(names(moved)) == ["GULNUR", "INKAR", "NURLAN"]
    assert moved[0].reason_code == "allocated.manual"
    assert moved[0].reason_params["previous"] == "Dubai P 1"
    assert names(ev.passengers(desk, a.id)) == ["KAIRAT", "ULAN"]


def test_a_move_into_a_full_trip_is_refused_with_the_numbers(desk, people):
    op = operation(desk)
    a = bus(desk, op.id, 5, "Dubai P 1")
    b = bus(desk, op.id, 2, "Dubai P 2", hours=1)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    mother = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["mother"].id)
    with pytest.raises(ServiceError) as exc:
        ev.move_passenger(desk, mother.entry_id, b.id)
    assert exc.value.code == "allocation.capacity"
    assert exc.value.params == {"trip": "Dubai P 2", "needed": 3, "free_seats": 2}


def test_a_person_can_be_sent_back_to_the_pool_and_taken_off_the_leg(desk, people):
    op = operation(desk)
    a = bus(desk, op.id, 5, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    young = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["young"].id)
    assert ev.move_passenger(desk, young.entry_id, None).row == 1
    waiting = ev.pool(desk, op.id, 1)
    assert names(waiting) == ["ULAN"] and waiting[0].reason_code == "waitlisted.manual"
    ev.remove_from_leg(desk, waiting[0].entry_id)
    assert ev.pool(desk, op.id, 1) == []


# -- boarding ------------------------------------------------------------------------------


@pytest.fixture
def seated(desk, people):
    op = operation(desk)
    trip = bus(desk, op.id, 10, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    return op, trip, {r.person.id: r for r in ev.passengers(desk, trip.id)}


def test_boarding_opens_the_trip_and_counts_update(desk, people, seated):
    op, trip, rows = seated
    row = ev.set_boarding(desk, rows[people["elder"].id].entry_id, ManifestStatus.BOARDED).row
    assert row.status == "boarded" and row.boarded_at is not None
    now = ev.get_trip(desk, trip.id)
    assert (now.status, now.boarded, now.allocated, now.free) == ("boarding", 1, 4, 5)
    assert ev.get_operation(desk, op.id).status == "under_way"
    undone = ev.set_boarding(desk, row.entry_id, ManifestStatus.ALLOCATED).row
    assert undone.status == "allocated" and undone.boarded_at is None


def test_a_no_show_goes_back_to_the_pool_and_can_still_board_late(desk, people, seated):
    op, trip, rows = seated
    entry = rows[people["young"].id].entry_id
    ev.set_boarding(desk, entry, ManifestStatus.NO_SHOW)
    waiting = ev.pool(desk, op.id, 1)
    assert names(waiting) == ["ULAN"] and waiting[0].reason_code == "waitlisted.no_show"
    assert waiting[0].reason_params["trip"] == "Dubai P 1"
    history = {r.entry_id: r.status for r in ev.passengers(desk, trip.id)}
    assert history[entry] == "no_show"
    ev.set_boarding(desk, entry, ManifestStatus.BOARDED)  # turned up after all
    assert ev.pool(desk, op.id, 1) == []
    assert ev.get_trip(desk, trip.id).boarded == 1


def test_wrong_boarding_moves_are_refused(desk, people, seated):
    op, _trip, _rows = seated
    walk_in = nationals.register_national(desk, person(passport_no="N90000009")).row
    ev.add_people(desk, op.id, 1, [walk_in.id])
    waiting = ev.pool(desk, op.id, 1)[0]
    with pytest.raises(ServiceError) as exc:
        ev.set_boarding(desk, waiting.entry_id, ManifestStatus.BOARDED)
    assert exc.value.code == "boarding.transition"


def test_departure_makes_no_shows_and_arrival_of_the_last_leg_evacuates(desk, people, seated):
    op, trip, rows = seated
    for key in ("mother", "son", "daughter", "elder"):
        ev.set_boarding(desk, rows[people[key].id].entry_id, ManifestStatus.BOARDED)
    ev.set_trip_status(desk, trip.id, TripStatus.DEPARTED)
    assert names(ev.pool(desk, op.id, 1)) == ["ULAN"]
    assert nationals.get_national(desk, people["elder"].id).presence_status == "in_transit"
    ev.set_trip_status(desk, trip.id, TripStatus.ARRIVED)
    assert nationals.get_national(desk, people["son"].id).presence_status == "evacuated"
    assert nationals.get_national(desk, people["young"].id).presence_status != "evacuated"
    evac = requests.list_requests(desk, statuses=None, kinds=[RequestKind.EVACUATION])
    by_subject = {(r.household_id or r.national_id): r.status for r in evac}
    assert by_subject[people["family"].id] == RequestStatus.RESOLVED.value
    assert by_subject[people["elder"].id] == RequestStatus.RESOLVED.value
    assert by_subject[people["young"].id] != RequestStatus.RESOLVED.value
    with pytest.raises(ServiceError) as exc:
        ev.set_trip_status(desk, trip.id, TripStatus.CANCELLED)
    assert exc.value.code == "trip.transition"


def test_a_cancelled_trip_returns_its_passengers_to_the_pool(desk, people, seated):
    op, trip, _rows = seated
    ev.set_trip_status(desk, trip.id, TripStatus.CANCELLED)
    waiting = ev.pool(desk, op.id, 1)
    assert len(waiting) == 5 and {r.reason_code for r in waiting} == {"waitlisted.trip_cancelled"}


def test_the_next_leg_takes_its_pool_from_the_previous_one(desk, people, seated):
    op, _trip, _rows = seated
    bus(desk, op.id, 180, "DV 5802", leg_no=2, hours=10, mode=TripMode.FLIGHT)
    with pytest.raises(ServiceError):
        ev.add_to_pool(desk, op.id, 1, ev.CandidateCriteria(from_previous_leg=True))
    added = ev.add_to_pool(desk, op.id, 2, ev.CandidateCriteria(from_previous_leg=True)).row
    assert added == 5
    ev.allocate_leg(desk, op.id, 2)
    assert ev.get_operation(desk, op.id).leg(2).allocated == 5


# -- scanning ------------------------------------------------------------------------------


def test_scanning_a_slip_boards_the_passenger_once(desk, people, seated):
    _op, trip, rows = seated
    entry = rows[people["mother"].id].entry_id
    first = ev.scan(desk, trip.id, slip_payload(entry))
    assert first.outcome == "boarded" and first.passenger.person.id == people["mother"].id
    assert first.changes
    again = ev.scan(desk, trip.id, slip_payload(entry))
    assert again.outcome == "already_boarded" and not again.changes


def test_scanning_under_a_russian_layout_still_boards(desk, people, seated):
    _op, trip, rows = seated
    entry = rows[people["son"].id].entry_id
    us = "qwertyuiop[]asdfghjkl;'zxcvbnm,." + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
    ru = "йцукенгшщзхъфывапролджэячсмитьбю" + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
    typed = slip_payload(entry).translate(str.maketrans(us, ru))
    assert ev.scan(desk, trip.id, typed).outcome == "boarded"


def test_a_typed_seat_or_passport_number_boards(desk, people, seated):
    _op, trip, rows = seated
    seat = rows[people["young"].id].seat
    assert ev.scan(desk, trip.id, seat).passenger.person.id == people["young"].id
    assert ev.scan(desk, trip.id, "n44444444").passenger.person.id == people["elder"].id
    assert ev.get_trip(desk, trip.id).boarded == 2


def test_scans_that_do_not_board_say_why(desk, people, seated):
    op, trip, rows = seated
    other = bus(desk, op.id, 10, "Dubai P 2", hours=2)
    young = rows[people["young"].id]
    ev.move_passenger(desk, young.entry_id, other.id)
    moved = ev.scan(desk, trip.id, slip_payload(young.entry_id))
    assert (moved.outcome, moved.trip_label) == ("other_trip", "Dubai P 2")
    page = ev.scan(desk, trip.id, f"CONSULDESK:MANIFEST:{other.id}:1")
    assert (page.outcome, page.trip_id) == ("open_manifest", other.id)
    assert ev.scan(desk, trip.id, "hello world!").outcome == "unknown"
    typed = ev.scan(desk, trip.id, "99")  # a seat nobody has: said as a seat
    assert (typed.outcome, typed.printed_seat) == ("no_seat", "99")
    number = ev.scan(desk, trip.id, "045678912")  # an ID card's digits: a passport number
    assert (number.outcome, number.printed_seat) == ("no_passport", "045678912")
    register(desk, passport_no="N99999999", surname_lat="STRANGER", given_names_lat="ANNA")
    stranger = ev.scan(desk, trip.id, "N99999999")
    assert stranger.outcome == "not_on_trip" and stranger.person.given_names_lat == "ANNA"
    ev.set_trip_status(desk, trip.id, TripStatus.DEPARTED)
    late = ev.scan(desk, trip.id, slip_payload(rows[people["elder"].id].entry_id))
    assert late.outcome == "trip_closed"


# -- documents -----------------------------------------------------------------------------


def test_the_printed_manifest_lists_the_seated_with_kazakh_letters(desk, people, seated, tmp_path):
    _op, trip, _rows = seated
    out = ev.print_manifest(desk, trip.id, tmp_path / "manifest.pdf", second_language="kk")
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    expected = ("Әбілова Гүлнұр", "Әбілов Нұрлан", "Әбілова Іңкәр", "Өтегенов Қайрат",
                "Һашимов Ұлан", "Dubai P 1", "Hatta / Al Wajajah",
                "Embassy of Kazakhstan")  # fmt: skip
    for name in expected:
        assert name in text
    assert "Сейіт" not in text
    data = ev.manifest_data(desk, trip.id)
    assert [p.number for p in data.passengers] == [1, 2, 3, 4, 5]
    assert data.manifest_id == trip.id
    minors = [p for p in data.passengers if p.minor]
    assert {p.given_names_lat for p in minors} == {"NURLAN", "INKAR"}
    assert not any(p.boarded for p in data.passengers)


def test_a_manifest_reprinted_during_boarding_ticks_who_boarded(desk, people, seated, tmp_path):
    _op, trip, rows = seated
    ev.set_boarding(desk, rows[people["elder"].id].entry_id, ManifestStatus.BOARDED)
    ev.set_boarding(desk, rows[people["young"].id].entry_id, ManifestStatus.BOARDED)
    data = ev.manifest_data(desk, trip.id)
    assert {p.given_names_lat for p in data.passengers if p.boarded} == {"KAIRAT", "ULAN"}
    out = ev.print_manifest(desk, trip.id, tmp_path / "again.pdf")
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert text.count("✓") == 2


def test_the_manifest_csv_opens_in_excel_with_cyrillic(desk, people, seated, tmp_path):
    _op, trip, rows = seated
    ev.set_boarding(desk, rows[people["elder"].id].entry_id, ManifestStatus.BOARDED)
    out = ev.export_manifest_csv(desk, trip.id, tmp_path / "manifest.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert table[0] == list(ev.MANIFEST_CSV_COLUMNS)
    assert len(table) == 6
    elder = next(r for r in table if r[1] == "OTEGENOV")
    assert elder[3] == "Өтегенов Қайрат" and elder[5] == "01.01.1950" and elder[-1] == "boarded"
    assert elder[11] == "Y"
    moving, alone = table[0].index("Help moving"), table[0].index("Unaccompanied minor")
    flags = {r[1] + " " + r[2]: (r[moving], r[alone]) for r in table[1:]}
    assert flags["OTEGENOV KAIRAT"] == ("", "") and flags["ABILOV NURLAN"] == ("", "")
    check = table[0].index("To check before the border")
    words = {r[1]: r[check] for r in table[1:]}
    assert words["OTEGENOV"] == "Passport expired; No consent" and words["KHASHIMOV"] == ""


def test_a_manifest_that_cannot_be_written_says_where_and_leaves_nothing(
    desk, seated, tmp_path, monkeypatch
):
    _op, trip, _rows = seated
    missing = tmp_path / "no-such-folder" / "m.csv"
    with pytest.raises(ServiceError) as exc:
        ev.export_manifest_csv(desk, trip.id, missing)
    assert exc.value.code == "file.no_folder"
    assert exc.value.params["folder"] == str(missing.parent)
    with pytest.raises(ServiceError) as exc:
        ev.print_manifest(desk, trip.id, tmp_path / "no-such-folder" / "m.pdf")
    assert exc.value.code == "file.no_folder"
    # A full USB stick: the old file stays as it was and no temporary file is left behind.
    existing = tmp_path / "keep.csv"
    existing.write_text("old")
    import consuldesk.services.files as files

    def full(_src, _dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full)
    with pytest.raises(ServiceError) as exc:
        ev.export_manifest_csv(desk, trip.id, existing)
    assert exc.value.code == "file.write"
    assert exc.value.params == {"path": str(existing), "reason": "the disk is full"}
    assert existing.read_text() == "old"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep.csv")]


def test_every_change_is_audited(desk, people, seated):
    _op, _trip, rows = seated
    entry = rows[people["elder"].id].entry_id
    ev.set_boarding(desk, entry, ManifestStatus.BOARDED)
    with desk.casefile.read() as session:
        from sqlmodel import select

        events = session.exec(select(AuditEvent).where(AuditEvent.record_id == entry)).all()
    changes = [e.changes for e in events]
    assert any(c.get("status") == ["allocated", "boarded"] for c in changes)
    reasons = [json.loads(c["reason"][1])["code"] for c in changes if "reason" in c]
    assert reasons == ["pool.criteria", "allocated.priority"]


def test_when_every_bus_is_full_people_wait_for_capacity_not_for_a_bigger_bus(desk, people):
    op = operation(desk)
    bus(desk, op.id, 5, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    late = register(desk, surname_lat="LATE", given_names_lat="ARMAN", passport_no="N77777777")
    ev.add_people(desk, op.id, 1, [late.id])
    ev.allocate_leg(desk, op.id, 1)
    waiting = ev.pool(desk, op.id, 1)
    assert names(waiting) == ["ARMAN"]
    assert waiting[0].reason_code == "waitlisted.capacity"
    assert waiting[0].reason_params["free_seats"] == 0


def test_the_reason_reads_as_a_sentence_for_a_person_and_for_a_group(desk, people):
    from consuldesk.messages import explain_reason

    op = operation(desk)
    trip = bus(desk, op.id, 4, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    rows = {r.person.id: r for r in ev.passengers(desk, trip.id)}
    elder = rows[people["elder"].id]
    assert explain_reason(elder.reason_code, elder.reason_params) == (
        "On Dubai P 1: priority “over 60”, number 1 in the queue; seats left after them: 3"
    )
    son = rows[people["son"].id]
    assert explain_reason(son.reason_code, son.reason_params).startswith(
        "On Dubai P 1 with their group of 3: the group's priority is “woman with minor children”"
    )
    young = ev.pool(desk, op.id, 1)[0]
    assert explain_reason(young.reason_code, young.reason_params) == (
        "Waiting, number 1 on the list: priority “everyone else”, number 3 in the queue; "
        "no vehicle had a free seat left"
    )
    assert explain_reason(None, {}) == ""
    assert explain_reason("pool.manual", {}) == "Added by hand; not allocated yet"


def test_nobody_holds_seats_in_two_operations(desk, people, seated):
    _op, _trip, rows = seated
    ev.set_boarding(desk, rows[people["elder"].id].entry_id, ManifestStatus.BOARDED)
    other = operation(desk, name="Абу-Даби — Маскат")
    second = bus(desk, other.id, 50, "AD 1234")
    # Everyone of the first operation has a seat there: the second one finds nobody new,
    # and says why ("0 added" alone was a mystery).
    preview = ev.preview_candidates(desk, other.id, 1, criteria())
    assert (preview.matching, preview.elsewhere) == (0, 5)
    # Added by hand anyway, they wait, and are told where their seat is.
    ev.add_people(desk, other.id, 1, [people["elder"].id, people["young"].id])
    summary = ev.allocate_leg(desk, other.id, 1).row
    assert (summary.placed, summary.waitlisted, summary.elsewhere) == (0, 0, 2)  # all counted
    waiting = {r.person.id: r for r in ev.pool(desk, other.id, 1)}
    assert waiting[people["elder"].id].reason_code == "waitlisted.elsewhere"
    assert waiting[people["elder"].id].reason_params == {"trip": "Dubai P 1"}
    with pytest.raises(ServiceError) as exc:
        ev.move_passenger(desk, waiting[people["young"].id].entry_id, second.id)
    assert exc.value.code == "move.seated_elsewhere"
    assert exc.value.params == {"person": "Һашимов Ұлан", "trip": "Dubai P 1"}
    # Taken off the first operation, they are free for the second.
    ev.remove_from_leg(desk, rows[people["young"].id].entry_id)
    assert ev.move_passenger(desk, waiting[people["young"].id].entry_id, second.id).row == 1


def test_a_passport_without_the_name_printed_in_it_is_a_problem_for_the_border(desk, people):
    op = operation(desk)
    trip = bus(desk, op.id, 49, "Dubai P 1")
    nameless = nationals.register_national(
        desk, person(surname_lat=None, given_names_lat=None, passport_no="N77777777")
    ).row
    ev.add_people(desk, op.id, 1, [nameless.id, people["young"].id], with_family=False)
    ev.allocate_leg(desk, op.id, 1)
    problems = {r.person.id: r.problems for r in ev.passengers(desk, trip.id)}
    assert "no_passport_name" in problems[nameless.id]
    assert "no_passport_name" not in problems[people["young"].id]


def test_a_walk_in_is_added_by_hand_with_their_family_still_here(desk, people):
    op = operation(desk)
    bus(desk, op.id, 49, "Dubai P 1")
    added = ev.add_people(desk, op.id, 1, [people["son"].id], with_family=True)
    assert added.row == 3  # the boy at the gate, his mother and his sister
    waiting = {r.person.id: r.reason_code for r in ev.pool(desk, op.id, 1)}
    family = {people[k].id for k in ("mother", "son", "daughter")}
    assert set(waiting) == family and set(waiting.values()) == {"pool.manual"}
    assert ev.add_people(desk, op.id, 1, [people["young"].id]).row == 1  # alone: himself


def test_legs_follow_one_another(desk, people):
    op = operation(desk)
    with pytest.raises(ServiceError) as exc:
        bus(desk, op.id, 49, "Far away", leg_no=2)
    assert (exc.value.code, exc.value.params) == ("trip.leg_gap", {"leg": 2, "next": 1})
    bus(desk, op.id, 49, "Dubai P 1")
    with pytest.raises(ServiceError) as exc:
        ev.add_to_pool(desk, op.id, 7, criteria())
    assert (exc.value.code, exc.value.params) == ("pool.no_leg", {"leg": 7})
    with pytest.raises(ServiceError):
        ev.add_people(desk, op.id, 2, [people["young"].id])
    bus(desk, op.id, 180, "DV 5802", leg_no=2, mode=TripMode.FLIGHT)
    assert ev.add_people(desk, op.id, 2, [people["young"].id]).row == 1


def test_each_row_says_how_many_people_a_move_takes_along(desk, people, seated):
    op, trip, rows = seated
    shown = {r.person.id: r.travels_with for r in ev.passengers(desk, trip.id)}
    assert shown[people["son"].id] == 3 and shown[people["elder"].id] == 1
    ev.set_boarding(desk, rows[people["mother"].id].entry_id, ManifestStatus.BOARDED)
    shown = {r.person.id: r.travels_with for r in ev.passengers(desk, trip.id)}
    assert shown[people["son"].id] == 2  # the boarded mother stays where she is
    split = ev.update_operation(
        desk, op.id, ev.OperationFields(name=op.name, host_country="AE", allow_split_groups=True)
    ).row
    assert split.allow_split_groups
    assert {r.travels_with for r in ev.passengers(desk, trip.id)} == {1}


# -- printed paper and re-allocation ---------------------------------------------------------


def _printed_young_alone(desk, people, tmp_path, capacity=10):
    """The young man alone seated (seat 1), his slip and the manifest printed; then the others
    (the elder over 60 and the mother with minors come first) join the waiting list."""
    op = operation(desk)
    trip = bus(desk, op.id, capacity, "Dubai P 1")
    ev.add_people(desk, op.id, 1, [people["young"].id])
    ev.allocate_leg(desk, op.id, 1)
    young = ev.passengers(desk, trip.id)[0]
    assert young.seat == "1"
    ev.print_boarding_slips(desk, trip.id, tmp_path / "slips.pdf")
    ev.print_manifest(desk, trip.id, tmp_path / "manifest.pdf")
    ev.add_to_pool(desk, op.id, 1, criteria())
    return op, trip, young


def test_printing_slips_and_manifests_is_recorded_with_their_seats(desk, people, seated, tmp_path):
    from consuldesk.services import printed

    _op, trip, rows = seated
    young = rows[people["young"].id]
    ev.print_boarding_slips(desk, trip.id, tmp_path / "s.pdf", entry_ids=[young.entry_id])
    ev.print_manifest(desk, trip.id, tmp_path / "m.pdf")
    with desk.casefile.read() as session:
        found = printed.last_printed(session, [r.entry_id for r in rows.values()], [trip.id])
    assert found.slips == {young.entry_id: (trip.id, young.seat)}  # only the slip printed
    assert found.manifests == {trip.id: {r.entry_id: r.seat for r in rows.values()}}
    # A print is not a change of a field: sync's merge reads earlier values off the trail.
    with desk.casefile.read() as session:
        from sqlmodel import select

        events = session.exec(select(AuditEvent).where(AuditEvent.action == "printed")).all()
    assert len(events) == 2 and all(set(e.changes) == {"printed"} for e in events)


def test_a_fresh_allocation_says_which_printed_paper_it_makes_wrong(desk, people, tmp_path):
    op, trip, _young = _printed_young_alone(desk, people, tmp_path)
    impact = ev.reallocation_impact(desk, op.id, 1)
    # Fresh: the elder and the family take seats 1-4, the young man's slip (seat 1) and the
    # manifest are wrong. Keeping the seats: his slip stands, the manifest misses four people.
    assert impact == ev.ReallocationImpact(
        seated=1,
        slips=1,
        manifests=1,
        manifests_if_kept=1,
        slip_names=(people["young"].name,),  # whose slip to take back
        manifest_trips=(trip.label,),
        manifest_trips_if_kept=(trip.label,),
    )
    ev.allocate_leg(desk, op.id, 1, fresh=True)
    # Paper already wrong is not counted again.
    after = ev.reallocation_impact(desk, op.id, 1)
    assert (after.slips, after.manifests, after.manifests_if_kept) == (0, 0, 0)
    assert ev.get_trip(desk, trip.id).seated == 5


def test_nothing_printed_means_nothing_to_invalidate(desk, people, seated):
    op, _trip, _rows = seated
    impact = ev.reallocation_impact(desk, op.id, 1)
    assert impact == ev.ReallocationImpact(seated=5, slips=0, manifests=0, manifests_if_kept=0)


def test_a_replaced_slip_boards_in_the_new_seat_and_says_so(desk, people, tmp_path):
    op, trip, young = _printed_young_alone(desk, people, tmp_path)
    old_slip = slip_payload(young.entry_id, trip.id, "1")
    ev.allocate_leg(desk, op.id, 1, fresh=True)
    result = ev.scan(desk, trip.id, old_slip)
    assert result.outcome == "replaced_boarded" and result.printed_seat == "1"
    assert result.passenger.seat == "5" and result.passenger.status == "boarded"
    # A slip printed for the seat held now boards as usual.
    elder = next(r for r in ev.passengers(desk, trip.id) if r.person.id == people["elder"].id)
    fresh_slip = slip_payload(elder.entry_id, trip.id, elder.seat)
    assert ev.scan(desk, trip.id, fresh_slip).outcome == "boarded"


def test_a_replaced_slip_names_the_new_vehicle_or_the_waiting_list(desk, people, tmp_path):
    op, trip, young = _printed_young_alone(desk, people, tmp_path, capacity=4)
    old_slip = slip_payload(young.entry_id, trip.id, "1")
    ev.allocate_leg(desk, op.id, 1, fresh=True)  # the elder and the family fill the bus
    waiting = ev.scan(desk, trip.id, old_slip)
    assert waiting.outcome == "replaced_waitlisted" and waiting.passenger.position == 1
    other = bus(desk, op.id, 10, "Dubai P 2", hours=2)
    ev.allocate_leg(desk, op.id, 1)
    moved = ev.scan(desk, trip.id, old_slip)
    assert (moved.outcome, moved.trip_id, moved.trip_label) == (
        "replaced_other_trip",
        other.id,
        "Dubai P 2",
    )
    assert moved.passenger.seat == "1" and not moved.changes
    # An old slip without the printed seat still reads as before.
    assert ev.scan(desk, trip.id, slip_payload(young.entry_id)).outcome == "other_trip"


def test_manifests_slips_and_manifest_csvs_are_in_the_trail_with_their_files(
    desk, people, seated, tmp_path
):
    import hashlib

    from consuldesk.services.audit import AuditFilter, find_events

    _op, trip, rows = seated
    pdf = ev.print_manifest(desk, trip.id, tmp_path / "manifest.pdf")
    slips = ev.print_boarding_slips(
        desk, trip.id, tmp_path / "slips.pdf", entry_ids=[rows[people["elder"].id].entry_id]
    )
    csv_out = ev.export_manifest_csv(desk, trip.id, tmp_path / "manifest.csv")
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (pdf, slips, csv_out)}

    printed = find_events(desk, AuditFilter(kind="prints")).rows
    slip, manifest = printed  # newest first
    seat = rows[people["elder"].id].seat
    assert (slip.table, slip.summary) == ("manifest_entry", f"Boarding slip printed, seat {seat}")
    assert (manifest.table, manifest.summary) == ("trip", "Manifest printed: 5 passengers")
    assert slip.changes["printed"]["file"] == "slips.pdf"
    assert slip.changes["printed"]["sha256"] == digest["slips.pdf"]
    assert slip.subject == "Өтегенов Қайрат"
    assert manifest.changes["printed"]["sha256"] == digest["manifest.pdf"]
    assert manifest.record_id == trip.id and len(manifest.changes["printed"]["seats"]) == 5
    (exported,) = find_events(desk, AuditFilter(kind="exports")).rows
    assert (exported.table, exported.record_id) == ("trip", trip.id)
    assert exported.changes["sha256"] == digest["manifest.csv"]
    assert exported.summary == "Manifest exported (CSV): 5 passengers"


def test_a_seat_freed_by_a_no_show_and_given_away_is_never_held_twice(desk, people, seated):
    op, trip, rows = seated
    late = rows[people["young"].id]
    ev.set_boarding(desk, late.entry_id, ManifestStatus.NO_SHOW)
    walk_in = nationals.register_national(desk, person(passport_no="N90000009")).row
    ev.add_people(desk, op.id, 1, [walk_in.id])
    newcomer = next(r for r in ev.pool(desk, op.id, 1) if r.person.id == walk_in.id)
    ev.move_passenger(desk, newcomer.entry_id, trip.id)
    given = {r.person.id: r.seat for r in ev.passengers(desk, trip.id) if r.status == "allocated"}
    assert given[walk_in.id] == late.seat  # the no-show's seat, free now
    ev.set_boarding(desk, late.entry_id, ManifestStatus.ALLOCATED)  # they turned up after all
    seated_now = [r for r in ev.passengers(desk, trip.id) if r.status in ("allocated", "boarded")]
    seats = [r.seat for r in seated_now]
    assert len(seats) == len(set(seats)) == 6, seats  # a seat of their own, not seat 4 twice
    assert given[walk_in.id] in seats


def test_allocating_again_after_a_no_show_seats_them_on_their_own_entry(desk, people, seated):
    """Keep seats after a no-show once failed on the trip's one-entry-a-person rule, and the
    window stayed on "Allocating seats…"."""
    op, trip, rows = seated
    late = rows[people["young"].id]
    ev.set_boarding(desk, late.entry_id, ManifestStatus.NO_SHOW)
    summary = ev.allocate_leg(desk, op.id, 1).row
    assert summary.placed == 1 and summary.waitlisted == 0
    theirs = [r for r in ev.passengers(desk, trip.id) if r.person.id == people["young"].id]
    assert [(r.entry_id, r.status) for r in theirs] == [(late.entry_id, "allocated")]
    assert ev.pool(desk, op.id, 1) == []
    # Moved there by hand, the same.
    ev.set_boarding(desk, late.entry_id, ManifestStatus.NO_SHOW)
    waiting = next(r for r in ev.pool(desk, op.id, 1) if r.person.id == people["young"].id)
    assert ev.move_passenger(desk, waiting.entry_id, trip.id).row == 1
    theirs = [r for r in ev.passengers(desk, trip.id) if r.person.id == people["young"].id]
    assert [(r.entry_id, r.status) for r in theirs] == [(late.entry_id, "allocated")]


def test_someone_recorded_as_evacuated_is_not_put_on_a_leg_by_hand(desk, people):
    op = operation(desk)
    bus(desk, op.id, 49, "Dubai P 1")
    with pytest.raises(ServiceError) as caught:
        ev.add_people(desk, op.id, 1, [people["gone"].id])
    assert caught.value.code == "pool.gone"
    from consuldesk.messages import describe

    assert describe(caught.value).startswith("Сейіт Ерлан is recorded as evacuated")
    assert ev.pool(desk, op.id, 1) == []


def _two_buses(desk, people, dubai_seats):
    """A bus from Abu Dhabi (leaving first) and one from Dubai; the young man is in an Abu
    Dhabi hotel tonight (his record says Dubai, as everyone's does)."""
    from consuldesk.services.hotels import HotelFields, add_hotel, place

    hotel = add_hotel(desk, HotelFields(name="Bab Al Qasr", city="Абу-Даби", beds=10)).row
    place(desk, hotel.id, [people["young"].id], desk.today())
    op = operation(desk)
    fields = dict(leg_no=1, destination="Muscat", mode=TripMode.BUS, departure_at=DEPART)
    auh = ev.add_trip(desk, op.id, ev.TripFields(origin="Abu Dhabi", capacity=4,
                                                 vehicle="AUH 1", **fields)).row  # fmt: skip
    dxb = ev.add_trip(desk, op.id, ev.TripFields(origin="Дубай, Al Quoz", capacity=dubai_seats,
                                                 vehicle="DXB 1", **fields)).row  # fmt: skip
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    return auh, dxb


def test_people_take_the_vehicle_leaving_from_where_they_are_tonight(desk, people):
    """The family in Dubai was put on the Abu Dhabi bus (it left first) while the man in an
    Abu Dhabi hotel was sent to the Dubai one."""
    auh, dxb = _two_buses(desk, people, dubai_seats=4)
    assert names(ev.passengers(desk, dxb.id)) == ["KAIRAT", "GULNUR", "NURLAN", "INKAR"]
    assert names(ev.passengers(desk, auh.id)) == ["ULAN"]


def test_when_the_bus_from_their_city_is_full_people_are_told_why_they_go_from_another(
    desk, people
):
    from consuldesk.messages import explain_reason

    auh, dxb = _two_buses(desk, people, dubai_seats=2)
    assert names(ev.passengers(desk, dxb.id)) == ["KAIRAT"]
    on_auh = ev.passengers(desk, auh.id)
    assert names(on_auh) == ["GULNUR", "NURLAN", "INKAR", "ULAN"]
    mother = on_auh[0]
    assert mother.reason_code == "allocated.other_city"
    assert "the vehicles from Dubai were full" in explain_reason(
        mother.reason_code, mother.reason_params
    )
    assert on_auh[3].reason_code == "allocated.priority"  # his bus leaves from where he is


def test_a_deleted_person_gives_back_their_seat_bed_and_open_requests(desk, people, seated):
    """A person deleted kept their seat: 'seated 7/180' while the manifest listed 6, the
    situation report counted them allocated, their open request stayed open."""
    from consuldesk.services import stats
    from consuldesk.services.hotels import HotelFields, add_hotel, list_placements, place

    _op, trip, _rows = seated
    hotel = add_hotel(desk, HotelFields(name="Bab Al Qasr", city="Dubai", beds=10)).row
    young = people["young"]
    place(desk, hotel.id, [young.id], desk.today())
    before = ev.get_trip(desk, trip.id).seated
    assert young.id in {r.person.id for r in ev.passengers(desk, trip.id)}
    open_before = stats.situation(desk).open_requests

    nationals.delete_national(desk, young.id)
    assert ev.get_trip(desk, trip.id).seated == before - 1
    assert young.id not in {r.person.id for r in ev.passengers(desk, trip.id)}
    assert stats.situation(desk).open_requests == open_before - 1
    assert stats.situation(desk).hotel_occupied == 0
    [stay] = [p for p in list_placements(desk) if p.national_id == young.id]
    assert stay.status == "cancelled"  # the booking, as the hotel's record


def test_a_person_who_loses_the_first_leg_loses_the_flight_after_it(desk, people):
    """After a fresh run on leg 1 left him waiting, the flight of leg 2 still listed him
    ("seated 37/150" against 36 on the buses), and that seat kept him out of any other
    operation ("already seated on KC 8964")."""
    op = operation(desk)
    bus1 = bus(desk, op.id, 5, "Dubai P 1")
    flight = bus(desk, op.id, 150, "KC 8964", leg_no=2, mode=TripMode.FLIGHT, hours=8)
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    ev.add_to_pool(desk, op.id, 2, ev.CandidateCriteria())
    ev.allocate_leg(desk, op.id, 2)
    on_flight = {r.person.id for r in ev.passengers(desk, flight.id)}
    young = people["young"]
    assert young.id in on_flight and len(on_flight) == 5

    # The bus shrinks to four seats (a smaller vehicle came): a fresh run leaves him waiting.
    with desk.write() as tx:
        trip = ev.live_trip(tx.session, bus1.id)
        tx.update(trip, {"capacity": 4})
    summary = ev.allocate_leg(desk, op.id, 1, fresh=True).row
    assert young.id in {r.person.id for r in ev.pool(desk, op.id, 1)}
    assert summary.later_released == 1
    assert young.id not in {r.person.id for r in ev.passengers(desk, flight.id)}
    assert ev.get_trip(desk, flight.id).seated == 4

    # Taken off leg 1 by hand: off the flight too.
    elder = next(r for r in ev.passengers(desk, bus1.id) if r.person.id == people["elder"].id)
    ev.remove_from_leg(desk, elder.entry_id)
    assert people["elder"].id not in {r.person.id for r in ev.passengers(desk, flight.id)}


def test_to_check_before_the_border_counts_the_seated_the_same_on_every_run(desk, people):
    """It counted each run's candidates, the waiting ones too: 40, then 4, then 0 for the same
    seats."""
    op = operation(desk)
    bus(desk, op.id, 4, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    first = ev.allocate_leg(desk, op.id, 1).row
    again = ev.allocate_leg(desk, op.id, 1).row
    # The man over 60 (expired passport, no consent) is seated; the one waiting is not counted.
    assert (first.flagged, again.flagged) == (1, 1)
    assert ev.allocate_leg(desk, op.id, 1, fresh=True).row.flagged == 1


def test_of_two_people_of_one_class_the_one_who_called_first_gets_the_last_seat(desk):
    first = register(desk, surname_cyr="Яковлев", surname_lat="YAKOVLEV", passport_no="N70000001",
                     given_names_lat="IVAN", sex=None, birth_date=date(1990, 1, 1))  # fmt: skip
    evac_request(desk, national_id=first.id)  # called first
    later = register(desk, surname_cyr="Абаев", surname_lat="ABAEV", passport_no="N70000002",
                     given_names_lat="ARMAN", sex=None, birth_date=date(1991, 1, 1))  # fmt: skip
    evac_request(desk, national_id=later.id)
    op = operation(desk)
    trip = bus(desk, op.id, 1, "Dubai P 1")
    ev.add_to_pool(desk, op.id, 1, criteria())
    ev.allocate_leg(desk, op.id, 1)
    assert names(ev.passengers(desk, trip.id)) == ["IVAN"]
    assert names(ev.pool(desk, op.id, 1)) == ["ARMAN"]
