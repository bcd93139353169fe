"""The headless CLI: commands, JSON output and exit codes."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_CASEFILE, EXIT_OK, EXIT_USAGE, main
from consuldesk.domain.enums import Sex
from tests.factories import valid_iin


@pytest.fixture
def casefile(tmp_path, capsys):
    path = tmp_path / "QA-DOH.consuldesk"
    code = main(
        [
            "--case-file",
            str(path),
            "--officer",
            "Test",
            "init",
            "--post",
            "qa-doh",
            "--name",
            "Посольство в Дохе",
            "--country",
            "Катар",
        ]
    )
    assert code == EXIT_OK
    assert "Created case file" in capsys.readouterr().out
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_is_usable(capsys):
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    for command in ("init", "demo", "import", "export", "search", "stats"):
        assert command in out


def test_wrong_usage_exits_2(capsys):
    assert main(["no-such-command"]) == EXIT_USAGE


def test_no_case_file_yet_says_what_to_do(capsys, tmp_path):
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "empty"), "search", "x")
    assert code == EXIT_CASEFILE
    assert "consuldesk-cli init" in err


def test_init_then_info(capsys, casefile):
    code, out, _ = run(capsys, "--case-file", str(casefile), "info", "--json")
    assert code == EXIT_OK
    info = json.loads(out)
    assert info["post"] == {"code": "QA-DOH", "name": "Посольство в Дохе", "host_country": "QA"}
    assert info["nationals"] == 0


def test_init_refuses_an_existing_file(capsys, casefile):
    code, _, err = run(capsys, "--case-file", str(casefile), "init", "--post", "QA", "--name", "x")
    assert code == EXIT_BAD_INPUT and "already exists" in err and "--case-file" in err


def test_init_with_a_bad_country_is_bad_input(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "--case-file",
        str(tmp_path / "x.consuldesk"),
        "init",
        "--post",
        "XX",
        "--name",
        "x",
        "--country",
        "Атлантида",
    )
    assert code == EXIT_BAD_INPUT and "Атлантида" in err
    assert not (tmp_path / "x.consuldesk").exists()


def test_search_and_stats_over_registered_people(capsys, casefile):
    from consuldesk.domain.national import NationalFields
    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import register_national

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    iin = valid_iin(date(1958, 4, 1), Sex.MALE, 3)
    register_national(
        desk,
        NationalFields(
            surname_cyr="Тоқтаров",
            given_names_cyr="Бауыржан",
            iin=iin,
            host_country="QA",
            city="Doha",
        ),
    )
    desk.close()
    code, out, _ = run(capsys, "--case-file", str(casefile), "search", "тоқт", "--json")
    assert code == EXIT_OK
    rows = json.loads(out)["rows"]
    assert [r["surname_cyr"] for r in rows] == ["Тоқтаров"]
    assert rows[0]["vulnerabilities"] == ["over_60"] and rows[0]["iin"] == iin
    code, out, _ = run(capsys, "--case-file", str(casefile), "search", "Toktarov")
    assert code == EXIT_OK and "Тоқтаров Бауыржан" in out
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats", "--json")
    stats = json.loads(out)
    assert stats["nationals"] == 1 and stats["by_country"] == {"QA": 1}
    assert stats["by_vulnerability"]["over_60"] == 1
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats")
    assert code == EXIT_OK and "Qatar" in out
    assert "by kind" not in out  # no open requests: no heading over nothing

    from consuldesk.domain.enums import RequestKind
    from consuldesk.services.requests import open_request

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    from consuldesk.services.nationals import search

    [person] = search(desk, "Тоқтаров").rows
    open_request(desk, RequestKind.MEDICAL, "Инсулин", national_id=person.id)
    desk.close()
    code, out, _ = run(capsys, "--case-file", str(casefile), "--lang", "kk", "stats")
    kinds = out[out.index("түрлері бойынша") :].splitlines()[1]
    assert kinds.split() == ["Медициналық", "көмек", "1"]  # not "medical"


def test_stats_says_how_old_each_posts_figures_are(capsys, casefile):
    from datetime import UTC, datetime, timedelta

    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import register_national
    from tests.factories import people_from_posts, person

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    register_national(desk, person(host_country="QA"))
    people_from_posts(desk, {"IR-THR": timedelta(days=2), "AE-DXB": timedelta(minutes=30)})
    desk.close()
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats")
    assert code == EXIT_OK
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines["IR-THR"].endswith("more than a day old")
    assert "more than a day old" not in lines["AE-DXB"]
    assert lines["QA-DOH"].endswith("current: this case file")
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats", "--json")
    as_of = json.loads(out)["post_as_of"]
    assert set(as_of) == {"IR-THR", "AE-DXB"}  # its own figures are current
    made = datetime.fromisoformat(as_of["IR-THR"])
    assert timedelta(days=2) <= datetime.now(UTC) - made < timedelta(days=2, minutes=5)


def test_a_newer_case_file_is_refused_with_exit_4(capsys, casefile):
    from consuldesk.services.casefile import open_casefile

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    with desk.casefile.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num='9999'")
    desk.close()
    code, _, err = run(capsys, "--case-file", str(casefile), "info")
    assert code == EXIT_CASEFILE and "newer ConsulDesk" in err


def test_several_case_files_a_list_is_never_imported_into_a_guessed_one(capsys, tmp_path):
    data = tmp_path / "data"
    for post in ("AE-ABU", "TRY"):
        assert main(["--data-dir", str(data), "init", "--post", post, "--name", post]) == EXIT_OK
    listing = tmp_path / "list.csv"
    listing.write_text("Фамилия;Имя\nҚасымова;Әйгерім\n", encoding="utf-8-sig")
    capsys.readouterr()
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(listing))
    assert code == EXIT_USAGE and "several case files" in err and "AE-ABU.consuldesk" in err
    code, out, err = run(capsys, "--data-dir", str(data), "stats")  # reading: says which
    assert code == EXIT_OK and "using " in err
    code, out, _ = run(
        capsys, "--case-file", str(data / "AE-ABU.consuldesk"), "import", str(listing)
    )
    assert code == EXIT_OK and "post AE-ABU" in out and "new: 1" in out


def test_search_prints_a_readable_table(capsys, casefile):
    from consuldesk.domain.national import NationalFields
    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import register_national

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    register_national(
        desk,
        NationalFields(
            surname_cyr="Әлиева",
            given_names_cyr="Ұлжан",
            birth_date=date(1990, 5, 17),
            phones=("87011234567",),
        ),
    )
    desk.close()
    code, out, _ = run(capsys, "--case-file", str(casefile), "search", "Әлиева")
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["Name", "Passport"]
    assert "17.05.1990" in lines[1] and "+7 701 123 4567" in lines[1] and "<10" not in out
    code, _, _err = run(capsys, "--case-file", str(casefile), "search", " ")
    assert code == EXIT_BAD_INPUT
    # Nobody named as typed ("Алиевна": a letter off): the people with a name near it, said.
    code, out, _ = run(capsys, "--case-file", str(casefile), "search", "Алиевна")
    lines = out.splitlines()
    assert code == EXIT_OK
    assert lines[0] == "Nobody is named “Алиевна”. People with a similar name:"
    assert lines[1].split()[:2] == ["Name", "Passport"] and "Әлиева" in lines[2]
    code, out, _ = run(capsys, "--case-file", str(casefile), "search", "Алиевна", "--json")
    assert json.loads(out)["similar"] is True


def test_stats_accepts_the_date_format_it_prints(capsys, casefile):
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats", "--on", "22.11.2026")
    assert code == EXIT_OK and "22.11.2026" in out


def test_messages_in_kazakh_and_russian(capsys, tmp_path):
    from consuldesk.i18n import install

    try:
        code, _, err = run(capsys, "--lang", "ru", "--data-dir", str(tmp_path / "x"), "search", "a")
        assert code == EXIT_CASEFILE and "consuldesk-cli init" in err and "Nobody" not in err
        assert any("\u0400" <= ch <= "\u04ff" for ch in err)
    finally:
        install("en")


# -- evacuation ----------------------------------------------------------------------------


def cli(capsys, casefile, *argv):
    return run(capsys, "--case-file", str(casefile), *argv)


@pytest.fixture
def dubai_time():
    """The computer's clock is four hours ahead of UTC (as in Dubai), without needing tzdata."""
    import os
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "<+04>-4"  # POSIX: the zone named +04 is 4 hours ahead of UTC
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def evacuees(casefile):
    """Three nationals in Doha: a man over 60 and a young man ask to be evacuated, a woman
    has not asked."""
    from consuldesk.domain.enums import RequestKind
    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import register_national
    from consuldesk.services.requests import open_request
    from tests.factories import person

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    people = [
        ("Өтегенов", "Қайрат", "OTEGENOV", "KAIRAT", Sex.MALE, date(1950, 1, 1), True),
        ("Һашимов", "Ұлан", "KHASHIMOV", "ULAN", Sex.MALE, date(1999, 9, 9), True),
        ("Сейітова", "Әсел", "SEIITOVA", "ASEL", Sex.FEMALE, date(1990, 2, 2), False),
    ]
    for n, (sur, given, sur_lat, given_lat, sex, born, asks) in enumerate(people, start=1):
        fields = person(
            surname_cyr=sur,
            given_names_cyr=given,
            surname_lat=sur_lat,
            given_names_lat=given_lat,
            sex=sex,
            birth_date=born,
            passport_no=f"N{n:08}",
            passport_expiry=date(2031, 1, 1),
            host_country="QA",
            city="Doha",
            phones=(),
        )
        row = register_national(desk, fields).row
        if asks:
            open_request(desk, RequestKind.EVACUATION, "Эвакуация", national_id=row.id)
    desk.close()
    return casefile


def test_evacuation_from_operation_to_printed_manifest(capsys, evacuees, tmp_path, dubai_time):
    import csv

    from pypdf import PdfReader

    code, out, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха — Эр-Рияд",
                       "--route", "Doha → Salwa → Riyadh", "--country", "Катар")  # fmt: skip
    assert code == EXIT_OK
    op = out.strip()
    assert len(op) == 36
    code, out, err = cli(capsys, evacuees, "evac", "add-trip", op[:8], "--leg", "1", "--from",
                         "Doha", "--to", "Riyadh", "--capacity", "1", "--border", "Abu Samra",
                         "--departure", "2026-03-12 06:00", "--vehicle", "QA 210554")  # fmt: skip
    assert code == EXIT_OK
    # Saved, and said: a departure before today is more often a slip than a bus that left.
    days = (date.today() - date(2026, 3, 12)).days
    note = f"Note: the departure, 12.03.2026 06:00, is {days} days before today."
    assert days <= 0 or note in err
    trip = out.strip()
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")
    assert (code, out) == (EXIT_OK, "2 added (0 already on the leg)\n")
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1",
                       "--all-nationals", "--city", "Doha")  # fmt: skip
    assert (code, out) == (EXIT_OK, "1 added (2 already on the leg)\n")

    code, out, _ = cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1", "--explain")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert "seated: 1 of 1 seats (1 just now)" in lines[0] and "waiting: 2" in lines[0]
    seated = next(line for line in lines if "OTEGENOV KAIRAT (Өтегенов Қайрат)" in line)
    assert "On QA 210554" in seated and "over 60" in seated  # the reason sentence
    assert "Waiting: 2" in out and "KHASHIMOV ULAN" in out and "SEIITOVA ASEL" in out

    code, out, _ = cli(capsys, evacuees, "evac", "list", "--json")
    [listed] = json.loads(out)
    [leg] = listed["legs"]
    assert listed["id"] == op and listed["host_country"] == "QA"
    assert leg["waiting"] == 2 and leg["trips"][0]["id"] == trip
    assert leg["trips"][0]["seated"] == 1 and leg["trips"][0]["capacity"] == 1
    assert leg["trips"][0]["departure_at"] == "2026-03-12T02:00:00+00:00"  # 06:00 in Dubai
    code, out, _ = cli(capsys, evacuees, "evac", "list")
    assert "Leg 1: Doha → Riyadh; waiting: 2" in out
    assert "12.03.2026 06:00" in out and "seated 1/1" in out and trip[:8] in out

    pdf = tmp_path / "manifest.pdf"
    code, out, err = cli(capsys, evacuees, "evac", "manifest", trip[:10], "--out", str(pdf),
                         "--lang", "kk")  # fmt: skip
    assert (code, out) == (EXIT_OK, f"{pdf}\n"), err
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Өтегенов Қайрат" in text and "Жолаушылар тізімі" in text and "Һашимов" not in text

    table = tmp_path / "manifest.csv"
    code, out, _ = cli(capsys, evacuees, "evac", "manifest", trip, "--out", str(table), "--csv",
                       "--json")  # fmt: skip
    assert code == EXIT_OK and json.loads(out) == {"file": str(table), "trip": trip}
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0][:3] == ["No", "Surname", "Given names"]
    assert [r[3] for r in rows[1:]] == ["Өтегенов Қайрат"]
    # Printed again over the same file: only when asked, for a manifest as for an export.
    before = table.read_bytes()
    code, _out, err = cli(capsys, evacuees, "evac", "manifest", trip, "--out", str(table),
                          "--csv")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "--replace" in err and table.read_bytes() == before
    code, _out, err = cli(capsys, evacuees, "evac", "manifest", trip, "--out", str(table),
                          "--csv", "--replace")  # fmt: skip
    assert code == EXIT_OK, err
    # Leg 2 with no condition takes who is seated on leg 1, as the window does: not the
    # country's waiting people, who would fly before they had left by bus.
    code, _out, err = cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "2", "--from",
                          "Riyadh", "--to", "Almaty", "--capacity", "9", "--mode",
                          "flight")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, err = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "2")
    assert (code, out) == (EXIT_OK, "1 added (0 already on the leg)\n"), err
    assert "the people seated on leg 1" in err


def test_documents_print_beside_english_the_language_of_messages(capsys, evacuees, tmp_path):
    from pypdf import PdfReader

    from consuldesk.i18n import install

    _code, op, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха")
    _code, trip, _ = cli(capsys, evacuees, "evac", "add-trip", op.strip(), "--leg", "1",
                         "--from", "Doha", "--to", "Riyadh", "--capacity", "5")  # fmt: skip
    trip = trip.strip()
    try:
        for lang, title in (("kk", "Жолаушылар тізімі"), ("en", "Список пассажиров")):
            pdf = tmp_path / f"{lang}.pdf"
            code, _out, err = run(capsys, "--lang", lang, "--case-file", str(evacuees), "evac",
                                  "manifest", trip, "--out", str(pdf))  # fmt: skip
            assert code == EXIT_OK, err
            text = PdfReader(pdf).pages[0].extract_text()
            assert title in text, (lang, text[:80])
    finally:
        install("en")


def test_operations_and_trips_are_named_by_a_unique_prefix(capsys, casefile, tmp_path):
    ids = []
    for name in ("Доха — Эр-Рияд", "Доха — Маскат"):
        code, out, _ = cli(capsys, casefile, "evac", "new-operation", name)
        assert code == EXIT_OK
        ids.append(out.strip())
    first, second = ids
    common = next((first[:n] for n in range(len(first), 0, -1) if second.startswith(first[:n])), "")
    assert len(common.replace("-", "")) >= 6  # time-ordered ids made together share a prefix

    code, _, err = cli(capsys, casefile, "evac", "allocate", common, "--leg", "1")
    assert code == EXIT_BAD_INPUT and "matches 2 operations" in err
    assert "Доха — Эр-Рияд" in err and "Доха — Маскат" in err and err.count("\n") == 1

    unique = first[: len(common) + 1].replace("-", "").upper()  # dashes and case do not matter
    add_trip = ["--leg", "1", "--from", "Doha", "--to", "Riyadh", "--capacity", "3"]
    code, out, _ = cli(capsys, casefile, "evac", "add-trip", unique, *add_trip)
    assert code == EXIT_OK
    code, out, _ = cli(capsys, casefile, "evac", "list", "--json")
    assert [o["id"] for o in json.loads(out) if o["legs"]] == [first]

    code, _, err = cli(capsys, casefile, "evac", "add-trip", "ffffff", *add_trip)
    assert code == EXIT_BAD_INPUT
    assert "No evacuation operation has an id starting with “ffffff”" in err
    code, _, err = cli(capsys, casefile, "evac", "add-trip", first[:5], *add_trip)
    assert code == EXIT_BAD_INPUT and "at least 6 characters" in err
    code, _, err = cli(capsys, casefile, "evac", "manifest", "ffffff", "--out",
                       str(tmp_path / "m.pdf"))  # fmt: skip
    assert code == EXIT_BAD_INPUT and "No trip has an id starting with “ffffff”" in err
    assert not (tmp_path / "m.pdf").exists()


def test_bad_evacuation_input_is_one_line_naming_the_option(capsys, casefile, tmp_path):
    code, out, _ = cli(capsys, casefile, "evac", "new-operation", "Доха")
    op = out.strip()
    trip_args = ["--leg", "1", "--from", "Doha", "--to", "Riyadh"]

    code, _, err = cli(capsys, casefile, "evac", "add-trip", op, *trip_args, "--capacity", "0")
    assert (code, err) == (
        EXIT_BAD_INPUT,
        "consuldesk-cli: --capacity: A trip needs at least one seat\n",
    )
    code, _, err = cli(capsys, casefile, "evac", "add-trip", op, *trip_args, "--capacity", "5",
                       "--departure", "tomorrow morning")  # fmt: skip
    assert code == EXIT_USAGE and "--departure" in err and "tomorrow morning" in err

    code, _, err = cli(capsys, casefile, "evac", "new-operation", "X", "--priority",
                       "over_60,vip")  # fmt: skip
    assert code == EXIT_BAD_INPUT and err.count("\n") == 1
    assert err.startswith("consuldesk-cli: --priority: “vip” is not a priority class")
    assert "medical_mobility" in err  # says which classes there are
    code, _, err = cli(capsys, casefile, "evac", "add-candidates", op, "--leg", "1",
                       "--status", "in_hotel,sunbathing")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "--status" in err and "sunbathing" in err
    code, _, err = cli(capsys, casefile, "evac", "add-candidates", op, "--leg", "1",
                       "--from-previous-leg")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "--leg: Leg 1 is the first leg" in err
    code, _, err = cli(capsys, casefile, "evac", "allocate", op, "--leg", "2")
    assert code == EXIT_BAD_INPUT and "Leg 2 has no open trip" in err

    code, out, _ = cli(capsys, casefile, "evac", "add-trip", op, *trip_args, "--capacity", "5")
    trip = out.strip()
    folder = tmp_path / "a folder"
    folder.mkdir()
    before = sorted(tmp_path.iterdir())
    for extra, suffix in (([], ".pdf"), (["--csv"], ".csv")):
        missing = tmp_path / "no such folder" / f"manifest{suffix}"
        code, out, err = cli(capsys, casefile, "evac", "manifest", trip, "--out", str(missing),
                             *extra)  # fmt: skip
        assert (code, out) == (EXIT_BAD_INPUT, "")
        assert err == (
            f"consuldesk-cli: The folder {missing.parent} does not exist (is the USB stick "
            "still in?)\n"
        )
        code, out, err = cli(capsys, casefile, "evac", "manifest", trip, "--out", str(folder),
                             *extra)  # fmt: skip
        assert code == EXIT_BAD_INPUT and err.count("\n") == 1
        assert err.startswith(f"consuldesk-cli: {folder} cannot be written: ")
    assert sorted(tmp_path.iterdir()) == before and not list(folder.iterdir())


def test_a_record_deleted_meanwhile_is_reported_not_a_traceback(capsys):
    from consuldesk.cli import _describe, _exit_code_for
    from consuldesk.store.errors import NotFound

    error = NotFound("trip", "0190abcd")
    assert _exit_code_for(error) == EXIT_BAD_INPUT
    assert _describe(error) == "There is no trip with the id 0190abcd (deleted?)"


def test_the_door_from_the_command_line_passengers_boarding_and_the_trip_leaving(capsys, evacuees):
    """Boarding at the door and the trip's departure were window-only: a post whose laptop
    screen broke could seat people from the command line but never board them."""
    code, op, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха — Эр-Рияд",
                      "--country", "QA")  # fmt: skip
    op = op.strip()
    code, trip, _ = cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "1", "--from",
                        "Doha", "--to", "Riyadh", "--capacity", "5", "--vehicle", "QA 210554",
                        "--departure", "2030-03-12 06:00")  # fmt: skip
    trip = trip.strip()
    cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")
    cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1")

    code, out, _ = cli(capsys, evacuees, "evac", "passengers", "210554")  # part of the plate
    assert code == EXIT_OK and out.startswith("QA 210554: ")
    code, out, _ = cli(capsys, evacuees, "evac", "passengers", trip[:8])
    assert code == EXIT_OK
    lines = out.splitlines()
    assert lines[0] == "QA 210554: 2 seated of 5, 0 boarded; planned"
    assert "OTEGENOV KAIRAT (Өтегенов Қайрат)" in out and "KHASHIMOV ULAN (Һашимов Ұлан)" in out
    assert "⚠ no consent date on file" in out and "To check before the border: 2" in out

    # A passport number, then a seat; a code that boards nobody is said and makes exit 3.
    code, out, err = cli(capsys, evacuees, "evac", "board", trip, "N00000001", "9", "N00000003")
    assert code == EXIT_BAD_INPUT, err
    said = out.splitlines()
    assert said[0].startswith("✓ Boarded: Өтегенов Қайрат, seat ")
    assert said[0].endswith("⚠ no consent date on file")  # boarded, and told what to check
    assert said[1] == "✗ Nobody has seat 9 on this trip"
    assert said[2] == "✗ Not on this trip: Сейітова Әсел"
    code, out, _ = cli(capsys, evacuees, "evac", "board", "qa  210554", "N00000001", "--json")
    assert code == EXIT_OK
    [again] = json.loads(out)
    assert again["outcome"] == "already_boarded" and again["boarded"]
    code, out, _ = cli(capsys, evacuees, "evac", "passengers", trip, "--json")
    assert sorted(p["status"] for p in json.loads(out)) == ["allocated", "boarded"]

    code, out, err = cli(capsys, evacuees, "evac", "trip-status", trip, "arrived")
    assert code == EXIT_BAD_INPUT and "cannot be marked arrived" in err  # not left yet
    # One passenger has not boarded: said, and asked (refused without a terminal).
    code, out, err = cli(capsys, evacuees, "evac", "trip-status", trip, "departed")
    assert code == EXIT_USAGE and "--yes" in err
    assert "1 passenger has not boarded and will be marked a no-show." in err
    code, out, _ = cli(capsys, evacuees, "evac", "passengers", trip)
    assert out.splitlines()[0].endswith("; boarding")  # nothing changed
    code, out, err = cli(capsys, evacuees, "evac", "trip-status", trip, "departed", "--yes")
    assert (code, err) == (EXIT_OK, "")  # --yes: not asked; what it did, said after
    assert out == "QA 210554: departed. 1 passenger who had not boarded is marked a no-show.\n"
    code, out, _ = cli(capsys, evacuees, "evac", "board", trip, "N00000002")
    assert code == EXIT_BAD_INPUT and out.startswith("✗ Boarding is closed: this trip is ")
    # The same bus on the way back: its plate names two trips, and says so.
    cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "2", "--from", "Riyadh", "--to",
        "Doha", "--capacity", "5", "--vehicle", "QA 210554")  # fmt: skip
    code, _out, err = cli(capsys, evacuees, "evac", "passengers", "QA 210554")
    assert code == EXIT_BAD_INPUT and "is the vehicle of 2 trips" in err

    # A second bus for the one who did not turn up: the first bus's empty seats, gone with it,
    # are not counted as seats to fill ("2 of 10" read as 8 free seats).
    cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "1", "--from", "Doha", "--to",
        "Riyadh", "--capacity", "5", "--vehicle", "QA 310771")  # fmt: skip
    code, out, err = cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1")
    assert code == EXIT_OK, err
    assert "seated: 2 of 6 seats (1 just now)" in out, out
    assert "4 seats left empty on vehicles that have left" in out
    code, out, _ = cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1", "--json")
    assert json.loads(out)["capacity"] == 6 and json.loads(out)["left_empty"] == 4


def test_evacuation_help_lists_the_actions(capsys):
    assert main(["evac", "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    for action in ("list", "new-operation", "add-trip", "add-candidates", "allocate", "manifest",
                   "slips", "passengers", "board", "trip-status"):  # fmt: skip
        assert action in out
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "evac" in out and "sitrep" in out and "roster" in out


def test_slips_sitrep_and_roster_are_printed_to_the_path_given(capsys, evacuees, tmp_path):
    from pypdf import PdfReader

    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.hotels import HotelFields, add_hotel

    _code, op, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха", "--country", "QA")
    op = op.strip()
    _code, trip, _ = cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "1", "--from",
                         "Doha", "--to", "Riyadh", "--capacity", "5")  # fmt: skip
    trip = trip.strip()
    slips = tmp_path / "slips.pdf"
    code, out, err = cli(capsys, evacuees, "evac", "slips", trip, "--out", str(slips))
    assert code == EXIT_BAD_INPUT and out == "" and err.count("\n") == 1  # nobody seated yet
    assert "allocate seats" in err and not slips.exists()

    cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")
    code, out, _ = cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1")
    assert "seated: 2 of 5 seats (2 just now)" in out
    # Again: nobody new to seat, and it does not read as if the buses were empty.
    code, out, _ = cli(capsys, evacuees, "evac", "allocate", op, "--leg", "1")
    assert "seated: 2 of 5 seats (0 just now)" in out, out
    code, out, err = cli(capsys, evacuees, "evac", "slips", trip[:12], "--out", str(slips),
                         "--lang", "kk")  # fmt: skip
    assert (code, out) == (EXIT_OK, f"{slips}\n"), err
    text = "".join(page.extract_text() for page in PdfReader(slips).pages)
    assert "Өтегенов" in text and "Һашимов" in text

    sitrep = tmp_path / "sitrep.pdf"
    code, out, err = cli(capsys, evacuees, "sitrep", "--out", str(sitrep), "--json")
    assert code == EXIT_OK and json.loads(out) == {"file": str(sitrep)}, err
    assert "Посольство в Дохе" in PdfReader(sitrep).pages[0].extract_text()
    # Not written over without --replace (it could be yesterday's, or the recovery sheet).
    recovery = tmp_path / "recovery.pdf"
    recovery.write_bytes(b"%PDF- the recovery key")
    code, out, err = cli(capsys, evacuees, "sitrep", "--out", str(recovery))
    assert (code, out) == (
        EXIT_BAD_INPUT,
        "",
    ) and recovery.read_bytes() == b"%PDF- the recovery key"
    code, out, err = cli(capsys, evacuees, "sitrep", "--out", str(sitrep), "--replace")
    assert code == EXIT_OK, err

    roster = tmp_path / "roster.pdf"
    code, out, err = cli(capsys, evacuees, "roster", "--out", str(roster))
    assert (code, out) == (EXIT_BAD_INPUT, "") and "no hotel on file" in err and not roster.exists()
    desk = open_casefile(evacuees, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    add_hotel(desk, HotelFields(name="Grand Doha Hotel", city="Doha", rooms=10, beds=20))
    desk.close()
    code, out, err = cli(capsys, evacuees, "roster", "--out", str(roster), "--night",
                         "12.03.2026")  # fmt: skip
    assert (code, out) == (EXIT_OK, f"{roster}\n"), err
    assert "Grand Doha Hotel" in PdfReader(roster).pages[0].extract_text()
    desk = open_casefile(evacuees, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    add_hotel(desk, HotelFields(name="Sheraton Doha", city="Doha", rooms=10, beds=20))
    desk.close()
    one = tmp_path / "one.pdf"
    code, out, err = cli(capsys, evacuees, "roster", "--out", str(one), "--hotel", "sheraton")
    assert (code, out) == (EXIT_OK, f"{one}\n"), err
    text = "".join(page.extract_text() for page in PdfReader(one).pages)
    assert "Sheraton Doha" in text and "Grand Doha Hotel" not in text
    code, out, err = cli(capsys, evacuees, "roster", "--out", str(tmp_path / "two.pdf"), "--hotel",
                         "Hilton")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "No hotel is called “Hilton”" in err

    for argv in (["sitrep"], ["roster"], ["evac", "slips", trip]):
        missing = tmp_path / "no such folder" / "x.pdf"
        code, out, err = cli(capsys, evacuees, *argv, "--out", str(missing))
        assert (code, out) == (EXIT_BAD_INPUT, ""), argv
        assert f"The folder {missing.parent} does not exist" in err
    assert not (tmp_path / "no such folder").exists()


def test_a_manifest_file_name_must_match_its_format(capsys, tmp_path):
    for extra, name in ((["--csv"], "bus.pdf"), ([], "bus.csv")):
        code, out, err = run(capsys, "evac", "manifest", "01a2b3c4", "--out",
                             str(tmp_path / name), *extra)  # fmt: skip
        assert (code, out) == (EXIT_BAD_INPUT, "")
        assert "a manifest written" in err and name in err
    assert not list(tmp_path.iterdir())


def test_the_all_nationals_hint_appears_only_when_it_would_find_someone(capsys, evacuees):
    code, out, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха", "--country", "QA")
    op = out.strip()
    cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "1", "--from", "Doha", "--to",
        "Riyadh", "--capacity", "10")  # fmt: skip
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1",
                       "--status", "in_transit")  # fmt: skip
    assert code == EXIT_OK and out.startswith("0 added")
    assert "--all-nationals" not in out  # nobody in transit at all: the hint would mislead
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1",
                       "--city", "Al Khor")  # fmt: skip
    assert "--all-nationals" not in out
    cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")  # the two who asked
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")
    assert out.startswith("0 added (2 already on the leg)")
    assert "--all-nationals" not in out  # people matched: no hint


def test_the_all_nationals_hint_says_how_many_it_would_add(capsys, evacuees):
    from consuldesk.domain.enums import RequestStatus
    from consuldesk.services import requests
    from consuldesk.services.casefile import open_casefile

    desk = open_casefile(evacuees, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    for r in requests.list_requests(desk):
        requests.change_status(desk, r.id, RequestStatus.RESOLVED)  # nobody asks any more
    desk.close()
    code, out, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха", "--country", "QA")
    op = out.strip()
    cli(capsys, evacuees, "evac", "add-trip", op, "--leg", "1", "--from", "Doha", "--to",
        "Riyadh", "--capacity", "10")  # fmt: skip
    code, out, _ = cli(capsys, evacuees, "evac", "add-candidates", op, "--leg", "1")
    assert code == EXIT_OK
    assert out == (
        "0 added (0 already on the leg)\n"
        "3 more people match without an open evacuation request; --all-nationals takes them "
        "too.\n"
    )


# -- registration lists ----------------------------------------------------------------------


def _csv(path, rows, encoding="utf-8-sig"):
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def test_a_bilingual_list_with_a_doubtful_phone_imports_everyone(capsys, casefile, tmp_path):
    iin = valid_iin(date(1985, 3, 4), Sex.FEMALE)
    path = _csv(
        tmp_path / "bilingual.csv",
        [
            ["Фамилия", "Surname", "Имя", "Given names", "ИИН", "Телефон"],
            ["Қасымова", "KASSYMOVA", "Әйгерім", "AIGERIM", iin, "+7 (769) 956-13-89"],
            ["Өмірзақов", "OMIRZAKOV", "Нұрсұлтан", "NURSULTAN", "", "+77012345678"],
        ],
    )
    code, out, err = run(capsys, "--case-file", str(casefile), "import", str(path))
    assert code == EXIT_OK and not err
    assert "new: 2" in out and "to review: 1" in out and "not imported: 0" in out
    assert "Set aside for review:" in out and "769" in out
    assert "  line 2, Phone: " in out  # where, which field, and why
    assert (tmp_path / "bilingual.review.csv").exists()
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats", "--json")
    assert json.loads(out)["needs_review"] == 1
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats")
    assert "Needs review: 1" in out
    code, out, _ = run(capsys, "--case-file", str(casefile), "review")
    assert code == EXIT_OK and "Қасымова Әйгерім" in out and "+7 (769) 956-13-89" in out
    assert "bilingual.csv:2" in out
    code, out, _ = run(capsys, "--case-file", str(casefile), "review", "--json")
    data = json.loads(out)
    assert data["total"] == 1 and data["rows"][0]["review"][0]["code"] == "phone.invalid"


def test_two_columns_of_one_field_say_how_to_choose_and_then_import(capsys, casefile, tmp_path):
    path = _csv(
        tmp_path / "twice.csv",
        [["Фамилия", "ИИН", "ИИН"], ["Қасымова", valid_iin(date(1985, 3, 4), Sex.FEMALE), "x"]],
    )
    code, out, err = run(capsys, "--case-file", str(casefile), "import", str(path), "--dry-run")
    assert code == EXIT_BAD_INPUT
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "“B”, “C”" in err and '--column "ИИН#2=ignore"' in err

    code, out, err = run(
        capsys, "--case-file", str(casefile), "import", str(path), "--column", "ИИН#2=ignore"
    )
    assert code == EXIT_OK, err
    assert "new: 1" in out and "[chosen]" in out
    # The same layout next time: the choice is remembered and said so.
    code, out, _ = run(capsys, "--case-file", str(casefile), "import", str(path), "--dry-run")
    assert code == EXIT_OK and "[chosen earlier for this layout]" in out


def test_a_wrong_column_choice_is_one_line(capsys, casefile, tmp_path):
    path = _csv(tmp_path / "l.csv", [["Фамилия"], ["Қасымова"]])
    for spec, words in (("Nope=notes", "Nope"), ("Фамилия=shoe", "shoe"), ("noequals", "HEADER")):
        code, _, err = run(
            capsys, "--case-file", str(casefile), "import", str(path), "--column", spec
        )
        assert code in (EXIT_BAD_INPUT, EXIT_USAGE) and words in err
        assert len(err.strip().splitlines()) == 1


def test_an_odd_encoding_says_which_and_how_to_read_it(capsys, casefile, tmp_path):
    path = tmp_path / "koi.csv"
    path.write_bytes("Фамилия;Имя\r\nИванова;Мария\r\nПетров;Пётр\r\n".encode("koi8-r"))
    code, _, err = run(capsys, "--case-file", str(casefile), "import", str(path))
    assert code == EXIT_BAD_INPUT and "KOI8-R" in err and "--encoding koi8-r" in err
    code, out, _ = run(
        capsys, "--case-file", str(casefile), "import", str(path), "--encoding", "koi8-r"
    )
    assert code == EXIT_OK and "new: 2" in out


def test_an_unexpected_failure_is_one_line_with_a_log(capsys, casefile, monkeypatch, tmp_path):
    import consuldesk.services.lists as lists

    def broken(*args, **kwargs):
        raise RuntimeError("disk gremlin")

    monkeypatch.setattr(lists, "import_list", broken)
    path = _csv(tmp_path / "l.csv", [["Фамилия"], ["Қасымова"]])
    code, _, err = run(capsys, "--case-file", str(casefile), "import", str(path))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "RuntimeError: disk gremlin" in err and "Traceback" not in err
    logs = list((tmp_path / "config" / "logs").glob("*.log"))
    assert logs and "Traceback" in logs[0].read_text(encoding="utf-8")


def test_each_problem_line_names_line_field_and_value(capsys, casefile, tmp_path):
    path = _csv(
        tmp_path / "dates.csv",
        [
            ["Фамилия", "Имя", "Дата рождения", "ИИН"],
            ["Қасымова", "Әйгерім", "31.02.1990", ""],
            ["Өмірзақов", "Нұрсұлтан", "", "123456789012"],
        ],
    )
    code, out, _ = run(capsys, "--case-file", str(casefile), "import", str(path))
    assert code == EXIT_OK
    lines = [line for line in out.splitlines() if line.startswith("  line ")]
    assert any(
        line.startswith("  line 2, Date of birth: ") and "31.02.1990" in line for line in lines
    )
    assert any(line.startswith("  line 3, IIN: ") and "123456789012" in line for line in lines)


def test_allocating_again_says_which_printed_paper_to_print_again(capsys, evacuees, tmp_path):
    from consuldesk.services import evacuation as ev
    from consuldesk.services.casefile import open_casefile

    desk = open_casefile(evacuees, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    op = ev.add_operation(desk, ev.OperationFields(name="Доха", host_country="QA")).row
    fields = ev.TripFields(leg_no=1, origin="Doha", destination="Riyadh", capacity=5)
    trip = ev.add_trip(desk, op.id, fields).row
    ev.add_to_pool(desk, op.id, 1, ev.CandidateCriteria(host_country="QA"))
    elder = next(r for r in ev.pool(desk, op.id, 1) if r.person.given_names_lat == "KAIRAT")
    ev.remove_from_leg(desk, elder.entry_id)
    ev.allocate_leg(desk, op.id, 1)  # the young man alone, seat 1; his slip and the manifest
    ev.print_boarding_slips(desk, trip.id, tmp_path / "slips.pdf")
    ev.print_manifest(desk, trip.id, tmp_path / "manifest.pdf")
    ev.add_people(desk, op.id, 1, [elder.person.id])  # over 60: first in a fresh run
    desk.close()
    code, out, err = cli(capsys, evacuees, "evac", "allocate", op.id, "--leg", "1", "--fresh")
    assert code == EXIT_OK, err
    assert out.splitlines()[-1] == "Print again: 1 boarding slip, 1 manifest."
    code, out, _ = cli(capsys, evacuees, "evac", "allocate", op.id, "--leg", "1", "--json")
    assert json.loads(out)["print_again"] == {"slips": 0, "manifests": 0}


def test_python_dash_m_runs_the_cli(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "consuldesk.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: consuldesk-cli")


def test_with_json_a_failure_is_json_on_stderr_and_stdout_stays_empty(capsys, casefile, tmp_path):
    broken = tmp_path / "list.csv"
    broken.write_bytes(b"\x00\x01\x02binary")
    code, out, err = cli(capsys, casefile, "import", str(broken), "--json")
    assert code == EXIT_BAD_INPUT and out == ""
    failure = json.loads(err)["error"]
    assert failure["exit_code"] == EXIT_BAD_INPUT and failure["code"] == "list.encoding"
    assert failure["path"] == str(broken) and str(broken) in failure["message"]

    code, out, err = run(
        capsys, "--case-file", str(tmp_path / "none.consuldesk"), "--json", "stats"
    )
    assert code == EXIT_CASEFILE and out == ""
    assert json.loads(err)["error"]["code"] == "casefile.not_found"

    code, out, err = cli(capsys, casefile, "import", str(broken))  # without --json: a sentence
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: ") and "{" not in err


def test_an_export_or_a_report_never_writes_over_the_list_people_came_from(
    capsys, casefile, tmp_path
):
    listed = tmp_path / "list.csv"
    listed.write_text("Фамилия;Имя\nИванов;Иван\n", encoding="utf-8")
    before = listed.read_bytes()
    code, _out, err = run(capsys, "--case-file", str(casefile), "export", str(listed))
    assert code == EXIT_BAD_INPUT and "exists already" in err and "--replace" in err
    code, _out, err = run(capsys, "--case-file", str(casefile), "sitrep", "--out", str(listed))
    assert code == EXIT_BAD_INPUT and "ends in .pdf" in err
    assert listed.read_bytes() == before
    code, _out, err = run(capsys, "--case-file", str(casefile), "export", str(listed), "--replace")
    assert code == EXIT_OK, err
    assert listed.read_bytes() != before


def test_a_demo_made_beside_the_post_s_case_file_is_not_read_in_its_place(capsys, tmp_path):
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "init", "--post", "IR-THR", "--name", "Tehran"]) == 0
    assert main(["--data-dir", str(data), "demo", "--count", "20"]) == EXIT_OK  # newer
    capsys.readouterr()
    code, out, err = run(capsys, "--data-dir", str(data), "--json", "info")
    assert code == EXIT_OK, err
    assert "IR-THR.consuldesk" in err and "using " in err
    assert json.loads(out)["post"]["code"] == "IR-THR"
    # The case file the window opened last comes first, even when older.
    assert main(["--data-dir", str(data), "init", "--post", "AE-ABU", "--name", "Abu"]) == 0
    config = tmp_path / "config"
    config.mkdir(exist_ok=True)
    (config / "settings.ini").write_text(
        f"[casefile]\nlast={data / 'IR-THR.consuldesk'}\n", encoding="utf-8"
    )
    capsys.readouterr()
    code, out, err = run(capsys, "--data-dir", str(data), "--json", "info")
    assert code == EXIT_OK and json.loads(out)["post"]["code"] == "IR-THR", err
    (config / "settings.ini").unlink()
    code, out, err = run(capsys, "--data-dir", str(data), "--json", "info")
    assert json.loads(out)["post"]["code"] == "AE-ABU", err  # else the newest, not the demo


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ("ошибка", "несуществующая дата", "нераспознанные аргументы")),
        ("kk", ("қате", "танылмаған аргументтер")),
    ],
)
def test_a_command_line_mistake_is_said_in_the_language_asked(capsys, lang, words):
    """argparse's own words, and the errors of the options it reads, came out in English."""
    code, _out, err = run(capsys, "--lang", lang, "audit", "--since", "32.13.2026")
    code2, _out, err2 = run(capsys, "--lang", lang, "stats", "--bogus")
    assert code == code2 == EXIT_USAGE
    said = err + err2
    assert "error:" not in said and "unrecognized" not in said, said
    for word in words:
        if word != "несуществующая дата" or lang == "ru":
            assert word in said, said


def test_short_ids_are_cut_at_a_dash_of_the_id_so_a_list_keeps_one_shape():
    from consuldesk.cli.common import _short_ids

    apart = ["01a24d98-7263-7aaa-8000-000000000001", "01a24d99-0000-7aaa-8000-000000000002"]
    assert set(_short_ids(apart).values()) == {"01a24d98", "01a24d99"}
    same_minute = ["01a24d98-7263-7aaa-8000-000000000001", "01a24d98-b0c1-7aaa-8000-0000002"]
    assert set(_short_ids(same_minute).values()) == {"01a24d98-7263", "01a24d98-b0c1"}
    one_go = ["01a24d98-7263-7aaa-8000-000000000001", "01a24d98-7263-7aab-8000-000000000002"]
    assert set(_short_ids(one_go).values()) == {"01a24d98-7263-7aaa", "01a24d98-7263-7aab"}


def test_a_walk_in_is_put_on_a_leg_by_passport_number_or_a_name_that_finds_one(capsys, evacuees):
    code, out, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха — Эр-Рияд",
                       "--country", "QA")  # fmt: skip
    op = out.strip()
    cli(capsys, evacuees, "evac", "add-trip", op[:8], "--leg", "1", "--from", "Doha", "--to",
        "Riyadh", "--capacity", "10")  # fmt: skip
    code, out, err = cli(capsys, evacuees, "evac", "add-people", op[:8], "N00000003", "--leg", "1")
    assert (code, out) == (EXIT_OK, "1 added to the waiting list of leg 1: Сейітова Әсел\n"), err
    code, out, err = cli(capsys, evacuees, "evac", "add-people", op[:8], "Һашимов", "N00000003",
                         "--leg", "1")  # fmt: skip
    assert code == EXIT_OK, err
    assert out.splitlines() == [
        "1 added to the waiting list of leg 1: Һашимов Ұлан",
        "Already on leg 1, left where they are: Сейітова Әсел",
    ]
    code, _, err = cli(capsys, evacuees, "evac", "add-people", op[:8], "N0000", "--leg", "1")
    assert code == EXIT_BAD_INPUT and "names 3 people" in err and "passport number or IIN" in err
    code, _, err = cli(capsys, evacuees, "evac", "add-people", op[:8], "Жоқадам", "--leg", "1")
    assert code == EXIT_BAD_INPUT and "Nobody found for “Жоқадам”" in err
    code, out, _ = cli(capsys, evacuees, "--json", "evac", "list")
    assert json.loads(out)[0]["legs"][0]["waiting"] == 2


def test_duplicates_are_listed_with_ids_and_posts_and_merged_or_dismissed(
    capsys, casefile, tmp_path
):
    """`stats` pointed at 'consuldesk-cli duplicates', which could only list the pairs (no id,
    no post): merging the person counted twice needed the window."""
    listed = tmp_path / "list.csv"
    listed.write_text(
        "Фамилия;Имя;Дата рождения;Паспорт\n"
        "Қасымова;Әйгерім;01.01.1990;N10000001\n"
        "Касымова;Айгерим;01.01.1990;N10000002\n"
        "Омаров;Ерлан;02.02.1980;N10000003\n"
        "Омаров;Ерлан;02.02.1980;N10000004\n",
        encoding="utf-8",
    )
    assert cli(capsys, casefile, "import", str(listed))[0] in (EXIT_OK, EXIT_BAD_INPUT)
    code, out, _ = cli(capsys, casefile, "duplicates")
    assert code == EXIT_OK and "N10000001" in out and "QA-DOH" in out, out
    assert "  names alike 100 %" in out  # what the number is
    pairs = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert len(pairs) == 2
    _code, listing, _ = cli(capsys, casefile, "--json", "duplicates")
    by_id = {p["id"]: p for p in json.loads(listing)}
    kasymova = next(
        i for i, p in by_id.items() if p["a"]["surname_cyr"] in ("Қасымова", "Касымова")
    )
    omarov = next(i for i in by_id if i != kasymova)

    shown = {i: next(p for p in pairs if i.startswith(p)) for i in by_id}  # the ids as listed
    # A merge is not undone: without a terminal to ask at, it needs --yes.
    code, out, err = cli(
        capsys, casefile, "duplicates", "merge", shown[kasymova], "--take", "phones"
    )
    assert code == EXIT_USAGE and "Add --yes to merge without being asked." in err
    assert "Keep:" in err and "Merged in:" in err and "N10000001" in err
    assert len(json.loads(cli(capsys, casefile, "--json", "duplicates")[1])) == 2  # unchanged
    code, out, err = cli(
        capsys, casefile, "duplicates", "merge", shown[kasymova], "--take", "phones", "--yes"
    )
    assert code == EXIT_OK and "Merged:" in out, err
    code, out, err = cli(capsys, casefile, "duplicates", "dismiss", shown[omarov])
    assert code == EXIT_OK and "Two different people" in out, err
    code, out, _ = cli(capsys, casefile, "duplicates")
    assert "No probable duplicates" in out
    code, _, err = cli(capsys, casefile, "duplicates", "merge", "zzzzzzzz")
    assert code == EXIT_BAD_INPUT and "No open pair" in err


def test_the_fields_duplicates_merge_takes_are_a_persons_fields():
    from consuldesk.cli.nationals import FIELD_CHOICES
    from consuldesk.services.nationals import FIELD_NAMES

    assert set(FIELD_CHOICES) == set(FIELD_NAMES) - {"source", "source_ref"}


def test_an_import_that_flags_duplicates_says_where_to_settle_them(capsys, casefile, tmp_path):
    path = _csv(
        tmp_path / "again.csv",
        [
            ["Фамилия", "Имя", "Дата рождения"],
            ["Қасымова", "Әйгерім", "04.03.1985"],
            ["Касымова", "Айгерим", "04.03.1985"],
        ],
    )
    code, out, _ = run(capsys, "--case-file", str(casefile), "import", str(path))
    assert code == EXIT_OK and "probable duplicates flagged: 1" in out
    assert "compare and merge them, or mark them as two people: consuldesk-cli duplicates" in out
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats", "--json")
    assert json.loads(out)["possible_duplicates"] == 1
    code, out, _ = run(capsys, "--case-file", str(casefile), "stats")
    assert "Possible duplicates to look at: 1 (consuldesk-cli duplicates)" in out


def test_the_trail_of_a_name_heard_differently_says_whose_it_is(capsys, casefile):
    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import register_national
    from tests.factories import person

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    register_national(desk, person())  # Қасымова Әйгерім
    desk.close()
    code, out, _ = run(capsys, "--case-file", str(casefile), "audit", "--person", "Касымва")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert (
        lines[0] == "Nobody is named “Касымва”: these are events about people with a similar name."
    )
    assert "Қасымова Әйгерім" in out


@pytest.mark.parametrize(("answer", "merged"), [("n", False), ("иә", True)])
def test_duplicates_merge_asks_at_a_terminal(capsys, casefile, monkeypatch, answer, merged):
    from consuldesk.services.casefile import open_casefile
    from consuldesk.services.nationals import list_duplicates, register_national
    from tests.factories import person

    desk = open_casefile(casefile, "Test", os.environ["CONSULDESK_PASSPHRASE"])
    register_national(desk, person(surname_lat=None, given_names_lat=None))
    register_national(
        desk, person(surname_cyr=None, given_names_cyr=None, given_names_lat="AYGERIM", phones=())
    )
    [pair] = list_duplicates(desk)
    desk.close()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: answer)
    code, out, err = cli(capsys, casefile, "duplicates", "merge", pair.id[:8])
    assert code == EXIT_OK and "Keep:" in err
    assert ("Merged:" in out) is merged and ("Nothing was changed." in out) is not merged


def test_candidates_held_by_another_operation_are_counted_not_added(capsys, evacuees):
    """'0 added (0 already on the leg)' with everyone seated in another operation."""
    code, first, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха — Эр-Рияд",
                         "--country", "QA")  # fmt: skip
    cli(capsys, evacuees, "evac", "add-trip", first.strip(), "--leg", "1", "--from", "Doha",
        "--to", "Riyadh", "--capacity", "5")  # fmt: skip
    cli(capsys, evacuees, "evac", "add-candidates", first.strip(), "--leg", "1")
    cli(capsys, evacuees, "evac", "allocate", first.strip(), "--leg", "1")
    code, second, _ = cli(capsys, evacuees, "evac", "new-operation", "Доха — Маскат",
                          "--country", "QA")  # fmt: skip
    cli(capsys, evacuees, "evac", "add-trip", second.strip(), "--leg", "1", "--from", "Doha",
        "--to", "Muscat", "--capacity", "5")  # fmt: skip
    code, out, err = cli(capsys, evacuees, "evac", "add-candidates", second.strip(), "--leg", "1")
    assert code == EXIT_OK, err
    assert out.splitlines()[:2] == [
        "0 added (0 already on the leg)",
        "2 more people match but hold a seat in another operation: not added.",
    ]  # (then the one who has not asked to leave, as before)


def test_import_names_the_sheets_it_did_not_read_and_reads_one_by_name(capsys, casefile, tmp_path):
    from tests.unit.services.test_lists import _three_sheets

    path = _three_sheets(tmp_path / "groups.xlsx")
    code, out, _ = cli(capsys, casefile, "import", str(path), "--dry-run")
    assert code == EXIT_OK
    assert "Sheet read: “1-топ”." in out
    assert '  not read: sheet “2-топ” (2 rows): import it with --sheet "2-топ"' in out
    code, out, _ = cli(capsys, casefile, "import", str(path), "--sheet", "2-топ")
    assert code == EXIT_OK and "new: 2" in out
    code, _, err = cli(capsys, casefile, "import", str(path), "--sheet", "3-топ")
    assert code == EXIT_BAD_INPUT and "has no sheet “3-топ”" in err
