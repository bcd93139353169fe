"""Tests of the hotel roster, read back from the PDF with pypdf."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from consuldesk.reports import roster as roster_mod
from consuldesk.reports.roster import (
    RosterGuest,
    RosterHotel,
    render_hotel_roster,
    room_sort_key,
    sorted_guests,
)
from tests.unit.reports.pdfcheck import (
    assert_failure_keeps_old_file,
    assert_only_bundled_font,
    pages_text,
)

POST = "Embassy of Kazakhstan in Abu Dhabi"
NIGHT = date(2026, 3, 10)


def _guest(
    room: str,
    surname: str,
    name_cyr: str,
    *,
    status: str = "checked_in",
    household: str = "",
    **flags: bool,
) -> RosterGuest:
    return RosterGuest(
        room=room,
        surname_lat=surname,
        given_names_lat="AIDOS",
        name_cyr=name_cyr,
        sex="M",
        birth_date=date(1958, 2, 3),
        passport_no="N12345678",
        phone="+971 50 123 4567",
        household=household,
        check_in=date(2026, 3, 8),
        check_out=date(2026, 3, 14),
        status=status,
        **flags,
    )


KAZAKH_GUESTS = [
    _guest("10", "ABILKAIYR", "Әбілқайыр Ғалымжан", over_60=True),
    _guest("2", "NURSULTANOVA", "Нұрсұлтанова Үміт Өтегенқызы", minor=True, medical=True),
    _guest("", "SHAKHIN & <SON>", "Һашимова Ірина Ңағыз", status="booked"),
]


def _hotels() -> list[RosterHotel]:
    many = [_guest(str(1 + i // 2), f"ZHAKSYBEKOV{i}", f"Жақсыбеков Айдос {i}") for i in range(80)]
    return [
        RosterHotel(
            "Grand Hyatt Abu Dhabi",
            "Abu Dhabi",
            "Corniche Road West",
            "+971 2 510 1234",
            90,
            "Анекс Тур",
            many,
        ),
        RosterHotel(
            "Қонақүй Әлем", "Dubai", "Sheikh Zayed Rd 1", "+971 4 000", 2, "", KAZAKH_GUESTS
        ),
        RosterHotel("Empty Inn", "Al Ain", "Street 5", "", 10, "", []),
    ]


def test_room_sort_is_natural() -> None:
    rooms = ["10", "2", "101A", "2B", "2a", "Suite", "1"]
    assert sorted(rooms, key=room_sort_key) == ["1", "2", "2a", "2B", "10", "101A", "Suite"]


def test_guests_sorted_by_room_with_roomless_last() -> None:
    order = [g.surname_lat for g in sorted_guests(KAZAKH_GUESTS)]
    assert order == ["NURSULTANOVA", "ABILKAIYR", "SHAKHIN & <SON>"]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_names_headers_and_order(tmp_path: Path, language: str) -> None:
    hotel = _hotels()[1]
    out = render_hotel_roster(
        POST,
        NIGHT,
        [hotel],
        tmp_path / "r.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    assert out == tmp_path / "r.pdf"
    pages = pages_text(out)
    text = " ".join(pages)
    for g in KAZAKH_GUESTS:
        assert g.name_cyr in text
        assert g.surname_lat in text
    assert "Қонақүй Әлем" in text and "Анекс" not in text
    assert "10.03.2026 → 11.03.2026" in text
    assert "03.02.1958" in text and "08.03.2026" in text and "14.03.2026" in text
    assert "CHILD" in text and "60+" in text and "MED" in text
    # Room 2 before room 10, the guest without a room last under its own heading.
    first = pages[0]
    no_room = {"ru": "Номер ещё не назначен", "kk": "Нөмір әлі берілмеген"}[language]
    assert (
        first.index("Нұрсұлтанова")
        < first.index("Әбілқайыр Ғалымжан")
        < first.index(f"No room yet / {no_room}")
        < first.index("Һашимова")
    )
    room = {"ru": "Номер", "kk": "Нөмір"}[language]
    assert f"Room / {room}" in first
    # Three guests for two beds: the hotel is over capacity.
    assert re.search(r"Guests tonight / \S+( \S+)* 3\b", first)


def test_each_hotel_starts_a_page_and_headings_repeat(tmp_path: Path) -> None:
    out = render_hotel_roster(POST, NIGHT, _hotels(), tmp_path / "r.pdf")
    pages = pages_text(out)
    n = len(pages)
    assert n >= 2 + 1  # two hotels with guests (one runs over pages) and the summary
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n} / Страница {i} из {n}" in text
    hyatt_pages = [t for t in pages if "ZHAKSYBEKOV" in t]
    assert len(hyatt_pages) >= 2
    for text in hyatt_pages:
        assert "Grand Hyatt Abu Dhabi, Abu Dhabi" in text  # the band repeats with the heading
        assert "Present / На месте" in text
        assert "Check-out / Выезд" in text
    starts = [i for i, t in enumerate(pages) if t.startswith("Hotel roster / Список проживающих")]
    assert len(starts) == 2  # the empty hotel takes no page of its own
    assert "Қонақүй Әлем" in pages[starts[1]]
    assert not any("Empty Inn" in t for t in pages[: starts[-1] + 1] if "ZHAKSYBEKOV" in t)
    assert "Empty Inn" in pages[-1]  # but it is in the summary
    text = " ".join(pages)
    for i in range(80):
        assert f"Жақсыбеков Айдос {i} " in text + " "


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("n", [1, 21, 24, 50, 53, 83])
def test_the_night_check_line_never_stands_on_a_page_without_guests(
    tmp_path: Path, language: str, n: int
) -> None:
    """Hotel sizes whose signature line once went over to a page of its own (21–24, 50–54,
    80–84 guests): a line that says nothing about whom it checked."""
    guests = [_guest(str(1 + i // 2), f"GUEST{i:03d}", f"Жақсыбеков Айдос {i}") for i in range(n)]
    hotel = RosterHotel("Grand Hyatt", "Abu Dhabi", "Corniche", "+971", 90, "", guests)
    out = render_hotel_roster(POST, NIGHT, [hotel], tmp_path / "r.pdf", second_language=language)
    pages = pages_text(out)[:-1]  # the summary page follows
    last = pages[-1]
    assert f"GUEST{n - 1:03d}" in last and f"GUEST{max(0, n - 3):03d}" in last
    assert "Night check by" in last
    assert all("Night check by" not in page for page in pages[:-1])
    everyone = " ".join(pages)
    assert all(f"GUEST{i:03d}" in everyone for i in range(n))


def test_summary_numbers(tmp_path: Path) -> None:
    out = render_hotel_roster(POST, NIGHT, _hotels(), tmp_path / "r.pdf")
    last = pages_text(out)[-1]
    assert last.startswith("Summary / Сводка")
    assert re.search(r"Grand Hyatt Abu Dhabi Abu Dhabi 90 80 10\b", last), last
    assert re.search(r"Қонақүй Әлем Dubai 2 3 0 \(over capacity / сверх мест: 1\)", last), last
    assert re.search(r"Empty Inn Al Ain 10 0 10\b", last), last
    assert re.search(r"Total / Всего 102 83 20\b", last), last


def test_only_bundled_font_is_embedded(tmp_path: Path) -> None:
    assert_only_bundled_font(render_hotel_roster(POST, NIGHT, _hotels(), tmp_path / "r.pdf"))


def test_only_empty_hotels(tmp_path: Path) -> None:
    hotel = RosterHotel("Empty Inn", "Al Ain", "Street 5", "", 10)
    pages = pages_text(render_hotel_roster(POST, NIGHT, [hotel], tmp_path / "r.pdf"))
    assert len(pages) == 2
    assert "No guests tonight" in pages[0]
    assert re.search(r"Total / Всего 10 0 10\b", pages[1])


def test_no_hotels_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no hotels"):
        render_hotel_roster(POST, NIGHT, [], tmp_path / "r.pdf")
    assert list(tmp_path.iterdir()) == []


def test_failure_during_render_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_failure_keeps_old_file(
        tmp_path / "r.pdf",
        monkeypatch,
        roster_mod._RosterCanvas,
        lambda target: render_hotel_roster(POST, NIGHT, _hotels(), target),
    )


def test_the_flags_printed_are_explained_under_the_guests(tmp_path: Path) -> None:
    """MED, MOB, 60+ and CHILD stood in the flags column with no key (MOB is new)."""
    from dataclasses import replace

    hotel = _hotels()[1]
    guests = [replace(hotel.guests[0], mobility=True, medical=False), *hotel.guests[1:]]
    out = render_hotel_roster(POST, NIGHT, [replace(hotel, guests=guests)], tmp_path / "r.pdf")
    text = " ".join(" ".join(pages_text(out)).split())
    assert "MOB — Reduced mobility / Ограниченная подвижность" in text
    assert "CHILD — Minors / Несовершеннолетние" in text and "60+ — Aged 60 or more" in text
    assert "MED — Medical" in text  # the other guest's
    bare = [replace(g, minor=False, over_60=False, medical=False) for g in hotel.guests]
    out = render_hotel_roster(POST, NIGHT, [replace(hotel, guests=bare)], tmp_path / "b.pdf")
    assert " — Minors" not in " ".join(pages_text(out))  # no marks, no key


def test_a_long_passport_name_is_never_broken_inside_a_word(tmp_path: Path) -> None:
    from dataclasses import replace

    hotel = _hotels()[1]
    long = replace(hotel.guests[0], surname_lat="ABDIRAKHMANOVA", given_names_lat="SHAHMARDANOV")
    out = render_hotel_roster(POST, NIGHT, [replace(hotel, guests=[long])], tmp_path / "r.pdf")
    words = " ".join(pages_text(out)).split()
    assert "ABDIRAKHMANOVA" in words and "SHAHMARDANOV" in words
    # Double names too long for the column even small: broken after the hyphen.
    double = replace(
        hotel.guests[0],
        surname_lat="ABDIRAKHMANOVA-TUNGYSHBAYEVA",
        given_names_lat="AIGERIM",
        name_cyr="Әбдірахманова-Тұңғышбаева Әйгерім",
    )
    out = render_hotel_roster(POST, NIGHT, [replace(hotel, guests=[double])], tmp_path / "d.pdf")
    words = " ".join(pages_text(out)).split()
    for part in ("ABDIRAKHMANOVA-", "TUNGYSHBAYEVA", "Әбдірахманова-", "Тұңғышбаева"):
        assert part in words, (part, words)
