"""Put people on a leg's waiting list by hand: a walk-in at the assembly point, or someone
the candidates' criteria did not find (no request logged, another city)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _, ngettext
from consuldesk.messages import PRESENCE_LABELS, describe
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import OperationRow
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.widgets.forms import error_label, make_default
from consuldesk.ui.widgets.person_picker import PersonPicker, person_line


class WalkInDialog(QDialog):
    """Find people by typing and put them on one leg's waiting list, one after another; the
    dialog stays open for the next one. Allocate seats then seats them by priority.

    Signals:
        added(int): how many people one addition put on the waiting list.
    """

    added = Signal(int)

    def __init__(
        self, ctx: AppContext, operation: OperationRow, leg_no: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.operation = operation
        self.leg_no = leg_no
        self.setWindowTitle(_("Add a person to leg {leg}").format(leg=leg_no))
        self.setMinimumWidth(560)
        intro = QLabel(
            _(
                "{operation}, leg {leg}: someone at the assembly point, or whom the candidates "
                "did not find. They wait for a seat; Allocate seats gives it by priority."
            ).format(operation=operation.name, leg=leg_no)
        )
        intro.setWordWrap(True)
        self.picker = PersonPicker(ctx, _line)
        self.search_box, self.results = self.picker.search_box, self.picker.results
        self.family_box = QCheckBox(_("With their &family (those still in the country)"))
        self.family_box.setChecked(True)
        self.hint_label = QLabel(
            _("Type a name, IIN, passport or phone, pick the person, then Add.")
        )
        self.hint_label.setWordWrap(True)
        self.error_label = error_label()
        self.add_button = QPushButton(_("&Add to waiting list"))
        self.add_button.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        form = QFormLayout()
        find_label = QLabel(_("&Find"))
        find_label.setBuddy(self.search_box)
        form.addRow(find_label, self.picker)
        form.addRow("", self.family_box)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        make_default(self.add_button)  # Enter adds; the dialog stays open for the next one
        self.picker.found.connect(self._on_picker_found)
        self.picker.chosen_changed.connect(self._on_picker_chosen_changed)
        self.picker.activated.connect(self._on_add_button_clicked)
        self.picker.failed.connect(self._on_failed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self.search_box.setFocus()

    def chosen(self) -> NationalRow | None:
        """The person picked in the list."""
        return self.picker.chosen()

    @Slot(int)
    def _on_picker_found(self, n: int) -> None:
        if n:
            self.hint_label.setText(_("Pick the person with ↑↓, then press Add."))
        else:
            self.hint_label.setText(
                _("Nobody found: check the spelling, or register them first (Ctrl+N).")
            )

    @Slot()
    def _on_picker_chosen_changed(self) -> None:
        self.error_label.hide()
        self.add_button.setEnabled(self.chosen() is not None)

    @Slot()
    def _on_add_button_clicked(self) -> None:
        person = self.chosen()
        if person is None or not self.add_button.isEnabled():
            return
        desk, op_id, leg = self.ctx.desk, self.operation.id, self.leg_no
        family = self.family_box.isChecked()
        self.add_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda: ev.add_people(desk, op_id, leg, [person.id], with_family=family),
            lambda written: self._on_add_done(person, written),
            self._on_failed,
        )

    def _on_add_done(self, person: NationalRow, written: Written[int]) -> None:
        self.ctx.events.changed.emit(written.changes)
        if not isValid(self):
            return
        n = written.row
        self.added.emit(n)
        if n == 0:
            text = _("{name} is on this leg already. Type the next name, or Close.")
        elif n == 1:
            text = _("{name} waits for a seat. Type the next name, or Close.")
        else:
            text = ngettext(
                "{name} and their family wait for a seat ({n} person in all). Type the next "
                "name, or Close.",
                "{name} and their family wait for a seat ({n} people in all). Type the next "
                "name, or Close.",
                n,
            )
        self.hint_label.setText(text.format(name=person.name, n=n))
        self.picker.reset()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.add_button.setEnabled(self.chosen() is not None)
        self.error_label.setText(describe(exc))
        self.error_label.show()


def _line(p: NationalRow) -> str:
    """A person with where they are: an evacuated one is not sent twice."""
    where = PRESENCE_LABELS.get(p.presence_status or "", "")
    return person_line(p) + (f" · {_(where)}" if where else "")


__all__ = ["WalkInDialog"]
