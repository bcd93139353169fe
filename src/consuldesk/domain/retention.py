"""Retention: when a national's record has served its purpose and its personal details go.

A post keeps a record while the person may still need it. Once the person has left the region,
the record is kept for a set period (by default 18 months, as Canada's Registration of
Canadians Abroad promises its registrants) and then anonymised: the details that identify the
person are removed, and what the post's counts need stays (:mod:`consuldesk.services.retention`).

When did the person leave? Only a record whose status says so (evacuated, or left on their own)
has left; a person in the country, in transit, in a hotel or of unknown whereabouts never
expires by the clock. The date is the latest of what the case file knows of the departure: the
departure of the last trip they boarded, the end of their last hotel stay, and the day their
status was set. The latest, so that no piece of evidence makes a record expire early.

A deleted record (not merged) expires the same period after its deletion. A record merged into
another follows the record it was merged into: it is anonymised together with it. An officer may
keep a record longer, until a date and for a stated reason (``keep_until``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from consuldesk.domain.enums import PresenceStatus
from consuldesk.domain.errors import ValidationError

#: How long a record is kept after the person left the region, by default (months).
DEFAULT_MONTHS = 18
#: The shortest and longest period an officer may set (months).
MIN_MONTHS = 1
MAX_MONTHS = 120
#: The longest a record may be kept past today by one decision (years).
MAX_KEEP_YEARS = 10
#: What replaces a removed value that must stay non-empty (a vulnerability that counts, a
#: request's summary) and every personal value in the audit trail of an anonymised record.
REMOVED = "***"

#: Statuses that say the person has left the region.
GONE = frozenset({PresenceStatus.EVACUATED.value, PresenceStatus.LEFT_ON_OWN.value})


class Basis(StrEnum):
    """What dates a record's departure (the reason it expires)."""

    TRIP = "trip"  # the departure of the last evacuation trip the person boarded
    STAY_END = "stay_end"  # the end of their last hotel stay
    STATUS = "status"  # the day their status became evacuated / left on their own
    DELETED = "deleted"  # the record was deleted


@dataclass(frozen=True)
class RetentionFacts:
    """What the case file knows of one record that bears on its expiry."""

    presence_status: str
    status_set_on: date | None = None
    last_trip_on: date | None = None
    last_stay_end: date | None = None
    deleted_on: date | None = None
    merged: bool = False
    anonymised: bool = False
    keep_until: date | None = None


@dataclass(frozen=True)
class Expiry:
    """When a record expires, and why.

    Attributes:
        left_on: the day the person left the region (or the record was deleted).
        basis: what dated it.
        expires_on: the first day the record is due for anonymisation.
        kept: an officer's ``keep_until`` set ``expires_on`` later than the period would.
    """

    left_on: date
    basis: Basis
    expires_on: date
    kept: bool = False

    def due(self, today: date) -> bool:
        """Whether the record is due for anonymisation on ``today``."""
        return self.expires_on <= today


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_months(months: int) -> int:
    """The retention period in months, checked.

    Raises:
        ValidationError: ``retention.months`` when outside 1..120.
    """
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationError(
            "retention.months", "months", value=months, min=MIN_MONTHS, max=MAX_MONTHS
        )
    return months


def left_region(facts: RetentionFacts) -> tuple[date, Basis] | None:
    """The day the person left the region and what dates it; ``None`` while they have not
    (or the record is anonymised or merged into another)."""
    if facts.anonymised or facts.merged:
        return None
    if facts.deleted_on is not None:
        return facts.deleted_on, Basis.DELETED
    if facts.presence_status not in GONE:
        return None
    evidence = [
        (day, basis)
        for day, basis in (
            (facts.last_trip_on, Basis.TRIP),
            (facts.last_stay_end, Basis.STAY_END),
            (facts.status_set_on, Basis.STATUS),
        )
        if day is not None
    ]
    if not evidence:
        return None
    # The latest wins; on a tie the trip (the most precise evidence) names it.
    return max(evidence, key=lambda e: (e[0], -list(Basis).index(e[1])))


def expiry(facts: RetentionFacts, months: int = DEFAULT_MONTHS) -> Expiry | None:
    """When the record described by ``facts`` expires, or ``None`` when it does not."""
    left = left_region(facts)
    if left is None:
        return None
    left_on, basis = left
    expires_on = add_months(left_on, months)
    if facts.keep_until is not None and facts.keep_until > expires_on:
        return Expiry(left_on, basis, facts.keep_until, kept=True)
    return Expiry(left_on, basis, expires_on)


def check_keep(until: date, reason: str, today: date) -> tuple[date, str]:
    """An officer's decision to keep a record until ``until``, checked.

    Returns:
        ``(until, reason)`` with the reason's whitespace tidied.

    Raises:
        ValidationError: ``retention.keep_past`` when ``until`` is not after today,
            ``retention.keep_too_long`` when it is more than ten years away,
            ``retention.keep_reason`` when no reason is given.
    """
    if until <= today:
        raise ValidationError("retention.keep_past", "keep_until", value=until.isoformat())
    if until > add_months(today, 12 * MAX_KEEP_YEARS):
        raise ValidationError(
            "retention.keep_too_long", "keep_until", value=until.isoformat(), years=MAX_KEEP_YEARS
        )
    tidy = " ".join(reason.split())
    if not tidy:
        raise ValidationError("retention.keep_reason", "keep_reason")
    return until, tidy


def coarse_birth_date(birth: date, today: date) -> date:
    """A birth date that keeps only the year and the age on ``today``: 1 January of the birth
    year when the birthday has come this year, else 31 December. Counts by age band (minors,
    over 60, a woman travelling with minors) read the same after anonymisation as before."""
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return date(birth.year, 1, 1) if had_birthday else date(birth.year, 12, 31)


def within(expires_on: date, today: date, days: int) -> bool:
    """Whether a record expiring on ``expires_on`` is due within ``days`` days of ``today``
    (an expired one is)."""
    return expires_on <= today + timedelta(days=days)
