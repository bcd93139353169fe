"""Situation overview: the counts match services.stats.situation; the bar chart draws."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QLocale

from consuldesk import i18n
from consuldesk.domain.countries import country_name
from consuldesk.messages import REQUEST_KIND_LABELS
from consuldesk.services import nationals
from consuldesk.services.demo import seed_demo
from consuldesk.services.stats import situation
from consuldesk.ui.pages.overview import OverviewPage
from consuldesk.ui.widgets import BarChart
from tests.factories import people_from_posts, person


def make_page(qtbot, ctx) -> OverviewPage:
    page = OverviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitUntil(lambda: page.situation is not None, timeout=5000)
    return page


def table_rows(table) -> list[tuple[str, str]]:
    return [(table.item(i, 0).text(), table.item(i, 1).text()) for i in range(table.rowCount())]


def test_counts_match_the_situation_of_a_seeded_case_file(qtbot, ctx, desk):
    seed_demo(desk, count=80)
    page = make_page(qtbot, ctx)
    s = situation(desk)
    n = QLocale().toString
    assert page.title_label.text() == "Situation on 10.03.2026"
    assert page.figures["nationals"].value_label.text() == n(s.nationals) == n(80)
    assert page.figures["vulnerable"].value_label.text() == n(s.vulnerable)
    assert page.figures["evacuated"].value_label.text() == n(s.evacuated)
    assert page.figures["open_requests"].value_label.text() == n(s.open_requests)
    assert page.figures["overdue_requests"].value_label.text() == n(s.overdue_requests)
    assert page.figures["placed_tonight"].value_label.text() == n(s.placed_tonight)
    assert "“In hotel” under presence counts those who have arrived" in (
        page.figures["placed_tonight"].toolTip()
    )
    assert page.figures["beds"].value_label.text() == f"{n(s.hotel_occupied)} / {n(s.hotel_beds)}"

    assert [v for _, v in page.presence_chart.data()] == list(s.by_presence.values())
    assert ("In hotel", s.by_presence["in_hotel"]) in page.presence_chart.data()
    assert [v for _, v in page.vulnerability_chart.data()] == list(s.by_vulnerability.values())
    assert ("Over 60", s.by_vulnerability["over_60"]) in page.vulnerability_chart.data()

    countries = table_rows(page.country_table)
    assert countries[: len(s.by_country)] == [
        (country_name(code), n(v)) for code, v in s.by_country.items()
    ]
    cities = table_rows(page.city_table)
    assert cities[: len(s.by_city)] == [(city, n(v)) for city, v in s.by_city.items()]
    kinds = table_rows(page.requests_table)
    assert sum(int(v) for _, v in kinds) == s.open_requests
    # Named as the queue names them ("Medical" here, "Medical help" there).
    if s.open_by_kind.get("medical"):
        assert "Medical help" in {k for k, _ in kinds}
    assert {k for k, _ in kinds} <= set(REQUEST_KIND_LABELS.values())
    assert not page.status_label.isVisible()


def test_empty_case_file_says_what_to_do(qtbot, ctx):
    page = make_page(qtbot, ctx)
    assert page.figures["nationals"].value_label.text() == "0"
    assert "register nationals" in page.status_label.text()
    assert page.country_table.rowCount() == 0


def test_a_change_refreshes_the_counts(qtbot, ctx, desk):
    page = make_page(qtbot, ctx)
    saved = nationals.register_national(desk, person())
    ctx.events.changed.emit(saved.changes)
    qtbot.waitUntil(lambda: page.figures["nationals"].value_label.text() == "1", timeout=3000)
    assert table_rows(page.country_table) == [("United Arab Emirates", "1")]
    assert table_rows(page.city_table) == [("Dubai", "1")]


def test_the_captions_agree_with_their_numbers_in_russian(qtbot, ctx, desk):
    i18n.install("ru")
    try:
        nationals.register_national(desk, person())
        page = make_page(qtbot, ctx)
        figure = page.figures["nationals"]
        assert (figure.value_label.text(), figure.caption_label.text()) == (
            "1",
            "гражданин в базе",
        )
        for _ in range(2):
            nationals.register_national(desk, person(passport_no=None, iin=None))
        page.refresh_button.click()
        qtbot.waitUntil(lambda: figure.value_label.text() == "3", timeout=3000)
        assert figure.caption_label.text() == "гражданина в базе"
        assert page.figures["overdue_requests"].caption_label.text() == "просроченных обращений"
    finally:
        i18n.install("en")


def test_refresh_button_counts_again(qtbot, ctx, desk):
    page = make_page(qtbot, ctx)
    nationals.register_national(desk, person())
    page.refresh_button.click()
    qtbot.waitUntil(lambda: page.figures["nationals"].value_label.text() == "1", timeout=3000)


def test_bar_chart_paints_and_exposes_its_data(qtbot):
    chart = BarChart("By presence status")
    qtbot.addWidget(chart)
    chart.set_data([("In country", 120), ("In hotel", 35), ("Evacuated", 0)])
    chart.resize(chart.sizeHint())
    chart.show()
    image = chart.grab().toImage()
    assert not image.isNull() and image.width() > 0
    assert chart.data() == [("In country", 120), ("In hotel", 35), ("Evacuated", 0)]
    assert "In hotel: 35" in chart.accessibleDescription()
    # Something was drawn besides the background.
    background = image.pixelColor(0, 0)
    assert any(
        image.pixelColor(x, y) != background
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )
    empty = BarChart()
    qtbot.addWidget(empty)
    empty.resize(200, 40)
    assert not empty.grab().isNull()


def test_people_needing_review_are_counted_and_one_click_away(qtbot, ctx, desk, tmp_path):
    from tests.unit.services.test_review import import_doubtful

    page = make_page(qtbot, ctx)
    assert not page.review_notice.isVisible()  # nothing to review: no notice
    import_doubtful(desk, tmp_path)
    page.refresh_button.click()
    qtbot.waitUntil(page.review_notice.isVisible, timeout=3000)
    assert page.situation is not None and page.situation.needs_review == 2
    assert page.review_label.text() == (
        "2 people have values set aside for review from imported lists."
    )
    with qtbot.waitSignal(page.needs_review_requested, timeout=1000):
        page.review_button.click()


def test_pairs_of_records_that_are_one_person_are_said_with_where_to_settle_them(qtbot, ctx, desk):
    nationals.register_national(desk, person(surname_lat=None, given_names_lat=None))
    nationals.register_national(
        desk, person(surname_cyr=None, given_names_cyr=None, given_names_lat="AYGERIM", phones=())
    )
    assert situation(desk, desk.today()).possible_duplicates == 1
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.pairs_notice.isVisibleTo(page), timeout=3000)
    # Both registered here: not "counted twice" (that is for people at two posts).
    assert page.pairs_label.text() == (
        "1 pair of records is probably one person: compare and merge it, or mark it as two people."
    )
    with qtbot.waitSignal(page.duplicates_requested, timeout=1000):
        page.pairs_button.click()


def test_each_posts_figures_say_how_old_they_are(qtbot, ctx, desk):
    """Headquarters read Tehran's three-day-old figures beside Doha's of this morning as if
    they were of the same hour: each post says when its figures were taken."""
    nationals.register_national(desk, person())
    people_from_posts(desk, {"IR-THR": timedelta(days=3, hours=1), "QA-DOH": timedelta(hours=2)})
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.post_table.isVisibleTo(page), timeout=3000)
    table = page.post_table
    assert table.horizontalHeaderItem(2).text() == "Figures as of"
    rows = {table.item(i, 0).text(): table.item(i, 2) for i in range(table.rowCount())}
    assert set(rows) == {"AE-ABU", "IR-THR", "QA-DOH"}
    assert rows["AE-ABU"].text() == "current: this case file"
    assert rows["IR-THR"].text().startswith("⚠ 3 days ago · ")
    assert "a day old" in rows["IR-THR"].toolTip()
    assert rows["QA-DOH"].text().startswith("2 hours ago · ")
    assert rows["QA-DOH"].toolTip() == ""


def test_one_posts_figures_alone_still_say_how_old_they_are(qtbot, ctx, desk):
    """Headquarters holding only Tehran's people (its first stick) showed no table at all."""
    people_from_posts(desk, {"IR-THR": timedelta(days=2)})
    page = make_page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.post_table.isVisibleTo(page), timeout=3000)
    assert page.post_table.rowCount() == 1
    assert page.post_table.item(0, 2).text().startswith("⚠ 2 days ago · ")
