"""A small laptop: every page at 1024 × 700, in English, Kazakh and Russian, keeps the window
that size and shows every button's text whole.

The Evacuation page does not fit yet (issue 10): it widens the window and is left out here
until it is split and laid out again; :data:`NOT_YET` names it, and the test says so if it
starts to fit.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication

from consuldesk import i18n
from consuldesk.services.demo import seed_demo
from consuldesk.ui.main_window import MainWindow

SIZE = (1024, 700)
PAGES = ("Nationals", "Households", "Requests", "Hotels", "Overview", "Sync")
NOT_YET = ("Evacuation",)


@pytest.fixture
def demo(desk):
    seed_demo(desk, count=150, seed=2)
    return desk


def _cut_buttons(page) -> list[str]:
    return [
        f"{b.text()!r}: {b.width()} < {b.sizeHint().width()} px"
        for b in page.findChildren(QAbstractButton)
        if b.isVisibleTo(page) and b.text() and b.width() < b.sizeHint().width() - 2
    ]


@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_every_page_fits_a_small_laptop_in_every_language(qtbot, demo, language):
    i18n.install(language)
    window = MainWindow(demo)
    qtbot.addWidget(window)
    try:
        window.resize(*SIZE)
        window.show()
        titles = [window.nav.item(r).text() for r in range(window.nav.count())]
        # The pages that fit first: a page that widens the window keeps it wide.
        for title, fitting in [*((t, True) for t in PAGES), *((t, False) for t in NOT_YET)]:
            window.nav.setCurrentRow(titles.index(i18n._(title)))
            for _ in range(10):  # the page's first answers, then its layout
                QApplication.processEvents()
                window.ctx.tasks.wait(50)
            QApplication.processEvents()
            fits = (window.width(), window.height()) == SIZE
            if not fitting:
                assert not fits, f"{title} fits now: move it from NOT_YET to PAGES"
                continue
            assert fits, f"{title} ({language}) resized the window to {window.size().toTuple()}"
            cut = _cut_buttons(window.pages.currentWidget())
            assert not cut, f"{title} ({language}): {cut}"
    finally:
        window.close()
        i18n.install("en")


def test_a_long_saved_notice_wraps_instead_of_widening_the_window(qtbot, demo):
    i18n.install("kk")
    window = MainWindow(demo)
    qtbot.addWidget(window)
    try:
        window.resize(*SIZE)
        window.show()
        page = window.nationals_page
        page.status_label.setText(
            "Сақталды: Әбілқасымова Гүлнұр Сейітқызы. Осы уақытта басқа біреу өзгерткені "
            "сақталды: телефондар, мекенжай, қала, медициналық жағдайы, мессенджер, ескертпелер."
        )
        for _ in range(5):
            QApplication.processEvents()
        assert (window.width(), window.height()) == SIZE
    finally:
        window.close()
        i18n.install("en")
