"""Which boarding slips and manifests were printed, and for which seats.

Paper does not change when the case file does: a slip printed for seat 12 still says 12 after a
re-allocation moved its holder to seat 30. Every print is therefore recorded in the audit trail
(action ``printed``): a slip on its manifest entry, with the trip and seat printed on it; a
manifest on its trip, with every entry and seat it lists. :func:`last_printed` reads back the
latest print of each, so a re-allocation can say how much paper it makes wrong.

What was printed sits under one ``printed`` key, never under a field's name: readers of the
trail that look for a field's earlier value (sync's merge) must not mistake a print for a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from consuldesk.store.db import Tx
from consuldesk.store.models import AuditEvent, ManifestEntry, Trip

PRINTED = "printed"  # the audit action of a print
SLIP = "slip"
MANIFEST = "manifest"

__all__ = ["PRINTED", "Printed", "last_printed", "record_manifest", "record_slips"]


@dataclass(frozen=True)
class Printed:
    """The latest print of each slip and manifest of some trips.

    Attributes:
        slips: per manifest entry id, the (trip id, seat) its latest slip shows (seat ``""``
            when the slip has none).
        manifests: per trip id, the entries its latest manifest lists, with their seats.
    """

    slips: Mapping[str, tuple[str, str]]
    manifests: Mapping[str, Mapping[str, str]]


def record_slips(
    tx: Tx,
    trip: Trip,
    entries: Sequence[ManifestEntry],
    file: Mapping[str, Any] | None = None,
) -> None:
    """Record that slips were printed now for ``entries`` (seated on ``trip``), into ``file``
    (its name, SHA-256 and size: :func:`consuldesk.services.audited.file_facts`)."""
    for e in entries:
        printed = {"document": SLIP, "trip_id": trip.id, "seat": e.seat or "", **(file or {})}
        tx.audit(e, PRINTED, {PRINTED: printed}, e.version)


def record_manifest(
    tx: Tx,
    trip: Trip,
    entries: Sequence[ManifestEntry],
    file: Mapping[str, Any] | None = None,
) -> None:
    """Record that the manifest of ``trip`` listing ``entries`` was printed now, into
    ``file``."""
    seats = {e.id: e.seat or "" for e in entries}
    printed = {"document": MANIFEST, "seats": seats, **(file or {})}
    tx.audit(trip, PRINTED, {PRINTED: printed}, trip.version)


def last_printed(session: Session, entry_ids: Sequence[str], trip_ids: Sequence[str]) -> Printed:
    """The latest slip of each of ``entry_ids`` and manifest of each of ``trip_ids``."""
    slips: dict[str, tuple[str, str]] = {}
    manifests: dict[str, dict[str, str]] = {}
    ids = [*entry_ids, *trip_ids]
    for start in range(0, len(ids), 900):
        events = session.exec(
            select(AuditEvent)
            .where(
                col(AuditEvent.action) == PRINTED,
                col(AuditEvent.record_id).in_(ids[start : start + 900]),
            )
            .order_by(col(AuditEvent.at), col(AuditEvent.version), col(AuditEvent.id))
        ).all()
        for event in events:  # oldest first: the latest print wins
            changes = (event.changes or {}).get(PRINTED, {})
            if changes.get("document") == SLIP:
                slips[event.record_id] = (str(changes["trip_id"]), str(changes.get("seat", "")))
            elif changes.get("document") == MANIFEST:
                manifests[event.record_id] = dict(changes.get("seats", {}))
    return Printed(slips, manifests)
