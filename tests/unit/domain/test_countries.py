"""Tests for consuldesk.domain.countries."""

from __future__ import annotations

import pycountry
import pytest

from consuldesk.domain.countries import alpha3, country_code, country_name
from consuldesk.domain.errors import ValidationError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # United Arab Emirates
        ("United Arab Emirates", "AE"),
        ("UAE", "AE"),
        ("uae", "AE"),
        ("U.A.E.", "AE"),
        ("Emirates", "AE"),
        ("AE", "AE"),
        ("are", "AE"),
        ("Объединённые Арабские Эмираты", "AE"),
        ("Объединенные арабские эмираты", "AE"),  # е for ё
        ("ОАЭ", "AE"),
        ("Эмираты", "AE"),
        ("Біріккен Араб Әмірліктері", "AE"),
        ("БАӘ", "AE"),
        # Saudi Arabia
        ("Saudi Arabia", "SA"),
        ("Kingdom of Saudi Arabia", "SA"),
        ("KSA", "SA"),
        ("Саудовская Аравия", "SA"),
        ("Сауд Арабиясы", "SA"),
        # Qatar
        ("Qatar", "QA"),
        ("Катар", "QA"),
        ("State of Qatar", "QA"),
        # Iran
        ("Iran", "IR"),
        ("Iran, Islamic Republic of", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("Иран", "IR"),
        ("Исламская Республика Иран", "IR"),  # catalog has a stress mark: Респу́блика
        # Israel
        ("Israel", "IL"),
        ("Израиль", "IL"),
        # Turkey
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Турция", "TR"),
        ("Түркия", "TR"),
        # Egypt
        ("Egypt", "EG"),
        ("Египет", "EG"),
        ("Мысыр", "EG"),
        # Oman
        ("Oman", "OM"),
        ("Оман", "OM"),
        # Azerbaijan
        ("Azerbaijan", "AZ"),
        ("Азербайджан", "AZ"),
        ("Әзірбайжан", "AZ"),
        # Armenia
        ("Armenia", "AM"),
        ("Армения", "AM"),
        # Turkmenistan
        ("Turkmenistan", "TM"),
        ("Туркменистан", "TM"),
        ("Түрікменстан", "TM"),
        # Kazakhstan
        ("Kazakhstan", "KZ"),
        ("Казахстан", "KZ"),
        ("Қазақстан", "KZ"),
        ("ҚАЗАҚСТАН", "KZ"),
        ("Республика Казахстан", "KZ"),
        ("KAZ", "KZ"),
        ("kz", "KZ"),
        # Others people write
        ("Russia", "RU"),
        ("Россия", "RU"),
        ("РФ", "RU"),
        ("Ресей", "RU"),
        ("USA", "US"),
        ("США", "US"),
        ("АҚШ", "US"),
        ("UK", "GB"),
        ("Великобритания", "GB"),
        ("South Korea", "KR"),
        ("Южная Корея", "KR"),
        ("Кыргызстан", "KG"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("  Oman  ", "OM"),
        # MRZ codes
        ("D<<", "DE"),
        ("D", "DE"),
        ("GBD", "GB"),
    ],
)
def test_country_code(value: str, expected: str) -> None:
    assert country_code(value) == expected


def test_central_african_republic_not_shadowed() -> None:
    # The kk catalog translates Nepal's official name as "Central African Republic".
    assert country_code("Орталық Африка Республикасы") == "CF"
    assert country_code("Nepal") == "NP"


def test_every_country_by_its_own_names() -> None:
    for country in pycountry.countries:
        for lang in ("en", "ru", "kk"):
            assert country_code(country_name(country.alpha_2, lang)) == country.alpha_2
        assert country_code(country.alpha_3) == country.alpha_2
        assert country_code(country.alpha_2.lower()) == country.alpha_2


@pytest.mark.parametrize("value", ["", "Atlantis", "XX", "ZZZ", "Арабия", "<<<"])
def test_unknown(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        country_code(value, field="nationality")
    assert exc.value == ValidationError("country.unknown", "nationality", value=value.strip())


@pytest.mark.parametrize(
    ("alpha2", "lang", "expected"),
    [
        ("AE", "en", "United Arab Emirates"),
        ("AE", "ru", "Объединённые Арабские Эмираты"),
        ("AE", "kk", "Біріккен Араб Әмірліктері"),
        ("IR", "en", "Iran"),
        ("IR", "ru", "Иран"),
        ("KZ", "kk", "Қазақстан"),
        ("KZ", "ru_RU", "Казахстан"),
        ("KZ", "ru-RU", "Казахстан"),
        ("TR", "kk", "Түркия"),
        ("kz", "en", "Kazakhstan"),
        ("KZ", "de", "Kazakhstan"),  # unsupported language falls back to English
    ],
)
def test_country_name(alpha2: str, lang: str, expected: str) -> None:
    assert country_name(alpha2, lang) == expected


@pytest.mark.parametrize(("alpha2", "expected"), [("KZ", "KAZ"), ("ae", "ARE"), ("DE", "DEU")])
def test_alpha3(alpha2: str, expected: str) -> None:
    assert alpha3(alpha2) == expected


@pytest.mark.parametrize("func", [alpha3, country_name])
def test_unknown_alpha2(func: object) -> None:
    with pytest.raises(ValidationError) as exc:
        func("XX")  # type: ignore[operator]
    assert exc.value == ValidationError("country.unknown", "country", value="XX")
