"""Reading a list file: what it really is, its encoding, delimiter, header row and rows."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from consuldesk.services.desk import CancelFlag, Cancelled, Progress, no_progress
from consuldesk.services.files import os_reason
from consuldesk.services.lists.base import (
    _EVERY,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    CellValue,
    ListError,
    ParsedList,
    _cell_text,
)
from consuldesk.services.lists.columns import (
    _find_header,
    header_at,
    layout_key,
    map_columns,
    resolve_columns,
    with_subheader,
)
from consuldesk.store.db import gc_paused

# -- reading -------------------------------------------------------------------------------

#: Python's csv module refuses fields over 128 KiB by default; a list's notes may be longer
#: (and what ConsulDesk exports must import back). The limit is the C long's on every OS.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Remembered = Callable[[str], Mapping[int, str | None] | None]


def read_list(
    path: Path | str,
    *,
    columns: Mapping[str, str | None] | None = None,
    remembered: Remembered | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> ParsedList:
    """Read a list file: encoding, delimiter, header row and column mapping.

    Of a workbook, the sheet read is ``sheet``, else the first whose header names columns
    ConsulDesk knows (an instructions sheet before the list is passed over), else the first
    that holds anything; the other sheets that hold rows are said (``other_sheets``), never
    left out without a word.

    The header is the first of the first ten non-empty rows that has at least two recognised
    headers (so title rows above it are skipped), else the first non-empty row. Rows whose
    cells are all empty are left out (their line numbers are simply skipped).

    Args:
        path: the list.
        columns: what the officer says some columns hold, by header (see
            :func:`~consuldesk.services.lists.columns.resolve_columns`); the others are
            recognised by their headers.
        remembered: a look-up of the choices made for a list of the same layout before (by
            :func:`~consuldesk.services.lists.columns.layout_key`); used when ``columns`` is
            not given.
        encoding: read a text list in this encoding (a Python codec name, such as
            ``koi8-r``) instead of detecting it.
        sheet: the name of the workbook's sheet to read (ignored for a text list).

    Raises:
        ListError: ``list.not_found``, ``list.folder``, ``list.unreadable``,
            ``list.extension``, ``list.no_extension``, ``list.xls_old``, ``list.encrypted``,
            ``list.not_text``, ``list.not_xlsx``,
            ``list.encoding``, ``list.corrupt``, ``list.empty``, ``list.no_name_column``,
            ``list.duplicate_column``, ``list.column_unknown``, ``list.column_target``,
            ``list.sheet_unknown`` (no sheet of that name; params ``sheet``, ``sheets``).
        Cancelled: ``cancel`` was set.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ListError("list.folder", path)
    if suffix not in TEXT_SUFFIXES + XLSX_SUFFIXES:
        if suffix == ".xls" and path.is_file():
            _check_old_excel(path, _read_head(path))
        if not suffix:
            raise ListError("list.no_extension", path)
        raise ListError("list.extension", path, suffix=suffix)
    if not path.is_file():
        if path.exists():
            raise ListError("list.unreadable", path, detail="not a file")
        raise ListError("list.not_found", path)
    cancel = cancel or CancelFlag()
    delimiter: str | None = None
    notes: list[tuple[int, str, dict[str, Any]]] = []
    others: tuple[tuple[str, int], ...] = ()
    if suffix in XLSX_SUFFIXES:
        fmt = "xlsx"
        _check_xlsx_file(path, _read_head(path))
        encoding = None
        data = _read_bytes(path)
        with gc_paused():  # keeping 100,000 rows of cells: ~20 % of the time in GC scans
            rows, notes, sheet, others = _read_xlsx(path, data, sheet, progress, cancel)
    else:
        fmt = "csv"
        sheet = None
        data = _read_bytes(path)
        _check_text_file(path, data[:_SNIFF])
        text, encoding = _decode(data, path, encoding)
        with gc_paused():
            rows, delimiter, notes = _read_csv(text, path, progress, cancel)
    if not rows:
        raise ListError("list.empty", path, header=False)
    header_index = _find_header(rows)
    header_line, header_cells = rows[header_index]
    headers = [_cell_text(c) for c in header_cells]
    if headers and headers[0].startswith("\ufeff"):
        headers[0] = headers[0][1:]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (their data, if any, stays in the rows)
    data_rows = rows[header_index + 1 :]
    if data_rows and (two_rows := with_subheader(headers, data_rows[0][1])) is not None:
        header_line, headers, data_rows = data_rows[0][0], two_rows, data_rows[1:]
        while headers and not headers[-1]:
            headers.pop()
    layout = layout_key(headers)
    chosen = resolve_columns(path, headers, columns) if columns else None
    earlier = remembered(layout) if remembered is not None and chosen is None else None
    mapping = map_columns(path, headers, data_rows, chosen, earlier)
    if not data_rows:
        raise ListError("list.empty", path, header=True)
    notes = [n for n in notes if n[0] > header_line]
    return ParsedList(
        path,
        fmt,
        encoding,
        delimiter,
        header_line,
        headers,
        mapping,
        data_rows,
        layout,
        notes,
        hashlib.sha256(data).hexdigest(),
        sheet,
        others,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=os_reason(exc)) from exc


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
        raise ListError("list.unreadable", path, detail=os_reason(exc)) from exc


def _check_old_excel(path: Path, head: bytes) -> None:
    """Refuse an OLE2 compound file: an old ``.xls``, or an ``.xlsx`` locked with a password."""
    if not head.startswith(_OLE2):
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListError("list.unreadable", path, detail=os_reason(exc)) from exc
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


def _decode(data: bytes, path: Path, forced: str | None = None) -> tuple[str, str]:
    """Decode a text list: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1251, or the
    encoding the officer chose (``forced``, a Python codec name).

    Raises:
        ListError: ``list.encoding`` (params ``guess``, the encoding the text looks like, as a
            person names it, and ``codec``, its Python name; both ``None`` when unknown).
    """
    if forced:
        try:
            codec = codecs.lookup(forced).name
        except LookupError:
            raise ListError("list.encoding_unknown", path, value=forced) from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise ListError(
                "list.encoding_wrong",
                path,
                encoding=_ENCODING_NAMES.get(codec, forced),
                position=exc.start,
                line=data.count(b"\n", 0, exc.start) + 1,
            ) from None
        return text.removeprefix("\ufeff"), codec
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        raise _encoding_error(data, path) from None
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
            if _plausible_cyrillic(text):
                return text, "cp1251"
        if (mixed := _mixed_lines(data)) is not None:
            lines, guess = mixed
            raise ListError("list.encoding_mixed", path, lines=lines, guess=guess)
    elif data.count(b"\x00") * 20 < len(data):
        # A few NULs in text (UTF-16 has one in every other byte or so): a damaged file.
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ListError("list.nul_bytes", path, line=line)
    raise _encoding_error(data, path)


def _mixed_lines(data: bytes) -> tuple[str, str] | None:
    """The lines (the first few, as text) and the encoding they look like, of a list that is
    UTF-8 but for them (pasted from a file in another encoding); ``None`` when it is not
    mostly UTF-8."""
    good, bad = 0, []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad.append((number, line))
    if not bad or good < len(bad):
        return None
    codec = _guess_encoding(b"\n".join(line for _, line in bad))
    guess = encoding_name(codec) if codec else None
    shown = ", ".join(str(n) for n, _ in bad[:5]) + (", …" if len(bad) > 5 else "")
    return shown, guess or "—"


#: How a person names the encodings a list may come in (by Python codec name).
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1251": "Windows-1251",
    "koi8-r": "KOI8-R",
    "koi8-u": "KOI8-U",
    "cp866": "DOS 866 (CP866)",
    "mac-cyrillic": "Mac Cyrillic",
    "iso8859-5": "ISO 8859-5",
    "cp1252": "Windows-1252",
    "latin-1": "ISO 8859-1",
}
# Cyrillic single-byte encodings worth naming, in the order they are tried.
_CYRILLIC_CODECS = ("koi8-r", "cp866", "mac-cyrillic", "iso8859-5")


def encoding_name(codec: str | None) -> str:
    """An encoding as a person names it (``koi8-r`` → ``KOI8-R``)."""
    if not codec:
        return ""
    try:
        codec = codecs.lookup(codec).name
    except LookupError:
        return codec
    return _ENCODING_NAMES.get(codec, codec.upper())


def _encoding_error(data: bytes, path: Path) -> ListError:
    codec = _guess_encoding(data)
    guess = encoding_name(codec) if codec else None
    return ListError("list.encoding", path, guess=guess, codec=codec)


def _guess_encoding(data: bytes) -> str | None:
    """The Python codec a text that is not UTF-8 or Windows-1251 looks like, or ``None``."""
    sample = data[:262_144]
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return utf16
    if b"\x00" not in sample:
        for codec in _CYRILLIC_CODECS:
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                continue
            if _has_cyrillic(text) and _plausible_cyrillic(text):
                return codec
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:  # pragma: no cover - charset-normalizer names Python codecs
        return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for UTF-16 text saved without its byte-order mark."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    for codec, zeros in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        # ASCII letters, digits and separators have a zero high byte; Cyrillic has 0x04.
        high = Counter(zeros)
        if (high[0] + high[4]) >= 0.9 * len(zeros) and high[0] >= 0.2 * len(zeros):
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                continue
            if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.98 * len(text):
                return codec
    return None


_CP1251_TEXT = set(
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    "ІіЇїЄєҐґЎў№«»—–‘’‚“”„…•°±\xa0€§©®™·"
)
_CYR_VOWELS = set("АЕЁИОУЫЭЮЯІаеёиоуыэюяі")
_CASE_FLIP = re.compile(r"[а-яё][А-ЯЁ]")
_CYR_WORD = re.compile(r"[А-Яа-яЁё]{2,}")


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _plausible_cyrillic(text: str) -> bool:
    """Whether a single-byte decoding gave Russian/Kazakh text, as people write it: not the
    letters of another Cyrillic encoding (KOI8-R read as Windows-1251 swaps upper and lower
    case and scatters vowels) and no control characters. ``_CP1251_TEXT`` holds every
    character Cyrillic text uses in these encodings."""
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


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields (the rows of
    a table), then the one that makes more fields: a ``;`` list whose notes hold commas
    (``,,`` in every cell, "Dubai, Marina") is not read as a ``,`` list."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in (";", "\t", ","):
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        width, hits = Counter(wide).most_common(1)[0]
        score = (hits / len(counts), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(
    text: str, path: Path, progress: Progress, cancel: CancelFlag
) -> tuple[list[tuple[int, list[CellValue]]], str, list[tuple[int, str, dict[str, Any]]]]:
    """The rows of a text list with their first line numbers, its delimiter, and notes.

    A quote that opens a field and never closes would swallow every following line into one
    field. Such a record is found (an odd number of quotes in its lines, or lines inside it
    that look like rows of their own) and its first line is read alone, the stray quote left
    out, with a ``list.unclosed_quote`` note; reading goes on with the next line, so no row
    after it is lost.
    """
    skip = 0
    first = text[:16].lstrip("\ufeff")
    if first[:4].lower() == "sep=" and len(first) > 4 and first[4] not in "\r\n":
        delimiter = first[4]  # Excel's "sep=;" hint line
        skip = 1
    else:
        delimiter = _sniff_delimiter(text)
    lines = io.StringIO(text, newline="").readlines()  # splits at \r, \n and \r\n only
    row_like = _typical_width(lines[skip : skip + 20], delimiter)  # fields of a line that is a row
    rows: list[tuple[int, list[CellValue]]] = []
    notes: list[tuple[int, str, dict[str, Any]]] = []
    at = skip  # index of the next line to read
    while at < len(lines):
        reader = csv.reader(_from(lines, at), delimiter=delimiter)
        begin = at
        last = 0
        broken: int | None = None
        try:
            for cells in reader:
                start = begin + last  # index of the record's first line
                last = reader.line_num
                end = begin + last
                if (end - start > 1 or end == len(lines)) and _runaway(
                    lines, start, end, delimiter, row_like
                ):
                    broken = start
                    break
                if "".join(cells).strip():
                    rows.append((start + 1, cells))  # type: ignore[arg-type]
                    if len(rows) % _EVERY == 0:
                        cancel.check()
                        progress(len(rows), 0, "list.read")
        except csv.Error as exc:
            raise ListError("list.corrupt", path, detail=f"line {begin + last + 1}: {exc}") from exc
        if broken is None:
            break
        cells = _without_stray_quotes(lines[broken], delimiter)
        if "".join(cells).strip():
            rows.append((broken + 1, cells))  # type: ignore[arg-type]
        notes.append((broken + 1, "list.unclosed_quote", {"line": broken + 1}))
        at = broken + 1
    return rows, delimiter, notes


def _from(lines: list[str], start: int) -> Iterator[str]:
    for index in range(start, len(lines)):
        yield lines[index]


def _typical_width(lines: list[str], delimiter: str) -> int:
    """How many fields the widest of the first lines has (quotes not minded: a guess)."""
    return max((line.count(delimiter) + 1 for line in lines), default=1)


def _runaway(lines: list[str], start: int, end: int, delimiter: str, row_like: int) -> bool:
    """Whether the record on ``lines[start:end]`` is a quote that never closed, rather than a
    quoted field with line breaks (a note written over several lines).

    It is when the file ends inside the quote (an odd number of quotes); when the quote is
    "closed" by a stray quote in the middle of some later cell (a writer puts a delimiter or the
    line's end after a closing quote); or when a line inside the field has exactly as many
    fields as the list's rows and no quote (the swallowed rows). A note that holds a whole
    row's worth of separators on a line of its own would be taken for a broken quote too: it
    would be read line by line and marked for review, never silently merged.
    """
    if sum(lines[i].count('"') for i in range(start, end)) % 2:
        return True  # the last quote opened and the file ended
    if end - start < 2:
        return False
    last = lines[end - 1]
    closing = _closing_quote(last)
    if closing is not None and last[closing + 1 : closing + 2] not in ("", delimiter, "\r", "\n"):
        return True
    # Lines wholly inside the quoted field (no quote of their own) that look like rows.
    inside = [lines[i] for i in range(start + 1, end - 1) if '"' not in lines[i]]
    inside.append(last[: closing if closing is not None else len(last)])
    return any(line.count(delimiter) + 1 == row_like for line in inside)


def _closing_quote(line: str) -> int | None:
    """Where the quoted field a line continues closes (``""`` is a quote inside it)."""
    at = 0
    while (at := line.find('"', at)) != -1:
        if line[at + 1 : at + 2] == '"':
            at += 2
            continue
        return at
    return None


def _without_stray_quotes(line: str, delimiter: str) -> list[str]:
    """A broken line's cells: quoted cells unquoted, a quote that opens and never closes left
    out."""
    cells = []
    for cell in line.rstrip("\r\n").split(delimiter):
        if len(cell) > 1 and cell.startswith('"') and cell.endswith('"'):
            cell = cell[1:-1].replace('""', '"')
        elif cell.startswith('"'):
            cell = cell[1:]
        cells.append(cell)
    return cells


_Sheet = tuple[
    list[tuple[int, list[CellValue]]],  # its rows, with their numbers
    list[tuple[int, str, dict[str, Any]]],  # notes of its cells
    str | None,  # its name
    tuple[tuple[str, int], ...],  # the other sheets that hold rows, with how many
]


def _read_xlsx(
    path: Path, data: bytes, sheet: str | None, progress: Progress, cancel: CancelFlag
) -> _Sheet:
    """The rows of the sheet to read (see :func:`read_list`), with their row numbers
    (``data``: the file), notes of its cells whose value the file does not hold
    (:func:`_formulas_without_values`), its name, and the other sheets that hold rows.

    Read with calamine (Rust), many times faster than openpyxl on large sheets; it also turns
    the escapes Excel writes for control characters (``_x0001_``) back into characters.
    """
    # The first sheet's formulas are looked for beside calamine (unzipping mostly runs
    # without the GIL): 0.3 s more on a 100,000-row sheet, against 0.55 s after it.
    with ThreadPoolExecutor(1, "formulas") as pool:
        first_sheet = pool.submit(_formulas_without_values, data, 0)
        return _calamine_rows(path, data, sheet, first_sheet, progress, cancel)


def _calamine_rows(
    path: Path,
    data: bytes,
    wanted: str | None,
    first_sheet: Future[list[tuple[int, str, dict[str, Any]]]],
    progress: Progress,
    cancel: CancelFlag,
) -> _Sheet:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # zip, XML and calamine errors: all mean "not a readable xlsx"
        if not zipfile.is_zipfile(io.BytesIO(data)):
            # It starts as a workbook does and its end is missing: cut short on the way here.
            raise ListError("list.xlsx_cut", path) from exc
        raise ListError("list.corrupt", path, detail=_calamine_detail(exc)) from exc
    try:
        names = list(workbook.sheet_names)
        if wanted is not None and wanted not in names:
            raise ListError(
                "list.sheet_unknown",
                path,
                sheet=wanted,
                sheets=", ".join(f"“{n}”" for n in names),
            )
        chosen: tuple[int, str, list[tuple[int, list[CellValue]]]] | None = None
        first: tuple[int, str, list[tuple[int, list[CellValue]]]] | None = None
        counts: list[tuple[str, int]] = []
        for index, name in enumerate(names):
            rows: list[tuple[int, list[CellValue]]] = []
            sheet = workbook.get_sheet_by_name(name)
            # From A1, so that row numbers and column letters are the ones Excel shows.
            for line, values in enumerate(sheet.to_python(skip_empty_area=False), start=1):
                for v in values:
                    if v != "" and (type(v) is not str or v.strip()):
                        rows.append(
                            (line, [v if type(v) is str else _xlsx_value(v) for v in values])
                        )
                        break
                if line % _EVERY == 0:
                    cancel.check()
                    progress(len(rows), 0, "list.read")
            if not rows:
                continue
            at = header_at(rows)
            counts.append((name, len(rows) - (0 if at is None else at + 1)))  # rows under it
            if chosen is None and (name == wanted if wanted else at is not None):
                chosen = (index, name, rows)
            elif first is None and chosen is None and wanted is None:
                first = (index, name, rows)  # read when no sheet has a header ConsulDesk knows
        chosen = chosen or first
        if chosen is None:
            return [], [], None, ()
        index, name, rows = chosen
        notes = first_sheet.result() if index == 0 else _formulas_without_values(data, index)
        return rows, notes, name, tuple(c for c in counts if c[0] != name and c[1])
    except (Cancelled, ListError):
        raise
    except Exception as exc:
        raise ListError("list.corrupt", path, detail=_calamine_detail(exc)) from exc
    finally:
        workbook.close()


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")  # a formula element, with or without a prefix


def _formulas_without_values(data: bytes, sheet: int) -> list[tuple[int, str, dict[str, Any]]]:
    """``list.formula_no_value`` notes for the cells of the ``sheet``-th sheet that hold a
    formula but not its result, by row: a workbook written by a program and never opened in a
    spreadsheet keeps no results, and calamine reads those cells as empty. A person of such a
    row is kept for review and told why a value is missing (the surname too: the refusal says
    so).

    The sheet's XML is scanned for a formula first; only a sheet that has one is parsed. What
    cannot be read here is left as calamine read it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = _sheet_member(archive, sheet)
            if member is None or not _has_formula(archive, member):
                return []
            with archive.open(member) as fh:
                return _formula_notes(fh)
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError, ValueError):
        return []


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_member(archive: zipfile.ZipFile, sheet: int) -> str | None:
    """The archive member of the ``sheet``-th sheet, as the workbook lists them."""
    sheets = [
        next((v for k, v in e.attrib.items() if _local(k) == "id"), None)
        for e in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter()
        if _local(e.tag) == "sheet"
    ]
    if sheet >= len(sheets):
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") for e in rels.iter() if e.get("Id") == sheets[sheet]), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _has_formula(archive: zipfile.ZipFile, member: str) -> bool:
    with archive.open(member) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-8:]
    return False


def _formula_notes(fh: Any) -> list[tuple[int, str, dict[str, Any]]]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
    from openpyxl.utils.cell import get_column_letter as letters

    notes: list[tuple[int, str, dict[str, Any]]] = []
    line = column = 0
    for event, e in ElementTree.iterparse(fh, events=("start", "end")):
        tag = _local(e.tag)
        if event == "start":
            if tag == "row":
                line = int(e.get("r") or line + 1)
                column = 0
            continue
        if tag == "c":
            ref = e.get("r")
            column = column_index_from_string(coordinate_from_string(ref)[0]) if ref else column + 1
            formula = value = None
            for child in e:
                if _local(child.tag) == "f":
                    formula = child
                elif _local(child.tag) == "v":
                    value = child
            # (an empty result of a text formula is written t="str" with an empty value)
            if formula is not None and (
                value is None or (not value.text and e.get("t") not in ("str", "inlineStr"))
            ):
                cell = ref or f"{letters(column)}{line}"
                params = {"cell": cell, "column": column - 1, "formula": f"={formula.text or ''}"}
                notes.append((line, "list.formula_no_value", params))
            e.clear()
        elif tag == "row":
            e.clear()
    return notes


def _calamine_detail(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


_XLSX_AS_IS = frozenset({str, type(None)})


def _xlsx_value(value: object) -> CellValue:
    """A spreadsheet cell as text, keeping dates as dates (empty cells as ``None``)."""
    if value is None or value == "":
        return None
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
