"""The nationals page: filter bar, count line, paging and sorting over SQLite."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from consuldesk.domain.enums import Vulnerability
from consuldesk.services import nationals
from consuldesk.services.nationals import NationalFilter, find_nationals
from consuldesk.ui import models
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.models.nationals import COL_BIRTH, COL_IIN, COL_NAME, NationalsModel
from consuldesk.ui.pages.nationals import NationalsPage
from consuldesk.ui.tasks import TaskRunner
from tests.factories import person
from tests.unit.services.test_national_filters import seed
from tests.unit.services.test_review import ERLAN_BAD_IIN

EVERYONE = "7 nationals in the case file. Type to search."


@pytest.fixture
def ctx(qtbot, desk):
    tasks = TaskRunner()
    yield AppContext(desk=desk, tasks=tasks, events=CaseFileEvents())
    tasks.wait()


@pytest.fixture
def seeded(desk):
    return seed(desk)


@pytest.fixture
def page(qtbot, ctx, seeded):
    p = NationalsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1200, 600)
    p.show()
    wait_for_text(qtbot, p, EVERYONE)
    qtbot.waitUntil(lambda: p.city_box.count() > 1, timeout=3000)  # choices loaded
    yield p
    ctx.tasks.wait()


def wait_for_text(qtbot, page, text):
    qtbot.waitUntil(lambda: page.status_label.text() == text, timeout=3000)


def names(page):
    return [page.model.index(r, COL_NAME).data() for r in range(page.model.rowCount())]


def choose(box, data):
    index = box.findData(data)
    assert index > 0, data
    box.setCurrentIndex(index)


def test_everyone_is_listed_before_anything_is_typed(page):
    assert page.model.rowCount() == 7
    assert names(page)[0] == "Ахметов Ерлан"
    assert not page.clear_button.isEnabled()
    assert page.country_box.itemText(0) == "All"
    assert page.city_box.itemText(1) == "Dubai (3)"


def test_city_filter_and_count(qtbot, page):
    choose(page.city_box, "Dubai")
    wait_for_text(qtbot, page, "3 of 7 nationals")
    assert set(names(page)) == {"Қасымов Али", "Қасымова Әйгерім", "Серікова Дана"}
    assert page.clear_button.isEnabled()


def test_country_and_status_filters(qtbot, page):
    choose(page.country_box, "QA")
    wait_for_text(qtbot, page, "1 of 7 nationals")
    assert names(page) == ["Ахметов Ерлан"]
    choose(page.status_box, "in_transit")  # nobody in Qatar is in transit
    wait_for_text(qtbot, page, "Nobody matches — clear the filters")
    assert page.model.rowCount() == 0
    page.clear_button.click()
    wait_for_text(qtbot, page, EVERYONE)
    assert page.model.rowCount() == 7
    assert page.country_box.currentIndex() == 0 and page.status_box.currentIndex() == 0


def test_needs_filter_combines_with_the_query(qtbot, page):
    choose(page.needs_box, Vulnerability.MINOR.value)
    wait_for_text(qtbot, page, "1 of 7 nationals")
    page.needs_box.setCurrentIndex(0)
    wait_for_text(qtbot, page, EVERYONE)
    page.search_box.setText("kas")
    wait_for_text(qtbot, page, "2 found.")
    choose(page.needs_box, Vulnerability.WOMAN_WITH_MINORS.value)
    wait_for_text(qtbot, page, "1 of 7 nationals")
    assert names(page) == ["Қасымова Әйгерім"]


def test_hotel_tonight_filter(qtbot, page, seeded):
    assert page.hotel_box.itemText(1) == "Hilton"
    choose(page.hotel_box, seeded.hotel)
    wait_for_text(qtbot, page, "2 of 7 nationals")
    assert set(names(page)) == {"Әбілқасымов Нұрсұлтан", "Серікова Дана"}
    assert page.current_filter() == NationalFilter(hotel_id=seeded.hotel)


def test_query_texts(qtbot, page):
    page.search_box.setText("Жоқадам")
    wait_for_text(qtbot, page, "Nobody found. New person (Ctrl+N) starts from it.")
    page.search_box.setText("beko")
    wait_for_text(qtbot, page, "1 found.")
    page.search_box.clear()
    wait_for_text(qtbot, page, EVERYONE)


def test_nobody_by_the_name_as_typed_lists_the_similar_names(qtbot, page):
    """The caller says "Ахмедов"; he is "Ахметов" on file: the list says so and shows him."""
    page.search_box.setText("Ахмедов")
    wait_for_text(qtbot, page, "Nobody is named “Ахмедов”: 1 person with a similar name.")
    assert names(page) == ["Ахметов Ерлан"]
    assert page.model.similar
    card = page.open_new_card()  # he may be someone else: a new card starts from the name
    qtbot.addWidget(card)
    assert card.edits["surname_cyr"].text() == "Ахмедов"
    card.reject()
    page.search_box.setText("Ахметов")
    wait_for_text(qtbot, page, "1 found.")
    assert not page.model.similar


def test_clicking_the_born_header_sorts_in_sqlite(qtbot, page):
    page.table.sortByColumn(COL_BIRTH, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: names(page)[0] == "Қасымов Али", timeout=3000)
    assert names(page)[-1] == "ZHUMABEK TIMUR"  # unknown birth date last
    assert page.model.sort_order() == ("born", True)
    # A column the case file cannot sort by leaves the order (and its arrow) as it is.
    page.table.horizontalHeader().setSortIndicator(COL_IIN, Qt.SortOrder.AscendingOrder)
    assert page.table.horizontalHeader().sortIndicatorSection() == COL_BIRTH
    assert page.model.sort_order() == ("born", True)


def test_enter_on_a_row_opens_the_card(qtbot, page, monkeypatch):
    opened = []
    monkeypatch.setattr(page, "open_card", lambda row: opened.append(row))
    page.table.activated.emit(page.model.index(0, COL_NAME))
    assert [r.name for r in opened] == ["Ахметов Ерлан"]


def test_a_change_refreshes_the_list_and_the_choices(qtbot, page, desk):
    choose(page.city_box, "Dubai")
    wait_for_text(qtbot, page, "3 of 7 nationals")
    saved = nationals.register_national(
        desk, person(surname_cyr="Омарова", given_names_cyr="Алия", birth_date=date(1999, 9, 9))
    )
    page.ctx.events.changed.emit(saved.changes)
    wait_for_text(qtbot, page, "4 of 8 nationals")
    assert page.city_box.currentData() == "Dubai"
    assert page.city_box.currentText() == "Dubai (4)"


def paged_model(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(models.nationals, "PAGE_SIZE", 3)
    model = NationalsModel(date(2026, 3, 10), tasks=ctx.tasks)
    desk = ctx.desk
    with qtbot.waitSignal(model.loaded, timeout=3000):
        model.set_source(
            lambda sort, desc, limit, after, total: find_nationals(
                desk, sort=sort, descending=desc, limit=limit, after=after, total=total
            )
        )
    return model


def test_fetch_more_brings_pages_until_the_total(qtbot, ctx, seeded, monkeypatch):
    model = paged_model(qtbot, ctx, monkeypatch)
    assert (model.rowCount(), model.total) == (3, 7)
    while model.canFetchMore():
        with qtbot.waitSignal(model.rowsInserted, timeout=3000):
            model.fetchMore()
    assert model.rowCount() == 7
    assert len({model.row_at(r).id for r in range(7)}) == 7
    assert not model.canFetchMore()


def test_sort_requeries_from_the_first_page(qtbot, ctx, seeded, monkeypatch):
    model = paged_model(qtbot, ctx, monkeypatch)
    with qtbot.waitSignal(model.loaded, timeout=3000):
        model.sort(COL_BIRTH, Qt.SortOrder.DescendingOrder)
    assert model.rowCount() == 3
    assert model.row_at(0).id == seeded.child
    model.sort(COL_IIN)  # not sortable: nothing happens
    assert not model.loading


def test_paged_model_passes_the_model_tester(qtbot, qtmodeltester, ctx, seeded, monkeypatch):
    model = paged_model(qtbot, ctx, monkeypatch)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.rowsInserted, timeout=3000):
        model.fetchMore()
    qtmodeltester.check(model)


# -- needs review --------------------------------------------------------------------------


@pytest.fixture
def review_page(qtbot, ctx, seeded, tmp_path):
    from tests.unit.services.test_review import import_doubtful

    ids = import_doubtful(ctx.desk, tmp_path)
    p = NationalsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1000, 600)
    p.show()
    wait_for_text(qtbot, p, "10 nationals in the case file. Type to search.")
    qtbot.waitUntil(lambda: p.review_button.text() == "Needs review (2)", timeout=3000)
    p.ids = ids
    yield p
    ctx.tasks.wait()


def test_nobody_to_review_leaves_the_button_resting(page):
    assert page.review_button.text() == "Needs review (0)"
    assert not page.review_button.isEnabled()


def test_needs_review_filter_lists_them_with_a_mark(qtbot, review_page):
    page = review_page
    assert page.review_button.isEnabled() and not page.review_button.isChecked()
    page.review_button.click()
    wait_for_text(qtbot, page, "2 of 10 nationals")
    assert set(names(page)) == {"Жұмабаев Ерлан", "Сәрсенбаева Әсел"}
    assert page.current_filter() == NationalFilter(needs_review=True)
    assert page.clear_button.isEnabled()
    for r in range(page.model.rowCount()):
        icon = page.model.index(r, COL_NAME).data(Qt.ItemDataRole.DecorationRole)
        assert icon is not None and not icon.isNull()
    tip = page.model.index(names(page).index("Жұмабаев Ерлан"), COL_NAME).data(
        Qt.ItemDataRole.ToolTipRole
    )
    assert tip.splitlines()[:3] == [
        "Needs review: 2 values set aside",
        f"IIN: “{ERLAN_BAD_IIN}”",
        "Phone: “12345”",
    ]
    page.clear_button.click()
    wait_for_text(qtbot, page, "10 nationals in the case file. Type to search.")
    assert not page.review_button.isChecked()
    marked = [
        names(page)[r]
        for r in range(page.model.rowCount())
        if page.model.index(r, COL_NAME).data(Qt.ItemDataRole.DecorationRole) is not None
    ]
    assert sorted(marked) == ["Жұмабаев Ерлан", "Сәрсенбаева Әсел"]


def test_needs_review_combines_with_the_query(qtbot, review_page):
    page = review_page
    page.review_button.click()
    wait_for_text(qtbot, page, "2 of 10 nationals")
    page.search_box.setText("Әсел")
    wait_for_text(qtbot, page, "1 of 10 nationals")
    assert names(page) == ["Сәрсенбаева Әсел"]


def test_show_needs_review_starts_from_a_clean_filter(qtbot, review_page):
    page = review_page
    choose(page.city_box, "Abu Dhabi")
    page.search_box.setText("Нұрсұлтан")
    wait_for_text(qtbot, page, "1 of 10 nationals")
    page.show_needs_review()
    wait_for_text(qtbot, page, "2 of 10 nationals")
    assert page.search_box.text() == "" and page.city_box.currentIndex() == 0
    assert page.current_filter() == NationalFilter(needs_review=True)


def test_the_count_follows_the_case_file(qtbot, review_page):
    from consuldesk.services.review import dismiss_review

    page = review_page
    page.review_button.click()
    wait_for_text(qtbot, page, "2 of 10 nationals")
    for surname in ("Жұмабаев", "Сәрсенбаева"):
        page.ctx.events.changed.emit(dismiss_review(page.desk, page.ids[surname]).changes)
    wait_for_text(qtbot, page, "Nobody needs review.")
    # the count is loaded apart from the list (filter choices): it may come a moment later
    qtbot.waitUntil(lambda: page.review_button.text() == "Needs review (0)", timeout=3000)
    assert page.review_button.isEnabled()  # still on: it must be possible to turn it off
    page.review_button.click()
    wait_for_text(qtbot, page, "10 nationals in the case file. Type to search.")
    assert not page.review_button.isEnabled()


def test_marked_rows_pass_the_model_tester(qtmodeltester, review_page):
    model = NationalsModel(date(2026, 3, 10))
    model.set_rows(find_nationals(review_page.desk, NationalFilter()).rows)
    marked = [
        r
        for r in range(model.rowCount())
        if model.index(r, COL_NAME).data(Qt.ItemDataRole.DecorationRole) is not None
    ]
    assert [model.row_at(r).surname_cyr for r in marked] == ["Жұмабаев", "Сәрсенбаева"]
    qtmodeltester.check(model)


def test_a_person_just_registered_is_shown_selected_and_said(qtbot, page):
    page.city_box.setCurrentIndex(page.city_box.count() - 1)  # some filter that hides them
    card = page.open_card(None)
    qtbot.addWidget(card)
    card.edits["surname_cyr"].setText("Сейітқали")
    card.edits["given_names_cyr"].setText("Бағлан")
    card.edits["passport_no"].setText("N70700707")
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    card.save_button.click()
    qtbot.waitUntil(lambda: page.status_label.text() == "Saved: Сейітқали Бағлан.", timeout=5000)
    selected = page.selected_row()
    assert selected is not None and selected.name == "Сейітқали Бағлан"
    assert page.search_box.text() == "N70700707" and page.city_box.currentIndex() == 0


def cities(page) -> list[str | None]:
    return [page.city_box.itemData(i) for i in range(page.city_box.count())]


def test_household_filter_finds_families_and_people_in_none(qtbot, page, seeded):
    assert [page.household_box.itemText(i) for i in range(page.household_box.count())] == [
        "All",
        "In a family",
        "Not in a family",
        "In a tour group",
        "In no household",
    ]
    choose(page.household_box, "family")
    wait_for_text(qtbot, page, "2 of 7 nationals")
    assert set(names(page)) == {"Қасымов Али", "Қасымова Әйгерім"}
    assert page.current_filter() == NationalFilter(membership="family")
    choose(page.household_box, "none")
    wait_for_text(qtbot, page, "5 of 7 nationals")
    choose(page.city_box, "Dubai")  # the one in Dubai who is in no household: the hotel guest
    wait_for_text(qtbot, page, "1 of 7 nationals")
    assert names(page) == ["Серікова Дана"]
    page.clear_button.click()
    wait_for_text(qtbot, page, EVERYONE)
    assert page.household_box.currentIndex() == 0


def test_cities_narrow_to_the_chosen_country_and_widen_again(qtbot, page):
    assert cities(page) == [None, "Dubai", "Abu Dhabi", "Doha", "Riyadh"]
    choose(page.city_box, "Doha")
    wait_for_text(qtbot, page, "1 of 7 nationals")
    # A country without Doha: the city goes back to "All" at once, and only its cities stay.
    choose(page.country_box, "AE")
    assert page.city_box.currentIndex() == 0
    qtbot.waitUntil(lambda: cities(page) == [None, "Dubai", "Abu Dhabi"], timeout=3000)
    wait_for_text(qtbot, page, "5 of 7 nationals")
    assert page.city_box.itemText(1) == "Dubai (3)"
    choose(page.city_box, "Abu Dhabi")
    wait_for_text(qtbot, page, "1 of 7 nationals")
    page.clear_button.click()
    wait_for_text(qtbot, page, EVERYONE)
    qtbot.waitUntil(lambda: len(cities(page)) == 5, timeout=3000)


def test_the_needs_and_the_place_are_whole_in_their_tooltips(page, seeded):
    from consuldesk.ui.models.nationals import COL_FLAGS, COL_PLACE

    row = next(r for r in range(page.model.rowCount()) if page.model.row_at(r).id == seeded.elder)
    needs = page.model.index(row, COL_FLAGS).data(Qt.ItemDataRole.ToolTipRole)
    assert needs.splitlines() == ["medical", "60+", "diabetes"]
    place = page.model.index(row, COL_PLACE).data(Qt.ItemDataRole.ToolTipRole)
    assert place.endswith("Abu Dhabi, AE")


def test_a_narrow_filter_box_shows_its_choices_whole(page):
    box = page.country_box
    widest = max(box.view().sizeHintForColumn(0), 1)
    assert box.view().minimumWidth() >= widest  # the open list is as wide as its longest
    box.setCurrentIndex(1)
    assert box.toolTip() == box.currentText() != ""
