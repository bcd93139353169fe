"""Start the window: open the last case file, or on first start a demo case file."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from consuldesk import __version__
from consuldesk.i18n import _, install
from consuldesk.messages import describe
from consuldesk.services.casefile import create_casefile, open_casefile
from consuldesk.services.desk import Desk
from consuldesk.store.errors import CaseFileError
from consuldesk.store.paths import casefile_path, config_dir, list_casefiles

DEMO_POST = "DEMO"
DEMO_COUNT = 3000


def officer_name() -> str:
    """Who is at the keyboard, for the audit trail."""
    return os.environ.get("CONSULDESK_OFFICER") or os.environ.get("USER") or "officer"


def open_or_create_demo(data_dir: Path | None, case_file: Path | None) -> Desk:
    """The case file to show: the one asked for, the last used, or a new demo case file."""
    if case_file is not None:
        return open_casefile(case_file, officer_name())
    found = list_casefiles(data_dir)
    if found:
        return open_casefile(found[0], officer_name())
    from consuldesk.services.demo import seed_demo

    path = casefile_path(DEMO_POST, data_dir)
    desk = create_casefile(
        path,
        post_code=DEMO_POST,
        post_name=_("Demo embassy"),
        host_country="AE",
        officer=officer_name(),
    )
    seed_demo(desk, count=DEMO_COUNT)
    return desk


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window."""
    parser = argparse.ArgumentParser(prog="consuldesk", description="ConsulDesk window")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--case-file", type=Path)
    parser.add_argument("--lang", choices=["kk", "ru", "en"])
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ConsulDesk")
    app.setApplicationVersion(__version__)
    settings = QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)
    lang = install(args.lang or str(settings.value("language", "") or QLocale.system().name()))
    qt_translator = QTranslator(app)
    if qt_translator.load(
        f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_translator)

    try:
        desk = open_or_create_demo(args.data_dir, args.case_file)
    except (CaseFileError, OSError) as exc:
        QMessageBox.critical(None, "ConsulDesk", describe(exc))
        return 4
    from consuldesk.ui.main_window import MainWindow

    window = MainWindow(desk, settings)
    window.show()
    try:
        return app.exec()
    finally:
        desk.close()


if __name__ == "__main__":
    sys.exit(main())
