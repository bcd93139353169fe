"""Table model of the assistance request queue, and the readable labels of request values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from consuldesk.domain.enums import RequestPriority, RequestStatus
from consuldesk.i18n import _
from consuldesk.messages import REQUEST_KIND_LABELS, REQUEST_PRIORITY_LABELS, TIMELINE_LABELS
from consuldesk.services.views import RequestRow
from consuldesk.ui.models.base import RowsModel

Index = QModelIndex | QPersistentModelIndex

# Due time and the overdue marker come early: they must be visible without scrolling sideways.
(
    COL_PRIORITY,
    COL_DUE,
    COL_OVERDUE,
    COL_KIND,
    COL_SUMMARY,
    COL_PERSON,
    COL_ASSIGNEE,
    COL_STATUS,
) = range(8)

# English source strings; translated with _() where they are shown.
KIND_LABELS: dict[str, str] = REQUEST_KIND_LABELS
PRIORITY_LABELS: dict[str, str] = REQUEST_PRIORITY_LABELS
STATUS_LABELS: dict[str, str] = {
    RequestStatus.NEW: "New",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.WAITING: "Waiting",
    RequestStatus.RESOLVED: "Resolved",
    RequestStatus.CLOSED: "Closed",
    RequestStatus.CANCELLED: "Cancelled",
}

# Fixed colours, foreground included, so overdue rows stay readable under a dark theme too.
OVERDUE_BACKGROUND = QColor("#ffd6d1")
OVERDUE_FOREGROUND = QColor("#000000")
URGENT_FOREGROUND = QColor("#b00020")


def kind_label(value: str) -> str:
    """The readable, translated name of a request kind."""
    return _(KIND_LABELS.get(value, value))


def priority_label(value: str) -> str:
    """The readable, translated name of a priority."""
    return _(PRIORITY_LABELS.get(value, value))


def status_label(value: str) -> str:
    """The readable, translated name of a status."""
    return _(STATUS_LABELS.get(value, value))


def timeline_label(value: str) -> str:
    """The readable, translated name of a timeline entry kind."""
    return _(TIMELINE_LABELS.get(value, value))


def local_time(value: datetime | None) -> str:
    """An aware datetime as the officer's local ``dd.mm.yyyy HH:MM`` (empty for none)."""
    if value is None:
        return ""
    return value.astimezone().strftime("%d.%m.%Y %H:%M")


def short_name(name: str) -> str:
    """A person in a narrow column: the surname whole, given names and patronymic as initials
    (``Тоқтарбекова Г. С.``): a mother and her children, cut to one surname, looked alike."""
    surname, *rest = name.split()
    return " ".join([surname, *(f"{word[0]}." for word in rest)]) if rest else surname


class RequestsModel(RowsModel):
    """Rows of :class:`RequestRow` in queue order; ``set_rows`` replaces them all."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self._rows: list[RequestRow] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._headers = [
            _("Priority"),
            _("Due"),
            _("Overdue"),
            _("Kind"),
            _("Summary"),
            _("Person"),
            _("Assigned to"),
            _("Status"),
        ]

    def row_of(self, request_id: str) -> int:
        """The row showing a request, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == request_id:
                return i
        return -1

    def _data(self, row: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_SUMMARY:
            return row.details or None
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PERSON:
            return row.national_name or row.household_name or None  # whole
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if row.overdue:
            if role == Qt.ItemDataRole.BackgroundRole:
                return OVERDUE_BACKGROUND
            if role == Qt.ItemDataRole.ForegroundRole:
                return OVERDUE_FOREGROUND
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        elif (
            role == Qt.ItemDataRole.ForegroundRole
            and col == COL_PRIORITY
            and row.priority == RequestPriority.URGENT
        ):
            return URGENT_FOREGROUND
        return None

    def _display(self, row: RequestRow, col: int) -> str:
        if col == COL_PRIORITY:
            return priority_label(row.priority)
        if col == COL_KIND:
            return kind_label(row.kind)
        if col == COL_SUMMARY:
            return row.summary
        if col == COL_PERSON:
            if row.national_name:
                return short_name(row.national_name)
            return row.household_name or _("(not on file)")
        if col == COL_ASSIGNEE:
            return row.assignee or ""
        if col == COL_DUE:
            return local_time(row.due_at)
        if col == COL_STATUS:
            return status_label(row.status)
        if col == COL_OVERDUE:
            # A text marker besides the colour: readable in black and white, and by screen readers.
            return _("! OVERDUE") if row.overdue else ""
        return ""


__all__ = [
    "COL_ASSIGNEE",
    "COL_DUE",
    "COL_KIND",
    "COL_OVERDUE",
    "COL_PERSON",
    "COL_PRIORITY",
    "COL_STATUS",
    "COL_SUMMARY",
    "KIND_LABELS",
    "PRIORITY_LABELS",
    "STATUS_LABELS",
    "TIMELINE_LABELS",
    "RequestsModel",
    "kind_label",
    "local_time",
    "priority_label",
    "status_label",
    "timeline_label",
]
