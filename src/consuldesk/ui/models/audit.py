"""Table model of the audit trail: a paged query, newest first.

The model holds only the pages fetched so far; the view asks for more as it scrolls
(``canFetchMore``/``fetchMore``) and each page is read in the background after the last row
shown (keyset paging), so a trail of a million events scrolls as one of a hundred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from consuldesk.i18n import _
from consuldesk.services.audit import KIND_LABELS, AuditCursor, AuditPage, AuditRow
from consuldesk.ui.models.paging import Index, PagedModel
from consuldesk.ui.tasks import TaskRunner

COL_WHEN, COL_OFFICER, COL_POST, COL_KIND, COL_ABOUT, COL_WHAT = range(6)

#: Rows fetched per page.
PAGE_SIZE = 200

#: Fetches one page: ``(limit, after, total) -> AuditPage``; runs off the UI thread.
PageSource = Callable[[int, AuditCursor | None, int | None], AuditPage]


def when_text(row: AuditRow) -> str:
    """The event's local time, dd.mm.yyyy hh:mm."""
    return f"{row.at.astimezone():%d.%m.%Y %H:%M}"


def kind_text(row: AuditRow) -> str:
    """The event's kind as the filter names it (its action when it is of no known kind)."""
    return _(KIND_LABELS[row.kind]) if row.kind in KIND_LABELS else row.action


class AuditModel(PagedModel):
    """Rows of :class:`AuditRow`, paged from a query (``set_source``).

    Signals:
        loaded(int): the first page of a (re)query arrived; the argument is the total count.
        failed(str): a page could not be loaded; the text says why.
    """

    def __init__(self, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(tasks, parent)
        self._people: int | None = None
        self._similar = False
        # "At": which post (its code is short; the word "post" is long in Russian).
        self._headers = [_("When"), _("Officer"), _("At"), _("Kind"), _("About"), _("What")]

    @property
    def people(self) -> int | None:
        """How many people the query's person filter stands for (``None``: no such filter)."""
        return self._people

    def _page_call(self, after: AuditCursor | None, total: int | None) -> Callable[[], AuditPage]:
        source: PageSource = self._source
        return lambda: source(PAGE_SIZE, after, total)

    @property
    def similar(self) -> bool:
        """Whether the person filter found nobody by the name as typed, and the events are
        about the people whose name is near it."""
        return self._similar

    def _took_first(self, page: AuditPage) -> None:
        self._people = page.people
        self._similar = page.similar

    # -- the table -------------------------------------------------------------------------

    def row_at(self, row: int) -> AuditRow:
        """The event shown in a row."""
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
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._display(row, index.column())  # whole, where the column elides it
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    @staticmethod
    def _display(row: AuditRow, col: int) -> str:
        if col == COL_WHEN:
            return when_text(row)
        if col == COL_OFFICER:
            return row.officer
        if col == COL_POST:
            return row.post_code
        if col == COL_KIND:
            return kind_text(row)
        if col == COL_ABOUT:
            return row.subject
        if col == COL_WHAT:
            return row.summary
        return ""
