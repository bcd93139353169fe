"""ICAO 9303 TD3 machine-readable zone (passport data page, two lines of 44 characters).

Line 1: document type (2), issuing state (3), name (39: ``SURNAME<<GIVEN<NAMES``).
Line 2: passport number (9) + check, nationality (3), birth date ``YYMMDD`` + check, sex,
expiry date ``YYMMDD`` + check, personal number (14) + check, composite check.
Kazakh passports carry the holder's IIN in the personal-number field.

Check digits: weights 7, 3, 1 repeating; digits count as their value, ``A``–``Z`` as
10–35 and ``<`` as 0; the sum is taken mod 10.

Error codes (all reported on the field passed to :func:`parse_td3`, ``"mrz"`` by default):
    ``mrz.lines``: neither one 88-character line nor two lines. Params: ``got`` (number
        of non-empty lines).
    ``mrz.length``: a line has the wrong length. Params: ``got`` (int), ``expected``
        (44 per line, or 88 for a one-line input).
    ``mrz.charset``: a character other than ``A``–``Z``, ``0``–``9``, ``<``. Params:
        ``line`` (1 or 2), ``position`` (1-based column in that line), ``char``.
    ``mrz.type``: the document type does not start with ``P``. Params: ``got`` (str).
    ``mrz.check_passport_no``, ``mrz.check_birth_date``, ``mrz.check_expiry``,
    ``mrz.check_personal_number``, ``mrz.check_composite``: a wrong check digit. Params:
        ``expected`` (int), ``got`` (str: the character found, which may be a letter or
        ``<``).
    ``mrz.birth_date``: the birth date is not a real date. Params: ``value`` (``YYMMDD``).
    ``mrz.expiry_date``: the expiry date is not a real date. Params: ``value``.
"""

from __future__ import annotations

import datetime
import re
import string
from dataclasses import dataclass

from consuldesk.domain.enums import Sex
from consuldesk.domain.errors import ValidationError

__all__ = ["MrzData", "make_td3", "mrz_check_digit", "parse_td3"]

LINE_LENGTH = 44
_NAME_LENGTH = 39
_PASSPORT_NO_LENGTH = 9
_PERSONAL_NUMBER_LENGTH = 14
_MRZ_CHARS = re.compile(r"[A-Z0-9<]*")
_WEIGHTS = (7, 3, 1)
_SEX_FROM_MRZ = {"M": Sex.MALE, "F": Sex.FEMALE}
# ASCII only: str.upper() maps "ß" to "SS" and "ı" to "I", hiding bad characters.
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


@dataclass(frozen=True)
class MrzData:
    """Fields read from a TD3 machine-readable zone.

    Attributes:
        document_type: ``P`` plus an optional type letter, fillers removed (``"P"``, ``"PO"``).
        issuing_state: three-character code as printed (``"KAZ"``, ``"D<<"``).
        surname: primary identifier, ``<`` turned into spaces.
        given_names: secondary identifier, ``<`` turned into spaces; may be empty.
        passport_no: document number without fillers.
        nationality: three-character code as printed.
        birth_date: birth date, or ``None`` when the MRZ gives it as unknown (``<``).
        sex: ``None`` when the MRZ gives ``<`` (unspecified).
        expiry_date: expiry date (always 20xx).
        personal_number: optional data without fillers (the IIN on Kazakh passports).
    """

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    passport_no: str
    nationality: str
    birth_date: datetime.date | None
    sex: Sex | None
    expiry_date: datetime.date
    personal_number: str


def _char_value(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - ord("0")
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + 10
    if c == "<":
        return 0
    raise ValueError(f"not an MRZ character: {c!r}")


def mrz_check_digit(s: str) -> int:
    """Compute the ICAO 9303 check digit of an MRZ field.

    Args:
        s: the field, characters ``A``–``Z``, ``0``–``9``, ``<``.

    Returns:
        The check digit 0–9.

    Raises:
        ValueError: ``s`` contains another character.
    """
    return sum(_char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(s)) % 10


def _split_lines(text: str, field: str) -> tuple[str, str]:
    """Normalise reader input into two upper-case lines and check their lengths."""
    lines = [ln.strip().translate(_UPPER) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if len(lines) == 1:
        (one,) = lines
        if len(one) != 2 * LINE_LENGTH:
            raise ValidationError("mrz.length", field, got=len(one), expected=2 * LINE_LENGTH)
        return one[:LINE_LENGTH], one[LINE_LENGTH:]
    if len(lines) != 2:
        raise ValidationError("mrz.lines", field, got=len(lines))
    for ln in lines:
        if len(ln) != LINE_LENGTH:
            raise ValidationError("mrz.length", field, got=len(ln), expected=LINE_LENGTH)
    return lines[0], lines[1]


def _check_charset(line1: str, line2: str, field: str) -> None:
    for number, line in ((1, line1), (2, line2)):
        if _MRZ_CHARS.fullmatch(line):
            continue
        pos = next(i for i, c in enumerate(line) if not _MRZ_CHARS.fullmatch(c))
        raise ValidationError("mrz.charset", field, line=number, position=pos + 1, char=line[pos])


def _verify(data: str, check: str, code: str, field: str, *, empty_ok: bool = False) -> None:
    """Raise ``code`` unless ``check`` is the check digit of ``data``."""
    if empty_ok and check == "<" and data.strip("<") == "":
        return
    expected = mrz_check_digit(data)
    if check != str(expected):
        raise ValidationError(code, field, expected=expected, got=check)


def _birth_date(value: str, today: datetime.date, field: str) -> datetime.date | None:
    if "<" in value:
        return None
    if not (value.isascii() and value.isdigit()):  # letters with right check digits
        raise ValidationError("mrz.birth_date", field, value=value)
    yy, mm, dd = int(value[0:2]), int(value[2:4]), int(value[4:6])
    # The century is the one that does not put the birth in the future.
    for year in (2000 + yy, 1900 + yy):
        try:
            d = datetime.date(year, mm, dd)
        except ValueError:
            continue
        if d <= today:
            return d
    raise ValidationError("mrz.birth_date", field, value=value)


def _expiry_date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date(2000 + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ValidationError("mrz.expiry_date", field, value=value) from None


def _name(field_text: str) -> tuple[str, str]:
    surname, _, given = field_text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def parse_td3(text: str, today: datetime.date | None = None, field: str = "mrz") -> MrzData:
    """Parse and verify a passport MRZ.

    Accepts what document readers acting as keyboards send: two lines separated by
    ``\\n`` or ``\\r\\n`` (blank lines and surrounding spaces ignored), or both lines
    run together as one 88-character string, in any letter case.

    Args:
        text: the MRZ text.
        today: reference date for choosing the birth-date century (default: today).
        field: field name reported in errors.

    Returns:
        The decoded fields.

    Raises:
        ValidationError: codes ``mrz.lines``, ``mrz.length``, ``mrz.charset``, ``mrz.type``,
            ``mrz.check_*``, ``mrz.birth_date``, ``mrz.expiry_date`` (see module docs).
    """
    line1, line2 = _split_lines(text, field)
    _check_charset(line1, line2, field)
    if line1[0] != "P":
        raise ValidationError("mrz.type", field, got=line1[0:2])

    passport_no, passport_check = line2[0:9], line2[9]
    nationality = line2[10:13]
    birth, birth_check = line2[13:19], line2[19]
    sex = line2[20]
    expiry, expiry_check = line2[21:27], line2[27]
    personal, personal_check = line2[28:42], line2[42]
    composite_check = line2[43]

    _verify(passport_no, passport_check, "mrz.check_passport_no", field)
    _verify(birth, birth_check, "mrz.check_birth_date", field)
    _verify(expiry, expiry_check, "mrz.check_expiry", field)
    _verify(personal, personal_check, "mrz.check_personal_number", field, empty_ok=True)
    _verify(
        line2[0:10] + line2[13:20] + line2[21:43], composite_check, "mrz.check_composite", field
    )

    surname, given_names = _name(line1[5:44])
    return MrzData(
        document_type=line1[0:2].replace("<", ""),
        issuing_state=line1[2:5],
        surname=surname,
        given_names=given_names,
        passport_no=passport_no.replace("<", ""),
        nationality=nationality,
        birth_date=_birth_date(birth, today or datetime.date.today(), field),
        sex=_SEX_FROM_MRZ.get(sex),
        expiry_date=_expiry_date(expiry, field),
        personal_number=personal.replace("<", ""),
    )


def _mrz_field(value: str, length: int, what: str) -> str:
    """Upper-case, turn spaces into fillers, pad to ``length``; ValueError if it cannot fit."""
    s = value.translate(_UPPER).replace(" ", "<")
    if len(s) > length or not _MRZ_CHARS.fullmatch(s):
        raise ValueError(f"{what} {value!r} does not fit the MRZ ({length} chars of A-Z 0-9 <)")
    return s.ljust(length, "<")


def make_td3(
    *,
    surname: str,
    given_names: str,
    passport_no: str,
    nationality: str,
    birth_date: datetime.date | None,
    sex: Sex | None,
    expiry_date: datetime.date,
    personal_number: str = "",
    issuing_state: str | None = None,
    document_type: str = "P",
) -> tuple[str, str]:
    """Compose the two lines of a valid TD3 MRZ (for demo data and tests).

    Names are written as given (Latin letters, spaces become ``<``); nothing is
    transliterated or truncated. An empty personal number gets ``<`` as its check digit.

    Args:
        surname: primary identifier, e.g. ``"NURSULTANOVA"``.
        given_names: secondary identifier, e.g. ``"AIGERIM"``; may be empty.
        passport_no: up to 9 characters.
        nationality: three-character code, e.g. ``"KAZ"`` (``"D"`` is padded to ``"D<<"``).
        birth_date: birth date, or ``None`` for unknown (``<<<<<<``).
        sex: ``None`` writes ``<``.
        expiry_date: expiry date, years 2000–2099.
        personal_number: up to 14 characters (the IIN on Kazakh passports).
        issuing_state: three-character code; defaults to ``nationality``.
        document_type: ``P`` plus an optional type letter.

    Returns:
        ``(line1, line2)``, each 44 characters.

    Raises:
        ValueError: a field does not fit or uses characters outside ``A``–``Z 0``–``9 <``,
            or the expiry year is not 20xx.
    """
    if not 2000 <= expiry_date.year <= 2099:
        raise ValueError(f"TD3 expiry years are 2000-2099, got {expiry_date.year}")
    doc = _mrz_field(document_type, 2, "document type")
    if doc[0] != "P":
        raise ValueError(f"TD3 document type starts with P, got {document_type!r}")
    nat = _mrz_field(nationality, 3, "nationality")
    state = _mrz_field(issuing_state if issuing_state is not None else nationality, 3, "state")
    name = _mrz_field(surname, _NAME_LENGTH, "surname").rstrip("<")
    if given_names.strip():
        name += "<<" + given_names.strip().translate(_UPPER).replace(" ", "<")
    name = _mrz_field(name, _NAME_LENGTH, "name")
    number = _mrz_field(passport_no, _PASSPORT_NO_LENGTH, "passport number")
    personal = _mrz_field(personal_number, _PERSONAL_NUMBER_LENGTH, "personal number")
    birth = "<<<<<<" if birth_date is None else f"{birth_date:%y%m%d}"
    expiry = f"{expiry_date:%y%m%d}"
    sex_char = "<" if sex is None else sex.value

    personal_check = "<" if personal == "<" * 14 else str(mrz_check_digit(personal))
    part1 = number + str(mrz_check_digit(number))
    part2 = birth + str(mrz_check_digit(birth))
    part3 = expiry + str(mrz_check_digit(expiry))
    part4 = personal + personal_check
    composite = str(mrz_check_digit(part1 + part2 + part3 + part4))
    line1 = doc + state + name
    line2 = part1 + nat + part2 + sex_char + part3 + part4 + composite
    return line1, line2
