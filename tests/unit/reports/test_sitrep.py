"""Tests of the situation report, read back from the PDF with pypdf."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from consuldesk.domain.enums import (
    OperationStatus,
    PaidBy,
    PresenceStatus,
    RequestKind,
    TripMode,
    Vulnerability,
)
from consuldesk.reports import sitrep as sitrep_mod
from consuldesk.reports.sitrep import (
    MODE_LABELS,
    OPERATION_STATUS_LABELS,
    PAYER_LABELS,
    REQUEST_LABELS,
    STATUS_LABELS,
    VULNERABILITY_LABELS,
    SitrepCost,
    SitrepData,
    SitrepHotel,
    SitrepLeg,
    SitrepOperation,
    format_money,
    format_utc,
    percent,
    render_sitrep,
    sitrep_headline,
)
from tests.unit.reports.pdfcheck import (
    all_text,
    assert_failure_keeps_old_file,
    assert_only_bundled_font,
    pages_text,
)

TS = "\u2009"  # thin space between thousands
NB = " "  # an amount in a paragraph: its narrow no-break space reads back as a space


def _data(countries: int = 4) -> SitrepData:
    return SitrepData(
        post_name="Embassy of Kazakhstan in Abu Dhabi",
        post_code="AE-ABU",
        generated_at=datetime(2026, 3, 10, 21, 5, tzinfo=timezone(timedelta(hours=4))),
        officer="Сәрсенбаев Қайрат",
        nationals_total=1234,
        by_country=[("Біріккен Араб Әмірліктері", 800), ("Оман", 200), ("Қатар", 134)]
        + [(f"Country {i}", 1) for i in range(countries - 3)],
        by_status=[
            ("in_country", 600),
            ("in_transit", 80),
            ("in_hotel", 150),
            ("evacuated", 300),
            ("left_on_own", 90),
            ("unknown", 14),
        ],
        by_vulnerability=[("medical", 12), ("over_60", 140), ("woman_with_minors", 60)],
        requests_open=[("evacuation", 320), ("accommodation", 40), ("kidnapping", 2)],
        operations=[
            SitrepOperation(
                "Operation Құс жолы",
                "Abu Dhabi → Muscat → Almaty",
                "under_way",
                [
                    SitrepLeg(1, "bus", "Abu Dhabi", "Muscat", 4, 200, 190, 150, 12, 35),
                    SitrepLeg(2, "flight", "Muscat", "Almaty", 1, 180, 150, 0, 0, 10),
                ],
                evacuated=150,
            ),
            SitrepOperation("Op Үміт", "Dubai → Tehran", "planned"),
        ],
        hotels=[
            SitrepHotel(
                "Grand Hyatt Abu Dhabi", "Abu Dhabi", 40, 38, 210, 1523400, 123456789, "AED"
            ),
            SitrepHotel("Қонақүй Әлем", "Muscat", 20, 25, 60, 50000, 300000, "OMR"),
        ],
        costs=[SitrepCost("AED", 1523400, 123456789), SitrepCost("OMR", 50000, 300000)],
    )


def test_format_money() -> None:
    assert format_money(123456789, "AED") == f"1{TS}234{TS}567.89 AED"
    assert format_money(5, "KZT") == "0.05 KZT"
    assert format_money(100000, "OMR") == f"1{TS}000.00 OMR"
    assert format_money(-250, "USD") == "-2.50 USD"
    assert format_money(99999, "") == "999.99"


def test_percent_and_utc() -> None:
    assert percent(38, 40) == "95%"
    assert percent(25, 20) == "125%"
    assert percent(1, 0) == "—"
    assert format_utc(datetime(2026, 3, 10, 21, 5, tzinfo=timezone(timedelta(hours=4)))) == (
        "10.03.2026 17:05 UTC"
    )
    assert format_utc(datetime(2026, 3, 10, 17, 5)) == "10.03.2026 17:05 UTC"
    assert format_utc(datetime(2026, 3, 10, 17, 5, tzinfo=UTC)) == "10.03.2026 17:05 UTC"


def test_headline() -> None:
    h = sitrep_headline(_data())
    assert (h.nationals_total, h.in_hotels_tonight, h.evacuated, h.open_requests) == (
        1234,
        63,
        300,
        362,
    )


def test_every_domain_key_has_three_languages() -> None:
    for labels, enum in [
        (STATUS_LABELS, PresenceStatus),
        (VULNERABILITY_LABELS, Vulnerability),
        (REQUEST_LABELS, RequestKind),
        (OPERATION_STATUS_LABELS, OperationStatus),
        (MODE_LABELS, TripMode),
        (PAYER_LABELS, PaidBy),
    ]:
        assert set(labels) == {e.value for e in enum}
        for text in labels.values():
            assert set(text) == {"en", "kk", "ru"} and all(text.values())


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_content(tmp_path: Path, language: str) -> None:
    out = render_sitrep(
        _data(),
        tmp_path / "s.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    assert out == tmp_path / "s.pdf"
    pages = pages_text(out)
    text = " ".join(pages)
    second = {"ru": "Оперативная сводка", "kk": "Жағдай туралы есеп"}[language]
    assert text.startswith(f"Situation report / {second}")
    assert "Embassy of Kazakhstan in Abu Dhabi (AE-ABU)" in text
    assert "10.03.2026 17:05 UTC" in text
    assert "Сәрсенбаев Қайрат" in text
    assert "1234 63 300 362" in text  # the headline box
    in_hotel = {"ru": "В гостинице", "kk": "Қонақүйде"}[language]
    assert f"In a hotel {in_hotel} 150 12%" in text
    assert "kidnapping 2" in text  # unknown keys print as given
    for name in ("Біріккен Араб Әмірліктері", "Оман", "Қатар", "Operation Құс жолы", "Op Үміт"):
        assert name in text
    under_way = {"ru": "Выполняется", "kk": "Жүргізілуде"}[language]
    assert f"Under way / {under_way}" in text
    assert "Abu Dhabi → Muscat 4 200 190 150 12 35 95%" in text
    assert "Grand Hyatt Abu Dhabi Abu Dhabi 40 38 95% 210" in text
    assert f"15{TS}234.00 AED 1{TS}234{TS}567.89 AED" in text
    assert f"500.00 OMR 3{TS}000.00 OMR" in text
    assert re.search(r"Total / \S+ 60 63 105% 270", text)
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page


def test_currencies_are_never_added(tmp_path: Path) -> None:
    text = all_text(render_sitrep(_data(), tmp_path / "s.pdf"))
    # AED 1 234 567.89 + OMR 3 000.00 would be 1 237 567.89 in some currency.
    assert "1237567" not in text.replace(TS, "")
    assert f"15{TS}734.00" not in text


def test_many_countries_span_pages_with_heading(tmp_path: Path) -> None:
    out = render_sitrep(_data(countries=200), tmp_path / "s.pdf")
    pages = pages_text(out)
    assert len(pages) >= 2
    country_pages = [t for t in pages if "Country 1" in t]
    assert len(country_pages) >= 2
    for t in country_pages:
        assert "Country / Страна Number / Кол-во Share / Доля" in t
    text = " ".join(pages)
    assert "Country 196" in text


def test_empty_report(tmp_path: Path) -> None:
    data = SitrepData(
        post_name="Consulate General in Dubai",
        post_code="AE-DXB",
        generated_at=datetime(2026, 3, 1, 8, 0),
        officer="Officer Test",
        nationals_total=0,
        by_country=(),
        by_status=(),
        by_vulnerability=(),
        requests_open=(),
        operations=(),
        hotels=(),
        costs=(),
    )
    pages = pages_text(render_sitrep(data, tmp_path / "s.pdf"))
    assert len(pages) == 1
    text = pages[0]
    assert "0 0 0 0" in text
    assert text.count("None / Нет") >= 5
    assert "Page 1 of 1" in text


def test_only_bundled_font_is_embedded(tmp_path: Path) -> None:
    assert_only_bundled_font(render_sitrep(_data(countries=200), tmp_path / "s.pdf"))


def test_failure_during_render_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_failure_keeps_old_file(
        tmp_path / "s.pdf",
        monkeypatch,
        sitrep_mod._SitrepCanvas,
        lambda target: render_sitrep(_data(), target),
    )


def test_rejects_unknown_second_language(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render_sitrep(_data(), tmp_path / "s.pdf", second_language="de")  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_rates_per_room_and_open_stays_are_printed(tmp_path: Path, language: str) -> None:
    data = _data()
    hotels = [
        SitrepHotel(
            "Citymax Sharjah", "Sharjah", 20, 4, 12, 40000, 480000, "AED", 40000, "room", 4, 120000
        ),
        SitrepHotel("Rove Downtown", "Dubai", 10, 2, 6, 50000, 150000, "AED", 25000, "person"),
    ]
    from dataclasses import replace

    text = all_text(
        render_sitrep(
            replace(data, hotels=hotels),
            tmp_path / "s.pdf",
            second_language=language,  # type: ignore[arg-type]
        )
    )
    per_room = {"ru": "за номер в сутки", "kk": "бөлмесіне, тәулігіне"}[language]
    per_person = {"ru": "за человека в сутки", "kk": "адам басына, тәулігіне"}[language]
    assert f"Citymax Sharjah 400.00 AED per room and night / {per_room}" in text
    assert f"Rove Downtown 250.00 AED per person and night / {per_person}" in text
    open_stays = {
        "ru": "в т. ч. открытые",
        "kk": "оның ішінде ашық",
    }[language]
    assert f"4{NB}800.00 AED of which open stays / {open_stays} (4): 1{NB}200.00 AED" in text
    assert "Stays still open (no check-out yet, or leaving later) count with their cost so far" in (
        text
    )
    # the stay without open stays has no such line, and the note is printed once
    assert text.count("of which open stays") == 1


def test_no_open_stays_no_note(tmp_path: Path) -> None:
    text = all_text(render_sitrep(_data(), tmp_path / "s.pdf"))
    assert "Stays still open" not in text and "of which open stays" not in text


def test_headquarters_sees_posts_people_counted_twice_vulnerable_and_review(
    tmp_path: Path,
) -> None:
    """What `stats` tells headquarters was missing from the report it prints: the people at
    each post, those registered at two posts (the headline counted them twice), how many are
    vulnerable at all (the flags overlap) and how many records need review."""
    from dataclasses import replace

    data = replace(
        _data(),
        vulnerable=300,
        needs_review=5,
        by_post=(("Embassy in Abu Dhabi (AE-ABU)", 900), ("Embassy in Doha (QA-DOH)", 334)),
        counted_twice=3,
    )
    text = " ".join(all_text(render_sitrep(data, tmp_path / "s.pdf", second_language="kk")).split())
    assert "⚠ 3 registered at two posts and not merged yet: counted twice" in text
    assert "3 адам екі мекемеде тіркелген" in text
    assert "Any of these (people) / Осылардың кез келгені (адам) 300 24%" in text
    assert "Needs review: 5" in text
    assert "By the post that registered them" in text and "Тіркеген мекеме бойынша" in text
    assert "Embassy in Abu Dhabi (AE-ABU) 900 73%" in text
    assert "Embassy in Doha (QA-DOH) 334 27%" in text

    assert "current: this report's post" in text  # Abu Dhabi's own figures
    assert "⚠ More than" not in text  # nothing old: no warning

    one_post = replace(data, by_post=data.by_post[:1], counted_twice=0, needs_review=0)
    text = all_text(render_sitrep(one_post, tmp_path / "one.pdf"))
    assert "registered them" not in text and "two posts" not in text
    assert "Needs review" not in text


def test_each_posts_figures_say_how_old_they_are(tmp_path: Path) -> None:
    """Headquarters added Tehran's figures of three days ago to Doha's of this morning without
    a word: each post's row says when its figures were taken, those a day older marked."""
    from dataclasses import replace

    generated = datetime(2026, 3, 10, 17, 5, tzinfo=UTC)
    posts = (("KZ-HQ", 2), ("Embassy in Tehran (IR-THR)", 180), ("Embassy in Doha (QA-DOH)", 1500))
    data = replace(
        _data(),
        generated_at=generated,
        nationals_total=1682,
        by_post=posts,
        post_as_of={
            "Embassy in Tehran (IR-THR)": generated - timedelta(days=3, hours=2),
            "Embassy in Doha (QA-DOH)": generated - timedelta(hours=5),
        },
    )
    for language, words in (("ru", "Данные на (UTC)"), ("kk", "Деректер уақыты (UTC)")):
        out = render_sitrep(data, tmp_path / f"{language}.pdf", second_language=language)
        text = " ".join(all_text(out).split())
        assert f"Figures as of (UTC) / {words}" in text
        assert "Embassy in Tehran (IR-THR) 180 11% ⚠ 07.03.2026 15:05 UTC" in text
        assert "Embassy in Doha (QA-DOH) 1500 89% 10.03.2026 12:05 UTC" in text  # not marked
        assert "KZ-HQ 2 0% current: this report's post" in text
        assert "⚠ More than 24 hours older than this report" in text

    # Headquarters early in a crisis: one post's stick, nobody registered at headquarters.
    only = replace(data, by_post=posts[1:2], nationals_total=180,
                   post_as_of={posts[1][0]: generated - timedelta(days=2)})  # fmt: skip
    text = " ".join(all_text(render_sitrep(only, tmp_path / "only.pdf")).split())
    assert "Embassy in Tehran (IR-THR) 180 100% ⚠ 08.03.2026 17:05 UTC" in text
    assert "⚠ More than 24 hours older than this report" in text

    fresh = replace(data, post_as_of={name: generated for name, _n in posts[1:]})
    text = " ".join(all_text(render_sitrep(fresh, tmp_path / "fresh.pdf")).split())
    assert "⚠" not in text and "10.03.2026 17:05 UTC" in text


def test_costs_are_split_by_who_pays_never_added(tmp_path: Path) -> None:
    """A tour group's stay paid by its operator was added to the post's spending."""
    from dataclasses import replace

    data = replace(
        _data(),
        costs=(
            SitrepCost("USD", 5000, 20000, "post"),
            SitrepCost("USD", 800, 800, "tour_operator"),
            SitrepCost("AED", 100, 100, "national"),
        ),
    )
    text = " ".join(all_text(render_sitrep(data, tmp_path / "s.pdf")).split())
    assert "The post Загранучреждение USD 50.00 USD 200.00 USD" in text
    assert "Tour operators Туроператоры USD 8.00 USD 8.00 USD" in text
    assert "The nationals Сами граждане AED 1.00 AED 1.00 AED" in text
    assert "58.00" not in text and "208.00" not in text  # never one sum
