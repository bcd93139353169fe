"""The domain parsers raise only their own errors, whatever they are given (issue 11).

Officers paste, scanners type under the wrong keyboard layout, lists arrive from anywhere: a
parser that meets text it cannot read says so with a :class:`ValidationError` (code and field)
that the window and the CLI show; a bare ``ValueError`` or ``IndexError`` would be a traceback
or a lost row. Each property feeds arbitrary text, and text close to valid (the shape right, the
characters anything, superscript digits such as ``²`` that Python calls digits).
"""

from __future__ import annotations

import contextlib
import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from consuldesk.domain.countries import country_code
from consuldesk.domain.dates import parse_date
from consuldesk.domain.enums import Sex
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.iin import iin_check_digit, parse_iin
from consuldesk.domain.mrz import mrz_check_digit, parse_td3
from consuldesk.domain.national import NationalFields, clean_national_keeping
from consuldesk.domain.phone import format_phone, normalize_phone, phone_search_tokens, split_phones
from consuldesk.domain.scan import MANIFEST_PREFIX, SLIP_PREFIX, parse_scan

# Digits Python's isdigit() accepts that int() refuses, letters of the passports, the MRZ's own.
ODD_DIGITS = "²³¹⁰⁴⁵⁶⁷⁸⁹①②"
MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(ODD_DIGITS + "ӘҒҚҢӨҰҮҺІәғқңөұүһі<:-+() "),
    ),
    max_size=120,
)
TODAY = datetime.date(2026, 12, 6)
UUID = "3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84"


def _only_own_errors(call, *args) -> None:
    with contextlib.suppress(ValidationError):
        call(*args)


def _mrz_line2(birth: str, expiry: str) -> str:
    """A second line whose check digits are right, with any six characters as the dates."""
    number = "N12345678"
    body = number + str(mrz_check_digit(number)) + "KAZ"
    body += birth + str(mrz_check_digit(birth)) + "F" + expiry + str(mrz_check_digit(expiry))
    personal = "<" * 14
    body += personal + "<"
    composite = body[0:10] + body[13:20] + body[21:43]
    return body + str(mrz_check_digit(composite))


@settings(max_examples=300)
@given(TEXT)
def test_any_text_as_an_mrz(text):
    _only_own_errors(parse_td3, text, TODAY)


@settings(max_examples=300)
@given(
    st.text(alphabet=MRZ_ALPHABET, min_size=6, max_size=6),
    st.text(alphabet=MRZ_ALPHABET, min_size=6, max_size=6),
)
def test_an_mrz_with_right_check_digits_and_any_dates(birth, expiry):
    line1 = "P<KAZNURSULTANOVA<<AIGERIM".ljust(44, "<")
    _only_own_errors(parse_td3, f"{line1}\n{_mrz_line2(birth, expiry)}", TODAY)


@settings(max_examples=300)
@given(TEXT)
def test_any_text_as_a_scan(text):
    for candidate in (
        text,
        SLIP_PREFIX + text,
        MANIFEST_PREFIX + text,
        f"{MANIFEST_PREFIX}{UUID}:{text}",
        f"{SLIP_PREFIX}{UUID}:{text}",
    ):
        code = parse_scan(candidate)  # never raises: anything unreadable is UNKNOWN
        assert code.kind is not None


@settings(max_examples=300)
@given(TEXT)
def test_any_text_as_a_phone(text):
    _only_own_errors(normalize_phone, text)
    for piece in split_phones(text):
        _only_own_errors(normalize_phone, piece)
    phone_search_tokens(text)  # what the search index stores: never raises
    format_phone(text)


@settings(max_examples=300)
@given(TEXT)
def test_any_text_as_an_iin_a_date_or_a_country(text):
    _only_own_errors(parse_iin, text)
    _only_own_errors(parse_date, text, "birth_date")
    _only_own_errors(country_code, text)


def test_the_cases_fuzzing_found():
    """Kept as plain examples: each raised a bare ValueError before."""
    assert parse_scan(f"{MANIFEST_PREFIX}{UUID}:²").page is None
    phone_search_tokens("²")
    phone_search_tokens("+²⁷⁰¹²³⁴⁵⁶⁷⁸")
    line1 = "P<KAZNURSULTANOVA<<AIGERIM".ljust(44, "<")
    _only_own_errors(parse_td3, f"{line1}\n{_mrz_line2('ABCDEF', '300101')}", TODAY)
    _only_own_errors(parse_td3, f"{line1}\n{_mrz_line2('900101', 'XYZ<<<')}", TODAY)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11),
    st.one_of(st.none(), st.dates(datetime.date(1890, 1, 1), datetime.date(2099, 12, 31))),
    st.sampled_from([None, Sex.MALE, Sex.FEMALE]),
)
def test_a_list_row_with_any_iin_whose_check_digit_is_right_keeps_the_person(first11, born, sex):
    """A check digit can be right while the date or the century digit is not (30.12.2090,
    01.11.1875): the person is kept, whatever the IIN says, and the check ends."""
    digit = iin_check_digit(first11)
    iin = first11 + str(digit if digit is not None else 0)
    fields = NationalFields(surname_cyr="Тестов", iin=iin, birth_date=born, sex=sex)
    cleaned, aside = clean_national_keeping(fields, TODAY)
    assert cleaned.surname_cyr == "Тестов"
    if cleaned.birth_date is not None:
        assert datetime.date(1900, 1, 1) <= cleaned.birth_date <= TODAY
    assert len(aside) <= 3  # the IIN, and a stated birth date or sex that disagrees with it


def test_an_iin_whose_date_cannot_be_is_set_aside_and_the_stated_birth_date_kept():
    for iin in ("901230600020", "751101100044"):  # 30.12.2090 and 01.11.1875
        fields = NationalFields(surname_cyr="Тестов", iin=iin, birth_date=datetime.date(1990, 1, 2))
        cleaned, aside = clean_national_keeping(fields, TODAY)
        assert cleaned.iin is None and cleaned.birth_date == datetime.date(1990, 1, 2)
        assert [(e.code, e.field, value) for e, value in aside] == [
            ("iin.birth_date_impossible", "iin", iin)
        ]
