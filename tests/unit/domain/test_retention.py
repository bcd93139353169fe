"""Tests for consuldesk.domain.retention: when a record expires, and why."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consuldesk.domain.enums import PresenceStatus
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.retention import (
    DEFAULT_MONTHS,
    Basis,
    RetentionFacts,
    add_months,
    check_keep,
    check_months,
    coarse_birth_date,
    expiry,
    left_region,
    within,
)

TODAY = date(2026, 3, 10)


def test_the_default_period_is_eighteen_months_after_the_person_left():
    facts = RetentionFacts(PresenceStatus.EVACUATED.value, status_set_on=date(2026, 1, 15))
    e = expiry(facts)
    assert DEFAULT_MONTHS == 18
    assert (e.left_on, e.basis, e.expires_on, e.kept) == (
        date(2026, 1, 15),
        Basis.STATUS,
        date(2027, 7, 15),
        False,
    )
    assert not e.due(date(2027, 7, 14)) and e.due(date(2027, 7, 15))


@pytest.mark.parametrize(
    "status",
    [
        PresenceStatus.IN_COUNTRY,
        PresenceStatus.IN_TRANSIT,
        PresenceStatus.IN_HOTEL,
        PresenceStatus.UNKNOWN,
    ],
)
def test_a_person_who_has_not_left_never_expires_whatever_the_evidence(status):
    facts = RetentionFacts(
        status.value,
        status_set_on=date(2020, 1, 1),
        last_trip_on=date(2020, 1, 1),  # a trip boarded, then came back
        last_stay_end=date(2020, 1, 1),
    )
    assert left_region(facts) is None and expiry(facts, 1) is None


def test_the_latest_evidence_dates_the_departure_so_nothing_expires_early():
    base = dict(
        presence_status=PresenceStatus.EVACUATED.value,
        status_set_on=date(2026, 3, 1),
        last_trip_on=date(2026, 2, 20),
        last_stay_end=date(2026, 2, 25),
    )
    assert left_region(RetentionFacts(**base)) == (date(2026, 3, 1), Basis.STATUS)
    later_trip = RetentionFacts(**{**base, "last_trip_on": date(2026, 3, 5)})
    assert left_region(later_trip) == (date(2026, 3, 5), Basis.TRIP)
    later_stay = RetentionFacts(**{**base, "last_stay_end": date(2026, 3, 9)})
    assert left_region(later_stay) == (date(2026, 3, 9), Basis.STAY_END)
    # On the same day the trip names it: the most precise evidence.
    tie = RetentionFacts(**{**base, "last_trip_on": date(2026, 3, 1)})
    assert left_region(tie) == (date(2026, 3, 1), Basis.TRIP)


def test_left_on_their_own_counts_as_gone_but_without_a_date_nothing_expires():
    assert left_region(RetentionFacts(PresenceStatus.LEFT_ON_OWN.value)) is None
    facts = RetentionFacts(PresenceStatus.LEFT_ON_OWN.value, status_set_on=date(2026, 1, 1))
    assert expiry(facts, 6).expires_on == date(2026, 7, 1)


def test_a_deleted_record_expires_after_its_deletion_a_merged_one_follows_its_survivor():
    deleted = RetentionFacts(PresenceStatus.IN_COUNTRY.value, deleted_on=date(2026, 1, 31))
    e = expiry(deleted, 1)
    assert (e.basis, e.expires_on) == (Basis.DELETED, date(2026, 2, 28))
    merged = RetentionFacts(
        PresenceStatus.EVACUATED.value, deleted_on=date(2026, 1, 1), merged=True
    )
    assert expiry(merged) is None


def test_an_anonymised_record_does_not_expire_again():
    facts = RetentionFacts(
        PresenceStatus.EVACUATED.value, status_set_on=date(2020, 1, 1), anonymised=True
    )
    assert expiry(facts) is None


def test_keep_until_pushes_the_expiry_later_never_earlier():
    facts = RetentionFacts(PresenceStatus.EVACUATED.value, status_set_on=date(2026, 1, 15))
    later = expiry(RetentionFacts(**{**facts.__dict__, "keep_until": date(2028, 1, 1)}))
    assert (later.expires_on, later.kept) == (date(2028, 1, 1), True)
    earlier = expiry(RetentionFacts(**{**facts.__dict__, "keep_until": date(2026, 6, 1)}))
    assert (earlier.expires_on, earlier.kept) == (date(2027, 7, 15), False)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 8, 31), 18) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize("months", [0, -1, 121])
def test_the_period_is_one_to_120_months(months):
    with pytest.raises(ValidationError) as caught:
        check_months(months)
    assert caught.value.code == "retention.months"
    assert check_months(1) == 1 and check_months(120) == 120


def test_keeping_needs_a_later_date_within_ten_years_and_a_reason():
    assert check_keep(date(2027, 1, 1), "  court   case ", TODAY) == (
        date(2027, 1, 1),
        "court case",
    )
    for until, reason, code in (
        (TODAY, "x", "retention.keep_past"),
        (date(2036, 3, 11), "x", "retention.keep_too_long"),
        (date(2027, 1, 1), "   ", "retention.keep_reason"),
    ):
        with pytest.raises(ValidationError) as caught:
            check_keep(until, reason, TODAY)
        assert caught.value.code == code


def test_within_counts_the_expired_and_those_due_in_the_next_days():
    assert within(date(2026, 1, 1), TODAY, 0)
    assert within(date(2026, 4, 9), TODAY, 30)
    assert not within(date(2026, 4, 10), TODAY, 30)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 3, 10)),
    today=st.dates(min_value=date(2026, 3, 10), max_value=date(2030, 12, 31)),
)
def test_a_coarse_birth_date_keeps_the_year_and_the_age_on_the_day(birth, today):
    coarse = coarse_birth_date(birth, today)
    assert coarse.year == birth.year
    assert (coarse.month, coarse.day) in ((1, 1), (12, 31))
    assert _age(coarse, today) == _age(birth, today)
