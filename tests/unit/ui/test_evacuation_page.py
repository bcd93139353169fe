"""The evacuation page: allocate, move a family, board by scanning and by keys, print."""

from __future__ import annotations

import sys
import types
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import text

from consuldesk.domain.enums import ManifestStatus, TripStatus
from consuldesk.domain.scan import slip_payload
from consuldesk.services import evacuation as ev
from consuldesk.services import nationals
from consuldesk.ui.models.passengers import (
    COL_AGE,
    COL_NAME,
    COL_PROBLEMS,
    COL_SEAT,
    COL_STATUS,
    PassengersModel,
)
from consuldesk.ui.pages.evacuation import EvacuationPage, manifest_file_name
from consuldesk.ui.pages.evacuation import scan as scan_part
from tests.factories import evacuees, person
from tests.unit.ui.conftest import type_text

DEPART = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)


def register(desk, **overrides):
    return nationals.register_national(desk, person(**overrides)).row


@pytest.fixture
def people(desk):
    return evacuees(desk)


def bus(desk, op_id, capacity, vehicle, hours=0):
    fields = ev.TripFields(
        leg_no=1,
        origin="Dubai",
        destination="Muscat",
        capacity=capacity,
        departure_at=DEPART.replace(hour=6 + hours),
        vehicle=vehicle,
    )
    return ev.add_trip(desk, op_id, fields).row


@pytest.fixture
def plan(desk, people):
    """An operation with two buses on leg 1 and everyone in the leg's waiting list."""
    op = ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row
    a = bus(desk, op.id, 4, "Dubai P 1")
    b = bus(desk, op.id, 5, "Dubai P 2", hours=2)
    ev.add_to_pool(desk, op.id, 1, ev.CandidateCriteria(host_country="AE"))
    return op, a, b


def make_page(qtbot, ctx):
    page = EvacuationPage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def wait_rows(qtbot, page, n):
    qtbot.waitUntil(lambda: page.model.rowCount() == n, timeout=3000)


def names(page):
    return [page.model.row_at(i).person.given_names_lat for i in range(page.model.rowCount())]


def select_person(page, national_id):
    row = next(
        i for i in range(page.model.rowCount()) if page.model.row_at(i).person.id == national_id
    )
    page.table.selectRow(row)
    return page.model.row_at(row)


@pytest.fixture
def seated(qtbot, ctx, desk, plan):
    """Everyone allocated (family of three and the elder on bus 1, the young man on bus 2)."""
    op, a, b = plan
    ev.allocate_leg(desk, op.id, 1)
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.selected_trip() is not None, timeout=3000)
    assert page.selected_trip().id == a.id
    wait_rows(qtbot, page, 4)
    return page, op, a, b


def drawn_text(tree, item):
    """The text the tree's delegate draws for a trip's first column, at its width now."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    index = tree.indexFromItem(item, 0)
    option = QStyleOptionViewItem()
    option.rect = tree.visualRect(index)
    option.widget = tree
    option.font = tree.font()
    tree.itemDelegateForColumn(0).initStyleOption(option, index)
    return option.text, option.fontMetrics.horizontalAdvance(option.text), option.rect.width()


def test_two_buses_of_the_same_hour_keep_their_plates_apart_on_a_narrow_panel(qtbot, ctx, desk):
    """Cut at its end, each line read "06:00 12.03 · Dubai P 4…" on a small laptop."""
    op = ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row
    bus(desk, op.id, 49, "Dubai P 48213")
    bus(desk, op.id, 49, "Dubai P 48377")
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=3000)
    leg = page.tree.topLevelItem(0)
    first, second = leg.child(0), leg.child(1)
    assert first.text(0) == "06:00 12.03 · Dubai P 48213 · planned"  # whole, for the tooltip
    page.tree.setFixedWidth(290)
    qtbot.waitUntil(lambda: page.tree.viewport().width() < 290, timeout=3000)
    seen = [drawn_text(page.tree, item) for item in (first, second)]
    assert all(width <= room for _text, width, room in seen), seen
    (one, _, _), (two, _, _) = seen
    assert one.startswith("06:00 12.03 · ") and two.startswith("06:00 12.03 · ")
    assert "48213" in one and "48377" in two and one != first.text(0), seen
    page.tree.setFixedWidth(600)
    qtbot.waitUntil(lambda: page.tree.viewport().width() > 500, timeout=3000)
    assert drawn_text(page.tree, first)[0] == first.text(0)  # room enough: the whole line


def test_fit_parts_gives_the_middle_up_first_then_the_tail(qapp):
    from PySide6.QtGui import QFontMetrics

    from consuldesk.ui.widgets.parts_delegate import fit_parts

    metrics = QFontMetrics(qapp.font())
    parts = ("17:00 09.12", "Dubai P 48213", "boarding")
    whole = " · ".join(parts)
    assert fit_parts(metrics, metrics.horizontalAdvance(whole), *parts) == whole
    short = fit_parts(metrics, metrics.horizontalAdvance(whole) - 10, *parts)
    assert short.startswith("17:00 09.12 · …") and short.endswith("48213 · boarding")
    narrow = fit_parts(metrics, metrics.horizontalAdvance("17:00 09.12 · …48213 · b"), *parts)
    assert narrow.startswith("17:00 09.12 · …") and "boarding" not in narrow
    assert "8213" in narrow
    tiny = fit_parts(metrics, metrics.horizontalAdvance("17:00"), *parts)
    assert tiny.startswith("17:") and metrics.horizontalAdvance(tiny) <= metrics.horizontalAdvance(
        "17:00"
    )


def test_without_operations_the_page_says_what_to_do(qtbot, ctx):
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.hint_label.text() != "", timeout=3000)
    assert page.hint_label.text() == "No evacuation operations yet. Create one with New operation…"
    assert page.table_stack.currentWidget() is page.hint_label
    assert not page.edit_operation_button.isEnabled()


def test_allocating_from_the_page_seats_the_waiting_list(qtbot, ctx, desk, plan):
    _op, a, _b = plan
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=3000)
    leg, trip = page.tree.topLevelItem(0), page.tree.topLevelItem(0).child(0)
    assert (leg.text(0), leg.text(1)) == ("Leg 1 · Dubai → Muscat", "waiting 5")
    assert trip.text(0).endswith(" · Dubai P 1 · planned")  # the departure first
    assert trip.text(0).startswith(f"{DEPART.astimezone():%H:%M %d.%m} · ")
    assert trip.text(1) == "0/4"
    assert trip.toolTip(1).startswith("Dubai P 1 · ") and "0/4 · planned" in trip.toolTip(1)
    # the seats and status stay whole on a narrow panel: only the vehicle's column gives way
    page.tree.resize(180, page.tree.height())
    QApplication.processEvents()
    wanted = page.tree.fontMetrics().horizontalAdvance(trip.text(1))
    assert page.tree.columnWidth(1) >= wanted
    page.select_leg(1)
    wait_rows(qtbot, page, 5)
    assert page.model.headerData(COL_SEAT, Qt.Orientation.Horizontal) == "No."
    hover = Qt.ItemDataRole.ToolTipRole
    assert page.model.headerData(COL_AGE, Qt.Orientation.Horizontal) == "Age"
    assert page.model.headerData(COL_AGE, Qt.Orientation.Horizontal, hover) is None  # today
    asked = []
    page.ask_allocation_mode = lambda impact, proceed: asked.append(impact)
    qtbot.mouseClick(page.allocate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "seated" in page.status_label.text(), timeout=3000)
    assert page.status_label.text() == "5 seated, 0 waiting, 1 flagged"
    assert not asked  # nobody had a seat: nothing to ask
    wait_rows(qtbot, page, 0)
    assert page.hint_label.text() == "Nobody is waiting. Add candidates…"
    assert page.select_trip(a.id)
    wait_rows(qtbot, page, 4)
    rows = [page.model.row_at(i) for i in range(4)]
    assert [r.seat for r in rows] == ["1", "2", "3", "4"]
    assert names(page)[0] == "KAIRAT"
    # A bus's passengers: ages on its day, as its problems are judged (leaves tomorrow).
    day = f"{DEPART.astimezone():%d.%m}"
    tip = page.model.headerData(COL_AGE, Qt.Orientation.Horizontal, hover)
    assert tip == f"Age on {day}, the day of departure"
    problems = page.model.index(0, COL_PROBLEMS)
    assert problems.data() == "⚠ expired, no consent"  # short in its narrow column
    tip = problems.data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "⚠ passport not valid on the day of departure, no consent date on file"
    assert page.model.index(0, COL_STATUS).data() == "Seated"
    page.table.selectRow(0)
    assert "over 60" in page.why_label.text() and "passport not valid" in page.why_label.text()
    # A second run asks whether to keep the seats; starting fresh gives the same seats.
    page.ask_allocation_mode = lambda impact, proceed: (asked.append(impact), proceed(True))
    page.status_label.clear()
    qtbot.mouseClick(page.allocate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "seated" in page.status_label.text(), timeout=3000)
    assert asked == [ev.ReallocationImpact(seated=5, slips=0, manifests=0, manifests_if_kept=0)]
    assert "Print again" not in page.status_label.text()  # nothing was printed
    assert [r.seat for r in ev.passengers(desk, a.id)] == ["1", "2", "3", "4"]


def test_moving_a_family_member_moves_the_whole_family(qtbot, seated, desk, people):
    page, _op, _a, b = seated
    select_person(page, people["son"].id)
    page._on_move_menu_about_to_show()
    shown = [act for act in page.move_menu.actions() if not act.isSeparator()]
    assert shown[0].text() == "Moves 3 people together (family or group)"
    assert not shown[0].isEnabled()
    actions = {act.data(): act for act in shown[1:]}
    assert set(actions) == {b.id, "", "__remove__"}  # the other bus, waiting list, off the leg
    actions[b.id].trigger()
    qtbot.waitUntil(lambda: "moved" in page.status_label.text(), timeout=3000)
    assert page.status_label.text() == "3 people moved to Dubai P 2."
    wait_rows(qtbot, page, 1)
    assert names(page) == ["KAIRAT"]
    moved = {r.person.given_names_lat for r in ev.passengers(desk, b.id)}
    assert moved == {"GULNUR", "NURLAN", "INKAR", "ULAN"}


def test_taking_a_person_off_the_leg_asks_first(qtbot, seated, desk, people):
    page, op, a, _b = seated
    asked = []
    page.confirm = lambda text, proceed, yes="": asked.append((text, proceed))
    select_person(page, people["elder"].id)
    page._on_move_menu_about_to_show()
    remove = next(act for act in page.move_menu.actions() if act.data() == "__remove__")
    remove.trigger()
    assert len(asked) == 1 and "Өтегенов Қайрат" in asked[0][0]
    assert people["elder"].id in {r.person.id for r in ev.passengers(desk, a.id)}  # not yet
    asked[0][1]()
    qtbot.waitUntil(lambda: "taken off leg 1" in page.status_label.text(), timeout=3000)
    assert people["elder"].id not in {r.person.id for r in ev.passengers(desk, a.id)}
    assert people["elder"].id not in {r.person.id for r in ev.pool(desk, op.id, 1)}


def test_a_move_into_a_full_bus_says_why(qtbot, seated, desk, people):
    page, _op, _a, b = seated
    ev.update_trip(desk, b.id, ev.TripFields(leg_no=1, origin="Dubai", destination="Muscat",
                                             capacity=2, vehicle="Dubai P 2"))  # fmt: skip
    page.refresh()
    qtbot.waitUntil(lambda: page.selected_leg().trips[1].capacity == 2, timeout=3000)
    select_person(page, people["mother"].id)
    page._on_move_menu_about_to_show()  # the bus is offered greyed, with why
    greyed = [a.text() for a in page.move_menu.actions() if not a.isEnabled()]
    assert any(t.startswith("Dubai P 2 · 1 free: 3 seats needed") for t in greyed), greyed
    page.move_selected(b.id)
    qtbot.waitUntil(lambda: "Dubai P 2" in page.status_label.text(), timeout=3000)
    assert "3" in page.status_label.text() and "moved" not in page.status_label.text()


def test_scanning_a_slip_boards_and_keeps_the_cursor_in_the_field(qtbot, seated, desk, people):
    page, _op, a, _b = seated
    page.activateWindow()
    page.focus_scan()
    qtbot.waitUntil(page.scan_field.hasFocus, timeout=3000)
    mother = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["mother"].id)
    qtbot.keyClicks(page.scan_field, slip_payload(mother.entry_id))
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
    assert page.scan_field.text() == ""  # ready for the next scan at once
    qtbot.waitUntil(lambda: "Boarded" in page.scan_result.text(), timeout=3000)
    assert page.scan_result.text() == f"✓ Boarded: Әбілова Гүлнұр, seat {mother.seat}"
    qtbot.waitUntil(lambda: page.counts_label.text().startswith("Boarded 1 of 4"), timeout=3000)
    assert ev.get_trip(desk, a.id).boarded == 1
    row = page.model.row_of(mother.entry_id)
    qtbot.waitUntil(
        lambda: (
            page.model.index(page.model.row_of(mother.entry_id), COL_STATUS).data() == "✓ Boarded"
        ),
        timeout=3000,
    )
    assert row >= 0 and page.scan_field.hasFocus()
    # The same slip again changes nothing; a Russian-layout scan of another slip boards.
    qtbot.keyClicks(page.scan_field, slip_payload(mother.entry_id))
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Already boarded" in page.scan_result.text(), timeout=3000)
    son = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["son"].id)
    us = "qwertyuiop[]asdfghjkl;'zxcvbnm,." + 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
    ru = "йцукенгшщзхъфывапролджэячсмитьбю" + "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
    type_text(page.scan_field, slip_payload(son.entry_id).translate(str.maketrans(us, ru)))
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.scan_result.text().startswith("✓ Boarded: Әбілов Нұрлан"),
                    timeout=3000)  # fmt: skip
    qtbot.waitUntil(lambda: page.counts_label.text().startswith("Boarded 2 of 4"), timeout=3000)
    assert page.scan_field.hasFocus()


def test_a_scan_of_someone_on_another_bus_offers_to_open_it(
    qtbot, seated, desk, people, monkeypatch
):
    page, _op, _a, b = seated
    young = ev.passengers(desk, b.id)[0]
    beeps = []
    monkeypatch.setattr(scan_part.QApplication, "beep", lambda: beeps.append(1))
    page.scan_field.setText(slip_payload(young.entry_id))
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "Other vehicle" in page.scan_result.text(), timeout=3000)
    assert "Dubai P 2" in page.scan_result.text() and page.open_scanned_button.isVisible()
    assert beeps
    # Two lines hold it whole; after a few seconds it is still there, no longer red.
    lines = page.scan_result.fontMetrics().boundingRect(
        0, 0, page.scan_result.width(), 10_000, int(Qt.TextFlag.TextWordWrap),
        page.scan_result.text(),
    ).height() // page.scan_result.fontMetrics().lineSpacing()  # fmt: skip
    assert lines <= 2
    assert "#b00020" in page.scan_result.styleSheet()
    page._scan_fade.timeout.emit()
    assert "#b00020" not in page.scan_result.styleSheet()
    assert "Other vehicle" in page.scan_result.text()
    page.scan_field.setText("hello world!")
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "Unknown code" in page.scan_result.text(), timeout=3000)
    page.scan_field.setText("55")  # a seat typed that nobody has
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "Nobody has seat 55" in page.scan_result.text(), timeout=3000)
    page.scan_field.setText(f"CONSULDESK:MANIFEST:{b.id}:1")
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: page.selected_trip().id == b.id, timeout=3000)
    wait_rows(qtbot, page, 1)


def test_keys_b_and_n_mark_the_selected_passenger(qtbot, seated, desk, people):
    page, op, a, _b = seated
    elder = select_person(page, people["elder"].id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_B)
    qtbot.waitUntil(lambda: ev.get_trip(desk, a.id).boarded == 1, timeout=3000)
    qtbot.waitUntil(lambda: page.counts_label.text().startswith("Boarded 1 of 4"), timeout=3000)
    qtbot.waitUntil(lambda: page.selected_passenger().status == "boarded", timeout=3000)
    assert page.selected_passenger().entry_id == elder.entry_id  # the selection stays
    select_person(page, people["mother"].id)
    qtbot.keyClick(page.table, Qt.Key.Key_N)
    qtbot.waitUntil(lambda: len(ev.pool(desk, op.id, 1)) == 1, timeout=3000)
    qtbot.waitUntil(lambda: "no-show" in page.counts_label.text(), timeout=3000)
    qtbot.waitUntil(lambda: page.selected_passenger().status == "no_show", timeout=3000)
    # Her family stays on the bus: said, not split without a word.
    said = page.status_label.text()
    assert "No-show." in said and "2 of their family stay on this trip: " in said, said
    qtbot.keyClick(page.table, Qt.Key.Key_U)  # undo: seated again, off the waiting list
    qtbot.waitUntil(lambda: ev.pool(desk, op.id, 1) == [], timeout=3000)


def test_a_typed_seat_finds_the_passenger_and_only_enter_again_boards_them(
    qtbot, seated, desk, people
):
    page, _op, a, _b = seated
    mother = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["mother"].id)
    page.scan_field.setText(f"0{mother.seat}")  # typed to find her, not to board her
    page.scan_field.returnPressed.emit()
    assert page.selected_passenger().entry_id == mother.entry_id
    assert "Enter again to board" in page.scan_result.text()
    assert page.scan_field.text() == f"0{mother.seat}" and page.scan_field.selectedText()
    ctx_wait(page)
    assert ev.get_trip(desk, a.id).boarded == 0  # nothing boarded, nothing in the trail
    page.set_boarding(ManifestStatus.NO_SHOW)  # N: she did not come
    qtbot.waitUntil(lambda: page.selected_passenger().status == "no_show", timeout=3000)
    assert page.scan_result.text() == ""  # no stale answer left above her row

    elder = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["elder"].id)
    for _ in range(2):  # found, then boarded
        page.scan_field.setText(people["elder"].passport_no)
        page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "Boarded" in page.scan_result.text(), timeout=3000)
    assert ev.get_trip(desk, a.id).boarded == 1
    assert next(r for r in ev.passengers(desk, a.id) if r.entry_id == elder.entry_id).status == (
        "boarded"
    )


def ctx_wait(page):
    page.ctx.tasks.wait()


def test_departure_asks_when_people_have_not_boarded(qtbot, seated, desk, people):
    page, op, a, _b = seated
    elder = select_person(page, people["elder"].id)
    ev.set_boarding(desk, elder.entry_id, "boarded")
    page.refresh()
    qtbot.waitUntil(lambda: page.selected_trip().boarded == 1, timeout=3000)
    asked = []
    page.confirm = lambda text, proceed, yes="": asked.append((text, proceed))
    page.status_actions[TripStatus.DEPARTED].trigger()
    assert asked[0][0].startswith("3 passengers have not boarded and will be marked no-shows.")
    assert ev.get_trip(desk, a.id).status == "boarding"  # nothing until confirmed
    asked[0][1]()
    qtbot.waitUntil(lambda: ev.get_trip(desk, a.id).status == "departed", timeout=3000)
    qtbot.waitUntil(lambda: page.selected_trip().status == "departed", timeout=3000)
    assert len(ev.pool(desk, op.id, 1)) == 3
    assert page.tree.topLevelItem(0).text(1) == "waiting 3"
    # Gone with the bus, its empty seats are not "free": nobody can be given one any more.
    gone = page.selected_trip()
    empty = gone.capacity - 1
    qtbot.waitUntil(lambda: "3 no-shows" in page.counts_label.text(), timeout=3000)
    assert "free" not in page.counts_label.text()
    assert f"left with {empty} seats empty" in page.counts_label.text()
    tip = page.tree.currentItem().toolTip(0)
    assert f"1 boarded of {gone.capacity}, 3 did not turn up" in tip and "free" not in tip


def test_print_manifest_writes_a_pdf_where_asked(qtbot, seated, tmp_path):
    page, _op, a, _b = seated
    asked = []

    def choose(title, name, file_filter):
        asked.append(name)
        return tmp_path / name

    page.choose_save_path = choose
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    name = manifest_file_name(a, "pdf")
    assert asked == [name] and name.startswith("manifest-Dubai-P-1-2026-03-12")
    qtbot.waitUntil(lambda: "Written to" in page.status_label.text(), timeout=5000)
    assert (tmp_path / name).read_bytes().startswith(b"%PDF")
    assert str(tmp_path / name) in page.status_label.text()
    assert page.second_language() == "ru"


def test_the_operation_form_opens_without_blocking_and_its_save_reloads(
    qtbot, ctx, desk, plan, monkeypatch
):
    opened = []

    class FakeOperationDialog(QDialog):
        saved = Signal(str)

        def __init__(self, ctx, operation, parent):
            super().__init__(parent)
            opened.append(operation)

    fake = types.ModuleType("consuldesk.ui.dialogs.operation")
    fake.OperationDialog = FakeOperationDialog
    monkeypatch.setitem(sys.modules, "consuldesk.ui.dialogs.operation", fake)
    page = make_page(qtbot, ctx)
    page.launch = lambda dialog: None
    qtbot.waitUntil(lambda: page.operation() is not None, timeout=3000)
    dialog = page.open_operation_dialog(None)
    assert opened == [None]
    other = ev.add_operation(desk, ev.OperationFields(name="Доха — Эр-Рияд")).row
    dialog.saved.emit(other.id)
    qtbot.waitUntil(lambda: page.operation_box.count() == 2, timeout=3000)
    assert page.operation().id == other.id
    qtbot.waitUntil(lambda: "no legs yet" in page.hint_label.text(), timeout=3000)


def test_the_passengers_model_passes_the_model_tester(qtmodeltester, desk, plan):
    op, _a, _b = plan
    model = PassengersModel(date(2026, 3, 10))
    model.set_passengers(ev.pool(desk, op.id, 1), waiting_list=True)
    qtmodeltester.check(model)
    model.set_filter("әбіл")
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_the_page_opens_the_real_forms_when_they_exist(qtbot, seated):
    for module in ("operation", "trip", "candidates"):
        pytest.importorskip(f"consuldesk.ui.dialogs.{module}")
    page, _op, _a, _b = seated
    launched = []
    page.launch = lambda dialog: launched.append(type(dialog).__name__)
    page.open_operation_dialog(page.operation())
    page._on_edit_trip_button_clicked()
    page._on_new_leg_button_clicked()
    page._on_candidates_button_clicked()
    assert launched == ["OperationDialog", "TripDialog", "TripDialog", "CandidatesDialog"]


def test_names_and_problems_that_a_narrow_table_elides_are_whole_in_their_tooltip(desk, plan):
    op, _a, _b = plan
    model = PassengersModel(date(2026, 3, 10))
    model.set_passengers(ev.pool(desk, op.id, 1), waiting_list=True)
    rows = [model.row_at(i) for i in range(model.rowCount())]
    flagged = next(i for i, r in enumerate(rows) if r.problems)
    tip = model.index(flagged, COL_PROBLEMS).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("⚠ passport not valid")
    assert model.index(flagged, COL_PROBLEMS).data() != tip
    name = model.index(flagged, COL_NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert name.splitlines() == [
        model.index(flagged, COL_NAME).data(),
        f"Passport {rows[flagged].person.passport_no}",
    ]
    clean = next(i for i, r in enumerate(rows) if not r.problems)
    assert model.index(clean, COL_PROBLEMS).data(Qt.ItemDataRole.ToolTipRole) is None


def test_starting_fresh_says_how_many_printed_slips_and_manifests_it_makes_wrong(
    qtbot, ctx, desk, people, tmp_path
):
    op = ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row
    a = bus(desk, op.id, 10, "Dubai P 1")
    ev.add_people(desk, op.id, 1, [people["young"].id])
    ev.allocate_leg(desk, op.id, 1)
    ev.print_boarding_slips(desk, a.id, tmp_path / "slips.pdf")
    ev.print_manifest(desk, a.id, tmp_path / "manifest.pdf")
    ev.add_to_pool(desk, op.id, 1, ev.CandidateCriteria(host_country="AE"))
    young_name = people["young"].name
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.selected_trip() is not None, timeout=3000)
    qtbot.mouseClick(page.allocate_button, Qt.MouseButton.LeftButton)
    box = None

    def asked():
        nonlocal box
        box = next((b for b in page.findChildren(QMessageBox) if b.isVisible()), None)
        return box is not None

    qtbot.waitUntil(asked, timeout=3000)
    assert box.text().startswith("1 person already has a seat on this leg.")
    assert box.informativeText().splitlines() == [
        "Starting fresh makes printed papers wrong:",
        f"• 1 boarding slip: {young_name}",
        "• 1 manifest: Dubai P 1",
        "Print them again and take the old ones back.",
        "",
        "Keeping the seats adds passengers missing from:",
        "• 1 manifest: Dubai P 1",
    ]
    assert ev.get_trip(desk, a.id).seated == 1  # nothing until chosen
    fresh = next(b for b in box.buttons() if b.text() == "Start fresh")
    fresh.click()
    qtbot.waitUntil(lambda: "Print again" in page.status_label.text(), timeout=3000)
    assert page.status_label.text().endswith(
        f"Print again: 1 boarding slip: {young_name}, 1 manifest: Dubai P 1."
    )
    assert "(started fresh: 1 person's seat was chosen again)" in page.status_label.text()
    assert ev.get_trip(desk, a.id).seated == 5


def test_a_scan_of_a_replaced_slip_says_so_and_names_the_new_seat(
    qtbot, ctx, desk, people, tmp_path, monkeypatch
):
    monkeypatch.setattr(scan_part.QApplication, "beep", lambda: None)
    op = ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row
    a = bus(desk, op.id, 10, "Dubai P 1")
    b = bus(desk, op.id, 10, "Dubai P 2", hours=2)
    ev.add_people(desk, op.id, 1, [people["young"].id])
    ev.allocate_leg(desk, op.id, 1)
    young = ev.passengers(desk, a.id)[0]
    old_slip = slip_payload(young.entry_id, a.id, young.seat)
    ev.add_to_pool(desk, op.id, 1, ev.CandidateCriteria(host_country="AE"))
    ev.allocate_leg(desk, op.id, 1, fresh=True)
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.selected_trip() is not None, timeout=3000)
    assert page.selected_trip().id == a.id
    page.scan_field.setText(old_slip)
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "replaced" in page.scan_result.text(), timeout=3000)
    assert page.scan_result.text() == "✓ Boarded: Һашимов Ұлан, new seat 5 (slip replaced)"
    assert "#8a5a00" in page.scan_result.styleSheet()  # boarded, but tell them the new seat
    # Moved by hand to the other bus since: the old slip names the bus and seat.
    ev.set_boarding(desk, young.entry_id, "allocated")
    ev.move_passenger(desk, young.entry_id, b.id)
    page.scan_field.setText(old_slip)
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "now on" in page.scan_result.text(), timeout=3000)
    assert page.scan_result.text() == "✗ Slip replaced: Һашимов Ұлан is now on Dubai P 2, seat 1"
    assert page.open_scanned_button.isVisible()
    # whole in its two lines beside the button, at the width the label has now
    qtbot.waitUntil(lambda: page.scan_result.geometry().right() < page.open_scanned_button.x())
    lines = page.scan_result.fontMetrics().boundingRect(
        0, 0, page.scan_result.width(), 10_000, int(Qt.TextFlag.TextWordWrap),
        page.scan_result.text(),
    ).height() // page.scan_result.fontMetrics().lineSpacing()  # fmt: skip
    assert lines <= 2


def test_a_scan_boards_a_passenger_the_border_will_stop_and_says_why(qtbot, seated, desk, people):
    page, _op, a, _b = seated
    mother = next(r for r in ev.passengers(desk, a.id) if r.person.id == people["mother"].id)
    with desk.casefile.write("test") as tx:  # expired before the departure day
        tx.session.execute(
            text("UPDATE national SET passport_expiry = '2020-01-01' WHERE id = :i"),
            {"i": people["mother"].id},
        )
    page.scan_field.setText(slip_payload(mother.entry_id))
    page.scan_field.returnPressed.emit()
    qtbot.waitUntil(lambda: "Boarded" in page.scan_result.text(), timeout=3000)
    assert page.scan_result.text().startswith(f"✓ Boarded: Әбілова Гүлнұр, seat {mother.seat} ⚠")
    assert "passport not valid" in page.scan_result.text()
    assert "#8a5a00" in page.scan_result.styleSheet()  # amber, not green


def test_a_walk_in_is_found_with_the_arrow_keys_and_added_with_their_family(
    qtbot, ctx, desk, people
):
    op = ev.add_operation(desk, ev.OperationFields(name="Дубай — Маскат", host_country="AE")).row
    bus(desk, op.id, 10, "Dubai P 1")
    page = make_page(qtbot, ctx)
    page.launch = lambda dialog: dialog.show()
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() == 1, timeout=3000)
    page.select_leg(1)
    qtbot.waitUntil(page.walk_in_button.isEnabled, timeout=3000)
    dialog = page.open_walk_in()  # (the page owns it: closed, it deletes itself)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    assert dialog.add_button.isDefault() and dialog.family_box.isChecked()
    dialog.activateWindow()
    dialog.search_box.setFocus()
    type_text(dialog.search_box, "Әбіл")  # the mother and her two children
    qtbot.waitUntil(lambda: dialog.results.count() == 3, timeout=3000)
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Down)  # from the field, the list moves
    assert dialog.results.currentRow() == 1 and dialog.search_box.hasFocus()
    picked = dialog.chosen()
    qtbot.keyClick(dialog.search_box, Qt.Key.Key_Return)  # Add, and the dialog stays open
    qtbot.waitUntil(lambda: len(ev.pool(desk, op.id, 1)) == 3, timeout=3000)
    # (written before the dialog hears of it: its answer is waited for, not raced)
    qtbot.waitUntil(lambda: "(3 people in all)" in dialog.hint_label.text(), timeout=3000)
    assert dialog.isVisible() and "their family wait for a seat (3 people in all)" in (
        dialog.hint_label.text()
    )
    assert picked.name in dialog.hint_label.text()
    assert {r.reason_code for r in ev.pool(desk, op.id, 1)} == {"pool.manual"}
    type_text(dialog.search_box, "Һашим")
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=3000)
    dialog.family_box.setChecked(False)
    dialog.add_button.click()
    qtbot.waitUntil(lambda: len(ev.pool(desk, op.id, 1)) == 4, timeout=3000)
    ctx.tasks.wait()
