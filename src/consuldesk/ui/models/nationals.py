"""Table model of nationals: a fixed list (``set_rows``) or a paged query (``set_source``).

In paged mode the model holds only the pages fetched so far. The view asks for more as it
scrolls (``canFetchMore``/``fetchMore``); each page is queried in the background and appended.
Sorting re-queries SQLite in the new order: nothing is ever sorted or filtered in Python.

A record that needs review (values set aside by an import) shows a warning icon before its name,
with the values in the name's tooltip.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from consuldesk.domain.enums import Vulnerability
from consuldesk.domain.phone import format_phone
from consuldesk.i18n import _
from consuldesk.messages import PRESENCE_LABELS
from consuldesk.services.nationals import Cursor, Page
from consuldesk.services.rows import NationalRow
from consuldesk.ui.models.paging import Index, PagedModel
from consuldesk.ui.review_text import review_summary
from consuldesk.ui.tasks import TaskRunner

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

STATUS_LABELS = PRESENCE_LABELS
FLAG_LABELS = {
    Vulnerability.MEDICAL: "medical",
    Vulnerability.MOBILITY: "mobility",
    Vulnerability.PREGNANT: "pregnant",
    Vulnerability.OVER_60: "60+",
    Vulnerability.WOMAN_WITH_MINORS: "with children",
    Vulnerability.MINOR: "minor",
}


#: Rows fetched per page.
PAGE_SIZE = 100

#: The service's sort key for each sortable column (others keep the current order).
SORT_KEYS = {COL_NAME: "name", COL_BIRTH: "born", COL_PLACE: "city", COL_STATUS: "status"}

#: Fetches one page: ``(sort, descending, limit, after, total) -> Page``, where ``after`` is the
#: previous page's ``after`` (None for the first page) and ``total`` the count the first page
#: gave (None: count); runs off the UI thread.
PageSource = Callable[[str, bool, int, Cursor | None, int | None], Page]


class NationalsModel(PagedModel):
    """Rows of :class:`NationalRow`: ``set_rows`` shows a list, ``set_source`` pages a query.

    Signals:
        loaded(int): the first page of a (re)query arrived; the argument is the total count.
        failed(str): a page could not be loaded; the text says why.
    """

    def __init__(self, today: date, parent: Any = None, tasks: TaskRunner | None = None) -> None:
        super().__init__(tasks, parent)
        self._today = today
        self._sort = "name"
        self._descending = False
        self._review_icon: QIcon | None = None
        self._similar = False
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

    @property
    def similar(self) -> bool:
        """Whether the rows are the people with a name near the one searched for (nobody had
        it as typed)."""
        return self._similar

    def _took_first(self, page: Page) -> None:
        self._similar = page.similar

    def set_rows(self, rows: list[NationalRow]) -> None:
        """Show these rows (and nothing more to fetch)."""
        self._generation += 1
        self._source = None
        self._fetching = False
        self._similar = False
        self.beginResetModel()
        self._rows = list(rows)
        self._total = len(self._rows)
        self._after = None
        self.endResetModel()

    # -- paging ----------------------------------------------------------------------------

    def sort_order(self) -> tuple[str, bool]:
        """The service sort key and whether it is descending."""
        return self._sort, self._descending

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if key is None or (key, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = key, descending
        self.reload()

    def _page_call(self, after: Cursor | None, total: int | None) -> Callable[[], Page]:
        """The first page, or the page after the last one shown, in the current order."""
        source: PageSource = self._source
        sort, descending = self._sort, self._descending
        return lambda: source(sort, descending, PAGE_SIZE, after, total)

    def review_icon(self) -> QIcon:
        """The mark of a record that needs review (the style's warning icon)."""
        if self._review_icon is None:
            style = QApplication.style()
            self._review_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._review_icon

    def row_at(self, row: int) -> NationalRow:
        """The national shown in a row."""
        return self._rows[row]

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
        if role == Qt.ItemDataRole.DecorationRole and col == COL_NAME and row.review:
            return self.review_icon()
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_NAME:
            parts = [review_summary(row.review)] if row.review else []
            parts += [row.notes] if row.notes else []
            return "\n\n".join(parts) or None
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PHONE:
            return "\n".join(format_phone(p) for p in row.phones) or None
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_FLAGS:
            # The column is narrow on a small screen: every need, and what it is, in full.
            needs = [_(FLAG_LABELS[v]) for v in Vulnerability if v in row.vulnerabilities]
            details = [t for t in (row.medical_condition, row.mobility_needs) if t and t.strip()]
            return "\n".join([*needs, *details]) or None
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_PLACE:
            return ", ".join(p for p in (row.address, row.city, row.host_country) if p) or None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def _display(self, row: NationalRow, col: int) -> str:
        if col == COL_NAME:
            return row.name or _("(no name)")  # an anonymised record (issue 11)
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
