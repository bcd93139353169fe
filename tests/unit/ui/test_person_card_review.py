"""The person card's panel of values set aside for review: read, correct, mark as reviewed."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import text

from consuldesk import i18n
from consuldesk.domain.review import ReviewItem
from consuldesk.services import nationals
from consuldesk.services.nationals import get_national
from consuldesk.ui.dialogs.person_card import HistoryModel, PersonCard
from consuldesk.ui.widgets.review_panel import ReviewPanel
from tests.factories import person
from tests.unit.services.test_review import ERLAN_BAD_IIN, ERLAN_IIN, LIST_NAME, import_doubtful
from tests.unit.ui.conftest import type_text

KAZAKH_LETTERS = set("ӘҒҚҢӨҰҮҺІәғқңөұүһі")


@pytest.fixture
def ids(desk, tmp_path):
    return import_doubtful(desk, tmp_path)


@pytest.fixture
def changes(ctx):
    seen = []
    ctx.events.changed.connect(seen.append)
    return seen


@pytest.fixture
def english_afterwards():
    yield
    i18n.install("en")


def open_card(qtbot, ctx, national_id: str) -> PersonCard:
    card = PersonCard(ctx, get_national(ctx.desk, national_id))
    qtbot.addWidget(card)
    card.show()
    qtbot.waitExposed(card)
    return card


def set_review(desk, national_id: str, items: list[ReviewItem]) -> None:
    with desk.casefile.write("Officer Test") as tx:
        tx.session.execute(
            text("UPDATE national SET review = :r WHERE id = :id"),
            {"r": json.dumps([i.to_json() for i in items], ensure_ascii=False), "id": national_id},
        )


def panel_texts(panel: ReviewPanel) -> list[str]:
    return [label.text() for label in panel.item_labels]


def stored_fields(desk, national_id: str) -> list[str]:
    return [i.field for i in get_national(desk, national_id).review]


# -- reading -------------------------------------------------------------------------------


def test_the_panel_lists_each_value_with_why_and_where_from(qtbot, ctx, ids):
    card = open_card(qtbot, ctx, ids["Жұмабаев"])
    panel = card.review_panel
    assert panel.isVisible()
    assert panel.title_label.text() == "2 values set aside for review"
    iin, phone = panel_texts(panel)
    assert "<b>IIN</b>" in iin and f"given as “{ERLAN_BAD_IIN}”" in iin
    assert "IIN fails its check digit" in iin
    assert f"({LIST_NAME}, line 2)" in iin  # the list's file name, in Cyrillic, and its line
    assert "<b>Phone</b>" in phone and "“12345” is not a valid phone number" in phone
    assert [b.text() for b in panel.correct_buttons if b] == ["Put in field", "Put in field"]
    assert panel.reviewed_button.isEnabled()
    assert not card.has_changes()  # showing the panel is not an edit


def test_no_panel_for_a_new_person_or_a_record_with_nothing_to_review(qtbot, ctx, ids):
    card = open_card(qtbot, ctx, ids["Нұрланов"])
    assert not card.review_panel.isVisible()
    new = PersonCard(ctx)
    qtbot.addWidget(new)
    new.show()
    assert not new.review_panel.isVisible()


def test_the_whole_row_and_choices_have_no_text_to_put_back(qtbot, ctx, desk):
    row = nationals.register_national(desk, person()).row
    set_review(
        desk,
        row.id,
        [
            ReviewItem("sex", "sex.unknown", "X", {"value": "X"}, "тізім.xlsx", 7),
            ReviewItem("record", "row.repeated", "Қасымова;Әйгерім", {}, "тізім.xlsx", 8),
        ],
    )
    card = open_card(qtbot, ctx, row.id)
    panel = card.review_panel
    sex_button, record_button = panel.correct_buttons
    assert record_button is None  # nothing on the card to put a whole row into
    assert sex_button is not None and sex_button.text() == "Go to field"
    assert "Sex “X” is not understood" in panel_texts(panel)[0]
    assert "(тізім.xlsx, line 8)" in panel_texts(panel)[1]
    card.tabs.setCurrentIndex(1)
    sex_button.click()
    assert card.tabs.currentIndex() == 0
    assert card.sex_combo.hasFocus() or not card.isActiveWindow()


# -- correcting ----------------------------------------------------------------------------


def test_put_in_field_fills_the_editor_with_the_raw_text_focused_and_undoable(qtbot, ctx, ids):
    card = open_card(qtbot, ctx, ids["Жұмабаев"])
    iin_button, phone_button = card.review_panel.correct_buttons
    iin_button.click()
    edit = card.edits["iin"]
    assert edit.text() == ERLAN_BAD_IIN
    assert edit.hasFocus() or not card.isActiveWindow()
    qtbot.waitUntil(lambda: card.error_labels["iin"].isVisible(), timeout=3000)
    assert "check digit" in card.error_labels["iin"].text()
    assert not card.save_button.isEnabled()
    assert card.has_changes()
    edit.undo()  # what the field held (nothing) comes back
    assert edit.text() == ""

    card.phones_edit.setPlainText("+7 701 234 56 78")
    phone_button.click()  # a phone joins the others, on a line of its own
    assert card.phones_edit.toPlainText() == "+7 701 234 56 78\n12345"
    phone_button.click()  # not twice
    assert card.phones_edit.toPlainText() == "+7 701 234 56 78\n12345"


def test_a_corrected_value_waits_for_save_which_clears_it(qtbot, ctx, desk, ids, changes):
    erlan_id = ids["Жұмабаев"]
    card = open_card(qtbot, ctx, erlan_id)
    panel = card.review_panel
    card.edits["iin"].clear()
    type_text(card.edits["iin"], ERLAN_IIN)
    qtbot.waitUntil(lambda: "Corrected in the form" in panel_texts(panel)[0], timeout=3000)
    assert "Corrected" not in panel_texts(panel)[1]
    assert [i.field for i in panel.waiting] == ["phones"]
    assert panel.title_label.text() == "2 values set aside for review"

    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(card.saved, timeout=5000):
        card.save_button.click()
    assert card.result() == QDialog.DialogCode.Accepted
    assert stored_fields(desk, erlan_id) == ["phones"]
    assert get_national(desk, erlan_id).iin == ERLAN_IIN
    assert changes and erlan_id in changes[-1].updated["national"]


def test_all_corrected_says_save_clears_them(qtbot, ctx, ids):
    card = open_card(qtbot, ctx, ids["Сәрсенбаева"])
    panel = card.review_panel
    (button,) = panel.correct_buttons
    button.click()
    assert card.edits["birth_date"].text() == "31.02.1990"
    card.edits["birth_date"].setText("28.02.1990")
    qtbot.waitUntil(lambda: not panel.waiting, timeout=3000)
    assert panel.title_label.text() == "Corrected: save to clear 1 value set aside"
    assert not panel.reviewed_button.isEnabled()  # nothing left to mark


# -- marking as reviewed -------------------------------------------------------------------


def test_mark_as_reviewed_asks_then_drops_the_values(qtbot, ctx, desk, ids, changes):
    erlan_id = ids["Жұмабаев"]
    card = open_card(qtbot, ctx, erlan_id)
    panel = card.review_panel
    panel.reviewed_button.click()
    box = card.review_box
    assert box is not None and box.isVisible()
    assert box.text().startswith("2 values set aside will be dropped from this record.")
    box.button(QMessageBox.StandardButton.Cancel).click()  # the default: nothing happens
    assert stored_fields(desk, erlan_id) == ["iin", "phones"]

    panel.reviewed_button.click()
    card.review_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=3000)
    assert stored_fields(desk, erlan_id) == []
    assert changes and erlan_id in changes[-1].updated["national"]
    assert card.isVisible() and not card.has_changes()  # the card stays open, nothing typed

    m = card.history_model
    qtbot.waitUntil(
        lambda: any(m.index(r, 2).data() == "Marked as reviewed" for r in range(m.rowCount())),
        timeout=3000,
    )
    row = next(r for r in range(m.rowCount()) if m.index(r, 2).data() == "Marked as reviewed")
    assert m.index(row, 3).data() == "Set aside for review"
    assert m.index(row, 4).data() == f"IIN “{ERLAN_BAD_IIN}”; Phone “12345” → —"


def test_mark_as_reviewed_leaves_a_corrected_value_to_the_save(qtbot, ctx, desk, ids):
    erlan_id = ids["Жұмабаев"]
    card = open_card(qtbot, ctx, erlan_id)
    panel = card.review_panel
    card.edits["iin"].setText(ERLAN_IIN)
    qtbot.waitUntil(lambda: [i.field for i in panel.waiting] == ["phones"], timeout=3000)
    panel.reviewed_button.click()
    assert card.review_box.text().startswith("1 value set aside will be dropped")
    card.review_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: len(panel.items) == 1, timeout=3000)
    assert stored_fields(desk, erlan_id) == ["iin"]  # the phone dismissed, the IIN not yet
    assert card.edits["iin"].text() == ERLAN_IIN  # what the officer typed stays
    assert panel.isVisible() and not panel.waiting

    with qtbot.waitSignal(card.saved, timeout=5000):
        card.save_button.click()
    assert stored_fields(desk, erlan_id) == []


# -- languages and small screens -----------------------------------------------------------


def test_kazakh_sentences_and_labels(qtbot, ctx, ids, english_afterwards):
    i18n.install("kk")
    card = open_card(qtbot, ctx, ids["Жұмабаев"])
    iin, _phone = panel_texts(card.review_panel)
    assert "<b>ЖСН</b>" in iin  # the field's label in Kazakh
    reason = iin.split("<br>")[1]
    assert KAZAKH_LETTERS & set(reason)  # why, in Kazakh
    assert ERLAN_BAD_IIN in iin


def test_many_values_scroll_inside_a_panel_that_leaves_the_form_its_room(qtbot, ctx, desk):
    row = nationals.register_national(desk, person()).row
    items = [
        ReviewItem("phones", "phone.invalid", f"1234{i}", {"value": f"1234{i}"}, "тізім.csv", i)
        for i in range(2, 14)
    ]
    set_review(desk, row.id, items)
    card = open_card(qtbot, ctx, row.id)
    card.resize(980, 640)  # the card's smallest size: it fits a 1024×700 screen
    qtbot.wait(50)
    panel = card.review_panel
    assert len(panel.item_labels) == 12
    assert panel.height() < card.height() * 0.45
    assert card.tabs.height() > 250
    assert panel._scroll.verticalScrollBar().maximum() > 0  # the rest scrolls


def test_history_model_shows_review_changes_and_passes_the_model_tester(qtmodeltester, desk, ids):
    from consuldesk.services.review import dismiss_review

    dismiss_review(desk, ids["Сәрсенбаева"])
    model = HistoryModel()
    model.set_events(nationals.history(desk, ids["Сәрсенбаева"]))
    cells = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    review = [c[2:] for c in cells if c[3] == "Set aside for review"]
    assert review == [  # the latest first
        ["Marked as reviewed", "Set aside for review", "Date of birth “31.02.1990” → —"],
        ["Registered", "Set aside for review", "— → Date of birth “31.02.1990”"],
    ]
    qtmodeltester.check(model)
