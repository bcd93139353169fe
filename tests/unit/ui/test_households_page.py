"""Households page: create a family, add members found by typing Cyrillic, set head, remove."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from consuldesk.domain.enums import HouseholdKind, Sex
from consuldesk.services import households, nationals
from consuldesk.ui.dialogs.households import AddMemberDialog
from consuldesk.ui.models.households import (
    COL_CITY,
    COL_HEAD,
    COL_KIND,
    COL_MEMBERS,
    COL_NAME,
    COL_NEEDS,
    MEMBER_BORN,
    MEMBER_NAME,
    MEMBER_RELATION,
    HouseholdsModel,
    MembersModel,
)
from consuldesk.ui.pages.households import HouseholdsPage
from tests.factories import person
from tests.unit.ui.conftest import type_text

TODAY = date(2026, 3, 10)


@pytest.fixture
def people(desk):
    """A mother and her son, and a stranger."""
    mother = nationals.register_national(desk, person()).row
    son = nationals.register_national(
        desk,
        person(
            surname_cyr="Қасымов",
            given_names_cyr="Ерлан",
            surname_lat="KASSYMOV",
            given_names_lat="YERLAN",
            sex=Sex.MALE,
            birth_date=date(2015, 6, 1),
        ),
    ).row
    stranger = nationals.register_national(
        desk,
        person(
            surname_cyr="Бекова",
            given_names_cyr="Ұлжан",
            surname_lat="BEKOVA",
            given_names_lat="ULZHAN",
            birth_date=date(1991, 1, 1),
        ),
    ).row
    return mother, son, stranger


@pytest.fixture
def page(qtbot, ctx):
    p = HouseholdsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    yield p
    ctx.tasks.wait()


def add_by_typing(qtbot, dialog, text: str, expected_name: str) -> None:
    dialog.search_box.setFocus()
    type_text(dialog.search_box, text)
    assert dialog.search_box.text() == text
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=3000)
    assert dialog.chosen().name == expected_name
    before = len(dialog.household.members)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: len(dialog.household.members) == before + 1, timeout=3000)


def test_enter_adds_the_person_picked_and_keeps_the_dialog_open(qtbot, page, desk, people):
    mother, _son, _stranger = people
    family = households.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY).row
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.current is not None, timeout=3000)
    adding = page.open_add_member()
    qtbot.waitUntil(adding.isVisible, timeout=3000)
    assert adding.add_button.isDefault()
    adding.search_box.setFocus()
    type_text(adding.search_box, "Әйгер")
    qtbot.waitUntil(lambda: adding.results.count() == 1, timeout=3000)
    qtbot.keyClick(adding.search_box, Qt.Key.Key_Return)  # not Close: nothing typed is lost
    qtbot.waitUntil(
        lambda: households.get_household(desk, family.id).member_ids == (mother.id,), timeout=3000
    )
    assert adding.isVisible()


def select_member(page, name: str) -> None:
    for row in range(page.members_model.rowCount()):
        if page.members_model.row_at(row).national.name == name:
            page.members_table.selectRow(row)
            return
    raise AssertionError(name)


# A combo box's list is a popup window: the offscreen platform cannot raise it or grab the
# keyboard for it, and says so; it works all the same.
popup = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


def choose(qtbot, box, value) -> None:
    """Choose in a relation box by keyboard, as an officer does: an arrow opens the list (it
    does not step through the items, each of which would be written), arrows, then Enter."""
    box.setFocus()
    before = box.currentIndex()
    target = box.findData(value)
    assert target >= 0, value
    qtbot.keyClick(box, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: box.view().isVisible(), timeout=3000)
    assert box.currentIndex() == before  # the arrow opened the list, it changed nothing
    view = box.view()
    key = Qt.Key.Key_Down if target > view.currentIndex().row() else Qt.Key.Key_Up
    while view.currentIndex().row() != target:
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert box.currentIndex() == target


def test_empty_state_says_what_to_do(qtbot, page):
    qtbot.waitUntil(lambda: "No households yet" in page.status_label.text(), timeout=3000)
    assert not page.add_button.isEnabled()


@popup
def test_create_a_family_add_members_set_head_remove(qtbot, page, ctx, desk, people):
    mother, son, _stranger = people
    changes = []
    ctx.events.changed.connect(changes.append)

    dialog = page.open_new_household()
    dialog.name_edit.setText("Қасымовтар")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    qtbot.waitUntil(lambda: page.current is not None, timeout=3000)
    [listed] = households.list_households(desk)
    assert (listed.name, listed.kind) == ("Қасымовтар", HouseholdKind.FAMILY.value)
    assert page.model.index(0, COL_KIND).data() == "Family"
    qtbot.waitUntil(lambda: page.table.selectionModel().hasSelection(), timeout=3000)

    # Ins, as the hint says, adds members at once: the keys are no longer in the search field.
    page.activateWindow()
    qtbot.waitUntil(page.add_button.hasFocus, timeout=3000)
    qtbot.keyClick(page.add_button, Qt.Key.Key_Insert)
    adding = page.dialog
    assert isinstance(adding, AddMemberDialog) and adding.isVisible()
    add_by_typing(qtbot, adding, "Әйгер", "Қасымова Әйгерім")
    add_by_typing(qtbot, adding, "Ерл", "Қасымов Ерлан")
    adding.close()
    row = households.get_household(desk, listed.id)
    assert set(row.member_ids) == {mother.id, son.id}
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 2, timeout=3000)
    qtbot.waitUntil(lambda: page.model.index(0, COL_MEMBERS).data() == "2", timeout=3000)

    select_member(page, "Қасымова Әйгерім")
    assert page.relation_box.isEnabled() and page.relation_box.currentData() is None
    choose(qtbot, page.relation_box, "head")
    qtbot.waitUntil(lambda: households.get_household(desk, listed.id).head_id == mother.id)
    qtbot.waitUntil(
        lambda: page.members_model.index(0, MEMBER_RELATION).data() == "Head", timeout=3000
    )
    assert page.members_model.index(0, MEMBER_NAME).data() == "Қасымова Әйгерім"
    assert page.relation_box.currentData() == "head"  # she is still selected

    select_member(page, "Қасымов Ерлан")
    asked = []
    page.confirm_remove = lambda household, member, proceed: (asked.append(member), proceed())
    page.remove_button.click()
    assert [m.national.name for m in asked] == ["Қасымов Ерлан"]
    qtbot.waitUntil(
        lambda: households.get_household(desk, listed.id).member_ids == (mother.id,), timeout=3000
    )
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 1, timeout=3000)
    assert changes, "writes tell the other pages"


def test_second_family_is_refused_with_a_sentence(qtbot, page, desk, people):
    mother, _son, _stranger = people
    households.create_household(desk, "Қасымовтар", HouseholdKind.FAMILY, member_ids=[mother.id])
    other = households.create_household(desk, "Бековтар", HouseholdKind.FAMILY).row
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    page.table.selectRow(page.model.row_of(other.id))
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == other.id)
    adding = page.open_add_member()
    add_attempt = "Әйгер"
    type_text(adding.search_box, add_attempt)
    qtbot.waitUntil(lambda: adding.results.count() == 1, timeout=3000)
    adding.add_button.click()
    qtbot.waitUntil(lambda: adding.error_label.isVisibleTo(adding), timeout=3000)
    assert adding.error_label.text() == "This person is already in the family Қасымовтар"
    adding.close()


def test_search_kind_filter_and_needs(qtbot, page, desk, people):
    mother, son, _stranger = people
    households.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    )
    households.create_household(
        desk, "Al-Safa group 12", HouseholdKind.TOUR_GROUP, tour_operator="Al-Safa"
    )
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    family_row = next(r for r in range(2) if page.model.index(r, COL_NAME).data() == "Қасымовтар")
    qtbot.waitUntil(
        lambda: page.model.index(family_row, COL_NEEDS).data() == "1 × with children, 1 × minor"
    )
    page.kind_box.setCurrentIndex(page.kind_box.findData(HouseholdKind.TOUR_GROUP.value))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.index(0, COL_NAME).data() == "Al-Safa group 12"
    page.kind_box.setCurrentIndex(0)
    type_text(page.search_box, "Қасым")
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 1 and page.model.index(0, COL_NAME).data() == "Қасымовтар",
        timeout=3000,
    )


def test_delete_asks_then_deletes(qtbot, page, desk, people, monkeypatch):
    created = households.create_household(desk, "Бековтар", HouseholdKind.FAMILY).row
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.current is not None, timeout=3000)
    asked = []
    monkeypatch.setattr(page, "confirm_delete", lambda row, proceed: (asked.append(row), proceed()))
    page.delete_button.click()
    assert asked[0].id == created.id
    qtbot.waitUntil(lambda: households.list_households(desk) == [], timeout=3000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=3000)
    assert page.current is None


def test_the_delete_question_counts_its_members_in_words(qtbot, page, desk, people, monkeypatch):
    import consuldesk.ui.pages.households as module

    mother, _son, _stranger = people
    one = households.create_household(desk, "Бековтар", HouseholdKind.FAMILY, head_id=mother.id)
    asked: list[str] = []
    monkeypatch.setattr(module, "ask", lambda parent, title, text, *a, **k: asked.append(text))
    page.confirm_delete(one.row, lambda: None)
    assert asked == ["Delete Бековтар? Its 1 member stays on file."]


def test_removing_a_member_asks_and_the_head_is_said_to_leave_no_head(
    qtbot, page, desk, people, monkeypatch
):
    import consuldesk.ui.pages.households as module

    mother, son, _stranger = people
    family = households.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    ).row
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 2, timeout=3000)
    page.notice_label.setText("Қасымова Әйгерім heads the household now; …")
    page.notice_label.show()
    questions: list[str] = []
    answers: list = []
    monkeypatch.setattr(
        module,
        "ask",
        lambda parent, title, text, proceed, **k: (questions.append(text), answers.append(proceed)),
    )
    select_member(page, "Қасымова Әйгерім")
    page.remove_button.click()
    assert questions == [
        "Remove Қасымова Әйгерім from Қасымовтар? They head it: it will have no head until you "
        "choose one. They stay on file."
    ]
    assert households.get_household(desk, family.id).head_id == mother.id  # not yet
    answers[0]()
    qtbot.waitUntil(lambda: households.get_household(desk, family.id).head_id is None)
    assert page.notice_label.isHidden()  # no word left about who heads it


def test_models_pass_the_model_tester(qtmodeltester, desk, people):
    mother, son, _stranger = people
    row = households.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    ).row
    model = HouseholdsModel()
    model.set_rows(households.list_households(desk))
    model.set_needs({row.id: "1 × minor"})
    qtmodeltester.check(model)
    members = MembersModel(TODAY)
    members.set_rows(row.members)
    qtmodeltester.check(members)


@pytest.fixture
def family(desk, people):
    """The Қасымов family: the father heads it, the mother and son have no relation yet."""
    mother, son, _stranger = people
    father = nationals.register_national(
        desk,
        person(
            surname_cyr="Қасымов",
            given_names_cyr="Арман",
            surname_lat="KASSYMOV",
            given_names_lat="ARMAN",
            sex=Sex.MALE,
            birth_date=date(1980, 2, 2),
            passport_no="N9990001",
        ),
    ).row
    row = households.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=father.id, member_ids=[mother.id, son.id]
    ).row
    return row, father, mother, son


def show(qtbot, page, household_id: str) -> None:
    page.reload()
    qtbot.waitUntil(lambda: page.model.row_of(household_id) >= 0, timeout=3000)
    page.table.selectRow(page.model.row_of(household_id))
    qtbot.waitUntil(lambda: page.current is not None and page.current.id == household_id)


def relation_shown(page, name: str) -> str:
    for row in range(page.members_model.rowCount()):
        if page.members_model.row_at(row).national.name == name:
            return page.members_model.index(row, MEMBER_RELATION).data()
    raise AssertionError(name)


@popup
def test_relations_change_from_the_page_and_a_new_head_is_explained(qtbot, page, desk, family):
    row, father, mother, son = family
    show(qtbot, page, row.id)
    assert relation_shown(page, "Қасымов Арман") == "Head"
    assert relation_shown(page, "Қасымова Әйгерім") == "—"

    select_member(page, "Қасымов Ерлан")
    choose(qtbot, page.relation_box, "child")
    qtbot.waitUntil(lambda: relation_shown(page, "Қасымов Ерлан") == "Child", timeout=3000)
    select_member(page, "Қасымова Әйгерім")
    choose(qtbot, page.relation_box, "spouse")
    qtbot.waitUntil(lambda: relation_shown(page, "Қасымова Әйгерім") == "Spouse", timeout=3000)

    # The mother made head: the father stays, as her spouse, and the page says so.
    choose(qtbot, page.relation_box, "head")
    qtbot.waitUntil(lambda: page.notice_label.isVisibleTo(page), timeout=3000)
    assert page.notice_label.text() == (
        "Қасымова Әйгерім heads the household now; Қасымов Арман: Spouse."
    )
    stored = households.get_household(desk, row.id)
    assert stored.head_id == mother.id and len(stored.members) == 3
    assert {m.national.id: m.relation for m in stored.members} == {
        mother.id: "head",
        father.id: "spouse",
        son.id: "child",
    }
    qtbot.waitUntil(lambda: page.model.index(0, COL_HEAD).data() == "Қасымова Әйгерім")
    # the list's needs follow the members: still one woman with children, one minor
    qtbot.waitUntil(
        lambda: page.model.index(0, COL_NEEDS).data() == "1 × with children, 1 × minor",
        timeout=3000,
    )
    # Their child made head: the others' relations are said again relative to him, and the
    # page asks the officer to check them.
    page.notice_label.hide()
    select_member(page, "Қасымов Ерлан")
    choose(qtbot, page.relation_box, "head")
    qtbot.waitUntil(lambda: page.notice_label.isVisibleTo(page), timeout=3000)
    assert page.notice_label.text() == (
        "Қасымов Ерлан heads the household now; Қасымова Әйгерім: Parent. "
        "1 other relation is now said relative to Қасымов Ерлан: check it."
    )
    qtbot.waitUntil(lambda: relation_shown(page, "Қасымов Арман") == "Parent", timeout=3000)


@popup
def test_the_head_cannot_be_demoted_and_the_box_shows_what_is_on_file(qtbot, page, desk, family):
    row, father, _mother, _son = family
    show(qtbot, page, row.id)
    select_member(page, "Қасымов Арман")
    assert page.relation_box.currentData() == "head"
    choose(qtbot, page.relation_box, "other")
    qtbot.waitUntil(lambda: page.error_label.isVisibleTo(page), timeout=3000)
    assert page.error_label.text() == (
        "Қасымов Арман heads Қасымовтар: make another member the head instead"
    )
    assert page.relation_box.currentData() == "head"
    assert households.get_household(desk, row.id).head_id == father.id


def test_rename_says_an_empty_name_at_once_and_saves_off_the_ui_thread(qtbot, page, desk, family):
    row, *_ = family
    show(qtbot, page, row.id)
    changes = []
    page.ctx.events.changed.connect(changes.append)
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and dialog.name_edit.text() == "Қасымовтар"
    save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
    dialog.name_edit.clear()
    assert dialog.error_label.isVisibleTo(dialog) and not save.isEnabled()
    assert dialog.error_label.text() == "The household needs a name"
    type_text(dialog.name_edit, "Қасымовтар (Deira)")
    assert save.isEnabled() and not dialog.error_label.isVisibleTo(dialog)
    save.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert households.get_household(desk, row.id).name == "Қасымовтар (Deira)"
    qtbot.waitUntil(lambda: page.title_label.text().startswith("Қасымовтар (Deira) — "))
    qtbot.waitUntil(lambda: page.model.index(0, COL_NAME).data() == "Қасымовтар (Deira)")
    assert changes and changes[0].updated == {"household": {row.id}}


def test_rows_of_same_named_households_differ_by_head_size_and_city(qtbot, page, desk, people):
    mother, son, _stranger = people
    households.create_household(
        desk, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    )
    other = nationals.register_national(
        desk, person(given_names_cyr="Сәуле", given_names_lat="SAULE", city="Sharjah",
                     passport_no="N9990002", birth_date=date(1970, 1, 1))
    ).row  # fmt: skip
    households.create_household(desk, "Семья Қасымовых", HouseholdKind.FAMILY, head_id=other.id)
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)
    shown = sorted(
        tuple(page.model.index(r, c).data() for c in (COL_NAME, COL_HEAD, COL_MEMBERS, COL_CITY))
        for r in range(2)
    )
    assert shown == [
        ("Семья Қасымовых", "Қасымова Сәуле", "1", "Sharjah"),
        ("Семья Қасымовых", "Қасымова Әйгерім", "2", "Dubai"),
    ]
    tip = page.model.index(0, COL_KIND).data(Qt.ItemDataRole.ToolTipRole)
    assert "Head: Қасымова" in tip and "Mostly in" in tip


def test_adding_a_member_offers_head_only_to_a_household_without_one(qtbot, page, desk, people):
    mother, son, _stranger = people
    row = households.create_household(desk, "Бековтар", HouseholdKind.FAMILY).row
    show(qtbot, page, row.id)
    adding = page.open_add_member()
    assert adding.relation_box.findData("head") > 0
    adding.relation_box.setCurrentIndex(adding.relation_box.findData("head"))
    add_by_typing(qtbot, adding, "Әйгер", "Қасымова Әйгерім")
    assert adding.household.head_id == mother.id
    assert adding.relation_box.findData("head") < 0  # she heads it now
    assert adding.relation_box.currentData() is None  # back to "not given" for the next
    adding.relation_box.setCurrentIndex(adding.relation_box.findData("child"))
    add_by_typing(qtbot, adding, "Ерл", "Қасымов Ерлан")
    adding.close()
    stored = households.get_household(desk, row.id)
    assert {m.national.id: m.relation for m in stored.members} == {
        mother.id: "head",
        son.id: "child",
    }


def test_a_household_s_members_open_on_the_nationals_page(qtbot, desk, family):
    from consuldesk.ui.main_window import MainWindow
    from consuldesk.ui.pages.nationals import NationalsPage

    row, father, mother, son = family
    nationals.register_national(  # someone in no household, who must not be listed
        desk, person(surname_cyr="Бекова", given_names_cyr="Ұлжан", passport_no="N9990003")
    )
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.show()
    window.nav.setCurrentRow(1)
    households_page = window.pages.currentWidget()
    assert isinstance(households_page, HouseholdsPage)
    show(qtbot, households_page, row.id)
    qtbot.waitUntil(households_page.list_button.isEnabled, timeout=3000)
    households_page.list_button.click()
    listed = window.pages.currentWidget()
    assert isinstance(listed, NationalsPage) and window.nav.currentRow() == 0
    assert listed.household_box.currentText() == "Қасымовтар (Қасымов Арман)"
    assert listed.current_filter() == nationals.NationalFilter(household_id=row.id)
    qtbot.waitUntil(lambda: listed.status_label.text() == "3 of 5 nationals", timeout=3000)
    shown = {listed.model.row_at(r).id for r in range(listed.model.rowCount())}
    assert shown == {father.id, mother.id, son.id}
    listed.clear_button.click()  # the household is not a lasting choice
    qtbot.waitUntil(lambda: listed.model.rowCount() == 5, timeout=3000)
    assert listed.household_box.count() == 5
    window.ctx.tasks.wait()
    window.close()


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_the_new_household_example_name_is_shown_whole(qtbot, ctx, lang):
    """In Kazakh and Russian the field showed the example's end ("ымысалы, Қасымовтар…")."""
    from consuldesk import i18n
    from consuldesk.ui.dialogs.households import NewHouseholdDialog

    i18n.install(lang)
    try:
        dialog = NewHouseholdDialog(ctx)
        qtbot.addWidget(dialog)
        dialog.show()
        edit = dialog.name_edit
        assert edit.width() > edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 8
    finally:
        i18n.install("en")


def test_a_members_birth_date_and_needs_stay_in_view_on_a_small_screen(qtbot, page, desk, people):
    mother, son, _stranger = people
    households.create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    )
    page.resize(830, 700)  # beside the navigation in a 1024 px window
    page.show()
    page.reload()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 2, timeout=3000)
    table = page.members_table
    header = table.horizontalHeader()
    born = header.sectionSizeHint(MEMBER_BORN)
    assert header.sectionSize(MEMBER_BORN) >= table.sizeHintForColumn(MEMBER_BORN) > 0
    assert header.sectionSize(MEMBER_BORN) >= born
    last = header.count() - 1
    assert header.sectionPosition(last) + header.sectionSize(last) <= table.viewport().width()
