"""Errors about the case file itself: missing, locked, unwritable, too new, not a case file."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class CaseFileError(Exception):
    """A case file cannot be opened or written.

    Attributes:
        code: stable identifier, e.g. ``"casefile.locked"``.
        path: the case file concerned.
        params: details for the message (revisions, the SQLite error text...).

    Codes: ``casefile.not_found``, ``casefile.empty``, ``casefile.exists``, ``casefile.not_sqlite``,
    ``casefile.not_casefile``, ``casefile.too_new`` (``revision``), ``casefile.locked``,
    ``casefile.readonly``, ``casefile.readonly_folder`` (``folder``), ``casefile.no_fts5``,
    ``casefile.no_access`` (cannot even be read),
    ``casefile.corrupt`` (``detail``, maybe ``tables``: damaged pages, the only code that means
    the file itself is broken), ``casefile.io_error`` (``detail``), ``casefile.disk_full``,
    ``casefile.no_post``, ``casefile.write_refused`` (``detail``: the file failed its integrity
    check; nothing is written into it), ``casefile.encrypted``, ``casefile.wrong_key``,
    ``casefile.not_encrypted``.
    """

    def __init__(self, code: str, path: Path | str, /, **params: Any) -> None:
        self.code = code
        self.path = Path(path)
        self.params = params
        super().__init__(f"{code}: {path} {params}" if params else f"{code}: {path}")


class NotFound(LookupError):
    """A record asked for by id does not exist (or was deleted)."""

    def __init__(self, table: str, record_id: str) -> None:
        self.table = table
        self.record_id = record_id
        super().__init__(f"{table} {record_id} not found")
