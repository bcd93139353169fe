"""Table models of the hotels page: hotels with tonight's occupancy, guests, cost totals."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from consuldesk.i18n import _, ngettext
from consuldesk.messages import PAID_BY_LABELS as PAYERS
from consuldesk.messages import RATE_BASIS_LABELS
from consuldesk.services.hotels import ACTIVE_STATUSES
from consuldesk.services.views import CostRow, HotelOccupancyRow, PlacementRow
from consuldesk.ui.models.base import RowsModel

Index = QModelIndex | QPersistentModelIndex

(
    COL_HOTEL,
    COL_CITY,
    COL_BEDS,
    COL_OCCUPIED,
    COL_FREE,
    COL_RATE,
    COL_OPERATOR,
) = range(7)

(
    COL_GUEST,
    COL_ROOM,
    COL_CHECK_IN,
    COL_CHECK_OUT,
    COL_NIGHTS,
    COL_COST,
    COL_STATUS,
    COL_PAID_BY,
) = range(8)

(
    COL_COST_LABEL,
    COL_COST_PLACEMENTS,
    COL_COST_NIGHTS,
    COL_COST_AMOUNT,
    COL_COST_OPEN,
) = range(5)

PLACEMENT_STATUS_LABELS = {
    "booked": "Booked",
    "checked_in": "Checked in",
    "checked_out": "Checked out",
    "cancelled": "Cancelled",
}
#: How a nightly rate is charged (RateBasis values).
PAID_BY_LABELS = PAYERS

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_OVERBOOKED = QColor(176, 0, 32)


def format_money(amount_minor: int, currency: str) -> str:
    """An amount in minor units as ``1 234.50 USD`` (in the officer's locale)."""
    return f"{QLocale().toString(amount_minor / 100, 'f', 2)} {currency}"


def format_rate(amount_minor: int, currency: str, basis: str) -> str:
    """A nightly rate with what it is charged for: ``400.00 AED per room``."""
    return f"{format_money(amount_minor, currency)} {_(RATE_BASIS_LABELS.get(basis, basis))}"


def format_date(day: date | None) -> str:
    """dd.mm.yyyy, or an empty string."""
    return f"{day:%d.%m.%Y}" if day else ""


class HotelsModel(RowsModel):
    """Hotels with beds taken tonight (:class:`HotelOccupancyRow`); overbooked rows stand out.

    Overbooking is shown in words and bold as well as in colour, so it reads on a grey printout.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                _("Hotel"),
                _("City"),
                _("Beds"),
                _("Occupied tonight"),
                _("Free"),
                _("Nightly rate"),
                _("Tour operator"),
            ],
            parent,
        )

    def row_for(self, hotel_id: str) -> int:
        """The row of a hotel, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.hotel.id == hotel_id), -1)

    def _data(self, row: HotelOccupancyRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.UserRole:
            return row.hotel.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (
            COL_BEDS,
            COL_OCCUPIED,
            COL_FREE,
            COL_RATE,
        ):
            return _RIGHT
        if row.overbooked and col in (COL_HOTEL, COL_OCCUPIED, COL_FREE):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_OVERBOOKED)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_RATE:
                return (
                    _("A room pays this once a night, however many share it.")
                    if hotel_basis(row) == "room"
                    else _("Every guest pays this each night.")
                )
            if row.overbooked:
                return _("Overbooked: {n} guests more than beds tonight").format(n=row.overbooked)
            if col == COL_HOTEL:
                return "\n".join(p for p in (row.hotel.address, row.hotel.phone) if p) or None
        return None

    def _display(self, row: HotelOccupancyRow, col: int) -> str:
        hotel = row.hotel
        if col == COL_HOTEL:
            return f"⚠ {hotel.name}" if row.overbooked else hotel.name
        if col == COL_CITY:
            return hotel.city or ""
        if col == COL_BEDS:
            return str(row.beds) if row.beds else _("not set")
        if col == COL_OCCUPIED:
            return str(row.occupied)
        if col == COL_FREE:
            if row.overbooked:
                return _("overbooked +{n}").format(n=row.overbooked)
            return str(row.free) if row.beds else "—"
        if col == COL_RATE:
            return format_rate(hotel.nightly_rate_minor, hotel.currency, hotel.rate_basis)
        if col == COL_OPERATOR:
            return hotel.tour_operator or ""
        return ""


def hotel_basis(row: HotelOccupancyRow) -> str:
    """What the hotel's rate is charged for."""
    return row.hotel.rate_basis


def due_to_leave(row: PlacementRow, today: date | None) -> date | None:
    """The check-out day of a stay still booked or checked in whose day has come (today or
    earlier: not checked out yet), else ``None``."""
    active = row.status in ACTIVE_STATUSES
    if today is None or not active or row.check_out is None or row.check_out > today:
        return None
    return row.check_out


class GuestsModel(RowsModel):
    """Placements of one hotel (:class:`PlacementRow`).

    A stay still running shows its cost so far; the booked total is in the tooltip. Of a room
    charged per room, one stay carries the room's cost; its room-mates say they share it.
    """

    def __init__(self, parent: Any = None) -> None:
        self.today: date | None = None  # set by the page: whose check-out day has come
        super().__init__(
            [
                _("Guest"),
                _("Room"),
                _("Check-in"),
                _("Check-out"),
                _("Nights"),
                _("Cost"),
                _("Status"),
                _("Paid by"),
            ],
            parent,
        )

    def _data(self, row: PlacementRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_NIGHTS, COL_COST):
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_COST:
            return self._cost_tip(row)
        return None

    @staticmethod
    def _cost_tip(row: PlacementRow) -> str:
        tips = [
            _("{rate} a night").format(
                rate=format_rate(row.nightly_cost_minor, row.currency, row.rate_basis)
            )
        ]
        if row.rate_basis == "room" and row.room_share > 1:
            tips.append(
                ngettext(
                    "The room is shared by {n} guest and charged once a night.",
                    "The room is shared by {n} guests and charged once a night.",
                    row.room_share,
                ).format(n=row.room_share)
                + " "
                + (
                    _("Its cost is on this line.")
                    if row.charged_here
                    else _("Its cost is on the line of the first guest placed in it.")
                )
            )
        if row.running and row.charged_here:
            if row.check_out is None:
                tips.append(
                    ngettext(
                        "Open stay: {cost} for {n} night so far.",
                        "Open stay: {cost} for {n} nights so far.",
                        row.nights_so_far,
                    ).format(
                        cost=format_money(row.cost_so_far_minor, row.currency),
                        n=row.nights_so_far,
                    )
                )
            else:
                tips.append(
                    _("{cost} until check-out on {day}.").format(
                        cost=format_money(row.cost_minor, row.currency),
                        day=format_date(row.check_out),
                    )
                )
        return "\n".join(tips)

    def _display(self, row: PlacementRow, col: int) -> str:
        if col == COL_GUEST:
            return row.person_name
        if col == COL_ROOM:
            return row.room or ""
        if col == COL_CHECK_IN:
            return format_date(row.check_in)
        if col == COL_CHECK_OUT:
            return format_date(row.check_out) if row.check_out else _("open")
        if col == COL_NIGHTS:
            if row.running and row.check_out is not None:
                # nights so far of those booked, as the cost beside it is so far
                return _("{so_far} of {booked}").format(so_far=row.nights_so_far, booked=row.nights)
            return str(row.nights)
        if col == COL_COST:
            if not row.charged_here:
                return _("shared room")
            if row.running:
                return _("{cost} so far").format(
                    cost=format_money(row.cost_so_far_minor, row.currency)
                )
            return format_money(row.cost_minor, row.currency)
        if col == COL_STATUS:
            status = _(PLACEMENT_STATUS_LABELS.get(row.status, row.status))
            leaving = due_to_leave(row, self.today)
            if leaving is None:
                return status
            if leaving == self.today:
                return _("{status}, leaves today").format(status=status)
            return _("{status}, was to leave on {day}").format(
                status=status, day=format_date(leaving)
            )
        if col == COL_PAID_BY:
            return _(PAID_BY_LABELS.get(row.paid_by, row.paid_by))
        return ""


class CostsModel(RowsModel):
    """Cost totals (:class:`CostRow`), one line per group and currency: never summed across.

    The last column says how much of the amount is the cost so far of stays still open.
    """

    def __init__(
        self,
        group_title: str,
        none_label: str = "",
        labels: dict[str, str] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(
            [group_title, _("Placements"), _("Nights"), _("Amount"), _("Of which open stays")],
            parent,
        )
        self._none_label = none_label
        self._labels = labels or {}  # values shown translated (who pays)

    def _data(self, row: CostRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_COST_LABEL:
                if row.label in self._labels:
                    return _(self._labels[row.label])
                return row.label or self._none_label
            if col == COL_COST_PLACEMENTS:
                return str(row.placements)
            if col == COL_COST_NIGHTS:
                return str(row.nights)
            if col == COL_COST_AMOUNT:
                return format_money(row.amount_minor, row.currency)
            if col == COL_COST_OPEN:
                if not row.open_stays:
                    return "—"
                return f"{row.open_stays}: {format_money(row.open_amount_minor, row.currency)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col != COL_COST_LABEL:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_COST_OPEN and row.open_stays:
            return ngettext(
                "{n} stay is still open: {cost} so far, counted up to tonight.",
                "{n} stays are still open: {cost} so far, counted up to tonight.",
                row.open_stays,
            ).format(n=row.open_stays, cost=format_money(row.open_amount_minor, row.currency))
        return None


__all__ = [
    "COL_BEDS",
    "COL_CHECK_IN",
    "COL_CHECK_OUT",
    "COL_CITY",
    "COL_COST",
    "COL_COST_AMOUNT",
    "COL_COST_LABEL",
    "COL_COST_NIGHTS",
    "COL_COST_OPEN",
    "COL_COST_PLACEMENTS",
    "COL_FREE",
    "COL_GUEST",
    "COL_HOTEL",
    "COL_NIGHTS",
    "COL_OCCUPIED",
    "COL_OPERATOR",
    "COL_PAID_BY",
    "COL_RATE",
    "COL_ROOM",
    "COL_STATUS",
    "RATE_BASIS_LABELS",
    "CostsModel",
    "GuestsModel",
    "HotelsModel",
    "format_date",
    "format_money",
    "format_rate",
]
