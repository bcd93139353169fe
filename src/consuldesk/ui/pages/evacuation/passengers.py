"""The passenger table: a trip's passengers or a leg's waiting list; boarding keys; moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QObject, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
)

from consuldesk.domain.enums import ManifestStatus, TripStatus
from consuldesk.i18n import _, ngettext
from consuldesk.messages import (
    STATUS_WORD_LABELS,
)
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import (
    PassengerRow,
)
from consuldesk.ui.models.passengers import (
    COL_AGE,
    COL_NAME,
    COL_PROBLEMS,
    COL_SEAT,
    COL_STATUS,
    PassengersModel,
    status_text,
)
from consuldesk.ui.pages.evacuation.base import PageBase
from consuldesk.ui.pages.evacuation.texts import (
    _REMOVE,
    _ROW_KEYS,
    _local,
    trip_when,
)


def problems_least(metrics: QFontMetrics) -> int:
    """The narrowest the problems column gets: its warning sign and the start of a word."""
    return metrics.horizontalAdvance("⚠ MMMM") + 12  # the cell's margins and the ellipsis


class PassengersPart(PageBase):
    """Title and counts, the filter, the table, the boarding and Move buttons."""

    def _build_passengers_widgets(self) -> None:
        self.title_label = QLabel()
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)  # long counts wrap instead of widening the window
        self.filter_label = QLabel(_("&Filter"))
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(_("Name, passport, seat or household"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setToolTip(self.filter_box.placeholderText())
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

    def select_passenger(self, entry_id: str) -> None:
        """Select a passenger's row (when shown)."""
        self._selected_entry = entry_id
        row = self.model.row_of(entry_id)
        if row >= 0:
            self.table.selectRow(row)

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
            trip_id, day = trip.id, ev.day_of_travel(trip, desk.today())
            self.ctx.tasks.run(
                lambda: ev.passengers(desk, trip_id),
                lambda rows: self._on_rows_loaded(serial, rows, False, day),
                self._show_error,
            )
        else:
            op_id, leg_no = op.id, leg.leg_no
            self.ctx.tasks.run(
                lambda: ev.pool(desk, op_id, leg_no),
                lambda rows: self._on_rows_loaded(serial, rows, True),
                self._show_error,
            )

    def _on_rows_loaded(
        self, serial: int, rows: list[PassengerRow], waiting: bool, day: date | None = None
    ) -> None:
        if serial != self._rows_serial:
            return
        keep = self._selected_entry
        self.model.set_passengers(rows, waiting_list=waiting, on=day)
        if rows:
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            self._content_widths = {c: header.sectionSize(c) for c in (COL_NAME, COL_PROBLEMS)}
            self._fit_columns()
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._selected_entry = None
            self._show_why(None)
        self._show_rows_state()
        self._update_buttons()

    def _fit_columns(self) -> None:
        """Keep seat, status, name, age and problems in view at any width.

        Seat, status and age stay whole; when the table is narrower than its contents the name
        comes first (it is read out at the bus door) and the problems take what it leaves, at
        least their title, warning sign and a word's start (the whole text is under "Why here?"
        and in the tooltip); whatever does not fit elides. The columns after them scroll sideways.
        """
        widths = self._content_widths
        if not widths:
            return
        header = self.table.horizontalHeader()
        room = self.table.viewport().width() - sum(
            header.sectionSize(c) for c in (COL_SEAT, COL_STATUS, COL_AGE)
        )
        name, problems = widths[COL_NAME], widths[COL_PROBLEMS]
        metrics = self.table.fontMetrics()
        least_name = metrics.horizontalAdvance("M" * 8)
        least_problems = max(problems_least(metrics), header.sectionSizeHint(COL_PROBLEMS))
        if name + problems > room:
            name = max(least_name, min(name, room - least_problems))
            problems = max(least_problems, min(problems, room - name))
        header.resizeSection(COL_NAME, name)
        header.resizeSection(COL_PROBLEMS, problems)

    def _show_title(self) -> None:
        leg, trip = self.selected_leg(), self.selected_trip()
        if trip is not None:
            when = _local(trip.departure_at)
            parts = [f"{trip.label} — {trip.origin} → {trip.destination}"]
            if when:
                parts.append(f"{when:%H:%M %d.%m.%Y}")
            parts.append(_(STATUS_WORD_LABELS.get(trip.status, trip.status)))
            self.title_label.setText(" · ".join(parts))
            counts = _("Boarded {boarded} of {seated}").format(
                boarded=trip.boarded, seated=trip.seated
            )
            if trip.is_open:
                counts += " · " + ngettext("{n} seat free", "{n} seats free", trip.free).format(
                    n=trip.free
                )
            elif trip.status != TripStatus.CANCELLED and trip.free:
                # Gone with the bus: no seat anybody can still be given.
                counts += " · " + ngettext(
                    "left with {n} seat empty", "left with {n} seats empty", trip.free
                ).format(n=trip.free)
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
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
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
        # Left behind while their family goes (or the reverse): said, never silently split.
        family = [
            r
            for r in self.model.rows()
            if row.household_id
            and r.household_id == row.household_id
            and r.entry_id != row.entry_id
            and r.status in (ManifestStatus.ALLOCATED.value, ManifestStatus.BOARDED.value)
        ]

        def done(written: Any) -> None:
            self._clear_scan_result()  # "✓ Boarded" of a scan before is no longer so
            word = status_text(written.row.status)
            text = _("{name}: {status}.").format(name=name, status=word)
            if family and status in (ManifestStatus.NO_SHOW, ManifestStatus.OFFLOADED):
                names = ", ".join(r.person.name_cyr or r.person.name for r in family)
                text += " " + ngettext(
                    "{n} of their family stays on this trip: {names}.",
                    "{n} of their family stay on this trip: {names}.",
                    len(family),
                ).format(n=len(family), names=names)
            self._say(text)

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
        # The open vehicles too small for them: shown, greyed, with why (not silently left out).
        leg = self.selected_leg()
        if row is not None and leg is not None:
            for t in leg.trips:
                if t.is_open and t.id != row.trip_id and t.free < row.travels_with:
                    self.move_menu.addAction(
                        ngettext(
                            "{trip} · {free} free: {n} seat needed",
                            "{trip} · {free} free: {n} seats needed",
                            row.travels_with,
                        ).format(trip=t.label, free=t.free, n=row.travels_with)
                    ).setEnabled(False)
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
