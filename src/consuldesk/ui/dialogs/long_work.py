"""A dialog that runs long work (import, export) with progress, cancel and a status line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from consuldesk.i18n import _
from consuldesk.services.desk import CancelFlag
from consuldesk.ui.dialogs.file_output import show_folder


class Progress(Protocol):
    """The progress strip the dialog shows (``import_list.WorkProgress``)."""

    cancel_button: QPushButton
    cancel_requested: Any  # a Signal

    def start(self, text: str) -> None: ...

    def set_progress(self, done: int, total: int, label: str) -> None: ...

    def stop(self) -> None: ...


class LongWorkDialog(QDialog):
    """What the import and export dialogs share while their work runs.

    Subclasses create ``self.progress`` (a ``WorkProgress``) and ``self.status_label``, and set
    ``self._cancel`` to the running work's flag (``None`` when idle). Esc or closing while work
    runs cancels it first; a second Esc closes. Answers arriving after the dialog closed are
    ignored through ``self._closed``.
    """

    progress: Progress
    status_label: QLabel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cancel: CancelFlag | None = None
        self._closed = False

    def open_folder(self, folder: Path) -> None:
        """Show a folder in the system's file manager (tests override this)."""
        show_folder(folder)

    @property
    def busy(self) -> bool:
        """Whether work is running."""
        return self._cancel is not None

    @property
    def cancel_button(self) -> QPushButton:
        """Cancel of the running work."""
        return self.progress.cancel_button

    def _set_status(self, text: str, style: str = "") -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    def cancel_work(self) -> None:
        """Ask the running work to stop; it commits and writes nothing."""
        if self._cancel is not None:
            self._cancel.cancel()
            self._set_status(_("Cancelling…"))

    @Slot()
    def _on_progress_cancel_requested(self) -> None:
        self.cancel_work()

    def _on_work_progress(self, done: int, total: int, label: str) -> None:
        if not self._closed:
            self.progress.set_progress(done, total, label)

    def reject(self) -> None:
        if self.busy:
            self.cancel_work()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            self.cancel_work()
            event.ignore()
            return
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)
