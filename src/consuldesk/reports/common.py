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
- :func:`default_page_label`: the English "Page X of Y".
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

__all__ = [
    "NumberedCanvas",
    "QrLevel",
    "TickBox",
    "atomic_output",
    "bilingual",
    "default_page_label",
    "draw_qr",
    "format_departure",
    "numbered_canvas_maker",
    "para",
    "qr_matrix",
]

#: QR error correction level.
QrLevel = Literal["L", "M", "Q", "H"]

#: Quiet zone around a QR code, in modules (the QR standard asks for 4).
QR_BORDER = 4


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
        if self._footer_left:
            self.drawString(margin, y + 6 * mm, self._footer_left)
        self.drawCentredString(width / 2, y + 1 * mm, self._page_label(page, total))
        payload = self._qr_payload(page) if self._qr_payload is not None else None
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
