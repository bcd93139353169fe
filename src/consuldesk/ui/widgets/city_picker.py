"""A city field that offers the cities on file in the country chosen beside it.

An officer typing "Sha" for a person in the Emirates is offered Sharjah, not Shiraz: the
suggestions are :func:`~consuldesk.services.nationals.filter_choices` of that country (the cities
where people in it are, most people first), read off the UI thread whenever the country field
names another country. The field stays free text: a city nobody is in yet can be typed. A city
nobody in that country is in (one left from another country, say) is marked with a warning
sign whose tooltip says so: changing the country does not silently keep "Medina" in Qatar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QStringListModel, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QCompleter, QLineEdit, QStyle
from shiboken6 import isValid

from consuldesk.domain.countries import country_code
from consuldesk.domain.errors import ValidationError
from consuldesk.i18n import _
from consuldesk.services.nationals import filter_choices
from consuldesk.ui.context import AppContext

COUNTRY_DEBOUNCE_MS = 300

_UNSET = object()


class CityCompleter(QObject):
    """Completes ``city_edit`` with the cities of the country typed in ``country_edit``.

    A country field that names no country yet (half typed) keeps the previous suggestions;
    an empty one offers the cities of every country.
    """

    def __init__(self, ctx: AppContext, city_edit: QLineEdit, country_edit: QLineEdit) -> None:
        super().__init__(city_edit)
        self.ctx = ctx
        self.country_edit = country_edit
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        city_edit.setCompleter(self.completer)
        self.city_edit = city_edit
        icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.warning = city_edit.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.warning.setVisible(False)
        city_edit.textChanged.connect(self._on_city_edit_text_changed)
        self.country: object = _UNSET  # the country the suggestions are of (None: every one)
        self._serial = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COUNTRY_DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        country_edit.textChanged.connect(self._on_country_edit_text_changed)
        self._load()

    def cities(self) -> list[str]:
        """The cities offered now."""
        return self.model.stringList()

    def _wanted(self) -> object:
        text = self.country_edit.text().strip()
        if not text:
            return None
        try:
            return country_code(text, field="host_country")
        except ValidationError:
            return _UNSET  # not a country (yet): keep what is offered

    @Slot(str)
    def _on_country_edit_text_changed(self, _text: str) -> None:
        self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._load()

    def _load(self) -> None:
        wanted = self._wanted()
        if wanted is _UNSET or wanted == self.country:
            return
        country = wanted if isinstance(wanted, str) else None
        self._serial += 1
        serial, desk = self._serial, self.ctx.desk
        self.ctx.tasks.run(
            lambda: [city for city, _n in filter_choices(desk, country).cities],
            lambda cities: self._on_cities_done(serial, country, cities),
            lambda _exc: None,  # no suggestions is no harm: the field is free text
            owner=self,
        )

    def _on_cities_done(self, serial: int, country: str | None, cities: list[str]) -> None:
        if not isValid(self) or serial != self._serial:
            return  # the country changed again meanwhile
        self.country = country
        self.model.setStringList(cities)
        self._check_city()

    @Slot(str)
    def _on_city_edit_text_changed(self, _text: str) -> None:
        self._check_city()

    def _check_city(self) -> None:
        """Mark a city nobody in the chosen country is in (a warning, not an error)."""
        city = self.city_edit.text().strip()
        known = {c.casefold() for c in self.model.stringList()}
        odd = bool(city) and isinstance(self.country, str) and city.casefold() not in known
        self.warning.setVisible(odd)
        tip = ""
        if odd:
            tip = _("Nobody on file in {country} is in {city}: check the city.").format(
                country=self.country_edit.text().strip(), city=city
            )
        self.warning.setToolTip(tip)
        self.city_edit.setToolTip(tip)


__all__ = ["CityCompleter"]
