"""Passphrase fields with their errors beside them, and "Change my passphrase…".

Every form of the accounts dialogs (add an officer, reset, change, the recovery key, encrypt)
asks for passphrases the same way: hidden fields, the new one typed twice, the service's
refusal shown under the field it is about, the cursor put there. :class:`FieldForm` is that
part; the dialogs lay it out and send the service call off the UI thread (Argon2id takes about
a quarter of a second, and must not freeze the window).
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services import access
from consuldesk.services.errors import ServiceError
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.import_list import OK_STYLE
from consuldesk.ui.widgets.forms import error_label, make_default

#: Which field a refusal belongs under, by its code (the rest show under the whole form).
ERROR_FIELDS: dict[str, str] = {
    "keyring.wrong_passphrase": "current",
    "keyring.no_officer": "name",
    "account.passphrase_short": "new",
    "account.passphrase_same": "new",
    "account.name": "name",
    "account.exists": "name",
    "account.role": "role",
    "account.last_head": "role",
}


W = TypeVar("W", bound=QWidget)


def passphrase_edit() -> QLineEdit:
    """A field whose text is never shown (and never offered to copy)."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(260)
    return edit


def _grow_to_fit(window: QWidget) -> None:
    """Make a shown dialog tall enough for an error line that just appeared: a wrapping
    label's height depends on its width, which the dialog's minimum size does not follow."""
    layout = window.layout()
    if not window.isVisible() or layout is None:
        return
    layout.activate()
    needed = window.heightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)


class FieldForm:
    """Labelled fields, each with an error line under it, and one line under the form.

    ``add(key, label, widget)`` lays a field out; ``show_error(exc)`` puts a refusal under the
    field it is about (by :data:`ERROR_FIELDS`, else under the form) and the cursor in it.
    """

    def __init__(self) -> None:
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.form_error = error_label()

    def add(self, key: str, label: str, widget: W) -> W:
        """Add a field (``label`` with its & mnemonic) and its hidden error line."""
        caption = QLabel(label)
        caption.setBuddy(widget)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = error_label()
        column.addWidget(error)
        self.layout.addRow(caption, column)
        self.fields[key] = widget
        self.errors[key] = error
        return widget

    def clear_errors(self) -> None:
        """Hide every error line."""
        for label in (*self.errors.values(), self.form_error):
            label.clear()
            label.hide()

    def show_at(self, key: str, text: str) -> None:
        """Show ``text`` under the field ``key`` (under the form if there is no such field)."""
        label = self.errors.get(key, self.form_error)
        label.setText(text)
        label.show()
        _grow_to_fit(label.window())
        widget = self.fields.get(key)
        if widget is not None:
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    def show_error(self, exc: BaseException) -> None:
        """A service's refusal, under the field it is about."""
        self.clear_errors()
        self.show_at(ERROR_FIELDS.get(str(getattr(exc, "code", "")), ""), describe(exc))

    def check_new_pair(self, new: str, again: str, new_key: str = "new") -> bool:
        """The new passphrase long enough and typed the same twice; says where if not."""
        self.clear_errors()
        try:
            access.check_passphrase(new)
        except ServiceError as exc:
            self.show_at(new_key, describe(exc))
            return False
        if new != again:
            self.show_at("again", _("The two passphrases differ: type the new one again."))
            return False
        return True


class ChangePassphraseDialog(QDialog):
    """The officer's own passphrase: the current one, then the new one twice (any role).

    Signals:
        changed(): the passphrase was changed.
    """

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Change my passphrase"))
        self.intro = QLabel(
            _(
                "{name}, your passphrase opens this case file. Choose a sentence only you "
                "know, at least {minimum} characters long; it cannot be read back, by anyone."
            ).format(name=ctx.desk.officer, minimum=access.MIN_PASSPHRASE)
        )
        self.intro.setWordWrap(True)
        self.form = FieldForm()
        self.current_edit = self.form.add("current", _("&Current passphrase:"), passphrase_edit())
        self.new_edit = self.form.add("new", _("&New passphrase:"), passphrase_edit())
        self.again_edit = self.form.add("again", _("New passphrase &again:"), passphrase_edit())
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.change_button = self.buttons.addButton(
            _("C&hange passphrase"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        # Enter does the dialog's action: Cancel is never the default (Qt makes the first
        # auto-default button of a box the default when the dialog shows).
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form.layout)
        layout.addWidget(self.form.form_error)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        make_default(self.change_button)
        self.setMinimumWidth(520)
        self._connect_signals()
        self.current_edit.setFocus()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self.status_label.isVisible():  # done: the button now closes
            self.accept()
            return
        old, new = self.current_edit.text(), self.new_edit.text()
        if not old:
            self.form.clear_errors()
            self.form.show_at("current", _("Type your current passphrase."))
            return
        if not self.form.check_new_pair(new, self.again_edit.text()):
            return
        self.buttons.setEnabled(False)
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: access.change_passphrase(desk, old, new), self._on_changed, self._on_failed
        )

    def _on_changed(self, _result: object) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        for edit in (self.current_edit, self.new_edit, self.again_edit):
            edit.clear()
            edit.setEnabled(False)
        self.form.clear_errors()
        self.status_label.setText(
            _("Your passphrase is changed. Log in with the new one from now on.")
        )
        self.status_label.setStyleSheet(OK_STYLE)
        self.status_label.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).hide()
        self.change_button.setText(_("Close"))
        self.change_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.form.show_error(exc)


def open_change_passphrase(
    ctx: AppContext, parent: QWidget | None = None
) -> ChangePassphraseDialog:
    """Show the dialog (returns at once)."""
    dialog = ChangePassphraseDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = [
    "ERROR_FIELDS",
    "ChangePassphraseDialog",
    "FieldForm",
    "open_change_passphrase",
    "passphrase_edit",
]
