"""The form for a hotel, new or on file: its country's cities offered, its rate per person or
per room; a second hotel of the same name and city asked about; one added by mistake removed."""

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
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import RateBasis
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe_code, hotel_on_file_sentence
from consuldesk.services.hotels import (
    HotelFields,
    add_hotel,
    delete_hotel,
    occupancy,
    same_hotels,
    stays_at,
    update_hotel,
)
from consuldesk.services.nationals import FilterChoices, filter_choices
from consuldesk.services.views import HotelRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import fill_countries
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.saving import SavingDialog
from consuldesk.ui.models.hotels import RATE_BASIS_LABELS
from consuldesk.ui.widgets.forms import error_label

CURRENCIES = ("USD", "EUR", "AED", "KZT", "TRY", "SAR", "QAR", "ILS", "EGP", "RUB")


def fill_rate_basis(box: QComboBox) -> None:
    """Offer the ways a rate is charged (per person, per room), the value as item data."""
    for value in RateBasis:
        box.addItem(_(RATE_BASIS_LABELS[value.value]), value.value)


class HotelDialog(SavingDialog):
    """A small form for a new hotel, or for one on file (``hotel``); saved off the UI thread.

    The city list offers the cities of the chosen country only (where nationals are on file);
    any other city can be typed. A new hotel whose name and city another has already is asked
    about before it is added; a hotel on file can be removed while no stay is at it.

    Signals:
        saved(object): the :class:`Written` result of ``add_hotel`` or ``update_hotel``
            (a removal: a ``Written`` whose row is ``None``).
    """

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, hotel: HotelRow | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.hotel = hotel
        self._closed = False
        self._offered: set[str] = set()  # the cities last offered
        self.question: QMessageBox | None = None  # a second hotel of the name, or a removal
        self.setWindowTitle(_("Add hotel") if hotel is None else _("Edit hotel"))
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
        self.remove_button: QPushButton | None = None
        if hotel is not None:
            self.remove_button = self.buttons.addButton(
                _("Remove hotel…"), QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.remove_button.setToolTip(
                _("A hotel added by mistake, with no stay at it: its history stays")
            )
            self.remove_button.clicked.connect(self._on_remove_button_clicked)
            self._fill(hotel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)  # the labels had their last letter against the fields
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

        editing = self.hotel

        def work() -> tuple[str | None, FilterChoices]:
            if first and editing is not None:
                chosen = editing.country  # the hotel's own, even a country no one lives in
            else:
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

    def _fill(self, hotel: HotelRow) -> None:
        """Show a hotel on file (its country and city once the countries are loaded)."""
        self.name_edit.setText(hotel.name)
        self.city_box.setEditText(hotel.city or "")
        self.address_edit.setText(hotel.address or "")
        self.phone_edit.setText(hotel.phone or "")
        self.rooms_box.setValue(hotel.rooms)
        self.beds_box.setValue(hotel.beds)
        self.rate_box.setValue(hotel.nightly_rate_minor / 100)
        self.currency_box.setEditText(hotel.currency)
        self.basis_box.setCurrentIndex(max(self.basis_box.findData(hotel.rate_basis), 0))
        self.operator_edit.setText(hotel.tour_operator or "")
        self.notes_edit.setText(hotel.notes or "")

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk, fields, hotel = self.ctx.desk, self.fields(), self.hotel
        exclude = hotel.id if hotel is not None else None

        def look() -> tuple[list[HotelRow], int]:
            same = same_hotels(desk, fields.name, fields.city, exclude_id=exclude)
            tonight = 0
            if hotel is not None:
                tonight = sum(r.occupied for r in occupancy(desk, hotel_id=hotel.id))
            return same, tonight

        self.buttons.setEnabled(False)
        self.ctx.tasks.run(
            look,
            lambda found: self._save_unless_asked(fields, *found),
            self._on_save_failed,
            owner=self,
        )

    def _save_unless_asked(self, fields: HotelFields, same: list[HotelRow], tonight: int) -> None:
        """Save the hotel; first ask when another of its name and city is on file (a second
        "Almaz Inn, Dubai" split the guests and beds of one hotel between two), or when it
        would have fewer beds than guests tonight."""
        if self._closed or not isValid(self):
            return
        desk, hotel = self.ctx.desk, self.hotel
        self.buttons.setEnabled(True)

        def save() -> None:
            if hotel is None:
                self._save(lambda: add_hotel(desk, fields))
            else:
                self._save(lambda: update_hotel(desk, hotel.id, fields))

        said = []
        if same:
            said.append(
                hotel_on_file_sentence(same[0].label, same[0].beds)
                + " "
                + (
                    _("Add a second hotel of the same name all the same?")
                    if hotel is None
                    else _("Give this one the same name all the same?")
                )
            )
        if fields.beds and tonight > fields.beds:
            said.append(
                ngettext(
                    "{n} guest sleeps there tonight, and it would have beds for {beds}: it "
                    "will show as overbooked.",
                    "{n} guests sleep there tonight, and it would have beds for {beds}: it "
                    "will show as overbooked.",
                    tonight,
                ).format(n=tonight, beds=fields.beds)
            )
        if not said:
            save()
            return
        if same and hotel is None:
            said.append(_("To change the one on file, cancel and use Edit hotel."))
        self.question = ask(
            self,
            _("This hotel is on file already") if same else _("Fewer beds than guests"),
            "\n\n".join(said),
            save,
            yes=_("Add a second one") if same and hotel is None else _("Save all the same"),
            no=_("Do not add") if hotel is None else _("Keep editing"),
        )

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        hotel = self.hotel
        if hotel is None:
            return
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: stays_at(desk, hotel.id), self._ask_removal, self._on_save_failed, owner=self
        )

    def _ask_removal(self, stays: int) -> None:
        """Ask before removing the hotel; with stays at it, say at once that it cannot be."""
        hotel = self.hotel
        if self._closed or not isValid(self) or hotel is None:
            return
        if stays:
            self.error_label.setText(
                describe_code("hotel.has_stays", "hotel_id", hotel=hotel.name, stays=stays)
            )
            self.error_label.show()
            return
        desk = self.ctx.desk
        self.question = ask(
            self,
            _("Remove hotel"),
            _("Remove {hotel}? It is kept in the audit trail.").format(hotel=hotel.name),
            lambda: self._save(lambda: Written(None, delete_hotel(desk, hotel.id))),
            yes=_("Remove"),
            no=_("Keep it"),
        )

    def _focus_on_error(self, exc: BaseException) -> None:
        widget = self._fields.get(getattr(exc, "field", None) or "")
        if widget is not None:
            widget.setFocus()


__all__ = ["CURRENCIES", "HotelDialog", "fill_rate_basis"]
