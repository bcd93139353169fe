"""List exports are safe to open in a spreadsheet and import back exactly."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import text

from consuldesk.domain.enums import HouseholdKind, PresenceStatus, Sex
from consuldesk.domain.national import clean_national
from consuldesk.services.casefile import create_casefile
from consuldesk.services.households import create_household
from consuldesk.services.lists import EXPORT_COLUMNS, export_header, export_list, import_list
from consuldesk.services.lists.base import without_formula_guard
from consuldesk.services.lists.reading import read_list
from consuldesk.services.nationals import register_national
from tests.conftest import TODAY
from tests.factories import person, valid_iin

#: Values a spreadsheet would run as formulas (OWASP "CSV Injection"), with what an export must
#: show a spreadsheet: in a CSV an apostrophe in front, in an XLSX a text cell.
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "=1",
    "'=already quoted",
    "''+two apostrophes",
]

#: Every control character openpyxl refuses, CR, and literal escapes that readers would decode.
CONTROLS = (
    "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A))
    + " _x0041_ _x005F_ _x005f_x0042_ _x00e9_ __x0041_ _X0041_ _x004 a\r\nb\rc\t\n end"
)

#: Fields compared between case files (not the bookkeeping: ids, versions, source, stamps).
FIELDS = (
    "surname_cyr",
    "given_names_cyr",
    "patronymic_cyr",
    "surname_lat",
    "given_names_lat",
    "sex",
    "birth_date",
    "iin",
    "passport_no",
    "passport_expiry",
    "nationality",
    "phones",
    "email",
    "messenger",
    "host_country",
    "city",
    "address",
    "presence_status",
    "medical_condition",
    "mobility_needs",
    "pregnant",
    "notes",
)


# -- helpers -------------------------------------------------------------------------------


def count(desk, table: str) -> int:
    with desk.casefile.read() as session:
        return session.connection().exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


def table_rows(desk, table: str) -> list[dict]:
    """Every row of a table, all columns, in a stable order."""
    with desk.casefile.read() as session:
        result = session.connection().exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")
        return [dict(r._mapping) for r in result]


def fields_by_passport(desk) -> dict[str, dict]:
    return {r["passport_no"]: {f: r[f] for f in FIELDS} for r in table_rows(desk, "national")}


def tour_groups(desk) -> set[tuple[str, str | None, str]]:
    """(group name, tour operator, member's passport) for every live membership."""
    with desk.casefile.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT h.name, h.tour_operator, n.passport_no FROM household_member m"
            " JOIN household h ON h.id = m.household_id"
            " JOIN national n ON n.id = m.national_id"
            " WHERE m.deleted_at IS NULL AND h.deleted_at IS NULL"
        )
        return {tuple(r) for r in rows}


def set_columns(desk, national_id: str, **values: str) -> None:
    """Write values as an older ConsulDesk may have left them (no validation, no audit)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    with desk.casefile.write("older version") as tx:
        tx.session.execute(
            text(f"UPDATE national SET {assignments} WHERE id = :id"), {**values, "id": national_id}
        )


def other_casefile(tmp_path: Path):
    other = create_casefile(
        tmp_path / "other.consuldesk",
        post_code="QA-DOH",
        post_name="Doha",
        host_country="QA",
        officer="t",
    )
    other.today = lambda: TODAY
    return other


def csv_records(path: Path) -> list[dict[str, str]]:
    """The rows of an exported CSV, read as a spreadsheet-minded reader would: csv module."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def calamine_records(path: Path) -> list[dict[str, object]]:
    workbook = CalamineWorkbook.from_path(str(path))
    try:
        rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    finally:
        workbook.close()
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def header(column: str, lang: str = "en") -> str:
    return export_header(column, lang)


def register(desk, n: int, **overrides: object) -> str:
    """Register someone with passport ``N000000<n>``; returns the record's id."""
    return register_national(desk, person(passport_no=f"N{n:07d}", **overrides)).row.id


# -- formulas ------------------------------------------------------------------------------


@pytest.fixture
def hostile_desk(desk):
    """One person per formula, the formula in notes, address and messenger (as older data)."""
    for n, value in enumerate(FORMULAS, start=1):
        national_id = register(desk, n)
        set_columns(desk, national_id, notes=value, address=value, messenger=value)
    return desk


def test_csv_export_puts_an_apostrophe_before_every_formula(hostile_desk, tmp_path):
    target = tmp_path / "out.csv"
    assert export_list(hostile_desk, target, lang="en") == len(FORMULAS)

    records = {r[header("passport_no")]: r for r in csv_records(target)}
    assert len(records) == len(FORMULAS)
    for n, value in enumerate(FORMULAS, start=1):
        record = records[f"N{n:07d}"]
        for column in ("notes", "address", "messenger"):
            assert record[header(column)] == "'" + value, (column, value)
            assert without_formula_guard(record[header(column)]) == value
        # Phone numbers start with "+": guarded too (a spreadsheet would compute them).
        assert record[header("phones")] == "'+77012345678"
        # Nothing else is touched.
        assert record[header("city")] == "Dubai"
        assert record[header("birth_date")] == "04.03.1985"


def test_xlsx_export_writes_formulas_and_error_values_as_text_cells(hostile_desk, tmp_path):
    desk = hostile_desk
    extra = {"#N/A": register(desk, 90), "#REF!": register(desk, 91), "=": register(desk, 92)}
    for value, national_id in extra.items():
        set_columns(desk, national_id, notes=value)
    target = tmp_path / "out.xlsx"
    export_list(desk, target, lang="en")

    sheet = openpyxl.load_workbook(target).active
    head = [c.value for c in sheet[1]]
    at = {column: head.index(header(column)) for column in EXPORT_COLUMNS}
    cells = {row[at["passport_no"]].value: row for row in sheet.iter_rows(min_row=2)}
    values = {r[header("passport_no")]: r for r in calamine_records(target)}
    for n, value in enumerate(FORMULAS, start=1):
        passport = f"N{n:07d}"
        for column in ("notes", "address", "messenger"):
            cell = cells[passport][at[column]]
            assert cell.data_type == "s", (column, value, cell.data_type)
            assert cell.quotePrefix, (column, value)  # Excel keeps it text when edited
            got = values[passport][header(column)]
            if value.startswith("'"):
                # One apostrophe more, as in a CSV: the importer takes one off.
                assert got == "'" + value
            else:
                assert got == value  # no apostrophe needed in a text cell
            assert without_formula_guard(got) == value
        phones = cells[passport][at["phones"]]
        assert phones.data_type == "s" and phones.value == "+77012345678"
    for value in extra:
        passport = next(p for p, r in values.items() if r[header("notes")] == value)
        assert cells[passport][at["notes"]].data_type == "s", value
    # Ordinary text is left plain: no quote prefix on a name.
    assert not cells["N0000001"][at["surname"]].quotePrefix


# -- control characters, NUL, long text ----------------------------------------------------


def test_control_characters_survive_an_xlsx_export_exactly(desk, tmp_path):
    national_id = register(desk, 1)
    set_columns(desk, national_id, notes=CONTROLS, address="=" + CONTROLS, city="\x00\x01")
    target = tmp_path / "out.xlsx"

    export_list(desk, target, lang="ru")  # openpyxl alone raises IllegalCharacterError

    (record,) = calamine_records(target)
    assert record[header("notes", "ru")] == CONTROLS
    assert record[header("address", "ru")] == "=" + CONTROLS
    assert record[header("city", "ru")] == "\x00\x01"
    # The importer's reader gets the same text back.
    parsed = read_list(target)
    (row,) = [cells for _, cells in parsed.rows]
    assert row[parsed.headers.index(header("notes", "ru"))] == CONTROLS
    assert row[parsed.headers.index(header("address", "ru"))] == "=" + CONTROLS
    # Into the same case file: nothing changes (the record on file keeps what it holds).
    before = table_rows(desk, "national")
    again = import_list(desk, target)
    assert (again.created, again.updated, again.invalid) == (0, 0, 0), again.errors
    assert table_rows(desk, "national") == before

    # Imported, the value is what the domain keeps of it when typed in (it drops control
    # characters and folds line breaks): the escapes became characters again, not "_x0001_".
    other = other_casefile(tmp_path)
    try:
        report = import_list(other, target)
        assert (report.created, report.invalid) == (1, 0), report.errors
        (imported,) = table_rows(other, "national")
    finally:
        other.close()
    typed = clean_national(person(notes=CONTROLS, address="=" + CONTROLS), TODAY)
    assert imported["notes"] == typed.notes
    assert imported["address"] == typed.address
    assert "_x0041_ _x005F_ _x005f_x0042_ _x00e9_ __x0041_" in imported["notes"]


def test_csv_export_drops_nul_and_keeps_other_control_characters(desk, tmp_path):
    national_id = register(desk, 1)
    set_columns(desk, national_id, notes="a\x00b\x01c\x1fd\re", messenger="\x00=cmd")
    target = tmp_path / "out.csv"

    export_list(desk, target, lang="kk")

    assert b"\x00" not in target.read_bytes()
    (record,) = csv_records(target)
    assert record[header("notes", "kk")] == "ab\x01c\x1fd\re"
    assert record[header("messenger", "kk")] == "'=cmd"  # guarded once the NUL is gone
    report = import_list(desk, target)  # not refused as a binary file
    assert (report.created, report.updated, report.invalid) == (0, 0, 0), report.errors


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_note_of_200000_characters_is_exported_whole(desk, tmp_path, suffix):
    note = ("Ескерту: жолаушы ауруханада; _x0041_ " * 6000)[:199_999] + "."
    assert len(note) == 200_000
    register(desk, 1, notes=note)
    register(desk, 2, notes="=" + note[:-1])
    target = tmp_path / f"long{suffix}"
    before = table_rows(desk, "national")

    export_list(desk, target, lang="en")

    records = csv_records(target) if suffix == ".csv" else calamine_records(target)
    notes = {r[header("passport_no")]: r[header("notes")] for r in records}
    expected_formula = ("'=" if suffix == ".csv" else "=") + note[:-1]
    assert notes == {"N0000001": note, "N0000002": expected_formula}  # not cut at 32,767
    report = import_list(desk, target)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2), report.errors
    assert table_rows(desk, "national") == before
    other = other_casefile(tmp_path)
    try:
        import_list(other, target)
        assert fields_by_passport(other) == fields_by_passport(desk)
    finally:
        other.close()


# -- round trip ----------------------------------------------------------------------------


@pytest.fixture
def varied_desk(desk):
    """People whose values test every rule of an export, all valid as the domain saves them."""
    register(
        desk,
        1,
        notes='=HYPERLINK("http://x","y")',
        address="+cmd|' /C calc'!A0",
        messenger="@SUM(1+1)*cmd",
        medical_condition="-2+3",
        mobility_needs="#N/A",
        email="=x@example.com",
        phones=("+77012345678", "+971501234567"),
    )
    register(
        desk,
        2,
        surname_cyr="Өмірзақов",
        given_names_cyr="Нұрсұлтан",
        patronymic_cyr="Бауыржанұлы",
        surname_lat="OMIRZAKOV",
        given_names_lat="NURSULTAN",
        sex=Sex.MALE,
        birth_date=date(2005, 1, 2),
        iin=valid_iin(date(2005, 1, 2), Sex.MALE),  # starts with 0
        passport_expiry=date(2031, 5, 6),
        presence_status=PresenceStatus.IN_TRANSIT,
        notes="'=already quoted",
        address="''+two apostrophes",
        messenger="'plain apostrophe",
        medical_condition="code _x0041_ and _x005F_x0042_",
        mobility_needs="#REF!",
        city="-Dubai-",
    )
    register(
        desk,
        3,
        given_names_cyr="Әйгерім",
        pregnant=True,
        birth_date=date(1999, 9, 9),
        host_country="QA",
        city="Doha",
        notes="нужен переводчик; пересадка",
        phones=(),
    )
    group_member = register(desk, 4, surname_cyr="Ғабитова", surname_lat="GABITOVA")
    create_household(
        desk,
        "=Группа 15",
        HouseholdKind.TOUR_GROUP,
        tour_operator="+Kompas",
        member_ids=[group_member],
    )
    return desk


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imports_back_exactly(varied_desk, tmp_path, suffix, lang):
    desk = varied_desk
    target = tmp_path / f"export{suffix}"
    nationals_before = table_rows(desk, "national")
    households_before = table_rows(desk, "household")
    members_before = table_rows(desk, "household_member")
    audit_before = count(desk, "audit_event")

    assert export_list(desk, target, lang=lang) == 4
    audit_before += 1  # the export's own event: the import back adds none

    report = import_list(desk, target)
    assert (report.created, report.updated, report.invalid) == (0, 0, 0), report.errors
    assert report.unchanged == 4 and not report.warnings and report.needs_review == 0
    assert (report.groups_created, report.members_added) == (0, 0)
    assert table_rows(desk, "national") == nationals_before
    assert table_rows(desk, "household") == households_before
    assert table_rows(desk, "household_member") == members_before
    assert count(desk, "audit_event") == audit_before

    other = other_casefile(tmp_path)
    try:
        copied = import_list(other, target)
        assert (copied.created, copied.invalid, copied.needs_review) == (4, 0, 0), copied.errors
        assert fields_by_passport(other) == fields_by_passport(desk)
        assert tour_groups(other) == tour_groups(desk) == {("=Группа 15", "+Kompas", "N0000004")}
    finally:
        other.close()


# -- people under review -------------------------------------------------------------------

#: A list whose people are imported with something to review: an unknown country (set aside,
#: and the post's country is not put in its place), a phone that is no number, and a quote that
#: never closes (the whole row is to be checked).
LIST_UNDER_REVIEW = (
    "Фамилия;Surname;Имя;Given names;Паспорт;Дата рождения;Телефон;Страна;Примечание\n"
    "Ғабитов;GABITOV;Ғалым;GALYM;N5555555;07.07.1977;;Атлантида;\n"
    "Іскаков;ISKAKOV;Серік;SERIK;N4444444;05.06.1979;+7 (769) 956-13-89;ОАЭ;\n"
    '"Иванов;IVANOV;Пётр;PYOTR;N8888888;08.08.1988;;ОАЭ;\n'
    "Өмірбекова;OMIRBEKOVA;Гүлнұр;GULNUR;N2222222;12.03.1985;;ОАЭ;\n"
)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imported_back_leaves_what_is_under_review(desk, tmp_path, suffix):
    source = tmp_path / "operator.csv"
    source.write_text(LIST_UNDER_REVIEW, encoding="utf-8")
    first = import_list(desk, source)
    assert first.created == 4 and first.invalid == 0, first.errors
    nationals_before = table_rows(desk, "national")
    under_review = {r["passport_no"] for r in nationals_before if r["review"]}
    assert under_review == {"N5555555", "N4444444", "N8888888"}
    audit_before = count(desk, "audit_event")

    target = tmp_path / f"export{suffix}"
    assert export_list(desk, target) == 4

    report = import_list(desk, target)
    assert (report.created, report.updated, report.invalid) == (0, 0, 0), report.errors
    assert report.unchanged == 4
    assert table_rows(desk, "national") == nationals_before  # still to review, country empty
    assert count(desk, "audit_event") == audit_before + 1  # the export's own event


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_imported_back_settles_no_review_it_answers_as_on_file(desk, tmp_path, suffix):
    """The export gives every value as it stands, also those a review doubts (the sex the IIN
    says, against the list's; a surname whose brackets were dropped): imported back, that is
    no officer's answer, and the reviews stay open."""
    his_iin = valid_iin(date(1990, 2, 1), Sex.MALE)
    source = tmp_path / "operator.csv"
    source.write_text(
        "Фамилия;Имя;ИИН;Пол;Паспорт\n"
        f"Серікова;Айгүл;{his_iin};Ж;N6666666\n"
        "Иванов (ребёнок);Лев;;;N7777777\n",
        encoding="utf-8",
    )
    first = import_list(desk, source)
    assert first.created == 2 and first.needs_review == 2, first.warnings
    before = table_rows(desk, "national")
    target = tmp_path / f"export{suffix}"
    export_list(desk, target)
    report = import_list(desk, target)
    assert (report.updated, report.unchanged) == (0, 2)
    assert table_rows(desk, "national") == before  # both still to review


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_note_over_several_lines_keeps_its_lines_there_and_back(desk, tmp_path, suffix):
    """Notes were flattened to one line on save (the person card's own, and a list's cell
    written over lines): "Аллергия: пенициллин\\nЖолаушы ауруханада" read as one sentence."""
    note = "Аллергия: пенициллин.\r\nЖолаушы   ауруханада. \n\n\n\nҚызы: +7 701 111 22 33"
    register(desk, 1, notes=note)
    kept = "Аллергия: пенициллин.\nЖолаушы ауруханада.\n\nҚызы: +7 701 111 22 33"
    assert fields_by_passport(desk)["N0000001"]["notes"] == kept
    target = tmp_path / f"notes{suffix}"
    export_list(desk, target, lang="ru")
    other = other_casefile(tmp_path)
    try:
        import_list(other, target)
        assert fields_by_passport(other)["N0000001"]["notes"] == kept
    finally:
        other.close()
