"""Printed passenger manifest for one bus or flight leg of an evacuation.

The manifest is handed to the escort officer and to the receiving border post. It lists every
passenger with the passport Latin name (verbatim) and the Cyrillic name, with an empty
"Boarded" box and a signature column to fill in by hand. Pages are numbered "Page X of Y" and
each carries the same QR code, which encodes only the manifest id (no personal data): scanned
at the door, it opens the manifest's trip for boarding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, LongTable, Spacer, Table, TableStyle

from consuldesk.domain.scan import manifest_payload
from consuldesk.reports.common import (
    FLAG_CHILD,
    FLAG_MARKS,
    FLAG_MEDICAL,
    FLAG_MOBILITY,
    FLAG_OVER_60,
    LABELS,
    MODE_LABELS,
    PROBLEMS,
    LabelFn,
    NumberedCanvas,
    ReportStyles,
    SecondLanguage,
    TripHeader,
    build_document,
    format_date,
    format_departure,
    key_value_box,
    labeller,
    lines,
    para,
    passenger_flags,
)
from consuldesk.reports.fonts import register_fonts

__all__ = [
    "FLAG_CHILD",
    "FLAG_MEDICAL",
    "FLAG_MOBILITY",
    "FLAG_OVER_60",
    "ManifestData",
    "ManifestPassenger",
    "ManifestTotals",
    "SecondLanguage",
    "manifest_totals",
    "qr_payload",
    "render_manifest",
]

PAGE_SIZE = landscape(A4)
MARGIN = 12 * mm
FOOTER_HEIGHT = 20 * mm
QR_SIZE = 16 * mm

# Passenger table columns: (label key, width). Widths are fixed so the layout stays linear in the
# number of rows and the heading row repeats identically on every page.
_COLUMNS: tuple[tuple[str, float], ...] = (
    ("no", 8 * mm),
    ("surname", 26 * mm),
    ("given", 21 * mm),
    ("name_cyr", 54 * mm),  # a full Kazakh name with patronymic on one line
    ("sex", 13 * mm),
    ("dob", 17 * mm),
    ("passport", 19.5 * mm),
    ("expiry", 17 * mm),
    ("nationality", 16.5 * mm),
    ("seat", 9 * mm),
    ("flags", 28 * mm),  # a problem takes two lines: English, then the second language
    ("boarded", 14.5 * mm),
    ("signature", 29.5 * mm),
)
COL_NO, COL_SURNAME, COL_GIVEN, COL_CYRILLIC, COL_SEX, COL_DOB, COL_PASSPORT = range(7)
COL_EXPIRY, COL_NATIONALITY, COL_SEAT, COL_FLAGS, COL_BOARDED, COL_SIGNATURE = range(7, 13)

# The manifest's labels besides the shared ones (see ``common.LABELS``).
_LABELS: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {
        "en": "Passenger manifest",
        "kk": "Жолаушылар тізімі",
        "ru": "Список пассажиров",
    },
    "operation": {"en": "Operation", "kk": "Операция", "ru": "Операция"},
    "mode": {"en": "Mode", "kk": "Көлік түрі", "ru": "Вид транспорта"},
    "carrier": {"en": "Carrier", "kk": "Тасымалдаушы", "ru": "Перевозчик"},
    "escort": {
        "en": "Escort officer",
        "kk": "Алып жүруші қызметкер",
        "ru": "Сопровождающий сотрудник",
    },
    "surname": {"en": "Surname (passport)", "kk": "Тегі (паспорт)", "ru": "Фамилия (паспорт)"},
    "given": {"en": "Given names (passport)", "kk": "Аты (паспорт)", "ru": "Имя (паспорт)"},
    "sex": {"en": "Sex", "kk": "Жынысы", "ru": "Пол"},
    "expiry": {"en": "Expiry", "kk": "Мерзімі", "ru": "Годен до"},
    "nationality": {"en": "Nationality", "kk": "Азаматтығы", "ru": "Гражданство"},
    "boarded": {"en": "Boarded", "kk": "Отырды", "ru": "Посадка"},
    "signature": {"en": "Signature", "kk": "Қолы", "ru": "Подпись"},
    "totals": {"en": "Totals", "kk": "Қорытынды", "ru": "Итого"},
    "men": {"en": "Men", "kk": "Ерлер", "ru": "Мужчины"},
    "women": {"en": "Women", "kk": "Әйелдер", "ru": "Женщины"},
    "receiving": {
        "en": "Receiving border post",
        "kk": "Қабылдаушы шекара бекеті",
        "ru": "Принимающий пограничный пункт",
    },
    "name_sig": {
        "en": "Name, signature, date and time",
        "kk": "Аты-жөні, қолы, күні мен уақыты",
        "ru": "ФИО, подпись, дата и время",
    },
    "stamp": {"en": "Stamp", "kk": "Мөр", "ru": "Печать"},
    "manifest": {"en": "Manifest", "kk": "Тізім", "ru": "Список"},
}


@dataclass(frozen=True)
class ManifestPassenger:
    """One passenger line of the manifest.

    Attributes:
        number: Running number on the manifest.
        surname_lat: Surname exactly as in the passport (Latin).
        given_names_lat: Given names exactly as in the passport (Latin).
        name_cyr: Full name in Cyrillic (Kazakh or Russian spelling).
        sex: ``"M"`` or ``"F"`` as in the passport (a ``Sex`` value fits); anything else prints
            as is and counts in neither "men" nor "women".
        birth_date: Date of birth, if known.
        passport_no: Passport number.
        passport_expiry: Passport expiry date, if known.
        nationality: Nationality code or name as printed in the passport.
        seat: Seat or place number; empty if unassigned.
        minor: Under 18 on the day of travel.
        over_60: Aged 60 or more.
        medical: Needs medical attention during the journey (MED).
        mobility: Needs help moving: a wheelchair, a stretcher, help up the steps (MOB).
        boarded: Already checked in (a manifest reprinted during boarding): the box is ticked.
        problems: What the border will stop the passenger for, of :data:`PROBLEMS`
            (``no_passport``, ``passport_expired`` on the day of departure, ``no_consent``,
            ``minor_alone``): printed in words in the flags column and counted in the totals.
    """

    number: int
    surname_lat: str
    given_names_lat: str
    name_cyr: str
    sex: str
    birth_date: date | None
    passport_no: str
    passport_expiry: date | None
    nationality: str
    seat: str
    minor: bool = False
    over_60: bool = False
    medical: bool = False
    mobility: bool = False
    boarded: bool = False
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestData(TripHeader):
    """Everything printed on one manifest (one leg of one operation).

    The trip's fields (post, operation, leg, route, departure, vehicle, escort) are those of
    :class:`~consuldesk.reports.common.TripHeader`, followed by:

    Attributes:
        manifest_id: UUID string identifying this manifest (printed and encoded in the QR).
        passengers: Passengers in print order.
    """

    manifest_id: str
    passengers: list[ManifestPassenger] = field(default_factory=list)


@dataclass(frozen=True)
class ManifestTotals:
    """Head counts printed at the end of the manifest."""

    total: int
    minors: int
    over_60: int
    medical: int
    men: int
    women: int
    passport_expired: int = 0
    no_passport: int = 0
    no_consent: int = 0
    no_passport_name: int = 0
    mobility: int = 0
    minor_alone: int = 0


def manifest_totals(passengers: Sequence[ManifestPassenger]) -> ManifestTotals:
    """Count passengers by category.

    Args:
        passengers: The manifest's passengers.

    Returns:
        Totals for all passengers, minors, 60+, medical, mobility, men (sex ``M``), women
        (sex ``F``), and passengers with each problem.
    """
    return ManifestTotals(
        total=len(passengers),
        minors=sum(p.minor for p in passengers),
        over_60=sum(p.over_60 for p in passengers),
        medical=sum(p.medical for p in passengers),
        men=sum(p.sex.strip().upper() == "M" for p in passengers),
        women=sum(p.sex.strip().upper() == "F" for p in passengers),
        passport_expired=sum("passport_expired" in p.problems for p in passengers),
        no_passport=sum("no_passport" in p.problems for p in passengers),
        no_consent=sum("no_consent" in p.problems for p in passengers),
        no_passport_name=sum("no_passport_name" in p.problems for p in passengers),
        mobility=sum(p.mobility for p in passengers),
        minor_alone=sum("minor_alone" in p.problems for p in passengers),
    )


def qr_payload(manifest_id: str) -> str:
    """Return the text encoded in the QR code printed on every page.

    Args:
        manifest_id: The manifest UUID string (the trip's id).

    Returns:
        ``CONSULDESK:MANIFEST:<manifest_id>``; never any personal data.
    """
    return manifest_payload(manifest_id)


def render_manifest(
    data: ManifestData,
    out_path: Path,
    *,
    second_language: SecondLanguage = "ru",
) -> Path:
    """Render the manifest as an A4 landscape, black-and-white PDF.

    The file is written to a temporary file in the target folder and moved into place only
    when complete, so a failure never leaves a partial PDF (an existing file is kept).

    Args:
        data: What to print.
        out_path: Where to write the PDF.
        second_language: Language printed after English in every label (``"kk"`` or ``"ru"``).

    Returns:
        ``out_path``.

    Raises:
        ValueError: If ``second_language`` is not ``"kk"`` or ``"ru"``.
        OSError: If the target folder does not exist or cannot be written.
    """
    label = labeller(_LABELS, second_language)
    regular, bold = register_fonts()
    story = _fitted_story(data, _Styles(regular, bold), label)
    footer_left = (
        f"{label('manifest')}: {data.manifest_id}  ·  {data.operation}  ·  "
        f"{label('leg')} {data.leg_no}"
    )
    payload = qr_payload(data.manifest_id)
    return build_document(
        out_path,
        story,
        second_language=second_language,
        font=regular,
        title=f"{_LABELS['title']['en']} — {data.operation}, leg {data.leg_no}",
        author=data.post_name,
        subject=f"Manifest {data.manifest_id}",
        footer_left=footer_left,
        margin=MARGIN,
        pagesize=PAGE_SIZE,
        frame_padding=0,
        footer_height=FOOTER_HEIGHT,
        canvas_class=_NumberedCanvas,
        qr_payload=lambda _page: payload,
        qr_size=QR_SIZE,
        qr_level="M",
    )


class _Styles(ReportStyles):
    """Paragraph styles of the manifest."""

    def __init__(self, regular: str, bold: str) -> None:
        super().__init__(regular, bold)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9)
        self.section = ParagraphStyle("section", fontName=bold, fontSize=10, leading=12)
        self.small = ParagraphStyle("small", fontName=regular, fontSize=7, leading=8.5)


def _flags(p: ManifestPassenger, label: LabelFn) -> str:
    """CHILD, 60+, MED, MOB, then each problem in words in both languages of the document."""
    marks = passenger_flags(p.minor, p.over_60, p.medical, p.mobility)
    problems = [label(code, "\n") for code in PROBLEMS if code in p.problems]
    return "\n".join([" ".join(marks), *problems] if marks else problems)


def _build_story(
    data: ManifestData, st: _Styles, label: LabelFn, room: _Spacing | None = None
) -> list[Flowable]:
    """Assemble the flowables: header block, passenger table, totals and signatures."""
    room = room or _ROOMY
    story: list[Flowable] = [
        para(label("title"), st.title),
        Spacer(1, room.title_gap),
        _header_block(data, st, label, room),
        Spacer(1, room.block_gap),
    ]
    closing = [
        _totals_table(manifest_totals(data.passengers), st, label),
        Spacer(1, room.block_gap),
        _signature_block(data, st, label, room.signature_space),
    ]
    story += _passenger_tables(data.passengers, st, label, closing, room)
    return story


def _fitted_story(data: ManifestData, st: _Styles, label: LabelFn) -> list[Flowable]:
    """The story, compact when that keeps a short list on one page."""
    story = _build_story(data, st, label)
    if len(data.passengers) > _ONE_PAGE_AT_MOST:
        return story
    # The frame inside the margins and the footer (SimpleDocTemplate pads it by 6 points).
    width = PAGE_SIZE[0] - 2 * MARGIN - 12
    height = PAGE_SIZE[1] - 2 * MARGIN - FOOTER_HEIGHT - 12
    if sum(f.wrap(width, height)[1] for f in story) <= height:
        return story
    compact = _build_story(data, st, label, _COMPACT)
    fits = sum(f.wrap(width, height)[1] for f in compact) <= height
    return compact if fits else story


#: The header block's label columns: "Escort officer / Сопровождающий сотрудник" on two lines,
#: not three (at 45 mm the Russian header took 112 points of a 459-point page, now 84).
_HEADER_LABEL_WIDTH = 60 * mm


def _header_block(data: ManifestData, st: _Styles, label: LabelFn, room: _Spacing) -> Table:
    departure = format_departure(data.departure)
    route = f"{data.origin} → {data.destination}"
    left = [
        ("post", data.post_name),
        ("operation", data.operation),
        (
            "leg",
            f"{data.leg_no}  ({label(data.mode, ' / ', MODE_LABELS)})"
            if data.mode
            else str(data.leg_no),
        ),
        ("route", route),
        ("border", data.border_crossing),
    ]
    right = [
        ("departure", departure),
        ("vehicle", data.vehicle),
        ("carrier", data.carrier),
        ("escort", data.escort_officer),
        ("manifest", data.manifest_id),
    ]
    pairs = [
        ((lk, para(lv, st.value)), (rk, para(rv, st.value)))
        for (lk, lv), (rk, rv) in zip(left, right, strict=True)
    ]
    half = (PAGE_SIZE[0] - 2 * MARGIN) / 2
    widths = [_HEADER_LABEL_WIDTH, half - _HEADER_LABEL_WIDTH] * 2
    return key_value_box(pairs, label, st, widths, valign="TOP", padding=room.header_pad)


#: Passengers printed on the page of the totals and signatures, at least (or all, if fewer): a
#: page of signatures alone is a page that gets separated from the list at a border post.
_ROWS_WITH_SIGNATURES = 3

#: The side of an empty "Boarded" square.
_TICK_SIZE = 4 * mm


def _passenger_tables(
    passengers: Sequence[ManifestPassenger],
    st: _Styles,
    label: LabelFn,
    closing: Sequence[Flowable],
    room: _Spacing | None = None,
) -> list[Flowable]:
    """The passengers, one row each, then ``closing`` (totals and signatures) in a last row
    that cannot be split from the last passengers: when the page breaks there, they go over
    together, under the repeated heading.

    The last passengers and the closing row are a table of their own (:class:`_KeptTail`):
    kept together in one long table, they made ReportLab go over the no-split range again at
    every page break of a long list.
    """
    heading = _heading(label, st)
    # Row heights are computed here, so the table never measures its 13,000 cells itself.
    room = room or _ROOMY
    pad = 2 * room.row_pad
    head_row: list[Any] = [h.text for h in heading]
    head_height = max(h.height for h in heading) + pad
    cell = _CellFitter(st.cell, [w - 2 * _CELL_PAD for _, w in _COLUMNS])
    min_height = _TICK_SIZE + pad
    rows: list[list[Any]] = []
    heights: list[float] = []
    for p in passengers:
        cells = (
            cell(str(p.number), COL_NO),
            cell(p.surname_lat, COL_SURNAME),
            cell(p.given_names_lat, COL_GIVEN),
            cell(p.name_cyr, COL_CYRILLIC),
            cell(p.sex, COL_SEX),
            cell(format_date(p.birth_date), COL_DOB),
            cell(p.passport_no, COL_PASSPORT),
            cell(format_date(p.passport_expiry), COL_EXPIRY),
            cell(p.nationality, COL_NATIONALITY),
            cell(p.seat, COL_SEAT),
            cell(_flags(p, label), COL_FLAGS),
        )
        rows.append([*(value for value, _ in cells), BOARDED_MARK if p.boarded else _EMPTY, _EMPTY])
        heights.append(max(min_height, max(h for _, h in cells) + pad))
    width = sum(w for _, w in _COLUMNS)
    closing_row: list[Any] = [list(closing), *([None] * (len(_COLUMNS) - 1))]
    closing_height = room.closing_gap + sum(f.wrap(width, PAGE_SIZE[1])[1] for f in closing)
    cut = max(0, len(rows) - _ROWS_WITH_SIGNATURES)
    tail_rows, tail_heights = [*rows[cut:], closing_row], [*heights[cut:], closing_height]

    def table(
        body: list[list[Any]], body_heights: list[float], *, headed: bool, closed: bool
    ) -> LongTable:
        return _table(
            [head_row, *body] if headed else body,
            [head_height, *body_heights] if headed else body_heights,
            st,
            heading if headed else None,
            room,
            closed=closed,
        )

    headed_tail = table(tail_rows, tail_heights, headed=True, closed=True)
    if not cut:
        return [headed_tail]
    return [
        table(rows[:cut], heights[:cut], headed=True, closed=False),
        _KeptTail(table(tail_rows, tail_heights, headed=False, closed=True), headed_tail),
    ]


def _table(
    rows: list[list[Any]],
    heights: list[float],
    st: _Styles,
    heading: list[_Heading] | None,
    room: _Spacing,
    *,
    closed: bool,
) -> LongTable:
    """A part of the passenger table: under the column heading (repeated on every page) when
    ``heading`` is given, ending with the closing row of totals and signatures when ``closed``."""
    first = 1 if heading else 0
    last = len(rows) - 1
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), st.regular),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEADING", (0, 0), (-1, -1), 9.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -2 if closed else -1), 0.4, colors.black),
        ("ALIGN", (COL_NO, first), (COL_NO, -1), "RIGHT"),
        ("ALIGN", (COL_SEX, first), (COL_SEX, -1), "CENTER"),
        ("ALIGN", (COL_SEAT, first), (COL_SEAT, -1), "CENTER"),
        ("ALIGN", (COL_BOARDED, first), (COL_BOARDED, -1), "CENTER"),
        # Roomy rows: the escort ticks and passengers sign by hand.
        ("TOPPADDING", (0, 0), (-1, -1), room.row_pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), room.row_pad),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
    ]
    if heading:
        commands += [
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
            ("FONTNAME", (0, 0), (-1, 0), st.bold),
            ("FONTSIZE", (0, 0), (-1, 0), st.heading.fontSize),
            ("LEADING", (0, 0), (-1, 0), st.heading.leading),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, 0), _HEAD_PAD),
            ("RIGHTPADDING", (0, 0), (-1, 0), _HEAD_PAD),
            *(
                command
                for col, h in enumerate(heading)
                if h.size != st.heading.fontSize
                for command in (
                    ("FONTSIZE", (col, 0), (col, 0), h.size),
                    ("LEADING", (col, 0), (col, 0), h.leading),
                )
            ),
        ]
    if closed:
        commands += [
            # The closing row: the totals and signatures at the table's full width.
            ("TOPPADDING", (0, last), (-1, last), room.closing_gap),
            ("BOTTOMPADDING", (0, last), (-1, last), 0),
            ("LEFTPADDING", (0, last), (-1, last), 0),
            ("RIGHTPADDING", (0, last), (-1, last), 0),
            ("VALIGN", (0, last), (-1, last), "TOP"),
            # No SPAN: the closing tables are as wide as the page whatever their cell,
            # drawn from the first cell's left edge (a span made every page break go over
            # the whole table again: 2.7 times the time of a manifest of 1,000).
            ("ALIGN", (0, last), (0, last), "LEFT"),
        ]
    table = LongTable(
        rows,
        colWidths=[w for _, w in _COLUMNS],
        rowHeights=heights,
        repeatRows=first,
        renderCB=_TickBoxes(COL_BOARDED, first),
    )
    table.setStyle(TableStyle(commands))
    return table


class _KeptTail(Flowable):
    """The last passengers with the totals and signatures, never split: right after the rest
    of the list when they fit on its last page, else at the top of the next page under the
    column heading (``headed``: the same rows with the heading above)."""

    def __init__(self, plain: LongTable, headed: LongTable) -> None:
        super().__init__()
        self._plain, self._headed = plain, headed
        self._table = plain
        self.hAlign = plain.hAlign

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self._table.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._table is self._plain:
            self._table = self._headed  # nothing split: the whole tail starts the next page
            return []
        # Taller than a page even there (passengers with many flags): split after all.
        return list(self._headed.split(availWidth, availHeight))

    def draw(self) -> None:
        self._table.drawOn(self.canv, 0, 0)


@dataclass(frozen=True)
class _Heading:
    """One column heading: its lines, font size, leading and height."""

    text: str
    size: float
    leading: float
    height: float


#: Heading sizes tried in turn, largest first: a long word ("Гражданство" over a narrow
#: column) is set a little smaller rather than split in the middle.
_HEADING_SIZES = (6.8, 6.4, 6.0, 5.6)


def _heading(label: LabelFn, st: _Styles) -> list[_Heading]:
    """The column headings, "English /" then the second language, wrapped at spaces only.

    Plain strings, not paragraphs (the heading is drawn again on every page). Each heading
    takes the largest of :data:`_HEADING_SIZES` at which every word fits its column; a word
    too long even then breaks after a hyphen added at the column's edge, never silently.
    """
    style = st.heading
    headings = []
    for key, width in _COLUMNS:
        text = label(key, " /\n")
        room = width - 2 * _HEAD_PAD
        words = text.split()
        for size in _HEADING_SIZES:
            if all(stringWidth(w, style.fontName, size) <= room for w in words):
                break
        leading = style.leading * size / style.fontSize
        fitted = _CellFitter(
            ParagraphStyle("h", parent=style, fontSize=size, leading=leading), [room]
        )
        lines = fitted.lines(text, 0) or _hyphenate(text, style.fontName, size, room)
        headings.append(_Heading("\n".join(lines), size, leading, leading * len(lines)))
    return headings


def _hyphenate(text: str, font: str, size: float, room: float) -> list[str]:
    """Lines of ``text`` where a word wider than ``room`` is cut with a hyphen at the edge."""
    lines: list[str] = []
    for source in text.split("\n"):
        line = ""
        for word in source.split():
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= room:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while stringWidth(line, font, size) > room:
                cut = max(
                    (i for i in range(1, len(line))
                     if stringWidth(line[:i] + "-", font, size) <= room),
                    default=1,
                )  # fmt: skip
                lines.append(line[:cut] + "-")
                line = line[cut:]
        lines.append(line)
    return lines


_CELL_PAD = 2.5
_ROW_PAD = 2.5
# An empty cell as an empty list of flowables: the table draws nothing (for "" it draws "").
_EMPTY: list[Flowable] = []
#: Space between the last passenger and the totals.
_CLOSING_GAP = 4 * mm


@dataclass(frozen=True)
class _Spacing:
    """The manifest's vertical room: roomy rows to tick and sign in, and a compact variant
    for a short list that would otherwise spill its last rows, totals and signatures onto a
    second page by a few lines (five passengers printed two on a page 70 % blank)."""

    row_pad: float = _ROW_PAD
    closing_gap: float = _CLOSING_GAP
    block_gap: float = 4 * mm  # between the header block, the table, the totals, the signatures
    title_gap: float = 3 * mm
    signature_space: float = 12 * mm
    header_pad: float = 2  # above and below each line of the header block


_ROOMY = _Spacing()
_COMPACT = _Spacing(
    row_pad=1.5,
    closing_gap=2 * mm,
    block_gap=2 * mm,
    title_gap=1.5 * mm,
    signature_space=9 * mm,
    header_pad=1,
)
#: At most this many passengers can share one page with the header, totals and signatures.
_ONE_PAGE_AT_MOST = 15
#: Printed inside the "Boarded" box of passengers already checked in.
BOARDED_MARK = "✓"
_HEAD_PAD = 1.5


#: How far a cell's text may shrink to keep a long word whole (of the cell's font size).
_SHRINK = (0.92, 0.85, 0.78, 0.7)


class _CellFitter:
    """Turns cell text into a plain string, wrapped onto lines that fit its column.

    Plain strings cost a fraction of a ``Paragraph`` to lay out and draw. Lines break at spaces
    and after hyphens; only text with a single word wider than the column falls back to a
    ``Paragraph``, which splits the word. Results are cached because the same values
    (nationality, given names, seats) repeat down the list.
    """

    def __init__(self, style: ParagraphStyle, widths: Sequence[float]) -> None:
        self._style = style
        self._widths = widths
        self._font = style.fontName
        self._size = style.fontSize
        self._leading = style.leading
        self._cache: dict[tuple[str, int], tuple[Any, float]] = {}
        self._widths_cache: dict[str, float] = {}

    def __call__(self, text: str, col: int) -> tuple[Any, float]:
        """Return the cell value and the height of its content (without padding)."""
        key = (text, col)
        cell = self._cache.get(key)
        if cell is None:
            if not text:
                cell = (_EMPTY, 0.0)
            else:
                lines = self._wrap(text, self._widths[col])
                if lines is not None:
                    cell = ("\n".join(lines), self._leading * len(lines))
                else:
                    # A word wider than its column (BEKMUKHAMBETOVA): smaller and whole (a
                    # double name broken after its hyphen) before broken in two, which a
                    # border guard reads as two names.
                    cell = self._smaller(text, self._widths[col])
            self._cache[key] = cell
        return cell

    def _smaller(self, text: str, width: float) -> tuple[Any, float]:
        """``text`` at the largest size (down to 70 %) at which it wraps at spaces and
        hyphens into ``width``, as a paragraph; split inside a word only when even the
        smallest size cannot hold it."""
        for scale in _SHRINK:
            size = self._size * scale
            wrapped = self._wrap(text, width, size)
            if wrapped is not None:
                break
        style = ParagraphStyle(
            f"{self._style.name}-{scale}",
            parent=self._style,
            fontSize=size,
            leading=self._leading * max(scale, 0.85),
        )
        paragraph = lines("\n".join(wrapped), style) if wrapped else para(text, style)
        return paragraph, paragraph.wrap(width, 1e6)[1]

    def lines(self, text: str, col: int) -> list[str] | None:
        """``text`` wrapped at spaces and hyphens to its column, or ``None`` if a word is wider."""
        return self._wrap(text, self._widths[col])

    def _width(self, text: str, size: float | None = None) -> float:
        if size is not None and size != self._size:
            return stringWidth(text, self._font, size)
        width = self._widths_cache.get(text)
        if width is None:
            width = self._widths_cache[text] = stringWidth(text, self._font, self._size)
        return width

    def _wrap(self, text: str, width: float, size: float | None = None) -> list[str] | None:
        """Lines of ``text`` no wider than ``width``, or ``None`` if a word is wider.

        Glyph widths add up (no kerning), so a line's width is the sum of its pieces' widths.
        """
        if "\n" not in text and self._width(text, size) <= width:
            return [text]
        space = self._width(" ", size)
        lines: list[str] = []
        for source in text.split("\n"):
            line, used = "", 0.0
            for word in source.split():
                for i, piece in enumerate(_HYPHEN_PIECES.findall(word)):
                    w = self._width(piece, size)
                    gap = space if line and not i else 0.0
                    if used + gap + w <= width:
                        line = f"{line} {piece}" if gap else f"{line}{piece}"
                        used += gap + w
                    elif w <= width:
                        lines.append(line)
                        line, used = piece, w
                    else:
                        return None
            lines.append(line)
        return lines


class _TickBoxes:
    """Table render callback that draws the empty "Boarded" squares, one path per page.

    Cheaper than a flowable per row, which the table would measure and place one by one.
    The rows above ``first`` (the heading, repeated on every part of a split table) get no
    box, nor does the closing row of totals and signatures (its cells are ``None``).
    """

    def __init__(
        self, col: int, first: int = 1, size: float = _TICK_SIZE, line_width: float = 0.8
    ) -> None:
        self.col = col
        self.first = first
        self.size = size
        self.line_width = line_width
        self._boxes: list[tuple[float, float]] = []

    def __call__(self, table: LongTable, event: str, *args: Any) -> None:
        if event == "startCell":
            row, col, value, _style, (x, y), (width, height) = args
            # None (or "", as the table may hold it): the closing row of totals and signatures
            if col == self.col and row >= self.first and value is not None and value != "":
                self._boxes.append((x + (width - self.size) / 2, y + (height - self.size) / 2))
        elif event == "startLines" and self._boxes:
            canv = table.canv
            path = canv.beginPath()
            for x, y in self._boxes:
                path.rect(x, y, self.size, self.size)
            canv.setLineWidth(self.line_width)
            canv.drawPath(path, stroke=1, fill=0)
            self._boxes.clear()


_HYPHEN_PIECES = re.compile(r"[^-]*-|[^-]+")


def _totals_table(totals: ManifestTotals, st: _Styles, label: LabelFn) -> Table:
    """Three counts a row: people, who needs care, and who the border will stop (the
    passport's three problems together in the last row)."""
    grid = [
        (("total", totals.total), ("men", totals.men), ("women", totals.women)),
        (("minors", totals.minors), ("over_60", totals.over_60), ("medical", totals.medical)),
        (
            ("mobility", totals.mobility),
            ("minor_alone", totals.minor_alone),
            ("no_consent", totals.no_consent),
        ),
        (
            ("no_passport", totals.no_passport),
            ("passport_expired", totals.passport_expired),
            ("no_passport_name", totals.no_passport_name),
        ),
    ]
    # The flags column's marks with their meaning in both languages: the legend of CHILD, 60+,
    # MED and MOB for a border officer who reads only Kazakh or Russian.
    marks = dict(FLAG_MARKS)
    rows: list[list[Any]] = [[para(label("totals"), st.section), "", "", "", "", ""]]
    for line in grid:
        row: list[Any] = []
        for key, count in line:
            text = f"{marks[key]} — {label(key)}" if key in marks else label(key)
            row += [para(text, st.value), str(count)]
        rows.append(row + [""] * (6 - len(row)))
    width = (PAGE_SIZE[0] - 2 * MARGIN) / 3
    table = Table(rows, colWidths=[width - 14 * mm, 12 * mm] * 3, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("SPAN", (0, 0), (-1, 0)),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("GRID", (0, 1), (-1, -1), 0.4, colors.black),
                *(("ALIGN", (c, 1), (c, -1), "RIGHT") for c in (1, 3, 5)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _signature_block(
    data: ManifestData, st: _Styles, label: LabelFn, space: float = 12 * mm
) -> Table:
    width = PAGE_SIZE[0] - 2 * MARGIN
    col = (width - 10 * mm) / 2
    escort = f"{label('escort')}: {data.escort_officer}"
    rows = [
        [para(escort, st.label), "", para(label("receiving"), st.label)],
        ["", "", ""],
        [
            para(label("name_sig"), st.small),
            "",
            para(f"{label('name_sig')}; {label('stamp')}", st.small),
        ],
    ]
    table = Table(rows, colWidths=[col, 10 * mm, col], rowHeights=[None, space, None])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 1), (0, 1), 0.8, colors.black),
                ("LINEBELOW", (2, 1), (2, 1), 0.8, colors.black),
            ]
        )
    )
    return table


class _NumberedCanvas(NumberedCanvas):
    """The manifest's numbered canvas (a subclass, so tests can patch it alone)."""
