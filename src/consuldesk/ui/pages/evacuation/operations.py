"""The operations tree: the operation, its legs and trips; their forms; allocation; trip status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from consuldesk.domain.enums import TripStatus
from consuldesk.i18n import _, ngettext
from consuldesk.messages import STATUS_WORD_LABELS, trip_change_question
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import (
    AllocationSummary,
    OperationRow,
    ReallocationImpact,
    TripRow,
)
from consuldesk.ui.pages.evacuation.base import PageBase
from consuldesk.ui.pages.evacuation.texts import (
    OPERATION_KEY,
    leg_columns,
    leg_text,
    reallocation_warning,
    reprint_list,
    trip_columns,
    trip_parts,
    trip_text,
)
from consuldesk.ui.widgets.parts_delegate import PARTS_ROLE, PartsDelegate


class OperationsPart(PageBase):
    """The operation picker, the legs → trips tree and the buttons under it."""

    def _build_operations_widgets(self) -> None:
        self.operation_box = QComboBox()
        self.operation_box.setMinimumContentsLength(24)
        self.operation_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.new_operation_button = QPushButton(_("New operation…"))
        self.edit_operation_button = QPushButton(_("Edit…"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        # Two columns: a trip's departure, vehicle and status (the leg's number and route),
        # where the vehicle gives way first on a narrow panel, keeping the end of its plate;
        # then the seats (the leg's waiting count), always whole. The whole line is in the
        # tooltip.
        self.tree.setColumnCount(2)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setItemDelegateForColumn(0, PartsDelegate(self.tree))
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.add_trip_button = QPushButton(_("Add trip…"))
        self.add_trip_button.setToolTip(_("Add a bus or flight to the selected leg"))
        self.new_leg_button = QPushButton(_("New leg…"))
        self.new_leg_button.setToolTip(_("Add a bus or flight that starts the next leg"))
        self.edit_trip_button = QPushButton(_("Edit trip…"))
        self.candidates_button = QPushButton(_("Add candidates…"))
        self.candidates_button.setToolTip(_("Bring people into the selected leg's waiting list"))
        self.walk_in_button = QPushButton(_("Add a person…"))
        self.walk_in_button.setToolTip(
            _("One person by name, passport or phone (a walk-in), with their family")
        )
        self.allocate_button = QPushButton(_("Allocate seats"))
        self.allocate_button.setToolTip(_("Share the free seats of the leg among those waiting"))
        self.trip_status_button = QToolButton()
        self.trip_status_button.setText(_("Trip status"))
        self.trip_status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.trip_status_menu = QMenu(self)
        self.trip_status_button.setMenu(self.trip_status_menu)
        self.status_actions: dict[TripStatus, QAction] = {}
        for status, text in (
            (TripStatus.BOARDING, _("Start boarding")),
            (TripStatus.DEPARTED, _("Departed…")),
            (TripStatus.ARRIVED, _("Arrived")),
            (TripStatus.CANCELLED, _("Cancel trip…")),
            (TripStatus.PLANNED, _("Back to planned")),
        ):
            action = self.trip_status_menu.addAction(text)
            action.setData(status.value)
            self.status_actions[status] = action
        self.trip_status_menu.addSeparator()
        self.delete_trip_action = self.trip_status_menu.addAction(_("Delete trip…"))

    def select_trip(self, trip_id: str) -> bool:
        """Show a trip (switching operation if needed); False when it is not known."""
        for op in self._operations:
            trip = next((t for t in op.trips if t.id == trip_id), None)
            if trip is not None:
                self._selection = (trip.leg_no, trip.id)
                if op.id != self._operation_id:
                    self._operation_id = op.id
                    self._fill_combo()
                self._fill_tree()
                self._load_rows()
                return True
        return False

    def select_leg(self, leg_no: int) -> None:
        """Show a leg's waiting list."""
        self._selection = (leg_no, None)
        self._fill_tree()
        self._load_rows()

    # -- loading ---------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload the operations off the UI thread, then the selected trip's passengers."""
        desk = self.ctx.desk
        self._ops_serial += 1
        serial = self._ops_serial
        self.ctx.tasks.run(
            lambda: ev.list_operations(desk),
            lambda ops: self._on_operations_loaded(serial, ops),
            self._show_error,
        )

    def _on_operations_loaded(self, serial: int, ops: list[OperationRow]) -> None:
        if serial != self._ops_serial:
            return
        self._operations = ops
        if self.operation() is None:
            self._operation_id = self._first_operation(ops)
            self._selection = None
        self._fill_combo()
        self._fill_tree()
        self._load_rows()

    def _first_operation(self, ops: list[OperationRow]) -> str | None:
        """The operation last looked at, else the first under way, else the newest."""
        settings = self.ctx.settings
        last = str(settings.value(OPERATION_KEY, "") or "") if settings is not None else ""
        for op in ops:
            if op.id == last:
                return op.id
        under_way = next((op for op in ops if op.status == "under_way"), None)
        if under_way is not None:
            return under_way.id
        return ops[0].id if ops else None

    def _fill_combo(self) -> None:
        box = self.operation_box
        box.blockSignals(True)
        box.clear()
        for op in self._operations:
            text = f"{op.name} — {op.route}" if op.route else op.name
            box.addItem(text, op.id)
        box.setCurrentIndex(max(box.findData(self._operation_id), 0) if self._operations else -1)
        box.blockSignals(False)

    def _fill_tree(self) -> None:
        """Rebuild legs → trips, keeping (or choosing) the selection, without signals."""
        op = self.operation()
        self.tree.blockSignals(True)
        self.tree.clear()
        selected: QTreeWidgetItem | None = None
        if op is not None:
            if not self._selection_valid(op):
                self._selection = self._default_selection(op)
            bold = QFont(self.tree.font())
            bold.setBold(True)
            for leg in op.legs:
                leg_item = QTreeWidgetItem(list(leg_columns(leg)))
                leg_item.setData(0, Qt.ItemDataRole.UserRole, (leg.leg_no, None))
                tip = leg_text(leg) + "\n" + _("The leg's waiting list")
                for column in (0, 1):
                    leg_item.setFont(column, bold)
                    leg_item.setToolTip(column, tip)
                self.tree.addTopLevelItem(leg_item)
                if self._selection == (leg.leg_no, None):
                    selected = leg_item
                for trip in leg.trips:
                    item = QTreeWidgetItem(list(trip_columns(trip)))
                    item.setData(0, PARTS_ROLE, trip_parts(trip))
                    item.setData(0, Qt.ItemDataRole.UserRole, (leg.leg_no, trip.id))
                    tip = trip_text(trip) + "\n" + self._trip_tooltip(trip)
                    for column in (0, 1):
                        item.setToolTip(column, tip)
                        if not trip.is_open:
                            item.setForeground(column, self.palette().placeholderText())
                    leg_item.addChild(item)
                    if self._selection == (leg.leg_no, trip.id):
                        selected = item
            self.tree.expandAll()
        else:
            self._selection = None
        if selected is not None:
            self.tree.setCurrentItem(selected)
        self.tree.blockSignals(False)
        self._update_buttons()

    def _selection_valid(self, op: OperationRow) -> bool:
        if self._selection is None:
            return False
        leg = op.leg(self._selection[0])
        if leg is None:
            return False
        trip_id = self._selection[1]
        return trip_id is None or any(t.id == trip_id for t in leg.trips)

    @staticmethod
    def _default_selection(op: OperationRow) -> tuple[int, str | None] | None:
        """The first open trip, else the first trip, else the first leg's waiting list."""
        trips = op.trips
        first = next((t for t in trips if t.is_open), trips[0] if trips else None)
        if first is not None:
            return (first.leg_no, first.id)
        return (op.legs[0].leg_no, None) if op.legs else None

    @staticmethod
    def _trip_tooltip(trip: TripRow) -> str:
        lines = [f"{trip.origin} → {trip.destination}"]
        if trip.border_crossing:
            lines.append(_("Border: {crossing}").format(crossing=trip.border_crossing))
        if trip.carrier:
            lines.append(trip.carrier)
        if trip.escort_officer:
            lines.append(_("Escort: {name}").format(name=trip.escort_officer))
        if trip.is_open:
            lines.append(
                _("{boarded} boarded, {seated} seated of {capacity}, {free} free").format(
                    boarded=trip.boarded, seated=trip.seated, capacity=trip.capacity, free=trip.free
                )
            )
        elif trip.status != TripStatus.CANCELLED:
            lines.append(
                _("{boarded} boarded of {capacity}, {no_show} did not turn up").format(
                    boarded=trip.boarded, capacity=trip.capacity, no_show=trip.no_show
                )
            )
        return "\n".join(lines)

    # -- operations and trips --------------------------------------------------------------

    @Slot(int)
    def _on_operation_box_current_index_changed(self, index: int) -> None:
        self._operation_id = self.operation_box.itemData(index) if index >= 0 else None
        if self.ctx.settings is not None and self._operation_id:
            self.ctx.settings.setValue(OPERATION_KEY, self._operation_id)
        self._selection = None
        self._selected_entry = None
        self._clear_scan_result()
        self._fill_tree()
        self._load_rows()

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_tree_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        key = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        selection = tuple(key) if key is not None else None
        if selection == self._selection:
            return
        self._selection = selection  # type: ignore[assignment]
        self._selected_entry = None
        self._clear_scan_result()
        self._load_rows()
        self._update_buttons()

    def launch(self, dialog: Any) -> None:
        """Show a dialog without blocking (tests replace this)."""
        dialog.open()

    def _dialog_missing(self, exc: ImportError) -> None:
        self._say(_("This form is not available in this build ({detail}).").format(detail=exc))

    @Slot()
    def _on_new_operation_button_clicked(self) -> None:
        self.open_operation_dialog(None)

    @Slot()
    def _on_edit_operation_button_clicked(self) -> None:
        if (op := self.operation()) is not None:
            self.open_operation_dialog(op)

    def open_operation_dialog(self, op: OperationRow | None) -> Any:
        """The operation form, new or to edit."""
        try:
            from consuldesk.ui.dialogs.operation import OperationDialog
        except ImportError as exc:
            self._dialog_missing(exc)
            return None
        dialog = OperationDialog(self.ctx, op, self)
        dialog.saved.connect(self._on_operation_dialog_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    @Slot(str)
    def _on_operation_dialog_saved(self, operation_id: str) -> None:
        if operation_id != self._operation_id:
            self._operation_id = operation_id
            self._selection = None
        self.refresh()

    @Slot()
    def _on_add_trip_button_clicked(self) -> None:
        leg = self.selected_leg()
        op = self.operation()
        self.open_trip_dialog(None, leg.leg_no if leg else (len(op.legs) + 1 if op else 1))

    @Slot()
    def _on_new_leg_button_clicked(self) -> None:
        op = self.operation()
        self.open_trip_dialog(
            None, max((leg.leg_no for leg in op.legs), default=0) + 1 if op else 1
        )

    @Slot()
    def _on_edit_trip_button_clicked(self) -> None:
        if (trip := self.selected_trip()) is not None:
            self.open_trip_dialog(trip, trip.leg_no)

    def open_trip_dialog(self, trip: TripRow | None, leg_no: int) -> Any:
        """The trip form of the operation shown, new (on ``leg_no``) or to edit."""
        op = self.operation()
        if op is None:
            return None
        try:
            from consuldesk.ui.dialogs.trip import TripDialog
        except ImportError as exc:
            self._dialog_missing(exc)
            return None
        dialog = TripDialog(self.ctx, op.id, trip, leg_no, self)
        dialog.saved.connect(self._on_trip_dialog_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    @Slot(str)
    def _on_trip_dialog_saved(self, trip_id: str) -> None:
        desk = self.ctx.desk
        self._ops_serial += 1
        serial = self._ops_serial

        def loaded(ops: list[OperationRow]) -> None:
            self._on_operations_loaded(serial, ops)
            self.select_trip(trip_id)

        self.ctx.tasks.run(lambda: ev.list_operations(desk), loaded, self._show_error)

    @Slot()
    def _on_candidates_button_clicked(self) -> None:
        op, leg = self.operation(), self.selected_leg()
        if op is None or leg is None:
            return
        try:
            from consuldesk.ui.dialogs.candidates import CandidatesDialog
        except ImportError as exc:
            self._dialog_missing(exc)
            return
        dialog = CandidatesDialog(self.ctx, op, leg.leg_no, self)
        dialog.added.connect(self._on_candidates_dialog_added)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)

    @Slot()
    def _on_walk_in_button_clicked(self) -> None:
        self.open_walk_in()

    def open_walk_in(self) -> QDialog | None:
        """Open the dialog that puts people on the selected leg's waiting list by name."""
        op, leg = self.operation(), self.selected_leg()
        if op is None or leg is None:
            return None
        from consuldesk.ui.dialogs.walk_in import WalkInDialog

        dialog = WalkInDialog(self.ctx, op, leg.leg_no, self)
        dialog.added.connect(self._on_walk_in_dialog_added)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    @Slot(int)
    def _on_walk_in_dialog_added(self, n: int) -> None:
        if n:
            self.refresh()

    @Slot(int)
    def _on_candidates_dialog_added(self, n: int) -> None:
        self._say(
            ngettext(
                "{n} person added to the waiting list.", "{n} people added to the waiting list.", n
            ).format(n=n)
        )
        self.refresh()

    # -- allocation ------------------------------------------------------------------------

    @Slot()
    def _on_allocate_button_clicked(self) -> None:
        op, leg = self.operation(), self.selected_leg()
        if op is None or leg is None:
            return
        if not leg.allocated:
            self.allocate(False)
            return
        # Seats were given already: first find out what paper a new run would make wrong.
        desk, op_id, leg_no = self.ctx.desk, op.id, leg.leg_no
        self.allocate_button.setEnabled(False)
        self._say(_("Checking the slips and manifests printed so far…"))

        def measured(impact: ReallocationImpact) -> None:
            self._say("")
            self._update_buttons()
            self.ask_allocation_mode(impact, lambda fresh: self.allocate(fresh, impact))

        def failed(exc: BaseException) -> None:
            self._update_buttons()
            self._on_write_failed(exc)

        self.ctx.tasks.run(lambda: ev.reallocation_impact(desk, op_id, leg_no), measured, failed)

    def ask_allocation_mode(
        self, impact: ReallocationImpact, proceed: Callable[[bool], None]
    ) -> None:
        """Ask whether to keep the seats given (False) or start fresh (True), saying what
        printed paper each choice makes wrong; tests replace."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Allocate seats"),
            ngettext(
                "{n} person already has a seat on this leg. Keep the seats given, or start "
                "fresh (boarded passengers always keep theirs)?",
                "{n} people already have a seat on this leg. Keep the seats given, or start "
                "fresh (boarded passengers always keep theirs)?",
                impact.seated,
            ).format(n=impact.seated),
            QMessageBox.StandardButton.NoButton,
            self,
        )
        box.setInformativeText(reallocation_warning(impact))
        keep = box.addButton(_("Keep seats"), QMessageBox.ButtonRole.AcceptRole)
        fresh = box.addButton(_("Start fresh"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(_("Go back"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        # Not WA_DeleteOnClose: deleting the box under its own ``finished`` handler crashed the
        # interpreter (see dialogs.ask); it lives as long as the page.

        def finished(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is keep:
                proceed(False)
            elif clicked is fresh:
                proceed(True)

        box.finished.connect(finished)
        box.open()

    def allocate(self, fresh: bool, impact: ReallocationImpact | None = None) -> None:
        """Share the selected leg's free seats among those waiting; ``impact`` (what the run
        makes wrong on paper) is repeated when done."""
        op, leg = self.operation(), self.selected_leg()
        if op is None or leg is None:
            return
        desk, op_id, leg_no = self.ctx.desk, op.id, leg.leg_no
        self.allocate_button.setEnabled(False)
        self._say(_("Allocating seats…"))

        def done(written: Any) -> None:
            s: AllocationSummary = written.row
            text = _("{placed} seated, {waiting} waiting, {flagged} flagged").format(
                placed=s.placed, waiting=s.waitlisted, flagged=s.flagged
            )
            if s.elsewhere:
                text += "; " + ngettext(
                    "{n} more waits, seated in another operation",
                    "{n} more wait, seated in another operation",
                    s.elsewhere,
                ).format(n=s.elsewhere)
            if s.returned:
                text += " " + ngettext(
                    "(started fresh: {n} person's seat was chosen again)",
                    "(started fresh: {n} people's seats were chosen again)",
                    s.returned,
                ).format(n=s.returned)
            if s.later_released:
                text += "; " + ngettext(
                    "{n} place on a later leg given up (no seat on this one now): allocate that "
                    "leg again",
                    "{n} places on later legs given up (no seat on this one now): allocate those "
                    "legs again",
                    s.later_released,
                ).format(n=s.later_released)
            papers = reprint_list(impact, fresh, named=True) if impact is not None else []
            if papers:
                text += ". " + _("Print again: {papers}.").format(papers=", ".join(papers))
            self._say(text)

        self._write(lambda: ev.allocate_leg(desk, op_id, leg_no, fresh=fresh), done)

    # -- trip status -----------------------------------------------------------------------

    @Slot(QAction)
    def _on_trip_status_menu_triggered(self, action: QAction) -> None:
        trip = self.selected_trip()
        if trip is None:
            return
        if action is self.delete_trip_action:
            self.confirm(
                _("Delete {trip}? Its seated passengers go back to the waiting list.").format(
                    trip=trip.label
                ),
                lambda: self._delete_trip(trip),
                _("Delete the trip"),
            )
            return
        self.change_trip_status(TripStatus(action.data()))

    def change_trip_status(self, status: TripStatus) -> None:
        """Move the selected trip along, asking first when people would lose their seat."""
        trip = self.selected_trip()
        if trip is None:
            return
        question = trip_change_question(trip.label, status.value, trip.allocated, trip.seated)
        if question:
            yes = _("Mark departed") if status == TripStatus.DEPARTED else _("Cancel the trip")
            self.confirm(question, lambda: self._set_trip_status(trip, status), yes)
        else:
            self._set_trip_status(trip, status)

    def _set_trip_status(self, trip: TripRow, status: TripStatus) -> None:
        desk, trip_id = self.ctx.desk, trip.id

        def done(written: Any) -> None:
            self._say(
                _("{trip}: {status}.").format(
                    trip=trip.label, status=_(STATUS_WORD_LABELS.get(status.value, status.value))
                )
            )

        self._write(lambda: ev.set_trip_status(desk, trip_id, status), done)

    def _delete_trip(self, trip: TripRow) -> None:
        desk, trip_id = self.ctx.desk, trip.id
        self._selection = (trip.leg_no, None)

        def done(_changes: Any) -> None:
            self._say(_("{trip} deleted.").format(trip=trip.label))

        self._write(lambda: ev.delete_trip(desk, trip_id), done)
