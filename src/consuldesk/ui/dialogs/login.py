"""The login to an encrypted case file: the officer's name and passphrase, or the recovery key.

The passphrase unwraps the file's key (Argon2id, about a quarter of a second) off the UI
thread; a wrong one says so at the field and keeps the name. "Recovery key…" is the way back
headquarters approved when every passphrase is lost: the printed key opens the file, and the
officer sets a new passphrase in the same step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services import access
from consuldesk.services.casefile import open_casefile
from consuldesk.services.desk import Desk
from consuldesk.ui.tasks import TaskRunner
from consuldesk.ui.widgets.forms import make_default

#: Where the last officer's name is kept (the login offers it again).
OFFICER_KEY = "officer/name"


def password_field(placeholder: str = "") -> QLineEdit:
    """A line that does not show what is typed."""
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


def error_label() -> QLabel:
    """A red, bold line for a refusal (bold too: readable in greyscale), hidden until used."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020; font-weight: bold;")
    label.hide()
    return label


class LoginDialog(QDialog):
    """Log in to the encrypted case file at ``path``; after ``accept()``, :attr:`desk` is open.

    Signals:
        opened(object): the :class:`Desk` opened.
    """

    opened = Signal(object)

    def __init__(
        self, path: Path, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.settings = settings
        self.desk: Desk | None = None
        self.tasks = TaskRunner(self)
        self.setWindowTitle(_("Log in — ConsulDesk"))
        self.setMinimumWidth(480)

        heading = QLabel(_("Case file {name}").format(name=path.name))
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        where = QLabel(str(path.parent))
        where.setWordWrap(True)
        where.setStyleSheet("color: palette(mid);")
        explain = QLabel(_("The case file is encrypted. Your name and passphrase open it."))
        explain.setWordWrap(True)

        self.name_edit = QLineEdit(self._last_officer())
        self.pass_edit = password_field()
        self.error = error_label()
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.hide()
        demo = access.login_hint(path)
        if demo is not None:
            self.hint.setText(
                _(
                    "Demo case file (invented people): officer “{officer}”, passphrase “{pw}”."
                ).format(officer=demo, pw=access.DEMO_PASSPHRASE)
            )
            self.hint.show()
            if not self.name_edit.text() or self.name_edit.text() != demo:
                self.name_edit.setText(demo)
            self.pass_edit.setText(access.DEMO_PASSPHRASE)

        name_label = QLabel(_("Your &name"))
        name_label.setBuddy(self.name_edit)
        pass_label = QLabel(_("&Passphrase"))
        pass_label.setBuddy(self.pass_edit)
        # Two forms (the passphrase's is swapped for the recovery key's): one label width,
        # so that the name and passphrase fields start in one line.
        width = max(name_label.sizeHint().width(), pass_label.sizeHint().width())
        for label in (name_label, pass_label):
            label.setMinimumWidth(width)
        name_form = QFormLayout()
        name_form.addRow(name_label, self.name_edit)
        login_form = QFormLayout()
        login_form.addRow(pass_label, self.pass_edit)
        self.login_button = QPushButton(_("&Log in"))
        self.recovery_link = QPushButton(_("Lost every passphrase? &Recovery key…"))
        self.recovery_link.setFlat(True)
        self.recovery_link.setAutoDefault(False)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        login_page = QWidget()
        login_layout = QVBoxLayout(login_page)
        login_layout.setContentsMargins(0, 0, 0, 0)
        login_layout.addLayout(login_form)
        login_layout.addWidget(self.hint)

        self.recovery_edit = QLineEdit()
        self.recovery_edit.setPlaceholderText("XXXXX-XXXXX-XXXXX-…")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.recovery_edit.setFont(mono)
        self.new_pass = password_field()
        self.new_pass_again = password_field()
        recovery_page = QWidget()
        recovery_layout = QVBoxLayout(recovery_page)
        recovery_layout.setContentsMargins(0, 0, 0, 0)
        recovery_form = QFormLayout()
        recovery_note = QLabel(
            _(
                "Only with headquarters' approval. Type the recovery key from the sheet kept "
                "at headquarters (groups of five; case and dashes do not matter), then a new "
                "passphrase for the name above."
            )
        )
        recovery_note.setWordWrap(True)
        recovery_layout.addWidget(recovery_note)  # outside the form: wrapped there, it is cut
        recovery_layout.addLayout(recovery_form)
        recovery_form.addRow(_("Recovery &key"), self.recovery_edit)
        recovery_form.addRow(_("&New passphrase"), self.new_pass)
        recovery_form.addRow(_("New passphrase &again"), self.new_pass_again)

        # Two pages, one shown: the dialog is as tall as the page in view.
        self.login_page, self.recovery_page = login_page, recovery_page
        recovery_page.hide()

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()

        link_row = QHBoxLayout()
        link_row.addWidget(self.recovery_link)
        link_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.login_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(where)
        layout.addWidget(explain)
        layout.addSpacing(6)
        layout.addLayout(name_form)
        layout.addWidget(login_page)
        layout.addWidget(recovery_page)
        layout.addLayout(link_row)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addLayout(buttons)

        make_default(self.login_button)
        self.login_button.clicked.connect(self._on_login_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.recovery_link.clicked.connect(self._on_recovery_link_clicked)
        self.name_edit.returnPressed.connect(self.pass_edit.setFocus)
        self.pass_edit.returnPressed.connect(self._on_login_button_clicked)
        (self.pass_edit if self.name_edit.text() else self.name_edit).setFocus()

    def _last_officer(self) -> str:
        if self.settings is None:
            return ""
        return str(self.settings.value(OFFICER_KEY, "") or "").strip()

    @property
    def recovering(self) -> bool:
        """Whether the recovery key is asked for instead of the passphrase."""
        return not self.recovery_page.isHidden()

    @Slot()
    def _on_recovery_link_clicked(self) -> None:
        self.login_page.hide()
        self.recovery_page.show()
        self.recovery_link.hide()
        self.login_button.setText(_("&Open and set the passphrase"))
        self.error.hide()
        self.recovery_edit.setFocus()

    @Slot()
    def _on_login_button_clicked(self) -> None:
        name = " ".join(self.name_edit.text().split())
        if not name:
            self._refuse(_("Enter your name."), self.name_edit)
            return
        path = self.path
        if self.recovering:
            key, new, again = (
                self.recovery_edit.text(),
                self.new_pass.text(),
                self.new_pass_again.text(),
            )
            if new != again:
                self._refuse(_("The two new passphrases differ."), self.new_pass_again)
                return
            try:
                access.check_passphrase(new)
            except Exception as exc:  # ServiceError, said at the field
                self._refuse(describe(exc), self.new_pass)
                return

            def recover() -> Desk:
                desk = access.open_with_recovery(path, key, name)
                try:
                    access.reset_passphrase(desk, name, new)
                except BaseException:
                    desk.close()
                    raise
                return desk

            self._run(recover)
            return
        passphrase = self.pass_edit.text()
        if not passphrase:
            self._refuse(_("Enter your passphrase."), self.pass_edit)
            return
        self._run(lambda: open_casefile(path, name, passphrase))

    def _run(self, work: object) -> None:
        self._busy(True)
        self.tasks.run(work, self._on_done, self._on_failed, owner=self)  # type: ignore[arg-type]

    def _busy(self, busy: bool) -> None:
        for widget in (self.login_button, self.name_edit, self.login_page, self.recovery_page):
            widget.setEnabled(not busy)
        self.busy.setVisible(busy)
        if busy:
            self.error.hide()

    def _refuse(self, message: str, field: QWidget | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        if field is not None:
            field.setFocus()

    def _on_done(self, desk: Desk) -> None:
        if not isValid(self):
            desk.close()
            return
        self._busy(False)
        self.desk = desk
        if self.settings is not None:
            self.settings.setValue(OFFICER_KEY, desk.officer)
        self.opened.emit(desk)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._busy(False)
        code = getattr(exc, "code", "")
        field: QWidget | None = None
        if code == "keyring.wrong_passphrase":
            self.pass_edit.selectAll()
            field = self.pass_edit
        elif code in ("keyring.no_officer", "account.disabled"):
            field = self.name_edit
        elif code.startswith("keyring.recovery"):
            field = self.recovery_edit
        self._refuse(describe(exc), field)
        if code in ("keyring.missing", "keyring.damaged") and not self.recovering:
            # No copy to put back: the recovery key is the way in.
            self._on_recovery_link_clicked()
            self._refuse(describe(exc), self.recovery_edit)

    def reject(self) -> None:
        if self.busy.isVisible():
            return  # the file is being opened: let it finish
        super().reject()


def log_in(path: Path, settings: QSettings | None, parent: QWidget | None = None) -> Desk | None:
    """Ask for the login to ``path`` (modal); the open desk, or None when cancelled."""
    dialog = LoginDialog(path, settings, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.desk


__all__ = ["OFFICER_KEY", "LoginDialog", "error_label", "log_in", "password_field"]
