"""Starting the window: `make run` (``--demo``) opens a demo case file on a first start."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from consuldesk.services.nationals import count_nationals
from consuldesk.ui.app import create_demo, open_last


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
    again = open_last(data, None, settings)  # the next start opens it again
    assert again is not None and again.path.name == "DEMO.consuldesk"
    again.close()
