"""The window of the open case file, kept across a restore or a switch to another case file.

A :class:`~consuldesk.ui.main_window.MainWindow` lives exactly as long as its case file is
open: every page holds the desk and may query it at any moment (a search, a refresh). So
replacing the file under it (a restore) or opening another one never happens under a living
window: the shell closes the window (which waits for its background work), closes the desk,
does the work off the UI thread behind a small progress window (so the application does not
quit for lack of a window), opens the file and shows a new window on it. If the work fails,
the file that was open is opened again and the window says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject, QSettings, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog
from shiboken6 import isValid

from consuldesk.i18n import _
from consuldesk.messages import describe
from consuldesk.services import access
from consuldesk.services.backups import record_restore, restore_backup, taken_at
from consuldesk.services.casefile import open_casefile
from consuldesk.services.desk import Desk
from consuldesk.ui.main_window import MainWindow
from consuldesk.ui.tasks import TaskRunner


class WindowShell(QObject):
    """Holds the open case file (its desk and window lock) and the window showing it.

    Signals:
        reopened(): a new window shows the case file after a restore or a switch (or the old
            file again, after a failure).
        gone(): nothing could be opened again; the last message is showing.
    """

    reopened = Signal()
    gone = Signal()

    def __init__(
        self, desk: Desk, settings: QSettings | None = None, lock: QLockFile | None = None
    ) -> None:
        super().__init__()
        self.desk = desk
        self.settings = settings
        self.lock = lock
        self.window: MainWindow | None = None
        self.tasks = TaskRunner(self)
        self.progress: QProgressDialog | None = None
        self.message: QMessageBox | None = None
        # Windows and progress windows closed and deleted (deleteLater, on the UI thread):
        # held until Qt has deleted them. Dropped sooner, the garbage collector could delete
        # one from a worker thread, which crashes the process.
        self._retired: list[QObject] = []

    def show(self) -> MainWindow:
        """Show the window on the case file and start its integrity check."""
        window = MainWindow(self.desk, self.settings)
        window.restore_requested.connect(self.restore)
        window.open_requested.connect(self.open_other)
        window.show()
        window.check_integrity()
        self.window = window
        return window

    def close(self) -> None:
        """Close the case file and let go of its lock (the application ends)."""
        self.desk.close()
        if self.lock is not None:
            self.lock.unlock()

    # -- a restore -------------------------------------------------------------------------

    def restore(self, backup: str) -> None:
        """Put ``backup`` in place of the open case file and show it in a new window."""
        path, officer = self.desk.path, self.desk.officer
        role, key = self.desk.role, self.desk.casefile.key

        def work() -> tuple[Path, Desk]:
            kept = restore_backup(path, Path(backup), key)
            desk = access.reopen(path, officer, role, key)
            record_restore(desk, Path(backup), kept)  # the restored file says so
            return kept, desk

        def said(result: tuple[Path, Desk]) -> str:
            # Short: a longer one ran under the status bar's case file name at 1024 px. That
            # the file as it was is kept among the backups, the question before said.
            at = taken_at(Path(backup))
            when = f"{at.astimezone():%d.%m.%Y %H:%M:%S}" if at else Path(backup).name
            return _("Restored the backup of {when}.").format(when=when)

        self._replace(_("Restoring the backup…"), work, said, path)

    # -- another case file -----------------------------------------------------------------

    def open_other(self, other: str) -> None:
        """Close this case file and open ``other`` instead (its lock taken first)."""
        from consuldesk.ui.app import OpenElsewhere, claim_for_window

        target = Path(other)
        if target.resolve() == self.desk.path.resolve():
            return
        try:
            lock = claim_for_window(target)
        except OpenElsewhere as exc:
            self._tell(
                QMessageBox.Icon.Warning,
                _("{path} is already open in another ConsulDesk window (process {pid}).").format(
                    path=target, pid=exc.pid
                ),
            )
            return
        previous, officer, old_lock = self.desk.path, self.desk.officer, self.lock
        logged_in: Desk | None = None
        try:
            encrypted = access.is_encrypted(target)
        except Exception as exc:  # CaseFileError: missing, unreadable
            if lock is not None:
                lock.unlock()
            self._tell(QMessageBox.Icon.Warning, describe(exc))
            return
        if encrypted:  # its own login, before this file is closed
            from consuldesk.ui.dialogs.login import log_in

            logged_in = log_in(target, self.settings, self.window)
            if logged_in is None:
                if lock is not None:
                    lock.unlock()
                return

        def work() -> tuple[None, Desk]:
            return None, logged_in or open_casefile(target, officer)

        def opened(result: tuple[None, Desk]) -> str:
            from consuldesk.ui.dialogs.first_start import remember

            if old_lock is not None:
                old_lock.unlock()
            self.lock = lock
            remember(self.settings, result[1])  # the next start opens it
            return ""

        def undo() -> None:
            if lock is not None:
                lock.unlock()

        self._replace(_("Opening {name}…").format(name=target.name), work, opened, previous, undo)

    # -- the seam --------------------------------------------------------------------------

    def _replace(
        self,
        label: str,
        work: Callable[[], tuple[Any, Desk]],
        said: Callable[[Any], str],
        fallback: Path,
        undo: Callable[[], None] | None = None,
    ) -> None:
        progress = QProgressDialog(label, "", 0, 0)
        progress.setWindowTitle("ConsulDesk")
        progress.setCancelButton(None)  # a copy half put in place cannot be taken back
        progress.setMinimumDuration(0)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.show()
        self.progress = progress
        if self.window is not None:
            self.window.close()  # saves its geometry and page; waits for its work
            self._retire(self.window)
            self.window = None
        self.tasks.wait()
        officer, role, key = self.desk.officer, self.desk.role, self.desk.casefile.key
        self.desk.close()

        def done(result: tuple[Any, Desk]) -> None:
            self.desk = result[1]
            message = said(result)
            window = self._show_again()
            if message:
                window.statusBar().showMessage(message, 30_000)

        def failed(exc: BaseException) -> None:
            if undo is not None:
                undo()
            why = describe(exc)
            self.tasks.run(
                lambda: access.reopen(fallback, officer, role, key),
                lambda desk: self._reopened_after(desk, why),
                lambda again: self._lost(why, again),
            )

        self.tasks.run(work, done, failed)

    def _show_again(self) -> MainWindow:
        if self.progress is not None:
            self.progress.close()
            self._retire(self.progress)
            self.progress = None
        window = self.show()
        self.reopened.emit()
        return window

    def _reopened_after(self, desk: Desk, why: str) -> None:
        self.desk = desk
        window = self._show_again()
        self.message = QMessageBox(QMessageBox.Icon.Warning, "ConsulDesk", why, parent=window)
        self.message.open()

    def _lost(self, why: str, again: BaseException) -> None:
        if self.progress is not None:
            self.progress.close()
        self._tell(QMessageBox.Icon.Critical, f"{why}\n\n{describe(again)}")
        self.gone.emit()

    def _retire(self, widget: QObject) -> None:
        self._retired = [w for w in self._retired if isValid(w)]
        self._retired.append(widget)
        widget.deleteLater()

    def _tell(self, icon: QMessageBox.Icon, text: str) -> None:
        self.message = QMessageBox(icon, "ConsulDesk", text, parent=self.window)
        self.message.open()
