"""Hotels page: occupancy, placing a household through the dialog, check-in and check-out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from consuldesk.domain.enums import HouseholdKind, PlacementStatus, PresenceStatus, Sex
from consuldesk.services import hotels, nationals
from consuldesk.services.households import create_household
from consuldesk.ui.dialogs.placement import PlacementDialog
from consuldesk.ui.models.hotels import (
    COL_COST_AMOUNT,
    COL_FREE,
    COL_GUEST,
    COL_HOTEL,
    COL_OCCUPIED,
    COL_RATE,
    CostsModel,
    GuestsModel,
    HotelsModel,
)
from consuldesk.ui.pages.hotels import HotelsPage
from tests.factories import person
from tests.unit.ui.conftest import type_text

TODAY = date(2026, 3, 10)


@pytest.fixture
def family(desk):
    """A family of two (mother and son) on file."""
    mother = nationals.register_national(desk, person()).row
    son = nationals.register_national(
        desk,
        person(
            given_names_cyr="Ерлан",
            given_names_lat="YERLAN",
            sex=Sex.MALE,
            birth_date=date(2015, 6, 1),
        ),
    ).row
    return create_household(
        desk, "Қасымовтар", HouseholdKind.FAMILY, head_id=mother.id, member_ids=[son.id]
    ).row


def add_hotel(desk, name="Rove Downtown", beds=10, currency="AED", rate=25000, operator=None):
    fields = hotels.HotelFields(
        name=name,
        city="Dubai",
        beds=beds,
        nightly_rate_minor=rate,
        currency=currency,
        tour_operator=operator,
    )
    return hotels.add_hotel(desk, fields).row


@pytest.fixture
def page(qtbot, ctx):
    p = HotelsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    ctx.tasks.wait()


def wait_loaded(qtbot, page, n_hotels):
    qtbot.waitUntil(lambda: page.hotels_model.rowCount() == n_hotels, timeout=3000)


def open_dialog_and_pick(qtbot, page, text: str) -> PlacementDialog:
    dialog = page.open_placement_dialog()
    type_text(dialog.search_box, text)
    qtbot.waitUntil(lambda: dialog.results.count() > 0, timeout=3000)
    dialog.select_item(dialog.results.item(0))
    return dialog


def test_empty_case_file_says_what_to_do(qtbot, page):
    qtbot.waitUntil(lambda: "Add hotel" in page.status_label.text(), timeout=3000)
    assert not page.place_button.isEnabled()


def test_place_a_household_then_check_in(qtbot, page, desk, family):
    hotel = add_hotel(desk)
    page.refresh()
    wait_loaded(qtbot, page, 1)
    assert page.hotels_model.index(0, COL_RATE).data() == "250.00 AED"

    dialog = open_dialog_and_pick(qtbot, page, "Қасым")
    assert dialog.chosen().kind == "household"
    assert "2 people" in dialog.chosen_label.text()
    with qtbot.waitSignal(dialog.placed, timeout=3000):
        dialog.place_button.click()

    placements = hotels.list_placements(desk, hotel.id)
    assert {p.status for p in placements} == {PlacementStatus.BOOKED.value}
    assert {p.national_id for p in placements} == set(family.member_ids)
    assert hotels.occupancy(desk)[0].occupied == 2
    # The page heard the change and shows the new counts and the guests.
    qtbot.waitUntil(lambda: page.hotels_model.index(0, COL_OCCUPIED).data() == "2", timeout=3000)
    qtbot.waitUntil(lambda: page.guests_model.rowCount() == 2, timeout=3000)

    page.guests_table.selectRow(0)
    assert page.check_in_button.isEnabled() and page.cancel_button.isEnabled()
    guest = page.selected_guest()
    page.check_in_button.click()
    qtbot.waitUntil(lambda: "checked in" in page.action_label.text(), timeout=3000)
    assert nationals.get_national(desk, guest.national_id).presence_status == (
        PresenceStatus.IN_HOTEL.value
    )
    qtbot.waitUntil(
        lambda: any(
            page.guests_model.row_at(i).status == PlacementStatus.CHECKED_IN.value
            for i in range(page.guests_model.rowCount())
        ),
        timeout=3000,
    )


def test_a_full_hotel_refuses_then_place_anyway(qtbot, page, desk, family):
    hotel = add_hotel(desk, name="Tiny Inn", beds=1)
    page.refresh()
    wait_loaded(qtbot, page, 1)
    dialog = open_dialog_and_pick(qtbot, page, "Қасым")
    dialog.place_button.click()
    qtbot.waitUntil(lambda: dialog.place_anyway_button.isVisibleTo(dialog), timeout=3000)
    message = dialog.error_label.text()
    assert "Tiny Inn is full" in message and "0 of 1 beds" in message
    assert "10.03.2026" in message  # dates as printed, not ISO
    assert hotels.list_placements(desk, hotel.id) == []

    with qtbot.waitSignal(dialog.placed, timeout=3000):
        dialog.place_anyway_button.click()
    assert hotels.occupancy(desk)[0].occupied == 2
    qtbot.waitUntil(
        lambda: page.hotels_model.index(0, COL_FREE).data() == "overbooked +1", timeout=3000
    )
    assert page.hotels_model.index(0, COL_HOTEL).data() == "⚠ Tiny Inn"
    assert "Overbooked: Tiny Inn" in page.status_label.text()


def test_placing_someone_twice_explains_the_overlap(qtbot, page, desk, family):
    first = add_hotel(desk, name="Alpha")
    add_hotel(desk, name="Beta")
    hotels.place(desk, first.id, [family.head_id], TODAY)
    page.refresh()
    wait_loaded(qtbot, page, 2)
    dialog = open_dialog_and_pick(qtbot, page, "Қасым")
    dialog.hotel_box.setCurrentIndex(1)
    dialog.place_button.click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=3000)
    assert "already has a stay at Alpha" in dialog.error_label.text()
    assert not dialog.place_anyway_button.isVisibleTo(dialog)


def test_check_out_frees_the_bed(qtbot, page, desk):
    hotel = add_hotel(desk, beds=3)
    guest = nationals.register_national(desk, person()).row
    hotels.place(desk, hotel.id, [guest.id], TODAY - timedelta(days=2), checked_in=True)
    page.refresh()
    wait_loaded(qtbot, page, 1)
    qtbot.waitUntil(lambda: page.guests_model.rowCount() == 1, timeout=3000)
    assert page.guests_model.index(0, COL_GUEST).data() == guest.name
    page.guests_table.selectRow(0)
    assert page.check_out_button.isEnabled() and not page.check_in_button.isEnabled()
    page.check_out_button.click()
    qtbot.waitUntil(lambda: page.guests_model.rowCount() == 0, timeout=3000)
    qtbot.waitUntil(lambda: page.hotels_model.index(0, COL_OCCUPIED).data() == "0", timeout=3000)
    assert nationals.get_national(desk, guest.id).presence_status == "in_country"
    assert "Nobody stays" in page.guests_title.text()


def test_costs_by_hotel_and_operator_never_mix_currencies(qtbot, page, desk):
    a = add_hotel(desk, name="Dubai Inn", currency="AED", rate=20000, operator="Kompas")
    b = add_hotel(desk, name="Tehran Inn", currency="USD", rate=5000, operator="Kompas")
    x = nationals.register_national(desk, person()).row
    y = nationals.register_national(desk, person(given_names_cyr="Ерлан", sex=Sex.MALE)).row
    hotels.place(desk, a.id, [x.id], TODAY - timedelta(days=2))
    hotels.place(desk, b.id, [y.id], TODAY - timedelta(days=3))
    page.refresh()
    qtbot.waitUntil(lambda: page.operator_costs_model.rowCount() == 2, timeout=3000)
    amounts = {
        page.operator_costs_model.index(i, COL_COST_AMOUNT).data()
        for i in range(page.operator_costs_model.rowCount())
    }
    assert amounts == {"400.00 AED", "150.00 USD"}
    assert page.hotel_costs_model.rowCount() == 2


def test_add_hotel_dialog(qtbot, page, desk):
    wait_loaded(qtbot, page, 0)
    dialog = page.open_hotel_dialog()
    dialog.name_edit.setText("Hilton")
    dialog.beds_box.setValue(40)
    dialog.rate_box.setValue(120.5)
    dialog.currency_box.setCurrentText("usx")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=3000)
    assert "usx" in dialog.error_label.text()
    dialog.currency_box.setCurrentText("usd")
    with qtbot.waitSignal(dialog.saved, timeout=3000):
        dialog.buttons.accepted.emit()
    [hotel] = hotels.list_hotels(desk)
    assert (hotel.name, hotel.beds, hotel.nightly_rate_minor, hotel.currency) == (
        "Hilton",
        40,
        12050,
        "USD",
    )
    wait_loaded(qtbot, page, 1)


def test_models_pass_the_model_tester(qtmodeltester, desk, family):
    hotel = add_hotel(desk, beds=1)
    hotels.place(desk, hotel.id, list(family.member_ids), TODAY, allow_overbook=True)
    add_hotel(desk, name="Empty", beds=0)
    model = HotelsModel()
    model.set_rows(hotels.occupancy(desk))
    qtmodeltester.check(model)
    guests = GuestsModel()
    guests.set_rows(hotels.guests_tonight(desk, hotel.id))
    qtmodeltester.check(guests)
    report = hotels.costs(desk, until=TODAY + timedelta(days=2))
    cost_model = CostsModel("Hotel", "No tour operator")
    cost_model.set_rows(report.by_operator)
    qtmodeltester.check(cost_model)
    assert cost_model.index(0, 0).data() == "No tour operator"
