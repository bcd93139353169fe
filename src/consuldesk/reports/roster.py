"""Hotel roster: who sleeps in which room of which hotel on a given night.

Officers take the roster on the night check: each hotel starts on a new page with its header
(address, phone, tour operator, beds, guests and free beds), then its guests grouped by room in
natural room order ("2" before "10"), guests without a room last, each with an empty "present"
box to tick. A summary of beds, guests and free beds per hotel closes the document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from consuldesk.reports.common import (
    FLAG_MARKS,
    LABELS,
    LabelFn,
    NumberedCanvas,
    ReportStyles,
    SecondLanguage,
    TickBox,
    build_document,
    format_date,
    key_value_box,
    labeller,
    lines,
    para,
    passenger_flags,
)
from consuldesk.reports.fonts import register_fonts

__all__ = [
    "RosterGuest",
    "RosterHotel",
    "SecondLanguage",
    "render_hotel_roster",
    "room_sort_key",
    "sorted_guests",
]

PAGE_SIZE = A4
MARGIN = 10 * mm

# Guest table columns: (label key, width). Fixed widths keep the heading row identical on
# every page; together they fill the 190 mm between the margins, each wide enough for the
# longest heading word in English, Kazakh and Russian.
_COLUMNS: tuple[tuple[str, float], ...] = (
    ("no", 6 * mm),
    ("room", 10 * mm),
    ("name_lat", 24 * mm),
    ("name_cyr", 24 * mm),
    ("sex", 10 * mm),
    ("dob", 15.5 * mm),
    ("passport", 15.5 * mm),
    ("phone", 17 * mm),
    ("check_in", 15.5 * mm),
    ("check_out", 15.5 * mm),
    ("status", 15 * mm),
    ("flags", 11.8 * mm),
    ("present", 10.2 * mm),
)
COL_NO, COL_ROOM, COL_NAME_LAT, COL_NAME_CYR, COL_SEX, COL_DOB, COL_PASSPORT = range(7)
COL_PHONE, COL_CHECK_IN, COL_CHECK_OUT, COL_STATUS, COL_FLAGS, COL_PRESENT = range(7, 13)
# Rows above the guests that repeat on every page of a hotel: hotel band and column headings.
_REPEAT_ROWS = 2

# The roster's labels besides the shared ones (see ``common.LABELS``).
_LABELS: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {
        "en": "Hotel roster",
        "kk": "Қонақүйде тұратындар тізімі",
        "ru": "Список проживающих",
    },
    "roster": {"en": "Roster", "kk": "Тізім", "ru": "Список"},
    "night": {"en": "Night", "kk": "Түн", "ru": "Ночь"},
    "address": {"en": "Address", "kk": "Мекенжайы", "ru": "Адрес"},
    "phone": {"en": "Phone", "kk": "Телефон", "ru": "Телефон"},
    "tour_operator": {"en": "Tour operator", "kk": "Туроператор", "ru": "Туроператор"},
    "guests_tonight": {
        "en": "Guests tonight",
        "kk": "Бүгін түнгі қонақтар",
        "ru": "Гостей в эту ночь",
    },
    "free_beds": {"en": "Free beds", "kk": "Бос орындар", "ru": "Свободные места"},
    "overbooked": {"en": "over capacity", "kk": "орыннан тыс", "ru": "сверх мест"},
    "room": {"en": "Room", "kk": "Нөмір", "ru": "Номер"},
    "name_lat": {"en": "Name (passport)", "kk": "Аты-жөні (паспорт)", "ru": "ФИО (паспорт)"},
    "sex": {"en": "Sex", "kk": "Жыныс", "ru": "Пол"},
    "check_in": {"en": "Check-in", "kk": "Келуі", "ru": "Заезд"},
    "check_out": {"en": "Check-out", "kk": "Кетуі", "ru": "Выезд"},
    "present": {"en": "Present", "kk": "Бар", "ru": "На месте"},
    "no_room": {
        "en": "No room yet",
        "kk": "Нөмір әлі берілмеген",
        "ru": "Номер ещё не назначен",
    },
    "no_guests": {
        "en": "No guests tonight",
        "kk": "Бүгін түнде қонақтар жоқ",
        "ru": "В эту ночь гостей нет",
    },
    "checked_by": {
        "en": "Night check by (name, signature, time)",
        "kk": "Түнгі тексеруді жүргізген (аты-жөні, қолы, уақыты)",
        "ru": "Ночную проверку провёл (ФИО, подпись, время)",
    },
    "summary": {"en": "Summary", "kk": "Жиынтық", "ru": "Сводка"},
    "guests": {"en": "Guests", "kk": "Қонақтар", "ru": "Гости"},
    "free": {"en": "Free", "kk": "Бос", "ru": "Свободно"},
}

# Placement states as printed in the status column; other values print as given.
_STATUS_LABELS: dict[str, dict[str, str]] = {
    "booked": {"en": "Booked", "kk": "Брондалды", "ru": "Бронь"},
    "checked_in": {"en": "Checked in", "kk": "Орналасты", "ru": "Проживает"},
}


@dataclass(frozen=True)
class RosterGuest:
    """One person staying in a hotel on the roster's night.

    Attributes:
        room: Room number or name as the hotel gives it; empty when not yet assigned.
        surname_lat: Surname exactly as in the passport (Latin).
        given_names_lat: Given names exactly as in the passport (Latin).
        name_cyr: Full name in Cyrillic (Kazakh or Russian spelling).
        sex: ``"M"`` or ``"F"`` as in the passport; printed as given.
        birth_date: Date of birth, if known.
        passport_no: Passport number.
        phone: Phone number as it should be dialled; may be empty.
        household: Family or tour group; guests of one room are listed by household.
        check_in: First night of the stay.
        check_out: Day of departure; ``None`` while open-ended.
        status: Placement state, ``"booked"`` or ``"checked_in"`` (others print as given).
        minor: Under 18.
        over_60: Aged 60 or more.
        medical: Needs medical attention (MED).
        mobility: Needs help moving: a wheelchair, a stretcher, help up the steps (MOB).
    """

    room: str
    surname_lat: str
    given_names_lat: str
    name_cyr: str
    sex: str
    birth_date: date | None
    passport_no: str
    phone: str
    household: str
    check_in: date
    check_out: date | None
    status: str
    minor: bool = False
    over_60: bool = False
    medical: bool = False
    mobility: bool = False


@dataclass(frozen=True)
class RosterHotel:
    """One hotel and the guests who sleep there on the roster's night.

    Attributes:
        name: Hotel name.
        city: City of the hotel.
        address: Street address.
        phone: Reception phone number.
        beds: Beds the post has at its disposal in the hotel.
        tour_operator: Tour operator that placed the guests; empty if the post did.
        guests: Everybody staying that night, in any order (the roster sorts them).
    """

    name: str
    city: str
    address: str
    phone: str
    beds: int
    tour_operator: str = ""
    guests: Sequence[RosterGuest] = field(default_factory=tuple)


def room_sort_key(room: str) -> tuple[tuple[int, int, str], ...]:
    """Return a key that sorts room numbers naturally ("2" before "10", "2A" before "2B").

    Args:
        room: Room number or name.

    Returns:
        A tuple comparing digit runs by value and other text case-insensitively.
    """
    parts = re.split(r"(\d+)", room.strip().casefold())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def sorted_guests(guests: Sequence[RosterGuest]) -> list[RosterGuest]:
    """Return the guests in roster order.

    Rooms in natural order, then within a room by household and passport name; guests without
    a room come last.

    Args:
        guests: Guests of one hotel.

    Returns:
        A new sorted list.
    """
    return sorted(
        guests,
        key=lambda g: (
            not g.room.strip(),
            room_sort_key(g.room),
            g.household.casefold(),
            g.surname_lat.casefold(),
            g.given_names_lat.casefold(),
        ),
    )


def render_hotel_roster(
    post_name: str,
    night: date,
    hotels: Sequence[RosterHotel],
    out_path: Path,
    *,
    second_language: SecondLanguage = "ru",
) -> Path:
    """Render the roster of one night as an A4 portrait, black-and-white PDF.

    Each hotel with guests that night starts on a new page; hotels without guests take no page
    of their own (a roster is printed at night, on whatever paper is left) and appear in the
    summary table of beds, guests and free beds that follows. The file is written atomically:
    on failure an existing file is kept.

    Args:
        post_name: Name of the embassy or consulate.
        night: The night (its evening date) the roster is for.
        hotels: Hotels in print order, each with its guests of that night.
        out_path: Where to write the PDF.
        second_language: Language printed after English in every label (``"kk"`` or ``"ru"``).

    Returns:
        ``out_path``.

    Raises:
        ValueError: If there are no hotels or ``second_language`` is not ``"kk"`` or ``"ru"``.
        OSError: If the target folder does not exist or cannot be written.
    """
    label = labeller(_LABELS, second_language)
    if not hotels:
        raise ValueError("no hotels to print on the roster")
    regular, bold = register_fonts()
    st = _Styles(regular, bold)
    nights = _night_text(night)
    story: list[Flowable] = []
    occupied = [h for h in hotels if h.guests] or list(hotels[:1])
    for hotel in occupied:
        story += _hotel_section(post_name, nights, hotel, st, label)
        story.append(PageBreak())
    story += _summary(post_name, nights, hotels, st, label)
    return build_document(
        out_path,
        story,
        second_language=second_language,
        font=regular,
        title=f"{_LABELS['title']['en']} — {format_date(night)}",
        author=post_name,
        subject=f"Hotel roster, night of {format_date(night)}",
        footer_left=f"{label('title')}  ·  {label('night')} {nights}  ·  {post_name}",
        margin=MARGIN,
        canvas_class=_RosterCanvas,
    )


class _RosterCanvas(NumberedCanvas):
    """The roster's numbered canvas (a subclass, so tests can patch it alone)."""


class _Styles(ReportStyles):
    """Paragraph styles of the roster."""

    def __init__(self, regular: str, bold: str) -> None:
        super().__init__(regular, bold)
        self.subtitle = ParagraphStyle("subtitle", fontName=regular, fontSize=9.5, leading=12)
        self.value_big = ParagraphStyle("value_big", fontName=bold, fontSize=11, leading=13)
        self.band = ParagraphStyle("band", fontName=bold, fontSize=8.5, leading=10.5)
        self.heading = ParagraphStyle(
            "heading", fontName=bold, fontSize=6, leading=7.2, alignment=TA_CENTER
        )
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=7, leading=8.5)
        self.cell_small = ParagraphStyle("cell_small", fontName=regular, fontSize=6.5, leading=7.8)
        self.cell_tiny = ParagraphStyle("cell_tiny", fontName=regular, fontSize=5.6, leading=6.8)
        self.group = ParagraphStyle("group", fontName=bold, fontSize=8, leading=10)
        self.section = ParagraphStyle("section", fontName=bold, fontSize=11, leading=14)
        self.small = ParagraphStyle("small", fontName=regular, fontSize=7.5, leading=9)


def _night_text(night: date) -> str:
    """ "10.03.2026 → 11.03.2026": the evening and the morning of the night."""
    return f"{format_date(night)} → {format_date(night + timedelta(days=1))}"


def _free_text(beds: int, guests: int, label: LabelFn) -> str:
    free = beds - guests
    if free >= 0:
        return str(free)
    return f"0 ({label('overbooked')}: {-free})"


def _free_cell(beds: int, guests: int, st: _Styles, label: LabelFn) -> str | Paragraph:
    """A plain number (right-aligned by the table), or a paragraph when over capacity."""
    text = _free_text(beds, guests, label)
    return text if beds >= guests else para(text, st.value)


def _flags(g: RosterGuest) -> str:
    return "\n".join(passenger_flags(g.minor, g.over_60, g.medical, g.mobility))


def _title_block(
    post_name: str, nights: str, st: _Styles, label: LabelFn, heading: str
) -> list[Flowable]:
    return [
        para(heading, st.title),
        Spacer(1, 1 * mm),
        para(f"{label('night')}: {nights}   ·   {post_name}", st.subtitle),
        Spacer(1, 3 * mm),
    ]


def _hotel_section(
    post_name: str,
    nights: str,
    hotel: RosterHotel,
    st: _Styles,
    label: LabelFn,
) -> list[Flowable]:
    """Title, hotel header, guest table and the night-check signature line of one hotel."""
    story = _title_block(post_name, nights, st, label, label("title"))
    story += [_hotel_header(hotel, st, label), Spacer(1, 4 * mm)]
    if hotel.guests:
        # The signature line goes into the table's last row, kept with the last guests; the
        # flags' legend above it, where any guest has one.
        closing = _signature_line(st, label)
        marks = {flag for g in hotel.guests for flag in _flags(g).split("\n") if flag}
        if marks:
            closing = [_legend(marks, st, label), *closing]
        story.append(_guest_table(hotel, nights, st, label, closing))
    else:
        story.append(para(f"{hotel.name}: {label('no_guests')}.", st.value_big))
        story += [Spacer(1, _CLOSING_GAP), KeepTogether(_signature_line(st, label))]
    return story


def _hotel_header(hotel: RosterHotel, st: _Styles, label: LabelFn) -> Table:
    guests = len(hotel.guests)
    left = [
        ("hotel", para(hotel.name, st.value_big)),
        ("city", para(hotel.city, st.value)),
        ("address", para(hotel.address, st.value)),
        ("phone", para(hotel.phone, st.value)),
    ]
    right = [
        ("tour_operator", para(hotel.tour_operator, st.value)),
        ("beds", para(str(hotel.beds), st.value_big)),
        ("guests_tonight", para(str(guests), st.value_big)),
        ("free_beds", para(_free_text(hotel.beds, guests, label), st.value_big)),
    ]
    width = PAGE_SIZE[0] - 2 * MARGIN
    label_width = 30 * mm
    widths = [label_width, width * 0.56 - label_width, 40 * mm, width * 0.44 - 40 * mm]
    pairs = list(zip(left, right, strict=True))
    return key_value_box(pairs, label, st, widths, valign="MIDDLE", padding=2.5)


#: Guests printed on the page of the night-check signature line, at least (or all, if fewer): a
#: signature line alone on a page says nothing about whom it checked.
_ROWS_WITH_SIGNATURE = 3
_CLOSING_GAP = 8 * mm


def _guest_table(
    hotel: RosterHotel,
    nights: str,
    st: _Styles,
    label: LabelFn,
    closing: Sequence[Flowable],
) -> LongTable:
    """The guests by room, then ``closing`` (the night-check signature line) in a last row
    across the table that cannot be split from the last guests: when the page breaks there,
    they go over together, under the repeated band and heading."""
    ncols = len(_COLUMNS)
    band = [para(f"{hotel.name}, {hotel.city}  ·  {label('night')} {nights}", st.band)]
    band += [""] * (ncols - 1)
    # "English /" and the second language on separate lines keeps narrow headings readable.
    heading = [lines(label(key, " /\n"), st.heading) for key, _ in _COLUMNS]
    rows: list[list[Any]] = [band, heading]
    commands: list[tuple[Any, ...]] = []
    previous_room: str | None = None
    for number, g in enumerate(sorted_guests(hotel.guests), start=1):
        room = g.room.strip()
        r = len(rows)
        if not room and previous_room != "":
            # Guests without a room get a heading row of their own, after all rooms.
            rows.append([para(label("no_room"), st.group)] + [""] * (ncols - 1))
            commands += [
                ("SPAN", (0, r), (-1, r)),
                ("LINEABOVE", (0, r), (-1, r), 1.2, colors.black),
            ]
            r += 1
        elif previous_room is not None and room != previous_room:
            commands.append(("LINEABOVE", (0, r), (-1, r), 1.2, colors.black))
        previous_room = room
        name_lat = f"{g.surname_lat}\n{g.given_names_lat}"
        rows.append(
            [
                str(number),
                para(room or "—", st.cell),
                _name_cell(name_lat, COL_NAME_LAT, st),
                _name_cell(g.name_cyr, COL_NAME_CYR, st),
                g.sex,
                format_date(g.birth_date),
                para(g.passport_no, st.cell_small if len(g.passport_no) > 9 else st.cell),
                para(g.phone, st.cell_small),
                format_date(g.check_in),
                format_date(g.check_out),
                lines(label(g.status, "\n", _STATUS_LABELS), st.cell_small),
                _flags(g),
                TickBox(),
            ]
        )
    rows.append([list(closing)] + [""] * (ncols - 1))
    last = len(rows) - 1
    kept = max(_REPEAT_ROWS, last - _ROWS_WITH_SIGNATURE)
    table = LongTable(rows, colWidths=[w for _, w in _COLUMNS], repeatRows=_REPEAT_ROWS)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("LEADING", (0, 0), (-1, -1), 8.5),
                ("FONTSIZE", (COL_FLAGS, 2), (COL_FLAGS, -1), 6.5),
                ("LEADING", (COL_FLAGS, 2), (COL_FLAGS, -1), 7.8),
                ("FONTNAME", (COL_FLAGS, 2), (COL_FLAGS, -1), st.bold),
                ("SPAN", (0, 0), (-1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 1), (-1, -2), 0.4, colors.black),
                ("BOX", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, 1), 1.2, colors.black),
                ("ALIGN", (COL_NO, 2), (COL_NO, -1), "RIGHT"),
                ("ALIGN", (COL_SEX, 2), (COL_SEX, -1), "CENTER"),
                ("ALIGN", (COL_FLAGS, 2), (COL_FLAGS, -1), "CENTER"),
                ("ALIGN", (COL_PRESENT, 2), (COL_PRESENT, -1), "CENTER"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 1), (-1, 1), 1),
                ("RIGHTPADDING", (0, 1), (-1, 1), 1),
                *commands,
                # The closing row: the signature line at the table's full width.
                ("SPAN", (0, last), (-1, last)),
                ("NOSPLIT", (0, kept), (-1, last)),
                ("TOPPADDING", (0, last), (-1, last), _CLOSING_GAP),
                ("BOTTOMPADDING", (0, last), (-1, last), 0),
                ("LEFTPADDING", (0, last), (-1, last), 0),
                ("RIGHTPADDING", (0, last), (-1, last), 0),
                ("VALIGN", (0, last), (-1, last), "TOP"),
            ]
        )
    )
    return table


def _legend(marks: set[str], st: _Styles, label: LabelFn) -> Paragraph:
    """What the flags column's marks mean, in both languages: those printed in the table."""
    return para(
        "  ·  ".join(f"{mark} — {label(key)}" for key, mark in FLAG_MARKS if mark in marks),
        st.small,
    )


_HYPHEN_PIECES = re.compile(r"[^-]*-|[^-]+")


def _name_cell(text: str, column: int, st: _Styles) -> Paragraph:
    """A name in its column: set smaller where its longest word would not fit, and a double
    name too long even so broken after its hyphen, never inside a word ("ABDIRAKHMANOVA"
    broke after its twelfth letter, "…-TU|NGYSHBAYEVA" after the hyphen's second)."""
    room = _COLUMNS[column][1] - 3 * mm  # the cell's paddings
    styles = (st.cell, st.cell_small, st.cell_tiny)

    def fits(word: str, style: ParagraphStyle) -> bool:
        return stringWidth(word, style.fontName, style.fontSize) <= room

    words = text.split()
    style = next((s for s in styles if all(fits(w, s) for w in words)), None)
    if style is None:  # a double name: its parts, each on a line if need be
        pieces = [p for w in words for p in _HYPHEN_PIECES.findall(w)]
        style = next((s for s in styles if all(fits(p, s) for p in pieces)), st.cell_tiny)
        text = "\n".join(
            " ".join(
                "\n".join(_HYPHEN_PIECES.findall(w)) if not fits(w, style) else w
                for w in line.split()
            )
            for line in text.split("\n")
        )
    return lines(text, style)


def _signature_line(st: _Styles, label: LabelFn) -> list[Flowable]:
    width = PAGE_SIZE[0] - 2 * MARGIN
    table = Table(
        [["", ""], [para(label("checked_by"), st.small), ""]],
        colWidths=[width * 0.6, width * 0.4],
        rowHeights=[10 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def _summary(
    post_name: str,
    nights: str,
    hotels: Sequence[RosterHotel],
    st: _Styles,
    label: LabelFn,
) -> list[Flowable]:
    """The closing table: beds, guests and free beds per hotel, with a total row."""
    heading = [
        lines(label(key, " /\n"), st.label) for key in ("hotel", "city", "beds", "guests", "free")
    ]
    rows: list[list[Any]] = [heading]
    for hotel in hotels:
        guests = len(hotel.guests)
        rows.append(
            [
                para(hotel.name, st.value),
                para(hotel.city, st.value),
                str(hotel.beds),
                str(guests),
                _free_cell(hotel.beds, guests, st, label),
            ]
        )
    beds = sum(h.beds for h in hotels)
    guests = sum(len(h.guests) for h in hotels)
    free = sum(max(h.beds - len(h.guests), 0) for h in hotels)
    rows.append([para(label("total"), st.label), "", str(beds), str(guests), str(free)])
    table = LongTable(rows, colWidths=[70 * mm, 40 * mm, 22 * mm, 22 * mm, 36 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LEADING", (0, 0), (-1, -1), 11),
                ("FONTNAME", (0, -1), (-1, -1), st.bold),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story = _title_block(post_name, nights, st, label, label("summary"))
    return [*story[:-1], para(label("title"), st.subtitle), story[-1], table]
