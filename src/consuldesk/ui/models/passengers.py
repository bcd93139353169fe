"""Table model of an evacuation page: the passengers of one trip, or a leg's waiting list.

A trip holds at most a few hundred people, so the type-to-filter box narrows the loaded rows
here (no query per keystroke). Boarded rows carry a ✓ and problems a ⚠, so both read on a
black-and-white printout and for colour-blind officers, not only by their colour.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from consuldesk.domain.enums import ManifestStatus
from consuldesk.domain.names import folded
from consuldesk.i18n import _
from consuldesk.messages import PRIORITY_CLASS_LABELS, PROBLEM_MARK, problems_text
from consuldesk.services.evacuation import PassengerRow
from consuldesk.ui.models.base import RowsModel

Index = QModelIndex | QPersistentModelIndex

# Status and problems early: they are what the officer looks for, and stay in view.
(
    COL_SEAT,
    COL_STATUS,
    COL_NAME,
    COL_AGE,
    COL_PROBLEMS,
    COL_NAME_LAT,
    COL_PRIORITY,
    COL_HOUSEHOLD,
) = range(8)

BOARDED_MARK = "✓"

_BOARDED_BACKGROUND = QColor(214, 240, 214)
_PROBLEM_COLOUR = QColor(176, 0, 32)
_GONE_COLOUR = QColor(110, 110, 110)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)


#: A passenger's status as a table cell (messages.STATUS_WORD_LABELS are words inside sentences).
STATUS_LABELS = {
    "allocated": "Seated",
    "waitlisted": "Waiting",
    "boarded": "Boarded",
    "no_show": "No-show",
    "offloaded": "Offloaded",
}


def status_text(status: str) -> str:
    """A passenger's status in words, with ✓ for boarded."""
    word = _(STATUS_LABELS.get(status, status))
    return f"{BOARDED_MARK} {word}" if status == ManifestStatus.BOARDED.value else word


def _matches(row: PassengerRow, needle: str) -> bool:
    p = row.person
    hay = " ".join(
        x or ""
        for x in (p.name_cyr, p.name_lat, p.passport_no, p.iin, row.seat, row.household_name)
    )
    return needle in hay.casefold()


class PassengersModel(RowsModel):
    """:class:`PassengerRow` of a trip (first column: the seat) or of a leg's waiting list
    (first column: the place in the queue), narrowed by :meth:`set_filter`."""

    def __init__(self, today: date, parent: Any = None) -> None:
        super().__init__(
            [
                _("Seat"),
                _("Status"),
                _("Name"),
                _("Age"),
                _("Problems"),
                _("Passport name"),
                _("Priority"),
                _("Household"),
            ],
            parent,
        )
        self._today = today
        self._on = today  # the day ages are shown for: a trip's day of departure
        self._all: list[PassengerRow] = []
        self._needle = ""
        self._waiting = False

    @property
    def waiting_list(self) -> bool:
        """Whether the rows are a leg's waiting list (not a trip's passengers)."""
        return self._waiting

    def set_passengers(
        self, rows: list[PassengerRow], *, waiting_list: bool = False, on: date | None = None
    ) -> None:
        """Show a trip's passengers (in seat order) or a waiting list (in queue order); ages
        ``on`` a day (a trip's day of departure, as its problems are judged), else today."""
        self._all = list(rows)
        self._waiting = waiting_list
        self._on = on or self._today
        self._apply()
        header = _("No.") if waiting_list else _("Seat")
        if header != self._headers[COL_SEAT]:
            self._headers[COL_SEAT] = header
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_SEAT, COL_SEAT)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_AGE, COL_AGE)  # its tooltip

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            section == COL_AGE
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.ToolTipRole
            and self._on != self._today
        ):  # said on hover: the column stays narrow (a small laptop in Russian)
            return _("Age on {day}, the day of departure").format(day=self._on.strftime("%d.%m"))
        return super().headerData(section, orientation, role)

    def set_filter(self, text: str) -> None:
        """Show only rows whose name, passport, IIN, seat or household contains ``text``."""
        needle = folded(text)
        if needle != self._needle:
            self._needle = needle
            self._apply()

    def _apply(self) -> None:
        needle = self._needle
        self.set_rows([r for r in self._all if _matches(r, needle)] if needle else self._all)

    @property
    def total(self) -> int:
        """Rows loaded, before the filter."""
        return len(self._all)

    def typed(self, seat: bool, value: str) -> PassengerRow | None:
        """The passenger shown (filter or not) with this seat (``seat``) or passport number."""
        for r in self._all:
            found = r.seat if seat else r.person.passport_no
            if found and found.upper().lstrip("0" if seat else "") == value:
                return r
        return None

    def row_of(self, entry_id: str) -> int:
        """The row showing this manifest entry, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.entry_id == entry_id), -1)

    def _data(self, row: PassengerRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.UserRole:
            return row.entry_id
        boarded = row.status == ManifestStatus.BOARDED.value
        gone = row.status in (ManifestStatus.NO_SHOW.value, ManifestStatus.OFFLOADED.value)
        if role == Qt.ItemDataRole.BackgroundRole and boarded:
            return QBrush(_BOARDED_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_PROBLEMS and row.problems:
                return QBrush(_PROBLEM_COLOUR)
            if gone:
                return QBrush(_GONE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and (
            (col == COL_STATUS and boarded) or (col == COL_PROBLEMS and row.problems)
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_SEAT, COL_AGE):
            return _CENTRE
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        return None

    def _tooltip(self, row: PassengerRow, col: int) -> str | None:
        # A narrow window elides names and problems: the tooltip says them whole.
        if col == COL_NAME:
            name = self._display(row, col)
            if row.person.passport_no:
                passport = _("Passport {number}").format(number=row.person.passport_no)
                return f"{name}\n{passport}"
            return name
        if col == COL_PROBLEMS:
            return problems_text(row.problems) or None  # whole, the cell says them short
        if col in (COL_NAME_LAT, COL_PRIORITY, COL_HOUSEHOLD):
            return self._display(row, col) or None
        return None

    def _display(self, row: PassengerRow, col: int) -> str:
        person = row.person
        if col == COL_SEAT:
            if self._waiting:
                return str(row.position) if row.position is not None else ""
            return row.seat or ""
        if col == COL_NAME:
            return person.name_cyr or person.name
        if col == COL_NAME_LAT:
            return person.name_lat
        if col == COL_AGE:
            age = person.age(self._on)
            return "" if age is None else str(age)
        if col == COL_PRIORITY:
            cls = row.priority_class
            return _(PRIORITY_CLASS_LABELS.get(cls, cls)) if cls else ""
        if col == COL_HOUSEHOLD:
            return row.household_name or ""
        if col == COL_PROBLEMS:
            return problems_text(row.problems, short=True)
        if col == COL_STATUS:
            return status_text(row.status)
        return ""


__all__ = [
    "BOARDED_MARK",
    "COL_AGE",
    "COL_HOUSEHOLD",
    "COL_NAME",
    "COL_NAME_LAT",
    "COL_PRIORITY",
    "COL_PROBLEMS",
    "COL_SEAT",
    "COL_STATUS",
    "PROBLEM_MARK",
    "STATUS_LABELS",
    "PassengersModel",
    "problems_text",
    "status_text",
]
