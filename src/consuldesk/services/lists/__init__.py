"""Registration lists: import the CSV and XLSX lists that tour operators, the travel-app
registration export and embassy spreadsheets send, and export nationals back to such a list.

A list goes through these stages, one module each:

- :mod:`.reading`: what the file really is, its encoding and delimiter, its rows (a quote that
  never closes is found and the rows after it are still read), the header row;
- :mod:`.columns`: what each column holds, by its header in English, Russian or Kazakh, by the
  script of its values (``Фамилия`` and ``Surname`` side by side), or as the officer chose
  (remembered for the next list of that layout);
- :mod:`.values`: words in cells (sex, yes/no, status, family roles);
- :mod:`.checking`: every row read into a national's fields and validated; doubtful values set
  aside for review instead of losing the person; rows repeating a person read into one;
- :mod:`.planning`: against the case file: new, completed, unchanged or contradicting rows;
  probable duplicates; into :mod:`.plan`, what the import will do;
- :mod:`.households`: the tour groups and families the rows join;
- :mod:`.writing`: the plan written in one transaction;
- :mod:`.review_file`: the rows to look at, beside the list, for correcting and importing again;
- :mod:`.importing`: the use case that runs them;
- :mod:`.exporting`: nationals written as a list that imports back unchanged, safe to open in
  a spreadsheet.

:mod:`.base` holds what they share: :class:`ListError` (the whole file is refused; its codes
are listed in ``docs/IMPORT-COLUMNS.md`` and rendered by :mod:`consuldesk.messages`), the
results, and the limits.

Progress labels: ``list.read``, ``list.check``, ``list.save``, ``list.export``.
"""

from consuldesk.services.lists.base import (
    ERROR_COLUMN,
    RESULT_COLUMN,
    ColumnMapping,
    ImportReport,
    ListError,
    ParsedList,
    RowError,
)
from consuldesk.services.lists.columns import TARGETS, export_header, recognise_header
from consuldesk.services.lists.exporting import EXPORT_COLUMNS, export_list
from consuldesk.services.lists.importing import import_list, remembered_columns
from consuldesk.services.lists.reading import read_list
from consuldesk.services.lists.review_file import default_review_file

__all__ = [
    "ERROR_COLUMN",
    "EXPORT_COLUMNS",
    "RESULT_COLUMN",
    "TARGETS",
    "ColumnMapping",
    "ImportReport",
    "ListError",
    "ParsedList",
    "RowError",
    "default_review_file",
    "export_header",
    "export_list",
    "import_list",
    "read_list",
    "recognise_header",
    "remembered_columns",
]
