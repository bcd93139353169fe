"""Screenshots of every page at 1024 x 700 in English, Kazakh and Russian (docs/screenshots/1024).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py

A demo case file of 3,000 people (the one ``make run`` opens) in a temporary folder; each page is
shown as the officer first sees it, the Evacuation page with its first operation, trip and
passenger selected.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication, QTreeView

from consuldesk import i18n
from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import seed_demo
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


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        desk = create_casefile(
            Path(tmp) / "demo.consuldesk",
            post_code="DEMO",
            post_name="Demo embassy",
            host_country="AE",
            officer="Officer on duty",
        )
        desk.today = lambda: TODAY
        seed_demo(desk, count=3000)
        for language in ("en", "kk", "ru"):
            i18n.install(language)
            window = MainWindow(desk)
            window.resize(1024, 700)
            window.show()
            settle(window)
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
            window.close()
            window.ctx.tasks.wait()
            # The closed window is cyclic garbage: collect it here, on the UI thread. Left to a
            # collection that a worker thread happens to start, its Qt objects were deleted
            # there, and the script crashed (a segmentation fault) in the next language.
            del window
            gc.collect()
        desk.close()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
