"""Dialogs say what their buttons do, in every language: never Qt's bare Yes, Discard or
Cancel (in Kazakh "Бас тарту", Cancel, reads as "give it up" beside "Елемеу", Discard)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from consuldesk import i18n
from consuldesk.ui.dialogs.discard import DiscardGuardDialog

EXPECTED = {
    "en": ("Discard changes?", "Discard changes", "Keep editing"),
    "kk": ("Өзгерістерді тастау керек пе?", "Өзгерістерді тастау", "Өңдеуді жалғастыру"),
    "ru": ("Не сохранять изменения?", "Не сохранять", "Продолжить редактирование"),
}


class _Typed(DiscardGuardDialog):
    def has_changes(self) -> bool:
        return True


@pytest.fixture
def back_to_english():
    yield
    i18n.install("en")


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_the_discard_question_names_both_choices(qtbot, language, back_to_english):
    i18n.install(language)
    dialog = _Typed()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()  # Esc with something typed
    box = dialog.discard_box
    assert box is not None and dialog.isVisible()
    title, discard, keep = EXPECTED[language]
    assert box.windowTitle() == title
    assert box.button(QMessageBox.StandardButton.Discard).text() == discard
    assert box.button(QMessageBox.StandardButton.Cancel).text() == keep
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert dialog.isVisible()  # kept editing
    dialog.reject()
    dialog.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not dialog.isVisible()
