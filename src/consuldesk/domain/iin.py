"""Kazakhstan individual identification number (IIN, ЖСН/ИИН).

An IIN has 12 digits: ``YYMMDD`` birth date, one digit for century and sex, a 4-digit
serial and a check digit. The check digit is the sum of the first 11 digits weighted
1..11, mod 11; when that gives 10 a second pass uses weights 3..11, 1, 2; when that
gives 10 again no valid IIN exists with those 11 digits.

Values pasted from spreadsheets are repaired where it is safe: a trailing ``.0`` (float
export) is removed and an 11-digit value (leading zero dropped, people born 2000–2009)
is padded back to 12 digits. Scientific notation (``5.01015E+11``) has lost digits and
is refused.

Error codes:
    ``iin.format``: not 12 digits after clean-up. Params: ``value`` (the cleaned value).
    ``iin.excel_rounded``: the value is in scientific notation, so the spreadsheet has
        rounded away digits; the column must be formatted as text. Params: ``value``.
    ``iin.century``: the 7th digit is not 1–6. Params: ``digit`` (int).
    ``iin.date``: digits 1–6 with the century are not a real date. Params: ``year``,
        ``month``, ``day`` (ints; ``year`` with century).
    ``iin.checksum_unusable``: both check-digit passes give 10, no IIN can have these
        11 digits. Params: none.
    ``iin.checksum``: the 12th digit is wrong. Params: ``expected`` (int), ``got`` (int).
    ``iin.birth_date_mismatch``: (from :func:`check_iin_agrees`, field ``birth_date``)
        Params: ``from_iin`` (date), ``stated`` (date).
    ``iin.sex_mismatch``: (from :func:`check_iin_agrees`, field ``sex``) Params:
        ``from_iin`` (Sex), ``stated`` (Sex).
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass

from consuldesk.domain.enums import Sex
from consuldesk.domain.errors import ValidationError

__all__ = ["IinInfo", "check_iin_agrees", "iin_check_digit", "make_iin", "parse_iin"]

_WEIGHTS_1 = tuple(range(1, 12))
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
assert sum(_WEIGHTS_1) % 11 == sum(_WEIGHTS_2) % 11 == 0  # what _check_digit relies on
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
_FLOAT_ZERO = re.compile(r"([0-9]+)\.0+")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_WHITESPACE = re.compile(r"\s+")

# century digit -> (first year of the century, sex)
_CENTURY: dict[int, tuple[int, Sex]] = {
    1: (1800, Sex.MALE),
    2: (1800, Sex.FEMALE),
    3: (1900, Sex.MALE),
    4: (1900, Sex.FEMALE),
    5: (2000, Sex.MALE),
    6: (2000, Sex.FEMALE),
}
_CENTURY_BY_CHAR = {str(digit): value for digit, value in _CENTURY.items()}


@dataclass(frozen=True, slots=True)
class IinInfo:
    """What a valid IIN says about its holder.

    Attributes:
        iin: the normalised 12-digit IIN.
        birth_date: birth date encoded in digits 1–7.
        sex: sex encoded in digit 7.
    """

    iin: str
    birth_date: datetime.date
    sex: Sex


def iin_check_digit(first11: str) -> int | None:
    """Compute the IIN check digit.

    Args:
        first11: the first 11 digits of an IIN.

    Returns:
        The check digit 0–9, or ``None`` when both passes give 10 (no valid IIN exists).

    Raises:
        ValueError: ``first11`` is not 11 ASCII digits.
    """
    if not _ELEVEN_DIGITS.fullmatch(first11):
        raise ValueError(f"expected 11 digits, got {first11!r}")
    return _check_digit(first11.encode("ascii"))


def _check_digit(first11: bytes) -> int | None:
    """The check digit of 11 ASCII digits (their byte values, not the digits: each set of
    weights sums to 66, a multiple of 11, so the 48 of ``ord("0")`` drops out of the sum)."""
    check = sum(map(operator.mul, first11, _WEIGHTS_1)) % 11
    if check != 10:
        return check
    check = sum(map(operator.mul, first11, _WEIGHTS_2)) % 11
    return None if check == 10 else check


def _clean(value: str, field: str) -> str:
    """Remove whitespace and undo spreadsheet damage where it is safe."""
    s = _WHITESPACE.sub("", value)
    if _SCIENTIFIC.fullmatch(s):
        raise ValidationError("iin.excel_rounded", field, value=s)
    m = _FLOAT_ZERO.fullmatch(s)
    if m:
        s = m.group(1)
    if _ELEVEN_DIGITS.fullmatch(s):
        s = "0" + s
    return s


def parse_iin(value: str, field: str = "iin") -> IinInfo:
    """Validate an IIN and decode its birth date and sex.

    Whitespace anywhere is removed; a trailing ``.0`` is dropped and an 11-digit value is
    padded with a leading zero (both are spreadsheet artefacts).

    Args:
        value: the IIN as typed or imported.
        field: field name reported in errors.

    Returns:
        The decoded IIN.

    Raises:
        ValidationError: codes ``iin.excel_rounded``, ``iin.format``, ``iin.century``,
            ``iin.date``, ``iin.checksum_unusable``, ``iin.checksum`` (see module docs).
    """
    clean = len(value) == 12 and value.isascii() and value.isdigit()  # the usual case
    s = value if clean else _clean(value, field)
    if not clean and not _TWELVE_DIGITS.fullmatch(s):
        raise ValidationError("iin.format", field, value=s)
    try:
        century, sex = _CENTURY_BY_CHAR[s[6]]
    except KeyError:
        raise ValidationError("iin.century", field, digit=int(s[6])) from None
    yymmdd = int(s[:6])
    year, month, day = century + yymmdd // 10000, yymmdd // 100 % 100, yymmdd % 100
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError("iin.date", field, year=year, month=month, day=day) from None
    expected = _check_digit(s[:11].encode("ascii"))
    if expected is None:
        raise ValidationError("iin.checksum_unusable", field)
    got = ord(s[11]) - 48
    if got != expected:
        raise ValidationError("iin.checksum", field, expected=expected, got=got)
    return IinInfo(iin=s, birth_date=birth_date, sex=sex)


def check_iin_agrees(
    info: IinInfo, birth_date: datetime.date | None, sex: Sex | None
) -> list[ValidationError]:
    """Compare what an IIN encodes with the birth date and sex stated elsewhere.

    Args:
        info: a parsed IIN.
        birth_date: stated birth date, or ``None`` when unknown (not compared).
        sex: stated sex, or ``None`` when unknown (not compared).

    Returns:
        ``iin.birth_date_mismatch`` (field ``birth_date``) and/or ``iin.sex_mismatch``
        (field ``sex``) errors with params ``from_iin`` and ``stated``; empty when all agree.
    """
    errors: list[ValidationError] = []
    if birth_date is not None and birth_date != info.birth_date:
        errors.append(
            ValidationError(
                "iin.birth_date_mismatch", "birth_date", from_iin=info.birth_date, stated=birth_date
            )
        )
    if sex is not None and sex != info.sex:
        errors.append(ValidationError("iin.sex_mismatch", "sex", from_iin=info.sex, stated=sex))
    return errors


def make_iin(birth_date: datetime.date, sex: Sex, serial: int) -> str:
    """Build a valid IIN (for demo data and tests).

    Args:
        birth_date: birth date, years 1800–2099.
        sex: the holder's sex.
        serial: the 4-digit serial, 0–9999.

    Returns:
        The 12-digit IIN.

    Raises:
        ValueError: the year or serial is out of range, or no check digit exists for
            this serial (both passes give 10): pick another serial.
    """
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError(f"IIN years are 1800-2099, got {birth_date.year}")
    if not 0 <= serial <= 9999:
        raise ValueError(f"IIN serial is 0-9999, got {serial}")
    century = birth_date.year // 100 * 100
    digit = next(d for d, (c, s) in _CENTURY.items() if c == century and s == sex)
    first11 = f"{birth_date:%y%m%d}{digit}{serial:04d}"
    check = iin_check_digit(first11)
    if check is None:
        raise ValueError(f"no check digit exists for {first11}; use another serial")
    return f"{first11}{check}"
