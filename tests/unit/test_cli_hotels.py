"""``consuldesk-cli hotels``: add a hotel, place a family, the guests, check in and out, cancel."""

from __future__ import annotations

import json

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main
from consuldesk.services import hotels
from consuldesk.services.casefile import create_casefile, open_casefile
from tests.factories import evacuees


@pytest.fixture
def casefile(tmp_path):
    path = tmp_path / "AE-ABU.consuldesk"
    desk = create_casefile(
        path, post_code="AE-ABU", post_name="Embassy", host_country="AE", officer="Test"
    )
    people = evacuees(desk)
    desk.close()
    return path, people


def cli(capsys, path, *argv):
    code = main(["--case-file", str(path), "--officer", "Test", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_hotel_is_added_a_family_placed_checked_in_and_out_from_the_command_line(
    capsys, casefile
):
    path, _people = casefile
    code, out, err = cli(capsys, path, "hotels", "add", "Rotana Al Ain", "--city", "Al Ain",
                         "--beds", "4", "--rooms", "2", "--rate", "320,50", "--currency",
                         "aed", "--per-room", "--tour-operator", "Kompas Tour")  # fmt: skip
    assert code == EXIT_OK, err
    hotel_id = out.strip()
    desk = open_casefile(path, "Test")
    try:
        added = hotels.get_hotel(desk, hotel_id)
    finally:
        desk.close()
    assert (added.beds, added.rooms, added.nightly_rate_minor, added.currency) == (
        4,
        2,
        32050,
        "AED",
    )
    assert added.rate_basis == "room" and added.tour_operator == "Kompas Tour"

    code, out, _ = cli(capsys, path, "hotels", "list", "--on", "12/03/26")  # as the window
    assert code == EXIT_OK
    assert out.splitlines()[0] == "The night of 12.03.2026:"
    assert "Rotana Al Ain  Al Ain  0 of 4 beds taken  4 free  320.50 AED per room" in out

    # The mother's family, by her passport, in one room, arriving now.
    code, out, err = cli(capsys, path, "hotels", "place", "rotana", "N11111111", "--family",
                         "--from", "today", "--room", "101", "--arrived")  # fmt: skip
    assert code == EXIT_OK, err
    lines = out.splitlines()
    assert lines[0].startswith("3 placed at Rotana Al Ain from ")
    assert lines[0].endswith("until not known yet:")
    assert sum("room 101" in line and "checked in" in line for line in lines) == 3
    assert "Әбілова Гүлнұр" in out and "Әбілова Іңкәр" in out

    # Two more people do not fit in the one bed left: said, with the way round it.
    code, out, err = cli(capsys, path, "hotels", "place", "Rotana Al Ain", "N44444444",
                         "N55555555", "--from", "today")  # fmt: skip
    assert code == EXIT_BAD_INPUT and out == ""
    assert "Rotana Al Ain has 1 of 4 beds free" in err and "no bed for 1 of the 2" in err
    assert "--overbook" in err and err.count("\n") == 1
    code, out, err = cli(capsys, path, "hotels", "place", "Rotana Al Ain", "N44444444",
                         "N55555555", "--from", "today", "--overbook", "--json")  # fmt: skip
    assert code == EXIT_OK, err
    assert {p["status"] for p in json.loads(out)} == {"booked"}

    code, out, _ = cli(capsys, path, "hotels", "guests", "Rotana")
    assert code == EXIT_OK
    assert "Rotana Al Ain, the night of " in out and ": 5 guests of 4 beds" in out
    code, out, _ = cli(capsys, path, "hotels", "list", "--json")
    [row] = json.loads(out)
    assert (row["occupied"], row["free"], row["overbooked"]) == (5, 0, 1)

    # The elder arrives, then leaves; the young man's booking is cancelled (asked first).
    code, out, err = cli(capsys, path, "hotels", "check-in", "N44444444")
    assert code == EXIT_OK, err
    assert out.startswith("Өтегенов Қайрат: checked in at Rotana Al Ain on ")
    code, out, err = cli(capsys, path, "hotels", "check-in", "N44444444")
    assert code == EXIT_BAD_INPUT and "has no stay that is booked" in err
    code, out, err = cli(capsys, path, "hotels", "check-out", "Өтегенов")
    assert code == EXIT_OK, err
    assert out.startswith("Өтегенов Қайрат: checked out of Rotana Al Ain on ")
    # The mother leaves before her children: asked first (no terminal here: refused).
    code, out, err = cli(capsys, path, "hotels", "check-out", "N11111111")
    assert code == EXIT_USAGE and "--yes" in err
    assert "Әбілов Нұрлан (" in err and "), Әбілова Іңкәр (" in err
    assert "would stay at Rotana Al Ain without an adult of the family" in err
    code, out, _ = cli(capsys, path, "hotels", "guests", "Rotana")
    assert ": 4 guests of 4 beds" in out  # nothing changed
    code, out, err = cli(capsys, path, "hotels", "cancel", "N55555555")
    assert code == EXIT_USAGE and "--yes" in err  # no terminal to ask at
    code, out, err = cli(capsys, path, "hotels", "cancel", "N55555555", "--yes")
    assert code == EXIT_OK and "the stay at Rotana Al Ain is cancelled" in out, err
    code, out, _ = cli(capsys, path, "hotels", "guests", "Rotana")
    assert ": 3 guests of 4 beds" in out and "Өтегенов" not in out and "Һашимов" not in out


def test_hotels_and_guests_are_named_or_refused_with_what_to_give(capsys, casefile):
    path, _people = casefile
    for name in ("Rotana Al Ain", "Rotana Dubai"):
        code, _out, err = cli(capsys, path, "hotels", "add", name, "--beds", "10")
        assert code == EXIT_OK, err
    code, _out, err = cli(capsys, path, "hotels", "guests", "rotana")
    assert code == EXIT_BAD_INPUT
    assert err.startswith("consuldesk-cli: “rotana” names 2 hotels: Rotana Al Ain (")
    ids = [part.split(")")[0] for part in err.split("(")[1:]]
    assert len(set(ids)) == 2  # ids that tell the two apart
    code, _out, err = cli(capsys, path, "hotels", "guests", "Hilton")
    assert code == EXIT_BAD_INPUT and "No hotel is called “Hilton”" in err
    code, _out, err = cli(capsys, path, "hotels", "place", "Rotana Dubai", "N11111111", "N22222222",
                          "--family", "--from", "today")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "--family takes one person" in err
    code, _out, err = cli(capsys, path, "hotels", "place", "Rotana Dubai", "N44444444", "--family",
                          "--from", "today")  # fmt: skip
    assert code == EXIT_BAD_INPUT and "has no family on file" in err
    code, _out, err = cli(capsys, path, "hotels", "place", "Rotana Dubai", "N44444444", "--from",
                          "12.03.2026", "--to", "11.03.2026")  # fmt: skip
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: --to: Check-out (")
    code, _out, err = cli(capsys, path, "hotels", "place", "Rotana Dubai", "N44444444", "--from",
                          "01.01.2020", "--to", "03.01.2020", "--arrived")  # fmt: skip
    assert code == EXIT_BAD_INPUT and err.startswith(
        "consuldesk-cli: --arrived: a stay from 01.01.2020 to 03.01"
    )
    code, _out, err = cli(capsys, path, "hotels", "add", "X", "--beds", "-1")
    assert code == EXIT_USAGE and "below zero" in err
    code, _out, err = cli(capsys, path, "hotels", "add", "X", "--beds", "1", "--rate", "1.005")
    assert code == EXIT_USAGE and "at most two decimals" in err
    code, _out, err = cli(capsys, path, "hotels", "add", "X", "--beds", "1", "--currency", "ZZZ")
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: --currency: ")


def test_a_hotel_is_corrected_and_one_added_by_mistake_removed(capsys, casefile):
    path, _people = casefile
    code, out, err = cli(capsys, path, "hotels", "add", "Almaz Inn", "--city", "Dubai",
                         "--beds", "2", "--rate", "90")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, err = cli(capsys, path, "hotels", "edit", "almaz", "--beds", "20", "--rooms",
                         "10", "--per-room")  # fmt: skip
    assert (code, out) == (EXIT_OK, "Almaz Inn: beds 20, rooms 10, 90.00 USD per room\n"), err
    code, out, _ = cli(capsys, path, "hotels", "list", "--json")
    [row] = json.loads(out)
    assert (row["beds"], row["city"], row["nightly_rate_minor"]) == (20, "Dubai", 9000)
    cli(capsys, path, "hotels", "place", "Almaz Inn", "N44444444", "--from", "today")
    code, out, err = cli(capsys, path, "hotels", "remove", "Almaz Inn", "--yes")
    assert code == EXIT_BAD_INPUT and "cannot be removed: stays at it (1)" in err
    cli(capsys, path, "hotels", "add", "Almaz Inn Typo", "--beds", "1")
    code, out, err = cli(capsys, path, "hotels", "remove", "Almaz Inn Typo")
    assert code == EXIT_USAGE and "--yes" in err
    code, out, err = cli(capsys, path, "hotels", "remove", "Almaz Inn Typo", "--yes")
    assert (code, out) == (EXIT_OK, "Almaz Inn Typo removed.\n"), err
    code, out, _ = cli(capsys, path, "hotels", "list", "--json")
    assert [h["name"] for h in json.loads(out)] == ["Almaz Inn"]


def test_guests_are_moved_to_another_hotel_from_the_command_line(capsys, casefile):
    path, _people = casefile
    for name, beds in (("Rotana", "6"), ("Ibis", "1")):
        cli(capsys, path, "hotels", "add", name, "--city", "Dubai", "--beds", beds)
    cli(capsys, path, "hotels", "place", "Rotana", "N11111111", "--family", "--from",
        "today", "--room", "101", "--arrived")  # fmt: skip
    code, out, err = cli(capsys, path, "hotels", "move", "Ibis", "N11111111", "N22222222")
    assert code == EXIT_BAD_INPUT and "Ibis has 1 of 1 beds free" in err and "--overbook" in err
    code, out, err = cli(capsys, path, "hotels", "move", "Ibis", "N11111111", "N22222222",
                         "--room", "7", "--overbook")  # fmt: skip
    assert code == EXIT_OK, err
    assert out.startswith("2 moved to Ibis from ")
    assert out.count("room 7") == 2 and out.count("checked in") == 2
    code, out, _ = cli(capsys, path, "hotels", "guests", "Rotana")
    assert ": 1 guest of 6 beds" in out and "Іңкәр" in out  # the daughter stayed


def test_a_second_hotel_of_a_name_is_asked_about_and_fewer_beds_than_guests_said(capsys, casefile):
    path, _people = casefile
    cli(capsys, path, "hotels", "add", "Tiny Inn", "--city", "Dubai", "--beds", "3")
    code, out, err = cli(capsys, path, "hotels", "add", "tiny  inn ", "--city", "dubai",
                         "--beds", "3")  # fmt: skip
    assert code == EXIT_USAGE and "“Tiny Inn, Dubai” is on file already, with 3 beds." in err
    assert "--yes" in err
    code, out, err = cli(capsys, path, "hotels", "add", "Tiny Inn", "--city", "Dubai", "--beds",
                         "1", "--yes")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, _ = cli(capsys, path, "hotels", "list", "--json")
    assert [h["name"] for h in json.loads(out)] == ["Tiny Inn", "Tiny Inn"]
    # Told apart by ids that, typed back, name one hotel each.
    code, out, err = cli(capsys, path, "hotels", "guests", "tiny inn")
    ids = [part.split(")")[0] for part in err.split("(")[1:]]
    for short in ids:
        code, out, err = cli(capsys, path, "hotels", "guests", short)
        assert code == EXIT_OK, err
    code, out, err = cli(capsys, path, "hotels", "place", ids[0], "N44444444", "N55555555",
                         "--from", "today", "--overbook")  # fmt: skip
    assert code == EXIT_OK, err
    code, out, err = cli(capsys, path, "hotels", "edit", ids[0], "--beds", "1")
    assert code == EXIT_OK and "⚠ 2 guests sleep there tonight: overbooked by 1" in out, err
    code, out, err = cli(capsys, path, "hotels", "place", ids[1], "N11111111", "--from",
                         "01.01.2020", "--to", "03.01.2020")  # fmt: skip
    assert code == EXIT_OK and "⚠ The whole stay is before today" in out, err
    code, out, err = cli(capsys, path, "hotels", "check-in", "N11111111", "--on", "01.01.2030")
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: --on: ")
    assert "a guest is checked in when they arrive" in err


def test_a_stay_named_by_the_id_shown_is_found_whatever_its_status(capsys, casefile):
    path, _people = casefile
    cli(capsys, path, "hotels", "add", "Rotana", "--city", "Dubai", "--beds", "6")
    code, out, _ = cli(capsys, path, "hotels", "place", "Rotana", "N11111111", "--family",
                       "--from", "today", "--arrived")  # fmt: skip
    shown = [line.split()[0] for line in out.splitlines()[1:]]
    assert len(shown) == 3
    code, out, err = cli(capsys, path, "hotels", "check-in", shown[0])
    assert code == EXIT_BAD_INPUT and err.startswith("consuldesk-cli: The stay of ")
    assert err.rstrip().endswith("is checked in")  # named, not "Nobody found"
    code, out, err = cli(capsys, path, "hotels", "check-out", shown[1], "--yes")
    assert code == EXIT_OK, err
