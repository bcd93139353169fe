"""``consuldesk-cli retention``: the review list, keep, anonymise."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main
from consuldesk.domain.enums import PresenceStatus
from consuldesk.domain.retention import add_months
from consuldesk.services import nationals
from consuldesk.services.casefile import create_casefile
from tests.factories import person

LATER = add_months(date.today(), 18) + timedelta(days=1)


@pytest.fixture
def casefile(tmp_path):
    path = tmp_path / "AE-ABU.consuldesk"
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Embassy", host_country="AE", officer="Test"
    )
    ids = {}
    for key, surname, passport in (("gone", "Қасымова", "N1000001"), ("left", "Сейітова", None)):
        row = nationals.register_national(
            desk, person(surname_cyr=surname, passport_no=passport)
        ).row
        nationals.set_presence(desk, [row.id], PresenceStatus.EVACUATED)
        ids[key] = row.id
    here = nationals.register_national(desk, person(surname_cyr="Омарова", phones=())).row
    ids["here"] = here.id
    desk.close()
    return path, ids


def run(capsys, path, *argv):
    code = main(["--case-file", str(path), "--officer", "Test", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def later(monkeypatch):
    """The retention commands run on LATER, 18 months and a day from now."""
    import consuldesk.cli.retention as cli

    opened = cli._open

    def _open(args, **kw):
        desk = opened(args, **kw)
        desk.today = lambda: LATER
        return desk

    monkeypatch.setattr(cli, "_open", _open)


def test_nothing_expires_while_the_period_runs(capsys, casefile):
    path, _ids = casefile
    code, out, _err = run(capsys, path, "retention")
    assert code == EXIT_OK
    assert "kept 18 months" in out and "No record is expired or expires within 30 days" in out


def test_the_list_says_who_why_and_when_in_text_and_json(capsys, casefile, later):
    path, ids = casefile
    code, out, _err = run(capsys, path, "retention")
    assert code == EXIT_OK
    assert "Қасымова Әйгерім" in out and "Сейітова Әйгерім" in out and "Омарова" not in out
    assert "status changed to gone" in out and "2 records are expired" in out

    code, out, _err = run(capsys, path, "retention", "--within", "0", "--json")
    data = json.loads(out)
    assert code == EXIT_OK and data["months"] == 18 and data["expired"] == 2
    assert {r["id"] for r in data["records"]} == {ids["gone"], ids["left"]}
    assert {r["basis"] for r in data["records"]} == {"status"}


def test_keep_takes_a_date_and_a_reason_and_an_id_prefix(capsys, casefile, later):
    path, ids = casefile
    until = (LATER + timedelta(days=200)).isoformat()
    code, out, err = run(
        capsys, path, "retention", "keep", ids["gone"][:13], "--until", until, "--reason", "court"
    )
    assert code == EXIT_OK, err
    assert "1 record is kept until" in out
    _code, out, _err = run(capsys, path, "retention", "--json")
    kept = {r["id"]: r for r in json.loads(out)["records"]}
    assert ids["gone"] not in kept  # kept: no longer expiring within 30 days
    code, _out, err = run(
        capsys, path, "retention", "keep", ids["left"], "--until", "2020-01-01", "--reason", "x"
    )
    assert code == EXIT_BAD_INPUT and "after today" in err
    code, _out, err = run(
        capsys, path, "retention", "keep", "abc", "--until", until, "--reason", "x"
    )
    assert code == EXIT_BAD_INPUT and "too short" in err


def test_anonymise_expired_asks_first_unless_yes(capsys, casefile, later, monkeypatch):
    path, ids = casefile
    code, _out, err = run(capsys, path, "retention", "anonymise")
    assert code == EXIT_USAGE and "--expired" in err
    # Not a terminal and no --yes: refused, nothing changed.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _out, err = run(capsys, path, "retention", "anonymise", "--expired")
    assert code == EXIT_USAGE and "--yes" in err

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    code, out, _err = run(capsys, path, "retention", "anonymise", "--expired")
    assert code == EXIT_OK and "Anonymise 2 records?" in out and "Nothing was changed" in out

    code, out, _err = run(capsys, path, "retention", "anonymise", "--expired", "--yes", "--json")
    assert code == EXIT_OK
    assert json.loads(out)["anonymised"] == 2
    _code, out, _err = run(capsys, path, "search", "Қасымова", "--json")
    assert ids["gone"] not in out
    _code, out, _err = run(capsys, path, "search", "Омарова", "--json")
    assert ids["here"] in out  # still in the country: untouched
    code, out, _err = run(capsys, path, "retention", "anonymise", "--expired", "--yes")
    assert code == EXIT_OK and "nothing to anonymise" in out


def test_anonymise_by_id_and_counts_do_not_change(capsys, casefile):
    path, ids = casefile
    _code, before, _err = run(capsys, path, "stats", "--json")
    # Not expired yet (they left a short while ago): said, and refused without the flag.
    code, out, err = run(capsys, path, "retention", "anonymise", ids["here"], "--yes")
    assert code == EXIT_BAD_INPUT and "1 of them has not expired yet" in err
    assert "--not-expired-too" in err
    _code, out, _err = run(capsys, path, "search", "Омарова", "--json")
    assert ids["here"] in out  # untouched
    code, out, err = run(
        capsys, path, "retention", "anonymise", ids["gone"], "--yes", "--not-expired-too"
    )
    assert code == EXIT_OK, err
    assert re.fullmatch(r"1 record anonymised; \d+ audit (entry|entries) redacted\.\n", out), out
    assert "1 audit entries" not in out
    _code, after, _err = run(capsys, path, "stats", "--json")
    assert json.loads(after) == json.loads(before)


def test_a_span_past_the_calendar_is_all_of_it_not_a_crash(capsys, casefile):
    path, _ids = casefile
    code, _out, err = run(capsys, path, "retention", "--within", "99999999999999999999")
    assert code == EXIT_OK and "Unexpected" not in err, err


def test_a_role_that_may_not_anonymise_is_told_so_not_that_nothing_expired(
    capsys, tmp_path, monkeypatch
):
    """A viewer running 'retention anonymise --expired' was told "No record is expired",
    exit 0, whatever had expired."""
    from consuldesk.services.access import add_officer

    path = tmp_path / "AE-ABU.consuldesk"
    desk = create_casefile(
        path,
        post_code="AE-ABU",
        post_name="Embassy",
        host_country="AE",
        officer="Test",
        passphrase="the head's own passphrase",
    )
    add_officer(desk, "Әлия Сейітова", "viewer", "a viewer's own passphrase")
    desk.close()
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "a viewer's own passphrase")
    code = main(["--case-file", str(path), "--officer", "Әлия Сейітова", "retention",
                 "anonymise", "--expired"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT and "anonymising" in err and "No record" not in out, (out, err)
