"""Audit trail page: the trail newest first, narrowed by typing a name, choosing an officer,
days and a kind; the selected event in full; its person's card a click away."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QApplication

from consuldesk.services import nationals
from consuldesk.services.audit import AuditFilter, find_events
from consuldesk.services.lists import export_list
from consuldesk.ui.dialogs.person_card import PersonCard
from consuldesk.ui.models import audit as audit_model
from consuldesk.ui.models.audit import COL_ABOUT, COL_OFFICER, COL_WHAT, AuditModel
from consuldesk.ui.pages.audit import AuditTrailPage
from tests.factories import person
from tests.unit.ui.conftest import type_text

OTHER = "Бауыржан Тоқтаров"


@pytest.fixture
def people(desk, tmp_path):
    """Қасымова registered and moved by the desk's officer, Өмірзақов by another; a list
    exported."""
    a = nationals.register_national(desk, person(city="Dubai")).row
    nationals.update_national(desk, a.id, nationals.fields_of_row(a).replace(city="Abu Dhabi"))
    b = nationals.register_national(
        replace(desk, officer=OTHER),
        person(
            surname_cyr="Өмірзақов",
            given_names_cyr="Нұрсұлтан",
            surname_lat="OMIRZAKOV",
            given_names_lat="NURSULTAN",
            passport_no="N7777777",
            iin=None,
        ),
    ).row
    export_list(desk, tmp_path / "everyone.csv")
    return a, b


@pytest.fixture
def page(qtbot, ctx, people):
    p = AuditTrailPage(ctx)
    qtbot.addWidget(p)
    p.resize(1000, 650)
    p.show()
    qtbot.waitUntil(lambda: not p.model.loading and p.model.rowCount() > 0, timeout=3000)
    yield p
    ctx.tasks.wait()


def shown(page, column: int) -> list[str]:
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def settle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.model.loading, timeout=3000)
    QApplication.processEvents()


def test_the_trail_newest_first_with_the_first_event_in_full(qtbot, page, people, desk):
    total = find_events(desk, AuditFilter()).total
    assert page.model.total == total == page.model.rowCount()
    assert page.status_label.text() == f"{total} events"
    assert shown(page, COL_WHAT)[0] == "List exported: 2 people, everyone.csv"
    assert shown(page, COL_ABOUT)[:2] == ["everyone.csv", "Өмірзақов Нұрсұлтан"]
    # The newest is selected and shown in full: its file, SHA-256 and count.
    assert page.selected_event().summary.startswith("List exported")
    facts = {
        page.details_table.item(r, 0).text(): page.details_table.item(r, 1).text()
        for r in range(page.details_table.rowCount())
    }
    assert facts["File"] == "everyone.csv" and len(facts["SHA-256"]) == 64
    assert facts["Records"] == "2"
    assert not page.open_person_button.isEnabled()  # a list is nobody in particular


def test_typing_a_name_narrows_to_that_person(qtbot, page, people):
    a, _b = people
    type_text(page.person_box, "Қасымова")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    settle(qtbot, page)
    assert set(shown(page, COL_ABOUT)) == {a.name}
    assert page.status_label.text() == "2 events"
    edit = page.selected_event()
    assert edit.action == "update" and edit.summary == "Edited — City: Dubai → Abu Dhabi"
    assert page.details_table.item(0, 0).text() == "City"
    assert page.details_table.item(0, 1).text() == "Dubai → Abu Dhabi"
    assert page.open_person_button.isEnabled()

    page.person_box.setText("Zzyzx")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)
    settle(qtbot, page)
    assert page.status_label.text() == "Nobody is found by “Zzyzx”."

    # Heard, not read: nobody is "Омирзаков", Өмірзақов is near it, and said to be.
    page.person_box.setText("Омирзакв")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    settle(qtbot, page)
    assert page.model.similar
    assert page.status_label.text() == (
        "Nobody is named “Омирзакв”: these are events about people with a similar name. 1 event"
    )
    assert shown(page, COL_ABOUT) == ["Өмірзақов Нұрсұлтан"]


def test_the_officer_kind_and_days_narrow_it_and_clear_brings_all_back(qtbot, page, people):
    _a, b = people
    everything = page.model.total
    box = page.officer_box
    qtbot.waitUntil(lambda: box.findData(OTHER) > 0, timeout=3000)
    box.setCurrentIndex(box.findData(OTHER))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert shown(page, COL_OFFICER) == [OTHER] and shown(page, COL_ABOUT) == [b.name]
    assert page.clear_button.isEnabled()

    page.clear_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == everything, timeout=3000)
    page.kind_box.setCurrentIndex(page.kind_box.findData("exports"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert shown(page, COL_ABOUT) == ["everyone.csv"]

    page.clear_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == everything, timeout=3000)
    day = page.model.row_at(0).at.astimezone().date()
    page.until_field.set_value(day.replace(year=day.year - 1))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)
    page.until_field.set_value(None)
    page.since_field.set_value(day)
    qtbot.waitUntil(lambda: page.model.rowCount() == everything, timeout=3000)
    # A half-typed date asks nothing; it says what is wrong.
    page.since_field.edit.setText("31.02")
    assert "is not a date" in page.status_label.text()
    assert page.model.rowCount() == everything


def test_open_person_opens_the_card_of_the_selected_event(qtbot, page, people, monkeypatch):
    a, _b = people
    opened = []
    monkeypatch.setattr(PersonCard, "open", lambda self: opened.append(self))
    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).action == "update")
    page.table.selectRow(row)
    page.open_person_button.click()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=3000)
    assert page.card is opened[0] and page.card.windowTitle()
    assert page.card._row.id == a.id


def test_a_change_elsewhere_shows_at_once(qtbot, page, desk):
    before = page.model.total
    saved = nationals.register_national(
        desk, person(surname_cyr="Омарова", passport_no="N1111111", iin=None)
    )
    page.ctx.events.changed.emit(saved.changes)
    qtbot.waitUntil(lambda: page.model.total > before, timeout=3000)
    assert any(name.startswith("Омарова") for name in shown(page, COL_ABOUT)[:3])


def test_pages_come_as_the_officer_scrolls(qtbot, ctx, people, monkeypatch, qtmodeltester):
    monkeypatch.setattr(audit_model, "PAGE_SIZE", 2)
    model = AuditModel(ctx.tasks)
    model.set_source(
        lambda limit, after, total: find_events(
            ctx.desk, AuditFilter(), limit=limit, after=after, total=total
        )
    )
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=3000)
    qtmodeltester.check(model)  # which may ask for the next page itself
    qtbot.waitUntil(lambda: not model.loading, timeout=3000)
    while model.canFetchMore():
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading, timeout=3000)
    ids = [model.row_at(r).id for r in range(model.rowCount())]
    assert len(ids) == len(set(ids)) == model.total
    qtmodeltester.check(model)


def test_the_menu_and_its_shortcut_open_the_trail(qtbot, desk, people):
    from consuldesk.ui.main_window import MainWindow

    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    try:
        assert window._audit.shortcut().toString() == "Ctrl+Shift+A"
        window._audit.trigger()
        page = window.pages.currentWidget()
        assert isinstance(page, AuditTrailPage)
        assert window.nav.currentItem().text() == "Audit trail"
        qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=3000)
        assert page.person_box.hasFocus()
    finally:
        window.close()


def test_open_person_of_a_deleted_record_says_so(qtbot, page, people, desk, monkeypatch):
    _a, b = people
    opened = []
    monkeypatch.setattr(PersonCard, "open", lambda self: opened.append(self))
    nationals.delete_national(desk, b.id)
    page.show_person(b.id)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == 2, timeout=3000)
    assert [page.model.row_at(r).action for r in range(2)] == ["delete", "create"]
    page.open_person_button.click()
    qtbot.waitUntil(lambda: "deleted or merged" in page.status_label.text(), timeout=3000)
    assert opened == []
