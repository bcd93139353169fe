"""Importing a list: read, check, plan and write in one transaction."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from consuldesk.domain.enums import Source
from consuldesk.domain.review import ReviewItem
from consuldesk.messages import describe, describe_code
from consuldesk.services.backups import take_backup
from consuldesk.services.desk import CancelFlag, Desk, Progress, no_progress
from consuldesk.services.files import discard
from consuldesk.services.lists import parallel
from consuldesk.services.lists import review_file as reviews
from consuldesk.services.lists.base import (
    SET_ASIDE,
    ColumnMapping,
    ImportReport,
    ParsedList,
    RowError,
)
from consuldesk.services.lists.checking import Problem, _check_rows, _Checked
from consuldesk.services.lists.plan import _is_new, _Plan
from consuldesk.services.lists.planning import _plan_import
from consuldesk.services.lists.reading import read_list
from consuldesk.services.lists.writing import _apply
from consuldesk.store.db import ChangeSet, gc_paused, read_meta, write_meta

_LAYOUT_META = "list_layout:"  # + layout key: the columns an officer chose for that layout


def remembered_columns(desk: Desk, layout: str) -> dict[int, str | None] | None:
    """The columns an officer chose for lists of this layout before, by position."""
    with desk.casefile.read() as session:
        stored = read_meta(session, _LAYOUT_META + layout)
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return {int(k): v for k, v in data["columns"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # written by a newer version, or damaged: recognise the headers again


def _remember_columns(session: object, parsed: ParsedList) -> None:
    chosen = {str(m.index): m.field for m in parsed.mapping if m.origin in ("chosen", "remembered")}
    value = json.dumps({"headers": parsed.headers, "columns": chosen}, ensure_ascii=False)
    write_meta(session, _LAYOUT_META + parsed.layout, value if chosen else None)  # type: ignore[arg-type]


def import_list(
    desk: Desk,
    path: Path | str,
    *,
    dry_run: bool = False,
    review_file: Path | str | None = None,
    columns: Mapping[str, str | None] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    source: Source = Source.LIST_IMPORT,
    progress: Progress = no_progress,
    cancel: CancelFlag | None = None,
) -> ImportReport:
    """Import a registration list in one transaction.

    A row becomes a new national (``source``, ``source_ref`` = the file name), or completes the
    record it names: by ConsulDesk ID, IIN or passport number, else by the same name and birth
    date. It fills the record's empty fields ("updated") or changes nothing ("unchanged"); it
    never overwrites a value on file, except one under review, which a corrected list is
    meant to replace. New records are flagged as probable duplicates of records born the same
    day with a similar name. Group and family columns put people into tour groups and families.

    Nobody is lost for a doubtful value: an IIN failing its check digit, an impossible date, a
    phone that is not a number, an unknown country are set aside (kept, as given, on the record,
    which then needs review) and the person is imported. A row is refused only when it names no
    one, or names a passport or IIN that is another person's (on file or earlier in the list).

    The rows refused and the rows with values set aside go to a review file: to
    ``review_file`` if given (replacing it; it is removed when there is nothing to review),
    else to a new file beside the list, ``<stem>.review.csv`` or a stamped name when that exists
    (see :func:`~consuldesk.services.lists.review_file.default_review_file`): a file the
    officer may be correcting is never overwritten. A dry run does everything but write: no
    transaction, and a review file only when ``review_file`` is given.

    Args:
        columns: what some columns hold, by header (see
            :func:`~consuldesk.services.lists.columns.resolve_columns`); an import remembers
            the choice for the list's layout, and later imports of that layout use it when no
            ``columns`` are given. An empty mapping forgets it.
        encoding: read a text list in this encoding instead of detecting it.
        sheet: the workbook's sheet to read (default: the first with a header ConsulDesk
            knows); the report names the other sheets that hold rows.

    Raises:
        ListError: the file as a whole cannot be used (codes in the package docs).
        CaseFileError: the case file is locked, read-only or full; nothing was written.
        Cancelled: ``cancel`` was set; nothing was written.
    """
    parallel.warm_up(_rows_about(Path(path)))  # a large list: its second checker starts now
    try:
        if not dry_run:
            desk.require("change")  # a role that may not import takes no backup either
            # A copy first, as before a bundle: a wrong list merged into the case file can be
            # undone by restoring it (consuldesk.services.backups). Not while another program
            # holds the case file: the import would be refused after the copy.
            desk.casefile.wait_for_write_lock()
            take_backup(desk, f"before-import-{Path(path).stem}")
        with gc_paused():
            # The rows die with _import's frame, before the collector runs again: collecting
            # them instead (millions of objects) took 0.4 s at 100,000 rows.
            report = _import(
                desk,
                Path(path),
                dry_run=dry_run,
                review_file=review_file,
                columns=columns,
                encoding=encoding,
                sheet=sheet,
                source=source,
                progress=progress,
                cancel=cancel or CancelFlag(),
            )
    finally:
        parallel.let_go()  # unused when the list could not be read or was smaller than it looked
    if not dry_run:
        desk.casefile.refresh_statistics()  # a big list changes what the planner should know
    return report


def _rows_about(path: Path) -> int:
    """About how many rows a list file holds, from its size (at most 250 bytes a row in the
    lists seen: about 200 in a CSV, 120 in a workbook)."""
    try:
        return path.stat().st_size // 250
    except OSError:
        return 0  # read_list names the problem


def _import(
    desk: Desk,
    path: Path,
    *,
    dry_run: bool,
    review_file: Path | str | None,
    columns: Mapping[str, str | None] | None,
    encoding: str | None,
    sheet: str | None,
    source: Source,
    progress: Progress,
    cancel: CancelFlag,
) -> ImportReport:
    """:func:`import_list` with the collector paused."""
    parsed = read_list(
        path,
        columns=columns,
        remembered=None if columns is not None else lambda key: remembered_columns(desk, key),
        encoding=encoding,
        sheet=sheet,
        progress=progress,
        cancel=cancel,
    )
    today = desk.today()
    post = desk.casefile.local_post()
    country = post.host_country if post is not None else None
    checked = _check_rows(parsed, today, source, progress, cancel, country)
    explicit = Path(review_file) if review_file is not None else None
    # The default name is chosen when the file is moved into place (_place_review_file).
    target = explicit or next(reviews._review_file_names(path, reviews._now()))
    placed: Path | None = None
    changes = ChangeSet()
    tmp: Path | None = None
    try:
        if dry_run:
            with desk.casefile.read() as session:
                plan = _plan_import(session, checked, today, cancel)
            to_review = _review_rows(parsed, checked, plan, {})
            if to_review and explicit is not None:
                tmp = reviews._write_review_file(target, parsed, to_review)
        else:
            with desk.write() as tx:
                plan = _plan_import(tx.session, checked, today, cancel)
                new_ids = _apply(tx, plan, parsed, progress, cancel)
                if columns is not None or _has_choices(parsed.mapping):
                    _remember_columns(tx.session, parsed)
                to_review = _review_rows(parsed, checked, plan, new_ids)
                if to_review:
                    tmp = reviews._write_review_file(target, parsed, to_review)
            changes = tx.changes
        if tmp is not None:
            if explicit is not None:
                os.replace(tmp, explicit)
                placed = explicit
            else:
                placed = reviews._place_review_file(tmp, path)
            tmp = None
    except BaseException:
        if tmp is not None:
            discard(tmp)
        raise
    if not to_review and explicit is not None and not dry_run:
        explicit.unlink(missing_ok=True)  # a stale review file of an earlier import
    errors = [p for r in to_review for p in r.problems if not r.imported]
    warnings = [p for r in to_review if r.imported for p in r.problems]
    for index, notes in plan.notes.items():
        line = parsed.rows[index][0]
        warnings.extend(_row_error(line, n) for n in notes)
    warnings.sort(key=lambda e: e.line)
    flagged = {plan.targets[i] for i in plan.review_rows}
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
        invalid=len(checked.refused) + len(plan.refused),
        errors=errors,
        flagged_duplicates=len(plan.flags),
        groups_created=len(plan.new_groups),
        members_added=len(plan.members),
        review_file=placed,
        dry_run=dry_run,
        changes=changes,
        warnings=warnings,
        needs_review=len(flagged),
        families_created=len(plan.new_families),
        sheet=parsed.sheet,
        other_sheets=parsed.other_sheets,
    )


def _has_choices(mapping: list[ColumnMapping]) -> bool:
    return any(m.origin in ("chosen", "remembered") for m in mapping)


def _review_rows(
    parsed: ParsedList, checked: _Checked, plan: _Plan, new_ids: dict[str, str]
) -> list[reviews.ReviewRow]:
    """The rows the officer has to look at: refused, or imported with values set aside."""
    rows: list[reviews.ReviewRow] = []
    for index, problems in (*checked.refused.items(), *plan.refused.items()):
        rows.append(
            reviews.ReviewRow(index, None, [_row_error(parsed.rows[index][0], p) for p in problems])
        )
    for index, items in plan.review_rows.items():
        target = plan.targets[index]
        record_id = new_ids.get(target) if _is_new(target) else target
        rows.append(reviews.ReviewRow(index, record_id, [_item_error(i) for i in items]))
    rows.sort(key=lambda r: r.index)
    return rows


def _row_error(line: int, problem: Problem) -> RowError:
    e = problem.error
    value = problem.value or str(e.params.get("value", "") or "")
    return RowError(line, e.field, e.code, dict(e.params), describe(e), value, problem.kind)


def _item_error(item: ReviewItem) -> RowError:
    message = describe_code(item.code, item.field, **{"value": item.value, **item.params})
    return RowError(
        item.line or 0, item.field, item.code, item.params, message, item.value, SET_ASIDE
    )
