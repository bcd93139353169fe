"""The Qt binding must not leak or over-release references when signals reach Python.

PySide6 6.12.0 on Python 3.11 released one reference to None (or True/False) on every signal
delivered to a Python callable: after enough keystrokes the interpreter aborted with
"none_dealloc: deallocating None". pyproject.toml excludes that release; this test fails on any
release that brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLineEdit


class _Receiver(QObject):
    @Slot(str)
    def on_text(self, _text: str) -> None:
        pass

    @Slot()
    def on_tick(self) -> None:
        pass


class _Emitter(QObject):
    flag = Signal(bool)


def _drift(action, times: int = 3000) -> dict[str, int]:
    singletons = {"None": None, "True": True, "False": False}
    before = {k: sys.getrefcount(v) for k, v in singletons.items()}
    for _ in range(times):
        action()
    return {k: sys.getrefcount(v) - before[k] for k, v in singletons.items()}


def test_signals_to_python_keep_singleton_refcounts(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    receiver = _Receiver()
    edit.textChanged.connect(receiver.on_text)
    edit.textChanged.connect(lambda _t: None)
    timer = QTimer()
    timer.timeout.connect(receiver.on_tick)
    emitter = _Emitter()
    emitter.flag.connect(lambda _b: None)

    def act() -> None:
        edit.setText("Нұр" if edit.text() != "Нұр" else "Әбіл")
        timer.timeout.emit()
        emitter.flag.emit(True)

    drift = _drift(act)
    assert all(abs(change) < 100 for change in drift.values()), drift
