"""Registration lists: import the CSV and XLSX lists that tour operators, the travel-app
registration export and embassy spreadsheets send, and export nationals back to such a list.

Reading (:func:`read_list`) detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1251), the delimiter (``,`` ``;`` or tab) and the header row, and maps each header in
English, Russian or Kazakh to a field (see ``docs/IMPORT-COLUMNS.md``). Importing
(:func:`import_list`) validates every row with :func:`~consuldesk.domain.national.clean_national`,
writes the valid rows in one transaction, fills empty fields of records already on file, and
writes the invalid rows to a new error file the officer can fix and import again. Exporting
(:func:`export_list`) writes headers from the same vocabulary, so an exported list imports back
without changes: the people, their fields and their tour group (name and operator); not family
links, requests, placements or history.

List errors (:class:`ListError`, the whole file is refused and nothing is written):
    ``list.not_found``: the file does not exist.
    ``list.unreadable``: the file cannot be read. Params: ``detail``.
    ``list.extension``: not a ``.csv``, ``.txt``, ``.tsv``, ``.xlsx`` or ``.xlsm`` file.
        Params: ``suffix``.
    ``list.xls_old``: an old Excel 97–2003 workbook (``.xls``, also when named ``.csv`` or
        ``.xlsx``); save it as ``.xlsx`` or CSV.
    ``list.encrypted``: an Excel workbook protected with a password (opening password).
    ``list.not_text``: a ``.csv`` / ``.txt`` / ``.tsv`` file that is not text (NUL bytes in its
        first 8 KB, or a known signature). Params: ``kind`` (``"PNG image"``, ``"JPEG image"``,
        ``"GIF image"``, ``"PDF"``, ``"Excel workbook"``, ``"Word document"``,
        ``"OpenDocument spreadsheet"``, ``"ZIP archive"``…, or ``None`` when unknown).
    ``list.not_xlsx``: an ``.xlsx`` / ``.xlsm`` file that is not an Excel workbook. Params:
        ``kind`` (as for ``list.not_text``, ``"text file"`` for text, or ``None``).
    ``list.encoding``: the text is neither UTF-8, UTF-16 (with BOM) nor Windows-1251.
        Params: ``guess`` (charset-normalizer's best guess, or ``None``).
    ``list.corrupt``: the spreadsheet (a damaged or cut-short ``.xlsx``) or CSV cannot be
        parsed. Params: ``detail``.
    ``list.empty``: the file has no rows at all (``header`` is ``False``: a 0-byte or blank
        file), or a header row and nothing under it (``header`` is ``True``). Params:
        ``header``.
    ``list.no_name_column``: no column holds a surname or a name. Params: ``headers``.
    ``list.duplicate_column``: two columns map to one field. Params: ``field``, ``headers``.
    ``list.write``: the export or error file cannot be written (disk full, no permission);
        nothing is left behind. Params: ``detail``.

Row errors (:class:`RowError`, the row is not imported and goes to the error file): every code of
:func:`~consuldesk.domain.national.clean_national`, ``date.format`` / ``date.invalid``
(:func:`~consuldesk.domain.dates.parse_date`), ``country.unknown`` (field ``nationality``), and:
    ``list.sex``: a sex value we do not know. Params: ``value``.
    ``list.yes_no``: not a yes/no value. Params: ``value``.
    ``list.status``: not a presence status we know. Params: ``value``.
    ``list.name_conflict``: two columns give different names for one field. Params: ``value``,
        ``other``.
    ``list.duplicate_row``: the IIN or passport number (field) was on an earlier row of the same
        file. Params: ``line``, ``value``.
    ``list.match_conflict``: the row's IIN, passport number or ConsulDesk ID point at two
        different records on file (params ``value``, ``existing_id``, ``matched_id``), or its
        IIN differs from the IIN of the record it matched (params ``value``, ``existing_id``).

Progress labels: ``list.read``, ``list.check``, ``list.save``, ``list.export``.
"""

from consuldesk.services.lists.base import (
    ERROR_COLUMN,
    ColumnMapping,
    ImportReport,
    ListError,
    ParsedList,
    RowError,
)
from consuldesk.services.lists.columns import export_header, recognise_header
from consuldesk.services.lists.error_file import default_error_file
from consuldesk.services.lists.exporting import EXPORT_COLUMNS, export_list
from consuldesk.services.lists.importing import import_list
from consuldesk.services.lists.reading import read_list

__all__ = [
    "ERROR_COLUMN",
    "EXPORT_COLUMNS",
    "ColumnMapping",
    "ImportReport",
    "ListError",
    "ParsedList",
    "RowError",
    "default_error_file",
    "export_header",
    "export_list",
    "import_list",
    "read_list",
    "recognise_header",
]
