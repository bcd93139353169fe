"""Constants and one-line texts of the Evacuation page (tree lines, file names)."""

from __future__ import annotations

import re
from datetime import datetime

from consuldesk.domain.enums import ManifestStatus, TripStatus
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    STATUS_WORD_LABELS,
)
from consuldesk.services.evacuation import (
    LegRow,
    ReallocationImpact,
    TripRow,
)

REFRESH_DELAY_MS = 150
#: QSettings keys: the manifests' second language (kk or ru) and the last folder saved into.
FOLDER_KEY = "evacuation/folder"
OPERATION_KEY = "evacuation/operation"  # the operation open last time
# Tables whose changes alter what the page shows.
WATCHED_TABLES = {
    "evacuation_operation",
    "trip",
    "manifest_entry",
    "national",
    "household",
    "household_member",
}
# Trip status moves offered in the menu (the service checks them again).
_OFFERED: dict[str, set[TripStatus]] = {
    TripStatus.PLANNED: {TripStatus.BOARDING, TripStatus.DEPARTED, TripStatus.CANCELLED},
    TripStatus.BOARDING: {TripStatus.PLANNED, TripStatus.DEPARTED, TripStatus.CANCELLED},
    TripStatus.DEPARTED: {TripStatus.ARRIVED},
    TripStatus.ARRIVED: set(),
    TripStatus.CANCELLED: {TripStatus.PLANNED},
}
# The row keys B, N, O, U, also as typed under the Russian / Kazakh layout (И, Т, Щ, Г).
_ROW_KEYS: dict[str, ManifestStatus] = {
    "b": ManifestStatus.BOARDED,
    "и": ManifestStatus.BOARDED,
    "n": ManifestStatus.NO_SHOW,
    "т": ManifestStatus.NO_SHOW,
    "o": ManifestStatus.OFFLOADED,
    "щ": ManifestStatus.OFFLOADED,
    "u": ManifestStatus.ALLOCATED,
    "г": ManifestStatus.ALLOCATED,
}
_OK_STYLE = "color: #0b6b1f;"
_WARN_STYLE = "color: #8a5a00;"
_FAIL_STYLE = "color: #b00020;"
#: A scan's answer once it has been read: still there, no longer shouting.
_QUIET_STYLE = "color: palette(mid); font-weight: normal;"
SCAN_FADE_MS = 6000
#: Sizes of a scan's answer (times the page's font): the largest at which it fits two lines.
SCAN_FONT_FACTORS = (1.6, 1.35, 1.15, 1.0)


def _local(when: datetime | None) -> datetime | None:
    return when.astimezone() if when is not None else None


def trip_when(trip: TripRow) -> str:
    """Departure as ``06:00 12.03`` in local time (empty when not set)."""
    when = _local(trip.departure_at)
    return f"{when:%H:%M %d.%m}" if when else ""


def trip_text(trip: TripRow) -> str:
    """One line of the tree: ``Dubai P 48213 · 06:00 12.03 · 41/49 · boarding``."""
    parts = [trip.label]
    if when := trip_when(trip):
        parts.append(when)
    parts.append(f"{trip.seated}/{trip.capacity}")
    parts.append(_(STATUS_WORD_LABELS.get(trip.status, trip.status)))
    return " · ".join(parts)


def trip_parts(trip: TripRow) -> tuple[str, str, str]:
    """The parts of a trip's first column: its departure, its vehicle and its status. On a
    narrow panel the vehicle gives way first, keeping the end of its plate (see
    :mod:`consuldesk.ui.widgets.parts_delegate`): two buses of the same hour differ by it."""
    return trip_when(trip), trip.label, _(STATUS_WORD_LABELS.get(trip.status, trip.status))


def trip_columns(trip: TripRow) -> tuple[str, str]:
    """The tree's two columns of a trip: ``06:00 12.03 · Dubai P 48213 · boarding`` and
    ``41/49``, always whole."""
    return " · ".join(p for p in trip_parts(trip) if p), f"{trip.seated}/{trip.capacity}"


def leg_columns(leg: LegRow) -> tuple[str, str]:
    """The tree's two columns of a leg: ``Leg 1 · Dubai → Muscat`` and ``waiting 12`` (short:
    the column is as wide as its longest line, and the names beside it need the room)."""
    first = _("Leg {n}").format(n=leg.leg_no)
    if leg.origin:
        first += f" · {leg.origin} → {leg.destination}"
    return first, _("waiting {n}").format(n=leg.waitlisted)


def leg_text(leg: LegRow) -> str:
    """One line of the tree: ``Leg 1 · Dubai → Muscat · Waiting: 12``."""
    parts = [_("Leg {n}").format(n=leg.leg_no)]
    if leg.origin:
        parts.append(f"{leg.origin} → {leg.destination}")
    parts.append(_("Waiting: {n}").format(n=leg.waitlisted))
    return " · ".join(parts)


def manifest_file_name(trip: TripRow, suffix: str, prefix: str = "manifest") -> str:
    """``manifest-Dubai-P-48213-2026-03-12.pdf``: the vehicle and the departure day."""
    label = re.sub(r"[^\w]+", "-", trip.label, flags=re.UNICODE).strip("-") or "trip"
    when = _local(trip.departure_at)
    day = f"-{when:%Y-%m-%d}" if when else ""
    return f"{prefix}-{label}{day}.{suffix}"


_REMOVE = "__remove__"  # the "take off this leg" item of the Move menu


#: Names listed in the confirmation before "and N more".
_NAMES_SHOWN = 6


def _some(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    if more > 0:
        shown += " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
    return shown


def reprint_list(impact: ReallocationImpact, fresh: bool, *, named: bool = False) -> list[str]:
    """The printed paper a run makes wrong, one item each: ``3 boarding slips``, ``1 manifest``;
    ``named``: whose slips and which vehicles' manifests, to take the old ones back."""
    slips = impact.slips if fresh else 0
    manifests = impact.manifests if fresh else impact.manifests_if_kept
    trips = impact.manifest_trips if fresh else impact.manifest_trips_if_kept
    items = []
    if slips:
        item = ngettext("{n} boarding slip", "{n} boarding slips", slips).format(n=slips)
        if named and impact.slip_names:
            item += ": " + _some(impact.slip_names)
        items.append(item)
    if manifests:
        item = ngettext("{n} manifest", "{n} manifests", manifests).format(n=manifests)
        if named and trips:
            item += ": " + _some(trips)
        items.append(item)
    return items


def reallocation_warning(impact: ReallocationImpact) -> str:
    """What each choice of a second allocation does to the paper already printed."""
    lines = []
    if fresh := reprint_list(impact, True, named=True):
        lines.append(_("Starting fresh makes printed papers wrong:"))
        lines.extend(f"• {item}" for item in fresh)
        lines.append(_("Print them again and take the old ones back."))
    if kept := reprint_list(impact, False, named=True):
        if lines:
            lines.append("")
        lines.append(_("Keeping the seats adds passengers missing from:"))
        lines.extend(f"• {item}" for item in kept)
    if not lines:
        lines.append(_("No slip or manifest printed so far changes."))
    return "\n".join(lines)
