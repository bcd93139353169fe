"""Plain, frozen rows handed to windows and the CLI: never ORM objects (they expire)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from consuldesk.domain.enums import Vulnerability
from consuldesk.domain.names import display_name
from consuldesk.domain.review import ReviewItem
from consuldesk.domain.vulnerability import age_on


@dataclass(frozen=True)
class NationalRow:
    """A national as lists and cards show it.

    ``review`` holds the values set aside for an officer to review (empty: nothing to review);
    see :mod:`consuldesk.domain.review`.
    """

    id: str
    seq: int
    surname_cyr: str | None
    given_names_cyr: str | None
    patronymic_cyr: str | None
    surname_lat: str | None
    given_names_lat: str | None
    sex: str | None
    birth_date: date | None
    iin: str | None
    passport_no: str | None
    passport_expiry: date | None
    nationality: str
    phones: tuple[str, ...]
    email: str | None
    messenger: str | None
    host_country: str | None
    city: str | None
    address: str | None
    presence_status: str
    medical_condition: str | None
    mobility_needs: str | None
    pregnant: bool
    notes: str | None
    source: str
    source_ref: str | None
    consent_date: date | None
    created_at: datetime
    updated_at: datetime
    version: str
    vulnerabilities: frozenset[Vulnerability] = frozenset()
    household_ids: tuple[str, ...] = ()
    # Items carry a dict of parameters: left out of the hash so rows stay hashable.
    review: tuple[ReviewItem, ...] = field(default=(), hash=False)

    @property
    def needs_review(self) -> bool:
        """Whether values were set aside from this record for an officer to review."""
        return bool(self.review)

    @property
    def name_cyr(self) -> str:
        """Cyrillic full name: surname, given names, patronymic."""
        return display_name(self.surname_cyr, self.given_names_cyr, self.patronymic_cyr)

    @property
    def name_lat(self) -> str:
        """Passport (Latin) name."""
        return display_name(self.surname_lat, self.given_names_lat)

    @property
    def name(self) -> str:
        """The best name to show: Cyrillic when its surname is known, else the passport
        spelling when that has one (a Cyrillic surname set aside for review leaves only the
        given names), else whatever there is."""
        if self.surname_cyr or not self.surname_lat:
            return self.name_cyr or self.name_lat
        return self.name_lat

    def age(self, today: date) -> int | None:
        """Age in whole years on ``today``."""
        return age_on(self.birth_date, today) if self.birth_date else None

    def passport_expired(self, on: date) -> bool:
        """Whether the passport has expired by ``on``."""
        return self.passport_expiry is not None and self.passport_expiry < on


@dataclass(frozen=True)
class DuplicateRow:
    """A pair flagged as probably one person."""

    id: str
    a: NationalRow
    b: NationalRow
    score: float
    status: str
    posts: tuple[str, str] = ("", "")  # the posts that registered a and b


@dataclass(frozen=True)
class AuditRow:
    """One entry of a record's history."""

    at: datetime
    officer: str
    post_code: str
    action: str
    changes: dict[str, list[object]]
