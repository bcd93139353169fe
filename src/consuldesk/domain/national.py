"""A national's record as entered: the fields, and the rules that make them valid.

:func:`clean_national` is shared by the person card, the register service and list import, so a
record is judged the same way wherever it comes from.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from datetime import date

from consuldesk.domain.cities import canonical_city
from consuldesk.domain.countries import country_code
from consuldesk.domain.enums import PresenceStatus, Sex, Source
from consuldesk.domain.errors import ValidationError, ValidationErrors
from consuldesk.domain.iin import check_iin_agrees, parse_iin
from consuldesk.domain.names import repair_lookalikes
from consuldesk.domain.phone import normalize_phone
from consuldesk.domain.vulnerability import age_on

_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z '\-.]*$")
_CYRILLIC_NAME = re.compile(r"^[\u0400-\u04ff][\u0400-\u04ff '\-.]*$")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
#: The ages at which a woman is taken to be possibly pregnant (outside: a tick by mistake).
PREGNANT_AGES = (10, 60)
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPACES = re.compile(r"\s+")
# Control characters other than white space: never typed, only pasted or carried by a damaged
# file; they break spreadsheets and XML (openpyxl refuses them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ALPHA3 = re.compile(r"^[A-Z]{3}$")

NAME_FIELDS = ("surname_cyr", "given_names_cyr", "patronymic_cyr", "surname_lat", "given_names_lat")


@dataclass(frozen=True)
class NationalFields:
    """Every field of a national that a person can enter or a list can carry."""

    surname_cyr: str | None = None
    given_names_cyr: str | None = None
    patronymic_cyr: str | None = None
    surname_lat: str | None = None
    given_names_lat: str | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    iin: str | None = None
    passport_no: str | None = None
    passport_expiry: date | None = None
    nationality: str = "KAZ"
    phones: tuple[str, ...] = ()
    email: str | None = None
    messenger: str | None = None
    host_country: str | None = None
    city: str | None = None
    address: str | None = None
    presence_status: PresenceStatus = PresenceStatus.UNKNOWN
    medical_condition: str | None = None
    mobility_needs: str | None = None
    pregnant: bool = False
    notes: str | None = None
    source: Source = Source.WALK_IN
    source_ref: str | None = None
    consent_date: date | None = None

    def replace(self, **changes: object) -> NationalFields:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _clean_text(value: str | None) -> str | None:
    if not value:
        return None
    if not value.isprintable() and _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if "  " in value or "\t" in value or "\n" in value or "\r" in value or "\xa0" in value:
        value = _SPACES.sub(" ", value)
    return value.strip() or None


_LINE_SPACES = re.compile(r"[^\S\n]+")  # spaces and tabs, not line breaks
_BLANK_LINES = re.compile(r"\n{3,}")


def _clean_lines(value: str) -> str | None:
    """Free text of several lines (notes): each line's spacing tidied, its line breaks kept
    (an officer's note, a list's cell written over lines), at most one blank line between
    paragraphs."""
    if not value.isprintable() and _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_LINE_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() or None


_NAME_SCRIPTS = tuple((name, name.endswith("_lat")) for name in NAME_FIELDS)


@functools.lru_cache(maxsize=65536)
def _clean_name(value: str, latin: bool) -> tuple[str | None, str | None, bool]:
    """A name as stored (spacing tidied; Latin names upper-cased, as passports print them),
    as tidied, and whether it is written in its script (cached: names repeat in lists)."""
    cleaned = _clean_text(value)
    if cleaned is None:
        return None, None, True
    if latin:
        return cleaned.upper(), cleaned, bool(_LATIN_NAME.match(cleaned))
    return cleaned, cleaned, bool(_CYRILLIC_NAME.match(cleaned))


def _name_error(field: str, tidy: str, latin: bool) -> ValidationError:
    """Why a name cannot be stored as it is: letters its file's encoding lacked (``?``),
    characters no name has beside letters of the right script (``Иванов (ребёнок)``), or
    letters of the other script."""
    if "?" in tidy or "\ufffd" in tidy:
        return ValidationError("name.letters_lost", field, value=tidy)
    own, other = (_LATIN_LETTER, _CYRILLIC_LETTER) if latin else (_CYRILLIC_LETTER, _LATIN_LETTER)
    if own.search(tidy) and not other.search(tidy):
        odd = "".join(_NAME_JUNK[not latin].findall(tidy))  # what a name of its script cannot hold
        shown = " ".join(dict.fromkeys(odd))
        return ValidationError("name.characters", field, value=tidy, characters=shown)
    return ValidationError(
        "name.latin_expected" if latin else "name.cyrillic_expected", field, value=tidy
    )


_FREE_TEXT = ("messenger", "address", "medical_condition", "mobility_needs", "notes", "source_ref")


@functools.lru_cache(maxsize=1024)
def _nationality(value: str | None) -> tuple[str, bool]:
    """A nationality as stored (upper case, ``KAZ`` when empty) and whether it is an alpha-3
    code (cached: a list repeats one or two)."""
    code = (_clean_text(value) or "KAZ").upper()
    return code, bool(_ALPHA3.match(code))


def clean_national(fields: NationalFields, today: date) -> NationalFields:
    """Validate and normalise a national's fields.

    Normalises spacing, upper-cases passport numbers and Latin names (as passports print them),
    stores phones as E.164, countries as ISO alpha-2, and takes birth date and sex from the IIN
    when they are not given.

    Raises:
        ValidationErrors: every problem found, each naming its field.
    """
    errors: list[ValidationError] = []
    values: dict[str, object] = {}
    given = fields.__dict__
    for name, latin in _NAME_SCRIPTS:
        value = given[name]
        if value:
            value, tidy, ok = _clean_name(value, latin)
            if not ok:
                errors.append(_name_error(name, tidy or "", latin))
        else:
            value = None
        values[name] = value
    if not values["surname_cyr"] and not values["surname_lat"]:
        errors.append(ValidationError("name.missing", "surname_cyr"))

    birth_date, sex = fields.birth_date, fields.sex
    iin = _clean_text(fields.iin)
    if iin:
        try:
            info = parse_iin(iin)
        except ValidationError as exc:
            errors.append(exc)
        else:
            iin = info.iin
            if info.birth_date > today or info.birth_date.year < 1900:
                # A valid check digit, but its date (or the century digit) is mistyped: the IIN
                # is what is wrong, and it says nothing about the birth date or sex.
                errors.append(
                    ValidationError(
                        "iin.birth_date_impossible", "iin", value=iin, birth_date=info.birth_date
                    )
                )
            else:
                errors.extend(check_iin_agrees(info, birth_date, sex))
                birth_date = birth_date or info.birth_date
                sex = sex or info.sex
    values["iin"] = iin
    if birth_date is not None:
        if birth_date > today:
            errors.append(ValidationError("birth_date.future", "birth_date", value=birth_date))
        elif birth_date.year < 1900:
            errors.append(ValidationError("birth_date.too_old", "birth_date", value=birth_date))
    values["birth_date"] = birth_date
    values["sex"] = sex

    passport = _clean_text(fields.passport_no)
    if passport:
        passport = passport.replace(" ", "").upper()
        if not _PASSPORT.match(passport):
            errors.append(ValidationError("passport.format", "passport_no", value=passport))
    values["passport_no"] = passport
    if fields.passport_expiry and birth_date and fields.passport_expiry <= birth_date:
        errors.append(
            ValidationError(
                "passport.expiry_before_birth", "passport_expiry", value=fields.passport_expiry
            )
        )

    nationality, ok = _nationality(fields.nationality)
    if not ok:
        errors.append(ValidationError("nationality.format", "nationality", value=nationality))
    values["nationality"] = nationality

    phones: list[str] = []
    for raw in fields.phones:
        raw = raw.strip()
        if not raw:
            continue
        try:
            phone = normalize_phone(raw)
        except ValidationError as exc:
            errors.append(exc)
        else:
            if phone not in phones:
                phones.append(phone)
    values["phones"] = tuple(phones)

    email = _clean_text(fields.email) if fields.email else None
    if email and not _EMAIL.match(email):
        errors.append(ValidationError("email.invalid", "email", value=email))
    values["email"] = email.lower() if email else None

    country = _clean_text(fields.host_country)
    if country:
        try:
            country = country_code(country, field="host_country")
        except ValidationError as exc:
            errors.append(exc)
    values["host_country"] = country
    values["city"] = canonical_city(fields.city)

    for name in _FREE_TEXT:
        value = given[name]
        if name == "notes":
            values[name] = _clean_lines(value) if value else None
        else:
            values[name] = _clean_text(value) if value else None
    if fields.pregnant and sex == Sex.MALE:
        errors.append(ValidationError("pregnant.male", "pregnant"))
    elif fields.pregnant and birth_date is not None and birth_date <= today:
        # Pregnancy raises a woman's evacuation priority: a tick on the wrong line (a girl
        # of five, a grandmother of 76) would seat her before those who need it.
        age = age_on(birth_date, today)
        if not PREGNANT_AGES[0] <= age <= PREGNANT_AGES[1]:
            errors.append(ValidationError("pregnant.age", "pregnant", age=age))
    if fields.consent_date and fields.consent_date > today:
        errors.append(
            ValidationError("consent_date.future", "consent_date", value=fields.consent_date)
        )
    if errors:
        raise ValidationErrors(errors)
    # Every field but the enums and flags was set above; a copy without dataclasses.replace,
    # whose per-call introspection is a tenth of a list import's validation time.
    cleaned = object.__new__(NationalFields)
    cleaned.__dict__.update(fields.__dict__)
    cleaned.__dict__.update(values)
    return cleaned


#: What makes a record impossible to keep: it names no one.
FATAL_CODES = frozenset({"name.missing"})
_SURNAMES = ("surname_cyr", "surname_lat")
_NAME_JUNK = {
    True: re.compile(r"[^\u0400-\u04ff '\-.]+"),  # Cyrillic names
    False: re.compile(r"[^A-Za-z '\-.]+"),  # Latin names
}


def set_aside_field(error: ValidationError) -> str:
    """The field whose value an error sets aside (``phones`` for one phone number)."""
    return "phones" if error.field == "phone" else error.field


def clean_national_keeping(
    fields: NationalFields, today: date
) -> tuple[NationalFields, list[tuple[ValidationError, object]]]:
    """:func:`clean_national` that keeps the person and sets doubtful values aside.

    A value that fails validation is left out of the record, and the error is returned with the
    value as it was, so the caller can keep it for an officer to review. One bad phone number
    leaves the other numbers; a birth date or sex that disagrees with a valid IIN gives way to
    the IIN's (the IIN is the stronger evidence; the stated value is kept aside). A name typed
    with look-alike letters of the other script ("Ивaнов" with a Latin "a") is repaired
    without a word: it reads the same. A surname that is the only one and still fails keeps its
    letters of the right script, and the text as given is set aside.

    Returns:
        The cleaned fields without the doubtful values, and ``(error, value)`` for each value
        set aside.

    Raises:
        ValidationErrors: the record names no one (``name.missing``); nothing can be kept.
    """
    try:
        return clean_national(fields, today), []
    except ValidationErrors:
        fields = _repair_lookalike_names(fields)
    set_aside: list[tuple[ValidationError, object]] = []
    while True:
        try:
            return clean_national(fields, today), set_aside
        except ValidationErrors as exc:
            fatal = [e for e in exc.errors if e.code in FATAL_CODES]
            if fatal:
                # Why no surname is left, first: "“12345” is not in Cyrillic letters", not
                # only "a surname is required" beside a filled cell.
                why = [e for e, _value in set_aside if e.field in _SURNAMES]
                raise ValidationErrors([*why, *fatal]) from None
            changes: dict[str, object] = {}
            for error in exc.errors:
                name = set_aside_field(error)
                if name == "phones":
                    value: object = error.params.get("value", "")
                    kept = changes.get("phones", fields.phones)
                    changes["phones"] = tuple(p for p in kept if p.strip() != value)  # type: ignore[attr-defined]
                else:
                    value = getattr(fields, name)
                    changes[name] = (
                        _letters_of_only_surname(fields, name, str(value))
                        if name in NAME_FIELDS
                        else _EMPTY.get(name)
                    )
                set_aside.append((error, value))
            before, fields = fields, fields.replace(**changes)
            if fields == before:  # every pass must remove a value, or this would never end
                codes = [e.code for e in exc.errors]
                raise RuntimeError(f"no value to set aside for {codes}") from exc


_EMPTY: dict[str, object] = {
    "pregnant": False,
    "nationality": "KAZ",
    "phones": (),
    "presence_status": PresenceStatus.UNKNOWN,
}


def _name_ok(name: str, value: str) -> bool:
    return bool((_LATIN_NAME if name.endswith("_lat") else _CYRILLIC_NAME).match(value.strip()))


def _repair_lookalike_names(fields: NationalFields) -> NationalFields:
    changes = {}
    for name in NAME_FIELDS:
        value = getattr(fields, name)
        if value and not _name_ok(name, value):
            repaired = repair_lookalikes(value, cyrillic=not name.endswith("_lat"))
            if repaired != value and _name_ok(name, repaired):
                changes[name] = repaired
    return fields.replace(**changes) if changes else fields


def _letters_of_only_surname(fields: NationalFields, name: str, value: str) -> str | None:
    """What stays of a name that failed its script check: for the only surname, its letters of
    the right script (at least two); for any other name, nothing."""
    if name not in _SURNAMES:
        return None
    for other in _SURNAMES:
        value_of_other = getattr(fields, other)
        if other != name and value_of_other and _name_ok(other, value_of_other):
            return None  # the other script names the person
    letters = _NAME_JUNK[not name.endswith("_lat")].sub(" ", value)
    letters = _SPACES.sub(" ", letters).strip(" -.'")
    if len(letters.replace(" ", "")) >= 2 and _name_ok(name, letters):
        return letters
    return None
