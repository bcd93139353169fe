"""``consuldesk-cli audit``: the trail newest first, narrowed by person, officer, day and kind."""

from __future__ import annotations

import json

import pytest

from consuldesk.cli import EXIT_OK, EXIT_USAGE, main
from consuldesk.services import access, nationals
from consuldesk.services.casefile import open_casefile
from tests.factories import person
from tests.unit.test_cli import casefile, run  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("casefile")
SUITE_PASSPHRASE = "test passphrase of the suite"  # tests/conftest.py


@pytest.fixture
def trail(casefile, tmp_path, capsys):  # noqa: F811
    head = open_casefile(casefile, "Test", SUITE_PASSPHRASE)  # the file's first officer
    access.add_officer(head, "Әлия Сейітова", "officer", "Әлияның құпия сөзі")
    head.close()
    desk = open_casefile(casefile, "Әлия Сейітова", "Әлияның құпия сөзі")
    try:
        a = nationals.register_national(desk, person(city="Doha")).row
        nationals.update_national(desk, a.id, nationals.fields_of_row(a).replace(city="Lusail"))
    finally:
        desk.close()
    code, _, _ = run(capsys, "--case-file", str(casefile), "export", str(tmp_path / "all.csv"))
    assert code == EXIT_OK
    return casefile, a


def test_the_trail_newest_first_with_who_and_what(trail, capsys):
    path, a = trail
    code, out, err = run(capsys, "--case-file", str(path), "audit")
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert lines[0].split() == ["When", "Officer", "Post", "Kind", "About", "What"]
    # Newest first; a command that only reads (this one, the export) records no login.
    assert "List exported: 1 person, all.csv" in lines[1]
    edit = next(line for line in lines if "Edited" in line)
    assert a.name in edit and "Әлия Сейітова" in edit and "City: Doha → Lusail" in edit


def test_filters_and_json(trail, capsys):
    path, a = trail
    code, out, _ = run(capsys, "--case-file", str(path), "--json", "audit", "--person", "Қасымова")
    events = json.loads(out)["events"]
    assert code == EXIT_OK and [e["action"] for e in events] == ["update", "create"]
    assert {e["national_id"] for e in events} == {a.id}

    code, out, _ = run(
        capsys, "--case-file", str(path), "audit", "--by", "әлия  сейітова", "--json"
    )
    events = json.loads(out)["events"]
    assert {e["officer"] for e in events} == {"Әлия Сейітова"}  # any case, any spacing
    assert sorted(e["action"] for e in events) == ["create", "login", "update"]
    # --officer after the command is who logs in, as for every command: not a filter.
    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--officer", "Test", "--json")
    assert code == EXIT_OK
    assert {e["officer"] for e in json.loads(out)["events"]} >= {"Test", "Әлия Сейітова"}
    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--by", "Nobody")
    assert out.splitlines()[0] == "No events."
    assert "The trail names no officer “Nobody”; it names: " in out and "Әлия Сейітова" in out

    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--kind", "exports", "--json")
    (export,) = json.loads(out)["events"]
    assert export["changes"]["file"] == "all.csv" and len(export["changes"]["sha256"]) == 64

    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--until", "01.01.2020")
    assert (code, out.strip()) == (EXIT_OK, "No events.")
    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--person", "Zzyzx")
    assert (code, out.strip()) == (EXIT_OK, "Nobody found by “Zzyzx”.")


def test_limit_says_how_many_are_left(trail, capsys):
    path, _ = trail
    code, out, _ = run(capsys, "--case-file", str(path), "audit", "--limit", "1")
    total = len(json.loads(run(capsys, "--case-file", str(path), "--json", "audit")[1])["events"])
    assert code == EXIT_OK and len(out.splitlines()) == 3
    assert f"… {total - 1} older events; narrow the trail or raise --limit." in out


def test_wrong_days_and_kinds_are_usage_errors(trail, capsys):
    path, _ = trail
    code, _, err = run(
        capsys, "--case-file", str(path), "audit", "--since", "02.12.2026", "--until", "01.12.2026"
    )
    assert code == EXIT_USAGE and "--since must not be after --until" in err
    assert main(["--case-file", str(path), "audit", "--kind", "nonsense"]) == EXIT_USAGE
