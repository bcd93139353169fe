"""Stop the mouse wheel from changing a field the pointer merely passes over.

In a scrolling form the wheel scrolls the page until it lands on a combo box, spin box or date
field, which then silently takes the wheel and changes its value. A person scrolling the card
changed "Source" without noticing. Guarded fields take the wheel only when they have focus.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


class _WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()  # let the scroll area have it
            return True
        return False


def guard_wheel(root: QWidget) -> None:
    """Make every combo box, spin box and date field under ``root`` ignore an unfocused wheel."""
    guard = _WheelGuard(root)
    for widget in root.findChildren(QWidget):
        if isinstance(widget, (QComboBox, QAbstractSpinBox)):
            widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            widget.installEventFilter(guard)
