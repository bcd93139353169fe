"""Dates as they arrive in lists and forms: 31.12.1990, 31/12/1990, 1990-12-31, Excel cells."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from consuldesk.domain.errors import ValidationError

_DMY = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object, field: str) -> date | None:
    """Read a date from a form or a list cell; empty gives None.

    Accepts ``date``/``datetime`` objects (spreadsheet cells), ``31.12.1990``, ``31/12/1990``,
    ``31-12-1990``, ``1990-12-31`` (optionally with a time), and Excel serial day numbers.

    Raises:
        ValidationError: ``date.format`` (params ``value``) when the text is no date we know,
            ``date.short_year`` when its year has two digits (which century?), or
            ``date.invalid`` (params ``value``) when it names a day that does not exist.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 100_000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValidationError("date.format", field, value=str(value))
    text = str(value).strip()
    if not text:
        return None
    if m := _DMY.match(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif _SHORT_YEAR.match(text):  # 07.12.26: 1926 or 2026? (a stay's date is read as 20yy)
        raise ValidationError("date.short_year", field, value=text)
    else:
        raise ValidationError("date.format", field, value=text)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError("date.invalid", field, value=text) from None


_YEAR = re.compile(r"^(19|20)\d\d$")


def birth_in_query(query: str) -> tuple[str, tuple[date, date] | None]:
    """A birth year or date said with a name ("Ахметова 1990", "Ахметова 12.03.1990"): the
    rest of the query and the days it stands for (the whole year for a year). Only beside a
    word with a letter: a number alone is a piece of an IIN, passport or phone.

    >>> birth_in_query("Ахметова 1990")
    ('Ахметова', (datetime.date(1990, 1, 1), datetime.date(1990, 12, 31)))
    >>> birth_in_query("1990")
    ('1990', None)
    """
    parts = query.split()
    if not any(ch.isalpha() for part in parts for ch in part):
        return query, None
    for i, part in enumerate(parts):
        days: tuple[date, date] | None = None
        if _YEAR.match(part):
            days = (date(int(part), 1, 1), date(int(part), 12, 31))
        elif _DMY.match(part) or _YMD.match(part):
            try:
                day = parse_date(part, "birth_date")
            except ValidationError:
                continue
            days = (day, day) if day else None
        if days is not None:
            return " ".join(parts[:i] + parts[i + 1 :]), days
    return query, None


_SHORT_YEAR = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2})$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")


def full_year(text: str) -> str:
    """``text`` with a two-digit year written as 20yy (``1.1.30`` → ``1.1.2030``) and six or
    eight digits in a row as dd.mm.yyyy; any other text as it is (stripped)."""
    text = text.strip()
    if m := _SHORT_YEAR.match(text):
        return f"{m[1]}.{m[2]}.20{m[3]}"
    if m := _DIGITS.match(text):
        year = m[3] if len(m[3]) == 4 else f"20{m[3]}"
        return f"{m[1]}.{m[2]}.{year}"
    return text
