"""Tests of the shared report building blocks in ``consuldesk.reports.common``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from consuldesk.reports.common import (
    NumberedCanvas,
    TickBox,
    atomic_output,
    bilingual,
    draw_qr,
    fitted_lines,
    numbered_canvas_maker,
    qr_matrix,
)
from consuldesk.reports.fonts import register_fonts
from tests.unit.reports.pdfcheck import drawn_qr_matrices, has_qr, reportlab_matrix

# -- atomic_output -------------------------------------------------------------------------


def test_atomic_output_writes_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    with atomic_output(target) as fh:
        fh.write(b"%PDF-new")
        assert not target.exists()  # nothing in place until the block ends
    assert target.read_bytes() == b"%PDF-new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_atomic_output_failure_keeps_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError, match="boom"), atomic_output(target) as fh:
        fh.write(b"half a document")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_atomic_output_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError), atomic_output(tmp_path / "missing" / "out.pdf"):
        pass
    assert list(tmp_path.iterdir()) == []


# -- labels --------------------------------------------------------------------------------

LABELS = {"title": {"en": "Roster", "kk": "Тізім", "ru": "Список"}, "n": {"en": "60+", "kk": "60+"}}


def test_bilingual() -> None:
    assert bilingual(LABELS, "title", "kk") == "Roster / Тізім"
    assert bilingual(LABELS, "title", "ru", "\n") == "Roster\nСписок"
    assert bilingual(LABELS, "n", "kk") == "60+ / 60+"
    with pytest.raises(KeyError):
        bilingual(LABELS, "n", "ru")


def test_tick_box_has_fixed_size() -> None:
    box = TickBox(5 * mm)
    assert box.wrap(100, 100) == (5 * mm, 5 * mm)


# -- QR codes ------------------------------------------------------------------------------

PAYLOADS = [
    "CONSULDESK:MANIFEST:3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84:1",
    "CONSULDESK:MANIFEST:3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84:37",
    "HELLO WORLD 42",  # alphanumeric mode
    "0123456789012345678901234567890",  # numeric mode
    "Әбілқайыр Ғалымжан Қ Ң Ө Ұ Ү Һ І",  # 8-bit mode, UTF-8
    "x" * 300,  # version 7 or more: version information blocks
]


def _finder_at(matrix: list[list[bool]], top: int, left: int) -> bool:
    """A 7×7 finder pattern: dark ring, light ring, dark 3×3 centre."""
    for r in range(7):
        for c in range(7):
            ring = max(abs(r - 3), abs(c - 3))
            if matrix[top + r][left + c] != (ring != 2):
                return False
    return True


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_qr_matrix_is_a_qr_symbol(payload: str, level: str) -> None:
    matrix = qr_matrix(payload, level)  # type: ignore[arg-type]
    n = len(matrix)
    assert all(len(row) == n for row in matrix)
    assert (n - 17) % 4 == 0 and n >= 21  # version 1 is 21 modules, each version adds 4
    assert _finder_at(matrix, 0, 0) and _finder_at(matrix, 0, n - 7)
    assert _finder_at(matrix, n - 7, 0)
    assert not _finder_at(matrix, n - 7, n - 7)
    assert matrix == reportlab_matrix(payload, level)


def test_a_cached_qr_matrix_cannot_be_spoiled_by_its_caller() -> None:
    first = qr_matrix(PAYLOADS[0])
    first[0][0] = not first[0][0]
    assert qr_matrix(PAYLOADS[0]) != first


def test_draw_qr_draws_the_matrix_as_runs() -> None:
    payload = PAYLOADS[0]
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, pageCompression=0)
    draw_qr(canvas, payload, 50, 50, 30 * mm)
    canvas.showPage()
    canvas.save()
    content = PdfReader(buf).pages[0].get_contents()
    assert content is not None
    expected = reportlab_matrix(payload)
    assert drawn_qr_matrices(content.get_data(), len(expected)) == [expected]


# -- NumberedCanvas ------------------------------------------------------------------------


def _numbered_pdf(tmp_path: Path, pages: int, **options: object) -> PdfReader:
    regular, _ = register_fonts()
    out = tmp_path / "n.pdf"
    make = numbered_canvas_maker(font=regular, **options)
    canvas = make(str(out), pagesize=A4, initialFontName=regular)
    for _ in range(pages):
        canvas.setFont(regular, 10)
        canvas.drawString(100, 700, "Мазмұны")
        canvas.showPage()
    canvas.save()
    return PdfReader(out)


def test_numbered_canvas_labels_and_qr_per_page(tmp_path: Path) -> None:
    reader = _numbered_pdf(
        tmp_path,
        3,
        footer_left="Тізім · Қосымша",
        page_label=lambda page, total: f"Page {page} of {total} / Бет {page} / {total}",
        qr_payload=lambda page: f"DOC:{page}",
    )
    assert len(reader.pages) == 3
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        assert f"Page {number} of 3 / Бет {number} / 3" in text
        assert "Тізім · Қосымша" in text
        expected = qr_matrix(f"DOC:{number}")
        content = page.get_contents()
        assert content is not None
        assert drawn_qr_matrices(content.get_data(), len(expected)) == [expected]


def test_numbered_canvas_without_qr(tmp_path: Path) -> None:
    reader = _numbered_pdf(tmp_path, 2, qr_payload=lambda page: None if page == 1 else "P2")
    first, second = (page.get_contents() for page in reader.pages)
    assert first is not None and second is not None
    assert not has_qr(first.get_data())
    assert has_qr(second.get_data())
    assert "Page 1 of 2" in (reader.pages[0].extract_text() or "")


def test_numbered_canvas_is_a_canvas() -> None:
    assert issubclass(NumberedCanvas, Canvas)


def test_departures_print_with_their_utc_offset() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from consuldesk.reports.common import format_departure

    dubai = timezone(timedelta(hours=4))
    assert format_departure(datetime(2026, 3, 12, 6, 0, tzinfo=UTC).astimezone(dubai)) == (
        "12.03.2026 10:00 (UTC+04:00)"
    )
    tehran = timezone(timedelta(hours=3, minutes=30))
    assert format_departure(datetime(2026, 3, 12, 22, 15, tzinfo=tehran)).endswith("(UTC+03:30)")
    assert format_departure(datetime(2026, 3, 12, 6, 0)) == "12.03.2026 06:00"
    assert format_departure(None) == ""


def test_page_label_is_bilingual() -> None:
    from consuldesk.reports.common import page_label

    assert page_label("ru")(2, 5) == "Page 2 of 5 / Страница 2 из 5"
    assert page_label("kk")(2, 5) == "Page 2 of 5 / Бет 2 / 5"


def test_labeller() -> None:
    from consuldesk.reports.common import labeller

    label = labeller(LABELS, "kk")
    assert label("title") == "Roster / Тізім"
    assert label("title", "\n") == "Roster\nТізім"
    with pytest.raises(KeyError):
        label("missing")
    # Values looked up in another table print as given when that table does not know them.
    assert label("title", " / ", {"title": {"en": "A", "kk": "Б"}}) == "A / Б"
    assert label("kidnapping", " / ", LABELS) == "kidnapping"
    with pytest.raises(ValueError, match="second_language"):
        labeller(LABELS, "de")


# -- a footer's text that is longer than the page ---------------------------------------------

LONG_POST = "Қазақстан Республикасының Біріккен Араб Әмірліктеріндегі Елшілігі, Әбу-Даби қаласы"


def test_fitted_lines_shrink_then_wrap_then_cut() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, _bold = register_fonts()
    assert fitted_lines("Әбу-Даби", font, 8, 200) == (["Әбу-Даби"], 8)
    lines, size = fitted_lines(LONG_POST, font, 8, 300, most=1)
    assert lines == [LONG_POST] and 6 <= size < 8  # smaller, whole
    assert stringWidth(LONG_POST, font, size) <= 300
    lines, size = fitted_lines(LONG_POST, font, 8, 250, most=2)
    assert size == 8 and len(lines) == 2 and " ".join(lines) == LONG_POST
    lines, size = fitted_lines(LONG_POST, font, 8, 100, most=1)
    assert size == 6 and lines[0].endswith("…") and len(lines) == 1
    assert stringWidth(lines[0], font, 6) <= 100


def test_a_footer_longer_than_the_page_stays_on_it(tmp_path: Path) -> None:
    """A post's name in Kazakh ran off the right edge of every page of the hotel roster."""
    font, _bold = register_fonts()
    footer = f"Hotel roster / Қонақүйде тұратындар тізімі · Night / Түн 10.03.2026 · {LONG_POST}"
    path = tmp_path / "footer.pdf"
    canvas = NumberedCanvas(str(path), pagesize=A4, font=font, footer_left=footer, qr_size=4 * mm)
    canvas.drawString(100, 700, "Page body")
    canvas.showPage()
    canvas.save()
    page = PdfReader(path).pages[0]
    drawn: list[tuple[str, float, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, f, size: drawn.append((text, tm[4], size)))
    [(text, x, size)] = [d for d in drawn if "Әбу-Даби" in d[0]]
    assert text.strip() == footer and size >= 6
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert x + stringWidth(footer, font, size) <= float(page.mediabox.width) - 12 * mm
