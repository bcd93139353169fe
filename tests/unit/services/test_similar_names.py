"""Nobody by the name as typed: the people whose name is a letter or two from it.

A caller on the hotline says "Абдрахманова" (the Russian spelling); the list from the tour
operator spelled her "Әбдірахманова". The search said "Nobody found" and the officer
registered her a second time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from consuldesk.domain.enums import Sex
from consuldesk.domain.names import near_keys
from consuldesk.services import nationals
from consuldesk.services.nationals import NationalFilter, find_nationals, search
from tests.factories import person


def _add(desk, surname_cyr, given_cyr, surname_lat, given_lat, **kw):
    fields = person(
        surname_cyr=surname_cyr,
        given_names_cyr=given_cyr,
        surname_lat=surname_lat,
        given_names_lat=given_lat,
        phones=(),
        **kw,
    )
    return nationals.register_national(desk, fields).row.id


@pytest.fixture
def people(desk):
    return {
        "dana": _add(desk, "Әбдірахманова", "Дана", "ABDIRAKHMANOVA", "DANA"),
        "aigerim": _add(
            desk,
            "Әбдірахманова",
            "Әйгерім",
            "ABDIRAKHMANOVA",
            "AIGERIM",
            birth_date=date(1990, 1, 1),
        ),
        "erlan": _add(
            desk,
            "Ахметов",
            "Ерлан",
            "AKHMETOV",
            "YERLAN",
            sex=Sex.MALE,
            birth_date=date(1980, 7, 7),
        ),
    }


def _names(rows):
    return sorted(r.id for r in rows)


def test_the_russian_spelling_of_a_kazakh_name_finds_her(desk, people):
    result = search(desk, "Абдрахманова")
    assert result.similar
    assert _names(result.rows) == sorted([people["dana"], people["aigerim"]])


def test_a_word_found_as_typed_narrows_the_similar_ones(desk, people):
    result = search(desk, "Абдрахманова Дана")
    assert result.similar
    assert _names(result.rows) == [people["dana"]]


def test_the_passport_spelling_with_a_letter_missing_finds_her(desk, people):
    result = search(desk, "ABDRAKHMANOVA AIGERIM")
    assert result.similar and _names(result.rows) == [people["aigerim"]]


def test_a_typo_in_a_name_typed_in_part(desk, people):
    result = search(desk, "Ахмнт")
    assert result.similar and _names(result.rows) == [people["erlan"]]


def test_a_name_found_as_typed_is_not_similar(desk, people):
    result = search(desk, "Әбдірахманова")
    assert not result.similar and len(result.rows) == 2
    assert not search(desk, "абдир").similar  # a beginning as typed: found, not similar


def test_nothing_near_is_still_nobody(desk, people):
    assert search(desk, "Петров") == nationals.SearchResult([], False)
    assert search(desk, "Абв") == nationals.SearchResult([], False)  # too short to guess
    # Numbers are never guessed at: a wrong digit is another person's passport or phone.
    assert search(desk, "N1234") == nationals.SearchResult([], False)
    assert search(desk, "+7 701 000 00 00") == nationals.SearchResult([], False)


def test_the_list_falls_back_to_similar_names_page_by_page(desk, people):
    for i in range(5):
        _add(
            desk,
            "Әбдірахманов",
            f"Али{'и' * i}",
            "ABDIRAKHMANOV",
            "ALI" + "I" * i,
            sex=Sex.MALE,
            birth_date=date(2000, 1, 1 + i),
        )
    first = find_nationals(desk, NationalFilter(query="Абдрахманов"), limit=3)
    assert first.similar and first.total == 7 and len(first.rows) == 3
    seen = [r.id for r in first.rows]
    page = first
    while page.after is not None:
        page = find_nationals(
            desk, NationalFilter(query="Абдрахманов"), limit=3, after=page.after, total=page.total
        )
        assert page.similar
        seen += [r.id for r in page.rows]
    assert len(seen) == 7 == len(set(seen))
    assert people["dana"] in seen and people["erlan"] not in seen


def test_the_list_keeps_its_other_filters_on_similar_names(desk, people):
    page = find_nationals(desk, NationalFilter(query="Абдрахманова", host_country="SA"))
    assert page.total == 0 and not page.similar
    page = find_nationals(desk, NationalFilter(query="Абдрахманова", host_country="AE"))
    assert page.similar and page.total == 2


def test_the_list_as_typed_is_not_similar(desk, people):
    page = find_nationals(desk, NationalFilter(query="Ахметов"))
    assert not page.similar and [r.id for r in page.rows] == [people["erlan"]]


@pytest.mark.parametrize(
    ("key", "vocabulary", "near"),
    [
        ("абдрахманова", ["абдирахманова", "абдиров", "ахметова"], ["абдирахманова"]),
        ("ахмедова", ["ахметова", "ахмедов", "ахмедьярова"], ["ахмедов", "ахметова"]),
        # Names beginning a letter off too, as a search finds names by their beginning.
        ("дпна", ["дана", "динара", "канат"], ["дана", "динара"]),
        ("абдрахманов", ["абдирахманов", "абдирахманова"], ["абдирахманов", "абдирахманова"]),
        ("абдрах", ["абдирахманова", "абдиров"], ["абдирахманова"]),
        ("нурсултанва", ["нурсултан", "нурсултанова", "нурсултанович"], ["нурсултанова"]),
        ("абв", ["аба", "абвг"], []),  # too short
        ("петров", ["абдирахманова", "ахметова"], []),
    ],
)
def test_near_keys(key, vocabulary, near):
    assert near_keys(key, vocabulary) == near


def test_names_registered_or_changed_since_are_near_too(desk, people):
    """The index's names are kept between searches: a new or renamed person is near too."""
    assert search(desk, "Абдрахманова").similar  # the names read (and kept)
    assert search(desk, "Жумабеква") == nationals.SearchResult([], False)
    new = _add(desk, "Жұмабекова", "Сәуле", "ZHUMABEKOVA", "SAULE", birth_date=date(1970, 2, 2))
    result = search(desk, "Жумабеква")
    assert result.similar and _names(result.rows) == [new]
    fields = nationals.fields_of_row(nationals.get_national(desk, people["erlan"]))
    nationals.update_national(desk, people["erlan"], replace(fields, surname_cyr="Сейітқалиев"))
    result = search(desk, "Сейтқалев")
    assert result.similar and _names(result.rows) == [people["erlan"]]


# -- what a newcomer's trial found ---------------------------------------------------------


def test_a_word_someone_else_has_as_typed_is_still_looked_for_near(desk):
    """ "Ахмедов Канат": an Ахмедов Руслан on file kept Ахметов Қанат from being found."""
    qanat = _add(desk, "Ахметов", "Қанат", "AKHMETOV", "KANAT", sex=Sex.MALE)
    _add(desk, "Ахмедов", "Руслан", "AKHMEDOV", "RUSLAN", sex=Sex.MALE, birth_date=date(1980, 2, 1))
    result = search(desk, "Ахмедов Канат")
    assert result.similar and _names(result.rows) == [qanat]
    dana = _add(desk, "Ахметова", "Дана", "AKHMETOVA", "DANA", birth_date=date(1992, 2, 2))
    result = search(desk, "Ахметова Дина")  # a real name, not hers
    assert result.similar and _names(result.rows) == [dana]


def test_a_patronymic_said_in_its_other_form_finds_the_person(desk):
    gauhar = _add(
        desk, "Әбдірахманова", "Гауһар", "ABDIRAKHMANOVA", "GAUKHAR", patronymic_cyr="Нұрланқызы"
    )
    for said in ("Әбдірахманова Гауһар Нұрлановна", "Абдрахманова Гаухар Нурлановна"):
        result = search(desk, said)
        assert result.similar and _names(result.rows) == [gauhar], said
    assert find_nationals(desk, NationalFilter(query="Абдрахманова Гаухар Нурлановна")).similar


def test_the_closest_names_come_first_and_fill_the_limit(desk):
    """A short list (the hotline shows eight) holds the Ахметовs, not the patronymics and
    compound surnames that are as near by their beginning."""
    for i, (surname, given, patronymic) in enumerate(
        [
            ("Абаев", "Асан", "Аһметұлы"),  # before him in the alphabet, every one
            ("Абенова", "Айгүл", "Аһметқызы"),
            ("Абишев", "Болат", "Аһметович"),
            ("Адилова", "Әлия", "Аһметовна"),
        ]
    ):
        _add(desk, surname, given, None, None, patronymic_cyr=patronymic,
             birth_date=date(1960 + i, 1, 1))  # fmt: skip
    akhmetov = _add(desk, "Ахметов", "Ерлан", "AKHMETOV", "YERLAN", sex=Sex.MALE)  # found last
    result = search(desk, "Ахмтов", limit=2)
    assert result.similar and result.rows[0].id == akhmetov


def test_a_name_two_letters_from_short_names_is_nobody(desk):
    _add(desk, "Фёдоров", "Иван", "FEDOROV", "IVAN", sex=Sex.MALE)
    _add(desk, "Серіков", "Ерлан", "SERIKOV", "YERLAN", patronymic_cyr="Айдосович", sex=Sex.MALE)
    assert search(desk, "Сидоров") == nationals.SearchResult([], False)


def test_two_letters_swapped_are_a_letter_away_and_the_surname_ranks_first(desk):
    dana = _add(desk, "Ахметова", "Дана", "AKHMETOVA", "DANA", birth_date=date(1985, 3, 10))
    _add(desk, "Құдайбергенова", "Динара", "KUDAIBERGENOVA", "DINARA",
         patronymic_cyr="Аһметовна", birth_date=date(1981, 9, 8))  # fmt: skip
    result = search(desk, "Ахмтеова")  # т and е swapped
    assert result.similar and result.rows[0].id == dana
    result = search(desk, "Ахметова Дина")
    assert result.similar and result.rows[0].id == dana


# -- a birth year or date said with the name ------------------------------------------------


def test_a_birth_year_or_date_beside_a_name_keeps_those_born_then(desk):
    """ "Ахметова, born 1990": the hotline's way to tell two of a name apart (it found nobody:
    1990 was read as the start of an IIN or phone)."""
    older = _add(desk, "Ахметова", "Дана", "AKHMETOVA", "DANA", birth_date=date(1985, 3, 10))
    younger = _add(desk, "Ахметова", "Мадина", "AKHMETOVA", "MADINA", birth_date=date(1990, 6, 1))
    assert _names(search(desk, "Ахметова 1990").rows) == [younger]
    assert _names(search(desk, "Ахметова 10.03.1985").rows) == [older]
    assert _names(search(desk, "akhmetova 1985-03-10").rows) == [older]
    assert search(desk, "Ахметова 2001") == nationals.SearchResult([], False)
    page = find_nationals(desk, NationalFilter(query="Ахметова 1990"))
    assert [r.id for r in page.rows] == [younger] and not page.similar
    # With a name a letter off, too; and a number alone is still a piece of an IIN or phone.
    result = search(desk, "Ахмтова 1990")
    assert result.similar and _names(result.rows) == [younger]
    assert find_nationals(desk, NationalFilter(query="Ахмтова 1985")).similar
