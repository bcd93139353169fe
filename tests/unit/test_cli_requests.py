"""``consuldesk-cli requests``: the hotline's queue from the command line."""

from __future__ import annotations

import json

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main
from consuldesk.services.casefile import create_casefile
from tests.factories import evacuees


@pytest.fixture
def casefile(tmp_path):
    path = tmp_path / "AE-ABU.consuldesk"
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Embassy", host_country="AE", officer="Test"
    )
    evacuees(desk)  # five open evacuation requests
    desk.close()
    return path


def cli(capsys, path, *argv):
    code = main(["--case-file", str(path), "--officer", "Aliya", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_call_is_logged_worked_on_and_resolved_from_the_command_line(capsys, casefile):
    code, out, err = cli(capsys, casefile, "requests", "call", "N44444444", "--kind",
                         "medical", "--summary", "Нужен инсулин", "--priority", "urgent",
                         "--phone", "+7 701 555 0001", "--due", "2030-03-12 18:00")  # fmt: skip
    assert code == EXIT_OK, err
    request = out.strip()
    code, out, _ = cli(capsys, casefile, "requests", "list", "--kind", "medical")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[-1] == "1 request"
    assert "Urgent  new  Medical help  Өтегенов Қайрат  Нужен инсулин  due " in lines[0]

    code, out, err = cli(capsys, casefile, "requests", "note", request[:13],
                         "Перезвонили, аптека найдена", "--call-out")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, err = cli(capsys, casefile, "requests", "assign", request[:13], "Aliya Serikova")
    assert code == EXIT_OK and "→ Aliya Serikova" in out, err
    code, out, err = cli(capsys, casefile, "requests", "status", request[:13], "resolved",
                         "--note", "Инсулин получен")  # fmt: skip
    assert code == EXIT_OK and "resolved" in out, err
    code, out, _ = cli(capsys, casefile, "requests", "show", request[:13])
    assert "Call in  Aliya: +77015550001 / Нужен инсулин" in out
    assert "Call out  Aliya: Перезвонили, аптека найдена" in out
    assert "Status  Aliya: new → resolved / Инсулин получен" in out
    code, out, _ = cli(capsys, casefile, "requests", "list", "--kind", "medical")
    assert out == "No requests match.\n"  # resolved: not open any more
    code, out, _ = cli(capsys, casefile, "requests", "list", "--all", "--json")
    assert {r["status"] for r in json.loads(out)} == {"new", "resolved"}


def test_a_caller_not_on_file_is_kept_and_bad_requests_are_named(capsys, casefile):
    code, out, err = cli(capsys, casefile, "requests", "call", "--kind", "information",
                         "--summary", "Brother missing since Monday", "--caller",
                         "Сестра туриста", "--phone", "8 701 555 0002")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, _ = cli(capsys, casefile, "requests", "list", "--text", "missing", "--json")
    [row] = json.loads(out)
    assert row["national_id"] is None and row["details"].startswith("Сестра туриста · +7701555")
    code, out, err = cli(capsys, casefile, "requests", "call", "--kind", "medical",
                         "--summary", "x")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "Say who called" in err
    code, out, err = cli(capsys, casefile, "requests", "open", "N44444444", "--kind", "medical",
                         "--summary", "   ")  # fmt: skip
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: --summary: ")
    code, out, err = cli(capsys, casefile, "requests", "status", "abcdef12", "closed")
    assert code == EXIT_BAD_INPUT and "No request has an id starting with “abcdef12”" in err
    code, out, err = cli(capsys, casefile, "requests", "status", "abc", "closed")
    assert code == EXIT_BAD_INPUT and "too short" in err
    code, out, err = cli(capsys, casefile, "requests", "status", row["id"], "nonsense")
    assert code == EXIT_USAGE
    code, out, err = cli(capsys, casefile, "requests", "status", row["id"], "new")
    assert code == EXIT_OK  # the status it has: nothing changes
    code, out, err = cli(capsys, casefile, "requests", "status", row["id"], "closed")
    assert code == EXIT_BAD_INPUT and "A request that is new cannot become closed; it can " in err
    assert err.rstrip().endswith("it can become: in progress, waiting, resolved, cancelled")
    code, out, err = cli(capsys, casefile, "requests", "status", row["id"], "cancelled")
    assert code == EXIT_OK, err
    code, out, err = cli(capsys, casefile, "requests", "note", row["id"], "late note")
    assert code == EXIT_BAD_INPUT and "reopen it first" in err


def test_a_request_is_given_to_another_officer_or_to_nobody_and_ids_shown_work(capsys, casefile):
    """The officer named took the place of the one logging in ("no passphrase for Ким В."),
    --nobody crashed, and the ids shown matched 50 requests when typed back."""
    code, out, _ = cli(capsys, casefile, "requests", "list")
    shown = [line.split()[0] for line in out.splitlines()[:-1]]
    assert len(shown) == 4
    for short in shown:
        code, out, err = cli(capsys, casefile, "requests", "show", short)
        assert code == EXIT_OK, err
    code, out, err = cli(capsys, casefile, "requests", "assign", shown[0], "Ким В.")
    assert code == EXIT_OK and "→ Ким В." in out, err
    code, out, _ = cli(capsys, casefile, "requests", "list", "--assignee", "ким")
    assert len(out.splitlines()) == 2  # any part of the name, either case
    code, out, err = cli(capsys, casefile, "requests", "assign", shown[0], "--nobody")
    assert code == EXIT_OK and "→" not in out, err
    code, out, err = cli(capsys, casefile, "requests", "status", shown[0], "in_progress")
    code, out, _ = cli(capsys, casefile, "--lang", "ru", "requests", "show", shown[0])
    assert "новое → в работе" in out  # the statuses in words, not codes


def test_a_visit_to_the_post_is_logged_as_one(capsys, casefile):
    code, out, err = cli(capsys, casefile, "requests", "call", "N44444444", "--visit",
                         "--kind", "documents", "--summary", "Паспорт жоғалды")  # fmt: skip
    assert code == EXIT_OK, err
    request = out.strip()
    code, out, err = cli(capsys, casefile, "requests", "note", request, "Анықтама алды",
                         "--visit")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, _ = cli(capsys, casefile, "requests", "show", request)
    assert "Visit  Aliya: Паспорт жоғалды" in out
    assert "Visit  Aliya: Анықтама алды" in out
    assert "Call in" not in out
    code, out, err = cli(capsys, casefile, "requests", "call", "N44444444", "--visit", "--out",
                         "--kind", "documents", "--summary", "x")  # fmt: skip
    assert code == EXIT_USAGE and "not allowed with argument" in err  # a call out or a visit


def test_a_request_of_someone_not_on_file_is_linked_from_the_command_line(capsys, casefile):
    code, out, err = cli(capsys, casefile, "requests", "call", "--visit", "--kind", "documents",
                         "--summary", "Паспорт жоғалды", "--caller", "Тулеуов")  # fmt: skip
    assert code == EXIT_OK, err
    request = out.strip()
    code, out, err = cli(capsys, casefile, "requests", "link", request, "N44444444")
    assert code == EXIT_OK, err
    code, out, _ = cli(capsys, casefile, "requests", "show", request, "--json")
    assert json.loads(out)["national_name"] == "Өтегенов Қайрат"
    code, out, err = cli(capsys, casefile, "requests", "link", request, "N55555555")
    assert code == EXIT_BAD_INPUT and "is about Өтегенов Қайрат already" in err
