"""Table model of the case file's officer accounts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from consuldesk.i18n import _
from consuldesk.messages import ROLE_LABELS
from consuldesk.services.access import OfficerRow
from consuldesk.ui.models.base import RowsModel
from consuldesk.ui.models.requests import local_time

COL_NAME, COL_ROLE, COL_LAST_LOGIN, COL_ACCOUNT, COL_PASSPHRASE = range(5)

CLOSED_FOREGROUND = QColor("#6b6b6b")


def role_label(role: str) -> str:
    """A role in words ("head of section")."""
    return _(ROLE_LABELS.get(role, role))


class OfficersModel(RowsModel):
    """One row per account (:class:`OfficerRow`), active ones first; closed ones greyed."""

    def __init__(self, me: str = "", parent: Any = None) -> None:
        super().__init__(
            [_("Name"), _("Role"), _("Last login"), _("Account"), _("Passphrase")], parent
        )
        self._me = " ".join(me.casefold().split())  # the officer at the keyboard, in bold

    def row_for(self, name: str) -> int:
        """The row of the officer called ``name`` (-1 if not shown)."""
        folded = " ".join(name.casefold().split())
        for row, officer in enumerate(self._rows):
            if " ".join(officer.name.casefold().split()) == folded:
                return row
        return -1

    def _is_me(self, row: OfficerRow) -> bool:
        return bool(self._me) and " ".join(row.name.casefold().split()) == self._me

    def _data(self, row: OfficerRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return _("{name} (you)").format(name=row.name) if self._is_me(row) else row.name
            if col == COL_ROLE:
                return role_label(row.role)
            if col == COL_LAST_LOGIN:
                return local_time(row.last_login_at) if row.last_login_at else _("never")
            if col == COL_ACCOUNT:
                if row.disabled_at is None:
                    return _("active")
                return _("closed on {day}").format(day=f"{row.disabled_at.astimezone():%d.%m.%Y}")
            if col == COL_PASSPHRASE:
                return _("set") if row.has_passphrase else _("none")
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_ACCOUNT and row.disabled_at is not None:
                return _("Closed {when}: their passphrase opens nothing.").format(
                    when=local_time(row.disabled_at)
                )
            if col == COL_PASSPHRASE and not row.has_passphrase and row.disabled_at is None:
                return _("No passphrase opens this account: reset it.")
            if col == COL_NAME:
                return _("Account made {when} by {by}").format(
                    when=local_time(row.created_at), by=row.created_by
                )
        if role == Qt.ItemDataRole.ForegroundRole and row.disabled_at is not None:
            return CLOSED_FOREGROUND
        if role == Qt.ItemDataRole.FontRole and col == COL_NAME and self._is_me(row):
            font = QFont()
            font.setBold(True)
            return font
        return None


__all__ = [
    "COL_ACCOUNT",
    "COL_LAST_LOGIN",
    "COL_NAME",
    "COL_PASSPHRASE",
    "COL_ROLE",
    "OfficersModel",
    "role_label",
]
