"""Put people on a leg's waiting list by hand: a walk-in at the assembly point, or someone
the candidates' criteria did not find (no request logged, another city)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget
from shiboken6 import isValid

from consuldesk.i18n import _, ngettext
from consuldesk.messages import PRESENCE_LABELS
from consuldesk.services import evacuation as ev
from consuldesk.services.evacuation import OperationRow
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.countries import country_text
from consuldesk.ui.dialogs.person_pick import PersonPickDialog
from consuldesk.ui.widgets.person_picker import person_line


class WalkInDialog(PersonPickDialog):
    """Find people by typing and put them on one leg's waiting list, one after another; the
    dialog stays open for the next one. Allocate seats then seats them by priority.

    Signals:
        added(int): how many people one addition put on the waiting list.
    """

    added = Signal(int)

    def __init__(
        self, ctx: AppContext, operation: OperationRow, leg_no: int, parent: QWidget | None = None
    ) -> None:
        self.operation = operation  # (the list's lines say who is in another country)
        super().__init__(
            ctx,
            _("&Add to waiting list"),
            _("Type a name, IIN, passport or phone, pick the person, then Add."),
            self._line,
            parent,
        )
        self.leg_no = leg_no
        self.setWindowTitle(_("Add a person to leg {leg}").format(leg=leg_no))
        intro = QLabel(
            _(
                "{operation}, leg {leg}: someone at the assembly point, or whom the candidates "
                "did not find. They wait for a seat; Allocate seats gives it by priority."
            ).format(operation=operation.name, leg=leg_no)
        )
        intro.setWordWrap(True)
        self.family_box = QCheckBox(_("With their fa&mily (those still in the country)"))
        self.family_box.setChecked(True)
        self.form.addRow("", self.family_box)
        self.lay_out(intro)
        self.picker.activated.connect(self._on_add_button_clicked)  # Enter in the list adds

    def _line(self, p: NationalRow) -> str:
        """A person with where they are: an evacuated one cannot be added (said), and one in
        another country than the operation's is marked."""
        text = person_line(p)
        if p.host_country and self.operation.host_country not in (None, p.host_country):
            text += f" ({country_text(p.host_country)})"
        where = PRESENCE_LABELS.get(p.presence_status or "", "")
        return text + (f" · {_(where)}" if where else "")

    def nobody_found(self) -> str:
        return _("Nobody found: check the spelling, or register them first (Ctrl+N).")

    def add_chosen(self, person: NationalRow) -> None:
        desk, op_id, leg = self.ctx.desk, self.operation.id, self.leg_no
        family = self.family_box.isChecked()
        self.ctx.tasks.run(
            lambda: ev.add_people(desk, op_id, leg, [person.id], with_family=family),
            lambda written: self._on_add_done(person, written),
            self.show_failure,
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
        self.ready_for_next()


__all__ = ["WalkInDialog"]
