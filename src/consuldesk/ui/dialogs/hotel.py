"""The form for a new hotel: its country's cities offered, its rate per person or per room."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import RateBasis
from consuldesk.i18n import _
from consuldesk.services.hotels import HotelFields, add_hotel
from consuldesk.services.nationals import FilterChoices, filter_choices
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import fill_countries
from consuldesk.ui.dialogs.saving import SavingDialog
from consuldesk.ui.models.hotels import RATE_BASIS_LABELS
from consuldesk.ui.widgets.forms import error_label

CURRENCIES = ("USD", "EUR", "AED", "KZT", "TRY", "SAR", "QAR", "ILS", "EGP", "RUB")


def fill_rate_basis(box: QComboBox) -> None:
    """Offer the ways a rate is charged (per person, per room), the value as item data."""
    for value in RateBasis:
        box.addItem(_(RATE_BASIS_LABELS[value.value]), value.value)


class HotelDialog(SavingDialog):
    """A small form for a new hotel; saved off the UI thread.

    The city list offers the cities of the chosen country only (where nationals are on file);
    any other city can be typed.

    Signals:
        saved(object): the :class:`Written` result of ``add_hotel``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._closed = False
        self._offered: set[str] = set()  # the cities last offered
        self.setWindowTitle(_("Add hotel"))
        self.name_edit = QLineEdit()
        self.country_box = QComboBox()
        self.country_box.setMaxVisibleItems(20)
        self.city_box = QComboBox()
        self.city_box.setEditable(True)  # a city nobody lives in yet can be typed
        self.city_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
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
        self.basis_box = QComboBox()
        fill_rate_basis(self.basis_box)
        self.basis_box.setToolTip(
            _("Per room: a family sharing a room is charged once a night, however many they are.")
        )
        self.operator_edit = QLineEdit()
        self.notes_edit = QLineEdit()
        self.error_label = error_label()
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_box, 1)
        rate_row.addWidget(self.currency_box)
        rate_row.addWidget(self.basis_box)

        form = QFormLayout()
        form.addRow(_("&Name"), self.name_edit)
        form.addRow(_("Co&untry"), self.country_box)
        form.addRow(_("&City"), self.city_box)
        form.addRow(_("&Address"), self.address_edit)
        form.addRow(_("&Phone"), self.phone_edit)
        form.addRow(_("&Rooms"), self.rooms_box)
        form.addRow(_("&Beds"), self.beds_box)
        rate_label = QLabel(_("Nightly rat&e"))
        rate_label.setBuddy(self.rate_box)  # a row holding a layout has no buddy
        form.addRow(rate_label, rate_row)
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
            "country": self.country_box,
            "rooms": self.rooms_box,
            "beds": self.beds_box,
            "nightly_rate_minor": self.rate_box,
            "currency": self.currency_box,
            "rate_basis": self.basis_box,
        }
        self._connect_signals()
        self._load_choices(first=True)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.country_box.currentIndexChanged.connect(self._on_country_box_changed)
        self.finished.connect(self._on_finished)

    @Slot(int)
    def _on_finished(self, _result: int) -> None:
        self._closed = True

    # -- countries and cities ------------------------------------------------------------

    @Slot(int)
    def _on_country_box_changed(self, _index: int) -> None:
        self._load_choices(first=False)  # the cities of that country

    def _load_choices(self, first: bool) -> None:
        desk = self.ctx.desk
        country = None if first else self.country_box.currentData()

        def work() -> tuple[str | None, FilterChoices]:
            post = desk.casefile.local_post()
            chosen = getattr(post, "host_country", None) if first else country
            return chosen, filter_choices(desk, chosen or None)

        self.ctx.tasks.run(work, self._on_choices_done, lambda _exc: None, owner=self)

    def _on_choices_done(self, result: tuple[str | None, FilterChoices]) -> None:
        if self._closed or not isValid(self):
            return
        country, choices = result
        if self.country_box.count() == 0:  # first load: the post's host country first
            on_file = [c for c, _n in choices.countries]
            fill_countries(self.country_box, [country or "", *on_file], country, _("Not set"))
        elif self.country_box.currentData() != country:
            return  # the officer chose another country meanwhile: its answer follows
        typed = self.city_box.currentText()
        cities = sorted((name for name, _n in choices.cities), key=str.casefold)
        self.city_box.clear()
        self.city_box.addItems(cities)
        # Keep a typed city only if it belongs to the country now chosen (or was typed anew).
        keep = typed if typed and (typed in cities or not self._was_offered(typed)) else ""
        self._offered = set(cities)
        self.city_box.setCurrentIndex(-1)
        self.city_box.setEditText(keep)

    def _was_offered(self, city: str) -> bool:
        return city in self._offered

    def cities(self) -> list[str]:
        """The cities the city box offers."""
        return [self.city_box.itemText(i) for i in range(self.city_box.count())]

    # -- saving --------------------------------------------------------------------------

    def fields(self) -> HotelFields:
        """What the form holds."""
        return HotelFields(
            name=self.name_edit.text(),
            city=self.city_box.currentText(),
            address=self.address_edit.text(),
            phone=self.phone_edit.text(),
            rooms=self.rooms_box.value(),
            beds=self.beds_box.value(),
            nightly_rate_minor=round(self.rate_box.value() * 100),
            currency=self.currency_box.currentText(),
            tour_operator=self.operator_edit.text(),
            notes=self.notes_edit.text(),
            rate_basis=self.basis_box.currentData(),
            country=self.country_box.currentData(),
        )

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk, fields = self.ctx.desk, self.fields()
        self._save(lambda: add_hotel(desk, fields))

    def _focus_on_error(self, exc: BaseException) -> None:
        widget = self._fields.get(getattr(exc, "field", None) or "")
        if widget is not None:
            widget.setFocus()


__all__ = ["CURRENCIES", "HotelDialog", "fill_rate_basis"]
