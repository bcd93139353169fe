"""A small form saved by one service call off the UI thread (rename, new household, new hotel).

Save rests while the work runs. On success the case file's change is announced (even when the
dialog was closed meanwhile: the change was written), ``saved`` carries the result and the
dialog closes. On failure the message shows under the form, and :meth:`_focus_on_error` puts
the cursor where the officer can mend it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel
from shiboken6 import isValid

from consuldesk.messages import describe
from consuldesk.services.views import Written
from consuldesk.ui.context import AppContext


class SavingDialog(QDialog):
    """Base of the forms above; subclasses set ``ctx``, ``buttons`` and ``error_label``.

    Signals:
        saved(object): the :class:`Written` result of the service call.
    """

    saved = Signal(object)
    ctx: AppContext
    buttons: QDialogButtonBox
    error_label: QLabel

    def _save(self, work: Callable[[], Written[Any]]) -> None:
        """Run ``work`` (a service call) in the background, Save resting meanwhile."""
        self.buttons.setEnabled(False)
        self.ctx.tasks.run(work, self._on_save_done, self._on_save_failed)

    def _on_save_done(self, written: Written[Any]) -> None:
        self.ctx.events.changed.emit(written.changes)  # written even if the dialog was closed
        if not isValid(self):
            return
        self.buttons.setEnabled(True)
        self.saved.emit(written)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return  # closed while the work ran
        self.buttons.setEnabled(True)
        self.error_label.setText(describe(exc))
        self.error_label.show()
        self._focus_on_error(exc)

    def _focus_on_error(self, exc: BaseException) -> None:
        """Where the cursor goes after a refusal (nowhere by default)."""
