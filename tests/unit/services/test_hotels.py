"""Tests for consuldesk.services.hotels."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.domain.enums import HouseholdKind, PaidBy, PresenceStatus, RateBasis, Sex
from consuldesk.messages import describe
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
        "free": 1,
        "over": 1,  # of the two, one does not fit
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
    other = ht.add_hotel(desk, ht.HotelFields(name="Other", city="Dubai", beds=5)).row
    ht.place(desk, other.id, [people[3].id], D(2026, 3, 9), D(2026, 3, 11))  # before the 12th
    [one] = ht.occupancy(desk, D(2026, 3, 10), hotel_id=hotel.id)  # one hotel, read alone
    assert (one.hotel.id, one.occupied, one.free) == (hotel.id, 4, 0)
    [one] = ht.occupancy(desk, D(2026, 3, 10), hotel_id=other.id)
    assert (one.hotel.id, one.occupied, one.free) == (other.id, 1, 4)


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

    left = ht.check_out(desk, pa.id)  # left the same day
    assert (left.row.status, left.row.check_out, left.row.nights) == ("checked_out", TODAY, 0)
    assert get_national(desk, a.id).presence_status == "in_country"
    assert history(desk, pa.id)[-1].changes == {
        "status": ["checked_in", "checked_out"],
        "check_out": ["2026-03-15", "2026-03-10"],
    }

    # someone evacuated from the hotel keeps that status when checked out
    ht.check_in(desk, pb.id, D(2026, 3, 9))
    set_presence(desk, [b.id], PresenceStatus.EVACUATED)
    ht.check_out(desk, pb.id, TODAY)
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


def test_a_check_out_by_mistake_is_undone_to_the_stay_as_it_was(desk, hotel):
    a, b = _people(desk, 2)
    (pa,) = ht.place(desk, hotel.id, [a.id], D(2026, 3, 9), D(2026, 3, 15), checked_in=True).row
    ht.check_out(desk, pa.id)  # today, five days early: the wrong row
    assert get_national(desk, a.id).presence_status == "in_country"

    back = ht.undo_leaving(desk, pa.id)
    assert (back.row.status, back.row.check_out, back.row.nights) == (
        "checked_in",
        D(2026, 3, 15),
        6,
    )
    assert get_national(desk, a.id).presence_status == "in_hotel"
    assert history(desk, pa.id)[-1].changes == {
        "status": ["checked_out", "checked_in"],
        "check_out": ["2026-03-10", "2026-03-15"],
    }
    with pytest.raises(ServiceError) as err:
        ht.undo_leaving(desk, pa.id)  # nothing to undo now
    assert err.value.code == "placement.status"

    # a booking cancelled by mistake is booked again, for its nights
    (pb,) = ht.place(desk, hotel.id, [b.id], D(2026, 3, 11), D(2026, 3, 13)).row
    ht.cancel_placement(desk, pb.id)
    again = ht.undo_leaving(desk, pb.id)
    assert (again.row.status, again.row.check_in, again.row.check_out) == (
        "booked",
        D(2026, 3, 11),
        D(2026, 3, 13),
    )
    assert get_national(desk, b.id).presence_status == "unknown"  # not there yet: unchanged


def test_undoing_a_check_out_gives_back_only_free_nights(desk, hotel):
    people = _people(desk, 5)
    (pa,) = ht.place(desk, hotel.id, [people[0].id], D(2026, 3, 9), D(2026, 3, 15)).row
    ht.check_in(desk, pa.id, D(2026, 3, 9))
    ht.check_out(desk, pa.id)
    # the bed went to others meanwhile: three beds, three guests from tomorrow
    ht.place(desk, hotel.id, [p.id for p in people[1:4]], D(2026, 3, 11), D(2026, 3, 14))
    with pytest.raises(ServiceError) as err:
        ht.undo_leaving(desk, pa.id)
    assert err.value.code == "hotel.full"
    with desk.casefile.read() as session:
        assert ht.live_placement(session, pa.id).status == "checked_out"  # nothing changed
    back = ht.undo_leaving(desk, pa.id, allow_overbook=True)  # the officer says so
    assert back.row.status == "checked_in"

    # placed elsewhere meanwhile: refused, the other stay is named
    (pe,) = ht.place(
        desk, hotel.id, [people[4].id], D(2026, 3, 9), D(2026, 3, 12), allow_overbook=True
    ).row
    ht.check_out(desk, pe.id)
    ht.place(desk, hotel.id, [people[4].id], D(2026, 3, 10), D(2026, 3, 11), allow_overbook=True)
    with pytest.raises(ServiceError) as err:
        ht.undo_leaving(desk, pe.id)
    assert err.value.code == "placement.overlap"


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


# -- rates per room ------------------------------------------------------------------------


@pytest.fixture
def room_hotel(desk):
    return ht.add_hotel(
        desk,
        ht.HotelFields(
            name="Citymax Sharjah",
            city="Sharjah",
            country="AE",
            beds=20,
            nightly_rate_minor=40000,
            currency="AED",
            rate_basis="room",
        ),
    ).row


def test_a_hotel_keeps_its_rate_basis_and_country(desk, room_hotel, hotel):
    assert (room_hotel.rate_basis, room_hotel.country) == ("room", "AE")
    assert (hotel.rate_basis, hotel.country) == ("person", None)  # the default, as before
    assert ht.get_hotel(desk, room_hotel.id) == room_hotel
    changed = ht.update_hotel(
        desk, hotel.id, ht.HotelFields(name="Rove Downtown", country="ОАЭ", rate_basis="room")
    ).row
    assert (changed.rate_basis, changed.country) == ("room", "AE")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (ht.HotelFields(name="X", rate_basis="bed"), "hotel.rate_basis"),
        (ht.HotelFields(name="X", country="Atlantis"), "country.unknown"),
    ],
)
def test_rate_basis_and_country_are_checked(desk, fields, code):
    before = _audit_count(desk)
    with pytest.raises(Exception) as err:
        ht.add_hotel(desk, fields)
    assert err.value.code == code
    assert _audit_count(desk) == before


def test_a_family_in_one_room_is_charged_once(desk, room_hotel):
    people = _people(desk, 4)
    family = create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, member_ids=[p.id for p in people]
    ).row
    rows = ht.place_household(
        desk, room_hotel.id, family.id, D(2026, 3, 7), D(2026, 3, 10), room="12"
    ).row
    assert {r.rate_basis for r in rows} == {"room"}
    assert len({r.room_group for r in rows}) == 1
    assert all(r.room_share == 4 and r.nights == 3 for r in rows)
    charged = [r for r in rows if r.charged_here]
    assert len(charged) == 1
    assert charged[0].cost_minor == 3 * 40000  # not 4 × 3 × 40000
    assert sum(r.cost_minor for r in rows) == 3 * 40000
    report = ht.costs(desk, TODAY)
    (line,) = report.by_hotel
    assert (line.placements, line.nights, line.amount_minor) == (4, 12, 3 * 40000)
    (payer,) = report.by_payer
    assert payer.amount_minor == 3 * 40000


def test_a_familys_room_is_charged_on_its_head_not_on_a_child(desk, room_hotel):
    mother, *children = _people(desk, 3)  # Қасымова; Қасымов and Сейітова sort before her
    family = create_household(
        desk,
        "Қасымовтар",
        HouseholdKind.FAMILY,
        head_id=children[1].id,
        member_ids=[mother.id, *(c.id for c in children)],
    ).row
    rows = ht.place_household(desk, room_hotel.id, family.id, D(2026, 3, 7), D(2026, 3, 10)).row
    (charged,) = [r for r in rows if r.charged_here]
    assert charged.national_id == children[1].id  # the head, whatever the names' order


def test_a_room_costs_while_anyone_is_still_in_it(desk, room_hotel):
    a, b = _people(desk, 2)
    pa, pb = sorted(
        ht.place(desk, room_hotel.id, [a.id, b.id], D(2026, 3, 1), D(2026, 3, 9), room="5").row,
        key=lambda r: not r.charged_here,
    )
    ht.check_out(desk, pa.id, D(2026, 3, 4))  # the first one leaves early; b stays on
    report = ht.costs(desk, TODAY)
    assert report.by_hotel[0].amount_minor == 8 * 40000
    rows = {r.id: r for r in ht.list_placements(desk)}
    # The room's cost moves to the one still there: the guest list (which no longer lists the
    # one who left) shows it, where it once showed only "shared room".
    assert rows[pb.id].charged_here and rows[pb.id].cost_minor == 8 * 40000
    assert rows[pa.id].cost_minor == 0 and not rows[pa.id].charged_here
    tonight = ht.guests_at_the_desk(desk, room_hotel.id)
    assert [(r.id, r.charged_here) for r in tonight] == [(pb.id, True)]
    # once the whole room has left, nights after both are gone cost nothing
    assert ht.costs(desk, D(2026, 3, 30)).by_hotel[0].amount_minor == 8 * 40000


def test_someone_placed_later_in_the_same_room_shares_its_charge(desk, room_hotel):
    a, b, c = _people(desk, 3)
    (first,) = ht.place(desk, room_hotel.id, [a.id], D(2026, 3, 5), None, room="12A").row
    (joined,) = ht.place(desk, room_hotel.id, [b.id], D(2026, 3, 8), None, room="12a").row
    (apart,) = ht.place(desk, room_hotel.id, [c.id], D(2026, 3, 8), None, room="14").row
    assert joined.room_group == first.room_group == first.id
    assert apart.room_group == apart.id
    assert not joined.charged_here and joined.cost_minor == 0
    report = ht.costs(desk, TODAY)
    # room 12A: 5 nights (5th..9th); room 14: 2 nights
    assert report.by_hotel[0].amount_minor == (5 + 2) * 40000


def test_the_basis_can_be_chosen_when_placing(desk, hotel):
    a, b = _people(desk, 2)
    rows = ht.place(
        desk, hotel.id, [a.id, b.id], D(2026, 3, 8), D(2026, 3, 10), basis=RateBasis.ROOM
    ).row
    assert sum(r.cost_minor for r in rows) == 2 * 25000
    with pytest.raises(ServiceError) as err:
        ht.place(desk, hotel.id, [a.id], D(2026, 4, 8), basis="bed")
    assert err.value.code == "hotel.rate_basis"


def test_open_stays_show_the_cost_so_far(desk, hotel, room_hotel):
    a, b, c = _people(desk, 3)
    (open_stay,) = ht.place(desk, hotel.id, [a.id], D(2026, 3, 7), None, checked_in=True).row
    (planned,) = ht.place(desk, hotel.id, [b.id], D(2026, 3, 8), D(2026, 3, 14)).row
    (done,) = ht.place(desk, room_hotel.id, [c.id], D(2026, 3, 1), D(2026, 3, 4)).row
    assert open_stay.running and open_stay.check_out is None
    assert (open_stay.nights_so_far, open_stay.cost_so_far_minor) == (3, 3 * 25000)
    assert planned.running
    assert (planned.nights, planned.cost_minor) == (6, 6 * 25000)  # the whole booking
    assert (planned.nights_so_far, planned.cost_so_far_minor) == (2, 2 * 25000)
    assert not done.running and done.cost_so_far_minor == done.cost_minor == 3 * 40000
    report = ht.costs(desk, TODAY)
    by_hotel = {r.label: r for r in report.by_hotel}
    rove = by_hotel["Rove Downtown"]
    assert (rove.open_stays, rove.open_amount_minor, rove.amount_minor) == (
        2,
        5 * 25000,
        5 * 25000,
    )
    assert (by_hotel["Citymax Sharjah"].open_stays, by_hotel["Citymax Sharjah"].amount_minor) == (
        0,
        3 * 40000,
    )


def test_check_placement_lists_every_problem_before_placing(desk, hotel, room_hotel):
    a, b, c, d = _people(desk, 4)
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 8), D(2026, 3, 12))
    ht.place(desk, hotel.id, [b.id, c.id], D(2026, 3, 10), D(2026, 3, 11))
    before = _audit_count(desk)

    fine = ht.check_placement(desk, room_hotel.id, TODAY, D(2026, 3, 13), national_ids=[d.id])
    assert fine.problems == () and not fine.full
    assert (fine.people, fine.nights, fine.estimate_minor, fine.rate_basis) == (
        1,
        3,
        3 * 40000,
        "room",
    )

    bad = ht.check_placement(desk, hotel.id, TODAY, D(2026, 3, 11), national_ids=[a.id, d.id])
    assert [p.code for p in bad.problems] == ["placement.overlap", "hotel.full"]
    assert bad.problems[0].params["person"] == "Қасымова Әйгерім"
    assert bad.estimate_minor == 2 * 25000  # per person: both
    one_more = ht.check_placement(desk, hotel.id, TODAY, D(2026, 3, 11), national_ids=[d.id])
    assert one_more.full  # a, b and c take the 3 beds on the 10th
    assert one_more.problems[0].params["occupied"] == 3
    assert (
        ht.check_placement(desk, hotel.id, D(2026, 3, 12), None, national_ids=[d.id]).problems == ()
    )
    dates = ht.check_placement(desk, hotel.id, TODAY, D(2026, 3, 9), national_ids=[d.id])
    assert [(p.code, p.field) for p in dates.problems] == [("placement.dates", "check_out")]
    assert dates.nights is None
    nobody = ht.check_placement(desk, hotel.id, TODAY, None)
    assert [p.code for p in nobody.problems] == ["placement.empty"]
    assert _audit_count(desk) == before  # nothing written


def test_check_placement_of_a_household_in_a_full_hotel(desk, hotel):
    people = _people(desk, 5)
    family = create_household(
        desk, "Семья", HouseholdKind.FAMILY, member_ids=[p.id for p in people[:4]]
    ).row
    check = ht.check_placement(desk, hotel.id, TODAY, D(2026, 3, 12), household_id=family.id)
    assert check.people == 4 and check.full
    (problem,) = check.problems
    assert (problem.code, problem.params["requested"], problem.params["beds"]) == (
        "hotel.full",
        4,
        3,
    )


def test_household_choices_tell_two_alike_apart(desk):
    def one(surname, given, city, born):
        fields = person(surname_cyr=surname, given_names_cyr=given, city=city, birth_date=born)
        return register_national(desk, fields).row

    a = one("Қасымова", "Әйгерім", "Dubai", D(1980, 1, 10))
    b = one("Қасымов", "Ерлан", "Dubai", D(1981, 2, 11))
    c = one("Қасымов", "Асан", "Sharjah", D(1990, 5, 5))
    d = one("Қасымова", "Дана", None, D(2015, 5, 5))
    create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, member_ids=[a.id, b.id], head_id=b.id
    )
    create_household(desk, "Семья Қасымовых", HouseholdKind.FAMILY, member_ids=[c.id, d.id])
    choices = ht.household_choices(desk, "Қасым")
    assert [(r.name, r.head_name, r.city, r.size) for r in choices] == [
        ("Семья Қасымовых", None, "Sharjah", 2),
        ("Семья Қасымовых", "Қасымов Ерлан", "Dubai", 2),
    ]
    assert choices[1].head_birth == D(1981, 2, 11)
    assert len(ht.household_choices(desk, limit=1)) == 1


def test_rates_of_a_case_file_made_before_room_rates_stay_per_person(desk, hotel):
    from alembic import command

    from consuldesk.services.casefile import open_casefile
    from consuldesk.store import migrate

    a, b = _people(desk, 2)
    ht.place(desk, hotel.id, [a.id, b.id], D(2026, 3, 8), D(2026, 3, 10), room="7")
    path = desk.casefile.path
    engine = desk.casefile.engine
    command.downgrade(migrate.alembic_config(engine), "0008")  # as a 0008 file had it
    with engine.connect() as conn:
        columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(placement)")}
    assert "rate_basis" not in columns
    desk.close()
    old = open_casefile(path, "Officer Today")
    try:
        (row,) = ht.list_hotels(old)
        assert (row.rate_basis, row.nightly_rate_minor) == ("person", 25000)
        stays = ht.list_placements(old)
        assert [(r.rate_basis, r.room_group, r.cost_minor) for r in stays] == [
            ("person", None, 2 * 25000)
        ] * 2
    finally:
        old.close()


@pytest.mark.usefixtures("fast_seal")
def test_rates_per_room_travel_in_sync_bundles(tmp_path):
    from tests.unit.services.test_sync import enrol, make, receive, send

    hq, thr = make(tmp_path, "KZ-HQ", None, hq=True), make(tmp_path, "IR-THR", "IR")
    try:
        enrol(hq, thr, tmp_path)
        usb = tmp_path / "usb"
        usb.mkdir()
        people = [
            register_national(thr, person(given_names_cyr=n, host_country="IR")).row
            for n in ("Ерлан", "Дана")
        ]
        hotel = ht.add_hotel(
            thr,
            ht.HotelFields(
                name="Parsian Azadi",
                city="Tehran",
                country="IR",
                beds=10,
                nightly_rate_minor=15000,
                currency="USD",
                rate_basis="room",
            ),
        ).row
        placed = ht.place(thr, hotel.id, [p.id for p in people], D(2026, 3, 1), D(2026, 3, 4))
        receive(hq, send(thr, hq, usb))
        (at_hq,) = ht.list_hotels(hq)
        assert (at_hq.rate_basis, at_hq.country) == ("room", "IR")
        stays = ht.list_placements(hq)
        assert {(r.rate_basis, r.room_group) for r in stays} == {("room", placed.row[0].room_group)}
        assert ht.costs(hq, D(2026, 3, 10)).by_hotel[0].amount_minor == 3 * 15000  # once
    finally:
        hq.close()
        thr.close()


def test_a_full_hotel_reads_right_for_one_person_and_for_several(desk, hotel):
    from consuldesk.messages import describe

    people = _people(desk, 5)
    ht.place(desk, hotel.id, [p.id for p in people[:3]], TODAY, D(2026, 3, 12))
    with pytest.raises(ServiceError) as one:
        ht.place(desk, hotel.id, [people[3].id], TODAY)
    assert describe(one.value) == (
        "Rove Downtown is full on the night of 10.03.2026 (beds taken: 3 of 3): no bed left "
        "for one more"
    )
    with pytest.raises(ServiceError) as two:
        ht.place(desk, hotel.id, [p.id for p in people[3:]], TODAY)
    assert describe(two.value) == (
        "Rove Downtown has 0 of 3 beds free on the night of 10.03.2026: no bed for 2 of the 2 "
        "people"
    )
    # With beds free, those who do not fit: not the whole group ("10 more" for 6).
    ht.cancel_placement(desk, ht.list_placements(desk, hotel.id)[0].id)
    with pytest.raises(ServiceError) as some:
        ht.place(desk, hotel.id, [p.id for p in people[3:]], TODAY)
    assert describe(some.value) == (
        "Rove Downtown has 1 of 3 beds free on the night of 10.03.2026: no bed for 1 of the 2 "
        "people"
    )


def test_the_desk_lists_those_whose_check_out_day_has_come_until_they_are_checked_out(desk, hotel):
    """A guest leaving today sleeps there no more tonight, but is still checked in: the
    officer must see them to check them out (or they stay "in hotel" for ever)."""
    a, b, c, d = _people(desk, 4)
    leaving = ht.place(desk, hotel.id, [a.id], D(2026, 3, 8), TODAY).row[0]
    ht.check_in(desk, leaving.id, D(2026, 3, 8))  # checked in when they came
    late = ht.place(desk, hotel.id, [b.id], D(2026, 3, 1), D(2026, 3, 9)).row[0]  # not out
    ht.place(desk, hotel.id, [c.id], D(2026, 3, 9), D(2026, 3, 12), checked_in=True)
    gone = ht.place(desk, hotel.id, [d.id], D(2026, 3, 1), D(2026, 3, 3)).row[0]
    ht.check_out(desk, gone.id, D(2026, 3, 3))
    assert [r.person_name for r in ht.guests_tonight(desk, hotel.id)] == ["Сейітова Айгүл"]
    at_desk = {r.person_name: r for r in ht.guests_at_the_desk(desk, hotel.id)}
    assert set(at_desk) == {"Қасымова Әйгерім", "Қасымов Ерлан", "Сейітова Айгүл"}
    assert at_desk["Қасымова Әйгерім"].check_out == TODAY
    ht.check_out(desk, leaving.id)  # on its day: the stay's dates and cost as booked
    out = ht.list_placements(desk, national_id=a.id)[0]
    assert (out.status, out.check_out, out.nights) == ("checked_out", TODAY, 2)
    assert get_national(desk, a.id).presence_status == "in_country"
    ht.check_out(desk, late.id)  # a day late: the extra night counts
    assert ht.list_placements(desk, national_id=b.id)[0].nights == 9
    assert [r.person_name for r in ht.guests_at_the_desk(desk, hotel.id)] == ["Сейітова Айгүл"]


@pytest.mark.parametrize(
    ("check_in", "check_out"),
    [(D(2026, 3, 1), D(2026, 3, 3)), (D(2026, 3, 1), TODAY), (D(2026, 3, 11), None)],
    ids=["over", "ends today", "not begun"],
)
def test_they_cannot_be_at_the_hotel_now_for_a_stay_that_does_not_include_tonight(
    desk, hotel, check_in, check_out
):
    (a,) = _people(desk, 1)
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as refused:
        ht.place(desk, hotel.id, [a.id], check_in, check_out, checked_in=True)
    assert refused.value.code == "placement.not_now"
    assert _audit_count(desk) == before and ht.list_placements(desk) == []
    assert get_national(desk, a.id).presence_status != "in_hotel"
    # Booked, the same past stay is a record of what happened: kept.
    assert ht.place(desk, hotel.id, [a.id], check_in, check_out).row[0].status == "booked"


def test_a_stay_is_extended_when_flights_are_cancelled_and_costs_the_nights_added(desk, hotel):
    a, b, c, d = _people(desk, 4)
    family = ht.place(desk, hotel.id, [a.id, b.id], D(2026, 3, 8), D(2026, 3, 11), room="101")
    ids = [r.id for r in family.row]
    written = ht.change_check_out(desk, ids, D(2026, 3, 14))
    assert [(r.check_out, r.nights) for r in written.row] == [(D(2026, 3, 14), 6)] * 2
    assert written.changes.updated == {"placement": set(ids)}
    assert history(desk, ids[0])[-1].changes == {"check_out": ["2026-03-11", "2026-03-14"]}
    # The hotel (3 beds) has one left from the 11th: a third guest from then fits, a fourth
    # extended into those nights does not, unless overbooked.
    third = ht.place(desk, hotel.id, [c.id], D(2026, 3, 11), D(2026, 3, 13)).row[0]
    late = ht.place(desk, hotel.id, [d.id], D(2026, 3, 9), D(2026, 3, 11)).row[0]
    with pytest.raises(ServiceError) as full:
        ht.change_check_out(desk, [late.id], D(2026, 3, 12))
    assert full.value.code == "hotel.full" and full.value.params["night"] == "2026-03-11"
    assert ht.list_placements(desk, national_id=d.id)[0].check_out == D(2026, 3, 11)
    ht.change_check_out(desk, [late.id], D(2026, 3, 12), allow_overbook=True)
    # Shortened (to today at the earliest: a day gone is a check-out), or not known yet;
    # never before the check-in.
    assert ht.change_check_out(desk, ids[:1], D(2026, 3, 11)).row[0].nights == 3
    assert ht.change_check_out(desk, ids[1:], None).row[0].check_out is None
    with pytest.raises(ServiceError) as wrong:
        ht.change_check_out(desk, [third.id], D(2026, 3, 11))
    assert wrong.value.code == "placement.dates"


def test_a_stay_extended_into_another_of_the_same_person_or_already_over_is_refused(desk, hotel):
    (a,) = _people(desk, 1)
    first = ht.place(desk, hotel.id, [a.id], D(2026, 3, 11), D(2026, 3, 15)).row[0]
    ht.place(desk, hotel.id, [a.id], D(2026, 3, 17), D(2026, 3, 19))
    with pytest.raises(ServiceError) as overlap:
        ht.change_check_out(desk, [first.id], D(2026, 3, 18))
    assert overlap.value.code == "placement.overlap"
    ht.cancel_placement(desk, first.id)  # over: not to be lengthened
    with pytest.raises(ServiceError) as over:
        ht.change_check_out(desk, [first.id], D(2026, 3, 16))
    assert over.value.code == "placement.status"


def test_a_check_notes_people_recorded_in_another_country_than_the_hotel(desk, room_hotel):
    """Not a refusal (evacuees cross borders), but a family of Dammam placed in Sharjah is
    more often a slip of the mouse than a plan: the form says so before placing."""
    here = register_national(desk, person(city="Dubai", passport_no="N1111111")).row
    there = register_national(
        desk,
        person(surname_cyr="Сейітова", host_country="SA", city="Dammam", passport_no="N2222222"),
    ).row
    check = ht.check_placement(
        desk, room_hotel.id, TODAY, D(2026, 3, 12), national_ids=[here.id, there.id]
    )
    assert check.problems == ()  # it can still be done
    assert check.elsewhere == (("Сейітова Әйгерім", "Dammam, SA"),)


def test_a_stay_not_over_cannot_end_in_the_past(desk, hotel):
    (a,) = _people(desk, 1)
    (p,) = ht.place(desk, hotel.id, [a.id], D(2026, 3, 3), D(2026, 3, 12), checked_in=True).row
    with pytest.raises(ServiceError) as err:
        ht.change_check_out(desk, [p.id], D(2026, 3, 5))  # today is 10.03
    assert err.value.code == "placement.past"
    assert "05.03.2026 is before today (10.03.2026)" in describe(err.value)
    with desk.casefile.read() as session:
        assert ht.live_placement(session, p.id).check_out == D(2026, 3, 12)
    assert ht.change_check_out(desk, [p.id], TODAY).row[0].check_out == TODAY  # leaves today


def test_a_child_left_at_the_hotel_without_an_adult_of_their_family_is_named(desk, hotel):
    """The parents checked out one after the other; their 7-year-old stayed on alone in the
    room and nothing said so."""
    mother, father = _people(desk, 2)
    child = register_national(
        desk,
        person(surname_cyr="Қасымов", given_names_cyr="Ілияс", surname_lat="KASSYMOV",
               given_names_lat="ILIYAS", birth_date=D(2018, 5, 1)),
    ).row  # fmt: skip
    lodger = _people(desk, 3)[2]  # an adult of no family of theirs, in the same hotel
    create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id,
                     member_ids=[mother.id, father.id, child.id])  # fmt: skip
    stays = {
        p.national_id: p
        for p in ht.place(
            desk, hotel.id, [mother.id, father.id, child.id], TODAY, checked_in=True
        ).row
    }
    ht.place(desk, hotel.id, [lodger.id], TODAY, allow_overbook=True)
    assert ht.left_without_an_adult(desk, stays[father.id].id) == []  # the mother stays
    assert ht.left_without_an_adult(desk, stays[child.id].id) == []  # the child leaves
    ht.check_out(desk, stays[father.id].id)
    assert ht.left_without_an_adult(desk, stays[mother.id].id) == ["Қасымов Ілияс (7)"]
    # A stay that ends before the night asked about leaves nobody then.
    assert ht.left_without_an_adult(desk, stays[mother.id].id, on=D(2026, 3, 9)) == []


def test_guests_are_moved_to_another_hotel_or_room_keeping_their_dates_and_arrival(desk, hotel):
    """The only way was to check out and place again, retyping the dates, room and payer,
    and a guest who had arrived was "booked" again."""
    a, b, c = _people(desk, 3)
    other = ht.add_hotel(
        desk,
        ht.HotelFields(
            name="Ibis Deira", city="Dubai", beds=2, nightly_rate_minor=9000, currency="usd"
        ),
    ).row
    here = ht.place(desk, hotel.id, [a.id, b.id], D(2026, 3, 9), D(2026, 3, 13), room="12",
                    paid_by=PaidBy.TOUR_OPERATOR, checked_in=True).row  # fmt: skip
    later = ht.place(desk, hotel.id, [c.id], D(2026, 3, 11), D(2026, 3, 12)).row
    before = _audit_count(desk)
    with pytest.raises(ServiceError) as full:  # two beds, three people
        ht.move_stays(desk, [p.id for p in (*here, *later)], other.id, room="5")
    assert full.value.code == "hotel.full" and _audit_count(desk) == before  # nothing done

    moved = ht.move_stays(desk, [p.id for p in here], other.id, room="5").row
    assert {(m.hotel_id, m.room, m.check_in, m.check_out, m.status, m.paid_by) for m in moved} == {
        (other.id, "5", TODAY, D(2026, 3, 13), "checked_in", "tour_operator")
    }
    assert {(m.nightly_cost_minor, m.currency) for m in moved} == {(9000, "USD")}
    old = {p.id: p for p in ht.list_placements(desk, hotel.id)}
    assert {(old[p.id].status, old[p.id].check_out) for p in here} == {("checked_out", TODAY)}
    assert {p.hotel_id for p in ht.guests_tonight(desk, other.id)} == {other.id}
    # Not begun yet: the booking goes whole to the other room, its own rate kept.
    [again] = ht.move_stays(desk, [later[0].id], hotel.id, room="14").row
    assert (again.check_in, again.check_out, again.status, again.room) == (
        D(2026, 3, 11), D(2026, 3, 12), "booked", "14",
    )  # fmt: skip
    assert sorted(p.status for p in ht.list_placements(desk, national_id=c.id)) == [
        "booked", "cancelled",
    ]  # fmt: skip
    with pytest.raises(ServiceError) as gone:  # a stay over is not moved
        ht.move_stays(desk, [here[0].id], hotel.id)
    assert gone.value.code == "placement.status"


def test_an_arrival_or_a_departure_is_never_a_day_to_come_nor_a_year_typed_wrong(desk, hotel):
    """check-in --on 07.12.2025 made a stay of 370 nights; check-out --on a day to come
    marked the guest gone while the lists still showed them there."""
    a, b = _people(desk, 2)
    [later] = ht.place(desk, hotel.id, [a.id], D(2026, 3, 12), D(2026, 3, 14)).row
    for day, code in ((D(2025, 3, 10), "placement.arrival_early"),
                      (D(2026, 3, 11), "placement.arrival_later")):  # fmt: skip
        with pytest.raises(ServiceError) as refused:
            ht.check_in(desk, later.id, day)
        assert refused.value.code == code
    assert ht.list_placements(desk, national_id=a.id)[0].check_in == D(2026, 3, 12)
    # Came two days early: checked in today, the stay begins today.
    assert ht.check_in(desk, later.id).row.check_in == TODAY
    [here] = ht.place(desk, hotel.id, [b.id], D(2026, 3, 8), D(2026, 3, 15), checked_in=True).row
    with pytest.raises(ServiceError) as refused:
        ht.check_out(desk, here.id, D(2026, 3, 12))
    assert refused.value.code == "placement.leaving_later"
    assert "change its check-out day" in describe(refused.value)
    assert ht.check_out(desk, here.id, D(2026, 3, 9)).row.check_out == D(2026, 3, 9)  # past: yes


def test_a_check_says_when_the_room_asked_for_is_already_paid_for(desk, room_hotel):
    """A second family placed into room 101, charged per room: the form said "400.00 AED"
    although they join a room already paid for."""
    a, b = _people(desk, 2)
    ht.place(desk, room_hotel.id, [a.id], TODAY, D(2026, 3, 12), room="101")
    joins = ht.check_placement(desk, room_hotel.id, TODAY, D(2026, 3, 12), national_ids=[b.id],
                               room=" 101 ")  # fmt: skip
    assert joins.shared_room == "101"
    other = ht.check_placement(desk, room_hotel.id, TODAY, D(2026, 3, 12), national_ids=[b.id],
                               room="102")  # fmt: skip
    assert other.shared_room is None and other.estimate_minor == 2 * 40000
    later = ht.check_placement(desk, room_hotel.id, D(2026, 3, 12), D(2026, 3, 13),
                               national_ids=[b.id], room="101")  # fmt: skip
    assert later.shared_room is None  # the room is free again by then


def test_a_booked_guest_moved_from_a_later_night_keeps_a_booking_and_beds_are_counted_for_all(
    desk, hotel
):
    """Not arrived, he was "checked out" of the hotel he never came to; and moved group by
    group, the first took the beds and the next read "full" with the wrong numbers."""
    a, b, c = _people(desk, 3)
    tiny = ht.add_hotel(desk, ht.HotelFields(name="Tiny Inn", city="Dubai", beds=1)).row
    [booked] = ht.place(desk, hotel.id, [a.id], TODAY, D(2026, 3, 15)).row
    [moved] = ht.move_stays(desk, [booked.id], tiny.id, on=D(2026, 3, 12)).row
    old = ht.list_placements(desk, hotel.id, national_id=a.id)[0]
    assert (old.status, old.check_out) == ("booked", D(2026, 3, 12))
    assert (moved.status, moved.check_in, moved.check_out) == (
        "booked",
        D(2026, 3, 12),
        D(2026, 3, 15),
    )
    # Two guests with different payers into one bed: one message, for both.
    stays = (
        ht.place(desk, hotel.id, [b.id], TODAY, D(2026, 3, 20)).row
        + ht.place(desk, hotel.id, [c.id], TODAY, D(2026, 3, 20), paid_by=PaidBy.NATIONAL).row
    )
    with pytest.raises(ServiceError) as full:
        ht.move_stays(desk, [s.id for s in stays], tiny.id, on=D(2026, 3, 16))
    said = full.value.params
    assert (said["requested"], said["free"], said["over"]) == (2, 1, 1)
    assert {p.status for p in ht.list_placements(desk, tiny.id)} == {"booked"}  # nothing moved
    with pytest.raises(ServiceError) as over:
        ht.move_stays(desk, [moved.id], hotel.id, on=D(2026, 3, 16))
    assert over.value.code == "placement.move_after_end"
    assert describe(over.value).endswith("ends on 15.03.2026, before 16.03.2026: there is "
                                         "nothing to move then")  # fmt: skip


def test_a_guest_moved_from_a_night_to_come_stays_checked_in_until_then(desk, hotel):
    (a,) = _people(desk, 1)
    other = ht.add_hotel(desk, ht.HotelFields(name="Ibis", city="Dubai", beds=2)).row
    [here] = ht.place(desk, hotel.id, [a.id], D(2026, 3, 9), D(2026, 3, 15), checked_in=True).row
    [there] = ht.move_stays(desk, [here.id], other.id, on=D(2026, 3, 12)).row
    old = ht.list_placements(desk, hotel.id)[0]
    assert (old.status, old.check_out) == ("checked_in", D(2026, 3, 12))  # still there
    assert (there.status, there.check_in) == ("booked", D(2026, 3, 12))
    assert get_national(desk, a.id).presence_status == "in_hotel"
