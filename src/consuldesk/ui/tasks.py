"""One helper to run work off the UI thread (QThreadPool) and get the result back on it.

Workers never touch widgets: they return a value, which the UI thread picks up and hands to the
caller's ``on_done`` (or the exception to ``on_error``).

Only task ids cross threads in signals. The outcome itself waits in a dict until the UI thread
collects it. Sending arbitrary Python objects through queued ``Signal(object)`` connections from
pool threads crashed the interpreter under load here ("none_dealloc: deallocating None", a
reference-count error in the binding), while ints are copied by value and are safe.

One relay object, never deleted, carries every runner's signals, so a worker that finishes
after its window closed still emits on a live object; the answer is then dropped.
"""

from __future__ import annotations

import itertools
import threading
import weakref
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


def _owner_of(callback: Callable[..., Any]) -> QObject | None:
    """The Qt object a callback works on: the object of a bound method, else the first Qt
    object the closure captured (``self`` of the page that wrote ``def done(rows): ...``)."""
    bound = getattr(callback, "__self__", None)
    if isinstance(bound, QObject):
        return bound
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(value, QObject):
            return value
    return None


class _Relay(QObject):
    """Lives on the UI thread for the whole process; workers emit on it, so its slots run on
    the UI thread.

    One relay serves every :class:`TaskRunner` and is never deleted: a worker that finishes
    after its runner's window closed must still have a live object to emit on ("Signal source
    has been deleted" from a pool thread crashed the interpreter).

    Signals:
        ended(int): the task with this id finished or failed; its outcome is waiting.
        progressed(int, int, int, str): task id, done, total, label.
    """

    ended = Signal(int)
    progressed = Signal(int, int, int, str)

    def __init__(self, hub: _Hub) -> None:
        super().__init__()
        self._hub = hub
        # The relay itself receives: a QObject of the UI thread, so the connections are queued
        # and the callbacks run on the UI thread whichever thread emitted.
        self.ended.connect(self._on_ended)
        self.progressed.connect(self._on_progressed)

    @Slot(int)
    def _on_ended(self, task_id: int) -> None:
        self._hub.ended(task_id)

    @Slot(int, int, int, str)
    def _on_progressed(self, task_id: int, done: int, total: int, label: str) -> None:
        self._hub.progressed(task_id, done, total, label)


class _Hub:
    """Task ids, outcomes and the runner each task belongs to, shared by all runners."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.outcomes: dict[int, tuple[bool, Any]] = {}
        self.runners: dict[int, weakref.ref[TaskRunner]] = {}
        self.relay: _Relay | None = None

    def connect(self) -> _Relay:
        """The relay, made on first use (on the UI thread: runners are made there)."""
        if self.relay is None:
            self.relay = _Relay(self)
        return self.relay

    def register(self, runner: TaskRunner) -> int:
        with self.lock:
            task_id = next(self.ids)
            self.runners[task_id] = weakref.ref(runner)
        return task_id

    def deliver(self, task_id: int, outcome: tuple[bool, Any]) -> None:
        """Worker side: keep the outcome, tell the UI thread (only the id crosses threads)."""
        with self.lock:
            self.outcomes[task_id] = outcome
        assert self.relay is not None
        self.relay.ended.emit(task_id)

    def _runner(self, task_id: int, *, done: bool) -> TaskRunner | None:
        with self.lock:
            ref = self.runners.pop(task_id, None) if done else self.runners.get(task_id)
        runner = ref() if ref is not None else None
        return runner if runner is not None and isValid(runner) else None

    def ended(self, task_id: int) -> None:
        """UI side: hand the outcome to its runner, if that still exists."""
        with self.lock:
            ok, value = self.outcomes.pop(task_id)
        runner = self._runner(task_id, done=True)
        if runner is not None:  # else its window is gone: nobody to tell
            runner._finish(task_id, ok, value)

    def progressed(self, task_id: int, done: int, total: int, label: str) -> None:
        """UI side: pass a progress report on to the task's runner."""
        runner = self._runner(task_id, done=False)
        if runner is not None:
            runner._progress(task_id, done, total, label)


_HUB = _Hub()


class _Runnable(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn = fn

    @Slot()
    def run(self) -> None:
        try:
            outcome: tuple[bool, Any] = (True, self._fn())
        except Exception as exc:  # reported to the UI, which shows it
            outcome = (False, exc)
        _HUB.deliver(self._task_id, outcome)


class TaskRunner(QObject):
    """Runs callables on a thread pool and calls back on the UI thread."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _HUB.connect()
        self._tasks: dict[int, _Task] = {}

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
                closed while its work ran), neither callback is called. By default, the
                object ``on_done`` is a method of, or the first Qt object its closure holds
                (the page or dialog whose ``self`` it uses).

        Returns:
            The task's id.
        """
        task_id = _HUB.register(self)
        owner = owner if owner is not None else _owner_of(on_done)
        self._tasks[task_id] = _Task(on_done, on_error, owner=owner)
        self._pool.start(_Runnable(task_id, fn))
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
        task_id = _HUB.register(self)
        self._tasks[task_id] = _Task(on_done, on_error, on_progress, owner=_owner_of(on_done))
        relay = self._relay

        def report(done: int, total: int, label: str) -> None:
            relay.progressed.emit(task_id, done, total, label)

        self._pool.start(_Runnable(task_id, lambda: work(report, cancel)))
        return cancel

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running tasks (tests and shutdown); their callbacks run later, if at all."""
        return self._pool.waitForDone(msecs)

    # -- UI side (called by the hub) -------------------------------------------------------

    def _finish(self, task_id: int, ok: bool, value: Any) -> None:
        task = self._tasks.pop(task_id, None)
        if task is None or task.orphaned:
            return
        if ok:
            task.on_done(value)
        else:
            task.on_error(value)

    def _progress(self, task_id: int, done: int, total: int, label: str) -> None:
        task = self._tasks.get(task_id)
        if task is not None and task.on_progress is not None and not task.orphaned:
            task.on_progress(done, total, label)
