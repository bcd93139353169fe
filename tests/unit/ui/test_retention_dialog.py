"""The retention review dialog: who expires, why, when; keep and anonymise from it; the
period in the settings."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox

from consuldesk import i18n
from consuldesk.domain.enums import PresenceStatus
from consuldesk.domain.retention import add_months
from consuldesk.services import nationals
from consuldesk.services import retention as r
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.retention import RetentionDialog
from consuldesk.ui.dialogs.settings import SettingsDialog
from consuldesk.ui.models.retention import COL_EXPIRES, COL_NAME, COL_STATUS, COL_WHY
from consuldesk.ui.tasks import TaskRunner
from tests.factories import person

LATER = add_months(date.today(), 18) + timedelta(days=1)


@pytest.fixture
def people(desk):
    """Two people evacuated today (expired on LATER), one still in the country."""
    ids = []
    for surname, passport in (("Қасымова", "N1000001"), ("Сейітова", "N1000002")):
        row = nationals.register_national(
            desk, person(surname_cyr=surname, passport_no=passport)
        ).row
        ids.append(row.id)
    nationals.set_presence(desk, ids, PresenceStatus.EVACUATED)
    nationals.register_national(desk, person(surname_cyr="Омарова", phones=()))
    desk.today = lambda: LATER
    return ids


def _loaded(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.review is not None)
    return dialog


def _dialog(qtbot, ctx):
    dialog = RetentionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    return _loaded(qtbot, dialog)


def test_the_list_shows_who_why_and_when_with_the_expired_standing_out(qtbot, ctx, people):
    dialog = _dialog(qtbot, ctx)
    model = dialog.model
    assert model.rowCount() == 2
    names = {model.index(i, COL_NAME).data() for i in range(2)}
    assert names == {"Қасымова Әйгерім", "Сейітова Әйгерім"}
    assert model.index(0, COL_STATUS).data() == "Evacuated"
    assert model.index(0, COL_WHY).data() == "status changed to gone"
    assert "(expired)" in model.index(0, COL_EXPIRES).data()
    assert model.index(0, COL_NAME).data(Qt.ItemDataRole.FontRole).bold()
    assert "2 records listed, 2 expired" in dialog.count_label.text()
    assert "18 months" in dialog.intro.text()
    assert not dialog.anonymise_button.isEnabled() and not dialog.keep_button.isEnabled()


def test_the_within_days_widen_the_list(qtbot, ctx, people):
    ctx.desk.today = lambda: date.today()
    dialog = _dialog(qtbot, ctx)
    assert dialog.model.rowCount() == 0
    assert "No record is expired or expires within 30 days" in dialog.count_label.text()
    dialog.within_spin.setValue(600)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert "2 records listed, 0 expired" in dialog.count_label.text()
    assert not dialog.select_expired_button.isEnabled()


def test_keep_selected_until_a_date_for_a_reason(qtbot, ctx, people):
    dialog = _dialog(qtbot, ctx)
    dialog.table.selectRow(0)
    kept_id = dialog.selected_ids()[0]
    assert dialog.keep_button.isEnabled()
    dialog.keep_until.set_value(LATER + timedelta(days=90))
    dialog.keep_reason.setText("Суд ісі")
    with qtbot.waitSignal(dialog.kept) as blocker:
        dialog.keep_button.click()
    assert blocker.args == [1]
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)  # kept: not expiring within 30 days
    assert "1 record is kept until" in dialog.status_label.text()
    row = next(x for x in r.review(ctx.desk, 365).rows if x.id == kept_id)
    assert (row.keep_until, row.keep_reason) == (LATER + timedelta(days=90), "Суд ісі")


def test_keep_without_a_reason_says_why_not(qtbot, ctx, people):
    dialog = _dialog(qtbot, ctx)
    dialog.table.selectRow(0)
    dialog.keep_reason.setText("  ")
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "Say why the record is kept longer" in dialog.error.text()
    dialog.keep_until.edit.setText("31.02.2030")
    dialog.keep_button.click()
    assert dialog.error.isVisible() and dialog.error.text()


def _question(dialog) -> QMessageBox:
    return next(b for b in dialog.findChildren(QMessageBox) if b.isVisible())


def test_anonymise_asks_naming_the_count_and_cancel_changes_nothing(qtbot, ctx, people):
    dialog = _dialog(qtbot, ctx)
    dialog.select_expired_button.click()
    assert len(dialog.selected_ids()) == 2
    dialog.anonymise_button.click()
    box = _question(dialog)
    assert "Anonymise 2 records?" in box.text()
    assert box.button(QMessageBox.StandardButton.Yes).text() == "Anonymise 2 records"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    QApplication.processEvents()
    assert not r.is_anonymised(ctx.desk, people[0])


def test_anonymise_selected_removes_them_and_tells_the_pages(qtbot, ctx, people):
    announced = []
    ctx.events.changed.connect(announced.append)
    dialog = _dialog(qtbot, ctx)
    dialog.table.selectRow(0)
    chosen = dialog.selected_ids()
    dialog.anonymise_button.click()
    box = _question(dialog)
    assert "Anonymise 1 record?" in box.text()
    with qtbot.waitSignal(dialog.anonymised) as blocker:
        box.button(QMessageBox.StandardButton.Yes).click()
    assert blocker.args == [1]
    assert r.is_anonymised(ctx.desk, chosen[0])
    assert "national" in announced[-1].tables
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
    assert dialog.model.row_at(0).id != chosen[0]
    assert "1 record anonymised" in dialog.status_label.text()


def test_a_record_not_yet_expired_is_named_in_the_question(qtbot, ctx, people):
    ctx.desk.today = lambda: date.today()
    dialog = _dialog(qtbot, ctx)
    dialog.within_spin.setValue(600)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    dialog.table.selectAll()
    dialog.anonymise_button.click()
    assert "2 of them have not expired yet" in _question(dialog).text()
    _question(dialog).button(QMessageBox.StandardButton.Cancel).click()


def test_the_retention_period_is_set_in_the_settings(qtbot, desk, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents(), settings)
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.retention_spin.isEnabled)
    assert dialog.retention_spin.value() == 18
    dialog.retention_spin.setValue(24)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert r.retention_months(desk) == 24
    ctx.tasks.wait()


@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_the_review_fits_a_small_laptop_in_every_language(qtbot, ctx, people, language, tmp_path):
    i18n.install(language)
    try:
        dialog = _dialog(qtbot, ctx)
        dialog.resize(1000, 660)
        dialog.select_expired_button.click()
        QApplication.processEvents()
        assert dialog.minimumSizeHint().width() <= 1000
        assert dialog.minimumSizeHint().height() <= 660
        cut = [
            b.text()
            for b in dialog.findChildren(QAbstractButton)
            if b.isVisibleTo(dialog) and b.text() and b.width() < b.sizeHint().width() - 2
        ]
        assert not cut, cut
        shots = tmp_path / "shots"
        shots.mkdir(exist_ok=True)
        assert dialog.grab().save(str(shots / f"retention-{language}.png"))
    finally:
        i18n.install("en")


def test_closing_while_anonymising_stops_the_work_with_nothing_anonymised(
    qtbot, ctx, people, monkeypatch
):
    import threading

    started, release = threading.Event(), threading.Event()
    real = r.anonymise

    def slow(desk, ids, *, progress, cancel):
        started.set()
        release.wait(5)
        return real(desk, ids, progress=progress, cancel=cancel)

    monkeypatch.setattr(r, "anonymise", slow)
    dialog = _dialog(qtbot, ctx)
    dialog.select_expired_button.click()
    dialog.anonymise_button.click()
    _question(dialog).button(QMessageBox.StandardButton.Yes).click()
    assert started.wait(5)
    assert not dialog.anonymise_button.isEnabled()
    dialog.reject()  # Esc: stops first, does not close
    assert dialog.isVisible() and "Stopping" in dialog.status_label.text()
    release.set()
    qtbot.waitUntil(lambda: "nothing was anonymised" in dialog.status_label.text())
    assert not any(r.is_anonymised(ctx.desk, i) for i in people)
    dialog.reject()
    assert not dialog.isVisible()
