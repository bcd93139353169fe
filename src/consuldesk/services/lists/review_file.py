"""The review file: the rows an officer has to look at, beside the list, never overwriting a file
the officer may be correcting.

It holds the rows that were not imported and the rows whose person was imported with a value
set aside, with the list's own columns, the ConsulDesk ID of the person imported, the result and
the reasons. Corrected and imported again, each row finds its person by that ID and settles what
was set aside.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from consuldesk.i18n import _, language
from consuldesk.services.files import discard, os_reason, temp_beside
from consuldesk.services.lists.base import (
    ERROR_COLUMN,
    KAZAKH_COLUMNS,
    REFUSED,
    RESULT_COLUMN,
    ListError,
    ParsedList,
    RowError,
    _cell_text,
    with_formula_guard,
)
from consuldesk.services.lists.columns import export_header
from consuldesk.store.private import make_private

# Names of the review files of one list: <stem>.review.csv, then stamped ones. The stem of a
# review file (or of an error file of older versions) is that of its list.
_REVIEW_STEM = re.compile(r"(?P<list>.+?)\.(?:review|errors)(?:-\d{8}-\d{6}(?:-\d+)?)?")
_MAX_REVIEW_FILES = 1000  # numbered names tried before giving up


@dataclass(frozen=True)
class ReviewRow:
    """A row of the review file: the list's row, the person it imported into (if any), and
    the problems."""

    index: int
    record_id: str | None
    problems: list[RowError]

    @property
    def imported(self) -> bool:
        """Whether the person was imported (with values set aside) rather than refused."""
        return not any(p.kind == REFUSED for p in self.problems)


def _now() -> datetime:
    """The local time stamped into review file names (replaced in tests)."""
    return datetime.now()


def _review_file_names(path: Path, now: datetime) -> Iterator[Path]:
    """The default review file names of a list, in the order they are tried.

    ``<stem>.review.csv``, then ``<stem>.review-<YYYYmmdd-HHMMSS>.csv``, then that name with
    ``-2``, ``-3``... The stem of a review file (``reg.review``, ``reg.review-<stamp>``) is
    that of its list (``reg``), so the rows still to review in a review file never go to
    ``reg.review.review.csv``.
    """
    match = _REVIEW_STEM.fullmatch(path.stem)
    stem = match["list"] if match else path.stem
    yield path.with_name(f"{stem}.review.csv")
    stamped = f"{stem}.review-{now:%Y%m%d-%H%M%S}"
    yield path.with_name(f"{stamped}.csv")
    for n in range(2, _MAX_REVIEW_FILES):
        yield path.with_name(f"{stamped}-{n}.csv")


def default_review_file(path: Path, now: datetime | None = None) -> Path:
    """Where the review file of a list would go by default now: the first of
    ``<stem>.review.csv``, ``<stem>.review-<YYYYmmdd-HHMMSS>.csv``, ``…-2.csv``, ``…-3.csv``
    beside the list that does not exist yet (an existing file may hold an officer's
    corrections). For a review file (``reg.review.csv``) the stem is that of its list (``reg``).

    Raises:
        ListError: ``list.write`` when every name is taken.
    """
    for candidate in _review_file_names(path, now or _now()):
        if not os.path.lexists(candidate):
            return candidate
    raise ListError("list.write", path, detail="too many review files beside the list")


def _place_review_file(tmp: Path, path: Path) -> Path:
    """Move the written review file ``tmp`` to the first free default name of list ``path``
    (:func:`default_review_file`) without ever replacing an existing file; returns that name."""
    now = _now()
    for candidate in _review_file_names(path, now):
        try:
            os.link(tmp, candidate)  # fails if the name exists, even if it appeared just now
        except FileExistsError:
            continue
        except OSError:  # no hard links on this disk (FAT, some network shares)
            if os.path.lexists(candidate):
                continue
            try:
                os.replace(tmp, candidate)
            except OSError as exc:
                raise ListError("list.write", candidate, detail=os_reason(exc)) from exc
            return candidate
        discard(tmp)
        return candidate
    raise ListError("list.write", path, detail="too many review files beside the list")


def _write_review_file(target: Path, parsed: ParsedList, rows: list[ReviewRow]) -> Path:
    """Write the rows to review to a temporary file beside ``target``; returns the temp path.

    The list's columns come first (without the result and error columns of an earlier review
    file), then the ConsulDesk ID (unless the list has that column: it is filled there), the
    result and the reasons. Values a spreadsheet would run as formulas are written as text.
    """
    keep = [i for i, m in enumerate(parsed.mapping) if m.note != "ignored: error column"]
    width = max([len(parsed.headers), *(len(parsed.rows[r.index][1]) for r in rows)])
    keep += list(range(len(parsed.headers), width))
    headers = [*parsed.headers, *([""] * (width - len(parsed.headers)))]
    id_at = next((i for i, m in enumerate(parsed.mapping) if m.field == "record_id"), None)
    extra_id = id_at is None
    header_row = [headers[i] for i in keep]
    if extra_id:
        header_row.append(export_header("record_id", "en"))
    tmp = temp_beside(target)
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            # A tab-separated list's review file is a .csv all the same: Excel splits a .csv
            # opened by double-click on ; or , only, and would put every tab row in column A.
            delimiter = parsed.delimiter if parsed.delimiter in (";", ",") else ";"
            writer = csv.writer(fh, delimiter=delimiter)
            # In a Kazakh session its own columns are Kazakh too (the values were already).
            added = KAZAKH_COLUMNS if language() == "kk" else (RESULT_COLUMN, ERROR_COLUMN)
            writer.writerow([*header_row, *added])
            for row in sorted(rows, key=lambda r: r.index):
                cells = parsed.rows[row.index][1]
                texts = [_cell_text(cells[i]) if i < len(cells) else "" for i in keep]
                record_id = row.record_id if row.imported else None
                if extra_id:
                    texts.append(record_id or "")
                elif record_id and id_at is not None and not texts[keep.index(id_at)]:
                    texts[keep.index(id_at)] = record_id
                result = _("imported, to review") if row.imported else _("not imported")
                reasons = "; ".join(p.message for p in row.problems)
                # NUL is left out: the importer refuses a text file holding one as binary.
                texts_out = (t.replace("\x00", "") for t in (*texts, result, reasons))
                writer.writerow([with_formula_guard(t) for t in texts_out])
            fh.flush()
            os.fsync(fh.fileno())
        make_private(tmp)  # it holds names, passports and phones
    except OSError as exc:  # a write-protected stick, a full disk: nothing is imported
        discard(tmp)
        raise ListError("list.review_write", target, detail=os_reason(exc)) from exc
    return tmp
