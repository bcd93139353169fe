"""Alt+letter does one thing on each page, in every language: a page's button or field never
takes the letter of a menu (Alt+O on the Hotels page opened the Officers menu instead of
checking the guest out) or of another button on the page."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabWidget

from consuldesk import i18n
from consuldesk.services.demo import seed_demo
from consuldesk.ui.main_window import MainWindow


def _letter(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).casefold() if found else None


@pytest.fixture
def back_to_english():
    yield
    i18n.install("en")


@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_no_two_things_on_a_page_answer_to_one_alt_letter(qtbot, desk, language, back_to_english):
    i18n.install(language)
    seed_demo(desk, count=40, seed=3)  # the buttons a filled page shows
    window = MainWindow(desk)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    menus: dict[str, list[str]] = defaultdict(list)
    for action in window.menuBar().actions():
        if letter := _letter(action.text()):
            menus[letter].append(f"menu {action.text()}")
    clashes = []
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        window.ctx.tasks.wait()
        page = window.pages.currentWidget()
        taken = defaultdict(list, {k: list(v) for k, v in menus.items()})
        for widget in [*page.findChildren(QAbstractButton), *page.findChildren(QLabel),
                       *page.findChildren(QGroupBox)]:  # fmt: skip
            if not widget.isVisibleTo(window):
                continue
            if isinstance(widget, QLabel) and widget.buddy() is None:
                continue  # no Alt+letter without a field to go to
            text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
            if letter := _letter(text):
                taken[letter].append(text)
        for tabs in page.findChildren(QTabWidget):
            for i in range(tabs.count()):
                if letter := _letter(tabs.tabText(i)):
                    taken[letter].append(f"tab {tabs.tabText(i)}")
        page_name = window.nav.item(row).text()
        clashes += [f"{page_name}: Alt+{k} {v}" for k, v in taken.items() if len(v) > 1]
    window.ctx.tasks.wait()
    assert clashes == []
