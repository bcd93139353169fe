"""Tests for consuldesk.domain.mrz."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from consuldesk.domain.enums import Sex
from consuldesk.domain.errors import ValidationError
from consuldesk.domain.iin import make_iin, parse_iin
from consuldesk.domain.mrz import MrzData, make_td3, mrz_check_digit, parse_td3

TODAY = datetime.date(2025, 6, 30)

# ICAO Doc 9303 part 4, TD3 specimen.
ICAO_LINE1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
ICAO_LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
ICAO_DATA = MrzData(
    document_type="P",
    issuing_state="UTO",
    surname="ERIKSSON",
    given_names="ANNA MARIA",
    passport_no="L898902C3",
    nationality="UTO",
    birth_date=datetime.date(1974, 8, 12),
    sex=Sex.FEMALE,
    expiry_date=datetime.date(2012, 4, 15),
    personal_number="ZE184226B",
)


def ref_check(s: str) -> int:
    """Independent ICAO 9303 check digit."""
    values = {**{str(i): i for i in range(10)}, "<": 0}
    values.update({chr(ord("A") + i): 10 + i for i in range(26)})
    return sum(values[c] * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10


def line2(
    passport_no: str = "N12345678",
    nationality: str = "KAZ",
    birth: str = "920517",
    sex: str = "F",
    expiry: str = "310601",
    personal: str = "<" * 14,
) -> str:
    """A TD3 second line with correct check digits, built independently of the module."""
    p = passport_no.ljust(9, "<")
    p += str(ref_check(p))
    b = birth + str(ref_check(birth))
    e = expiry + str(ref_check(expiry))
    o = personal.ljust(14, "<")
    o += "<" if o == "<" * 14 else str(ref_check(o))
    composite = str(ref_check(p + b + e + o))
    return p + nationality + b + sex + e + o + composite


def replace(s: str, index: int, char: str) -> str:
    return s[:index] + char + s[index + 1 :]


def test_specimen_check_digits() -> None:
    assert mrz_check_digit("L898902C3") == 6
    assert mrz_check_digit("740812") == 2
    assert mrz_check_digit("120415") == 9
    assert mrz_check_digit("ZE184226B<<<<<") == 1
    assert mrz_check_digit("L898902C36" + "7408122" + "1204159" + "ZE184226B<<<<<1") == 0
    assert mrz_check_digit("") == 0


def test_check_digit_rejects_other_characters() -> None:
    with pytest.raises(ValueError):
        mrz_check_digit("AB c")


def test_icao_specimen() -> None:
    assert parse_td3(f"{ICAO_LINE1}\n{ICAO_LINE2}", today=TODAY) == ICAO_DATA


@pytest.mark.parametrize(
    "text",
    [
        f"{ICAO_LINE1}{ICAO_LINE2}",  # one 88-character line
        f"{ICAO_LINE1}\r\n{ICAO_LINE2}\r\n",
        f"{ICAO_LINE1}   \n\n{ICAO_LINE2}  \n",
        f"  {ICAO_LINE1}\r{ICAO_LINE2}",
        f"{ICAO_LINE1}\n{ICAO_LINE2}".lower(),
        f"{ICAO_LINE1}{ICAO_LINE2}".lower() + "\r\n",
    ],
)
def test_reader_input_variants(text: str) -> None:
    assert parse_td3(text, today=TODAY) == ICAO_DATA


def test_kazakh_specimen() -> None:
    iin = make_iin(datetime.date(1992, 5, 17), Sex.FEMALE, 1234)
    lines = make_td3(
        surname="NURSULTANOVA",
        given_names="AIGERIM",
        passport_no="N12345678",
        nationality="KAZ",
        birth_date=datetime.date(1992, 5, 17),
        sex=Sex.FEMALE,
        expiry_date=datetime.date(2031, 6, 1),
        personal_number=iin,
    )
    assert lines == (
        "P<KAZNURSULTANOVA<<AIGERIM<<<<<<<<<<<<<<<<<<",
        line2(personal=iin),
    )
    data = parse_td3("\n".join(lines), today=TODAY)
    assert data == MrzData(
        document_type="P",
        issuing_state="KAZ",
        surname="NURSULTANOVA",
        given_names="AIGERIM",
        passport_no="N12345678",
        nationality="KAZ",
        birth_date=datetime.date(1992, 5, 17),
        sex=Sex.FEMALE,
        expiry_date=datetime.date(2031, 6, 1),
        personal_number=iin,
    )
    assert parse_iin(data.personal_number).birth_date == data.birth_date


@pytest.mark.parametrize(
    ("index", "char", "code", "expected"),
    [
        (9, "7", "mrz.check_passport_no", 6),
        (19, "3", "mrz.check_birth_date", 2),
        (27, "0", "mrz.check_expiry", 9),
        (42, "2", "mrz.check_personal_number", 1),
        (42, "<", "mrz.check_personal_number", 1),  # "<" only allowed for an empty field
        (43, "1", "mrz.check_composite", 0),
        (43, "<", "mrz.check_composite", 0),
    ],
)
def test_each_wrong_check_digit_has_its_code(
    index: int, char: str, code: str, expected: int
) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_td3(f"{ICAO_LINE1}\n{replace(ICAO_LINE2, index, char)}", today=TODAY)
    assert exc.value == ValidationError(code, "mrz", expected=expected, got=char)


def test_changed_data_fails_its_own_check_first() -> None:
    # One OCR error in the passport number: its own check digit fails before the composite.
    with pytest.raises(ValidationError) as exc:
        parse_td3(f"{ICAO_LINE1}\n{replace(ICAO_LINE2, 1, '0')}", today=TODAY)
    assert exc.value.code == "mrz.check_passport_no"


@pytest.mark.parametrize("check", ["<", "0"])
def test_empty_personal_number(check: str) -> None:
    line = line2()
    assert line[42] == "<"
    line = replace(line, 42, check)
    composite = ref_check(line[0:10] + line[13:20] + line[21:43])
    line = replace(line, 43, str(composite))
    data = parse_td3(f"P<KAZNURSULTANOVA<<AIGERIM{'<' * 18}\n{line}", today=TODAY)
    assert data.personal_number == ""


def test_unknown_birth_date_and_sex() -> None:
    line = line2(birth="<<<<<<", sex="<")
    data = parse_td3(f"P<KAZNURSULTANOVA<<AIGERIM{'<' * 18}\n{line}", today=TODAY)
    assert data.birth_date is None
    assert data.sex is None


@pytest.mark.parametrize(
    ("birth", "today", "expected"),
    [
        ("200101", datetime.date(2025, 6, 30), datetime.date(2020, 1, 1)),
        ("200101", datetime.date(2019, 12, 31), datetime.date(1920, 1, 1)),
        ("250630", datetime.date(2025, 6, 30), datetime.date(2025, 6, 30)),  # born today
        ("250701", datetime.date(2025, 6, 30), datetime.date(1925, 7, 1)),
        ("000229", datetime.date(2025, 6, 30), datetime.date(2000, 2, 29)),
    ],
)
def test_birth_century(birth: str, today: datetime.date, expected: datetime.date) -> None:
    text = f"P<KAZA<<B{'<' * 35}\n{line2(birth=birth)}"
    assert parse_td3(text, today=today).birth_date == expected


def test_expiry_is_20xx() -> None:
    text = f"P<KAZA<<B{'<' * 35}\n{line2(expiry='991231')}"
    assert parse_td3(text, today=TODAY).expiry_date == datetime.date(2099, 12, 31)


def test_today_defaults_to_now() -> None:
    data = parse_td3(f"{ICAO_LINE1}\n{ICAO_LINE2}")
    assert data.birth_date == datetime.date(1974, 8, 12)


@pytest.mark.parametrize(
    ("birth", "expiry", "code", "value"),
    [
        ("921317", "310601", "mrz.birth_date", "921317"),
        ("000229", "310601", "mrz.birth_date", "000229"),  # only 1900 is possible, not leap
        ("920517", "310231", "mrz.expiry_date", "310231"),
        ("920517", "31AB01", "mrz.expiry_date", "31AB01"),
    ],
)
def test_impossible_dates(birth: str, expiry: str, code: str, value: str) -> None:
    text = f"P<KAZA<<B{'<' * 35}\n{line2(birth=birth, expiry=expiry)}"
    with pytest.raises(ValidationError) as exc:
        parse_td3(text, today=datetime.date(1999, 12, 31))
    assert exc.value == ValidationError(code, "mrz", value=value)


def test_names() -> None:
    text = f"P<D<<VON<DER<HEIDE<<ANNA<LENA{'<' * 15}\n{line2(nationality='D<<')}"
    data = parse_td3(text, today=TODAY)
    assert (data.surname, data.given_names) == ("VON DER HEIDE", "ANNA LENA")
    assert (data.issuing_state, data.nationality) == ("D<<", "D<<")


def test_surname_only() -> None:
    data = parse_td3(f"P<KAZMADONNA{'<' * 32}\n{line2()}", today=TODAY)
    assert (data.surname, data.given_names) == ("MADONNA", "")


def test_document_type_with_subtype() -> None:
    data = parse_td3(f"PDKAZA<<B{'<' * 35}\n{line2()}", today=TODAY)
    assert data.document_type == "PD"


def test_not_a_passport() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_td3(f"V<{ICAO_LINE1[2:]}\n{ICAO_LINE2}", today=TODAY)
    assert exc.value == ValidationError("mrz.type", "mrz", got="V<")


@pytest.mark.parametrize(
    ("text", "got", "expected"),
    [
        (f"{ICAO_LINE1[:-1]}\n{ICAO_LINE2}", 43, 44),
        (f"{ICAO_LINE1}\n{ICAO_LINE2}<", 45, 44),
        (f"{ICAO_LINE1}{ICAO_LINE2[:-1]}", 87, 88),
        (ICAO_LINE1, 44, 88),
    ],
)
def test_wrong_length(text: str, got: int, expected: int) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_td3(text, today=TODAY)
    assert exc.value == ValidationError("mrz.length", "mrz", got=got, expected=expected)


@pytest.mark.parametrize(
    ("text", "got"),
    [
        ("", 0),
        ("  \n \r\n", 0),
        # TD1 (identity card): three lines of 30.
        (
            "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            3,
        ),
    ],
)
def test_wrong_line_count(text: str, got: int) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_td3(text, today=TODAY)
    assert exc.value == ValidationError("mrz.lines", "mrz", got=got)


@pytest.mark.parametrize(
    ("line", "index", "char"),
    [(1, 10, " "), (2, 0, "*"), (2, 5, "Ə"), (1, 43, "«"), (1, 6, "ß"), (1, 7, "ı")],
)
def test_charset(line: int, index: int, char: str) -> None:
    lines = [ICAO_LINE1, ICAO_LINE2]
    lines[line - 1] = replace(lines[line - 1], index, char)
    with pytest.raises(ValidationError) as exc:
        parse_td3("\n".join(lines), today=TODAY)
    assert exc.value == ValidationError(
        "mrz.charset", "mrz", line=line, position=index + 1, char=char
    )


def test_custom_field_name() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_td3("P<", field="passport_mrz")
    assert exc.value.field == "passport_mrz"


def test_make_td3_defaults_and_padding() -> None:
    line1, line2_ = make_td3(
        surname="Eriksson",
        given_names="Anna Maria",
        passport_no="L898902C3",
        nationality="UTO",
        birth_date=datetime.date(1974, 8, 12),
        sex=Sex.FEMALE,
        expiry_date=datetime.date(2012, 4, 15),
        personal_number="ZE184226B",
    )
    assert (line1, line2_) == (ICAO_LINE1, ICAO_LINE2)


@pytest.mark.parametrize(
    "changes",
    [
        {"surname": "A" * 30, "given_names": "B" * 10},
        {"surname": "НҰРСҰЛТАНОВА"},
        {"passport_no": "N123456789"},
        {"personal_number": "1" * 15},
        {"nationality": "KAZA"},
        {"expiry_date": datetime.date(1999, 1, 1)},
        {"document_type": "V"},
    ],
)
def test_make_td3_rejects(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "surname": "NURSULTANOVA",
        "given_names": "AIGERIM",
        "passport_no": "N12345678",
        "nationality": "KAZ",
        "birth_date": datetime.date(1992, 5, 17),
        "sex": Sex.FEMALE,
        "expiry_date": datetime.date(2031, 6, 1),
    }
    fields.update(changes)
    with pytest.raises(ValueError):
        make_td3(**fields)  # type: ignore[arg-type]


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_word = st.text(_LETTERS, min_size=1, max_size=10)
_names = st.lists(_word, min_size=1, max_size=3).map(" ".join)


@given(
    surname=_names,
    given_names=st.one_of(st.just(""), _names),
    passport_no=st.text(_LETTERS + "0123456789", min_size=1, max_size=9),
    nationality=st.sampled_from(["KAZ", "UTO", "D<<", "ARE", "RUS"]),
    issuing_state=st.sampled_from(["KAZ", "UTO", "D<<"]),
    birth_date=st.one_of(st.none(), st.dates(TODAY - datetime.timedelta(days=36000), TODAY)),
    sex=st.sampled_from([Sex.MALE, Sex.FEMALE, None]),
    expiry_date=st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
    personal_number=st.text(_LETTERS + "0123456789", max_size=14),
)
def test_make_parse_round_trip(
    surname: str,
    given_names: str,
    passport_no: str,
    nationality: str,
    issuing_state: str,
    birth_date: datetime.date | None,
    sex: Sex | None,
    expiry_date: datetime.date,
    personal_number: str,
) -> None:
    assume(len(surname) + 2 + len(given_names) <= 39)
    line1, line2_ = make_td3(
        surname=surname,
        given_names=given_names,
        passport_no=passport_no,
        nationality=nationality,
        issuing_state=issuing_state,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
        personal_number=personal_number,
    )
    assert len(line1) == len(line2_) == 44
    expected = MrzData(
        document_type="P",
        issuing_state=issuing_state,
        surname=surname,
        given_names=given_names,
        passport_no=passport_no,
        nationality=nationality,
        birth_date=birth_date,
        sex=sex,
        expiry_date=expiry_date,
        personal_number=personal_number,
    )
    assert parse_td3(f"{line1}\n{line2_}", today=TODAY) == expected
    assert parse_td3(line1 + line2_, today=TODAY) == expected
