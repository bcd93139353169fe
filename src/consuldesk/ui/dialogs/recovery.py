"""Recovery key…: the key that opens the case file when every passphrase is lost, for
headquarters' safe (head of section only; the passphrase is asked again first).

:class:`RecoveryKeyPanel` shows a key in large monospaced groups, saves the printable sheet
(PDF) and says what to do with it; the encryption dialog shows the same panel once a case file
is encrypted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services import access, documents
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.file_output import remember_folder, remembered_folder, show_folder
from consuldesk.ui.dialogs.import_list import ERROR_STYLE, OK_STYLE
from consuldesk.ui.dialogs.passphrase import FieldForm, passphrase_edit
from consuldesk.ui.widgets.forms import make_default

PDF_FILTER = "PDF (*.pdf)"
GROUPS_PER_LINE = 4


def key_lines(key: str) -> str:
    """The key's groups, four to a line, spaced so that each reads alone."""
    groups = key.split("-")
    return "\n".join(
        "  ".join(groups[i : i + GROUPS_PER_LINE]) for i in range(0, len(groups), GROUPS_PER_LINE)
    )


class RecoveryKeyPanel(QWidget):
    """A recovery key shown large, "Save the recovery sheet (PDF)…", and the advice.

    Signals:
        sheet_written(str): the path of the sheet just written.
    """

    sheet_written = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.key = ""
        self.written_path: Path | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.key_label = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10) + 8)
        font.setBold(True)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.key_label.setContentsMargins(12, 12, 12, 12)
        self.advice = QLabel(
            _(
                "Print the sheet and send it to headquarters, sealed, for their safe. With it "
                "and headquarters' approval, the case file can be opened when every passphrase "
                "is lost. Keep no copy on this laptop: save the sheet to a USB stick or print it "
                "at once, then delete the file. Do not photograph the key. Anyone holding it "
                "can read the case file."
            )
        )
        self.advice.setWordWrap(True)
        self.save_button = QPushButton(_("&Save the recovery sheet (PDF)…"))
        self.save_button.setAutoDefault(False)
        self.open_folder_button = QPushButton(_("Open its &folder"))
        self.open_folder_button.setAutoDefault(False)
        self.open_folder_button.hide()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.key_label)
        layout.addWidget(self.advice)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)

    def show_key(self, key: str) -> None:
        """Show ``key`` (as :func:`consuldesk.store.keyring.recovery_text` writes it)."""
        self.key = key
        self.heading.setText(_("The recovery key of {file}:").format(file=self.ctx.desk.path.name))
        self.key_label.setText(key_lines(key))
        # Shown on a page of a dialog sized before the key was known: room for every line.
        self.key_label.setMinimumHeight(self.key_label.sizeHint().height())

    # -- seams tests override ------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask where to save the sheet (a native dialog; tests override this)."""
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save the recovery sheet"), str(self._default_path()), PDF_FILTER
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

    def open_folder(self, folder: Path) -> None:
        """Show a folder in the system's file manager (tests override this)."""
        show_folder(folder)

    def _default_path(self) -> Path:
        post = self.ctx.desk.casefile.local_post()
        code = post.code if post else "post"
        return remembered_folder(self.ctx) / f"recovery-key-{code}-{date.today():%Y-%m-%d}.pdf"

    # -- handlers ------------------------------------------------------------------------------

    @Slot()
    def _on_save_button_clicked(self) -> None:
        path = self.choose_file()
        if path is None or not self.key:
            return
        self.save_button.setEnabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(_("Writing…"))
        desk, key = self.ctx.desk, self.key
        lang: Literal["kk", "ru"] = "kk" if self.ctx.print_language() == "kk" else "ru"
        self.ctx.tasks.run(
            lambda: documents.write_recovery_sheet(desk, key, path, second_language=lang),
            self._on_written,
            self._on_write_failed,
            owner=self,
        )

    def _on_written(self, path: Path) -> None:
        self.save_button.setEnabled(True)
        self.written_path = Path(path)
        remember_folder(self.ctx, self.written_path.parent)
        self.status_label.setStyleSheet(OK_STYLE)
        self.status_label.setText(
            _("Written to {path}. Print it, then delete the file.").format(path=path)
        )
        self.open_folder_button.show()
        self.sheet_written.emit(str(path))

    def _on_write_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status_label.setStyleSheet(ERROR_STYLE)
        self.status_label.setText(describe(exc))

    @Slot()
    def _on_open_folder_button_clicked(self) -> None:
        if self.written_path is not None:
            self.open_folder(self.written_path.parent)


class RecoveryKeyDialog(QDialog):
    """The passphrase again, then the recovery key (head of section only)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Recovery key"))
        self.pages = QStackedWidget()
        ask_page = QWidget()
        self.intro = QLabel(
            _(
                "The recovery key opens this case file without any passphrase. It is shown "
                "only to the head of section, and every showing is in the audit trail. Type "
                "your passphrase again to see it."
            )
        )
        self.intro.setWordWrap(True)
        self.form = FieldForm()
        self.passphrase_edit = self.form.add("current", _("Your &passphrase:"), passphrase_edit())
        ask_layout = QVBoxLayout(ask_page)
        ask_layout.setContentsMargins(0, 0, 0, 0)
        ask_layout.addWidget(self.intro)
        ask_layout.addLayout(self.form.layout)
        ask_layout.addWidget(self.form.form_error)
        ask_layout.addStretch(1)
        self.panel = RecoveryKeyPanel(ctx)
        self.pages.addWidget(ask_page)
        self.pages.addWidget(self.panel)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        # Enter does the dialog's action: Cancel is never the default (Qt makes the first
        # auto-default button of a box the default when the dialog shows).
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        self.show_button = self.buttons.addButton(
            _("&Show the recovery key"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)
        make_default(self.show_button)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.passphrase_edit.setFocus()

    @Slot()
    def _on_buttons_accepted(self) -> None:
        passphrase = self.passphrase_edit.text()
        self.form.clear_errors()
        if not passphrase:
            self.form.show_at("current", _("Type your passphrase."))
            return
        self.show_button.setEnabled(False)
        desk = self.ctx.desk
        self.ctx.tasks.run(
            lambda: access.recovery_key(desk, passphrase), self._on_key, self._on_refused
        )

    def _on_key(self, key: str) -> None:
        if not isValid(self):
            return
        self.passphrase_edit.clear()
        self.panel.show_key(key)
        self.pages.setCurrentWidget(self.panel)
        self.show_button.hide()
        self.panel.save_button.setFocus()
        self.adjustSize()

    def _on_refused(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.show_button.setEnabled(True)
        self.form.show_error(exc)


def open_recovery_key(ctx: AppContext, parent: QWidget | None = None) -> RecoveryKeyDialog:
    """Show the dialog (returns at once)."""
    dialog = RecoveryKeyDialog(ctx, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


__all__ = ["RecoveryKeyDialog", "RecoveryKeyPanel", "key_lines", "open_recovery_key"]
