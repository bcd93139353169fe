"""A question with one button that goes ahead and one that does not, shown without blocking.

Both buttons say what they do ("Discard changes" / "Keep editing"): Qt's own Yes, Discard and
Cancel read ambiguously in translation (Kazakh "Бас тарту", Cancel, also reads as "give it
up"), and a tired officer must not lose a card to a word."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(
    parent: QWidget,
    title: str,
    text: str,
    proceed: Callable[[], None],
    button: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes,
    *,
    yes: str,
    no: str,
) -> QMessageBox:
    """Ask ``text``; ``proceed`` runs only if the officer answers ``button``, labelled
    ``yes``; the other button (Cancel, labelled ``no``) leaves everything as it is.

    Cancel is the default, so a hurried Enter never does the thing that cannot be undone. The
    box opens window-modal and returns at once (tests click its buttons, nothing blocks). It
    lives as long as its parent: deleting it on close (``WA_DeleteOnClose``) while its
    ``finished`` handler still referred to it crashed the interpreter under load.
    """
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        button | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(button).setText(yes)
    box.button(QMessageBox.StandardButton.Cancel).setText(no)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def finished(_result: int) -> None:
        # The button clicked, not the result code: Esc and the title bar's close give Cancel.
        if box.clickedButton() is box.button(button):
            proceed()

    box.finished.connect(finished)
    box.open()
    return box


__all__ = ["ask"]
