"""The person card: register a walk-in, fill from the MRZ, duplicates, merge, history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog

from consuldesk.domain.enums import Sex
from consuldesk.domain.mrz import make_td3
from consuldesk.messages import describe
from consuldesk.services import households, nationals
from consuldesk.store.errors import NotFound
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.merge import RIGHT, MergeDialog
from consuldesk.ui.dialogs.person_card import HistoryModel, PersonCard
from consuldesk.ui.pages.nationals import NationalsPage
from consuldesk.ui.tasks import TaskRunner
from tests.factories import person, valid_iin


def type_text(widget, text: str) -> None:
    """Type like a person (or a document reader): one key event per character.

    QTest's keyClicks aborts on Cyrillic; a newline is sent as the Return key.
    """
    for ch in text:
        key, ch_text = (Qt.Key.Key_Return, "\r") if ch == "\n" else (0, ch)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch_text)
            )

    QApplication.processEvents()


@pytest.fixture
def changes(ctx):
    seen = []
    ctx.events.changed.connect(seen.append)
    return seen


def open_card(qtbot, ctx, row=None) -> PersonCard:
    card = PersonCard(ctx, row)
    qtbot.addWidget(card)
    card.show()
    return card


def save(qtbot, card: PersonCard) -> None:
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    with qtbot.waitSignal(card.saved, timeout=5000):
        card.save_button.click()
    assert card.result() == QDialog.DialogCode.Accepted


def test_register_a_walk_in_typing_cyrillic(qtbot, ctx, desk, changes):
    card = open_card(qtbot, ctx)
    assert card.windowTitle() == "New person"
    assert not card.save_button.isEnabled()  # nothing typed yet
    assert card.status_label.text() == "A surname is required (Cyrillic or as in the passport)"
    # The host country defaults to the post's.
    qtbot.waitUntil(lambda: card.edits["host_country"].text() != "", timeout=3000)

    iin = valid_iin(date(1978, 11, 23), Sex.MALE)
    type_text(card.edits["surname_cyr"], "Жұмабаев")
    type_text(card.edits["given_names_cyr"], "Ерлан")
    type_text(card.edits["patronymic_cyr"], "Серікұлы")
    type_text(card.edits["iin"], iin)
    # The IIN, typed first, fills date of birth and sex.
    assert card.edits["birth_date"].text() == "23.11.1978"
    assert card.sex == Sex.MALE
    type_text(card.phones_edit, "8 701 234 56 78\n+971 50 123 4567")
    type_text(card.edits["city"], "Дубай")
    save(qtbot, card)

    rows = nationals.search(desk, iin).rows
    assert len(rows) == 1
    row = rows[0]
    assert (row.surname_cyr, row.given_names_cyr, row.patronymic_cyr) == (
        "Жұмабаев",
        "Ерлан",
        "Серікұлы",
    )
    assert row.birth_date == date(1978, 11, 23)
    assert row.sex == "M"
    assert row.phones == ("+77012345678", "+971501234567")
    assert row.host_country == "AE"
    assert changes and "national" in changes[-1].tables


def mrz_for(iin: str) -> tuple[str, str]:
    return make_td3(
        surname="ZHANABERGENOVA",
        given_names="AIGERIM ULZHAN",
        passport_no="N12345678",
        nationality="KAZ",
        birth_date=date(1992, 4, 15),
        sex=Sex.FEMALE,
        expiry_date=date(2031, 6, 30),
        personal_number=iin,
    )


def test_the_mrz_fills_the_card(qtbot, ctx, desk):
    iin = valid_iin(date(1992, 4, 15), Sex.FEMALE)
    line1, line2 = mrz_for(iin)
    card = open_card(qtbot, ctx)
    # A document reader acting as a keyboard: 44 characters, Enter, 44 characters, Enter.
    type_text(card.mrz_edit, f"{line1}\n{line2}\n")

    assert card.edits["surname_lat"].text() == "ZHANABERGENOVA"
    assert card.edits["given_names_lat"].text() == "AIGERIM ULZHAN"
    assert card.edits["passport_no"].text() == "N12345678"
    assert card.edits["birth_date"].text() == "15.04.1992"
    assert card.edits["passport_expiry"].text() == "30.06.2031"
    assert card.edits["iin"].text() == iin
    assert card.sex == Sex.FEMALE
    assert card.mrz_status.text().startswith("Read from the passport")
    # Both lines stay in view after the reader's last Enter: line one at the top, line two
    # below it, both inside the box.
    view = card.mrz_edit
    top, second = view.cursorForPosition(QPoint(4, 4)), view.firstVisibleBlock()
    assert top.blockNumber() == 0 and second.blockNumber() == 0
    line2_rect = view.blockBoundingGeometry(view.document().findBlockByNumber(1)).translated(
        view.contentOffset()
    )
    assert line2_rect.bottom() <= view.viewport().height()
    type_text(card.edits["surname_cyr"], "Жанабергенова")
    save(qtbot, card)

    row = nationals.search(desk, iin).rows[0]
    assert (row.surname_lat, row.given_names_lat) == ("ZHANABERGENOVA", "AIGERIM ULZHAN")
    assert row.surname_cyr == "Жанабергенова"
    assert row.passport_no == "N12345678"
    assert row.nationality == "KAZ"
    assert row.passport_expiry == date(2031, 6, 30)
    assert row.birth_date == date(1992, 4, 15)
    assert row.sex == "F"


def test_a_wrong_mrz_check_digit_fills_nothing(qtbot, ctx):
    line1, line2 = mrz_for(valid_iin(date(1992, 4, 15), Sex.FEMALE))
    wrong = str((int(line2[9]) + 1) % 10)
    line2 = line2[:9] + wrong + line2[10:]
    card = open_card(qtbot, ctx)
    type_text(card.mrz_edit, f"{line1}\n{line2}")

    assert card.mrz_status.text() == (
        "MRZ check digit of the passport number is wrong: "
        f"expected {(int(wrong) - 1) % 10}, got {wrong}"
    )
    for name in ("surname_lat", "given_names_lat", "passport_no", "iin", "birth_date"):
        assert card.edits[name].text() == ""


def test_an_invalid_iin_disables_save(qtbot, ctx):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE)
    bad = iin[:-1] + str((int(iin[-1]) + 1) % 10)
    card = open_card(qtbot, ctx)
    type_text(card.edits["surname_cyr"], "Қасымова")
    type_text(card.edits["iin"], bad)
    error = card.error_labels["iin"]
    qtbot.waitUntil(error.isVisible, timeout=3000)
    assert error.text().startswith("IIN fails its check digit")
    assert not card.save_button.isEnabled()
    assert card.edits["birth_date"].text() == ""  # a wrong IIN fills nothing

    card.edits["iin"].setText(iin)
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    assert not error.isVisible()


def test_an_exact_duplicate_is_announced_and_can_be_opened(qtbot, ctx, desk):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE)
    existing = nationals.register_national(desk, person(iin=iin)).row
    card = open_card(qtbot, ctx)
    type_text(card.edits["surname_cyr"], "Касымова")
    type_text(card.edits["iin"], iin)
    qtbot.waitUntil(lambda: card.duplicate_text != "", timeout=3000)
    assert card.duplicate_text == f"Already on file: Қасымова Әйгерім, born 04.03.1985, IIN {iin}"
    assert not card.dup_merge_button.isVisibleTo(card)  # nothing to merge a new card with

    # Saving anyway is refused by the service; the message shows at the IIN.
    card.save_button.click()
    error = card.error_labels["iin"]
    qtbot.waitUntil(error.isVisible, timeout=3000)
    assert error.text() == f"IIN {iin} is already on file: Қасымова Әйгерім"
    assert not card.save_button.isEnabled()

    card.dup_open_button.click()
    assert card.record_id == existing.id
    assert card.edits["surname_cyr"].text() == "Қасымова"
    assert not error.isVisible()


def test_merge_two_records_through_the_dialog(qtbot, ctx, desk, changes):
    a = nationals.register_national(desk, person(passport_no="N1111111", city="Dubai")).row
    b = nationals.register_national(
        desk,
        person(
            surname_cyr="Касымова",
            given_names_cyr="Айгерим",
            passport_no="N2222222",
            phones=("+971501234567",),
            email="aigerim@example.com",
            city="Abu Dhabi",
        ),
    ).row
    card = open_card(qtbot, ctx, a)
    qtbot.waitUntil(lambda: card.duplicate_text.startswith("Possibly the same"), timeout=3000)
    assert "Касымова Айгерим, born 04.03.1985" in card.duplicate_text
    assert card.dup_merge_button.isVisibleTo(card)
    card.dup_merge_button.click()
    dialog = card.merge_dialog
    assert isinstance(dialog, MergeDialog)
    qtbot.addWidget(dialog)

    # Defaults: the kept (left) record's values; its empty email cannot be chosen.
    assert dialog.take_from_drop() == ["email"]
    assert not dialog.field_groups["email"].button(0).isEnabled()
    dialog.choose("city", RIGHT)
    dialog.choose("surname_cyr", RIGHT)
    assert sorted(dialog.take_from_drop()) == ["city", "email", "surname_cyr"]
    with qtbot.waitSignal(dialog.merged, timeout=5000):
        dialog.merge_button.click()

    kept = nationals.get_national(desk, a.id)
    assert kept.surname_cyr == "Касымова"
    assert kept.given_names_cyr == "Әйгерім"
    assert kept.city == b.city
    assert kept.email == "aigerim@example.com"
    assert kept.passport_no == "N1111111"
    assert set(kept.phones) == {"+77012345678", "+971501234567"}
    with pytest.raises(NotFound):
        nationals.get_national(desk, b.id)
    assert any(b.id in c.deleted.get("national", set()) for c in changes)
    # The card now shows the merged record.
    assert card.edits["surname_cyr"].text() == "Касымова"


def test_keeping_the_other_record_closes_the_card(qtbot, ctx, desk):
    a = nationals.register_national(desk, person(passport_no="N1111111")).row
    b = nationals.register_national(
        desk, person(surname_cyr="Касымова", given_names_cyr="Айгерим", passport_no="N2222222")
    ).row
    card = open_card(qtbot, ctx, a)
    dialog = card.open_merge_dialog(a, b)
    qtbot.addWidget(dialog)
    dialog.keep_right.setChecked(True)
    assert dialog.take_from_drop() == []
    with qtbot.waitSignal(dialog.merged, timeout=5000):
        dialog.merge_button.click()
    assert nationals.get_national(desk, b.id).passport_no == "N2222222"
    assert card.result() == QDialog.DialogCode.Rejected and not card.isVisible()


def test_history_shows_an_update(qtbot, ctx, desk):
    row = nationals.register_national(desk, person()).row
    card = open_card(qtbot, ctx, row)
    assert card.windowTitle() == "Қасымова Әйгерім"
    card.edits["city"].setText("Abu Dhabi")
    type_text(card.edits["messenger"], "@aigerim")
    save(qtbot, card)

    edited = nationals.get_national(desk, row.id)
    assert edited.messenger == "@aigerim"
    card = open_card(qtbot, ctx, edited)
    qtbot.waitUntil(lambda: card.history_model.rowCount() > 0, timeout=3000)
    m = card.history_model
    rows = [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
    city = next(r for r in rows if r[2] == "Edited" and r[3] == "City")
    assert city[1] == "Officer Test"
    assert city[4] == f"Dubai → {edited.city}"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", city[0])
    assert any(r[2] == "Registered" and r[3] == "Surname (Cyrillic)" for r in rows)
    assert card.history_status.text() == "Every change to this record, the latest first."
    # the latest first: the edit above the registration
    assert rows.index(city) < next(i for i, r in enumerate(rows) if r[2] == "Registered")


def test_history_model_passes_the_model_tester(qtmodeltester, desk):
    row = nationals.register_national(desk, person()).row
    nationals.update_national(desk, row.id, person(city="Abu Dhabi", birth_date=date(1985, 3, 5)))
    model = HistoryModel()
    model.set_events(nationals.history(desk, row.id))
    assert model.rowCount() > 3
    qtmodeltester.check(model)


def test_the_nationals_page_opens_the_card(qtbot, ctx, desk):
    nationals.register_national(desk, person())
    page = NationalsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)

    page.new_button.click()
    assert page.card is not None and page.card.record_id is None
    page.card.reject()

    page.table.activated.emit(page.model.index(0, 0))
    assert page.card.record_id == page.model.row_at(0).id
    page.card.reject()


def test_card_shows_the_households_with_their_members(qtbot, desk):
    from datetime import date

    from consuldesk.domain.enums import HouseholdKind
    from consuldesk.services import nationals
    from consuldesk.services.households import create_household
    from consuldesk.ui.dialogs.person_card import PersonCard
    from tests.factories import person

    mother = nationals.register_national(desk, person()).row
    son = nationals.register_national(
        desk,
        person(given_names_cyr="Әлихан", given_names_lat="ALIKHAN", birth_date=date(2016, 2, 1)),
    ).row
    create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[mother.id, son.id]
    )
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents())
    card = PersonCard(ctx, nationals.get_national(desk, son.id))
    qtbot.addWidget(card)
    qtbot.waitUntil(lambda: card.households_view.topLevelItemCount() == 1, timeout=3000)
    family = card.households_view.topLevelItem(0)
    assert family.text(0).startswith("Қасымовтар")
    members = {family.child(i).text(0): family.child(i).text(1) for i in range(family.childCount())}
    assert members == {"Қасымова Әйгерім": "Head", "Қасымова Әлихан": "—"}
    card.close()
    ctx.tasks.wait()
    # in Kazakh, the relations and the kind are Kazakh too
    from consuldesk import i18n

    households.set_relation(desk, family_id(desk, son.id), son.id, "child")
    i18n.install("kk")
    try:
        card = PersonCard(ctx, nationals.get_national(desk, son.id))
        qtbot.addWidget(card)
        qtbot.waitUntil(lambda: card.households_view.topLevelItemCount() == 1, timeout=3000)
        family = card.households_view.topLevelItem(0)
        relations = {family.child(i).text(1) for i in range(family.childCount())}
        assert "child" not in relations and "Head" not in relations and "—" not in relations
        assert "Family" not in family.text(0)
        card.close()
        ctx.tasks.wait()
    finally:
        i18n.install("en")


def family_id(desk, national_id: str) -> str:
    return nationals.get_national(desk, national_id).household_ids[0]


def test_cancel_asks_before_discarding_what_was_typed(qtbot, desk):
    from PySide6.QtWidgets import QMessageBox

    from consuldesk.ui.dialogs.person_card import PersonCard

    ctx = AppContext(desk, TaskRunner(), CaseFileEvents())
    card = PersonCard(ctx)
    qtbot.addWidget(card)
    card.show()
    card.notes_edit.setPlainText("Инсулин керек")
    card.cancel_button.click()
    assert card.isVisible() and card.discard_box is not None  # asked, not closed
    card.discard_box.button(QMessageBox.StandardButton.Cancel).click()
    assert card.isVisible()
    card.cancel_button.click()
    card.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not card.isVisible()
    ctx.tasks.wait()


def test_the_wheel_does_not_change_an_unfocused_drop_down(qtbot, desk):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from consuldesk.ui.dialogs.person_card import PersonCard

    ctx = AppContext(desk, TaskRunner(), CaseFileEvents())
    card = PersonCard(ctx)
    qtbot.addWidget(card)
    card.show()
    before = card.source_combo.currentIndex()
    wheel = QWheelEvent(
        QPointF(5, 5),
        QPointF(5, 5),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(card.source_combo, wheel)
    assert card.source_combo.currentIndex() == before
    ctx.tasks.wait()


def test_a_call_started_from_a_persons_card_links_them(qtbot, ctx, desk, monkeypatch):
    import consuldesk.ui.dialogs.person_card as card_module

    row = nationals.register_national(desk, person()).row
    assert not open_card(qtbot, ctx).call_button.isEnabled()  # nobody on file yet
    opened = []
    monkeypatch.setattr(
        card_module, "open_hotline_call", lambda ctx, parent, person: opened.append(person.id)
    )
    card = open_card(qtbot, ctx, nationals.get_national(desk, row.id))
    card.call_button.click()
    assert opened == [row.id]


def test_a_two_digit_year_is_this_century_for_an_expiry_but_not_for_a_birth(qtbot, ctx, desk):
    """As in the hotel dates: "1.1.30" is 2030 for a passport's expiry. A birth date keeps
    asking for four digits: "1.1.30" may be 1930."""
    card = open_card(qtbot, ctx)
    card.edits["surname_cyr"].setText("Жанабергенова")
    card.edits["passport_expiry"].setText("1.1.30")
    card.edits["birth_date"].setText("1.1.30")
    fields, errors = card.form_fields()
    assert fields.passport_expiry == date(2030, 1, 1)
    assert [(e.field, e.code) for e in errors] == [("birth_date", "date.short_year")]
    # Said as what to do, not as "not a date".
    assert describe(errors[0]) == "“1.1.30”: write the year with four digits (31.12.1990)"


def test_a_personal_number_that_is_no_iin_is_said_not_left_out(qtbot, ctx):
    """Its own MRZ check digit right, the IIN's wrong: the IIN was left out without a word."""
    iin = valid_iin(date(1992, 4, 15), Sex.FEMALE)
    wrong = iin[:-1] + str((int(iin[-1]) + 1) % 10)
    line1, line2 = mrz_for(wrong)
    card = open_card(qtbot, ctx)
    type_text(card.mrz_edit, f"{line1}\n{line2}\n")
    assert card.edits["passport_no"].text() == "N12345678"
    assert card.edits["iin"].text() == ""
    status = card.mrz_status.text()
    assert status.startswith("Read from the passport: passport name, passport number,")
    assert f"Not read: its personal number {wrong} is no IIN (" in status
    assert status.endswith("); type the IIN from the page.")
