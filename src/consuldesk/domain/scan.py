"""What a keyboard-wedge scanner (or an officer) typed into the boarding field.

A handheld scanner "types" the QR code's text followed by Enter. Three things can arrive:

* a boarding slip: ``CONSULDESK:SLIP:<entry id>:<trip>:<seat>`` (see
  :mod:`consuldesk.reports.slips`): the trip (its id's last 8 characters) and the seat it was
  printed for, so a slip that a re-allocation replaced is told apart (``-`` when it had no seat;
  older slips carry the entry id only);
* a page of a printed manifest: ``CONSULDESK:MANIFEST:<trip id>`` (older prints added
  ``:<page>``);
* something typed by hand: a seat number (``17``), a passport number (``N12345678``) or the
  id printed under a slip's code (``ID 01a24f8c-…``, when the code will not scan).

Scanners emulate a keyboard, so when the computer's layout is Russian or Kazakh the same keys
arrive as Cyrillic letters (``СЩТЫГДВУЫЛЖЫДШЗЖ…`` for ``CONSULDESK:SLIP:…``). Such input is
mapped back key by key to the US layout before it is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SLIP_PREFIX = "CONSULDESK:SLIP:"
MANIFEST_PREFIX = "CONSULDESK:MANIFEST:"

# The same physical keys on the Russian (ЙЦУКЕН) layout and on the US layout. The Kazakh layout
# has the Russian letters too, and its own on the digit row: 1 2 3 … 0 - = type " ә і ң ғ , . ү ұ қ
# ө һ. The codes never contain the punctuation keys that type , . " on the Russian layout.
_RU = "йцукенгшщзхъфывапролджэячсмитьбю" + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
_US = "qwertyuiop[]asdfghjkl;'zxcvbnm,." + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
_RU_TO_US = str.maketrans(_RU, _US)
_KK_DIGIT_ROW = str.maketrans({'"': "1", "ә": "2", "і": "3", "ң": "4", "ғ": "5", ",": "6", ".": "7",
                               "ү": "8", "ұ": "9", "қ": "0", "ө": "-", "һ": "="})  # fmt: skip

#: Characters of the trip id a slip carries (its random end: ids begin with the time they were
#: made), enough to tell the trips of one leg apart.
TRIP_MARK = 8
_TRIP_MARK = re.compile(r"^[0-9a-f]{8}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SEAT = re.compile(r"^0*\d{1,3}[A-Z]?$")  # leading zeros typed ("0030") are no other seat
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


class ScanKind(StrEnum):
    """What a scanned or typed code points at."""

    SLIP = "slip"
    MANIFEST = "manifest"
    SEAT = "seat"
    PASSPORT = "passport"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ScanCode:
    """A parsed code: its kind, the id or number it carries, and the manifest page if any.

    A slip also says what it was printed for: ``slip_trip`` (the last 8 characters of the trip
    id) and ``slip_seat`` (``""`` for no seat); both ``None`` on slips printed before that.
    """

    kind: ScanKind
    value: str
    page: int | None = None
    slip_trip: str | None = None
    slip_seat: str | None = None

    def printed_for(self, trip_id: str | None, seat: str | None) -> bool | None:
        """Whether the slip was printed for this trip and seat (``None``: it does not say)."""
        if self.slip_trip is None:
            return None
        return (trip_id or "")[-TRIP_MARK:] == self.slip_trip and (seat or "") == self.slip_seat


def from_cyrillic_layout(text: str) -> str:
    """Undo a Russian or Kazakh keyboard layout: each Cyrillic letter back to its US key."""
    return text.translate(_KK_DIGIT_ROW).translate(_RU_TO_US)


def parse_scan(text: str) -> ScanCode:
    """Read what the scanner or the officer typed.

    Args:
        text: the raw text, possibly typed under a Cyrillic layout, with stray spaces.

    Returns:
        The code's kind and value. Ids are lower-case UUIDs; seats and passport numbers are
        upper-case. Anything else is :attr:`ScanKind.UNKNOWN` with the cleaned text.
    """
    raw = "".join(text.split())
    if any("\u0400" <= ch <= "\u04ff" for ch in raw):
        raw = from_cyrillic_layout(raw)
    upper = raw.upper()
    if upper.startswith(SLIP_PREFIX):
        value, _, printed = raw[len(SLIP_PREFIX) :].partition(":")
        value = value.lower()
        trip_mark, _, seat = printed.partition(":")
        if _UUID.match(value) and _TRIP_MARK.match(trip_mark.lower()):
            seat = "" if seat == "-" else seat.upper()
            return ScanCode(ScanKind.SLIP, value, slip_trip=trip_mark.lower(), slip_seat=seat)
        if _UUID.match(value) and not printed:
            return ScanCode(ScanKind.SLIP, value)
    elif upper.startswith(MANIFEST_PREFIX):
        rest = raw[len(MANIFEST_PREFIX) :].lower()
        trip_id, _, page = rest.partition(":")
        if _UUID.match(trip_id):
            number = int(page) if page.isascii() and page.isdigit() else None  # not "²"
            return ScanCode(ScanKind.MANIFEST, trip_id, number)
    elif _UUID.match(typed := raw.lower().removeprefix("id")):
        # The id printed under a slip's code, typed when the code will not scan.
        return ScanCode(ScanKind.SLIP, typed)
    elif _SEAT.match(upper):
        return ScanCode(ScanKind.SEAT, upper.lstrip("0") or "0")
    elif _PASSPORT.match(upper):  # all digits too: ID cards and Russian passports
        return ScanCode(ScanKind.PASSPORT, upper)
    return ScanCode(ScanKind.UNKNOWN, raw)


def slip_payload(entry_id: str, trip_id: str | None = None, seat: str | None = None) -> str:
    """The text of a boarding slip's QR code: the manifest entry's id, nothing personal; with
    ``trip_id``, also the trip (last 8 characters) and seat the slip is printed for."""
    if trip_id is None:
        return f"{SLIP_PREFIX}{entry_id}"
    return f"{SLIP_PREFIX}{entry_id}:{trip_id[-TRIP_MARK:]}:{seat or '-'}"


def manifest_payload(trip_id: str) -> str:
    """The text of the QR code on every page of a trip's printed manifest: the trip's id."""
    return f"{MANIFEST_PREFIX}{trip_id}"
