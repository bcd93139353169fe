"""``consuldesk-cli bundle``, ``conflicts`` and ``sync status``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_OK, main
from consuldesk.services import keys, nationals
from consuldesk.services.casefile import create_casefile, open_casefile
from tests.factories import person

pytestmark = pytest.mark.usefixtures("fast_seal")
PASSPHRASE = "Ұзын құпия сөз 2026"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pair(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", PASSPHRASE)
    desks = {}
    for code, hq in (("KZ-HQ", True), ("IR-THR", False)):
        desk = create_casefile(
            tmp_path / f"{code}.consuldesk",
            post_code=code,
            post_name=code,
            host_country=None if hq else "IR",
            officer="x",
            headquarters=hq,
        )
        keys.create_keys(desk, PASSPHRASE)
        desks[code] = desk
    usb = tmp_path / "usb"
    usb.mkdir()
    files = {c: keys.export_public_key(d, usb) for c, d in desks.items()}
    keys.enrol_peer(
        desks["KZ-HQ"], files["IR-THR"], keys.read_key_file(files["IR-THR"]).fingerprint
    )
    keys.enrol_peer(desks["IR-THR"], files["KZ-HQ"], keys.read_key_file(files["KZ-HQ"]).fingerprint)
    nationals.register_national(desks["IR-THR"], person(host_country="IR"))
    for d in desks.values():
        d.close()
    return tmp_path / "KZ-HQ.consuldesk", tmp_path / "IR-THR.consuldesk", usb


def test_export_inspect_import_and_status(capsys, pair):
    hq, thr, usb = pair
    code, out, _ = run(
        capsys, "--case-file", str(thr), "--json", "bundle", "export", "KZ-HQ", str(usb)
    )
    assert code == EXIT_OK
    exported = json.loads(out)
    assert exported["sequence"] == 1 and exported["records"] == 2  # the post and the person

    code, out, _ = run(capsys, "--case-file", str(hq), "bundle", "verify", exported["path"])
    assert code == EXIT_OK and "Valid: bundle 1 from IR-THR" in out
    code, out, _ = run(capsys, "--case-file", str(hq), "bundle", "inspect", exported["path"])
    assert code == EXIT_OK and "Would change:" in out and "people 1" in out
    code, out, _ = run(
        capsys, "--case-file", str(hq), "--json", "bundle", "import", exported["path"]
    )
    assert code == EXIT_OK and json.loads(out)["new"] == {"post": 1, "national": 1}
    code, out, _ = run(capsys, "--case-file", str(hq), "sync", "status")
    assert code == EXIT_OK and "IR-THR" in out and "(no. 1)" in out
    code, out, _ = run(capsys, "--case-file", str(hq), "conflicts", "list")
    assert code == EXIT_OK and "No conflicts." in out


def test_a_damaged_bundle_is_refused_in_one_line(capsys, pair, tmp_path):
    hq, thr, usb = pair
    code, out, _ = run(
        capsys, "--case-file", str(thr), "--json", "bundle", "export", "KZ-HQ", str(usb)
    )
    path = json.loads(out)["path"]
    data = Path(path).read_bytes()
    cut = tmp_path / "cut.consuldesk-bundle"
    cut.write_bytes(data[: len(data) - 100])
    code, _, err = run(capsys, "--case-file", str(hq), "bundle", "import", str(cut))
    assert code == EXIT_BAD_INPUT
    assert err.count("\n") == 1 and "cut short" in err


def test_export_to_all_peers_writes_one_bundle_each(capsys, pair):
    hq, _thr, usb = pair
    code, out, _ = run(
        capsys, "--case-file", str(hq), "--json", "bundle", "export", "all", str(usb)
    )
    assert code == EXIT_OK
    (only,) = json.loads(out)
    assert only["recipient"] == "IR-THR" and Path(only["path"]).exists()


def _crossed(capsys, pair, at_hq: dict, at_post: dict) -> str:
    """Қасымова reaches headquarters and comes back; both then change her (``at_hq``,
    ``at_post``) without seeing the other's change, and Tehran's bundle is imported at
    headquarters: what the import said."""
    hq_path, thr_path, usb = pair
    for argv in (
        (thr_path, "bundle", "export", "KZ-HQ", usb),
        (hq_path, "bundle", "import", None),
        (hq_path, "bundle", "export", "IR-THR", usb),
        (thr_path, "bundle", "import", None),
    ):
        path, *rest = argv
        if rest[-1] is None:
            rest[-1] = max(usb.glob("*.consuldesk-bundle"), key=lambda p: p.stat().st_mtime_ns)
        code, _, err = run(capsys, "--case-file", str(path), *map(str, rest))
        assert code == EXIT_OK, err
    for path, change, officer in ((hq_path, at_hq, "Айгүл Серікова"), (thr_path, at_post, "x")):
        desk = open_casefile(path, officer=officer)
        (row,) = nationals.search(desk, "Қасымова").rows
        found = nationals.get_national(desk, row.id)
        nationals.update_national(desk, row.id, nationals.fields_of_row(found).replace(**change))
        desk.close()
    code, _, err = run(capsys, "--case-file", str(thr_path), "bundle", "export", "KZ-HQ", str(usb))
    assert code == EXIT_OK, err
    newest = max(usb.glob("IR-THR-to-KZ-HQ-*"), key=lambda p: p.stat().st_mtime_ns)
    code, out, err = run(capsys, "--case-file", str(hq_path), "bundle", "import", str(newest))
    assert code == EXIT_OK, err
    return out


def test_a_conflict_is_listed_with_who_where_and_the_value_before(capsys, pair):
    hq_path, _thr_path, _usb = pair
    out = _crossed(capsys, pair, {"city": "Qom"}, {"city": "Tabriz"})
    assert "conflicts queued: 1" in out

    code, out, _ = run(capsys, "--case-file", str(hq_path), "conflicts", "list")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert "Қасымова Әйгерім · City [not settled yet]" in lines[0]
    made = {line.split("“")[1].split("”")[0]: line for line in lines[1:3]}
    assert "Айгүл Серікова, KZ-HQ, " in made["Qom"] and "x, IR-THR, " in made["Tabriz"]
    assert lines[3].strip() == "before: “Dubai”"
    code, out, _ = run(capsys, "--case-file", str(hq_path), "--json", "conflicts", "list")
    (row,) = json.loads(out)
    assert row["before_value"] == "Dubai" and row["before_known"] is True
    assert {row["kept_by"], row["other_by"]} == {"Айгүл Серікова", "x"}
    code, out, _ = run(
        capsys, "--case-file", str(hq_path), "conflicts", "resolve", row["id"], "--take-other"
    )
    assert code == EXIT_OK
    now = row["other_value"]  # said, not left to guess
    assert out.strip() == f"Resolved: City is now “{now}”; the choice travels in the next bundles."


def test_the_id_the_list_shows_settles_the_conflict_beside_settled_ones(capsys, pair):
    """Three conflicts of one import share their first characters; with two settled, the list
    shortened the last one's id among the open ones, and resolve said it matched three."""
    hq_path, _thr_path, _usb = pair
    out = _crossed(
        capsys,
        pair,
        {"city": "Qom", "address": "Azadi 5", "phones": ("+77011112233",)},
        {"city": "Tabriz", "address": "Enghelab 7", "phones": ("+989121234567",)},
    )
    assert "conflicts queued: 3" in out
    code, out, _ = run(capsys, "--case-file", str(hq_path), "--json", "conflicts", "list")
    listed = json.loads(out)
    (third,) = [c for c in listed if c["field"] == "phones"]
    for done in (c for c in listed if c is not third):
        code, _, err = run(capsys, "--case-file", str(hq_path), "conflicts", "resolve", done["id"])
        assert code == EXIT_OK, err
    code, out, _ = run(capsys, "--case-file", str(hq_path), "conflicts", "list")
    shown = out.split()[0]
    assert third["id"].startswith(shown) and len(shown) < len(third["id"])
    code, out, err = run(
        capsys, "--case-file", str(hq_path), "conflicts", "resolve", shown, "--keep-both"
    )
    assert code == EXIT_OK, err
    assert "+7 701 111 2233" in out and "+98 912 123 4567" in out
    code, out, _ = run(capsys, "--case-file", str(hq_path), "conflicts", "list")
    assert "No conflicts." in out


def test_a_wrong_passphrase_in_the_environment_is_named(capsys, pair, monkeypatch):
    _hq, thr, usb = pair
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "the passphrase of another case file")
    code, out, err = run(capsys, "--case-file", str(thr), "bundle", "export", "KZ-HQ", str(usb))
    assert code != EXIT_OK and "$CONSULDESK_PASSPHRASE" in out + err
    assert not list(usb.glob("*.consuldesk-bundle"))


def test_enrolling_ones_own_or_an_enrolled_key_file_says_so_before_the_fingerprint(capsys, pair):
    _hq, thr, usb = pair
    own = next(usb.glob("IR-THR-*.consuldesk-key"))
    code, out, err = run(capsys, "--case-file", str(thr), "keys", "enrol", str(own))
    assert code != EXIT_OK and "own post" in (out + err)
    theirs = next(usb.glob("KZ-HQ-*.consuldesk-key"))
    code, out, _ = run(capsys, "--case-file", str(thr), "keys", "enrol", str(theirs))
    assert code == EXIT_OK and "enrolled already; nothing to do" in out


def test_a_held_bundle_says_when_the_changes_it_needs_were_made_and_which_bundle_came_last(
    capsys,
):
    from datetime import UTC, datetime

    from consuldesk.cli.sync import _print_result
    from consuldesk.domain.hlc import Timestamp
    from consuldesk.services.sync import Imported
    from consuldesk.sync.bundle import Manifest

    def stamp(*when: int) -> str:
        ms = int(datetime(*when, tzinfo=UTC).timestamp() * 1000)
        return str(Timestamp(ms, 0, "AE-DXB"))

    manifest = Manifest(bundle_id="b", sequence=7, created="2026-12-06T23:08:00Z",
                        schema="0015", sender="KZ-HQ", sender_key="k", recipient="IR-THR",
                        recipient_keys=[], escrow_keys=[], covers={}, requires={}, acks={},
                        counts={})  # fmt: skip
    need, have = stamp(2026, 12, 6, 19, 7), stamp(2026, 12, 6, 18, 58)
    _print_result(Imported(manifest, held=True, missing={"AE-DXB": [have, need]}, last_received=4))
    out = capsys.readouterr().out

    def local(version: str) -> str:
        wall = datetime.fromtimestamp(Timestamp.parse(version).wall_ms / 1000, UTC)
        return f"{wall.astimezone():%d.%m.%Y %H:%M}"

    assert (
        f"from AE-DXB: changes up to {local(need)} (this case file has them up to {local(have)})"
        in out
    )
    assert "001796" not in out  # no raw version stamps
    assert "The last bundle imported from KZ-HQ is no. 4" in out
