"""What the dialogs that write a file share: the file row (a path field and Choose…), a status
line, "Open its folder" once written, Close, and the folder remembered for next time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton

from consuldesk.i18n import _
from consuldesk.ui.context import AppContext

SETTINGS_FOLDER = "lists/folder"  # lists in and out and printed documents share one folder


def remembered_folder(ctx: AppContext) -> Path:
    """The folder last written to or read from (the home folder if none, or if it is gone)."""
    stored = ctx.settings.value(SETTINGS_FOLDER, "") if ctx.settings is not None else ""
    folder = Path(str(stored)) if stored else Path.home()
    return folder if folder.is_dir() else Path.home()


def remember_folder(ctx: AppContext, folder: Path) -> None:
    """Start the next file dialog in ``folder``."""
    if ctx.settings is not None:
        ctx.settings.setValue(SETTINGS_FOLDER, str(folder))


def show_folder(folder: Path) -> None:
    """Show a folder in the system's file manager."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class FileOutput:
    """Mixin for a dialog that writes one file.

    The dialog calls :meth:`build_file_widgets` (and lays out what it makes), calls
    :meth:`connect_file_signals` from its ``_connect_signals()``, sets :attr:`written_path` when
    the file is complete and overrides :meth:`choose_file`.
    """

    ctx: AppContext
    path_edit: QLineEdit
    choose_button: QPushButton
    status_label: QLabel
    open_folder_button: QPushButton
    close_button: QPushButton
    written_path: Path | None

    def build_file_widgets(self, default: Path, status: str) -> QHBoxLayout:
        """Make the file row's and the status line's widgets; returns the file row."""
        self.written_path = None
        self.path_edit = QLineEdit(str(default))
        self.choose_button = QPushButton(_("&Choose…"))
        self.choose_button.setAutoDefault(False)
        self.status_label = QLabel(status)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton(_("Open its &folder"))
        self.open_folder_button.setAutoDefault(False)
        self.open_folder_button.setVisible(False)  # until there is a file to show
        self.close_button = QPushButton(_("Close"))
        self.close_button.setAutoDefault(False)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        return file_row

    def button_row(self, action: QPushButton) -> QHBoxLayout:
        """Open its folder on the left; ``action`` and Close on the right."""
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(action)
        buttons.addWidget(self.close_button)
        return buttons

    @property
    def path(self) -> Path | None:
        """The file to write, as typed or chosen."""
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    # -- seams tests override ------------------------------------------------------------------

    def choose_file(self) -> Path | None:
        """Ask where to save (a native dialog; tests override this)."""
        raise NotImplementedError

    def open_folder(self, folder: Path) -> None:
        """Show a folder in the system's file manager (tests override this)."""
        show_folder(folder)

    def connect_file_signals(self) -> None:
        """Choose… and Open its folder to their handlers here."""
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.open_folder_button.clicked.connect(self._on_open_folder_button_clicked)

    # -- handlers ------------------------------------------------------------------------------

    def _set_status(self, text: str, style: str = "") -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    def _on_choose_button_clicked(self) -> None:
        chosen = self.choose_file()
        if chosen is not None:
            self.path_edit.setText(str(chosen))

    def _on_open_folder_button_clicked(self) -> None:
        if self.written_path is not None:
            self.open_folder(self.written_path.parent)


__all__ = ["SETTINGS_FOLDER", "FileOutput", "remember_folder", "remembered_folder", "show_folder"]
