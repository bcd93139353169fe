"""The search index: keys, query building, and staying in step with the table."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from consuldesk.domain.enums import Sex
from consuldesk.services import nationals
from consuldesk.store.search import build_match, rebuild_index
from tests.factories import person, valid_iin


def names(result):
    return [row.name for row in result.rows]


@pytest.fixture
def people(desk):
    from datetime import date

    rows = {
        "aigerim": nationals.register_national(
            desk, person(iin=valid_iin(date(1985, 3, 4), Sex.FEMALE, 1234), passport_no="N12345678")
        ).row,
        "nursultan": nationals.register_national(
            desk,
            person(
                surname_cyr="Әбілқасымов",
                given_names_cyr="Нұрсұлтан",
                patronymic_cyr="Жәнібекұлы",
                surname_lat="ABILKASSYMOV",
                given_names_lat="NURSULTAN",
                sex=Sex.MALE,
                birth_date=date(1950, 1, 2),
                phones=("+971501234567", "8 777 111 22 33"),
            ),
        ).row,
        "hadisha": nationals.register_national(
            desk,
            person(
                surname_cyr="Өтегенова",
                given_names_cyr="Һадиша",
                surname_lat="OTEGENOVA",
                given_names_lat="KHADISHA",
                birth_date=date(2015, 6, 1),
            ),
        ).row,
        "ivan": nationals.register_national(
            desk,
            person(
                surname_cyr="Щукин",
                given_names_cyr="Евгений",
                surname_lat="SHCHUKIN",
                given_names_lat="YEVGENIY",
                sex=Sex.MALE,
                birth_date=date(1979, 9, 9),
                phones=(),
            ),
        ).row,
    }
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Қас", "Қасымова Әйгерім"),  # Kazakh letters as typed
        ("кас", "Қасымова Әйгерім"),  # typed on a Russian keyboard
        ("KASY", "Қасымова Әйгерім"),  # passport spelling, single s
        ("kassym", "Қасымова Әйгерім"),
        ("Әйгерім", "Қасымова Әйгерім"),
        ("aygerim", "Қасымова Әйгерім"),  # y/i variant
        ("нұрс", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),
        ("nurs abil", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # two words, any order
        ("жанибек", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),
        ("zhanibek", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # Zh = Ж = J
        ("janibek", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),
        ("һадиша", "Өтегенова Һадиша"),
        ("хадиша", "Өтегенова Һадиша"),  # Һ typed as Х
        ("hadisha", "Өтегенова Һадиша"),  # Kh / H
        ("өтег", "Өтегенова Һадиша"),
        ("отег", "Өтегенова Һадиша"),
        ("евген", "Щукин Евгений"),
        ("evgenii", "Щукин Евгений"),
        ("yevgeniy", "Щукин Евгений"),
        ("шукин", "Щукин Евгений"),  # Щ heard as Ш: the loose Latin key still finds him
        ("шолпан", None),
        ("N1234", "Қасымова Әйгерім"),  # passport fragment
        ("n12345678", "Қасымова Әйгерім"),
        ("8503", "Қасымова Әйгерім"),  # IIN prefix
        ("+971 50 123", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # phone as typed
        ("87771112233", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # local form
        ("7771112", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),
        ("1112233", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # last seven digits
        ("050 123 4567", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # UAE number written locally
        ("zzzz", None),  # a run of one letter is not that letter
        ("5012345", "Әбілқасымов Нұрсұлтан Жәнібекұлы"),  # the middle of a phone number
    ],
)
def test_finds_people_however_they_are_typed(desk, people, query, expected):
    found = names(nationals.search(desk, query))
    assert found == ([expected] if expected else [])


def test_empty_and_punctuation_queries_find_nothing(desk, people):
    assert names(nationals.search(desk, "")) == []
    assert names(nationals.search(desk, " - ' ")) == []
    assert build_match("   ") is None


def test_query_with_quotes_cannot_break_fts_syntax(desk, people):
    assert names(nationals.search(desk, 'Қас"')) == ["Қасымова Әйгерім"]
    assert names(nationals.search(desk, '"*) OR ("')) == []  # FTS syntax is never passed through


def test_index_follows_edits_and_deletions(desk, people):
    row = people["ivan"]
    fields = nationals.fields_of_row(row).replace(surname_cyr="Жұмабаев", surname_lat="ZHUMABAYEV")
    nationals.update_national(desk, row.id, fields)
    assert names(nationals.search(desk, "щукин")) == []
    assert names(nationals.search(desk, "жұмаб")) == ["Жұмабаев Евгений"]
    nationals.delete_national(desk, row.id)
    assert names(nationals.search(desk, "жұмаб")) == []
    assert names(nationals.search(desk, "евген")) == []


def test_any_part_of_an_iin_passport_or_phone_finds_them_and_follows_edits(desk, people):
    aigerim = people["aigerim"]
    middle = aigerim.iin[2:11]
    assert names(nationals.search(desk, middle)) == ["Қасымова Әйгерім"]  # not a prefix
    fields = nationals.fields_of_row(aigerim).replace(passport_no="N56668261")
    nationals.update_national(desk, aigerim.id, fields)
    # The last digits of a passport, as an officer reads them out on the phone.
    assert names(nationals.search(desk, "68261")) == ["Қасымова Әйгерім"]
    assert names(nationals.search(desk, "n5666")) == ["Қасымова Әйгерім"]
    # the list of nationals (its search box) finds them the same way, alone or with a filter
    for query in ("68261", middle, "n5666"):
        found = nationals.find_nationals(desk, nationals.NationalFilter(query=query))
        assert [r.name for r in found.rows] == ["Қасымова Әйгерім"], query
    with_country = nationals.NationalFilter(query="68261", host_country=aigerim.host_country)
    assert nationals.find_nationals(desk, with_country).total == 1
    assert names(nationals.search(desk, "n12345678")) == []  # the old passport is gone
    nationals.delete_national(desk, aigerim.id)
    assert names(nationals.search(desk, "68261")) == []
    assert names(nationals.search(desk, middle)) == []
    assert names(nationals.search(desk, "1a")) == []  # too short for a part: nothing odd


def test_limit_reports_more(desk):
    with desk.casefile.write("x") as tx:
        tx.insert_nationals(
            [{"surname_cyr": "Сейтқали", "given_names_cyr": f"Ұлан{i}"} for i in range(30)]
        )
    result = nationals.search(desk, "сейт", limit=10)
    assert len(result.rows) == 10 and result.more
    assert [r.name for r in result.rows] == sorted(r.name for r in result.rows)
    assert len(nationals.search(desk, "сейт", limit=30).rows) == 30
    assert not nationals.search(desk, "сейт", limit=30).more


def test_rebuild_gives_the_same_answers(desk, people):
    before = names(nationals.search(desk, "а"))
    with desk.casefile.write("x") as tx:
        assert rebuild_index(tx.session) == 4
    assert names(nationals.search(desk, "а")) == before
    with desk.casefile.read() as session:
        count = session.execute(text("SELECT count(*) FROM national_fts")).scalar()
    assert count is not None


def test_match_expression_is_prefix_and_or_of_variants():
    assert build_match("Нұр ali") == '("nur"* OR "нур"*) AND ("ali"*)'
    assert build_match("+7 (701) 234") == '("7701234"*)'


def test_yo_names_are_found_as_passports_print_them(desk):
    nationals.register_national(
        desk,
        person(
            surname_cyr="Ёлкин",
            given_names_cyr="Пётр",
            surname_lat=None,
            given_names_lat=None,
            sex=Sex.MALE,
        ),
    )
    for query in ("Ёлкин", "Елкин", "Elkin", "Yolkin", "Пётр", "Петр", "Petr"):
        assert names(nationals.search(desk, query)) == ["Ёлкин Пётр"], query


def test_case_files_indexed_with_older_keys_are_reindexed_on_open(desk):
    from consuldesk.services.casefile import open_casefile
    from consuldesk.store.db import META_SEARCH_VERSION

    nationals.register_national(
        desk,
        person(
            surname_cyr="Серікбаев", given_names_cyr="Арман", surname_lat=None, given_names_lat=None
        ),
    )
    with desk.casefile.write("x") as tx:  # as an older ConsulDesk would have left it
        tx.session.execute(text("UPDATE national SET search_keys = 'stale'"))
        tx.session.execute(
            text("UPDATE meta SET value = '0' WHERE key = :k"), {"k": META_SEARCH_VERSION}
        )
    assert names(nationals.search(desk, "serikbayev")) == []
    path = desk.path
    desk.close()
    reopened = open_casefile(path, "x")
    try:
        assert names(nationals.search(reopened, "serikbayev")) == ["Серікбаев Арман"]
    finally:
        reopened.close()
