"""Tests for consuldesk.services.lists: registration-list import and export."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from unittest.mock import ANY

import openpyxl
import pytest
from sqlmodel import select

from consuldesk.domain.enums import HouseholdKind, PresenceStatus, Sex, Source
from consuldesk.messages import describe
from consuldesk.services import lists
from consuldesk.services.backups import backup_folder
from consuldesk.services.casefile import create_casefile
from consuldesk.services.desk import CancelFlag, Cancelled
from consuldesk.services.households import create_household
from consuldesk.services.lists import (
    ERROR_COLUMN,
    RESULT_COLUMN,
    ListError,
    export_list,
    import_list,
    read_list,
    recognise_header,
)
from consuldesk.services.nationals import (
    fields_of_row,
    get_national,
    history,
    register_national,
    search,
    update_national,
)
from consuldesk.store import cipher, db
from consuldesk.store.errors import CaseFileError
from consuldesk.store.models import AuditEvent
from tests.factories import person, valid_iin

# -- helpers -------------------------------------------------------------------------------

IIN_AIGERIM = valid_iin(date(1985, 3, 4), Sex.FEMALE)
IIN_NURSULTAN = valid_iin(date(1990, 7, 6), Sex.MALE)
IIN_ILIYAS = valid_iin(date(2005, 1, 2), Sex.MALE)  # starts with 0: spreadsheets drop it


def write_csv(
    path: Path, rows: list[list[str]], *, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def read_csv(path: Path, delimiter: str = ";") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def count(desk, table: str) -> int:
    with desk.casefile.read() as session:
        return session.connection().exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()


def nationals(desk) -> dict[str, dict]:
    """Live nationals by IIN (or surname when there is none), as plain dicts."""
    with desk.casefile.read() as session:
        result = session.connection().exec_driver_sql(
            "SELECT * FROM national WHERE deleted_at IS NULL"
        )
        rows = [dict(r._mapping) for r in result]
    return {r["iin"] or r["surname_cyr"] or r["surname_lat"]: r for r in rows}


RU_HEADER = [
    "№",
    "Фамилия",
    "Имя",
    "Отчество",
    "Фамилия (лат.)",
    "Имя (лат.)",
    "ИИН",
    "Номер паспорта",
    "Дата рождения",
    "Пол",
    "Телефон",
    "Страна",
    "Город",
]


def ru_row(
    n: int,
    surname: str,
    given: str,
    iin: str,
    born: str,
    sex: str,
    phone: str,
    *,
    patronymic: str = "",
    lat: tuple[str, str] = ("", ""),
    passport: str = "",
    country: str = "ОАЭ",
    city: str = "Дубай",
) -> list[str]:
    return [
        str(n),
        surname,
        given,
        patronymic,
        *lat,
        iin,
        passport,
        born,
        sex,
        phone,
        country,
        city,
    ]


@pytest.fixture
def kazakh_list(tmp_path) -> Path:
    """A UTF-8 (BOM) list with Russian headers and Kazakh names using every Kazakh letter."""
    return write_csv(
        tmp_path / "туристы.csv",
        [
            RU_HEADER,
            ru_row(
                1,
                "Қасымова",
                "Әйгерім",
                IIN_AIGERIM,
                "04.03.1985",
                "Ж",
                "8 701 234 56 78",
                lat=("KASSYMOVA", "AIGERIM"),
                passport="N12345678",
            ),
            ru_row(
                2,
                "Өмірзақов",
                "Нұрсұлтан",
                IIN_NURSULTAN,
                "1990-07-06",
                "М",
                "+7 (702) 555-12-34, 8 747 111 22 33",
                patronymic="Ғалымұлы",
                lat=("OMIRZAKOV", "NURSULTAN"),
            ),
            ru_row(
                3,
                "Үсенова",
                "Жиһан Іңкәр",
                "",
                "12/11/1979",
                "жен",
                "+971 50 123 4567",
                city="Абу-Даби",
            ),
        ],
    )


# -- import: formats -----------------------------------------------------------------------


def test_utf8_bom_russian_headers_kazakh_names_are_imported_and_searchable(desk, kazakh_list):
    report = import_list(desk, kazakh_list)

    assert (report.created, report.updated, report.unchanged, report.invalid) == (3, 0, 0, 0)
    assert report.total_rows == 3
    assert report.encoding == "utf-8-sig" and report.delimiter == ";"
    assert report.review_file is None
    assert not (kazakh_list.parent / "туристы.review.csv").exists()
    mapping = {m.header: m.field for m in report.mapping}
    assert mapping["Фамилия"] == "surname" and mapping["Фамилия (лат.)"] == "surname_lat"
    assert mapping["ИИН"] == "iin" and mapping["Пол"] == "sex" and mapping["№"] is None
    assert report.changes.created["national"]

    people = nationals(desk)
    aigerim = people[IIN_AIGERIM]
    assert aigerim["surname_cyr"] == "Қасымова" and aigerim["given_names_cyr"] == "Әйгерім"
    assert aigerim["surname_lat"] == "KASSYMOVA" and aigerim["passport_no"] == "N12345678"
    assert aigerim["birth_date"] == "1985-03-04" and aigerim["sex"] == "F"
    assert aigerim["phones"] == '["+77012345678"]'
    assert aigerim["host_country"] == "AE" and aigerim["city"] == "Dubai"  # canonical name
    assert aigerim["source"] == Source.LIST_IMPORT.value and aigerim["source_ref"] == "туристы.csv"
    nursultan = people[IIN_NURSULTAN]
    assert nursultan["patronymic_cyr"] == "Ғалымұлы"
    assert nursultan["phones"] == '["+77025551234", "+77471112233"]'
    usenova = people["Үсенова"]
    assert usenova["given_names_cyr"] == "Жиһан Іңкәр" and usenova["birth_date"] == "1979-11-12"

    assert [r.iin for r in search(desk, "Нұрсұлтан").rows] == [IIN_NURSULTAN]
    assert [r.iin for r in search(desk, "Нурсултан").rows] == [IIN_NURSULTAN]  # Russian keyboard
    assert [r.surname_cyr for r in search(desk, "Іңкәр").rows] == ["Үсенова"]
    assert [r.iin for r in search(desk, IIN_AIGERIM).rows] == [IIN_AIGERIM]
    assert [r.iin for r in search(desk, "87012345678").rows] == [IIN_AIGERIM]


def test_windows_1251_with_semicolons_and_full_name_column(desk, tmp_path):
    path = write_csv(
        tmp_path / "посольство.csv",
        [
            ["ФИО", "Дата рождения", "Паспорт", "Телефон", "Примечание"],
            ["Иванов Сергей Петрович", "01.02.1970", "N0001234", "87011112233", "диабет, инсулин"],
            ["Петрова Мария", "15.05.1988", "N0004321", "", ""],
        ],
        encoding="cp1251",
    )
    report = import_list(desk, path)

    assert report.encoding == "cp1251" and report.delimiter == ";"
    assert report.created == 2 and report.invalid == 0
    people = nationals(desk)
    ivanov = people["Иванов"]
    assert (ivanov["given_names_cyr"], ivanov["patronymic_cyr"]) == ("Сергей", "Петрович")
    assert ivanov["notes"] == "диабет, инсулин" and ivanov["passport_no"] == "N0001234"
    assert people["Петрова"]["given_names_cyr"] == "Мария"
    assert people["Петрова"]["patronymic_cyr"] is None


def test_kazakh_headers_comma_delimited(desk, tmp_path):
    path = write_csv(
        tmp_path / "тізім.csv",
        [
            [
                "Тегі",
                "Аты",
                "Әкесінің аты",
                "ЖСН",
                "Туған күні",
                "Жынысы",
                "Ұялы телефон",
                "Ел",
                "Қала",
                "Мекенжай",
                "Жүктілік",
                "Ескертпе",
            ],
            [
                "Қасымова",
                "Әйгерім",
                "",
                IIN_AIGERIM,
                "04.03.1985",
                "Әйел",
                "8 701 234 56 78",
                "БАӘ",
                "Дубай",
                "Rixos, 1204",
                "иә",
                "жоқ",
            ],
            [
                "Өмірзақов",
                "Нұрсұлтан",
                "Ғалымұлы",
                IIN_NURSULTAN,
                "06.07.1990",
                "Ер",
                "",
                "Біріккен Араб Әмірліктері",
                "Шарджа",
                "",
                "жоқ",
                "",
            ],
        ],
        encoding="utf-8",
        delimiter=",",
    )
    report = import_list(desk, path)

    assert report.encoding == "utf-8" and report.delimiter == ","
    assert report.created == 2 and report.invalid == 0, report.errors
    fields = [m.field for m in report.mapping]
    assert fields == [
        "surname",
        "given_names",
        "patronymic",
        "iin",
        "birth_date",
        "sex",
        "phones",
        "host_country",
        "city",
        "address",
        "pregnant",
        "notes",
    ]
    people = nationals(desk)
    assert people[IIN_AIGERIM]["pregnant"] == 1 and people[IIN_AIGERIM]["host_country"] == "AE"
    assert people[IIN_AIGERIM]["address"] == "Rixos, 1204"
    assert people[IIN_NURSULTAN]["sex"] == "M" and people[IIN_NURSULTAN]["pregnant"] == 0


def test_xlsx_with_title_row_date_cells_and_numeric_iin(desk, tmp_path):
    path = tmp_path / "group.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Empty"  # the first sheet has no data: the next one is read
    sheet = workbook.create_sheet("Tourists")
    sheet.append(["Список туристов, группа 15"])
    sheet.append(
        ["Surname", "Name", "IIN", "Date of birth", "Passport No", "Valid until", "Sex", "Phone"]
    )
    sheet.append(
        [
            "KASSYMOVA",
            "AIGERIM",
            int(IIN_AIGERIM),
            datetime(1985, 3, 4),
            "N12345678",
            datetime(2030, 1, 31),
            "F",
            77012345678,
        ]
    )
    sheet.append([])
    sheet.append(
        [
            "ABENOV",
            "ILIYAS",
            int(IIN_ILIYAS),
            datetime(2005, 1, 2),
            "N7654321",
            None,
            "M",
            87017654321.0,
        ]
    )
    sheet.append(["TOLEUOV", "ARMAN", 123456789012, datetime(1990, 1, 1), None, None, "M", None])
    workbook.save(path)

    report = import_list(desk, path)

    assert report.format == "xlsx" and report.encoding is None
    # TOLEUOV's IIN fails its check digit: he is imported without it, for review.
    assert report.created == 3 and report.invalid == 0 and report.needs_review == 1
    assert [(e.line, e.field, e.kind) for e in report.warnings] == [(6, "iin", "set_aside")]
    people = nationals(desk)
    assert len(IIN_ILIYAS) == 12 and IIN_ILIYAS.startswith("0")
    iliyas = people[IIN_ILIYAS]  # the leading zero is back
    assert (iliyas["surname_lat"], iliyas["given_names_lat"]) == ("ABENOV", "ILIYAS")
    assert iliyas["birth_date"] == "2005-01-02" and iliyas["phones"] == '["+77017654321"]'
    assert people[IIN_AIGERIM]["passport_expiry"] == "2030-01-31"
    assert people[IIN_AIGERIM]["phones"] == '["+77012345678"]'
    review_file = tmp_path / "group.review.csv"
    rows = read_csv(review_file)  # XLSX sources give a ;-separated review file
    assert rows[0][-3:] == ["ConsulDesk ID", RESULT_COLUMN, ERROR_COLUMN]
    assert rows[1][:4] == ["TOLEUOV", "ARMAN", "123456789012", "01.01.1990"]
    toleuov = next(r for r in people.values() if r["surname_lat"] == "TOLEUOV")
    assert rows[1][-3] == toleuov["id"] and toleuov["iin"] is None


def test_utf16_with_bom_tab_delimited(desk, tmp_path):
    path = tmp_path / "unicode.txt"  # Excel's "Unicode text"
    text = "Фамилия\tИмя\tИИН\r\nҚасымова\tӘйгерім\t" + IIN_AIGERIM + "\r\n"
    path.write_bytes(text.encode("utf-16"))
    report = import_list(desk, path)
    assert (report.encoding, report.delimiter, report.created) == ("utf-16", "\t", 1)


def test_the_review_file_of_a_tab_list_is_a_csv_excel_splits(desk, tmp_path):
    path = tmp_path / "unicode.txt"
    text = "Фамилия\tИмя\tДата рождения\r\nҚасымова\tӘйгерім\t31.02.1990\r\n"
    path.write_bytes(text.encode("utf-16"))
    report = import_list(desk, path)
    assert report.review_file is not None and report.review_file.suffix == ".csv"
    header = report.review_file.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "\t" not in header and header.startswith("Фамилия;Имя;Дата рождения;")
    again = import_list(desk, report.review_file)  # and it reads back
    assert (again.created, again.invalid) == (0, 0)


# -- import: invalid rows and the error file -----------------------------------------------


def test_doubtful_values_are_set_aside_and_the_corrected_review_file_settles_them(desk, tmp_path):
    bad_checksum = IIN_NURSULTAN[:11] + str((int(IIN_NURSULTAN[11]) + 1) % 10)
    path = write_csv(
        tmp_path / "list.csv",
        [
            RU_HEADER,
            ru_row(1, "Қасымова", "Әйгерім", IIN_AIGERIM, "04.03.1985", "Ж", "87012345678"),
            ru_row(2, "Өмірзақов", "Нұрсұлтан", bad_checksum, "06.07.1990", "М", ""),
            ru_row(3, "Иванов", "Иван", "", "31.02.1990", "М", ""),
            ru_row(4, "Петрова", "Мария", "", "01.01.1980", "Ж", "12345, +77015554433"),
            ru_row(5, "Сидоров", "Пётр", "", "01.01.1970", "М", "+77015554434"),
        ],
    )
    report = import_list(desk, path)

    # Everyone is kept; three people without the value that was wrong, marked for review.
    assert (report.created, report.invalid, report.total_rows) == (5, 0, 5)
    assert report.needs_review == 3 and report.errors == []
    assert [(e.line, e.field, e.code, e.kind) for e in report.warnings] == [
        (3, "iin", "iin.checksum", "set_aside"),
        (4, "birth_date", "date.invalid", "set_aside"),
        (5, "phones", "phone.invalid", "set_aside"),
    ]
    assert report.warnings[0].params == {
        "expected": int(IIN_NURSULTAN[11]),
        "got": int(bad_checksum[11]),
    }
    assert report.warnings[0].value == bad_checksum and report.warnings[2].value == "12345"
    assert all(e.message for e in report.warnings)
    people = nationals(desk)
    nursultan, ivan, maria = people["Өмірзақов"], people["Иванов"], people["Петрова"]
    assert nursultan["iin"] is None and nursultan["birth_date"] == "1990-07-06"
    assert ivan["birth_date"] is None
    assert maria["phones"] == '["+77015554433"]'  # the valid number of the same cell stays
    review = json.loads(nursultan["review"])
    assert review == [
        {
            "field": "iin",
            "code": "iin.checksum",
            "value": bad_checksum,
            "params": report.warnings[0].params,
            "source": "list.csv",
            "line": 3,
        }
    ]
    assert people[IIN_AIGERIM]["review"] is None and people["Сидоров"]["review"] is None

    assert report.review_file == tmp_path / "list.review.csv"
    raw = report.review_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = read_csv(report.review_file)
    assert rows[0] == [*RU_HEADER, "ConsulDesk ID", RESULT_COLUMN, ERROR_COLUMN]
    assert [r[1] for r in rows[1:]] == ["Өмірзақов", "Иванов", "Петрова"]
    assert [r[-3] for r in rows[1:]] == [nursultan["id"], ivan["id"], maria["id"]]
    assert all(r[-2] == "imported, to review" and r[-1] for r in rows[1:])
    assert not list(tmp_path.glob(".*.tmp"))

    # The officer corrects the three rows in the review file and imports it.
    rows[1][6] = IIN_NURSULTAN
    rows[2][8] = "28.02.1990"
    rows[3][10] = "+7 701 765 43 21, +77015554433"
    write_csv(report.review_file, rows)
    again = import_list(desk, report.review_file)
    assert (again.created, again.updated, again.invalid, again.review_file) == (0, 3, 0, None)
    assert again.needs_review == 0
    assert next(m for m in again.mapping if m.header == ERROR_COLUMN).note == (
        "ignored: error column"
    )
    people = nationals(desk)
    assert count(desk, "national") == 5
    assert people[IIN_NURSULTAN]["review"] is None
    assert people["Иванов"]["birth_date"] == "1990-02-28" and people["Иванов"]["review"] is None
    assert people["Петрова"]["phones"] == '["+77015554433", "+77017654321"]'
    assert not (tmp_path / "list.review.review.csv").exists()

    # The original list again (the tour operator sends it every day): what the officer
    # corrected stays corrected, and the values the officer dealt with stay quiet, Мария's
    # wrong phone number beside her good one too.
    report = import_list(desk, path)
    assert (report.created, report.updated, report.unchanged, report.invalid) == (0, 0, 5, 0)
    assert report.needs_review == 0 and not report.warnings
    people = nationals(desk)
    assert not [p for p in people.values() if p["review"]]
    assert people["Петрова"]["phones"] == '["+77015554433", "+77017654321"]'

    # A new wrong number for her is another matter: set aside, and so is one for Сидоров.
    rows = [RU_HEADER, ru_row(4, "Петрова", "Мария", "", "01.01.1980", "Ж", "123456")]
    rows.append(ru_row(5, "Сидоров", "Пётр", "", "01.01.1970", "М", "12345"))
    report = import_list(desk, write_csv(tmp_path / "next.csv", rows))
    assert report.needs_review == 2 and report.updated == 2
    assert sorted(
        json.loads(p["review"])[0]["value"] for p in nationals(desk).values() if p["review"]
    ) == ["12345", "123456"]


def test_a_list_without_errors_leaves_an_earlier_error_file_alone(desk, kazakh_list):
    # The officer may still be correcting it: removing it would lose the corrections.
    earlier = kazakh_list.parent / "туристы.review.csv"
    earlier.write_text("corrections in progress", encoding="utf-8")
    report = import_list(desk, kazakh_list)
    assert report.invalid == 0 and report.review_file is None
    assert earlier.read_text(encoding="utf-8") == "corrections in progress"


STAMP = datetime(2026, 11, 22, 9, 30, 5)


def bad_list(path: Path) -> Path:
    """A list whose second row names no one (refused) and whose third has a date that does not
    exist (set aside: the person is imported for review)."""
    return write_csv(
        path,
        [
            RU_HEADER,
            ru_row(1, "Қасымова", "Әйгерім", IIN_AIGERIM, "04.03.1985", "Ж", "87012345678"),
            ru_row(2, "", "Иван", "", "01.01.1990", "М", ""),
            ru_row(3, "Петрова", "Мария", "", "31.02.1980", "Ж", ""),
        ],
    )


def test_a_review_file_being_corrected_is_never_overwritten(desk, tmp_path, monkeypatch):
    monkeypatch.setattr(lists.review_file, "_now", lambda: STAMP)
    reg = bad_list(tmp_path / "reg.csv")
    first = import_list(desk, reg)
    assert first.review_file == tmp_path / "reg.review.csv"
    assert (first.created, first.invalid, first.needs_review) == (2, 1, 1)
    assert [r[-2] for r in read_csv(first.review_file)[1:]] == [
        "not imported",
        "imported, to review",
    ]

    # The officer corrects one row in reg.review.csv but does not import it yet...
    rows = read_csv(first.review_file)
    rows[1][1] = "Иванов"
    write_csv(first.review_file, rows)
    corrected = first.review_file.read_bytes()

    # ... and the tour operator resends reg.csv, which is imported again.
    second = import_list(desk, reg)
    assert (second.invalid, second.unchanged) == (1, 2)
    assert second.review_file == tmp_path / "reg.review-20261122-093005.csv"
    assert first.review_file.read_bytes() == corrected
    assert len(read_csv(second.review_file)) == 3

    # The corrected file still has one row to review: it goes to a new file named after
    # reg.csv, never reg.review.review.csv, and neither the imported file nor the other one
    # is touched.
    third = import_list(desk, first.review_file)
    assert (third.created, third.invalid, third.unchanged) == (1, 0, 1)
    assert third.review_file == tmp_path / "reg.review-20261122-093005-2.csv"
    assert [r[1] for r in read_csv(third.review_file)[1:]] == ["Петрова"]
    assert first.review_file.read_bytes() == corrected
    assert len(read_csv(second.review_file)) == 3
    assert not list(tmp_path.glob("*.review.review*")) and not list(tmp_path.glob(".*.tmp"))

    # Fixing the last row in its own review file and importing that: nothing more is written.
    rows = read_csv(third.review_file)
    rows[1][8] = "28.02.1980"
    write_csv(third.review_file, rows)
    fourth = import_list(desk, third.review_file)
    assert (fourth.created, fourth.updated, fourth.invalid, fourth.review_file) == (0, 1, 0, None)
    assert third.review_file.exists() and first.review_file.read_bytes() == corrected
    assert nationals(desk)["Петрова"]["birth_date"] == "1980-02-28"
    assert all(r["review"] is None for r in nationals(desk).values())


def test_an_error_file_name_taken_while_importing_is_not_overwritten(desk, tmp_path, monkeypatch):
    reg = bad_list(tmp_path / "reg.csv")
    monkeypatch.setattr(lists.review_file, "_now", lambda: STAMP)
    real_write = lists.review_file._write_review_file

    def write_then_officer_saves(target, parsed, errors):
        tmp = real_write(target, parsed, errors)
        target.write_text("saved by the officer meanwhile", encoding="utf-8")
        return tmp

    monkeypatch.setattr(lists.review_file, "_write_review_file", write_then_officer_saves)
    report = import_list(desk, reg)
    assert report.review_file == tmp_path / "reg.review-20261122-093005.csv"
    assert (tmp_path / "reg.review.csv").read_text(encoding="utf-8").startswith("saved by")


def test_an_error_file_asked_for_is_written_there_even_if_it_exists(desk, tmp_path):
    reg = bad_list(tmp_path / "reg.csv")
    asked = tmp_path / "mine.csv"
    asked.write_text("old", encoding="utf-8")
    report = import_list(desk, reg, review_file=asked)
    assert report.review_file == asked and len(read_csv(asked)) == 3  # header and two rows
    assert not (tmp_path / "reg.review.csv").exists()


def test_value_errors_of_sex_status_and_yes_no(desk, tmp_path):
    path = write_csv(
        tmp_path / "values.csv",
        [
            ["Фамилия", "Имя", "Пол", "Статус", "Беременность", "Гражданство"],
            ["Иванова", "Анна", "жен.", "В отеле", "да, 20 недель", "Казахстан"],
            ["Петров", "Иван", "мж", "где-то", "может быть", "Марс"],
            ["Сидоров", "Пётр", "Ер", "Эвакуирован", "", "KAZ"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid, report.needs_review) == (3, 0, 1)
    assert sorted((e.line, e.code, e.field, e.value) for e in report.warnings) == [
        (3, "country.unknown", "nationality", "Марс"),
        (3, "list.sex", "sex", "мж"),
        (3, "list.status", "presence_status", "где-то"),
        (3, "list.yes_no", "pregnant", "может быть"),
    ]
    people = nationals(desk)
    assert people["Иванова"]["presence_status"] == PresenceStatus.IN_HOTEL.value
    assert people["Иванова"]["pregnant"] == 1 and people["Иванова"]["nationality"] == "KAZ"
    assert people["Сидоров"]["presence_status"] == PresenceStatus.EVACUATED.value


def test_duplicate_iin_or_passport_within_the_file_is_an_invalid_row(desk, tmp_path):
    path = write_csv(
        tmp_path / "dupes.csv",
        [
            RU_HEADER,
            ru_row(1, "Қасымова", "Әйгерім", IIN_AIGERIM, "", "", "", passport="N1111111"),
            ru_row(2, "Өмірзақов", "Нұрсұлтан", IIN_NURSULTAN, "", "", ""),
            ru_row(3, "Қасымова", "Әйгерім", IIN_AIGERIM, "", "", ""),
            ru_row(4, "Иванов", "Иван", "", "", "", "", passport="n 1111111"),
        ],
    )
    report = import_list(desk, path)
    # Line 4 is Әйгерім again: read into line 2. Line 5 gives her passport to someone else.
    assert (report.created, report.unchanged, report.invalid) == (2, 1, 1)
    assert [(e.line, e.field, e.code, e.params) for e in report.errors] == [
        (
            5,
            "passport_no",
            "list.duplicate_row",
            {"line": 2, "value": "N1111111", "name": "Қасымова Әйгерім"},
        ),
    ]
    assert [(e.line, e.code, e.kind) for e in report.warnings] == [(4, "list.repeat_row", "note")]


def test_two_namesakes_on_one_passport_are_told_apart_by_birth_date(desk, tmp_path):
    path = write_csv(
        tmp_path / "namesakes.csv",
        [
            ["Фамилия", "Имя", "Паспорт", "Дата рождения"],
            ["Досов", "Арман", "N3131313", "10.10.1991"],
            ["Досов", "Арман", "N3131313", "11.10.1991"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid) == (1, 1)
    (error,) = report.errors
    assert (error.line, error.code) == (3, "list.duplicate_row")
    assert error.params["name"] == "Досов Арман, 10.10.1991"
    assert "for another person (Досов Арман, 10.10.1991)" in error.message


# -- import: records on file ---------------------------------------------------------------


def test_reimporting_the_same_list_changes_nothing(desk, kazakh_list):
    first = import_list(desk, kazakh_list)
    assert first.created == 3
    before = (
        count(desk, "national"),
        count(desk, "audit_event"),
        count(desk, "duplicate_candidate"),
    )

    again = import_list(desk, kazakh_list)

    assert (again.created, again.updated, again.unchanged, again.invalid) == (0, 0, 3, 0)
    assert not again.changes
    after = (
        count(desk, "national"),
        count(desk, "audit_event"),
        count(desk, "duplicate_candidate"),
    )
    assert after == before


def test_the_records_a_list_creates_are_audited_by_one_event_for_the_import(desk, kazakh_list):
    report = import_list(desk, kazakh_list)

    created = report.changes.created["national"]
    with desk.casefile.read() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.table_name == "national")).all()
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.officer, event.record_id) == ("import", desk.officer, event.id)
    digest = hashlib.sha256(kazakh_list.read_bytes()).hexdigest()
    assert event.changes == {"file": kazakh_list.name, "sha256": digest, "created": ANY}
    assert sorted(event.changes["created"]) == sorted(created)

    # Each record's history starts with its registration by the import, with the values it
    # was created with (not the ones it has now) and the list's digest; a later edit keeps its
    # old -> new values.
    record_id = sorted(created)[0]
    row = get_national(desk, record_id)
    assert row.city and row.city != "Sharjah"
    update_national(desk, record_id, fields_of_row(row).replace(city="Sharjah"))
    registered, edited = history(desk, record_id)
    assert registered.action == "create"
    assert registered.changes["city"] == [None, row.city]
    assert registered.changes["surname_cyr"] == [None, row.surname_cyr]
    assert registered.changes["source_ref"] == [None, kazakh_list.name]
    assert registered.changes["list_sha256"] == [None, digest]
    assert (edited.action, edited.changes) == ("update", {"city": [row.city, "Sharjah"]})


def test_a_record_on_file_gets_its_empty_fields_filled(desk, tmp_path):
    existing = register_national(
        desk, person(iin=IIN_AIGERIM, phones=(), city="Abu Dhabi", email=None)
    ).row
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["ИИН", "Фамилия", "Телефон", "Эл. почта", "Город", "Отчество"],
            [
                IIN_AIGERIM,
                "Қасымова",
                "8 701 999 88 77",
                "Aigerim@Example.kz",
                "Dubai",
                "Серікқызы",
            ],
        ],
    )
    audit_before = count(desk, "audit_event")
    report = import_list(desk, path)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert report.changes.updated["national"] == {existing.id}
    row = get_national(desk, existing.id)
    assert row.phones == ("+77019998877",) and row.email == "aigerim@example.kz"
    assert row.patronymic_cyr == "Серікқызы"
    assert row.city == "Abu Dhabi"  # not empty: kept
    assert row.source == Source.WALK_IN.value  # provenance kept
    assert count(desk, "audit_event") == audit_before + 1
    assert count(desk, "national") == 1

    again = import_list(desk, path)
    assert (again.updated, again.unchanged) == (0, 1)


def test_rows_without_iin_or_passport_match_by_name_and_birth_date(desk, tmp_path):
    register_national(desk, person(surname_lat=None, given_names_lat=None))
    path = write_csv(
        tmp_path / "names.csv",
        [
            ["Фамилия", "Имя", "Дата рождения", "Телефон"],
            ["Қасымова", "Әйгерім", "04.03.1985", "+77015550000"],  # on file: unchanged
            ["Қасымова", "Әйгерім", "05.03.1985", ""],  # another birth date: new
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.updated) == (1, 1)  # the phone is added to the record
    with desk.casefile.read() as session:
        phones = session.connection().exec_driver_sql(
            "SELECT phones FROM national WHERE birth_date = '1985-03-04'"
        )
        assert json.loads(phones.scalar_one()) == ["+77012345678", "+77015550000"]


def test_new_records_similar_to_records_on_file_are_flagged(desk, tmp_path):
    on_file = register_national(desk, person(surname_cyr=None, given_names_cyr=None)).row
    path = write_csv(
        tmp_path / "similar.csv",
        [
            ["Фамилия", "Имя", "ИИН"],
            ["Қасымова", "Әйгерім", IIN_AIGERIM],  # born 04.03.1985 like the record on file
            ["Kasymova", "Aigerim", valid_iin(date(1985, 3, 4), Sex.FEMALE, serial=200)],
        ],
    )
    report = import_list(desk, path)
    assert report.created == 2
    # each new one with the record on file (it has no IIN); not with each other: their IINs differ
    assert report.flagged_duplicates == 2
    with desk.casefile.read() as session:
        pairs = (
            session.connection()
            .exec_driver_sql("SELECT national_a_id, national_b_id FROM duplicate_candidate")
            .all()
        )
    assert sum(on_file.id in pair for pair in pairs) == 2
    assert all(a < b for a, b in pairs)


def test_passport_of_one_record_and_iin_of_another_is_a_conflict(desk, tmp_path):
    register_national(desk, person(iin=IIN_AIGERIM, passport_no="N1111111"))
    other = person(
        surname_cyr="Өмірзақов",
        given_names_cyr="Нұрсұлтан",
        surname_lat="OMIRZAKOV",
        given_names_lat="NURSULTAN",
        sex=Sex.MALE,
        birth_date=None,
        iin=IIN_NURSULTAN,
        passport_no="N2222222",
    )
    register_national(desk, other)
    path = write_csv(
        tmp_path / "conflict.csv",
        [["Фамилия", "ИИН", "Паспорт"], ["Қасымова", IIN_AIGERIM, "N2222222"]],
    )
    report = import_list(desk, path)
    assert report.invalid == 1 and report.errors[0].code == "list.match_conflict"
    assert report.errors[0].field == "passport_no"


def test_tour_groups_are_created_once_with_their_members(desk, tmp_path):
    path = write_csv(
        tmp_path / "groups.csv",
        [
            ["Фамилия", "Имя", "ИИН", "Туроператор", "Группа"],
            ["Қасымова", "Әйгерім", IIN_AIGERIM, "Kompas", "Группа 15"],
            ["Өмірзақов", "Нұрсұлтан", IIN_NURSULTAN, "Kompas", "группа  15"],
            ["Иванов", "Иван", "", "Anex", "Группа 15"],
            ["Петров", "Пётр", "", "", ""],
        ],
    )
    report = import_list(desk, path)
    assert (report.groups_created, report.members_added) == (2, 3)
    with desk.casefile.read() as session:
        groups = (
            session.connection()
            .exec_driver_sql(
                "SELECT name, kind, tour_operator, (SELECT count(*) FROM household_member m "
                "WHERE m.household_id = h.id) FROM household h ORDER BY tour_operator"
            )
            .all()
        )
    assert [tuple(g) for g in groups] == [
        ("Группа 15", HouseholdKind.TOUR_GROUP.value, "Anex", 1),
        ("Группа 15", HouseholdKind.TOUR_GROUP.value, "Kompas", 2),
    ]
    again = import_list(desk, path)
    assert (again.groups_created, again.members_added, again.unchanged) == (0, 0, 4)
    assert count(desk, "household_member") == 3


def test_tour_operator_source_when_asked(desk, kazakh_list):
    import_list(desk, kazakh_list, source=Source.TOUR_OPERATOR)
    assert {r["source"] for r in nationals(desk).values()} == {Source.TOUR_OPERATOR.value}


# -- dry run, cancel, locked case file -----------------------------------------------------


def test_dry_run_counts_but_writes_nothing(desk, tmp_path, kazakh_list):
    rows = read_csv(kazakh_list)
    rows.append(ru_row(4, "Иванов", "Иван", "", "31.02.1990", "М", ""))
    write_csv(kazakh_list, rows)
    before = (count(desk, "national"), count(desk, "audit_event"))

    report = import_list(desk, kazakh_list, dry_run=True)

    assert report.dry_run and (report.created, report.invalid, report.needs_review) == (4, 0, 1)
    assert [e.line for e in report.warnings] == [5]
    assert report.review_file is None and not (tmp_path / "туристы.review.csv").exists()
    assert not report.changes
    assert (count(desk, "national"), count(desk, "audit_event")) == before

    asked = tmp_path / "check.csv"
    report = import_list(desk, kazakh_list, dry_run=True, review_file=asked)
    assert report.review_file == asked and len(read_csv(asked)) == 2
    assert count(desk, "national") == 0


def test_cancel_commits_nothing(desk, kazakh_list):
    flag = CancelFlag()
    labels = []

    def progress(done, total, label):
        labels.append(label)
        if label == "list.save":
            flag.cancel()

    with pytest.raises(Cancelled):
        import_list(desk, kazakh_list, progress=progress, cancel=flag)
    assert "list.check" in labels and "list.save" in labels
    assert count(desk, "national") == 0 and count(desk, "audit_event") == 1  # the post only
    assert not (kazakh_list.parent / "туристы.review.csv").exists()


def test_locked_case_file_raises_and_writes_no_error_file(desk, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.05)
    desk.casefile.engine.dispose()  # new connections take the short timeout
    path = write_csv(
        tmp_path / "locked.csv",
        [["Фамилия", "ИИН"], ["Қасымова", IIN_AIGERIM], ["Иванов", "123"]],
    )
    other = cipher.connect(desk.path, None, timeout=0.05)  # our SQLite: locks are per library
    other.isolation_level = None
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(CaseFileError) as caught:
            import_list(desk, path)
        assert caught.value.code == "casefile.locked"
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not (tmp_path / "locked.review.csv").exists()
    assert count(desk, "national") == 0
    # No backup taken for an import refused: a retry pushed a sound one out of the rotation.
    assert not list(backup_folder(desk.path).glob("*before-import-locked*"))


# -- files refused as a whole --------------------------------------------------------------


def test_unknown_encoding_is_refused(desk, tmp_path):
    koi8 = tmp_path / "koi8.csv"
    koi8.write_bytes("Фамилия;Имя\nИванова;Мария\nПетров;Сергей\nСмирнова;Анна\n".encode("koi8_r"))
    no_bom = tmp_path / "utf16.csv"
    no_bom.write_bytes("Фамилия;Имя\nИванова;Мария\n".encode("utf-16-le"))
    for path in (koi8, no_bom):
        with pytest.raises(ListError) as caught:
            import_list(desk, path)
        assert caught.value.code == "list.encoding" and caught.value.path == path
        assert "guess" in caught.value.params
    assert count(desk, "national") == 0


@pytest.mark.parametrize(
    ("content", "code", "params"),
    [
        (b"", "list.empty", {"header": False}),
        (b"\xef\xbb\xbf\r\n\r\n", "list.empty", {"header": False}),
        ("Фамилия;Имя\r\n".encode(), "list.empty", {"header": True}),
        ("ИИН;Телефон\r\n123;456\r\n".encode(), "list.no_name_column", None),
        ("Фамилия;Surname;ИИН\r\nА;Б;1\r\n".encode(), "list.duplicate_column", None),
    ],
    ids=["0-byte", "blank-lines", "header-only", "no-name-column", "duplicate-column"],
)
def test_unusable_lists_are_refused(desk, tmp_path, content, code, params):
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    with pytest.raises(ListError) as caught:
        import_list(desk, path)
    assert caught.value.code == code
    if params is not None:
        assert caught.value.params == params
    assert count(desk, "national") == 0


def test_empty_spreadsheets_say_whether_they_have_a_header(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    header_only = tmp_path / "header.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Фамилия", "Имя"])
    workbook.save(header_only)
    for path, header in ((empty, False), (blank, False), (header_only, True)):
        with pytest.raises(ListError) as caught:
            read_list(path)
        assert (caught.value.code, caught.value.params) == ("list.empty", {"header": header})


def xlsx_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "real.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Фамилия", "Имя"])
    workbook.active.append(["Иванов", "Иван"])
    workbook.save(path)
    return path.read_bytes()


def zip_bytes(tmp_path: Path, files: dict[str, bytes]) -> bytes:
    import zipfile

    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path.read_bytes()


OLE2 = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
OLD_XLS = OLE2 + "Workbook".encode("utf-16-le") + bytes(100)
ENCRYPTED_XLSX = OLE2 + "EncryptedPackage".encode("utf-16-le") + bytes(100)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(64)


NOT_LISTS = [
    ("photo.csv", PNG, "list.not_text", {"kind": "PNG image"}),
    ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "list.not_text", {"kind": "PDF"}),
    ("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "list.not_text", {"kind": "JPEG image"}),
    ("workbook.csv", "xlsx", "list.not_text", {"kind": "Excel workbook"}),
    ("letter.csv", "docx", "list.not_text", {"kind": "Word document"}),
    ("program.csv", b"\x7fELF\x02\x01\x01\x00" + bytes(40), "list.not_text", {"kind": None}),
    ("old.csv", OLD_XLS, "list.xls_old", {}),
    ("old.xls", OLD_XLS, "list.xls_old", {}),
    ("renamed.xlsx", OLD_XLS, "list.xls_old", {}),
    ("locked.xlsx", ENCRYPTED_XLSX, "list.encrypted", {}),
    ("photo.xlsx", PNG, "list.not_xlsx", {"kind": "PNG image"}),
    (
        "list.xlsx",
        "Фамилия;Имя\r\nИванов;Иван\r\n".encode(),
        "list.not_xlsx",
        {"kind": "text file"},
    ),
    ("letter.xlsx", "docx", "list.not_xlsx", {"kind": "Word document"}),
    ("sheet.xlsx", "ods", "list.not_xlsx", {"kind": "OpenDocument spreadsheet"}),
    (
        "web.xls",
        b"<html><table><tr><td>1</td></tr></table></html>",
        "list.extension",
        {"suffix": ".xls"},
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "code", "params"), NOT_LISTS, ids=[case[0] for case in NOT_LISTS]
)
def test_files_that_are_not_lists_say_what_they_are(desk, tmp_path, name, content, code, params):
    if content == "xlsx":
        content = xlsx_bytes(tmp_path)
    elif content == "docx":
        content = zip_bytes(
            tmp_path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}
        )
    elif content == "ods":
        content = zip_bytes(
            tmp_path,
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
        )
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ListError) as caught:
        import_list(desk, path)
    assert (caught.value.code, caught.value.params) == (code, params)
    assert caught.value.path == path and count(desk, "national") == 0


def test_utf16_text_with_nul_bytes_is_still_text(tmp_path):
    # Latin-only UTF-16 has a NUL byte in every other position: it is text, not binary.
    with_bom = tmp_path / "with-bom.txt"
    with_bom.write_bytes("Surname\tName\r\nIVANOV\tIVAN\r\n".encode("utf-16"))
    assert read_list(with_bom).rows == [(2, ["IVANOV", "IVAN"])]
    without = tmp_path / "without-bom.txt"
    without.write_bytes("Surname\tName\r\nIVANOV\tIVAN\r\n".encode("utf-16-le"))
    with pytest.raises(ListError) as caught:
        read_list(without)
    assert caught.value.code == "list.encoding"


def test_duplicate_column_names_both_headers(tmp_path):
    path = write_csv(tmp_path / "list.csv", [["Фамилия", "Surname"], ["Ан", "Бек"]])
    with pytest.raises(ListError) as caught:
        read_list(path)
    assert caught.value.params == {
        "target": "surname",
        "headers": ["Фамилия", "Surname"],
        "columns": ["A", "B"],
    }
    assert [m.field for m in caught.value.mapping] == ["surname", "surname"]


def test_missing_file_wrong_extension_and_corrupt_xlsx(desk, tmp_path):
    with pytest.raises(ListError) as caught:
        import_list(desk, tmp_path / "missing.csv")
    assert caught.value.code == "list.not_found"
    (tmp_path / "list.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ListError) as caught:
        import_list(desk, tmp_path / "list.pdf")
    assert caught.value.code == "list.extension" and caught.value.params == {"suffix": ".pdf"}
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ListError) as caught:
        import_list(desk, tmp_path / "broken.xlsx")
    assert caught.value.code == "list.xlsx_cut"  # a ZIP whose end is missing
    (tmp_path / "cut.xlsx").write_bytes(xlsx_bytes(tmp_path)[:600])
    with pytest.raises(ListError) as caught:
        import_list(desk, tmp_path / "cut.xlsx")
    # (it said "CalamineError: Cannot detect file format")
    assert caught.value.code == "list.xlsx_cut" and "Calamine" not in describe(caught.value)


# -- header vocabulary ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Фамилия", "surname"),
        ("ТЕГІ", "surname"),
        ("Last name", "surname"),
        ("Имя", "given_names"),
        ("Аты", "given_names"),
        ("Given names", "given_names"),
        ("Отчество", "patronymic"),
        ("Әкесінің аты", "patronymic"),
        ("Фамилия (лат.)", "surname_lat"),
        ("фамилия латиницей", "surname_lat"),
        ("Surname (Latin)", "surname_lat"),
        ("Name as in passport", "full_name_lat"),
        ("Ф.И.О.", "full_name"),
        ("Аты-жөні", "full_name"),
        ("Full name", "full_name"),
        ("ИИН", "iin"),
        ("ЖСН", "iin"),
        ("IIN", "iin"),
        ("№ паспорта", "passport_no"),
        ("Паспорт нөмірі", "passport_no"),
        ("Passport No.", "passport_no"),
        ("Срок действия паспорта", "passport_expiry"),
        ("Valid until", "passport_expiry"),
        ("Паспорттың жарамдылық мерзімі", "passport_expiry"),
        ("Дата рождения", "birth_date"),
        ("Туған күні", "birth_date"),
        ("DOB", "birth_date"),
        ("Пол", "sex"),
        ("Жынысы", "sex"),
        ("Gender", "sex"),
        ("Тел.", "phones"),
        ("WhatsApp", "phones"),
        ("Ұялы телефон", "phones"),
        ("E-mail", "email"),
        ("Эл. почта", "email"),
        ("Telegram", "messenger"),
        ("Страна", "host_country"),
        ("Ел", "host_country"),
        ("Город", "city"),
        ("Қала", "city"),
        ("Адрес", "address"),
        ("Мекенжай", "address"),
        ("Hotel address", "address"),
        ("Статус", "presence_status"),
        ("Мед. состояние", "medical_condition"),
        ("Заболевания", "medical_condition"),
        ("Mobility needs", "mobility_needs"),
        ("Беременность", "pregnant"),
        ("Pregnant", "pregnant"),
        ("Примечание", "notes"),
        ("Ескертпе", "notes"),
        ("Comment", "notes"),
        ("Туроператор", "tour_operator"),
        ("Tour operator", "tour_operator"),
        ("Тур группа", "group"),
        ("Группа", "group"),
        ("  дата  рождения ", "birth_date"),
        ("ДАТА РОЖДЁНИЯ", "birth_date"),
    ],
)
def test_headers_are_recognised_in_three_languages(header, field):
    assert recognise_header(header).field == field


@pytest.mark.parametrize(
    ("header", "note"),
    [
        (ERROR_COLUMN, "ignored: error column"),
        ("Ошибка", "ignored: error column"),
        ("№", "ignored: row number"),
        ("№ п/п", "ignored: row number"),
        ("Размер обуви", "ignored: not recognised"),
        ("", "ignored: empty header"),
    ],
)
def test_ignored_headers_say_why(header, note):
    mapping = recognise_header(header)
    assert mapping.field is None and mapping.note == note


# -- export --------------------------------------------------------------------------------


def _columns_without_bookkeeping(desk) -> dict[str, dict]:
    keep = (
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
    return {k: {c: v[c] for c in keep} for k, v in nationals(desk).items()}


@pytest.fixture
def rich_desk(desk, kazakh_list, tmp_path):
    """A case file with imported people, a tour group and every kind of value."""
    import_list(desk, kazakh_list)
    register_national(
        desk,
        person(
            surname_cyr=None,
            given_names_cyr=None,
            surname_lat="ABENOV",
            given_names_lat="ILIYAS",
            sex=Sex.MALE,
            birth_date=None,
            iin=IIN_ILIYAS,
            passport_no="N0000123",
            passport_expiry=date(2031, 5, 6),
            email="iliyas@example.com",
            messenger="@iliyas",
            presence_status=PresenceStatus.IN_TRANSIT,
            medical_condition="астма",
            mobility_needs="wheelchair",
            notes="нужен переводчик; пересадка",
            host_country="TR",
        ),
    )
    register_national(
        desk, person(sex=Sex.FEMALE, pregnant=True, iin=None, birth_date=date(1999, 9, 9))
    )
    groups = write_csv(
        tmp_path / "g.csv",
        [
            ["ИИН", "Фамилия", "Группа", "Туроператор"],
            [IIN_AIGERIM, "Қасымова", "Группа 15", "Kompas"],
        ],
    )
    import_list(desk, groups)
    return desk


@pytest.mark.parametrize(
    ("suffix", "lang"), [(".csv", "ru"), (".xlsx", "kk"), (".csv", "en"), (".xlsx", "en")]
)
def test_export_reimports_with_no_changes(rich_desk, tmp_path, suffix, lang):
    desk = rich_desk
    target = tmp_path / f"export{suffix}"
    audit_before = count(desk, "audit_event")

    written = export_list(desk, target, lang=lang)

    assert written == 5
    audit_before += 1  # the export's own event: the import back adds none
    report = import_list(desk, target)
    assert (report.created, report.updated, report.invalid) == (0, 0, 0), report.errors
    assert report.unchanged == 5 and report.members_added == 0 and report.groups_created == 0
    assert count(desk, "audit_event") == audit_before
    assert all(m.field for m in report.mapping), report.mapping

    # Into another post's case file, the same people arrive with the same values.
    other = create_casefile(
        tmp_path / "other.consuldesk",
        post_code="TR-IST",
        post_name="Istanbul",
        host_country="TR",
        officer="Officer Two",
    )
    try:
        other.today = desk.today
        copied = import_list(other, target)
        assert (copied.created, copied.invalid, copied.groups_created) == (5, 0, 1)
        assert _columns_without_bookkeeping(other) == _columns_without_bookkeeping(desk)
    finally:
        other.close()


def test_an_export_carries_people_and_tour_groups_but_not_families(rich_desk, tmp_path):
    desk = rich_desk
    people = nationals(desk)
    family = [people[IIN_NURSULTAN]["id"], people[IIN_ILIYAS]["id"]]
    create_household(desk, "Өмірзақовтар", HouseholdKind.FAMILY, member_ids=family)
    target = tmp_path / "out.xlsx"
    export_list(desk, target, lang="ru")

    other = create_casefile(
        tmp_path / "other.consuldesk",
        post_code="TR-IST",
        post_name="Istanbul",
        host_country="TR",
        officer="Officer Two",
    )
    try:
        other.today = desk.today
        import_list(other, target)
        with other.casefile.read() as session:
            sql = session.connection().exec_driver_sql
            households = sql("SELECT name, kind, tour_operator FROM household").all()
            members = sql(
                "SELECT n.iin FROM household_member m JOIN national n ON n.id = m.national_id"
            ).all()
    finally:
        other.close()
    assert households == [("Группа 15", HouseholdKind.TOUR_GROUP.value, "Kompas")]
    assert members == [(IIN_AIGERIM,)]


def test_the_officer_documentation_says_what_an_export_leaves_out():
    doc = (Path(__file__).parents[3] / "docs" / "IMPORT-COLUMNS.md").read_text(encoding="utf-8")
    export = " ".join(doc[doc.index("## Export") :].split())
    assert "the same people and values" not in export
    for words in ("tour group", "family", "requests", "sync bundle"):
        assert words in export, words


def test_export_csv_format(rich_desk, tmp_path):
    target = tmp_path / "out.csv"
    export_list(rich_desk, target, lang="ru")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(target)
    header = rows[0]
    assert header[:4] == ["ConsulDesk ID", "Фамилия", "Имя", "Отчество"]
    assert "ИИН" in header and "Дата рождения" in header and "Группа" in header
    by_iin = {r[header.index("ИИН")]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    aigerim = by_iin[IIN_AIGERIM]
    assert aigerim["Дата рождения"] == "04.03.1985" and aigerim["Пол"] == "Ж"
    assert aigerim["Группа"] == "Группа 15" and aigerim["Туроператор"] == "Kompas"
    assert aigerim["Страна"] == "Объединённые Арабские Эмираты" or aigerim["Страна"] == "AE"
    assert by_iin[IIN_ILIYAS]["Статус"] == "В пути"


def test_export_xlsx_keeps_iin_as_text_and_dates_as_dates(rich_desk, tmp_path):
    target = tmp_path / "out.xlsx"
    export_list(rich_desk, target, lang="en")
    sheet = openpyxl.load_workbook(target).active
    header = [c.value for c in sheet[1]]
    iin_col, birth_col = header.index("IIN") + 1, header.index("Date of birth") + 1
    cells = {
        sheet.cell(row, iin_col).value: sheet.cell(row, birth_col)
        for row in range(2, sheet.max_row + 1)
    }
    assert IIN_ILIYAS in cells  # a string: the leading zero survives
    assert sheet.cell(2, iin_col).data_type == "s"
    birth = cells[IIN_AIGERIM]
    assert birth.value == datetime(1985, 3, 4) and birth.number_format == "DD.MM.YYYY"


def test_export_of_chosen_ids_in_their_order(rich_desk, tmp_path):
    people = nationals(rich_desk)
    ids = [people[IIN_NURSULTAN]["id"], people[IIN_AIGERIM]["id"], "no-such-id"]
    target = tmp_path / "two.csv"
    assert export_list(rich_desk, target, ids=ids, lang="en") == 2
    rows = read_csv(target)
    assert [r[0] for r in rows[1:]] == ids[:2]


def test_export_to_an_unwritable_place_leaves_nothing(rich_desk, tmp_path):
    with pytest.raises(ListError) as caught:
        export_list(rich_desk, tmp_path / "no-such-dir" / "out.csv")
    assert caught.value.code == "list.write"
    target = tmp_path / "a-directory.csv"
    target.mkdir()
    with pytest.raises(ListError) as caught:
        export_list(rich_desk, target)
    assert caught.value.code == "list.write" and caught.value.path == target
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ListError) as caught:
        export_list(rich_desk, tmp_path / "out.ods")
    assert caught.value.code == "list.export_extension"  # (not "a list ConsulDesk can read")
    assert "not “.ods”" in describe(caught.value)


def test_a_folder_or_a_file_without_extension_is_named_as_such(desk, tmp_path):
    """A folder, /dev/null or a name without extension: "is not a list ConsulDesk can read
    (); use CSV or XLSX", with empty brackets."""
    folder = tmp_path / "lists"
    folder.mkdir()
    with pytest.raises(ListError) as caught:
        import_list(desk, folder)
    assert caught.value.code == "list.folder" and "is a folder" in describe(caught.value)
    bare = tmp_path / "tourists"
    bare.write_text("Фамилия;Имя\nИванов;Иван\n", encoding="utf-8")
    with pytest.raises(ListError) as caught:
        import_list(desk, bare)
    assert caught.value.code == "list.no_extension" and "()" not in describe(caught.value)


def test_progress_is_reported(desk, kazakh_list, tmp_path):
    seen: list[tuple[int, int, str]] = []
    import_list(desk, kazakh_list, progress=lambda d, t, label: seen.append((d, t, label)))
    assert ("list.check" in {s[2] for s in seen}) and (3, 3, "list.save") in seen
    seen.clear()
    export_list(desk, tmp_path / "x.csv", progress=lambda d, t, label: seen.append((d, t, label)))
    assert seen[-1] == (3, 3, "list.export")


def test_default_review_file_name(tmp_path):
    assert lists.default_review_file(Path("/x/список.xlsx")) == Path("/x/список.review.csv")
    reg = tmp_path / "reg.xlsx"
    assert lists.default_review_file(reg, STAMP) == tmp_path / "reg.review.csv"
    for name in (
        "reg.review.csv",
        "reg.review-20260101-000000.csv",
        "reg.review-20260101-000000-7.csv",
    ):
        # An error file's errors are named after its list.
        assert lists.default_review_file(tmp_path / name, STAMP) == tmp_path / "reg.review.csv"
    (tmp_path / "reg.review.csv").touch()
    stamped = tmp_path / "reg.review-20261122-093005.csv"
    assert lists.default_review_file(reg, STAMP) == stamped
    assert lists.default_review_file(tmp_path / "reg.review.csv", STAMP) == stamped
    stamped.touch()
    assert lists.default_review_file(reg, STAMP) == tmp_path / "reg.review-20261122-093005-2.csv"
    # Only ConsulDesk's own suffixes are taken off.
    odd = tmp_path / "reg.review-final.csv"
    assert lists.default_review_file(odd, STAMP) == tmp_path / "reg.review-final.review.csv"


def test_the_officer_documentation_lists_exactly_the_recognised_headers():
    doc = Path(__file__).parents[3] / "docs" / "IMPORT-COLUMNS.md"
    table = [
        line.split("|")[2:5]
        for line in doc.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and " · " in line
    ]
    documented = {h.strip() for cells in table for cell in cells for h in cell.split(" · ")}
    vocabulary = {h for langs in lists.columns._VOCABULARY.values() for hs in langs for h in hs}
    assert documented == vocabulary


def test_excel_hint_line_rounded_iin_name_conflict_and_latin_patronymic(desk, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(
        "sep=,\r\n"
        "Surname,Surname (Latin),Patronymic,IIN,Phone,Notes\r\n"
        f"Қасымова,KASSYMOVA,SERIKKYZY,{IIN_AIGERIM},87012345678,VIP\r\n"
        "Иванов,PETROV,,5.01015E+11,,\r\n"
        "SMITH,JONES,,,,,extra cell\r\n",
        encoding="utf-8",
    )
    report = import_list(desk, path)
    assert report.delimiter == "," and (report.created, report.invalid) == (3, 0)
    assert sorted((e.line, e.code, e.value) for e in report.warnings) == [
        (4, "iin.excel_rounded", "5.01015E+11"),
        (5, "list.name_conflict", "JONES"),  # SMITH came first and is kept
    ]
    people = nationals(desk)
    assert people[IIN_AIGERIM]["notes"] == "Patronymic: SERIKKYZY; VIP"
    assert people["Иванов"]["surname_lat"] == "PETROV" and people["Иванов"]["iin"] is None
    rows = read_csv(tmp_path / "excel.review.csv", delimiter=",")
    assert rows[0] == ["Surname", "Surname (Latin)", "Patronymic", "IIN", "Phone", "Notes", "",
                       "ConsulDesk ID", RESULT_COLUMN, ERROR_COLUMN]  # fmt: skip
    assert rows[2][:7] == ["SMITH", "JONES", "", "", "", "", "extra cell"]


def test_a_list_in_utf8_with_a_line_from_another_encoding_names_the_line(tmp_path):
    """One line pasted from a Windows-1251 file into a UTF-8 list: "cannot be read as UTF-8
    (byte 147)", without the line."""
    rows = ["Фамилия;Имя", "Қасымов;Ерлан", "Әлиева;Іңкәр", "Петров;Иван", "Ғалиев;Нұрлан"]
    data = b"\n".join(
        r.encode("cp1251") if i == 3 else r.encode("utf-8") for i, r in enumerate(rows)
    )
    path = tmp_path / "joined.csv"
    path.write_bytes(data)
    with pytest.raises(ListError) as caught:
        read_list(path)
    assert caught.value.code == "list.encoding_mixed"
    assert caught.value.params["lines"] == "4" and "lines 4" in describe(caught.value)


def test_nul_characters_in_a_text_list_are_named_with_their_line(tmp_path):
    """A NUL byte in a UTF-8 list was "not in UTF-8 or Windows-1251: it looks like UTF-8"."""
    path = tmp_path / "cut.csv"
    rows = "Фамилия;Имя\n" + "Қасымов;Ерлан\n" * 40 + "Әлиева;Ін\x00кәр\n" + "Ғалиев;Нұр\n" * 9
    path.write_bytes(rows.encode())
    with pytest.raises(ListError) as caught:
        read_list(path)
    assert (caught.value.code, caught.value.params["line"]) == ("list.nul_bytes", 42)


def test_twins_with_one_iin_copied_are_two_people_one_of_them_refused(desk, tmp_path):
    """A tour operator copied Алихан's IIN onto his twin's row: the twin, with his own name
    and passport, was read into Алихан and vanished; he is refused, named, for the review."""
    twin_iin = valid_iin(date(2014, 3, 21), Sex.MALE, 9101)
    path = write_csv(
        tmp_path / "twins.csv",
        [
            ["Тегі", "Аты", "ЖСН", "Паспорт нөмірі", "Туған күні"],
            ["Асанов", "Алихан", twin_iin, "N91000001", "21.03.2014"],
            ["Асанов", "Әмір", twin_iin, "N91000002", "21.03.2014"],
            ["Асанов", "Алихан", twin_iin, "N91000001", "21.03.2014"],  # a true repeat
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.unchanged, report.invalid) == (1, 1, 1)
    [error] = report.errors
    assert (error.line, error.field, error.code) == (3, "iin", "list.duplicate_row")
    assert error.params["name"] == "Асанов Алихан"
    review = path.with_name("twins.review.csv").read_text(encoding="utf-8-sig")
    assert "Әмір" in review and "N91000002" in review


def test_a_header_repeated_on_a_page_break_is_no_person(desk, tmp_path):
    header = ["Тегі", "Аты", "Surname", "Given names", "Туған күні", "Отбасы"]
    path = write_csv(
        tmp_path / "pages.csv",
        [
            header,
            ["Сейітова", "Гүлнар", "SEIITOVA", "GULNAR", "01.02.1980", "12"],
            ["Тегі", "Аты", "SURNAME", "GIVEN NAMES", "Туған күні", "Отбасы"],  # page 2
            ["Сейітов", "Нұрлан", "SEIITOV", "NURLAN", "03.04.1978", "12"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid, report.total_rows) == (2, 1, 3)
    [error] = report.errors
    assert (error.line, error.code) == (3, "list.header_again")
    assert error.message == (
        "This line repeats the list's header (line 1), as an export does on each page: not a "
        "person, not imported"
    )
    assert count(desk, "national") == 2 and count(desk, "household") == 1


def _three_sheets(path: Path) -> Path:
    """An operator's workbook: instructions first, then two groups on two sheets."""
    workbook = openpyxl.Workbook()
    rules = workbook.active
    rules.title = "Нұсқаулық"
    rules.append(["Тізімді толтыру тәртібі"])
    rules.append(["Әр адам — бір жол"])
    first = workbook.create_sheet("1-топ")
    first.append(["Тегі", "Аты", "Туған күні"])
    first.append(["Бекова", "Дана", "01.02.1990"])
    second = workbook.create_sheet("2-топ")
    second.append(["Тегі", "Аты", "Туған күні"])
    second.append(["Сапарова", "Әлия", "03.04.1985"])
    second.append(["Сапаров", "Ерлан", "05.06.1983"])
    workbook.create_sheet("Бос")  # nothing on it
    workbook.save(path)
    return path


def test_a_workbook_is_read_from_its_list_and_its_other_sheets_are_said(desk, tmp_path):
    """The instructions sheet first made the workbook "have no name column"; people on a
    second sheet were left out without a word."""
    path = _three_sheets(tmp_path / "groups.xlsx")
    report = import_list(desk, path, dry_run=True)
    assert (report.sheet, report.created) == ("1-топ", 1)
    assert report.other_sheets == (("Нұсқаулық", 2), ("2-топ", 2))
    report = import_list(desk, path, sheet="2-топ")
    assert (report.sheet, report.created) == ("2-топ", 2)
    assert count(desk, "national") == 2
    with pytest.raises(ListError) as caught:
        import_list(desk, path, sheet="3-топ")
    assert caught.value.code == "list.sheet_unknown"
    assert str(caught.value.params["sheets"]) == "“Нұсқаулық”, “1-топ”, “2-топ”, “Бос”"
    assert describe(caught.value).endswith(
        "has no sheet “3-топ”; its sheets: “Нұсқаулық”, “1-топ”, “2-топ”, “Бос”"
    )


def test_a_two_row_header_under_merged_cells_is_read_as_one(desk, tmp_path):
    """ "Аты-жөні" over "Тегі" and "Аты", "Паспорт" over "Нөмірі" and its expiry: given names
    and expiries were ignored, and the second header row was imported as a person."""
    path = tmp_path / "two-rows.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "«Жібек жолы тур» — туристер тізімі"
    sheet.merge_cells("A1:F1")
    for cell, text in (("A2", "№"), ("B2", "Аты-жөні"), ("D2", "Туған күні"), ("E2", "Паспорт")):
        sheet[cell] = text
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("E2:F2")
    for cell, text in (
        ("B3", "Тегі"),
        ("C3", "Аты"),
        ("E3", "Нөмірі"),
        ("F3", "Жарамдылық мерзімі"),
    ):
        sheet[cell] = text
    sheet.append([1, "Бекова", "Ақерке", date(1995, 8, 8), "N60000006", date(2030, 1, 1)])
    workbook.save(path)
    parsed = read_list(path)
    assert parsed.header_line == 3
    assert [(m.header, m.field) for m in parsed.mapping] == [
        ("№", None),
        ("Тегі", "surname"),
        ("Аты", "given_names"),
        ("Туған күні", "birth_date"),
        ("Паспорт Нөмірі", "passport_no"),
        ("Жарамдылық мерзімі", "passport_expiry"),
    ]
    report = import_list(desk, path)
    assert (report.created, report.total_rows, report.invalid) == (1, 1, 0)
    with desk.casefile.read() as session:
        sql = "SELECT given_names_cyr, passport_no, passport_expiry FROM national"
        [row] = [dict(r._mapping) for r in session.connection().exec_driver_sql(sql)]
    assert row == {
        "given_names_cyr": "Ақерке",
        "passport_no": "N60000006",
        "passport_expiry": "2030-01-01",
    }


def test_a_printed_lists_total_and_signature_lines_are_no_people(desk, tmp_path):
    path = write_csv(
        tmp_path / "footer.csv",
        [
            ["Список туристов, группа DXB-22"],
            ["№", "Фамилия", "Имя", "Паспорт", "Дата рождения", "Телефон"],
            ["1", "Тұрсынова", "Гаухар", "N92000001", "01.01.1990", "+7 701 920 0001"],
            ["2", "Итогова", "Айгүл", "", "02.02.1988", ""],  # a surname, not a total
            [],
            ["", "Итого:", "2 туриста", "", "", ""],
            ["", "Менеджер", "Иванова А.", "", "", "+7 727 300 00 00"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid) == (2, 2)
    assert [(e.line, e.code, e.value) for e in report.errors] == [
        (6, "list.not_a_person", "Итого: 2 туриста"),
        (7, "list.not_a_person", "Менеджер Иванова А."),
    ]
    assert report.errors[0].message == (
        "“Итого: 2 туриста” reads as the list's total or a signature line, not a person: not "
        "imported"
    )


def test_headers_written_in_two_languages_in_one_cell_are_recognised(desk, tmp_path):
    """ "Фамилия / Surname", the usual layout of an operator's list: 4 of 16 columns read."""
    path = write_csv(
        tmp_path / "bilingual.csv",
        [
            ["Фамилия / Surname", "Имя / Given names", "Фамилия латиницей", "Имя латиницей",
             "Дата рождения / Date of birth", "ИИН / IIN", "Паспорт № / Passport No",
             "Телефон / Phone", "Примечание / Notes", "Дата / Время"],
            ["Қасымова", "Әйгерім", "KASSYMOVA", "AIGERIM", "04.03.1985", IIN_AIGERIM,
             "N12345678", "+7 701 234 5678", "Номер 12", "x"],
        ],
    )  # fmt: skip
    parsed = read_list(path)
    assert [m.field for m in parsed.mapping] == [
        "surname", "given_names", "surname_lat", "given_names_lat", "birth_date", "iin",
        "passport_no", "phones", "notes", None,
    ]  # fmt: skip
    report = import_list(desk, path)
    assert (report.created, report.needs_review, report.invalid) == (1, 0, 0)


def test_a_review_file_made_in_kazakh_has_kazakh_columns_and_reads_back(desk, tmp_path):
    """Its values were Kazakh, its own two columns Russian and English."""
    from consuldesk import i18n
    from consuldesk.services.lists.base import KAZAKH_COLUMNS

    path = write_csv(
        tmp_path / "tizim.csv",
        [["Тегі", "Аты", "Туған күні"], ["Сейітова", "Гүлнар", "31.02.1980"]],
    )
    i18n.install("kk")
    try:
        report = import_list(desk, path)
    finally:
        i18n.install("en")
    rows = read_csv(report.review_file)
    assert rows[0][-2:] == list(KAZAKH_COLUMNS) == ["Нәтиже / Result", "Қате / Error"]
    rows[1][2] = "28.02.1980"
    write_csv(report.review_file, rows)
    again = import_list(desk, report.review_file)
    assert (again.updated, again.needs_review, again.invalid) == (1, 0, 0)
    ignored = {m.header: m.note for m in again.mapping}
    assert ignored["Қате / Error"] == ignored["Нәтиже / Result"] == "ignored: error column"
