"""Errors the use cases raise besides domain validation errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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

    Edits: ``record.edit_conflict`` (:class:`EditConflict`; params ``fields``: the fields both
    sides changed, ``count``).
    """

    def __init__(self, code: str, field: str | None = None, /, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code} {field or ''} {params}".strip())


@dataclass(frozen=True)
class FieldChange:
    """A field someone else changed while an officer's copy of the record was open.

    Attributes:
        field: the field's name.
        opened: its value when the copy was opened.
        theirs: its value now (the other change).
        mine: the officer's value (equal to ``opened`` when the officer left it alone).
        by: the officer who made the other change, where the case file knows it.
        post: the post where it was made.
        at: when it was made (UTC).
        action: how it came (``update``, ``merge``, ``sync`` for a bundle, ``resolve``…).
    """

    field: str
    opened: Any
    theirs: Any
    mine: Any
    by: str | None = None
    post: str | None = None
    at: datetime | None = None
    action: str | None = None


class EditConflict(ServiceError):
    """A save refused because someone else changed the same fields differently since the
    officer's copy was opened; nothing was written.

    Attributes:
        record_id: the record.
        conflicts: the fields both changed, each with the three values and who changed it.
        kept: fields only the others changed: a save keeps their values.
        current: the record's editable values now (for nationals, ``NationalFields``): the
            copy to save the officer's choices against.
        merged: the officer's values with the others' changes of ``kept`` taken in; a
            conflicting field holds the officer's value.
    """

    def __init__(
        self,
        record_id: str,
        conflicts: tuple[FieldChange, ...],
        kept: tuple[FieldChange, ...],
        current: Any,
        merged: Any,
    ) -> None:
        super().__init__(
            "record.edit_conflict",
            None,
            fields=[c.field for c in conflicts],
            count=len(conflicts),
        )
        self.record_id = record_id
        self.conflicts = conflicts
        self.kept = kept
        self.current = current
        self.merged = merged
