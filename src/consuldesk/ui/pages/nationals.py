"""Nationals: find a person in a keystroke, the list before anything is typed."""

from __future__ import annotations

from PySide6.QtCore import QLocale, QModelIndex, QTimer, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services.nationals import (
    SearchResult,
    count_nationals,
    list_nationals,
    search,
)
from consuldesk.services.rows import NationalRow
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_card import PersonCard
from consuldesk.ui.models.nationals import NationalsModel

SEARCH_DEBOUNCE_MS = 200
SEARCH_LIMIT = 200


class NationalsPage(QWidget):
    """Search box and list of nationals."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.desk = ctx.desk
        self._tasks = ctx.tasks
        self._query_serial = 0  # answers to older queries are dropped
        desk = ctx.desk

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            _("Search by name (Cyrillic or Latin), IIN, passport or phone — Ctrl+F")
        )
        self.search_box.setClearButtonEnabled(True)
        self.model = NationalsModel(desk.today(), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Size columns from the first rows only: measuring 200 rows of text on every search
        # result stalled the UI thread by ~90 ms at 100,000 nationals.
        self.table.horizontalHeader().setResizeContentsPrecision(25)
        self.status_label = QLabel()
        self.new_button = QPushButton(_("New person"))
        self.new_button.setToolTip(_("Register a new person (Ctrl+N)"))
        self.card: PersonCard | None = None

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self._total = 0
        self._load_first_page()

    def _connect_signals(self) -> None:
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.ctx.events.changed.connect(self._on_case_file_changed)
        # activated: Enter on a row, and double-click (Qt emits it for both).
        self.table.activated.connect(self._on_table_activated)
        self.new_button.clicked.connect(self._on_new_button_clicked)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_card(self.model.row_at(index.row()))

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.open_card(None)

    def open_card(self, row: NationalRow | None) -> PersonCard:
        """Open the person card for a row, or an empty one (non-blocking; a seam for tests)."""
        card = PersonCard(self.ctx, row, self)
        self.card = card
        card.open()
        return card

    def _load_first_page(self) -> None:
        """Before anything is typed: the first people by name, and how many there are."""
        desk = self.desk
        self._query_serial += 1
        serial = self._query_serial
        self._tasks.run(
            lambda: (count_nationals(desk), list_nationals(desk, limit=SEARCH_LIMIT)),
            lambda result: self._on_first_page_done(serial, *result),
            self._on_search_failed,
        )

    def _on_first_page_done(self, serial: int, total: int, page: SearchResult) -> None:
        if serial != self._query_serial:
            return
        self._total = total
        self.model.set_rows(page.rows)
        self.table.resizeColumnsToContents()
        self._show_hint()

    def _show_hint(self) -> None:
        if self._total == 0:
            self.status_label.setText(_("The case file is empty."))
        else:
            self.status_label.setText(
                _("{n} nationals in the case file. Type to search.").format(
                    n=QLocale().toString(self._total)
                )
            )

    @Slot(str)
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def focus_search(self) -> None:
        """Put the cursor in the search box, its text selected (Ctrl+F)."""
        self.search_box.setFocus()
        self.search_box.selectAll()

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        if "national" in getattr(changes, "tables", set()):
            self._debounce.start()  # show the change: re-run the search or reload the list

    @Slot()
    def _on_debounce_timeout(self) -> None:
        query = self.search_box.text().strip()
        self._query_serial += 1
        serial = self._query_serial
        if not query:
            self._load_first_page()
            return
        desk = self.desk
        self._tasks.run(
            lambda: search(desk, query, limit=SEARCH_LIMIT),
            lambda result: self._on_search_done(serial, result),
            self._on_search_failed,
        )

    def _on_search_done(self, serial: int, result: SearchResult) -> None:
        if serial != self._query_serial:
            return  # the officer kept typing; a newer search is on its way
        self.model.set_rows(result.rows)
        if not result.rows:
            self.status_label.setText(_("Nobody found."))
        elif result.more:
            self.status_label.setText(
                _("First {n} matches — type more to narrow down.").format(n=len(result.rows))
            )
        else:
            self.status_label.setText(_("{n} found.").format(n=len(result.rows)))
        self.table.resizeColumnsToContents()

    def _on_search_failed(self, exc: BaseException) -> None:
        self.status_label.setText(describe(exc))


__all__ = ["NationalsPage"]
