"""Registration lists: ``import``, ``export`` and ``review`` (the people with values set aside)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _add_replace,
    _describe,
    _jsonable,
    _open,
    _positive,
    _print_json,
    _refuse_overwrite,
)
from consuldesk.i18n import _, ngettext


def add_parsers(add: Callable[..., argparse.ArgumentParser]) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    p = add(
        "import",
        help="import a registration list (CSV or XLSX)",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    p.add_argument(
        "--review-file",
        "--errors",
        dest="review_file",
        type=Path,
        help="where to write the rows to review (default: LIST.review.csv beside the list)",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="what a column holds (repeatable); FIELD 'ignore' leaves it out",
    )
    p.add_argument(
        "--encoding", help="read a text list in this encoding (koi8-r, cp866, utf-16-le...)"
    )
    p.add_argument(
        "--sheet",
        metavar="NAME",
        help="the workbook's sheet to read (default: the first whose header names columns)",
    )
    p.add_argument(
        "--tour-operator", action="store_true", help="the list comes from a tour operator"
    )

    p = add("export", help="export nationals to CSV or XLSX")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--lang",
        dest="export_lang",
        choices=["en", "ru", "kk"],
        default="en",
        help="column headers' language",
    )
    _add_replace(p)

    p = add("review", help="people with values set aside for review when a list was imported")
    p.add_argument("--limit", type=_positive, default=200, help="most people to show (default 200)")


IMPORT_EPILOG = """\
columns:
  Each column is read by its header (docs/IMPORT-COLUMNS.md lists them). Say otherwise with
  --column "HEADER=FIELD": HEADER as written in the list ("Фамилия"), with #2 for the second of
  two columns of that name ("ИИН#2"), or a column letter ("C"); FIELD is one of
    surname given_names patronymic (either script: each value goes by its letters)
    surname_cyr given_names_cyr surname_lat given_names_lat full_name full_name_lat
    iin passport_no passport_expiry birth_date sex phones email messenger nationality
    host_country city address presence_status medical_condition mobility_needs pregnant
    notes household relation group tour_operator record_id
  or "ignore". The choice is remembered for lists with the same headers.

nobody is lost:
  A doubtful value (an IIN failing its check digit, an impossible date, a wrong phone) is set
  aside on the person, who is imported and marked "needs review". Only a row naming no one,
  or giving another person's passport or IIN, is not imported. Both kinds go to the review
  file with the person's ConsulDesk ID: correct them there and import that file.
"""


def cmd_import(args: argparse.Namespace) -> int:
    """Import a registration list."""
    from consuldesk.domain.enums import Source
    from consuldesk.services.lists import ListError, import_list

    columns = _column_choices(args.column) if args.column else None
    desk = _open(args, writes=not args.dry_run)
    post = desk.casefile.local_post()
    if not args.json:
        print(
            _("Case file: {path} — post {code}, {name}").format(
                path=desk.path, code=post.code, name=post.name
            )
        )
    try:
        report = import_list(
            desk,
            args.file,
            dry_run=args.dry_run,
            review_file=args.review_file,
            columns=columns,
            encoding=args.encoding,
            sheet=args.sheet,
            source=Source.TOUR_OPERATOR if args.tour_operator else Source.LIST_IMPORT,
        )
    except ListError as exc:
        raise CliError(_import_hint(exc), EXIT_BAD_INPUT) from exc
    finally:
        desk.close()
    if args.json:
        data = _jsonable(report)
        data.pop("changes", None)
        _print_json(data)
    else:
        _print_import(report)
    return EXIT_BAD_INPUT if report.invalid else EXIT_OK


def _column_choices(specs: list[str]) -> dict[str, str | None]:
    """``--column`` values as the service takes them (it names a wrong header or field)."""
    chosen: dict[str, str | None] = {}
    for spec in specs:
        header, sep, target = spec.rpartition("=")
        if not sep or not header.strip():
            raise CliError(
                _("--column takes HEADER=FIELD, got “{spec}”").format(spec=spec), EXIT_USAGE
            )
        chosen[header.strip()] = target.strip()
    return chosen


def _import_hint(exc: Exception) -> str:
    """The message of a list refused whole, with what to type to get past it."""
    message = _describe(exc)
    code = getattr(exc, "code", "")
    params = getattr(exc, "params", {})
    if code == "list.duplicate_column":
        header = params["headers"][1]
        spec = f"{header}#2" if params["headers"][0] == header else header
        message += " " + _('(for example --column "{spec}=ignore")').format(spec=spec)
    elif code == "list.encoding" and params.get("codec"):
        message += " " + _("(for example --encoding {codec})").format(codec=params["codec"])
    elif code == "list.review_write":
        message += " " + _("(for example --review-file FILE)")
    return message


def _problem_line(problem: Any) -> str:
    """``  line 6, Date of birth: 31.02.1990 is not a real date``: where, which field, why, and
    the value as given when the sentence does not quote it."""
    from consuldesk.messages import field_label

    where = _("line {line}").format(line=problem.line)
    if problem.field and problem.field != "record":
        where += ", " + field_label(problem.field)
    message = problem.message
    value = str(problem.value or "")
    if value and value not in message:
        message += f" (“{value}”)"
    return f"  {where}: {message}"


def _print_import(report: Any) -> None:
    from consuldesk.messages import column_note, field_label

    print(_("Columns:"))
    origins = {"chosen": _("chosen"), "remembered": _("chosen earlier for this layout")}
    for col in report.mapping:
        target = field_label(col.field) if col.field else _("ignored")
        explained = column_note(col.field, col.note)
        note = f"  ({explained})" if explained else ""
        if col.origin in origins:
            note += f"  [{origins[col.origin]}]"
        print(f"  {col.header!s:<32} → {target}{note}")
    print(
        _("Encoding: {enc}; delimiter: {delim}").format(
            enc=report.encoding or "xlsx", delim=repr(report.delimiter) if report.delimiter else "—"
        )
    )
    if report.other_sheets:  # people on another sheet are never left out without a word
        print(_("Sheet read: “{sheet}”.").format(sheet=report.sheet))
        for name, rows in report.other_sheets:
            print(
                ngettext(
                    '  not read: sheet “{sheet}” ({n} row): import it with --sheet "{sheet}"',
                    '  not read: sheet “{sheet}” ({n} rows): import it with --sheet "{sheet}"',
                    rows,
                ).format(sheet=name, n=rows)
            )
    title = _("Dry run — nothing was written.") if report.dry_run else _("Imported.")
    print(title)
    print(
        _(
            "  rows: {n}, new: {c}, updated: {u}, unchanged: {s}, not imported: {i}, "
            "to review: {r}, probable duplicates flagged: {d}"
        ).format(
            n=report.total_rows,
            c=report.created,
            u=report.updated,
            s=report.unchanged,
            i=report.invalid,
            r=report.needs_review,
            d=report.flagged_duplicates,
        )
    )
    if report.flagged_duplicates and not report.dry_run:
        print(_("  compare and merge them, or mark them as two people: consuldesk-cli duplicates"))
    if report.families_created or report.members_added:
        print(
            _("  families created: {f}, tour groups created: {g}, memberships added: {m}").format(
                f=report.families_created, g=report.groups_created, m=report.members_added
            )
        )
    sections = (
        (report.errors, _("Not imported:")),
        ([w for w in report.warnings if w.kind == "set_aside"], _("Set aside for review:")),
        ([w for w in report.warnings if w.kind == "note"], _("Notes:")),
    )
    for problems, heading in sections:
        if not problems:
            continue
        print(heading)
        for problem in problems[:50]:
            print(_problem_line(problem))
        if len(problems) > 50:
            print(_("  … and {n} more").format(n=len(problems) - 50))
    if report.review_file:
        print(
            _(
                "The rows to look at were written to {path}: correct them there and import "
                "that file."
            ).format(path=report.review_file)
        )


def cmd_export(args: argparse.Namespace) -> int:
    """Export nationals."""
    from consuldesk.services.lists import export_list

    _refuse_overwrite(args.file, args)  # it may be the list the people came from
    desk = _open(args)
    try:
        count = export_list(desk, args.file, lang=args.export_lang)
    finally:
        desk.close()
    if args.json:
        _print_json({"file": args.file, "rows": count})
    else:
        print(
            ngettext(
                "Exported {n} person to {path}.", "Exported {n} people to {path}.", count
            ).format(n=count, path=args.file)
        )
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """People with values set aside for review, and what was set aside."""
    from consuldesk.messages import describe_code, field_label
    from consuldesk.services.nationals import NationalFilter, find_nationals

    desk = _open(args)
    try:
        page = find_nationals(desk, NationalFilter(needs_review=True), limit=args.limit)
    finally:
        desk.close()
    if args.json:
        _print_json({"total": page.total, "rows": page.rows})
        return EXIT_OK
    if not page.total:
        print(_("Nobody needs review."))
        return EXIT_OK
    print(
        ngettext(
            "{n} person needs review (shown: {shown}).",
            "{n} people need review (shown: {shown}).",
            page.total,
        ).format(n=page.total, shown=len(page.rows))
    )
    for row in page.rows:
        print(f"{row.name or row.name_lat}  {row.id}")
        for item in row.review:
            where = f"{item.source}:{item.line}" if item.source and item.line else item.source or ""
            message = describe_code(item.code, item.field, **{"value": item.value, **item.params})
            print(
                _("  {field} “{value}”: {message} ({where})").format(
                    field=field_label(item.field), value=item.value, message=message, where=where
                )
            )
    return EXIT_OK


COMMANDS = {
    "import": cmd_import,
    "export": cmd_export,
    "review": cmd_review,
}
