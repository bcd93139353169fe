"""Fixtures and helpers shared by the window's tests."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.tasks import TaskRunner


def type_text(widget, text: str) -> None:
    """Type like a person: one key event per character (QTest's keyClicks aborts on Cyrillic)."""
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture(autouse=True)
def _windows_deleted_by_qt(qapp):
    """After each test, the windows and dialogs it left are deleted by Qt, here on the UI
    thread and parents before children: what Python's garbage collector finds later are
    wrappers of objects already gone.

    Left as cyclic garbage (a closed window and its pages refer to each other), they were
    deleted by whichever garbage collection came next, in the collector's order; once in a
    few thousand tests that crashed the process (a segmentation fault while collecting). The
    collector is therefore paused from the test's start until Qt has deleted them: the crash
    came back once with the collection that pytest-qt's event processing triggered after the
    test returned, before this teardown ran (its windows were garbage by then, not yet
    deleted), while a worker thread was still reading the case file.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        QThreadPool.globalInstance().waitForDone(30_000)  # no worker still holds a page
        for widget in QApplication.topLevelWidgets():
            widget.close()
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    finally:
        if was_enabled:
            gc.enable()


@pytest.fixture
def ctx(desk):
    """An app context on the test's case file; background tasks are waited for at the end."""
    context = AppContext(desk, TaskRunner(), CaseFileEvents())
    yield context
    context.tasks.wait()
