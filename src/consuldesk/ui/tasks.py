"""One helper to run work off the UI thread (QThreadPool) and get the result back as signals.

Workers never touch widgets: they return a value, and the ``finished`` / ``failed`` signals are
delivered on the UI thread (queued connection, because the emitter lives on the UI thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from consuldesk.services.desk import CancelFlag


class TaskSignals(QObject):
    """Signals of one task.

    Signals:
        finished(object): the work's return value.
        failed(object): the exception it raised.
        progress(int, int, str): done, total, label — from a service's ``progress`` callback.
    """

    finished = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: TaskSignals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # reported to the UI, which shows it
            self._signals.failed.emit(exc)
        else:
            self._signals.finished.emit(result)


class TaskRunner(QObject):
    """Runs callables on a thread pool; keeps each task's signals alive until it ends."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._live: set[TaskSignals] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> TaskSignals:
        """Run ``fn`` in the background, then call ``on_done`` or ``on_error`` on the UI thread."""
        signals = TaskSignals(self)
        self._live.add(signals)

        def done(result: Any) -> None:
            self._live.discard(signals)
            on_done(result)

        def error(exc: Any) -> None:
            self._live.discard(signals)
            on_error(exc)

        signals.finished.connect(done)
        signals.failed.connect(error)
        self._pool.start(_Runnable(fn, signals))
        return signals

    def run_long(
        self,
        work: Callable[[Callable[[int, int, str], None], CancelFlag], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int, str], None],
    ) -> CancelFlag:
        """Run long work that reports progress and can be cancelled.

        ``work(progress, cancel)`` receives a progress callback (safe to call from the worker:
        it emits a queued signal) and a :class:`CancelFlag`; services stop at their next check
        and raise :class:`Cancelled` with nothing committed. Returns the flag to cancel with.
        """
        cancel = CancelFlag()
        holder: list[TaskSignals] = []

        def report(done: int, total: int, label: str) -> None:
            holder[0].progress.emit(done, total, label)

        signals = self.run(lambda: work(report, cancel), on_done, on_error)
        holder.append(signals)
        signals.progress.connect(on_progress)
        return cancel

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for running tasks (tests and shutdown)."""
        return self._pool.waitForDone(msecs)
