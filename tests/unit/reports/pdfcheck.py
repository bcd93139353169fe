"""Checks shared by the report tests: reading a PDF back and what every document must hold."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode import qrencoder

from consuldesk.reports.common import NumberedCanvas, TripHeader

_QR_RECT = re.compile(rb"^(\d+) (\d+) (\d+) 1\.05 re$", re.MULTILINE)

#: The trip of the manifest and slip tests: Kazakh letters in the operation and the escort.
TRIP = TripHeader(
    post_name="Embassy of Kazakhstan in Abu Dhabi",
    operation="Operation Құс жолы",
    leg_no=2,
    mode="bus",
    origin="Abu Dhabi",
    destination="Muscat",
    border_crossing="Hatta",
    departure=datetime(2026, 3, 11, 6, 30),
    vehicle="AD 12345",
    carrier="Emirates Transport",
    escort_officer="Сәрсенбаев Қайрат",
)


def pages_text(path: Path) -> list[str]:
    """The text of each page, runs of ordinary whitespace collapsed to one space.

    Only ASCII whitespace is collapsed: ``str.split()`` would also eat the thin spaces that
    group thousands in amounts of money.
    """
    return [
        re.sub(r"[ \t\r\n]+", " ", page.extract_text() or "").strip()
        for page in PdfReader(path).pages
    ]


def all_text(path: Path) -> str:
    """The text of the whole document (see :func:`pages_text`)."""
    return " ".join(pages_text(path))


def assert_only_bundled_font(path: Path) -> None:
    """Every font on every page is an embedded DejaVu Sans subset (never Helvetica)."""
    fonts: set[str] = set()
    for page in PdfReader(path).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts.add(str(font["/BaseFont"]))
            assert "/FontFile2" in font["/FontDescriptor"], font  # embedded TrueType subset
    assert fonts
    assert all("DejaVuSans" in name for name in fonts), fonts


def assert_failure_keeps_old_file(
    target: Path,
    monkeypatch: pytest.MonkeyPatch,
    canvas_class: type[NumberedCanvas],
    render: Callable[[Path], object],
) -> None:
    """A render that fails while saving leaves the previous ``target`` and no temporary file.

    Args:
        target: The output path, in a folder of its own.
        monkeypatch: The test's monkeypatch fixture.
        canvas_class: The document's canvas class, whose ``save`` is made to fail.
        render: Renders the document to the path it is given.
    """
    target.write_bytes(b"previous document")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(canvas_class, "save", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        render(target)
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert target.read_bytes() == b"previous document"


def reportlab_matrix(payload: str, level: str = "M") -> list[list[bool]]:
    """The matrix ReportLab's own ``QrCode`` flowable would draw."""
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(payload)
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


def drawn_qr_matrices(content: bytes, size: int) -> list[list[list[bool]]]:
    """Rebuild the QR matrices drawn by ``draw_qr`` from a page content stream."""
    matrices = []
    for block in content.split(b"\nf\n"):
        rects = _QR_RECT.findall(block)
        if not rects:
            continue
        matrix = [[False] * size for _ in range(size)]
        for col, row, width in ((int(c), int(r), int(w)) for c, r, w in rects):
            for c in range(col, col + width):
                matrix[row][c] = True
        matrices.append(matrix)
    return matrices


def has_qr(content: bytes) -> bool:
    """Whether a page content stream draws a QR code."""
    return _QR_RECT.search(content) is not None
