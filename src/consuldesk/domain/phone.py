"""Phone numbers: normalisation to E.164, display formatting and search tokens.

Kazakh local forms are understood with the default region ``KZ`` (``8 701 234 56 78``,
``87012345678``, ``7012345678``); numbers written with ``+`` or the common ``00``
international prefix work for any country. Results are cached: imports call
:func:`normalize_phone` once per row.

Error codes:
    ``phone.invalid``: the value is not a valid phone number. Params: ``value`` (the raw
        text, stripped).
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
)

from consuldesk.domain.errors import ValidationError

__all__ = ["format_phone", "normalize_phone", "phone_search_tokens", "split_phones"]

_SEPARATORS = re.compile(r"[,;/\r\n]+")
_FLOAT_ZERO = re.compile(r"\+?[0-9]+\.0")
_CACHE_SIZE = 65536


# A Kazakh mobile number written any of the usual ways: +7 701 234 56 78, 8 (701) 234-56-78,
# 87012345678, 7012345678. These are most of what lists carry.
_KZ_MOBILE = re.compile(r"^(?:\+7|8|7)?[\s\-(]*(7\d\d)[\s\-)]*(\d{3})[\s\-]*(\d{2})[\s\-]*(\d{2})$")


@functools.cache
def _kz_mobile_prefix(prefix: str) -> bool:
    """Whether every +7 <prefix> XXXXXXX number is a valid mobile (operator codes like 701, 747).

    For these codes phonenumbers' metadata decides validity by the three digits alone, so one
    check per operator code replaces a parse per number (a 100,000-row list has ~20 codes).
    Other codes (landlines such as 7172 Astana) go through the full parse.
    """
    for subscriber in ("0000000", "2345678", "9999999"):
        number = phonenumbers.parse(f"+7{prefix}{subscriber}", None)
        if not phonenumbers.is_valid_number(number):
            return False
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            return False
    return True


# "+" and digits, in groups separated by one space or hyphen: +971561417670, +971 56 141-7670.
_PLUS_DIGITS = re.compile(r"\+([0-9]+(?:[ \-][0-9]+)*)")


@functools.cache
def _national_prefix(country_code: int) -> re.Pattern[str] | None:
    """The pattern of a national prefix that ``phonenumbers.parse`` tries to strip from the
    national number of a +<country_code> number (``None``: the country has none)."""
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    prefix = metadata.national_prefix_for_parsing if metadata is not None else None
    return re.compile(prefix) if prefix else None


def _plus_number(digits: str) -> PhoneNumber | None:
    """What ``phonenumbers.parse`` makes of ``"+" + digits``, built without parsing, or
    ``None`` when only ``parse`` can tell.

    For an international number parse takes the country calling code (codes are
    prefix-free), then the national number, and keeps it as it is unless it is too short or
    too long, starts with 0 (Italian leading zeros) or may start with the country's national
    prefix (whether to strip that depends on the number): those go through ``parse``. The
    number's validity is decided by phonenumbers in every case. Foreign numbers are half of
    a typical list and parsing took two thirds of their time.
    """
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[length:]
    if not 2 <= len(national) <= 17 or national[0] == "0":
        return None
    prefix = _national_prefix(country_code)
    if prefix is not None and prefix.match(national):
        return None
    return PhoneNumber(country_code=country_code, national_number=int(national))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _to_e164(raw: str, default_region: str) -> str | None:
    """Return the E.164 form of ``raw`` or ``None`` when it is not a valid number."""
    if default_region == "KZ" and (m := _KZ_MOBILE.match(raw)) and _kz_mobile_prefix(m[1]):
        return f"+7{m[1]}{m[2]}{m[3]}{m[4]}"
    if _FLOAT_ZERO.fullmatch(raw):  # a number column exported as float
        raw = raw[:-2]
    if raw.startswith("00"):  # international prefix used in most of the world, not in KZ
        raw = "+" + raw[2:]
    number = None
    if raw.startswith("+") and (m := _PLUS_DIGITS.fullmatch(raw)) and raw[1] != "0":
        number = _plus_number(m[1].replace(" ", "").replace("-", ""))
    if number is None:
        try:
            number = phonenumbers.parse(raw, default_region)
        except NumberParseException:
            return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalize_phone(raw: str, default_region: str = "KZ", field: str = "phone") -> str:
    """Normalise one phone number to E.164.

    Args:
        raw: the number as typed or imported (one number; see :func:`split_phones`).
        default_region: ISO 3166-1 alpha-2 region for numbers written without ``+``.
        field: field name reported in errors.

    Returns:
        The E.164 form, e.g. ``"+77012345678"``. An extension, if any, is dropped.

    Raises:
        ValidationError: ``phone.invalid`` with ``value``.
    """
    value = raw.strip()
    result = _to_e164(value, default_region.upper())
    if result is None:
        raise ValidationError("phone.invalid", field, value=value)
    return result


def split_phones(raw: str) -> list[str]:
    """Split a cell holding several numbers.

    Separators are ``,`` ``;`` ``/`` and line breaks; spaces, dashes and parentheses
    belong to a number and do not split.

    Args:
        raw: the cell text.

    Returns:
        The non-empty parts, stripped, in order (not yet normalised).
    """
    return [part.strip() for part in _SEPARATORS.split(raw) if part.strip()]


@functools.lru_cache(maxsize=_CACHE_SIZE)
def format_phone(e164: str) -> str:
    """Format an E.164 number for display in international form.

    Args:
        e164: a number as returned by :func:`normalize_phone`.

    Returns:
        E.g. ``"+7 701 234 5678"``; the input unchanged if it cannot be parsed.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


_CALLING_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def phone_search_tokens(e164: str) -> list[str]:
    """Digit strings someone may type when searching for this number (see :func:`_tokens`)."""
    return list(_tokens(e164))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _tokens(e164: str) -> tuple[str, ...]:
    """Digit strings someone may type when searching for this number.

    Args:
        e164: a number as returned by :func:`normalize_phone`, e.g. ``"+77012345678"``.

    Returns:
        All digits without ``+`` (``77012345678``), the national significant number
        (``7012345678``), the local form with its trunk prefix (``87012345678`` for +7,
        ``0501234567`` elsewhere) and the last seven digits (``2345678``).
    """
    digits = e164.lstrip("+")
    tail = (digits[-7:],) if len(digits) > 7 else ()  # the subscriber number, typed alone
    if digits.startswith("7") and len(digits) == 11:  # +7: KZ and RU, the common case
        return (digits, digits[1:], "8" + digits[1:], *tail)
    # Country calling codes are prefix-free, so the national number follows the one that matches
    # (what phonenumbers.parse would find, without parsing). Abroad, numbers are written locally
    # with a trunk 0 (UAE 050 123 4567, Saudi 055…, Iran 0912…).
    for length in (1, 2, 3):
        prefix = digits[:length]
        # isascii: "²" is a digit to isdigit(), not to int()
        if prefix.isascii() and prefix.isdigit() and int(prefix) in _CALLING_CODES:
            national = digits[length:]
            return (digits, national, "0" + national, *tail) if national else (digits,)
    return (digits,)
