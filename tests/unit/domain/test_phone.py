"""Tests for consuldesk.domain.phone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consuldesk.domain.errors import ValidationError
from consuldesk.domain.phone import (
    format_phone,
    normalize_phone,
    phone_search_tokens,
    split_phones,
)


@pytest.mark.parametrize(
    "raw",
    [
        "8 701 234 56 78",
        "87012345678",
        "+7 (701) 234-56-78",
        "7012345678",
        "77012345678",
        "+77012345678",
        "8-701-234-56-78",
        " 8 (701) 234 56 78 ",
        "87012345678.0",  # number column exported as float
        "810 7 701 234 56 78",  # KZ international prefix 8~10
    ],
)
def test_kazakh_mobile_forms(raw: str) -> None:
    assert normalize_phone(raw) == "+77012345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+971 50 123 4567", "+971501234567"),
        ("00971 50 123 4567", "+971501234567"),
        ("+971501234567", "+971501234567"),
        ("+966 50 123 4567", "+966501234567"),  # Saudi Arabia
        ("+7 495 123 45 67", "+74951234567"),  # Moscow: +7 but Russia
        ("8 727 250 12 34", "+77272501234"),  # Almaty landline
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_other_numbers(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


def test_default_region() -> None:
    assert normalize_phone("050 123 4567", default_region="AE") == "+971501234567"
    assert normalize_phone("050 123 4567", default_region="ae") == "+971501234567"


@pytest.mark.parametrize(
    "raw", ["", "   ", "123", "abc", "8 701 234", "+999 123 456 789", "050 123 4567", "++7"]
)
def test_invalid(raw: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw, field="contact_phone")
    assert exc.value == ValidationError("phone.invalid", "contact_phone", value=raw.strip())


def test_invalid_is_raised_every_time() -> None:
    # Failures are cached as None internally; the error must still be raised each call.
    for _ in range(3):
        with pytest.raises(ValidationError):
            normalize_phone("12345")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8 701 234 56 78", ["8 701 234 56 78"]),
        (
            "+7 (701) 234-56-78, 8 777 111 22 33",
            ["+7 (701) 234-56-78", "8 777 111 22 33"],
        ),
        ("87012345678;87771112233", ["87012345678", "87771112233"]),
        ("87012345678 / +971 50 123 4567", ["87012345678", "+971 50 123 4567"]),
        ("87012345678\n87771112233\r\n", ["87012345678", "87771112233"]),
        (" , ;\n", []),
        ("", []),
    ],
)
def test_split(raw: str, expected: list[str]) -> None:
    assert split_phones(raw) == expected


def test_split_then_normalize() -> None:
    cell = "8 (701) 234-56-78; +971 50 123 4567"
    assert [normalize_phone(p) for p in split_phones(cell)] == ["+77012345678", "+971501234567"]


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+77012345678", "+7 701 234 5678"),
        ("+971501234567", "+971 50 123 4567"),
        ("+74951234567", "+7 495 123-45-67"),
        ("not a number", "not a number"),
    ],
)
def test_format(e164: str, expected: str) -> None:
    assert format_phone(e164) == expected


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+77012345678", ["77012345678", "7012345678", "87012345678", "2345678"]),
        ("+74951234567", ["74951234567", "4951234567", "84951234567", "1234567"]),
        ("+971501234567", ["971501234567", "501234567", "0501234567", "1234567"]),
        ("garbage", ["garbage"]),
    ],
)
def test_search_tokens(e164: str, expected: list[str]) -> None:
    assert phone_search_tokens(e164) == expected


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.integers(min_value=0, max_value=99),
    subscriber=st.integers(min_value=0, max_value=9_999_999),
    style=st.sampled_from(["+7{p}{s}", "8{p}{s}", "{p}{s}", "8 ({p}) {s3}-{s2}-{s4}"]),
)
def test_kazakh_fast_path_agrees_with_phonenumbers(
    prefix: int, subscriber: int, style: str
) -> None:
    """The operator-code shortcut must accept and reject exactly what phonenumbers does."""
    import phonenumbers

    from consuldesk.domain.phone import _to_e164

    p, s = f"7{prefix:02d}", f"{subscriber:07d}"
    raw = style.format(p=p, s=s, s3=s[:3], s2=s[3:5], s4=s[5:])
    number = phonenumbers.parse(raw, "KZ")
    expected = (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number)
        else None
    )
    assert _to_e164.__wrapped__(raw, "KZ") == expected


def _parsed_e164(raw: str) -> str | None:
    """What phonenumbers alone says of ``raw`` (region KZ), after the clean-up ``_to_e164``
    does first (float exports, the ``00`` prefix): the reference for its shortcuts."""
    import phonenumbers

    if raw.endswith(".0") and raw[:-2].lstrip("+").isdigit():
        raw = raw[:-2]
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, "KZ")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _international_numbers() -> list[str]:
    """Every country calling code with national numbers of every length, starting with every
    digit (0 and national prefixes included), written compact, spaced and hyphenated."""
    import random

    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    rnd = random.Random(7)
    numbers = []
    for code in sorted(COUNTRY_CODE_TO_REGION_CODE):
        for length in range(1, 19):
            first = rnd.choice("0123456789")
            national = first + "".join(rnd.choice("0123456789") for _ in range(length - 1))
            numbers.append(f"+{code}{national}")
            numbers.append(f"+{code} {national[:3]} {national[3:]}".strip())
            numbers.append(f"00{code}-{national}")
    return numbers


@pytest.mark.parametrize(
    "raw",
    [
        "+971561417670",  # UAE mobile
        "+971 56 141 7670",
        "+971-56-141-7670",
        "00971561417670",
        "+9710561417670",  # national prefix 0 kept after the country code: parse strips it
        "+966 50 634 9837",  # Saudi
        "+97455123456",  # Qatar
        "+989123456789",  # Iran
        "+972521234567",  # Israel
        "+390612345678",  # Italy: the 0 is part of the number
        "+5491123456789",  # Argentina: a national prefix that transforms the number
        "+12125550100",  # NANPA: the region follows from the digits
        "+44 20 7946 0958",
        "+8613800138000",
        "+80012345678",  # non-geographic
        "+0712345",  # no country code
        "+9715",  # too short
        "+971 56  141 7670",  # two spaces: parse decides
        "+971561417670999999999",  # too long
    ],
)
def test_international_shortcut_agrees_with_phonenumbers(raw: str) -> None:
    from consuldesk.domain.phone import _to_e164

    assert _to_e164.__wrapped__(raw, "KZ") == _parsed_e164(raw)


def test_international_shortcut_agrees_with_phonenumbers_for_every_country_code() -> None:
    from consuldesk.domain.phone import _to_e164

    numbers = _international_numbers()
    differ = [n for n in numbers if _to_e164.__wrapped__(n, "KZ") != _parsed_e164(n)]
    assert not differ
    assert sum(_parsed_e164(n) is not None for n in numbers) > 200  # valid ones were tried
