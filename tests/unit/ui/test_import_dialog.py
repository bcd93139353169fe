"""Import and export dialogs: dry run with the column mapping and rejected rows, then the import,
cancel, list errors, and export; all in the background."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from consuldesk.domain.enums import Sex, Source
from consuldesk.services import nationals
from consuldesk.ui.dialogs.export_list import ExportDialog
from consuldesk.ui.dialogs.import_list import (
    ImportDialog,
    MappingModel,
    ProblemsModel,
    WorkProgress,
    open_import,
)
from tests.disks import read_only_tmpfs
from tests.factories import person, valid_iin

IIN_AIGERIM = valid_iin(date(1985, 3, 4), Sex.FEMALE)
IIN_NURSULTAN = valid_iin(date(1990, 7, 6), Sex.MALE)
IIN_ERLAN = valid_iin(date(1978, 11, 20), Sex.MALE)
# The same IIN with its check digit mistyped.
BAD_IIN_ERLAN = IIN_ERLAN[:-1] + str((int(IIN_ERLAN[-1]) + 1) % 10)

RU_HEADER = ["№", "Фамилия", "Имя", "ИИН", "Дата рождения", "Пол", "Телефон", "Номер комнаты"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path

    QApplication.processEvents()


@pytest.fixture
def changes(ctx):
    seen = []
    ctx.events.changed.connect(seen.append)
    return seen


@pytest.fixture
def tour_list(tmp_path) -> Path:
    return write_csv(
        tmp_path / "tour.csv",
        [
            RU_HEADER,
            ["1", "Қасымова", "Әйгерім", IIN_AIGERIM, "04.03.1985", "Ж", "+77012345678", "12"],
            ["2", "Әбілқасымов", "Нұрсұлтан", IIN_NURSULTAN, "06.07.1990", "М", "", "14"],
            ["3", "Жұмабаев", "Ерлан", BAD_IIN_ERLAN, "20.11.1978", "М", "", "14"],
        ],
    )


def make_dialog(qtbot, ctx, path: Path | None = None) -> ImportDialog:
    dialog = ImportDialog(ctx, None, path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def wait_checked(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy and dialog.report is not None, timeout=10000)


def test_dry_run_shows_mapping_and_the_value_set_aside_and_saves_nothing(qtbot, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx)
    dialog.choose_file = lambda: tour_list  # no native file dialog in tests
    dialog.choose_button.click()
    wait_checked(qtbot, dialog)

    report = dialog.report
    assert report.dry_run and report.total_rows == 3 and report.invalid == 0
    assert report.needs_review == 1
    model = dialog.mapping_model
    shown = {
        model.index(r, MappingModel.COL_HEADER).data(): model.index(
            r, MappingModel.COL_TARGET
        ).data()
        for r in range(model.rowCount())
    }
    assert shown["Фамилия"] == "Surname"
    assert shown["ИИН"] == "IIN"
    assert shown["Дата рождения"] == "Date of birth"
    assert shown["Номер комнаты"] == "ignored"
    assert "CSV text, UTF-8, separated by semicolons" in dialog.format_label.text()
    assert model.index(1, MappingModel.COL_SAMPLE).data() == "Қасымова"  # an example value
    assert dialog.count_labels["rows"].text() == "3"
    assert dialog.count_labels["new"].text() == "3"  # Ерлан too, without his mistyped IIN
    assert dialog.count_labels["review"].text() == "1"
    assert dialog.count_labels["rejected"].text() == "0"

    problems = dialog.errors_model
    assert problems.rowCount() == 1
    assert problems.index(0, ProblemsModel.COL_LINE).data() == 4
    assert problems.index(0, ProblemsModel.COL_KIND).data() == "Set aside"
    assert problems.index(0, ProblemsModel.COL_FIELD).data() == "IIN"
    assert problems.index(0, ProblemsModel.COL_VALUE).data() == BAD_IIN_ERLAN
    assert "check digit" in problems.index(0, ProblemsModel.COL_MESSAGE).data()
    assert dialog.tabs.currentIndex() == 1  # the officer sees the problem first
    assert dialog.tabs.tabText(1) == "Problems (1)"  # as many as listed
    assert "1 person will be imported with values set aside" in dialog.status_label.text()

    assert nationals.count_nationals(ctx.desk) == 0  # a dry run writes nothing
    assert not list(tour_list.parent.glob("*.review*.csv"))
    assert dialog.import_button.isEnabled()
    assert dialog.import_button.text() == "&Import 3 people"


def test_import_makes_people_searchable_and_tells_the_pages(qtbot, ctx, changes, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    dialog.tour_operator_check.setChecked(True)
    wait_checked(qtbot, dialog)
    with qtbot.waitSignal(dialog.imported, timeout=10000) as blocker:
        dialog.import_button.click()
    report = blocker.args[0]
    assert not report.dry_run and report.created == 3

    found = nationals.search(ctx.desk, "Нұрсұлтан").rows
    assert [r.iin for r in found] == [IIN_NURSULTAN]
    assert nationals.search(ctx.desk, IIN_AIGERIM).rows[0].source == Source.TOUR_OPERATOR
    assert changes and changes[-1] is report.changes
    assert "Imported: 3 new" in dialog.status_label.text()
    assert "1 person needs review" in dialog.status_label.text()
    assert not dialog.import_button.isEnabled()

    # The row to review went to a review file beside the list; its folder opens on request.
    assert report.review_file is not None and report.review_file.exists()
    assert report.review_file.parent == tour_list.parent
    assert not dialog.open_folder_button.isHidden()
    assert str(report.review_file) in dialog.error_file_label.text()
    opened = []
    dialog.open_folder = opened.append
    dialog.open_folder_button.click()
    assert opened == [tour_list.parent]


def test_a_list_on_a_write_protected_stick_saves_its_review_file_where_asked(
    qtbot, ctx, changes, tour_list, tmp_path
):
    with read_only_tmpfs(tmp_path, {"tour.csv": tour_list.read_text(encoding="utf-8")}) as stick:
        dialog = make_dialog(qtbot, ctx, stick / "tour.csv")
        wait_checked(qtbot, dialog)
        assert dialog.review_file_button.isHidden()
        dialog.import_button.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
        status = dialog.status_label.text()
        assert status.startswith("Nothing was imported") and "somewhere else" in status
        assert "Errno" not in status and ".tmp" not in status
        assert not nationals.search(ctx.desk, "Нұрсұлтан").rows and not changes
        assert not dialog.review_file_button.isHidden()

        chosen = tmp_path / "to-look-at.csv"
        dialog.choose_review_file = lambda: chosen  # no native file dialog in tests
        with qtbot.waitSignal(dialog.imported, timeout=10000) as blocker:
            dialog.review_file_button.click()
    report = blocker.args[0]
    assert report.created == 3 and report.review_file == chosen and chosen.exists()
    assert str(chosen) in dialog.error_file_label.text()
    assert dialog.review_file_button.isHidden()


def test_a_list_without_a_name_column_is_explained(qtbot, ctx, tmp_path):
    path = write_csv(tmp_path / "phones.csv", [["ИИН", "Телефон"], [IIN_AIGERIM, "+77012345678"]])
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "has no surname or name column" in dialog.status_label.text()
    assert dialog.report is None
    assert not dialog.import_button.isEnabled()
    assert dialog.choose_button.isEnabled()


def test_a_file_that_is_not_a_list_is_explained(qtbot, ctx, tmp_path):
    path = tmp_path / "photo.pdf"
    path.write_bytes(b"%PDF-1.4")
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "use CSV or XLSX" in dialog.status_label.text()


def test_cancelling_a_long_import_leaves_the_case_file_unchanged(qtbot, ctx, changes, tmp_path):
    surnames = ["Қасымов", "Әбілов", "Жұмабаев", "Нұрланов", "Серіков", "Оспанов"]
    given = ["Ерлан", "Нұрсұлтан", "Асқар", "Бауыржан", "Дәурен", "Ғалым", "Мұрат", "Талғат"]
    rows = [["Фамилия", "Имя", "ИИН", "Дата рождения"]]
    for i in range(3000):
        born = date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        rows.append(
            [
                surnames[i % len(surnames)],
                given[(i // len(surnames)) % len(given)],
                valid_iin(born, Sex.MALE, serial=1 + (i % 500) * 10),
                f"{born:%d.%m.%Y}",
            ]
        )
    path = write_csv(tmp_path / "big.csv", rows)
    dialog = make_dialog(qtbot, ctx, path)
    wait_checked(qtbot, dialog)
    assert dialog.importable() > 2000

    dialog.import_button.click()
    assert dialog.busy
    dialog.cancel_button.click()  # right after starting
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20000)

    assert dialog.status_label.text() == "Import cancelled. Nothing was imported."
    assert nationals.count_nationals(ctx.desk) == 0
    assert changes == []
    assert dialog.import_button.isEnabled()  # the officer may import after all


def test_escape_cancels_the_work_before_closing(qtbot, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    assert dialog.busy
    dialog.reject()  # Esc while checking: cancel, stay open
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    dialog.reject()
    assert not dialog.isVisible()


def test_progress_bar_shows_only_after_half_a_second(qtbot):
    strip = WorkProgress()
    qtbot.addWidget(strip)
    strip.start("Working")
    assert strip.isHidden()
    qtbot.waitUntil(lambda: not strip.isHidden(), timeout=2000)
    strip.set_progress(500, 1000, "list.check")
    assert strip.bar.value() == 500 and strip.label.text() == "Checking rows…"
    strip.stop()
    assert strip.isHidden()


def test_open_import_asks_for_a_file(qtbot, ctx, tour_list, monkeypatch):
    monkeypatch.setattr(ImportDialog, "choose_file", lambda self: tour_list)
    dialog = open_import(ctx, None)
    qtbot.addWidget(dialog)
    wait_checked(qtbot, dialog)
    assert dialog.path == tour_list


def test_models_pass_the_model_tester(qtbot, qtmodeltester, ctx, tour_list):
    dialog = make_dialog(qtbot, ctx, tour_list)
    wait_checked(qtbot, dialog)
    qtmodeltester.check(dialog.mapping_model)
    qtmodeltester.check(dialog.errors_model)


# -- columns the officer chooses, odd files ------------------------------------------------


def test_a_bilingual_header_is_read_by_script_not_refused(qtbot, ctx, tmp_path):
    path = write_csv(
        tmp_path / "bilingual.csv",
        [
            ["Фамилия", "Surname", "Имя", "Given names"],
            ["Қасымова", "KASSYMOVA", "Әйгерім", "AIGERIM"],
        ],
    )
    dialog = make_dialog(qtbot, ctx, path)
    wait_checked(qtbot, dialog)
    notes = [
        dialog.mapping_model.index(r, MappingModel.COL_NOTE).data()
        for r in range(dialog.mapping_model.rowCount())
    ]
    assert notes[:2] == [
        "Cyrillic names: to the Cyrillic name",
        "Latin names: to the name as in the passport",
    ]
    assert dialog.import_button.isEnabled()


def test_two_columns_of_one_field_are_shown_and_the_officer_chooses(qtbot, ctx, tmp_path):
    path = write_csv(
        tmp_path / "twice.csv",
        [["Фамилия", "ИИН", "Телефон", "ИИН"], ["Қасымова", IIN_AIGERIM, "+77012345678", "x"]],
    )
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    model = dialog.mapping_model
    assert "both hold IIN" in dialog.status_label.text()
    assert model.rowCount() == 4 and not dialog.import_button.isEnabled()
    # The two clashing columns are marked.
    marked = [model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) is not None for r in range(4)]
    assert marked == [False, True, False, True]

    # The officer says the second ИИН column is to be ignored: the list is checked again.
    target = model.index(3, MappingModel.COL_TARGET)
    assert model.flags(target) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(target, "", Qt.ItemDataRole.EditRole)
    wait_checked(qtbot, dialog)
    assert dialog.report.created == 1 and dialog.import_button.isEnabled()
    assert model.index(3, MappingModel.COL_TARGET).data() == "ignored"
    assert model.index(3, MappingModel.COL_NOTE).data().startswith("Chosen for this list")
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.import_button.click()

    # The next list of that layout is read the same way, and the dialog says so.
    again = make_dialog(qtbot, ctx, path)
    wait_checked(qtbot, again)
    assert again.report.unchanged == 1
    note = again.mapping_model.index(3, MappingModel.COL_NOTE).data()
    assert note.startswith("As chosen for lists like this before")
    assert again.reset_columns_button.isEnabled()
    again.reset_columns_button.click()  # read by the headers again: the clash comes back
    qtbot.waitUntil(lambda: not again.busy, timeout=10000)
    assert "both hold IIN" in again.status_label.text()


def test_the_read_as_column_offers_every_target(qtbot, ctx, tour_list):
    from consuldesk.services.lists import TARGETS
    from consuldesk.ui.models.list_import import TargetDelegate

    dialog = make_dialog(qtbot, ctx, tour_list)
    wait_checked(qtbot, dialog)
    delegate = dialog.mapping_view.itemDelegateForColumn(MappingModel.COL_TARGET)
    assert isinstance(delegate, TargetDelegate)
    index = dialog.mapping_model.index(7, MappingModel.COL_TARGET)  # "Номер комнаты"
    editor = delegate.createEditor(dialog.mapping_view.viewport(), None, index)
    delegate.setEditorData(editor, index)
    assert editor.count() == len(TARGETS) + 1 and editor.currentData() == ""
    editor.setCurrentIndex(editor.findData("notes"))
    delegate.setModelData(editor, dialog.mapping_model, index)
    wait_checked(qtbot, dialog)
    assert dialog.mapping_model.index(7, MappingModel.COL_TARGET).data() == "Notes"
    editor.deleteLater()


def test_a_list_in_another_encoding_is_named_and_read_on_request(qtbot, ctx, tmp_path):
    path = tmp_path / "koi.csv"
    path.write_bytes("Фамилия;Имя\r\nИванова;Мария\r\nПетров;Пётр\r\n".encode("koi8-r"))
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "KOI8-R" in dialog.status_label.text()
    assert not dialog.encoding_button.isHidden()
    assert dialog.encoding_button.text() == "Read as KOI8-R"
    dialog.encoding_button.click()
    wait_checked(qtbot, dialog)
    assert dialog.report.created == 2 and "KOI8-R" in dialog.format_label.text()


def test_a_failure_whose_message_fails_still_frees_the_dialog(qtbot, ctx, tmp_path, monkeypatch):
    import consuldesk.ui.dialogs.import_list as module

    def broken(exc):
        raise TypeError("describe_code() got multiple values for argument 'field'")

    monkeypatch.setattr(module, "describe", broken)
    path = write_csv(tmp_path / "phones.csv", [["ИИН"], [IIN_AIGERIM]])
    dialog = make_dialog(qtbot, ctx, path)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10000)
    assert "ListError" in dialog.status_label.text()
    assert dialog.choose_button.isEnabled() and not dialog.cancel_button.isVisible()


# -- export --------------------------------------------------------------------------------


def test_export_to_csv_writes_everyone(qtbot, ctx, tmp_path):
    nationals.register_national(ctx.desk, person())
    nationals.register_national(
        ctx.desk,
        person(surname_cyr="Әбілқасымов", given_names_cyr="Нұрсұлтан", surname_lat="ABILKASSYMOV"),
    )
    dialog = ExportDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "2 nationals" in dialog.scope_label.text(), timeout=5000)
    target = tmp_path / "out" / "list.csv"
    target.parent.mkdir()
    dialog.choose_file = lambda: target
    dialog.choose_button.click()
    assert dialog.format_label.text().startswith("CSV")
    dialog.lang_combo.setCurrentIndex(dialog.lang_combo.findData("ru"))

    with qtbot.waitSignal(dialog.exported, timeout=10000) as blocker:
        dialog.export_button.click()
    assert blocker.args == [2]
    with target.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    assert len(lines) == 3 and "Фамилия" in lines[0]
    assert {line[lines[0].index("Фамилия")] for line in lines[1:]} == {"Қасымова", "Әбілқасымов"}
    assert dialog.status_label.text() == f"2 nationals written to {target}."
    opened = []
    dialog.open_folder = opened.append
    dialog.open_folder_button.click()
    assert opened == [target.parent]


def test_export_needs_a_csv_or_xlsx_name(qtbot, ctx, tmp_path):
    dialog = ExportDialog(ctx, None)
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "list.pdf"))
    assert not dialog.export_button.isEnabled()
    assert "must end in .csv or .xlsx" in dialog.format_label.text()
    dialog.path_edit.setText(str(tmp_path / "list.xlsx"))
    assert dialog.export_button.isEnabled()
    assert dialog.format_label.text() == "Excel workbook (XLSX)"


def test_the_dialog_checks_a_large_list_on_both_cores(qtbot, ctx, tour_list, monkeypatch):
    """The import runs in the dialog's worker thread; a large list's helper process starts from
    there, checks its share and is let go, and the import is the same."""
    from consuldesk.services.lists import parallel

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # the tour list counts as large
    monkeypatch.setattr(parallel, "CHUNK", 1)
    monkeypatch.delenv(parallel.ENV_WORKERS, raising=False)
    try:
        dialog = make_dialog(qtbot, ctx, tour_list)
        wait_checked(qtbot, dialog)
        with qtbot.waitSignal(dialog.imported, timeout=30000) as blocker:
            dialog.import_button.click()
        assert blocker.args[0].created == 3 and parallel.helped > 0
        assert [r.iin for r in nationals.search(ctx.desk, "Нұрсұлтан").rows] == [IIN_NURSULTAN]
        assert parallel._helper_now is None
    finally:
        parallel.shutdown()


def test_a_workbook_with_people_on_two_sheets_offers_the_other_one(qtbot, ctx, tmp_path):
    from tests.unit.services.test_lists import _three_sheets

    dialog = make_dialog(qtbot, ctx, _three_sheets(tmp_path / "groups.xlsx"))
    wait_checked(qtbot, dialog)
    assert dialog.report.sheet == "1-топ" and dialog.report.created == 1
    assert dialog.sheet_box.isVisible()
    box = dialog.sheet_box
    assert [box.itemText(i) for i in range(box.count())] == ["1-топ", "Нұсқаулық", "2-топ"]
    assert dialog.status_label.text() == (
        "Checked: every row can be imported. Nothing is saved yet. Only the sheet “1-топ” is "
        "read; also in the workbook: “Нұсқаулық” (2 rows), “2-топ” (2 rows). Choose a sheet "
        "under Sheet to check it."
    )
    assert dialog.tabs.currentIndex() == 0  # no problem to look at
    box.setCurrentIndex(2)
    box.activated.emit(2)  # as a choice in the box does
    qtbot.waitUntil(lambda: not dialog.busy and dialog.report is not None, timeout=10000)
    qtbot.waitUntil(lambda: dialog.report.sheet == "2-топ", timeout=10000)
    assert dialog.report.created == 2
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.report.dry_run, timeout=10000)
    assert dialog.report.sheet == "2-топ"
    assert {r.surname_cyr for r in nationals.search(ctx.desk, "Сапар").rows} == {
        "Сапарова", "Сапаров"
    }  # fmt: skip


def test_enter_after_a_column_choice_never_imports_and_columns_stay_in_view(qtbot, ctx, tour_list):
    """F2, a field, Enter: the Enter pressed the default button and imported 19 people with
    half their columns said; and each choice jumped to the Problems tab."""
    from PySide6.QtTest import QTest

    dialog = make_dialog(qtbot, ctx, tour_list)
    wait_checked(qtbot, dialog)
    assert dialog.report.needs_review == 1  # the check itself goes to Problems
    dialog.tabs.setCurrentIndex(0)
    model = dialog.mapping_model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "Номер комнаты")
    assert model.setData(
        model.index(row, MappingModel.COL_TARGET), "notes", Qt.ItemDataRole.EditRole
    )
    qtbot.waitUntil(lambda: not dialog.busy and dialog.report is not None, timeout=10000)
    assert dialog.tabs.currentIndex() == 0  # still on Columns
    assert not dialog.import_button.isDefault() and not dialog.import_button.autoDefault()
    dialog.mapping_view.setFocus()
    QTest.keyClick(dialog.mapping_view, Qt.Key.Key_Return)
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert dialog.report.dry_run  # nothing imported
    assert nationals.search(ctx.desk, "Қасымова").rows == []
