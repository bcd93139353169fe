"""Hotels: beds taken tonight, who sleeps where, check-in and check-out, and what it costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QLocale, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consuldesk.domain.enums import PlacementStatus
from consuldesk.domain.errors import ValidationError
from consuldesk.i18n import _, ngettext, plural_forms
from consuldesk.messages import describe, left_alone_sentence
from consuldesk.services.errors import ServiceError
from consuldesk.services.hotels import (
    ACTIVE_STATUSES,
    cancel_placement,
    check_in,
    check_out,
    costs,
    guests_at_the_desk,
    left_without_an_adult,
    occupancy,
    undo_leaving,
)
from consuldesk.services.views import CostReport, HotelOccupancyRow, HotelRow, PlacementRow
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.check_out_day import CheckOutDayDialog
from consuldesk.ui.dialogs.hotel import HotelDialog
from consuldesk.ui.dialogs.move_stay import MoveStayDialog
from consuldesk.ui.dialogs.placement import PlacementDialog
from consuldesk.ui.models.hotels import (
    COL_COST_LABEL,
    COL_GUEST,
    PAID_BY_LABELS,
    PLACEMENT_STATUS_LABELS,
    CostsModel,
    GuestsModel,
    HotelsModel,
    due_to_leave,
    format_date,
)

REFRESH_DELAY_MS = 100
# Tables whose changes alter what the page shows (names, tour groups feed guests and costs).
WATCHED_TABLES = {"hotel", "placement", "national", "household", "household_member"}


#: What a change made stay by stay gives back: the stays written, those refused and why.
_Each = tuple[list[Any], list[tuple[PlacementRow, BaseException]]]


def _each(stays: list[PlacementRow], change: Callable[[PlacementRow], Any]) -> _Each:
    """``change`` each stay in its own transaction (check in, out, cancel, undo): those that
    cannot be changed are kept with the reason, the others are done."""
    written: list[Any] = []
    refused: list[tuple[PlacementRow, BaseException]] = []
    for stay in stays:
        try:
            written.append(change(stay))
        except (ServiceError, ValidationError, NotFound) as exc:
            refused.append((stay, exc))
    return written, refused


def placement_status(status: str) -> str:
    """A stay's status as the guests table says it."""
    return _(PLACEMENT_STATUS_LABELS.get(status, status))


def _table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class HotelsPage(QWidget):
    """Hotels with tonight's occupancy; the selected hotel's guests; cost totals by currency."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0
        self._guests_serial = 0
        self._selected_hotel_id: str | None = None

        self.add_hotel_button = QPushButton(_("&Add hotel…"))
        self.edit_hotel_button = QPushButton(_("&Edit hotel…"))
        self.edit_hotel_button.setToolTip(
            _("Correct the hotel's beds, rate or name, or remove one added by mistake")
        )
        self.edit_hotel_button.setEnabled(False)
        self.place_button = QPushButton(_("P&lace people…"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setToolTip(_("Reload from the case file (F5)"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)

        self.hotels_model = HotelsModel(self)
        self.hotels_table = _table(self.hotels_model)

        self.guests_title = QLabel()
        self.guests_title.setWordWrap(True)  # a long hotel name must not widen the window
        self.guests_model = GuestsModel(self)
        self.guests_table = _table(self.guests_model)
        # A tour group arrives or leaves together: Shift or Ctrl chooses several guests, and
        # Check in, Check out and Cancel booking act on each that can be (20 clicks for 20).
        self.guests_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # The name takes the spare width, so the columns look right before there are guests.
        guests_header = self.guests_table.horizontalHeader()
        guests_header.setStretchLastSection(False)
        guests_header.setSectionResizeMode(COL_GUEST, QHeaderView.ResizeMode.Stretch)
        self.check_in_button = QPushButton(_("Check &in"))
        self.check_out_button = QPushButton(_("Check o&ut"))
        self.cancel_button = QPushButton(_("Ca&ncel booking"))
        self.move_button = QPushButton(_("&Move…"))
        self.move_button.setToolTip(
            _("To another room or hotel, keeping their dates, payer and arrival")
        )
        self.change_day_button = QPushButton(_("Change check-out…"))
        self.change_day_button.setToolTip(
            _(
                "Extend the stay (flights cancelled) or end it earlier, for the whole room if "
                "they leave together"
            )
        )
        self.check_out_box: QMessageBox | None = None  # the question before an early check-out
        self.action_label = QLabel()
        self.action_label.setWordWrap(True)
        # A check-out or cancelled booking just done can be taken back (the wrong row).
        self.undo_button = QPushButton(_("Undo"))
        self.undo_button.setToolTip(_("Put the stay back as it was (Ctrl+Z)"))
        self.undo_button.hide()
        self._undo: list[PlacementRow] = []  # the stays the last check-out or cancel ended
        self.undo_box: QMessageBox | None = None  # the question when the hotel is full
        self._undo_action = QAction(_("Undo"), self)
        self._undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self._undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self._undo_action)

        self.costs_note = QLabel()
        self.costs_note.setWordWrap(True)
        self.hotel_costs_model = CostsModel(_("Hotel"), parent=self)
        self.operator_costs_model = CostsModel(
            _("Tour operator"), none_label=_("No tour operator"), parent=self
        )
        self.payer_costs_model = CostsModel(_("Paid by"), labels=PAID_BY_LABELS, parent=self)
        self.hotel_costs_table = _table(self.hotel_costs_model)
        self.operator_costs_table = _table(self.operator_costs_model)
        self.payer_costs_table = _table(self.payer_costs_model)
        # One table at a time, the page's full width: side by side, amounts were cut off.
        self.costs_by_box = QComboBox()
        self.costs_stack = QStackedWidget()
        for title, view in (
            (_("By hotel"), self.hotel_costs_table),
            (_("By tour operator"), self.operator_costs_table),
            (_("By who pays"), self.payer_costs_table),
        ):
            self.costs_by_box.addItem(title)
            self.costs_stack.addWidget(view)
            header = view.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(COL_COST_LABEL, QHeaderView.ResizeMode.Stretch)

        self._build_layout()
        self._refresh_action = QAction(_("Refresh"), self)
        self._refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self._refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self._refresh_action)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._connect_signals()
        self._update_guest_buttons()
        self.refresh()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_hotel_button)
        buttons.addWidget(self.edit_hotel_button)
        buttons.addWidget(self.place_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)

        guests = QWidget()
        guests_layout = QVBoxLayout(guests)
        guests_layout.addWidget(self.guests_title)
        guests_layout.addWidget(self.guests_table, 1)
        guest_buttons = QHBoxLayout()
        guest_buttons.addWidget(self.check_in_button)
        guest_buttons.addWidget(self.check_out_button)
        guest_buttons.addWidget(self.cancel_button)
        guest_buttons.addWidget(self.move_button)
        guest_buttons.addWidget(self.change_day_button)
        guest_buttons.addWidget(self.action_label, 1)
        guest_buttons.addWidget(self.undo_button)
        guests_layout.addLayout(guest_buttons)

        costs_page = QWidget()
        costs_layout = QVBoxLayout(costs_page)
        by_row = QHBoxLayout()
        by_label = QLabel(_("&Totals"))
        by_label.setBuddy(self.costs_by_box)
        by_row.addWidget(by_label)
        by_row.addWidget(self.costs_by_box)
        by_row.addWidget(self.costs_note, 1)
        costs_layout.addLayout(by_row)
        costs_layout.addWidget(self.costs_stack, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(guests, _("Guests tonight"))
        self.tabs.addTab(costs_page, _("Costs"))

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.hotels_table)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.add_hotel_button, self.edit_hotel_button)
        self.setTabOrder(self.edit_hotel_button, self.place_button)
        self.setTabOrder(self.place_button, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.hotels_table)
        self.setTabOrder(self.hotels_table, self.tabs)
        self.setTabOrder(self.tabs, self.guests_table)
        self.setTabOrder(self.guests_table, self.check_in_button)

    def _connect_signals(self) -> None:
        self.add_hotel_button.clicked.connect(self._on_add_hotel_button_clicked)
        self.edit_hotel_button.clicked.connect(self._on_edit_hotel_button_clicked)
        self.hotels_table.doubleClicked.connect(self._on_edit_hotel_button_clicked)
        self.place_button.clicked.connect(self._on_place_button_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.costs_by_box.currentIndexChanged.connect(self.costs_stack.setCurrentIndex)
        self._refresh_action.triggered.connect(self.refresh)
        self._refresh_timer.timeout.connect(self.refresh)
        self.hotels_table.selectionModel().selectionChanged.connect(
            self._on_hotels_selection_changed
        )
        self.guests_table.selectionModel().selectionChanged.connect(
            self._on_guests_selection_changed
        )
        self.check_in_button.clicked.connect(self._on_check_in_button_clicked)
        self.check_out_button.clicked.connect(self._on_check_out_button_clicked)
        self.change_day_button.clicked.connect(self.open_check_out_day_dialog)
        self.move_button.clicked.connect(self.open_move_dialog)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.undo_button.clicked.connect(self.undo)
        self._undo_action.triggered.connect(self.undo)
        self.ctx.events.changed.connect(self._on_case_file_changed)

    # -- loading -------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload hotels, occupancy and costs off the UI thread, then the selected guests."""
        desk = self.ctx.desk
        self._serial += 1
        serial = self._serial
        self.ctx.tasks.run(
            lambda: (occupancy(desk), costs(desk)),
            lambda result: self._on_refresh_done(serial, *result),
            self._on_refresh_failed,
        )

    def _on_refresh_done(
        self, serial: int, rows: list[HotelOccupancyRow], report: CostReport
    ) -> None:
        if serial != self._serial:
            return
        keep = self._selected_hotel_id
        self.hotels_model.set_rows(rows)
        self.hotels_table.resizeColumnsToContents()
        self.hotel_costs_model.set_rows(report.by_hotel)
        self.operator_costs_model.set_rows(report.by_operator)
        self.payer_costs_model.set_rows(report.by_payer)
        for view in (self.hotel_costs_table, self.operator_costs_table, self.payer_costs_table):
            view.resizeColumnsToContents()
        self.costs_note.setText(
            _(
                "Costs of the nights before {day}, per currency (different currencies are "
                "never added together). Cancelled bookings cost nothing."
            ).format(day=format_date(report.until))
            if report.by_hotel
            else _("No stays yet, so no costs.")
        )
        if not rows:
            self.status_label.setText(
                _("No hotels yet: add the hotels the embassy books with “Add hotel…”.")
            )
        else:
            beds = sum(r.beds for r in rows)
            taken = sum(r.occupied for r in rows)
            over = [r.hotel.name for r in rows if r.overbooked]
            n = QLocale().toString  # 1 736 in Kazakh and Russian, as on the overview
            text = _("{hotels} hotels, {taken} of {beds} beds taken tonight.").format(
                hotels=n(len(rows)), taken=n(taken), beds=n(beds)
            )
            if over:
                text += " " + _("Overbooked: {names}.").format(names=", ".join(over))
            self.status_label.setText(text)
        row = self.hotels_model.row_for(keep) if keep else -1
        self.hotels_table.selectRow(max(row, 0) if rows else -1)
        if rows and row >= 0:
            self._load_guests()  # same hotel selected: selectionChanged may not fire
        elif not rows:
            self._selected_hotel_id = None
            self._load_guests()

    def _on_refresh_failed(self, exc: BaseException) -> None:
        self.status_label.setText(describe(exc))

    @Slot(object)
    def _on_case_file_changed(self, changes: object) -> None:
        if WATCHED_TABLES & getattr(changes, "tables", set()):
            self._refresh_timer.start()  # several writes in a row: one reload

    def hotels(self) -> list[HotelRow]:
        """The hotels shown."""
        return [r.hotel for r in self.hotels_model.rows()]

    def selected_hotel(self) -> HotelRow | None:
        """The hotel whose guests are shown."""
        row = self.hotels_model.row_for(self._selected_hotel_id or "")
        return self.hotels_model.row_at(row).hotel if row >= 0 else None

    @Slot(QItemSelection, QItemSelection)
    def _on_hotels_selection_changed(self, *_args: object) -> None:
        rows = self.hotels_table.selectionModel().selectedRows()
        hotel_id = self.hotels_model.row_at(rows[0].row()).hotel.id if rows else None
        self.edit_hotel_button.setEnabled(hotel_id is not None)
        if hotel_id != self._selected_hotel_id:
            self._selected_hotel_id = hotel_id
            self.action_label.clear()
            self._offer_undo(None)  # what it would undo is another hotel's, and unsaid now
            self._load_guests()

    def _load_guests(self) -> None:
        self._guests_serial += 1
        serial = self._guests_serial
        hotel = self.selected_hotel()
        if hotel is None:
            self.guests_model.set_rows([])
            self.guests_title.setText(_("Choose a hotel above to see its guests."))
            self._update_guest_buttons()
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: guests_at_the_desk(desk, hotel.id),
            lambda rows: self._on_guests_done(serial, hotel, rows),
            self._on_refresh_failed,
        )

    def _on_guests_done(self, serial: int, hotel: HotelRow, rows: list[PlacementRow]) -> None:
        if serial != self._guests_serial:
            return
        today = self.ctx.desk.today()
        chosen = {g.id for g in self.selected_guests()}
        self.guests_model.today = today
        self.guests_model.set_rows(rows)
        self.guests_table.resizeColumnsToContents()
        # The guests acted on stay selected, if still listed: all of them, not the row that
        # happens to be where the first one was (a child who was not one of them).
        selection = self.guests_table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for n, r in enumerate(rows):
            if r.id in chosen:
                selection.select(self.guests_model.index(n, 0), flags)
        day = format_date(today)
        leaving = sum(1 for r in rows if due_to_leave(r, today) is not None)
        staying = len(rows) - leaving
        if rows:
            title = _("{hotel}: {n} guests on the night of {day}").format(
                hotel=hotel.name, n=staying, day=day
            )
            if leaving:
                title += " · " + _("due to check out: {n}").format(n=leaving)
            self.guests_title.setText(title)
        else:
            self.guests_title.setText(
                _(
                    "Nobody stays at {hotel} on the night of {day}. Book beds with “Place people…”."
                ).format(hotel=hotel.name, day=day)
            )
        self._update_guest_buttons()

    # -- guests --------------------------------------------------------------------------

    def selected_guest(self) -> PlacementRow | None:
        """The placement selected in the guests table (the first, if several are)."""
        guests = self.selected_guests()
        return guests[0] if guests else None

    def selected_guests(self) -> list[PlacementRow]:
        """The placements selected in the guests table, in its order."""
        rows = sorted(r.row() for r in self.guests_table.selectionModel().selectedRows())
        return [self.guests_model.row_at(r) for r in rows]

    @Slot(QItemSelection, QItemSelection)
    def _on_guests_selection_changed(self, *_args: object) -> None:
        self._update_guest_buttons()

    def _update_guest_buttons(self) -> None:
        guests = self.selected_guests()
        statuses = {g.status for g in guests}
        booked = PlacementStatus.BOOKED.value in statuses
        active = bool(statuses & set(ACTIVE_STATUSES))  # booked or checked in: still to leave
        self.check_in_button.setEnabled(booked)
        self.check_out_button.setEnabled(active)
        self.cancel_button.setEnabled(booked)
        # The day is one guest's (and their room's): chosen for one at a time.
        self.change_day_button.setEnabled(active and len(guests) == 1)
        self.move_button.setEnabled(active)
        self.place_button.setEnabled(bool(self.hotels_model.rowCount()))

    def _act(
        self,
        fn: Callable[..., Any],
        done_text: str,
        guest: PlacementRow | None = None,
        *,
        guests: list[PlacementRow] | None = None,
        many_text: tuple[str, str] = ("", ""),
        skipped: list[PlacementRow] | None = None,
    ) -> None:
        """Run ``fn`` (check in, check out, cancel) for one guest, or for each of ``guests``:
        each stay its own change, those that cannot be done named with the reason."""
        chosen = (
            guests if guests is not None else [g for g in [guest or self.selected_guest()] if g]
        )
        if not chosen:
            return
        desk = self.ctx.desk
        for button in (
            self.check_in_button,
            self.check_out_button,
            self.cancel_button,
            self.change_day_button,
            self.move_button,
        ):
            button.setEnabled(False)

        def work() -> _Each:
            return _each(chosen, lambda g: fn(desk, g.id))

        def done(result: _Each) -> None:
            written, refused = result
            one = len(chosen) == 1 and written
            # A Shift-click too far checks a whole family out: the batch is taken back as one.
            self._offer_undo(
                [w.row for w in written] if fn in (check_out, cancel_placement) else None
            )
            if one:
                text = done_text.format(name=chosen[0].person_name)
            elif written:
                text = ngettext(*many_text, len(written)).format(n=len(written))
            else:
                text = ""
            said = [text] if text else []
            said += [f"{g.person_name}: {describe(exc)}" for g, exc in refused]
            if skipped:  # chosen with the others, but nothing to do for them: named
                said.append(
                    _("Left as they were: {names}").format(
                        names=", ".join(
                            f"{g.person_name} ({placement_status(g.status)})" for g in skipped
                        )
                    )
                )
            self.action_label.setText("\n".join(said))
            for w in written:
                self.ctx.events.changed.emit(w.changes)
            self._update_guest_buttons()
            if self.isVisible():
                # The button clicked greyed out and let the keys go: back to the guests, where
                # Ctrl+Z (undo) and the next row are.
                self.guests_table.setFocus()

        def failed(exc: BaseException) -> None:
            self.action_label.setText(describe(exc))
            self._update_guest_buttons()

        self.ctx.tasks.run(work, done, failed)

    def _offer_undo(self, rows: list[PlacementRow] | None) -> None:
        """Offer to take back the check-out or cancellation of ``rows`` (``None``: nothing)."""
        self._undo = list(rows or [])
        self.undo_button.setVisible(bool(self._undo))
        self.undo_button.setEnabled(bool(self._undo))

    @Slot()
    def undo(self) -> None:
        """Put the stays just checked out or cancelled back as they were (asks when the
        hotel has no bed left for them: someone else may have been given it)."""
        self._undo_stay(allow_overbook=False)

    def _undo_stay(self, allow_overbook: bool) -> None:
        rows = list(self._undo)
        if not rows or not self.undo_button.isEnabled():
            return
        self.undo_button.setEnabled(False)
        desk = self.ctx.desk

        def work() -> _Each:
            return _each(rows, lambda r: undo_leaving(desk, r.id, allow_overbook=allow_overbook))

        def done(result: _Each) -> None:
            written, refused = result
            for w in written:
                self.ctx.events.changed.emit(w.changes)
            said = []
            if len(written) == 1 and len(rows) == 1:
                back = written[0].row
                if back.status == PlacementStatus.CHECKED_IN.value:
                    said.append(_("{name} is checked in again.").format(name=back.person_name))
                else:
                    said.append(_("{name} is booked again.").format(name=back.person_name))
            elif written:
                said.append(
                    ngettext(
                        "{n} stay is back as it was.",
                        "{n} stays are back as they were.",
                        len(written),
                    ).format(n=len(written))
                )
            said += [f"{r.person_name}: {describe(exc)}" for r, exc in refused]
            self.action_label.setText("\n".join(said))
            self._offer_undo([r for r, _exc in refused])  # what is left to take back
            full = [r for r, exc in refused if getattr(exc, "code", "") == "hotel.full"]
            if full and not allow_overbook:
                first = next(exc for r, exc in refused if r is full[0])
                self.undo_box = ask(
                    self,
                    ngettext(
                        "No bed left for {name}", "No bed left for {name} and others", len(full)
                    ).format(name=full[0].person_name),
                    describe(first) + "\n\n" + _("Put the stay back all the same?"),
                    lambda: self._undo_stay(allow_overbook=True),
                    yes=_("Put back anyway"),
                    no=_("Leave it"),
                )

        self.ctx.tasks.run(work, done, lambda exc: self.action_label.setText(describe(exc)))

    @Slot()
    def _on_check_in_button_clicked(self) -> None:
        chosen = self.selected_guests()
        booked = [g for g in chosen if g.status == PlacementStatus.BOOKED.value]
        self._act(
            check_in,
            _("{name} checked in."),
            guests=booked,
            many_text=plural_forms("{n} guest checked in.", "{n} guests checked in."),
            skipped=[g for g in chosen if g not in booked],
        )

    @Slot()
    def _on_check_out_button_clicked(self) -> None:
        leaving = [g for g in self.selected_guests() if g.status in ACTIVE_STATUSES]
        if not leaving:
            return
        self.check_out_box = None
        desk = self.ctx.desk
        ids = [g.id for g in leaving]
        self.ctx.tasks.run(
            lambda: left_without_an_adult(desk, ids),
            lambda alone: self._confirm_check_out(leaving, alone),
            lambda exc: self.action_label.setText(describe(exc)),
        )

    def _confirm_check_out(self, leaving: list[PlacementRow], alone: list[str]) -> None:
        """Check the guests out, asking first when one is leaving before the day booked (the
        wrong row is easy to click at the end of a long list) or when a child of their
        family would stay on at the hotel without an adult of the family."""
        today = self.ctx.desk.today()
        early = [g for g in leaving if g.check_out is not None and g.check_out > today]

        def go() -> None:
            self._act(
                check_out,
                _("{name} checked out."),
                guests=leaving,
                many_text=plural_forms("{n} guest checked out.", "{n} guests checked out."),
            )

        if not early and not alone:
            go()  # their day: no question
            return
        said = []
        if alone:
            said.append(left_alone_sentence(alone, leaving[0].hotel_name))
        if len(early) == 1 and len(leaving) == 1:
            guest = early[0]
            said.append(
                _("{name} is booked until {day}. Check them out today, {today}?").format(
                    name=guest.person_name,
                    day=format_date(guest.check_out),
                    today=format_date(today),
                )
            )
        elif early:
            said.append(
                ngettext(
                    "{n} of them is booked beyond today. Check them all out today, {today}?",
                    "{n} of them are booked beyond today. Check them all out today, {today}?",
                    len(early),
                ).format(n=len(early), today=format_date(today))
            )
        elif len(leaving) == 1:
            said.append(_("Check {name} out all the same?").format(name=leaving[0].person_name))
        else:
            said.append(_("Check them out all the same?"))
        self.check_out_box = ask(
            self,
            _("A child would be left without an adult")
            if alone
            else _("Check out before the day booked?"),
            "\n\n".join(said),
            go,
            yes=_("Check out today") if early else _("Check out all the same"),
            no=_("Keep the stay") if len(leaving) == 1 else _("Keep the stays"),
        )

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        chosen = self.selected_guests()
        booked = [g for g in chosen if g.status == PlacementStatus.BOOKED.value]
        self._act(
            skipped=[g for g in chosen if g not in booked],
            fn=cancel_placement,
            done_text=_("Booking of {name} cancelled."),
            guests=booked,
            many_text=plural_forms("{n} booking cancelled.", "{n} bookings cancelled."),
        )

    # -- dialogs -------------------------------------------------------------------------

    def launch(self, dialog: Any) -> None:
        """Show a dialog without blocking (tests override or drive it directly)."""
        dialog.open()

    @Slot()
    def _on_add_hotel_button_clicked(self) -> None:
        self.open_hotel_dialog()

    @Slot()
    def _on_place_button_clicked(self) -> None:
        self.open_placement_dialog()

    @Slot()
    def _on_edit_hotel_button_clicked(self) -> None:
        hotel = self.selected_hotel()
        if hotel is not None:
            self.open_hotel_dialog(hotel)

    def open_hotel_dialog(self, hotel: HotelRow | None = None) -> HotelDialog:
        """Open the form for a new hotel, or for ``hotel`` to correct or remove it."""
        dialog = HotelDialog(self.ctx, self, hotel)
        dialog.saved.connect(self._on_hotel_dialog_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    def open_placement_dialog(self) -> PlacementDialog:
        """Open the placement dialog on the selected hotel."""
        dialog = PlacementDialog(self.ctx, self.hotels(), self._selected_hotel_id, self)
        dialog.placed.connect(self._on_placement_dialog_placed)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    def open_check_out_day_dialog(self) -> CheckOutDayDialog | None:
        """Change the check-out day of the selected guest (and of their room-mates leaving
        the same day, offered together)."""
        guest = self.selected_guest()
        if guest is None:
            return None
        mates = [
            r
            for r in self.guests_model.rows()
            if r.id != guest.id
            and guest.room
            and r.room == guest.room
            and r.status in ACTIVE_STATUSES
            and r.check_out == guest.check_out
        ]
        dialog = CheckOutDayDialog(self.ctx, guest, mates, self)
        dialog.saved.connect(self._on_check_out_day_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    def open_move_dialog(self) -> MoveStayDialog | None:
        """Move the chosen guests (those still to leave) to another room or hotel."""
        guests = [g for g in self.selected_guests() if g.status in ACTIVE_STATUSES]
        if not guests:
            return None
        dialog = MoveStayDialog(self.ctx, guests, self.hotels(), self)
        dialog.moved.connect(self._on_moved)
        dialog.finished.connect(dialog.deleteLater)
        self.launch(dialog)
        return dialog

    @Slot(object)
    def _on_moved(self, written: Any) -> None:
        self._offer_undo(None)
        rows = written.row
        if not rows:
            return
        where = rows[0].hotel_name
        if rows[0].room:
            where = _("{hotel}, room {room}").format(hotel=where, room=rows[0].room)
        self.action_label.setText(
            ngettext(
                "{n} guest moved to {where} from {day}.",
                "{n} guests moved to {where} from {day}.",
                len(rows),
            ).format(n=len(rows), where=where, day=format_date(min(r.check_in for r in rows)))
        )

    @Slot(object)
    def _on_check_out_day_saved(self, written: Any) -> None:
        self._offer_undo(None)
        rows = written.row
        day = format_date(rows[0].check_out) if rows[0].check_out else _("not known yet")
        name, more = rows[0].person_name, len(rows) - 1
        if more:
            text = ngettext(
                "Check-out of {name} and {n} more is now {day}.",
                "Check-out of {name} and {n} more is now {day}.",
                more,
            ).format(name=name, n=more, day=day)
        else:
            text = _("Check-out of {name} is now {day}.").format(name=name, day=day)
        self.action_label.setText(text)

    @Slot(object)
    def _on_hotel_dialog_saved(self, written: Any) -> None:
        if written.row is not None:  # added or corrected: shown once reloaded
            self._selected_hotel_id = written.row.id
        self._offer_undo(None)
        self.action_label.clear()

    @Slot(object)
    def _on_placement_dialog_placed(self, written: Any) -> None:
        self._offer_undo(None)
        rows = written.row
        if rows:
            self._selected_hotel_id = rows[0].hotel_id
            first = min(r.check_in for r in rows)
            if first > self.ctx.desk.today():
                # Not among tonight's guests yet: say when they come, or the list looks wrong.
                text = _("{n} placed at {hotel} from {day}; tonight's guests do not list them.")
                self.action_label.setText(
                    text.format(n=len(rows), hotel=rows[0].hotel_name, day=f"{first:%d.%m.%Y}")
                )
            else:
                self.action_label.setText(
                    _("{n} placed at {hotel}.").format(n=len(rows), hotel=rows[0].hotel_name)
                )


__all__ = ["HotelsPage"]
