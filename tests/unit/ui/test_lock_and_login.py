"""The login dialog and the window lock on an encrypted case file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox
from sqlmodel import select

from consuldesk.services.access import DEMO_OFFICER, DEMO_PASSPHRASE, recovery_key
from consuldesk.services.casefile import create_casefile
from consuldesk.store.keyring import keyring_path
from consuldesk.store.models import AuditEvent
from consuldesk.ui.dialogs.login import LoginDialog
from consuldesk.ui.lock import IDLE_MINUTES_KEY
from consuldesk.ui.main_window import MainWindow

PASS = "Тегерандағы ұзақ түн"


@pytest.fixture
def encrypted(tmp_path):
    desk = create_casefile(
        tmp_path / "IR-THR.consuldesk",
        post_code="IR-THR",
        post_name="Тегеран",
        host_country="IR",
        officer="Айгүл Сейітова",
        passphrase=PASS,
    )
    yield desk
    desk.close()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, encrypted, settings):
    w = MainWindow(encrypted, settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.ctx.tasks.wait()


def actions(desk):
    with desk.casefile.read() as session:
        return [
            e.action
            for e in session.exec(
                select(AuditEvent).where(AuditEvent.table_name == "officer_account")
            )
        ]


def test_locking_hides_everything_and_only_the_passphrase_brings_the_card_back(
    qtbot, window, encrypted
):
    window.nav.setCurrentRow(0)
    card = window.nationals_page.open_card(None)
    qtbot.waitUntil(card.isVisible)
    card.edits["surname_cyr"].setText("Әбдірахманқызы")  # typed, not saved
    # Ctrl+Shift+L, typed in the card: the window it blocks (the card is window-modal) still
    # locks, which an application shortcut alone does not do.
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(card.edits["surname_cyr"], Qt.Key.Key_L, ctrl_shift)
    lock = window.window_lock
    assert lock.locked and lock.screen.isVisible()
    assert lock.screen.geometry() == window.rect()  # menus and status bar covered too
    assert not card.isVisible()
    assert not window._find.isEnabled() and not window._new_person.isEnabled()
    lock.screen.pass_edit.setText("not the passphrase")
    qtbot.keyClick(lock.screen.pass_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lock.screen.error.isVisible)
    assert lock.screen.error.text() == "Wrong passphrase for Айгүл Сейітова"
    assert lock.locked and not card.isVisible()
    lock.screen.pass_edit.setText(PASS)
    with qtbot.waitSignal(lock.locked_changed, timeout=5000):
        lock.screen.unlock_button.click()
    assert not lock.locked
    assert card.isVisible() and card.edits["surname_cyr"].text() == "Әбдірахманқызы"
    assert window._find.isEnabled()
    qtbot.waitUntil(lambda: "unlock" in actions(encrypted))
    assert {"lock", "unlock_refused", "unlock"} <= set(actions(encrypted))
    card.reject()


def test_the_window_locks_itself_after_idle_time(qtbot, window, settings):
    lock = window.window_lock
    lock.set_idle_minutes(0.002)  # 120 ms
    with qtbot.waitSignal(lock.locked_changed, timeout=3000):
        pass
    assert lock.locked
    settings.setValue(IDLE_MINUTES_KEY, 0)
    lock.screen.pass_edit.setText(PASS)
    with qtbot.waitSignal(lock.locked_changed, timeout=5000):
        lock.screen.unlock_button.click()
    assert not lock.idle.isActive()  # 0 minutes: never again


def test_a_plain_case_file_cannot_be_locked(qtbot, desk):
    w = MainWindow(desk)
    qtbot.addWidget(w)
    assert not w._lock_action.isEnabled() and "not encrypted" in w._lock_action.toolTip()
    w.window_lock.lock()
    assert not w.window_lock.locked


def test_the_demo_login_is_filled_in_and_the_recovery_key_sets_a_new_passphrase(
    qtbot, tmp_path, settings
):
    demo = create_casefile(
        tmp_path / "DEMO.consuldesk",
        post_code="DEMO",
        post_name="Demo",
        host_country="AE",
        officer=DEMO_OFFICER,
        passphrase=DEMO_PASSPHRASE,
        demo=True,
    )
    key = recovery_key(demo, DEMO_PASSPHRASE)
    demo.close()
    dialog = LoginDialog(tmp_path / "DEMO.consuldesk", settings)
    qtbot.addWidget(dialog)
    assert dialog.hint.isVisibleTo(dialog) and DEMO_PASSPHRASE in dialog.hint.text()
    assert (dialog.name_edit.text(), dialog.pass_edit.text()) == (DEMO_OFFICER, DEMO_PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.login_button.click()
    dialog.desk.close()

    keyring_path(tmp_path / "DEMO.consuldesk").unlink()  # lost: recovery is the way in
    dialog = LoginDialog(tmp_path / "DEMO.consuldesk", settings)
    qtbot.addWidget(dialog)
    assert not dialog.hint.isVisibleTo(dialog)  # no keyring: nothing says it is the demo
    dialog.name_edit.setText("Head Hana")
    dialog.pass_edit.setText("anything at all")
    dialog.login_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog))
    assert dialog.recovering and "recovery key" in dialog.error.text()
    dialog.recovery_edit.setText(key.lower())
    dialog.new_pass.setText("a new passphrase 1")
    dialog.new_pass_again.setText("a new passphrase 2")
    dialog.login_button.click()
    assert dialog.error.text() == "The two new passphrases differ."
    dialog.new_pass_again.setText("a new passphrase 1")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.login_button.click()
    assert dialog.desk.officer == "Head Hana" and dialog.desk.role == "head"
    assert settings.value("officer/name") == "Head Hana"
    dialog.desk.close()


def test_settings_keep_the_logged_in_name_and_set_the_idle_lock(qtbot, window, settings):
    from consuldesk.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.officer_edit.isReadOnly()  # nobody signs as someone else
    dialog.officer_edit.setText("Someone Else")
    dialog.saved.connect(window._show_lock_state)
    dialog.lock_spin.setValue(3)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert window.ctx.desk.officer == "Айгүл Сейітова"
    assert int(settings.value(IDLE_MINUTES_KEY)) == 3
    assert window.window_lock.idle.interval() == 3 * 60_000 and window.window_lock.idle.isActive()


def test_closing_from_the_lock_screen_asks_before_losing_a_typed_card(qtbot, window):
    card = window.nationals_page.open_card(None)
    qtbot.waitUntil(card.isVisible)
    card.edits["surname_cyr"].setText("Әбдірахманқызы")  # typed, not saved
    lock = window.window_lock
    lock.lock("asked")
    lock.screen.quit_button.click()
    box = lock.quit_box
    assert box is not None and box.isVisible()
    assert "1 open window holds changes that are not saved" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()  # Keep ConsulDesk open
    assert window.isVisible() and lock.locked
    lock.screen.quit_button.click()
    lock.quit_box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_closing_from_the_lock_screen_with_nothing_typed_does_not_ask(qtbot, window):
    lock = window.window_lock
    lock.lock("asked")
    lock.screen.quit_button.click()
    assert lock.quit_box is None
    qtbot.waitUntil(lambda: not window.isVisible())
