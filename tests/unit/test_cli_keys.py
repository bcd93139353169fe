"""``consuldesk-cli keys``: two case files come to trust each other from the command line."""

from __future__ import annotations

import json

import pytest

from consuldesk.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main

pytestmark = pytest.mark.usefixtures("fast_seal")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two(tmp_path, capsys, monkeypatch):
    """Headquarters and the embassy in Tehran, each with keys, and a USB stick."""
    hq, thr = tmp_path / "hq.consuldesk", tmp_path / "thr.consuldesk"
    code, out, _ = run(
        capsys, "--case-file", str(hq), "init", "--post", "KZ-HQ", "--name", "СІМ", "--hq"
    )
    assert code == 0 and "recovery key for the safe" in out  # it is headquarters itself
    code, out, _ = run(capsys, "--case-file", str(hq), "info")
    assert "Post: KZ-HQ — СІМ\n" in out  # no country, no "(—)"
    assert (
        run(
            capsys,
            "--case-file",
            str(thr),
            "init",
            "--post",
            "IR-THR",
            "--name",
            "Тегеран",
            "--country",
            "IR",
        )[0]
        == 0
    )
    # Encrypted case files: the keys are sealed under each file's key, opened by the login.
    assert run(capsys, "--case-file", str(hq), "keys", "init")[0] == EXIT_OK
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "keys", "init")
    assert code == EXIT_OK
    fingerprint = json.loads(out)["fingerprint"]
    usb = tmp_path / "usb"
    usb.mkdir()
    return hq, thr, usb, fingerprint


def test_export_show_and_enrol_with_the_fingerprint_heard(capsys, two):
    hq, thr, usb, fingerprint = two
    code, out, _ = run(capsys, "--case-file", str(thr), "keys", "export", str(usb))
    assert code == EXIT_OK and fingerprint in out
    (key_file,) = usb.glob("IR-THR-*.consuldesk-key")

    code, out, _ = run(capsys, "keys", "show", str(key_file))
    assert code == EXIT_OK and "IR-THR — Тегеран" in out and fingerprint in out

    code, _, err = run(
        capsys, "--case-file", str(hq), "keys", "enrol", str(key_file), "--fingerprint", "1" * 25
    )
    assert code == EXIT_BAD_INPUT and "do not enrol it" in err
    code, out, _ = run(
        capsys,
        "--case-file",
        str(hq),
        "keys",
        "enrol",
        str(key_file),
        "--fingerprint",
        fingerprint.replace(" ", "-"),
    )
    assert code == EXIT_OK and "Enrolled the keys of IR-THR" in out

    code, out, _ = run(capsys, "--case-file", str(hq), "--json", "keys", "list")
    listed = json.loads(out)
    assert [(p["post"], p["fingerprint"], p["status"]) for p in listed["peers"]] == [
        ("IR-THR", fingerprint, "active")
    ]
    assert listed["own"][0]["role"] == "headquarters"


def test_enrol_without_a_terminal_needs_the_fingerprint(capsys, two, monkeypatch):
    hq, thr, usb, _fingerprint = two
    run(capsys, "--case-file", str(thr), "keys", "export", str(usb))
    (key_file,) = usb.glob("*.consuldesk-key")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--case-file", str(hq), "keys", "enrol", str(key_file))
    assert code == EXIT_BAD_INPUT and "--fingerprint" in err


def test_a_passphrase_is_never_guessed(capsys, two, monkeypatch):
    _hq, thr, _usb, _fingerprint = two
    monkeypatch.delenv("CONSULDESK_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "--case-file", str(thr), "keys", "rotate")
    assert code == EXIT_USAGE and "CONSULDESK_PASSPHRASE" in err
    monkeypatch.setenv("CONSULDESK_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, "--case-file", str(thr), "keys", "rotate")
    assert code == EXIT_BAD_INPUT and "Wrong passphrase for Test" in err


def test_rotate_keeps_the_old_keys_retired(capsys, two):
    _hq, thr, _usb, fingerprint = two
    code, out, _ = run(capsys, "--case-file", str(thr), "keys", "rotate")
    assert code == EXIT_OK and "New keys" in out
    code, out, _ = run(capsys, "--case-file", str(thr), "--json", "keys", "list")
    assert [(k["fingerprint"] == fingerprint, k["status"]) for k in json.loads(out)["own"]] == [
        (False, "active"),
        (True, "retired"),
    ]


def test_keys_messages_in_kazakh(capsys, two):
    from consuldesk import i18n

    hq, _thr, usb, _fingerprint = two
    (usb / "junk.consuldesk-key").write_text("{}", encoding="utf-8")
    try:
        code, _, err = run(
            capsys,
            "--lang",
            "kk",
            "--case-file",
            str(hq),
            "keys",
            "show",
            str(usb / "junk.consuldesk-key"),
        )
    finally:
        i18n.install("en")
    assert code == EXIT_BAD_INPUT
    assert "ConsulDesk" in err and "junk" in err and "is not" not in err  # in Kazakh
