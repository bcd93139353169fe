"""Choose who joins a leg's waiting list, with a live count of who would be added."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import PresenceStatus
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.evacuation import (
    CandidateCriteria,
    CandidatePreview,
    OperationRow,
    add_to_pool,
    preview_candidates,
)
from consuldesk.services.nationals import FilterChoices, filter_choices
from consuldesk.services.views import Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import fill_countries
from consuldesk.ui.widgets.forms import error_label, make_default

PREVIEW_DEBOUNCE_MS = 250
#: Presence states a candidate may be in (evacuated people and those gone on their own never
#: are). A ``*_LABELS`` dict, so `make translations` extracts the words.
PRESENCE_LABELS: dict[PresenceStatus, str] = {
    PresenceStatus.IN_COUNTRY: "in the country",
    PresenceStatus.IN_TRANSIT: "in transit",
    PresenceStatus.IN_HOTEL: "in a hotel",
    PresenceStatus.UNKNOWN: "whereabouts unknown",
}


class CandidatesDialog(QDialog):
    """Bring people into the waiting list of one leg of an operation.

    Leg 1 takes nationals by country, city, whereabouts and open evacuation requests; a later
    leg normally takes everyone seated on the leg before. The count of who would be added is
    worked out off the UI thread as the officer changes the choice.

    Signals:
        added(int): how many people were added to the waiting list.
    """

    added = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        operation: OperationRow,
        leg_no: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.operation = operation
        self.leg_no = leg_no
        self.preview: CandidatePreview | None = None
        self._serial = 0
        self._busy = False
        self._closed = False
        self.setWindowTitle(_("Add to the waiting list of leg {leg}").format(leg=leg_no))
        self.setMinimumWidth(560)

        self.intro = QLabel(
            _("{operation}, leg {leg}: choose who waits for a seat.").format(
                operation=operation.name, leg=leg_no
            )
        )
        self.intro.setWordWrap(True)
        # On the form from leg 2 only (leg 1 has no leg before it).
        self.previous_leg_box = QCheckBox(
            _("&Everyone seated on leg {leg}").format(leg=leg_no - 1), self
        )
        self.previous_leg_box.setChecked(leg_no >= 2)
        self.previous_leg_box.setHidden(leg_no < 2)
        self.country_box = QComboBox()
        self.country_box.setMaxVisibleItems(20)
        self._fill_countries([])
        self.city_box = QComboBox()
        self.city_box.addItem(_("Any city"), None)
        self.presence_boxes: dict[str, QCheckBox] = {}
        presence_row = QHBoxLayout()
        for status, label in PRESENCE_LABELS.items():
            box = QCheckBox(_(label))
            box.setChecked(True)
            self.presence_boxes[status.value] = box
            presence_row.addWidget(box)
        presence_row.addStretch(1)
        self.request_box = QCheckBox(
            _(
                "Only people with an open evacuation &request, with their families "
                "(a group's request: the group)"
            )
        )
        self.request_box.setChecked(True)
        self.preview_label = QLabel(_("Counting…"))
        self.preview_label.setWordWrap(True)
        font = self.preview_label.font()
        font.setBold(True)
        self.preview_label.setFont(font)
        self.error = error_label()

        self.form = QFormLayout()
        self.form.addRow(self.intro)
        if leg_no >= 2:
            self.form.addRow(self.previous_leg_box)
        self.form.addRow(_("&Country"), self.country_box)
        self.form.addRow(_("C&ity"), self.city_box)
        self.presence_label = QLabel(_("Where they are"))
        self.form.addRow(self.presence_label, presence_row)
        self.form.addRow("", self.request_box)

        self.buttons = QDialogButtonBox()
        self.add_button = QPushButton(_("&Add to waiting list"))
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addSpacing(6)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        make_default(self.add_button)
        # At least 560 px, more when a translation's check boxes need it (they cannot wrap).
        self.setMinimumWidth(max(560, layout.minimumSize().width()))
        order: list[QWidget] = [
            *([self.previous_leg_box] if leg_no >= 2 else []),
            self.country_box,
            self.city_box,
            *self.presence_boxes.values(),
            self.request_box,
            self.buttons,
        ]
        for a, b in pairwise(order):
            QWidget.setTabOrder(a, b)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DEBOUNCE_MS)
        self._connect_signals()
        self._update_filters()
        self._update_button()
        (self.previous_leg_box if leg_no >= 2 else self.country_box).setFocus()
        self._load_choices()
        self._debounce.start()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.previous_leg_box.toggled.connect(self._on_previous_leg_box_toggled)
        self.country_box.currentIndexChanged.connect(self._on_criteria_changed)
        self.country_box.currentIndexChanged.connect(self._on_country_changed)
        self.city_box.currentIndexChanged.connect(self._on_criteria_changed)
        self.request_box.toggled.connect(self._on_criteria_changed)
        for box in self.presence_boxes.values():
            box.toggled.connect(self._on_criteria_changed)

    # -- choices -------------------------------------------------------------------------

    @Slot(int)
    def _on_country_changed(self, _index: int) -> None:
        self._load_choices()  # the cities of that country

    def _fill_countries(self, on_file: list[str]) -> None:
        filled = self.country_box.count() > 0
        current = self.country_box.currentData() if filled else self.operation.host_country
        fill_countries(
            self.country_box,
            [self.operation.host_country or "", *on_file],
            current,
            _("Any country"),
        )

    def _load_choices(self) -> None:
        """Countries, and the cities of the chosen country (a UAE operation does not offer
        Tehran)."""
        desk = self.ctx.desk
        country = (
            self.country_box.currentData()
            if self.country_box.count()
            else self.operation.host_country
        )
        self.ctx.tasks.run(
            lambda: filter_choices(desk, country or None),
            self._on_choices_done,
            lambda _e: None,
            owner=self,
        )

    def _on_choices_done(self, choices: FilterChoices) -> None:
        if self._closed or not isValid(self):
            return
        self._fill_countries([c for c, _n in choices.countries])
        self.city_box.blockSignals(True)
        city = self.city_box.currentData()
        self.city_box.clear()
        self.city_box.addItem(_("Any city"), None)
        for name, _n in sorted(choices.cities, key=lambda p: p[0].casefold()):
            self.city_box.addItem(name, name)
        self.city_box.setCurrentIndex(max(self.city_box.findData(city), 0))
        self.city_box.blockSignals(False)

    def criteria(self) -> CandidateCriteria:
        """What the form asks for."""
        if self.previous_leg_box.isChecked() and self.leg_no >= 2:
            return CandidateCriteria(from_previous_leg=True)
        statuses = tuple(s for s, box in self.presence_boxes.items() if box.isChecked())
        return CandidateCriteria(
            host_country=self.country_box.currentData(),
            city=self.city_box.currentData(),
            # All four ticked means "anyone still here", which is also what an empty set means.
            presence_statuses=statuses,
            open_evacuation_request=self.request_box.isChecked(),
        )

    @Slot(bool)
    def _on_previous_leg_box_toggled(self, _checked: bool) -> None:
        self._update_filters()
        self._on_criteria_changed()

    def _update_filters(self) -> None:
        enabled = not (self.leg_no >= 2 and self.previous_leg_box.isChecked())
        for widget in (
            self.country_box,
            self.city_box,
            self.presence_label,
            self.request_box,
            *self.presence_boxes.values(),
        ):
            widget.setEnabled(enabled)

    # -- preview -------------------------------------------------------------------------

    @Slot()
    def _on_criteria_changed(self, *_args: object) -> None:
        self._serial += 1  # any answer on its way is stale now
        self.preview = None
        self.error.hide()
        if not any(b.isChecked() for b in self.presence_boxes.values()) and (
            not self.previous_leg_box.isChecked() or self.leg_no < 2
        ):
            self.preview_label.setText(_("Tick at least one place where people are."))
            self._update_button()
            return
        self.preview_label.setText(_("Counting…"))
        self._update_button()
        self._debounce.start()

    @Slot()
    def _on_debounce_timeout(self) -> None:
        if not any(b.isChecked() for b in self.presence_boxes.values()) and (
            not self.previous_leg_box.isChecked() or self.leg_no < 2
        ):
            return
        desk, op_id, leg, criteria = self.ctx.desk, self.operation.id, self.leg_no, self.criteria()
        self._serial += 1
        serial = self._serial
        self.ctx.tasks.run(
            lambda: preview_candidates(desk, op_id, leg, criteria),
            lambda preview: self._on_preview_done(serial, preview),
            lambda exc: self._on_preview_failed(serial, exc),
            owner=self,
        )

    def _on_preview_done(self, serial: int, preview: CandidatePreview) -> None:
        if self._closed or not isValid(self) or serial != self._serial:
            return  # closed, or the choice changed meanwhile
        self.preview = preview
        matching = ngettext("{n} person matches", "{n} people match", preview.matching).format(
            n=preview.matching
        )
        already = _("{n} already on this leg").format(n=preview.already_on_leg)
        new = ngettext("{n} will be added", "{n} will be added", preview.new).format(n=preview.new)
        if preview.matching == 0:
            text = _("Nobody matches: widen the choice above.")
        elif preview.new == 0:
            text = _("{matching}; all of them are already on this leg.").format(matching=matching)
        else:
            text = f"{matching}; {already}; {new}"
        if preview.elsewhere:  # why fewer than expected, or nobody
            text += " " + ngettext(
                "{n} more holds a seat in another operation and is not added.",
                "{n} more hold a seat in another operation and are not added.",
                preview.elsewhere,
            ).format(n=preview.elsewhere)
        self.preview_label.setText(text)
        self._update_button()

    def _on_preview_failed(self, serial: int, exc: BaseException) -> None:
        if self._closed or not isValid(self) or serial != self._serial:
            return
        self.preview_label.setText("")
        self.error.setText(describe(exc))
        self.error.show()
        self._update_button()

    def _update_button(self) -> None:
        ready = not self._busy and self.preview is not None and self.preview.new > 0
        self.add_button.setEnabled(ready)

    # -- adding --------------------------------------------------------------------------

    @Slot()
    def _on_add_button_clicked(self) -> None:
        if self.preview is None or self.preview.new <= 0 or self._busy:
            return
        desk, op_id, leg, criteria = self.ctx.desk, self.operation.id, self.leg_no, self.criteria()
        self._busy = True
        self._update_button()
        self.ctx.tasks.run(
            lambda: add_to_pool(desk, op_id, leg, criteria),
            self._on_add_done,
            self._on_add_failed,
            owner=self,
        )

    def _on_add_done(self, written: Written[int]) -> None:
        self.ctx.events.changed.emit(written.changes)  # added even if the dialog was closed
        if self._closed or not isValid(self):
            return
        self._busy = False
        self.added.emit(written.row)
        self.accept()

    def _on_add_failed(self, exc: BaseException) -> None:
        if self._closed or not isValid(self):
            return
        self._busy = False
        self.error.setText(describe(exc))
        self.error.show()
        self._update_button()

    def done(self, result: int) -> None:
        # Background answers may still arrive after the dialog closes: they must not touch it.
        self._closed = True
        self._debounce.stop()
        super().done(result)


__all__ = ["PRESENCE_LABELS", "CandidatesDialog"]
