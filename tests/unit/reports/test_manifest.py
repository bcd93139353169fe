"""Tests of the printed passenger manifest, read back from the PDF with pypdf."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from consuldesk.domain.scan import ScanCode, ScanKind, parse_scan
from consuldesk.reports import manifest as manifest_mod
from consuldesk.reports.fonts import register_fonts
from consuldesk.reports.manifest import (
    ManifestData,
    ManifestPassenger,
    manifest_totals,
    qr_payload,
    render_manifest,
)
from tests.unit.reports.pdfcheck import (
    TRIP,
    all_text,
    assert_failure_keeps_old_file,
    assert_only_bundled_font,
    drawn_qr_matrices,
    pages_text,
    reportlab_matrix,
)

MANIFEST_ID = "3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84"

KAZAKH_PASSENGERS = [
    ManifestPassenger(
        number=1,
        surname_lat="ABILKAIYR",
        given_names_lat="GALYMZHAN",
        name_cyr="Әбілқайыр Ғалымжан",
        sex="M",
        birth_date=date(1958, 2, 3),
        passport_no="N12345678",
        passport_expiry=date(2030, 5, 31),
        nationality="KAZ",
        seat="1A",
        over_60=True,
    ),
    ManifestPassenger(
        number=2,
        surname_lat="NURSULTANOVA",
        given_names_lat="UMIT",
        name_cyr="Нұрсұлтанова Үміт Өтегенқызы",
        sex="F",
        birth_date=date(2015, 11, 20),
        passport_no="N87654321",
        passport_expiry=date(2027, 1, 9),
        nationality="KAZ",
        seat="1B",
        minor=True,
        medical=True,
    ),
    ManifestPassenger(
        number=3,
        surname_lat="SHAKHIN & <SON>",
        given_names_lat="IRINA",
        name_cyr="Һашимова Ірина Ңағыз",
        sex="F",
        birth_date=None,
        passport_no="N00000001",
        passport_expiry=None,
        nationality="RUS",
        seat="",
    ),
]


def _data(passengers: list[ManifestPassenger]) -> ManifestData:
    return ManifestData(**vars(TRIP), manifest_id=MANIFEST_ID, passengers=passengers)


def _many(n: int) -> list[ManifestPassenger]:
    return [
        ManifestPassenger(
            number=i,
            surname_lat=f"ZHAKSYBEKOV{i}",
            given_names_lat="AIDOS",
            name_cyr=f"Жақсыбеков Айдос {i}",
            sex="M" if i % 3 else "F",
            birth_date=date(1980 + i % 40, 1 + i % 12, 1 + i % 28),
            passport_no=f"N{i:08d}",
            passport_expiry=date(2031, 1, 1),
            nationality="KAZ",
            seat=str(i),
            minor=i % 5 == 0,
            over_60=i % 7 == 0,
            medical=i % 11 == 0,
        )
        for i in range(1, n + 1)
    ]


def test_register_fonts_is_idempotent() -> None:
    assert register_fonts() == register_fonts() == ("DejaVuSans", "DejaVuSans-Bold")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_kazakh_names_survive_in_extracted_text(tmp_path: Path, language: str) -> None:
    out = render_manifest(
        _data(KAZAKH_PASSENGERS),
        tmp_path / "m.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    assert out == tmp_path / "m.pdf"
    text = all_text(out)
    for p in KAZAKH_PASSENGERS:
        assert p.name_cyr in text
        assert p.surname_lat in text  # "&" and "<>" escaped, printed literally
        assert p.given_names_lat in text
    assert "Сәрсенбаев Қайрат" in text
    assert "Operation Құс жолы" in text
    assert "03.02.1958" in text and "31.05.2030" in text
    assert "CHILD" in text and "60+" in text and "MED" in text
    assert "Page 1 of 1" in text
    assert MANIFEST_ID in text
    second = {"ru": "Фамилия", "kk": "Тегі"}[language]
    assert f"Surname (passport) / {second}" in text


def test_only_bundled_font_is_embedded(tmp_path: Path) -> None:
    assert_only_bundled_font(render_manifest(_data(KAZAKH_PASSENGERS), tmp_path / "m.pdf"))


def test_many_passengers_span_pages_with_repeated_heading(tmp_path: Path) -> None:
    passengers = _many(120)
    out = render_manifest(_data(passengers), tmp_path / "big.pdf")
    pages = pages_text(out)
    n = len(pages)
    assert n > 1
    table_pages = [text for text in pages if "ZHAKSYBEKOV" in text]
    assert len(table_pages) >= n - 1  # totals and signatures may move to a page of their own
    for text in table_pages:
        assert "Surname (passport) / Фамилия" in text
        assert "Boarded / Посадка" in text
    for i, text in enumerate(pages, start=1):
        assert f"Page {i} of {n}" in text
    text = " ".join(pages)
    for p in passengers:
        assert p.name_cyr in text


def test_totals_are_printed(tmp_path: Path) -> None:
    passengers = _many(120)
    totals = manifest_totals(passengers)
    assert (totals.total, totals.men + totals.women) == (120, 120)
    out = render_manifest(_data(passengers), tmp_path / "big.pdf")
    last = pages_text(out)[-1]
    expected = {
        "Total / Всего": totals.total,
        # the marks of the flags column, with their meaning in both languages
        "CHILD — Minors / Несовершеннолетние": totals.minors,
        "60+ — Aged 60 or more / 60 лет и старше": totals.over_60,
        "MED — Medical / Медицинские": totals.medical,
        "Men / Мужчины": totals.men,
        "Women / Женщины": totals.women,
    }
    for label, count in expected.items():
        assert re.search(rf"{re.escape(label)} {count}\b", last), (label, count, last)


def test_help_moving_and_an_unaccompanied_minor_are_printed_and_counted(tmp_path: Path) -> None:
    """A wheelchair user printed as MED looked like a medical case to the crew; a child with no
    parent aboard was not marked for the border at all."""
    base = KAZAKH_PASSENGERS
    passengers = [
        replace(base[0], medical=False, mobility=True),  # help moving only
        replace(base[1], medical=True, problems=("minor_alone",)),  # medical, alone
        base[2],
    ]
    totals = manifest_totals(passengers)
    assert (totals.medical, totals.mobility, totals.minor_alone) == (1, 1, 1)
    text = " ".join(pages_text(render_manifest(_data(passengers), tmp_path / "m.pdf")))
    rows = text.split("Әбілқайыр Ғалымжан")[1].split("Нұрсұлтанова Үміт")
    assert "MOB" in rows[0] and "MED" not in rows[0]  # the first passenger: MOB, not MED
    assert "MED" in rows[1].split("Һашимова")[0] and "MOB" not in rows[1].split("Һашимова")[0]
    assert "Unaccompanied minor" in rows[1] and "Ребёнок без сопровождения" in rows[1]
    expected = {
        "MED — Medical / Медицинские": 1,
        "MOB — Reduced mobility / Ограниченная подвижность": 1,
        "Unaccompanied minor / Ребёнок без сопровождения": 1,
        "No consent / Нет согласия": 0,
    }
    flat = " ".join(text.split())
    for label, count in expected.items():
        assert re.search(rf"{re.escape(label)} {count}\b", flat), (label, count, flat[-900:])


def test_totals_of_small_manifest() -> None:
    t = manifest_totals(KAZAKH_PASSENGERS)
    assert (t.total, t.minors, t.over_60, t.medical, t.men, t.women) == (3, 1, 1, 1, 1, 2)


def test_qr_payload_has_no_personal_data() -> None:
    assert qr_payload(MANIFEST_ID) == f"CONSULDESK:MANIFEST:{MANIFEST_ID}"
    assert uuid.UUID(qr_payload(MANIFEST_ID).split(":")[2])
    assert parse_scan(qr_payload(MANIFEST_ID)) == ScanCode(ScanKind.MANIFEST, MANIFEST_ID)


def test_missing_target_dir_raises_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "m.pdf"
    with pytest.raises(OSError):
        render_manifest(_data(KAZAKH_PASSENGERS), target)
    assert not target.parent.exists()
    assert list(tmp_path.iterdir()) == []


def test_failure_during_render_leaves_no_temp_and_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_failure_keeps_old_file(
        tmp_path / "m.pdf",
        monkeypatch,
        manifest_mod._NumberedCanvas,
        lambda target: render_manifest(_data(KAZAKH_PASSENGERS), target),
    )


def test_rejects_unknown_second_language(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render_manifest(
            _data(KAZAKH_PASSENGERS),
            tmp_path / "m.pdf",
            second_language="de",  # type: ignore[arg-type]
        )


def test_departure_may_be_unknown(tmp_path: Path) -> None:
    data = replace(_data(KAZAKH_PASSENGERS), departure=None, border_crossing="")
    out = render_manifest(data, tmp_path / "m.pdf")
    assert "Әбілқайыр Ғалымжан" in all_text(out)


def test_every_page_carries_the_manifests_qr_code(tmp_path: Path) -> None:
    out = render_manifest(_data(_many(60)), tmp_path / "m.pdf")
    reader = PdfReader(out)
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        expected = reportlab_matrix(qr_payload(MANIFEST_ID))
        content = page.get_contents()
        assert content is not None
        assert drawn_qr_matrices(content.get_data(), len(expected)) == [expected], number


def test_long_names_wrap_and_are_printed_in_full(tmp_path: Path) -> None:
    long_cyr = "Әбілқайыров-Сәрсенбаева Гүлнұр Айжан Өтегенқызы Ұлбосын"
    long_given = "NURSULTAN-ABYLAIKHAN MARIA-GULNUR"
    unbroken = "ABDIKADYROVAKHMETOVAZHANUZAKOVA"  # one word wider than the column
    passenger = replace(
        KAZAKH_PASSENGERS[0],
        surname_lat=unbroken,
        given_names_lat=long_given,
        name_cyr=long_cyr,
    )
    out = render_manifest(_data([passenger, *KAZAKH_PASSENGERS[1:]]), tmp_path / "m.pdf")
    raw = PdfReader(out).pages[0].extract_text() or ""
    lines = raw.splitlines()
    # Wrapped: no single line holds the whole name ...
    assert not any(long_cyr in line for line in lines)
    assert not any(unbroken in line for line in lines)
    # ... yet every word is there, in order (line breaks at spaces or after hyphens).
    flat = " ".join(raw.split())
    assert long_cyr in flat.replace("- ", "-")
    assert long_given in flat.replace("- ", "-")
    assert unbroken in "".join(raw.split())


def test_cells_fit_their_columns() -> None:
    regular, _ = register_fonts()
    fitter = manifest_mod._CellFitter(
        manifest_mod._Styles(regular, "DejaVuSans-Bold").cell,
        [w - 2 * manifest_mod._CELL_PAD for _, w in manifest_mod._COLUMNS],
    )
    width = manifest_mod._COLUMNS[manifest_mod.COL_CYRILLIC][1] - 2 * manifest_mod._CELL_PAD
    value, height = fitter("Нұрсұлтанова Үміт Өтегенқызы Әбілқайырқызы", manifest_mod.COL_CYRILLIC)
    assert isinstance(value, str)
    lines = value.split("\n")
    assert len(lines) > 1 and height == pytest.approx(9 * len(lines))
    assert all(stringWidth(line, regular, 7.5) <= width for line in lines)
    short, short_height = fitter("KAZ", manifest_mod.COL_NATIONALITY)
    assert (short, short_height) == ("KAZ", 9)
    wide, _ = fitter("ABDIKADYROVAKHMETOVAZHANUZAKOVA", manifest_mod.COL_SURNAME)
    assert isinstance(wide, Paragraph)  # splits the word instead of overflowing
    assert fitter("", manifest_mod.COL_SEAT) == ([], 0.0)


def test_only_dejavu_is_embedded_on_every_page(tmp_path: Path) -> None:
    out = render_manifest(_data(_many(120)), tmp_path / "big.pdf", second_language="kk")
    assert_only_bundled_font(out)


def test_a_full_bus_with_problems_fits_on_three_pages_with_its_signatures(tmp_path):
    from pypdf import PdfReader

    from consuldesk.reports.manifest import ManifestData, ManifestPassenger, render_manifest

    names = [
        ("ZHAKSYBEKOVA", "AIARU", "Жақсыбекова Айару Нұрсұлтанқызы"),
        ("OMIRZAKOV", "NURSULTAN", "Өмірзақов Нұрсұлтан Ерғалиұлы"),
        ("ALEKSANDROVA", "YULIYA", "Александрова Юлия Владимировна"),
        ("KIM", "OLEG", "Ким Олег"),
    ]

    def problems(i: int) -> tuple[str, ...]:
        if i % 16 == 0:
            return ("no_passport",)
        if i == 7:
            return ("no_passport_name",)  # a passport, but its name not typed in
        return ("passport_expired",) if i == 49 else ("no_consent",) if i % 5 == 0 else ()

    people = [
        ManifestPassenger(
            number=i,
            surname_lat="" if i == 7 else names[i % 4][0],
            given_names_lat="" if i == 7 else names[i % 4][1],
            name_cyr=names[i % 4][2],
            sex="F" if i % 2 else "M",
            birth_date=date(1990, 5, 5),
            passport_no="" if i % 16 == 0 else f"N{i:08d}",
            passport_expiry=date(2026, 5, 29) if i == 49 else date(2031, 1, 1),
            nationality="KAZ",
            seat=str(i),
            minor=i % 3 == 0,
            medical=i % 11 == 0,
            problems=problems(i),
        )
        for i in range(1, 50)
    ]
    data = ManifestData(
        post_name="Қазақстан елшілігі, Әбу-Даби",
        operation="Эвакуация: Дубай — Маскат",
        leg_no=1,
        mode="bus",
        origin="Dubai",
        destination="Muscat",
        border_crossing="Hatta / Al Wajajah",
        departure=None,
        vehicle="Dubai P 48213",
        carrier="Emirates Transport",
        escort_officer="Әлімжанов Е.",
        manifest_id="01a24a77-5767-7f01-bdf7-95dab05786d8",
        passengers=people,
    )
    path = render_manifest(data, tmp_path / "bus.pdf", second_language="kk")
    pages = PdfReader(path).pages
    assert len(pages) <= 3
    text = "\n".join(p.extract_text() for p in pages)
    assert "Signature" in pages[-1].extract_text() or "Қолы" in text
    assert "Receiving border post" in pages[-1].extract_text()  # signatures on the last page
    assert "Паспорт мерзімі өткен" in text and "Паспорт жоқ" in text and "Келісімі жоқ" in text
    flat = " ".join(text.split())  # a cell wraps its words
    assert flat.count("Латынша аты жоқ") == 2  # flagged on its line, and counted
    assert re.search(r"No Latin name / Латынша аты жоқ 1\b", flat), flat
    assert "1 (Bus / Автобус)" in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_column_headings_wrap_between_words_never_inside_one(tmp_path, language):
    from consuldesk.reports.common import labeller

    out = render_manifest(_data(KAZAKH_PASSENGERS), tmp_path / "m.pdf", second_language=language)
    heading_text = pages_text(out)[0]
    label = labeller(manifest_mod._LABELS, language)
    # "Жынысы", "Азаматтығы", "Гражданство", "Место" were split ("Ж / ынысы") over narrow columns.
    for key, _width in manifest_mod._COLUMNS:
        for word in label(key, " / ").split():
            assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", heading_text), (key, word)
    # Each heading's longest word fits its column at the size it is set in.
    st = manifest_mod._Styles(*register_fonts())
    headings = manifest_mod._heading(label, st)
    for (key, width), heading in zip(manifest_mod._COLUMNS, headings, strict=True):
        room = width - 2 * manifest_mod._HEAD_PAD
        for line in heading.text.split("\n"):
            assert stringWidth(line, st.heading.fontName, heading.size) <= room, (key, line)
        assert heading.size >= manifest_mod._HEADING_SIZES[-1]


def test_a_heading_word_too_long_for_any_size_breaks_with_a_hyphen():
    lines = manifest_mod._hyphenate(
        "Nationality /\nАзаматтығыАзаматтығы", register_fonts()[1], 6.8, 50
    )
    assert lines[0] == "Nationality /"
    assert all(line.endswith("-") for line in lines[1:-1]) and len(lines) > 2
    assert "".join(line.rstrip("-") for line in lines[1:]) == "АзаматтығыАзаматтығы"


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("n", [1, 8, 12, 16, 18, 35, 41, 44])
def test_the_signatures_never_stand_on_a_page_without_passengers(tmp_path, language, n):
    """Bus sizes whose totals and signatures once went over to a page of their own (ru 8–16,
    kk 9–18, and again a page later): a page that gets separated from the list at a border."""
    out = render_manifest(_data(_many(n)), tmp_path / "m.pdf", second_language=language)
    pages = pages_text(out)
    last = pages[-1]
    assert f"N{n:08d}" in last and f"N{max(1, n - 2):08d}" in last  # the last three passengers
    assert "Receiving border post" in last  # the signatures (the header names the escort too)
    assert all("Receiving border post" not in page for page in pages[:-1])
    everyone = " ".join(pages)
    assert all(f"N{i:08d}" in everyone for i in range(1, n + 1))


def test_a_long_surname_prints_whole_smaller_rather_than_broken_in_two(tmp_path):
    """ "BEKMUKHAMBET" and "OVA" on two lines read as two names to a border guard."""
    passengers = _many(3)
    passengers[1] = replace(passengers[1], surname_lat="BEKMUKHAMBETOVA")
    passengers[2] = replace(passengers[2], surname_lat="ABDIRAKHMANKYZY-BEKMUKHAMBETOVA")
    out = render_manifest(_data(passengers), tmp_path / "m.pdf", second_language="kk")
    text = pages_text(out)[0]
    words = text.split()
    assert "BEKMUKHAMBETOVA" in words  # whole, smaller
    assert "ABDIRAKHMANKYZY-" in words  # the double name broken after its hyphen only
    assert "BEKMUKHAMBET" not in words and "OVA" not in words


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_a_short_list_prints_on_one_page(tmp_path, language, n):
    """Five passengers printed two on a first page 70 % blank and three with the totals and
    signatures on a second (the header, the totals and the signatures left no room): a short
    list is set a little tighter and stays on one page."""
    people = [
        replace(p, problems=("passport_expired",) if i % 3 == 1 else ())
        for i, p in enumerate(_many(n))
    ]
    out = render_manifest(_data(people), tmp_path / "m.pdf", second_language=language)
    [page] = pages_text(out)
    assert all(f"N{i:08d}" in page for i in range(1, n + 1))
    assert "Receiving border post" in page


def test_the_totals_and_signatures_start_at_the_left_margin(tmp_path):
    """They are drawn from the table's first cell (a right-aligned number column once drew
    them off the page's left edge)."""
    out = render_manifest(_data(_many(12)), tmp_path / "m.pdf", second_language="kk")
    seen: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        for word in ("Totals", "Escort officer", "Receiving border post"):
            if text.startswith(word):
                seen[word] = tm[4] * cm[0] + cm[4]

    PdfReader(out).pages[-1].extract_text(visitor_text=visit)
    assert set(seen) == {"Totals", "Escort officer", "Receiving border post"}, seen
    assert all(x >= manifest_mod.MARGIN - 1 for x in seen.values()), seen


@pytest.mark.parametrize("n", [12, 19, 20, 22, 40])
def test_every_page_has_the_column_heading_once(tmp_path, n):
    """The last passengers and the signatures are a table of their own: under the heading when
    they start a page, joined to the rows above without one when they follow on the same page."""
    out = render_manifest(_data(_many(n)), tmp_path / "m.pdf", second_language="kk")
    pages = pages_text(out)
    assert len(pages) >= 2
    for text in pages:
        assert text.count("Boarded /") == 1, text
    numbers = [int(m) for text in pages for m in re.findall(r"N(\d{8})", text)]
    assert numbers == list(range(1, n + 1))  # every passenger once, in order
