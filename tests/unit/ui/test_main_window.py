"""The window: search as you type, in Cyrillic and Latin, off the UI thread."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.services import nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.ui.main_window import MainWindow
from consuldesk.ui.models.nationals import COL_FLAGS, COL_NAME, NationalsModel
from tests.factories import person
from tests.unit.ui.conftest import type_text


@pytest.fixture
def window(qtbot, desk):
    nationals.register_national(desk, person())
    nationals.register_national(
        desk,
        person(
            surname_cyr="Әбілқасымов",
            given_names_cyr="Нұрсұлтан",
            surname_lat="ABILKASSYMOV",
            given_names_lat="NURSULTAN",
            sex=None,
            birth_date=date(1950, 1, 2),
        ),
    )
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    yield w
    w._tasks.wait()


def wait_for_rows(qtbot, window, n):
    qtbot.waitUntil(lambda: window.model.rowCount() == n, timeout=3000)


def test_the_list_shows_everyone_before_anything_is_typed(qtbot, window):
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=3000)
    assert window.status_label.text() == "2 nationals in the case file. Type to search."


def test_typing_cyrillic_finds_the_person(qtbot, window):
    type_text(window.search_box, "Нұрс")
    assert window.search_box.text() == "Нұрс"
    wait_for_rows(qtbot, window, 1)
    assert window.model.index(0, COL_NAME).data() == "Әбілқасымов Нұрсұлтан"
    assert window.model.index(0, COL_FLAGS).data() == "60+"
    assert window.status_label.text() == "1 found."


def test_latin_passport_spelling_finds_cyrillic_record(qtbot, window):
    window.search_box.setText("kasy")
    qtbot.waitUntil(lambda: window.status_label.text() == "1 found.", timeout=3000)
    assert window.model.index(0, COL_NAME).data() == "Қасымова Әйгерім"
    window.search_box.setText("1950")  # no such IIN, passport or phone prefix
    qtbot.waitUntil(
        lambda: window.status_label.text() == "Nobody found. New person (Ctrl+N) starts from it.",
        timeout=3000,
    )


def test_nobody_found_and_clearing(qtbot, window):
    window.search_box.setText("Жоқадам")
    qtbot.waitUntil(
        lambda: window.status_label.text() == "Nobody found. New person (Ctrl+N) starts from it.",
        timeout=3000,
    )
    # New person starts from what was searched: the caller's name is not typed twice.
    card = window.nationals_page.open_new_card()
    qtbot.addWidget(card)
    assert card.edits["surname_cyr"].text() == "Жоқадам"
    assert not card.has_changes()  # nothing typed in the card: Esc closes it, no question
    card.reject()
    assert not card.isVisible()
    window.search_box.clear()
    qtbot.waitUntil(
        lambda: window.status_label.text() == "2 nationals in the case file. Type to search.",
        timeout=3000,
    )
    assert window.model.rowCount() == 2  # the list is back, in name order


def test_model_passes_the_model_tester(qtmodeltester, desk):
    row = nationals.register_national(desk, person()).row
    model = NationalsModel(date(2026, 3, 10))
    model.set_rows([row, row])
    qtmodeltester.check(model)


def test_ctrl_f_goes_back_to_the_search(qtbot, window):
    window.nav.setCurrentRow(0)
    window._find.trigger()
    assert window.pages.currentWidget() is window.nationals_page
    assert window.search_box.hasFocus() or not window.isActiveWindow()


def test_a_change_elsewhere_refreshes_the_list(qtbot, window, desk):
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=3000)
    saved = nationals.register_national(
        desk, person(surname_cyr="Бекова", given_names_cyr="Ұлжан", birth_date=date(1991, 1, 1))
    )
    window.ctx.events.changed.emit(saved.changes)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=3000)


def test_ctrl_n_opens_an_empty_person_card_from_any_page(qtbot, window, monkeypatch):
    opened = []
    monkeypatch.setattr(window.nationals_page, "open_card", lambda row: opened.append(row))
    row = [window.nav.item(r).text() for r in range(window.nav.count())].index("Hotels")
    window.nav.setCurrentRow(row)
    assert window.pages.currentWidget() is window.page("Hotels")
    window._new_person.trigger()
    assert opened == [None]
    assert window.pages.currentWidget() is window.nationals_page


def test_pages_are_built_when_first_opened(qtbot, window):
    from consuldesk.ui.pages.overview import OverviewPage

    row = [window.nav.item(r).text() for r in range(window.nav.count())].index("Overview")
    assert not isinstance(window.pages.widget(row), OverviewPage)
    window.nav.setCurrentRow(row)
    assert isinstance(window.pages.currentWidget(), OverviewPage)
    assert window.page("Overview") is window.pages.currentWidget()


def test_menus_offer_the_main_actions(qtbot, window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Case file", "&People", "&Reports", "&Officers"]
    officers = [a.text() for a in window.menuBar().actions()[3].menu().actions() if a.text()]
    assert officers == [
        "Officers…",
        "Change my passphrase…",
        "Recovery key…",
        "Encrypt this case file…",
    ]
    people = window.menuBar().actions()[1].menu()
    shortcuts = {a.text(): a.shortcut().toString() for a in people.actions()}
    assert shortcuts["Log a hotline call…"] == "Ctrl+L"
    assert shortcuts["New person"] == "Ctrl+N"
    reports = [a.text() for a in window.menuBar().actions()[2].menu().actions()]
    assert reports == ["Situation report for headquarters…", "Hotel roster…"]


def test_the_reports_menu_opens_the_report_dialogs(qtbot, window):
    from consuldesk.ui.dialogs.print_report import ReportDialog

    reports = window.menuBar().actions()[2].menu().actions()
    reports[1].trigger()
    dialog = window.findChild(ReportDialog)
    assert dialog is not None and dialog.kind == "roster" and dialog.isVisible()
    dialog.close()


def test_the_last_page_is_reopened(qtbot, desk, tmp_path):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(desk, settings)
    qtbot.addWidget(first)
    first.nav.setCurrentRow(3)
    first.close()
    second = MainWindow(desk, settings)
    qtbot.addWidget(second)
    assert second.nav.currentRow() == 3
    assert second.pages.currentIndex() == 3
    assert settings.value("main/page") == "hotels"
    second.close()


def test_a_page_remembered_by_an_older_version_is_still_the_one_reopened(qtbot, desk, tmp_path):
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("main/page", 4)  # the overview, before the evacuation page existed
    window = MainWindow(desk, settings)
    qtbot.addWidget(window)
    assert window.nav.currentItem().text() == "Overview"
    from consuldesk.ui.main_window import PAGE_KEYS

    assert len(PAGE_KEYS) == window.nav.count()  # a name for every page
    window.close()
    settings.setValue("main/page", "no such page")
    again = MainWindow(desk, settings)
    qtbot.addWidget(again)
    assert again.nav.currentRow() == 0
    again.close()


def test_keyboard_from_search_to_card_and_ctrl_l_opens_an_empty_call(qtbot, window, monkeypatch):
    from PySide6.QtCore import Qt as QtKeys
    from PySide6.QtTest import QTest

    import consuldesk.ui.main_window as main_window

    window.search_box.setText("kasy")
    qtbot.waitUntil(lambda: window.status_label.text() == "1 found.", timeout=3000)
    opened = []
    monkeypatch.setattr(window.nationals_page, "open_card", lambda row: opened.append(row.name))
    QTest.keyClick(window.search_box, QtKeys.Key.Key_Return)
    assert opened == ["Қасымова Әйгерім"]
    QTest.keyClick(window.search_box, QtKeys.Key.Key_Down)
    assert window.nationals_page.selected_row().name == "Қасымова Әйгерім"
    linked = []
    from types import SimpleNamespace

    dialog = SimpleNamespace(saved=SimpleNamespace(connect=lambda slot: None))
    monkeypatch.setattr(
        main_window,
        "open_hotline_call",
        lambda ctx, parent, person: linked.append(person) or dialog,
    )
    window._log_call.trigger()
    assert linked == [None]  # Ctrl+L opens an empty call: the selected person is not the caller


def test_the_overview_opens_the_people_who_need_review(qtbot, desk, tmp_path):
    from tests.unit.services.test_review import import_doubtful

    import_doubtful(desk, tmp_path)
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    overview = w.page("Overview")
    w.nav.setCurrentRow(w.pages.indexOf(overview))
    qtbot.waitUntil(overview.review_notice.isVisible, timeout=3000)
    overview.review_button.click()
    assert w.pages.currentWidget() is w.nationals_page
    assert w.nationals_page.review_button.isChecked()
    qtbot.waitUntil(lambda: w.status_label.text() == "2 of 3 nationals", timeout=3000)
    w._tasks.wait()


def test_a_call_logged_with_ctrl_l_is_shown_on_the_requests_page(qtbot, window):
    from consuldesk.domain.enums import RequestKind
    from consuldesk.ui.dialogs.hotline_call import HotlineCallDialog
    from consuldesk.ui.pages.requests import RequestsPage

    window._log_call.trigger()
    dialog = window.findChild(HotlineCallDialog)
    assert dialog is not None and dialog.national is None
    dialog.caller_edit.setText("Сестра туриста")
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData(RequestKind.INFORMATION))
    dialog.summary_edit.setText("Brother missing since Monday")
    with qtbot.waitSignal(dialog.saved, timeout=3000) as blocker:
        dialog.save_button.click()
    page = window.pages.currentWidget()
    assert isinstance(page, RequestsPage)
    qtbot.waitUntil(lambda: page.view.request is not None, timeout=3000)
    assert page.view.request.id == blocker.args[0].id
    assert page.count_label.text().startswith("Call logged: Brother missing since Monday.")


def test_the_open_window_takes_a_backup_on_a_schedule(qtbot, desk, monkeypatch):
    from consuldesk.services import backups
    from consuldesk.ui import main_window

    monkeypatch.setattr(main_window, "BACKUP_EVERY_MS", 100)
    w = MainWindow(desk)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: "Backup taken" in w.statusBar().currentMessage(), timeout=5000)
    (row, *_) = backups.list_backups(desk.casefile.path)
    assert row.reason == "scheduled" and row.sound
    assert w.statusBar().currentMessage() == f"Backup taken: {row.path.name}"
    # a folder that cannot be written: said in the status bar, the window goes on
    monkeypatch.setattr(
        main_window,
        "take_backup",
        lambda *_a: (_ for _ in ()).throw(
            backups.ServiceError("file.write", "path", path="/media/usb/x", reason="disk full")
        ),
    )
    qtbot.waitUntil(lambda: "No backup" in w.statusBar().currentMessage(), timeout=5000)
    assert w.statusBar().currentMessage() == (
        "No backup could be taken: /media/usb/x cannot be written: disk full"
    )
    w.close()


def test_what_the_command_line_writes_meanwhile_shows_without_f5(qtbot, window, desk):
    wait_for_rows(qtbot, window, 2)
    window._elsewhere_timer.setInterval(50)
    other = open_casefile(desk.casefile.path, "Officer Two")  # as `consuldesk-cli import` does
    try:
        nationals.register_national(other, person(passport_no="N20000001", surname_cyr="Үсенов"))
    finally:
        other.close()
    wait_for_rows(qtbot, window, 3)
    assert "Changed outside this window" in window.statusBar().currentMessage()
    # The case file by its name, its folder in the tooltip: the whole path left the message
    # no room on a small screen ("… shown ar/tmp/…").
    assert window.path_label.text() == desk.casefile.path.name
    assert window.path_label.toolTip() == str(desk.casefile.path)
    # A write of this window's own is not taken for another's (its pages are told of it by
    # the use case's change set, not by the timer: here nobody tells them).
    window.statusBar().clearMessage()
    nationals.register_national(desk, person(passport_no="N20000002"))
    qtbot.wait(400)
    assert window.statusBar().currentMessage() == "" and window.model.rowCount() == 3


def test_the_people_menu_opens_the_possible_duplicates(qtbot, window):
    from consuldesk.ui.dialogs.duplicates import DuplicatesDialog

    people = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "People"
    )
    [action] = [a for a in people.actions() if a.text() == "Possible duplicates…"]
    action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(DuplicatesDialog)), timeout=3000)
    [dialog] = window.findChildren(DuplicatesDialog)
    qtbot.waitUntil(
        lambda: dialog.status_label.text() == "No possible duplicates to look at.", timeout=3000
    )
    dialog.close()
    qtbot.waitUntil(lambda: not window.findChildren(DuplicatesDialog), timeout=3000)
    window.page("Overview").duplicates_requested.emit()  # its notice's "Look at them"
    qtbot.waitUntil(lambda: bool(window.findChildren(DuplicatesDialog)), timeout=3000)
    window.findChildren(DuplicatesDialog)[0].close()


def test_conflicts_queued_from_the_command_line_are_said_and_mark_the_sync_page(
    qtbot, window, desk
):
    """An import of a bundle by the command line queued two conflicts: the window said only
    "Changed outside this window", and nothing pointed at the Sync page."""
    from consuldesk.store.models import SyncConflict

    wait_for_rows(qtbot, window, 2)
    sync_item = window.nav.item(window._sync_row)
    assert sync_item.text() == "Sync" and not sync_item.font().bold()
    window._elsewhere_timer.setInterval(50)
    other = open_casefile(desk.casefile.path, "Officer Two")
    try:
        with other.casefile.write("Officer Two") as tx:
            for field in ("city", "address"):
                tx.session.add(
                    SyncConflict(  # type: ignore[call-arg]
                        table_name="national",
                        record_id="x",
                        field=field,
                        kept_version="1",
                        other_version="2",
                        bundle_id="b",
                    )
                )
    finally:
        other.close()
    qtbot.waitUntil(
        lambda: (
            "2 sync conflicts wait for a decision on the Sync page."
            in window.statusBar().currentMessage()
        ),
        timeout=5000,
    )
    assert sync_item.font().bold()
    assert sync_item.toolTip() == "2 sync conflicts wait for a decision on the Sync page."
