"""Table model of the retention review: records expired or expiring, who, why, when."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from consuldesk.i18n import _
from consuldesk.messages import RETENTION_BASIS_LABELS
from consuldesk.services.retention import RetentionRow
from consuldesk.ui.models.base import RowsModel
from consuldesk.ui.models.hotels import format_date
from consuldesk.ui.models.nationals import STATUS_LABELS

(
    COL_NAME,
    COL_STATUS,
    COL_LEFT,
    COL_WHY,
    COL_EXPIRES,
    COL_KEPT,
) = range(6)

_EXPIRED = QColor(176, 0, 32)


class RetentionModel(RowsModel):
    """:class:`RetentionRow` rows. An expired record says so in words and bold as well as in
    colour (it reads on a grey screen); the reason it is kept shows in full as a tooltip."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                _("Name"),
                _("Status"),
                _("Left the region"),
                _("Why"),
                _("Expires"),
                _("Kept because"),
            ],
            parent,
        )

    def _data(self, row: RetentionRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if row.due and col in (COL_NAME, COL_EXPIRES):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_EXPIRED)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_WHY:
                return _(RETENTION_BASIS_LABELS[row.basis.value])
            if col == COL_KEPT and row.keep_reason:
                return _("Kept until {day}: {reason}").format(
                    day=format_date(row.keep_until), reason=row.keep_reason
                )
            if col == COL_NAME:
                place = ", ".join(p for p in (row.city, row.host_country) if p)
                born = str(row.birth_year) if row.birth_year else ""
                return " · ".join(p for p in (place, born) if p) or None
        return None

    def _display(self, row: RetentionRow, col: int) -> str:
        if col == COL_NAME:
            return row.name or _("(no name)")
        if col == COL_STATUS:
            if row.deleted:
                return _("Deleted")
            return _(STATUS_LABELS.get(row.presence_status, row.presence_status))
        if col == COL_LEFT:
            return format_date(row.left_on)
        if col == COL_WHY:
            return _(RETENTION_BASIS_LABELS[row.basis.value])
        if col == COL_EXPIRES:
            day = format_date(row.expires_on)
            return _("{day} (expired)").format(day=day) if row.due else day
        if col == COL_KEPT:
            return row.keep_reason or ""
        return ""


__all__ = [
    "COL_EXPIRES",
    "COL_KEPT",
    "COL_LEFT",
    "COL_NAME",
    "COL_STATUS",
    "COL_WHY",
    "RetentionModel",
]
