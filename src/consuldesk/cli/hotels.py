"""Hotels from the command line: ``hotels list``, ``add``, ``guests``, ``place``, ``check-in``,
``check-out``, ``cancel`` — the same use cases as the window's Hotels page, for a post whose
laptop screen broke or a script that books the rooms a tour operator sent."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CliError,
    _blame,
    _confirmed,
    _day,
    _find_person,
    _id_key,
    _jsonable,
    _open,
    _pick_id,
    _print_json,
    _short_ids,
    command_with_actions,
)
from consuldesk.domain.names import folded
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    PAID_BY_LABELS,
    RATE_BASIS_LABELS,
    STATUS_WORD_LABELS,
    describe,
    hotel_on_file_sentence,
    left_alone_sentence,
)

HOTELS_EPILOG = """\
A hotel is named by its name (or enough of it to be the only one) or its id; a guest by a
passport number, an IIN or a name that finds one person; a stay by its id as 'guests' lists it.

examples:
  consuldesk-cli hotels list                          beds taken and free tonight
  consuldesk-cli hotels add "Rotana Al Ain" --city "Al Ain" --beds 60 --rooms 30 \\
      --rate 320 --currency AED --per-room --tour-operator "Kompas Tour"
  consuldesk-cli hotels place Rotana N12345678 --from 12.03.2026 --to 15.03.2026 --family
  consuldesk-cli hotels place Rotana 900101300123 --from today --arrived
  consuldesk-cli hotels guests Rotana                 tonight's guests, and who should have left
  consuldesk-cli hotels move Hilton N12345678 --room 7  to another hotel from tonight
  consuldesk-cli hotels check-out N12345678           they left today
"""


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``hotels`` and its actions; ``common`` holds the options every command takes."""
    action = command_with_actions(
        add,
        common,
        "hotels",
        help="hotels, who sleeps where: list, add, guests, place, check in and out",
        description="Hotels the post books, and the stays of its nationals in them.",
        epilog=HOTELS_EPILOG,
    )
    hotel_help = "the hotel's name (or enough of it) or id (see 'hotels list')"
    stay_help = "the guest (passport, IIN or name) or the stay's id (see 'hotels guests')"

    p = action("list", help="hotels with their beds taken and free on a night")
    p.add_argument("--on", type=_day_or_today, help="the night (31.12.2026, 2026-12-31; tonight)")

    p = action("add", help="add a hotel the post books; prints its id")
    p.add_argument("name")
    p.add_argument("--beds", type=_count, required=True, help="beds the post may fill")
    p.add_argument("--rooms", type=_count, default=0, help="rooms booked")
    p.add_argument("--city")
    p.add_argument("--country", help="code or name (default: none)")
    p.add_argument("--address")
    p.add_argument("--phone")
    p.add_argument("--rate", type=_amount, default=0, help="nightly rate, e.g. 320 or 320.50")
    p.add_argument("--currency", default="USD", help="ISO code of the rate (default USD)")
    p.add_argument(
        "--per-room", action="store_true", help="the rate is a room's a night (default: a guest's)"
    )
    p.add_argument("--tour-operator")
    p.add_argument("--notes")
    p.add_argument(
        "--yes", action="store_true", help="add it although a hotel of its name and city is on file"
    )

    p = action("edit", help="correct a hotel: only the options given change")
    p.add_argument("hotel", help=hotel_help)
    p.add_argument("--name")
    p.add_argument("--beds", type=_count)
    p.add_argument("--rooms", type=_count)
    p.add_argument("--city")
    p.add_argument("--country")
    p.add_argument("--address")
    p.add_argument("--phone")
    p.add_argument("--rate", type=_amount)
    p.add_argument("--currency")
    basis = p.add_mutually_exclusive_group()
    basis.add_argument("--per-room", action="store_true", help="the rate is a room's a night")
    basis.add_argument("--per-person", action="store_true", help="the rate is a guest's a night")
    p.add_argument("--tour-operator")
    p.add_argument("--notes")
    p.add_argument(
        "--yes", action="store_true", help="save it although another hotel has its name and city"
    )

    p = action("remove", help="remove a hotel added by mistake, with no stay at it (asks first)")
    p.add_argument("hotel", help=hotel_help)
    p.add_argument("--yes", action="store_true", help="do not ask first")

    p = action("guests", help="who sleeps at a hotel on a night, and who should have left")
    p.add_argument("hotel", help=hotel_help)
    p.add_argument(
        "--on",
        type=_day_or_today,
        help="only those sleeping there that night (default: tonight, with those who should "
        "have left by today and were not checked out)",
    )

    p = action("place", help="book a hotel for people (one stay each, the same dates)")
    p.add_argument("hotel", help=hotel_help)
    p.add_argument("people", nargs="+", metavar="PERSON", help="passport, IIN, id or name")
    p.add_argument("--from", dest="check_in", type=_day_or_today, required=True, help="first night")
    p.add_argument("--to", dest="check_out", type=_day_or_today, help="day they leave")
    p.add_argument(
        "--family",
        action="store_true",
        help="the person's whole family, in one room (one PERSON only)",
    )
    p.add_argument("--room", help="room number or name, shared by everyone placed")
    p.add_argument(
        "--arrived", action="store_true", help="they are at the hotel now: checked in at once"
    )
    p.add_argument(
        "--paid-by", choices=sorted(PAID_BY_LABELS), default="post", help="who pays (post)"
    )
    p.add_argument(
        "--rate", type=_amount, help="nightly rate of these stays (default: the hotel's)"
    )
    p.add_argument(
        "--overbook", action="store_true", help="place them although the hotel has no free bed"
    )

    p = action("move", help="move guests to another hotel or room, keeping their dates")
    p.add_argument("hotel", help="where they go: " + hotel_help)
    p.add_argument("stays", nargs="+", metavar="GUEST", help=stay_help)
    p.add_argument("--room", help="room number or name there")
    p.add_argument(
        "--from", dest="on", type=_day_or_today, help="from the night of (default tonight)"
    )
    p.add_argument(
        "--overbook", action="store_true", help="move them although the hotel has no free bed"
    )

    for name, what in (
        ("check-in", "a booked guest arrived"),
        ("check-out", "a guest left (asks first when it leaves a child without an adult)"),
    ):
        p = action(name, help=what)
        p.add_argument("stay", metavar="GUEST", help=stay_help)
        p.add_argument("--on", type=_day_or_today, help="the day (default today)")
    p.add_argument("--yes", action="store_true", help="do not ask first")

    p = action("cancel", help="cancel a booking that will not be used (asks first)")
    p.add_argument("stay", metavar="GUEST", help=stay_help)
    p.add_argument("--yes", action="store_true", help="do not ask first")


#: ``--from today``: the case file's today, read once it is open.
TODAY = "today"


def _day_or_today(text: str) -> date | str:
    """A day as ``_day`` reads it, or :data:`TODAY` for ``today`` (``сегодня``, ``бүгін``)."""
    if text.strip().casefold() in {"today", "сегодня", "бүгін"}:
        return TODAY
    from consuldesk.domain.dates import full_year

    return _day(full_year(text))  # 12/03/26 as the window reads it: a stay is for now


def _resolved(value: date | str | None, desk: Any) -> date | None:
    return desk.today() if value == TODAY else value  # type: ignore[return-value]


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("“{text}” is not a whole number").format(text=text)
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("“{text}” is below zero").format(text=text))
    return value


def _amount(text: str) -> int:
    """An amount as typed (``320``, ``320.50``, ``320,50``) in hundredths."""
    try:
        value = Decimal(text.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(_("“{text}” is not an amount").format(text=text)) from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(
            _("“{text}” is not an amount of at most two decimals, at least 0").format(text=text)
        )
    return int(value * 100)


def _money(minor: int, currency: str) -> str:
    units, cents = divmod(minor, 100)
    return f"{units}.{cents:02d} {currency}"


def _date(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else "—"


def _find_hotel(desk: Any, text: str) -> Any:
    """The live hotel ``text`` names: its name (whole, else a part only one hotel's name has,
    either case) or its id or the first 6+ characters of it."""
    from consuldesk.services.hotels import list_hotels

    hotels = {h.id: h for h in list_hotels(desk)}
    wanted = folded(text)
    whole = [i for i, h in hotels.items() if folded(h.name) == wanted]
    part = [i for i, h in hotels.items() if wanted and wanted in folded(h.name)]
    named = whole or part
    if len(named) == 1:
        return hotels[named[0]]
    labels = {i: h.label for i, h in hotels.items()}
    if len(named) > 1:
        short = _short_ids(hotels)  # typed back, each names one hotel among them all
        shown = ", ".join(f"{labels[i]} ({short[i]})" for i in named[:5])
        raise CliError(
            ngettext(
                "“{text}” names {n} hotel: {hotels}; give more of its name or its id",
                "“{text}” names {n} hotels: {hotels}; give more of its name or its id",
                len(named),
            ).format(text=text, n=len(named), hotels=shown),
            EXIT_BAD_INPUT,
        )
    return hotels[_pick_id(text, labels, "hotel")]


def _find_stay(desk: Any, text: str, statuses: Sequence[str]) -> Any:
    """The one stay (a ``PlacementRow``) in one of ``statuses`` that ``text`` names: its id
    (or 6+ characters of it), else the guest's, when that guest has one such stay."""
    from consuldesk.services.hotels import list_placements

    every = list_placements(desk)
    stays = [p for p in every if p.status in statuses]
    key = _id_key(text)
    if len(key) >= 6 and all(c in "0123456789abcdef" for c in key):
        by_id = [p for p in every if _id_key(p.id).startswith(key)]
        if by_id:
            labels = {p.id: f"{p.person_name}, {p.hotel_name}" for p in by_id}
            found = next(p for p in by_id if p.id == _pick_id(text, labels, "placement"))
            if found.status not in statuses:  # the stay named, but not one this can change
                raise CliError(
                    _("The stay of {name} at {hotel} is {status}").format(
                        name=found.person_name,
                        hotel=found.hotel_name,
                        status=_(STATUS_WORD_LABELS.get(found.status, found.status)),
                    ),
                    EXIT_BAD_INPUT,
                )
            return found
    person = _find_person(desk, text)
    theirs = [p for p in stays if p.national_id == person.id]
    if len(theirs) == 1:
        return theirs[0]
    wanted = _(" or ").join(_(STATUS_WORD_LABELS.get(s, s)) for s in statuses)
    if not theirs:
        raise CliError(
            _("{name} has no stay that is {statuses} now").format(
                name=person.name, statuses=wanted
            ),
            EXIT_BAD_INPUT,
        )
    shown = "; ".join(
        f"{p.id[:13]} ({p.hotel_name}, {_date(p.check_in)}–{_date(p.check_out)})" for p in theirs
    )
    raise CliError(
        _("{name} has {n} stays that are {statuses}: {stays}; give the stay's id").format(
            name=person.name, n=len(theirs), statuses=wanted, stays=shown
        ),
        EXIT_BAD_INPUT,
    )


def _print_stays(stays: Sequence[Any], everyone: Sequence[str]) -> None:
    """One line a stay, in columns: its short id (cut among ``everyone``, the ids of all
    stays, so that typed back it names this one), the guest, the room, the dates, the
    status."""
    short = _short_ids([*everyone, *(p.id for p in stays)])
    cells = [
        [
            short[p.id],
            p.person_name,
            _("room {room}").format(room=p.room) if p.room else _("no room yet"),
            f"{_date(p.check_in)} → {_date(p.check_out)}",
            _(STATUS_WORD_LABELS.get(p.status, p.status)),
        ]
        for p in stays
    ]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(5)]
    for c in cells:
        print("  " + "  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())


def cmd_hotels(args: argparse.Namespace) -> int:
    """Hotel actions."""
    return HOTELS_COMMANDS[args.hotels_command](args)


def cmd_hotels_list(args: argparse.Namespace) -> int:
    """Hotels with their beds taken and free on a night."""
    from consuldesk.services.hotels import occupancy

    desk = _open(args)
    try:
        night = _resolved(args.on, desk) or desk.today()
        rows = occupancy(desk, night)
    finally:
        desk.close()
    if args.json:
        _print_json(
            [
                {
                    **_jsonable(r.hotel),
                    "night": night,
                    "occupied": r.occupied,
                    "free": r.free,
                    "overbooked": r.overbooked,
                }
                for r in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print(_("No hotels yet; add one with 'consuldesk-cli hotels add'."))
        return EXIT_OK
    print(_("The night of {night}:").format(night=_date(night)))
    short = _short_ids([r.hotel.id for r in rows])
    cells = []
    for r in rows:
        h = r.hotel
        taken = _("{occupied} of {beds} beds taken").format(occupied=r.occupied, beds=r.beds)
        if r.overbooked:
            free = "⚠ " + _("overbooked by {n}").format(n=r.overbooked)
        else:
            free = _("{n} free").format(n=r.free)
        rate = f"{_money(h.nightly_rate_minor, h.currency)} {_(RATE_BASIS_LABELS[h.rate_basis])}"
        cells.append([short[h.id], h.name, h.city or "—", taken, free, rate])
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    return EXIT_OK


def cmd_hotels_add(args: argparse.Namespace) -> int:
    """Add a hotel; print its id."""
    from consuldesk.services.hotels import HotelFields, add_hotel

    fields = HotelFields(
        name=args.name,
        city=args.city,
        country=args.country,
        address=args.address,
        phone=args.phone,
        rooms=args.rooms,
        beds=args.beds,
        nightly_rate_minor=args.rate,
        currency=args.currency,
        tour_operator=args.tour_operator,
        notes=args.notes,
        rate_basis="room" if args.per_room else "person",
    )
    desk = _open(args, writes=True)
    try:
        _unless_on_file(desk, args, fields, None)
        with _blame({"currency": "--currency", "country": "--country", "name": "NAME"}):
            hotel = add_hotel(desk, fields).row
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(hotel))
    else:
        print(hotel.id)
    return EXIT_OK


def _unless_on_file(desk: Any, args: argparse.Namespace, fields: Any, hotel_id: str | None) -> None:
    """Ask (or, without a terminal, refuse without --yes) before a second hotel of one name
    and city: four "Tiny Inn, Dubai" were added without a word."""
    from consuldesk.services.hotels import same_hotels

    same = same_hotels(desk, fields.name, fields.city, exclude_id=hotel_id)
    if not same or args.yes:
        return
    said = hotel_on_file_sentence(same[0].label, same[0].beds)
    if not _confirmed(
        said + " " + _("Save a second hotel of that name all the same? [y/N] "),
        said + " " + _("Add --yes to save a second hotel of that name all the same."),
    ):
        raise CliError(_("Nothing saved."), EXIT_BAD_INPUT)


def cmd_hotels_edit(args: argparse.Namespace) -> int:
    """Correct a hotel: the options given replace its values, the others stay."""
    from dataclasses import replace

    from consuldesk.services.hotels import HotelFields, occupancy, update_hotel

    desk = _open(args, writes=True)
    try:
        hotel = _find_hotel(desk, args.hotel)
        now = HotelFields(
            name=hotel.name,
            city=hotel.city,
            address=hotel.address,
            phone=hotel.phone,
            rooms=hotel.rooms,
            beds=hotel.beds,
            nightly_rate_minor=hotel.nightly_rate_minor,
            currency=hotel.currency,
            tour_operator=hotel.tour_operator,
            notes=hotel.notes,
            rate_basis=hotel.rate_basis,
            country=hotel.country,
        )
        given = {
            "name": args.name,
            "city": args.city,
            "address": args.address,
            "phone": args.phone,
            "rooms": args.rooms,
            "beds": args.beds,
            "nightly_rate_minor": args.rate,
            "currency": args.currency,
            "tour_operator": args.tour_operator,
            "notes": args.notes,
            "country": args.country,
            "rate_basis": "room" if args.per_room else "person" if args.per_person else None,
        }
        fields = replace(now, **{k: v for k, v in given.items() if v is not None})
        if (fields.name, fields.city) != (now.name, now.city):
            _unless_on_file(desk, args, fields, hotel.id)
        with _blame({"currency": "--currency", "country": "--country", "name": "--name"}):
            row = update_hotel(desk, hotel.id, fields).row
        tonight = sum(r.occupied for r in occupancy(desk, hotel_id=hotel.id))
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(row))
    else:
        rate = (
            f"{_money(row.nightly_rate_minor, row.currency)} {_(RATE_BASIS_LABELS[row.rate_basis])}"
        )
        print(
            _("{hotel}: beds {beds}, rooms {rooms}, {rate}").format(
                hotel=row.name, beds=row.beds, rooms=row.rooms, rate=rate
            )
        )
        if row.beds and tonight > row.beds:
            print(
                "⚠ "
                + ngettext(
                    "{n} guest sleeps there tonight: overbooked by {over}",
                    "{n} guests sleep there tonight: overbooked by {over}",
                    tonight,
                ).format(n=tonight, over=tonight - row.beds)
            )
    return EXIT_OK


def cmd_hotels_remove(args: argparse.Namespace) -> int:
    """Remove a hotel with no stay at it; asks first."""
    from consuldesk.services.hotels import delete_hotel

    desk = _open(args, writes=True)
    try:
        hotel = _find_hotel(desk, args.hotel)
        where = hotel.label
        if not args.yes and not _confirmed(
            _("Remove {hotel}? It is kept in the audit trail. [y/N] ").format(hotel=where),
            _("Removing a hotel asks first: add --yes to remove it"),
        ):
            print(_("Nothing removed."))
            return EXIT_OK
        delete_hotel(desk, hotel.id)
    finally:
        desk.close()
    print(_("{hotel} removed.").format(hotel=where))
    return EXIT_OK


def cmd_hotels_guests(args: argparse.Namespace) -> int:
    """A hotel's guests: tonight's (or a night's), with those who should have left."""
    from consuldesk.services.hotels import guests_at_the_desk, guests_tonight, list_placements

    desk = _open(args)
    try:
        hotel = _find_hotel(desk, args.hotel)
        on = _resolved(args.on, desk)
        night = on or desk.today()
        if on is None:
            rows = guests_at_the_desk(desk, hotel.id)
        else:
            rows = guests_tonight(desk, hotel.id, on)
        everyone = [p.id for p in list_placements(desk)]
    finally:
        desk.close()
    if args.json:
        _print_json({"hotel": _jsonable(hotel), "night": night, "guests": _jsonable(rows)})
        return EXIT_OK
    sleeping = [p for p in rows if p.check_out is None or p.check_out > night]
    leaving = [p for p in rows if p not in sleeping]
    print(
        ngettext(
            "{hotel}, the night of {night}: {n} guest of {beds} beds",
            "{hotel}, the night of {night}: {n} guests of {beds} beds",
            len(sleeping),
        ).format(hotel=hotel.name, night=_date(night), n=len(sleeping), beds=hotel.beds)
    )
    _print_stays(sleeping, everyone)
    if leaving:
        print(_("Should have left by today, not checked out:"))
        _print_stays(leaving, everyone)
    return EXIT_OK


def cmd_hotels_place(args: argparse.Namespace) -> int:
    """Book a hotel for people, or a person's family in one room."""
    from consuldesk.domain.enums import HouseholdKind, PaidBy
    from consuldesk.services.errors import ServiceError
    from consuldesk.services.hotels import list_placements, place, place_household
    from consuldesk.services.nationals import get_national

    if args.family and len(args.people) != 1:
        raise CliError(_("--family takes one person: the family is theirs"), EXIT_BAD_INPUT)
    desk = _open(args, writes=True)
    try:
        hotel = _find_hotel(desk, args.hotel)
        people = [_find_person(desk, text) for text in args.people]
        family = None
        if args.family:
            mine = get_national(desk, people[0].id).household_ids
            from consuldesk.services.households import get_household

            families = [
                h
                for h in (get_household(desk, i) for i in mine)
                if h.kind == HouseholdKind.FAMILY.value
            ]
            if not families:
                raise CliError(
                    _("{name} has no family on file: place them alone, or name each person").format(
                        name=people[0].name
                    ),
                    EXIT_BAD_INPUT,
                )
            family = families[0]
        check_in, check_out = _resolved(args.check_in, desk), _resolved(args.check_out, desk)
        today = desk.today()
        common: dict[str, Any] = {
            "check_in": check_in,
            "check_out": check_out,
            "room": args.room,
            "paid_by": PaidBy(args.paid_by),
            "nightly_cost_minor": args.rate,
            "allow_overbook": args.overbook,
            "checked_in": args.arrived,
        }
        try:
            with _blame({"check_out": "--to", "check_in": "--from", "room": "--room"}):
                if family is not None:
                    stays = place_household(desk, hotel.id, family.id, **common).row
                else:
                    stays = place(desk, hotel.id, [p.id for p in people], **common).row
        except ServiceError as exc:
            if exc.code == "hotel.full":
                raise CliError(
                    describe(exc) + " " + _("(--overbook to place them all the same)"),
                    EXIT_BAD_INPUT,
                ) from exc
            if exc.code == "placement.not_now":
                raise CliError(
                    _(
                        "--arrived: a stay from {check_in} to {check_out} does not include "
                        "tonight, so they cannot be at the hotel now"
                    ).format(check_in=_date(check_in), check_out=_date(check_out)),
                    EXIT_BAD_INPUT,
                ) from exc
            raise
        everyone = [p.id for p in list_placements(desk)]
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(list(stays)))
        return EXIT_OK
    first = stays[0]
    if first.check_out is not None and first.check_out <= today:
        # Years in the past from a date typed wrong read as any booking.
        print(
            "⚠ "
            + _("The whole stay is before today ({today}): it is recorded as a past stay.").format(
                today=_date(today)
            )
        )
    until = _date(first.check_out) if first.check_out else _("not known yet")
    print(
        ngettext(
            "{n} placed at {hotel} from {check_in} until {check_out}:",
            "{n} placed at {hotel} from {check_in} until {check_out}:",
            len(stays),
        ).format(n=len(stays), hotel=hotel.name, check_in=_date(first.check_in), check_out=until)
    )
    _print_stays(stays, everyone)
    return EXIT_OK


def cmd_hotels_move(args: argparse.Namespace) -> int:
    """Move guests to another hotel or room from a night; their dates and payer kept."""
    from consuldesk.services.errors import ServiceError
    from consuldesk.services.hotels import list_placements, move_stays

    desk = _open(args, writes=True)
    try:
        hotel = _find_hotel(desk, args.hotel)
        stays = [_find_stay(desk, text, ("booked", "checked_in")) for text in args.stays]
        try:
            with _blame({"on": "--from", "check_out": "--from"}):
                moved = move_stays(
                    desk,
                    [s.id for s in stays],
                    hotel.id,
                    args.room,
                    _resolved(args.on, desk),
                    allow_overbook=args.overbook,
                ).row
        except ServiceError as exc:
            if exc.code == "hotel.full":
                raise CliError(
                    describe(exc) + " " + _("(--overbook to place them all the same)"),
                    EXIT_BAD_INPUT,
                ) from exc
            raise
        everyone = [p.id for p in list_placements(desk)]
    finally:
        desk.close()
    if args.json:
        _print_json(_jsonable(list(moved)))
        return EXIT_OK
    print(
        ngettext(
            "{n} moved to {hotel} from {day}:", "{n} moved to {hotel} from {day}:", len(moved)
        ).format(n=len(moved), hotel=hotel.name, day=_date(min(m.check_in for m in moved)))
    )
    _print_stays(moved, everyone)
    return EXIT_OK


def _stay_action(args: argparse.Namespace, statuses: Sequence[str], act: Any) -> Any:
    desk = _open(args, writes=True)
    try:
        stay = _find_stay(desk, args.stay, statuses)
        with _blame({"check_in": "--on", "check_out": "--on", "on": "--on"}):
            return act(desk, stay)
    finally:
        desk.close()


def _said(args: argparse.Namespace, row: Any, text: str) -> int:
    """A stay changed: its row as JSON with --json, else one line saying what was done."""
    if args.json:
        _print_json(_jsonable(row))
    else:
        print(text)
    return EXIT_OK


def cmd_hotels_check_in(args: argparse.Namespace) -> int:
    """A booked guest arrived."""
    from consuldesk.services.hotels import check_in

    row = _stay_action(
        args, ("booked",), lambda desk, s: check_in(desk, s.id, _resolved(args.on, desk)).row
    )
    return _said(
        args,
        row,
        _("{name}: checked in at {hotel} on {day}").format(
            name=row.person_name, hotel=row.hotel_name, day=_date(row.check_in)
        ),
    )


def cmd_hotels_check_out(args: argparse.Namespace) -> int:
    """A guest left."""
    from consuldesk.services.hotels import check_out, left_without_an_adult

    def leave(desk: Any, stay: Any) -> Any:
        day = _resolved(args.on, desk)
        alone = left_without_an_adult(desk, stay.id, day)
        if alone and not args.yes:
            said = left_alone_sentence(alone, stay.hotel_name)
            if not _confirmed(
                said
                + " "
                + _("Check {name} out all the same? [y/N] ").format(name=stay.person_name),
                said + " " + _("Add --yes to check them out all the same."),
            ):
                return None
        return check_out(desk, stay.id, day).row

    row = _stay_action(args, ("checked_in", "booked"), leave)
    if row is None:
        print(_("Nobody checked out."))
        return EXIT_OK
    return _said(
        args,
        row,
        _("{name}: checked out of {hotel} on {day}").format(
            name=row.person_name, hotel=row.hotel_name, day=_date(row.check_out)
        ),
    )


def cmd_hotels_cancel(args: argparse.Namespace) -> int:
    """Cancel a booking; asks first."""
    from consuldesk.services.hotels import cancel_placement

    def cancel(desk: Any, stay: Any) -> Any:
        question = _("Cancel the stay of {name} at {hotel} from {check_in}? [y/N] ").format(
            name=stay.person_name, hotel=stay.hotel_name, check_in=_date(stay.check_in)
        )
        if not args.yes and not _confirmed(
            question, _("Cancelling a stay asks first: add --yes to cancel it")
        ):
            return None
        return cancel_placement(desk, stay.id).row

    row = _stay_action(args, ("booked", "checked_in"), cancel)
    if row is None:
        print(_("Nothing cancelled."))
        return EXIT_OK
    return _said(
        args,
        row,
        _("{name}: the stay at {hotel} is cancelled").format(
            name=row.person_name, hotel=row.hotel_name
        ),
    )


HOTELS_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_hotels_list,
    "add": cmd_hotels_add,
    "edit": cmd_hotels_edit,
    "remove": cmd_hotels_remove,
    "guests": cmd_hotels_guests,
    "place": cmd_hotels_place,
    "move": cmd_hotels_move,
    "check-in": cmd_hotels_check_in,
    "check-out": cmd_hotels_check_out,
    "cancel": cmd_hotels_cancel,
}

COMMANDS = {"hotels": cmd_hotels}
