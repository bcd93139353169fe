"""Sitrep, hotel roster and boarding slips built from a case file and read back from the PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader

from consuldesk.domain.enums import ManifestStatus, TripStatus
from consuldesk.services import documents, evacuation, hotels, stats
from consuldesk.services.demo import seed_demo
from consuldesk.services.errors import ServiceError


def pdf_text(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def demo(desk):
    seed_demo(desk, count=300, seed=7)
    return desk


def seat_tehran(desk):
    """Seat everyone in Iran on the Tehran → Astara operation's leg 1: its first bus and
    who is seated on it."""
    op = next(o for o in evacuation.list_operations(desk) if o.host_country == "IR")
    everyone = evacuation.CandidateCriteria(host_country="IR", open_evacuation_request=False)
    evacuation.add_to_pool(desk, op.id, 1, everyone)
    evacuation.allocate_leg(desk, op.id, 1)
    trip = op.legs[0].trips[0]
    return op, trip, evacuation.passengers(desk, trip.id)


def evacuate_some(desk):
    """Seat the Tehran → Astara operation's leg 1 and let its bus arrive with everyone on."""
    op, trip, seated = seat_tehran(desk)
    for row in seated:
        evacuation.set_boarding(desk, row.entry_id, ManifestStatus.BOARDED)
    return op, trip, seated


def test_the_sitrep_counts_what_the_overview_counts(demo, tmp_path):
    situation = stats.situation(demo)
    out = documents.print_sitrep(demo, tmp_path / "sitrep.pdf", second_language="kk")
    text = " ".join(pdf_text(out).split())  # table cells wrap
    data = documents.sitrep_data(demo, second_language="kk")
    assert data.nationals_total == situation.nationals
    assert (data.vulnerable, data.needs_review) == (situation.vulnerable, situation.needs_review)
    assert [n for _, n in data.by_post] == list(situation.by_post.values())
    assert data.by_post[0][0] == "Embassy of Kazakhstan in Abu Dhabi (AE-ABU)"
    assert f"Осылардың кез келгені (адам) {situation.vulnerable}" in text
    assert str(situation.nationals) in text
    assert "Embassy of Kazakhstan in Abu Dhabi" in text
    assert "United Arab Emirates / Біріккен Араб Әмірліктері" in text
    assert len(data.operations) == 6 and all(op.legs for op in data.operations)
    assert data.operations[0].name in text
    for hotel in data.hotels:
        assert hotel.name in text


def test_the_sitrep_counts_evacuated_per_operation(demo, tmp_path):
    op, trip, seated = evacuate_some(demo)
    evacuation.set_trip_status(demo, trip.id, TripStatus.DEPARTED)
    before = {o.name: o.evacuated for o in documents.sitrep_data(demo).operations}
    assert before[op.name] == 0  # on the road, not yet out
    # Leg 2 (Astara → Baku) is the last leg: seat and land it too.
    evacuation.set_trip_status(demo, trip.id, TripStatus.ARRIVED)
    leg2 = evacuation.CandidateCriteria(from_previous_leg=True)
    evacuation.add_to_pool(demo, op.id, 2, leg2)
    evacuation.allocate_leg(demo, op.id, 2)
    second = evacuation.get_operation(demo, op.id).legs[1].trips[0]
    for row in evacuation.passengers(demo, second.id):
        evacuation.set_boarding(demo, row.entry_id, ManifestStatus.BOARDED)
    evacuation.set_trip_status(demo, second.id, TripStatus.DEPARTED)
    evacuation.set_trip_status(demo, second.id, TripStatus.ARRIVED)
    after = {o.name: o.evacuated for o in documents.sitrep_data(demo).operations}
    assert after[op.name] == min(len(seated), second.capacity)


def test_the_hotel_roster_lists_tonights_guests_by_hotel(demo, tmp_path):
    tonight = hotels.list_placements(demo, on=demo.today())
    assert tonight, "the demo has guests tonight"
    data = documents.roster_data(demo)
    assert sum(len(h.guests) for h in data) == len(tonight)
    out = documents.print_hotel_roster(demo, tmp_path / "roster.pdf", second_language="ru")
    reader = PdfReader(out)
    assert len(reader.pages) >= sum(1 for h in data if h.guests)  # empty hotels: summary only
    text = pdf_text(out)
    some = next(g for h in data for g in h.guests)
    assert some.passport_no in text
    one = documents.roster_data(demo, hotel_ids=[hotels.list_hotels(demo)[0].id])
    assert len(one) == 1
    before = documents.roster_data(demo, night=demo.today() - timedelta(days=400))
    assert sum(len(h.guests) for h in before) == 0


def test_boarding_slips_carry_only_the_entry_id(demo, tmp_path):
    _op, trip, seated = evacuate_some(demo)
    out = evacuation.print_boarding_slips(demo, trip.id, tmp_path / "slips.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) == -(-len(seated) // 8)
    text = pdf_text(out)
    assert seated[0].person.passport_no in text
    only = evacuation.print_boarding_slips(
        demo, trip.id, tmp_path / "one.pdf", entry_ids=[seated[0].entry_id]
    )
    assert len(PdfReader(only).pages) == 1


def test_slips_for_an_empty_trip_and_unwritable_paths_are_refused(demo, tmp_path):
    op = evacuation.list_operations(demo)[0]
    empty = op.legs[0].trips[0]
    with pytest.raises(ServiceError) as exc:
        evacuation.print_boarding_slips(demo, empty.id, tmp_path / "s.pdf")
    assert exc.value.code == "slips.empty"
    with pytest.raises(ServiceError) as exc:
        documents.print_sitrep(demo, tmp_path / "missing" / "sitrep.pdf")
    assert exc.value.code == "file.no_folder"
    assert not (tmp_path / "missing").exists()


def test_the_manifest_marks_and_counts_who_the_border_will_stop(demo, tmp_path):
    from consuldesk.reports.manifest import manifest_totals
    from consuldesk.services import nationals

    _op, trip, seated = seat_tehran(demo)
    seated = seated[:3]
    today = demo.today()
    changes = (
        {"passport_no": None},  # no passport at all
        {"passport_expiry": today - timedelta(days=190)},  # expired in spring
        {"consent_date": None},
    )
    for row, change in zip(seated, changes, strict=True):
        person = nationals.get_national(demo, row.person.id)
        fields = nationals.fields_of_row(person).replace(**change)
        if "consent_date" not in change:
            fields = fields.replace(consent_date=today)
        nationals.update_national(demo, person.id, fields)

    data = evacuation.manifest_data(demo, trip.id)
    by_name = {p.name_cyr: p.problems for p in data.passengers}
    assert by_name[seated[0].person.name_cyr] == ("no_passport",)
    assert by_name[seated[1].person.name_cyr] == ("passport_expired",)
    assert by_name[seated[2].person.name_cyr] == ("no_consent",)
    totals = manifest_totals(data.passengers)
    assert totals.no_passport >= 1 and totals.passport_expired >= 1 and totals.no_consent >= 1

    path = evacuation.print_manifest(demo, trip.id, tmp_path / "bus1.pdf", second_language="kk")
    text = pdf_text(path)
    for words in ("No passport", "Паспорт жоқ", "Passport expired", "Паспорт мерзімі өткен",
                  "No consent", "Келісімі жоқ"):  # fmt: skip
        assert words in text, words
    assert "(Bus / Автобус)" in text  # the mode, in both languages of the document
    assert len(PdfReader(path).pages) <= 3  # a full bus, signature column included


def test_help_moving_prints_as_mob_not_as_a_medical_case(demo, tmp_path):
    """A wheelchair user was printed MED on the manifest, the slips and the hotel roster: the
    crew planned a medic, not a ramp. Each need prints its own mark."""
    from consuldesk.services import nationals

    def only(person_id, **change):
        person = nationals.get_national(demo, person_id)
        fields = nationals.fields_of_row(person).replace(
            **{"medical_condition": None, "mobility_needs": None, **change}
        )
        nationals.update_national(demo, person_id, fields)

    _op, trip, rows = seat_tehran(demo)
    for row in rows:
        only(row.person.id)
    wheelchair, diabetic = rows[0].person.id, rows[1].person.id
    only(wheelchair, mobility_needs="Wheelchair, cannot climb steps")
    only(diabetic, medical_condition="Insulin-dependent diabetes")

    data = {p.passport_no: p for p in evacuation.manifest_data(demo, trip.id).passengers}
    chair = data[rows[0].person.passport_no]
    sugar = data[rows[1].person.passport_no]
    assert (chair.mobility, chair.medical) == (True, False)
    assert (sugar.mobility, sugar.medical) == (False, True)
    slips = pdf_text(
        evacuation.print_boarding_slips(
            demo, trip.id, tmp_path / "s.pdf", entry_ids=[rows[0].entry_id]
        )
    )
    assert "MOB" in slips and "MED" not in slips
    manifest = pdf_text(evacuation.print_manifest(demo, trip.id, tmp_path / "m.pdf"))
    assert "MOB — Reduced mobility" in manifest

    placed = next(p for p in hotels.list_placements(demo, on=demo.today()))
    only(placed.national_id, mobility_needs="Crutches")
    guest = next(
        g
        for h in documents.roster_data(demo)
        for g in h.guests
        if g.passport_no == (nationals.get_national(demo, placed.national_id).passport_no or "")
    )
    assert (guest.mobility, guest.medical) == (True, False)


def test_the_sitrep_charges_a_family_room_once_and_shows_open_stays(desk, tmp_path):
    from datetime import date

    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services.households import create_household
    from consuldesk.services.nationals import register_national
    from tests.factories import person

    today = desk.today()
    people = [
        register_national(
            desk, person(surname_cyr="Қасымов", given_names_cyr=name, birth_date=date(1990, 1, i))
        ).row
        for i, name in enumerate(("Ерлан", "Әйгерім", "Дана", "Алихан"), start=1)
    ]
    family = create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, member_ids=[p.id for p in people]
    ).row
    room_hotel = hotels.add_hotel(
        desk,
        hotels.HotelFields(
            name="Citymax Sharjah",
            beds=20,
            nightly_rate_minor=40000,
            currency="AED",
            rate_basis="room",
        ),
    ).row
    hotels.place_household(desk, room_hotel.id, family.id, today - timedelta(days=3), None)
    data = documents.sitrep_data(desk, second_language="ru")
    (row,) = data.hotels
    assert (row.guests_tonight, row.nights_to_date) == (4, 12)
    assert row.cost_tonight_minor == 40000  # one room, not four people
    assert row.cost_to_date_minor == 3 * 40000
    assert (row.open_stays, row.open_cost_minor) == (4, 3 * 40000)
    assert (row.rate_minor, row.rate_basis) == (40000, "room")
    (cost,) = data.costs
    assert (cost.tonight_minor, cost.to_date_minor) == (40000, 120000)
    text = " ".join(pdf_text(documents.print_sitrep(desk, tmp_path / "s.pdf")).split())
    assert "Citymax Sharjah 400.00 AED per room and night / за номер в сутки" in text
    assert "of which open stays / в т. ч. открытые (4): 1 200.00 AED" in text
