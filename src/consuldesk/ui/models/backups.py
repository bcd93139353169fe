"""The backups of the open case file: when, why, size, what each holds, whether it is sound."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt

from consuldesk.i18n import _
from consuldesk.messages import backup_holdings, backup_reason
from consuldesk.services.backups import BackupRow
from consuldesk.ui.models.base import RowsModel

COL_TAKEN, COL_WHY, COL_SIZE, COL_HOLDS, COL_CHECK = range(5)


def size_text(size: int) -> str:
    """``412.3 MB`` in the window's locale."""
    return _("{mb} MB").format(mb=QLocale().toString(size / 1_048_576, "f", 1))


def taken_text(row: BackupRow) -> str:
    """When the backup was taken, in local time and the window's date format."""
    if row.taken_at is None:
        return "—"
    return f"{row.taken_at.astimezone():%d.%m.%Y %H:%M:%S}"  # a list and a bundle a minute apart


def check_text(row: BackupRow) -> str:
    """Whether the backup passes SQLite's check (or is still being checked)."""
    if not row.checked:
        return _("checking…")
    return _("sound") if row.sound else _("damaged: {problem}").format(problem=row.problem)


class BackupsModel(RowsModel):
    """Backups, newest first; a row is replaced when its check comes back (:meth:`update`)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__([_("Taken"), _("Why"), _("Size"), _("Holds"), _("Check")], parent)

    def update(self, checked: BackupRow) -> None:
        """Show a backup's check and counts in its row (matched by path)."""
        for number, row in enumerate(self._rows):
            if row.path == checked.path:
                self._rows[number] = checked
                self.dataChanged.emit(self.index(number, 0), self.index(number, COL_CHECK))
                return

    def _data(self, row: BackupRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TAKEN:
                return taken_text(row)
            if col == COL_WHY:
                return backup_reason(row.kind, row.detail)
            if col == COL_SIZE:
                return size_text(row.size)
            if col == COL_HOLDS:
                return backup_holdings(row.counts.by_table()) if row.sound else "—"
            if col == COL_CHECK:
                return check_text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole of what it holds (the column may be cut short) and where it is.
            if col == COL_HOLDS and row.sound:
                return backup_holdings(row.counts.by_table())
            if col == COL_CHECK and row.checked and not row.sound:
                return row.problem
            return str(row.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
