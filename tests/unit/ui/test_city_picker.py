"""The person card's city offers the cities of the country chosen beside it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from consuldesk.services import nationals
from consuldesk.ui.dialogs.person_card import PersonCard
from tests.unit.services.test_national_filters import seed
from tests.unit.ui.conftest import type_text

# The completer's list is a popup window: the offscreen platform cannot raise it or grab the
# keyboard for it, and says so; it works all the same.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


@pytest.fixture
def card(qtbot, ctx):
    seed(ctx.desk)  # Dubai (3), Abu Dhabi in the Emirates; Doha in Qatar; Riyadh in Saudi Arabia
    card = PersonCard(ctx)
    qtbot.addWidget(card)
    card.show()
    yield card
    ctx.tasks.wait()


def test_a_new_person_in_the_post_s_country_is_offered_its_cities(qtbot, card):
    # The post is in the Emirates: the card fills the country, the city offers its cities.
    qtbot.waitUntil(lambda: card.edits["host_country"].text() != "", timeout=3000)
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Dubai", "Abu Dhabi"], timeout=3000)
    city = card.edits["city"]
    city.setFocus()
    type_text(city, "ab")
    popup = city.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    shown = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert shown == ["Abu Dhabi"]  # "ab" anywhere in the name; not Riyadh or Doha
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert city.text() == "Abu Dhabi"


def test_another_country_narrows_the_cities_and_a_half_typed_one_keeps_them(qtbot, card):
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Dubai", "Abu Dhabi"], timeout=3000)
    country = card.edits["host_country"]
    country.setText("Ка")  # half typed: no country yet, the suggestions stay
    qtbot.wait(400)
    assert card.city_picker.cities() == ["Dubai", "Abu Dhabi"]
    country.setText("Катар")  # Qatar in Russian
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Doha"], timeout=3000)
    country.clear()  # no country: every country's cities
    qtbot.waitUntil(lambda: len(card.city_picker.cities()) == 4, timeout=3000)


def test_an_open_card_follows_the_person_s_country(qtbot, ctx):
    s = seed(ctx.desk)
    card = PersonCard(ctx, nationals.get_national(ctx.desk, s.wheelchair))  # in Doha, Qatar
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Doha"], timeout=3000)
    ctx.tasks.wait()


def test_a_city_left_from_another_country_is_marked(qtbot, card):
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Dubai", "Abu Dhabi"], timeout=3000)
    city, country = card.edits["city"], card.edits["host_country"]
    city.setText("Dubai")
    assert not card.city_picker.warning.isVisible()
    country.setText("Катар")  # the person is in Qatar after all; Dubai stays typed
    qtbot.waitUntil(lambda: card.city_picker.cities() == ["Doha"], timeout=3000)
    assert card.city_picker.warning.isVisible()
    assert card.city_picker.warning.toolTip() == (
        "Nobody on file in Катар is in Dubai: check the city."
    )
    city.setText("doha")  # any case
    assert not card.city_picker.warning.isVisible() and city.toolTip() == ""
