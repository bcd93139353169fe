"""Households page: create a family, add members found by typing Cyrillic, set head, remove."""

from __future__ import annotations

from datetime import date

import pytest

from consuldesk.domain.enums import HouseholdKind, Sex
from consuldesk.services import households, nationals
from consuldesk.ui.models.households import (
    COL_KIND,
    COL_MEMBERS,
    COL_NAME,
    COL_NEEDS,
    MEMBER_NAME,
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


def select_member(page, name: str) -> None:
    for row in range(page.members_model.rowCount()):
        if page.members_model.row_at(row).national.name == name:
            page.members_table.selectRow(row)
            return
    raise AssertionError(name)


def test_empty_state_says_what_to_do(qtbot, page):
    qtbot.waitUntil(lambda: "No households yet" in page.status_label.text(), timeout=3000)
    assert not page.add_button.isEnabled()


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

    adding = page.open_add_member()
    add_by_typing(qtbot, adding, "Әйгер", "Қасымова Әйгерім")
    add_by_typing(qtbot, adding, "Ерл", "Қасымов Ерлан")
    adding.close()
    row = households.get_household(desk, listed.id)
    assert set(row.member_ids) == {mother.id, son.id}
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 2, timeout=3000)
    qtbot.waitUntil(lambda: page.model.index(0, COL_MEMBERS).data() == "2", timeout=3000)

    select_member(page, "Қасымова Әйгерім")
    assert page.head_button.isEnabled()
    page.head_button.click()
    qtbot.waitUntil(lambda: households.get_household(desk, listed.id).head_id == mother.id)
    qtbot.waitUntil(
        lambda: page.members_model.index(0, MEMBER_NAME).data().endswith("(head)"), timeout=3000
    )
    assert not page.head_button.isEnabled()  # she is the head already, still selected

    select_member(page, "Қасымов Ерлан")
    page.remove_button.click()
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
