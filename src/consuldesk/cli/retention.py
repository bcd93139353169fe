"""Retention from the command line: ``retention`` (the review list), ``retention keep``,
``retention anonymise``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _confirmed,
    _id_key,
    _open,
    _print_json,
    _short_ids,
)
from consuldesk.cli.nationals import STATUS_LABELS
from consuldesk.i18n import _, ngettext
from consuldesk.messages import RETENTION_BASIS_LABELS

RETENTION_EPILOG = """\
A record expires a set period (18 months unless changed in the window's settings) after the
person left the region: evacuated or left on their own, dated by the last trip they boarded,
the end of their last hotel stay, or the day the status was set, whichever is latest. A
deleted record expires the same period after its deletion. People still in the country never
expire. Anonymising removes names, documents, contacts, notes and medical details (and these
values in the audit trail) and keeps what the counts need.

examples:
  consuldesk-cli retention                      expired, and expiring within 30 days
  consuldesk-cli retention --within 90 --json
  consuldesk-cli retention keep 01a2b3c4 --until 2028-06-30 --reason "court case"
  consuldesk-cli retention anonymise --expired  asks first (--yes not to)
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``retention`` and its actions; ``common`` holds the options every command takes."""
    parser = add(
        "retention",
        help="records expired or expiring; keep one longer; anonymise the expired",
        description="Retention: the records due for anonymisation, and what to do with them.",
        epilog=RETENTION_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _within(parser)
    actions = parser.add_subparsers(dest="retention_command", metavar="ACTION")
    p = actions.add_parser(
        "list", parents=[common], help="records expired or expiring (the default action)"
    )
    _within(p)
    p = actions.add_parser("keep", parents=[common], help="keep records past their expiry")
    p.add_argument("ids", nargs="+", metavar="ID", help="record ids (6 or more characters)")
    p.add_argument(
        "--until", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD", help="keep until"
    )
    p.add_argument("--reason", required=True, help="why (recorded in the audit trail)")
    p = actions.add_parser(
        "anonymise", parents=[common], help="remove the personal details of records"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="record ids (6 or more characters)")
    p.add_argument("--expired", action="store_true", help="every record expired today")
    p.add_argument("--yes", action="store_true", help="do not ask before anonymising")
    p.add_argument(
        "--not-expired-too",
        action="store_true",
        help="anonymise named records that have not expired (a person asked to be forgotten)",
    )


def _within(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--within",
        type=int,
        default=argparse.SUPPRESS,
        metavar="DAYS",
        help="also list records expiring within DAYS days (default 30)",
    )


def cmd_retention(args: argparse.Namespace) -> int:
    """The review list, or one of its actions."""
    action = getattr(args, "retention_command", None) or "list"
    if action == "keep":
        return _keep(args)
    if action == "anonymise":
        return _anonymise(args)
    return _list(args)


def _list(args: argparse.Namespace) -> int:
    from consuldesk.services.retention import DEFAULT_WITHIN_DAYS, review

    within = getattr(args, "within", DEFAULT_WITHIN_DAYS)
    if within < 0:
        raise CliError(_("--within takes a number of days, 0 or more."), EXIT_USAGE)
    desk = _open(args)
    try:
        result = review(desk, within)
    finally:
        desk.close()
    if getattr(args, "json", False):
        _print_json(
            {
                "today": result.today,
                "months": result.months,
                "within_days": result.within_days,
                "expired": result.expired,
                "records": result.rows,
            }
        )
        return EXIT_OK
    print(
        _("Records are kept {months} months after the person left the region.").format(
            months=result.months
        )
    )
    if not result.rows:
        print(
            _("No record is expired or expires within {days} days.").format(days=result.within_days)
        )
        return EXIT_OK
    short = _short_ids(r.id for r in result.rows)
    table = [
        [
            _("ID"),
            _("Name"),
            _("Status"),
            _("Left"),
            _("Why"),
            _("Expires"),
            _("Kept because"),
        ]
    ]
    for r in result.rows:
        status = _("deleted") if r.deleted else _(STATUS_LABELS.get(r.presence_status, "?"))
        table.append(
            [
                short[r.id],
                r.name or "—",
                status,
                f"{r.left_on:%d.%m.%Y}",
                _(RETENTION_BASIS_LABELS[r.basis.value]),
                f"{r.expires_on:%d.%m.%Y}" + (" !" if r.due else ""),
                r.keep_reason or "",
            ]
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    print(
        ngettext(
            "{n} record is expired (marked !): 'consuldesk-cli retention anonymise --expired'",
            "{n} records are expired (marked !): 'consuldesk-cli retention anonymise --expired'",
            result.expired,
        ).format(n=result.expired)
    )
    return EXIT_OK


def _resolve(desk: object, texts: Sequence[str]) -> list[str]:
    """Record ids from what was typed: a whole id, or the start of an id listed by
    ``retention`` (six characters or more)."""
    from consuldesk.services.retention import review

    listed = [r.id for r in review(desk, 36_500).rows]  # type: ignore[arg-type]
    out = []
    for text in texts:
        key = _id_key(text)
        if len(key) < 6:
            raise CliError(
                _("“{prefix}” is too short: give at least 6 characters of the id.").format(
                    prefix=text
                ),
                EXIT_BAD_INPUT,
            )
        if len(key) == 32:  # a whole id: any record
            out.append(text.strip().lower())
            continue
        found = [i for i in listed if _id_key(i).startswith(key)]
        if len(found) != 1:
            message = (
                _(
                    "No record listed by 'consuldesk-cli retention' has an id starting "
                    "with “{prefix}”."
                )
                if not found
                else _("“{prefix}” matches several records; give more characters.")
            )
            raise CliError(message.format(prefix=text), EXIT_BAD_INPUT)
        out.append(found[0])
    return out


def _keep(args: argparse.Namespace) -> int:
    from consuldesk.services.retention import keep

    desk = _open(args, writes=True)
    try:
        ids = _resolve(desk, args.ids)
        keep(desk, ids, args.until, args.reason)
    finally:
        desk.close()
    if getattr(args, "json", False):
        _print_json({"kept": ids, "until": args.until})
    else:
        print(
            ngettext(
                "{n} record is kept until {day}.", "{n} records are kept until {day}.", len(ids)
            ).format(n=len(ids), day=f"{args.until:%d.%m.%Y}")
        )
    return EXIT_OK


def _anonymise(args: argparse.Namespace) -> int:
    from consuldesk.services.retention import anonymise, expired_ids

    if bool(args.ids) == bool(args.expired):
        raise CliError(_("Name the records to anonymise, or give --expired."), EXIT_USAGE)
    desk = _open(args, writes=True)
    try:
        desk.require("delete")  # a role that may not anonymise is told so, not "none expired"
        due = set(expired_ids(desk))
        ids = sorted(due) if args.expired else _resolve(desk, args.ids)
        if not ids:
            print(_("No record is expired: nothing to anonymise."))
            return EXIT_OK
        not_due = sum(1 for i in ids if i not in due)
        warning = ngettext(
            "{n} of them has not expired yet.", "{n} of them have not expired yet.", not_due
        ).format(n=not_due)
        if not_due and args.yes and not args.not_expired_too:
            # Cannot be undone: a mistyped id must not erase someone still in the country.
            raise CliError(
                warning + " " + _("Add --not-expired-too to anonymise them all the same."),
                EXIT_BAD_INPUT,
            )
        if not_due and not args.yes:
            print(warning)
        question = ngettext(
            "Anonymise {n} record? Names, documents, contacts and notes are removed for "
            "good. [y/N] ",
            "Anonymise {n} records? Names, documents, contacts and notes are removed for "
            "good. [y/N] ",
            len(ids),
        ).format(n=len(ids))
        if not args.yes and not _confirmed(
            question, _("Add --yes to anonymise without being asked.")
        ):
            print(_("Nothing was changed."))
            return EXIT_OK
        done = anonymise(desk, ids)
    finally:
        desk.close()
    if getattr(args, "json", False):
        _print_json(
            {"anonymised": done.people, "skipped": done.skipped, "audit_events": done.audit_events}
        )
    else:
        records = ngettext("{n} record anonymised", "{n} records anonymised", done.people).format(
            n=done.people
        )
        entries = ngettext(
            "{n} audit entry redacted", "{n} audit entries redacted", done.audit_events
        ).format(n=done.audit_events)
        print(f"{records}; {entries}.")
    return EXIT_OK


COMMANDS = {"retention": cmd_retention}
