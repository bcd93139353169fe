"""Boarding slips: one cut-out slip per passenger of one trip, eight to an A4 page.

Each slip shows the seat in large type, the passport Latin name (verbatim), the Cyrillic name,
the passport number, route, border crossing, departure and vehicle, the CHILD / 60+ / MED flags
of the manifest, the problems the border will stop the passenger for (white on black), and a QR
code that encodes only the manifest entry id (:func:`slip_payload`), so the escort can scan
passengers on board without printing personal data into the code. Dashed cut lines separate the
slips; pages are numbered "Page X of Y" in both languages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Table, TableStyle

from consuldesk.domain.scan import slip_payload
from consuldesk.reports.common import (
    FOOTER_RULE,
    LABELS,
    MODE_LABELS,
    PROBLEMS,
    LabelFn,
    NumberedCanvas,
    SecondLanguage,
    TripHeader,
    atomic_output,
    draw_qr,
    footer_options,
    format_departure,
    labeller,
    lines,
    para,
    passenger_flags,
    qr_matrix,
)
from consuldesk.reports.fonts import register_fonts

__all__ = [
    "BoardingSlip",
    "SecondLanguage",
    "SlipTrip",
    "render_boarding_slips",
    "slip_pages",
]

PAGE_SIZE = A4
COLUMNS = 2
ROWS = 4
SLIPS_PER_PAGE = COLUMNS * ROWS
MARGIN = 8 * mm
# The page footer (text, rule and page label) sits below the slip grid; the numbered canvas
# draws its rule FOOTER_RULE above the bottom margin.
FOOTER_GAP = 2.5 * mm
SLIP_WIDTH = (PAGE_SIZE[0] - 2 * MARGIN) / COLUMNS
SLIP_HEIGHT = (PAGE_SIZE[1] - 2 * MARGIN - FOOTER_RULE - FOOTER_GAP) / ROWS
PADDING = 4 * mm
# Side of the QR code including its quiet zone: the code itself stays above 22 mm even for the
# longest entry ids, readable by a cheap phone camera or handheld scanner.
QR_SIZE = 30 * mm
QR_LEVEL: Literal["M"] = "M"
RIGHT_COLUMN = QR_SIZE
# Height of the band of one problem (no passport, passport expired, no consent) on a slip.
PROBLEM_LINE = 4.8 * mm
# How small the name, passport and vehicle may get beside full-size problems; below it the
# problems go one band each, smaller (several at once), and the slip's text may shrink to
# MIN_SCALE (long names and places).
MIN_SCALE_BESIDE_PROBLEMS = 0.8
MIN_SCALE = 0.55
# The problems' size when several share a slip (points): one band each where it fits.
COMPACT_PROBLEM_SIZE = 6.5

# The slips' labels besides the shared ones (see ``common.LABELS``).
_LABELS: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {"en": "Boarding slip", "kk": "Отырғызу талоны", "ru": "Посадочный талон"},
    "slips": {"en": "Boarding slips", "kk": "Отырғызу талондары", "ru": "Посадочные талоны"},
    "household": {"en": "Family / group", "kk": "Отбасы / топ", "ru": "Семья / группа"},
    "trip": {"en": "Trip", "kk": "Рейс", "ru": "Рейс"},
}


@dataclass(frozen=True)
class BoardingSlip:
    """One passenger's slip.

    Attributes:
        entry_id: Id of the passenger's manifest entry (UUID string); the only content of the
            slip's QR code.
        surname_lat: Surname exactly as in the passport (Latin).
        given_names_lat: Given names exactly as in the passport (Latin).
        name_cyr: Full name in Cyrillic (Kazakh or Russian spelling).
        passport_no: Passport number.
        seat: Seat or place number; empty leaves a box to write it in by hand.
        household: Family or tour group the passenger travels with; may be empty.
        minor: Under 18 on the day of travel.
        over_60: Aged 60 or more.
        medical: Needs medical attention during the journey (MED).
        mobility: Needs help moving: a wheelchair, a stretcher, help up the steps (MOB).
        problems: What the border will stop the passenger for, of
            :data:`~consuldesk.reports.common.PROBLEMS` (no passport, passport expired on the
            day of departure, no consent, a minor without an adult of their family aboard):
            printed in words in both languages, white on black.
    """

    entry_id: str
    surname_lat: str
    given_names_lat: str
    name_cyr: str
    passport_no: str
    seat: str
    household: str = ""
    minor: bool = False
    over_60: bool = False
    medical: bool = False
    mobility: bool = False
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlipTrip(TripHeader):
    """The trip printed on every slip.

    The fields of :class:`~consuldesk.reports.common.TripHeader`, followed by:

    Attributes:
        trip_id: Id of the trip (printed in the page footer).
    """

    trip_id: str


def slip_pages(count: int) -> int:
    """Return the number of pages ``count`` slips take (eight to a page)."""
    return math.ceil(count / SLIPS_PER_PAGE)


def render_boarding_slips(
    trip: SlipTrip,
    slips: Sequence[BoardingSlip],
    out_path: Path,
    *,
    second_language: SecondLanguage = "ru",
) -> Path:
    """Render the boarding slips of one trip as an A4 portrait, black-and-white PDF.

    Slips are printed in the given order, left to right and top to bottom, eight to a page.
    The file is written atomically: on failure an existing file is kept.

    Args:
        trip: The trip printed on every slip.
        slips: One slip per passenger, in print order.
        out_path: Where to write the PDF.
        second_language: Language printed after English in every label (``"kk"`` or ``"ru"``).

    Returns:
        ``out_path``.

    Raises:
        ValueError: If there are no slips or ``second_language`` is not ``"kk"`` or ``"ru"``.
        OSError: If the target folder does not exist or cannot be written.
    """
    label = labeller(_LABELS, second_language)
    if not slips:
        raise ValueError("no boarding slips to print: the trip has no passengers")
    regular, bold = register_fonts()
    styles = _Styles(regular, bold)
    footer = "  ·  ".join(
        part
        for part in (  # each slip names itself; the footer says which batch the page is from
            trip.operation,
            f"{label('leg')} {trip.leg_no}",
            trip.vehicle,
            trip.trip_id,
        )
        if part
    )
    out_path = Path(out_path)
    with atomic_output(out_path) as fh:
        canvas = _SlipCanvas(
            fh,
            pagesize=PAGE_SIZE,
            initialFontName=regular,  # else every page references Helvetica
            # No QR code per page (each slip has its own): the footer is a rule and text.
            **footer_options(second_language, font=regular, footer_left=footer, margin=MARGIN),
        )
        canvas.setTitle(f"{_LABELS['slips']['en']} — {trip.operation}, leg {trip.leg_no}")
        canvas.setAuthor(trip.post_name)
        canvas.setSubject(f"Trip {trip.trip_id}")
        canvas.setCreator("ConsulDesk")
        for start in range(0, len(slips), SLIPS_PER_PAGE):
            page = slips[start : start + SLIPS_PER_PAGE]
            for index, slip in enumerate(page):
                row, col = divmod(index, COLUMNS)
                x = MARGIN + col * SLIP_WIDTH
                y = PAGE_SIZE[1] - MARGIN - (row + 1) * SLIP_HEIGHT
                _draw_slip(canvas, x, y, trip, slip, styles, label)
            _draw_cut_lines(canvas, len(page), styles)
            canvas.showPage()
        canvas.save()
    return out_path


class _SlipCanvas(NumberedCanvas):
    """The slips' numbered canvas (a subclass, so tests can patch it alone)."""


class _Styles:
    """Paragraph styles of the slips, all in the bundled Unicode font, at a given scale.

    Long names or places shrink the text of one slip (``scale`` below 1) rather than overflow.
    """

    def __init__(self, regular: str, bold: str, scale: float = 1.0) -> None:
        self.regular = regular
        self.bold = bold
        self.scale = scale

        def style(name: str, font: str, size: float, **kw: object) -> ParagraphStyle:
            return ParagraphStyle(
                name, fontName=font, fontSize=size * scale, leading=size * scale * 1.18, **kw
            )

        self.title = style("title", bold, 7.5)
        self.trip = style("trip", regular, 6.5)
        self.name_lat = style("name_lat", bold, 11.5)
        self.name_cyr = style("name_cyr", regular, 10)
        self.label = style("label", regular, 5.6)
        self.value = style("value", regular, 8.5)
        self.value_bold = style("value_bold", bold, 8.5)
        self.flags = style("flags", bold, 9)
        self.seat_label = style("seat_label", regular, 6.5, alignment=TA_CENTER)
        self.tiny = style("tiny", regular, 5.5)

    def smaller(self) -> _Styles:
        """The same styles ten per cent smaller."""
        return _Styles(self.regular, self.bold, self.scale * 0.9)


def _left_column(
    trip: SlipTrip, slip: BoardingSlip, st: _Styles, label: LabelFn, width: float
) -> Table:
    """Everything left of the seat and QR code, as one table to measure and draw."""
    departure = format_departure(trip.departure)
    mode = label(trip.mode, " / ", MODE_LABELS) if trip.mode else ""
    leg = f"{label('leg')} {trip.leg_no}" + (f" · {mode}" if mode else "")
    fields = [
        ("passport", slip.passport_no, st.value_bold),
        ("household", slip.household, st.value),
        ("route", f"{trip.origin} → {trip.destination}", st.value),
        ("border", trip.border_crossing, st.value),
        ("departure", departure, st.value_bold),
        ("vehicle", trip.vehicle, st.value),
    ]
    # A label with nothing after it reads as something missing: a person travelling alone
    # has no family line, a flight no border crossing. A missing passport is printed (empty)
    # beside its problem.
    fields = [f for f in fields if f[1] or f[0] == "passport"]
    label_width = 19 * mm * st.scale
    field_table = Table(
        [
            [
                lines(label(key, "\n"), st.label),
                para(value, value_style),
            ]
            for key, value, value_style in fields
        ],
        colWidths=[label_width, width - label_width],
    )
    field_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 0.8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.black),
            ]
        )
    )
    name_lat = f"{slip.surname_lat} {slip.given_names_lat}".strip()
    rows = [
        [para(label("title"), st.title)],
        [para(f"{trip.operation}  ·  {leg}", st.trip)],
        [para(name_lat, _fit_words(name_lat, st.name_lat, width))],
        [para(slip.name_cyr, _fit_words(slip.name_cyr, st.name_cyr, width))],
        [field_table],
    ]
    table = Table(rows, colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                ("LINEBELOW", (0, 1), (0, 1), 0.6, colors.black),
                ("BOTTOMPADDING", (0, 1), (0, 1), 3),
                ("TOPPADDING", (0, 2), (0, 2), 2),
                ("BOTTOMPADDING", (0, 3), (0, 3), 3),
            ]
        )
    )
    return table


def _fit_words(text: str, style: ParagraphStyle, width: float) -> ParagraphStyle:
    """Return ``style``, made smaller if needed so that no word of ``text`` is split."""
    widest = max((stringWidth(word, style.fontName, 1) for word in text.split()), default=0.0)
    if widest * style.fontSize <= width:
        return style
    size = width / widest
    return ParagraphStyle(f"{style.name}_fit", parent=style, fontSize=size, leading=size * 1.18)


def _draw_slip(
    canvas: Canvas,
    x: float,
    y: float,
    trip: SlipTrip,
    slip: BoardingSlip,
    styles: _Styles,
    label: LabelFn,
) -> None:
    """Draw one slip whose cell has its lower left corner at ``(x, y)``."""
    top = y + SLIP_HEIGHT - PADDING
    left_width = SLIP_WIDTH - 2 * PADDING - RIGHT_COLUMN - 2 * mm
    flags = passenger_flags(slip.minor, slip.over_60, slip.medical, slip.mobility)
    codes = [code for code in PROBLEMS if code in slip.problems]
    flags_height = 6 * mm if flags else 0.0
    # Each problem at full size (both languages on one band, or English and the second
    # language on two), the marks under them; when that leaves the name and the vehicle too
    # small to read (several problems), each on one band, all at the size the longest fits,
    # and the marks beside the seat number.
    full_size = styles.flags.fontSize / styles.scale
    full = [
        line
        for code in codes
        for line in _problem_lines(label(code), label(code, "\n"), left_width, styles)
    ]
    layouts = [(full, full_size, PROBLEM_LINE, flags_height)]
    if len(full) > 1:
        one_each = [f"! {label(code)}" for code in codes]
        fits = [(left_width - 2 * mm) / stringWidth(t, styles.bold, 1) for t in one_each]
        size = max(min([full_size, *fits]), COMPACT_PROBLEM_SIZE)
        compact = [
            line
            for code in codes
            for line in _problem_lines(label(code), label(code, "\n"), left_width, styles, size)
        ]
        layouts.append((compact, size, size + 1.8 * mm, 0.0))
    for n, layout in enumerate(layouts, start=1):
        bands, band_size, band_height, flags_below = layout
        floor = MIN_SCALE if n == len(layouts) else MIN_SCALE_BESIDE_PROBLEMS
        available = SLIP_HEIGHT - 2 * PADDING - (3 * mm + flags_below + len(bands) * band_height)
        st = styles
        column = _left_column(trip, slip, st, label, left_width)
        _, height = column.wrapOn(canvas, left_width, available)
        while height > available and st.scale > floor:
            st = st.smaller()
            column = _left_column(trip, slip, st, label, left_width)
            _, height = column.wrapOn(canvas, left_width, available)
        if height <= available:
            break
    column.drawOn(canvas, x + PADDING, top - height)

    right = x + SLIP_WIDTH - PADDING - RIGHT_COLUMN
    if flags and flags_below:
        _draw_flags(canvas, x + PADDING, y + PADDING + 3 * mm, flags, styles)
    elif flags:  # between the seat number and the QR code, as many rows as they take
        _draw_flags(canvas, right, y + SLIP_HEIGHT - 21 * mm, flags, styles, RIGHT_COLUMN)
    line_y = y + PADDING + 3 * mm + flags_below + len(bands) * band_height
    for problem in bands:  # top down, as read (and as a PDF reader copies it)
        line_y -= band_height
        _draw_problem(canvas, x + PADDING, line_y, left_width, problem, styles, band_size)
    canvas.setFont(styles.regular, 5.5)
    canvas.drawString(x + PADDING, y + PADDING - 1 * mm, f"ID {slip.entry_id}")

    # Right column: seat number in large type, then the QR code at the bottom.
    centre = right + RIGHT_COLUMN / 2
    canvas.setFont(styles.regular, 6.5)
    canvas.drawCentredString(centre, top - 6.5, label("seat"))
    seat = slip.seat.strip()
    seat_top = top - 10
    if seat:
        size = min(30.0, 0.95 * RIGHT_COLUMN / stringWidth(seat, styles.bold, 1))
        canvas.setFont(styles.bold, size)
        canvas.drawCentredString(centre, seat_top - 0.75 * size, seat)
    else:
        canvas.setLineWidth(0.8)
        canvas.rect(right + 4 * mm, seat_top - 11 * mm, RIGHT_COLUMN - 8 * mm, 10 * mm)
    # The quiet zone is white, so the code may reach into the slip padding.
    qr_x = x + SLIP_WIDTH - QR_SIZE - 1.5 * mm
    qr_y = y + 1.5 * mm
    draw_qr(
        canvas,
        qr_matrix(slip_payload(slip.entry_id, trip.trip_id, slip.seat), QR_LEVEL),
        qr_x,
        qr_y,
        QR_SIZE,
    )


def _draw_flags(
    canvas: Canvas,
    x: float,
    y: float,
    flags: list[str],
    st: _Styles,
    within: float | None = None,
) -> None:
    """Draw each flag as bold text in a box, left to right, baseline at ``y``; ``within`` a
    width, the boxes that do not fit go on a row below."""
    size = st.flags.fontSize / st.scale
    pad = 1.2 * mm
    canvas.setLineWidth(0.8)
    canvas.setFont(st.bold, size)
    left = x
    for flag in flags:
        width = stringWidth(flag, st.bold, size)
        if within is not None and x > left and x + width + 2 * pad > left + within:
            x, y = left, y - size - 1.2 * pad - 2 * mm
        canvas.rect(x, y - pad, width + 2 * pad, size + 1.2 * pad, stroke=1, fill=0)
        canvas.drawString(x + pad, y, flag)
        x += width + 2 * pad + 2 * mm


def _problem_lines(
    one_line: str, two_lines: str, width: float, st: _Styles, size: float | None = None
) -> list[str]:
    """A problem's label on one band when both languages fit the slip at ``size`` (default:
    full size), else on two (English, then the second language): never shrunk below the
    others' size."""
    size = size or st.flags.fontSize / st.scale
    if stringWidth(f"! {one_line}", st.bold, size) <= width - 2 * mm:
        return [f"! {one_line}"]
    first, *rest = two_lines.split("\n")
    return [f"! {first}", *rest]


def _draw_problem(
    canvas: Canvas, x: float, y: float, width: float, text: str, st: _Styles, size: float
) -> None:
    """Draw ``text`` white on a black band (baseline at ``y``), at ``size`` or as wide as fits
    ``width``: a problem the border will stop the passenger for, seen at a glance and on any
    printer."""
    size = min(size, (width - 2 * mm) / stringWidth(text, st.bold, 1))
    pad = 1 * mm
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.rect(x, y - pad, stringWidth(text, st.bold, size) + 2 * pad, size + 1.2 * pad, 0, 1)
    canvas.setFillColor(colors.white)
    canvas.setFont(st.bold, size)
    canvas.drawString(x + pad, y, text)
    canvas.restoreState()


def _draw_cut_lines(canvas: Canvas, count: int, st: _Styles) -> None:
    """Dashed lines around and between the slips of a page, with a scissors mark."""
    rows = math.ceil(count / COLUMNS)
    left = MARGIN
    right = MARGIN + COLUMNS * SLIP_WIDTH
    top = PAGE_SIZE[1] - MARGIN
    bottom = top - rows * SLIP_HEIGHT
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for r in range(rows + 1):
        yy = top - r * SLIP_HEIGHT
        canvas.line(left, yy, right, yy)
    for c in range(COLUMNS + 1):
        xx = left + c * SLIP_WIDTH
        canvas.line(xx, top, xx, bottom)
    canvas.setDash()
    # Scissors on each horizontal cut line, on a white patch so the dash does not cross them.
    canvas.setFont(st.regular, 10)
    canvas.setFillColor(colors.white)
    for r in range(1, rows):
        canvas.rect(left + 2 * mm, top - r * SLIP_HEIGHT - 2 * mm, 5 * mm, 4 * mm, 0, 1)
    canvas.setFillColor(colors.black)
    for r in range(1, rows):
        canvas.drawString(left + 2.5 * mm, top - r * SLIP_HEIGHT - 3.3, "✂")
    canvas.restoreState()
