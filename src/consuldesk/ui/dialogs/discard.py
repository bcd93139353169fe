"""A dialog whose Cancel (or Esc) asks before throwing typed changes away."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from consuldesk.i18n import _
from consuldesk.ui.dialogs.ask import ask


class DiscardGuardDialog(QDialog):
    """Cancel or Esc with unsaved changes asks first (non-blocking; tests answer
    :attr:`discard_box`).

    Subclasses say whether anything is typed (:meth:`has_changes`) and may word the question
    (:meth:`discard_question`). ``_closed`` turns true once the dialog is done: answers from
    background work that arrive later must not touch it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discard_box: QMessageBox | None = None
        self._discard_confirmed = False
        self._closed = False

    def has_changes(self) -> bool:
        """Whether the officer typed something not saved yet."""
        return False

    def discard_question(self) -> str:
        """The question asked before discarding."""
        return _("What you typed here is not saved. Discard it?")

    def reject(self) -> None:
        """Cancel or Esc: ask before throwing away what was typed."""
        if self.has_changes() and not self._closed and not self._discard_confirmed:
            self.confirm_discard()
            return
        super().reject()

    def confirm_discard(self) -> None:
        """Ask whether to discard unsaved changes."""
        self.discard_box = ask(
            self,
            _("Discard changes?"),
            self.discard_question(),
            self._on_discard_box_confirmed,
            QMessageBox.StandardButton.Discard,
            yes=_("Discard changes"),
            no=_("Keep editing"),
        )

    def _on_discard_box_confirmed(self) -> None:
        self._discard_confirmed = True
        self.reject()

    def done(self, result: int) -> None:
        # Background answers may still arrive after the dialog closes: they must not touch it.
        self._closed = True
        super().done(result)


__all__ = ["DiscardGuardDialog"]
