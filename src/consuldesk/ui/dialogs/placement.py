"""Dialogs of the hotels page: add a hotel; place a person or a whole household in a hotel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import HouseholdKind, PaidBy
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.hotels import HotelFields, add_hotel, place, place_household
from consuldesk.services.households import list_households
from consuldesk.services.nationals import search
from consuldesk.services.views import HotelRow, HouseholdListRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.models.hotels import PAID_BY_LABELS
from consuldesk.ui.widgets.forms import error_label

SEARCH_DEBOUNCE_MS = 200
SEARCH_LIMIT = 30
CURRENCIES = ("USD", "EUR", "AED", "KZT", "TRY", "SAR", "QAR", "ILS", "EGP", "RUB")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(_qdate(day))
    edit.setDisplayFormat("dd.MM.yyyy")
    edit.setCalendarPopup(True)
    return edit


# -- add a hotel ---------------------------------------------------------------------------


class HotelDialog(QDialog):
    """A small form for a new hotel; saved off the UI thread.

    Signals:
        saved(object): the :class:`Written` result of ``add_hotel``.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Add hotel"))
        self.name_edit = QLineEdit()
        self.city_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.rooms_box = QSpinBox()
        self.rooms_box.setRange(0, 10000)
        self.beds_box = QSpinBox()
        self.beds_box.setRange(0, 100000)
        self.beds_box.setSpecialValueText(_("not set"))
        self.rate_box = QDoubleSpinBox()
        self.rate_box.setRange(0, 1_000_000)
        self.rate_box.setDecimals(2)
        self.currency_box = QComboBox()
        self.currency_box.setEditable(True)
        self.currency_box.addItems(CURRENCIES)
        self.operator_edit = QLineEdit()
        self.notes_edit = QLineEdit()
        self.error_label = error_label()
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_box, 1)
        rate_row.addWidget(self.currency_box)

        form = QFormLayout()
        form.addRow(_("&Name"), self.name_edit)
        form.addRow(_("&City"), self.city_edit)
        form.addRow(_("&Address"), self.address_edit)
        form.addRow(_("&Phone"), self.phone_edit)
        form.addRow(_("&Rooms"), self.rooms_box)
        form.addRow(_("&Beds"), self.beds_box)
        form.addRow(_("Rate per person and &night"), rate_row)
        form.addRow(_("&Tour operator"), self.operator_edit)
        form.addRow(_("N&otes"), self.notes_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._fields: dict[str, QWidget] = {
            "name": self.name_edit,
            "rooms": self.rooms_box,
            "beds": self.beds_box,
            "nightly_rate_minor": self.rate_box,
            "currency": self.currency_box,
        }
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    def fields(self) -> HotelFields:
        """What the form holds."""
        return HotelFields(
            name=self.name_edit.text(),
            city=self.city_edit.text(),
            address=self.address_edit.text(),
            phone=self.phone_edit.text(),
            rooms=self.rooms_box.value(),
            beds=self.beds_box.value(),
            nightly_rate_minor=round(self.rate_box.value() * 100),
            currency=self.currency_box.currentText(),
            tour_operator=self.operator_edit.text(),
            notes=self.notes_edit.text(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk, fields = self.ctx.desk, self.fields()
        self.buttons.setEnabled(False)
        self.ctx.tasks.run(
            lambda: add_hotel(desk, fields), self._on_save_done, self._on_save_failed, owner=self
        )

    def _on_save_done(self, written: Written[HotelRow]) -> None:
        self.ctx.events.changed.emit(written.changes)  # written even if the dialog was closed
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.saved.emit(written)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # closed while the work ran
        self.buttons.setEnabled(True)
        self.error_label.setText(describe(exc))
        self.error_label.show()
        widget = self._fields.get(getattr(exc, "field", None) or "")
        if widget is not None:
            widget.setFocus()


# -- place people --------------------------------------------------------------------------


@dataclass(frozen=True)
class Whom:
    """Who is being placed: one national or a household."""

    kind: str  # "national" or "household"
    id: str
    label: str
    people: int


class PlacementDialog(QDialog):
    """Place a person or a whole household in a hotel.

    The officer types a name (person, family or tour group, in either script); results come
    from the case file off the UI thread. A refusal for a full hotel offers "Place anyway".

    Signals:
        placed(object): the :class:`Written` result of ``place`` / ``place_household``.
    """

    placed = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        hotels: Sequence[HotelRow],
        hotel_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._serial = 0
        self._busy = False
        self.setWindowTitle(_("Place people in a hotel"))
        self.setMinimumWidth(720)
        today = ctx.desk.today()

        self.hotel_box = QComboBox()
        for h in hotels:
            self.hotel_box.addItem(f"{h.name} — {h.city}" if h.city else h.name, h.id)
        if hotel_id is not None and (i := self.hotel_box.findData(hotel_id)) >= 0:
            self.hotel_box.setCurrentIndex(i)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            _("Name, IIN or passport of a person; or a family or tour group name")
        )
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(160)
        self.chosen_label = QLabel(_("Nobody chosen yet: type a name and pick from the list."))
        self.chosen_label.setWordWrap(True)
        self.check_in_edit = _date_edit(today)
        self.check_out_edit = _date_edit(today + timedelta(days=1))
        self.open_ended_box = QCheckBox(_("Check-out date not known yet"))
        self.room_edit = QLineEdit()
        self.paid_by_box = QComboBox()
        for value in PaidBy:
            self.paid_by_box.addItem(_(PAID_BY_LABELS[value.value]), value.value)
        self.arriving_box = QCheckBox(_("They are at the hotel now: check them in"))
        self.error_label = error_label()

        out_row = QHBoxLayout()
        out_row.addWidget(self.check_out_edit)
        out_row.addWidget(self.open_ended_box, 1)
        form = QFormLayout()
        form.addRow(_("&Hotel"), self.hotel_box)
        form.addRow(_("&Who"), self.search_box)
        form.addRow("", self.results)
        form.addRow("", self.chosen_label)
        in_row = QHBoxLayout()
        in_row.addWidget(self.check_in_edit)
        in_row.addStretch(1)
        check_in_label = QLabel(_("Check-&in"))
        check_in_label.setBuddy(self.check_in_edit)
        form.addRow(check_in_label, in_row)
        check_out_label = QLabel(_("Check-&out"))
        check_out_label.setBuddy(self.check_out_edit)  # a row holding a layout has no buddy
        form.addRow(check_out_label, out_row)
        form.addRow(_("&Room"), self.room_edit)
        form.addRow(_("&Paid by"), self.paid_by_box)
        form.addRow("", self.arriving_box)

        self.buttons = QDialogButtonBox()
        self.place_button = QPushButton(_("Place"))
        self.place_button.setDefault(True)
        self.place_anyway_button = QPushButton(_("Place anyway (overbook)"))
        self.place_anyway_button.hide()
        self.buttons.addButton(self.place_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.place_anyway_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._connect_signals()
        self._update_buttons()
        self.search_box.setFocus()
        self._debounce.start()  # show households before anything is typed

    def _connect_signals(self) -> None:
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.results.currentItemChanged.connect(self._on_results_current_item_changed)
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.open_ended_box.toggled.connect(self._on_open_ended_box_toggled)
        self.place_button.clicked.connect(self._on_place_button_clicked)
        self.place_anyway_button.clicked.connect(self._on_place_anyway_button_clicked)
        self.buttons.rejected.connect(self.reject)
        for signal in (
            self.hotel_box.currentIndexChanged,
            self.check_in_edit.dateChanged,
            self.check_out_edit.dateChanged,
        ):
            signal.connect(self._on_terms_changed)

    # -- choosing whom -------------------------------------------------------------------

    def chosen(self) -> Whom | None:
        """The person or household picked in the list."""
        item = self.results.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    @Slot(str)
    def _on_search_box_text_changed(self, _text: str) -> None:
        self._debounce.start()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        desk, query = self.ctx.desk, self.search_box.text().strip()
        self._serial += 1
        serial = self._serial

        def work() -> tuple[list[HouseholdListRow], list[Any]]:
            households = list_households(desk, query=query or None)[:SEARCH_LIMIT]
            people = search(desk, query, limit=SEARCH_LIMIT).rows if query else []
            return households, people

        self.ctx.tasks.run(
            work,
            lambda result: self._on_search_done(serial, *result),
            self._on_search_failed,
            owner=self,
        )

    def _on_search_done(
        self, serial: int, households: list[HouseholdListRow], people: list[Any]
    ) -> None:
        if not isValid(self) or serial != self._serial:
            return  # closed, or the officer kept typing
        self.results.clear()
        for h in households:
            kind = _("Tour group") if h.kind == HouseholdKind.TOUR_GROUP.value else _("Family")
            count = ngettext("{n} person", "{n} people", h.member_count).format(n=h.member_count)
            text = f"{kind}: {h.name} — {count}"
            if h.tour_operator and h.tour_operator.casefold() not in h.name.casefold():
                text += f" ({h.tour_operator})"
            whom = Whom("household", h.id, h.name, h.member_count)
            self._add_result(text, whom)
        for p in people:
            born = f", {p.birth_date:%d.%m.%Y}" if p.birth_date else ""
            where = f" — {p.city}" if p.city else ""
            self._add_result(f"{p.name}{born}{where}", Whom("national", p.id, p.name, 1))
        if self.results.count() == 0:
            self.chosen_label.setText(_("Nobody found: check the spelling or register them first."))

    def _add_result(self, text: str, whom: Whom) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, whom)
        self.results.addItem(item)

    def _on_search_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # closed while the work ran
        self._show_error(describe(exc))

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_results_current_item_changed(
        self, _current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        whom = self.chosen()
        if whom is not None:
            if whom.kind == "household":
                self.chosen_label.setText(
                    ngettext(
                        "Placing {name}: {n} person", "Placing {name}: {n} people", whom.people
                    ).format(name=whom.label, n=whom.people)
                )
            else:
                self.chosen_label.setText(_("Placing {name}").format(name=whom.label))
        elif self.results.count():
            self.chosen_label.setText(_("Pick a person or a household from the list."))
        self._on_terms_changed()

    @Slot(QListWidgetItem)
    def select_item(self, item: QListWidgetItem) -> None:
        """Pick a result (as a click would)."""
        self.results.setCurrentItem(item)

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, _item: QListWidgetItem) -> None:
        self.check_in_edit.setFocus()  # Enter in the list moves on to the dates

    # -- terms ---------------------------------------------------------------------------

    @Slot(bool)
    def _on_open_ended_box_toggled(self, checked: bool) -> None:
        self.check_out_edit.setEnabled(not checked)
        self._on_terms_changed()

    @Slot()
    def _on_terms_changed(self, *_args: object) -> None:
        # Any change to what is asked for makes an earlier refusal stale.
        self.place_anyway_button.hide()
        self.error_label.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = not self._busy and self.chosen() is not None and self.hotel_box.currentIndex() >= 0
        self.place_button.setEnabled(ready)
        self.place_anyway_button.setEnabled(ready)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # -- placing -------------------------------------------------------------------------

    @Slot()
    def _on_place_button_clicked(self) -> None:
        self._submit(allow_overbook=False)

    @Slot()
    def _on_place_anyway_button_clicked(self) -> None:
        self._submit(allow_overbook=True)

    def _submit(self, allow_overbook: bool) -> None:
        whom = self.chosen()
        hotel_id = self.hotel_box.currentData()
        if whom is None or hotel_id is None:
            return
        desk = self.ctx.desk
        check_in = _pydate(self.check_in_edit.date())
        check_out = None if self.open_ended_box.isChecked() else _pydate(self.check_out_edit.date())
        room = self.room_edit.text() or None
        paid_by = PaidBy(self.paid_by_box.currentData())
        arriving = self.arriving_box.isChecked()

        def work() -> Written[Any]:
            if whom.kind == "household":
                return place_household(
                    desk,
                    hotel_id,
                    whom.id,
                    check_in,
                    check_out,
                    room,
                    paid_by,
                    allow_overbook=allow_overbook,
                    checked_in=arriving,
                )
            return place(
                desk,
                hotel_id,
                [whom.id],
                check_in,
                check_out,
                room,
                paid_by,
                allow_overbook=allow_overbook,
                checked_in=arriving,
            )

        self._busy = True
        self._update_buttons()
        self.ctx.tasks.run(work, self._on_place_done, self._on_place_failed, owner=self)

    def _on_place_done(self, written: Written[Any]) -> None:
        self.ctx.events.changed.emit(written.changes)  # written even if the dialog was closed
        if not isValid(self):
            return
        self._busy = False
        self._update_buttons()
        self.placed.emit(written)
        self.accept()

    def _on_place_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # closed while the work ran
        self._busy = False
        self._update_buttons()
        full = getattr(exc, "code", None) == "hotel.full"
        text = describe(exc)
        if full:
            text += "\n" + _("You can place them anyway; the hotel will show as overbooked.")
        self._show_error(text)
        self.place_anyway_button.setVisible(full)
        if full:
            self.place_anyway_button.setFocus()


__all__ = ["HotelDialog", "PlacementDialog", "Whom"]
