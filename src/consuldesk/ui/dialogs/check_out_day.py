"""Changing the day a stay ends: flights cancelled and the stay extended, or an earlier bus."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
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

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe, describe_code
from consuldesk.services.errors import ServiceError
from consuldesk.services.hotels import change_check_out
from consuldesk.services.views import PlacementRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.models.hotels import format_date
from consuldesk.ui.widgets.date_field import DateField
from consuldesk.ui.widgets.forms import WrappingLabel, error_label, make_default


class CheckOutDayDialog(QDialog):
    """The new check-out day of a guest's stay, and of their room-mates' if they leave with
    them (a family placed together), checked and saved in one transaction.

    Signals:
        saved(object): the :class:`Written` stays, once saved.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        guest: PlacementRow,
        room_mates: Sequence[PlacementRow] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.guest = guest
        self.room_mates = list(room_mates)
        self._busy = False
        self.setWindowTitle(_("Change the check-out day"))
        where = guest.hotel_name
        if guest.room:
            where = _("{hotel}, room {room}").format(hotel=guest.hotel_name, room=guest.room)
        now = format_date(guest.check_out) if guest.check_out else _("not known yet")
        about = WrappingLabel(
            _("{name} · {where} · from {check_in}, check-out now: {check_out}").format(
                name=guest.person_name,
                where=where,
                check_in=format_date(guest.check_in),
                check_out=now,
            )
        )
        about.setWordWrap(True)
        tomorrow = max(ctx.desk.today(), guest.check_in) + timedelta(days=1)
        self.day_edit = DateField(guest.check_out or tomorrow)
        self.open_ended_box = QCheckBox(_("Check-out date not known yet"))
        self.open_ended_box.setChecked(guest.check_out is None)
        self.mates_box = QCheckBox()
        if self.room_mates:
            names = ", ".join(m.person_name for m in self.room_mates)
            self.mates_box.setText(
                ngettext(
                    "Also for the {n} other guest of the room: {names}",
                    "Also for the {n} other guests of the room: {names}",
                    len(self.room_mates),
                ).format(n=len(self.room_mates), names=names)
            )
            self.mates_box.setChecked(True)  # a family leaves together
        self.mates_box.setVisible(bool(self.room_mates))
        self.error_label = error_label()

        day_row = QHBoxLayout()
        day_row.addWidget(self.day_edit)
        day_row.addWidget(self.open_ended_box, 1)
        day_label = QLabel(_("New check-&out"))
        day_label.setBuddy(self.day_edit)
        form = QFormLayout()
        form.addRow(day_label, day_row)
        form.addRow("", self.mates_box)

        self.save_button = QPushButton(_("Change the day"))
        self.anyway_button = QPushButton(_("Change anyway (overbook)"))
        self.anyway_button.hide()
        buttons = QDialogButtonBox()
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.anyway_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        make_default(self.save_button)

        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.anyway_button.clicked.connect(self._on_anyway_button_clicked)
        buttons.rejected.connect(self.reject)
        self.day_edit.changed.connect(self._on_terms_changed)
        self.open_ended_box.toggled.connect(self._on_terms_changed)
        self.mates_box.toggled.connect(self._on_terms_changed)
        self._on_terms_changed()
        self.day_edit.setFocus()

    def new_day(self) -> date | None:
        """The check-out day chosen (``None``: not known yet)."""
        return None if self.open_ended_box.isChecked() else self.day_edit.value()

    def stays(self) -> list[str]:
        """The stays to change: the guest's, and the room-mates' when ticked."""
        mates = self.room_mates if self.mates_box.isChecked() else []
        return [self.guest.id, *(m.id for m in mates)]

    @Slot()
    def _on_terms_changed(self) -> None:
        self.day_edit.setEnabled(not self.open_ended_box.isChecked())
        self.anyway_button.hide()
        problem = None
        if not self.open_ended_box.isChecked():
            error, day = self.day_edit.error(), self.day_edit.value()
            if error is not None:
                problem = describe(error)
            elif day is None:
                problem = _("Type the check-out date, or tick “not known yet”.")
            elif day <= self.guest.check_in:
                problem = describe_code(
                    "placement.dates",
                    "check_out",
                    check_in=self.guest.check_in.isoformat(),
                    check_out=day.isoformat(),
                )
        self._show_error(problem)
        self.save_button.setEnabled(problem is None and not self._busy)

    def _show_error(self, text: str | None) -> None:
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self._submit(allow_overbook=False)

    @Slot()
    def _on_anyway_button_clicked(self) -> None:
        self._submit(allow_overbook=True)

    def _submit(self, allow_overbook: bool) -> None:
        desk, ids, day = self.ctx.desk, self.stays(), self.new_day()
        if day is None and not self.open_ended_box.isChecked():
            return
        self._busy = True
        self.save_button.setEnabled(False)
        self.anyway_button.setEnabled(False)

        def work() -> Written[Any]:
            return change_check_out(desk, ids, day, allow_overbook=allow_overbook)

        self.ctx.tasks.run(work, self._on_done, self._on_failed, owner=self)

    def _on_done(self, written: Written[Any]) -> None:
        self.ctx.events.changed.emit(written.changes)  # written even if the dialog was closed
        if not isValid(self):
            return
        self._busy = False
        self.saved.emit(written)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._busy = False
        self._on_terms_changed()
        self._show_error(describe(exc))
        full = isinstance(exc, ServiceError) and exc.code == "hotel.full"
        self.anyway_button.setVisible(full)
        self.anyway_button.setEnabled(full)


__all__ = ["CheckOutDayDialog"]
