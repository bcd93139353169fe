"""The demo case file: deterministic, valid, searchable, and shaped like a real crisis caseload."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from consuldesk.domain.enums import (
    HouseholdKind,
    PresenceStatus,
    RequestKind,
    Sex,
    Source,
    Vulnerability,
)
from consuldesk.domain.iin import make_iin, parse_iin
from consuldesk.domain.phone import normalize_phone
from consuldesk.domain.vulnerability import age_on
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import (
    COUNTRY_WEIGHTS,
    _Generator,
    generate_nationals,
    passport_latin,
    seed_demo,
)
from consuldesk.services.errors import ServiceError
from consuldesk.services.nationals import register_national, search
from consuldesk.store.models import (
    AssistanceRequest,
    AuditEvent,
    EvacuationOperation,
    Hotel,
    Household,
    HouseholdMember,
    ManifestEntry,
    National,
    Placement,
    RequestEvent,
    Trip,
)
from tests.factories import person

TODAY = date(2026, 3, 10)  # the ``desk`` fixture's today
KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІ"
NAME_FIELDS = ("surname_cyr", "given_names_cyr", "patronymic_cyr")


@pytest.fixture(scope="module")
def people() -> list[dict]:
    return generate_nationals(4000, seed=3, today=TODAY)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One 3,000-person demo case file shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "DEMO.consuldesk"
    desk = create_casefile(
        path, post_code="DEMO", post_name="Demo", host_country="AE", officer="Officer Test"
    )
    desk.today = lambda: TODAY
    summary = seed_demo(desk, count=3000, seed=1)
    yield desk, summary
    desk.close()


# -- generation ----------------------------------------------------------------------------


def test_same_seed_gives_same_people():
    first = generate_nationals(300, seed=11, today=TODAY)
    again = generate_nationals(300, seed=11, today=TODAY)
    other = generate_nationals(300, seed=12, today=TODAY)
    assert first == again
    assert [p["iin"] for p in first] != [p["iin"] for p in other]


def test_count_is_exact():
    assert generate_nationals(0, today=TODAY) == []
    for count in (1, 2, 7, 1001):
        assert len(generate_nationals(count, seed=5, today=TODAY)) == count


def test_iins_are_valid_unique_and_agree_with_birth_date_and_sex(people):
    iins = [p["iin"] for p in people if p["iin"]]
    assert len(iins) > 0.95 * len(people)
    assert len(set(iins)) == len(iins)
    for p in people:
        if p["iin"]:
            info = parse_iin(p["iin"])
            assert info.birth_date == p["birth_date"]
            assert info.sex == Sex(p["sex"])


def test_iin_rule_is_the_domain_one():
    generator = _Generator(seed=1, today=TODAY)
    for day, sex in ((date(1961, 2, 28), "M"), (date(2009, 12, 31), "F"), (date(2026, 1, 1), "M")):
        value = generator.iin(day, sex)
        assert value is not None
        assert value == make_iin(day, Sex(sex), int(value[7:11]))


def test_passports_are_unique_some_expired(people):
    numbers = [p["passport_no"] for p in people if p["passport_no"]]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"N\d{8}", n) for n in numbers)
    expired = [p for p in people if p["passport_expiry"] and p["passport_expiry"] < TODAY]
    assert 0.01 * len(people) < len(expired) < 0.1 * len(people)
    assert all(p["passport_expiry"] > p["birth_date"] for p in people if p["passport_expiry"])


def test_names_use_kazakh_letters(people):
    letters = {ch for p in people for f in NAME_FIELDS for ch in (p[f] or "").upper()}
    assert set(KAZAKH_LETTERS) <= letters


def test_female_surnames_and_patronymics_follow_sex(people):
    for p in people:
        patronymic = p["patronymic_cyr"] or ""
        if p["sex"] == "M":
            assert not patronymic.endswith(("қызы", "овна", "евна", "ична"))
        else:
            assert not patronymic.endswith(("ұлы", "ович", "евич", "ич"))
            if p["surname_cyr"].endswith(("ов", "ев")):
                pytest.fail(f"male surname form for a woman: {p['surname_cyr']}")


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Әбілқасымова", "ABILKASYMOVA"),
        ("Нұрсұлтанов", "NURSULTANOV"),
        ("Өтегенов", "OTEGENOV"),
        ("Жүнісов", "ZHUNISOV"),
        ("Ғабитов", "GABITOV"),
        ("Іскаков", "ISKAKOV"),
        ("Гауһар", "GAUHAR"),
        ("Тұңғышбаев", "TUNGYSHBAEV"),
        ("Хамитов", "KHAMITOV"),
        ("Шайахметов", "SHAIAKHMETOV"),
        ("Юлия", "YULIYA"),
        ("Алексей", "ALEKSEI"),
        ("Артём", "ARTEM"),
    ],
)
def test_passport_latin(cyrillic, latin):
    assert passport_latin(cyrillic) == latin


def test_latin_names_are_passport_spellings_of_the_cyrillic(people):
    for p in people:
        assert p["surname_lat"] == passport_latin(p["surname_cyr"])
        assert p["given_names_lat"] == passport_latin(p["given_names_cyr"])
        assert re.fullmatch(r"[A-Z]+", p["surname_lat"])


def test_phones_are_valid_e164(people):
    phones = [ph for p in people for ph in p["phones"]]
    assert all(normalize_phone(ph) == ph for ph in phones)
    for code in ("+77", "+971", "+966", "+974", "+98", "+972"):
        assert any(ph.startswith(code) for ph in phones), code
    assert any(len(p["phones"]) == 2 for p in people)


def test_countries_are_distributed_as_intended():
    total = sum(COUNTRY_WEIGHTS.values())
    people = generate_nationals(total, seed=2, today=TODAY)
    assert Counter(p["host_country"] for p in people) == COUNTRY_WEIGHTS
    small = Counter(p["host_country"] for p in generate_nationals(1000, seed=2, today=TODAY))
    for country, weight in COUNTRY_WEIGHTS.items():
        assert abs(small[country] - 1000 * weight / total) <= 1


def test_cities_belong_to_their_country(people):
    cities = {(p["host_country"], p["city"]) for p in people}
    assert ("AE", "Dubai") in cities and ("SA", "Mecca") in cities and ("IR", "Mashhad") in cities
    assert not {c for country, c in cities if country == "AE"} - {"Dubai", "Abu Dhabi", "Sharjah"}


def test_population_mix(people):
    ages = [age_on(p["birth_date"], TODAY) for p in people]
    assert min(ages) >= 0 and max(ages) <= 85
    minors = sum(a < 18 for a in ages) / len(ages)
    seniors = sum(a >= 60 for a in ages) / len(ages)
    assert 0.11 < minors < 0.20
    assert 0.06 < seniors < 0.14
    statuses = Counter(p["presence_status"] for p in people)
    assert statuses.most_common(1)[0][0] == PresenceStatus.IN_COUNTRY.value
    assert set(statuses) == {s.value for s in PresenceStatus}
    assert {p["source"] for p in people} == {
        Source.WALK_IN.value, Source.HOTLINE.value, Source.LIST_IMPORT.value,
        Source.TOUR_OPERATOR.value,
    }  # fmt: skip
    assert any(p["pregnant"] for p in people)
    assert all(p["sex"] == "F" for p in people if p["pregnant"])
    assert any("сахарный диабет" in (p["medical_condition"] or "") for p in people)
    assert any(p["mobility_needs"] == "инвалидная коляска" for p in people)
    assert sum(p["consent_date"] is not None for p in people) > len(people) / 2


# -- the seeded case file ------------------------------------------------------------------


def _count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_seed_writes_everything_it_reports(seeded):
    desk, summary = seeded
    assert summary.nationals == 3000
    assert summary.by_country == {"AE": 1257, "SA": 1078, "QA": 539, "IR": 72, "IL": 54}
    with desk.casefile.read() as s:
        assert _count(s, National) == 3000
        assert (
            _count(s, Household, Household.kind == HouseholdKind.FAMILY.value) == summary.families
        )
        assert _count(s, Household, Household.kind == HouseholdKind.TOUR_GROUP.value) == (
            summary.tour_groups
        )
        assert _count(s, HouseholdMember) == summary.household_members
        assert _count(s, Hotel) == summary.hotels
        assert _count(s, Placement) == summary.placements
        assert _count(s, AssistanceRequest) == summary.requests
        assert _count(s, RequestEvent) == summary.request_events
        assert _count(s, EvacuationOperation) == summary.operations == 6
        assert _count(s, Trip) == summary.trips
        written = 3000 + summary.families + summary.tour_groups + summary.household_members
        written += summary.hotels + summary.placements + summary.requests + summary.request_events
        written += summary.operations + summary.trips
        seeded_rows = (
            AuditEvent.officer == "Officer Test",
            AuditEvent.table_name != "manifest_entry",  # the evacuation is planned afterwards
            # trips start boarding, the operation gets under way
            ~(
                AuditEvent.table_name.in_(["trip", "evacuation_operation"])
                & (AuditEvent.action == "update")
            ),
        )
        assert _count(s, AuditEvent, *seeded_rows) == written + 1  # + post
        assert _count(s, ManifestEntry) == summary.on_leg > summary.boarded > 0
        assert _count(s, ManifestEntry, ManifestEntry.status == "boarded") == summary.boarded


def test_rows_read_back_through_the_orm(seeded):
    desk, _ = seeded
    with desk.casefile.read() as s:
        placement = s.execute(select(Placement).limit(1)).scalar_one()
        assert isinstance(placement.check_in, date) and placement.check_in <= TODAY
        request = s.execute(select(AssistanceRequest).limit(1)).scalar_one()
        assert request.due_at is not None and request.created_at is not None
        trip = s.execute(
            select(Trip).where(Trip.border_crossing.is_not(None)).limit(1)
        ).scalar_one()
        assert trip.departure_at is not None
        assert all(row.origin_post == "DEMO" for row in (placement, request, trip))


def test_households_have_members_and_women_with_minor_children_exist(seeded):
    desk, _ = seeded
    with desk.casefile.read() as s:
        empty = s.execute(
            select(Household.id).where(~Household.id.in_(select(HouseholdMember.household_id)))
        ).all()
        assert empty == []
        groups = s.execute(select(Household).where(Household.kind == "tour_group")).scalars().all()
        operators = {g.tour_operator for g in groups}
        assert {"Kompas Touristik", "Anex Tour KZ", "Sayat Tour", "Fun&Sun Kazakhstan"} & operators
        family = (
            s.execute(select(Household).where(Household.name.startswith("Семья ")))
            .scalars()
            .first()
        )
        assert family is not None
    found = search(desk, "", limit=5)
    assert found.rows == []
    flagged: Counter[Vulnerability] = Counter()
    for prefix in ("Ә", "Қ", "Н", "С", "Ж"):
        for row in search(desk, prefix, limit=200).rows:
            flagged.update(row.vulnerabilities)
    assert flagged[Vulnerability.WOMAN_WITH_MINORS] > 0
    assert flagged[Vulnerability.MINOR] > 0


def test_search_finds_people_by_cyrillic_prefix_and_latin_passport_spelling(seeded):
    desk, _ = seeded
    with desk.casefile.read() as s:
        people = s.execute(select(National).order_by(National.seq)).scalars().all()
    kazakh = next(n for n in people if set(n.surname_cyr) & set(KAZAKH_LETTERS.lower()))
    given_prefix = kazakh.given_names_cyr[:3]

    def ids(query: str) -> set[str]:
        return {row.id for row in search(desk, query, limit=50).rows}

    assert kazakh.id in ids(f"{kazakh.surname_cyr[:4]} {given_prefix}")
    assert kazakh.id in ids(f"{kazakh.surname_cyr.lower()} {kazakh.given_names_cyr}")
    assert kazakh.id in ids(f"{kazakh.surname_lat} {kazakh.given_names_lat}")
    assert kazakh.id in ids(f"{kazakh.surname_lat[:5].title()} {kazakh.given_names_lat[:3]}")
    if kazakh.iin:
        assert kazakh.id in ids(kazakh.iin)
    if kazakh.passport_no:
        assert kazakh.id in ids(kazakh.passport_no)


def test_requests_cover_every_kind_with_evacuation_most_common(seeded):
    desk, _ = seeded
    with desk.casefile.read() as s:
        requests = s.execute(select(AssistanceRequest)).scalars().all()
    kinds = Counter(r.kind for r in requests)
    assert set(kinds) == {k.value for k in RequestKind}
    assert kinds.most_common(1)[0][0] == RequestKind.EVACUATION.value
    assert {r.status for r in requests} <= {"new", "in_progress", "waiting"}
    assert any(r.assignee for r in requests) and any(r.assignee is None for r in requests)
    overdue = [r for r in requests if r.due_at and r.due_at.date() < TODAY]
    assert overdue


def test_hotel_guests_are_in_hotels_with_room_for_them(seeded):
    desk, _ = seeded
    with desk.casefile.read() as s:
        rows = s.execute(
            select(Placement, National.presence_status, National.city, Hotel.city)
            .join(National, National.id == Placement.national_id)
            .join(Hotel, Hotel.id == Placement.hotel_id)
        ).all()
        assert rows
        for _, presence, city, hotel_city in rows:
            assert presence == "in_hotel" and city == hotel_city
        for hotel in s.execute(select(Hotel)).scalars():
            assert _count(s, Placement, Placement.hotel_id == hotel.id) <= hotel.beds
            assert hotel.currency in {"AED", "SAR", "QAR", "USD"}


def test_refuses_a_case_file_that_is_not_empty(desk):
    register_national(desk, person())
    with pytest.raises(ServiceError) as caught:
        seed_demo(desk, count=10)
    assert caught.value.code == "demo.not_empty"


def test_refuses_a_second_seed(desk):
    seed_demo(desk, count=50, seed=4)
    with pytest.raises(ServiceError) as caught:
        seed_demo(desk, count=50, seed=4)
    assert caught.value.code == "demo.not_empty"
    with desk.casefile.read() as s:
        assert _count(s, National) == 50


def test_progress_is_reported(desk):
    seen: list[tuple[int, int, str]] = []
    seed_demo(desk, count=30, progress=lambda done, total, label: seen.append((done, total, label)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)


def test_demo_hotels_charge_per_person_and_per_room(seeded):
    from consuldesk.services import hotels

    desk, _ = seeded
    found = hotels.list_hotels(desk)
    assert {h.rate_basis for h in found} == {"person", "room"}
    assert all(h.country in {"AE", "SA", "QA", "IR", "IL"} for h in found)
    rooms: dict[str, list] = {}
    for stay in hotels.list_placements(desk):
        hotel = next(h for h in found if h.id == stay.hotel_id)
        assert stay.rate_basis == hotel.rate_basis
        if stay.rate_basis == "room":
            rooms.setdefault(stay.room_group, []).append(stay)
        else:
            assert stay.room_group is None and stay.charged_here
    assert any(len(r) > 1 for r in rooms.values())  # families share a room
    for stays in rooms.values():
        assert len({(s.hotel_id, s.room) for s in stays}) == 1
        assert [s.id == s.room_group for s in stays].count(True) == 1
        assert sum(s.charged_here for s in stays) == 1  # the room is charged once
