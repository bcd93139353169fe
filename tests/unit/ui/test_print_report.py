"""The situation report and hotel roster dialogs write PDFs where the officer says."""

from __future__ import annotations

from datetime import timedelta

from pypdf import PdfReader

from consuldesk.services.demo import seed_demo
from consuldesk.ui.dialogs.print_report import ReportDialog
from tests.unit.ui.conftest import type_text


def text_of(path):
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def write(qtbot, dialog):
    with qtbot.waitSignal(dialog.written, timeout=20000) as blocker:
        dialog.write_button.click()
    return blocker.args[0]


def test_the_sitrep_is_written_where_chosen(qtbot, ctx, tmp_path):
    seed_demo(ctx.desk, count=200, seed=3)
    dialog = ReportDialog(ctx, "sitrep")
    qtbot.addWidget(dialog)
    assert dialog.night_edit.isHidden()
    assert dialog.path.name.startswith("sitrep-AE-ABU-") and dialog.path.suffix == ".pdf"
    dialog.choose_file = lambda: tmp_path / "for-hq"  # the extension is added
    dialog.choose_button.click()
    dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("kk"))
    written = write(qtbot, dialog)
    assert written == str(tmp_path / "for-hq.pdf")
    text = text_of(written)
    assert "Situation report / Жағдай туралы есеп" in text
    assert "Embassy of Kazakhstan in Abu Dhabi" in text
    assert dialog.open_folder_button.isVisibleTo(dialog)
    assert "Written to" in dialog.status_label.text()


def test_the_roster_is_for_the_chosen_night(qtbot, ctx, tmp_path):
    seed_demo(ctx.desk, count=200, seed=3)
    dialog = ReportDialog(ctx, "roster")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "hotel-roster-AE-ABU-2026-03-10.pdf"))
    tomorrow = ctx.desk.today() + timedelta(days=1)
    dialog.night_edit.edit.selectAll()
    type_text(dialog.night_edit.edit, f"{tomorrow:%d.%m.%Y}")  # typed over today's
    assert dialog.path.name == f"hotel-roster-AE-ABU-{tomorrow:%Y-%m-%d}.pdf"
    dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("ru"))
    written = write(qtbot, dialog)
    text = text_of(written)
    assert f"{tomorrow:%d.%m.%Y}" in text
    assert "Hotel roster" in text


def test_one_hotels_roster_can_be_printed_for_its_front_desk(qtbot, ctx, tmp_path):
    """Every hotel's roster was the only one: 49 pages for the front desk of one."""
    from consuldesk.services.hotels import guests_tonight, list_hotels

    seed_demo(ctx.desk, count=200, seed=3)
    hotels = [h for h in list_hotels(ctx.desk) if guests_tonight(ctx.desk, h.id)]
    chosen, other = hotels[0], hotels[1]
    dialog = ReportDialog(ctx, "roster")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(
        lambda: dialog.hotel_box.count() == 1 + len(list_hotels(ctx.desk)), timeout=3000
    )
    assert dialog.hotel_box.itemText(0) == "All hotels"
    dialog.path_edit.setText(str(tmp_path / dialog.path.name))
    dialog.hotel_box.setCurrentIndex(dialog.hotel_box.findData(chosen.id))
    assert dialog.path.name.startswith(f"hotel-roster-AE-ABU-{ctx.desk.today():%Y-%m-%d}-")
    assert chosen.name.split()[0] in dialog.path.name
    text = text_of(write(qtbot, dialog))
    assert chosen.name in text and other.name not in text


def test_a_roster_for_a_night_that_is_not_a_date_is_not_written(qtbot, ctx, tmp_path):
    dialog = ReportDialog(ctx, "roster")
    qtbot.addWidget(dialog)
    target = tmp_path / "roster.pdf"
    dialog.path_edit.setText(str(target))
    dialog.night_edit.edit.selectAll()
    type_text(dialog.night_edit.edit, "31.02.2026")
    dialog.write_button.click()
    assert "dd.mm.yyyy" in dialog.status_label.text()
    assert dialog.write_button.isEnabled() and not target.exists()


def test_a_missing_folder_is_named_and_nothing_is_written(qtbot, ctx, tmp_path):
    dialog = ReportDialog(ctx, "sitrep")
    qtbot.addWidget(dialog)
    target = tmp_path / "gone" / "sitrep.pdf"
    dialog.path_edit.setText(str(target))
    dialog.write_button.click()
    qtbot.waitUntil(lambda: dialog.write_button.isEnabled(), timeout=20000)
    assert f"The folder {target.parent} does not exist" in dialog.status_label.text()
    assert not target.parent.exists()
    assert not dialog.open_folder_button.isVisibleTo(dialog)


def test_a_roster_without_hotels_says_what_to_do(qtbot, ctx, tmp_path):
    dialog = ReportDialog(ctx, "roster")
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "roster.pdf"))
    dialog.write_button.click()
    qtbot.waitUntil(lambda: dialog.write_button.isEnabled(), timeout=20000)
    assert "no hotel on file" in dialog.status_label.text()
    assert not (tmp_path / "roster.pdf").exists()


def test_a_second_report_of_the_day_does_not_replace_the_first_without_asking(
    qtbot, ctx, tmp_path, monkeypatch
):
    """The second report of the day (in the other language) silently replaced the first,
    whose print the trail had recorded with its SHA-256."""
    from PySide6.QtWidgets import QMessageBox

    from consuldesk.ui.dialogs import print_report

    monkeypatch.setattr(print_report, "remembered_folder", lambda _ctx: tmp_path)
    first = ReportDialog(ctx, "sitrep")
    qtbot.addWidget(first)
    written = write(qtbot, first)
    assert written == str(first.path) and first.path.parent == tmp_path
    second = ReportDialog(ctx, "sitrep")
    qtbot.addWidget(second)
    assert second.path.name == first.path.name.replace(".pdf", "-2.pdf")  # a name of its own

    second.path_edit.setText(written)  # typed over it: asked first, kept on "Keep it"
    before = first.path.read_bytes()
    second.write_button.click()
    box = second._replace_question
    assert "exists already" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert first.path.read_bytes() == before and "Written" not in second.status_label.text()
    second.lang_combo.setCurrentIndex(second.lang_combo.findData("kk"))
    second.write_button.click()
    with qtbot.waitSignal(second.written, timeout=20000):
        second._replace_question.button(QMessageBox.StandardButton.Yes).click()
    assert "Жағдай туралы есеп" in text_of(written)
