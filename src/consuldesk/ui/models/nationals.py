"""Table model of nationals (search results and lists)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from consuldesk.domain.enums import Vulnerability
from consuldesk.domain.phone import format_phone
from consuldesk.i18n import _
from consuldesk.services.rows import NationalRow

Index = QModelIndex | QPersistentModelIndex

(
    COL_NAME,
    COL_NAME_LAT,
    COL_BIRTH,
    COL_IIN,
    COL_PASSPORT,
    COL_PHONE,
    COL_PLACE,
    COL_STATUS,
    COL_FLAGS,
) = range(9)

STATUS_LABELS = {
    "in_country": "In country",
    "in_transit": "In transit",
    "in_hotel": "In hotel",
    "evacuated": "Evacuated",
    "left_on_own": "Left on own",
    "unknown": "Unknown",
}
FLAG_LABELS = {
    Vulnerability.MEDICAL: "medical",
    Vulnerability.MOBILITY: "mobility",
    Vulnerability.PREGNANT: "pregnant",
    Vulnerability.OVER_60: "60+",
    Vulnerability.WOMAN_WITH_MINORS: "with children",
    Vulnerability.MINOR: "minor",
}


class NationalsModel(QAbstractTableModel):
    """Rows of :class:`NationalRow`; ``set_rows`` replaces them all."""

    def __init__(self, today: date, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[NationalRow] = []
        self._today = today
        self._headers = [
            _("Name"),
            _("Passport name"),
            _("Born"),
            _("IIN"),
            _("Passport"),
            _("Phone"),
            _("Where"),
            _("Status"),
            _("Needs"),
        ]

    def set_rows(self, rows: list[NationalRow]) -> None:
        """Show these rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> NationalRow:
        """The national shown in a row."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_NAME:
            return row.notes or None
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PHONE:
            return "\n".join(format_phone(p) for p in row.phones) or None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _display(self, row: NationalRow, col: int) -> str:
        if col == COL_NAME:
            return row.name
        if col == COL_NAME_LAT:
            return row.name_lat
        if col == COL_BIRTH:
            if not row.birth_date:
                return ""
            return f"{row.birth_date:%d.%m.%Y} ({row.age(self._today)})"
        if col == COL_IIN:
            return row.iin or ""
        if col == COL_PASSPORT:
            return row.passport_no or ""
        if col == COL_PHONE:
            if not row.phones:
                return ""
            more = f"  (+{len(row.phones) - 1})" if len(row.phones) > 1 else ""
            return format_phone(row.phones[0]) + more
        if col == COL_PLACE:
            return ", ".join(p for p in (row.city, row.host_country) if p)
        if col == COL_STATUS:
            return _(STATUS_LABELS.get(row.presence_status, row.presence_status))
        if col == COL_FLAGS:
            return ", ".join(_(FLAG_LABELS[v]) for v in Vulnerability if v in row.vulnerabilities)
        return ""
