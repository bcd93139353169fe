"""Evacuation: plan an operation's legs and vehicles, share out seats, move people, board them.

Left, the operation and its legs → trips; centre, the passengers of the selected trip (or the
leg's waiting list) under an always-visible scan field for a keyboard-wedge QR scanner; right,
why the selected person is where they are. Every read and write runs through ``ctx.tasks``;
answers to an older request are dropped by serial number.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QObject, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import ManifestStatus, TripStatus, Vulnerability
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    PRIORITY_CLASS_LABELS,
    PROBLEM_LABELS,
    STATUS_WORD_LABELS,
    describe,
    explain_reason,
)
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import (
    AllocationSummary,
    LegRow,
    OperationRow,
    PassengerRow,
    ScanResult,
    TripRow,
)
from consuldesk.store.db import ChangeSet
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.models.nationals import FLAG_LABELS
from consuldesk.ui.models.passengers import (
    PROBLEM_MARK,
    PassengersModel,
    status_text,
)

REFRESH_DELAY_MS = 150
#: QSettings keys: the manifests' second language (kk or ru) and the last folder saved into.
FOLDER_KEY = "evacuation/folder"
OPERATION_KEY = "evacuation/operation"  # the operation open last time
# Tables whose changes alter what the page shows.
WATCHED_TABLES = {
    "evacuation_operation",
    "trip",
    "manifest_entry",
    "national",
    "household",
    "household_member",
}
# Trip status moves offered in the menu (the service checks them again).
_OFFERED: dict[str, set[TripStatus]] = {
    TripStatus.PLANNED: {TripStatus.BOARDING, TripStatus.DEPARTED, TripStatus.CANCELLED},
    TripStatus.BOARDING: {TripStatus.PLANNED, TripStatus.DEPARTED, TripStatus.CANCELLED},
    TripStatus.DEPARTED: {TripStatus.ARRIVED},
    TripStatus.ARRIVED: set(),
    TripStatus.CANCELLED: {TripStatus.PLANNED},
}
# The row keys B, N, O, U, also as typed under the Russian / Kazakh layout (И, Т, Щ, Г).
_ROW_KEYS: dict[str, ManifestStatus] = {
    "b": ManifestStatus.BOARDED,
    "и": ManifestStatus.BOARDED,
    "n": ManifestStatus.NO_SHOW,
    "т": ManifestStatus.NO_SHOW,
    "o": ManifestStatus.OFFLOADED,
    "щ": ManifestStatus.OFFLOADED,
    "u": ManifestStatus.ALLOCATED,
    "г": ManifestStatus.ALLOCATED,
}
_OK_STYLE = "color: #0b6b1f;"
_WARN_STYLE = "color: #8a5a00;"
_FAIL_STYLE = "color: #b00020;"
#: A scan's answer once it has been read: still there, no longer shouting.
_QUIET_STYLE = "color: palette(mid); font-weight: normal;"
SCAN_FADE_MS = 6000


def _local(when: datetime | None) -> datetime | None:
    return when.astimezone() if when is not None else None


def trip_when(trip: TripRow) -> str:
    """Departure as ``06:00 12.03`` in local time (empty when not set)."""
    when = _local(trip.departure_at)
    return f"{when:%H:%M %d.%m}" if when else ""


def trip_text(trip: TripRow) -> str:
    """One line of the tree: ``Dubai P 48213 · 06:00 12.03 · 41/49 · boarding``."""
    parts = [trip.label]
    if when := trip_when(trip):
        parts.append(when)
    parts.append(f"{trip.seated}/{trip.capacity}")
    parts.append(_(STATUS_WORD_LABELS.get(trip.status, trip.status)))
    return " · ".join(parts)


def leg_text(leg: LegRow) -> str:
    """One line of the tree: ``Leg 1 · Dubai → Muscat · Waiting: 12``."""
    parts = [_("Leg {n}").format(n=leg.leg_no)]
    if leg.origin:
        parts.append(f"{leg.origin} → {leg.destination}")
    parts.append(_("Waiting: {n}").format(n=leg.waitlisted))
    return " · ".join(parts)


def manifest_file_name(trip: TripRow, suffix: str, prefix: str = "manifest") -> str:
    """``manifest-Dubai-P-48213-2026-03-12.pdf``: the vehicle and the departure day."""
    label = re.sub(r"[^\w]+", "-", trip.label, flags=re.UNICODE).strip("-") or "trip"
    when = _local(trip.departure_at)
    day = f"-{when:%Y-%m-%d}" if when else ""
    return f"{prefix}-{label}{day}.{suffix}"


_REMOVE = "__remove__"  # the "take off this leg" item of the Move menu


class EvacuationPage(QWidget):
    """Operations, legs and trips; a trip's passengers or a leg's waiting list; boarding."""

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
        self._scan_target: str | None = None  # the trip an "other_trip" scan points at

        self._build_widgets()
        self._build_layout()
        self._build_actions()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._connect_signals()
        self._update_buttons()
        self.refresh()

    # -- building --------------------------------------------------------------------------

    def _build_widgets(self) -> None:
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
        # Whole lines (counts and status are at the end): scroll sideways rather than elide.
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.add_trip_button = QPushButton(_("Add trip…"))
        self.add_trip_button.setToolTip(_("Add a bus or flight to the selected leg"))
        self.new_leg_button = QPushButton(_("New leg…"))
        self.new_leg_button.setToolTip(_("Add a bus or flight that starts the next leg"))
        self.edit_trip_button = QPushButton(_("Edit trip…"))
        self.candidates_button = QPushButton(_("Add candidates…"))
        self.candidates_button.setToolTip(_("Bring people into the selected leg's waiting list"))
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

        self.title_label = QLabel()
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)  # long counts wrap instead of widening the window
        self.scan_label = QLabel(_("&Scan"))
        self.scan_field = QLineEdit()
        self.scan_field.setPlaceholderText(
            _("Scan a boarding slip or type a seat or passport number, then Enter")
        )
        self.scan_field.setClearButtonEnabled(True)
        self.scan_label.setBuddy(self.scan_field)
        self.scan_result = QLabel()
        result_font = QFont(self.scan_result.font())
        result_font.setPointSizeF(result_font.pointSizeF() * 1.6)
        result_font.setBold(True)
        self.scan_result.setFont(result_font)
        self.scan_result.setWordWrap(True)
        # Two lines are always reserved: a message that wraps must not push the table down
        # under the officer's mouse between two clicks.
        self.scan_result.setFixedHeight(2 * self.scan_result.fontMetrics().lineSpacing() + 8)
        self.open_scanned_button = QPushButton(_("&Open it"))
        self.open_scanned_button.setVisible(False)
        self._scan_fade = QTimer(self)
        self._scan_fade.setSingleShot(True)
        self._scan_fade.setInterval(SCAN_FADE_MS)
        self._scan_fade.timeout.connect(self._quiet_scan_result)

        self.filter_label = QLabel(_("&Filter"))
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(_("Name, passport, seat or household"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_label.setBuddy(self.filter_box)

        self.model = PassengersModel(self.ctx.desk.today(), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)  # the boarded rows' colour must stand out
        self.table.verticalHeader().setVisible(False)
        # Compact rows: a bus of 49 fits on one screen.
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.hint_label = QLabel()
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        hint_font = QFont(self.hint_label.font())
        hint_font.setPointSizeF(hint_font.pointSizeF() * 1.2)
        self.hint_label.setFont(hint_font)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table)
        self.table_stack.addWidget(self.hint_label)

        self.board_button = QPushButton(_("Boarded [B]"))
        self.no_show_button = QPushButton(_("No-show [N]"))
        self.offload_button = QPushButton(_("Offloaded [O]"))
        self.undo_button = QPushButton(_("Undo [U]"))
        self.undo_button.setToolTip(_("Back to seated, not boarded"))
        self.move_button = QPushButton(_("Move to…"))
        self.move_button.setToolTip(
            _("Move the person (and their family) to another vehicle (Ctrl+M)")
        )
        self.move_menu = QMenu(self)
        self.move_button.setMenu(self.move_menu)
        # Short labels (they share a row with the counts); the tooltips say it in full.
        self.print_button = QPushButton(_("Manifest…"))
        self.print_button.setToolTip(_("Print the passenger manifest for the border (PDF)"))
        self.csv_button = QPushButton(_("CSV…"))
        self.csv_button.setToolTip(_("Export the manifest as CSV for the carrier"))
        self.slips_button = QPushButton(_("Slips…"))
        self.slips_button.setToolTip(_("Print boarding slips, eight to a page (PDF)"))

        self.why_box = QGroupBox(_("Why here?"))
        self.why_label = QLabel()
        self.why_label.setWordWrap(True)
        self.why_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.why_box).addWidget(self.why_label, 1)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        op_label = QLabel(_("Op&eration"))
        op_label.setBuddy(self.operation_box)
        top.addWidget(op_label)
        top.addWidget(self.operation_box, 1)
        top.addWidget(self.new_operation_button)
        top.addWidget(self.edit_operation_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        for pair in (
            (self.add_trip_button, self.new_leg_button),
            (self.edit_trip_button, self.trip_status_button),
            (self.candidates_button, self.allocate_button),
        ):
            row = QHBoxLayout()
            for widget in pair:
                row.addWidget(widget, 1)
            left_layout.addLayout(row)
        self.trip_status_button.setSizePolicy(self.add_trip_button.sizePolicy())

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.title_label)
        counts_row = QHBoxLayout()
        counts_row.addWidget(self.counts_label, 1)
        # Documents sit with the trip they print, leaving the row under the table to boarding.
        for button in (self.print_button, self.csv_button, self.slips_button):
            counts_row.addWidget(button)
        centre_layout.addLayout(counts_row)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_label)
        scan_row.addWidget(self.scan_field, 1)
        centre_layout.addLayout(scan_row)
        result_row = QHBoxLayout()
        result_row.addWidget(self.scan_result, 1)
        result_row.addWidget(self.open_scanned_button)
        centre_layout.addLayout(result_row)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_label)
        filter_row.addWidget(self.filter_box, 1)
        centre_layout.addLayout(filter_row)
        centre_layout.addWidget(self.table_stack, 1)
        row_buttons = QHBoxLayout()
        for button in (
            self.board_button,
            self.no_show_button,
            self.offload_button,
            self.undo_button,
            self.move_button,
        ):
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        centre_layout.addLayout(row_buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.why_box)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([340, 760, 230])
        # Narrow windows squeeze the passenger table, not the trips or the reason.
        left.setMinimumWidth(310)
        self.why_box.setMinimumWidth(200)
        self.splitter.setCollapsible(1, False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.splitter, 1)

        order = [
            self.operation_box,
            self.new_operation_button,
            self.edit_operation_button,
            self.tree,
            self.add_trip_button,
            self.new_leg_button,
            self.edit_trip_button,
            self.trip_status_button,
            self.candidates_button,
            self.allocate_button,
            self.scan_field,
            self.open_scanned_button,
            self.filter_box,
            self.table,
            self.board_button,
            self.no_show_button,
            self.offload_button,
            self.undo_button,
            self.move_button,
            self.print_button,
            self.csv_button,
            self.slips_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    def _build_actions(self) -> None:
        self.move_action = QAction(_("Move to…"), self)
        self.move_action.setShortcut(QKeySequence("Ctrl+M"))
        self.refresh_action = QAction(_("Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        for action in (self.move_action, self.refresh_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)

    def _connect_signals(self) -> None:
        self.operation_box.currentIndexChanged.connect(self._on_operation_box_current_index_changed)
        self.new_operation_button.clicked.connect(self._on_new_operation_button_clicked)
        self.edit_operation_button.clicked.connect(self._on_edit_operation_button_clicked)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)
        self.add_trip_button.clicked.connect(self._on_add_trip_button_clicked)
        self.new_leg_button.clicked.connect(self._on_new_leg_button_clicked)
        self.edit_trip_button.clicked.connect(self._on_edit_trip_button_clicked)
        self.candidates_button.clicked.connect(self._on_candidates_button_clicked)
        self.allocate_button.clicked.connect(self._on_allocate_button_clicked)
        self.trip_status_menu.triggered.connect(self._on_trip_status_menu_triggered)
        self.scan_field.returnPressed.connect(self._on_scan_field_return_pressed)
        self.open_scanned_button.clicked.connect(self._on_open_scanned_button_clicked)
        self.filter_box.textChanged.connect(self._on_filter_box_text_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.installEventFilter(self)
        self.board_button.clicked.connect(self._on_board_button_clicked)
        self.no_show_button.clicked.connect(self._on_no_show_button_clicked)
        self.offload_button.clicked.connect(self._on_offload_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.move_menu.aboutToShow.connect(self._on_move_menu_about_to_show)
        self.move_menu.triggered.connect(self._on_move_menu_triggered)
        self.move_action.triggered.connect(self._on_move_action_triggered)
        self.refresh_action.triggered.connect(self.refresh)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.csv_button.clicked.connect(self._on_csv_button_clicked)
        self.slips_button.clicked.connect(self._on_slips_button_clicked)
        self._refresh_timer.timeout.connect(self.refresh)
        self.ctx.events.changed.connect(self._on_case_file_changed)

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

    def select_passenger(self, entry_id: str) -> None:
        """Select a passenger's row (when shown)."""
        self._selected_entry = entry_id
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)

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
                leg_item = QTreeWidgetItem([leg_text(leg)])
                leg_item.setData(0, Qt.ItemDataRole.UserRole, (leg.leg_no, None))
                leg_item.setFont(0, bold)
                leg_item.setToolTip(0, _("The leg's waiting list"))
                self.tree.addTopLevelItem(leg_item)
                if self._selection == (leg.leg_no, None):
                    selected = leg_item
                for trip in leg.trips:
                    item = QTreeWidgetItem([trip_text(trip)])
                    item.setData(0, Qt.ItemDataRole.UserRole, (leg.leg_no, trip.id))
                    item.setToolTip(0, self._trip_tooltip(trip))
                    if not trip.is_open:
                        item.setForeground(0, self.palette().placeholderText())
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
        lines.append(
            _("{boarded} boarded, {seated} seated of {capacity}, {free} free").format(
                boarded=trip.boarded, seated=trip.seated, capacity=trip.capacity, free=trip.free
            )
        )
        return "\n".join(lines)

    def _load_rows(self) -> None:
        """Load the passengers of the selected trip, or the selected leg's waiting list."""
        self._rows_serial += 1
        serial = self._rows_serial
        op, leg, trip = self.operation(), self.selected_leg(), self.selected_trip()
        self._show_title()
        key = (self._operation_id, self._selection)
        if key != self._rows_key:
            # Another trip or leg: never show the old one's people under the new title.
            self._rows_key = key
            self.model.set_passengers([])
            self.hint_label.clear()
            self.table_stack.setCurrentWidget(self.table)
        if op is None or leg is None:
            self.model.set_passengers([])
            self._show_rows_state()
            return
        desk = self.ctx.desk
        if trip is not None:
            trip_id = trip.id
            self.ctx.tasks.run(
                lambda: ev.passengers(desk, trip_id),
                lambda rows: self._on_rows_loaded(serial, rows, False),
                self._show_error,
            )
        else:
            op_id, leg_no = op.id, leg.leg_no
            self.ctx.tasks.run(
                lambda: ev.pool(desk, op_id, leg_no),
                lambda rows: self._on_rows_loaded(serial, rows, True),
                self._show_error,
            )

    def _on_rows_loaded(self, serial: int, rows: list[PassengerRow], waiting: bool) -> None:
        if serial != self._rows_serial:
            return
        keep = self._selected_entry
        self.model.set_passengers(rows, waiting_list=waiting)
        if rows:
            self.table.resizeColumnsToContents()
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._selected_entry = None
            self._show_why(None)
        self._show_rows_state()
        self._update_buttons()

    def _show_title(self) -> None:
        leg, trip = self.selected_leg(), self.selected_trip()
        if trip is not None:
            when = _local(trip.departure_at)
            parts = [f"{trip.label} — {trip.origin} → {trip.destination}"]
            if when:
                parts.append(f"{when:%H:%M %d.%m.%Y}")
            parts.append(_(STATUS_WORD_LABELS.get(trip.status, trip.status)))
            self.title_label.setText(" · ".join(parts))
            counts = (
                _("Boarded {boarded} of {seated}").format(boarded=trip.boarded, seated=trip.seated)
                + " · "
                + ngettext("{n} seat free", "{n} seats free", trip.free).format(n=trip.free)
            )
            if trip.no_show:
                counts += " · " + ngettext("{n} no-show", "{n} no-shows", trip.no_show).format(
                    n=trip.no_show
                )
            if trip.offloaded:
                counts += " · " + _("{n} offloaded").format(n=trip.offloaded)
            self.counts_label.setText(counts)
        elif leg is not None:
            self.title_label.setText(
                _("Leg {n} · waiting list").format(n=leg.leg_no)
                + (f" — {leg.origin} → {leg.destination}" if leg.origin else "")
            )
            self.counts_label.setText(
                ngettext("{n} person waiting", "{n} people waiting", leg.waitlisted).format(
                    n=leg.waitlisted
                )
                + " · "
                + _("{seated} seated on {trips} vehicles, {boarded} of them boarded").format(
                    seated=leg.allocated + leg.boarded, boarded=leg.boarded, trips=len(leg.trips)
                )
            )
        else:
            self.title_label.clear()
            self.counts_label.clear()

    def _show_rows_state(self) -> None:
        """The table, or what to do when there is nothing to show."""
        op, leg, trip = self.operation(), self.selected_leg(), self.selected_trip()
        hint = ""
        if op is None:
            hint = _("No evacuation operations yet. Create one with New operation…")
        elif leg is None:
            hint = _(
                "This operation has no legs yet. Add a bus or flight to this leg with Add trip…"
            )
        elif self.model.total == 0:
            if trip is not None:
                hint = _(
                    "Nobody on {trip} yet. Add candidates… to the leg, then Allocate seats."
                ).format(trip=trip.label)
            elif not leg.trips:
                hint = (
                    _("Nobody is waiting. Add candidates…")
                    + "\n"
                    + _("Add a bus or flight to this leg")
                )
            else:
                hint = _("Nobody is waiting. Add candidates…")
        elif trip is None and not leg.trips:
            self.counts_label.setText(
                self.counts_label.text() + " · " + _("Add a bus or flight to this leg")
            )
        self.hint_label.setText(hint)
        self.table_stack.setCurrentWidget(self.hint_label if hint else self.table)

    # -- the "why" panel -------------------------------------------------------------------

    def _show_why(self, row: PassengerRow | None) -> None:
        if row is None:
            self.why_label.setText(
                _("Select a person to see why they are on this vehicle or waiting.")
            )
            return
        p = row.person
        esc = html.escape
        lines = [f"<b>{esc(p.name_cyr or p.name)}</b>"]
        if p.name_lat:
            lines.append(esc(p.name_lat))
        details = []
        if p.passport_no:
            details.append(_("Passport {number}").format(number=esc(p.passport_no)))
        if p.birth_date:
            age = p.age(self.ctx.desk.today())
            details.append(
                _("born {date} ({age})").format(date=f"{p.birth_date:%d.%m.%Y}", age=age)
            )
        if details:
            lines.append(" · ".join(details))
        lines.append("")
        reason = explain_reason(row.reason_code, row.reason_params)
        if reason:
            lines.append(esc(reason))
            lines.append("")
        lines.append(_("Status: {status}").format(status=esc(status_text(row.status))))
        if row.seat:
            lines.append(_("Seat: {seat}").format(seat=esc(row.seat)))
        if row.boarded_at:
            when = _local(row.boarded_at)
            lines.append(_("Boarded at {when}").format(when=f"{when:%H:%M %d.%m.%Y}"))
        if row.priority_class:
            cls = _(PRIORITY_CLASS_LABELS.get(row.priority_class, row.priority_class))
            lines.append(_("Priority: {cls}").format(cls=esc(cls)))
        flags = [_(FLAG_LABELS[v]) for v in Vulnerability if v in p.vulnerabilities]
        if flags:
            lines.append(_("Needs: {flags}").format(flags=esc(", ".join(flags))))
        if row.household_name:
            lines.append(_("Household: {name}").format(name=esc(row.household_name)))
        for problem in row.problems:
            text = f"{PROBLEM_MARK} " + _(PROBLEM_LABELS.get(problem, problem))
            lines.append(f'<span style="{_FAIL_STYLE}"><b>{esc(text)}</b></span>')
        self.why_label.setText("<br>".join(lines))

    # -- buttons ---------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        op, leg, trip = self.operation(), self.selected_leg(), self.selected_trip()
        row = self.selected_passenger()
        status = row.status if row is not None else None
        on_trip = trip is not None and row is not None
        self.edit_operation_button.setEnabled(op is not None)
        self.add_trip_button.setEnabled(op is not None)
        self.new_leg_button.setEnabled(op is not None)
        self.edit_trip_button.setEnabled(trip is not None)
        self.trip_status_button.setEnabled(trip is not None)
        self.candidates_button.setEnabled(leg is not None)
        self.allocate_button.setEnabled(leg is not None and any(t.is_open for t in leg.trips))
        S = ManifestStatus
        self.board_button.setEnabled(on_trip and status in (S.ALLOCATED, S.NO_SHOW, S.OFFLOADED))
        self.no_show_button.setEnabled(on_trip and status in (S.ALLOCATED, S.BOARDED))
        self.offload_button.setEnabled(on_trip and status == S.BOARDED)
        self.undo_button.setEnabled(on_trip and status in (S.BOARDED, S.NO_SHOW, S.OFFLOADED))
        movable = row is not None and status in (S.WAITLISTED, S.ALLOCATED)
        self.move_button.setEnabled(movable)
        self.move_action.setEnabled(movable)
        self.print_button.setEnabled(trip is not None)
        self.csv_button.setEnabled(trip is not None)
        self.scan_field.setPlaceholderText(
            _("Scan a boarding slip or type a seat or passport number, then Enter")
            if trip is not None
            else _("Choose a bus or flight on the left to board its passengers")
        )
        slips = hasattr(ev, "print_boarding_slips")
        self.slips_button.setVisible(slips)
        self.slips_button.setEnabled(slips and trip is not None)
        if trip is not None:
            offered = _OFFERED.get(trip.status, set())
            for status_, action in self.status_actions.items():
                action.setEnabled(status_ in offered)
            self.delete_trip_action.setEnabled(trip.boarded == 0)

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
        leg = self.selected_leg()
        if leg is None:
            return
        if leg.allocated:
            self.ask_allocation_mode(leg.allocated, self.allocate)
        else:
            self.allocate(False)

    def ask_allocation_mode(self, seated: int, proceed: Callable[[bool], None]) -> None:
        """Ask whether to keep the seats given (False) or start fresh (True); tests replace."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Allocate seats"),
            ngettext(
                "{n} person already has a seat on this leg. Keep the seats given, or start "
                "fresh (boarded passengers always keep theirs)?",
                "{n} people already have a seat on this leg. Keep the seats given, or start "
                "fresh (boarded passengers always keep theirs)?",
                seated,
            ).format(n=seated),
            QMessageBox.StandardButton.NoButton,
            self,
        )
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

    def allocate(self, fresh: bool) -> None:
        """Share the selected leg's free seats among those waiting."""
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
            if s.returned:
                text += " " + _("({n} seats given anew)").format(n=s.returned)
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
        if status == TripStatus.DEPARTED and trip.allocated:
            text = ngettext(
                "{n} passenger has not boarded and will be marked a no-show.",
                "{n} passengers have not boarded and will be marked no-shows.",
                trip.allocated,
            ).format(n=trip.allocated)
            question = text + " " + _("Mark {trip} departed?").format(trip=trip.label)
            self.confirm(question, lambda: self._set_trip_status(trip, status), _("Mark departed"))
        elif status == TripStatus.CANCELLED and trip.seated:
            text = ngettext(
                "Cancel {trip}? Its {n} passenger goes back to the waiting list.",
                "Cancel {trip}? Its {n} passengers go back to the waiting list.",
                trip.seated,
            ).format(trip=trip.label, n=trip.seated)
            self.confirm(text, lambda: self._set_trip_status(trip, status), _("Cancel the trip"))
        else:
            self._set_trip_status(trip, status)

    def confirm(self, text: str, proceed: Callable[[], None], yes: str = "") -> None:
        """Ask before a change that cannot simply be undone (non-blocking; tests replace).
        ``yes`` names what the button does; the other one is "Go back"."""
        ask(self, _("Please confirm"), text, proceed, yes=yes or _("Go ahead"), no=_("Go back"))

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

    # -- passengers: boarding, moving ------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, *_args: object) -> None:
        row = self.selected_passenger()
        self._selected_entry = row.entry_id if row is not None else None
        self._show_why(row)
        self._update_buttons()

    @Slot(str)
    def _on_filter_box_text_changed(self, text: str) -> None:
        self.model.set_filter(text)
        if self._selected_entry:
            self.select_passenger(self._selected_entry)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # B, N, O, U on the table mark the selected passenger (also under a Cyrillic layout).
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            mods = key_event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            status = _ROW_KEYS.get(key_event.text().casefold())
            if status is not None and mods in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.ShiftModifier,
            ):
                self.set_boarding(status)
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_board_button_clicked(self) -> None:
        self.set_boarding(ManifestStatus.BOARDED)

    @Slot()
    def _on_no_show_button_clicked(self) -> None:
        self.set_boarding(ManifestStatus.NO_SHOW)

    @Slot()
    def _on_offload_button_clicked(self) -> None:
        self.set_boarding(ManifestStatus.OFFLOADED)

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.set_boarding(ManifestStatus.ALLOCATED)

    def set_boarding(self, status: ManifestStatus) -> None:
        """Mark the selected passenger of the trip shown."""
        row = self.selected_passenger()
        if row is None or self.selected_trip() is None or row.status == status.value:
            return
        desk, entry_id = self.ctx.desk, row.entry_id
        name = row.person.name_cyr or row.person.name

        def done(written: Any) -> None:
            word = status_text(written.row.status)
            self._say(_("{name}: {status}.").format(name=name, status=word))

        self._write(lambda: ev.set_boarding(desk, entry_id, status), done)

    def move_targets(self) -> list[tuple[str, str | None]]:
        """Where the selected passenger can go: (text, trip id or None for the waiting list)."""
        row, leg = self.selected_passenger(), self.selected_leg()
        if row is None or leg is None:
            return []
        targets: list[tuple[str, str | None]] = [
            (
                _("{trip} · {when} · {free} free").format(
                    trip=t.label, when=trip_when(t), free=t.free
                ),
                t.id,
            )
            for t in leg.trips
            if t.is_open and t.free >= row.travels_with and t.id != row.trip_id
        ]
        if row.trip_id is not None:
            targets.append((_("Waiting list"), None))
        return targets

    @Slot()
    def _on_move_menu_about_to_show(self) -> None:
        self.move_menu.clear()
        row = self.selected_passenger()
        if row is not None and row.travels_with > 1:
            # Say it before the click: a move takes the whole family or tour group along.
            note = self.move_menu.addAction(
                ngettext(
                    "Moves {n} person together (family or group)",
                    "Moves {n} people together (family or group)",
                    row.travels_with,
                ).format(n=row.travels_with)
            )
            note.setEnabled(False)
            self.move_menu.addSeparator()
        targets = self.move_targets()
        for text, trip_id in targets:
            action = self.move_menu.addAction(text)
            action.setData(trip_id or "")
        if not targets:
            self.move_menu.addAction(_("No other vehicle has enough free seats")).setEnabled(False)
        if row is not None and row.status in ("waitlisted", "allocated"):
            self.move_menu.addSeparator()
            self.move_menu.addAction(_("Take off this leg…")).setData(_REMOVE)

    @Slot()
    def _on_move_action_triggered(self) -> None:
        if self.move_button.isEnabled():
            self.move_menu.popup(self.move_button.mapToGlobal(QPoint(0, self.move_button.height())))

    @Slot(QAction)
    def _on_move_menu_triggered(self, action: QAction) -> None:
        if action.data() == _REMOVE:
            self.remove_selected()
            return
        self.move_selected(str(action.data()) or None)

    def remove_selected(self) -> None:
        """Take the selected person off the leg (they no longer travel), after asking."""
        row = self.selected_passenger()
        if row is None or row.status not in ("waitlisted", "allocated"):
            return
        desk, entry_id, name = self.ctx.desk, row.entry_id, row.person.name

        def remove() -> None:
            self._write(
                lambda: ev.remove_from_leg(desk, entry_id),
                lambda _changes: self._say(
                    _("{name} was taken off leg {leg}.").format(name=name, leg=row.leg_no)
                ),
            )

        self.confirm(
            _(
                "Take {name} off leg {leg}? They lose their seat or place on the waiting list; "
                "Add candidates… brings them back."
            ).format(name=name, leg=row.leg_no),
            remove,
            _("Take off the leg"),
        )

    def move_selected(self, trip_id: str | None) -> None:
        """Move the selected passenger (and their group) to a trip, or to the waiting list."""
        row, leg = self.selected_passenger(), self.selected_leg()
        if row is None or leg is None:
            return
        target = next((t.label for t in leg.trips if t.id == trip_id), _("the waiting list"))
        desk, entry_id = self.ctx.desk, row.entry_id

        def done(written: Any) -> None:
            self._say(
                ngettext(
                    "{n} person moved to {target}.", "{n} people moved to {target}.", written.row
                ).format(n=written.row, target=target)
            )

        self._write(lambda: ev.move_passenger(desk, entry_id, trip_id), done)

    # -- scanning --------------------------------------------------------------------------

    def focus_scan(self) -> None:
        """Put the cursor in the scan field."""
        self.scan_field.setFocus()
        self.scan_field.selectAll()

    @Slot()
    def _on_scan_field_return_pressed(self) -> None:
        text = self.scan_field.text().strip()
        self.scan_field.clear()  # ready for the next scan at once
        if not text:
            return
        trip = self.selected_trip()
        if trip is None:
            self._show_scan(_FAIL_STYLE, _("✗ Choose a bus or flight on the left first."))
            QApplication.beep()
            return
        self._scan_queue.append((trip.id, text))
        self._next_scan()

    def _next_scan(self) -> None:
        if self._scanning or not self._scan_queue:
            return
        self._scanning = True
        trip_id, text = self._scan_queue.pop(0)
        desk = self.ctx.desk

        def done(result: ScanResult) -> None:
            self._scanning = False
            if result.changes:
                self._own_changes = result.changes
                self.ctx.events.changed.emit(result.changes)
                self._refresh_timer.start()
            self._show_scan_result(result, text)
            self._next_scan()

        def failed(exc: BaseException) -> None:
            self._scanning = False
            self._show_scan(_FAIL_STYLE, "✗ " + describe(exc))
            QApplication.beep()
            self._next_scan()

        self.ctx.tasks.run(lambda: ev.scan(desk, trip_id, text), done, failed)

    def _show_scan(self, style: str, text: str, target: str | None = None) -> None:
        self.scan_result.setStyleSheet(style)
        self.scan_result.setText(text)
        self.scan_result.setToolTip(text)  # the whole of it, should it not fit two lines
        self._scan_target = target
        self.open_scanned_button.setVisible(target is not None)
        if text:
            self._scan_fade.start()  # big and coloured for a few seconds, then quiet

    @Slot()
    def _quiet_scan_result(self) -> None:
        if self.scan_result.text():
            self.scan_result.setStyleSheet(_QUIET_STYLE)

    def _clear_scan_result(self) -> None:
        self._show_scan("", "")

    def _show_scan_result(self, result: ScanResult, text: str) -> None:
        p = result.passenger
        name = (p.person.name_cyr or p.person.name) if p is not None else ""
        seat = p.seat if p is not None and p.seat else None
        outcome = result.outcome
        if outcome == "boarded":
            line = _("✓ Boarded: {name}").format(name=name)
            if seat:
                line += ", " + _("seat {seat}").format(seat=seat)
            self._show_scan(_OK_STYLE, line)
            if p is not None:
                self._selected_entry = p.entry_id
            return
        if outcome == "already_boarded":
            line = _("✓ Already boarded: {name}").format(name=name)
            if seat:
                line += ", " + _("seat {seat}").format(seat=seat)
            self._show_scan(_WARN_STYLE, line)
            if p is not None:
                self.select_passenger(p.entry_id)
            return
        if outcome == "open_manifest" and result.trip_id:
            if self.select_trip(result.trip_id):
                self._show_scan(_OK_STYLE, _("Opened {trip}").format(trip=result.trip_label))
            else:
                self._show_scan(_FAIL_STYLE, _("✗ Unknown code: {code}").format(code=text))
                QApplication.beep()
            return
        if outcome == "this_manifest":
            self._show_scan(_OK_STYLE, _("This is this trip's manifest."))
            return
        if outcome == "other_trip":
            # Short enough for two lines: "Open it" is the button beside it.
            line = _("✗ Other vehicle: {name} → {trip}").format(name=name, trip=result.trip_label)
            self._show_scan(_FAIL_STYLE, line, result.trip_id)
        elif outcome == "waitlisted":
            line = _("✗ No seat yet: {name} is on the waiting list").format(name=name)
            if p is not None and p.position:
                line += " " + _("({n}. in line)").format(n=p.position)
            self._show_scan(_FAIL_STYLE, line)
        elif outcome == "not_on_trip":
            who = result.person or (p.person if p is not None else None)
            who_name = (who.name_cyr or who.name) if who is not None else ""
            self._show_scan(_FAIL_STYLE, _("✗ Not on this trip: {name}").format(name=who_name))
        elif outcome == "trip_closed":
            trip = self.selected_trip()
            status = _(STATUS_WORD_LABELS.get(trip.status, trip.status)) if trip else ""
            self._show_scan(
                _FAIL_STYLE, _("✗ Boarding is closed: this trip is {status}").format(status=status)
            )
        else:
            self._show_scan(_FAIL_STYLE, _("✗ Unknown code: {code}").format(code=text))
        QApplication.beep()

    @Slot()
    def _on_open_scanned_button_clicked(self) -> None:
        if self._scan_target is not None:
            self.select_trip(self._scan_target)
        self._clear_scan_result()
        self.focus_scan()

    # -- documents -------------------------------------------------------------------------

    def second_language(self) -> str:
        """The manifests' second language (Settings → Printed documents)."""
        return self.ctx.print_language()

    def choose_save_path(self, title: str, file_name: str, file_filter: str) -> Path | None:
        """Ask where to save (a seam: tests return a path without a dialog)."""
        settings = self.ctx.settings
        folder = str(settings.value(FOLDER_KEY, "") or "") if settings is not None else ""
        start = str(Path(folder or Path.home()) / file_name)
        path, _selected = QFileDialog.getSaveFileName(self, title, start, file_filter)
        if not path:
            return None
        if settings is not None:
            settings.setValue(FOLDER_KEY, str(Path(path).parent))
        return Path(path)

    def _write_document(
        self,
        title: str,
        suffix: str,
        file_filter: str,
        work: Callable[[Path], Path],
        prefix: str = "manifest",
    ) -> None:
        trip = self.selected_trip()
        if trip is None:
            return
        name = manifest_file_name(trip, suffix, prefix)
        path = self.choose_save_path(title, name, file_filter)
        if path is None:
            return
        self._say(_("Writing {path}…").format(path=path))
        self.ctx.tasks.run(
            lambda: work(path),
            lambda out: self._say(_("Written to {path}").format(path=out)),
            self._on_write_failed,
        )

    @Slot()
    def _on_print_button_clicked(self) -> None:
        trip, desk, lang = self.selected_trip(), self.ctx.desk, self.second_language()
        if trip is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Print manifest"),
            "pdf",
            _("PDF (*.pdf)"),
            lambda path: ev.print_manifest(desk, trip_id, path, second_language=lang),
        )

    @Slot()
    def _on_csv_button_clicked(self) -> None:
        trip, desk = self.selected_trip(), self.ctx.desk
        if trip is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Export manifest"),
            "csv",
            _("CSV (*.csv)"),
            lambda path: ev.export_manifest_csv(desk, trip_id, path),
        )

    @Slot()
    def _on_slips_button_clicked(self) -> None:
        self._print_slips()

    def _print_slips(self) -> None:
        """Boarding slips with QR codes for the selected trip (when the service offers them)."""
        trip, desk, lang = self.selected_trip(), self.ctx.desk, self.second_language()
        printer = getattr(ev, "print_boarding_slips", None)
        if trip is None or printer is None:
            return
        trip_id = trip.id
        self._write_document(
            _("Boarding slips"),
            "pdf",
            _("PDF (*.pdf)"),
            lambda path: printer(desk, trip_id, path, second_language=lang),
            prefix="slips",
        )


__all__ = ["EvacuationPage", "manifest_file_name", "trip_text"]
