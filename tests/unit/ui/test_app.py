"""Starting the window: `make run` (``--demo``) opens a demo case file on a first start."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from consuldesk.services.access import DEMO_OFFICER, DEMO_PASSPHRASE
from consuldesk.services.casefile import open_casefile
from consuldesk.services.nationals import count_nationals
from consuldesk.ui.app import LoginCancelled, create_demo, open_last


def test_demo_start_creates_and_remembers_the_demo(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    data = tmp_path / "data"
    assert open_last(data, None, settings) is None  # first start: nothing yet
    desk = create_demo(data, settings, count=40)
    try:
        assert desk.casefile.local_post().code == "DEMO"
        assert count_nationals(desk) == 40
    finally:
        desk.close()
    assert desk.encrypted and desk.officer == DEMO_OFFICER
    asked = []

    def login(path, _settings):  # the login dialog, as the officer fills it in
        asked.append(path.name)
        return open_casefile(path, DEMO_OFFICER, DEMO_PASSPHRASE)

    again = open_last(data, None, settings, login)  # the next start asks for the login
    assert again is not None and again.path.name == "DEMO.consuldesk"
    assert asked == ["DEMO.consuldesk"]
    again.close()
    with pytest.raises(LoginCancelled):
        open_last(data, None, settings, lambda _path, _settings: None)


def test_a_data_folder_given_opens_its_own_case_file_not_the_last_one_used(
    qtbot, tmp_path, monkeypatch
):
    """Seen by a newcomer: ``consuldesk --data-dir D`` opened the demo used last elsewhere."""
    from consuldesk.services.casefile import create_casefile

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    create_demo(tmp_path / "demo", settings, count=5).close()  # remembered as the last one
    other = tmp_path / "tehran"
    other.mkdir()
    create_casefile(
        other / "IR-THR.consuldesk",
        post_code="IR-THR",
        post_name="Тегеран",
        host_country="IR",
        officer="x",
    ).close()
    desk = open_last(other, None, settings)
    assert desk is not None and desk.path.name == "IR-THR.consuldesk"
    desk.close()
    # $CONSULDESK_DATA_DIR says the same as --data-dir: an empty folder opens nothing, never
    # the case file of another post used last.
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("CONSULDESK_DATA_DIR", str(empty))
    assert open_last(None, None, settings) is None
    monkeypatch.delenv("CONSULDESK_DATA_DIR")
    again = open_last(None, None, settings)  # without a folder: the last one used (now Tehran)
    assert again is not None and again.path.name == "IR-THR.consuldesk"
    again.close()


def test_a_second_window_on_one_case_file_is_told_and_a_crashed_ones_lock_is_taken_over(
    tmp_path,
):
    import os

    from consuldesk.ui.app import OpenElsewhere, claim_for_window

    path = tmp_path / "AE-ABU.consuldesk"
    first = claim_for_window(path)
    assert first is not None
    with pytest.raises(OpenElsewhere) as caught:
        claim_for_window(path)
    assert caught.value.pid == os.getpid()
    first.unlock()
    again = claim_for_window(path)  # free again once the first window closed
    assert again is not None
    again.unlock()
    # A window that crashed: its lock names a process that is gone.
    from PySide6.QtCore import QSysInfo

    host = QSysInfo.machineHostName()
    (tmp_path / "AE-ABU.consuldesk.window-lock").write_text(f"999999\nconsuldesk\n{host}\n")
    taken = claim_for_window(path)
    assert taken is not None
    taken.unlock()


def test_a_second_window_is_refused_before_its_login(tmp_path):
    """It asked for the passphrase, logged a login in the trail, then refused."""
    from consuldesk.ui.app import OpenElsewhere, claim_for_window

    path = tmp_path / "AE-ABU.consuldesk"
    path.write_bytes(b"")
    first = claim_for_window(path)
    asked: list[object] = []
    with pytest.raises(OpenElsewhere) as caught:
        open_last(
            None,
            path,
            None,
            login=lambda p, _settings: asked.append(p),  # type: ignore[func-returns-value]
            claim=claim_for_window,
        )
    assert asked == [] and caught.value.path == path
    first.unlock()


def test_a_case_file_too_damaged_to_open_is_restored_from_its_newest_sound_backup(qtbot, tmp_path):
    import os

    from consuldesk.services import backups, nationals
    from consuldesk.services.casefile import create_casefile, open_casefile
    from consuldesk.store.errors import CaseFileError
    from consuldesk.ui.app import recover_at_start
    from tests.factories import person

    desk = create_casefile(
        tmp_path / "IR-THR.consuldesk", post_code="IR-THR", post_name="Т", host_country="IR",
        officer="x",
    )  # fmt: skip
    nationals.register_national(desk, person())
    backups.take_backup(desk, backups.SCHEDULED)
    path = desk.path
    desk.close()
    data = bytearray(path.read_bytes())
    data[4096:] = os.urandom(len(data) - 4096)  # everything after the first page
    path.write_bytes(bytes(data))
    with pytest.raises(CaseFileError) as err:
        open_casefile(path, "x")
    assert err.value.code == "casefile.corrupt"
    asked = []
    assert recover_at_start(err.value, "x", lambda t, text: asked.append(text) or False) is None
    assert "The newest sound backup was taken" in asked[0]
    assert path.read_bytes() == bytes(data)  # declined: nothing changed
    desk = recover_at_start(err.value, "x", lambda t, text: True)
    try:
        assert desk is not None and count_nationals(desk) == 1
    finally:
        desk.close()
