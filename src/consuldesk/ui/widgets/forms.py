"""Small pieces of forms that the dialogs and pages share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


def error_label() -> QLabel:
    """A red, bold, wrapping label for one field's error; hidden until needed."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(176, 0, 32))
    label.setPalette(palette)
    font = label.font()
    font.setBold(True)  # bold as well as red: still an error in greyscale
    label.setFont(font)
    label.hide()
    return label


def with_side_column(main: QWidget, *side: QWidget) -> QHBoxLayout:
    """``main`` taking the width, with ``side`` stacked at the top of a column on its right."""
    column = QVBoxLayout()
    for widget in side:
        column.addWidget(widget)
    column.addStretch(1)
    row = QHBoxLayout()
    row.addWidget(main, 1)
    row.addLayout(column)
    return row


def make_default(button: QPushButton) -> None:
    """Make ``button`` the one Enter presses in its dialog. Call it once the button is in the
    dialog's layout: a button made default before it belongs to a dialog is not known to it,
    and the dialog, when shown, gives Enter to the first button of its focus chain instead
    (Close, in the Add member dialog: Enter closed it and dropped what was typed)."""
    button.setDefault(False)  # (setting True again would be a no-op)
    button.setDefault(True)


class ChoiceBox(QComboBox):
    """A drop-down that may start with nothing chosen (a placeholder): its list opens with
    the first entry highlighted, so what Down and Enter then pick is what the officer sees
    (it opened with none shown, and Down and Enter took the second entry)."""

    def showPopup(self) -> None:
        if self.currentIndex() < 0 and self.count():
            self.view().setCurrentIndex(self.model().index(0, self.modelColumn()))
        super().showPopup()


__all__ = ["ChoiceBox", "error_label", "make_default", "with_side_column"]
