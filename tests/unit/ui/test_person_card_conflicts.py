"""The person card when someone else changed the person while it was open: another window on
the same case file, or a bundle from another post."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from consuldesk.services import nationals
from consuldesk.services.casefile import open_casefile
from consuldesk.ui.dialogs.edit_conflict import MINE, THEIRS, EditConflictDialog
from consuldesk.ui.dialogs.person_card import HistoryModel, PersonCard
from tests.factories import person
from tests.unit.ui.conftest import type_text


@pytest.fixture
def other(desk):
    """A second desk on the same case file: another officer at another window."""
    d = open_casefile(desk.casefile.path, "Officer Two")
    d.today = desk.today
    yield d
    d.close()


def open_card(qtbot, ctx, row) -> PersonCard:
    card = PersonCard(ctx, row)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    return card


def retype(edit, text: str) -> None:
    edit.selectAll()
    type_text(edit, text)


def conflict_dialog(qtbot, card: PersonCard) -> EditConflictDialog:
    card.save_button.click()
    qtbot.waitUntil(lambda: card.conflict_dialog is not None, timeout=5000)
    dialog = card.conflict_dialog
    assert isinstance(dialog, EditConflictDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    return dialog


def test_a_change_made_elsewhere_to_another_field_is_kept(qtbot, ctx, desk, other):
    row = nationals.register_national(desk, person()).row
    card = open_card(qtbot, ctx, row)
    nationals.update_national(
        other, row.id, nationals.fields_of_row(row).replace(phones=("+77019998877",))
    )
    retype(card.edits["address"], "Corniche 5")
    with qtbot.waitSignal(card.saved, timeout=5000) as saved:
        card.save_button.click()
    assert card.result() == QDialog.DialogCode.Accepted and card.conflict_dialog is None
    assert [c.field for c in saved.args[0].theirs_kept] == ["phones"]
    now = nationals.get_national(desk, row.id)
    assert (now.address, now.phones) == ("Corniche 5", ("+77019998877",))


def test_a_conflict_shows_the_three_values_and_saves_the_choices(qtbot, ctx, desk, other):
    row = nationals.register_national(desk, person(address="Marina 1")).row
    card = open_card(qtbot, ctx, row)
    opened = nationals.fields_of_row(row)
    nationals.update_national(
        other, row.id, opened.replace(city="Sharjah", address="Tower 7", email="x@example.kz")
    )
    retype(card.edits["city"], "Al Ain")
    retype(card.edits["address"], "Villa 3")
    retype(card.edits["messenger"], "Telegram @aigerim")

    dialog = conflict_dialog(qtbot, card)
    assert card.status_label.text().startswith("Someone else changed this record")
    assert card.isVisible() and card.result() == 0  # the card stays open
    assert list(dialog.groups) == ["city", "address"]
    texts = [label.text() for label in dialog.findChildren(type(dialog.status_label))]
    for value in ("Dubai", "Sharjah", "Al Ain", "Marina 1", "Tower 7", "Villa 3"):
        assert value in texts
    assert any(t.startswith("Officer Two (AE-ABU), ") for t in texts)
    assert "•  Email: x@example.kz — Officer Two (AE-ABU), " in dialog.kept_label.text()
    # No choice is made for the officer: Save waits for both fields.
    assert not dialog.save_button.isEnabled()
    assert dialog.status_label.text() == "2 fields to choose"
    dialog.buttons[("city", MINE)].click()
    assert not dialog.save_button.isEnabled() and dialog.status_label.text() == "1 field to choose"
    dialog.buttons[("address", THEIRS)].click()
    assert dialog.save_button.isEnabled()

    with qtbot.waitSignal(card.saved, timeout=5000):
        dialog.save_button.click()
    assert card.result() == QDialog.DialogCode.Accepted
    now = nationals.get_national(desk, row.id)
    assert (now.city, now.address, now.email, now.messenger) == (
        "Al Ain",
        "Tower 7",
        "x@example.kz",
        "Telegram @aigerim",
    )
    # The History tab says what happened.
    model = HistoryModel()
    model.set_events(nationals.history(desk, row.id))
    rows = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    assert ["Conflict resolved", "City", "Sharjah → Al Ain"] in [r[2:] for r in rows]
    assert ["Kept the other change", "Address", "Villa 3 → Tower 7"] in [r[2:] for r in rows]


def test_take_theirs_for_all_and_back_to_the_card(qtbot, ctx, desk, other):
    row = nationals.register_national(desk, person()).row
    card = open_card(qtbot, ctx, row)
    nationals.update_national(other, row.id, nationals.fields_of_row(row).replace(city="Sharjah"))
    retype(card.edits["city"], "Al Ain")

    dialog = conflict_dialog(qtbot, card)
    dialog.back_button.click()  # nothing saved; the card keeps what was typed
    assert not dialog.isVisible() and card.isVisible()
    assert card.edits["city"].text() == "Al Ain"
    assert nationals.get_national(desk, row.id).city == "Sharjah"

    card.conflict_dialog = None
    dialog = conflict_dialog(qtbot, card)  # saving again asks again
    dialog.all_mine_button.click()
    assert dialog.choices == {"city": MINE}
    dialog.all_theirs_button.click()
    assert dialog.choices == {"city": THEIRS}
    with qtbot.waitSignal(card.saved, timeout=5000):
        dialog.save_button.click()
    assert nationals.get_national(desk, row.id).city == "Sharjah"


def test_a_change_made_while_choosing_is_caught_again(qtbot, ctx, desk, other):
    row = nationals.register_national(desk, person()).row
    card = open_card(qtbot, ctx, row)
    nationals.update_national(other, row.id, nationals.fields_of_row(row).replace(city="Sharjah"))
    retype(card.edits["city"], "Al Ain")
    first = conflict_dialog(qtbot, card)
    # The other officer changes the city once more while this officer reads the dialog.
    now = nationals.get_national(other, row.id)
    nationals.update_national(other, row.id, nationals.fields_of_row(now).replace(city="Ajman"))
    card.conflict_dialog = None
    first.choose("city", MINE)
    first.save_button.click()
    qtbot.waitUntil(lambda: card.conflict_dialog is not None, timeout=5000)
    second = card.conflict_dialog
    assert isinstance(second, EditConflictDialog) and second is not first
    texts = [label.text() for label in second.findChildren(type(second.status_label))]
    assert "Ajman" in texts and "Sharjah" in texts  # opened: the value the first dialog showed
    assert nationals.get_national(desk, row.id).city == "Ajman"  # nothing overwritten
    second.choose("city", MINE)
    with qtbot.waitSignal(card.saved, timeout=5000):
        second.save_button.click()
    assert nationals.get_national(desk, row.id).city == "Al Ain"


def test_clicking_a_value_chooses_it(qtbot, desk, other):
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(other, row.id, opened.replace(notes="Long note " * 30))
    try:
        nationals.update_national(desk, row.id, opened.replace(notes="Mine"), opened=opened)
    except nationals.EditConflict as exc:
        dialog = EditConflictDialog(exc)
    qtbot.addWidget(dialog)
    dialog.show()
    from PySide6.QtCore import QPoint, Qt

    (label,) = [  # theirs (not both: theirs, then "Mine")
        w
        for w in dialog.findChildren(type(dialog.status_label))
        if w.text().startswith("Long") and "Mine" not in w.text()
    ]
    assert label.wordWrap()
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert dialog.choices == {"notes": THEIRS}


def test_marking_the_review_done_does_not_move_what_the_save_is_checked_against(
    qtbot, ctx, desk, other
):
    from PySide6.QtWidgets import QMessageBox

    from consuldesk.domain.review import ReviewItem
    from tests.unit.ui.test_person_card_review import set_review

    row = nationals.register_national(desk, person()).row
    set_review(desk, row.id, [ReviewItem("sex", "sex.unknown", "X", {"value": "X"}, "l.xlsx", 7)])
    card = open_card(qtbot, ctx, nationals.get_national(desk, row.id))
    nationals.update_national(other, row.id, nationals.fields_of_row(row).replace(city="Sharjah"))
    # Marking the review done reloads the record (now with Sharjah) but not the form.
    card.review_panel.reviewed_button.click()
    card.review_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not card.review_panel.isVisible(), timeout=5000)
    assert card.edits["city"].text() == "Dubai"
    retype(card.edits["address"], "Corniche 5")
    with qtbot.waitSignal(card.saved, timeout=5000):
        card.save_button.click()
    now = nationals.get_national(desk, row.id)
    assert (now.city, now.address) == ("Sharjah", "Corniche 5")  # the form's stale Dubai lost


@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_the_dialog_fits_a_small_laptop_in_every_language(qtbot, desk, other, language):
    from PySide6.QtWidgets import QAbstractButton

    from consuldesk import i18n
    from consuldesk.messages import describe

    long = "Әбу-Даби, Корниш жолы, Nation Towers кешені, 2-мұнара, 1907 пәтер (ағасының үйі)"
    row = nationals.register_national(desk, person()).row
    opened = nationals.fields_of_row(row)
    nationals.update_national(
        other, row.id, opened.replace(address=long, notes=long * 2, city="Sharjah")
    )
    i18n.install(language)
    try:
        mine = opened.replace(address=long[::-1], notes="Қант диабеті", city="Al Ain")
        try:
            nationals.update_national(desk, row.id, mine, opened=opened)
        except nationals.EditConflict as exc:
            conflict = exc
        start, notes = {
            "en": ("Someone else changed this record", "Notes"),
            "kk": ("Бұл жазба ашық тұрғанда", "Ескертпелер"),
            "ru": ("Пока запись была открыта", "Примечания"),
        }[language]
        text = describe(conflict)
        assert text.startswith(start) and notes in text and "{" not in text
        dialog = EditConflictDialog(conflict)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.width() <= 1024 and dialog.height() <= 700
        assert dialog.minimumSizeHint().width() <= 1024
        cut = [
            b.text()
            for b in dialog.findChildren(QAbstractButton)
            if b.isVisibleTo(dialog) and b.text() and b.width() < b.sizeHint().width() - 2
        ]
        assert not cut
        english = dialog.windowTitle() == "Changed while you were editing"
        assert english == (language == "en")
    finally:
        i18n.install("en")


def test_marking_reviewed_keeps_values_set_aside_after_the_card_opened(qtbot, ctx, desk):
    from PySide6.QtWidgets import QMessageBox

    from consuldesk.domain.review import ReviewItem
    from tests.unit.ui.test_person_card_review import set_review

    sex = ReviewItem("sex", "sex.unknown", "X", {"value": "X"}, "l.xlsx", 7)
    phone = ReviewItem("phones", "phone.invalid", "12345", {"value": "12345"}, "m.xlsx", 3)
    row = nationals.register_national(desk, person()).row
    set_review(desk, row.id, [sex])
    card = open_card(qtbot, ctx, nationals.get_national(desk, row.id))
    set_review(desk, row.id, [sex, phone])  # an import sets a phone aside meanwhile
    card.review_panel.reviewed_button.click()
    with qtbot.waitSignal(ctx.events.changed, timeout=5000):
        card.review_box.button(QMessageBox.StandardButton.Yes).click()
    assert [i.field for i in nationals.get_national(desk, row.id).review] == ["phones"]
    qtbot.waitUntil(lambda: card.review_panel.title_label.text() != "", timeout=3000)
    assert card.review_panel.isVisible()  # the new value is shown for review
    assert [i.field for i in card.review_panel.items] == ["phones"]


def test_saving_a_card_whose_person_was_deleted_meanwhile_says_so(qtbot, ctx, desk, other):
    row = nationals.register_national(desk, person()).row
    card = open_card(qtbot, ctx, row)
    nationals.delete_national(other, row.id)
    retype(card.edits["city"], "Al Ain")
    card.save_button.click()
    qtbot.waitUntil(lambda: "deleted this person" in card.status_label.text(), timeout=5000)
    assert card.status_label.text().startswith("Officer Two deleted this person on ")
    assert card.isVisible() and card.edits["city"].text() == "Al Ain"  # what was typed stays


def test_the_list_says_the_card_was_saved_and_what_it_kept_of_the_other_change(
    qtbot, ctx, desk, other
):
    from consuldesk.ui.pages.nationals import NationalsPage

    row = nationals.register_national(desk, person()).row
    page = NationalsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    card = page.open_card(row)
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    nationals.update_national(
        other, row.id, nationals.fields_of_row(row).replace(phones=("+77019998877",))
    )
    retype(card.edits["address"], "Corniche 5")
    card.save_button.click()
    expected = f"Saved: {row.name}. Kept what someone else changed meanwhile: Phone."
    qtbot.waitUntil(lambda: page.status_label.text().startswith("Saved"), timeout=5000)
    assert page.status_label.text() == expected
    # the list reloads after the save and still says so
    qtbot.waitUntil(lambda: not page.model.loading, timeout=3000)
    assert page.status_label.text() == expected
    page.search_box.setText("x")  # something else asked: the count again
    qtbot.waitUntil(lambda: "found" in page.status_label.text(), timeout=3000)


def test_two_officers_each_adding_a_phone_keep_both_numbers(qtbot, ctx, desk, other):
    """Two officers each added the number the caller gave them: the conflict offered one or
    the other. Keep both saves theirs, then the one this card added; notes line by line."""
    from consuldesk.ui.dialogs.edit_conflict import BOTH

    row = nationals.register_national(desk, person(notes="Hotel Azadi")).row
    card = open_card(qtbot, ctx, row)
    opened = nationals.fields_of_row(row)
    nationals.update_national(
        other,
        row.id,
        opened.replace(
            phones=("+77012345678", "+77770001122"),
            notes="Hotel Azadi\nSister: Dana",
            address="Tower 7",
        ),
    )
    retype(card.phones_edit, "+77012345678, +971501234567")
    card.notes_edit.setPlainText("Hotel Azadi\nDiabetic: insulin")
    retype(card.edits["address"], "Villa 3")

    dialog = conflict_dialog(qtbot, card)
    assert set(dialog.groups) == {"phones", "notes", "address"}
    assert ("address", BOTH) not in dialog.buttons  # an address is one or the other
    dialog.choose("phones", BOTH)
    dialog.choose("notes", BOTH)
    dialog.choose("address", MINE)
    with qtbot.waitSignal(card.saved, timeout=5000):
        dialog.save_button.click()
    now = nationals.get_national(desk, row.id)
    assert now.phones == ("+77012345678", "+77770001122", "+971501234567")
    assert now.notes == "Hotel Azadi\nSister: Dana\nDiabetic: insulin"
    assert now.address == "Villa 3"
