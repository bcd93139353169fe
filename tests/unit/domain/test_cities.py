"""City names are made canonical so that counts by city do not split by spelling."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.domain.cities import canonical_city
from consuldesk.domain.national import NationalFields, clean_national


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Дубай", "Dubai"),
        ("DUBAI", "Dubai"),
        ("Абу-Даби", "Abu Dhabi"),
        ("abu dhabi", "Abu Dhabi"),
        ("Эр-Рияд", "Riyadh"),
        ("Жидда", "Jeddah"),
        ("Доха", "Doha"),
        ("Тегеран", "Tehran"),
        ("Тель-Авив", "Tel Aviv"),
        ("Анталья", "Antalya"),  # one city in the counts, whichever script the list used
        ("ANTALYA", "Antalya"),
        ("Аланья", "Alanya"),
    ],
)
def test_known_cities_in_any_script(typed, canonical):
    assert canonical_city(typed) == canonical


def test_unknown_cities_are_kept_as_typed_but_tidied():
    assert canonical_city("  Қызылорда  ") == "Қызылорда"
    assert canonical_city("") is None


def test_validation_makes_the_city_canonical():
    cleaned = clean_national(NationalFields(surname_cyr="Әлиев", city="Шарджа"), date(2026, 3, 1))
    assert cleaned.city == "Sharjah"
