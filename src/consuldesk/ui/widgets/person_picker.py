"""Find one person on file by typing: a search field over a list of who it finds.

The dialogs that act on one person at a time (add a member to a household, add a walk-in to
an evacuation leg) share it: typing searches off the UI thread by any part of a name (either
script), IIN, passport or phone; ↑ and ↓ in the field move in the list, so the hands stay on
the keys; Enter in the list is ``activated``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.services.nationals import SearchResult, search, similar_names_note
from consuldesk.services.rows import NationalRow
from consuldesk.ui.context import AppContext

SEARCH_DEBOUNCE_MS = 200
PERSON_LIMIT = 30


class SimilarNote(QLabel):
    """Above a list of people found: "Nobody is named “…”. People with a similar name:" when
    they are the people whose name is near the one typed; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def show_for(self, result: SearchResult, query: str) -> None:
        """Say it for this search's result, or hide."""
        self.setText(similar_names_note(query))
        self.setVisible(result.similar)


def person_line(p: NationalRow) -> str:
    """A person as a list shows them: name, birth date, city."""
    born = f", {p.birth_date:%d.%m.%Y}" if p.birth_date else ""
    where = f" — {p.city}" if p.city else ""
    return f"{p.name}{born}{where}"


class _Arrows(QObject):
    """↑ and ↓ typed in a search field move the current row of its list; Enter calls
    ``on_enter`` when given (instead of the dialog's default button)."""

    def __init__(
        self, field: QLineEdit, results: QListWidget, on_enter: Callable[[], None] | None
    ) -> None:
        super().__init__(field)
        self.results = results
        self.on_enter = on_enter
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if self.on_enter is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.on_enter()
                return True
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            count = self.results.count()
            if step is not None and count:
                current = self.results.currentRow()
                row = 0 if current < 0 else max(0, min(count - 1, current + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)


def steer_with_arrows(
    field: QLineEdit, results: QListWidget, on_enter: Callable[[], None] | None = None
) -> None:
    """Let ↑ and ↓ in ``field`` choose in ``results``: the hands stay on the keys. With
    ``on_enter``, Enter in the field calls it (a form whose next step is not its button)."""
    _Arrows(field, results, on_enter)


class PersonPicker(QWidget):
    """A search field and the people it finds; one of them is :meth:`chosen`.

    Args:
        line: how a person is listed (:func:`person_line` and a note of the dialog's own).

    Signals:
        found(int): a search ended with this many people listed (0: nobody).
        chosen_changed(): the person picked changed (or the list emptied).
        activated(): Enter or a double click on a person.
        failed(object): a search failed (the exception).
    """

    found = Signal(int)
    chosen_changed = Signal()
    activated = Signal()
    failed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        line: Callable[[NationalRow], str] = person_line,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._line = line
        self._serial = 0
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(_("Name (Cyrillic or Latin), IIN, passport or phone"))
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(160)
        self.similar_label = SimilarNote()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_box)
        layout.addWidget(self.similar_label)
        layout.addWidget(self.results, 1)
        self.setFocusProxy(self.search_box)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        steer_with_arrows(self.search_box, self.results)
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.results.currentItemChanged.connect(self._on_results_current_item_changed)
        self.results.itemActivated.connect(self._on_results_item_activated)

    def chosen(self) -> NationalRow | None:
        """The person picked in the list."""
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def reset(self) -> None:
        """Empty the field and the list, ready for the next name."""
        self.search_box.clear()
        self.results.clear()
        self.similar_label.hide()
        self.search_box.setFocus()

    @Slot(str)
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        desk, query = self.ctx.desk, self.search_box.text().strip()
        self._serial += 1
        serial = self._serial
        if not query:
            self.results.clear()
            self.similar_label.hide()
            return
        self.ctx.tasks.run(
            lambda: search(desk, query, limit=PERSON_LIMIT),
            lambda result: self._on_search_done(serial, result, query),
            self._on_search_failed,
        )

    def _on_search_done(self, serial: int, result: SearchResult, query: str) -> None:
        if not isValid(self) or serial != self._serial:
            return  # closed, or the officer kept typing
        rows = result.rows
        self.similar_label.show_for(result, query)
        self.results.clear()
        for p in rows:
            item = QListWidgetItem(self._line(p))
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
        self.found.emit(len(rows))

    def _on_search_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.failed.emit(exc)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_results_current_item_changed(self, *_args: object) -> None:
        self.chosen_changed.emit()

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, _item: QListWidgetItem) -> None:
        self.activated.emit()


__all__ = [
    "PERSON_LIMIT",
    "PersonPicker",
    "SimilarNote",
    "person_line",
    "steer_with_arrows",
]
