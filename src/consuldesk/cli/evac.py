"""Evacuations: ``evac`` and its actions (operations, trips, candidates, seats, manifests,
slips)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from consuldesk.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    _add_doc_lang,
    _add_replace,
    _blame,
    _confirmed,
    _doc_language,
    _err,
    _find_person,
    _jsonable,
    _local,
    _open,
    _pick_id,
    _positive,
    _print_json,
    _print_written,
    _refuse_overwrite,
    _short_ids,
    _when,
    command_with_actions,
)
from consuldesk.domain.names import folded
from consuldesk.i18n import _, ngettext


def add_parsers(
    add: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``evac`` and its actions; ``common`` holds the options every command takes."""
    _add_evac_parsers(add, common)


# Evacuation: words for codes, shown in tables.
MODE_LABELS = {
    "bus": "bus",
    "flight": "flight",
    "train": "train",
    "ferry": "ferry",
    "other": "other",
}


OPERATION_STATUS_LABELS = {
    "planned": "planned",
    "under_way": "under way",
    "completed": "completed",
    "cancelled": "cancelled",
}


def _comma_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


EVAC_EPILOG = """\
examples:
  consuldesk-cli evac new-operation "Дубай — Маскат" --route "Dubai → Hatta → Muscat" --country AE
  consuldesk-cli evac add-trip 01a2b3c4 --leg 1 --from Dubai --to Muscat --capacity 49 \\
      --departure "2026-03-12 06:00" --vehicle "Dubai P 48213"
  consuldesk-cli evac add-candidates 01a2b3c4 --leg 1 --status in_hotel,in_country
  consuldesk-cli evac add-people 01a2b3c4 N12345678 --leg 1     # a walk-in, with the family
  consuldesk-cli evac allocate 01a2b3c4 --leg 1 --explain
  consuldesk-cli evac manifest 01a2f7d0 --out bus1.pdf --lang kk
  consuldesk-cli evac passengers 01a2f7d0                      # seats, boarded, what to check
  consuldesk-cli evac board 01a2f7d0 N12345678 14              # a passport number, a seat
  consuldesk-cli evac trip-status 01a2f7d0 departed

OPERATION and TRIP are ids as 'evac list' shows them: the whole id or its first 6 or more
characters, as long as no other operation or trip starts with them. A TRIP may also be named
by its vehicle ("Dubai P 48213", a flight number) when no other trip has it.
"""


def _add_evac_parsers(add: Any, common: argparse.ArgumentParser) -> None:
    """``evac`` and its actions."""
    from consuldesk.domain.allocation import CLASS_FLAGS, Policy
    from consuldesk.domain.enums import PresenceStatus, TripMode, TripStatus

    action = command_with_actions(
        add,
        common,
        "evac",
        help="evacuation: operations, trips, candidates, seats, manifests",
        description="Evacuation operations: plan trips, fill the pool, allocate seats, print.",
        epilog=EVAC_EPILOG,
    )

    operation_help = "operation id, or its first 6+ characters (see 'evac list')"
    trip_help = "trip id or its first 6+ characters (see 'evac list'), or its vehicle: AD 555"

    action("list", help="operations with their legs, trips, seats and people waiting")

    p = action("new-operation", help="start an evacuation operation; prints its id")
    p.add_argument("name", help="e.g. 'Дубай — Маскат'")
    p.add_argument("--route", help="e.g. 'Dubai → Hatta → Muscat'")
    p.add_argument("--country", help="host country (code or name)")
    p.add_argument(
        "--priority",
        help="priority classes, most urgent first, separated by commas: "
        + ", ".join(CLASS_FLAGS)
        + " (default: "
        + ",".join(Policy().priority)
        + ")",
    )
    p.add_argument(
        "--allow-split",
        action="store_true",
        help="a group that fits no single vehicle may be spread over several",
    )

    p = action("add-trip", help="add a vehicle to a leg of an operation; prints its id")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--from", dest="origin", required=True, metavar="PLACE", help="where the trip starts"
    )
    p.add_argument(
        "--to", dest="destination", required=True, metavar="PLACE", help="where the trip goes"
    )
    p.add_argument(
        "--capacity", type=int, required=True, metavar="SEATS", help="seats for passengers"
    )
    p.add_argument(
        "--mode", choices=[m.value for m in TripMode], default="bus", help="default: bus"
    )
    p.add_argument("--border", help="border crossing, e.g. 'Hatta / Al Wajajah'")
    p.add_argument(
        "--departure",
        type=_when,
        metavar="WHEN",
        help="local time of this computer, e.g. '2026-03-12 06:00' or '12.03.2026 06:00'",
    )
    p.add_argument("--vehicle", help="plate or flight number")
    p.add_argument("--carrier", help="bus company or airline")
    p.add_argument("--escort", help="the officer who travels with it")

    p = action("add-candidates", help="bring people into a leg's pool of people waiting")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--country", help="host country (code or name; default: the operation's country)"
    )
    p.add_argument("--city", help="only people in this city")
    p.add_argument(
        "--status",
        help="only people in these states, separated by commas: "
        + ", ".join(s.value for s in PresenceStatus),
    )
    p.add_argument(
        "--all-nationals",
        action="store_true",
        help="everyone who matches, not only people with an open evacuation request",
    )
    p.add_argument(
        "--from-previous-leg",
        action="store_true",
        help=(
            "the people seated or boarded on the leg before (the default for leg 2 and later "
            "when no other condition is given)"
        ),
    )

    p = action(
        "add-people",
        help="put people on a leg's waiting list by hand (walk-ins), with their families",
    )
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument(
        "people",
        metavar="PERSON",
        nargs="+",
        help="a passport number, an IIN, or the id (or its first 6+ characters) from search",
    )
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--alone", action="store_true", help="without their families (who come by default)"
    )

    p = action("allocate", help="share the free seats of a leg among the people waiting")
    p.add_argument("operation", metavar="OPERATION", help=operation_help)
    p.add_argument("--leg", type=_positive, required=True, metavar="N", help="leg number: 1, 2, …")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="first put everyone seated but not boarded back in the pool",
    )
    p.add_argument(
        "--explain", action="store_true", help="list everyone: seat or place in line, and why"
    )

    p = action("manifest", help="print a trip's passenger manifest (PDF, or CSV)")
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument("--out", type=Path, required=True, help="the file to write")
    p.add_argument("--csv", action="store_true", help="write CSV for carriers and border posts")
    _add_replace(p)
    _add_doc_lang(p)

    p = action("slips", help="print a trip's boarding slips (PDF)")
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument("--out", type=Path, required=True, help="the PDF to write")
    _add_replace(p)
    _add_doc_lang(p)

    p = action("passengers", help="who is seated on a trip: seat, boarded or not, what to check")
    p.add_argument("trip", metavar="TRIP", help=trip_help)

    p = action(
        "board",
        help="check passengers in at the door: a slip's code, a seat or a passport number",
    )
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument(
        "codes", metavar="CODE", nargs="+", help="a scanned slip, a seat or a passport number"
    )

    p = action("trip-status", help="mark a trip boarding, departed, arrived, cancelled, planned")
    p.add_argument("trip", metavar="TRIP", help=trip_help)
    p.add_argument(
        "status",
        choices=[s.value for s in TripStatus],
        help="arrived on the last leg marks its passengers evacuated",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="do not ask before marking who has not boarded a no-show, or cancelling seats",
    )


def _find_operation(desk: Any, text: str) -> Any:
    """The live operation (an ``OperationRow``) that ``text`` names."""
    from consuldesk.services.evacuation import list_operations

    ops = {o.id: o for o in list_operations(desk)}
    return ops[_pick_id(text, {i: o.name for i, o in ops.items()}, "operation")]


def _find_trip(desk: Any, text: str) -> Any:
    """The live trip (a ``TripRow``) that ``text`` names."""
    from consuldesk.services.evacuation import list_operations

    trips = {t.id: (t, o) for o in list_operations(desk) for t in o.trips}
    labels = {i: f"{t.label}, {o.name}" for i, (t, o) in trips.items()}
    # Its vehicle as printed on it (a plate, a flight number), when one trip has it.
    wanted = folded(text)
    same = [i for i, (t, _o) in trips.items() if folded(t.vehicle) == wanted]
    if not same and len(wanted) >= 3:  # part of it, as the plate's number: "P 48377"
        same = [i for i, (t, _o) in trips.items() if wanted in folded(t.vehicle)]
    if len(same) == 1:
        return trips[same[0]][0]
    if same:
        raise CliError(
            _("“{text}” is the vehicle of {n} trips: {trips}; give the trip's id").format(
                text=text, n=len(same), trips="; ".join(f"{i[:13]} ({labels[i]})" for i in same)
            ),
            EXIT_BAD_INPUT,
        )
    return trips[_pick_id(text, labels, "trip")][0]


def _trip_json(t: Any) -> dict[str, Any]:
    return {**_jsonable(t), "seated": t.seated, "free": t.free}


def _operation_json(o: Any) -> dict[str, Any]:
    data = _jsonable(o)
    data["legs"] = [
        {
            "leg_no": leg.leg_no,
            "origin": leg.origin,
            "destination": leg.destination,
            "capacity": leg.capacity,
            "waiting": leg.waitlisted,
            "trips": [_trip_json(t) for t in leg.trips],
        }
        for leg in o.legs
    ]
    return data


def cmd_evac(args: argparse.Namespace) -> int:
    """Evacuation actions."""
    return EVAC_COMMANDS[args.evac_command](args)


def cmd_evac_list(args: argparse.Namespace) -> int:
    """Operations with their legs and trips."""
    from consuldesk.messages import STATUS_WORD_LABELS
    from consuldesk.services.evacuation import list_operations

    desk = _open(args)
    try:
        ops = list_operations(desk)
    finally:
        desk.close()
    if args.json:
        _print_json([_operation_json(o) for o in ops])
        return EXIT_OK
    if not ops:
        print(
            _("No evacuation operations yet; start one with 'consuldesk-cli evac new-operation'.")
        )
        return EXIT_OK
    short = _short_ids([o.id for o in ops] + [t.id for o in ops for t in o.trips])
    cells = {
        t.id: [
            short[t.id],
            t.label,
            _(MODE_LABELS.get(t.mode, t.mode)),
            _local(t.departure_at),
            _("seated {seated}/{capacity}").format(seated=t.seated, capacity=t.capacity),
            _("boarded {n}").format(n=t.boarded),
            _(STATUS_WORD_LABELS.get(t.status, t.status)),
        ]
        for o in ops
        for t in o.trips
    }
    widths = [max((len(c[i]) for c in cells.values()), default=0) for i in range(7)]
    for n, o in enumerate(ops):
        if n:
            print()
        details = ", ".join(
            p for p in (o.host_country, _(OPERATION_STATUS_LABELS.get(o.status, o.status))) if p
        )
        print(f"{short[o.id]}  {o.name} ({details})")
        if o.route:
            print(f"  {o.route}")
        if not o.legs:
            print("  " + _("no trips yet; add one with 'consuldesk-cli evac add-trip'"))
        for leg in o.legs:
            if leg.trips:
                head = _("Leg {n}: {origin} → {destination}; waiting: {waiting}").format(
                    n=leg.leg_no,
                    origin=leg.origin,
                    destination=leg.destination,
                    waiting=leg.waitlisted,
                )
            else:
                head = _("Leg {n}: no vehicles yet; waiting: {waiting}").format(
                    n=leg.leg_no, waiting=leg.waitlisted
                )
            print(f"  {head}")
            for t in leg.trips:
                line = "  ".join(c.ljust(w) for c, w in zip(cells[t.id], widths, strict=True))
                print(f"    {line.rstrip()}")
    return EXIT_OK


def cmd_evac_new_operation(args: argparse.Namespace) -> int:
    """Start an operation."""
    from consuldesk.domain.allocation import CLASS_FLAGS
    from consuldesk.domain.countries import country_code
    from consuldesk.services.evacuation import OperationFields, add_operation

    with _blame({"country": "--country"}):
        country = country_code(args.country) if args.country else None
    priority = _comma_list(args.priority)
    fields = OperationFields(
        name=args.name, route=args.route, host_country=country, allow_split_groups=args.allow_split
    )
    if priority:
        fields = replace(fields, priority=priority)
    desk = _open(args, writes=True)
    try:
        hint = "; " + _("the classes are: {names}").format(names=", ".join(CLASS_FLAGS))
        with _blame({"name": "NAME", "priority": "--priority"}, hint if priority else ""):
            row = add_operation(desk, fields).row
    finally:
        desk.close()
    if args.json:
        _print_json(_operation_json(row))
    else:
        print(row.id)
    return EXIT_OK


def cmd_evac_add_trip(args: argparse.Namespace) -> int:
    """Add a vehicle to a leg."""
    from consuldesk.domain.enums import TripMode
    from consuldesk.services.evacuation import TripFields, add_trip

    fields = TripFields(
        leg_no=args.leg,
        origin=args.origin,
        destination=args.destination,
        capacity=args.capacity,
        mode=TripMode(args.mode),
        border_crossing=args.border,
        departure_at=args.departure,
        vehicle=args.vehicle,
        carrier=args.carrier,
        escort_officer=args.escort,
    )
    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        options = {
            "origin": "--from",
            "destination": "--to",
            "capacity": "--capacity",
            "leg_no": "--leg",
        }
        with _blame(options):
            row = add_trip(desk, op.id, fields).row
        today = desk.today()
    finally:
        desk.close()
    if (
        args.departure is not None
        and (days := (today - args.departure.astimezone().date()).days) > 0
    ):
        # Saved (a trip that left may be entered after the fact), but a year or month typed
        # wrong is likelier: said where the officer looks, not into --json's stdout.
        note = ngettext(
            "Note: the departure, {when}, is {n} day before today.",
            "Note: the departure, {when}, is {n} days before today.",
            days,
        )
        when = f"{args.departure.astimezone():%d.%m.%Y %H:%M}"
        print(note.format(when=when, n=days), file=sys.stderr)
    if args.json:
        _print_json(_trip_json(row))
    else:
        print(row.id)
    return EXIT_OK


def cmd_evac_add_people(args: argparse.Namespace) -> int:
    """Put people on a leg's waiting list by hand, with their families unless ``--alone``."""
    from consuldesk.services.evacuation import add_people, on_leg

    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        people = [_find_person(desk, text) for text in args.people]
        with _blame({"leg_no": "--leg"}):
            before = on_leg(desk, op.id, args.leg)
            added = add_people(
                desk, op.id, args.leg, [p.id for p in people], with_family=not args.alone
            ).row
    finally:
        desk.close()
    already = [p for p in people if p.id in before]
    if args.json:
        _print_json(
            {
                "operation": op.id,
                "leg": args.leg,
                "added": added,
                "already_on_leg": [p.id for p in already],
            }
        )
        return EXIT_OK
    named = [p for p in people if p.id not in before]
    if named:
        print(
            ngettext(
                "{n} added to the waiting list of leg {leg}: {names}",
                "{n} added to the waiting list of leg {leg}: {names}",
                added,
            ).format(n=added, leg=args.leg, names=", ".join(p.name for p in named))
        )
        if added > len(named):
            print(_("(with their families: see consuldesk-cli evac list)"))
    if already:
        print(
            _("Already on leg {leg}, left where they are: {names}").format(
                leg=args.leg, names=", ".join(p.name for p in already)
            )
        )
    return EXIT_OK


def cmd_evac_add_candidates(args: argparse.Namespace) -> int:
    """Bring people into a leg's pool."""
    from consuldesk.domain.countries import country_code
    from consuldesk.domain.enums import PresenceStatus
    from consuldesk.messages import describe_code
    from consuldesk.services.evacuation import CandidateCriteria, add_to_pool, preview_candidates

    statuses = _comma_list(args.status)
    chosen = bool(args.country or args.city or statuses or args.all_nationals)
    if args.leg > 1 and not chosen and not args.from_previous_leg:
        # As in the window: a later leg takes the people seated on the leg before, not the
        # country's waiting people (who would fly before they had left by bus).
        args.from_previous_leg = True
        _err(
            _("leg {leg}: the people seated on leg {before} (--country … to choose others)").format(
                leg=args.leg, before=args.leg - 1
            )
        )
    if args.from_previous_leg and chosen:
        raise CliError(
            _(
                "--from-previous-leg takes the people seated on the leg before; it does not go "
                "with --country, --city, --status or --all-nationals"
            ),
            EXIT_USAGE,
        )
    known = [s.value for s in PresenceStatus]
    for status in statuses:
        if status not in known:
            raise CliError(
                "--status: "
                + describe_code("status.unknown", "status", value=status)
                + "; "
                + _("the states are: {names}").format(names=", ".join(known)),
                EXIT_BAD_INPUT,
            )
    with _blame({"country": "--country"}):
        country = country_code(args.country) if args.country else None
    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        criteria = CandidateCriteria(
            host_country=None if args.from_previous_leg else country or op.host_country,
            city=args.city,
            presence_statuses=statuses,
            open_evacuation_request=not args.all_nationals,
            from_previous_leg=args.from_previous_leg,
        )
        with _blame({"leg_no": "--leg"}):
            preview = preview_candidates(desk, op.id, args.leg, criteria)
            added = add_to_pool(desk, op.id, args.leg, criteria).row
            without_request = 0
            if not preview.matching and criteria.open_evacuation_request:
                # Worth a hint only if dropping the request condition would find someone.
                wider = replace(criteria, open_evacuation_request=False)
                without_request = preview_candidates(desk, op.id, args.leg, wider).new
    finally:
        desk.close()
    already = preview.already_on_leg
    if args.json:
        _print_json(
            {
                "operation": op.id,
                "leg": args.leg,
                "added": added,
                "already_on_leg": already,
                "seated_in_another_operation": preview.elsewhere,
                "host_country": criteria.host_country,
            }
        )
        return EXIT_OK
    print(
        ngettext(
            "{added} added ({already} already on the leg)",
            "{added} added ({already} already on the leg)",
            added,
        ).format(added=added, already=already)
    )
    if preview.elsewhere:
        print(
            ngettext(
                "{n} more person matches but holds a seat in another operation: not added.",
                "{n} more people match but hold a seat in another operation: not added.",
                preview.elsewhere,
            ).format(n=preview.elsewhere)
        )
    if without_request and not args.from_previous_leg:
        print(
            ngettext(
                "{n} more person matches without an open evacuation request; "
                "--all-nationals takes them too.",
                "{n} more people match without an open evacuation request; "
                "--all-nationals takes them too.",
                without_request,
            ).format(n=without_request)
        )
    return EXIT_OK


def cmd_evac_allocate(args: argparse.Namespace) -> int:
    """Share out the seats of a leg."""
    from consuldesk.services.evacuation import (
        allocate_leg,
        get_operation,
        list_operations,
        passengers,
        pool,
        reallocation_impact,
    )

    desk = _open(args, writes=True)
    try:
        op = _find_operation(desk, args.operation)
        with _blame({"leg_no": "--leg"}):
            # Seats given already: say which printed slips and manifests the run makes wrong.
            leg_now = op.leg(args.leg)
            impact = (
                reallocation_impact(desk, op.id, args.leg)
                if leg_now is not None and leg_now.allocated
                else None
            )
            summary = allocate_leg(desk, op.id, args.leg, fresh=args.fresh).row
        leg_after = get_operation(desk, op.id).leg(args.leg)
        seated_now = leg_after.allocated + leg_after.boarded if leg_after else summary.placed
        # The empty seats of a bus that has left are no seats to fill: "78 of 98" after a
        # half-empty bus left read as 20 free seats.
        capacity = leg_after.capacity - leg_after.left_empty if leg_after else 0
        left_empty = leg_after.left_empty if leg_after else 0
        seated: list[tuple[Any, list[Any]]] = []
        waiting: list[Any] = []
        short: dict[str, str] = {}
        if args.explain:
            everything = list_operations(desk)
            short = _short_ids(
                [o.id for o in everything] + [t.id for o in everything for t in o.trips]
            )
            leg = get_operation(desk, op.id).leg(args.leg)
            for t in leg.trips if leg else ():
                on_trip = passengers(desk, t.id, include_history=False)
                if on_trip or t.is_open:
                    seated.append((t, on_trip))
            waiting = pool(desk, op.id, args.leg)
    finally:
        desk.close()
    if args.json:
        data: dict[str, Any] = {"operation": op.id, "leg": args.leg, **_jsonable(summary)}
        data.update(seated_now=seated_now, capacity=capacity, left_empty=left_empty)
        slips, manifests = _reprint_counts(impact, args.fresh)
        data["print_again"] = {"slips": slips, "manifests": manifests}
        if args.explain:
            data["passengers"] = [_passenger_json(r, t) for t, rows in seated for r in rows] + [
                _passenger_json(r, None) for r in waiting
            ]
        _print_json(data)
        return EXIT_OK
    # Seated now on the leg, of which this run seated some: a second run seating nobody new
    # read "seated: 0" as if the bus had been emptied.
    line = _(
        "Leg {leg} allocated — seated: {seated} of {capacity} seats ({placed} just now), "
        "waiting: {waiting}, to check before the border: {flagged}"
    ).format(
        leg=args.leg,
        seated=seated_now,
        capacity=capacity,
        placed=summary.placed,
        waiting=summary.waitlisted,
        flagged=summary.flagged,
    )
    if left_empty:
        line += "; " + ngettext(
            "{n} seat left empty on vehicles that have left",
            "{n} seats left empty on vehicles that have left",
            left_empty,
        ).format(n=left_empty)
    if summary.elsewhere:
        line += "; " + _("waiting, seated in another operation: {n}").format(n=summary.elsewhere)
    if args.fresh:
        line += "; " + _("put back in the pool first: {n}").format(n=summary.returned)
    if summary.later_released:
        line += "; " + _(
            "places on later legs given up by those waiting here: {n} (allocate those legs again)"
        ).format(n=summary.later_released)
    print(line)
    slips, manifests = _reprint_counts(impact, args.fresh)
    papers = []
    if slips:
        papers.append(ngettext("{n} boarding slip", "{n} boarding slips", slips).format(n=slips))
    if manifests:
        papers.append(ngettext("{n} manifest", "{n} manifests", manifests).format(n=manifests))
    if papers:
        print(_("Print again: {papers}.").format(papers=", ".join(papers)))
    if args.explain:
        _print_explanation(seated, waiting, short)
    return EXIT_OK


def _reprint_counts(impact: Any, fresh: bool) -> tuple[int, int]:
    """Printed slips and manifests an allocation made wrong (none when nothing was seated)."""
    if impact is None:
        return 0, 0
    return (impact.slips, impact.manifests) if fresh else (0, impact.manifests_if_kept)


def _person_label(person: Any) -> str:
    lat, cyr = person.name_lat, person.name_cyr
    return f"{lat} ({cyr})" if lat and cyr else lat or cyr or person.name


def _problems_text(row: Any) -> str:
    from consuldesk.messages import PROBLEM_LABELS

    words = [_(PROBLEM_LABELS.get(p, p)) for p in row.problems]
    return f" [{', '.join(words)}]" if words else ""


def _passenger_json(row: Any, trip: Any) -> dict[str, Any]:
    from consuldesk.messages import explain_reason

    return {
        "entry_id": row.entry_id,
        "national_id": row.person.id,
        "name": row.person.name,
        "name_lat": row.person.name_lat,
        "trip_id": row.trip_id,
        "trip": trip.label if trip else None,
        "seat": row.seat,
        "position": row.position,
        "status": row.status,
        "priority_class": row.priority_class,
        "household": row.household_name,
        "reason_code": row.reason_code,
        "reason": explain_reason(row.reason_code, row.reason_params),
        "problems": list(row.problems),
    }


def _print_explanation(
    seated: list[tuple[Any, list[Any]]], waiting: list[Any], short: dict[str, str]
) -> None:
    from consuldesk.messages import explain_reason

    for t, rows in seated:
        print()
        print(
            f"{t.label}  {short.get(t.id, t.id)}  "
            + _("seated {seated}/{capacity}").format(seated=t.seated, capacity=t.capacity)
        )
        for r in rows:
            seat = r.seat or "—"
            reason = explain_reason(r.reason_code, r.reason_params)
            print(f"  {seat:>4}  {_person_label(r.person)}: {reason}{_problems_text(r)}")
    print()
    print(_("Waiting: {n}").format(n=len(waiting)))
    for n, r in enumerate(waiting, start=1):
        place = f"{r.position or n}."
        reason = explain_reason(r.reason_code, r.reason_params)
        print(f"  {place:>5} {_person_label(r.person)}: {reason}{_problems_text(r)}")


def cmd_evac_manifest(args: argparse.Namespace) -> int:
    """Print a trip's manifest."""
    from consuldesk.services.evacuation import export_manifest_csv, print_manifest

    wanted = ".csv" if args.csv else ".pdf"
    if args.out.suffix.lower() in (".csv", ".pdf") and args.out.suffix.lower() != wanted:
        raise CliError(
            _("--out {path}: a manifest written {how} ends in {suffix}").format(
                path=args.out, how="--csv" if args.csv else _("as PDF"), suffix=wanted
            ),
            EXIT_BAD_INPUT,
        )
    _refuse_overwrite(args.out, args)  # another bus's manifest, or the list people came from
    desk = _open(args)
    try:
        trip = _find_trip(desk, args.trip)
        if args.csv:
            path = export_manifest_csv(desk, trip.id, args.out)
        else:
            lang = _doc_language(args)
            path = print_manifest(desk, trip.id, args.out, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path, trip=trip.id)


def cmd_evac_slips(args: argparse.Namespace) -> int:
    """Print a trip's boarding slips."""
    from consuldesk.services.evacuation import print_boarding_slips

    _refuse_overwrite(args.out, args)
    lang = _doc_language(args)
    desk = _open(args)
    try:
        trip = _find_trip(desk, args.trip)
        path = print_boarding_slips(desk, trip.id, args.out, second_language=lang)
    finally:
        desk.close()
    return _print_written(args, path, trip=trip.id)


def cmd_evac_passengers(args: argparse.Namespace) -> int:
    """The passengers seated on a trip, in seat order."""
    from consuldesk.messages import STATUS_WORD_LABELS, problems_text
    from consuldesk.services.evacuation import passengers

    desk = _open(args)
    try:
        trip = _find_trip(desk, args.trip)
        rows = passengers(desk, trip.id, include_history=False)
    finally:
        desk.close()
    if args.json:
        _print_json([_passenger_json(r, trip) for r in rows])
        return EXIT_OK
    print(
        _("{trip}: {seated} seated of {capacity}, {boarded} boarded; {status}").format(
            trip=trip.label,
            seated=len(rows),
            capacity=trip.capacity,
            boarded=sum(r.status == "boarded" for r in rows),
            status=_(STATUS_WORD_LABELS.get(trip.status, trip.status)),
        )
    )
    width = max((len(r.seat or "") for r in rows), default=0)
    for r in rows:
        mark = "✓" if r.status == "boarded" else " "
        problems = problems_text(r.problems)
        line = f"  {(r.seat or '—').rjust(width)} {mark} {_person_label(r.person)}  {problems}"
        print(line.rstrip())
    flagged = sum(bool(r.problems) for r in rows)
    if flagged:
        print(_("To check before the border: {n}").format(n=flagged))
    return EXIT_OK


def cmd_evac_board(args: argparse.Namespace) -> int:
    """Check passengers in, one code after the other, as the scan field at the door does.
    Exit 3 when any code boarded nobody (named on its line)."""
    from consuldesk.messages import SCAN_BOARDED, scan_line
    from consuldesk.services.evacuation import get_trip, scan

    desk = _open(args, writes=True)
    done = []
    try:
        trip = _find_trip(desk, args.trip)
        for code in args.codes:
            result = scan(desk, trip.id, code)
            status = get_trip(desk, trip.id).status if result.outcome == "trip_closed" else ""
            done.append((code, result, scan_line(result, code, status)))
    finally:
        desk.close()
    if args.json:
        _print_json(
            [
                {
                    "code": code,
                    "outcome": r.outcome,
                    "boarded": r.outcome in SCAN_BOARDED,
                    "line": line,
                    "entry_id": r.passenger.entry_id if r.passenger else None,
                    "problems": list(r.passenger.problems) if r.passenger else [],
                }
                for code, r, line in done
            ]
        )
    else:
        for _code, _r, line in done:
            print(line)
    return EXIT_OK if all(r.outcome in SCAN_BOARDED for _c, r, _l in done) else EXIT_BAD_INPUT


def cmd_evac_trip_status(args: argparse.Namespace) -> int:
    """Move a trip to another status (the moves the window's Trip status menu offers)."""
    from consuldesk.domain.enums import TripStatus
    from consuldesk.messages import STATUS_WORD_LABELS, trip_change_question
    from consuldesk.services.evacuation import set_trip_status

    status = TripStatus(args.status)
    desk = _open(args, writes=True)
    try:
        trip = _find_trip(desk, args.trip)
        # As the window asks: people lose their seat.
        said = trip_change_question(trip.label, status.value, trip.allocated, trip.seated)
        if said and not args.yes:  # with --yes it is not asked, and what it did is said after
            print(said, file=sys.stderr)
            if not _confirmed("[y/N] ", _("Add --yes to change the trip without being asked.")):
                print(_("Nothing was changed."))
                return EXIT_OK
        row = set_trip_status(desk, trip.id, status).row
    finally:
        desk.close()
    if args.json:
        _print_json(_trip_json(row))
    else:
        line = _("{trip}: {status}.").format(
            trip=row.label, status=_(STATUS_WORD_LABELS.get(row.status, row.status))
        )
        if status == TripStatus.DEPARTED and row.no_show > trip.no_show:
            n = row.no_show - trip.no_show
            line += " " + ngettext(
                "{n} passenger who had not boarded is marked a no-show.",
                "{n} passengers who had not boarded are marked no-shows.",
                n,
            ).format(n=n)
        elif status == TripStatus.CANCELLED and trip.seated:
            line += " " + ngettext(
                "{n} passenger is back on the waiting list.",
                "{n} passengers are back on the waiting list.",
                trip.seated,
            ).format(n=trip.seated)
        print(line)
    return EXIT_OK


EVAC_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_evac_list,
    "new-operation": cmd_evac_new_operation,
    "add-trip": cmd_evac_add_trip,
    "add-candidates": cmd_evac_add_candidates,
    "add-people": cmd_evac_add_people,
    "allocate": cmd_evac_allocate,
    "manifest": cmd_evac_manifest,
    "slips": cmd_evac_slips,
    "passengers": cmd_evac_passengers,
    "board": cmd_evac_board,
    "trip-status": cmd_evac_trip_status,
}


COMMANDS = {
    "evac": cmd_evac,
}
