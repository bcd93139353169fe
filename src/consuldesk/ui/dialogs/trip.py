"""Add or edit one vehicle of an evacuation leg: a bus, a flight, a train, a ferry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import TripMode
from consuldesk.i18n import _, ngettext
from consuldesk.services.evacuation import (
    OperationRow,
    TripFields,
    TripRow,
    add_trip,
    get_operation,
    update_trip,
)
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.operation import FormDialog
from consuldesk.ui.widgets.date_field import DueField

TRIP_MODE_LABELS = {
    TripMode.BUS: "Bus",
    TripMode.FLIGHT: "Flight",
    TripMode.TRAIN: "Train",
    TripMode.FERRY: "Ferry",
    TripMode.OTHER: "Other",
}
#: Seats a new trip starts with, by mode (a coach; a narrow-body airliner).
DEFAULT_CAPACITY = {TripMode.BUS: 49, TripMode.FLIGHT: 180}
# What the vehicle field and the carrier field ask for, by mode.
VEHICLE_LABELS = {
    TripMode.BUS: "Vehicle &plate",
    TripMode.FLIGHT: "Flight &number",
    TripMode.TRAIN: "Train &number",
    TripMode.FERRY: "&Vessel",
    TripMode.OTHER: "&Vehicle",
}
CARRIER_LABELS = {
    TripMode.BUS: "Dri&ver or carrier",
    TripMode.FLIGHT: "Air&line",
    TripMode.TRAIN: "Rail&way company",
    TripMode.FERRY: "Ferry &line",
    TripMode.OTHER: "Dri&ver or carrier",
}
#: A new trip leaves at this hour of the next day until the officer types its time.
DEFAULT_HOUR = 8


class TripDialog(FormDialog):
    """A form for one vehicle of a leg; saved off the UI thread.

    A new trip on a leg that already has one starts from that trip's route and border.

    Signals:
        saved(str): the trip's id, once saved (from :class:`FormDialog`).
    """

    def __init__(
        self,
        ctx: AppContext,
        operation_id: str,
        trip: TripRow | None,
        leg_no: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.operation_id = operation_id
        self.trip = trip
        self.setWindowTitle(
            _("Edit trip {label}").format(label=trip.label) if trip else _("Add a trip")
        )
        self.setMinimumWidth(520)

        self.leg_box = QSpinBox()
        self.leg_box.setRange(1, 99)
        self.leg_box.setValue(trip.leg_no if trip else max(leg_no, 1))
        self.mode_box = QComboBox()
        for mode, label in TRIP_MODE_LABELS.items():
            self.mode_box.addItem(_(label), mode.value)
        self.origin_edit = QLineEdit()
        self.origin_edit.setPlaceholderText(_("e.g. Dubai, Al Qusais assembly point"))
        self.destination_edit = QLineEdit()
        self.destination_edit.setPlaceholderText(_("e.g. Muscat airport"))
        self.border_edit = QLineEdit()
        self.border_edit.setPlaceholderText(_("e.g. Hatta / Al Wajajah; leave empty if none"))
        self.departure_edit = DueField()
        self.no_departure_box = QCheckBox(_("Not fixed &yet"))
        self.capacity_box = QSpinBox()
        self.capacity_box.setRange(1, 999)
        self.capacity_box.setSuffix(" " + _("seats"))
        self.vehicle_edit = QLineEdit()
        self.carrier_edit = QLineEdit()
        self.escort_edit = QLineEdit()
        self.escort_edit.setPlaceholderText(_("the officer who travels with them"))

        departure_row = QHBoxLayout()
        departure_row.addWidget(self.departure_edit)
        departure_row.addWidget(self.no_departure_box)
        departure_row.addStretch(1)
        departure_label = QLabel(_("&Departure (local time)"))
        departure_label.setBuddy(self.departure_edit)  # a row holding a layout has no buddy
        leg_row = QHBoxLayout()
        leg_row.addWidget(self.leg_box)
        leg_row.addStretch(1)
        leg_label = QLabel(_("&Leg"))
        leg_label.setBuddy(self.leg_box)
        capacity_row = QHBoxLayout()
        capacity_row.addWidget(self.capacity_box)
        capacity_row.addStretch(1)
        capacity_label = QLabel(_("&Capacity"))
        capacity_label.setBuddy(self.capacity_box)
        self.vehicle_label = QLabel()
        self.vehicle_label.setBuddy(self.vehicle_edit)
        self.carrier_label = QLabel()
        self.carrier_label.setBuddy(self.carrier_edit)

        self.add_field_row(leg_label, leg_row, "leg_no")
        self.field_widgets["leg_no"] = self.leg_box
        self.add_field_row(_("&Mode"), self.mode_box, "mode")
        self.add_field_row(_("&From"), self.origin_edit, "origin")
        self.add_field_row(_("&To"), self.destination_edit, "destination")
        self.add_field_row(_("&Border crossing"), self.border_edit, "border_crossing")
        self.add_field_row(departure_label, departure_row, "departure_at")
        self.field_widgets["departure_at"] = self.departure_edit
        self.add_field_row(capacity_label, capacity_row, "capacity")
        self.field_widgets["capacity"] = self.capacity_box
        self.add_field_row(self.vehicle_label, self.vehicle_edit, "vehicle")
        self.add_field_row(self.carrier_label, self.carrier_edit, "carrier")
        self.add_field_row(_("&Escort officer"), self.escort_edit, "escort_officer")

        self.lay_out()
        order = [
            self.leg_box,
            self.mode_box,
            self.origin_edit,
            self.destination_edit,
            self.border_edit,
            self.departure_edit.date_field.edit,
            self.departure_edit.time_edit,
            self.no_departure_box,
            self.capacity_box,
            self.vehicle_edit,
            self.carrier_edit,
            self.escort_edit,
            self.buttons,
        ]
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)

        self._mode = TripMode.BUS
        self._fill(trip)
        self._connect_signals()
        self._loading = False
        if trip is None:
            self.origin_edit.setFocus()
            self._load_leg()
        else:
            self.origin_edit.setFocus()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.mode_box.currentIndexChanged.connect(self._on_mode_box_current_index_changed)
        self.no_departure_box.toggled.connect(self._on_no_departure_box_toggled)
        self.departure_edit.changed.connect(self._on_departure_edit_changed)
        self.watch(
            self.leg_box.valueChanged,
            self.mode_box.activated,
            self.origin_edit.textEdited,
            self.destination_edit.textEdited,
            self.border_edit.textEdited,
            self.departure_edit.changed,
            self.no_departure_box.toggled,
            self.capacity_box.valueChanged,
            self.vehicle_edit.textEdited,
            self.carrier_edit.textEdited,
            self.escort_edit.textEdited,
        )

    def _fill(self, trip: TripRow | None) -> None:
        if trip is None:
            tomorrow = self.ctx.desk.today() + timedelta(days=1)
            self.departure_edit.set_moment(datetime.combine(tomorrow, time(DEFAULT_HOUR)))
            self.capacity_box.setValue(DEFAULT_CAPACITY[TripMode.BUS])
            self._apply_mode(TripMode.BUS)
            return
        mode = TripMode(trip.mode)
        self.mode_box.setCurrentIndex(max(self.mode_box.findData(mode.value), 0))
        self._apply_mode(mode)
        self.origin_edit.setText(trip.origin)
        self.destination_edit.setText(trip.destination)
        self.border_edit.setText(trip.border_crossing or "")
        if trip.departure_at is not None:
            when = trip.departure_at
            self.departure_edit.set_moment(when if when.tzinfo else when.replace(tzinfo=UTC))
        else:
            tomorrow = self.ctx.desk.today() + timedelta(days=1)
            self.departure_edit.set_moment(datetime.combine(tomorrow, time(DEFAULT_HOUR)))
            self.no_departure_box.setChecked(True)
            self.departure_edit.setEnabled(False)
        self.capacity_box.setValue(trip.capacity)
        self.vehicle_edit.setText(trip.vehicle or "")
        self.carrier_edit.setText(trip.carrier or "")
        self.escort_edit.setText(trip.escort_officer or "")

    # -- a new trip on a known leg -------------------------------------------------------

    def _load_leg(self) -> None:
        desk, op_id = self.ctx.desk, self.operation_id
        self.ctx.tasks.run(
            lambda: get_operation(desk, op_id), self._on_leg_done, lambda _e: None, owner=self
        )

    def _on_leg_done(self, op: OperationRow) -> None:
        if self._closed or not isValid(self):
            return
        leg = op.leg(self.leg_box.value())
        if leg is None or not leg.trips:
            return
        first = leg.trips[0]
        # Fill only what the officer has not typed meanwhile; this is not their change.
        loading, self._loading = self._loading, True
        for edit, value in (
            (self.origin_edit, first.origin),
            (self.destination_edit, first.destination),
            (self.border_edit, first.border_crossing or ""),
        ):
            if not edit.text():
                edit.setText(value)
                # Filled under the cursor, or before the focus arrives: typed text replaces
                # it, never follows it ("Тегеран, посольство РКТегеран, посольство РК").
                edit.selectAll()
        self._loading = loading

    # -- mode ----------------------------------------------------------------------------

    @Slot(int)
    def _on_mode_box_current_index_changed(self, _index: int) -> None:
        new = TripMode(self.mode_box.currentData())
        old_default = DEFAULT_CAPACITY.get(self._mode)
        # Follow the mode's usual size unless the officer set the seats themselves.
        if self.capacity_box.value() == old_default and new in DEFAULT_CAPACITY:
            loading, self._loading = self._loading, True
            self.capacity_box.setValue(DEFAULT_CAPACITY[new])
            self._loading = loading
        self._apply_mode(new)

    def _apply_mode(self, mode: TripMode) -> None:
        self._mode = mode
        self.vehicle_label.setText(_(VEHICLE_LABELS[mode]))
        self.carrier_label.setText(_(CARRIER_LABELS[mode]))
        placeholder = _("e.g. KC 901") if mode == TripMode.FLIGHT else ""
        self.vehicle_edit.setPlaceholderText(placeholder)

    @Slot()
    def _on_departure_edit_changed(self) -> None:
        label = self.error_labels["departure_at"]
        if label.isVisible() and self.departure() is not None:
            label.hide()  # what it said is put right: not left standing over the fix

    @Slot(bool)
    def _on_no_departure_box_toggled(self, checked: bool) -> None:
        self.departure_edit.setEnabled(not checked)

    # -- saving --------------------------------------------------------------------------

    def departure(self) -> datetime | None:
        """The departure typed, as aware UTC; ``None`` when not fixed yet or not a moment."""
        return None if self.no_departure_box.isChecked() else self.departure_edit.moment()

    def fields(self) -> TripFields:
        """What the form holds (departure in UTC)."""
        departure = self.departure()
        return TripFields(
            leg_no=self.leg_box.value(),
            origin=self.origin_edit.text(),
            destination=self.destination_edit.text(),
            capacity=self.capacity_box.value(),
            mode=TripMode(self.mode_box.currentData()),
            border_crossing=self.border_edit.text(),
            departure_at=departure,
            vehicle=self.vehicle_edit.text(),
            carrier=self.carrier_edit.text(),
            escort_officer=self.escort_edit.text(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if not self.no_departure_box.isChecked() and self.departure() is None:
            self.show_field_error(
                "departure_at",
                _("Type the day (dd.mm.yyyy) and time (hh:mm) it leaves, or tick Not fixed yet"),
            )
            self.departure_edit.focus_problem()  # the time, when the day is right
            return
        departure = self.departure()
        days = self._days_ago(departure)
        if days > 0 and departure is not None:
            # A trip that left is sometimes entered after the fact; a year or a month typed
            # wrong is likelier: asked, never refused (Cancel, the default, goes back).
            self.past_box = ask(
                self,
                _("Departure in the past"),
                ngettext(
                    "The departure, {when}, is {n} day before today. Save the trip with it?",
                    "The departure, {when}, is {n} days before today. Save the trip with it?",
                    days,
                ).format(when=f"{departure.astimezone():%d.%m.%Y %H:%M}", n=days),
                self._save,
                yes=_("Save with this departure"),
                no=_("Go back"),
            )
            return
        self._save()

    def _days_ago(self, departure: datetime | None) -> int:
        """How many days before today a departure typed for a new trip, or changed, is (0:
        today or later, or as the trip had it)."""
        if departure is None or (self.trip is not None and _same(departure, self.trip)):
            return 0
        return max(0, (self.ctx.desk.today() - departure.astimezone().date()).days)

    def _save(self) -> None:
        desk, fields, trip, op_id = self.ctx.desk, self.fields(), self.trip, self.operation_id
        if trip is None:
            self.run_save(lambda: add_trip(desk, op_id, fields))
        else:
            self.run_save(lambda: update_trip(desk, trip.id, fields))


def _same(departure: datetime, trip: TripRow) -> bool:
    """Whether ``departure`` is the trip's own (stored naive as UTC by SQLite)."""
    was = trip.departure_at
    return was is not None and departure == (was if was.tzinfo else was.replace(tzinfo=UTC))


__all__ = ["DEFAULT_CAPACITY", "TRIP_MODE_LABELS", "TripDialog"]
