"""Small builders for test records."""

from __future__ import annotations

from datetime import date

from consuldesk.domain.enums import Sex
from consuldesk.domain.iin import make_iin
from consuldesk.domain.national import NationalFields


def valid_iin(birth: date, sex: Sex, serial: int = 1) -> str:
    """A valid IIN for a birth date and sex (tries serials until the check digit is usable)."""
    for candidate in range(serial, serial + 50):
        try:
            return make_iin(birth, sex, candidate)
        except ValueError:
            continue
    raise AssertionError("no usable serial")


def person(**overrides: object) -> NationalFields:
    """A valid Kazakh national; override any field."""
    values: dict[str, object] = {
        "surname_cyr": "Қасымова",
        "given_names_cyr": "Әйгерім",
        "surname_lat": "KASSYMOVA",
        "given_names_lat": "AIGERIM",
        "sex": Sex.FEMALE,
        "birth_date": date(1985, 3, 4),
        "host_country": "AE",
        "city": "Dubai",
        "phones": ("+77012345678",),
    }
    values.update(overrides)
    return NationalFields(**values)  # type: ignore[arg-type]
