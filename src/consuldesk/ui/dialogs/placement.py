"""Place a person or a whole household in a hotel (the form for a new hotel is in
:mod:`consuldesk.ui.dialogs.hotel`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import HouseholdKind, PaidBy, RateBasis
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe, describe_code
from consuldesk.services.hotels import check_placement, household_choices, place, place_household
from consuldesk.services.nationals import SearchResult, search
from consuldesk.services.views import (
    HotelRow,
    HouseholdChoice,
    PlacementCheck,
    PlacementProblem,
    Written,
)
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.discard import DiscardGuardDialog
from consuldesk.ui.dialogs.hotel import fill_rate_basis
from consuldesk.ui.models.hotels import PAID_BY_LABELS, format_date, format_money, format_rate
from consuldesk.ui.widgets.date_field import DateField
from consuldesk.ui.widgets.forms import WrappingLabel, error_label, make_default
from consuldesk.ui.widgets.person_picker import SimilarNote, person_line, steer_with_arrows

SEARCH_DEBOUNCE_MS = 200
CHECK_DEBOUNCE_MS = 150
SEARCH_LIMIT = 30


# -- place people --------------------------------------------------------------------------


@dataclass(frozen=True)
class Whom:
    """Who is being placed: one national or a household."""

    kind: str  # "national" or "household"
    id: str
    label: str
    people: int


def household_text(h: HouseholdChoice) -> str:
    """How the picker names a household: kind, name, head, size and city."""
    kind = _("Tour group") if h.kind == HouseholdKind.TOUR_GROUP.value else _("Family")
    parts = []
    if h.head_name:
        parts.append(_("head {name}").format(name=h.head_name))
    parts.append(ngettext("{n} person", "{n} people", h.size).format(n=h.size))
    if h.city:
        parts.append(h.city)
    if h.tour_operator and h.tour_operator.casefold() not in h.name.casefold():
        parts.append(h.tour_operator)
    return f"{kind}: {h.name} — {' · '.join(parts)}"


def household_texts(choices: Sequence[HouseholdChoice]) -> list[str]:
    """The picker's lines for ``choices``: two households never read the same.

    Lines alike gain the head's birth date, then a number ("no. 2 of 2").
    """
    texts = [household_text(h) for h in choices]
    alike = Counter(texts)
    for i, h in enumerate(choices):
        if alike[texts[i]] > 1 and h.head_birth is not None:
            texts[i] += " · " + _("head born {date}").format(date=format_date(h.head_birth))
    counts = Counter(texts)
    seen: Counter[str] = Counter()
    for i, text in enumerate(list(texts)):
        if counts[text] > 1:
            seen[text] += 1
            texts[i] = text + " · " + _("no. {i} of {n}").format(i=seen[text], n=counts[text])
    return texts


class PlacementDialog(DiscardGuardDialog):
    """Place a person or a whole household in a hotel.

    The officer types a name (person, family or tour group, in either script); results come
    from the case file off the UI thread. Each household names its head, size and city. Dates
    are typed (dd.mm.yyyy) or picked from a calendar. What would be refused — a date that is
    no date, check-out before check-in, someone already staying somewhere those nights, a
    full hotel — shows under its field as soon as it is known, and Place stays disabled until
    it is put right; a full hotel offers "Place anyway". The cost of the stay is shown before
    placing.

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
        self._check_serial = 0
        self._busy = False
        self._checking = False
        self._check: PlacementCheck | None = None
        self._hotels = {h.id: h for h in hotels}
        self.setWindowTitle(_("Place people in a hotel"))
        self.setMinimumWidth(720)
        today = ctx.desk.today()

        self.hotel_box = QComboBox()
        for h in hotels:
            self.hotel_box.addItem(f"{h.name} — {h.city}" if h.city else h.name, h.id)
        if hotel_id is not None and (i := self.hotel_box.findData(hotel_id)) >= 0:
            self.hotel_box.setCurrentIndex(i)
        self.hotel_error = error_label()
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            _("Name, IIN or passport of a person; or a family or tour group name")
        )
        self.search_box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setMinimumHeight(150)
        # ↓ in the field picks from the list; Enter goes on to the dates (it must not place
        # at once, on dates and a room never looked at).
        steer_with_arrows(self.search_box, self.results, self._on_search_box_enter)
        self.similar_label = SimilarNote()
        # Wrapping labels ask the form for the height their lines take: the cost said over
        # four lines drew "Placing …" over the list's scroll bar.
        self.chosen_label = WrappingLabel(
            _("Nobody chosen yet: type a name and pick from the list.")
        )
        self.who_error = error_label()
        self.check_in_edit = DateField(today)
        self.check_in_error = error_label()
        self.check_out_edit = DateField(today + timedelta(days=1))
        self.check_out_error = error_label()
        self.open_ended_box = QCheckBox(_("Check-out date not known yet"))
        self.basis_box = QComboBox()
        fill_rate_basis(self.basis_box)
        self.room_edit = QLineEdit()
        self.room_edit.setPlaceholderText(_("e.g. 204"))
        self.room_edit.setToolTip(
            _(
                "People given the same room number for the same nights share one room: "
                "charged per room, it is charged once a night."
            )
        )
        self.paid_by_box = QComboBox()
        for value in PaidBy:
            self.paid_by_box.addItem(_(PAID_BY_LABELS[value.value]), value.value)
        self.arriving_box = QCheckBox(_("They are at the hotel now: check them in"))
        self.estimate_label = WrappingLabel()
        self.error_label = error_label()

        form = QFormLayout()
        form.addRow(_("&Hotel"), self.hotel_box)
        form.addRow("", self.hotel_error)
        form.addRow(_("&Who"), self.search_box)
        form.addRow("", self.similar_label)
        form.addRow("", self.results)
        form.addRow("", self.chosen_label)
        form.addRow("", self.who_error)
        in_row = QHBoxLayout()
        in_row.addWidget(self.check_in_edit)
        in_row.addStretch(1)
        check_in_label = QLabel(_("Check-&in"))
        check_in_label.setBuddy(self.check_in_edit)
        form.addRow(check_in_label, in_row)
        form.addRow("", self.check_in_error)
        out_row = QHBoxLayout()
        out_row.addWidget(self.check_out_edit)
        out_row.addWidget(self.open_ended_box, 1)
        check_out_label = QLabel(_("Check-&out"))
        check_out_label.setBuddy(self.check_out_edit)  # a row holding a layout has no buddy
        form.addRow(check_out_label, out_row)
        form.addRow("", self.check_out_error)
        terms = QHBoxLayout()
        terms.addWidget(self.room_edit, 1)
        charged_label = QLabel(_("&Charged"))
        charged_label.setBuddy(self.basis_box)
        terms.addWidget(charged_label)
        terms.addWidget(self.basis_box)
        paid_label = QLabel(_("&Paid by"))
        paid_label.setBuddy(self.paid_by_box)
        terms.addWidget(paid_label)
        terms.addWidget(self.paid_by_box)
        room_label = QLabel(_("&Room"))
        room_label.setBuddy(self.room_edit)
        form.addRow(room_label, terms)
        form.addRow("", self.arriving_box)
        form.addRow("", self.estimate_label)

        self.buttons = QDialogButtonBox()
        self.place_button = QPushButton(_("Place"))
        self.place_anyway_button = QPushButton(_("Place anyway (overbook)"))
        self.place_anyway_button.hide()
        self.buttons.addButton(self.place_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.place_anyway_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        make_default(self.place_button)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DEBOUNCE_MS)
        self._connect_signals()
        self._on_hotel_box_changed(self.hotel_box.currentIndex())
        self.search_box.setFocus()
        self._debounce.start()  # show households before anything is typed

    def _connect_signals(self) -> None:
        self.search_box.textChanged.connect(self._on_search_box_text_changed)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self.results.currentItemChanged.connect(self._on_results_current_item_changed)
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.open_ended_box.toggled.connect(self._on_open_ended_box_toggled)
        self.place_button.clicked.connect(self._on_place_button_clicked)
        self.place_anyway_button.clicked.connect(self._on_place_anyway_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self.hotel_box.currentIndexChanged.connect(self._on_hotel_box_changed)
        self.check_in_edit.changed.connect(self._on_terms_changed)
        self.check_out_edit.changed.connect(self._on_terms_changed)
        self.basis_box.currentIndexChanged.connect(self._on_terms_changed)
        self.room_edit.textChanged.connect(self._on_terms_changed)  # a room held: its cost

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

        def work() -> tuple[list[HouseholdChoice], SearchResult]:
            households = household_choices(desk, query or None, limit=SEARCH_LIMIT)
            people = search(desk, query, limit=SEARCH_LIMIT) if query else SearchResult([], False)
            return households, people

        self.ctx.tasks.run(
            work,
            lambda result: self._on_search_done(serial, result[0], result[1], query),
            self._on_search_failed,
            owner=self,
        )

    def _on_search_done(
        self, serial: int, households: list[HouseholdChoice], people: SearchResult, query: str
    ) -> None:
        if not isValid(self) or serial != self._serial:
            return  # closed, or the officer kept typing
        self.results.clear()
        for h, text in zip(households, household_texts(households), strict=True):
            label = h.name if not h.head_name else f"{h.name} ({h.head_name})"
            self._add_result(text, Whom("household", h.id, label, h.size))
        # Households of that name found, people only near it are noise: "Nobody is named
        # “Семья”" stood above the families named "Семья …".
        near_only = people.similar and bool(households)
        for p in [] if near_only else people.rows:
            self._add_result(person_line(p), Whom("national", p.id, p.name, 1))
        if near_only:
            self.similar_label.hide()
        else:
            self.similar_label.show_for(people, query)
        if self.results.count() == 0:
            self.chosen_label.setText(_("Nobody found: check the spelling or register them first."))
        elif self.chosen() is None:  # what an earlier search said is not left standing
            self.chosen_label.setText(_("Pick a person or a household from the list."))

    def _add_result(self, text: str, whom: Whom) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(text)  # a long line is cut at the list's edge
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

    def _on_search_box_enter(self) -> None:
        if self.chosen() is None and self.results.count():
            self.results.setCurrentRow(0)  # the first found, as the list shows it
        if self.chosen() is not None:
            self.check_in_edit.setFocus()

    # -- terms and their problems --------------------------------------------------------

    @Slot(int)
    def _on_hotel_box_changed(self, _index: int) -> None:
        hotel = self._hotels.get(self.hotel_box.currentData() or "")
        if hotel is not None:  # a new hotel charges as it does, unless the officer says otherwise
            self.basis_box.blockSignals(True)
            self.basis_box.setCurrentIndex(max(self.basis_box.findData(hotel.rate_basis), 0))
            self.basis_box.blockSignals(False)
        self._on_terms_changed()

    @Slot(bool)
    def _on_open_ended_box_toggled(self, checked: bool) -> None:
        self.check_out_edit.setEnabled(not checked)
        self._on_terms_changed()

    def dates(self) -> tuple[date | None, date | None]:
        """Check-in and check-out as typed (``None``: empty or not a date; or open-ended)."""
        check_out = None if self.open_ended_box.isChecked() else self.check_out_edit.value()
        return self.check_in_edit.value(), check_out

    def _date_problems(self) -> tuple[str, str]:
        """What is wrong with the dates as typed, for the check-in and check-out fields."""
        in_text, out_text = "", ""
        check_in, check_out = self.dates()
        if (e := self.check_in_edit.error()) is not None:
            in_text = describe(e)
        elif check_in is None:
            in_text = _("Type the check-in date (dd.mm.yyyy).")
        if not self.open_ended_box.isChecked():
            if (e := self.check_out_edit.error()) is not None:
                out_text = describe(e)
            elif check_out is None:
                out_text = _("Type the check-out date, or tick “not known yet”.")
            elif check_in is not None and check_out <= check_in:
                out_text = describe_code(
                    "placement.dates",
                    "check_out",
                    check_in=check_in.isoformat(),
                    check_out=check_out.isoformat(),
                )
        return in_text, out_text

    @Slot()
    def _on_terms_changed(self, *_args: object) -> None:
        """Anything asked for changed: check it again at once, and with the case file soon."""
        self._check_serial += 1  # an answer on its way is stale now
        self._check = None
        self.place_anyway_button.hide()
        self.error_label.hide()
        for label in (self.hotel_error, self.who_error):
            label.hide()
        in_text, out_text = self._date_problems()
        self._set_error(self.check_in_error, in_text)
        self._set_error(self.check_out_error, out_text)
        ready = (
            not in_text
            and not out_text
            and self.chosen() is not None
            and self.hotel_box.currentIndex() >= 0
        )
        self._checking = ready
        if ready:
            self._check_timer.start()
        else:
            self._check_timer.stop()
            self.estimate_label.clear()
        self._update_buttons()

    @Slot()
    def _on_check_timer_timeout(self) -> None:
        whom, hotel_id = self.chosen(), self.hotel_box.currentData()
        check_in, check_out = self.dates()
        if whom is None or hotel_id is None or check_in is None:
            return
        desk, serial, basis = self.ctx.desk, self._check_serial, self.basis_box.currentData()
        room = self.room_edit.text()

        def work() -> PlacementCheck:
            return check_placement(
                desk,
                hotel_id,
                check_in,
                check_out,
                national_ids=[whom.id] if whom.kind == "national" else (),
                household_id=whom.id if whom.kind == "household" else None,
                basis=basis,
                room=room,
            )

        self.ctx.tasks.run(
            work,
            lambda check: self._on_check_done(serial, check),
            lambda exc: self._on_check_failed(serial, exc),
            owner=self,
        )

    def _on_check_done(self, serial: int, check: PlacementCheck) -> None:
        if not isValid(self) or serial != self._check_serial:
            return  # closed, or the terms changed since
        self._checking = False
        self._check = check
        by_field: dict[str, list[str]] = {"who": [], "hotel": [], "check_out": []}
        overlaps = [p for p in check.problems if p.code == "placement.overlap"]
        for problem in check.problems:
            text = describe_code(problem.code, problem.field, **problem.params)
            if problem.code == "hotel.full":
                by_field["hotel"].append(
                    text + "\n" + _("You can place them anyway; the hotel will show as overbooked.")
                )
            elif problem.code == "placement.dates":
                by_field["check_out"].append(text)
            elif problem.code != "placement.overlap" or len(overlaps) == 1:
                by_field["who"].append(text)
        if len(overlaps) > 1:  # a family: one sentence, not a line per member
            by_field["who"].append(self._overlaps_text(overlaps))
        self._set_error(self.who_error, "\n".join(by_field["who"]))
        self._set_error(self.hotel_error, "\n".join(by_field["hotel"]))
        if by_field["check_out"]:
            self._set_error(self.check_out_error, "\n".join(by_field["check_out"]))
        self.place_anyway_button.setVisible(check.full)
        text = self._estimate_text(check)
        if check.elsewhere:
            where = "; ".join(f"{name} ({place})" for name, place in check.elsewhere[:3])
            if (more := len(check.elsewhere) - 3) > 0:  # (an ellipsis before the full stop
                # read as "….")
                where += "; " + ngettext("and {n} more", "and {n} more", more).format(n=more)
            if check.people == 1:  # "1 of them" of one person placed
                text += "\n" + _(
                    "{who} is recorded in another country than the hotel's. Check before placing."
                ).format(who=where)
            else:
                text += "\n" + ngettext(
                    "{n} of them is recorded in another country than the hotel's: {who}. Check "
                    "before placing.",
                    "{n} of them are recorded in another country than the hotel's: {who}. Check "
                    "before placing.",
                    len(check.elsewhere),
                ).format(n=len(check.elsewhere), who=where)
        self.estimate_label.setText(text)
        self._update_buttons()

    @staticmethod
    def _overlaps_text(overlaps: Sequence[PlacementProblem]) -> str:
        where: dict[str, list[str]] = {}
        for p in overlaps:
            where.setdefault(str(p.params.get("hotel", "")), []).append(str(p.params["person"]))
        who = "; ".join(
            _("{names} at {hotel}").format(names=", ".join(names), hotel=hotel)
            for hotel, names in where.items()
        )
        return ngettext(
            "{n} of them already has a stay on these dates: {who}",
            "{n} of them already have a stay on these dates: {who}",
            len(overlaps),
        ).format(n=len(overlaps), who=who)

    def _on_check_failed(self, serial: int, exc: BaseException) -> None:
        if not isValid(self) or serial != self._check_serial:
            return
        self._checking = False  # Place stays disabled: nothing was checked
        self._show_error(describe(exc))
        self._update_buttons()

    @staticmethod
    def _estimate_text(check: PlacementCheck) -> str:
        rate = format_rate(check.nightly_rate_minor, check.currency, check.rate_basis)
        if check.rate_basis == RateBasis.PERSON.value and check.people > 1:
            rate = f"{rate} × {check.people}"
        if check.shared_room:
            return _(
                "They join room {room}, charged once a night ({rate}) with the guests already "
                "in it: nothing more while they stay together."
            ).format(room=check.shared_room, rate=rate)
        amount = format_money(check.estimate_minor, check.currency)
        if check.nights is None:
            return _("Cost: {amount} a night ({rate}) for as long as they stay.").format(
                amount=amount, rate=rate
            )
        return ngettext(
            "Cost: {amount} for {n} night ({rate}).",
            "Cost: {amount} for {n} nights ({rate}).",
            check.nights,
        ).format(amount=amount, n=check.nights, rate=rate)

    def has_changes(self) -> bool:
        """Whether someone was chosen or a room typed and not placed yet: Esc asks first, as
        the call form does (a group chosen and its dates set were lost to one key)."""
        return self.chosen() is not None or bool(self.room_edit.text().strip())

    def discard_question(self) -> str:
        return _("Nobody is placed yet. Throw away what you chose?")

    def _set_error(self, label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
        # A wrapped message needs the height it takes at the field's width; as a minimum, the
        # dialog grows to show it instead of squeezing the list under it.
        width = self.search_box.width()
        label.setMinimumHeight(label.heightForWidth(width) if text and width > 0 else 0)

    def problems(self) -> list[str]:
        """The problems shown at the fields now."""
        labels = (self.hotel_error, self.who_error, self.check_in_error, self.check_out_error)
        return [label.text() for label in labels if not label.isHidden() and label.text()]

    def _update_buttons(self) -> None:
        ready = (
            not self._busy
            and not self._checking
            and self._check is not None
            and self.chosen() is not None
            and self.hotel_box.currentIndex() >= 0
        )
        problems = self._check.problems if self._check is not None else ()
        self.place_button.setEnabled(ready and not problems)
        self.place_anyway_button.setEnabled(ready and self._check is not None and self._check.full)

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
        check_in, check_out = self.dates()
        if whom is None or hotel_id is None or check_in is None:
            return
        desk = self.ctx.desk
        room = self.room_edit.text() or None
        paid_by = PaidBy(self.paid_by_box.currentData())
        basis = RateBasis(self.basis_box.currentData())
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
                    basis=basis,
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
                basis=basis,
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
        # Someone else placed them, or filled the hotel, since the last check: say so, and
        # check again so the fields show it.
        self._on_terms_changed()
        self._show_error(describe(exc))


__all__ = ["PlacementDialog", "Whom", "household_texts"]
