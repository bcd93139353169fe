"""Building blocks shared by the PDF reports.

Public names:

- :func:`atomic_output`: context manager yielding a binary file handle; the PDF is written to a
  temporary file in the target folder, fsynced and moved into place only when the block ends
  without error (an existing file is kept and the temporary file removed otherwise).
- :class:`NumberedCanvas`: canvas that defers page furniture until the page count is known and
  then draws a footer rule, a left footer text, a centred page label ("Page X of Y", any text
  from a ``page_label(page, total)`` callable) and, optionally, a QR code per page from a
  ``qr_payload(page)`` callable. :func:`numbered_canvas_maker` builds the ``canvasmaker`` for
  ``doc.build``.
- :func:`qr_matrix` and :func:`draw_qr`: QR modules as rows of booleans (ReportLab's encoder,
  cached per payload) and a fast drawing of them as one filled path.
- :class:`TickBox`: an empty square flowable to tick by hand.
- :func:`para`: a paragraph of plain text (markup characters escaped).
- :func:`bilingual`: "English / second language" from a labels dictionary.
- :func:`default_page_label`: the English "Page X of Y"; :func:`page_label`: the same followed
  by the second language.
- :data:`LABELS`: bilingual labels that several documents print identically; :func:`labeller`
  checks the second language and returns the ``label(key, sep)`` function of a document.
- :class:`TripHeader`: the trip printed on manifests and boarding slips.
- :class:`ReportStyles`: the paragraph styles the documents share.
- :func:`build_document`: lays out a story into a numbered, atomically written PDF.
- :func:`lines`, :func:`format_date`, :func:`format_departure`, :func:`passenger_flags`: small
  formatting helpers.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

__all__ = [
    "FLAG_CHILD",
    "FLAG_MARKS",
    "FLAG_MEDICAL",
    "FLAG_MOBILITY",
    "FLAG_OVER_60",
    "FOOTER_HEIGHT",
    "FOOTER_RULE",
    "FRAME_PADDING",
    "LABELS",
    "MODE_LABELS",
    "PROBLEMS",
    "LabelFn",
    "Labels",
    "NumberedCanvas",
    "QrLevel",
    "ReportStyles",
    "SecondLanguage",
    "TickBox",
    "TripHeader",
    "atomic_output",
    "bilingual",
    "build_document",
    "default_page_label",
    "draw_qr",
    "fitted_lines",
    "footer_options",
    "format_date",
    "format_departure",
    "key_value_box",
    "labeller",
    "lines",
    "numbered_canvas_maker",
    "page_label",
    "para",
    "passenger_flags",
    "qr_matrix",
]

#: QR error correction level.
QrLevel = Literal["L", "M", "Q", "H"]

#: Language printed after English on every document.
SecondLanguage = Literal["kk", "ru"]

#: ``{key: {"en": ..., "kk": ..., "ru": ...}}``.
Labels = Mapping[str, Mapping[str, str]]

#: ``label(key, sep=" / ", labels=None) -> text``, as returned by :func:`labeller`.
LabelFn = Callable[..., str]

#: Marks of vulnerable passengers, as printed on manifests, slips and rosters.
#: Transport modes (``Trip.mode`` codes) as documents print them.
MODE_LABELS: dict[str, dict[str, str]] = {
    "bus": {"en": "Bus", "kk": "Автобус", "ru": "Автобус"},
    "flight": {"en": "Flight", "kk": "Әуе рейсі", "ru": "Авиарейс"},
    "train": {"en": "Train", "kk": "Пойыз", "ru": "Поезд"},
    "ferry": {"en": "Ferry", "kk": "Паром", "ru": "Паром"},
    "other": {"en": "Other", "kk": "Басқа", "ru": "Другое"},
}

FLAG_CHILD = "CHILD"
FLAG_OVER_60 = "60+"
FLAG_MEDICAL = "MED"
FLAG_MOBILITY = "MOB"
#: Each mark with the key of its meaning in :data:`LABELS`, in the order they are printed.
FLAG_MARKS = (
    ("minors", FLAG_CHILD),
    ("over_60", FLAG_OVER_60),
    ("medical", FLAG_MEDICAL),
    ("mobility", FLAG_MOBILITY),
)

#: Quiet zone around a QR code, in modules (the QR standard asks for 4).
QR_BORDER = 4

#: ReportLab's default frame padding, in points; reports take it out of the page margin.
FRAME_PADDING = 6
#: Height of the footer rule above the bottom margin when the footer has no QR code.
FOOTER_RULE = 10 * mm
#: Room above the bottom margin kept free for such a footer.
FOOTER_HEIGHT = FOOTER_RULE + 2 * mm


# -- atomic write --------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(out_path: Path | str) -> Iterator[IO[bytes]]:
    """Open a temporary file next to ``out_path`` and move it into place on success.

    The data is flushed and fsynced before ``os.replace``, so a crash leaves either the old
    file or the complete new one. On any exception (including ``KeyboardInterrupt``) the
    temporary file is removed, an existing ``out_path`` is left untouched and the exception
    propagates.

    Args:
        out_path: The final file path; its folder must exist.

    Yields:
        A binary file handle to write the document to.

    Raises:
        OSError: If the folder does not exist or cannot be written.
    """
    out_path = Path(out_path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_path, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


# -- labels and small flowables ------------------------------------------------------------

# English first, then the second language. Kept here (not in the gettext catalog) because the
# documents always print two languages side by side, independent of the UI language. Each
# document adds its own labels (``{**LABELS, ...}``); these are printed alike by several.
LABELS: dict[str, dict[str, str]] = {
    "post": {"en": "Post", "kk": "Мекеме", "ru": "Загранучреждение"},
    "leg": {"en": "Leg", "kk": "Кезең", "ru": "Этап"},
    "route": {"en": "Route", "kk": "Бағыт", "ru": "Маршрут"},
    "border": {"en": "Border crossing", "kk": "Шекара өткелі", "ru": "Пункт пропуска"},
    "departure": {"en": "Departure", "kk": "Жөнелту", "ru": "Отправление"},
    "vehicle": {"en": "Vehicle", "kk": "Көлік", "ru": "Транспорт"},
    "no": {"en": "No.", "kk": "№", "ru": "№"},
    "name_cyr": {"en": "Name in Cyrillic", "kk": "Аты-жөні", "ru": "ФИО кириллицей"},
    "dob": {"en": "Date of birth", "kk": "Туған күні", "ru": "Дата рождения"},
    "passport": {"en": "Passport", "kk": "Паспорт", "ru": "Паспорт"},
    "seat": {"en": "Seat", "kk": "Орын", "ru": "Место"},
    "flags": {"en": "Flags", "kk": "Белгілер", "ru": "Отметки"},
    "hotel": {"en": "Hotel", "kk": "Қонақүй", "ru": "Гостиница"},
    "city": {"en": "City", "kk": "Қала", "ru": "Город"},
    "beds": {"en": "Beds", "kk": "Орындар", "ru": "Места"},
    "status": {"en": "Status", "kk": "Күйі", "ru": "Статус"},
    "total": {"en": "Total", "kk": "Барлығы", "ru": "Всего"},
    "page": {
        "en": "Page {page} of {total}",
        "kk": "Бет {page} / {total}",
        "ru": "Страница {page} из {total}",
    },
    # The marks of the flags column (FLAG_MARKS), in words: the legend of each document.
    "minors": {"en": "Minors", "kk": "Кәмелетке толмағандар", "ru": "Несовершеннолетние"},
    "over_60": {"en": "Aged 60 or more", "kk": "60 жастан асқандар", "ru": "60 лет и старше"},
    "medical": {"en": "Medical", "kk": "Медициналық", "ru": "Медицинские"},
    "mobility": {  # as the situation report names it
        "en": "Reduced mobility",
        "kk": "Қозғалысы шектеулі",
        "ru": "Ограниченная подвижность",
    },
    # What a border officer must see on paper: on the manifest (flags column and totals) and
    # on the passenger's boarding slip.
    "passport_expired": {
        "en": "Passport expired",
        "kk": "Паспорт мерзімі өткен",
        "ru": "Паспорт просрочен",
    },
    "no_passport": {"en": "No passport", "kk": "Паспорт жоқ", "ru": "Нет паспорта"},
    "no_consent": {"en": "No consent", "kk": "Келісімі жоқ", "ru": "Нет согласия"},
    "no_passport_name": {
        "en": "No Latin name",
        "kk": "Латынша аты жоқ",
        "ru": "Нет имени латиницей",
    },
    # A minor with no adult of their family on the vehicle: the border asks for the parents'
    # consent or the escort's papers.
    "minor_alone": {
        "en": "Unaccompanied minor",
        "kk": "Сүйемелдеусіз бала",
        "ru": "Ребёнок без сопровождения",
    },
}
#: Problems a passenger can have (keys of :data:`LABELS`), in the order they are printed.
PROBLEMS = ("no_passport", "passport_expired", "no_passport_name", "no_consent", "minor_alone")


def check_second_language(second_language: str) -> None:
    """Raise ``ValueError`` unless ``second_language`` is ``"kk"`` or ``"ru"``."""
    if second_language not in ("kk", "ru"):
        raise ValueError(f"second_language must be 'kk' or 'ru', not {second_language!r}")


def labeller(labels: Labels, second_language: str) -> LabelFn:
    """Return the ``label`` function of a document printed in English and ``second_language``.

    ``label(key, sep=" / ")`` prints ``labels[key]`` in both languages (a missing key is a
    ``KeyError``). ``label(value, sep, table)`` prints a data value through another table;
    values that table does not know print as given.

    Args:
        labels: The document's labels.
        second_language: ``"kk"`` or ``"ru"``.

    Returns:
        The label function.

    Raises:
        ValueError: If ``second_language`` is not ``"kk"`` or ``"ru"``.
    """
    check_second_language(second_language)

    def label(key: str, sep: str = " / ", table: Labels | None = None) -> str:
        if table is None:
            return bilingual(labels, key, second_language, sep)
        if key not in table:
            return key
        return bilingual(table, key, second_language, sep)

    return label


def bilingual(
    labels: Mapping[str, Mapping[str, str]], key: str, second_language: str, sep: str = " / "
) -> str:
    """Return a label in English followed by the second language.

    Args:
        labels: ``{key: {"en": ..., "kk": ..., "ru": ...}}``.
        key: The label to print.
        second_language: Language code printed after English.
        sep: Text between the two languages.

    Returns:
        ``"<en><sep><second>"`` (both printed even when they are the same text).

    Raises:
        KeyError: If the key or one of the two languages is missing.
    """
    text = labels[key]
    return f"{text['en']}{sep}{text[second_language]}"


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text; ``&``, ``<`` and ``>`` print literally."""
    return Paragraph(escape(text), style)


def lines(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text whose ``\\n`` become line breaks."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def format_date(value: date | None) -> str:
    """A date as dd.mm.yyyy; ``None`` prints nothing."""
    return value.strftime("%d.%m.%Y") if value is not None else ""


def passenger_flags(minor: bool, over_60: bool, medical: bool, mobility: bool = False) -> list[str]:
    """The marks printed for a passenger or guest: CHILD, 60+, MED and MOB, in that order.

    MED is a medical condition, MOB a need for help moving (a wheelchair, a stretcher, help up
    the steps): the crew plans each differently, so one does not print as the other.
    """
    marks = (
        (FLAG_CHILD, minor),
        (FLAG_OVER_60, over_60),
        (FLAG_MEDICAL, medical),
        (FLAG_MOBILITY, mobility),
    )
    return [flag for flag, on in marks if on]


class ReportStyles:
    """Paragraph styles the documents share, all in the bundled Unicode font.

    Each document subclasses it, overriding or adding styles.

    Args:
        regular: Registered name of the regular font.
        bold: Registered name of the bold font.
    """

    def __init__(self, regular: str, bold: str) -> None:
        self.regular = regular
        self.bold = bold
        self.title = ParagraphStyle("title", fontName=bold, fontSize=14, leading=17)
        self.label = ParagraphStyle("label", fontName=bold, fontSize=8, leading=10)
        self.value = ParagraphStyle("value", fontName=regular, fontSize=9, leading=11)
        self.heading = ParagraphStyle(
            "heading", fontName=bold, fontSize=6.8, leading=8, alignment=TA_CENTER
        )


def key_value_box(
    pairs: Sequence[tuple[tuple[str, Flowable], tuple[str, Flowable]]],
    label: LabelFn,
    st: ReportStyles,
    col_widths: Sequence[float],
    *,
    valign: str,
    padding: float,
) -> Table:
    """A boxed header of two label/value column pairs, one rule under each row.

    Args:
        pairs: Per row, the left and the right ``(label key, value)``.
        label: The document's label function.
        st: The document's styles (``label`` prints the labels).
        col_widths: Widths of the four columns.
        valign: Vertical alignment of the cells.
        padding: Top and bottom padding of the cells, in points.

    Returns:
        The table.
    """
    rows = [
        [para(label(lk), st.label), lv, para(label(rk), st.label), rv]
        for (lk, lv), (rk, rv) in pairs
    ]
    table = Table(rows, colWidths=list(col_widths))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.regular),
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.black),
                ("LINEBEFORE", (2, 0), (2, -1), 0.8, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ]
        )
    )
    return table


@dataclass(frozen=True)
class TripHeader:
    """The trip printed on a manifest and on boarding slips.

    Attributes:
        post_name: Name of the embassy or consulate.
        operation: Name or code of the evacuation operation.
        leg_no: Number of the leg within the operation.
        mode: Transport mode as text (e.g. "Bus", "Charter flight").
        origin: Place of departure.
        destination: Place of arrival.
        border_crossing: Border crossing point; empty when there is none.
        departure: Planned departure; ``None`` leaves a blank to fill in.
        vehicle: Bus plate or flight number.
        carrier: Transport company or airline.
        escort_officer: Officer accompanying the passengers.
    """

    post_name: str
    operation: str
    leg_no: int
    mode: str
    origin: str
    destination: str
    border_crossing: str
    departure: datetime | None
    vehicle: str
    carrier: str
    escort_officer: str


class TickBox(Flowable):
    """An empty square to tick by hand.

    Args:
        size: Side of the square in points.
        line_width: Stroke width in points.
    """

    def __init__(self, size: float = 4 * mm, line_width: float = 0.8) -> None:
        super().__init__()
        self.size = size
        self.line_width = line_width
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Return the fixed size of the box."""
        return self.size, self.size

    def draw(self) -> None:
        """Stroke the square at the flowable origin."""
        self.canv.setLineWidth(self.line_width)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


# -- QR codes ------------------------------------------------------------------------------


def qr_matrix(payload: str, level: QrLevel = "M") -> list[list[bool]]:
    """Encode ``payload`` as QR modules with ReportLab's encoder.

    Encoding takes a few milliseconds, so codes are cached: a manifest prints the same code on
    every page and pays for it once.

    Args:
        payload: The text to encode.
        level: Error correction level ``"L"``, ``"M"``, ``"Q"`` or ``"H"``.

    Returns:
        Rows from top to bottom, each a list of booleans (``True`` = dark), without quiet zone.
    """
    return [list(row) for row in _qr_rows(payload, level)]


@functools.lru_cache(maxsize=512)
def _qr_rows(payload: str, level: str) -> tuple[tuple[bool, ...], ...]:
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(payload)
    qr.make()
    return tuple(tuple(bool(module) for module in row) for row in qr.modules)


def draw_qr(
    canvas: Canvas,
    payload: str | list[list[bool]],
    x: float,
    y: float,
    size: float,
    *,
    level: QrLevel = "M",
    border: int = QR_BORDER,
) -> None:
    """Draw a QR code as one filled path: one rectangle per run of dark modules in a row.

    Args:
        canvas: Where to draw.
        payload: Text to encode, or a matrix from :func:`qr_matrix`.
        x: Left edge of the code including the quiet zone, in points.
        y: Bottom edge of the code including the quiet zone, in points.
        size: Side of the code including the quiet zone, in points.
        level: Error correction level when ``payload`` is text.
        border: Quiet zone in modules (left blank, drawn inside ``size``).
    """
    matrix = qr_matrix(payload, level) if isinstance(payload, str) else payload
    count = len(matrix)
    box = size / (count + 2 * border)
    # In module units, y down from the top-left module: every coordinate is a small integer.
    # A slight vertical overlap (1.05) hides hairline seams between rows in some viewers.
    ops = []
    for r, row in enumerate(matrix):
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                ops.append(f"{start} {r} {c - start} 1.05 re")
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColor(colors.black)
    canvas.transform(box, 0, 0, -box, x + border * box, y + size - border * box)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


# -- page numbering ------------------------------------------------------------------------


def format_departure(value: datetime | None) -> str:
    """A departure as dd.mm.yyyy HH:MM, with its UTC offset when known.

    Buses cross time zones at the border: "24.11.2026 20:00 (UTC+04:00)" leaves no doubt for
    the receiving side. A naive time prints without offset; ``None`` prints nothing.
    """
    if value is None:
        return ""
    text = value.strftime("%d.%m.%Y %H:%M")
    offset = value.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{text} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def default_page_label(page: int, total: int) -> str:
    """The English page label, ``"Page X of Y"``."""
    return f"Page {page} of {total}"


def page_label(second_language: str) -> Callable[[int, int], str]:
    """Return ``(page, total) -> "Page X of Y / <the same in second_language>"``."""
    second = LABELS["page"][second_language]

    def label(page: int, total: int) -> str:
        return f"{default_page_label(page, total)} / {second.format(page=page, total=total)}"

    return label


def fitted_lines(
    text: str, font: str, size: float, room: float, most: int = 2, smallest: float = 6
) -> tuple[list[str], float]:
    """``text`` in at most ``most`` lines of ``room`` points: at ``size``, else as large as
    fits down to ``smallest``, else at ``smallest`` with the last line cut at its end with
    "…". Returns the lines and their size."""
    step = size
    while step >= smallest:
        lines = simpleSplit(text, font, step, room)
        if len(lines) <= most:
            return lines, step
        step -= 0.5
    lines = simpleSplit(text, font, smallest, room)
    kept, last = lines[: most - 1], " ".join(lines[most - 1 :])
    while last and stringWidth(last + "…", font, smallest) > room:
        last = last[:-1]
    return [*kept, last.rstrip() + "…"], smallest


class NumberedCanvas(Canvas):
    """Canvas that draws page furniture once the number of pages is known.

    Each page's state is kept on ``showPage``; ``save`` replays the pages and draws on each a
    footer rule across the text width, ``footer_left`` at the left, the page label centred and,
    if ``qr_payload`` returns text for the page, a QR code at the bottom right.

    Args:
        *args: Passed to :class:`reportlab.pdfgen.canvas.Canvas`.
        footer_left: Text at the left of the footer (may be empty).
        font: Registered font name for the footer (a Unicode font such as DejaVu Sans).
        page_label: ``(page, total) -> text`` printed centred, e.g. bilingual.
        qr_payload: ``page -> text`` to encode on that page, ``None`` (or returning ``None``)
            for no QR code.
        margin: Page margin in points; the footer sits on the bottom margin.
        qr_size: Side of the QR code including its quiet zone, in points.
        qr_level: QR error correction level.
        font_size: Footer font size in points.
        **kwargs: Passed to :class:`reportlab.pdfgen.canvas.Canvas`.
    """

    def __init__(
        self,
        *args: Any,
        footer_left: str = "",
        font: str,
        page_label: Callable[[int, int], str] = default_page_label,
        qr_payload: Callable[[int], str | None] | None = None,
        margin: float = 12 * mm,
        qr_size: float = 16 * mm,
        qr_level: QrLevel = "M",
        font_size: float = 8,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []
        self._footer_left = footer_left
        self._footer_font = font
        self._footer_font_size = font_size
        self._page_label = page_label
        self._qr_payload = qr_payload
        self._margin = margin
        self._qr_size = qr_size
        self._qr_level = qr_level

    def showPage(self) -> None:
        """Keep the finished page; it is emitted by :meth:`save`."""
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw the furniture on every kept page, then write the document."""
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.draw_furniture(self._pageNumber, total)
            super().showPage()
        super().save()

    def draw_furniture(self, page: int, total: int) -> None:
        """Draw the footer of one page.

        Args:
            page: 1-based page number.
            total: Number of pages in the document.
        """
        width, _ = self._pagesize
        margin = self._margin
        y = margin
        self.saveState()
        self.setFillColor(colors.black)
        self.setStrokeColor(colors.black)
        self.setLineWidth(0.4)
        rule = y + self._qr_size + 2 * mm
        self.line(margin, rule, width - margin, rule)
        self.setFont(self._footer_font, self._footer_font_size)
        payload = self._qr_payload(page) if self._qr_payload is not None else None
        if self._footer_left:
            # Up to the QR code, or the margin: a post's name in Kazakh ran off the page.
            room = width - 2 * margin - (self._qr_size + 2 * mm if payload is not None else 0)
            # Two lines where the rule leaves them room (a QR code's height), else one.
            most = 2 if rule - (y + 6 * mm) >= 2.4 * self._footer_font_size else 1
            lines, size = fitted_lines(
                self._footer_left, self._footer_font, self._footer_font_size, room, most
            )
            self.setFont(self._footer_font, size)
            for n, line in enumerate(reversed(lines)):  # the last line where one line stands
                self.drawString(margin, y + 6 * mm + n * size * 1.2, line)
            self.setFont(self._footer_font, self._footer_font_size)
        self.drawCentredString(width / 2, y + 1 * mm, self._page_label(page, total))
        if payload is not None:
            size = self._qr_size
            draw_qr(self, payload, width - margin - size, y, size, level=self._qr_level)
        self.restoreState()


def numbered_canvas_maker(
    canvas_class: type[NumberedCanvas] = NumberedCanvas, **options: Any
) -> Callable[..., Canvas]:
    """Return a ``canvasmaker`` for ``doc.build`` that passes ``options`` to the canvas.

    Args:
        canvas_class: :class:`NumberedCanvas` or a subclass.
        **options: Keyword arguments of :class:`NumberedCanvas` (``font`` is required).

    Returns:
        A callable with the signature ReportLab expects of a canvas maker.
    """

    def make(*args: Any, **kwargs: Any) -> Canvas:
        return canvas_class(*args, **options, **kwargs)

    return make


def footer_options(
    second_language: str,
    *,
    font: str,
    footer_left: str,
    margin: float,
    qr_payload: Callable[[int], str | None] | None = None,
    qr_size: float = FOOTER_RULE - 2 * mm,
    qr_level: QrLevel = "M",
) -> dict[str, Any]:
    """Keyword arguments of :class:`NumberedCanvas` for a footer with the bilingual page label.

    Args:
        second_language: ``"kk"`` or ``"ru"``, printed after English in the page label.
        font: Registered Unicode font of the footer.
        footer_left: Text at the left of the footer.
        margin: Page margin in points; the footer sits on the bottom margin.
        qr_payload: ``page -> text`` of a QR code per page; ``None`` for none.
        qr_size: Side of the QR code; without one, it sets the height of the footer rule
            (``qr_size + 2 mm`` above the bottom margin).
        qr_level: QR error correction level.

    Returns:
        The options, for :func:`numbered_canvas_maker` or the canvas itself.
    """
    return {
        "footer_left": footer_left,
        "font": font,
        "page_label": page_label(second_language),
        "qr_payload": qr_payload,
        "margin": margin,
        "qr_size": qr_size,
        "qr_level": qr_level,
    }


def build_document(
    out_path: Path | str,
    story: list[Flowable],
    *,
    second_language: str,
    font: str,
    title: str,
    author: str,
    subject: str,
    footer_left: str,
    margin: float,
    pagesize: tuple[float, float] = A4,
    frame_padding: float = FRAME_PADDING,
    footer_height: float = FOOTER_HEIGHT,
    canvas_class: type[NumberedCanvas] = NumberedCanvas,
    qr_payload: Callable[[int], str | None] | None = None,
    qr_size: float = FOOTER_RULE - 2 * mm,
    qr_level: QrLevel = "M",
) -> Path:
    """Lay out ``story`` and write it atomically as a PDF with numbered pages.

    Every page gets the footer of :class:`NumberedCanvas` with the bilingual
    :func:`page_label`. The defaults suit an A4 portrait report whose footer is text only.

    Args:
        out_path: Where to write the PDF; on failure an existing file is kept.
        story: The flowables.
        second_language: ``"kk"`` or ``"ru"``, printed after English in the page label.
        font: Registered Unicode font for the footer and the document's initial font.
        title: Document title (metadata).
        author: Document author (metadata).
        subject: Document subject (metadata).
        footer_left: Text at the left of the footer.
        margin: Page margin in points; the footer sits on the bottom margin.
        pagesize: Page width and height in points.
        frame_padding: Taken out of the left, right and top margins, so that the text (inside
            ReportLab's frame padding) starts at ``margin``.
        footer_height: Room above the bottom margin kept free for the footer.
        canvas_class: :class:`NumberedCanvas` or a subclass.
        qr_payload: See :func:`footer_options`.
        qr_size: See :func:`footer_options`.
        qr_level: See :func:`footer_options`.

    Returns:
        ``out_path`` as a path.

    Raises:
        OSError: If the target folder does not exist or cannot be written.
    """
    out_path = Path(out_path)
    inner = margin - frame_padding
    with atomic_output(out_path) as fh:
        doc = SimpleDocTemplate(
            fh,
            pagesize=pagesize,
            leftMargin=inner,
            rightMargin=inner,
            topMargin=inner,
            bottomMargin=margin + footer_height,
            title=title,
            author=author,
            subject=subject,
            creator="ConsulDesk",
            initialFontName=font,  # else every page references Helvetica
        )
        footer = footer_options(
            second_language,
            font=font,
            footer_left=footer_left,
            margin=margin,
            qr_payload=qr_payload,
            qr_size=qr_size,
            qr_level=qr_level,
        )
        doc.build(story, canvasmaker=numbered_canvas_maker(canvas_class, **footer))
    return out_path
