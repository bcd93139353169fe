"""One helper to run work off the UI thread (QThreadPool) and get the result back on it.

Workers never touch widgets: they return a value, which the UI thread picks up and hands to the
caller's ``on_done`` (or the exception to ``on_error``).

Only task ids cross threads in signals. The outcome itself waits in a dict until the UI thread
collects it. Sending arbitrary Python objects through queued ``Signal(object)`` connections from
pool threads crashed the interpreter under load here ("none_dealloc: deallocating None", a
reference-count error in the binding), while ints are copied by value and are safe.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

from consuldesk.services.desk import CancelFlag

Progress = Callable[[int, int, str], None]


@dataclass
class _Task:
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None]
    on_progress: Progress | None = None
    owner: QObject | None = None

    @property
    def orphaned(self) -> bool:
        """The widget the answer was for is gone (its C++ object deleted): drop the answer."""
        return self.owner is not None and not isValid(self.owner)


class _Relay(QObject):
    """Lives on the UI thread; workers emit on it, so its slots run on the UI thread.

    Signals:
        ended(int): the task with this id finished or failed; its outcome is waiting.
        progressed(int, int, int, str): task id, done, total, label.
    """

    ended = Signal(int)
    progressed = Signal(int, int, int, str)


class _Runnable(QRunnable):
    def __init__(self, runner: TaskRunner, task_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._runner = runner
        self._task_id = task_id
        self._fn = fn

    @Slot()
    def run(self) -> None:
        try:
            outcome: tuple[bool, Any] = (True, self._fn())
        except Exception as exc:  # reported to the UI, which shows it
            outcome = (False, exc)
        self._runner._deliver(self._task_id, outcome)


class TaskRunner(QObject):
    """Runs callables on a thread pool and calls back on the UI thread."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay(self)
        self._relay.ended.connect(self._on_relay_ended)
        self._relay.progressed.connect(self._on_relay_progressed)
        self._ids = itertools.count(1)
        self._tasks: dict[int, _Task] = {}
        self._outcomes: dict[int, tuple[bool, Any]] = {}
        self._lock = threading.Lock()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        owner: QObject | None = None,
    ) -> int:
        """Run ``fn`` in the background, then call ``on_done`` or ``on_error`` on the UI thread.

        Args:
            fn: the work (never touches widgets).
            on_done: called with ``fn``'s result.
            on_error: called with the exception ``fn`` raised.
            owner: the widget the answer is for; if it has been deleted by then (a dialog
                closed while its work ran), neither callback is called.

        Returns:
            The task's id.
        """
        task_id = next(self._ids)
        self._tasks[task_id] = _Task(on_done, on_error, owner=owner)
        self._pool.start(_Runnable(self, task_id, fn))
        return task_id

    def run_long(
        self,
        work: Callable[[Progress, CancelFlag], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Progress,
    ) -> CancelFlag:
        """Run long work that reports progress and can be cancelled.

        ``work(progress, cancel)`` receives a progress callback (safe to call from the worker)
        and a :class:`CancelFlag`; services stop at their next check and raise
        :class:`~consuldesk.services.desk.Cancelled` with nothing committed.

        Returns:
            The flag to cancel with.
        """
        cancel = CancelFlag()
        task_id = next(self._ids)
        self._tasks[task_id] = _Task(on_done, on_error, on_progress)
        relay = self._relay

        def report(done: int, total: int, label: str) -> None:
            relay.progressed.emit(task_id, done, total, label)

        self._pool.start(_Runnable(self, task_id, lambda: work(report, cancel)))
        return cancel

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running tasks (tests and shutdown); their callbacks run later, if at all."""
        return self._pool.waitForDone(msecs)

    # -- worker side -----------------------------------------------------------------------

    def _deliver(self, task_id: int, outcome: tuple[bool, Any]) -> None:
        with self._lock:
            self._outcomes[task_id] = outcome
        self._relay.ended.emit(task_id)

    # -- UI side ---------------------------------------------------------------------------

    @Slot(int)
    def _on_relay_ended(self, task_id: int) -> None:
        with self._lock:
            ok, value = self._outcomes.pop(task_id)
        task = self._tasks.pop(task_id, None)
        if task is None or task.orphaned:
            return
        if ok:
            task.on_done(value)
        else:
            task.on_error(value)

    @Slot(int, int, int, str)
    def _on_relay_progressed(self, task_id: int, done: int, total: int, label: str) -> None:
        task = self._tasks.get(task_id)
        if task is not None and task.on_progress is not None and not task.orphaned:
            task.on_progress(done, total, label)
