"""Fixtures and helpers shared by the window's tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.tasks import TaskRunner


def type_text(widget, text: str) -> None:
    """Type like a person: one key event per character (QTest's keyClicks aborts on Cyrillic)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def ctx(desk):
    """An app context on the test's case file; background tasks are waited for at the end."""
    context = AppContext(desk, TaskRunner(), CaseFileEvents())
    yield context
    context.tasks.wait()
