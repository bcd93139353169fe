"""Tests of the boarding slips, read back from the PDF with pypdf."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from consuldesk.domain.scan import SLIP_PREFIX, slip_payload
from consuldesk.reports import slips as slips_mod
from consuldesk.reports.common import QR_BORDER, qr_matrix
from consuldesk.reports.slips import (
    QR_LEVEL,
    QR_SIZE,
    BoardingSlip,
    SlipTrip,
    render_boarding_slips,
    slip_pages,
)
from tests.unit.reports import pdfcheck
from tests.unit.reports.pdfcheck import (
    all_text,
    assert_failure_keeps_old_file,
    assert_only_bundled_font,
    pages_text,
)

TRIP = SlipTrip(**vars(pdfcheck.TRIP), trip_id="7f3a0c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")

KAZAKH_SLIPS = [
    BoardingSlip(
        entry_id="3f1c9a52-8d47-4b1e-9a6e-2c5d7f0b1e84",
        surname_lat="ABILKAIYR",
        given_names_lat="GALYMZHAN",
        name_cyr="Әбілқайыр Ғалымжан",
        passport_no="N12345678",
        seat="14",
        household="Әбілқайыр family",
        over_60=True,
    ),
    BoardingSlip(
        entry_id="a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
        surname_lat="NURSULTANOVA",
        given_names_lat="UMIT",
        name_cyr="Нұрсұлтанова Үміт Өтегенқызы",
        passport_no="N87654321",
        seat="15",
        minor=True,
        medical=True,
    ),
    BoardingSlip(
        entry_id="ffffffff-ffff-4fff-8fff-ffffffffffff",
        surname_lat="SHAKHIN & <SON>",
        given_names_lat="IRINA",
        name_cyr="Һашимова Ірина Ңағыз",
        passport_no="N00000001",
        seat="",
    ),
]


def _many(n: int) -> list[BoardingSlip]:
    return [
        BoardingSlip(
            entry_id=str(uuid.UUID(int=i)),
            surname_lat=f"ZHAKSYBEKOV{i}",
            given_names_lat="AIDOS",
            name_cyr=f"Жақсыбеков Айдос {i}",
            passport_no=f"N{i:08d}",
            seat=str(i),
            household=f"Household {i // 3}",
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_slip_content_and_kazakh_letters(tmp_path: Path, language: str) -> None:
    out = render_boarding_slips(
        TRIP,
        KAZAKH_SLIPS,
        tmp_path / "s.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    assert out == tmp_path / "s.pdf"
    text = all_text(out)
    for slip in KAZAKH_SLIPS:
        assert slip.name_cyr in text
        assert f"{slip.surname_lat} {slip.given_names_lat}" in text
        assert slip.passport_no in text
        assert slip.entry_id in text
    assert "Abu Dhabi → Muscat" in text
    assert "Hatta" in text and "AD 12345" in text
    assert "11.03.2026 06:30" in text
    assert "Operation Құс жолы" in text
    assert "14" in text and "15" in text
    assert "CHILD" in text and "60+" in text and "MED" in text
    page = {"ru": "Страница 1 из 1", "kk": "Бет 1 / 1"}[language]
    assert f"Page 1 of 1 / {page}" in text
    second = {"ru": "Посадочный талон", "kk": "Отырғызу талоны"}[language]
    assert f"Boarding slip / {second}" in text


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (8, 1), (9, 2), (16, 2), (17, 3)])
def test_eight_slips_per_page(tmp_path: Path, count: int, pages: int) -> None:
    assert slip_pages(count) == pages
    out = render_boarding_slips(TRIP, _many(count), tmp_path / "s.pdf")
    texts = pages_text(out)
    assert len(texts) == pages
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {pages}" in text
    # Slips keep their order: the ninth is the first on page 2.
    if count >= 9:
        assert "ZHAKSYBEKOV9 AIDOS" in texts[1]
        assert "ZHAKSYBEKOV8 AIDOS" in texts[0]


def test_only_bundled_font_is_embedded(tmp_path: Path) -> None:
    assert_only_bundled_font(render_boarding_slips(TRIP, _many(9), tmp_path / "s.pdf"))


def test_qr_payload_is_the_entry_id_only() -> None:
    entry_id = KAZAKH_SLIPS[0].entry_id
    assert SLIP_PREFIX == "CONSULDESK:SLIP:"
    assert slip_payload(entry_id) == f"CONSULDESK:SLIP:{entry_id}"
    assert uuid.UUID(slip_payload(entry_id).removeprefix(SLIP_PREFIX))


def test_qr_code_is_large_enough_for_a_cheap_scanner() -> None:
    modules = len(qr_matrix(slip_payload(str(uuid.uuid4())), QR_LEVEL))
    code = QR_SIZE * modules / (modules + 2 * QR_BORDER)  # without the quiet zone
    assert code >= 22 * mm


def test_no_slips_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no boarding slips"):
        render_boarding_slips(TRIP, [], tmp_path / "s.pdf")
    assert list(tmp_path.iterdir()) == []


def test_long_names_and_unknown_departure_still_print(tmp_path: Path) -> None:
    long = replace(
        KAZAKH_SLIPS[1],
        surname_lat="ZHAKSYBEKOVA-KASSYMZHOMARTOVA",
        given_names_lat="AIGERIM NURSULTANKYZY SHOLPAN",
        name_cyr="Жақсыбекова-Қасымжомартова Әйгерім Нұрсұлтанқызы Шолпан",
    )
    trip = replace(TRIP, departure=None, border_crossing="")
    out = render_boarding_slips(trip, [long], tmp_path / "s.pdf")
    text = all_text(out)
    assert "ZHAKSYBEKOVA-KASSYMZHOMARTOVA" in text
    assert "Әйгерім Нұрсұлтанқызы Шолпан" in text


def test_failure_during_render_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_failure_keeps_old_file(
        tmp_path / "s.pdf",
        monkeypatch,
        slips_mod._SlipCanvas,
        lambda target: render_boarding_slips(TRIP, KAZAKH_SLIPS, target),
    )


def test_rejects_unknown_second_language(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        render_boarding_slips(
            TRIP,
            KAZAKH_SLIPS,
            tmp_path / "s.pdf",
            second_language="de",  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", ["Паспорт мерзімі өткен", "Паспорт жоқ", "Келісімі жоқ"]),
        ("ru", ["Паспорт просрочен", "Нет паспорта", "Нет согласия"]),
    ],
)
def test_a_passenger_the_border_will_stop_is_marked_on_the_slip(
    tmp_path: Path, language: str, words: list[str]
) -> None:
    marked = [
        replace(KAZAKH_SLIPS[0], problems=("passport_expired",)),
        replace(KAZAKH_SLIPS[1], problems=("no_passport", "no_consent")),  # with CHILD and MED
        KAZAKH_SLIPS[2],
    ]
    out = render_boarding_slips(
        TRIP,
        marked,
        tmp_path / "s.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    text = all_text(out)
    expired, missing, consent = words
    # (a label too long for one band at full size is printed on two, one language on each)
    assert f"Passport expired {expired}" in text
    assert f"No passport / {missing}" in text
    assert f"No consent / {consent}" in text
    assert text.count("Passport expired") == 1  # only on the slip of the one it concerns
    assert "CHILD" in text and "MED" in text and marked[1].name_cyr in text
    assert len(pages_text(out)) == 1


def test_a_slip_prints_no_family_line_for_someone_travelling_alone(tmp_path: Path) -> None:
    """An empty "Family / group" label read as a family forgotten."""
    out = render_boarding_slips(TRIP, KAZAKH_SLIPS[:2], tmp_path / "s.pdf")
    text = all_text(out)
    assert text.count("Family / group") == 1  # the first slip's family, not the second's
    assert "Әбілқайыр family" in text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_problem_prints_at_the_same_size_on_a_slip(tmp_path: Path, language: str) -> None:
    """A problem whose two-language label was longer ("No name as in passport / Паспорттағы
    аты жоқ") was shrunk to the slip's width: the one the border stops for, printed smallest."""
    from pypdf import PdfReader

    from consuldesk.reports.common import LABELS, PROBLEMS

    marked = [
        replace(KAZAKH_SLIPS[0], entry_id=str(uuid.UUID(int=i + 1)), problems=(problem,))
        for i, problem in enumerate(PROBLEMS)
    ]
    out = render_boarding_slips(
        TRIP,
        marked,
        tmp_path / "s.pdf",
        second_language=language,  # type: ignore[arg-type]
    )
    sizes: dict[str, float] = {}
    no_passport = f"! No passport / {'Паспорт жоқ' if language == 'kk' else 'Нет паспорта'}"

    def seen(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes[text.strip()] = round(size * tm[3], 2)

    PdfReader(out).pages[0].extract_text(visitor_text=seen)
    problems = {t: s for t, s in sizes.items() if t.startswith("! ")}
    assert len(problems) == len(PROBLEMS), problems
    assert set(problems.values()) == {sizes[no_passport]}, problems
    for key in PROBLEMS:  # either language, at that size, whether on one band or two
        for words in (LABELS[key]["en"], LABELS[key][language]):
            lines = [t for t in sizes if words in t and not t.startswith("ID")]
            assert lines, (words, sizes)
            assert {sizes[line] for line in lines} == {sizes[no_passport]}, (words, sizes)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_slip_with_every_problem_keeps_its_vehicle_and_name_readable(
    tmp_path: Path, language: str
) -> None:
    """Four problems printed at full size, on two bands each, covered the vehicle line and
    shrank the name to 5 points: the problems go one band each where they fit (all at one
    readable size), the marks beside the seat number, and the rest stays above them."""
    from pypdf import PdfReader

    from consuldesk.reports.common import LABELS, PROBLEMS

    every = replace(
        KAZAKH_SLIPS[0],
        minor=True,
        medical=True,
        mobility=True,
        problems=tuple(p for p in PROBLEMS if p != "no_passport"),
    )
    out = render_boarding_slips(TRIP, [every], tmp_path / "s.pdf", second_language=language)  # type: ignore[arg-type]
    seen: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            seen.append((text.strip(), cm[5] + tm[5], size * tm[3]))

    PdfReader(out).pages[0].extract_text(visitor_text=visit)
    vehicle = next(y for text, y, _ in seen if text == TRIP.vehicle)
    second = {LABELS[p][language] for p in every.problems}
    bands = [(y, size) for text, y, size in seen if text.startswith("! ") or text in second]
    assert len([1 for text, *_ in seen if text.startswith("! ")]) == 4
    assert all(vehicle > y + size for y, size in bands)  # the vehicle above every band
    assert len({size for _, size in bands}) == 1 and bands[0][1] >= 6.5  # alike, readable
    name = next(size for text, _, size in seen if text.startswith(every.surname_lat))
    assert name >= 6  # was 5 points, behind the bands
