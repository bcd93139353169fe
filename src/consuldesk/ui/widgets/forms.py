"""Small pieces of forms that the dialogs and pages share."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WrappingLabel(QLabel):
    """A word-wrapped label that asks its layout for the height its text takes at the width
    it has. Qt's layouts take a wrapped label's minimum height at the label's narrowest: a
    three-line error in a dialog that did not grow clipped the rows under it in half."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if self.text() and self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # another width, another height


def error_label() -> QLabel:
    """A red, bold, wrapping label for one field's error; hidden until needed."""
    label = WrappingLabel()
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
