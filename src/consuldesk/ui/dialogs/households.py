"""Dialogs of the households page: a new household, a new name, members added by typing.

Each saves through one household use case off the UI thread and shows a refusal under its
fields; :func:`fill_relations` fills any box that offers the relations to a household's head.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.domain.enums import HouseholdKind, Relation
from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe_code
from consuldesk.services import households as hh
from consuldesk.services.rows import NationalRow
from consuldesk.services.views import HouseholdRow, Written
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.person_pick import PersonPickDialog
from consuldesk.ui.dialogs.saving import SavingDialog
from consuldesk.ui.models.households import kind_label, relation_label
from consuldesk.ui.widgets.forms import error_label
from consuldesk.ui.widgets.person_picker import person_line


def fill_relations(box: QComboBox, *, head: bool = True, current: str | None = None) -> None:
    """Offer "not given" and the relations (``head`` only when ``head``); select ``current``,
    adding it as written when it is an old file's free text."""
    box.blockSignals(True)  # filling is not choosing
    box.clear()
    box.addItem(relation_label(None), None)
    for relation in Relation:
        if head or relation != Relation.HEAD:
            box.addItem(relation_label(relation.value), relation.value)
    index = box.findData(current) if current else 0
    if index < 0:
        box.addItem(relation_label(current), current)
        index = box.count() - 1
    box.setCurrentIndex(index)
    box.blockSignals(False)
    # Never squeezed below its widest relation ("Старший" cut to "Старші" in a narrow pane).
    box.setMinimumWidth(box.sizeHint().width())


class RenameHouseholdDialog(SavingDialog):
    """A household's new name; saved off the UI thread, errors shown under the field.

    Signals:
        saved(object): the :class:`Written` result of ``rename_household``.
    """

    def __init__(self, ctx: AppContext, household: HouseholdRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.household = household
        self.setWindowTitle(_("Rename {name}").format(name=household.name))
        self.setMinimumWidth(420)
        self.name_edit = QLineEdit(household.name)
        self.name_edit.selectAll()
        self.error_label = error_label()
        form = QFormLayout()
        form.addRow(_("&Name"), self.name_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._connect_signals()
        self.name_edit.setFocus()

    def _connect_signals(self) -> None:
        self.name_edit.textChanged.connect(self._on_name_edit_text_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    @Slot(str)
    def _on_name_edit_text_changed(self, text: str) -> None:
        # Known before Save: an empty name is said at once, and Save rests until there is one.
        empty = not text.strip()
        self.error_label.setText(describe_code("household.name") if empty else "")
        self.error_label.setVisible(empty)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not empty)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk, household_id, name = self.ctx.desk, self.household.id, self.name_edit.text()
        self._save(lambda: hh.rename_household(desk, household_id, name))

    def _focus_on_error(self, exc: BaseException) -> None:
        self.name_edit.setFocus()


class NewHouseholdDialog(SavingDialog):
    """Name, kind and tour operator of a new family or tour group; saved off the UI thread.

    Signals:
        saved(object): the :class:`Written` result of ``create_household``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("New household or tour group"))
        self.setMinimumWidth(420)
        self.name_edit = QLineEdit()
        example = _("e.g. Қасымовтар or “Al-Safa Umrah, group 12”")
        self.name_edit.setPlaceholderText(example)
        # The example whole: in Kazakh and Russian it is longer than the field was, and the
        # field showed its end ("ымысалы, Қасымовтар…").
        self.name_edit.setMinimumWidth(self.name_edit.fontMetrics().horizontalAdvance(example) + 24)
        self.kind_box = QComboBox()
        for kind in HouseholdKind:
            self.kind_box.addItem(kind_label(kind.value), kind.value)
        self.operator_edit = QLineEdit()
        self.error_label = error_label()
        form = QFormLayout()
        form.addRow(_("&Name"), self.name_edit)
        form.addRow(_("&Kind"), self.kind_box)
        form.addRow(_("&Tour operator"), self.operator_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._connect_signals()
        self._on_kind_box_changed()

    def _connect_signals(self) -> None:
        self.kind_box.currentIndexChanged.connect(self._on_kind_box_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def _on_kind_box_changed(self, *_args: object) -> None:
        self.operator_edit.setEnabled(self.kind_box.currentData() == HouseholdKind.TOUR_GROUP.value)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        desk = self.ctx.desk
        name = self.name_edit.text()
        kind = HouseholdKind(self.kind_box.currentData())
        operator = self.operator_edit.text() if kind == HouseholdKind.TOUR_GROUP else None
        self._save(lambda: hh.create_household(desk, name, kind, tour_operator=operator))

    def _focus_on_error(self, exc: BaseException) -> None:
        self.name_edit.setFocus()


class AddMemberDialog(PersonPickDialog):
    """Find people by typing and add them to a household, one after another.

    The dialog stays open after each addition so a whole family can be entered at once.

    Signals:
        added(object): the :class:`Written` result of ``add_member``.
    """

    added = Signal(object)

    def __init__(self, ctx: AppContext, household: HouseholdRow, parent: QWidget | None = None):
        self.household = household  # (the list's lines mark who is a member already)
        super().__init__(
            ctx, _("&Add"), _("Type a name, pick the person, then press Add."), self._line, parent
        )
        self.setWindowTitle(_("Add members to {name}").format(name=household.name))
        self.relation_box = QComboBox()
        self._fill_relations()
        self.form.addRow(_("Relat&ion"), self.relation_box)
        self.lay_out()
        self.picker.activated.connect(self._on_picker_activated)

    def _fill_relations(self) -> None:
        """The relations to the head; "head" only while the household has none."""
        fill_relations(self.relation_box, head=self.household.head_id is None)

    def _line(self, p: NationalRow) -> str:
        text = person_line(p)
        if p.id in set(self.household.member_ids):
            text += "  " + _("(already a member)")
        return text

    @Slot()
    def _on_picker_activated(self) -> None:
        self.relation_box.setFocus()  # Enter in the list: say the relation, then Enter adds

    def add_chosen(self, person: NationalRow) -> None:
        desk, household_id = self.ctx.desk, self.household.id
        relation = self.relation_box.currentData()
        self.ctx.tasks.run(
            lambda: hh.add_member(desk, household_id, person.id, relation),
            self._on_add_done,
            self.show_failure,
        )

    def _on_add_done(self, written: Written[HouseholdRow]) -> None:
        self.ctx.events.changed.emit(written.changes)
        if not isValid(self):
            return
        self.household = written.row
        self.added.emit(written)
        n = len(written.row.members)
        self.hint_label.setText(
            ngettext(
                "Added. {household} now has {n} member. Type the next name, or Close.",
                "Added. {household} now has {n} members. Type the next name, or Close.",
                n,
            ).format(household=written.row.name, n=n)
        )
        self._fill_relations()
        self.ready_for_next()


__all__ = ["AddMemberDialog", "NewHouseholdDialog", "RenameHouseholdDialog", "fill_relations"]
