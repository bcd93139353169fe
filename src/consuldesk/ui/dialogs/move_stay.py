"""Moving guests to another hotel or room: the stay where they are ends, a new one begins with
the same dates, payer and arrival (before, check out and place again, retyping all of it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services.hotels import move_stays
from consuldesk.services.views import HotelRow, PlacementRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.widgets.date_field import DateField
from consuldesk.ui.widgets.forms import error_label, make_default


class MoveStayDialog(QDialog):
    """Where the chosen guests go, from which night; moved in one transaction.

    Signals:
        moved(object): the :class:`Written` new stays, once saved.
    """

    moved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        guests: Sequence[PlacementRow],
        hotels: Sequence[HotelRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.guests = list(guests)
        self._busy = False
        self.question: QMessageBox | None = None  # a full hotel: place them all the same?
        self.setWindowTitle(
            ngettext("Move {n} guest", "Move {n} guests", len(self.guests)).format(
                n=len(self.guests)
            )
        )
        names = ", ".join(g.person_name for g in self.guests[:6])
        if len(self.guests) > 6:
            names += " " + _("and {n} more").format(n=len(self.guests) - 6)
        first = self.guests[0]
        where = first.hotel_name + (f", {first.room}" if first.room else "")
        about = QLabel(_("{names} · now at {where}").format(names=names, where=where))
        about.setWordWrap(True)
        self.hotel_box = QComboBox()
        for h in hotels:
            self.hotel_box.addItem(h.label, h.id)
        self.hotel_box.setCurrentIndex(max(self.hotel_box.findData(first.hotel_id), 0))
        self.room_edit = QLineEdit()
        self.room_edit.setPlaceholderText(_("Room number or name (may stay empty)"))
        self.day_edit = DateField(ctx.desk.today())
        self.error_label = error_label()
        self.buttons = QDialogButtonBox()
        # In the app's words: Qt has no Kazakh for its own Cancel.
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.move_button = self.buttons.addButton(
            _("&Move"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        make_default(self.move_button)
        form = QFormLayout()
        form.addRow(_("&Hotel:"), self.hotel_box)
        form.addRow(_("&Room:"), self.room_edit)
        form.addRow(_("From the &night of:"), self.day_edit)
        note = QLabel(
            _(
                "The stay where they are ends that day (a booking not begun is cancelled); the "
                "new one keeps its check-out day and payer, and whether they have arrived."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.buttons.accepted.connect(self._on_move)
        self.buttons.rejected.connect(self.reject)
        self.room_edit.setFocus()

    @Slot()
    def _on_move(self) -> None:
        self._move(allow_overbook=False)

    def _move(self, allow_overbook: bool) -> None:
        if self._busy:
            return
        day = self.day_edit.value()
        if day is None:
            self._show_error(_("Type the night as dd.mm.yyyy."))
            self.day_edit.setFocus()
            return
        desk, hotel_id = self.ctx.desk, self.hotel_box.currentData()
        ids, room = [g.id for g in self.guests], self.room_edit.text()
        self._busy = True
        self.move_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda: move_stays(
                desk, ids, hotel_id, room or None, day, allow_overbook=allow_overbook
            ),
            self._on_moved,
            lambda exc: self._on_failed(exc, allow_overbook),
            owner=self,
        )

    def _on_moved(self, written: Written[Any]) -> None:
        self.ctx.events.changed.emit(written.changes)
        if not isValid(self):
            return
        self._busy = False
        self.moved.emit(written)
        self.accept()

    def _on_failed(self, exc: BaseException, allow_overbook: bool) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.move_button.setEnabled(True)
        self._show_error(describe(exc))
        if getattr(exc, "code", "") == "hotel.full" and not allow_overbook:
            self.question = ask(
                self,
                _("No bed left"),
                describe(exc)
                + "\n\n"
                + _("Move them all the same? The hotel will show as overbooked."),
                lambda: self._move(allow_overbook=True),
                yes=_("Move anyway"),
                no=_("Do not move"),
            )

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()
