"""A table model that pages a query in the background, one keyset page after another.

The model holds the rows fetched so far; the view asks for more as it scrolls
(``canFetchMore``/``fetchMore``) and each page is read off the UI thread after the last row
shown, so a deep page costs what the first one does. Every (re)query bumps a generation: a
page of an older query that arrives late is dropped. The nationals list and the audit trail
page this way; each says how one page is fetched (:meth:`PagedModel._page_call`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Signal

from consuldesk.messages import describe
from consuldesk.ui.tasks import TaskRunner

Index = QModelIndex | QPersistentModelIndex


class PagedModel(QAbstractTableModel):
    """Rows paged from a source (``set_source``); subclasses say how a page is fetched.

    Signals:
        loaded(int): the first page of a (re)query arrived; the argument is the total count.
        failed(str): a page could not be loaded; the text says why.
    """

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, tasks: TaskRunner | None, parent: Any = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._rows: list[Any] = []
        self._source: Any = None
        self._total = 0
        self._after: Any = None  # where the next page starts; None: nothing follows
        self._generation = 0
        self._fetching = False

    # -- what a subclass says ----------------------------------------------------------------

    def _page_call(self, after: Any, total: int | None) -> Callable[[], Any]:
        """The work that fetches one page (run off the UI thread): the first one when
        ``after`` is None (``total`` None: count), else the page after ``after``."""
        raise NotImplementedError

    def _took_first(self, page: Any) -> None:
        """A first page arrived, inside the model's reset (more to keep than rows and total)."""

    # -- paging ----------------------------------------------------------------------------

    def set_source(self, source: Any) -> None:
        """Page through a query: the first page is fetched now; the old rows stay until then."""
        self._source = source
        self.reload()

    def reload(self) -> None:
        """Query the source again from its first page."""
        if self._source is None or self._tasks is None:
            return
        self._generation += 1
        self._fetching = True
        self._fetch(first=True)

    @property
    def total(self) -> int:
        """How many rows the query matches in all (fetched or not)."""
        return self._total

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
        assert self._source is not None and self._tasks is not None
        generation = self._generation
        call = self._page_call(None, None) if first else self._page_call(self._after, self._total)
        self._tasks.run(
            call,
            lambda page: self._on_page_done(generation, first, page),
            lambda exc: self._on_page_failed(generation, exc),
        )

    def _on_page_done(self, generation: int, first: bool, page: Any) -> None:
        if generation != self._generation:
            return  # an answer to an older query or order
        self._fetching = False
        self._after = page.after
        if first:
            self.beginResetModel()
            self._rows = list(page.rows)
            self._total = page.total
            self._took_first(page)
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

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)
