"""Search keys: spelling variants of one name meet."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consuldesk.domain.names import cyr_key, full_name_key, latin_key, transliterate, word_keys


@pytest.mark.parametrize(
    "variants",
    [
        ("Жәнібек", "Zhanibek", "Janibek", "Dzhanibek"),
        ("Ахметов", "Akhmetov", "Ahmetov"),
        ("Қасымов", "Kassymov", "Kasymov", "Qasymov"),
        ("Ерлан", "Yerlan", "Erlan"),
        ("Евгений", "Yevgeniy", "Evgenii", "Evgeny"),
        ("Айгерім", "Aigerim", "Aygerim"),
        ("Нұрсұлтан", "Nursultan"),
        ("Һадиша", "Hadisha", "Khadisha"),
        ("Серікбаев", "Serikbayev", "Serikbaev"),
        ("Жұмабаева", "Zhumabayeva", "Zhumabaeva"),
    ],
)
def test_spelling_variants_share_a_latin_key(variants):
    assert len({latin_key(v) for v in variants}) == 1


def test_cyrillic_fold_handles_kazakh_and_russian_letters():
    assert cyr_key("ӘҒҚҢӨҰҮҺІ") == "агкноуухи"
    assert cyr_key("Ёлкин Йошкар") == cyr_key("елкин иошкар")


def test_transliteration_covers_every_kazakh_letter():
    assert transliterate("ӘҒҚҢӨҰҮҺІ") == "agknouuhi"
    assert transliterate("Щука Жұлдыз") == "shchuka zhuldyz"


def test_digits_are_not_collapsed():
    assert latin_key("N1999") == "n1999"


@given(st.text(alphabet="АӘБВГҒДЕЁЖЗИЙІКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫЬЭЮЯ", min_size=1, max_size=12))
def test_every_cyrillic_word_has_both_keys(word):
    keys = word_keys(word)
    assert cyr_key(word) in keys or cyr_key(word) == ""
    assert all(k == k.casefold() for k in keys)


def test_full_name_key_compares_across_scripts():
    assert full_name_key("Қасымова", "Әйгерім") == full_name_key("KASSYMOVA", "AIGERIM")


def test_sort_key_follows_the_kazakh_alphabet():
    from consuldesk.domain.names import sort_key

    names = [
        "Ярова",
        "Әбілов",
        "Абаев",
        "Ғабитов",
        "Қасымов",
        "Иванов",
        "Іскаков",
        "Ыбыраев",
        "Ұлықбек",
        "Үсенов",
        "Уәлиев",
        "Smith",
        "Өтегенов",
        "Оразов",
    ]
    ordered = sorted(names, key=lambda n: sort_key(n, None))
    assert ordered == [
        "Абаев",
        "Әбілов",
        "Ғабитов",
        "Иванов",
        "Қасымов",
        "Оразов",
        "Өтегенов",
        "Уәлиев",
        "Ұлықбек",
        "Үсенов",
        "Ыбыраев",
        "Іскаков",
        "Ярова",
        "Smith",
    ]
    assert sort_key("Ким", "Алла") < sort_key("Кимов", "Алла")


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ("Нұрсұлтанова Дана", {"surname_cyr": "Нұрсұлтанова", "given_names_cyr": "Дана"}),
        ("  Әлиев  ", {"surname_cyr": "Әлиев"}),
        ("nursultanova dana", {"surname_lat": "NURSULTANOVA", "given_names_lat": "DANA"}),
        ("870202492948", {"iin": "870202492948"}),
        ("n3790883", {"passport_no": "N3790883"}),
        ("+7 700 808 13 68", {"phones": "+7 700 808 13 68"}),
        ("1950", {}),  # part of something: nothing guessed
        ("", {}),
    ],
)
def test_a_search_that_found_nobody_starts_a_new_record(typed, fields):
    from consuldesk.domain.names import fields_of_search

    assert fields_of_search(typed) == fields
