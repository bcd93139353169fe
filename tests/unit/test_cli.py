"""The headless CLI: commands, JSON output and exit codes."""

from __future__ import annotations

import json
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

    desk = open_casefile(casefile, "Test")
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


def test_a_newer_case_file_is_refused_with_exit_4(capsys, casefile):
    import sqlite3

    con = sqlite3.connect(casefile)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
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

    desk = open_casefile(casefile, "Test")
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
