"""Locking the window: after idle time, or when the officer steps away (Ctrl+Shift+L).

A locked window shows nothing of the case file: a screen covers the whole window (menus and
status bar too), every action is disabled, and open dialogs (a person card being edited) are
hidden — not closed, so what was typed in them is still there after unlocking. Only the
officer who was logged in unlocks it, with their passphrase (checked off the UI thread);
locks, unlocks and refused attempts are in the audit trail.

The case file stays open while locked (a backup or a long import carries on); the post's
sync keys are forgotten and reopened from the case file at their next use.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from consuldesk.i18n import _, ngettext
from consuldesk.messages import describe
from consuldesk.services import access
from consuldesk.services import keys as key_service
from consuldesk.ui.context import AppContext
from consuldesk.ui.dialogs.ask import ask
from consuldesk.ui.dialogs.discard import DiscardGuardDialog
from consuldesk.ui.dialogs.login import error_label, password_field

#: Minutes without a key press or a click before the window locks (settings can change it;
#: 0: never).
IDLE_MINUTES_DEFAULT = 10
IDLE_MINUTES_KEY = "security/idle_lock_minutes"
#: The keys that lock the window at once, from any ConsulDesk window or dialog.
LOCK_KEYS = QKeySequence("Ctrl+Shift+L")

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class LockScreen(QWidget):
    """What a locked window shows: who locked it, when, and the passphrase to unlock."""

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("lockScreen")
        # Opaque over the whole window: nothing of the case file shows through.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockScreen { background: palette(window); }")
        officer = ctx.desk.officer
        title = QLabel(_("ConsulDesk is locked"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.who = QLabel(
            _("Locked by {officer} at {time}. Only {officer} can unlock it.").format(
                officer=officer, time=f"{datetime.now():%H:%M}"
            )
        )
        self.who.setWordWrap(True)
        self.pass_edit = password_field(_("Passphrase of {officer}").format(officer=officer))
        self.pass_edit.setMinimumWidth(320)
        self.error = error_label()
        self.unlock_button = QPushButton(_("&Unlock"))
        self.unlock_button.setDefault(True)
        self.quit_button = QPushButton(_("Close ConsulDesk"))
        self.quit_button.setToolTip(
            _(
                "Another officer: close ConsulDesk and log in as yourself. Unsaved changes in "
                "open cards are lost (you are asked first)."
            )
        )
        note = QLabel(_("Unsaved changes in open cards are kept and come back when you unlock."))
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")

        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 24, 24, 24)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addSpacing(8)
        inner.addWidget(self.pass_edit)
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)
        inner.addWidget(note)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.pass_edit.returnPressed.connect(self._on_unlock_button_clicked)
        self.quit_button.clicked.connect(self.quit_requested)

    @Slot()
    def _on_unlock_button_clicked(self) -> None:
        passphrase = self.pass_edit.text()
        if not passphrase:
            self._refuse(_("Enter your passphrase."))
            return
        desk = self.ctx.desk
        self.unlock_button.setEnabled(False)
        self.pass_edit.setEnabled(False)
        self.error.hide()
        self.ctx.tasks.run(
            lambda: access.unlock(desk, passphrase), self._on_checked, self._on_failed
        )

    def _on_checked(self, ok: object) -> None:
        if not isValid(self):
            return
        self.unlock_button.setEnabled(True)
        self.pass_edit.setEnabled(True)
        if ok:
            self.pass_edit.clear()
            self.unlocked.emit()
            return
        self._refuse(_("Wrong passphrase for {officer}").format(officer=self.ctx.desk.officer))

    def _on_failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.unlock_button.setEnabled(True)
        self.pass_edit.setEnabled(True)
        self._refuse(describe(exc))

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.pass_edit.selectAll()
        self.pass_edit.setFocus()


class WindowLock(QObject):
    """Locks ``window`` after idle time or when asked; the one place that knows how.

    Signals:
        locked_changed(bool): the window was locked (True) or unlocked (False).
    """

    locked_changed = Signal(bool)

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.screen: LockScreen | None = None
        self._hidden: list[QWidget] = []
        self._disabled: list[QAction] = []
        self.quit_box: QMessageBox | None = None  # Close ConsulDesk's question (tests answer)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._on_idle_timeout)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def available(self) -> bool:
        """A window can lock only on an encrypted case file (a plain one has no passphrase)."""
        return self.ctx.desk.encrypted

    @property
    def locked(self) -> bool:
        """Whether the window is locked now."""
        return self.screen is not None

    def idle_minutes(self) -> int:
        """Minutes without input before the window locks (settings; 0: never)."""
        settings = self.ctx.settings
        value = settings.value(IDLE_MINUTES_KEY, IDLE_MINUTES_DEFAULT) if settings else None
        try:
            return max(0, int(str(value if value is not None else IDLE_MINUTES_DEFAULT)))
        except (TypeError, ValueError):
            return IDLE_MINUTES_DEFAULT

    def set_idle_minutes(self, minutes: float) -> None:
        """Lock after ``minutes`` without input (0: never)."""
        self.idle.stop()
        if minutes > 0 and self.available:
            self.idle.setInterval(int(minutes * 60_000))
            self.idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and QKeySequence(event.keyCombination()) == LOCK_KEYS
            and self.available
            and not self.locked
        ):
            # A window-modal dialog (a person card, a hotline call) blocks the window's own
            # shortcuts, and an open card is just when an officer steps away: lock from here.
            self.lock("asked")
            return True
        if event.type() in _ACTIVITY and self.idle.isActive():
            self.idle.start()  # a key or the mouse: the idle time starts again
        return False

    @Slot()
    def _on_idle_timeout(self) -> None:
        self.lock("idle")

    def lock(self, reason: str = "asked") -> None:
        """Cover the window and hide its dialogs until the officer's passphrase is given."""
        if self.locked or not self.available:
            return
        self.idle.stop()
        window = self.window
        self._hidden = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not window and w.isVisible() and not w.isHidden()
        ]
        for widget in self._hidden:
            widget.hide()
        self._disabled = [a for a in window.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled:
            action.setEnabled(False)
        window.menuBar().setEnabled(False)
        key_service.forget_unlocked(self.ctx.desk)
        self.screen = LockScreen(self.ctx, window)
        self.screen.setGeometry(window.rect())
        self.screen.unlocked.connect(self.unlock)
        self.screen.quit_requested.connect(self._on_quit_requested)
        self.screen.show()
        self.screen.raise_()
        self.screen.pass_edit.setFocus()
        desk = self.ctx.desk
        self.ctx.tasks.run(lambda: access.record_lock(desk, reason), _ignore, _ignore)
        self.locked_changed.emit(True)

    @Slot()
    def _on_quit_requested(self) -> None:
        """Close ConsulDesk from the lock screen; first ask, when hidden cards hold typed work
        (the officer who typed it may be the one who comes back)."""
        unsaved = sum(
            1
            for w in self._hidden
            if isValid(w) and isinstance(w, DiscardGuardDialog) and w.has_changes()
        )
        if not unsaved or self.screen is None:
            self._close_window()
            return
        self.quit_box = ask(
            self.screen,
            _("Close ConsulDesk?"),
            ngettext(
                "{n} open window holds changes that are not saved. Closing ConsulDesk throws "
                "them away; unlocking brings them back.",
                "{n} open windows hold changes that are not saved. Closing ConsulDesk throws "
                "them away; unlocking brings them back.",
                unsaved,
            ).format(n=unsaved),
            self._close_window,
            QMessageBox.StandardButton.Discard,
            yes=_("Close and lose them"),
            no=_("Keep ConsulDesk open"),
        )

    def _close_window(self) -> None:
        self.window.close()

    @Slot()
    def unlock(self) -> None:
        """Show the window and its dialogs again, as they were."""
        if self.screen is None:
            return
        self.screen.hide()
        self.screen.deleteLater()
        self.screen = None
        self.window.menuBar().setEnabled(True)
        for action in self._disabled:
            if isValid(action):
                action.setEnabled(True)
        for widget in self._hidden:
            if isValid(widget):
                widget.show()
        self._hidden, self._disabled = [], []
        self.set_idle_minutes(self.idle_minutes())
        self.locked_changed.emit(False)

    def resize_to(self) -> None:
        """Keep the lock screen over the whole window when it is resized."""
        if self.screen is not None:
            self.screen.setGeometry(self.window.rect())

    def stop(self) -> None:
        """The window closes: no more locking."""
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def _ignore(_value: object) -> None:
    """A lock recorded or not: nothing to tell the officer (a read-only file keeps no trail)."""


__all__ = ["IDLE_MINUTES_DEFAULT", "IDLE_MINUTES_KEY", "LOCK_KEYS", "LockScreen", "WindowLock"]
