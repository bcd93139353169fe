"""Hotels the post books: what an officer enters about one, checked and stored."""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from sqlmodel import Session, col, select

from consuldesk.domain.countries import country_code
from consuldesk.domain.enums import PlacementStatus, RateBasis
from consuldesk.domain.names import folded
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.services.views import HotelRow, Written
from consuldesk.store.db import ChangeSet, get_live
from consuldesk.store.models import Hotel, Placement


@dataclass(frozen=True)
class HotelFields:
    """What an officer enters about a hotel. Amounts in minor units of ``currency``; the rate
    is per ``rate_basis`` (a :class:`RateBasis` value) and night; ``country`` ISO alpha-2."""

    name: str
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    rooms: int = 0
    beds: int = 0
    nightly_rate_minor: int = 0
    currency: str = "USD"
    tour_operator: str | None = None
    notes: str | None = None
    rate_basis: str = RateBasis.PERSON.value
    country: str | None = None


def clean_text(text: str | None) -> str | None:
    """``text`` with its spacing tidied; ``None`` when nothing is left."""
    text = " ".join((text or "").split())
    return text or None


def currency_code(value: str, field: str = "currency") -> str:
    """An ISO 4217 alphabetic code, upper-cased.

    Raises:
        ServiceError: ``currency.unknown`` (params ``value``).
    """
    code = (value or "").strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ServiceError("currency.unknown", field, value=value)
    return code


def not_negative(value: int, field: str) -> int:
    """``value``, refused when below zero (``value.negative`` at ``field``)."""
    if value < 0:
        raise ServiceError("value.negative", field, value=value)
    return int(value)


def rate_basis(value: str | RateBasis, field: str = "rate_basis") -> str:
    """A :class:`RateBasis` value.

    Raises:
        ServiceError: ``hotel.rate_basis`` (param ``value``).
    """
    try:
        return RateBasis(value).value
    except ValueError:
        raise ServiceError("hotel.rate_basis", field, value=value) from None


def _hotel_values(fields: HotelFields) -> dict[str, object]:
    name = clean_text(fields.name)
    if name is None:
        raise ServiceError("hotel.name", "name")
    country = clean_text(fields.country)
    return {
        "name": name,
        "city": clean_text(fields.city),
        "address": clean_text(fields.address),
        "phone": clean_text(fields.phone),
        "rooms": not_negative(fields.rooms, "rooms"),
        "beds": not_negative(fields.beds, "beds"),
        "nightly_rate_minor": not_negative(fields.nightly_rate_minor, "nightly_rate_minor"),
        "currency": currency_code(fields.currency),
        "tour_operator": clean_text(fields.tour_operator),
        "notes": clean_text(fields.notes),
        "rate_basis": rate_basis(fields.rate_basis),
        "country": country_code(country) if country else None,
    }


def hotel_row(h: Hotel) -> HotelRow:
    """The frozen row of a hotel."""
    return HotelRow(
        id=h.id,
        name=h.name,
        city=h.city,
        address=h.address,
        phone=h.phone,
        rooms=h.rooms,
        beds=h.beds,
        nightly_rate_minor=h.nightly_rate_minor,
        currency=h.currency,
        tour_operator=h.tour_operator,
        notes=h.notes,
        updated_at=h.updated_at,
        version=h.version,
        rate_basis=h.rate_basis,
        country=h.country,
    )


def live_hotel(session: Session, hotel_id: str) -> Hotel:
    """A hotel that exists and is not deleted.

    Raises:
        NotFound: no such live hotel.
    """
    return get_live(session, Hotel, hotel_id)


def add_hotel(desk: Desk, fields: HotelFields) -> Written[HotelRow]:
    """Add a hotel.

    Raises:
        ServiceError: ``hotel.name`` (empty), ``value.negative`` (rooms, beds or rate),
            ``currency.unknown``, ``hotel.rate_basis``.
        ValidationError: ``country.unknown``.
    """
    values = _hotel_values(fields)
    with desk.write() as tx:
        h = Hotel(**values)  # type: ignore[arg-type]
        tx.add(h)
        row = hotel_row(h)
    return Written(row, tx.changes)


def update_hotel(desk: Desk, hotel_id: str, fields: HotelFields) -> Written[HotelRow]:
    """Save a hotel's fields; only what changed is stamped and audited.

    Existing placements keep their nightly cost, currency and rate basis.

    Raises:
        NotFound: no such live hotel.
        ServiceError: as :func:`add_hotel`.
    """
    values = _hotel_values(fields)
    with desk.write() as tx:
        h = live_hotel(tx.session, hotel_id)
        tx.update(h, values)
        row = hotel_row(h)
    return Written(row, tx.changes)


def same_hotels(
    desk: Desk, name: str, city: str | None, exclude_id: str | None = None
) -> list[HotelRow]:
    """Live hotels of the same name in the same city (either case, spaces as typed aside):
    a second "Almaz Inn, Dubai" added by mistake split its guests and beds between two
    hotels that are one."""

    return [
        h
        for h in list_hotels(desk)
        if folded(h.name) == folded(name) and folded(h.city) == folded(city) and h.id != exclude_id
    ]


def _stays_at(session: Session, hotel_id: str) -> int:
    return len(
        session.exec(
            select(Placement.id).where(
                col(Placement.hotel_id) == hotel_id,
                col(Placement.deleted_at).is_(None),
                col(Placement.status) != PlacementStatus.CANCELLED.value,
            )
        ).all()
    )


def stays_at(desk: Desk, hotel_id: str) -> int:
    """How many stays, past, booked or running, are at a hotel (it cannot be removed while
    there are any: asked first, then refused, read as a trick)."""
    with desk.casefile.read() as session:
        return _stays_at(session, hotel_id)


def delete_hotel(desk: Desk, hotel_id: str) -> ChangeSet:
    """Remove a hotel added by mistake (a second copy, a wrong name); its audit trail stays.

    Raises:
        NotFound: no such live hotel.
        ServiceError: ``hotel.has_stays`` (params ``hotel``, ``stays``) while any stay, past,
            booked or running, is at it: the costs and nights of those stays need it.
    """
    with desk.write() as tx:
        h = live_hotel(tx.session, hotel_id)
        if stays := _stays_at(tx.session, hotel_id):
            raise ServiceError("hotel.has_stays", "hotel_id", hotel=h.name, stays=stays)
        tx.delete(h)
    return tx.changes


def get_hotel(desk: Desk, hotel_id: str) -> HotelRow:
    """One hotel.

    Raises:
        NotFound: no such live hotel.
    """
    with desk.casefile.read() as session:
        return hotel_row(live_hotel(session, hotel_id))


def list_hotels(desk: Desk) -> list[HotelRow]:
    """Live hotels by name."""
    with desk.casefile.read() as session:
        hotels = session.exec(select(Hotel).where(col(Hotel.deleted_at).is_(None))).all()
        return sorted((hotel_row(h) for h in hotels), key=lambda r: (r.name.casefold(), r.id))
