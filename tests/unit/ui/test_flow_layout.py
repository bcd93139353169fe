"""The flow layout: buttons in one line when there is room, wrapped when narrow."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from consuldesk.ui.widgets.flow_layout import FlowLayout


def _row(qtbot, width):
    window = QWidget()
    qtbot.addWidget(window)
    column = QVBoxLayout(window)
    flow = FlowLayout()
    buttons = [QPushButton(text) for text in ("Boarded [B]", "No-show [N]", "Offloaded [O]")]
    for button in buttons:
        flow.addWidget(button)
    column.addLayout(flow)
    below = QLabel("below")
    column.addWidget(below)
    column.addStretch(1)
    window.resize(width, 300)
    window.show()
    qtbot.waitExposed(window)
    return window, buttons, below


def test_a_wide_row_keeps_its_buttons_on_one_line_at_their_size(qtbot):
    _window, buttons, _below = _row(qtbot, 800)
    assert len({b.y() for b in buttons}) == 1
    assert all(b.width() == b.sizeHint().width() for b in buttons)
    xs = [b.x() for b in buttons]
    assert xs == sorted(xs)


def test_a_narrow_row_wraps_instead_of_widening_the_window(qtbot):
    widest = QPushButton("Offloaded [O]").sizeHint().width()
    window, buttons, below = _row(qtbot, widest + 60)
    qtbot.waitUntil(lambda: len({b.y() for b in buttons}) > 1, timeout=3000)
    assert window.width() == widest + 60
    assert all(b.geometry().right() < window.width() for b in buttons)
    assert all(b.width() == b.sizeHint().width() for b in buttons)  # nothing cut
    # What comes below moves down under the last line; nothing overlaps.
    assert below.y() >= max(b.geometry().bottom() for b in buttons)
