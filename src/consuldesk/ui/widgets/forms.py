"""Small pieces of forms that the dialogs and pages share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


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


__all__ = ["error_label", "with_side_column"]
