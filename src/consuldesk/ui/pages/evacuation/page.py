"""The Evacuation page, assembled from its parts."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import ManifestStatus
from consuldesk.i18n import _
from consuldesk.services import evacuation as ev
from consuldesk.ui.context import AppContext
from consuldesk.ui.pages.evacuation.documents import DocumentsPart
from consuldesk.ui.pages.evacuation.operations import OperationsPart
from consuldesk.ui.pages.evacuation.passengers import PassengersPart
from consuldesk.ui.pages.evacuation.scan import ScanPart
from consuldesk.ui.pages.evacuation.texts import (
    _OFFERED,
)
from consuldesk.ui.pages.evacuation.why import WhyPart
from consuldesk.ui.widgets.flow_layout import FlowLayout


class EvacuationPage(OperationsPart, PassengersPart, ScanPart, WhyPart, DocumentsPart):
    """Operations, legs and trips; a trip's passengers or a leg's waiting list; boarding."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._build_widgets()
        self._build_layout()
        self._build_actions()
        self._connect_signals()
        self._update_buttons()
        self.refresh()

    # -- building --------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self._build_operations_widgets()
        self._build_passengers_widgets()
        self._build_scan_widgets()
        self._build_documents_widgets()
        self._build_why_widgets()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        op_label = QLabel(_("Op&eration"))
        op_label.setBuddy(self.operation_box)
        top.addWidget(op_label)
        top.addWidget(self.operation_box, 1)
        top.addWidget(self.new_operation_button)
        top.addWidget(self.edit_operation_button)

        # Left: the legs and trips over their buttons, and under them why the selected person
        # is where they are. Keeping the "why" panel out of a third column leaves the passenger
        # table room on a 1024 px laptop (issue 10).
        trips = QWidget()
        trips_layout = QVBoxLayout(trips)
        trips_layout.setContentsMargins(0, 0, 0, 0)
        trips_layout.addWidget(self.tree, 1)
        grid = QGridLayout()
        for r, pair in enumerate(
            (
                (self.add_trip_button, self.new_leg_button),
                (self.edit_trip_button, self.trip_status_button),
                (self.candidates_button, self.walk_in_button),
            )
        ):
            for c, widget in enumerate(pair):
                grid.addWidget(widget, r, c)
        grid.addWidget(self.allocate_button, 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        trips_layout.addLayout(grid)
        self.trip_status_button.setSizePolicy(self.add_trip_button.sizePolicy())
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.addWidget(trips)
        self.left_splitter.addWidget(self.why_box)
        self.left_splitter.setChildrenCollapsible(False)
        self.left_splitter.setStretchFactor(0, 1)
        self.left_splitter.setStretchFactor(1, 1)
        self.left_splitter.setSizes([260, 340])  # a few legs and trips; the reason gets the rest

        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.title_label)
        centre_layout.addWidget(self.counts_label)
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
        # Documents sit with the trip they print, leaving the row under the table to boarding.
        for button in (self.print_button, self.csv_button, self.slips_button):
            filter_row.addWidget(button)
        centre_layout.addLayout(filter_row)
        centre_layout.addWidget(self.table_stack, 1)
        # The boarding buttons wrap onto a second line rather than widen the window.
        row_buttons = FlowLayout()
        for button in (
            self.board_button,
            self.no_show_button,
            self.offload_button,
            self.undo_button,
            self.move_button,
        ):
            row_buttons.addWidget(button)
        centre_layout.addLayout(row_buttons)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        # The trips wide enough for a whole tree line ("Dubai P 48213 · 06:00 12.03 · 41/49 ·
        # boarding") or their buttons; the passengers get the rest.
        left_width = max(
            self.left_splitter.minimumSizeHint().width(), self.fontMetrics().averageCharWidth() * 46
        )
        self.splitter.setSizes([left_width, 10_000])
        # Narrow windows squeeze the passenger table, not the trips.
        self.splitter.setChildrenCollapsible(False)

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
            self.walk_in_button,
            self.allocate_button,
            self.scan_field,
            self.open_scanned_button,
            self.filter_box,
            self.print_button,
            self.csv_button,
            self.slips_button,
            self.table,
            self.board_button,
            self.no_show_button,
            self.offload_button,
            self.undo_button,
            self.move_button,
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
        self.walk_in_button.clicked.connect(self._on_walk_in_button_clicked)
        self.allocate_button.clicked.connect(self._on_allocate_button_clicked)
        self.trip_status_menu.triggered.connect(self._on_trip_status_menu_triggered)
        self.scan_field.returnPressed.connect(self._on_scan_field_return_pressed)
        self.open_scanned_button.clicked.connect(self._on_open_scanned_button_clicked)
        self.filter_box.textChanged.connect(self._on_filter_box_text_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.installEventFilter(self)
        self.table.viewport().installEventFilter(self)  # re-share the columns on resize
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
        self.walk_in_button.setEnabled(leg is not None)
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
        # A narrow field cuts its placeholder: the tooltip says it whole.
        self.scan_field.setToolTip(self.scan_field.placeholderText())
        slips = hasattr(ev, "print_boarding_slips")
        self.slips_button.setVisible(slips)
        self.slips_button.setEnabled(slips and trip is not None)
        if trip is not None:
            offered = _OFFERED.get(trip.status, set())
            for status_, action in self.status_actions.items():
                action.setEnabled(status_ in offered)
            self.delete_trip_action.setEnabled(trip.boarded == 0)
