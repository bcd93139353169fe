"""Table models of the households page: the list of households and one household's members."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from consuldesk.domain.enums import HouseholdKind, Vulnerability
from consuldesk.i18n import _, ngettext
from consuldesk.messages import RELATION_LABELS as RELATIONS
from consuldesk.services.views import HouseholdListRow, MemberRow
from consuldesk.ui.models.base import RowsModel
from consuldesk.ui.models.nationals import FLAG_LABELS

Index = QModelIndex | QPersistentModelIndex

# Name, head, size and city first: two "Семья Қасымовых" or two groups of one operator are
# told apart at a glance even when a small screen shows only the first columns.
COL_NAME, COL_HEAD, COL_MEMBERS, COL_CITY, COL_KIND, COL_NEEDS, COL_OPERATOR = range(7)
MEMBER_NAME, MEMBER_RELATION, MEMBER_BORN, MEMBER_NEEDS = range(4)

KIND_LABELS = {
    HouseholdKind.FAMILY.value: "Family",
    HouseholdKind.TOUR_GROUP.value: "Tour group",
}


RELATION_LABELS = RELATIONS  # by Relation value, and "member" of older tour groups


def relation_label(relation: str | None) -> str:
    """The translated relation (an old file's free text as written; ``—`` when not given)."""
    if not relation:
        return "—"
    label = RELATION_LABELS.get(relation)
    return _(label) if label else relation


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
            _("Family or group"),  # not "Name", which Russian and Kazakh say of a person
            _("Head"),
            _("Members"),
            _("City"),
            _("Kind"),
            _("Needs"),
            _("Tour operator"),
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
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
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
        if col == COL_CITY:
            return row.city or ""
        if col == COL_NEEDS:
            return self._needs.get(row.id, "…")
        return ""

    def _tooltip(self, row: HouseholdListRow) -> str:
        """Everything that tells this household from another of the same name."""
        lines = [row.name, kind_label(row.kind)]
        lines.append(_("Head: {name}").format(name=row.head_name or "—"))
        lines.append(
            ngettext("{n} member", "{n} members", row.member_count).format(n=row.member_count)
        )
        if row.city:
            lines.append(_("Mostly in {city}").format(city=row.city))
        if row.tour_operator:
            lines.append(_("tour operator: {name}").format(name=row.tour_operator))
        return "\n".join(lines)


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
                return person.name
            if col == MEMBER_RELATION:
                return relation_label(member.relation)
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
        if role == Qt.ItemDataRole.ToolTipRole and col == MEMBER_RELATION and not member.relation:
            return _("Relation not given: choose it below the list")
        if role == Qt.ItemDataRole.ToolTipRole and col == MEMBER_NAME:
            return person.name  # whole, where the column cuts it
        if role == Qt.ItemDataRole.UserRole:
            return person.id
        return None
