"""Faults of the case file met in the window are named there: a full disk, damaged pages."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from consuldesk.services.casefile import create_casefile
from consuldesk.services.demo import seed_demo
from consuldesk.store.errors import CaseFileError
from consuldesk.ui.context import AppContext, CaseFileEvents
from consuldesk.ui.dialogs.person_card import PersonCard
from consuldesk.ui.tasks import TaskRunner
from tests.disks import small_tmpfs
from tests.unit.ui.conftest import type_text


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path, "size=16m") as mount:
        yield mount


def new_person_card(qtbot, desk) -> tuple[PersonCard, AppContext]:
    ctx = AppContext(desk, TaskRunner(), CaseFileEvents())
    card = PersonCard(ctx, None)
    qtbot.addWidget(card)
    card.show()
    type_text(card.edits["surname_cyr"], "Жұмабаев")
    type_text(card.edits["given_names_cyr"], "Ерлан")
    qtbot.waitUntil(card.save_button.isEnabled, timeout=3000)
    return card, ctx


def test_a_full_disk_is_named_when_a_person_is_saved(qtbot, small_disk):
    desk = create_casefile(
        small_disk / "AE-ABU.consuldesk",
        post_code="AE-ABU",
        post_name="Abu Dhabi",
        host_country="AE",
        officer="Officer Test",
    )
    try:
        with (small_disk / "filler").open("wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * (1 << 16))
                    fh.flush()
            except OSError:
                pass  # 0 bytes free
        card, ctx = new_person_card(qtbot, desk)
        card.save_button.click()
        qtbot.waitUntil(lambda: "is full" in card.status_label.text(), timeout=10_000)
        assert card.isVisible() and card.result() != QDialog.DialogCode.Accepted
        assert "damaged" not in card.status_label.text()
        ctx.tasks.wait()
    finally:
        (small_disk / "filler").unlink(missing_ok=True)
        desk.close()


def test_damaged_pages_are_named_and_nothing_is_saved(qtbot, desk):
    seed_demo(desk, count=200)
    path: Path = desk.casefile.path
    desk.casefile.close()  # the WAL goes into the file; the next reads reopen it
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(random.Random(3).randbytes(4096))
    with pytest.raises(CaseFileError):
        desk.casefile.check_pages()
    before = path.read_bytes()
    card, ctx = new_person_card(qtbot, desk)
    card.save_button.click()
    qtbot.waitUntil(lambda: "is damaged" in card.status_label.text(), timeout=10_000)
    assert "restore the last good backup" in card.status_label.text().lower()
    assert card.result() != QDialog.DialogCode.Accepted
    ctx.tasks.wait()
    assert path.read_bytes() == before
    assert shutil.disk_usage(path.parent).free > 0
