"""Tests for consuldesk.services.stats."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from consuldesk.domain.enums import (
    HouseholdKind,
    PresenceStatus,
    RequestKind,
    RequestPriority,
    RequestStatus,
    Sex,
    Vulnerability,
)
from consuldesk.domain.vulnerability import PersonFacts, birth_date_cutoff, vulnerabilities
from consuldesk.services import hotels as ht
from consuldesk.services import requests as rq
from consuldesk.services.households import create_household, delete_household, remove_member
from consuldesk.services.nationals import (
    NationalFilter,
    delete_national,
    find_nationals,
    merge_nationals,
    register_national,
    set_presence,
)
from consuldesk.services.stats import situation
from consuldesk.store.models import Household, HouseholdMember, National
from tests.factories import person

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

_NAMES = [
    ("Қасымова", "Әйгерім", Sex.FEMALE),
    ("Қасымов", "Ерлан", Sex.MALE),
    ("Сейітова", "Айгүл", Sex.FEMALE),
    ("Нұрланов", "Бекзат", Sex.MALE),
    ("Жұмабаева", "Гүлнар", Sex.FEMALE),
    ("Омаров", "Нұрлан", Sex.MALE),
    ("Төлеуова", "Дана", Sex.FEMALE),
    ("Ахметов", "Дәурен", Sex.MALE),
]


def test_empty_case_file(desk):
    s = situation(desk)
    assert s.on == TODAY
    assert s.nationals == 0 and s.vulnerable == 0 and s.open_requests == 0
    assert s.by_presence == {p.value: 0 for p in PresenceStatus}
    assert s.by_vulnerability == {v.value: 0 for v in Vulnerability}
    assert s.by_country == {} and s.by_city == {}
    json.dumps(s.to_dict())  # the CLI prints it as JSON


def test_situation_counts(desk):
    def add(i, **kw):
        surname, given, sex = _NAMES[i]
        return register_national(
            desk, person(surname_cyr=surname, given_names_cyr=given, sex=sex, **kw)
        ).row

    mother = add(0, birth_date=date(1988, 1, 1), city="Dubai")
    son = add(1, birth_date=date(2015, 5, 5), city="Dubai")
    grandma = add(2, birth_date=date(1950, 2, 2), city="Sharjah", medical_condition="диабет")
    add(3, birth_date=date(1990, 3, 3), host_country="IR", city="Tehran")
    add(4, birth_date=date(1995, 4, 4), city=None, pregnant=True)
    gone = add(5, birth_date=date(1970, 1, 1), city="Dubai")
    add(6, birth_date=date(1999, 1, 1), city="Abu Dhabi", mobility_needs="кресле")
    create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id, son.id])
    delete_national(desk, gone.id)
    set_presence(desk, [grandma.id], PresenceStatus.EVACUATED)

    rq.open_request(
        desk,
        RequestKind.MEDICAL,
        "Инсулин",
        national_id=grandma.id,
        priority=RequestPriority.URGENT,
        due_at=NOW - timedelta(hours=2),
    )
    rq.open_request(desk, RequestKind.DOCUMENTS, "Паспорт", national_id=son.id)
    done = rq.open_request(
        desk, RequestKind.DOCUMENTS, "Виза", national_id=son.id, due_at=NOW - timedelta(days=2)
    ).row
    rq.change_status(desk, done.id, RequestStatus.RESOLVED)

    hotel = ht.add_hotel(desk, ht.HotelFields(name="Rove", beds=4)).row
    ht.add_hotel(desk, ht.HotelFields(name="Ibis", beds=6))
    ht.place(desk, hotel.id, [mother.id, son.id], date(2026, 3, 9), date(2026, 3, 12))
    ht.place(desk, hotel.id, [grandma.id], date(2026, 3, 1), date(2026, 3, 10))  # left today

    s = situation(desk, now=NOW, top_cities=2)
    assert s.nationals == 6
    assert s.evacuated == 1
    assert s.by_presence["evacuated"] == 1 and s.by_presence["unknown"] == 5
    assert s.by_country == {"AE": 5, "IR": 1}
    assert s.country_unknown == 0
    assert s.by_city == {"Dubai": 2, "Abu Dhabi": 1}  # ties by name
    assert (s.city_other, s.city_unknown) == (2, 1)  # Sharjah, Tehran; and no city
    assert s.by_vulnerability == {
        "medical": 1,
        "mobility": 1,
        "pregnant": 1,
        "over_60": 1,
        "woman_with_minors": 1,
        "minor": 1,
    }
    assert s.vulnerable == 5  # grandma counts once
    assert s.open_requests == 2
    assert s.open_by_kind["medical"] == 1 and s.open_by_kind["documents"] == 1
    assert s.open_by_priority == {"urgent": 1, "high": 0, "normal": 1, "low": 0}
    assert s.overdue_requests == 1  # the resolved one is not late
    assert (s.hotels, s.hotel_beds, s.hotel_occupied, s.placed_tonight) == (2, 10, 2, 2)
    assert situation(desk, date(2026, 3, 5)).placed_tonight == 1
    json.dumps(s.to_dict())


# -- SQL rules agree with the domain rules ------------------------------------------------


def _varied_sample(desk, rnd: random.Random, size: int = 400) -> None:
    """Nationals around every age boundary, with odd texts, households, deletions."""
    days = [TODAY, date(2028, 2, 29), date(2027, 2, 28), date(2026, 3, 1), date(2025, 12, 31)]
    edges = [
        birth_date_cutoff(age, day) + timedelta(days=delta)
        for day in days
        for age in (18, 60)
        for delta in (-1, 0, 1)
    ]
    edges += [date(2008, 2, 29), date(1968, 2, 29), date(2010, 2, 28), date(2010, 3, 1)]
    texts = [None, None, None, "", "  ", "\u00a0", "\t\n", "\u3000", "диабет", " астма "]
    rows = []
    for i in range(size):
        surname, given, sex = _NAMES[i % len(_NAMES)]
        birth = rnd.choice(
            [None, rnd.choice(edges), date(1940, 1, 1) + timedelta(days=rnd.randrange(31000))]
        )
        rows.append(
            {
                "surname_cyr": f"{surname}{i}",
                "given_names_cyr": given,
                "sex": rnd.choice([sex.value, sex.value, None]),
                "birth_date": birth,
                "medical_condition": rnd.choice(texts),
                "mobility_needs": rnd.choice(texts),
                "pregnant": rnd.random() < 0.05,
                "host_country": "AE",
            }
        )
    with desk.casefile.write(desk.officer) as tx:
        ids = tx.insert_nationals(rows)
    rnd.shuffle(ids)
    cursor = 0
    households = []
    while cursor < len(ids) * 2 // 3:
        n = rnd.randint(1, 5)
        members = ids[cursor : cursor + n]
        cursor += n
        kind = rnd.choice([HouseholdKind.FAMILY, HouseholdKind.FAMILY, HouseholdKind.TOUR_GROUP])
        households.append(create_household(desk, f"Үй {cursor}", kind, member_ids=members).row)
    # some people are also in a tour group with others
    for k in range(0, 60, 4):
        create_household(desk, f"Тур {k}", HouseholdKind.TOUR_GROUP, member_ids=ids[k : k + 4])
    deleted = {h.id for h in rnd.sample(households, 10)}
    for household_id in deleted:
        delete_household(desk, household_id)
    alive = [h for h in households if h.id not in deleted and h.members]
    for h in rnd.sample(alive, 20):
        remove_member(desk, h.id, h.member_ids[0])
    for national_id in rnd.sample(ids, 15):
        delete_national(desk, national_id)
    # a household tombstone that arrived by sync without its memberships' tombstones: the
    # mother no longer counts as travelling with a minor
    mother = register_national(desk, person(birth_date=date(1985, 1, 1))).row
    child = register_national(
        desk, person(given_names_cyr="Алихан", sex=Sex.MALE, birth_date=date(2016, 1, 1))
    ).row
    synced = create_household(desk, "Синк", HouseholdKind.FAMILY, member_ids=[mother.id, child.id])
    with desk.casefile.write(desk.officer) as tx:
        row = tx.session.get(Household, synced.row.id)
        assert row is not None
        tx.delete(row)
    # what the stored "youngest in the family" (migration 0010) must follow: a child who
    # turns out to be an adult, an adult who turns out to be a child, a birth date forgotten,
    # a membership moved by a merge, a membership row removed outright
    in_family = [h for h in alive if len(h.member_ids) > 2]
    with desk.casefile.write(desk.officer) as tx:
        for h, birth in zip(
            in_family[:9], [date(1970, 1, 1), date(2015, 6, 1), None] * 3, strict=True
        ):
            member = tx.session.get(National, h.member_ids[-1])
            if member is not None and member.deleted_at is None:
                member.birth_date = birth
                tx.session.add(member)
    with desk.casefile.read() as session:
        live = set(session.exec(select(National.id).where(col(National.deleted_at).is_(None))))
    kept = register_national(desk, person(given_names_cyr="Айгүл", birth_date=date(2012, 5, 5)))
    lone = [i for i in ids[len(ids) * 3 // 4 :] if i in live][:3]
    merge_nationals(desk, kept.row.id, next(i for i in in_family[9].member_ids if i in live))
    with desk.casefile.write(desk.officer) as tx:
        tx.session.execute(
            text("DELETE FROM household_member WHERE household_id = :h"), {"h": in_family[10].id}
        )
    with desk.casefile.write(desk.officer) as tx:  # a family that turns out to be a tour group
        moved = tx.session.get(Household, in_family[11].id)
        assert moved is not None
        moved.kind = HouseholdKind.TOUR_GROUP.value
        tx.session.add(moved)
    late = register_national(desk, person(given_names_cyr="Әсел", birth_date=date(2019, 9, 9)))
    create_household(desk, "Кейін", HouseholdKind.FAMILY, member_ids=[*lone, late.row.id])


def _expected(desk, today: date) -> tuple[Counter[str], int, int]:
    """Flags computed row by row with domain.vulnerability.vulnerabilities()."""
    with desk.casefile.read() as session:
        people = list(session.exec(select(National).where(col(National.deleted_at).is_(None))))
        live_households = set(
            session.exec(select(Household.id).where(col(Household.deleted_at).is_(None)))
        )
        memberships = session.exec(
            select(HouseholdMember.household_id, HouseholdMember.national_id).where(
                col(HouseholdMember.deleted_at).is_(None)
            )
        ).all()
    births = {n.id: n.birth_date for n in people}
    members: dict[str, list[str]] = defaultdict(list)
    for household_id, national_id in memberships:
        if household_id in live_households and national_id in births:
            members[household_id].append(national_id)
    others: dict[str, list[date | None]] = defaultdict(list)
    for member_ids in members.values():
        for me in member_ids:
            others[me].extend(births[o] for o in member_ids if o != me)
    counts: Counter[str] = Counter()
    vulnerable = 0
    for n in people:
        facts = PersonFacts(
            birth_date=n.birth_date,
            sex=Sex(n.sex) if n.sex else None,
            medical_condition=n.medical_condition,
            mobility_needs=n.mobility_needs,
            pregnant=n.pregnant,
        )
        flags = vulnerabilities(facts, today, others.get(n.id, ()))
        counts.update(f.value for f in flags)
        vulnerable += bool(flags)
    return counts, vulnerable, len(people)


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_vulnerability_counts_agree_with_domain_rules(desk, seed):
    _varied_sample(desk, random.Random(seed))
    for day in (TODAY, date(2028, 2, 29), date(2027, 2, 28), date(2026, 3, 1), date(2025, 12, 31)):
        counts, vulnerable, total = _expected(desk, day)
        s = situation(desk, day)
        assert s.nationals == total
        assert s.by_vulnerability == {v.value: counts[v.value] for v in Vulnerability}, day
        assert s.vulnerable == vulnerable, day
        # the sample really is varied
        assert all(counts[v.value] > 0 for v in Vulnerability), counts
        # and the list's filters find the same people, page after page
        desk.today = lambda day=day: day
        for v in Vulnerability:
            page = find_nationals(desk, NationalFilter(vulnerability=v), limit=40)
            seen = len(page.rows)
            while page.after is not None:
                page = find_nationals(
                    desk, NationalFilter(vulnerability=v), limit=40, after=page.after
                )
                seen += len(page.rows)
            assert page.total == seen == counts[v.value], (day, v)
    # the household filter, from the kinds of households the case file keeps for each person
    kinds = _household_kinds(desk)
    for membership, wanted in (
        ("family", {1, 3}),
        ("no_family", {0, 2}),
        ("tour_group", {2, 3}),
        ("none", {0}),
    ):
        expected = sum(k in wanted for k in kinds.values())
        assert find_nationals(desk, NationalFilter(membership=membership)).total == expected


def _household_kinds(desk) -> dict[str, int]:
    """Each live person's live households, as 1 family, 2 tour group, 3 both, 0 none."""
    with desk.casefile.read() as session:
        people = session.exec(select(National.id).where(col(National.deleted_at).is_(None)))
        kinds = dict.fromkeys(people, 0)
        rows = session.exec(
            select(HouseholdMember.national_id, Household.kind)
            .join(Household, col(Household.id) == HouseholdMember.household_id)
            .where(col(HouseholdMember.deleted_at).is_(None), col(Household.deleted_at).is_(None))
        ).all()
    for national_id, kind in rows:
        if national_id in kinds:
            kinds[national_id] |= 1 if kind == HouseholdKind.FAMILY.value else 2
    return kinds


@pytest.mark.slow
def test_situation_counts_100k_nationals(desk):
    rnd = random.Random(7)
    cities = ["Dubai", "Abu Dhabi", "Sharjah", "Ajman", "Al Ain", "Tehran", None]
    now = "2026-03-01 00:00:00.000000"
    base = date(1940, 1, 1)
    n = 100_000
    nationals = [
        (
            f"00000000-0000-7000-8000-{i:012d}",
            i + 1,
            now,
            now,
            "AE-ABU",
            f"v{i}",
            f"Сейітов{i}",
            "Ерлан",
            rnd.choice("FM"),
            (base + timedelta(days=rnd.randrange(31000))).isoformat(),
            rnd.choice(["AE", "AE", "IR", "QA"]),
            rnd.choice(cities),
            rnd.choice(["in_country", "in_hotel", "unknown"]),
            rnd.choice([None, None, None, "диабет"]),
            f"seitov{i} erlan ерлан сеитов{i}",
        )
        for i in range(n)
    ]
    households = [(f"h{i}", now, now, "AE-ABU", "v", f"Үй {i}") for i in range(0, n // 2, 3)]
    members = [
        (f"m{i}", now, now, "AE-ABU", "v", f"h{i - i % 3}", nationals[i][0]) for i in range(n // 2)
    ]
    with desk.casefile.write(desk.officer) as tx:
        conn = tx.session.connection()
        conn.exec_driver_sql(
            "INSERT INTO national (id, seq, created_at, updated_at, origin_post, version,"
            " surname_cyr, given_names_cyr, sex, birth_date, host_country, city, presence_status,"
            " medical_condition, search_keys, nationality, phones, pregnant, source, sort_name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'KAZ', '[]', 0, 'walk_in', '')",
            nationals,
        )
        conn.exec_driver_sql(
            "INSERT INTO household (id, created_at, updated_at, origin_post, version, name, kind)"
            " VALUES (?, ?, ?, ?, ?, ?, 'family')",
            households,
        )
        conn.exec_driver_sql(
            "INSERT INTO household_member (id, created_at, updated_at, origin_post, version,"
            " household_id, national_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            members,
        )
    s = situation(desk)  # its speed is bench/bench_ui.py's to measure, not this test's
    assert s.nationals == n
    assert s.by_vulnerability["woman_with_minors"] > 0
