"""People → Possible duplicates: every flagged pair in one list, compared and merged or marked
as two people (only each person's card showed its pair: an import that flagged forty left the
officer to find them one by one)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox

from consuldesk.services import nationals
from consuldesk.ui.dialogs.duplicates import COL_FIRST, COL_MATCH, COL_SECOND, DuplicatesDialog
from consuldesk.ui.dialogs.merge import MergeDialog
from tests.factories import person


@pytest.fixture
def pairs(desk):
    """Two pairs: Қасымова in both scripts, Бекова with and without her passport."""
    kasymova = nationals.register_national(desk, person(surname_lat=None, given_names_lat=None))
    kasymova_lat = nationals.register_national(
        desk,
        person(
            surname_cyr=None,
            given_names_cyr=None,
            surname_lat="KASYMOVA",
            given_names_lat="AYGERIM",
            phones=(),
        ),
    )
    bekova = nationals.register_national(
        desk,
        person(
            surname_cyr="Бекова",
            given_names_cyr="Ұлжан",
            surname_lat="BEKOVA",
            given_names_lat="ULZHAN",
            birth_date=date(1991, 1, 1),
            passport_no="N12345678",
            phones=(),
        ),
    )
    bekova_again = nationals.register_national(
        desk,
        person(
            surname_cyr="Бекова",
            given_names_cyr="Ульжан",
            surname_lat=None,
            given_names_lat=None,
            birth_date=date(1991, 1, 1),
            phones=("+77015550002",),
        ),
    )
    assert kasymova_lat.flagged_duplicates == 1 and bekova_again.flagged_duplicates == 1
    return kasymova.row, kasymova_lat.row, bekova.row, bekova_again.row


@pytest.fixture
def dialog(qtbot, ctx, pairs):
    d = DuplicatesDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.table.rowCount() == 2, timeout=3000)
    return d


def cells(d, row):
    return [d.table.item(row, col).text() for col in (COL_MATCH, COL_FIRST, COL_SECOND)]


def test_every_pair_is_listed_with_what_tells_the_records_apart(dialog, desk, pairs):
    assert dialog.status_label.text() == "2 pairs to look at."
    post = nationals.list_duplicates(desk)[0].posts[0]
    assert post  # the post that registered them
    text = "\n".join("\n".join(cells(dialog, r)) for r in range(2))
    assert "Бекова Ұлжан\n01.01.1991 · N12345678\nregistered by " + post in text
    assert "Бекова Ульжан\n01.01.1991 · no document · +7 701 555 0002" in text
    assert "KASYMOVA AYGERIM" in text and "Қасымова Әйгерім" in text
    assert all(cells(dialog, r)[0].endswith(" %") for r in range(2))
    assert dialog.merge_button.isEnabled() and dialog.dismiss_button.isEnabled()


def test_not_the_same_person_asks_then_flags_the_pair_no_more(qtbot, dialog, desk):
    first = dialog.chosen()
    box = dialog._on_dismiss_button_clicked()
    assert isinstance(box, QMessageBox)
    assert first.a.name in box.text() and "two different people" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert len(nationals.list_duplicates(desk)) == 2  # Cancel leaves it flagged
    box = dialog._on_dismiss_button_clicked()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=3000)
    assert dialog.status_label.text() == (
        f"Two different people, flagged no more: {first.a.name} and {first.b.name}. "
        "1 pair to look at."
    )
    [left] = nationals.list_duplicates(desk)
    assert left.id != first.id


def test_compare_and_merge_names_the_posts_and_takes_the_pair_off(qtbot, dialog, desk, pairs):
    pair = dialog.chosen()
    merge = dialog._on_merge_button_clicked()
    assert isinstance(merge, MergeDialog)
    assert merge.keep_left.text().endswith(f", registered by {pair.posts[0]}")
    with qtbot.waitSignal(merge.merged, timeout=3000):
        merge.merge_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=3000)
    assert dialog.status_label.text().startswith(
        f"Merged: {pair.a.name} and {pair.b.name} are one record now."
    )
    assert len(nationals.list_duplicates(desk)) == 1
    remaining = dialog.chosen()
    assert remaining is not None and remaining.id != pair.id


def test_nothing_flagged_says_so(qtbot, ctx):
    d = DuplicatesDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(
        lambda: d.status_label.text() == "No possible duplicates to look at.", timeout=3000
    )
    assert not d.merge_button.isEnabled() and not d.dismiss_button.isEnabled()


def test_a_pair_settled_elsewhere_leaves_the_list(qtbot, dialog, desk, ctx):
    """Merged from a card, the CLI or a bundle while the list is open: read again."""
    from consuldesk.ui.context import everything_changed

    pair = nationals.list_duplicates(desk)[0]
    nationals.dismiss_duplicate(desk, pair.id)
    ctx.events.changed.emit(everything_changed())  # as the window says a change elsewhere
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=3000)
    assert dialog.chosen().id != pair.id


def test_merging_a_pair_merged_meanwhile_says_so_in_words(qtbot, dialog, desk):
    pair = dialog.chosen()
    merge = dialog._on_merge_button_clicked()
    nationals.merge_nationals(desk, pair.a.id, pair.b.id)  # the CLI got there first
    merge.merge_button.click()
    qtbot.waitUntil(lambda: "gone" in merge.status_label.text(), timeout=3000)
    assert merge.status_label.text() == (
        "One of the two records is gone: merged or deleted meanwhile. Nothing changed."
    )
    assert not merge.merge_button.isEnabled()
    merge.reject()


def test_an_empty_value_of_the_record_that_goes_is_no_choice(qtbot, dialog, desk, pairs):
    """Бекова with her passport kept, the other record without one: its "—" cannot be picked
    over the passport (one slip would have blanked it)."""
    bekova, bekova_again = pairs[2], pairs[3]
    merge = MergeDialog(dialog.ctx, bekova, bekova_again)
    qtbot.addWidget(merge)
    group = merge.field_groups["passport_no"]
    assert group.button(0).isChecked() and not group.button(1).isEnabled()
    merge.keep_right.setChecked(True)  # keeping the one without: the passport comes over
    assert group.button(0).isEnabled() and group.button(0).isChecked()
    assert not group.button(1).isEnabled()
    merge.reject()
