"""Table model of the audit trail: a paged query, newest first.

The model holds only the pages fetched so far; the view asks for more as it scrolls
(``canFetchMore``/``fetchMore``) and each page is read in the background after the last row
shown (keyset paging), so a trail of a million events scrolls as one of a hundred.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services.audit import KIND_LABELS, AuditCursor, AuditPage, AuditRow
from consuldesk.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex

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


class AuditModel(QAbstractTableModel):
    """Rows of :class:`AuditRow`, paged from a query (``set_source``).

    Signals:
        loaded(int): the first page of a (re)query arrived; the argument is the total count.
        failed(str): a page could not be loaded; the text says why.
    """

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, tasks: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._rows: list[AuditRow] = []
        self._source: PageSource | None = None
        self._total = 0
        self._people: int | None = None
        self._after: AuditCursor | None = None
        # Every (re)query bumps the generation; pages of an older one are dropped on arrival.
        self._generation = 0
        self._fetching = False
        # "At": which post (its code is short; the word "post" is long in Russian).
        self._headers = [_("When"), _("Officer"), _("At"), _("Kind"), _("About"), _("What")]

    # -- paging ----------------------------------------------------------------------------

    def set_source(self, source: PageSource) -> None:
        """Page through a query: the first page is fetched now; the old rows stay until then."""
        self._source = source
        self.reload()

    def reload(self) -> None:
        """Query the source again from its first page."""
        if self._source is None:
            return
        self._generation += 1
        self._fetching = True
        self._fetch(first=True)

    @property
    def total(self) -> int:
        """How many events the query matches in all (fetched or not)."""
        return self._total

    @property
    def people(self) -> int | None:
        """How many people the query's person filter stands for (``None``: no such filter)."""
        return self._people

    @property
    def loading(self) -> bool:
        """Whether a page is on its way."""
        return self._fetching

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._source is None or self._fetching:
            return False
        return self._after is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        self._fetch(first=False)

    def _fetch(self, *, first: bool) -> None:
        assert self._source is not None
        source, generation = self._source, self._generation
        after, total = (None, None) if first else (self._after, self._total)
        self._tasks.run(
            lambda: source(PAGE_SIZE, after, total),
            lambda page: self._on_page_done(generation, first, page),
            lambda exc: self._on_page_failed(generation, exc),
        )

    def _on_page_done(self, generation: int, first: bool, page: AuditPage) -> None:
        if generation != self._generation:
            return  # an answer to an older query
        self._fetching = False
        self._after = page.after
        if first:
            self.beginResetModel()
            self._rows = list(page.rows)
            self._total = page.total
            self._people = page.people
            self.endResetModel()
            self.loaded.emit(page.total)
            return
        if not page.rows:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def _on_page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.failed.emit(describe(exc))

    # -- the table -------------------------------------------------------------------------

    def row_at(self, row: int) -> AuditRow:
        """The event shown in a row."""
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
