"""Reading what a keyboard-wedge scanner typed, whatever the keyboard layout."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consuldesk.domain.scan import (
    ScanCode,
    ScanKind,
    from_cyrillic_layout,
    parse_scan,
    slip_payload,
)

ENTRY = "0193a5c2-7d4e-7f01-8a2b-3c4d5e6f7a8b"

# US key → the character the same key types on the Russian and on the Kazakh layout.
_US = "qwertyuiop[]asdfghjkl;'zxcvbnm,." + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
_RU = "йцукенгшщзхъфывапролджэячсмитьбю" + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_KK_DIGITS = dict(zip("1234567890-=", '"әіңғ,.үұқөһ', strict=True))


def typed_on(layout: str, text: str) -> str:
    keys = dict(zip(_US, _RU, strict=True))
    if layout == "kk":
        keys.update(_KK_DIGITS)
    return "".join(keys.get(ch, ch) for ch in text)


def test_a_slip_code_names_the_manifest_entry():
    assert parse_scan(slip_payload(ENTRY)) == ScanCode(ScanKind.SLIP, ENTRY)


def test_a_manifest_page_code_names_the_trip_and_page():
    assert parse_scan(f"CONSULDESK:MANIFEST:{ENTRY}:3\n") == ScanCode(ScanKind.MANIFEST, ENTRY, 3)


@pytest.mark.parametrize("layout", ["ru", "kk"])
def test_codes_typed_under_a_cyrillic_layout_are_read_back(layout):
    typed = typed_on(layout, slip_payload(ENTRY))
    assert typed != slip_payload(ENTRY) and any("\u0400" <= c <= "\u04ff" for c in typed)
    assert parse_scan(typed) == ScanCode(ScanKind.SLIP, ENTRY)
    page = typed_on(layout, f"CONSULDESK:MANIFEST:{ENTRY}:12")
    assert parse_scan(page) == ScanCode(ScanKind.MANIFEST, ENTRY, 12)


@given(st.uuids())
def test_any_entry_id_survives_the_russian_and_kazakh_layouts(uuid):
    code = slip_payload(str(uuid))
    for layout in ("ru", "kk"):
        assert parse_scan(typed_on(layout, code)).value == str(uuid)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("17", ScanCode(ScanKind.SEAT, "17")),
        (" 007 ", ScanCode(ScanKind.SEAT, "7")),
        ("12b", ScanCode(ScanKind.SEAT, "12B")),
        ("n12345678", ScanCode(ScanKind.PASSPORT, "N12345678")),
        ("0030", ScanCode(ScanKind.SEAT, "30")),  # leading zeros typed
        ("045678912", ScanCode(ScanKind.PASSPORT, "045678912")),  # an ID card: digits only
        ("12 3456789", ScanCode(ScanKind.PASSPORT, "123456789")),
        ("CONSULDESK:SLIP:not-an-id", ScanCode(ScanKind.UNKNOWN, "CONSULDESK:SLIP:not-an-id")),
        ("hello world!", ScanCode(ScanKind.UNKNOWN, "helloworld!")),
        ("", ScanCode(ScanKind.UNKNOWN, "")),
        # The id printed under a slip's code, typed by hand when the code will not scan.
        (ENTRY.upper(), ScanCode(ScanKind.SLIP, ENTRY)),
        (f"ID {ENTRY}", ScanCode(ScanKind.SLIP, ENTRY)),
        (typed_on("ru", f"ID {ENTRY}"), ScanCode(ScanKind.SLIP, ENTRY)),
    ],
)
def test_typed_seats_and_passports(typed, expected):
    assert parse_scan(typed) == expected


def test_latin_text_is_left_alone_by_the_layout_mapping():
    assert from_cyrillic_layout("N123-abc") == "N123-abc"


def test_a_slip_says_which_trip_and_seat_it_was_printed_for():
    trip = "01a24ac5-b1a0-7322-b26a-d7e0abc7ba90"
    code = parse_scan(slip_payload(ENTRY, trip, "12a"))
    assert (code.kind, code.value, code.slip_trip, code.slip_seat) == (
        ScanKind.SLIP, ENTRY, "abc7ba90", "12A"
    )  # fmt: skip
    assert code.printed_for(trip, "12A") is True
    assert code.printed_for(trip, "13") is False
    assert code.printed_for("01a24ac5-b1a0-7322-b26a-d7e0abc7ba91", "12A") is False
    no_seat = parse_scan(slip_payload(ENTRY, trip, None))
    assert no_seat.slip_seat == "" and no_seat.printed_for(trip, None) is True
    assert parse_scan(slip_payload(ENTRY)).printed_for(trip, "1") is None  # an older slip
    typed = typed_on("ru", slip_payload(ENTRY, trip, "7"))
    assert parse_scan(typed) == parse_scan(slip_payload(ENTRY, trip, "7"))
    typed = typed_on("kk", slip_payload(ENTRY, trip, None))
    assert parse_scan(typed) == parse_scan(slip_payload(ENTRY, trip, None))
