"""Tests for consuldesk.domain.iin."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consuldesk.domain.enums import Sex
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.iin import IinInfo, check_iin_agrees, iin_check_digit, make_iin, parse_iin

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def reference_check(first11: str) -> int | None:
    """Independent implementation of the published algorithm."""
    first = sum(int(d) * w for d, w in zip(first11, _W1, strict=True)) % 11
    if first != 10:
        return first
    second = sum(int(d) * w for d, w in zip(first11, _W2, strict=True)) % 11
    return None if second == 10 else second


# 2005-01-20, female (6), serial 0000: 0*1+5*2+0*3+1*4+2*5+0*6+6*7 = 66, 66 % 11 = 0.
IIN_2005_F = "050120600000"
# 1985-03-15, female (4), serial 0060: the first pass gives 10, the second gives 8.
IIN_SECOND_PASS = "850315400608"
# 1985-03-15, female (4), serial 0061: both passes give 10.
FIRST11_UNUSABLE = "85031540061"


def test_known_values_agree_with_reference() -> None:
    assert reference_check(IIN_2005_F[:11]) == 0
    assert sum(int(d) * w for d, w in zip(IIN_SECOND_PASS[:11], _W1, strict=True)) % 11 == 10
    assert reference_check(IIN_SECOND_PASS[:11]) == 8
    assert reference_check(FIRST11_UNUSABLE) is None
    assert iin_check_digit(IIN_SECOND_PASS[:11]) == 8
    assert iin_check_digit(FIRST11_UNUSABLE) is None


def test_parse_simple() -> None:
    assert parse_iin(IIN_2005_F) == IinInfo(
        iin=IIN_2005_F, birth_date=datetime.date(2005, 1, 20), sex=Sex.FEMALE
    )


def test_parse_second_pass_check_digit() -> None:
    info = parse_iin(IIN_SECOND_PASS)
    assert info.birth_date == datetime.date(1985, 3, 15)
    assert info.sex is Sex.FEMALE


@pytest.mark.parametrize(
    ("digit", "year", "sex"),
    [
        (1, 1885, Sex.MALE),
        (2, 1885, Sex.FEMALE),
        (3, 1985, Sex.MALE),
        (4, 1985, Sex.FEMALE),
        (5, 2085, Sex.MALE),
        (6, 2085, Sex.FEMALE),
    ],
)
def test_century_and_sex_digit(digit: int, year: int, sex: Sex) -> None:
    first11 = f"850315{digit}0001"
    check = reference_check(first11)
    assert check is not None
    info = parse_iin(first11 + str(check))
    assert info.birth_date == datetime.date(year, 3, 15)
    assert info.sex is sex


@pytest.mark.parametrize("digit", [0, 7, 8, 9])
def test_bad_century_digit(digit: int) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(f"850315{digit}00010")
    assert exc.value == ValidationError("iin.century", "iin", digit=digit)


@pytest.mark.parametrize(
    ("value", "ymd"),
    [
        ("850230400000", (1985, 2, 30)),
        ("851315300000", (1985, 13, 15)),
        ("850300300000", (1985, 3, 0)),
        ("000229300000", (1900, 2, 29)),  # 1900 was not a leap year
    ],
)
def test_impossible_date(value: str, ymd: tuple[int, int, int]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(value)
    year, month, day = ymd
    assert exc.value == ValidationError("iin.date", "iin", year=year, month=month, day=day)


def test_leap_day_2000_is_valid() -> None:
    first11 = "00022950001"
    check = reference_check(first11)
    assert check is not None
    assert parse_iin(first11 + str(check)).birth_date == datetime.date(2000, 2, 29)


def test_checksum_mismatch() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(IIN_SECOND_PASS[:11] + "9", field="member_iin")
    assert exc.value == ValidationError("iin.checksum", "member_iin", expected=8, got=9)


@pytest.mark.parametrize("last", "0123456789")
def test_checksum_unusable(last: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(FIRST11_UNUSABLE + last)
    assert exc.value == ValidationError("iin.checksum_unusable", "iin")


@pytest.mark.parametrize(
    "value",
    ["", "12345", "1234567890123", "85031540060X", "８５０３１５４００６０８", "850315-400608"],
)
def test_format(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(value)
    assert exc.value.code == "iin.format"
    assert exc.value.field == "iin"


@pytest.mark.parametrize(
    "value",
    [
        " 850315400608 ",
        "850315 400608",
        "850 315 400 608",
        "850315\u00a0400608",  # non-breaking space from a spreadsheet
        "850315400608.0",
    ],
)
def test_whitespace_and_float_export(value: str) -> None:
    assert parse_iin(value).iin == IIN_SECOND_PASS


@pytest.mark.parametrize("value", ["50120600000", "50120600000.0", " 50120600000 "])
def test_eleven_digits_padded(value: str) -> None:
    info = parse_iin(value)
    assert info.iin == IIN_2005_F
    assert info.birth_date == datetime.date(2005, 1, 20)


@pytest.mark.parametrize("value", ["5.01206E+11", "8.50315E+11", "5,01206E+11", "5.01206e11"])
def test_excel_scientific_notation(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_iin(value)
    assert exc.value == ValidationError("iin.excel_rounded", "iin", value=value)


def test_check_agrees() -> None:
    info = parse_iin(IIN_SECOND_PASS)
    assert check_iin_agrees(info, datetime.date(1985, 3, 15), Sex.FEMALE) == []
    assert check_iin_agrees(info, None, None) == []
    assert check_iin_agrees(info, datetime.date(1985, 3, 16), Sex.MALE) == [
        ValidationError(
            "iin.birth_date_mismatch",
            "birth_date",
            from_iin=datetime.date(1985, 3, 15),
            stated=datetime.date(1985, 3, 16),
        ),
        ValidationError("iin.sex_mismatch", "sex", from_iin=Sex.FEMALE, stated=Sex.MALE),
    ]


def test_make_iin_known_values() -> None:
    assert make_iin(datetime.date(2005, 1, 20), Sex.FEMALE, 0) == IIN_2005_F
    assert make_iin(datetime.date(1985, 3, 15), Sex.FEMALE, 60) == IIN_SECOND_PASS


def test_make_iin_unusable_serial() -> None:
    with pytest.raises(ValueError, match="another serial"):
        make_iin(datetime.date(1985, 3, 15), Sex.FEMALE, 61)


@pytest.mark.parametrize(
    ("birth_date", "serial"),
    [(datetime.date(1799, 12, 31), 1), (datetime.date(2100, 1, 1), 1)]
    + [(datetime.date(1990, 1, 1), s) for s in (-1, 10000)],
)
def test_make_iin_out_of_range(birth_date: datetime.date, serial: int) -> None:
    with pytest.raises(ValueError):
        make_iin(birth_date, Sex.MALE, serial)


def test_iin_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        iin_check_digit("1234")


@given(
    birth_date=st.dates(datetime.date(1800, 1, 1), datetime.date(2099, 12, 31)),
    sex=st.sampled_from(Sex),
    serial=st.integers(0, 9999),
)
def test_make_parse_round_trip(birth_date: datetime.date, sex: Sex, serial: int) -> None:
    century_digit = {18: 1, 19: 3, 20: 5}[birth_date.year // 100] + (sex is Sex.FEMALE)
    first11 = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    expected = reference_check(first11)
    if expected is None:
        with pytest.raises(ValueError):
            make_iin(birth_date, sex, serial)
        return
    iin = make_iin(birth_date, sex, serial)
    assert iin == first11 + str(expected)
    info = parse_iin(iin)
    assert (info.birth_date, info.sex) == (birth_date, sex)
    # The same IIN as a spreadsheet number without its leading zero still parses.
    if iin.startswith("0"):
        assert parse_iin(iin[1:]) == info
