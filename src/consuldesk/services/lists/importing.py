"""Importing a list: read, check, plan and write in one transaction."""

from __future__ import annotations

import os
from pathlib import Path

from consuldesk.domain.enums import Source
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.lists.base import ImportReport, ParsedList, RowError, _gc_paused
from consuldesk.services.lists.checking import _check_rows, _Checked
from consuldesk.services.lists.error_file import (
    _error_file_names,
    _message,
    _now,
    _place_error_file,
    _write_error_file,
)
from consuldesk.services.lists.planning import _Plan, _plan_import
from consuldesk.services.lists.reading import read_list
from consuldesk.services.lists.writing import _apply
from consuldesk.store.db import ChangeSet

# -- import --------------------------------------------------------------------------------


def import_list(
    desk: Desk,
    path: Path | str,
    *,
    dry_run: bool = False,
    error_file: Path | str | None = None,
    source: Source = Source.LIST_IMPORT,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> ImportReport:
    """Import a registration list in one transaction.

    Valid rows become new nationals (``source``, ``source_ref`` = the file name); a row whose
    IIN, passport number or ConsulDesk ID matches a live record fills that record's empty
    fields ("updated") or changes nothing ("unchanged"); a row without IIN and passport whose
    name and birth date match a record exactly is "unchanged". New records are flagged as
    probable duplicates of records born the same day with a similar name. With a group column,
    people join tour-group households (found by name and tour operator, or created).

    Invalid rows are reported with their line numbers and written, with the source's columns
    plus ``Ошибка / Error``, to ``error_file`` if given (replacing it; it is removed when there
    are no errors), else to a new file beside the list: ``<stem>.errors.csv``, or
    ``<stem>.errors-<YYYYmmdd-HHMMSS>.csv`` when that exists (see :func:`default_error_file`).
    A default error file is never overwritten or removed: the officer may be correcting it.
    A dry run does everything but write: no transaction, and an error file only when
    ``error_file`` is given.

    Raises:
        ListError: the file as a whole cannot be used (codes in the module docs).
        CaseFileError: the case file is locked, read-only or full; nothing was written.
        Cancelled: ``cancel`` was set; nothing was written.
    """
    path = Path(path)
    cancel = cancel or CancelFlag()
    with _gc_paused():
        parsed = read_list(path, progress=progress, cancel=cancel)
        today = desk.today()
        checked = _check_rows(parsed, today, source, progress, cancel)
        explicit = Path(error_file) if error_file is not None else None
        # The default name is chosen when the file is moved into place (_place_error_file).
        target = explicit or next(_error_file_names(path, _now()))
        placed: Path | None = None
        write_errors = not dry_run or explicit is not None
        changes = ChangeSet()
        tmp: Path | None = None
        try:
            if dry_run:
                with desk.casefile.read() as session:
                    plan = _plan_import(session, checked, today, cancel)
                row_errors = _row_errors(parsed, checked, plan)
                if row_errors and write_errors:
                    tmp = _write_error_file(target, parsed, row_errors)
            else:
                with desk.casefile.write(desk.officer) as tx:
                    plan = _plan_import(tx.session, checked, today, cancel)
                    _apply(tx, plan, progress, cancel)
                    row_errors = _row_errors(parsed, checked, plan)
                    if row_errors:
                        tmp = _write_error_file(target, parsed, row_errors)
                changes = tx.changes
            if tmp is not None:
                if explicit is not None:
                    os.replace(tmp, explicit)
                    placed = explicit
                else:
                    placed = _place_error_file(tmp, path)
                tmp = None
        except BaseException:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
            raise
        if not row_errors and explicit is not None:
            explicit.unlink(missing_ok=True)  # a stale error file of an earlier import
    errors = [e for i in sorted(row_errors) for e in row_errors[i]]
    return ImportReport(
        path=path,
        format=parsed.format,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        mapping=parsed.mapping,
        total_rows=checked.total,
        created=len(plan.new),
        updated=plan.updated_rows,
        unchanged=plan.unchanged,
        invalid=len(row_errors),
        errors=errors,
        flagged_duplicates=len(plan.flags),
        groups_created=len(plan.new_groups),
        members_added=len(plan.members),
        error_file=placed,
        dry_run=dry_run,
        changes=changes,
    )


def _row_errors(parsed: ParsedList, checked: _Checked, plan: _Plan) -> dict[int, list[RowError]]:
    result: dict[int, list[RowError]] = {}
    for index, errs in (*checked.errors.items(), *plan.errors.items()):
        line = parsed.rows[index][0]
        result[index] = [RowError(line, e.field, e.code, dict(e.params), _message(e)) for e in errs]
    return result
