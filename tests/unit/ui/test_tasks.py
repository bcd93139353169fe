"""The background task helper: results, errors, progress and cancel arrive on the UI thread."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from consuldesk.services.desk import Cancelled
from consuldesk.ui.tasks import TaskRunner


def test_result_arrives_on_the_ui_thread(qtbot):
    runner = TaskRunner()
    seen = []
    ui_thread = QThread.currentThread()
    runner.run(
        lambda: threading.get_ident(),
        lambda r: seen.append((r, QThread.currentThread())),
        lambda e: seen.append(e),
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    worker_ident, delivered_on = seen[0]
    assert worker_ident != threading.get_ident() and delivered_on is ui_thread


def test_errors_are_reported_not_raised(qtbot):
    runner = TaskRunner()
    errors = []
    runner.run(lambda: 1 / 0, lambda r: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_progress_and_cancel(qtbot):
    runner = TaskRunner()
    progress, errors = [], []

    def work(report, cancel):
        for i in range(1000):
            report(i, 1000, "step")
            cancel.check()
            time.sleep(0.002)
        return "finished"

    flag = runner.run_long(
        work, lambda r: errors.append(r), errors.append, lambda d, t, label: progress.append(d)
    )
    qtbot.waitUntil(lambda: len(progress) > 3, timeout=3000)
    flag.cancel()
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    assert isinstance(errors[0], Cancelled)
    assert progress == sorted(progress)


def test_an_answer_for_a_widget_already_deleted_is_dropped(qtbot):
    from PySide6.QtWidgets import QLabel
    from shiboken6 import delete

    runner = TaskRunner()
    gate = threading.Event()
    label, kept = QLabel(), QLabel()
    seen = []
    runner.run(lambda: gate.wait(3) and "late", seen.append, seen.append, owner=label)
    runner.run(lambda: gate.wait(3) and "kept", seen.append, seen.append, owner=kept)
    delete(label)  # the dialog closed while its look-up ran
    gate.set()
    qtbot.waitUntil(lambda: seen == ["kept"], timeout=3000)
    runner.wait()
    qtbot.wait(50)
    assert seen == ["kept"]
    kept.deleteLater()


def test_work_that_outlives_its_runner_is_dropped_without_harm(qtbot):
    from shiboken6 import delete

    gate = threading.Event()
    runner, seen = TaskRunner(), []
    runner.run(lambda: gate.wait(3) and "late", seen.append, seen.append)
    delete(runner)  # its window closed while the work ran
    gate.set()
    survivor, later = TaskRunner(), []
    survivor.run(lambda: "next", later.append, later.append)
    qtbot.waitUntil(lambda: later == ["next"], timeout=3000)
    survivor.wait()
    qtbot.wait(50)
    assert seen == []


def test_callbacks_run_on_the_ui_thread_even_with_one_relay_for_all(qtbot):
    runners = [TaskRunner() for _ in range(3)]
    threads = []
    for r in runners:
        r.run(lambda: time.sleep(0.01), lambda _v: threads.append(QThread.currentThread()), print)
    qtbot.waitUntil(lambda: len(threads) == 3, timeout=3000)
    assert set(threads) == {QThread.currentThread()}


def test_an_answer_for_a_page_deleted_meanwhile_is_dropped(qtbot):
    """A page's callback (a closure over its ``self``) is not called once the page is gone:
    a test once failed with "Internal C++ object (PassengersModel) already deleted"."""
    from PySide6.QtWidgets import QLabel

    runner = TaskRunner()
    label = QLabel()
    release = threading.Event()
    shown = []

    def done(text):
        label.setText(text)  # would raise RuntimeError on a deleted label
        shown.append(text)

    runner.run(lambda: release.wait(3) and "loaded", done, shown.append)
    label.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(label), timeout=3000)
    release.set()
    runner.wait()
    qtbot.wait(100)  # the answer arrives, and is dropped
    assert shown == []
