"""Encrypt this case file…: a plain case file becomes an encrypted one, from the window.

The window cannot encrypt a file it holds open, so the dialog says what will happen and then
asks the window (:class:`CaseFileHolder`) to let go of its case file; the encryption
(:func:`consuldesk.services.access.encrypt_casefile`: an encrypted copy checked row for row
before it replaces the plain file) and the login that opens the result run off the UI thread;
the window is given the case file again, and the dialog shows the recovery key to print.

If anything fails, the file is opened again as it is (still plain unless the encrypted copy
was already in place) and the dialog says why. The dialog is application-modal while it works:
no other window (a person's card) can reach the case file meanwhile.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe, describe_code
from consuldesk.services import access
from consuldesk.services.casefile import open_casefile
from consuldesk.services.desk import Desk
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.import_list import OK_STYLE
from consuldesk.ui.dialogs.passphrase import FieldForm, passphrase_edit
from consuldesk.ui.dialogs.recovery import RecoveryKeyPanel
from consuldesk.ui.widgets.forms import error_label, make_default


class CaseFileHolder(Protocol):
    """What holds the open case file (the main window): lets go of it, and takes it back."""

    def close_casefile(self) -> None:
        """Stop using the case file (its background work waited for) and close it."""

    def reopen(self, desk: Desk) -> None:
        """Show ``desk`` (the same case file, opened again) in place of the closed one."""


class EncryptDialog(QDialog):
    """Explain, take the first head's name and passphrase (twice), encrypt, show the key.

    Signals:
        encrypted(): the case file is encrypted and open again under the new login.
    """

    encrypted = Signal()

    def __init__(
        self, ctx: AppContext, holder: CaseFileHolder, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.holder = holder
        self.busy = False
        self.setWindowTitle(_("Encrypt this case file"))
        self.pages = QStackedWidget()

        ask_page = QWidget()
        self.intro = QLabel(
            _(
                "This case file is not encrypted: whoever takes this laptop can read every "
                "name, passport and diagnosis in it. Encrypted, it opens only with an officer's "
                "name and passphrase.\n\n"
                "You become its first head of section and add the other officers afterwards "
                "(Officers → Officers…). To encrypt it, the window closes the case file for a "
                "moment, writes an encrypted copy, checks it row by row, and only then puts it "
                "in the place of the plain file; its backups are encrypted too. Then the case "
                "file opens again, and you are shown its recovery key to print for headquarters."
            )
        )
        self.intro.setWordWrap(True)
        self.form = FieldForm()
        self.name_edit = self.form.add("name", _("Your &name:"), QLineEdit(ctx.desk.officer))
        self.new_edit = self.form.add("new", _("Your &passphrase:"), passphrase_edit())
        self.again_edit = self.form.add("again", _("Passphrase &again:"), passphrase_edit())
        self.hint = QLabel(
            _(
                "At least {minimum} characters: a sentence only you know is easier to remember "
                "and harder to guess than a word."
            ).format(minimum=access.MIN_PASSPHRASE)
        )
        self.hint.setWordWrap(True)
        self.failure_label = error_label()
        ask_layout = QVBoxLayout(ask_page)
        ask_layout.setContentsMargins(0, 0, 0, 0)
        ask_layout.addWidget(self.intro)
        ask_layout.addLayout(self.form.layout)
        ask_layout.addWidget(self.hint)
        ask_layout.addWidget(self.form.form_error)
        ask_layout.addWidget(self.failure_label)
        ask_layout.addStretch(1)

        work_page = QWidget()
        self.work_label = QLabel(
            _("Encrypting the case file and checking the encrypted copy… Please wait.")
        )
        self.work_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # no steps to count: a busy bar
        work_layout = QVBoxLayout(work_page)
        work_layout.addStretch(1)
        work_layout.addWidget(self.work_label)
        work_layout.addWidget(self.progress)
        work_layout.addStretch(1)

        done_page = QWidget()
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setStyleSheet(OK_STYLE)
        self.panel = RecoveryKeyPanel(ctx)
        done_layout = QVBoxLayout(done_page)
        done_layout.setContentsMargins(0, 0, 0, 0)
        done_layout.addWidget(self.done_label)
        done_layout.addWidget(self.panel)

        for page in (ask_page, work_page, done_page):
            self.pages.addWidget(page)
        self.ask_page, self.work_page, self.done_page = ask_page, work_page, done_page
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Cancel"))
        # Enter does the dialog's action: Cancel is never the default (Qt makes the first
        # auto-default button of a box the default when the dialog shows).
        self.cancel_button.setAutoDefault(False)
        self.encrypt_button = self.buttons.addButton(
            _("&Encrypt"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        make_default(self.encrypt_button)
        self.setMinimumWidth(640)
        self._connect_signals()
        self.new_edit.setFocus()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

    # -- closing is refused while the file is out of the window's hands ------------------------

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    # -- the work ------------------------------------------------------------------------------

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self.pages.currentWidget() is self.done_page:
            self.accept()
            return
        name, new = " ".join(self.name_edit.text().split()), self.new_edit.text()
        self.failure_label.hide()
        if not name:
            self.form.clear_errors()
            self.form.show_at("name", describe_code("account.name", "name"))
            return
        if not self.form.check_new_pair(new, self.again_edit.text()):
            return
        self._start(name, new)

    def _start(self, name: str, passphrase: str) -> None:
        desk = self.ctx.desk
        path, officer, today = desk.path, desk.officer, desk.today
        self.busy = True
        self.pages.setCurrentWidget(self.work_page)
        self.buttons.setEnabled(False)
        self.holder.close_casefile()

        def work() -> tuple[str, Desk]:
            recovery = access.encrypt_casefile(path, name, passphrase)
            opened = access.login(path, name, passphrase)
            opened.today = today
            return recovery, opened

        def reopen_after_failure() -> Desk:
            # The copy may already be in place (only the login failed): open what is there.
            if access.is_encrypted(path):
                again = access.login(path, name, passphrase)
            else:
                again = open_casefile(path, officer)
            again.today = today
            return again

        def failed(exc: BaseException) -> None:
            why = describe(exc)
            self.ctx.tasks.run(
                reopen_after_failure,
                lambda again: self._on_reopened_after_failure(again, why),
                lambda lost: self._on_lost(why, lost),
                owner=self.ctx.tasks,
            )

        # Answered even if the dialog is gone: the window must get its case file back.
        self.ctx.tasks.run(work, self._on_encrypted, failed, owner=self.ctx.tasks)

    def _on_encrypted(self, result: tuple[str, Desk]) -> None:
        recovery, desk = result
        self.holder.reopen(desk)
        self.busy = False
        if not isValid(self):
            return
        self.done_label.setText(
            _(
                "The case file is encrypted. {name} is its head of section; log in with this "
                "name and passphrase from now on."
            ).format(name=desk.officer)
        )
        self.panel.show_key(recovery)
        self.pages.setCurrentWidget(self.done_page)
        self.cancel_button.hide()
        self.encrypt_button.setText(_("Close"))
        self.buttons.setEnabled(True)
        self.panel.save_button.setFocus()
        self.adjustSize()
        self.encrypted.emit()

    def _on_reopened_after_failure(self, desk: Desk, why: str) -> None:
        self.holder.reopen(desk)
        self.busy = False
        if not isValid(self):
            return
        self._show_failure(
            _("The case file was not encrypted: {why}").format(why=why)
            if not desk.encrypted
            else why
        )

    def _on_lost(self, why: str, lost: BaseException) -> None:
        self.busy = False
        if not isValid(self):
            return
        self._show_failure(
            _(
                "{why}\n\nThe case file could not be opened again ({again}). Close ConsulDesk "
                "and start it again."
            ).format(why=why, again=describe(lost))
        )

    def _show_failure(self, text: str) -> None:
        self.pages.setCurrentWidget(self.ask_page)
        self.buttons.setEnabled(True)
        self.failure_label.setText(text)
        self.failure_label.show()


def open_encrypt(
    ctx: AppContext, holder: CaseFileHolder, parent: QWidget | None = None
) -> EncryptDialog:
    """Show the dialog, application-modal (returns at once)."""
    dialog = EncryptDialog(ctx, holder, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.open()
    return dialog


__all__ = ["CaseFileHolder", "EncryptDialog", "open_encrypt"]
