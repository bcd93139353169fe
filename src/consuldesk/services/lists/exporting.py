"""Exporting nationals to a list that imports back unchanged and opens safely in a spreadsheet.

No value is ever run as a formula: a CSV cell that a spreadsheet would read as one gets an
apostrophe in front (:func:`~consuldesk.services.lists.base.with_formula_guard`, which the
importer takes off again); an XLSX cell holding text is always a text cell. Characters an XLSX
file cannot hold are escaped as Excel escapes them, so the list reads back exactly.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from consuldesk.domain.countries import country_code, country_name
from consuldesk.domain.enums import HouseholdKind, Sex
from consuldesk.domain.errors import ValidationError
from consuldesk.services.audited import EXPORT, record_file
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.files import discard, os_reason, temp_beside
from consuldesk.services.lists.base import (
    _EVERY,
    _FORMULA_START,
    LANGS,
    XLSX_SUFFIXES,
    ListError,
    with_formula_guard,
)
from consuldesk.services.lists.columns import export_header
from consuldesk.services.lists.plan import _chunks
from consuldesk.services.lists.planning import _NATIONAL_COLUMNS
from consuldesk.services.lists.values import _SEX_LABELS, _STATUS_LABELS, _YES_LABEL
from consuldesk.store.models import Household, HouseholdMember, National
from consuldesk.store.private import make_private

# -- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "record_id",
    "surname",
    "given_names",
    "patronymic",
    "surname_lat",
    "given_names_lat",
    "iin",
    "passport_no",
    "passport_expiry",
    "birth_date",
    "sex",
    "phones",
    "email",
    "messenger",
    "nationality",
    "host_country",
    "city",
    "address",
    "presence_status",
    "medical_condition",
    "mobility_needs",
    "pregnant",
    "consent_date",
    "notes",
    "group",
    "tour_operator",
)
_EXPORT_SOURCE = {
    "record_id": "id",
    "surname": "surname_cyr",
    "given_names": "given_names_cyr",
    "patronymic": "patronymic_cyr",
}
_WIDTHS = {"record_id": 38, "iin": 14, "passport_no": 13, "phones": 18, "address": 30, "notes": 30}


@functools.lru_cache(maxsize=512)
def _country_label(code: str, lang: str) -> str:
    """The country's name in ``lang`` when it reads back as the same code, else the code."""
    try:
        name = country_name(code, lang)
        return name if country_code(name) == code else code
    except ValidationError:
        return code


def _exporter(lang: str) -> Callable[[Any, dict[str, tuple[str, str | None]]], list[Any]]:
    """The function that turns a stored national (a row of ``_NATIONAL_COLUMNS``) into the
    cells of ``EXPORT_COLUMNS`` in ``lang``."""
    at = {name: i for i, name in enumerate(_NATIONAL_COLUMNS)}
    male, female = _SEX_LABELS[lang]
    yes = _YES_LABEL[lang]
    status = {s.value: labels[LANGS.index(lang)][0] for s, labels in _STATUS_LABELS.items()}
    plain = {
        c: at[_EXPORT_SOURCE.get(c, c)] for c in EXPORT_COLUMNS if _EXPORT_SOURCE.get(c, c) in at
    }
    i_sex, i_phones, i_country = at["sex"], at["phones"], at["host_country"]
    i_status, i_pregnant, i_id = at["presence_status"], at["pregnant"], at["id"]
    no_group = (None, None)

    def cell(column: str) -> Callable[[Any, tuple[str | None, str | None]], Any]:
        if column == "group":
            return lambda r, g: g[0]
        if column == "tour_operator":
            return lambda r, g: g[1]
        if column == "sex":
            return lambda r, g: (
                (male if r[i_sex] == Sex.MALE.value else female) if r[i_sex] else None
            )
        if column == "phones":
            return lambda r, g: ", ".join(r[i_phones] or ())
        if column == "host_country":
            return lambda r, g: _country_label(r[i_country], lang) if r[i_country] else None
        if column == "presence_status":
            return lambda r, g: status.get(r[i_status], r[i_status])
        if column == "pregnant":
            return lambda r, g: yes if r[i_pregnant] else None
        index = plain[column]
        return lambda r, g: r[index]

    getters = [cell(c) for c in EXPORT_COLUMNS]

    def cells(r: Any, groups: dict[str, tuple[str, str | None]]) -> list[Any]:
        group = groups.get(r[i_id], no_group)
        return [get(r, group) for get in getters]

    return cells


def _tour_groups(session: Session, ids: Sequence[str] | None) -> dict[str, tuple[str, str | None]]:
    ht = Household.__table__  # type: ignore[attr-defined]
    mt = HouseholdMember.__table__  # type: ignore[attr-defined]
    query = (
        select(mt.c.national_id, ht.c.name, ht.c.tour_operator)
        .join(ht, ht.c.id == mt.c.household_id)
        .where(
            ht.c.kind == HouseholdKind.TOUR_GROUP.value,
            ht.c.deleted_at.is_(None),
            mt.c.deleted_at.is_(None),
        )
        .order_by(ht.c.name.desc())
    )
    result: dict[str, tuple[str, str | None]] = {}
    chunks = [None] if ids is None else list(_chunks(ids))
    for chunk in chunks:
        q = query if chunk is None else query.where(mt.c.national_id.in_(chunk))
        for national_id, name, operator in session.execute(q):
            result[national_id] = (name, operator)  # the first group by name wins
    return result


def export_list(
    desk: Desk,
    path: Path | str,
    *,
    lang: str = "en",
    ids: Sequence[str] | None = None,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> int:
    """Write live nationals (all, by name, or the given ids in that order) to a list.

    ``.csv``: UTF-8 with BOM, ``;`` delimited, dates as dd.mm.yyyy (Excel in ru/kk locales opens
    it as is). A value a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a CR, also after apostrophes) gets an apostrophe in front, phone numbers
    such as ``'+77012345678`` included (OWASP "CSV Injection"). NUL characters, which no text
    list can carry, are left out; nothing else is changed.

    ``.xlsx``: every text value is a text cell, never a formula or an error value (IIN,
    passport and ID keep their leading zeros); one that would run as a formula also carries
    Excel's quote prefix, so that editing it keeps it text. Dates are date cells shown
    dd.mm.yyyy. Control characters, CR and a literal ``_xHHHH_`` are escaped as Excel escapes
    them (``_x0001_``, ``_x000D_``, ``_x005F_xHHHH_``). Text is never cut: a value longer than
    Excel's 32,767 characters in a cell is written whole (ConsulDesk reads it back whole; Excel
    is reported to repair such a file by cutting the value).

    Headers and values (sex, status, yes/no, country) are in ``lang`` and come from the import
    vocabulary, so the file imports back without changes: the importer takes the apostrophes
    off and reads the escapes back. The file is written to a temporary file beside the target
    and renamed over it.

    Returns:
        How many nationals were written.

    Raises:
        ValueError: ``lang`` is not ``en``, ``ru`` or ``kk``.
        ListError: ``list.extension``; ``list.write`` (nothing is left behind).
        Cancelled: ``cancel`` was set; nothing was written.
    """
    desk.require("export")
    path = Path(path)
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    suffix = path.suffix.lower()
    if suffix not in (".csv", *XLSX_SUFFIXES[:1]):
        raise ListError("list.export_extension", path, suffix=suffix or "—")
    cancel = cancel or CancelFlag()
    nt = National.__table__  # type: ignore[attr-defined]
    columns = [nt.c[c] for c in _NATIONAL_COLUMNS]
    with desk.casefile.read() as session:
        if ids is None:
            records = list(
                session.execute(
                    select(*columns)
                    .where(nt.c.deleted_at.is_(None))
                    .order_by(nt.c.sort_name, nt.c.seq)
                )
            )
        else:
            found: dict[str, Any] = {}
            for chunk in _chunks(list(dict.fromkeys(ids))):
                for r in session.execute(
                    select(*columns).where(nt.c.id.in_(chunk), nt.c.deleted_at.is_(None))
                ):
                    found[r.id] = r
            records = [found[i] for i in dict.fromkeys(ids) if i in found]
        groups = _tour_groups(session, ids)
    headers = [export_header(c, lang) for c in EXPORT_COLUMNS]
    total = len(records)

    export_cells = _exporter(lang)

    def rows() -> Iterator[list[Any]]:
        for done, r in enumerate(records):
            if done % _EVERY == 0:
                cancel.check()
                progress(done, total, "list.export")
            yield export_cells(r, groups)

    tmp = temp_beside(path)
    try:
        if suffix == ".csv":
            _write_csv(tmp, headers, rows())
        else:
            _write_xlsx(tmp, headers, rows())
        make_private(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ListError("list.write", path, detail=os_reason(exc)) from exc
    finally:
        discard(tmp)
    progress(total, total, "list.export")
    record_file(
        desk,
        "national",
        EXPORT,
        path,
        records=total,
        format=suffix.lstrip("."),
        lang=lang,
        chosen=ids is not None,
    )
    return total


# -- cell values ---------------------------------------------------------------------------

#: First characters of the values :func:`with_formula_guard` may change (a quick test).
_GUARD_FIRST = frozenset(("'", *_FORMULA_START))
#: What an XLSX cell's text cannot hold as it is: control characters (XML 1.0 has no place for
#: them, and openpyxl refuses them), CR (an XML reader turns it into LF), and the "_" of a
#: literal "_xHHHH_" (readers take it for an escape). Excel writes each as ``_xHHHH_`` (OOXML
#: ST_Xstring); calamine, which the importer reads with, turns them back.
_XLSX_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
#: Excel's limit of characters in a cell; openpyxl cuts longer text there.
_EXCEL_CELL_LIMIT = 32_767


def _xlsx_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def _csv_cell(value: Any) -> str:
    """A value as a CSV export writes it: dates as dd.mm.yyyy, text guarded against running
    as a formula."""
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, date):
            return f"{value:%d.%m.%Y}"
        value = str(value)
    if "\x00" in value:
        # NUL is the one character a CSV export drops: the importer refuses a text file holding
        # it as binary. Records are saved without control characters, but older ones may
        # carry them; the others are kept (the csv module quotes what needs quoting).
        value = value.replace("\x00", "")
    return with_formula_guard(value) if value[:1] in _GUARD_FIRST else value


def _write_csv(tmp: Path, headers: list[str], rows: Iterable[list[Any]]) -> None:
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(headers)
        for cells in rows:
            writer.writerow([_csv_cell(v) for v in cells])
        fh.flush()
        os.fsync(fh.fileno())


def _write_xlsx(tmp: Path, headers: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Nationals")
    sheet.freeze_panes = "A2"
    for i, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(column, 16)
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def text(value: str) -> Any:
        # A str value as a text cell: as it is when openpyxl makes a text cell of it, else a
        # cell typed by hand.
        formula_like = value[0] in _GUARD_FIRST and with_formula_guard(value) != value
        if formula_like and value[0] == "'":
            value = with_formula_guard(value)  # the importer takes one apostrophe off, as in CSV
        if not value.isprintable() or "_x" in value:
            value = _XLSX_ESCAPED.sub(_xlsx_escape, value)
        if not formula_like and value[0] != "#" and len(value) <= _EXCEL_CELL_LIMIT:
            return value
        # Not through ``cell.value``: openpyxl would make "=..." a formula and "#N/A" an error
        # value, and cut text at 32,767 characters.
        cell = WriteOnlyCell(sheet)
        cell._value = value
        cell.data_type = "s"
        if formula_like:
            cell.quotePrefix = True  # Excel keeps the cell text when it is edited
        return cell

    # IIN, passport and ID are text cells like every str value (leading zeros stay).
    for cells in rows:
        for i, value in enumerate(cells):
            if type(value) is str:
                cells[i] = text(value) if value else None
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD.MM.YYYY"
                cells[i] = cell
        sheet.append(cells)
    _save_xlsx(workbook, sheet, tmp)


def _save_xlsx(workbook: Any, sheet: Any, tmp: Path) -> None:
    """``workbook.save(tmp)``, except that a workbook whose saving fails (a full disk) is
    dropped at once: left to the garbage collector, openpyxl's archive and sheet would try to
    finish writing and print their own errors as tracebacks."""
    from openpyxl.writer.excel import ExcelWriter

    archive = None
    workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    try:
        archive = zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(workbook, archive).save()
    except BaseException:
        if archive is not None:
            fp, archive.fp = archive.fp, None  # ZipFile.close() then has nothing left to write
            with contextlib.suppress(Exception):
                if fp is not None:
                    fp.close()
        rows = getattr(sheet, "_rows", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        # The sheet's rows wait in a temporary file of openpyxl's (names, passports): it goes
        # now, not when the program ends.
        writer = getattr(sheet, "_writer", None)
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.close()
                writer.cleanup()
        raise
