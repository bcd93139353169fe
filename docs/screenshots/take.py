"""Screenshots of every page at 1024 x 700 in English, Kazakh and Russian (docs/screenshots/1024).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py accounts   # those only

The accounts dialogs (Officers…, Change my passphrase…, Recovery key…, Encrypt this case
file…) are taken on a small encrypted case file with a few officers, and on the plain demo file.

A demo case file of 3,000 people (the one ``make run`` opens) in a temporary folder; each page is
shown as the officer first sees it, the Evacuation page with its first operation, trip and
passenger selected. Then the review of records due for anonymisation (Case file menu), as it
will look 18 months after the demo's evacuees left, with the expired selected.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QTreeView

from consuldesk import i18n
from consuldesk.domain.retention import add_months
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import seed_demo
from consuldesk.ui.dialogs.retention import RetentionDialog
from consuldesk.ui.main_window import MainWindow

OUT = Path(__file__).resolve().parent / "1024"
PAGES = (
    "Nationals",
    "Households",
    "Requests",
    "Hotels",
    "Evacuation",
    "Overview",
    "Sync",
    "Audit trail",
)
TODAY = date(2026, 12, 6)


def settle(window: MainWindow, rounds: int = 12) -> None:
    for _ in range(rounds):
        QApplication.processEvents()
        window.ctx.tasks.wait(60)
    QApplication.processEvents()


def prepare_evacuation(window: MainWindow) -> None:
    """Select the first trip of the first operation, then its first passenger."""
    page = window.pages.currentWidget()
    tree = next(iter(page.findChildren(QTreeView)), None)
    if tree is None or tree.model() is None:
        return
    model = tree.model()
    operation = model.index(0, 0)
    tree.expand(operation)
    settle(window, 4)
    trip = model.index(0, 0, operation) if model.rowCount(operation) else operation
    tree.selectionModel().setCurrentIndex(
        trip,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    settle(window)
    table = getattr(page, "table", None) or getattr(page, "passengers_view", None)
    if table is not None and table.model() is not None and table.model().rowCount():
        table.selectRow(0)
        settle(window)


# Windows closed here are kept until the end: dropped, one could be collected by the garbage
# collector on a worker thread (a pool thread running a page's query), which crashes Qt.
KEPT: list[object] = []


def wait_for(window: MainWindow, done: Callable[[], bool]) -> None:
    for _ in range(400):
        settle(window, 1)
        if done():
            return
    raise TimeoutError("the window did not answer")


def take_accounts(tmp: Path, language: str) -> None:
    """The accounts dialogs: on an encrypted case file, and Encrypt on a plain one."""
    from consuldesk.services import access
    from consuldesk.ui.dialogs.passphrase import open_change_passphrase
    from consuldesk.ui.dialogs.recovery import open_recovery_key

    passphrase = "bright river at dawn"
    desk = create_casefile(
        tmp / f"accounts-{language}.consuldesk",
        post_code="IR-THR",
        post_name="Embassy in Tehran",
        host_country="IR",
        officer="Айгүл Сейітова",
        passphrase=passphrase,
    )
    for name, role in (("Марат Жұмабаев", "officer"), ("Dana Smagulova", "viewer")):
        access.add_officer(desk, name, role, "first passphrase 123")
    access.add_officer(desk, "Ерлан Тоқтаров", "officer", "first passphrase 123")
    access.disable_officer(desk, "Ерлан Тоқтаров")
    desk.close()
    desk = access.login(tmp / f"accounts-{language}.consuldesk", "Айгүл Сейітова", passphrase)
    window = MainWindow(desk)
    window.resize(1024, 700)
    window.show()
    settle(window)
    officers = window.open_officers()
    wait_for(window, lambda: officers.model.rowCount() == 4)
    officers.select("Марат Жұмабаев")
    settle(window)
    officers.grab().save(str(OUT / f"officers-{language}.png"))
    officers.add_button.click()
    form = officers.form
    form.name_edit.setText("Нұрлан Беков")
    settle(window)
    form.grab().save(str(OUT / f"add-officer-{language}.png"))
    form.reject()
    officers.reject()
    mine = open_change_passphrase(window.ctx, window)
    settle(window)
    mine.grab().save(str(OUT / f"my-passphrase-{language}.png"))
    mine.reject()
    recovery = open_recovery_key(window.ctx, window)
    recovery.passphrase_edit.setText(passphrase)
    recovery.show_button.click()
    wait_for(window, lambda: recovery.pages.currentIndex() == 1)
    recovery.grab().save(str(OUT / f"recovery-key-{language}.png"))
    recovery.reject()
    window.grab().save(str(OUT / f"logged-in-{language}.png"))
    window.close()
    window.ctx.tasks.wait()
    KEPT.append(window)
    desk.close()


def take_encrypt(window: MainWindow, language: str) -> None:
    """The Encrypt dialog on the plain demo file, over its window."""
    encrypt = window.open_encrypt()
    settle(window)
    encrypt.grab().save(str(OUT / f"encrypt-{language}.png"))
    encrypt.reject()


def shoot_retention(window: MainWindow, language: str) -> None:
    """The retention review, on the day the demo's evacuees expire (their status is dated by
    the wall clock of the demo's making)."""
    desk = window.ctx.desk
    today = desk.today
    desk.today = lambda: add_months(date.today(), 18) + timedelta(days=1)
    try:
        dialog = RetentionDialog(window.ctx, window)
        dialog.resize(900, 600)
        dialog.show()
        settle(window)
        dialog.select_expired_button.click()
        settle(window, 2)
        path = OUT / f"retention-{language}.png"
        dialog.grab().save(str(path))
        print(f"{path.name}: {dialog.width()} x {dialog.height()}")
        dialog.close()
    finally:
        desk.today = today


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    only_accounts = sys.argv[1:] == ["accounts"]
    with tempfile.TemporaryDirectory() as tmp:
        desk = create_casefile(
            Path(tmp) / "demo.consuldesk",
            post_code="DEMO",
            post_name="Demo embassy",
            host_country="AE",
            officer="Officer on duty",
        )
        desk.today = lambda: TODAY
        seed_demo(desk, count=300 if only_accounts else 3000)
        for language in ("en", "kk", "ru"):
            i18n.install(language)
            take_accounts(Path(tmp), language)
            window = MainWindow(desk)
            window.resize(1024, 700)
            window.show()
            settle(window)
            take_encrypt(window, language)
            if only_accounts:
                window.close()
                KEPT.append(window)
                continue
            titles = [window.nav.item(r).text() for r in range(window.nav.count())]
            for title in PAGES:
                window.resize(1024, 700)
                window.nav.setCurrentRow(titles.index(i18n._(title)))
                settle(window)
                if title == "Evacuation":
                    prepare_evacuation(window)
                size = window.size().toTuple()
                path = OUT / f"{title.lower().replace(' ', '-')}-{language}.png"
                window.grab().save(str(path))
                print(f"{path.name}: {size[0]} x {size[1]}")
            shoot_retention(window, language)
            window.close()
            window.ctx.tasks.wait()
            KEPT.append(window)
        desk.close()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
