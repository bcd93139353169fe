"""What every part of the Evacuation page shares: the selection, writing, messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QTableView,
    QWidget,
)

from consuldesk.i18n import _
from consuldesk.messages import (
    describe,
)
from consuldesk.services.evacuation import (
    LegRow,
    OperationRow,
    PassengerRow,
    TripRow,
)
from consuldesk.store.db import ChangeSet
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.models.passengers import PassengersModel
from consuldesk.ui.pages.evacuation.texts import (
    _FAIL_STYLE,
    REFRESH_DELAY_MS,
    WATCHED_TABLES,
)


class PageBase(QWidget):
    """State and helpers the parts share; the parts fill in the methods declared here."""

    # Widgets more than one part uses (each part builds its own).
    model: PassengersModel
    table: QTableView
    status_label: QLabel

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._operations: list[OperationRow] = []
        self._operation_id: str | None = None
        # What the tree shows selected: (leg number, trip id or None for the waiting list).
        self._selection: tuple[int, str | None] | None = None
        self._selected_entry: str | None = None
        self._rows_key: tuple[str | None, tuple[int, str | None] | None] | None = None
        self._ops_serial = 0
        self._rows_serial = 0
        self._own_changes: ChangeSet | None = None
        self._scan_queue: list[tuple[str, str]] = []
        self._scanning = False
        # A typed seat or passport number found, waiting for Enter again to board.
        self._armed: tuple[str, str, str] | None = None
        self._scan_target: str | None = None  # the trip an "other_trip" scan points at
        # Name and problems columns as wide as their contents (before a narrow table elides them).
        self._content_widths: dict[int, int] = {}

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)

    # -- provided by the parts -------------------------------------------------------------

    def refresh(self) -> None:
        """Reload everything (:mod:`.operations`)."""
        raise NotImplementedError

    def select_trip(self, trip_id: str) -> bool:
        """Show a trip (:mod:`.operations`)."""
        raise NotImplementedError

    def select_passenger(self, entry_id: str) -> None:
        """Select a passenger's row (:mod:`.passengers`)."""
        raise NotImplementedError

    def _load_rows(self) -> None:
        """Load the rows of what the tree shows (:mod:`.passengers`)."""
        raise NotImplementedError

    def _show_why(self, row: PassengerRow | None) -> None:
        """Explain a passenger's place (:mod:`.why`)."""
        raise NotImplementedError

    def _clear_scan_result(self) -> None:
        """Forget the last scan's answer (:mod:`.scan`)."""
        raise NotImplementedError

    def _update_buttons(self) -> None:
        """Enable what applies to the selection (:mod:`.page`)."""
        raise NotImplementedError

    # -- what is selected ------------------------------------------------------------------

    def operation(self) -> OperationRow | None:
        """The operation shown."""
        return next((o for o in self._operations if o.id == self._operation_id), None)

    def selected_leg(self) -> LegRow | None:
        """The leg selected in the tree (or the leg of the selected trip)."""
        op = self.operation()
        if op is None or self._selection is None:
            return None
        return op.leg(self._selection[0])

    def selected_trip(self) -> TripRow | None:
        """The trip selected in the tree (None when a leg's waiting list is shown)."""
        leg = self.selected_leg()
        if leg is None or self._selection is None or self._selection[1] is None:
            return None
        return next((t for t in leg.trips if t.id == self._selection[1]), None)

    def selected_passenger(self) -> PassengerRow | None:
        """The passenger selected in the table."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # -- writing ---------------------------------------------------------------------------

    def _write(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """Run a write off the UI thread; tell the other pages, then reload."""

        def done(result: Any) -> None:
            changes = result if isinstance(result, ChangeSet) else getattr(result, "changes", None)
            if changes:
                self._own_changes = changes
                self.ctx.events.changed.emit(changes)
            on_done(result)
            self._refresh_timer.start()

        self.ctx.tasks.run(work, done, self._on_write_failed)

    def _on_write_failed(self, exc: BaseException) -> None:
        self._show_error(exc)
        QApplication.beep()

    def _show_error(self, exc: BaseException) -> None:
        self.status_label.setStyleSheet(_FAIL_STYLE)
        self.status_label.setText(describe(exc))

    def _say(self, text: str) -> None:
        self.status_label.setStyleSheet("")
        self.status_label.setText(text)

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        if changes is self._own_changes:
            return  # ours: the reload is already on its way
        if WATCHED_TABLES & getattr(changes, "tables", set()):
            self._refresh_timer.start()

    def confirm(self, text: str, proceed: Callable[[], None], yes: str = "") -> None:
        """Ask before a change that cannot simply be undone (non-blocking; tests replace).
        ``yes`` names what the button does; the other one is "Go back"."""
        ask(self, _("Please confirm"), text, proceed, yes=yes or _("Go ahead"), no=_("Go back"))
