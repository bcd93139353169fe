"""Start the window: open the last case file, or on first start ask how to begin."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QLockFile, QSettings, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from consuldesk import __version__
from consuldesk.i18n import _, install
from consuldesk.messages import describe
from consuldesk.services.casefile import open_casefile
from consuldesk.services.desk import Desk
from consuldesk.services.errors import ServiceError
from consuldesk.store.errors import CaseFileError
from consuldesk.store.paths import DATA_DIR_ENV, config_dir, list_casefiles
from consuldesk.store.private import private_umask
from consuldesk.ui.dialogs.first_start import (
    LAST_CASEFILE_KEY,
    ask_officer_name,
    default_officer,
    officer_name_saved,
    remember,
)


class LoginCancelled(Exception):
    """The officer closed the login: nothing is opened, the window does not start."""


#: Asks for the login to an encrypted case file (``ui.dialogs.login.log_in``; tests pass
#: another): the open desk, or None when the officer closes it.
Login = Callable[[Path, QSettings | None], Desk | None]


def open_path(
    path: Path,
    settings: QSettings | None,
    login: Login | None = None,
    claim: Callable[[Path], None] | None = None,
) -> Desk:
    """Open the case file at ``path``: an encrypted one through the login, a plain one as the
    officer named in settings (asked once). ``claim(path)`` runs first (the window's hold on
    the case file: a second window is refused before its login, which it would otherwise
    record in the trail).

    Raises:
        LoginCancelled: the login was closed.
        OpenElsewhere: from ``claim``.
        CaseFileError, OSError: the case file cannot be opened.
    """
    from consuldesk.services.access import is_encrypted

    if claim is not None:
        claim(path)
    if is_encrypted(path):
        from consuldesk.ui.dialogs.login import log_in

        desk = (login or log_in)(path, settings)
        if desk is None:
            raise LoginCancelled()
    else:
        if settings is not None and not officer_name_saved(settings):
            # A plain case file has no accounts: ask the officer's name once, so the audit
            # trail and bundles do not record a login name.
            ask_officer_name(settings)
        desk = open_casefile(path, default_officer(settings))
    remember(settings, desk)
    return desk


def open_last(
    data_dir: Path | None,
    case_file: Path | None,
    settings: QSettings | None,
    login: Login | None = None,
    claim: Callable[[Path], None] | None = None,
) -> Desk | None:
    """The case file asked for, else the last used one, else the newest; None when there is none.

    A data folder given on the command line (``--data-dir``) or by ``$CONSULDESK_DATA_DIR``
    limits the choice to its case files: the last one used elsewhere (another post's case
    file, opened last week) is not opened instead.

    Raises:
        LoginCancelled: the login was closed.
        CaseFileError, OSError: the case file cannot be opened.
    """
    if case_file is not None:
        return open_path(case_file, settings, login, claim)
    if data_dir is None and os.environ.get(DATA_DIR_ENV):
        data_dir = Path(os.environ[DATA_DIR_ENV])
    last = str(settings.value(LAST_CASEFILE_KEY, "") or "") if settings is not None else ""
    elsewhere = data_dir is not None and Path(last).resolve().parent != data_dir.resolve()
    if last and Path(last).is_file() and not elsewhere:
        try:
            return open_path(Path(last), settings, login, claim)
        except (CaseFileError, OSError):
            pass  # moved or damaged: fall back to the newest case file in the data folder
    found = list_casefiles(data_dir)
    if not found:
        return None
    return open_path(found[0], settings, login, claim)


class OpenElsewhere(Exception):
    """The case file at ``path`` is open in another ConsulDesk window (``pid``: its process)."""

    def __init__(self, pid: int, path: Path | None = None) -> None:
        super().__init__(pid)
        self.pid = pid
        self.path = path


def claim_for_window(path: Path) -> QLockFile | None:
    """Hold the case file for this window, as long as the returned lock lives: a second
    window on one case file would show each officer a list that misses the other's changes.

    A window that crashed leaves a lock whose process is gone: it is taken over. A folder
    where no lock can be written (read-only) gives ``None``: the window opens anyway.

    Raises:
        OpenElsewhere: another running window holds it.
    """
    lock = QLockFile(f"{path}.window-lock")
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
    if lock.tryLock(200):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        info = lock.getLockInfo()  # (pid, host name, application name)
        raise OpenElsewhere(int(info[0]) if isinstance(info, tuple) and info else 0, path)
    return None


def recover_at_start(
    exc: CaseFileError, officer: str, confirm: Callable[[str, str], bool] | None = None
) -> Desk | None:
    """A case file too damaged to open: offer its newest sound backup; restored (the damaged
    file kept as found) and opened if the officer agrees. None when there is no sound backup,
    the officer declines, or the restore fails (the caller then says why it did not open).

    ``confirm(title, text)`` asks (a seam for tests); by default a message box.
    """
    from consuldesk.messages import backup_reason
    from consuldesk.services.backups import newest_sound_backup, restore_backup
    from consuldesk.ui.models.backups import taken_text

    sound = newest_sound_backup(exc.path)
    if sound is None:
        return None
    text = "\n\n".join(
        [
            describe(exc),
            _(
                "The newest sound backup was taken {when} ({why}). Restoring it brings the "
                "case file back as it was then; the damaged file is kept as it is."
            ).format(when=taken_text(sound), why=backup_reason(sound.kind, sound.detail)),
        ]
    )
    ask = confirm or _confirm_box
    if not ask(_("The case file is damaged"), text):
        return None
    try:
        restore_backup(exc.path, sound.path)
        return open_casefile(exc.path, officer)
    except (ServiceError, CaseFileError, OSError):
        return None


def _confirm_box(title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    restore = box.addButton(_("Restore that backup"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def first_start(data_dir: Path | None, settings: QSettings | None) -> Desk | None:
    """Ask how to begin (create, open, demo); None when the officer closes the dialog."""
    from consuldesk.ui.dialogs.first_start import FirstStartDialog

    dialog = FirstStartDialog(data_dir, settings)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.desk


def create_demo(data_dir: Path | None, settings: QSettings | None, count: int = 3000) -> Desk:
    """Create and open the demo case file (a few seconds; before the window exists)."""
    from consuldesk.services.access import DEMO_OFFICER, DEMO_PASSPHRASE
    from consuldesk.services.casefile import create_casefile
    from consuldesk.services.demo import seed_demo
    from consuldesk.store.paths import casefile_path

    path = casefile_path("DEMO", data_dir)
    desk = create_casefile(
        path,
        post_code="DEMO",
        post_name=_("Demo embassy"),
        host_country="AE",
        officer=DEMO_OFFICER,
        passphrase=DEMO_PASSPHRASE,
        demo=True,
    )
    try:
        seed_demo(desk, count=count)
    except BaseException:
        desk.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.keyring")):
            leftover.unlink(missing_ok=True)
        raise
    remember(settings, desk)
    return desk


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window."""
    parser = argparse.ArgumentParser(prog="consuldesk", description="ConsulDesk window")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--case-file", type=Path)
    parser.add_argument("--lang", choices=["kk", "ru", "en"])
    parser.add_argument(
        "--demo",
        action="store_true",
        help="with no case file yet, open a demo case file instead of asking (make run)",
    )
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ConsulDesk")
    app.setApplicationVersion(__version__)
    private_umask()  # the window's process writes nothing anyone else may read
    settings = QSettings(str(config_dir() / "settings.ini"), QSettings.Format.IniFormat)
    lang = install(args.lang or str(settings.value("language", "") or QLocale.system().name()))
    # Dates and numbers follow the chosen language (kk_KZ, ru_KZ; en with Kazakhstan's formats).
    QLocale.setDefault(QLocale({"kk": "kk_KZ", "ru": "ru_KZ"}.get(lang, "en_KZ")))
    qt_translator = QTranslator(app)
    if qt_translator.load(
        f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_translator)

    held: dict[Path, QLockFile | None] = {}

    def claim(path: Path) -> None:
        held.clear()  # a file tried before (moved, damaged) is let go
        held[path.resolve()] = claim_for_window(path)

    try:
        desk = open_last(args.data_dir, args.case_file, settings, claim=claim)
    except LoginCancelled:
        return 0  # the officer closed the login: nothing to show
    except OpenElsewhere as exc:
        return _open_elsewhere(exc)
    except (CaseFileError, OSError) as exc:
        desk = None
        if isinstance(exc, CaseFileError) and exc.code == "casefile.corrupt":
            desk = recover_at_start(exc, default_officer(settings))
        if desk is None:
            QMessageBox.critical(None, "ConsulDesk", describe(exc))
            return 4
        remember(settings, desk)
    if desk is None and args.demo:
        desk = create_demo(args.data_dir, settings)
    if desk is None:
        desk = first_start(args.data_dir, settings)
        if desk is None:
            return 0  # closed without choosing: nothing to show
    if desk.path.resolve() in held:
        lock = held[desk.path.resolve()]
    else:  # the demo, or a case file made at the first start
        try:
            lock = claim_for_window(desk.path)
        except OpenElsewhere as exc:
            desk.close()
            return _open_elsewhere(exc)
    from consuldesk.ui.shell import WindowShell

    # The shell holds the case file and its window: a restore or a switch to another case
    # file closes the window, replaces the desk and shows a new window (see ui/shell.py).
    shell = WindowShell(desk, settings, lock)
    shell.show()
    try:
        return app.exec()
    finally:
        shell.close()


def _open_elsewhere(exc: OpenElsewhere) -> int:
    """Say that the case file is open in another window; the exit status for it."""
    QMessageBox.warning(
        None,
        "ConsulDesk",
        _(
            "{path} is already open in another ConsulDesk window (process {pid}). Use that "
            "window: two windows on one case file would each miss what the other changes."
        ).format(path=exc.path, pid=exc.pid),
    )
    return 5


if __name__ == "__main__":
    sys.exit(main())
