"""Table models of the households page: the list of households and one household's members."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from consuldesk.domain.enums import HouseholdKind, Vulnerability
from consuldesk.i18n import _
from consuldesk.services.views import HouseholdListRow, MemberRow
from consuldesk.ui.models.base import RowsModel
from consuldesk.ui.models.nationals import FLAG_LABELS

Index = QModelIndex | QPersistentModelIndex

COL_NAME, COL_KIND, COL_HEAD, COL_MEMBERS, COL_OPERATOR, COL_NEEDS = range(6)
MEMBER_NAME, MEMBER_RELATION, MEMBER_BORN, MEMBER_NEEDS = range(4)

KIND_LABELS = {
    HouseholdKind.FAMILY.value: "Family",
    HouseholdKind.TOUR_GROUP.value: "Tour group",
}


def kind_label(kind: str) -> str:
    """The translated name of a household kind."""
    return _(KIND_LABELS.get(kind, kind))


def needs_summary(counts: dict[Vulnerability, int]) -> str:
    """E.g. ``"2 × 60+, 1 × medical"``, in priority order; empty when nobody has a flag."""
    return ", ".join(f"{counts[v]} × {_(FLAG_LABELS[v])}" for v in Vulnerability if counts.get(v))


class HouseholdsModel(RowsModel):
    """Rows of :class:`HouseholdListRow`; the needs column is filled in later, per household."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__([], parent)
        self._rows: list[HouseholdListRow] = []
        self._needs: dict[str, str] = {}
        self._headers = [
            _("Name"),
            _("Kind"),
            _("Head"),
            _("Members"),
            _("Tour operator"),
            _("Needs"),
        ]

    def set_needs(self, needs: dict[str, str]) -> None:
        """Vulnerability summaries by household id (from a slower background query)."""
        self._needs.update(needs)
        changed = [i for i, r in enumerate(self._rows) if r.id in needs]
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), COL_NEEDS),
                self.index(max(changed), COL_NEEDS),
                [Qt.ItemDataRole.DisplayRole],
            )

    def forget_needs(self, ids: set[str] | None = None) -> None:
        """Drop cached summaries (all, or of some households) after a change."""
        if ids is None:
            self._needs.clear()
        else:
            for household_id in ids:
                self._needs.pop(household_id, None)

    def has_needs(self, household_id: str) -> bool:
        """Whether the summary of a household is known."""
        return household_id in self._needs

    def row_of(self, household_id: str) -> int:
        """The row showing a household, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == household_id), -1)

    def _data(self, row: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_MEMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_NAME:
            return row.name
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _display(self, row: HouseholdListRow, col: int) -> str:
        if col == COL_NAME:
            return row.name
        if col == COL_KIND:
            return kind_label(row.kind)
        if col == COL_HEAD:
            return row.head_name or ""
        if col == COL_MEMBERS:
            return str(row.member_count)
        if col == COL_OPERATOR:
            return row.tour_operator or ""
        if col == COL_NEEDS:
            return self._needs.get(row.id, "…")
        return ""


class MembersModel(RowsModel):
    """Members of one household (head first), as :class:`MemberRow`."""

    def __init__(self, today: date, parent: Any = None) -> None:
        super().__init__([], parent)
        self._rows: list[MemberRow] = []
        self._today = today
        self._headers = [_("Name"), _("Relation"), _("Born"), _("Needs")]

    def _data(self, member: Any, col: int, role: int) -> Any:
        person = member.national
        if role == Qt.ItemDataRole.DisplayRole:
            if col == MEMBER_NAME:
                return f"{person.name}  ({_('head')})" if member.is_head else person.name
            if col == MEMBER_RELATION:
                return member.relation or ""
            if col == MEMBER_BORN:
                if not person.birth_date:
                    return ""
                return f"{person.birth_date:%d.%m.%Y} ({person.age(self._today)})"
            if col == MEMBER_NEEDS:
                return ", ".join(
                    _(FLAG_LABELS[v]) for v in Vulnerability if v in person.vulnerabilities
                )
            return ""
        if role == Qt.ItemDataRole.FontRole and col == MEMBER_NAME and member.is_head:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return person.id
        return None
