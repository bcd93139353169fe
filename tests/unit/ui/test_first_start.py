"""First start (create, open, demo), opening the last case file, and the settings dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from consuldesk.services.casefile import create_casefile
from consuldesk.services.nationals import count_nationals
from consuldesk.ui.app import open_last
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.first_start import (
    LAST_CASEFILE_KEY,
    OFFICER_KEY,
    FirstStartDialog,
)
from consuldesk.ui.dialogs.settings import SettingsDialog
from consuldesk.ui.tasks import TaskRunner


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def dialog(qtbot, tmp_path, settings):
    d = FirstStartDialog(tmp_path / "data", settings, demo_count=120)
    qtbot.addWidget(d)
    d.show()
    yield d
    d.tasks.wait(30000)
    if d.desk is not None:
        d.desk.close()


def test_enter_starts_the_demo(qtbot, dialog, tmp_path):
    assert dialog.demo_button.isDefault()
    assert dialog.focusWidget() is dialog.demo_button
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.desk.path == tmp_path / "data" / "DEMO.consuldesk"


def test_create_the_posts_case_file(qtbot, dialog, tmp_path, settings):
    dialog.officer_edit.setText("Айгүл Серікова")
    dialog.code_edit.setText("ae-abu")
    dialog.name_edit.setText("Embassy of Kazakhstan in Abu Dhabi")
    dialog.country_box.setEditText("ОАЭ")  # a typed name, in Russian
    dialog.pass_edit.setText("Әбу-Дабидегі түн")
    dialog.pass_again_edit.setText("Әбу-Дабидегі түн")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.create_button.click()
    desk = dialog.desk
    assert desk.encrypted and desk.role == "head"
    assert desk is not None
    assert desk.path == tmp_path / "data" / "AE-ABU.consuldesk"
    assert desk.officer == "Айгүл Серікова"
    post = desk.casefile.local_post()
    assert (post.code, post.name, post.host_country) == (
        "AE-ABU",
        "Embassy of Kazakhstan in Abu Dhabi",
        "AE",
    )
    assert settings.value(LAST_CASEFILE_KEY) == str(desk.path)
    assert settings.value(OFFICER_KEY) == "Айгүл Серікова"


def test_bad_post_code_and_country_are_explained_next_to_the_field(qtbot, dialog):
    dialog.code_edit.setText("A")
    assert dialog.code_error.isVisibleTo(dialog)
    assert "must be 2–16 letters, digits or dashes" in dialog.code_error.text()
    dialog.code_edit.setText("AE-DXB")
    assert not dialog.code_error.isVisibleTo(dialog)
    dialog.country_box.setEditText("Атлантида")
    dialog.create_button.click()
    assert dialog.country_error.text() == "Unknown country “Атлантида”"
    assert dialog.desk is None and dialog.result() == 0


def test_a_country_chosen_from_the_list(qtbot, dialog):
    dialog.code_edit.setText("QA-DOH")
    dialog.country_box.setCurrentIndex(dialog.country_box.findData("QA"))
    dialog.pass_edit.setText("short")
    dialog.create_button.click()
    assert "at least 10 characters" in dialog.pass_error.text() and dialog.desk is None
    dialog.pass_edit.setText("Doha by night 2026")
    dialog.pass_again_edit.setText("Doha by night 2025")
    dialog.create_button.click()
    assert dialog.pass_error.text() == "The two passphrases differ." and dialog.desk is None
    assert dialog.focusWidget() is dialog.pass_again_edit
    dialog.pass_again_edit.setText("Doha by night 2026")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.create_button.click()
    assert dialog.desk.casefile.local_post().host_country == "QA"


def test_the_demo_creates_a_seeded_case_file(qtbot, dialog, tmp_path):
    with qtbot.waitSignal(dialog.accepted, timeout=30000):
        dialog.demo_button.click()
        assert dialog.busy_bar.isVisible()
        assert not dialog.create_button.isEnabled()
    assert dialog.desk.path == tmp_path / "data" / "DEMO.consuldesk"
    assert count_nationals(dialog.desk) == 120


def test_open_an_existing_case_file(qtbot, dialog, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "IR-THR.consuldesk"
    path.parent.mkdir()
    create_casefile(
        path, post_code="IR-THR", post_name="Tehran", host_country="IR", officer="x"
    ).close()
    monkeypatch.setattr(dialog, "choose_file", lambda: path)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.open_button.click()
    assert dialog.desk.casefile.local_post().code == "IR-THR"


def test_the_last_used_case_file_opens_next_time(tmp_path, settings):
    data = tmp_path / "data"
    assert open_last(data, None, settings) is None  # nothing yet: the first-start dialog
    older = create_casefile(
        data / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="A",
        host_country="AE",
        officer="x",
    )
    older.close()
    newer = create_casefile(
        data / "QA-DOH.consuldesk",
        post_code="QA-DOH",
        post_name="Q",
        host_country="QA",
        officer="x",
    )
    newer.close()
    settings.setValue(LAST_CASEFILE_KEY, str(data / "AE-ABU.consuldesk"))
    settings.setValue(OFFICER_KEY, "Ержан")
    desk = open_last(data, None, settings)
    try:
        assert desk.path == data / "AE-ABU.consuldesk"
        assert desk.officer == "Ержан"
    finally:
        desk.close()
    settings.setValue(LAST_CASEFILE_KEY, str(tmp_path / "moved.consuldesk"))
    desk = open_last(data, None, settings)
    try:
        assert desk.path.parent == data  # falls back to the newest in the data folder
    finally:
        desk.close()


def test_settings_store_the_language_and_the_officer(qtbot, desk, settings):
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents(), settings)
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.officer_edit.text() == "Officer Test"
    assert not dialog.language_note.isVisibleTo(dialog)
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("kk"))
    assert dialog.language_note.isVisibleTo(dialog)
    assert "after a restart" in dialog.language_note.text()
    QApplication.processEvents()
    # The dialog grew by the note: the wrapped note below it keeps all its lines.
    note = dialog.retention_note
    assert note.height() >= note.heightForWidth(note.width()), (note.height(), note.width())
    dialog.officer_edit.setText("Ержан Әлиев")
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert settings.value("language") == "kk"
    assert settings.value(OFFICER_KEY) == "Ержан Әлиев"
    assert desk.officer == "Ержан Әлиев"
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert reread.value("language") == "kk"


def test_settings_without_a_case_file(qtbot, settings):
    settings.setValue("language", "ru")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.language_box.currentData() == "ru"
    dialog.officer_edit.setText("  ")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.officer_error.isVisibleTo(dialog)
    assert Path(settings.fileName()).exists() is False or settings.value(OFFICER_KEY) is None


def test_the_second_language_of_printed_documents_is_a_setting(qtbot, desk, settings):
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents(), settings)
    settings.setValue("language", "kk")
    assert ctx.print_language() == "ru"  # the window still runs in its start-up language
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.print_language_box.currentData() == "kk"  # follows the chosen language
    dialog.print_language_box.setCurrentIndex(dialog.print_language_box.findData("ru"))
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert settings.value("print_language") == "ru"
    assert ctx.print_language() == "ru"
    settings.setValue("print_language", "kk")
    assert ctx.print_language() == "kk"


def test_the_officers_name_is_asked_once_and_recorded(settings, tmp_path, monkeypatch):
    from consuldesk.ui.dialogs.first_start import ask_officer_name, officer_name_saved

    monkeypatch.setenv("USER", "root")
    monkeypatch.delenv("CONSULDESK_OFFICER")  # the suite sets it for the CLI
    assert not officer_name_saved(settings)
    offered = []
    name = ask_officer_name(settings, lambda suggestion: offered.append(suggestion) or " Әлия ")
    assert (offered, name, settings.value(OFFICER_KEY)) == (["root"], "Әлия", "Әлия")
    assert officer_name_saved(settings)
    desk = open_last(None, _casefile(tmp_path), settings)
    assert desk is not None and desk.officer == "Әлия"  # what the audit trail records
    desk.close()
    settings.remove(OFFICER_KEY)
    assert ask_officer_name(settings, lambda suggestion: None) == "root"  # closed: kept


def _casefile(tmp_path: Path) -> Path:
    desk = create_casefile(
        tmp_path / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="Abu Dhabi",
        host_country="AE",
        officer="x",
    )
    desk.close()
    return tmp_path / "AE-ABU.consuldesk"


def test_an_encrypted_case_file_opens_through_the_login(qtbot, dialog, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "IR-THR.consuldesk"
    create_casefile(
        path,
        post_code="IR-THR",
        post_name="Tehran",
        host_country="IR",
        officer="Айгүл",
        passphrase="Тегерандағы түн",
    ).close()
    monkeypatch.setattr(dialog, "choose_file", lambda: path)
    dialog.open_button.click()
    login = dialog.login
    qtbot.waitUntil(login.isVisible)
    login.name_edit.setText("айгүл")
    login.pass_edit.setText("not the passphrase")
    login.login_button.click()
    qtbot.waitUntil(login.error.isVisible)
    assert login.error.text() == "Wrong passphrase for айгүл"
    assert login.focusWidget() is login.pass_edit
    login.pass_edit.setText("Тегерандағы түн")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(login.pass_edit, Qt.Key.Key_Return)
    assert dialog.desk.officer == "Айгүл" and dialog.desk.role == "head"
