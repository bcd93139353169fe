"""The frame of a dialog that acts on one person after another, found by typing: a search
field over a list, what the dialog asks besides, a hint, an error, and Add (the default: Enter
adds, never closes) beside Close. The dialog stays open for the next person."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services.rows import NationalRow
from consuldesk.ui.context import AppContext
from consuldesk.ui.widgets.forms import error_label, make_default
from consuldesk.ui.widgets.person_picker import PersonPicker, person_line


class PersonPickDialog(QDialog):
    """Subclasses add their rows to :attr:`form` (after the search), then call
    :meth:`lay_out`; they act on :meth:`chosen` in :meth:`add_chosen`, and say what they did
    in :attr:`hint_label`, calling :meth:`ready_for_next` once it is done."""

    def __init__(
        self,
        ctx: AppContext,
        add_text: str,
        hint: str,
        line: Callable[[NationalRow], str] = person_line,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setMinimumWidth(560)
        self.picker = PersonPicker(ctx, line)
        self.search_box, self.results = self.picker.search_box, self.picker.results
        self.hint_label = QLabel(hint)
        self.hint_label.setWordWrap(True)
        self.error_label = error_label()
        self.add_button = QPushButton(add_text)
        self.add_button.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.form = QFormLayout()
        find_label = QLabel(_("&Find"))
        find_label.setBuddy(self.search_box)
        self.form.addRow(find_label, self.picker)

    def lay_out(self, intro: QWidget | None = None) -> None:
        """The dialog's layout, once the subclass's rows are in :attr:`form`."""
        layout = QVBoxLayout(self)
        if intro is not None:
            layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        # Enter adds, never closes: the default once the button is in the dialog (set before,
        # Close took it), and Close never the one Enter falls back to.
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        make_default(self.add_button)
        self.picker.found.connect(self._on_picker_found)
        self.picker.chosen_changed.connect(self._on_picker_chosen_changed)
        self.picker.failed.connect(self.show_failure)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.buttons.rejected.connect(self.reject)
        self.search_box.setFocus()

    def chosen(self) -> NationalRow | None:
        """The person picked in the list."""
        return self.picker.chosen()

    def nobody_found(self) -> str:
        """The hint when a search finds nobody."""
        return _("Nobody found: check the spelling or register them first.")

    def add_chosen(self, person: NationalRow) -> None:
        """Act on the person picked (off the UI thread); subclasses."""
        raise NotImplementedError

    def ready_for_next(self) -> None:
        """After an addition: the search empties for the next name."""
        self.picker.reset()

    @Slot(int)
    def _on_picker_found(self, n: int) -> None:
        self.hint_label.setText(
            _("Pick the person with ↑↓, then press Add.") if n else self.nobody_found()
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
        self.add_button.setEnabled(False)
        self.add_chosen(person)

    @Slot(object)
    def show_failure(self, exc: BaseException) -> None:
        """Say why the addition (or the search) failed; Add works again."""
        if not isValid(self):
            return
        self.add_button.setEnabled(self.chosen() is not None)
        self.error_label.setText(describe(exc))
        self.error_label.show()


__all__ = ["PersonPickDialog"]
