"""Lists as they really arrive: bilingual headers, families, doubtful values, broken quotes,
odd encodings and columns the officer chooses. Nobody on a list is lost."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from consuldesk.domain.enums import HouseholdKind, Sex, Vulnerability
from consuldesk.messages import describe
from consuldesk.services.households import create_household
from consuldesk.services.lists import ListError, import_list, read_list, remembered_columns
from consuldesk.services.nationals import get_national, register_national, search
from tests.factories import person, valid_iin

MOTHER_IIN = valid_iin(date(1985, 3, 4), Sex.FEMALE)
FATHER_IIN = valid_iin(date(1983, 5, 6), Sex.MALE)
SON_IIN = valid_iin(date(2015, 5, 5), Sex.MALE)
OTHER_IIN = valid_iin(date(1990, 7, 6), Sex.MALE)


def write_csv(path: Path, rows, *, encoding="utf-8-sig", delimiter=";") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def read_csv(path: Path, delimiter=";") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def rows_of(desk, sql: str) -> list[dict]:
    with desk.casefile.read() as session:
        return [dict(r._mapping) for r in session.connection().exec_driver_sql(sql)]


def by_surname(desk) -> dict[str, dict]:
    people = rows_of(desk, "SELECT * FROM national WHERE deleted_at IS NULL")
    return {p["surname_cyr"] or p["surname_lat"]: p for p in people}


# -- columns told apart by the script of their values ---------------------------------------

BILINGUAL = ["№", "Фамилия", "Surname", "Имя", "Given names", "Дата рождения", "ИИН"]
BILINGUAL_ROWS = [
    ["1", "Қасымова", "KASSYMOVA", "Әйгерім", "AIGERIM", "04.03.1985", MOTHER_IIN],
    ["2", "Өмірзақов", "OMIRZAKOV", "Нұрсұлтан", "NURSULTAN", "06.07.1990", OTHER_IIN],
]


def check_bilingual(desk, report) -> None:
    assert (report.created, report.invalid) == (2, 0)
    notes = {m.header: m.note for m in report.mapping}
    assert notes["Фамилия"] == "cyrillic values" and notes["Surname"] == "latin values"
    people = by_surname(desk)
    aigerim = people["Қасымова"]
    assert (aigerim["surname_lat"], aigerim["given_names_cyr"]) == ("KASSYMOVA", "Әйгерім")
    assert people["Өмірзақов"]["given_names_lat"] == "NURSULTAN"
    assert search(desk, "Нурсултан").rows[0].surname_lat == "OMIRZAKOV"


def test_a_bilingual_header_utf8(desk, tmp_path):
    path = write_csv(tmp_path / "bilingual.csv", [BILINGUAL, *BILINGUAL_ROWS])
    check_bilingual(desk, import_list(desk, path))


def test_a_bilingual_header_cp1251_with_semicolons_and_full_names(desk, tmp_path):
    header = ["ФИО", "Full name", "Дата рождения"]
    rows = [
        ["Петрова Мария Ивановна", "PETROVA MARIA", "01.02.1980"],
        ["Сидоров Пётр", "SIDOROV PETR", "03.04.1975"],
    ]
    path = write_csv(tmp_path / "cp1251.csv", [header, *rows], encoding="cp1251")
    report = import_list(desk, path)
    assert report.encoding == "cp1251" and (report.created, report.invalid) == (2, 0)
    maria = by_surname(desk)["Петрова"]
    assert (maria["patronymic_cyr"], maria["surname_lat"], maria["given_names_lat"]) == (
        "Ивановна",
        "PETROVA",
        "MARIA",
    )


def test_a_bilingual_header_xlsx(desk, tmp_path):
    path = tmp_path / "bilingual.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(BILINGUAL)
    for row in BILINGUAL_ROWS:
        sheet.append(row)
    workbook.save(path)
    check_bilingual(desk, import_list(desk, path))


def test_two_columns_of_one_field_in_one_script_name_both_and_the_officer_chooses(desk, tmp_path):
    path = write_csv(
        tmp_path / "twice.csv",
        [
            ["Фамилия", "ИИН", "Телефон", "ИИН"],
            ["Қасымова", MOTHER_IIN, "+77012345678", "850304400000"],
        ],
    )
    with pytest.raises(ListError) as caught:
        import_list(desk, path)
    error = caught.value
    assert error.code == "list.duplicate_column"
    assert error.params == {"target": "iin", "headers": ["ИИН", "ИИН"], "columns": ["B", "D"]}
    message = describe(error)
    assert "B, D" in message.replace("“", "").replace("”", "") and "IIN" in message
    assert [m.field for m in error.mapping] == ["surname", "iin", "phones", "iin"]

    # The second ИИН column is ignored: the import goes through and remembers the choice.
    report = import_list(desk, path, columns={"ИИН#2": "ignore"})
    assert report.created == 1
    assert [(m.field, m.origin) for m in report.mapping][3] == (None, "chosen")
    layout = read_list(path, columns={"D": None}).layout
    assert remembered_columns(desk, layout) == {3: None}
    # Next time the same layout needs no choice: it is offered again, and said so.
    again = import_list(desk, path, dry_run=True)
    assert again.mapping[3].origin == "remembered" and again.unchanged == 1
    # A new choice replaces it.
    import_list(desk, path, columns={"ИИН#2": "notes"})
    assert remembered_columns(desk, layout) == {3: "notes"}


def test_columns_can_be_named_by_header_letter_or_position(tmp_path):
    path = write_csv(tmp_path / "cols.csv", [["Col A", "Col B", "Фамилия"], ["x", "NUR", "Нұр"]])
    parsed = read_list(path, columns={"Col A": "notes", "B": "surname_lat", "#3": "surname"})
    assert [(m.field, m.origin) for m in parsed.mapping] == [
        ("notes", "chosen"),
        ("surname_lat", "chosen"),
        ("surname", "chosen"),
    ]
    parsed = read_list(path, columns={"Col A": "Телефон"})  # a header ConsulDesk knows
    assert parsed.mapping[0].field == "phones"
    with pytest.raises(ListError) as caught:
        read_list(path, columns={"Col Z": "notes"})
    assert caught.value.code == "list.column_unknown"
    with pytest.raises(ListError) as caught:
        read_list(path, columns={"Col A": "shoe size"})
    assert caught.value.code == "list.column_target"


# -- families --------------------------------------------------------------------------------

FAMILY_HEADER = ["Фамилия", "Имя", "ИИН", "Пол", "Семья", "Родство"]


def family_list(path: Path, extra: list[list[str]] = ()) -> Path:
    return write_csv(
        path,
        [
            FAMILY_HEADER,
            ["Қасымов", "Ерлан", FATHER_IIN, "М", "12", "Глава семьи"],
            ["Қасымова", "Әйгерім", MOTHER_IIN, "Ж", "12", "жена"],
            ["Қасымов", "Нұрлан", SON_IIN, "М", "12", "сын"],
            ["Сейітов", "Ұлан", OTHER_IIN, "М", "", ""],
            *extra,
        ],
    )


def households(desk) -> list[dict]:
    return rows_of(
        desk,
        "SELECT h.id, h.name, h.kind, h.head_id, h.list_key, (SELECT count(*) FROM "
        "household_member m WHERE m.household_id = h.id AND m.deleted_at IS NULL) AS members "
        "FROM household h WHERE h.deleted_at IS NULL ORDER BY h.created_at",
    )


def test_a_family_column_makes_households_with_roles_that_vulnerability_sees(desk, tmp_path):
    report = import_list(desk, family_list(tmp_path / "families.csv"))
    assert (report.created, report.families_created, report.members_added) == (4, 1, 3)
    [family] = households(desk)
    people = by_surname(desk)
    assert family["kind"] == HouseholdKind.FAMILY.value and family["members"] == 3
    assert family["name"] == "Қасымов (12)" and family["list_key"] == "12"
    father = rows_of(desk, f"SELECT id FROM national WHERE iin = '{FATHER_IIN}'")[0]
    assert family["head_id"] == father["id"]
    relations = {
        r["iin"]: r["relation"]
        for r in rows_of(
            desk,
            "SELECT n.iin, m.relation FROM household_member m JOIN national n "
            "ON n.id = m.national_id",
        )
    }
    assert relations == {FATHER_IIN: "head", MOTHER_IIN: "spouse", SON_IIN: "child"}
    mother = get_national(desk, people["Қасымова"]["id"])
    assert Vulnerability.WOMAN_WITH_MINORS in mother.vulnerabilities

    # The same list again changes nothing; a later list with the same value joins the family.
    again = import_list(desk, family_list(tmp_path / "families.csv"))
    assert (again.created, again.updated, again.families_created, again.members_added) == (
        0,
        0,
        0,
        0,
    )
    later = write_csv(
        tmp_path / "later.csv",
        [FAMILY_HEADER, ["Қасымова", "Іңкәр", "", "Ж", " 12 ", "Дочь"]],
    )
    report = import_list(desk, later)
    assert (report.created, report.families_created, report.members_added) == (1, 0, 1)
    assert households(desk)[0]["members"] == 4


def test_a_family_made_by_hand_is_joined_by_its_list(desk, tmp_path):
    mother = register_national(desk, person(iin=MOTHER_IIN)).row
    made = create_household(desk, "Семья Қасымовых", HouseholdKind.FAMILY, member_ids=[mother.id])
    report = import_list(desk, family_list(tmp_path / "families.csv"))
    assert (report.families_created, report.members_added) == (0, 2)
    [family] = households(desk)
    assert (family["id"], family["members"], family["list_key"]) == (made.row.id, 3, "12")


def test_family_problems_are_set_aside_never_moving_anyone(desk, tmp_path):
    import_list(desk, family_list(tmp_path / "families.csv"))
    path = write_csv(
        tmp_path / "other.csv",
        [
            FAMILY_HEADER,
            ["Қасымова", "Әйгерім", MOTHER_IIN, "Ж", "Семья Ахметовых", "жена"],
            ["Ахметов", "Бауыржан", "", "М", "Семья Ахметовых", "шурин"],
        ],
    )
    report = import_list(desk, path)
    assert report.invalid == 0 and report.needs_review == 2
    # Әйгерім's record gets the review item: she counts as updated, Бауыржан as new.
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    codes = sorted((w.line, w.field, w.code, w.value) for w in report.warnings)
    assert codes == [
        (2, "household", "list.family_other", "Семья Ахметовых"),
        (3, "relation", "list.relation", "шурин"),
    ]
    families = {h["name"]: h for h in households(desk)}
    assert families["Қасымов (12)"]["members"] == 3  # she stays in her family
    assert families["Семья Ахметовых"]["members"] == 1  # named by the list's value
    review = json.loads(by_surname(desk)["Қасымова"]["review"])
    assert review[0]["code"] == "list.family_other"
    assert review[0]["params"] == {"household": "Қасымов (12)"}


# -- nobody lost for a doubtful value ------------------------------------------------------


def test_a_person_is_kept_whatever_one_value_says(desk, tmp_path):
    bad_check = MOTHER_IIN[:11] + str((int(MOTHER_IIN[11]) + 1) % 10)
    path = write_csv(
        tmp_path / "doubts.csv",
        [
            ["Фамилия", "Имя", "ИИН", "Дата рождения", "Телефон", "Страна", "Пол"],
            # an unallocated code in the same cell as a good number
            ["Әбілова", "Гүлнұр", "", "", "+7 (769) 956-13-89; +7 701 234 56 78", "ОАЭ", ""],
            ["Қасымова", "Әйгерім", bad_check, "04.03.1985", "", "ОАЭ", "Ж"],
            # a valid IIN of a man born in 1983, stated as a woman born 1990
            ["Қасымов", "Ерлан", FATHER_IIN, "01.01.1990", "", "Нарния", "Ж"],
            ["Ивaнов", "Иван", "", "12.12.2030", "", "", ""],  # a Latin "a"; a future date
            ["", "Безфамильный", "", "", "+77011112233", "", ""],  # names no one
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid, report.needs_review) == (4, 1, 4)
    assert [(e.line, e.code) for e in report.errors] == [(6, "name.missing")]
    people = by_surname(desk)
    assert people["Әбілова"]["phones"] == '["+77012345678"]'
    assert people["Қасымова"]["iin"] is None and people["Қасымова"]["birth_date"] == "1985-03-04"
    erlan = people["Қасымов"]
    assert erlan["iin"] == FATHER_IIN  # the IIN wins; the stated date and sex are set aside
    assert (erlan["birth_date"], erlan["sex"]) == ("1983-05-06", "M")
    assert erlan["host_country"] is None
    aside = {(i["field"], i["code"], i["value"]) for i in json.loads(erlan["review"])}
    assert aside == {
        ("birth_date", "iin.birth_date_mismatch", "01.01.1990"),
        ("sex", "iin.sex_mismatch", "F"),
        ("host_country", "country.unknown", "Нарния"),
    }
    ivanov = people["Иванов"]  # found under Cyrillic "Иванов": the look-alike was repaired
    assert ivanov["birth_date"] is None
    assert json.loads(ivanov["review"])[0]["code"] == "birth_date.future"
    assert search(desk, "Иванов").rows

    # The stats count those who need review.
    from consuldesk.services.stats import situation

    assert situation(desk).needs_review == 4


def test_a_passport_claimed_by_another_person_is_refused(desk, tmp_path):
    register_national(desk, person(passport_no="N1234567"))
    path = write_csv(
        tmp_path / "claims.csv",
        [
            ["Фамилия", "Имя", "Номер паспорта", "Дата рождения"],
            ["Иванов", "Иван", "N1234567", "01.01.1970"],  # Әйгерім's passport
            ["Kassymova", "Aigerim", "N1234567", ""],  # Әйгерім herself: completes her record
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid, report.updated) == (0, 1, 0)
    error = report.errors[0]
    assert (error.line, error.code, error.params["name"]) == (
        2,
        "list.other_person",
        "Қасымова Әйгерім",
    )
    assert "Қасымова Әйгерім" in error.message


def test_a_passport_on_file_with_another_iin_and_name_blames_the_passport(desk, tmp_path):
    """Seen by a newcomer: a row giving Әйгерім's passport with a stranger's name and an IIN
    nobody has was refused as "IIN … belongs to a different person on file"."""
    register_national(
        desk, person(iin=valid_iin(date(1985, 3, 4), Sex.FEMALE), passport_no="N1234567")
    )
    stranger_iin = valid_iin(date(1993, 8, 8), Sex.MALE)
    path = write_csv(
        tmp_path / "claims.csv",
        [
            ["Фамилия", "Имя", "ИИН", "Номер паспорта", "Дата рождения"],
            ["Нұрғалиев", "Дәурен", stranger_iin, "N1234567", "08.08.1993"],
        ],
    )
    report = import_list(desk, path)
    assert report.invalid == 1
    error = report.errors[0]
    assert (error.code, error.field, error.params["name"]) == (
        "list.other_person",
        "passport_no",
        "Қасымова Әйгерім",
    )
    assert "N1234567" in error.message and stranger_iin not in error.message


def test_the_same_person_with_another_iin_keeps_the_one_on_file_and_sets_the_other_aside(
    desk, tmp_path
):
    on_file = valid_iin(date(1985, 3, 4), Sex.FEMALE)
    row = register_national(desk, person(iin=on_file, passport_no="N1234567", city=None)).row
    typo = valid_iin(date(1985, 3, 4), Sex.FEMALE, 40)  # valid, but not hers
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "ИИН", "Номер паспорта", "Город"],
            ["Қасымова", "Әйгерім", typo, "N1234567", "Sharjah"],
        ],
    )
    report = import_list(desk, path)

    assert (report.created, report.updated, report.invalid) == (0, 1, 0)
    stored = get_national(desk, row.id)
    assert (stored.iin, stored.city) == (on_file, "Sharjah")  # kept; the rest completes it
    assert [(w.code, w.field, w.value) for w in report.warnings] == [
        ("list.iin_differs", "iin", typo)
    ]
    assert on_file in report.warnings[0].message
    assert [(i.code, i.value) for i in get_national(desk, row.id).review] == [
        ("list.iin_differs", typo)
    ]
    again = import_list(desk, path)  # nothing new the second time
    assert (again.updated, again.unchanged) == (0, 1)


# -- quotes and encodings --------------------------------------------------------------------


def test_kazakh_letters_lost_to_windows_1251_are_named_and_nobody_is_lost(desk, tmp_path):
    """Excel's "CSV" in Russian Windows writes Windows-1251, which has no Қ, Ә, Ұ…: they come
    out as "?". The person is kept, and the message says what happened and what to do."""
    path = tmp_path / "туристы.csv"
    text = "Фамилия;Имя;Дата рождения\nҚасымов;Нұрлан;12.03.1985\nИванов;Иван;01.01.1970\n"
    path.write_bytes(text.encode("cp1251", errors="replace"))
    report = import_list(desk, path)
    assert (report.created, report.invalid) == (2, 0)
    codes = {(w.line, w.field, w.code) for w in report.warnings}
    assert codes == {
        (2, "surname_cyr", "name.letters_lost"),
        (2, "given_names_cyr", "name.letters_lost"),
    }
    assert "Windows-1251" in report.warnings[0].message
    assert search(desk, "Иванов").rows


def test_a_name_with_brackets_is_blamed_on_the_brackets_not_its_script(desk, tmp_path):
    path = write_csv(
        tmp_path / "семьи.csv",
        [
            ["Фамилия", "Имя", "Surname", "Дата рождения"],
            ["Иванов (ребёнок)", "Пётр", "IVANOV", "01.02.2015"],
            ["Сейітова", "Әйгерім 2", "SEITOVA (MRS)", "03.04.1990"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid) == (2, 0)
    found = {(w.line, w.field, w.code): w.message for w in report.warnings}
    assert set(found) == {
        (2, "surname_cyr", "name.characters"),
        (3, "given_names_cyr", "name.characters"),
        (3, "surname_lat", "name.characters"),
    }
    assert found[(2, "surname_cyr", "name.characters")].endswith("“Иванов (ребёнок)” also has ( )")
    assert "Cyrillic" not in found[(2, "surname_cyr", "name.characters")]
    assert found[(3, "given_names_cyr", "name.characters")].endswith("also has 2")


def test_people_on_a_list_without_a_country_are_in_the_posts_country(desk, tmp_path):
    path = write_csv(
        tmp_path / "hotel.csv",
        [["Фамилия", "Имя", "Страна"], ["Қасымова", "Әйгерім", ""], ["Иванов", "Иван", "Оман"]],
    )
    import_list(desk, path)
    (kassymova,) = search(desk, "Қасымова").rows
    (ivanov,) = search(desk, "Иванов").rows
    assert (kassymova.host_country, ivanov.host_country) == ("AE", "OM")  # Abu Dhabi's desk


def test_a_quote_that_never_closes_loses_no_row(desk, tmp_path):
    lines = ["Фамилия;Имя;Телефон"]
    for n in range(10):
        lines.append(f"Фамилия{chr(0x430 + n)};Имя;+7701000{n:04d}")
    lines[4] = '"Қасымова;Әйгерім;+77012345678'  # the quote opens and never closes
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_list(desk, path)
    assert report.total_rows == 10 and report.created == 10
    assert [(w.line, w.code) for w in report.warnings] == [(5, "list.unclosed_quote")]
    assert "5" in report.warnings[0].message
    aigerim = by_surname(desk)["Қасымова"]
    assert aigerim["phones"] == '["+77012345678"]' and aigerim["review"] is not None

    # The list sent again keeps her row to check; the officer checks it in the review file
    # (it reads whole there) and imports that: matched by her ConsulDesk ID, it is settled.
    again = import_list(desk, path)
    assert (again.updated, again.unchanged) == (0, 10)
    assert by_surname(desk)["Қасымова"]["review"] is not None
    rows = read_csv(report.review_file)
    assert [r[0] for r in rows[1:]] == ["Қасымова"] and rows[1][3] == aigerim["id"]
    corrected = import_list(desk, report.review_file)
    assert (corrected.updated, corrected.invalid, corrected.needs_review) == (1, 0, 0)
    assert by_surname(desk)["Қасымова"]["review"] is None
    # Sent again with the same broken line: she was checked, she stays checked.
    again = import_list(desk, path)
    assert (again.updated, again.unchanged, again.needs_review) == (0, 10, 0)
    assert by_surname(desk)["Қасымова"]["review"] is None


@pytest.mark.parametrize(
    ("encoding", "guess"),
    [("utf-16-le", "UTF-16 LE"), ("koi8-r", "KOI8-R"), ("cp866", "DOS 866 (CP866)")],
)
def test_an_odd_encoding_is_named_and_can_be_read_as_named(desk, tmp_path, encoding, guess):
    text = "Фамилия;Имя;Город\r\n" + "Иванова;Мария;Дубай\r\nПетров;Пётр;Абу-Даби\r\n" * 3
    path = tmp_path / "odd.csv"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(ListError) as caught:
        import_list(desk, path)
    assert caught.value.code == "list.encoding"
    assert caught.value.params["guess"] == guess
    assert guess in describe(caught.value)
    report = import_list(desk, path, encoding=caught.value.params["codec"])
    assert (report.created, report.unchanged) == (2, 4)  # the same two people, thrice
    assert by_surname(desk)["Иванова"]["given_names_cyr"] == "Мария"


def test_notes_longer_than_the_csv_module_reads_by_default(desk, tmp_path):
    notes = "Аллергия. " * 20_000  # 200,000 characters
    path = write_csv(tmp_path / "long.csv", [["Фамилия", "Примечание"], ["Иванов", notes]])
    report = import_list(desk, path)
    assert report.created == 1
    assert by_surname(desk)["Иванов"]["notes"] == notes.strip()


@pytest.mark.parametrize("how", ["marked as reviewed", "corrected on the card"])
def test_a_value_an_officer_settled_is_not_set_aside_again_by_the_same_list(desk, tmp_path, how):
    from consuldesk.services.nationals import fields_of_row, update_national
    from consuldesk.services.review import dismiss_review

    path = write_csv(
        tmp_path / "daily.csv",
        [["Фамилия", "Имя", "Телефон"], ["Іскаков", "Серік", "+7 (769) 956-13-89"]],
    )
    assert import_list(desk, path).needs_review == 1
    (row,) = search(desk, "Іскаков").rows
    if how == "marked as reviewed":
        dismiss_review(desk, row.id)
    else:
        fields = fields_of_row(get_national(desk, row.id)).replace(phones=("+77012345678",))
        update_national(desk, row.id, fields)
    assert get_national(desk, row.id).review == ()
    again = import_list(desk, path)  # the same list, the next morning
    assert (again.updated, again.unchanged, again.needs_review) == (0, 1, 0)
    assert get_national(desk, row.id).review == ()
    # Another wrong number is new: set aside.
    other = write_csv(
        tmp_path / "next.csv", [["Фамилия", "Имя", "Телефон"], ["Іскаков", "Серік", "+7 769 1"]]
    )
    assert import_list(desk, other).needs_review == 1
    assert [i.value for i in get_national(desk, row.id).review] == ["+7 769 1"]


# -- a record on file that the list says otherwise ------------------------------------------


def test_a_renewed_passport_or_a_new_surname_on_a_list_is_set_aside_never_dropped(desk, tmp_path):
    iin = valid_iin(date(1979, 5, 5), Sex.FEMALE)
    row = register_national(
        desk, person(iin=iin, passport_no="N70000001", birth_date=date(1979, 5, 5))
    ).row
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "ИИН", "Паспорт", "Телефон"],
            ["Қасымова-Ли", "Әйгерім", iin, "N99999992", "+77011112298"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.updated, report.invalid) == (0, 1, 0)
    stored = get_national(desk, row.id)
    assert (stored.passport_no, stored.surname_cyr) == ("N70000001", "Қасымова")  # kept
    assert "+77011112298" in stored.phones  # what the record lacked, it takes
    items = {(i.field, i.code, i.value) for i in stored.review}
    assert ("passport_no", "list.value_differs", "N99999992") in items
    assert ("surname_cyr", "list.value_differs", "Қасымова-Ли") in items
    said = {w.field: w.message for w in report.warnings}
    assert "N99999992" in said["passport_no"] and "N70000001" in said["passport_no"]
    again = import_list(desk, path)  # the same list tomorrow: nothing new to say
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_name_in_capitals_or_without_kazakh_letters_is_no_other_name(desk, tmp_path):
    iin = valid_iin(date(1979, 5, 5), Sex.FEMALE)
    row = register_national(desk, person(iin=iin, birth_date=date(1979, 5, 5))).row
    path = write_csv(
        tmp_path / "operator.csv",
        [["Фамилия", "Имя", "ИИН"], ["КАСЫМОВА", "АЙГЕРИМ", iin]],  # cp1251-style, capitals
    )
    report = import_list(desk, path)
    assert report.needs_review == 0 and get_national(desk, row.id).review == ()
    assert get_national(desk, row.id).surname_cyr == "Қасымова"  # the record's spelling stays


def test_the_same_name_and_passport_born_a_day_apart_is_the_person_with_the_date_aside(
    desk, tmp_path
):
    row = register_national(
        desk,
        person(iin=None, passport_no="N12345601", birth_date=date(1980, 1, 15), city=None),
    ).row
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "Паспорт", "Дата рождения", "Город"],
            ["Қасымова", "Әйгерім", "N12345601", "16.01.1980", "Sharjah"],
            ["Петров", "Пётр", "N12345601", "16.01.1980", ""],  # another's copied number
        ],
    )
    report = import_list(desk, path)
    assert (report.updated, report.invalid) == (1, 1)
    stored = get_national(desk, row.id)
    assert (stored.birth_date, stored.city) == (date(1980, 1, 15), "Sharjah")
    assert [(i.field, i.value) for i in stored.review] == [("birth_date", "16.01.1980")]
    (refused,) = report.errors
    assert refused.code == "list.other_person" and refused.line == 3
    assert "not to Петров Пётр on this row" in refused.message


def test_a_relation_corrected_in_the_review_file_settles_its_review(desk, tmp_path):
    grandmother = valid_iin(date(1950, 1, 1), Sex.FEMALE)
    report = import_list(
        desk,
        family_list(
            tmp_path / "families.csv",
            [["Қасымова", "Бибігүл", grandmother, "Ж", "12", "тётя сестры"]],
        ),
    )
    granny = next(p for p in rows_of(desk, "SELECT * FROM national") if p["iin"] == grandmother)
    assert granny["review"] is not None and "relation" in granny["review"]
    rows = read_csv(report.review_file)
    relation = rows[0].index("Родство")
    rows[1][relation] = "другое"  # the officer's answer
    write_csv(report.review_file, rows)
    corrected = import_list(desk, report.review_file)
    assert corrected.needs_review == 0
    granny = next(p for p in rows_of(desk, "SELECT * FROM national") if p["iin"] == grandmother)
    assert granny["review"] is None


def test_dashes_and_question_marks_are_empty_cells_in_every_column(desk, tmp_path):
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "Пол", "Дата рождения", "Беременность", "Страна", "Телефон"],
            ["Яковлева", "Вера", "?", "?", "?", "?", "?"],
            ["Яковлев", "Лев", "-", "--", "-", "—", "–"],
            ["Ершов", "Иван", "М", "05.05.1980", "нет", "ОАЭ", "-нет связи-"],
            # spaces around the mark (a no-break space from a spreadsheet too)
            ["Петров", "Пётр", " ? ", " - ", "\u00a0-", " — ", "\t–  "],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.needs_review) == (4, 1), report.warnings
    people = by_surname(desk)
    assert people["Яковлева"]["review"] is None and people["Яковлев"]["review"] is None
    assert people["Петров"]["review"] is None and people["Петров"]["sex"] is None
    assert people["Яковлева"]["sex"] is None and people["Яковлев"]["phones"] in (None, "[]")
    # a value that only starts with a dash is a value (here a doubtful phone, set aside)
    assert "phones" in people["Ершов"]["review"]


def test_a_surname_of_digits_is_refused_with_why_not_only_that_one_is_needed(desk, tmp_path):
    path = write_csv(tmp_path / "operator.csv", [["Фамилия", "Имя"], ["12345", "Иван"]])
    report = import_list(desk, path, dry_run=True)
    assert [e.code for e in report.errors][-1] == "name.missing"
    why = report.errors[0]
    assert why.line == 2 and "“12345”" in why.message and why.code.endswith("_expected")


def test_a_whole_name_in_the_surname_column_is_read_as_a_whole_name(desk, tmp_path):
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "Surname", "Given names"],
            ["Сергеев Сергей Сергеевич", "", "SERGEEV SERGEI", ""],
            ["Ахмедова-Байжанова", "Әлия", "", ""],  # a double surname stays one
        ],
    )
    import_list(desk, path)
    people = by_surname(desk)
    sergeev = people["Сергеев"]
    assert (sergeev["given_names_cyr"], sergeev["patronymic_cyr"]) == ("Сергей", "Сергеевич")
    assert (sergeev["surname_lat"], sergeev["given_names_lat"]) == ("SERGEEV", "SERGEI")
    assert people["Ахмедова-Байжанова"]["given_names_cyr"] == "Әлия"


def _with_results(path: Path, results: dict[str, str]) -> Path:
    """The workbook at ``path`` with a result saved for the formulas of the cells named, as a
    spreadsheet saves them (openpyxl writes formulas without results)."""
    import re
    import zipfile

    out = path.with_name(f"saved-{path.name}")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for cell, result in results.items():
                    kind = ' t="str"'
                    data = re.sub(
                        rf'<c r="{cell}"([^>]*)>(<f>.*?</f>)<v ?/>'.encode(),
                        rf'<c r="{cell}"\1{kind}>\2<v>{result}</v>'.encode(),
                        data,
                    )
            dst.writestr(item, data)
    return out


def test_a_formula_without_its_result_is_named_not_read_as_empty(desk, tmp_path):
    """A workbook written by a script keeps formulas but not their results: calamine reads
    those cells as empty, and the phone or the person went missing without a word."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Фамилия", "Имя", "Телефон", "Дата рождения", "Примечание"])
    sheet.append(["Қасымов", "Ерлан", '="+7 701 "&"123 45 67"', "=DATE(1980,1,2)", "=1+1"])
    sheet.append(['=UPPER("сәрсенова")', "Ғалия", "+77011234568", "02.03.1990", ""])
    sheet.append(["Өтегенов", "Нұрлан", "+77011234569", "=A1", ""])  # (saved below)
    sheet.append(["Әлиев", "Іңкәр", "+77011234570", '=IF(1,"","")', ""])  # (saved: empty)
    sheet.append(["Үмбетов", "Ұлан", "+77011234571", "04.05.1985", ""])
    path = tmp_path / "script.xlsx"
    book.save(path)
    path = _with_results(path, {"D4": "03.04.1975", "D5": ""})

    report = import_list(desk, path, columns={"Примечание": None})
    assert (report.created, report.invalid, report.needs_review) == (4, 1, 1), report.warnings
    warned = {(w.line, w.field, w.code) for w in report.warnings}
    assert warned == {
        (2, "phones", "list.formula_no_value"),
        (2, "birth_date", "list.formula_no_value"),
    }  # not the ignored column, not the cells a spreadsheet had saved
    phone = next(w for w in report.warnings if w.field == "phones")
    assert "C2" in phone.message and '="+7 701 "&"123 45 67"' in phone.message
    assert phone.value == '="+7 701 "&"123 45 67"'
    people = by_surname(desk)
    review = json.loads(people["Қасымов"]["review"])
    assert {i["field"] for i in review} == {"phones", "birth_date"}
    assert people["Өтегенов"]["birth_date"] == "1975-04-03" and people["Өтегенов"]["review"] is None
    # The surname a formula held: the refusal says why there is no name.
    assert {(e.line, e.code) for e in report.errors} >= {
        (3, "name.missing"),
        (3, "list.formula_no_value"),
    }
    assert any("A3" in e.message for e in report.errors)


def test_a_row_with_the_id_of_a_deleted_record_does_not_bring_it_back(desk, tmp_path):
    """A review file (it carries the ConsulDesk ID) imported after headquarters deleted the
    person: "new: 1", and the deleted person was back as someone new, without a word."""
    from consuldesk.services.nationals import delete_national, merge_nationals

    gone = register_national(desk, person(surname_cyr="Серікова", passport_no="N1000001")).row
    twin = register_national(desk, person(surname_cyr="Ахметов", passport_no="N1000002")).row
    kept = register_national(desk, person(surname_cyr="Ахметов", passport_no="N1000003")).row
    delete_national(desk, gone.id)
    merge_nationals(desk, kept.id, twin.id)
    path = write_csv(
        tmp_path / "fixed.csv",
        [
            ["ConsulDesk ID", "Фамилия", "Имя", "Адрес"],
            [gone.id, "Серікова", "Әлия", "Doha"],
            [twin.id, "Ахметов", "Ерлан", "Al Wakrah, villa 7"],  # merged since: the one kept
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.invalid, report.updated) == (0, 1, 1), report.errors
    [refused] = report.errors
    assert (refused.line, refused.code) == (2, "list.record_deleted")
    assert "clear the ID" in refused.message
    assert get_national(desk, kept.id).address == "Al Wakrah, villa 7"
    assert not search(desk, "Серікова").rows


def test_a_consent_column_gives_the_consent_a_manifest_asks_for(desk, tmp_path):
    """No list could carry the consent to evacuation: every manifest row and slip of people
    from lists said "No consent", burying the flags that stop someone at the border."""
    from tests.conftest import TODAY

    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Фамилия", "Имя", "Согласие на эвакуацию"],
            ["Қасымова", "Әйгерім", "да"],
            ["Омаров", "Ерлан", "05.03.2026"],
            ["Сейітова", "Әлия", "нет"],
            ["Жұмабаев", "Нұрлан", "может быть"],
        ],
    )
    report = import_list(desk, path)
    assert (report.created, report.needs_review) == (4, 1), report.warnings
    people = by_surname(desk)
    assert people["Қасымова"]["consent_date"] == TODAY.isoformat()  # yes: the day it came
    assert people["Омаров"]["consent_date"] == "2026-03-05"
    assert people["Сейітова"]["consent_date"] is None
    assert people["Жұмабаев"]["consent_date"] is None
    assert "consent_date" in people["Жұмабаев"]["review"]
    [warning] = report.warnings
    assert (warning.line, warning.code) == (5, "list.consent")


def test_status_as_people_write_it_is_read(desk, tmp_path):
    """'In the country' was refused as an unknown status (only 'In country' was read)."""
    path = write_csv(
        tmp_path / "operator.csv",
        [
            ["Surname", "Given names", "Status"],
            ["KASSYMOVA", "AIGERIM", "In the country"],
            ["OMAROV", "ERLAN", "in a hotel"],
            ["SEITOVA", "ALIYA", "На месте"],
        ],
    )
    report = import_list(desk, path)
    assert report.needs_review == 0, report.warnings
    status = {
        p["surname_lat"]: p["presence_status"] for p in rows_of(desk, "SELECT * FROM national")
    }
    assert status == {"KASSYMOVA": "in_country", "OMAROV": "in_hotel", "SEITOVA": "in_country"}


# -- a merge stays merged when the list comes again -----------------------------------------


def test_a_person_merged_away_is_not_made_again_by_the_same_list(desk, tmp_path):
    """The list spells her "Абдрахманова" and brings her passport; the post had her as
    "Әбдірахманова" (registered by hand, no passport). The import flags the pair, the
    officer merges it keeping the post's record; the same list (the tour operator's daily one)
    made her anew, flagged again, every morning."""
    from consuldesk.services.nationals import list_duplicates, merge_nationals

    on_file = register_national(
        desk,
        person(
            surname_cyr="Әбдірахманова",
            given_names_cyr="Дана",
            surname_lat=None,
            given_names_lat=None,
            birth_date=date(1954, 7, 9),
            phones=(),
        ),
    ).row
    listed = write_csv(
        tmp_path / "arrivals.csv",
        [
            ["Фамилия", "Имя", "Дата рождения", "Телефон", "Номер паспорта"],
            ["Абдрахманова", "Дана", "09.07.1954", "+7 701 555 1122", ""],
            ["Сейітова", "Әсел", "01.01.1990", "", "N70000001"],
        ],
    )
    first = import_list(desk, listed)
    assert first.created == 2 and first.flagged_duplicates == 1
    [pair] = list_duplicates(desk)
    gone = pair.b.id if pair.a.id == on_file.id else pair.a.id
    merge_nationals(desk, on_file.id, gone)

    again = import_list(desk, listed)
    assert (again.created, again.flagged_duplicates) == (0, 0), again
    assert list_duplicates(desk) == []
    assert len(search(desk, "Дана").rows) == 1


def test_a_passport_of_a_record_merged_away_leads_to_the_record_kept(desk, tmp_path):
    from consuldesk.services.nationals import list_duplicates, merge_nationals

    kept = register_national(
        desk,
        person(surname_lat=None, given_names_lat=None, passport_no="N11111111", phones=()),
    ).row
    listed = write_csv(
        tmp_path / "list.csv",
        [
            ["Surname", "Given names", "Date of birth", "Passport number"],
            ["KASYMOVA", "AYGERIM", "04.03.1985", "N22222222"],
        ],
    )
    assert import_list(desk, listed).flagged_duplicates == 1
    [pair] = list_duplicates(desk)
    merge_nationals(desk, kept.id, pair.b.id if pair.a.id == kept.id else pair.a.id)
    again = import_list(desk, listed)
    assert again.created == 0 and list_duplicates(desk) == []
    record = get_national(desk, kept.id)
    assert record.passport_no == "N11111111"  # the kept passport stays; the list's is kept aside
    assert "N22222222" in (record.notes or "") + json.dumps(record.review, default=str)


def test_a_family_number_of_another_list_is_another_family(desk, tmp_path):
    """Every operator numbers its families 1, 2, 3…: the Петровs of a list from Riyadh were
    put into the Қасымовs' family "12" of a list from Abu Dhabi."""
    import_list(desk, family_list(tmp_path / "families.csv"))
    other = write_csv(
        tmp_path / "riyadh.csv",
        [
            FAMILY_HEADER,
            ["Петров", "Иван", "", "М", "12", "глава"],
            ["Петрова", "Мария", "", "Ж", "12", "жена"],
        ],
    )
    report = import_list(desk, other)
    assert (report.created, report.families_created, report.members_added) == (2, 1, 2)
    assert report.warnings == []  # no "already has a head"
    assert [(h["name"], h["members"]) for h in households(desk)] == [
        ("Қасымов (12)", 3),
        ("Петров (12)", 2),
    ]
    # Sent again, each list finds its own family; a daughter listed later joins hers.
    for path in (tmp_path / "families.csv", other):
        assert import_list(desk, path).families_created == 0
    later = write_csv(
        tmp_path / "later.csv",
        [FAMILY_HEADER, ["Петрова", "Анна", "", "Ж", "12", "дочь"]],
    )
    assert import_list(desk, later).families_created == 0
    assert [(h["name"], h["members"]) for h in households(desk)] == [
        ("Қасымов (12)", 3),
        ("Петров (12)", 3),
    ]


def test_a_role_set_aside_is_shown_as_the_list_wrote_it(desk, tmp_path):
    import_list(desk, family_list(tmp_path / "families.csv"))
    path = write_csv(
        tmp_path / "again.csv",
        [
            FAMILY_HEADER,
            ["Қасымов", "Нұрлан", SON_IIN, "М", "12", "басшы"],  # a second head
            ["Қасымова", "Әйгерім", MOTHER_IIN, "Ж", "12", "қызы"],  # a spouse on file
        ],
    )
    report = import_list(desk, path)
    got = sorted((w.line, w.code, w.value, w.message) for w in report.warnings)
    assert got == [
        (
            2,
            "list.second_head",
            "басшы",
            "Қасымов (12) already has a head: this person was not made its head",
        ),
        (
            3,
            "list.relation_differs",
            "қызы",
            "The list says “қызы”; the relation on file (“Spouse”) was kept",
        ),
    ]


def test_a_role_settled_in_the_review_file_does_not_come_back_with_the_list_sent_again(
    desk, tmp_path
):
    """The operator marks the wife "басшы" every day: corrected once in the review file, her
    second head was set aside again with each resend."""
    daily = family_list(
        tmp_path / "daily.csv",
        [],
    )
    rows = read_csv(daily)
    rows[2][5] = "басшы"  # Әйгерім, the wife, marked head as well
    write_csv(daily, rows)
    report = import_list(desk, daily)
    assert [(w.line, w.code, w.value) for w in report.warnings] == [
        (3, "list.second_head", "басшы")
    ]
    review = read_csv(report.review_file)
    review[1][review[0].index("Родство")] = "әйелі"  # the officer's answer
    write_csv(report.review_file, review)
    assert import_list(desk, report.review_file).needs_review == 0
    again = import_list(desk, daily)
    assert (again.needs_review, again.warnings, again.review_file) == (0, [], None)
    assert by_surname(desk)["Қасымова"]["review"] is None
