"""The typed date field: what it reads, what it refuses, keys and the calendar."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from consuldesk.domain.errors import ValidationError
from consuldesk.ui.widgets.date_field import DateField, read_date
from tests.unit.ui.conftest import type_text


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("12.03.2026", date(2026, 3, 12)),
        (" 1.3.2026 ", date(2026, 3, 1)),
        ("12/03/2026", date(2026, 3, 12)),
        ("12-03-2026", date(2026, 3, 12)),
        ("12.03.26", date(2026, 3, 12)),
        ("12032026", date(2026, 3, 12)),
        ("120326", date(2026, 3, 12)),
        ("2026-03-12", date(2026, 3, 12)),
        ("", None),
    ],
)
def test_read_date(text, day):
    assert read_date(text) == day


@pytest.mark.parametrize(
    ("text", "code"),
    [("31.02.2026", "date.invalid"), ("12.03", "date.format"), ("1203", "date.format")],
)
def test_read_date_refuses(text, code):
    with pytest.raises(ValidationError) as err:
        read_date(text)
    assert err.value.code == code


def test_the_field_reads_keys_as_typed(qtbot):
    field = DateField(date(2026, 3, 10))
    qtbot.addWidget(field)
    assert field.text() == "10.03.2026" and field.value() == date(2026, 3, 10)
    with qtbot.waitSignal(field.changed):
        field.edit.selectAll()
        type_text(field.edit, "0")
    assert field.value() is None and field.error() is not None
    type_text(field.edit, "5.04.2026")
    assert field.value() == date(2026, 4, 5) and field.error() is None
    for k in (Qt.Key.Key_Up, Qt.Key.Key_Up):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(field.edit, QKeyEvent(kind, k, Qt.KeyboardModifier.NoModifier))
    assert field.text() == "07.04.2026"
    field.set_value(None)
    assert field.text() == "" and field.value() is None and field.error() is None


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_a_choice_box_with_nothing_chosen_opens_on_its_first_entry(qtbot):
    from consuldesk.ui.widgets.forms import ChoiceBox

    box = ChoiceBox()
    qtbot.addWidget(box)
    box.addItems(["Evacuation", "Accommodation", "Documents"])
    box.setPlaceholderText("Choose what the call is about")
    box.setCurrentIndex(-1)
    box.show()
    box.showPopup()
    assert box.view().currentIndex().row() == 0  # highlighted: what Enter would pick
    box.hidePopup()
    assert box.currentIndex() == -1  # opening chose nothing
