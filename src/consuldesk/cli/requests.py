"""Assistance requests from the command line: ``requests list``, ``show``, ``open``, ``call``,
``status``, ``note``, ``assign`` — the hotline's queue as the window's Requests page keeps it,
for a post whose screen broke or a script that files the calls a phone system logged."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CliError,
    _blame,
    _find_person,
    _jsonable,
    _local,
    _open,
    _pick_id,
    _print_json,
    _short_ids,
    _when,
    command_with_actions,
)
from consuldesk.domain.names import folded
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    REQUEST_KIND_LABELS,
    REQUEST_PRIORITY_LABELS,
    STATUS_WORD_LABELS,
    TIMELINE_LABELS,
)

KINDS = tuple(REQUEST_KIND_LABELS)
PRIORITIES = tuple(REQUEST_PRIORITY_LABELS)
STATUSES = ("new", "in_progress", "waiting", "resolved", "closed", "cancelled")

REQUESTS_EPILOG = """\
A request is named by its id as 'requests list' shows it (6 or more characters); a person by a
passport number, an IIN or a name that finds one person.

examples:
  consuldesk-cli requests list                        open requests, most pressing first
  consuldesk-cli requests list --overdue --kind medical
  consuldesk-cli requests call --kind evacuation --summary "Family of 4 in Shiraz" N12345678
  consuldesk-cli requests call --kind information --summary "Asks about buses" \\
      --caller "Сестра туриста" --phone "+7 701 555 0002"      a caller not on file
  consuldesk-cli requests call --visit --kind documents --summary "Lost passport" 870412300415
  consuldesk-cli requests status 01a2b3c4 resolved --note "Seated on bus 2"
  consuldesk-cli requests note 01a2b3c4 "Called back, no answer" --call-out
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``requests`` and its actions; ``common`` holds the options every command takes."""
    action = command_with_actions(
        add,
        common,
        "requests",
        help="assistance requests: list, show, open, log a call, status, note, assign",
        description="Assistance requests: the hotline's and the walk-ins' queue.",
        epilog=REQUESTS_EPILOG,
    )
    request_help = "the request's id or its first 6+ characters (see 'requests list')"

    p = action("list", help="open requests, most pressing first")
    p.add_argument("--all", action="store_true", help="closed, resolved and cancelled too")
    p.add_argument("--kind", choices=KINDS, action="append", help="only this kind (repeatable)")
    p.add_argument("--overdue", action="store_true", help="only those past their due time")
    p.add_argument("--assignee", help="only those given to this officer")
    p.add_argument("--for", dest="person", metavar="PERSON", help="only this person's")
    p.add_argument("--text", help="only those whose person, summary or details hold it")

    p = action("show", help="one request with its timeline")
    p.add_argument("request", help=request_help)

    for name, what in (
        ("open", "open a request for a person (a walk-in, a letter); prints its id"),
        (
            "call",
            "log a hotline call (or, --visit, someone at the post): a new request with it "
            "first on its timeline",
        ),
    ):
        p = action(name, help=what)
        p.add_argument(
            "person",
            nargs="?" if name == "call" else None,
            metavar="PERSON",
            help="passport, IIN, id or name"
            + (" (none: a caller not on file, --caller and --phone)" if name == "call" else ""),
        )
        p.add_argument("--kind", choices=KINDS, required=True)
        p.add_argument("--summary", required=True, help="what they need, in one line")
        p.add_argument("--priority", choices=PRIORITIES, default="normal")
        p.add_argument("--details")
        p.add_argument("--due", type=_when, help="due by (12.03.2026 18:00, local time)")
        p.add_argument("--assign", metavar="OFFICER", help="give it to this officer")
        if name == "call":
            p.add_argument("--caller", help="who called (may be a relative)")
            p.add_argument("--phone", help="the number they called from")
            came = p.add_mutually_exclusive_group()
            came.add_argument("--out", action="store_true", help="the post called them")
            came.add_argument(
                "--visit", action="store_true", help="they came to the post (not a call)"
            )

    p = action("status", help="move a request on: in_progress, waiting, resolved, closed…")
    p.add_argument("request", help=request_help)
    p.add_argument("new_status", metavar="STATUS", choices=STATUSES)
    p.add_argument("--note", help="why, on the timeline with the change")

    p = action("note", help="add a note, or log a call, on a request's timeline")
    p.add_argument("request", help=request_help)
    p.add_argument("text")
    call = p.add_mutually_exclusive_group()
    call.add_argument("--call-in", action="store_true", help="it was a call from them")
    call.add_argument("--call-out", action="store_true", help="it was a call to them")
    call.add_argument("--visit", action="store_true", help="they came to the post")

    p = action("link", help="link the person a request is about, registered since it was opened")
    p.add_argument("request", help=request_help)
    p.add_argument("person", metavar="PERSON", help="passport, IIN, id or name")

    p = action("assign", help="give a request to an officer (--nobody: to no one)")
    p.add_argument("request", help=request_help)
    who = p.add_mutually_exclusive_group(required=True)
    # Not "officer": that is who logs in (--officer), and it took the name given.
    who.add_argument("assignee", nargs="?", metavar="OFFICER")
    who.add_argument("--nobody", action="store_true")


def _find_request(desk: Any, text: str) -> Any:
    """The live request (a ``RequestRow``) ``text`` names by its id or 6+ characters of it."""
    from consuldesk.services.requests import list_requests

    rows = {r.id: r for r in list_requests(desk, statuses=None)}
    labels = {
        i: f"{r.summary} ({r.national_name or r.household_name or '—'})" for i, r in rows.items()
    }
    return rows[_pick_id(text, labels, "request")]


def _words(labels: dict[str, str], value: str) -> str:
    return _(labels.get(value, value))


def _caller(r: Any) -> str:
    """Someone not on file: the caller as the call logged them (the first line of the
    details: "Сестра туриста · +7…"), else "not on file"."""
    first = (r.details or "").splitlines()[0] if r.details else ""
    return first or _("not on file")


def _timeline_text(entry: Any) -> str:
    """A timeline entry's text on one line; a status change in words ("new → resolved" said
    as the list says statuses, in the officer's language)."""
    lines = entry.text.splitlines()
    if entry.kind == "status" and lines and " → " in lines[0]:
        old, new = lines[0].split(" → ", 1)
        lines[0] = f"{_words(STATUS_WORD_LABELS, old)} → {_words(STATUS_WORD_LABELS, new)}"
    return " / ".join(lines)


def _request_cells(r: Any, short: str) -> list[str]:
    marks = []
    if r.overdue:
        marks.append("⚠ " + _("overdue"))
    elif r.due_at:
        marks.append(_("due {when}").format(when=_local(r.due_at)))
    if r.assignee:
        marks.append("→ " + r.assignee)
    return [
        short,
        _words(REQUEST_PRIORITY_LABELS, r.priority),
        _words(STATUS_WORD_LABELS, r.status),
        _words(REQUEST_KIND_LABELS, r.kind),
        r.national_name or r.household_name or _caller(r),
        r.summary,
        "  ".join(marks),
    ]


def _print_requests(rows: list[Any], short: dict[str, str]) -> None:
    """One line a request, in columns (the summary and what is due last)."""
    cells = [_request_cells(r, short[r.id]) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())


def _print_request_line(r: Any, short: str) -> None:
    _print_requests([r], {r.id: short})


def cmd_requests(args: argparse.Namespace) -> int:
    """Request actions."""
    return REQUESTS_COMMANDS[args.requests_command](args)


def cmd_requests_list(args: argparse.Namespace) -> int:
    """Open requests (or all), most pressing first."""
    from consuldesk.domain.enums import RequestKind
    from consuldesk.services.requests import list_requests

    desk = _open(args)
    try:
        person = _find_person(desk, args.person) if args.person else None
        rows = list_requests(
            desk,
            **({"statuses": None} if args.all else {}),
            kinds=[RequestKind(k) for k in args.kind] if args.kind else None,
            overdue_only=args.overdue,
            national_id=person.id if person else None,
            text=args.text,
        )
        if args.assignee:  # any part of the name, either case, as the window's filter
            rows = [r for r in rows if folded(args.assignee) in folded(r.assignee)]
        everyone = [r.id for r in list_requests(desk, statuses=None)]
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(rows))
        return EXIT_OK
    if not rows:
        print(_("No requests match."))
        return EXIT_OK
    # Cut among all requests, so that each id shown, typed back, names its request.
    short = _short_ids(everyone)
    _print_requests(rows, {r.id: short[r.id] for r in rows})
    overdue = sum(r.overdue for r in rows)
    print(
        ngettext("{n} request", "{n} requests", len(rows)).format(n=len(rows))
        + (", " + _("{n} overdue").format(n=overdue) if overdue else "")
    )
    return EXIT_OK


def cmd_requests_show(args: argparse.Namespace) -> int:
    """One request with its timeline."""
    from consuldesk.services.requests import get_request

    desk = _open(args)
    try:
        row = get_request(desk, _find_request(desk, args.request).id)
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(row))
        return EXIT_OK
    _print_request(row)
    return EXIT_OK


def _print_request(row: Any) -> None:
    _print_request_line(row, row.id)
    print(_("Opened {when}").format(when=_local(row.created_at)))
    if row.details:
        for line in row.details.splitlines():
            print("  " + line)
    for entry in row.timeline:
        text = _timeline_text(entry)
        print(
            f"  {_local(entry.at)}  {_words(TIMELINE_LABELS, entry.kind)}  {entry.author}: {text}"
        )


def _new_request(args: argparse.Namespace, call: bool) -> int:
    from consuldesk.domain.enums import RequestKind, RequestPriority, TimelineKind
    from consuldesk.services.requests import log_hotline_call, open_request

    desk = _open(args, writes=True)
    try:
        person = _find_person(desk, args.person) if args.person else None
        common: dict[str, Any] = {
            "kind": RequestKind(args.kind),
            "summary": args.summary,
            "national_id": person.id if person else None,
            "priority": RequestPriority(args.priority),
            "details": args.details,
            "assignee": args.assign,
            "due_at": args.due,
        }
        with _blame({"summary": "--summary", "caller": "--caller", "national_id": "PERSON"}):
            if call:
                row = log_hotline_call(
                    desk,
                    caller=args.caller,
                    phone=args.phone,
                    direction=TimelineKind.VISIT
                    if args.visit
                    else TimelineKind.CALL_OUT
                    if args.out
                    else TimelineKind.CALL_IN,
                    **common,
                ).row
            else:
                row = open_request(desk, **common).row
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(row))
    else:
        print(row.id)
    return EXIT_OK


def cmd_requests_open(args: argparse.Namespace) -> int:
    """Open a request for a person; print its id."""
    return _new_request(args, call=False)


def cmd_requests_call(args: argparse.Namespace) -> int:
    """Log a hotline call; print the new request's id."""
    if not (args.person or args.caller or args.phone):
        raise CliError(
            _("Say who called: a PERSON on file, or --caller and --phone for someone not on file"),
            EXIT_BAD_INPUT,
        )
    return _new_request(args, call=True)


def _change(args: argparse.Namespace, act: Callable[[Any, str], Any]) -> int:
    desk = _open(args, writes=True)
    try:
        request = _find_request(desk, args.request)
        row = act(desk, request.id)
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(row))
    else:
        _print_request_line(row, request.id)
    return EXIT_OK


def cmd_requests_status(args: argparse.Namespace) -> int:
    """Move a request through its workflow."""
    from consuldesk.domain.enums import RequestStatus
    from consuldesk.services.requests import change_status

    return _change(
        args,
        lambda desk, i: change_status(desk, i, RequestStatus(args.new_status), args.note).row,
    )


def cmd_requests_note(args: argparse.Namespace) -> int:
    """A note or a call on a request's timeline."""
    from consuldesk.domain.enums import TimelineKind
    from consuldesk.services.requests import add_note

    kind = (
        TimelineKind.CALL_IN
        if args.call_in
        else TimelineKind.CALL_OUT
        if args.call_out
        else TimelineKind.VISIT
        if args.visit
        else TimelineKind.NOTE
    )
    with _blame({"text": "TEXT"}):
        return _change(args, lambda desk, i: add_note(desk, i, kind, args.text).row)


def cmd_requests_link(args: argparse.Namespace) -> int:
    """Link the person of a request opened for someone not on file."""
    from consuldesk.services.requests import link_person

    def link(desk: Any, request_id: str) -> Any:
        person = _find_person(desk, args.person)
        return link_person(desk, request_id, person.id).row

    with _blame({"national_id": "PERSON"}):
        return _change(args, link)


def cmd_requests_assign(args: argparse.Namespace) -> int:
    """Give a request to an officer, or to nobody."""
    from consuldesk.services.requests import assign

    who = None if args.nobody else args.assignee
    return _change(args, lambda desk, i: assign(desk, i, who).row)


REQUESTS_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_requests_list,
    "show": cmd_requests_show,
    "open": cmd_requests_open,
    "call": cmd_requests_call,
    "link": cmd_requests_link,
    "status": cmd_requests_status,
    "note": cmd_requests_note,
    "assign": cmd_requests_assign,
}

COMMANDS = {"requests": cmd_requests}
