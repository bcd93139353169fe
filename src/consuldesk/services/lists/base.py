"""What every stage of a list shares: its errors, results and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consuldesk.store.db import ChangeSet

#: Headers of the columns a review file adds (recognised, and ignored, on re-import).
ERROR_COLUMN = "Ошибка / Error"
RESULT_COLUMN = "Итог / Result"
#: The same two columns of a review file written in Kazakh (read back as either).
KAZAKH_COLUMNS = ("Нәтиже / Result", "Қате / Error")

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
LANGS = ("en", "ru", "kk")

_CHUNK = 900  # SQLite parameters per IN (...) query
_EVERY = 1000  # rows between progress reports and cancel checks
_HEADER_SEARCH = 10  # non-empty rows searched for the header row

CellValue = str | date | None  # ``datetime`` is a ``date``

# -- results -------------------------------------------------------------------------------


class ListError(Exception):
    """A list cannot be read or written as a whole (codes in the module docs).

    Attributes:
        code: stable identifier, e.g. ``"list.encoding"``.
        path: the file concerned.
        params: details for the message.
    """

    #: For column problems (``list.duplicate_column``, ``list.no_name_column``): how each column
    #: was read, so the officer can choose what the columns hold and try again.
    mapping: list[ColumnMapping] | None = None

    def __init__(self, code: str, path: Path | str, /, **params: Any) -> None:
        self.code = code
        self.path = Path(path)
        self.params = params
        super().__init__(f"{code}: {path} {params}" if params else f"{code}: {path}")


@dataclass(frozen=True)
class ColumnMapping:
    """What one column of a list is read as.

    Attributes:
        header: the header as written in the file.
        field: a :class:`NationalFields` name; or ``surname``, ``given_names``, ``patronymic``
            (routed by script), ``full_name``, ``full_name_lat`` (split into surname, given
            names, patronymic), ``group``, ``tour_operator``, ``record_id``; ``None`` when
            ignored.
            ``household``, ``relation`` (families); ``None`` when ignored.
        note: how the column is used, or why it is ignored (``"ignored: not recognised"``...).
        index: the column's position, from 0.
        sample: the first value under the header, as text ("" when the column is empty).
        origin: why it is read so: ``"recognised"`` (by its header), ``"chosen"`` (the officer
            said so for this import), ``"remembered"`` (the officer chose it for a list with
            the same headers before).
    """

    header: str
    field: str | None
    note: str | None = None
    index: int = 0
    sample: str = ""
    origin: str = "recognised"


#: Kinds of :class:`RowError`.
REFUSED = "refused"  # the row was not imported
SET_ASIDE = "set_aside"  # the person was imported without this value, marked for review
NOTE = "note"  # nothing was lost; the officer should know (a row repeating another)


@dataclass(frozen=True)
class RowError:
    """One problem with one row; a row may have several.

    Attributes:
        line: the row's line number in a CSV (the header is usually line 1) or its row number
            in a spreadsheet.
        field: the field concerned (a :class:`NationalFields` name, ``household`` or
            ``relation``).
        code, params: as in :class:`~consuldesk.domain.errors.ValidationError`.
        message: readable text (from ``consuldesk.messages.describe``).
        value: the value concerned, as given ("" when the problem is not one value's).
        kind: :data:`REFUSED`, :data:`SET_ASIDE` or :data:`NOTE`.
    """

    line: int
    field: str
    code: str
    params: dict[str, Any]
    message: str
    value: str = ""
    kind: str = REFUSED


@dataclass(frozen=True)
class ParsedList:
    """A list as read from its file, before validation.

    Attributes:
        path: the file.
        format: ``"csv"`` or ``"xlsx"``.
        encoding: the text encoding (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1251"``);
            ``None`` for spreadsheets.
        delimiter: the CSV delimiter; ``None`` for spreadsheets.
        header_line: line (row) number of the header.
        headers: the header cells as written.
        mapping: one entry per header.
        rows: ``(line, cells)`` for every non-empty row below the header; cells are aligned
            with ``headers`` (a row may be shorter or longer) and hold text, or ``date`` /
            ``datetime`` for spreadsheet date cells.
        layout: what identifies the list's headers (for remembered column choices).
        notes: ``(line, code, params)`` of what reading the file had to repair, such as a
            quote that never closes (``list.unclosed_quote``).
        sha256: the SHA-256 of the file's bytes, hex (the import's audit event names it).
        sheet: the workbook's sheet read (``None`` for a text list).
        other_sheets: ``(name, rows)`` of the workbook's other sheets that hold rows: not
            read (see :func:`~consuldesk.services.lists.reading.read_list`).
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    headers: list[str]
    mapping: list[ColumnMapping]
    rows: list[tuple[int, list[CellValue]]]
    layout: str = ""
    notes: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    sha256: str = ""
    sheet: str | None = None
    other_sheets: tuple[tuple[str, int], ...] = ()

    def record(self, index: int) -> dict[str, CellValue]:
        """Row ``index`` as ``{header: value}`` (later duplicate headers win)."""
        _, cells = self.rows[index]
        return {h: cells[i] if i < len(cells) else None for i, h in enumerate(self.headers)}


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run, would do).

    ``total_rows`` = ``created + updated + unchanged + invalid``. ``errors`` holds one entry per
    problem of the rows refused (a row may have several); ``invalid`` counts those rows.
    ``warnings`` holds the values set aside and the notes of rows that were imported;
    ``needs_review`` counts the people imported with a value set aside. The review file holds
    both kinds of rows, for the officer to correct and import again.
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    mapping: list[ColumnMapping]
    total_rows: int
    created: int
    updated: int
    unchanged: int
    invalid: int
    errors: list[RowError]
    flagged_duplicates: int
    groups_created: int
    members_added: int
    review_file: Path | None
    dry_run: bool
    changes: ChangeSet = field(default_factory=ChangeSet)
    warnings: list[RowError] = field(default_factory=list)
    needs_review: int = 0
    families_created: int = 0
    sheet: str | None = None  # the workbook's sheet read
    other_sheets: tuple[tuple[str, int], ...] = ()  # (name, rows) of its sheets not read


# -- shared helpers ------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection"):
# exports put an apostrophe before such a value, and imports take it off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def with_formula_guard(text: str) -> str:
    """``text`` as a spreadsheet must receive it: an apostrophe before a value that would run
    as a formula. Values already starting with apostrophes before such a character get one
    more, so :func:`without_formula_guard` gives back exactly ``text``."""
    if text.lstrip("'").startswith(_FORMULA_START):
        return "'" + text
    return text


def without_formula_guard(text: str) -> str:
    """The value a cell written by :func:`with_formula_guard` stands for."""
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


def _cell_text(value: CellValue) -> str:
    """A cell as text (dates as dd.mm.yyyy)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime) and (value.hour or value.minute or value.second):
        return f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%d.%m.%Y}"
