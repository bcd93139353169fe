"""Backups in the window: the Backups dialog (list, check, back up now, restore with a
preview), the restore that closes the case file and reopens it, and the integrity check at
start on a really damaged case file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QMessageBox

from consuldesk.services import backups, nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.store.errors import CaseFileError
from consuldesk.ui.dialogs.backups import BackupsDialog
from consuldesk.ui.models.backups import COL_CHECK, COL_HOLDS, COL_WHY
from consuldesk.ui.shell import WindowShell
from tests.factories import person
from tests.unit.services.test_backups import damage_audit_pages

OTHER = {"surname_cyr": "Омарова", "given_names_cyr": "Алия", "surname_lat": "OMAROVA"}


def names(desk) -> set[str]:
    return {r.name for r in nationals.find_nationals(desk, limit=100).rows}


def close_shell(shell) -> None:
    """Close the window and the case file; have Qt delete the window and the shell on this
    thread (a garbage collection on a worker thread must never be the one to delete them)."""
    if shell.window is not None:
        shell.window.close()
        shell.window.deleteLater()
    shell.tasks.wait()
    shell.close()
    shell.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def shell(qtbot, desk):
    """The window as the application shows it, through the shell that can replace its file."""
    s = WindowShell(desk)
    yield s
    close_shell(s)


def shown(qtbot, shell):
    window = shell.show()

    with qtbot.waitSignal(window.integrity_checked, timeout=10_000) as checked:
        pass
    return window, checked.args[0]


def all_checked(dialog) -> bool:
    rows = dialog.model.rows()
    return bool(rows) and all(r.checked for r in rows)


def cell(dialog, row, col) -> str:
    return dialog.model.index(row, col).data()


def question(qtbot, dialog) -> QMessageBox:
    qtbot.waitUntil(
        lambda: any(b.isVisible() for b in dialog.findChildren(QMessageBox)), timeout=5000
    )
    return next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())


def test_the_dialog_lists_checks_and_takes_a_backup_now(qtbot, shell, desk):
    nationals.register_national(desk, person())
    backups.take_backup(desk, backups.SCHEDULED)
    window, problem = shown(qtbot, shell)
    assert problem == ""
    dialog = window.open_backups()
    assert isinstance(dialog, BackupsDialog)
    qtbot.waitUntil(lambda: all_checked(dialog), timeout=5000)
    assert cell(dialog, 0, COL_WHY) == "scheduled"
    assert cell(dialog, 0, COL_CHECK) == "sound"
    assert cell(dialog, 0, COL_HOLDS).startswith("people 1, families and groups 0, requests 0")
    dialog.back_up_button.click()
    qtbot.waitUntil(lambda: len(dialog.model.rows()) == 2 and all_checked(dialog), timeout=5000)
    assert cell(dialog, 0, COL_WHY) == "taken by hand"
    assert dialog.status.text().startswith("Backup taken: ")
    # The backup just taken is selected, and can be restored once checked.
    assert dialog.selected().path == dialog.model.rows()[0].path
    assert dialog.restore_button.isEnabled()
    dialog.close()


def test_a_damaged_backup_is_shown_as_such_and_cannot_be_restored(qtbot, shell, desk):
    import os

    good = backups.take_backup(desk, backups.SCHEDULED)
    bad = good.with_name(good.name.replace("scheduled", "by-hand"))
    data = bytearray(good.read_bytes())
    data[4096 : 4096 * 3] = os.urandom(4096 * 2)
    bad.write_bytes(bytes(data))
    window, _problem = shown(qtbot, shell)
    dialog = window.open_backups()
    qtbot.waitUntil(lambda: all_checked(dialog), timeout=5000)
    bad_row = next(i for i, r in enumerate(dialog.model.rows()) if r.path == bad)
    assert cell(dialog, bad_row, COL_CHECK).startswith("damaged: ")
    dialog.select(bad)
    assert not dialog.restore_button.isEnabled()
    dialog.select(good)
    assert dialog.restore_button.isEnabled()
    dialog.close()


def test_restoring_from_the_window_closes_the_file_restores_and_reopens_it(qtbot, shell, desk):
    nationals.register_national(desk, person())
    copy = backups.take_backup(desk, "before-import-arrivals")
    nationals.register_national(desk, person(**OTHER))
    window, _problem = shown(qtbot, shell)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    dialog = window.open_backups()
    qtbot.waitUntil(lambda: all_checked(dialog), timeout=5000)
    dialog.select(copy)
    dialog.restore_button.click()
    box = question(qtbot, dialog)
    text = box.text()
    # What would be replaced by what: people 2 now, 1 in the backup; the file as it is, kept.
    assert "before a list import: arrivals" in text
    assert "<td>people</td><td align='right'><b>2</b></td><td align='right'><b>1</b></td>" in text
    assert "is kept as a backup" in text
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    with qtbot.waitSignal(shell.reopened, timeout=15_000):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert shell.desk is not desk and shell.window is not window
    assert names(shell.desk) == {"Қасымова Әйгерім"}
    qtbot.waitUntil(lambda: shell.window.model.rowCount() == 1, timeout=5000)
    when = f"{backups.taken_at(copy).astimezone():%d.%m.%Y %H:%M:%S}"
    assert shell.window.statusBar().currentMessage() == f"Restored the backup of {when}."
    # (short: two file names, then a longer sentence, ran under the case file's name)
    # The file as it was before the restore is one more backup, holding both people.
    kept = [r for r in backups.list_backups(shell.desk.path) if r.kind == "restore"]
    assert len(kept) == 1 and kept[0].nationals == 2
    # And the window goes on writing into the restored file.
    nationals.register_national(shell.desk, person(**OTHER))
    assert len(names(shell.desk)) == 2


def test_a_cancelled_restore_changes_nothing(qtbot, shell, desk):
    nationals.register_national(desk, person())
    copy = backups.take_backup(desk, backups.MANUAL)
    nationals.register_national(desk, person(**OTHER))
    window, _problem = shown(qtbot, shell)
    dialog = window.open_backups()
    qtbot.waitUntil(lambda: all_checked(dialog), timeout=5000)
    dialog.select(copy)
    dialog.restore_button.click()
    question(qtbot, dialog).button(QMessageBox.StandardButton.Cancel).click()
    assert shell.window is window and shell.desk is desk
    assert len(names(desk)) == 2
    dialog.close()


@pytest.fixture
def damaged(tmp_path, desk):
    """A case file with damaged pages in the middle (its audit trail), and one sound backup
    taken before the damage."""
    nationals.register_national(desk, person())
    sound = backups.take_backup(desk, backups.SCHEDULED)
    path = desk.path
    desk.close()
    damage_audit_pages(path)
    return path, sound


def test_a_damaged_case_file_is_read_only_and_the_last_sound_backup_is_offered(qtbot, damaged):
    path, sound = damaged
    opened = open_casefile(path, "Officer Test")
    shell = WindowShell(opened)
    try:
        window, problem = shown(qtbot, shell)
        assert problem
        assert window.read_only_label.isVisible()
        assert "failed its integrity check" in window.read_only_label.text()
        box = window.damaged_box
        assert box.isVisible() and "failed its integrity check" in box.text()
        assert "The newest sound backup was taken" in box.text() and "scheduled" in box.text()
        # What SQLite found can run to hundreds of lines: one line in the text, all below.
        assert len(box.text().splitlines()) <= 3 and box.detailedText() == problem
        # Until a way forward is chosen, nothing is written into the file.
        before = path.read_bytes()
        with pytest.raises(CaseFileError) as err:
            nationals.register_national(opened, person(**OTHER))
        assert err.value.code == "casefile.write_refused"
        assert path.read_bytes() == before
        assert not window._backup_timer.isActive()
        # Its Backups dialog can restore, but takes no copy of the damaged file.
        dialog = window.open_backups()
        qtbot.waitUntil(lambda: all_checked(dialog), timeout=5000)
        assert not dialog.back_up_button.isEnabled()
        dialog.close()
        with qtbot.waitSignal(shell.reopened, timeout=15_000):
            window.restore_last_button.click()
        with qtbot.waitSignal(shell.window.integrity_checked, timeout=10_000) as again:
            pass
        assert again.args == [""]
        assert backups.quick_check(shell.desk) == "" and sound.exists()
        assert names(shell.desk) == {"Қасымова Әйгерім"}
        # The damaged file is kept as it was found: a backup that says it is damaged.
        (kept,) = [r for r in backups.list_backups(path) if r.kind == "restore"]
        assert not kept.sound and kept.problem
    finally:
        close_shell(shell)


def test_the_way_forward_can_be_another_case_file_or_quitting(qtbot, damaged, tmp_path):
    from consuldesk.services.casefile import create_casefile

    path, _sound = damaged
    other = create_casefile(
        tmp_path / "other" / "KZ-HQ.consuldesk",
        post_code="KZ-HQ",
        post_name="HQ",
        host_country=None,
        officer="Officer Test",
    )
    other.close()
    opened = open_casefile(path, "Officer Test")
    shell = WindowShell(opened)
    try:
        window, problem = shown(qtbot, shell)
        assert problem
        with qtbot.waitSignal(shell.reopened, timeout=15_000):
            window.open_requested.emit(str(other.path))
        assert shell.desk.path == other.path
        assert "KZ-HQ" in shell.window.windowTitle() or "HQ" in shell.window.windowTitle()
        window2, problem2 = shell.window, None
        with qtbot.waitSignal(window2.integrity_checked, timeout=10_000) as checked:
            pass
        problem2 = checked.args[0]
        assert problem2 == ""
    finally:
        close_shell(shell)


def test_a_restore_that_fails_reopens_the_file_as_it_was_and_says_why(qtbot, shell, desk):
    nationals.register_national(desk, person())
    gone = backups.take_backup(desk, backups.MANUAL)
    window, _problem = shown(qtbot, shell)
    gone.unlink()  # removed after it was chosen (another officer, a failing disk)
    with qtbot.waitSignal(shell.reopened, timeout=15_000):
        window.restore_requested.emit(str(gone))
    assert shell.window is not window and shell.desk is not desk
    assert shell.message is not None and shell.message.isVisible()
    assert "cannot be restored" in shell.message.text()
    assert names(shell.desk) == {"Қасымова Әйгерім"}
    shell.message.close()


def test_a_file_damaged_while_open_is_found_by_the_next_scheduled_backup(
    qtbot, shell, desk, monkeypatch
):
    from consuldesk.ui import main_window

    nationals.register_national(desk, person())
    sound = backups.take_backup(desk, backups.SCHEDULED)
    window, problem = shown(qtbot, shell)
    assert problem == ""
    desk.casefile.close()  # its log into the file, as after a quiet hour
    damage_audit_pages(desk.path)  # then a failing disk
    monkeypatch.setattr(main_window, "BACKUP_EVERY_MS", 50)
    window._backup_timer.setInterval(50)
    with qtbot.waitSignal(window.integrity_checked, timeout=10_000) as checked:
        pass
    assert checked.args[0]
    assert window.read_only_label.isVisible() and window.damaged_box.isVisible()
    assert not window._backup_timer.isActive()
    with pytest.raises(CaseFileError):
        nationals.register_national(desk, person(**OTHER))
    assert sound.exists()
    window.damaged_box.close()


def test_the_backups_model_is_a_well_behaved_model(qtmodeltester, desk):
    from consuldesk.ui.models.backups import BackupsModel

    nationals.register_national(desk, person())
    backups.take_backup(desk, backups.SCHEDULED)
    backups.take_backup(desk, "before-import-x")
    model = BackupsModel()
    rows = backups.list_backups(desk.path, check=False)
    model.set_rows(rows)
    assert model.index(0, COL_CHECK).data() == "checking…"
    model.update(backups.inspect_backup(rows[0].path))
    assert model.index(0, COL_CHECK).data() == "sound"
    qtmodeltester.check(model)


def test_backups_taken_a_minute_apart_are_told_apart_by_their_seconds():
    from datetime import datetime
    from pathlib import Path

    from consuldesk.services.backups import BackupRow
    from consuldesk.ui.models.backups import taken_text

    at = datetime(2026, 12, 7, 12, 15, 7).astimezone()
    row = BackupRow(Path("x.consuldesk"), at, "before-import", 1, True)
    assert taken_text(row) == "07.12.2026 12:15:07"
