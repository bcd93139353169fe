"""Pieces of forms the dialogs share."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout

from consuldesk.ui.widgets.forms import error_label

LONG = (
    "Almaz Inn қонақүйінде 09.12.2026 түні 1 орынның 0 орны бос: 2 адамның 1 адамына орын жоқ; "
    "бәрібір орналастыру үшін «Орыннан тыс өзгерту» батырмасын басыңыз"
)


def test_a_long_error_gets_its_lines_and_the_rows_under_it_keep_theirs(qtbot):
    """Qt took a wrapped label's minimum height at its narrowest: a three-line error in a
    dialog that did not grow clipped the date row and its check box in half."""
    dialog = QDialog()
    qtbot.addWidget(dialog)
    field, error, below = QLineEdit(), error_label(), QLabel("Жаңа кету күні")
    layout = QVBoxLayout(dialog)
    for widget in (field, error, below):
        layout.addWidget(widget)
    dialog.resize(300, 60)
    dialog.show()
    qtbot.waitExposed(dialog)
    error.setText(LONG)
    error.show()
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()), timeout=2000)
    assert error.heightForWidth(error.width()) > 2 * error.fontMetrics().lineSpacing()
    assert below.geometry().top() >= error.geometry().bottom()
    assert below.height() >= below.sizeHint().height()
    dialog.resize(200, dialog.height())  # narrower: more lines, still all shown
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()), timeout=2000)
