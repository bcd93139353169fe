"""The nationals list narrowed by household: in a family, in none, in a tour group; and the
cities of one country."""

from __future__ import annotations

import pytest

from consuldesk.domain.enums import HouseholdKind
from consuldesk.services.nationals import NationalFilter, filter_choices, find_nationals
from tests.unit.services.test_national_filters import ids, seed


@pytest.fixture
def seeded(desk):
    return seed(desk)


def test_membership_filter_family_tour_group_none(desk, seeded):
    from consuldesk.services import households

    everyone = {r.id for r in find_nationals(desk, limit=100).rows}
    family = {seeded.mother, seeded.child}

    def who(membership: str, **kw: object) -> set[str]:
        return set(ids(find_nationals(desk, NationalFilter(membership=membership, **kw))))

    assert who("family") == family
    assert who("no_family") == everyone - family
    assert who("tour_group") == set()
    assert who("none") == everyone - family
    group = households.create_household(
        desk, "Anex 12", HouseholdKind.TOUR_GROUP, member_ids=[seeded.mother, seeded.guest]
    ).row
    assert who("tour_group") == {seeded.mother, seeded.guest}
    assert who("none") == everyone - family - {seeded.guest}
    assert who("no_family") == everyone - family  # the guest travels with a group only
    assert who("family", query="Қасым") == family
    assert who("none", city="Dubai") == set()
    assert NationalFilter(membership="none").narrows

    # Only live households and memberships count.
    households.remove_member(desk, group.id, seeded.guest)
    assert who("tour_group") == {seeded.mother}
    households.delete_household(desk, seeded.family)
    assert who("family") == set()
    assert who("none") == everyone - {seeded.mother}
    with pytest.raises(ValueError):
        find_nationals(desk, NationalFilter(membership="nobody"))


def test_filter_choices_of_a_country_offer_its_cities_only(desk, seeded):
    assert filter_choices(desk, "AE").cities == [("Dubai", 3), ("Abu Dhabi", 1)]
    assert filter_choices(desk, "QA").cities == [("Doha", 1)]
    assert filter_choices(desk, "AE").countries == filter_choices(desk).countries
