"""Reading a list file: what it really is, its encoding, delimiter, header row and rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from datetime import date
from pathlib import Path

from consuldesk.services.desk import CancelFlag, Cancelled, Progress, no_progress
from consuldesk.services.lists.base import (
    _EVERY,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    CellValue,
    ListError,
    ParsedList,
    _cell_text,
    _gc_paused,
)
from consuldesk.services.lists.columns import _check_mapping, _find_header, recognise_header

# -- reading -------------------------------------------------------------------------------


def read_list(
    path: Path | str, *, progress: Progress = no_progress, cancel: CancelFlag | None = None
) -> ParsedList:
    """Read a list file: encoding, delimiter, header row and column mapping.

    The header is the first of the first ten non-empty rows that has at least two recognised
    headers (so title rows above it are skipped), else the first non-empty row. Rows whose
    cells are all empty are left out (their line numbers are simply skipped).

    Raises:
        ListError: ``list.not_found``, ``list.unreadable``, ``list.extension``,
            ``list.xls_old``, ``list.encrypted``, ``list.not_text``, ``list.not_xlsx``,
            ``list.encoding``, ``list.corrupt``, ``list.empty``, ``list.no_name_column``,
            ``list.duplicate_column``.
        Cancelled: ``cancel`` was set.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + XLSX_SUFFIXES:
        if suffix == ".xls" and path.is_file():
            _check_old_excel(path, _read_head(path))
        raise ListError("list.extension", path, suffix=suffix)
    if not path.is_file():
        if path.exists():
            raise ListError("list.unreadable", path, detail="not a file")
        raise ListError("list.not_found", path)
    cancel = cancel or CancelFlag()
    encoding: str | None = None
    delimiter: str | None = None
    if suffix in XLSX_SUFFIXES:
        fmt = "xlsx"
        _check_xlsx_file(path, _read_head(path))
        with _gc_paused():  # keeping 100,000 rows of cells: ~20 % of the time in GC scans
            rows = _read_xlsx(path, progress, cancel)
    else:
        fmt = "csv"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ListError("list.unreadable", path, detail=str(exc)) from exc
        _check_text_file(path, data[:_SNIFF])
        text, encoding = _decode(data, path)
        with _gc_paused():
            rows, delimiter = _read_csv(text, path, progress, cancel)
    if not rows:
        raise ListError("list.empty", path, header=False)
    header_at = _find_header(rows)
    header_line, header_cells = rows[header_at]
    headers = [_cell_text(c) for c in header_cells]
    if headers and headers[0].startswith("\ufeff"):
        headers[0] = headers[0][1:]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (their data, if any, stays in the rows)
    mapping = [recognise_header(h) for h in headers]
    _check_mapping(path, mapping)
    data_rows = rows[header_at + 1 :]
    if not data_rows:
        raise ListError("list.empty", path, header=True)
    return ParsedList(path, fmt, encoding, delimiter, header_line, headers, mapping, data_rows)


# -- what a file really is ------------------------------------------------------------------

_SNIFF = 8192  # bytes looked at to tell text from binary
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files (.xls, .doc) and encrypted .xlsx
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream of a password-protected xlsx
_OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    b"application/vnd.oasis.opendocument.text": "OpenDocument text",
}


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF)
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc


def _check_old_excel(path: Path, head: bytes) -> None:
    """Refuse an OLE2 compound file: an old ``.xls``, or an ``.xlsx`` locked with a password."""
    if not head.startswith(_OLE2):
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc
    if _ENCRYPTED_PACKAGE in data:
        raise ListError("list.encrypted", path)
    raise ListError("list.xls_old", path)


def _zip_kind(path: Path) -> str | None:
    """What a ZIP file holds (``"Excel workbook"``...), or ``None`` if it cannot be opened."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                kind = _OPENDOCUMENT.get(archive.read("mimetype").strip())
                if kind:
                    return kind
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    if any(n.startswith("xl/") for n in names):
        return "Excel workbook"
    if any(n.startswith("word/") for n in names):
        return "Word document"
    if any(n.startswith("ppt/") for n in names):
        return "PowerPoint presentation"
    return "ZIP archive"


def _binary_kind(head: bytes) -> str | None:
    """The kind of a file with a known binary signature, else ``None``."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _has_binary_nuls(head: bytes) -> bool:
    """Whether NUL bytes show binary data: text never has them, and UTF-16 (which a file
    without BOM may still be: ``list.encoding`` says so) has them only at odd or only at even
    offsets."""
    even = b"\x00" in head[0::2]
    odd = b"\x00" in head[1::2]
    return even and odd


def _check_text_file(path: Path, head: bytes) -> None:
    """Refuse a ``.csv`` / ``.txt`` / ``.tsv`` file that is not text at all.

    Raises:
        ListError: ``list.xls_old``, ``list.encrypted``, ``list.not_text``.
    """
    _check_old_excel(path, head)
    if head.startswith(_ZIP):
        raise ListError("list.not_text", path, kind=_zip_kind(path) or "ZIP archive")
    kind = _binary_kind(head)
    if kind is not None:
        raise ListError("list.not_text", path, kind=kind)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if _has_binary_nuls(head):
        raise ListError("list.not_text", path, kind=None)


def _check_xlsx_file(path: Path, head: bytes) -> None:
    """Refuse an ``.xlsx`` / ``.xlsm`` file that is empty, old Excel, or not a workbook.

    A file that starts like a ZIP but cannot be opened (cut short by a download or a full disk)
    is left to the reader, which reports it as ``list.corrupt``.

    Raises:
        ListError: ``list.empty``, ``list.xls_old``, ``list.encrypted``, ``list.not_xlsx``.
    """
    if not head:
        raise ListError("list.empty", path, header=False)
    _check_old_excel(path, head)
    if not head.startswith(_ZIP):
        kind = _binary_kind(head)
        if kind is None:
            kind = None if _has_binary_nuls(head) else "text file"
        raise ListError("list.not_xlsx", path, kind=kind)
    kind = _zip_kind(path)
    if kind is not None and kind != "Excel workbook":
        raise ListError("list.not_xlsx", path, kind=kind)


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text list; UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1251."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        raise ListError("list.encoding", path, guess=_guess_encoding(data)) from None
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            pass
        else:
            if _plausible_cp1251(text):
                return text, "cp1251"
    raise ListError("list.encoding", path, guess=_guess_encoding(data))


_CP1251_TEXT = set(
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    "ІіЇїЄєҐґЎў№«»—–‘’‚“”„…•°±\xa0€§©®™·"
)
_CYR_VOWELS = set("АЕЁИОУЫЭЮЯІаеёиоуыэюяі")
_CASE_FLIP = re.compile(r"[а-яё][А-ЯЁ]")
_CYR_WORD = re.compile(r"[А-Яа-яЁё]{2,}")


def _plausible_cp1251(text: str) -> bool:
    """Whether Windows-1251 decoding gave Russian/Kazakh text (not KOI8-R, CP866 or binary)."""
    sample = text[:262_144]
    if any(ch < " " and ch not in "\t\r\n" for ch in set(sample)):
        return False
    counts = Counter(ch for ch in sample if ch > "\x7f")
    high = sum(counts.values())
    if not high:
        return True
    if sum(n for ch, n in counts.items() if ch in _CP1251_TEXT) < 0.97 * high:
        return False
    letters = sum(n for ch, n in counts.items() if ch.isalpha())
    if letters >= 20:
        vowels = sum(n for ch, n in counts.items() if ch in _CYR_VOWELS)
        if not 0.2 <= vowels / letters <= 0.7:
            return False
        words = len(_CYR_WORD.findall(sample))
        if words and len(_CASE_FLIP.findall(sample)) > 0.2 * words:
            return False
    return True


def _guess_encoding(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", 0.0
    for delimiter in (";", "\t", ","):
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        width, hits = Counter(wide).most_common(1)[0]
        score = width * hits / len(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(
    text: str, path: Path, progress: Progress, cancel: CancelFlag
) -> tuple[list[tuple[int, list[CellValue]]], str]:
    skip = 0
    first = text[:16].lstrip("\ufeff")
    if first[:4].lower() == "sep=" and len(first) > 4 and first[4] not in "\r\n":
        delimiter = first[4]  # Excel's "sep=;" hint line
        skip = 1
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[CellValue]]] = []
    last = 0
    try:
        for cells in reader:
            start = last + 1
            last = reader.line_num
            if start <= skip:
                continue
            if "".join(cells).strip():
                rows.append((start, cells))  # type: ignore[arg-type]
                if len(rows) % _EVERY == 0:
                    cancel.check()
                    progress(len(rows), 0, "list.read")
    except csv.Error as exc:
        raise ListError("list.corrupt", path, detail=f"line {last + 1}: {exc}") from exc
    return rows, delimiter


def _read_xlsx(
    path: Path, progress: Progress, cancel: CancelFlag
) -> list[tuple[int, list[CellValue]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=str(exc)) from exc
    except Exception as exc:  # zipfile, XML and openpyxl errors: all mean "not a readable xlsx"
        raise ListError("list.corrupt", path, detail=f"{type(exc).__name__}: {exc}") from exc
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[CellValue]]] = []
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some writers store a wrong used range
            # Nearly all the time is openpyxl's XML parsing; per cell, only non-text values are
            # converted, and a row is kept at its first non-blank cell.
            for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                cells: list[CellValue] = [
                    v if type(v) in _XLSX_AS_IS else _xlsx_value(v) for v in values
                ]
                for c in cells:
                    if c is not None and (type(c) is not str or c.strip()):
                        rows.append((line, cells))
                        break
                if line % _EVERY == 0:  # also through long runs of empty, formatted rows
                    cancel.check()
                    progress(len(rows), 0, "list.read")
            if rows:
                return rows
        return []
    except Cancelled:
        raise
    except Exception as exc:
        raise ListError("list.corrupt", path, detail=f"{type(exc).__name__}: {exc}") from exc
    finally:
        workbook.close()


_XLSX_AS_IS = frozenset({str, type(None)})


def _xlsx_value(value: object) -> CellValue:
    """A spreadsheet cell as text, keeping dates as dates."""
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    return str(value)
