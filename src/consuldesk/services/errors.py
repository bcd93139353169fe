"""Errors the use cases raise besides domain validation errors."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A use case refused: ``code`` says why, ``field`` where, ``params`` the details.

    Codes: ``national.duplicate`` (field ``iin`` or ``passport_no``; params ``existing_id``,
    ``existing_name``, ``value``), ``national.merge_self``, ``household.member_twice``,
    ``placement.overlap``, ``hotel.full``, ``request.closed``, ``post.code``.

    Households: ``household.name`` (empty name), ``household.member_twice`` (params
    ``household``, ``national_id``), ``household.already_in_family`` (params ``household``: the
    other family's name, ``household_id``, ``national_id``), ``household.not_member`` (params
    ``household``, ``national_id``).

    Requests: ``request.no_subject`` (no national or household; for a hotline call, no caller
    either), ``request.summary`` (empty), ``request.event_kind`` (param ``kind``: not a note or
    call), ``request.note_empty``, ``request.closed`` (param ``status``: closed or cancelled
    requests take no notes or assignment).

    Hotels: ``hotel.name`` (empty), ``currency.unknown`` (param ``value``: not ISO 4217),
    ``value.negative`` (field: rooms, beds, nightly_rate_minor or nightly_cost_minor; param
    ``value``), ``hotel.full`` (params ``hotel``, ``beds``, ``occupied``: guests on the fullest
    night of the stay, ``requested``, ``night``: that night as ISO date), ``placement.empty``
    (nobody to place), ``placement.dates`` (params ``check_in``, ``check_out``: check-out not after
    check-in), ``placement.overlap`` (params ``person``, ``hotel``: the other stay's hotel,
    ``national_id``, ``placement_id``), ``placement.status`` (param ``status``: the placement is
    not in a state that allows this), ``hotel.rate_basis`` (param ``value``: not per person or
    per room).
    """

    def __init__(self, code: str, field: str | None = None, /, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code} {field or ''} {params}".strip())
