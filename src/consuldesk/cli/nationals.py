"""Finding and counting nationals: ``search``, ``stats``, ``duplicates``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CliError,
    _confirmed,
    _day,
    _open,
    _pick_id,
    _positive,
    _print_json,
    _short_ids,
)
from consuldesk.i18n import _
from consuldesk.messages import REQUEST_KIND_LABELS

DUPLICATES_EPILOG = """\
Pairs are flagged when one list or bundle brings a person already on file under another
record (the same name and birth date, a passport or IIN in common), at this post or at two.

examples:
  consuldesk-cli duplicates                       the pairs, best match first, with their ids
  consuldesk-cli duplicates merge 01a2b3c4        keep the first record, merge the second in
                                                  (asks first; --yes not to)
  consuldesk-cli duplicates merge 01a2b3c4 --keep-second --take phones city --yes
  consuldesk-cli duplicates dismiss 01a2b3c4      two different people: flag them no more
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """This group's commands; ``add`` adds one with the options every command takes."""
    p = add("search", help="find nationals by name, IIN, passport or phone")
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=_positive, default=20, help="most rows to show (default 20)")

    p = add("stats", help="counts by country, city, status, vulnerability, requests")
    p.add_argument("--on", type=_day, help="the day to count (31.12.2026 or 2026-12-31); today")

    parser = add(
        "duplicates",
        help="pairs flagged as probably one person: list, merge, dismiss",
        description="Records flagged as probably one person, and what to do with each pair.",
        epilog=DUPLICATES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="duplicates_command", metavar="ACTION")
    actions.add_parser("list", parents=[common], help="the pairs (the default action)")
    p = actions.add_parser(
        "merge", parents=[common], help="make a pair one record (the other is merged into it)"
    )
    p.add_argument("pair", metavar="PAIR", help="the pair's id as listed (6 or more characters)")
    p.add_argument(
        "--keep-second",
        action="store_true",
        help="keep the second record of the pair (default: the first)",
    )
    p.add_argument(
        "--take",
        nargs="+",
        default=[],
        metavar="FIELD",
        choices=FIELD_CHOICES,
        help="fields to take from the record merged in although the one kept has them",
    )
    p.add_argument("--yes", action="store_true", help="do not ask before merging")
    p = actions.add_parser("dismiss", parents=[common], help="two different people: unflag")
    p.add_argument("pair", metavar="PAIR", help="the pair's id as listed (6 or more characters)")


#: What ``duplicates merge --take`` may name: the fields of a person's record.
FIELD_CHOICES = (
    "surname_cyr", "given_names_cyr", "patronymic_cyr", "surname_lat", "given_names_lat",
    "sex", "birth_date", "iin", "passport_no", "passport_expiry", "nationality", "phones",
    "email", "messenger", "host_country", "city", "address", "presence_status",
    "medical_condition", "mobility_needs", "pregnant", "notes", "consent_date",
)  # fmt: skip

STATUS_LABELS = {
    "in_country": "in country",
    "in_transit": "in transit",
    "in_hotel": "in hotel",
    "evacuated": "evacuated",
    "left_on_own": "left on own",
    "unknown": "unknown",
}


NEED_LABELS = {
    "medical": "medical",
    "mobility": "mobility",
    "pregnant": "pregnant",
    "over_60": "60+",
    "woman_with_minors": "with children",
    "minor": "minor",
}


def cmd_search(args: argparse.Namespace) -> int:
    """Search nationals."""
    from consuldesk.domain.enums import Vulnerability
    from consuldesk.domain.phone import format_phone
    from consuldesk.services.nationals import search, similar_names_note

    query = " ".join(args.query).strip()
    if not query:
        raise CliError(
            _("Give a name, IIN, passport number or phone to search for."), EXIT_BAD_INPUT
        )
    desk = _open(args)
    try:
        result = search(desk, query, limit=args.limit)
        today = desk.today()
    finally:
        desk.close()
    if args.json:
        _print_json({"rows": result.rows, "more": result.more, "similar": result.similar})
        return EXIT_OK
    if not result.rows:
        print(_("Nobody found."))
        return EXIT_OK
    if result.similar:
        print(similar_names_note(query))
    table = [
        [
            _("Name"),
            _("Passport name"),
            _("Born"),
            _("Age"),
            _("IIN"),
            _("Passport"),
            _("Phone"),
            _("Where"),
            _("Status"),
            _("Needs"),
        ],
    ]
    for row in result.rows:
        age = row.age(today)
        table.append(
            [
                row.name,
                row.name_lat,
                row.birth_date.strftime("%d.%m.%Y") if row.birth_date else "",
                "" if age is None else str(age),
                row.iin or "",
                row.passport_no or "",
                format_phone(row.phones[0]) if row.phones else "",
                ", ".join(p for p in (row.city, row.host_country) if p),
                _(STATUS_LABELS.get(row.presence_status, row.presence_status)),
                ", ".join(_(NEED_LABELS[v]) for v in Vulnerability if v in row.vulnerabilities),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    if result.more:
        print(_("… more found; refine the search or raise --limit."))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Counts for headquarters."""
    from consuldesk.services.stats import situation

    desk = _open(args)
    try:
        result = situation(desk, args.on)
    finally:
        desk.close()
    if args.json:
        _print_json(result.to_dict())
        return EXIT_OK
    _print_situation(result)
    return EXIT_OK


def _print_situation(s: Any) -> None:
    from datetime import UTC, datetime

    from consuldesk.domain.countries import country_name
    from consuldesk.i18n import language
    from consuldesk.reports.sitrep import STALE_AFTER

    def section(title: str, counts: dict[str, int], label: Any = str) -> None:
        if not any(counts.values()):
            return  # a heading over nothing ("by kind" with no open requests)
        print(title)
        for key, value in counts.items():
            if value:
                print(f"  {label(key):<30} {value:>7}")

    print(_("Situation on {day}").format(day=s.on.strftime("%d.%m.%Y")))
    print(
        _("Nationals: {n}   vulnerable: {v}   evacuated: {e}").format(
            n=s.nationals, v=s.vulnerable, e=s.evacuated
        )
    )
    if len(s.by_post) > 1 or s.post_as_of:  # headquarters, even with one post's people
        print(_("By post (figures as of, UTC)"))
        now = datetime.now(UTC)
        for post, count in s.by_post.items():
            if post not in s.post_as_of:
                when = _("current: this case file")
            elif (at := s.post_as_of[post]) is None:
                when = _("not known")
            else:
                when = at.astimezone(UTC).strftime("%d.%m.%Y %H:%M")
                if now - at > STALE_AFTER:
                    when += "  " + _("more than a day old")
            print(f"  {post:<30} {count:>7}  {when}")
    if s.counted_twice:
        print(
            _(
                "Counted twice: {n} people registered at two posts are not merged yet "
                "(consuldesk-cli duplicates)"
            ).format(n=s.counted_twice)
        )
    if s.possible_duplicates:
        print(
            _("Possible duplicates to look at: {n} (consuldesk-cli duplicates)").format(
                n=s.possible_duplicates
            )
        )
    countries = {country_name(c, language()): n for c, n in s.by_country.items()}
    section(_("By country"), {**countries, _("no country"): s.country_unknown})
    section(_("By city"), {**s.by_city, _("other"): s.city_other, _("no city"): s.city_unknown})
    section(_("By status"), s.by_presence, lambda k: _(STATUS_LABELS.get(k) or k))
    section(_("Vulnerability"), s.by_vulnerability, lambda k: _(NEED_LABELS.get(k) or k))
    print(_("Open requests: {n} (overdue {o})").format(n=s.open_requests, o=s.overdue_requests))
    section(_("  by kind"), s.open_by_kind, lambda k: "  " + _(REQUEST_KIND_LABELS.get(k) or k))
    print(
        _("Hotels: {h}, beds {b}, occupied tonight {o}, nationals placed {p}").format(
            h=s.hotels, b=s.hotel_beds, o=s.hotel_occupied, p=s.placed_tonight
        )
    )
    if s.needs_review:
        print(
            _("Needs review: {n} (values set aside by list imports; consuldesk-cli review)").format(
                n=s.needs_review
            )
        )


def cmd_duplicates(args: argparse.Namespace) -> int:
    """Pairs flagged as probably one person; merge or dismiss one."""
    action = getattr(args, "duplicates_command", None) or "list"
    if action != "list":
        return _settle_pair(args, action)
    from consuldesk.services.nationals import list_duplicates

    desk = _open(args)
    try:
        pairs = list_duplicates(desk)
    finally:
        desk.close()
    if args.json:
        _print_json(pairs)
        return EXIT_OK
    if not pairs:
        print(_("No probable duplicates to review."))
    short = _short_ids([p.id for p in pairs])
    for pair in pairs:
        print(_("{id}  names alike {score:.0f} %").format(id=short[pair.id], score=pair.score))
        for person, post in ((pair.a, pair.posts[0]), (pair.b, pair.posts[1])):
            print(f"    {_person_line(person, post)}")
    return EXIT_OK


def _person_line(person: Any, post: str) -> str:
    born = f"{person.birth_date:%d.%m.%Y}" if person.birth_date else "—"
    facts = ", ".join(x for x in (born, person.passport_no, person.iin, post) if x)
    return f"{person.name} ({facts})"


def _settle_pair(args: argparse.Namespace, action: str) -> int:
    from consuldesk.services.nationals import dismiss_duplicate, list_duplicates, merge_nationals

    desk = _open(args, writes=True)
    try:
        pairs = {p.id: p for p in list_duplicates(desk)}
        labels = {i: f"{p.a.name} ↔ {p.b.name}" for i, p in pairs.items()}
        pair = pairs[_pick_id(args.pair, labels, "pair")]
        if action == "dismiss":
            dismiss_duplicate(desk, pair.id)
        else:
            first, second = zip((pair.a, pair.b), pair.posts, strict=True)
            (keep, kept_at), (drop, dropped_at) = (
                (second, first) if args.keep_second else (first, second)
            )
            # A merge is not undone: said, and asked, as restoring a backup is.
            print(_("Keep:        {who}").format(who=_person_line(keep, kept_at)), file=sys.stderr)
            print(
                _("Merged in:   {who}").format(who=_person_line(drop, dropped_at)), file=sys.stderr
            )
            if not args.yes and not _confirmed(
                _("Merge them into one record? [y/N] "),
                _("Add --yes to merge without being asked."),
            ):
                print(_("Nothing was changed."))
                return EXIT_OK
            merge_nationals(desk, keep.id, drop.id, take_from_drop=args.take)
    finally:
        desk.close()
    if action == "dismiss":
        message = _("Two different people, flagged no more: {a} and {b}.")
        print(message.format(a=pair.a.name, b=pair.b.name))
    else:
        message = _("Merged: {kept} is the record kept; {merged} is merged into it.")
        print(message.format(kept=keep.name, merged=drop.name))
    return EXIT_OK


COMMANDS = {
    "search": cmd_search,
    "stats": cmd_stats,
    "duplicates": cmd_duplicates,
}
