"""Tests for consuldesk.services.hotels."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.domain.enums import HouseholdKind, PaidBy, PresenceStatus, Sex
from consuldesk.services import hotels as ht
from consuldesk.services.errors import ServiceError
from consuldesk.services.households import create_household
from consuldesk.services.nationals import get_national, history, register_national, set_presence
from consuldesk.store.errors import NotFound
from tests.factories import person

D = date  # short dates in tables of expectations
TODAY = D(2026, 3, 10)


def _audit_count(desk) -> int:
    with desk.casefile.read() as session:
        return session.connection().exec_driver_sql("SELECT count(*) FROM audit_event").scalar()


def _people(desk, n: int):
    names = [
        ("Қасымова", "Әйгерім", "KASSYMOVA", "AIGERIM", Sex.FEMALE),
        ("Қасымов", "Ерлан", "KASSYMOV", "YERLAN", Sex.MALE),
        ("Сейітова", "Айгүл", "SEIITOVA", "AIGUL", Sex.FEMALE),
        ("Нұрланов", "Бекзат", "NURLANOV", "BEKZAT", Sex.MALE),
        ("Жұмабаева", "Гүлнар", "ZHUMABAYEVA", "GULNAR", Sex.FEMALE),
    ]
    rows = []
    for i, (sc, gc, sl, gl, sex) in enumerate(names[:n]):
        fields = person(
            surname_cyr=sc,
            given_names_cyr=gc,
            surname_lat=sl,
            given_names_lat=gl,
            sex=sex,
            birth_date=D(1980 + i, 1 + i, 10 + i),
        )
        rows.append(register_national(desk, fields).row)
    return rows


@pytest.fixture
def hotel(desk):
    return ht.add_hotel(
        desk,
        ht.HotelFields(
            name="Rove Downtown",
            city="Dubai",
            rooms=2,
            beds=3,
            nightly_rate_minor=25000,
            currency="aed",
        ),
    ).row


def test_add_and_update_hotel(desk, hotel):
    assert hotel.currency == "AED"
    assert ht.get_hotel(desk, hotel.id) == hotel
    assert history(desk, hotel.id)[0].changes["name"] == [None, "Rove Downtown"]
    written = ht.update_hotel(
        desk,
        hotel.id,
        ht.HotelFields(
            name="Rove Downtown",
            city="Dubai",
            rooms=2,
            beds=4,
            nightly_rate_minor=25000,
            currency="AED",
            tour_operator="Kompas Tour",
        ),
    )
    assert written.changes.updated == {"hotel": {hotel.id}}
    assert history(desk, hotel.id)[-1].changes == {
        "beds": [3, 4],
        "tour_operator": [None, "Kompas Tour"],
    }
    assert [h.name for h in ht.list_hotels(desk)] == ["Rove Downtown"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (ht.HotelFields(name="X", currency="XYZ"), "currency.unknown", "currency"),
        (ht.HotelFields(name="X", currency="теңге"), "currency.unknown", "currency"),
        (ht.HotelFields(name="  "), "hotel.name", "name"),
        (ht.HotelFields(name="X", beds=-1), "value.negative", "beds"),
    ],
)
def test_hotel_validation(desk, fields, code, field):
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        ht.add_hotel(desk, fields)
    assert (err.value.code, err.value.field) == (code, field)
    assert _audit_count(desk) == before


def test_tenge_is_a_currency(desk):
    assert ht.add_hotel(desk, ht.HotelFields(name="Rixos", currency="KZT")).row.currency == "KZT"


def test_place_books_one_placement_per_person(desk, hotel):
    a, b = _people(desk, 2)
    written = ht.place(
        desk, hotel.id, [a.id, b.id, a.id], D(2026, 3, 8), D(2026, 3, 12), room="204"
    )
    rows = written.row
    assert len(rows) == 2
    assert {r.national_id for r in rows} == {a.id, b.id}
    assert all(r.status == "booked" and r.room == "204" for r in rows)
    assert all(r.nightly_cost_minor == 25000 and r.currency == "AED" for r in rows)
    assert all(r.nights == 4 and r.cost_minor == 100000 for r in rows)
    assert written.changes.tables == {"placement"}  # booking does not move anyone yet
    assert get_national(desk, a.id).presence_status == "unknown"
    assert history(desk, rows[0].id)[0].changes["hotel_id"] == [None, hotel.id]


def test_place_checked_in_sets_presence(desk, hotel):
    (a,) = _people(desk, 1)
    written = ht.place(desk, hotel.id, [a.id], TODAY, checked_in=True, paid_by=PaidBy.NATIONAL)
    assert written.row[0].status == "checked_in"
    assert written.changes.tables == {"placement", "national"}
    assert get_national(desk, a.id).presence_status == "in_hotel"
    assert history(desk, a.id)[-1].changes == {"presence_status": ["unknown", "in_hotel"]}


def test_overlap_is_refused(desk, hotel):
    a, b = _people(desk, 2)
    other = ht.add_hotel(desk, ht.HotelFields(name="Ibis Al Barsha", beds=10)).row
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 8), D(2026, 3, 12))
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        ht.place(desk, other.id, [b.id, a.id], D(2026, 3, 11), None)
    assert err.value.code == "placement.overlap"
    assert err.value.params["person"] == "Қасымова Әйгерім"
    assert err.value.params["hotel"] == "Rove Downtown"
    assert _audit_count(desk) == before
    assert ht.list_placements(desk, hotel_id=other.id) == []  # b was not placed either
    # back-to-back stays are fine
    ht.place(desk, other.id, [a.id], D(2026, 3, 12), D(2026, 3, 14))


def test_open_ended_stay_overlaps_everything_later(desk, hotel):
    (a,) = _people(desk, 1)
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 8))
    with pytest.raises(ServiceError) as err:
        ht.place(desk, hotel.id, [a.id], D(2026, 5, 1), D(2026, 5, 2))
    assert err.value.code == "placement.overlap"


def test_full_hotel_is_refused_unless_overbooking(desk, hotel):
    people = _people(desk, 5)
    ht.place(desk, hotel.id, [p.id for p in people[:2]], D(2026, 3, 10), D(2026, 3, 12))
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as err:
        ht.place(desk, hotel.id, [p.id for p in people[2:4]], D(2026, 3, 9), D(2026, 3, 11))
    assert err.value.code == "hotel.full"
    assert err.value.params == {
        "hotel": "Rove Downtown",
        "beds": 3,
        "occupied": 2,
        "requested": 2,
        "night": "2026-03-10",  # the first night is free; the trouble starts on the 10th
    }
    assert _audit_count(desk) == before
    # one more fits
    ht.place(desk, hotel.id, [people[2].id], D(2026, 3, 9), D(2026, 3, 11))
    # after the others leave there is room again
    ht.place(desk, hotel.id, [people[3].id], D(2026, 3, 12), D(2026, 3, 13))
    forced = ht.place(desk, hotel.id, [people[4].id], D(2026, 3, 10), None, allow_overbook=True)
    assert len(forced.row) == 1
    occ = {r.hotel.id: r for r in ht.occupancy(desk, D(2026, 3, 10))}[hotel.id]
    assert (occ.beds, occ.occupied, occ.free, occ.overbooked) == (3, 4, 0, 1)


def test_check_in_and_out_move_presence(desk, hotel):
    a, b = _people(desk, 2)
    placed = ht.place(desk, hotel.id, [a.id, b.id], D(2026, 3, 9), D(2026, 3, 15)).row
    pa, pb = sorted(placed, key=lambda r: r.national_id != a.id)
    arrived = ht.check_in(desk, pa.id)  # a day late
    assert arrived.row.status == "checked_in"
    assert arrived.row.check_in == TODAY
    assert arrived.changes.tables == {"placement", "national"}
    assert get_national(desk, a.id).presence_status == "in_hotel"
    with pytest.raises(ServiceError) as err:
        ht.check_in(desk, pa.id)
    assert err.value.code == "placement.status"

    left = ht.check_out(desk, pa.id, D(2026, 3, 12))
    assert (left.row.status, left.row.check_out, left.row.nights) == (
        "checked_out",
        D(2026, 3, 12),
        2,
    )
    assert get_national(desk, a.id).presence_status == "in_country"
    assert history(desk, pa.id)[-1].changes == {
        "status": ["checked_in", "checked_out"],
        "check_out": ["2026-03-15", "2026-03-12"],
    }

    # someone evacuated from the hotel keeps that status when checked out
    ht.check_in(desk, pb.id, D(2026, 3, 9))
    set_presence(desk, [b.id], PresenceStatus.EVACUATED)
    ht.check_out(desk, pb.id, D(2026, 3, 11))
    assert get_national(desk, b.id).presence_status == "evacuated"


def test_check_out_before_check_in_is_refused(desk, hotel):
    (a,) = _people(desk, 1)
    (p,) = ht.place(desk, hotel.id, [a.id], D(2026, 3, 9), checked_in=True).row
    with pytest.raises(ServiceError) as err:
        ht.check_out(desk, p.id, D(2026, 3, 8))
    assert err.value.code == "placement.dates"


def test_bad_dates_are_refused(desk, hotel):
    (a,) = _people(desk, 1)
    with pytest.raises(ServiceError) as err:
        ht.place(desk, hotel.id, [a.id], D(2026, 3, 9), D(2026, 3, 9))
    assert err.value.code == "placement.dates"
    with pytest.raises(ServiceError) as err:
        ht.place(desk, hotel.id, [], D(2026, 3, 9))
    assert err.value.code == "placement.empty"
    with pytest.raises(NotFound):
        ht.place(desk, "no-hotel", [a.id], D(2026, 3, 9))


def test_cancel_placement_frees_the_bed(desk, hotel):
    people = _people(desk, 4)
    placed = ht.place(desk, hotel.id, [p.id for p in people[:3]], TODAY, D(2026, 3, 12)).row
    cancelled = ht.cancel_placement(desk, placed[0].id)
    assert cancelled.row.status == "cancelled"
    assert (cancelled.row.nights, cancelled.row.cost_minor) == (0, 0)
    assert cancelled.changes.updated == {"placement": {placed[0].id}}
    ht.place(desk, hotel.id, [people[3].id], TODAY, D(2026, 3, 12))  # fits now
    with pytest.raises(ServiceError) as err:
        ht.cancel_placement(desk, placed[0].id)
    assert err.value.code == "placement.status"


def test_place_household(desk, hotel):
    a, b, c = _people(desk, 3)
    family = create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[a.id, b.id])
    written = ht.place_household(desk, hotel.id, family.row.id, TODAY, room="301")
    assert {r.national_id for r in written.row} == {a.id, b.id}
    assert {r.person_name for r in written.row} == {"Қасымова Әйгерім", "Қасымов Ерлан"}
    empty = create_household(desk, "Бос", HouseholdKind.TOUR_GROUP).row
    with pytest.raises(ServiceError) as err:
        ht.place_household(desk, hotel.id, empty.id, TODAY)
    assert err.value.code == "placement.empty"
    assert c.id not in {r.national_id for r in ht.list_placements(desk)}


def test_guests_tonight_and_list_placements(desk, hotel):
    a, b, c = _people(desk, 3)
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 1), D(2026, 3, 10), room="101")  # left today
    ht.place(desk, hotel.id, [b.id], D(2026, 3, 9), None, room="102")
    ht.place(desk, hotel.id, [c.id], D(2026, 3, 10), D(2026, 3, 11))
    roster = ht.guests_tonight(desk, hotel.id, TODAY)
    assert [(r.person_name, r.room) for r in roster] == [
        ("Қасымов Ерлан", "102"),
        ("Сейітова Айгүл", None),
    ]
    assert [r.person_name for r in ht.guests_tonight(desk, hotel.id, D(2026, 3, 5))] == [
        "Қасымова Әйгерім"
    ]
    everyone = ht.list_placements(desk)
    assert len(everyone) == 3
    by_name = {r.person_name: r for r in everyone}
    assert by_name["Қасымова Әйгерім"].nights == 9
    assert by_name["Қасымов Ерлан"].nights == 1  # open-ended: nights so far
    assert [r.person_name for r in ht.list_placements(desk, national_id=c.id)] == ["Сейітова Айгүл"]
    with pytest.raises(NotFound):
        ht.guests_tonight(desk, "nope")


def test_costs_by_hotel_operator_and_payer_never_mix_currencies(desk, hotel):
    a, b, c, d = _people(desk, 4)
    usd = ht.add_hotel(
        desk,
        ht.HotelFields(name="Hilton", beds=10, nightly_rate_minor=9000, currency="USD"),
    ).row
    tour = create_household(
        desk, "Тур 12", HouseholdKind.TOUR_GROUP, tour_operator="Kompas Tour", member_ids=[a.id]
    )
    assert tour.row.tour_operator == "Kompas Tour"
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 5), D(2026, 3, 8), paid_by=PaidBy.TOUR_OPERATOR)
    ht.place(desk, hotel.id, [b.id], D(2026, 3, 6), None)  # open-ended: 4 nights to the 10th
    ht.place(desk, usd.id, [c.id], D(2026, 3, 9), D(2026, 3, 20), nightly_cost_minor=5000)
    cancelled = ht.place(desk, usd.id, [d.id], D(2026, 3, 1), D(2026, 3, 3)).row[0]
    ht.cancel_placement(desk, cancelled.id)

    report = ht.costs(desk, TODAY)
    by_hotel = {
        (r.label, r.currency): (r.placements, r.nights, r.amount_minor) for r in report.by_hotel
    }
    assert by_hotel == {
        ("Rove Downtown", "AED"): (2, 3 + 4, 7 * 25000),
        ("Hilton", "USD"): (1, 1, 5000),
    }
    by_operator = {(r.key, r.currency): r.amount_minor for r in report.by_operator}
    assert by_operator == {
        ("Kompas Tour", "AED"): 3 * 25000,
        (None, "AED"): 4 * 25000,
        (None, "USD"): 5000,
    }
    by_payer = {(r.key, r.currency): r.amount_minor for r in report.by_payer}
    assert by_payer == {
        ("tour_operator", "AED"): 75000,
        ("post", "AED"): 100000,
        ("post", "USD"): 5000,
    }
    later = ht.costs(desk, D(2026, 3, 20))
    assert {(r.label, r.currency): r.nights for r in later.by_hotel}[("Hilton", "USD")] == 11
