"""The window's accounts: Officers…, Change my passphrase…, Recovery key…, Encrypt this case
file…, driven for real on encrypted case files (Argon2id at test strength, see conftest)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from consuldesk.services import access
from consuldesk.services.casefile import create_casefile
from consuldesk.services.errors import ServiceError
from consuldesk.services.nationals import register_national
from consuldesk.store import cipher
from consuldesk.store.keyring import KeyringError
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.encrypt import EncryptDialog
from consuldesk.ui.dialogs.officers import (
    AddOfficerDialog,
    OfficersDialog,
    ResetPassphraseDialog,
    RoleDialog,
)
from consuldesk.ui.dialogs.passphrase import ChangePassphraseDialog
from consuldesk.ui.dialogs.recovery import RecoveryKeyDialog, key_lines
from consuldesk.ui.main_window import MainWindow
from consuldesk.ui.models.officers import (
    COL_ACCOUNT,
    COL_LAST_LOGIN,
    COL_NAME,
    COL_PASSPHRASE,
    COL_ROLE,
    OfficersModel,
)
from consuldesk.ui.tasks import TaskRunner
from tests.conftest import TODAY
from tests.factories import person

HEAD, PASS = "Айгүл Сейітова", "bright river at dawn"


@pytest.fixture
def enc(tmp_path):
    desk = create_casefile(
        tmp_path / "IR-THR.consuldesk",
        post_code="IR-THR",
        post_name="Embassy in Tehran",
        host_country="IR",
        officer=HEAD,
        passphrase=PASS,
    )
    desk.today = lambda: TODAY
    yield desk
    desk.close()


@pytest.fixture
def ectx(enc):
    context = AppContext(enc, TaskRunner(), CaseFileEvents())
    yield context
    context.tasks.wait()


def as_officer(ectx, name, passphrase):
    """The same context, logged in as someone else (the head's desk closed)."""
    path = ectx.desk.path
    ectx.desk.close()
    ectx.desk = access.login(path, name, passphrase)
    return ectx


def loaded(qtbot, dialog: OfficersDialog, count: int) -> None:
    qtbot.waitUntil(lambda: dialog.model.rowCount() == count, timeout=10000)


def cell(dialog: OfficersDialog, name: str, col: int) -> str:
    row = dialog.model.row_for(name)
    assert row >= 0, name
    return dialog.model.index(row, col).data()


def add_officer(
    qtbot, dialog: OfficersDialog, name: str, role: str, passphrase: str, *, enter=False
):
    dialog.add_button.click()
    form = dialog.form
    assert isinstance(form, AddOfficerDialog)
    form.name_edit.setText(name)
    form.role_box.setCurrentIndex(form.role_box.findData(role))
    form.new_edit.setText(passphrase)
    form.again_edit.setText(passphrase)
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
        if enter:  # as an officer does: Enter in the last field adds, never cancels
            form.show()
            qtbot.keyClick(form.again_edit, Qt.Key.Key_Return)
        else:
            form.action_button.click()


# -- Officers… -----------------------------------------------------------------------------


def test_the_head_adds_an_officer_who_then_logs_in_with_the_first_passphrase(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    assert cell(dialog, HEAD, COL_ROLE) == "head of section"
    assert cell(dialog, HEAD, COL_ACCOUNT) == "active"
    assert cell(dialog, HEAD, COL_PASSPHRASE) == "set"
    assert cell(dialog, HEAD, COL_LAST_LOGIN) == "never"  # created, not logged in
    assert cell(dialog, HEAD, COL_NAME) == f"{HEAD} (you)"
    assert dialog.add_button.isEnabled()

    add_officer(qtbot, dialog, "  Марат   Жұмабаев ", "viewer", "first passphrase 123")
    loaded(qtbot, dialog, 2)
    assert cell(dialog, "Марат Жұмабаев", COL_ROLE) == "viewer"
    assert "Марат Жұмабаев has an account (viewer)" in dialog.status_label.text()
    assert "in person" in dialog.status_label.text()
    assert dialog.selected() is not None  # the list keeps a choice after reloading

    assert cell(dialog, "Марат Жұмабаев", COL_NAME) == "Марат Жұмабаев"

    other = access.login(ectx.desk.path, "марат жұмабаев", "first passphrase 123")
    try:
        assert other.role == "viewer" and not other.may("change")
    finally:
        other.close()


def test_the_add_form_says_what_is_wrong_under_the_field(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    dialog.add_button.click()
    form = dialog.form
    assert isinstance(form, AddOfficerDialog)
    assert "in person" in form.intro.text()

    form.action_button.click()  # no name
    assert form.form.errors["name"].isVisibleTo(form)
    assert form.form.errors["name"].text() == "An officer needs a name"

    form.name_edit.setText("Марат")
    form.new_edit.setText("short")
    form.again_edit.setText("short")
    form.action_button.click()
    assert form.form.errors["new"].text() == "A passphrase needs at least 10 characters"
    assert not form.form.errors["name"].isVisibleTo(form)

    form.new_edit.setText("long enough passphrase")
    form.again_edit.setText("long enough passphrasE")
    form.action_button.click()
    assert "differ" in form.form.errors["again"].text()

    # The service's own refusal (a second account of the same name) shows under the name.
    form.name_edit.setText(HEAD.upper())
    form.again_edit.setText("long enough passphrase")
    form.action_button.click()
    qtbot.waitUntil(lambda: form.form.errors["name"].isVisibleTo(form), timeout=10000)
    assert form.form.errors["name"].text() == f"{HEAD} already has an account"
    assert form.isVisible()  # still open, to mend
    assert len(access.list_officers(ectx.desk)) == 1


def test_a_role_changes_and_the_last_head_cannot_step_down(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    add_officer(qtbot, dialog, "Марат", "officer", "first passphrase 123")
    loaded(qtbot, dialog, 2)

    dialog.select("Марат")
    dialog.role_button.click()
    form = dialog.form
    assert isinstance(form, RoleDialog)
    assert form.role_box.currentData() == "officer"
    form.role_box.setCurrentIndex(form.role_box.findData("head"))
    assert "accounts" in form.role_hint.text()
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
        form.action_button.click()
    qtbot.waitUntil(lambda: cell(dialog, "Марат", COL_ROLE) == "head of section", timeout=10000)
    assert dialog.status_label.text() == "Марат is now head of section."

    # Марат is head too now, so Айгүл may step down; but Марат, then the only head, may not.
    dialog.select("Марат")
    dialog.role_button.click()
    dialog.form.role_box.setCurrentIndex(dialog.form.role_box.findData("viewer"))
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
        dialog.form.action_button.click()
    loaded(qtbot, dialog, 2)
    dialog.select(HEAD)
    dialog.role_button.click()
    form = dialog.form
    form.role_box.setCurrentIndex(form.role_box.findData("officer"))
    form.action_button.click()
    qtbot.waitUntil(lambda: form.form.errors["role"].isVisibleTo(form), timeout=10000)
    assert form.form.errors["role"].text() == (
        f"{HEAD} is the last head of section: make another officer head first"
    )
    assert form.isVisible()
    assert ectx.desk.role == "head"


def test_closing_an_account_names_the_person_and_their_passphrase_stops_working(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    add_officer(qtbot, dialog, "Марат", "officer", "first passphrase 123", enter=True)
    loaded(qtbot, dialog, 2)
    dialog.select("Марат")

    dialog.close_account_button.click()
    box = dialog.confirm_box
    assert box is not None and "Марат" in box.text()
    assert box.button(QMessageBox.StandardButton.Yes).text() == "Close the account of Марат"
    box.button(QMessageBox.StandardButton.Cancel).click()  # kept open
    assert cell(dialog, "Марат", COL_ACCOUNT) == "active"

    dialog.close_account_button.click()
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
        dialog.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(
        lambda: cell(dialog, "Марат", COL_ACCOUNT).startswith("closed on "), timeout=10000
    )
    assert cell(dialog, "Марат", COL_PASSPHRASE) == "none"
    assert dialog.status_label.text() == "The account of Марат is closed."
    dialog.select("Марат")
    assert not dialog.role_button.isEnabled() and not dialog.reset_button.isEnabled()
    assert "closed" in dialog.reset_button.toolTip()
    with pytest.raises(KeyringError):
        access.login(ectx.desk.path, "Марат", "first passphrase 123")


def test_the_head_cannot_close_their_own_account(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    dialog.select(HEAD)
    dialog.close_account_button.click()
    dialog.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: "cannot close" in dialog.status_label.text(), timeout=10000)
    assert dialog.status_label.text() == (
        "You cannot close your own account; another head of section can"
    )
    assert cell(dialog, HEAD, COL_ACCOUNT) == "active"


def test_a_reset_passphrase_opens_the_account(qtbot, ectx):
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 1)
    add_officer(qtbot, dialog, "Марат", "officer", "first passphrase 123")
    loaded(qtbot, dialog, 2)
    dialog.select("Марат")
    dialog.reset_button.click()
    form = dialog.form
    assert isinstance(form, ResetPassphraseDialog) and "Марат" in form.intro.text()
    form.new_edit.setText("a brand new passphrase")
    form.again_edit.setText("a brand new passphrase")
    with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
        form.action_button.click()
    assert "Марат has a new passphrase" in dialog.status_label.text()
    with pytest.raises(KeyringError):
        access.login(ectx.desk.path, "Марат", "first passphrase 123")
    access.login(ectx.desk.path, "Марат", "a brand new passphrase").close()


def test_an_officer_who_is_not_head_sees_the_list_read_only(qtbot, ectx):
    access.add_officer(ectx.desk, "Марат", "officer", "first passphrase 123")
    as_officer(ectx, "Марат", "first passphrase 123")
    dialog = OfficersDialog(ectx)
    qtbot.addWidget(dialog)
    loaded(qtbot, dialog, 2)
    assert "only the head of section" in dialog.intro.text()
    assert "your role: officer" in dialog.intro.text()
    assert cell(dialog, "Марат", COL_LAST_LOGIN) not in ("never", "")  # just logged in
    dialog.select(HEAD)
    for button in (
        dialog.add_button,
        dialog.role_button,
        dialog.close_account_button,
        dialog.reset_button,
    ):
        assert not button.isEnabled()
        assert button.toolTip() == "Only the head of section can change accounts."


def test_the_officers_model_passes_the_model_tester(qtmodeltester, ectx):
    access.add_officer(ectx.desk, "Марат", "officer", "first passphrase 123")
    access.disable_officer(ectx.desk, "Марат")
    model = OfficersModel(HEAD)
    model.set_rows(access.list_officers(ectx.desk))
    qtmodeltester.check(model)
    assert model.index(1, COL_NAME).data(Qt.ItemDataRole.ForegroundRole) is not None  # closed
    assert model.index(0, COL_NAME).data(Qt.ItemDataRole.FontRole).bold()  # oneself


# -- Change my passphrase… ----------------------------------------------------------------


def test_any_officer_changes_their_own_passphrase(qtbot, ectx):
    access.add_officer(ectx.desk, "Марат", "viewer", "first passphrase 123")
    as_officer(ectx, "Марат", "first passphrase 123")
    dialog = ChangePassphraseDialog(ectx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Марат" in dialog.intro.text()

    dialog.current_edit.setText("not my passphrase")
    dialog.new_edit.setText("my own new passphrase")
    dialog.again_edit.setText("my own new passphrase")
    dialog.change_button.click()
    error = dialog.form.errors["current"]
    qtbot.waitUntil(lambda: error.isVisible(), timeout=10000)
    assert error.text() == "Wrong passphrase for Марат"
    # The dialog grew for the line: all of it is readable, however it wraps.
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()), timeout=2000)

    dialog.current_edit.setText("first passphrase 123")
    dialog.new_edit.setText("first passphrase 123")
    dialog.again_edit.setText("first passphrase 123")
    dialog.change_button.click()
    qtbot.waitUntil(lambda: dialog.form.errors["new"].isVisibleTo(dialog), timeout=10000)
    assert dialog.form.errors["new"].text() == "The new passphrase is the old one"
    assert not dialog.form.errors["current"].isVisibleTo(dialog)

    dialog.new_edit.setText("my own new passphrase")
    dialog.again_edit.setText("my own new passphrase")
    with qtbot.waitSignal(dialog.changed, timeout=10000):
        dialog.change_button.click()
    assert "Your passphrase is changed" in dialog.status_label.text()
    assert dialog.change_button.text() == "Close"
    assert not dialog.new_edit.text()  # nothing left in the fields
    dialog.change_button.click()
    assert not dialog.isVisible()
    access.login(ectx.desk.path, "Марат", "my own new passphrase").close()


# -- Recovery key… ------------------------------------------------------------------------


def test_the_recovery_key_is_shown_after_the_passphrase_and_its_sheet_saved(qtbot, ectx, tmp_path):
    dialog = RecoveryKeyDialog(ectx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.passphrase_edit.setText("wrong passphrase here")
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.form.errors["current"].isVisible(), timeout=10000)
    assert dialog.form.errors["current"].text() == f"Wrong passphrase for {HEAD}"
    assert dialog.pages.currentIndex() == 0

    dialog.passphrase_edit.setText(PASS)
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.panel, timeout=10000)
    key = dialog.panel.key
    assert dialog.panel.key_label.text() == key_lines(key)
    assert all(len(line.split("  ")) <= 4 for line in key_lines(key).splitlines())
    assert "headquarters" in dialog.panel.advice.text()
    assert "Keep no copy on this laptop" in dialog.panel.advice.text()
    assert not dialog.passphrase_edit.text()
    path = ectx.desk.path

    dialog.panel.choose_file = lambda: tmp_path / "sheet.pdf"
    with qtbot.waitSignal(dialog.panel.sheet_written, timeout=20000):
        dialog.panel.save_button.click()
    assert "sheet.pdf" in dialog.panel.status_label.text()
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "sheet.pdf").pages)
    assert key.split("-")[0] in text
    ectx.desk.close()  # the key shown really opens the file
    recovered = access.open_with_recovery(path, key, "Headquarters")
    recovered.close()
    ectx.desk = access.login(path, HEAD, PASS)


def test_only_the_head_may_see_the_recovery_key(qtbot, ectx):
    access.add_officer(ectx.desk, "Марат", "officer", "first passphrase 123")
    as_officer(ectx, "Марат", "first passphrase 123")
    dialog = RecoveryKeyDialog(ectx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.passphrase_edit.setText("first passphrase 123")
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.form.form_error.isVisible(), timeout=10000)
    assert "does not allow this" in dialog.form.form_error.text()
    assert dialog.pages.currentIndex() == 0


# -- the window ----------------------------------------------------------------------------


def test_the_window_says_who_is_logged_in_and_rests_what_the_role_may_not_do(qtbot, enc):
    access.add_officer(enc, "Марат", "viewer", "first passphrase 123")
    path = enc.path
    viewer = access.login(path, "Марат", "first passphrase 123")
    window = MainWindow(viewer)
    qtbot.addWidget(window)
    try:
        assert window.officer_label.text() == "Officer: Марат (viewer)"
        assert window.plain_button.isHidden()
        assert window._officers_action.isEnabled()
        assert window._my_passphrase_action.isEnabled()
        assert not window._recovery_action.isEnabled()
        assert window._recovery_action.toolTip() == (
            "Only the head of section can do this (your role: viewer)."
        )
        assert not window._encrypt_action.isEnabled()
        assert window._encrypt_action.toolTip() == "This case file is encrypted already."
        dialog = window.open_officers()
        assert isinstance(dialog, OfficersDialog) and not dialog.add_button.isEnabled()
        dialog.close()
    finally:
        window.close()
        viewer.close()


def test_the_head_stepping_down_in_officers_changes_the_window_at_once(qtbot, enc):
    access.add_officer(enc, "Марат", "head", "first passphrase 123")
    window = MainWindow(enc)
    qtbot.addWidget(window)
    try:
        dialog = window.open_officers()
        loaded(qtbot, dialog, 2)
        dialog.select(HEAD)
        dialog.role_button.click()
        dialog.form.role_box.setCurrentIndex(dialog.form.role_box.findData("officer"))
        with qtbot.waitSignal(dialog.accounts_changed, timeout=10000):
            dialog.form.action_button.click()
        assert window.officer_label.text() == f"Officer: {HEAD} (officer)"
        assert not window._recovery_action.isEnabled()
        assert not dialog.add_button.isEnabled()  # the dialog is read-only now too
        assert "your role: officer" in dialog.intro.text()
        dialog.close()
    finally:
        window.close()


def test_a_plain_case_file_says_so_and_offers_only_encryption(qtbot, desk):
    window = MainWindow(desk)
    qtbot.addWidget(window)
    try:
        window.show()
        assert window.plain_button.isVisible()
        assert window.plain_button.text() == "Not encrypted"
        assert "encrypt" in window.plain_button.toolTip()
        assert window.officer_label.text() == "Officer: Officer Test"
        for action in (window._officers_action, window._my_passphrase_action):
            assert not action.isEnabled()
            assert "not encrypted" in action.toolTip()
        assert window._encrypt_action.isEnabled()
        window.plain_button.click()
        dialog = window.findChild(EncryptDialog)
        assert isinstance(dialog, EncryptDialog) and dialog.isVisible()
        dialog.reject()
    finally:
        window.close()


def encrypt_in(qtbot, window, name, passphrase):
    dialog = window.open_encrypt()
    assert isinstance(dialog, EncryptDialog)
    dialog.name_edit.setText(name)
    dialog.new_edit.setText(passphrase)
    dialog.again_edit.setText(passphrase)
    dialog.encrypt_button.click()
    return dialog


def test_encrypting_closes_the_file_encrypts_it_and_opens_it_again_with_its_key(qtbot, desk):
    register_national(desk, person(surname_cyr="Әбдірахманқызы", passport_no="N56668261"))
    path = desk.path
    window = MainWindow(desk)
    qtbot.addWidget(window)
    try:
        window.show()
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
        dialog = window.open_encrypt()
        assert "not encrypted" in dialog.intro.text()
        assert dialog.name_edit.text() == "Officer Test"
        dialog.new_edit.setText("too short")
        dialog.again_edit.setText("too short")
        dialog.encrypt_button.click()
        assert dialog.form.errors["new"].text() == "A passphrase needs at least 10 characters"
        assert not window.ctx.desk.encrypted and cipher.has_plain_header(path)

        dialog.name_edit.setText("Айгүл Сейітова")
        dialog.new_edit.setText(PASS)
        dialog.again_edit.setText(PASS)
        with qtbot.waitSignal(dialog.encrypted, timeout=30000):
            dialog.encrypt_button.click()
            assert dialog.busy and not window.pages.isEnabled()
            dialog.reject()  # refused while the file is out of the window's hands
            assert dialog.isVisible()
        assert not dialog.busy
        assert window.ctx.desk.encrypted and window.ctx.desk.officer == HEAD
        assert window.ctx.desk.today() == TODAY
        assert not cipher.has_plain_header(path)
        assert window.pages.isEnabled() and window.menuBar().isEnabled()
        assert window.officer_label.text() == f"Officer: {HEAD} (head of section)"
        assert window.plain_button.isHidden()
        assert window._officers_action.isEnabled() and not window._encrypt_action.isEnabled()
        assert window._lock_action.isEnabled() and window.window_lock.idle.isActive()
        assert HEAD in dialog.done_label.text()
        key = dialog.panel.key
        assert dialog.panel.key_label.text() == key_lines(key)
        assert dialog.encrypt_button.text() == "Close"
        # The pages read the file opened again: the list reloads and searches it.
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
        window.search_box.setText("8261")
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
        dialog.encrypt_button.click()
        assert not dialog.isVisible()
    finally:
        window.close()
        window.ctx.desk.close()
    recovered = access.open_with_recovery(path, key, "Headquarters")
    recovered.close()
    access.login(path, HEAD, PASS).close()


def test_a_failed_encryption_opens_the_plain_file_again_and_says_why(qtbot, desk, monkeypatch):
    path = desk.path

    def refuse(*_args, **_kwargs):
        raise ServiceError("casefile.encrypt_check", "", detail="row counts")

    monkeypatch.setattr(access, "encrypt_casefile", refuse)
    window = MainWindow(desk)
    qtbot.addWidget(window)
    try:
        dialog = encrypt_in(qtbot, window, "Айгүл", PASS)
        qtbot.waitUntil(lambda: dialog.failure_label.isVisibleTo(dialog), timeout=20000)
        assert dialog.failure_label.text().startswith("The case file was not encrypted:")
        assert "row counts" in dialog.failure_label.text()
        assert not dialog.busy and dialog.pages.currentWidget() is dialog.ask_page
        assert window.ctx.desk is not desk and not window.ctx.desk.encrypted
        assert window.pages.isEnabled()
        assert cipher.has_plain_header(path)
        assert window.plain_button.isVisibleTo(window)
        dialog.reject()
    finally:
        window.close()
        window.ctx.desk.close()
