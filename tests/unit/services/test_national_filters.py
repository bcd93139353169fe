"""The list of nationals narrowed in SQLite: query text, place, status, needs, household, hotel."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from consuldesk.domain.enums import HouseholdKind, PresenceStatus, Sex, Vulnerability
from consuldesk.services import hotels, nationals
from consuldesk.services.desk import Desk
from consuldesk.services.households import create_household
from consuldesk.services.nationals import NationalFilter, filter_choices, find_nationals
from tests.factories import person


@dataclass
class Seeded:
    """Ids of the seeded people, household and hotels."""

    mother: str
    child: str
    elder: str
    pregnant: str
    wheelchair: str
    guest: str
    no_birth: str
    family: str
    hotel: str
    other_hotel: str


def seed(desk: Desk) -> Seeded:
    """Seven people in three countries, a family with a child, a hotel guest tonight."""

    def add(**kw: object) -> str:
        return nationals.register_national(desk, person(**kw)).row.id

    mother = add()  # Қасымова Әйгерім, AE Dubai, 1985
    child = add(
        surname_cyr="Қасымов",
        given_names_cyr="Али",
        surname_lat="KASSYMOV",
        given_names_lat="ALI",
        sex=Sex.MALE,
        birth_date=date(2015, 5, 5),
        phones=(),
    )
    elder = add(
        surname_cyr="Әбілқасымов",
        given_names_cyr="Нұрсұлтан",
        surname_lat="ABILKASSYMOV",
        given_names_lat="NURSULTAN",
        sex=Sex.MALE,
        birth_date=date(1950, 1, 2),
        city="Abu Dhabi",
        medical_condition="diabetes",
        phones=(),
    )
    pregnant = add(
        surname_cyr="Бекова",
        given_names_cyr="Ұлжан",
        surname_lat="BEKOVA",
        given_names_lat="ULZHAN",
        birth_date=date(1991, 1, 1),
        host_country="SA",
        city="Riyadh",
        pregnant=True,
        presence_status=PresenceStatus.IN_TRANSIT,
        phones=(),
    )
    wheelchair = add(
        surname_cyr="Ахметов",
        given_names_cyr="Ерлан",
        surname_lat="AKHMETOV",
        given_names_lat="YERLAN",
        sex=Sex.MALE,
        birth_date=date(1980, 7, 7),
        host_country="QA",
        city="Doha",
        mobility_needs="wheelchair",
        presence_status=PresenceStatus.EVACUATED,
        phones=(),
    )
    guest = add(
        surname_cyr="Серікова",
        given_names_cyr="Дана",
        surname_lat="SERIKOVA",
        given_names_lat="DANA",
        birth_date=date(1995, 2, 2),
        phones=(),
    )
    no_birth = add(
        surname_cyr=None,
        given_names_cyr=None,
        surname_lat="ZHUMABEK",
        given_names_lat="TIMUR",
        sex=Sex.MALE,
        birth_date=None,
        city=None,
        phones=(),
    )
    family = create_household(
        desk, "Қасымовы", HouseholdKind.FAMILY, member_ids=[mother, child]
    ).row.id
    hotel = hotels.add_hotel(desk, hotels.HotelFields(name="Rixos", city="Dubai", beds=10)).row.id
    other = hotels.add_hotel(desk, hotels.HotelFields(name="Hilton", city="Dubai", beds=10)).row
    # Tonight in Rixos: the guest (checked in), the elder (booked, open-ended).
    hotels.place(desk, hotel, [guest], date(2026, 3, 8), date(2026, 3, 12), checked_in=True)
    hotels.place(desk, hotel, [elder], date(2026, 3, 10))
    # Not tonight: a stay that ended this morning, one that starts tomorrow, one cancelled.
    hotels.place(desk, hotel, [wheelchair], date(2026, 3, 1), date(2026, 3, 10))
    hotels.place(desk, hotel, [mother], date(2026, 3, 11), date(2026, 3, 14))
    booked = hotels.place(desk, hotel, [pregnant], date(2026, 3, 9), date(2026, 3, 15))
    hotels.cancel_placement(desk, booked.row[0].id)
    return Seeded(
        mother, child, elder, pregnant, wheelchair, guest, no_birth, family, hotel, other.id
    )


@pytest.fixture
def seeded(desk):
    return seed(desk)


def ids(page: nationals.Page) -> list[str]:
    return [r.id for r in page.rows]


def test_no_filter_lists_everyone_in_name_order(desk, seeded):
    page = find_nationals(desk)
    assert page.total == 7
    names = [r.name for r in page.rows]
    assert names[:2] == ["Ахметов Ерлан", "Әбілқасымов Нұрсұлтан"]
    assert names[-1] == "ZHUMABEK TIMUR"


def test_filters_by_country_city_and_status(desk, seeded):
    s = seeded
    assert set(ids(find_nationals(desk, NationalFilter(host_country="SA")))) == {s.pregnant}
    dubai = find_nationals(desk, NationalFilter(city="Dubai"))
    assert set(ids(dubai)) == {s.mother, s.child, s.guest}
    assert dubai.total == 3
    evacuated = NationalFilter(presence_status=PresenceStatus.EVACUATED.value)
    assert ids(find_nationals(desk, evacuated)) == [s.wheelchair]
    both = NationalFilter(host_country="AE", city="Abu Dhabi")
    assert ids(find_nationals(desk, both)) == [s.elder]


@pytest.mark.parametrize("flag", list(Vulnerability))
def test_needs_filter_agrees_with_the_flags_on_the_rows(desk, seeded, flag):
    everyone = find_nationals(desk, limit=100).rows
    expected = {r.id for r in everyone if flag in r.vulnerabilities}
    assert expected  # the seed has someone with every flag
    page = find_nationals(desk, NationalFilter(vulnerability=flag))
    assert set(ids(page)) == expected
    assert page.total == len(expected)


def test_needs_filter_picks_the_right_people(desk, seeded):
    s = seeded

    def who(flag: Vulnerability) -> set[str]:
        return set(ids(find_nationals(desk, NationalFilter(vulnerability=flag))))

    assert who(Vulnerability.WOMAN_WITH_MINORS) == {s.mother}
    assert who(Vulnerability.MINOR) == {s.child}
    assert who(Vulnerability.OVER_60) == {s.elder}
    assert who(Vulnerability.MEDICAL) == {s.elder}
    assert who(Vulnerability.MOBILITY) == {s.wheelchair}
    assert who(Vulnerability.PREGNANT) == {s.pregnant}


def test_household_filter(desk, seeded):
    page = find_nationals(desk, NationalFilter(household_id=seeded.family))
    assert set(ids(page)) == {seeded.mother, seeded.child}


def test_hotel_filter_keeps_only_tonight_s_live_placements(desk, seeded):
    tonight = find_nationals(desk, NationalFilter(hotel_id=seeded.hotel))
    assert set(ids(tonight)) == {seeded.guest, seeded.elder}
    assert find_nationals(desk, NationalFilter(hotel_id=seeded.other_hotel)).total == 0


def test_query_combines_with_filters(desk, seeded):
    assert set(ids(find_nationals(desk, NationalFilter(query="kas")))) == {
        seeded.mother,
        seeded.child,
    }
    minor_kas = NationalFilter(query="kas", vulnerability=Vulnerability.MINOR)
    assert ids(find_nationals(desk, minor_kas)) == [seeded.child]
    assert find_nationals(desk, NationalFilter(query="kas", city="Doha")).total == 0
    assert find_nationals(desk, NationalFilter(query="Қасым", city="Dubai")).total == 2
    assert find_nationals(desk, NationalFilter(query="?!")).total == 0  # nothing searchable


def test_paging_gives_every_row_once(desk, seeded):
    seen: list[str] = []
    for offset in range(0, 8, 3):
        page = find_nationals(desk, limit=3, offset=offset)
        assert page.total == 7
        seen += ids(page)
    assert len(seen) == 7 and len(set(seen)) == 7
    assert find_nationals(desk, limit=3, offset=7).rows == []


def _walk(desk, limit: int, **kw) -> list[str]:
    """Every id of a sorted list, page after page, each page starting after the last."""
    page = find_nationals(desk, limit=limit, **kw)
    seen = ids(page)
    while page.after is not None:
        page = find_nationals(desk, limit=limit, after=page.after, total=page.total, **kw)
        seen += ids(page)
    return seen


@pytest.mark.parametrize("sort", nationals.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_paging_after_the_last_row_gives_the_whole_order(desk, seeded, sort, descending):
    whole = ids(find_nationals(desk, sort=sort, descending=descending, limit=100))
    for limit in (1, 2, 3, 6, 7):
        assert _walk(desk, limit, sort=sort, descending=descending) == whole, limit
    # the ones whose value is unknown come last, in either direction
    rows = find_nationals(desk, sort=sort, descending=descending, limit=100).rows
    key = {"born": "birth_date", "city": "city"}.get(sort)
    if key:
        known = [getattr(r, key) is not None for r in rows]
        assert known == sorted(known, reverse=True)


def test_paging_after_a_row_deleted_meanwhile_loses_nobody(desk, seeded):
    first = find_nationals(desk, limit=3)
    nationals.delete_national(desk, first.rows[-1].id)  # the row the next page starts after
    rest = find_nationals(desk, limit=10, after=first.after)
    assert ids(first)[:2] + ids(rest) == ids(find_nationals(desk, limit=10))


def test_a_filter_pages_after_the_last_row_too(desk, seeded):
    flt = NationalFilter(host_country="AE")
    whole = ids(find_nationals(desk, flt, sort="born", limit=100))
    assert len(whole) > 3
    assert _walk(desk, 2, flt=flt, sort="born") == whole


def test_sort_by_birth_date_descending_puts_unknown_last(desk, seeded):
    s = seeded
    rows = find_nationals(desk, sort="born", descending=True).rows
    assert [r.id for r in rows] == [
        s.child,
        s.guest,
        s.pregnant,
        s.mother,
        s.wheelchair,
        s.elder,
        s.no_birth,
    ]
    ascending = find_nationals(desk, sort="born").rows
    assert ascending[0].id == s.elder
    assert ascending[-1].id == s.no_birth


def test_sort_by_city_and_status(desk, seeded):
    cities = [r.city for r in find_nationals(desk, sort="city").rows]
    assert cities == ["Abu Dhabi", "Doha", "Dubai", "Dubai", "Dubai", "Riyadh", None]
    statuses = [r.presence_status for r in find_nationals(desk, sort="status").rows]
    assert statuses == sorted(statuses)
    with pytest.raises(ValueError):
        find_nationals(desk, sort="iin")


def test_deleted_people_are_not_listed(desk, seeded):
    nationals.delete_national(desk, seeded.guest)
    assert find_nationals(desk).total == 6
    assert find_nationals(desk, NationalFilter(hotel_id=seeded.hotel)).total == 1


def test_filter_choices(desk, seeded):
    choices = filter_choices(desk)
    assert choices.countries == [("AE", 5), ("QA", 1), ("SA", 1)]
    assert choices.cities == [("Dubai", 3), ("Abu Dhabi", 1), ("Doha", 1), ("Riyadh", 1)]
    assert [h.name for h in choices.hotels] == ["Hilton", "Rixos"]


def test_narrows_ignores_the_query():
    assert not NationalFilter(query="abc").narrows
    assert NationalFilter(city="Dubai").narrows


# -- read from indexes -----------------------------------------------------------------------


@pytest.fixture
def planned(desk):
    """3,000 varied people, families among them, and the planner's statistics gathered."""
    rnd = random.Random(5)
    cities = [("AE", "Dubai"), ("AE", "Abu Dhabi"), ("QA", "Doha"), ("IR", "Tehran")]
    rows = []
    for i in range(3000):
        country, city = rnd.choice(cities)
        rows.append(
            {
                "surname_cyr": f"Сейітова{i}",
                "given_names_cyr": "Әйгерім",
                "sex": rnd.choice("FM"),
                "birth_date": date(1940, 1, 1) + timedelta(days=rnd.randrange(31000)),
                "host_country": country,
                "city": city,
                "presence_status": rnd.choice(["in_country", "in_hotel", "unknown"]),
                "medical_condition": "астма" if i % 50 == 0 else None,
                "mobility_needs": "коляска" if i % 70 == 0 else None,
                "pregnant": i % 90 == 0,
            }
        )
    with desk.casefile.write(desk.officer) as tx:
        ids = tx.insert_nationals(rows)
    for start in range(0, 300, 3):
        create_household(
            desk, f"Үй {start}", HouseholdKind.FAMILY, member_ids=ids[start : start + 3]
        )
    for start in range(300, 420, 4):
        create_household(
            desk, f"Тур {start}", HouseholdKind.TOUR_GROUP, member_ids=ids[start : start + 4]
        )
    assert desk.casefile.refresh_statistics()
    return desk


def _plans(desk, call) -> list[tuple[str, str]]:
    """(statement, query plan) of each read of the nationals list ``call`` makes."""
    from sqlalchemy import event

    seen: list[tuple[str, str]] = []

    def explain(conn, _cursor, statement, parameters, _context, _many):
        if "national AS n" in statement:
            rows = conn.connection.driver_connection.execute(
                "EXPLAIN QUERY PLAN " + statement, parameters
            )
            seen.append((statement, " | ".join(str(r[-1]) for r in rows)))

    event.listen(desk.casefile.engine, "before_cursor_execute", explain)
    try:
        call()
    finally:
        event.remove(desk.casefile.engine, "before_cursor_execute", explain)
    return seen


@pytest.mark.parametrize(
    "flt",
    [
        NationalFilter(host_country="QA"),
        NationalFilter(city="Doha"),
        NationalFilter(presence_status="in_hotel"),
        *(NationalFilter(vulnerability=v) for v in Vulnerability),
    ],
    ids=lambda f: next(f"{k}={v}" for k, v in vars(f).items() if v not in (None, "", False)),
)
def test_every_filter_is_counted_from_an_index(planned, flt):
    """Counting a filter never reads every live person (at 100,000 people that took 40 ms to
    280 ms; bench/bench_ui.py has the figures)."""
    (count, count_plan), *_ = _plans(planned, lambda: find_nationals(planned, flt))
    assert "count(" in count
    assert (
        "SEARCH n USING" in count_plan
        or "ix_national_live_medical" in count_plan
        or ("ix_national_live_mobility" in count_plan or "ix_national_live_pregnant" in count_plan)
    ), count_plan


@pytest.mark.parametrize("sort", nationals.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_a_page_deep_down_starts_from_the_index_not_from_the_top(planned, sort, descending):
    kw = {"sort": sort, "descending": descending}
    deep = find_nationals(planned, offset=2000, **kw)
    plans = _plans(
        planned, lambda: find_nationals(planned, after=deep.after, total=deep.total, **kw)
    )
    assert len(plans) == 1  # no count again
    ((_statement, plan),) = plans
    index = {"name": "live_name", "born": "live_born", "city": "live_city", "status": "live_status"}
    assert f"SEARCH n USING INDEX ix_national_{index[sort]} (" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
