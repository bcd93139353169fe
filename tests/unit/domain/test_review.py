"""Values set aside for review: which fields an officer's edit settles."""

from __future__ import annotations

from datetime import date

from consuldesk.domain.enums import Sex
from consuldesk.domain.national import NationalFields
from consuldesk.domain.review import ReviewItem, merge_review, settled_by_edit


def item(field: str, value: str = "x") -> ReviewItem:
    return ReviewItem(field, f"{field}.invalid", value, source="list.csv", line=2)


def test_a_new_value_settles_its_field_only():
    items = [item("iin"), item("phones", "12345"), item("birth_date")]
    before = NationalFields(surname_cyr="Иванов", phones=("+77012345678",))
    after = before.replace(iin="850304450123")
    assert settled_by_edit(items, before, after) == {"iin"}
    assert [i.field for i in merge_review(items, (), {"iin"})] == ["phones", "birth_date"]


def test_an_unchanged_or_emptied_field_settles_nothing():
    items = [item("iin"), item("phones", "12345"), item("birth_date")]
    before = NationalFields(
        surname_cyr="Иванов", iin="850304450123", phones=("+77012345678",), birth_date=None
    )
    assert settled_by_edit(items, before, before) == set()
    after = before.replace(iin=None, phones=())
    assert settled_by_edit(items, before, after) == set()


def test_choices_and_flags_count_as_values():
    items = [item("sex", "X"), item("pregnant", "perhaps")]
    before = NationalFields(surname_cyr="Иванова", sex=None, pregnant=True)
    after = before.replace(sex=Sex.FEMALE, pregnant=False)
    assert settled_by_edit(items, before, after) == {"sex", "pregnant"}


def test_row_and_family_items_are_never_settled_by_an_edit():
    items = [item("record"), item("household"), item("relation"), item("birth_date")]
    before = NationalFields(surname_cyr="Иванов")
    after = before.replace(birth_date=date(1990, 1, 1))
    assert settled_by_edit(items, before, after) == {"birth_date"}
