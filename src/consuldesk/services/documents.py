"""Printed documents that gather the whole post: the situation report and hotel rosters.

Both read the case file in one go and hand plain data to :mod:`consuldesk.reports`; the PDF is
written atomically (a failed write leaves any earlier file as it was). Evacuation documents of
one trip (manifest, boarding slips, CSV) live in :mod:`consuldesk.services.evacuation`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import select

from consuldesk.domain.countries import country_name
from consuldesk.domain.enums import (
    ManifestStatus,
    PaidBy,
    RateBasis,
    TripStatus,
    Vulnerability,
)
from consuldesk.domain.phone import format_phone
from consuldesk.reports.roster import RosterGuest, RosterHotel, render_hotel_roster
from consuldesk.reports.sitrep import (
    SitrepCost,
    SitrepData,
    SitrepHotel,
    SitrepLeg,
    SitrepOperation,
    render_sitrep,
)
from consuldesk.services import evacuation, hotels, stats
from consuldesk.services.audited import PRINTED, REPORT, record_file
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.files import written_to
from consuldesk.services.nationals import memberships_of, rows_by_id
from consuldesk.services.views import CostRow
from consuldesk.store.models import ManifestEntry, Post, Trip, table_of

__all__ = [
    "print_hotel_roster",
    "print_sitrep",
    "roster_data",
    "sitrep_data",
    "write_recovery_sheet",
]

SecondLanguage = Literal["kk", "ru"]
T = TypeVar("T")


def _bilingual_country(code: str, second_language: str) -> str:
    english = country_name(code, "en")
    other = country_name(code, second_language)
    return english if other == english else f"{english} / {other}"


# -- situation report ----------------------------------------------------------------------


def _evacuated_by_operation(desk: Desk) -> dict[str, int]:
    """People who boarded a trip of an operation's last leg that has arrived, per operation."""
    with desk.casefile.read() as session:
        tr, me = table_of(Trip), table_of(ManifestEntry)
        last_leg: dict[str, int] = {}
        for op_id, leg_no in session.execute(
            sa_select(tr.c.operation_id, tr.c.leg_no).where(tr.c.deleted_at.is_(None))
        ):
            last_leg[op_id] = max(last_leg.get(op_id, 0), leg_no)
        people: dict[str, set[str]] = defaultdict(set)
        for op_id, leg_no, national_id in session.execute(
            sa_select(me.c.operation_id, me.c.leg_no, me.c.national_id)
            .join(tr, tr.c.id == me.c.trip_id)
            .where(
                me.c.deleted_at.is_(None),
                me.c.status == ManifestStatus.BOARDED.value,
                tr.c.status == TripStatus.ARRIVED.value,
                tr.c.deleted_at.is_(None),
            )
        ):
            if leg_no == last_leg.get(op_id):
                people[op_id].add(national_id)
    return {op_id: len(ids) for op_id, ids in people.items()}


def sitrep_data(desk: Desk, *, second_language: SecondLanguage = "ru") -> SitrepData:
    """Everything the situation report for headquarters shows, counted now."""
    today = desk.today()
    situation = stats.situation(desk, today)
    post = desk.casefile.local_post()
    evacuated = _evacuated_by_operation(desk)
    operations = [
        SitrepOperation(
            name=op.name,
            route=op.route or "",
            status=op.status,
            legs=tuple(
                SitrepLeg(
                    leg_no=leg.leg_no,
                    mode=leg.trips[0].mode if leg.trips else "",
                    origin=leg.origin,
                    destination=leg.destination,
                    trips=sum(t.status != TripStatus.CANCELLED.value for t in leg.trips),
                    capacity=leg.capacity,
                    allocated=leg.allocated + leg.boarded,  # given a seat, boarded or not
                    boarded=leg.boarded,
                    no_show=leg.no_show,
                    waitlisted=leg.waitlisted,
                )
                for leg in op.legs
            ),
            evacuated=evacuated.get(op.id, 0),
        )
        for op in evacuation.list_operations(desk)
    ]
    occupancy = hotels.occupancy(desk, today)
    tonight = hotels.list_placements(desk, on=today)
    report = hotels.costs(desk, today)
    cost_tonight: dict[tuple[str, str], int] = defaultdict(int)
    payer_tonight: dict[tuple[str, str], int] = defaultdict(int)
    rooms_charged: set[str] = set()
    for p in tonight:
        if p.rate_basis == RateBasis.ROOM.value:
            room = p.room_group or p.id
            if room in rooms_charged:
                continue  # a room charged per room pays once a night, however many share it
            rooms_charged.add(room)
        cost_tonight[(p.hotel_id, p.currency)] += p.nightly_cost_minor
        payer_tonight[(p.paid_by, p.currency)] += p.nightly_cost_minor
    to_date = {(r.key, r.currency): r for r in report.by_hotel}
    empty = CostRow(None, "", "", 0, 0, 0)
    hotel_rows = []
    for o in occupancy:
        key = (o.hotel.id, o.hotel.currency)
        cost = to_date.get(key, empty)
        hotel_rows.append(
            SitrepHotel(
                name=o.hotel.name,
                city=o.hotel.city or "",
                beds=o.beds,
                guests_tonight=o.occupied,
                nights_to_date=cost.nights,
                cost_tonight_minor=cost_tonight.get(key, 0),
                cost_to_date_minor=cost.amount_minor,
                currency=o.hotel.currency,
                rate_minor=o.hotel.nightly_rate_minor,
                rate_basis=o.hotel.rate_basis,
                open_stays=cost.open_stays,
                open_cost_minor=cost.open_amount_minor,
            )
        )
    # (payer, currency) -> [tonight, to date]: what tour operators pay is not the post's cost
    paid: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for key, amount in payer_tonight.items():
        paid[key][0] += amount
    for row in report.by_payer:
        paid[(str(row.key), row.currency)][1] += row.amount_minor
    payers = [p.value for p in PaidBy]
    by_country = sorted(situation.by_country.items(), key=lambda kv: (-kv[1], kv[0]))
    with desk.casefile.read() as session:
        post_names = {p.code: p.name for p in session.exec(select(Post)).all()}

    def shown(code: str) -> str:
        return f"{post_names[code]} ({code})" if post_names.get(code) else code

    return SitrepData(
        post_name=post.name if post else "",
        post_code=post.code if post else "",
        generated_at=datetime.now(UTC).replace(microsecond=0),
        officer=desk.officer,
        nationals_total=situation.nationals,
        by_country=tuple(
            (_bilingual_country(code, second_language), n) for code, n in by_country if n
        ),
        by_status=tuple(situation.by_presence.items()),
        by_vulnerability=tuple(
            (v.value, situation.by_vulnerability.get(v.value, 0)) for v in Vulnerability
        ),
        requests_open=tuple(situation.open_by_kind.items()),
        operations=tuple(operations),
        hotels=tuple(hotel_rows),
        costs=tuple(
            SitrepCost(currency, tonight_minor, to_date_minor, payer)
            for (payer, currency), (tonight_minor, to_date_minor) in sorted(
                paid.items(),
                key=lambda kv: (
                    payers.index(kv[0][0]) if kv[0][0] in payers else len(payers),
                    kv[0],
                ),
            )
        ),
        vulnerable=situation.vulnerable,
        needs_review=situation.needs_review,
        by_post=tuple((shown(code), n) for code, n in situation.by_post.items()),
        counted_twice=situation.counted_twice,
        post_as_of={shown(code): at for code, at in situation.post_as_of.items()},
    )


def print_sitrep(desk: Desk, out_path: Path, *, second_language: SecondLanguage = "ru") -> Path:
    """Write the situation report for headquarters as a PDF.

    Raises:
        ServiceError: ``file.write`` (params ``path``, ``reason``).
    """
    data = sitrep_data(desk, second_language=second_language)
    written = written_to(
        out_path, lambda: render_sitrep(data, Path(out_path), second_language=second_language)
    )
    record_file(desk, REPORT, PRINTED, Path(out_path), document="sitrep")
    return written


# -- hotel roster --------------------------------------------------------------------------


def _household_names(desk: Desk, national_ids: Sequence[str]) -> dict[str, str]:
    """Each person's family (else tour group) name."""
    names: dict[str, str] = {}
    with desk.casefile.read() as session:
        for m in memberships_of(session, national_ids):
            names.setdefault(m.national_id, m.name)
    return names


def roster_data(
    desk: Desk, night: date | None = None, hotel_ids: Sequence[str] | None = None
) -> list[RosterHotel]:
    """Who sleeps in which hotel and room on the night of ``night`` (default tonight)."""
    on = night or desk.today()
    wanted = set(hotel_ids) if hotel_ids is not None else None
    stays = [
        p for p in hotels.list_placements(desk, on=on) if wanted is None or p.hotel_id in wanted
    ]
    ids = sorted({p.national_id for p in stays})
    with desk.casefile.read() as session:
        people = rows_by_id(session, ids, desk.today())
    families = _household_names(desk, ids)
    by_hotel: dict[str, list[RosterGuest]] = defaultdict(list)
    for p in stays:
        person = people.get(p.national_id)
        if person is None:
            continue
        flags = person.vulnerabilities
        by_hotel[p.hotel_id].append(
            RosterGuest(
                room=p.room or "",
                surname_lat=person.surname_lat or "",
                given_names_lat=person.given_names_lat or "",
                name_cyr=person.name_cyr,
                sex=person.sex or "",
                birth_date=person.birth_date,
                passport_no=person.passport_no or "",
                phone=format_phone(person.phones[0]) if person.phones else "",
                household=families.get(person.id, ""),
                check_in=p.check_in,
                check_out=p.check_out,
                status=p.status,
                minor=Vulnerability.MINOR in flags,
                over_60=Vulnerability.OVER_60 in flags,
                medical=Vulnerability.MEDICAL in flags,
                mobility=Vulnerability.MOBILITY in flags,
            )
        )
    return [
        RosterHotel(
            name=h.name,
            city=h.city or "",
            address=h.address or "",
            phone=h.phone or "",
            beds=h.beds,
            tour_operator=h.tour_operator or "",
            guests=tuple(by_hotel.get(h.id, ())),
        )
        for h in hotels.list_hotels(desk)
        if wanted is None or h.id in wanted
    ]


def print_hotel_roster(
    desk: Desk,
    out_path: Path,
    *,
    night: date | None = None,
    second_language: SecondLanguage = "ru",
    hotel_ids: Sequence[str] | None = None,
) -> Path:
    """Write the hotel roster of one night (default tonight) as a PDF, a section per hotel.

    Raises:
        ServiceError: ``roster.no_hotels`` (no hotel on file), ``file.write`` (params ``path``,
            ``reason``).
    """
    on = night or desk.today()
    data = roster_data(desk, on, hotel_ids)
    if not data:
        raise ServiceError("roster.no_hotels", "hotel")
    post = desk.casefile.local_post()
    written = written_to(
        out_path,
        lambda: render_hotel_roster(
            post.name if post else "", on, data, Path(out_path), second_language=second_language
        ),
    )
    record_file(
        desk, REPORT, PRINTED, Path(out_path), document="roster", night=on, hotels=len(data)
    )
    return written


# -- recovery sheet --------------------------------------------------------------------------


def write_recovery_sheet(
    desk: Desk, recovery: str, out_path: Path, second_language: SecondLanguage = "ru"
) -> Path:
    """The recovery key on a sheet to print for headquarters' safe (one page, with a QR code).

    Raises:
        ServiceError: ``file.no_folder``, ``file.write``.
    """
    from consuldesk.reports.recovery import RecoverySheet, render_recovery_sheet

    post = desk.casefile.local_post()
    sheet = RecoverySheet(
        post_code=post.code if post else "",
        post_name=post.name if post else "",
        file_name=desk.path.name,
        printed_at=datetime.now().astimezone(),
        printed_by=desk.officer,
        key=recovery,
    )
    return written_to(out_path, lambda: render_recovery_sheet(sheet, out_path, second_language))
