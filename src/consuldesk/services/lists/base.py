"""What every stage of a list shares: its errors, results and limits."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from consuldesk.store.db import ChangeSet

ERROR_COLUMN = "Ошибка / Error"

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
LANGS = ("en", "ru", "kk")

_CHUNK = 900  # SQLite parameters per IN (...) query
_EVERY = 1000  # rows between progress reports and cancel checks
_INSERT_BATCH = 5000
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

    def __init__(self, code: str, path: Path | str, **params: Any) -> None:
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
        note: how the column is used, or why it is ignored (``"ignored: not recognised"``...).
    """

    header: str
    field: str | None
    note: str | None = None


@dataclass(frozen=True)
class RowError:
    """One problem with one row; a row may have several.

    Attributes:
        line: the row's line number in a CSV (the header is usually line 1) or its row number
            in a spreadsheet.
        field: the field concerned (a :class:`NationalFields` name).
        code, params: as in :class:`~consuldesk.domain.errors.ValidationError`.
        message: readable text (from ``consuldesk.messages.describe`` when available).
    """

    line: int
    field: str
    code: str
    params: dict[str, Any]
    message: str


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
    """

    path: Path
    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    headers: list[str]
    mapping: list[ColumnMapping]
    rows: list[tuple[int, list[CellValue]]]

    def record(self, index: int) -> dict[str, CellValue]:
        """Row ``index`` as ``{header: value}`` (later duplicate headers win)."""
        _, cells = self.rows[index]
        return {h: cells[i] if i < len(cells) else None for i, h in enumerate(self.headers)}


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, for a dry run, would do).

    ``total_rows`` = ``created + updated + unchanged + invalid``. ``errors`` holds one entry per
    problem (a row may have several); ``invalid`` counts rows.
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
    error_file: Path | None
    dry_run: bool
    changes: ChangeSet = field(default_factory=ChangeSet)


# -- shared helpers ------------------------------------------------------------------------


def _cell_text(value: CellValue) -> str:
    """A cell as text (dates as dd.mm.yyyy)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime) and (value.hour or value.minute or value.second):
        return f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%d.%m.%Y}"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk import.

    An import allocates millions of small acyclic objects; generation scans over them cost
    about 20 % of a 100,000-row import. Nothing here makes cycles that must be freed early.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
