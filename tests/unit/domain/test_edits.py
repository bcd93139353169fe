"""Keeping both sides of a conflict: phone lists and notes."""

from __future__ import annotations

import pytest

from consuldesk.domain.edits import both_values


def test_both_phone_lists_keep_every_number_once_the_kept_ones_first() -> None:
    assert both_values("phones", ["+7701", "+7702"], ["+7702", "+9891"]) == [
        "+7701",
        "+7702",
        "+9891",
    ]
    assert both_values("phones", [], ["+9891"]) == ["+9891"]
    assert both_values("phones", None, None) == []
    assert both_values("phones", ("+7701",), ("+9891",)) == ("+7701", "+9891")  # a card's tuple


def test_both_notes_keep_each_text_once() -> None:
    assert both_values("notes", "HQ: sister called", "Hotel Azadi") == (
        "HQ: sister called\nHotel Azadi"
    )
    # One side added a line to the other's text: that text already holds both.
    assert both_values("notes", "Tehran: ok", "Tehran: ok\nHQ: called") == "Tehran: ok\nHQ: called"
    assert both_values("notes", "Tehran: ok\nHQ: called", "Tehran: ok") == "Tehran: ok\nHQ: called"
    # Both added a line to the same text: the text once, then each line.
    assert both_values("notes", "Tehran: ok\nHQ: called", "Tehran: ok\nHotel Azadi") == (
        "Tehran: ok\nHQ: called\nHotel Azadi"
    )
    assert both_values("notes", None, "Hotel") == "Hotel"
    assert both_values("notes", "Hotel", "  ") == "Hotel"
    assert both_values("notes", None, None) is None


def test_a_field_of_one_value_cannot_keep_both() -> None:
    with pytest.raises(ValueError):
        both_values("city", "Qom", "Tabriz")
