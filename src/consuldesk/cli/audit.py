"""Reading the audit trail: ``audit``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from consuldesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _day,
    _local,
    _open,
    _positive,
    _print_json,
)
from consuldesk.i18n import _, ngettext, number


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """This group's commands; ``add`` adds one, ``common`` holds the options every command
    takes."""
    from consuldesk.services.audit import KINDS

    p = add(
        "audit",
        parents=[common],
        help="the audit trail: who changed, exported, printed or sent what, and when",
    )
    p.add_argument("--person", help="a person's name, IIN, passport, phone or ConsulDesk ID")
    # Not --officer: that is who logs in, after the command as before it.
    p.add_argument("--by", metavar="NAME", help="only the events of this officer (any case)")
    p.add_argument("--since", type=_day, help="from this day (31.12.2026 or 2026-12-31)")
    p.add_argument("--until", type=_day, help="up to this day, included")
    p.add_argument("--kind", choices=list(KINDS), help="only events of this kind")
    p.add_argument(
        "--limit", type=_positive, default=50, help="most events to show, newest first (50)"
    )


def cmd_audit(args: argparse.Namespace) -> int:
    """Show the audit trail, newest first."""
    from consuldesk.services.audit import (
        KIND_LABELS,
        AuditFilter,
        find_events,
        officers,
        similar_events_note,
    )
    from consuldesk.store.keyring import name_key

    if args.since and args.until and args.since > args.until:
        raise CliError(_("--since must not be after --until."), EXIT_USAGE)
    flt = AuditFilter(
        person=args.person or "",
        officer=args.by,
        since=args.since,
        until=args.until,
        kind=args.kind,
    )
    desk = _open(args)
    try:
        page = find_events(desk, flt, limit=args.limit)
        known = officers(desk) if args.by and not page.rows else []
    finally:
        desk.close()
    if args.json:
        _print_json({"total": page.total, "events": page.rows})
        return EXIT_OK
    if page.people == 0:
        print(_("Nobody found by “{text}”.").format(text=flt.person.strip()))
        return EXIT_OK
    if page.similar:
        print(similar_events_note(flt.person.strip()))
    if not page.rows:
        print(_("No events."))
        if known and not any(name_key(n) == name_key(args.by) for n in known):
            print(
                _("The trail names no officer “{name}”; it names: {names}.").format(
                    name=args.by, names=", ".join(known)
                )
            )
        return EXIT_OK
    table = [[_("When"), _("Officer"), _("Post"), _("Kind"), _("About"), _("What")]]
    for row in page.rows:
        table.append(
            [
                _local(row.at),
                row.officer,
                row.post_code,
                _(KIND_LABELS[row.kind]) if row.kind in KIND_LABELS else row.action,
                row.subject,
                row.summary,
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    for r in table:
        cells = [cell.ljust(w) for cell, w in zip(r, widths, strict=False)]
        print("  ".join([*cells, r[-1]]).rstrip())
    hidden = page.total - len(page.rows)
    if hidden > 0:
        print(
            ngettext(
                "… {n} older event; narrow the trail or raise --limit.",
                "… {n} older events; narrow the trail or raise --limit.",
                hidden,
            ).format(n=number(hidden))
        )
    return EXIT_OK


COMMANDS = {"audit": cmd_audit}
